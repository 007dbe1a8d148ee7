"""Immutable value types shared by every part of yuqing.

Raw dicts never leave the loader: everything the core computes on is one of
these frozen dataclasses. Times are timezone-aware ``datetime`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

LEVELS: tuple[str, ...] = ("一般", "敏感", "重大", "特别重大")
"""The four levels, least to most severe."""

STATUSES: tuple[str, ...] = ("监测中", "处置中", "已平息", "已归档")

CHANNELS: tuple[str, ...] = (
    "电视广播", "报刊杂志", "网络媒体", "社交媒体", "自媒体", "上级转办", "群众来电", "其他",
)

EVENT_TYPES: tuple[str, ...] = (
    "预警", "转办", "研判", "定级", "升级", "降级", "上报", "续报", "核报", "初步回应", "答复",
    "发布权威信息", "新闻发布会", "媒体采访", "网评引导", "线下处置", "平息", "评估总结", "归档", "更正",
)

GRADING_EVENTS: frozenset[str] = frozenset({"定级", "升级", "降级"})

SEVERE_LEVELS: frozenset[str] = frozenset({"重大", "特别重大"})
"""Levels that make a review (评估总结) mandatory once archived."""

Severity = Literal["error", "warning", "approval", "info"]


def level_rank(level: str) -> int:
    """0 for 一般 … 3 for 特别重大; -1 for an unknown word."""
    try:
        return LEVELS.index(level)
    except ValueError:
        return -1


@dataclass(frozen=True)
class Issue:
    """One problem found in the register: where, what, and how to fix it."""

    file: str
    line: int
    column: int
    path: str
    code: str
    message: str
    severity: Severity = "error"

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Event:
    at: datetime
    type: str
    level: str | None = None
    by: str | None = None
    channel: str | None = None
    url: str | None = None
    note: str | None = None
    index: int = 0
    """Position in the file's timeline, for messages and line lookups."""


@dataclass(frozen=True)
class Source:
    channel: str
    platform: str | None = None
    url: str | None = None
    transferred_from: str | None = None


@dataclass(frozen=True)
class Units:
    lead: str
    assisting: tuple[str, ...] = ()


@dataclass(frozen=True)
class Appeal:
    posted_at: datetime
    author: str | None = None


@dataclass(frozen=True)
class Extension:
    rule: str
    reason: str
    approved_by: str | None
    approved_at: datetime | None
    due: datetime
    index: int = 0


@dataclass(frozen=True)
class Review:
    cause: str | None = None
    nature: str | None = None
    impact: str | None = None
    responsibility: str | None = None
    lessons: str | None = None
    completed_at: datetime | None = None

    REQUIRED: tuple[str, ...] = ("cause", "nature", "impact", "responsibility", "lessons", "completed_at")

    def missing(self) -> tuple[str, ...]:
        """Names of the parts of a complete review that are empty."""
        return tuple(name for name in self.REQUIRED if not getattr(self, name))


@dataclass(frozen=True)
class Withdrawn:
    reason: str
    at: datetime | None = None
    duplicate_of: str | None = None


@dataclass(frozen=True)
class Incident:
    """One incident record, as the register holds it."""

    id: str
    title: str
    level: str
    status: str
    category: str
    discovered_at: datetime
    source: Source
    units: Units
    summary: str
    timeline: tuple[Event, ...]
    file: str
    """Path relative to the register root, with forward slashes."""
    occurred_at: datetime | None = None
    appeal: Appeal | None = None
    tags: tuple[str, ...] = ()
    extensions: tuple[Extension, ...] = ()
    review: Review | None = None
    confidential: bool = False
    withdrawn: Withdrawn | None = None
    positions: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    """JSON path -> (line, column) of the value in the file, 1-based."""

    def position(self, path: str) -> tuple[int, int]:
        """Line and column of ``path``, or of its nearest recorded ancestor."""
        probe = path
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return self.positions.get("", (1, 1))

    @property
    def is_open(self) -> bool:
        """Still being watched or handled (not 已平息 / 已归档, not withdrawn)."""
        return self.withdrawn is None and self.status in ("监测中", "处置中")

    @property
    def counts(self) -> bool:
        """Included in deadlines and statistics (withdrawn records are not)."""
        return self.withdrawn is None

    @property
    def year(self) -> int:
        return self.discovered_at.year

    def first_event(self, types: frozenset[str] | set[str] | tuple[str, ...], since: datetime | None = None) -> Event | None:
        """The earliest event of one of ``types`` at or after ``since``."""
        for event in self.timeline:
            if event.type in types and (since is None or event.at >= since):
                return event
        return None

    def grading_events(self) -> tuple[Event, ...]:
        return tuple(e for e in self.timeline if e.type in GRADING_EVENTS)

    def level_history(self) -> tuple[tuple[datetime, str], ...]:
        """(since, level) steps, per docs/reference/record.md#level-over-time.

        From discovery the level is that of the first grading event (or the
        record's ``level`` when there is none); from each grading event on, that
        event's level.
        """
        grading = [e for e in self.grading_events() if e.level]
        if not grading:
            return ((self.discovered_at, self.level),)
        steps: list[tuple[datetime, str]] = [(self.discovered_at, grading[0].level or self.level)]
        for event in grading:
            if event.at <= self.discovered_at:
                steps[0] = (self.discovered_at, event.level or self.level)
            elif event.level != steps[-1][1]:
                steps.append((event.at, event.level or self.level))
        return tuple(steps)

    def max_level(self) -> str:
        """The most severe level the incident ever had."""
        return max((lvl for _, lvl in self.level_history()), key=level_rank, default=self.level)

    def level_reached(self, levels: frozenset[str] | set[str] | tuple[str, ...]) -> datetime | None:
        """When the level first entered ``levels`` (None if it never did)."""
        for since, lvl in self.level_history():
            if lvl in levels:
                return since
        return None


