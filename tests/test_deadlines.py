"""The deadline engine on real incident files, with due times worked out by hand.

Default rules (SPEC section 3): report-2h, report-4h, release-4h, press-24h,
respond-48h (natural hours); first-reply-3wh (working hours); reply-3wd
(working days, extendable to 24:00 of the 10th natural day after the start day).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import RegisterDir, base_incident
from yuqing.calendar import WorkCalendar
from yuqing.deadlines import DeadlineReport, compute, extension_cap, merit
from yuqing.model import CalendarYear, Event, Incident
from yuqing.register import Register, load_register
from yuqing.times import iso, parse_time, zone

TZ = zone("Asia/Shanghai")


def t(text: str) -> datetime:
    value = parse_time(text, TZ)
    assert value is not None, text
    return value


def ev(at: str, type_: str, **more: Any) -> dict[str, Any]:
    return {"at": at, "type": type_, **more}


def load(register_dir: RegisterDir, *records: dict[str, Any], now: str = "2026-11-23T10:00:00+08:00") -> Register:
    for record in records:
        register_dir.write(record)
    return load_register(register_dir.root, now=t(now))


def run(register_dir: RegisterDir, *records: dict[str, Any], now: str) -> DeadlineReport:
    register = load(register_dir, *records, now=now)
    assert register.config is not None
    return compute(register.counted(), register.config, t(now))


def table(report: DeadlineReport) -> list[tuple[str, str, str, str | None, str | None, str]]:
    """(rule, level, start, due, met_at, status) per deadline, times as local text."""
    def local(value: datetime | None) -> str | None:
        return value.strftime("%m-%d %H:%M") if value else None
    return [(d.rule, d.level, local(d.start) or "", local(d.due), local(d.met_at), d.status)
            for d in report.deadlines]


def test_a_sensitive_incident_reported_in_time(register_dir: RegisterDir) -> None:
    record = base_incident(level="敏感", timeline=[
        ev("2025-03-03T09:30:00+08:00", "定级", level="敏感"),
        ev("2025-03-03T12:00:00+08:00", "上报"),
    ])
    report = run(register_dir, record, now="2025-03-03T18:00:00+08:00")
    # The first grading event's level holds from discovery (09:00), not from 09:30.
    assert table(report) == [("report-4h", "敏感", "03-03 09:00", "03-03 13:00", "03-03 12:00", "met")]
    assert report.warnings == ()


def test_escalation_to_especially_major_starts_its_own_clocks(register_dir: RegisterDir) -> None:
    record = base_incident(level="特别重大", status="处置中", occurred_at="2025-03-03T07:00:00+08:00", timeline=[
        ev("2025-03-03T09:30:00+08:00", "定级", level="敏感"),
        ev("2025-03-03T10:00:00+08:00", "上报"),
        ev("2025-03-03T11:00:00+08:00", "升级", level="重大"),
        ev("2025-03-03T14:00:00+08:00", "升级", level="特别重大"),
        ev("2025-03-03T15:00:00+08:00", "续报"),
        ev("2025-03-03T18:30:00+08:00", "发布权威信息"),
    ])
    report = run(register_dir, record, now="2025-03-04T09:00:00+08:00")
    assert table(report) == [
        # Only events at or after 14:00 count for the 特别重大 clocks: the 10:00 上报 does not.
        ("report-2h", "特别重大", "03-03 14:00", "03-03 16:00", "03-03 15:00", "met"),
        # Both reporting rules apply and each is judged on its own (SPEC section 3).
        ("report-4h", "敏感", "03-03 09:00", "03-03 13:00", "03-03 10:00", "met"),
        ("release-4h", "特别重大", "03-03 14:00", "03-03 18:00", "03-03 18:30", "met_late"),
        # 24 h from 14:00 is tomorrow 14:00; at 09:00 that is 5 h away, inside the 6 h window.
        ("press-24h", "特别重大", "03-03 14:00", "03-04 14:00", None, "due_soon"),
        # respond-48h starts at the occurrence; the 18:30 release answers it.
        ("respond-48h", "重大", "03-03 07:00", "03-05 07:00", "03-03 18:30", "met"),
    ]
    line = {d.rule: d.line for d in report.deadlines}
    text = (register_dir.root / "incidents/2025/YQ-2025-0001.yml").read_text(encoding="utf-8").splitlines()
    assert "2025-03-03T14:00:00+08:00" in text[line["report-2h"] - 1]   # the 升级 that started it
    assert text[line["report-4h"] - 1].startswith("discovered_at")
    assert text[line["respond-48h"] - 1].startswith("occurred_at")


def test_a_downgrade_does_not_cancel_a_running_clock(register_dir: RegisterDir) -> None:
    record = base_incident(level="重大", status="处置中", timeline=[
        ev("2025-03-03T09:30:00+08:00", "定级", level="重大"),
        ev("2025-03-03T10:00:00+08:00", "降级", level="一般"),
        ev("2025-03-03T15:00:00+08:00", "升级", level="重大"),
    ])
    report = run(register_dir, record, now="2025-03-03T15:30:00+08:00")
    assert table(report) == [
        # Reached at discovery; neither the downgrade nor the re-escalation restarts it.
        ("report-4h", "重大", "03-03 09:00", "03-03 13:00", None, "overdue"),
        # No occurred_at: from discovered_at. 41.5 h left, more than the 12 h window.
        ("respond-48h", "重大", "03-03 09:00", "03-05 09:00", None, "pending"),
    ]


def test_a_late_escalation_to_major_keeps_the_clock_at_the_occurrence(register_dir: RegisterDir) -> None:
    # SPEC: respond-48h starts at occurred_at even when 重大 is reached days later,
    # so the deadline can already be past when the escalation is recorded.
    record = base_incident(level="重大", status="处置中", occurred_at="2025-03-01T08:00:00+08:00",
                           discovered_at="2025-03-01T09:00:00+08:00", timeline=[
        ev("2025-03-01T09:30:00+08:00", "定级", level="一般"),
        ev("2025-03-04T10:00:00+08:00", "升级", level="重大"),
        ev("2025-03-04T11:00:00+08:00", "上报"),
    ])
    report = run(register_dir, record, now="2025-03-04T12:00:00+08:00")
    assert table(report) == [
        ("report-4h", "重大", "03-04 10:00", "03-04 14:00", "03-04 11:00", "met"),
        ("respond-48h", "重大", "03-01 08:00", "03-03 08:00", None, "overdue"),
    ]


def _appeal(posted: str, *timeline: dict[str, Any], **more: Any) -> dict[str, Any]:
    more.setdefault("discovered_at", posted)
    return base_incident(appeal={"posted_at": posted}, timeline=list(timeline) or [ev(posted, "研判")], **more)


def test_appeal_rules_over_the_national_day_holiday(register_dir: RegisterDir) -> None:
    record = _appeal("2025-09-30T16:00:00+08:00",
                     ev("2025-09-30T16:30:00+08:00", "研判"),
                     ev("2025-10-09T09:00:00+08:00", "初步回应"),
                     ev("2025-10-11T17:30:00+08:00", "答复"),
                     discovered_at="2025-09-30T16:10:00+08:00",
                     id="YQ-2025-0002")
    report = run(register_dir, record, now="2025-10-12T10:00:00+08:00")
    assert table(report) == [
        # 16:00–17:30 is 1.5 h; Oct 1–8 are holidays; Oct 9 08:30 + 1.5 h.
        ("first-reply-3wh", "一般", "09-30 16:00", "10-09 10:00", "10-09 09:00", "met"),
        # Sep 30 is not counted: Oct 9, Oct 10, Saturday Oct 11 (调休); answered at exactly 17:30.
        ("reply-3wd", "一般", "09-30 16:00", "10-11 17:30", "10-11 17:30", "met"),
    ]


def test_an_extension_replaces_the_due_time(register_dir: RegisterDir) -> None:
    record = _appeal("2025-11-10T10:00:00+08:00",
                     ev("2025-11-10T11:00:00+08:00", "初步回应"),
                     ev("2025-11-19T15:00:00+08:00", "答复"),
                     extensions=[{"rule": "reply-3wd", "reason": "需现场核查", "approved_by": "分管局领导",
                                  "approved_at": "2025-11-12T10:00:00+08:00", "due": "2025-11-20T17:30:00+08:00"}])
    report = run(register_dir, record, now="2025-11-21T10:00:00+08:00")
    # Without the extension the 11-19 answer would be late (due 11-13 17:30).
    assert table(report)[1] == ("reply-3wd", "一般", "11-10 10:00", "11-20 17:30", "11-19 15:00", "met")
    assert report.deadlines[1].extended is True


def test_an_extension_beyond_the_cap_is_held_to_the_cap(register_dir: RegisterDir) -> None:
    record = _appeal("2025-11-10T10:00:00+08:00",
                     ev("2025-11-10T11:00:00+08:00", "初步回应"),
                     extensions=[{"rule": "reply-3wd", "reason": "需现场核查", "approved_by": "分管局领导",
                                  "approved_at": "2025-11-12T10:00:00+08:00", "due": "2025-11-25T17:30:00+08:00"}])
    register = load(register_dir, record, now="2025-11-20T23:00:00+08:00")
    assert any(i.code == "extension-over-cap" for i in register.issues)  # `yuqing check` says so too
    assert register.config is not None
    report = compute(register.counted(), register.config, t("2025-11-20T23:00:00+08:00"))
    reply = report.deadlines[1]
    # 10 natural days after Nov 10 end at 24:00 of Nov 20.
    assert iso(reply.due) == "2025-11-21T00:00:00+08:00" and reply.status == "due_soon"
    assert report.warnings == ("YQ-2025-0001:延期至 2025-11-25 17:30 超过“网民诉求 3 个工作日内答复”的上限(10 天),"
                               "按上限 2025-11-21 00:00 计算。",)


def test_extension_cap_arithmetic() -> None:
    assert extension_cap(t("2025-11-10 10:00"), 10) == t("2025-11-21 00:00")
    assert extension_cap(t("2025-11-10 00:00"), 10) == t("2025-11-21 00:00")
    assert extension_cap(t("2025-12-30 23:59"), 10) == t("2026-01-10 00:00")


def test_an_extension_never_shortens_the_due(register_dir: RegisterDir) -> None:
    # Appeal Tue 09-30; Oct 1-8 are holidays, Sat Oct 11 a 调休 working day: the normal
    # due is 10-11 17:30, later than the extension's cap (24:00 of Oct 10).
    record = _appeal("2025-09-30T10:00:00+08:00",
                     ev("2025-09-30T11:00:00+08:00", "初步回应"),
                     ev("2025-10-11T09:00:00+08:00", "答复"),
                     extensions=[{"rule": "reply-3wd", "reason": "需会同区局调查", "approved_by": "分管局领导",
                                  "approved_at": "2025-09-30T15:00:00+08:00", "due": "2025-10-11T00:00:00+08:00"}])
    report = run(register_dir, record, now="2025-10-12T10:00:00+08:00")
    assert table(report)[1] == ("reply-3wd", "一般", "09-30 10:00", "10-11 17:30", "10-11 09:00", "met")
    assert report.deadlines[1].extended is False
    assert report.warnings == ()


def test_the_cap_on_a_holiday_moves_to_the_first_working_day_after(register_dir: RegisterDir) -> None:
    # Appeal Thu 09-25: the 10th day after is Sun 10-05, inside the 国庆 holiday (Oct 1-8),
    # so an extension may run to the end of working hours of Thu 10-09 (民法典 art. 203).
    assert extension_cap(t("2025-09-25 10:00"), 10) == t("2025-10-09 17:30")
    assert extension_cap(t("2025-09-30 10:00"), 10) == t("2025-10-11 00:00")  # Fri 10-10 is a working day
    extension = {"rule": "reply-3wd", "reason": "需现场核查", "approved_by": "分管局领导",
                 "approved_at": "2025-09-26T10:00:00+08:00", "due": "2025-10-09T17:30:00+08:00"}
    record = _appeal("2025-09-25T10:00:00+08:00", ev("2025-09-25T11:00:00+08:00", "初步回应"),
                     ev("2025-10-09T16:00:00+08:00", "答复"), extensions=[extension])
    register = load(register_dir, record, now="2025-10-10T10:00:00+08:00")
    assert register.config is not None and register.issues == ()  # `yuqing check` agrees on the cap
    report = compute(register.counted(), register.config, t("2025-10-10T10:00:00+08:00"))
    # Normal due: Fri 09-26, Sun 09-28 (调休), Mon 09-29 17:30; extended within the cap.
    assert table(report)[1] == ("reply-3wd", "一般", "09-25 10:00", "10-09 17:30", "10-09 16:00", "met")
    assert (report.deadlines[1].extended, report.warnings) == (True, ())
    extension["due"] = "2025-10-10T12:00:00+08:00"
    report = run(register_dir, record, now="2025-10-10T10:00:00+08:00")
    assert iso(report.deadlines[1].due) == "2025-10-09T17:30:00+08:00"
    assert report.warnings == ("YQ-2025-0001:延期至 2025-10-10 12:00 超过“网民诉求 3 个工作日内答复”的上限(10 天),"
                               "按上限 2025-10-09 17:30 计算。",)


def test_the_cap_follows_the_registers_own_calendar_and_never_guesses() -> None:
    start = t("2026-12-22 10:00")  # the 10th day after is Fri 2027-01-01
    added = CalendarYear(2027, "测试:元旦放假 1 天", frozenset({date(2027, 1, 1)}), frozenset())
    # New Year's Day off, then the weekend: business stops at 17:30 on Monday 01-04.
    assert extension_cap(start, 10, WorkCalendar(TZ, years=[added], use_library=False)) == t("2027-01-04 17:30")
    # No confirmed calendar for the year: the natural cap stands rather than a guess.
    assert extension_cap(start, 10, WorkCalendar(TZ, use_library=False)) == t("2027-01-02 00:00")


def test_withdrawn_incidents_have_no_deadlines(register_dir: RegisterDir) -> None:
    kept = base_incident(level="敏感")
    dropped = base_incident(id="YQ-2025-0002", level="敏感", withdrawn={"reason": "重复登记", "duplicate_of": "YQ-2025-0001"})
    report = run(register_dir, kept, dropped, now="2025-03-03T18:00:00+08:00")
    assert [(d.incident, d.rule, d.status) for d in report.deadlines] == [("YQ-2025-0001", "report-4h", "overdue")]


@pytest.mark.parametrize("now, status", [
    ("2025-03-03T11:59:00+08:00", "pending"),   # 61 min left, window 60
    ("2025-03-03T12:00:00+08:00", "due_soon"),  # exactly the window
    ("2025-03-03T13:00:00+08:00", "due_soon"),  # exactly the due time: not yet overdue
    ("2025-03-03T13:00:01+08:00", "overdue"),
])
def test_status_boundaries(register_dir: RegisterDir, now: str, status: str) -> None:
    report = run(register_dir, base_incident(level="敏感"), now=now)
    assert [d.status for d in report.deadlines] == [status]


@pytest.mark.parametrize("written", ["2025-11-10T02:00:00Z", "2025-11-10 10:00", "2025-11-10T10:00:00+08:00",
                                     "2025-11-10T11:00:00+09:00"])
def test_time_zones_of_the_record_do_not_change_the_deadline(register_dir: RegisterDir, written: str) -> None:
    record = _appeal(written, ev("2025-11-10T10:30:00+08:00", "研判"), discovered_at="2025-11-10T10:00:00+08:00")
    report = run(register_dir, record, now="2025-11-10T14:00:00Z")
    first = report.deadlines[0]
    assert (iso(first.start), iso(first.due), first.status) == (
        "2025-11-10T10:00:00+08:00", "2025-11-10T15:00:00+08:00", "overdue")
    assert iso(report.now) == "2025-11-10T22:00:00+08:00"


def test_a_year_without_a_calendar_is_named_and_not_guessed(register_dir: RegisterDir) -> None:
    record = _appeal("2026-12-30T10:00:00+08:00", id="YQ-2026-0001", title="跨年诉求")
    register_dir.write(record)
    now = "2026-12-31T09:00:00+08:00"
    report = run(register_dir, now=now)
    first, reply = report.deadlines
    assert (iso(first.due), first.status) == ("2026-12-30T15:00:00+08:00", "overdue")
    assert (reply.due, reply.status) == (None, "unknown")
    assert reply.warning is not None and "2027 年" in reply.warning
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith(
        "2027 年没有经确认的法定节假日和调休安排,以下 1 项时限的截止时间无法计算(状态记为“无法计算”,不按推测计算):"
        "YQ-2026-0001(网民诉求 3 个工作日内答复)。请在国务院办公厅公布 2027 年部分节假日安排后,在 register.yml 的 calendar: 下补充 2027 年")

    register_dir.settings(calendar={2027: {"source": "测试用:2027 年元旦放假 1 天", "holidays": ["2027-01-01"],
                                           "workdays": []}})
    report = run(register_dir, now=now)
    reply = report.deadlines[1]
    # Dec 31 (1), Jan 1 holiday, weekend, Jan 4 (2), Jan 5 (3).
    assert (iso(reply.due), reply.status, report.warnings) == ("2027-01-05T17:30:00+08:00", "pending", ())


def test_an_approved_extension_needs_no_calendar(register_dir: RegisterDir) -> None:
    record = _appeal("2026-12-30T10:00:00+08:00", id="YQ-2026-0001",
                     extensions=[{"rule": "reply-3wd", "reason": "跨年", "approved_by": "分管局领导",
                                  "approved_at": "2026-12-30T11:00:00+08:00", "due": "2027-01-08T17:30:00+08:00"}])
    report = run(register_dir, record, now="2026-12-31T09:00:00+08:00")
    assert (iso(report.deadlines[1].due), report.deadlines[1].status, report.warnings) == (
        "2027-01-08T17:30:00+08:00", "pending", ())


def test_the_national_rule_set(register_dir: RegisterDir) -> None:
    register_dir.settings(rules="national-2016")
    major = base_incident(level="重大", occurred_at="2025-03-03T07:00:00+08:00", timeline=[
        ev("2025-03-03T09:30:00+08:00", "定级", level="重大"),
        ev("2025-03-03T13:30:00+08:00", "发布权威信息"),
    ])
    sensitive = base_incident(id="YQ-2025-0002", level="敏感", timeline=[ev("2025-03-03T09:30:00+08:00", "定级", level="敏感")])
    ordinary = base_incident(id="YQ-2025-0003")
    report = run(register_dir, major, sensitive, ordinary, now="2025-03-04T10:00:00+08:00")
    assert [(d.incident,) + row for d, row in zip(report.deadlines, table(report))] == [
        ("YQ-2025-0001", "release-5h", "重大", "03-03 09:00", "03-03 14:00", "03-03 13:30", "met"),
        ("YQ-2025-0001", "press-24h", "重大", "03-03 09:00", "03-04 09:00", None, "overdue"),
        ("YQ-2025-0002", "respond-48h", "敏感", "03-03 09:00", "03-05 09:00", None, "pending"),
    ]


# --- properties ----------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Register, list[Incident]]:
    """A few incidents of every kind, loaded once from real files."""
    register_dir = RegisterDir(tmp_path_factory.mktemp("register"))
    records = [
        base_incident(level="特别重大", status="处置中", occurred_at="2025-03-03T07:00:00+08:00", timeline=[
            ev("2025-03-03T09:30:00+08:00", "定级", level="重大"),
            ev("2025-03-03T14:00:00+08:00", "升级", level="特别重大")]),
        _appeal("2025-09-30T16:00:00+08:00", id="YQ-2025-0002"),
        _appeal("2025-01-24T18:00:00+08:00", id="YQ-2025-0003", level="敏感"),
        base_incident(id="YQ-2025-0004", level="敏感", discovered_at="2025-10-01T22:00:00+08:00",
                      timeline=[ev("2025-10-02T03:00:00+08:00", "研判")]),
    ]
    register = load(register_dir, *records, now="2025-12-31T00:00:00+08:00")
    assert register.ok, register.issues
    return register, list(register.incidents)


_MET_TYPES = ("上报", "续报", "发布权威信息", "新闻发布会", "媒体采访", "初步回应", "答复")


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_adding_a_meeting_event_earlier_never_makes_a_status_worse(sample: tuple[Register, list[Incident]],
                                                                    data: st.DataObject) -> None:
    register, incidents = sample
    assert register.config is not None
    cal = WorkCalendar.from_config(register.config)
    incident = data.draw(st.sampled_from(incidents))
    offset = data.draw(st.integers(min_value=0, max_value=20 * 24 * 60))
    at = incident.discovered_at + timedelta(minutes=offset)
    now = at + timedelta(minutes=data.draw(st.integers(min_value=0, max_value=10 * 24 * 60)))
    kind = data.draw(st.sampled_from(_MET_TYPES))
    before = compute([incident], register.config, now, cal)
    timeline = sorted([*incident.timeline, Event(at=at, type=kind, index=len(incident.timeline))], key=lambda e: e.at)
    after = compute([replace(incident, timeline=tuple(timeline))], register.config, now, cal)
    for old, new in zip(before.deadlines, after.deadlines, strict=True):
        assert old.rule == new.rule and old.due == new.due
        assert merit(new.status) >= merit(old.status), (old, new)
        assert old.due is None or old.due >= old.start


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_results_do_not_depend_on_the_order_of_files(sample: tuple[Register, list[Incident]], seed: int) -> None:
    register, incidents = sample
    assert register.config is not None
    shuffled = list(incidents)
    random.Random(seed).shuffle(shuffled)
    now = t("2025-10-02T10:00:00+08:00")
    assert compute(shuffled, register.config, now) == compute(incidents, register.config, now)


def test_the_example_register_hand_checked() -> None:
    root = Path(__file__).resolve().parents[1]
    register = load_register(root, now=t("2026-11-23T10:00:00+08:00"))
    assert register.config is not None
    report = compute(register.counted(), register.config, t("2026-11-23T10:00:00+08:00"))
    got = {(d.incident, d.rule): (iso(d.due), d.status) for d in report.deadlines}
    # YQ-2025-0006: appeal Tue Sep 30 16:00, right before the 国庆 holiday.
    assert got[("YQ-2025-0006", "first-reply-3wh")] == ("2025-10-09T10:00:00+08:00", "met")
    assert got[("YQ-2025-0006", "reply-3wd")] == ("2025-10-11T17:30:00+08:00", "met")
    # YQ-2025-0005: appeal Saturday 22:10: Monday 08:30 + 3 h; Mon/Tue/Wed.
    assert got[("YQ-2025-0005", "first-reply-3wh")] == ("2025-08-18T11:30:00+08:00", "met")
    assert got[("YQ-2025-0005", "reply-3wd")] == ("2025-08-20T17:30:00+08:00", "met")
    assert report.warnings == ()
