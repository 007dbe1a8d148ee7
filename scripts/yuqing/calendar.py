"""Working days and working hours: statutory holidays, 调休 and register additions.

A working day is Monday–Friday, less China's statutory holidays, plus the
weekend days the State Council makes working days (调休). The data comes from
the maintained ``chinesecalendar`` package (import ``chinese_calendar``), which
is released each year after the State Council's notice and raises
``NotImplementedError`` for years it has no data for; and from register.yml's
``calendar:`` section, which overrides the package for each year it names.

A year with no confirmed data is never guessed: every question about a day in
it raises :class:`CalendarGap`, which the deadline engine turns into a loud
warning naming the year (and status ``unknown``).
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any, Iterable, Mapping

from .model import CalendarYear, RegisterConfig
from .times import zone

DEFAULT_WORKING_HOURS: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))

SEARCH_LIMIT_DAYS = 3 * 366
"""Give up looking for a working day after this many days (a register that made
a whole year holidays); reported like a gap rather than looping forever."""


class CalendarGap(Exception):
    """A computation needs a day of a year without confirmed holiday data."""

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year


@lru_cache(maxsize=1)
def _library() -> Any:
    """The chinesecalendar module (imported on first use: `yuqing check` does not need it)."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a dependency of the package
        return None
    return chinese_calendar


def library_version() -> str:
    module = _library()
    return str(getattr(module, "__version__", "?")) if module else ""


@lru_cache(maxsize=None)
def _library_workday(day: date) -> bool | None:
    """What chinesecalendar says about ``day``; None when it has no data for its year."""
    module = _library()
    if module is None:
        return None
    try:
        return bool(module.is_workday(day))
    except NotImplementedError:
        return None


@lru_cache(maxsize=None)
def library_covers(year: int) -> bool:
    """True when chinesecalendar holds confirmed data for ``year``."""
    return _library_workday(date(year, 1, 1)) is not None and _library_workday(date(year, 12, 31)) is not None


def library_years() -> tuple[int, int] | None:
    """First and last year chinesecalendar covers (2004–2026 for version 1.11)."""
    covered = [y for y in range(1990, 2100) if library_covers(y)]
    return (covered[0], covered[-1]) if covered else None


class WorkCalendar:
    """Working days and hours in one timezone. Build once, ask many times.

    >>> cal = WorkCalendar.from_config(config)
    >>> cal.add_working_days(appeal_time, 3)
    """

    def __init__(
        self,
        tz: tzinfo,
        working_hours: Iterable[tuple[time, time]] = DEFAULT_WORKING_HOURS,
        years: Mapping[int, CalendarYear] | Iterable[CalendarYear] = (),
        *,
        use_library: bool = True,
    ) -> None:
        self.tz = tz
        self.working_hours = tuple(working_hours) or DEFAULT_WORKING_HOURS
        items = years.values() if isinstance(years, Mapping) else years
        self.years: dict[int, CalendarYear] = {y.year: y for y in items}
        self.use_library = use_library
        self._cache: dict[date, bool] = {}

    @classmethod
    def from_config(cls, config: RegisterConfig) -> WorkCalendar:
        """The register's calendar: its timezone, working hours and calendar additions."""
        return cls(zone(config.timezone), config.working_hours, config.calendar_years)

    # --- days ---------------------------------------------------------------

    def covers(self, year: int) -> bool:
        """True when the calendar holds confirmed data for ``year``."""
        return year in self.years or (self.use_library and library_covers(year))

    def source(self, year: int) -> str | None:
        """Where the data for ``year`` comes from, in Chinese; None when there is none."""
        if year in self.years:
            return f"register.yml calendar.{year}:{self.years[year].source}"
        if self.use_library and library_covers(year):
            return f"chinesecalendar {library_version()}(国务院办公厅历年放假安排)"
        return None

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day; raises CalendarGap for a year without data."""
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        added = self.years.get(day.year)
        if added is not None:
            result = day in added.workdays or (day.weekday() < 5 and day not in added.holidays)
        else:
            known = _library_workday(day) if self.use_library else None
            if known is None:
                raise CalendarGap(day.year)
            result = known
        self._cache[day] = result
        return result

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for _ in range(SEARCH_LIMIT_DAYS):
            day += timedelta(days=1)
            if self.is_workday(day):
                return day
        raise CalendarGap(day.year)

    # --- hours --------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of ``day`` (empty on a day off), as aware times."""
        if not self.is_workday(day):
            return []
        return [(self._at(day, start), self._at(day, end)) for start, end in self.working_hours]

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` lies in a working period (start included, end excluded)."""
        local = self.local(moment)
        return any(start <= local < end for start, end in self.periods(local.date()))

    def end_of_working_day(self, day: date) -> datetime:
        """When business stops on ``day`` (the end of its last working period)."""
        return self._at(day, self.working_hours[-1][1])

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` working hours after ``start``.

        The clock runs only inside working periods; a start outside them waits
        for the next period (非工作时间顺延). A limit used up exactly at the end
        of a period is due at that end (17:30, not the next morning).
        """
        remaining = timedelta(hours=hours)
        moment = self.local(start)
        day = moment.date()
        for _ in range(SEARCH_LIMIT_DAYS):
            for period_start, period_end in self.periods(day):
                if moment >= period_end:
                    continue
                begin = max(moment, period_start)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
        raise CalendarGap(day.year)

    def add_working_days(self, start: datetime, days: float) -> datetime:
        """End of working hours of the N-th working day after the day of ``start``.

        民法典 arts. 201 and 203: the day the period starts is not counted; where
        there are business hours, the period ends when business stops. A
        fractional N is rounded up (a part of a day is a whole day to count).
        """
        day = self.local(start).date()
        for _ in range(max(1, math.ceil(days))):
            day = self.next_workday(day)
        return self.end_of_working_day(day)

    def _at(self, day: date, clock: time) -> datetime:
        # Build the wall-clock time in the zone, then normalise (a DST zone's gap).
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(self.tz)


def year_help(year: int) -> str:
    """How to add ``year`` to register.yml (Chinese, one paragraph)."""
    return (f"请在国务院办公厅公布 {year} 年部分节假日安排后,在 register.yml 的 calendar: 下补充 {year} 年,"
            f"注明通知名称和文号,例如:calendar: {{{year}: {{source: 国务院办公厅关于{year}年部分节假日安排的通知"
            f"(国办发明电〔…〕…号), holidays: [\"{year}-01-01\", …], workdays: [\"{year}-…\"]}}}};"
            "或升级 chinesecalendar(pip install -U chinesecalendar)。")
