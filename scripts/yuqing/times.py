"""Reading and writing the register's times.

Times are ISO 8601 text in the files (YAML timestamps are kept as text so that
JSON Schema tools agree with us). A time without an offset is read in the
register's timezone. A date without a time is not a valid event time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

# The forms the schema accepts: RFC 3339 (T, seconds, offset) or a local time
# without offset, with T or a space and optional seconds.
_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(Z|z|[+-]\d{2}:\d{2})?"
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")  # both matched whole (fullmatch), never with `$`
_YEAR = re.compile(r"\s*(\d{4})-")

MIN_YEAR, MAX_YEAR = 1900, 2199
"""Times outside these years are refused: no record is that old or that far ahead, and
converting year 1 or 9999 between time zones overflows."""


def year_out_of_range(text: object) -> bool:
    """True when ``text`` starts like a time whose year is outside MIN_YEAR..MAX_YEAR."""
    if not isinstance(text, str):
        return False
    found = _YEAR.match(text)
    return found is not None and not MIN_YEAR <= int(found.group(1)) <= MAX_YEAR


@lru_cache(maxsize=None)
def zone(name: str) -> tzinfo:
    return ZoneInfo(name)


_FIXED_ZONES: dict[str, tzinfo] = {"Z": timezone.utc, "z": timezone.utc}
"""Fixed-offset zones by their text (``+08:00``), made once: a register holds a handful."""


def parse_time(text: object, tz: tzinfo) -> datetime | None:
    """The aware datetime ``text`` denotes, or None if it is not a valid time."""
    if not isinstance(text, str):
        return None
    match = _TIME.fullmatch(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    # Called about ten times per record: the zone goes straight into the constructor (no
    # `.replace`), and an offset's zone is made once.
    zone_ = tz if offset is None else _FIXED_ZONES.get(offset) or _fixed_zone(offset)
    if zone_ is None:
        return None
    try:
        micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
        value = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, zone_)
        return value if zone_ is tz else value.astimezone(tz)
    except (ValueError, OverflowError):  # no such day; year 1 or 9999 moved across a time zone
        return None


def _fixed_zone(offset: str) -> tzinfo | None:
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    if hours > 23 or minutes > 59:
        return None
    sign = 1 if offset[0] == "+" else -1
    made = _FIXED_ZONES[offset] = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return made


def is_date_only(text: object) -> bool:
    return isinstance(text, str) and bool(_DATE.fullmatch(text.strip()))


def parse_date(text: object) -> date | None:
    if isinstance(text, date) and not isinstance(text, datetime):
        return text
    if not isinstance(text, str) or not _DATE.fullmatch(text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, seconds precision (the JSON outputs' form)."""
    if value is None:
        return None
    return value.isoformat(timespec="seconds")


def short(value: datetime | None) -> str:
    """Compact local form for tables: 2025-03-02 18:00."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M")


def human_duration(delta: timedelta) -> str:
    """A duration in Chinese: 3天2小时, 1小时20分, 45分."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days}天")
    if hours:
        parts.append(f"{hours}小时")
    if mins and not days:
        parts.append(f"{mins}分")
    return "".join(parts) or "0分"