# --- the register's settings (register.yml) --------------------------------

ClockStart = Literal["level_reached", "occurred", "appeal"]
LimitUnit = Literal["hours", "working_hours", "working_days"]


@dataclass(frozen=True)
class Rule:
    """One deadline rule: when it applies, when its clock starts, what meets it."""

    id: str
    title: str
    clock_start: ClockStart
    met_by: frozenset[str]
    limit: float
    unit: LimitUnit
    due_soon_minutes: int
    source: str
    levels: frozenset[str] = frozenset()
    appeal: bool = False
    extension_cap_days: int | None = None

    def applies(self, incident: Incident) -> bool:
        if self.appeal:
            return incident.appeal is not None
        return incident.level_reached(self.levels) is not None


@dataclass(frozen=True)
class CalendarYear:
    """A year's statutory holidays and 调休 working days added in register.yml."""

    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]


@dataclass(frozen=True)
class Publish:
    repo_url: str = ""
    edit_uri: str = ""
    count_confidential: bool = False
    idle_days: int = 14
    """An open incident with no action for this many days is listed on the home page."""
    stale_hours: int = 26
    """The home page warns in the reader's browser once its figures are older than this."""


@dataclass(frozen=True)
class Intake:
    """register.yml ``intake:``: who may register through the forge's web forms."""

    allowed: tuple[str, ...] = ()
    """Forge logins, or ``org/team`` (membership asked of the forge)."""
    base: str = "main"


@dataclass(frozen=True)
class Notify:
    """register.yml ``notify:``: the duty group's robot (URL and secret live in CI secrets)."""

    robot: str = ""
    interval_minutes: int = 30
    digest: tuple[str, ...] = ()
    offset_minutes: int = 5
    max_items: int = 20
    """Lines per section of a message (most urgent first; then "另有 M 项"); 0 = no cap."""
    """Minute of the schedule's slots (cron ``5,35``: 5): off the hour, when robots are busiest."""
    """Local ``HH:MM`` times of working days for the digest of every live deadline."""


@dataclass(frozen=True)
class RegisterConfig:
    name: str
    organization: str
    timezone: str
    id_prefix: str
    categories: tuple[str, ...]
    units: tuple[str, ...]
    working_hours: tuple[tuple[time, time], ...]
    calendar_years: tuple[CalendarYear, ...]
    rules: tuple[Rule, ...]
    rule_set: str
    """'custom' when rules are written inline, else the preset's name."""
    late_registration_hours: float = 24.0
    publish: Publish = Publish()
    platforms: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    """Platform aliases from register.yml: (name, channel, other names); see yuqing.platforms."""
    intake: Intake = Intake()
    notify: Notify = Notify()
    approvers: tuple[str, ...] = ()
    """Forge logins whose APPROVED review lets approval-class changes through the gate (yuqing.approval)."""

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


# --- computed results ------------------------------------------------------

DeadlineStatus = Literal["met", "met_late", "overdue", "due_soon", "pending", "unknown"]
"""The five statuses of docs/reference/deadlines.md#status, plus ``unknown`` when the due time cannot be
computed without guessing (a year with no confirmed holiday calendar)."""


@dataclass(frozen=True)
class Deadline:
    """One applying rule of one incident, judged at a moment ``now``."""

    incident: str
    rule: str
    rule_title: str
    level: str
    """The incident's level when the clock started (for appeal rules, its current level)."""
    unit: str
    start: datetime
    due: datetime | None
    status: DeadlineStatus
    met_at: datetime | None
    file: str
    line: int
    """Line of the incident file where the clock started."""
    extended: bool = False
    title: str = ""
    """The incident's title, for tables."""
    warning: str | None = None
    """Why ``due`` is uncertain, when it is (Chinese, names the year)."""
    incident_open: bool = True
    """The incident is still open (监测中/处置中): its misses need action now."""
    met_line: int | None = None
    """Line of the event that met the deadline (where a late action shows)."""
