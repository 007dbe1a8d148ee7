"""The deadline engine: (incidents, rules, calendar, now) -> deadlines and warnings.

Pure: nothing here reads files or the clock. One Deadline per applying rule of
each counted (not withdrawn) incident, per docs/reference/deadlines.md:

* a level rule applies once the level over time (``Incident.level_history``)
  first enters the rule's levels; that moment is ``level_reached``; a later
  downgrade does not cancel the running clock, and a re-escalation does not
  restart it;
* ``occurred`` clocks start at ``occurred_at`` (else ``discovered_at``), even
  when the level was reached long after (so a late escalation to 重大 may be
  overdue the moment it is recorded: docs/reference/deadlines.md keeps the clock at the occurrence);
* only events at or after the clock's start count;
* an extension moves the rule's due later, never earlier and never beyond
  the rule's cap (``extension_cap``: 10 natural days, 民法典 art. 203);
* a due time that needs a year without a confirmed holiday calendar is not
  guessed: the deadline's status is ``unknown`` and a warning names the year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Iterable, NamedTuple

from .calendar import CalendarGap, WorkCalendar, year_help
from .model import Deadline, DeadlineStatus, Extension, Incident, RegisterConfig, Rule

STATUS_ORDER: tuple[str, ...] = ("overdue", "due_soon", "unknown", "pending", "met_late", "met")
"""Most to least urgent; also the order of the summary counts."""

STATUS_TEXT: dict[str, str] = {
    "overdue": "已逾期",
    "due_soon": "临期",
    "pending": "进行中",
    "met": "按时完成",
    "met_late": "超时完成",
    "unknown": "无法计算",
}

_MERIT: dict[str, int] = {"overdue": 0, "unknown": 1, "due_soon": 2, "pending": 3, "met_late": 4, "met": 5}
"""How good a status is, for 'never worse' comparisons (higher is better)."""


@dataclass(frozen=True)
class DeadlineReport:
    """Every deadline of a register at ``now``, and what makes a figure uncertain."""

    now: datetime
    deadlines: tuple[Deadline, ...]
    warnings: tuple[str, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for d in self.deadlines if d.status == status)

    def counts(self) -> dict[str, int]:
        """Deadlines per status, in STATUS_ORDER, zero counts left out."""
        return {s: n for s in STATUS_ORDER if (n := self.count(s))}

    def select(self, statuses: Iterable[str] | None = None, *, units: Iterable[str] | None = None,
               levels: Iterable[str] | None = None, files: Iterable[str] | None = None,
               open_only: bool = False) -> DeadlineReport:
        """The same report with only the deadlines that match every filter given."""
        wanted = set(statuses) if statuses is not None else None
        unit_set = set(units) if units is not None else None
        level_set = set(levels) if levels is not None else None
        file_set = set(files) if files is not None else None
        kept = tuple(
            d for d in self.deadlines
            if (wanted is None or d.status in wanted)
            and (unit_set is None or d.unit in unit_set)
            and (level_set is None or d.level in level_set)
            and (file_set is None or d.file in file_set)
            and (not open_only or d.incident_open)
        )
        return DeadlineReport(self.now, kept, self.warnings)


def merit(status: str) -> int:
    """Higher is better: met > met_late > pending > due_soon > unknown > overdue."""
    return _MERIT[status]


def extension_cap(start: datetime, days: int, calendar: WorkCalendar | None = None) -> datetime:
    """The latest an extension may move a due time (docs/reference/deadlines.md, 民法典 art. 203).

    24:00 of the ``days``-th natural day after the start day; where that day is
    a day off (a statutory holiday, or a weekend that is not a 调休 working
    day: 法定休假日), business stops on the first working day after it, so the
    cap is the end of working hours of that day. ``calendar`` defaults to the
    statutory calendar with default working hours; a day in a year without
    confirmed data keeps the natural cap (never moved on a guess).
    """
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0, fold=0)
    last_day = midnight.date() + timedelta(days=days)
    natural = datetime.combine(last_day + timedelta(days=1), midnight.time(), tzinfo=start.tzinfo)
    calendar = calendar or _statutory(start.tzinfo)
    try:
        if calendar.is_workday(last_day):
            return natural
        return max(natural, calendar.end_of_working_day(calendar.next_workday(last_day)))
    except CalendarGap:
        return natural


def _statutory(tz: tzinfo | None) -> WorkCalendar:
    return WorkCalendar(tz or timezone.utc)


def clock_start(incident: Incident, rule: Rule, history: Steps | None = None) -> datetime | None:
    """When ``rule``'s clock starts for ``incident`` (None when it does not apply).

    ``history`` is the incident's ``level_history()`` when the caller has it already."""
    if rule.clock_start == "appeal":
        return incident.appeal.posted_at if incident.appeal else None
    if rule.clock_start == "occurred":
        return incident.occurred_at or incident.discovered_at
    if rule.levels:
        return _reached(history if history is not None else incident.level_history(), rule.levels)
    return incident.discovered_at


