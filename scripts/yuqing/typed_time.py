"""Times as staff type them: ``8:50``, ``今天 8:50``, ``11-30 8:50``, ``11月30日 8:50`` ...

One pure function, :func:`parse_typed`, shared by ``yuqing new``, ``event add``,
``review``, ``withdraw`` and ``correct``. It takes ``now`` and the register's
zone: a time without a date is today's, a date without a year is this year's.
Nothing is guessed further: a result more than 10 minutes in the future is
refused (typing ``23:50`` just after midnight means yesterday, and the clerk
should say so), and anything else gets a Chinese message naming the forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from .times import parse_time

FUTURE_TOLERANCE = timedelta(minutes=10)
"""The same tolerance as `yuqing check`'s time-future rule."""

FORMS = ("8:50、08:50、8点50、上午8:50、下午3:10、今天 8:50、昨天 20:10、前天 9:00、11-30 8:50、11.30 8:50、"
         "11月30日 8:50、11月30日8时50分、2026-11-30 8:50 或 2026-11-30T08:50:00+08:00")
"""The accepted forms, named in every refusal."""

_DAY_WORDS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
_AFTERNOON = frozenset({"下午", "傍晚", "晚上", "夜里", "夜间"})
_MORNING = frozenset({"上午", "早上", "早晨", "凌晨"})
# 8:50, 8：50:30, 8点50, 8点50分, 8时50分, 8点, 8点半; after an optional 上午/下午/晚上 ...
_CLOCK = (r"(?P<ampm>上午|早上|早晨|凌晨|中午|下午|傍晚|晚上|夜里|夜间)?\s*(?P<hour>\d{1,2})"
          r"(?:[:：](?P<minute>\d{2})(?:[:：](?P<second>\d{2}))?|[点时](?:(?P<cminute>\d{1,2})分?|(?P<half>半))?)")
_YMD = r"(?P<year>\d{4})[-/.年](?P<month>\d{1,2})[-/.月](?P<day>\d{1,2})日?"
_MD = r"(?P<month>\d{1,2})(?:-|/|月|\.)(?P<day>\d{1,2})日?"
_PATTERNS = (
    re.compile(rf"^{_CLOCK}$"),
    re.compile(rf"^(?P<word>今天|今日|昨天|昨日|前天)\s*{_CLOCK}$"),
    re.compile(rf"^{_MD}\s*{_CLOCK}$"),
    re.compile(rf"^{_YMD}(?:\s*|T){_CLOCK}$"),
)
_DOTTED = re.compile(r"\d{1,2}\.\d{1,2}")
"""``8.50``: a time (8:50), a decimal (8.5 hours) or a date (8 月 50 日)? Not guessed."""


@dataclass(frozen=True)
class Typed:
    """A typed time: the moment (None when refused) or the Chinese reason."""

    value: datetime | None
    error: str | None = None


def _refuse(text: str, why: str) -> Typed:
    return Typed(None, f"“{text}”{why}可以写:{FORMS}(按台账时区理解)。")


def parse_typed(text: str, now: datetime, tz: tzinfo) -> Typed:
    """The moment ``text`` means at ``now`` in zone ``tz``, or why it means none."""
    cleaned = " ".join(str(text).replace("\u3000", " ").split())
    if not cleaned:
        return _refuse(text, "是空的。")
    value = parse_time(cleaned, tz)  # full ISO forms, with or without offset
    if value is None:
        value, why = _short_form(cleaned, now.astimezone(tz), tz)
        if value is None:
            return _refuse(text, why)
    if value > now + FUTURE_TOLERANCE:
        shown = value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        hint = "" if re.search(r"\d{4}", cleaned) else "如指的是以前的某天,请写明日期,如 昨天 20:10、11-29 8:50。"
        return Typed(None, f"“{text}”即 {shown},晚于现在超过 10 分钟,不能记录未来的时间。{hint}")
    return Typed(value)


