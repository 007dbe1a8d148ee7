"""Report periods: ISO weeks (2025-W10), months (2025-03), quarters (2025-Q1) and years (2025).

A period is a half-open interval [start, end) of aware times in the register's
timezone. Weeks are ISO weeks, Monday 00:00 to the next Monday 00:00. The
default period is the last *complete* one before ``now``: on Monday
2026-11-23 the weekly report covers 2026-W47 (11-16 to 11-22), the monthly
report October 2026, the quarterly report 2026-Q3 and the annual report 2025.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

Kind = Literal["weekly", "monthly", "quarterly", "annual"]
KINDS: tuple[str, ...] = ("weekly", "monthly", "quarterly", "annual")
QUARTERS = "一二三四"

_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period text that does not name a period of the report's kind (Chinese message)."""


@dataclass(frozen=True)
class Period:
    kind: Kind
    label: str
    """2025-W10, 2025-03, 2025-Q1 or 2025: also the narrative file's suffix."""
    start: datetime
    end: datetime
    """Exclusive."""

    @property
    def name(self) -> str:
        """The period in Chinese: 2025年第10周(3月3日至3月9日), 2025年3月, 2025年第一季度, 2025年."""
        if self.kind == "weekly":
            year, week, _ = self.start.isocalendar()
            last = (self.end - timedelta(days=1)).date()
            first = self.start.date()
            return f"{year}年第{week}周({_md(first)}至{_md(last, first.year != last.year)})"
        if self.kind == "monthly":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarterly":
            return f"{self.start.year}年第{QUARTERS[(self.start.month - 1) // 3]}季度"
        return f"{self.start.year}年"

    @property
    def unit_word(self) -> str:
        return {"weekly": "本周", "monthly": "本月", "quarterly": "本季度", "annual": "本年度"}[self.kind]

    def previous(self) -> Period:
        """The period just before (the week, month, quarter or year before)."""
        return containing(self.kind, self.start - timedelta(days=1))

    def year_ago(self) -> Period:
        """The same period a year earlier (same ISO week number, same month or quarter, previous year)."""
        if self.kind == "weekly":
            year, week, _ = self.start.isocalendar()
            return parse(self.kind, f"{year - 1}-W{min(week, _weeks_in(year - 1)):02d}", self.start.tzinfo)
        return containing(self.kind, self.start.replace(year=self.start.year - 1))

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def _md(day: date, with_year: bool = False) -> str:
    return (f"{day.year}年" if with_year else "") + f"{day.month}月{day.day}日"


def _weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


def _at(day: date, tz: tzinfo | None) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def containing(kind: Kind | str, moment: datetime) -> Period:
    """The period of ``kind`` that holds ``moment`` (in ``moment``'s timezone)."""
    tz = moment.tzinfo
    day = moment.date()
    if kind == "weekly":
        monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        return Period("weekly", f"{year}-W{week:02d}", _at(monday, tz), _at(monday + timedelta(days=7), tz))
    if kind == "monthly":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period("monthly", f"{first.year}-{first.month:02d}", _at(first, tz), _at(following, tz))
    if kind == "quarterly":
        index = (day.month - 1) // 3
        first = date(day.year, index * 3 + 1, 1)
        following = date(day.year + 1, 1, 1) if index == 3 else date(day.year, index * 3 + 4, 1)
        return Period("quarterly", f"{day.year}-Q{index + 1}", _at(first, tz), _at(following, tz))
    if kind == "annual":
        return Period("annual", f"{day.year}", _at(date(day.year, 1, 1), tz), _at(date(day.year + 1, 1, 1), tz))
    raise PeriodError(f"不认识的报告类型“{kind}”,应为 weekly、monthly、quarterly 或 annual。")


def default(kind: Kind | str, now: datetime) -> Period:
    """The last complete period of ``kind`` before ``now``."""
    return containing(kind, now).previous()


def parse(kind: Kind | str, text: str, tz: tzinfo | None) -> Period:
    """The period ``text`` names: 2025-W10 (weekly), 2025-03 (monthly), 2025-Q1 or 2025Q1 (quarterly),
    2025 (annual)."""
    text = text.strip()
    if kind == "weekly":
        match = _WEEK.match(text)
        if match:
            year, week = int(match.group(1)), int(match.group(2))
            if 1 <= week <= _weeks_in(year):
                return containing("weekly", _at(date.fromisocalendar(year, week, 1), tz))
        raise PeriodError(f"“{text}”不是有效的周,应如 2025-W10(ISO 周,周一至周日)。")
    if kind == "monthly":
        match = _MONTH.match(text)
        if match and 1 <= int(match.group(2)) <= 12:
            return containing("monthly", _at(date(int(match.group(1)), int(match.group(2)), 1), tz))
        raise PeriodError(f"“{text}”不是有效的月份,应如 2025-03。")
    if kind == "quarterly":
        match = _QUARTER.match(text)
        if match and int(match.group(1)) >= 1:
            return containing("quarterly", _at(date(int(match.group(1)), int(match.group(2)) * 3 - 2, 1), tz))
        raise PeriodError(f"“{text}”不是有效的季度,应如 2025-Q1。")
    if kind == "annual":
        match = _YEAR.match(text)
        if match and int(text) >= 1:
            return containing("annual", _at(date(int(text), 1, 1), tz))
        raise PeriodError(f"“{text}”不是有效的年份,应如 2025。")
    raise PeriodError(f"不认识的报告类型“{kind}”,应为 weekly、monthly、quarterly 或 annual。")