Steps = tuple[tuple[datetime, str], ...]


def _reached(history: Steps, levels: frozenset[str]) -> datetime | None:
    """``Incident.level_reached`` on a level history already built."""
    for since, level in history:
        if level in levels:
            return since
    return None


def _applies(rule: Rule, incident: Incident, history: Steps) -> bool:
    """``Rule.applies``, on the incident's level history built once for every rule."""
    if rule.appeal:
        return incident.appeal is not None
    return _reached(history, rule.levels) is not None


def _level_at_start(incident: Incident, rule: Rule, history: Steps) -> str:
    if rule.appeal or not rule.levels:
        return incident.level
    reached = _reached(history, rule.levels)
    for since, level in history:
        if since == reached and level in rule.levels:
            return level
    return incident.level


def rule_due(rule: Rule, start: datetime, calendar: WorkCalendar) -> datetime:
    """The due time of ``rule`` for a clock started at ``start``; raises CalendarGap."""
    if rule.unit == "working_hours":
        return calendar.add_working_hours(start, rule.limit)
    if rule.unit == "working_days":
        return calendar.add_working_days(start, rule.limit)
    # Natural hours are elapsed time: add them in UTC (a DST zone's wall clock jumps).
    return (start.astimezone(timezone.utc) + timedelta(hours=rule.limit)).astimezone(calendar.tz)


def judge(due: datetime | None, met_at: datetime | None, now: datetime, window_minutes: int) -> DeadlineStatus:
    """The status of one deadline at ``now`` (docs/reference/deadlines.md#status)."""
    if due is None:
        return "unknown"
    if met_at is not None:
        return "met" if met_at <= due else "met_late"
    if now > due:
        return "overdue"
    if due - now <= timedelta(minutes=window_minutes):
        return "due_soon"
    return "pending"


def _clock_path(incident: Incident, rule: Rule, start: datetime) -> str:
    """The JSON path of the value where the clock started (for line numbers)."""
    if rule.clock_start == "appeal":
        return "appeal.posted_at"
    if rule.clock_start == "occurred":
        return "occurred_at" if incident.occurred_at else "discovered_at"
    for event in incident.grading_events():
        if event.at == start and event.at > incident.discovered_at:
            return f"timeline[{event.index}].at"
    return "discovered_at"


def _extension(incident: Incident, rule: Rule) -> Extension | None:
    """The extension in force for ``rule``: the last one written for it."""
    chosen = [e for e in incident.extensions if e.rule == rule.id]
    return chosen[-1] if chosen else None


class Pending(NamedTuple):
    """One applying rule of one incident judged but for the clock: everything of its
    Deadline except, while nothing has met it, its status (which needs ``now``).

    What a record's deadlines are depends on the record, register.yml and the code
    only, so the check cache keeps them (``cache.Head.derived``); a command only
    compares each due time with ``now``."""

    deadline: Deadline
    window: int
    """The rule's due-soon window, minutes."""
    gap_year: int | None
    notes: tuple[str, ...]


def compute(incidents: Iterable[Incident], config: RegisterConfig, now: datetime,
            calendar: WorkCalendar | None = None) -> DeadlineReport:
    """Every deadline of every counted incident at ``now``, sorted by incident id and rule.

    ``calendar`` defaults to ``WorkCalendar.from_config(config)``; pass one in
    to reuse it. Withdrawn incidents are left out.
    """
    calendar = calendar or WorkCalendar.from_config(config)
    ordered = sorted((i for i in incidents if i.counts), key=lambda i: (i.id, i.file))
    return report((pending(i, config, calendar) for i in ordered), now.astimezone(calendar.tz))