def _short_form(text: str, now: datetime, tz: tzinfo) -> tuple[datetime | None, str]:
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        day = now.date()
        if parts.get("word"):
            day -= timedelta(days=_DAY_WORDS[parts["word"]])
        if parts.get("month"):
            year = int(parts["year"]) if parts.get("year") else now.year
            try:
                day = date(year, int(parts["month"]), int(parts["day"]))
            except ValueError:
                return None, "不是有效的日期。"
        hour, why = _hour(int(parts["hour"]), parts.get("ampm"))
        if hour is None:
            return None, why
        minute = parts["minute"] or parts["cminute"] or ("30" if parts["half"] else "0")
        try:
            value = datetime(day.year, day.month, day.day, hour, int(minute), int(parts["second"] or 0), tzinfo=tz)
        except ValueError:
            return None, "不是有效的时刻(小时 0–23,分钟 0–59)。"
        return value, ""
    if _DOTTED.fullmatch(text):
        return None, (f"可能是时刻 {text.replace('.', ':')},也可能是小数或日期,不会猜。时刻请写 {text.replace('.', ':')}"
                      f" 或 {text.replace('.', '点')};日期要带时刻,如 11.30 8:50。")
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}|\d{1,2}月\d{1,2}日|今天|昨天|前天", text):
        return None, "只有日期,没有时刻。"
    return None, "不是能识别的时间。"


def _hour(hour: int, ampm: str | None) -> tuple[int | None, str]:
    """The 24-hour clock hour of ``hour`` said with 上午/下午/晚上/中午 ... (None and why when they disagree)."""
    if ampm in _AFTERNOON and hour < 12:
        return hour + 12, ""
    if ampm == "中午" and hour <= 2:  # 中午1点 is 13:00; 中午12点 is noon
        return hour + 12, ""
    if ampm in _MORNING and hour > 12:
        return None, f"写了“{ampm}”,却是 {hour} 点:请去掉“{ampm}”或改正钟点。"
    if ampm == "凌晨" and hour == 12:
        return 0, ""
    return hour, ""


_RELATIVE = re.compile(r"^(?:(?P<count>\d{1,4}|半)\s*(?:个)?\s*(?P<unit>秒钟?|分钟|分|小时|钟头|天|日)前|(?P<now>刚刚|刚才))$")
_UNIT_SECONDS = {"秒": 1, "秒钟": 1, "分钟": 60, "分": 60, "小时": 3600, "钟头": 3600, "天": 86400, "日": 86400}


def parse_listed(text: str, listed_at: datetime, tz: tzinfo) -> Typed:
    """A time as monitoring platforms list it, relative to ``listed_at`` (when the export was made).

    The forms of :func:`parse_typed` (``2026/11/30 8:05``, ``11月30日 08:05``,
    ``昨天 20:10``, ISO ...) plus ``3小时前``, ``5分钟前``, ``2天前``, ``半小时前``
    and ``刚刚``. A date without a year that would lie after ``listed_at``
    belongs to the year before (a December post in a January export).
    """
    cleaned = " ".join(str(text).replace("\u3000", " ").split())
    match = _RELATIVE.match(cleaned)
    if match is not None:
        if match.group("now"):
            return Typed(listed_at)
        count = 0.5 if match.group("count") == "半" else int(match.group("count"))
        return Typed(listed_at - timedelta(seconds=count * _UNIT_SECONDS[match.group("unit")]))
    typed = parse_typed(cleaned, listed_at, tz)
    if typed.value is None and cleaned and not re.search(r"\d{4}", cleaned):
        value, _ = _short_form(cleaned, listed_at.astimezone(tz), tz)
        if value is not None and value > listed_at + FUTURE_TOLERANCE:
            try:
                earlier = value.replace(year=value.year - 1)
            except ValueError:  # 2月29日
                return typed
            return Typed(earlier)
    return typed
