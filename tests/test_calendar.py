"""Working days and hours against the real 2025/2026 arrangements (from chinesecalendar's data).

国庆 2025: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are working days.
春节 2025: Jan 28–Feb 4 off; Sun Jan 26 and Sat Feb 8 are working days.
春节 2026: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are working days.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import RegisterDir
from yuqing.calendar import CalendarGap, WorkCalendar, library_covers, library_version, library_years
from yuqing.cli import main
from yuqing.model import CalendarYear
from yuqing.times import parse_time, zone

TZ = zone("Asia/Shanghai")
CAL = WorkCalendar(TZ)


def t(text: str) -> datetime:
    value = parse_time(text, TZ)
    assert value is not None, text
    return value


@pytest.mark.parametrize("day, working", [
    ("2025-09-27", False),  # Saturday
    ("2025-09-28", True),   # Sunday made a working day (国庆 调休)
    ("2025-09-30", True),
    ("2025-10-01", False), ("2025-10-06", False), ("2025-10-08", False),
    ("2025-10-09", True),
    ("2025-10-11", True),   # Saturday made a working day
    ("2025-10-12", False),
    ("2025-01-26", True),   # Sunday, 春节 调休
    ("2025-01-28", False), ("2025-02-04", False),
    ("2025-02-05", True),
    ("2025-02-08", True),   # Saturday, 春节 调休
    ("2026-02-14", True),   # Saturday, 春节 调休
    ("2026-02-15", False), ("2026-02-23", False),
    ("2026-02-24", True),
    ("2026-02-28", True),   # Saturday, 春节 调休
    ("2026-03-01", False),
])
def test_working_days_follow_the_state_council_arrangements(day: str, working: bool) -> None:
    assert CAL.is_workday(date.fromisoformat(day)) is working


def test_a_year_without_data_is_never_guessed() -> None:
    assert library_covers(2026) and not library_covers(2027)
    assert library_years() == (2004, 2026)
    with pytest.raises(CalendarGap) as raised:
        CAL.is_workday(date(2027, 1, 4))
    assert raised.value.year == 2027
    assert CAL.source(2027) is None and not CAL.covers(2027)


def test_register_additions_cover_a_new_year_and_override_the_library() -> None:
    added = WorkCalendar(TZ, years=[
        CalendarYear(2027, "测试用安排", frozenset({date(2027, 1, 1)}), frozenset({date(2027, 1, 9)})),
        CalendarYear(2026, "测试用更正", frozenset({date(2026, 11, 23)}), frozenset()),
    ])
    assert added.is_workday(date(2027, 1, 1)) is False   # Friday, holiday
    assert added.is_workday(date(2027, 1, 4)) is True    # Monday
    assert added.is_workday(date(2027, 1, 9)) is True    # Saturday made a working day
    assert added.is_workday(date(2027, 1, 10)) is False  # Sunday
    # 2026 from register.yml replaces the library's 2026: Nov 23 off, and 春节 2026
    # is no longer known (the register's 2026 entry does not list it).
    assert added.is_workday(date(2026, 11, 23)) is False
    assert added.is_workday(date(2026, 2, 16)) is True
    assert added.source(2027) == "register.yml calendar.2027:测试用安排"


@pytest.mark.parametrize("start, due", [
    # The day of the start is not counted; due at the end of the 3rd working day after it.
    ("2025-11-10 09:00", "2025-11-13 17:30"),
    ("2025-11-10 17:30", "2025-11-13 17:30"),  # at exactly the end of working hours
    ("2025-11-10 23:59", "2025-11-13 17:30"),
    ("2025-11-14 10:00", "2025-11-19 17:30"),  # Friday: the weekend does not count
    ("2025-09-30 16:00", "2025-10-11 17:30"),  # 国庆: Oct 9, 10 and Saturday Oct 11
    ("2025-10-03 10:00", "2025-10-11 17:30"),  # a start on a holiday
    ("2025-09-27 10:00", "2025-09-30 17:30"),  # Saturday: Sunday Sep 28 is the 1st working day
    ("2025-01-27 09:00", "2025-02-07 17:30"),  # 春节 2025: Feb 5, 6, 7
    ("2025-01-24 18:00", "2025-02-05 17:30"),  # Sunday Jan 26, Monday Jan 27, Feb 5
    ("2026-02-13 10:00", "2026-02-25 17:30"),  # 春节 2026: Saturday Feb 14, Feb 24, Feb 25
    ("2026-02-26 17:30", "2026-03-02 17:30"),  # Feb 27, Saturday Feb 28, Mar 2
])
def test_three_working_days(start: str, due: str) -> None:
    assert CAL.add_working_days(t(start), 3) == t(due)


@pytest.mark.parametrize("start, due", [
    ("2025-11-10 10:00", "2025-11-10 15:00"),  # 2 h before lunch, 1 h after
    ("2025-11-10 12:00", "2025-11-10 17:00"),  # at the start of the lunch break
    ("2025-11-10 12:30", "2025-11-10 17:00"),  # during lunch: waits for 14:00
    ("2025-11-10 14:30", "2025-11-10 17:30"),  # used up exactly at the end of the day
    ("2025-11-10 17:30", "2025-11-11 11:30"),  # at exactly the end of working hours
    ("2025-11-10 16:00", "2025-11-11 10:00"),  # 1.5 h today, 1.5 h tomorrow
    ("2025-11-10 08:00", "2025-11-10 11:30"),  # before work: waits for 08:30
    ("2025-11-10 08:30", "2025-11-10 11:30"),
    ("2025-11-14 16:30", "2025-11-17 10:30"),  # Friday: over the weekend
    ("2025-10-03 10:00", "2025-10-09 11:30"),  # a start on a holiday
    ("2025-09-30 16:00", "2025-10-09 10:00"),  # into the 国庆 holiday
    ("2025-10-11 09:00", "2025-10-11 12:00"),  # a working Saturday
    ("2026-02-13 16:30", "2026-02-14 10:30"),  # Friday before 春节 2026: Saturday Feb 14 works
    ("2026-02-14 16:30", "2026-02-24 10:30"),  # then the holiday
])
def test_three_working_hours(start: str, due: str) -> None:
    assert CAL.add_working_hours(t(start), 3) == t(due)


def test_times_in_other_offsets_are_judged_in_the_register_timezone() -> None:
    local = CAL.add_working_hours(t("2025-11-10 10:00"), 3)
    assert CAL.add_working_hours(t("2025-11-10T02:00:00Z"), 3) == local
    assert CAL.add_working_hours(t("2025-11-10T11:00:00+09:00"), 3) == local
    assert local.isoformat() == "2025-11-10T15:00:00+08:00"
    # 2025-11-09 23:00 UTC is Monday 07:00 in Shanghai: before work, not Sunday.
    assert CAL.add_working_days(t("2025-11-09T23:00:00Z"), 1) == t("2025-11-11 17:30")


def test_working_hours_come_from_the_register() -> None:
    single = WorkCalendar(TZ, [(time(9, 0), time(17, 0))])
    assert single.add_working_hours(t("2025-11-10 16:00"), 3) == t("2025-11-11 11:00")
    assert single.add_working_days(t("2025-11-10 09:00"), 1) == t("2025-11-11 17:00")


@pytest.mark.parametrize("moment, inside", [
    ("2025-11-10 08:29", False), ("2025-11-10 08:30", True), ("2025-11-10 11:59", True),
    ("2025-11-10 12:00", False), ("2025-11-10 14:00", True), ("2025-11-10 17:30", False),
    ("2025-10-08 10:00", False), ("2025-10-11 10:00", True),
])
def test_is_working_time(moment: str, inside: bool) -> None:
    assert CAL.is_working_time(t(moment)) is inside


def test_a_computation_reaching_an_unknown_year_names_it() -> None:
    with pytest.raises(CalendarGap) as raised:
        CAL.add_working_days(t("2026-12-30 10:00"), 3)
    assert raised.value.year == 2027
    # Within 2026 nothing is missing: Dec 31 is the 1st working day.
    assert CAL.add_working_days(t("2026-12-30 10:00"), 1) == t("2026-12-31 17:30")
    with pytest.raises(CalendarGap):
        CAL.add_working_hours(t("2026-12-31 16:00"), 3)


_MOMENTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 11, 30)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=TZ))


@settings(max_examples=300, deadline=None)
@given(start=_MOMENTS, minutes=st.integers(min_value=1, max_value=60 * 40))
def test_a_working_hours_due_is_after_its_start_and_inside_working_hours(start: datetime, minutes: int) -> None:
    due = CAL.add_working_hours(start, minutes / 60)
    assert due > start
    # Inside a working period, its end included (a limit used up at 17:30 is due at 17:30).
    assert any(begin < due <= end for begin, end in CAL.periods(due.date()))
    # Exactly ``minutes`` of working time lie between start and due.
    worked = timedelta()
    day = start.date()
    while day <= due.date():
        for begin, end in CAL.periods(day):
            lo, hi = max(begin, start), min(end, due)
            if hi > lo:
                worked += hi - lo
        day += timedelta(days=1)
    assert worked == timedelta(minutes=minutes)


@settings(max_examples=300, deadline=None)
@given(start=_MOMENTS, days=st.integers(min_value=1, max_value=10))
def test_a_working_days_due_ends_a_later_working_day(start: datetime, days: int) -> None:
    due = CAL.add_working_days(start, days)
    assert due > start and due.date() > start.date()
    assert CAL.is_workday(due.date()) and due.time() == time(17, 30)
    between = [start.date() + timedelta(days=n) for n in range(1, (due.date() - start.date()).days + 1)]
    assert sum(CAL.is_workday(d) for d in between) == days


# --- `yuqing calendar` ------------------------------------------------------------

def test_calendar_command_lists_a_year_as_the_notice_has_it(capsys: pytest.CaptureFixture[str],
                                                            register_dir: RegisterDir) -> None:
    code = main(["calendar", "--root", str(register_dir.root), "2025"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[1:] == [
        "",
        f"2025 年(依据:chinesecalendar {library_version()}(国务院办公厅历年放假安排))",
        "  放假:01-01、01-28..02-04、04-04..04-06、05-01..05-05、05-31..06-02、10-01..10-08",
        "  调休上班:01-26(周日)、02-08(周六)、04-27(周日)、09-28(周日)、10-11(周六)",
    ]


def test_calendar_command_names_a_missing_year_until_it_is_added(capsys: pytest.CaptureFixture[str],
                                                                 register_dir: RegisterDir) -> None:
    assert main(["calendar", "--root", str(register_dir.root), "--now", "2026-11-23T10:00:00+08:00"]) == 1
    out = capsys.readouterr().out
    assert "2027 年:没有经确认的节假日数据" in out and "register.yml 的 calendar: 下补充 2027 年" in out
    register_dir.settings(calendar={2027: {"source": "测试用安排", "holidays": ["2027-01-01..2027-01-03"],
                                           "workdays": ["2027-02-20"]}})
    assert main(["calendar", "--root", str(register_dir.root), "2027", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["register_years"] == [2027]
    assert data["years"] == [{"year": 2027, "source": "register.yml calendar.2027:测试用安排",
                              "holidays": ["2027-01-01..2027-01-03"], "workdays": ["2027-02-20"]}]