def pending(incident: Incident, config: RegisterConfig, calendar: WorkCalendar) -> tuple[Pending, ...]:
    """The deadlines of one incident, but for the clock (none for a withdrawn one)."""
    if not incident.counts:
        return ()
    history = incident.level_history()  # once, not once per rule (100,000 records)
    found = []
    for rule in config.rules:
        if _applies(rule, incident, history):
            one = _one(incident, rule, calendar, history)
            if one is not None:
                found.append(one)
    return tuple(found)


def report(parts: Iterable[tuple[Pending, ...]], now: datetime) -> DeadlineReport:
    """The deadlines at ``now`` (in the register's zone) of incidents' :func:`pending` parts, in their order."""
    deadlines: list[Deadline] = []
    gaps: dict[int, list[str]] = defaultdict(list)
    warnings: list[str] = []
    for incident_parts in parts:
        for part in incident_parts:
            deadline = part.deadline
            status = judge(deadline.due, deadline.met_at, now, part.window)
            if status != deadline.status:
                deadline = replace(deadline, status=status)
            deadlines.append(deadline)
            warnings.extend(part.notes)
            if part.gap_year is not None:
                gaps[part.gap_year].append(f"{deadline.incident}({deadline.rule_title})")
    year_warnings = [
        f"{year} 年没有经确认的法定节假日和调休安排,以下 {len(items)} 项时限的截止时间无法计算"
        f"(状态记为“无法计算”,不按推测计算):{'、'.join(items)}。{year_help(year)}"
        for year, items in sorted(gaps.items())
    ]
    return DeadlineReport(now, tuple(deadlines), tuple(year_warnings + warnings))


def _one(incident: Incident, rule: Rule, calendar: WorkCalendar, history: Steps) -> Pending | None:
    start = clock_start(incident, rule, history)
    if start is None:
        return None
    start = start.astimezone(calendar.tz)
    notes: list[str] = []
    warning: str | None = None
    due: datetime | None
    extended = False
    gap_year: int | None = None
    try:
        due = rule_due(rule, start, calendar)
    except CalendarGap as gap:
        due, gap_year = None, gap.year
        warning = (f"截止时间需要 {gap.year} 年的法定节假日和调休安排,程序没有经确认的 {gap.year} 年数据,"
                   f"无法计算。{year_help(gap.year)}")
    extension = _extension(incident, rule)
    if extension is not None:
        if rule.extension_cap_days is None:
            notes.append(f"{incident.id}:延期记录所指规则“{rule.title}”不允许延期,已忽略该延期。")
        else:
            cap = extension_cap(start, rule.extension_cap_days, calendar)
            new_due = extension.due.astimezone(calendar.tz)
            if new_due > cap:
                notes.append(f"{incident.id}:延期至 {new_due:%Y-%m-%d %H:%M} 超过“{rule.title}”的上限"
                             f"({rule.extension_cap_days} 天),按上限 {cap:%Y-%m-%d %H:%M} 计算。")
                new_due = cap
            # An extension only ever moves the due later: a normal due already
            # later than the extension (a 调休 Saturday, a long holiday) stands.
            if due is None or new_due > due:
                # The approved due replaces the computed one, so a calendar gap no longer matters.
                due, extended, warning, gap_year = new_due, True, None, None
    met = incident.first_event(rule.met_by, since=start)
    met_at = met.at.astimezone(calendar.tz) if met else None
    # Final once met, or when it cannot be computed; else set against the clock by report().
    status: DeadlineStatus = "pending" if due is not None and met_at is None else judge(due, met_at, due or start, 0)
    line = incident.position(_clock_path(incident, rule, start))[0]
    met_line = incident.position(f"timeline[{met.index}].at")[0] if met else None
    return Pending(Deadline(
        incident=incident.id,
        rule=rule.id,
        rule_title=rule.title,
        level=_level_at_start(incident, rule, history),
        unit=incident.units.lead,
        start=start,
        due=due,
        status=status,
        met_at=met_at,
        file=incident.file,
        line=line,
        extended=extended,
        title=incident.title,
        warning=warning,
        incident_open=incident.is_open,
        met_line=met_line,
    ), rule.due_soon_minutes, gap_year, tuple(notes))
