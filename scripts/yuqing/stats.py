"""Pure aggregations over the register: counts, timeliness, durations, scorecards.

``compute(incidents, deadlines, ...)`` takes the incidents and the deadlines the
deadline engine judged for them and returns one frozen ``Stats``; every report,
export and chart is drawn from it. Nothing here reads files or the clock.

Definitions (decided where the reference pages are silent; README documents them):

- Withdrawn records never count. Confidential ones count unless
  ``include_confidential=False``.
- ``since``/``until`` select incidents by ``discovered_at``: ``since <= t < until``
  (the CLI turns an inclusive end date into the next midnight). Deadlines are
  those of the selected incidents.
- ``by_level`` counts the current level; durations are grouped by the most
  severe level the incident ever reached (a 重大 incident later downgraded is
  judged as the 重大 incident it was).
- On-time rate = met / (met + met_late + overdue), as service-desk SLA reports
  count: an overdue deadline still open is a miss; pending, due-soon and unknown
  deadlines are not judged yet. None when nothing was judged.
- Median is the middle value (mean of the two middle ones for an even count);
  the 90th percentile is the nearest-rank value (the ⌈0.9·n⌉-th smallest), so
  it is always a time that really happened.
- An escalation is a step of the level history to a more severe level, a
  downgrade a step to a less severe one (``升级``/``降级`` events, or a later
  ``定级`` that changes the level).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Iterable, NamedTuple, Sequence

from .model import CHANNELS, LEVELS, STATUSES, Deadline, Incident, RegisterConfig, level_rank
from .times import iso

REPORT_EVENTS: frozenset[str] = frozenset({"上报", "续报"})
"""First report to superiors (续报 also counts, as in the report rules)."""

RESPONSE_EVENTS: frozenset[str] = frozenset({"初步回应", "答复", "发布权威信息", "新闻发布会", "媒体采访"})
"""First public response: every event type by which the bureau speaks to the
public itself. 网评引导 (commentators) and 线下处置 (offline handling) are not
public responses by the bureau."""

SETTLED_EVENTS: frozenset[str] = frozenset({"平息"})

CLOSING_EVENTS: frozenset[str] = frozenset({"平息", "归档"})
"""Settled or archived: no longer open."""

MEASURES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("report", "发现至首次上报", REPORT_EVENTS),
    ("response", "发现至首次公开回应", RESPONSE_EVENTS),
    ("settled", "发现至平息", SETTLED_EVENTS),
)

JUDGED: tuple[str, ...] = ("met", "met_late", "overdue")
RUNNING: tuple[str, ...] = ("due_soon", "pending", "unknown")


@dataclass(frozen=True)
class Timeliness:
    """How one rule's deadlines (or one unit's) stand."""

    met: int = 0
    met_late: int = 0
    overdue: int = 0
    due_soon: int = 0
    pending: int = 0
    unknown: int = 0

    @property
    def judged(self) -> int:
        return self.met + self.met_late + self.overdue

    @property
    def misses(self) -> int:
        return self.met_late + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self.met / self.judged if self.judged else None

    def as_json(self) -> dict[str, object]:
        return {
            "met": self.met, "met_late": self.met_late, "overdue": self.overdue,
            "due_soon": self.due_soon, "pending": self.pending, "unknown": self.unknown,
            "on_time_rate": _rate(self.on_time_rate),
        }


def tally(deadlines: Iterable[Deadline]) -> Timeliness:
    counts: Counter[str] = Counter(d.status for d in deadlines)
    return Timeliness(**{name: counts.get(name, 0) for name in JUDGED + RUNNING})


@dataclass(frozen=True)
class Durations:
    """Discovery -> first event of a kind, for one measure and one level group."""

    measure: str
    level: str
    """A level, or "全部"."""
    values: tuple[timedelta, ...]
    """Sorted ascending."""
    waiting: int = 0
    """Incidents in the group with no such event yet."""

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def median(self) -> timedelta | None:
        if not self.values:
            return None
        # statistics.median averages the two middle values, which timedelta supports
        return median(self.values)  # type: ignore[type-var]

    @property
    def p90(self) -> timedelta | None:
        if not self.values:
            return None
        return self.values[math.ceil(0.9 * len(self.values)) - 1]

    def as_json(self) -> dict[str, object]:
        return {"count": self.count, "waiting": self.waiting,
                "median_minutes": _minutes(self.median), "p90_minutes": _minutes(self.p90)}


@dataclass(frozen=True)
class UnitScore:
    """One lead unit's scorecard."""

    unit: str
    incidents: int
    open: int
    timeliness: Timeliness
    extensions: int

    def as_json(self) -> dict[str, object]:
        return {"incidents": self.incidents, "open": self.open, "deadlines": self.timeliness.judged,
                "met": self.timeliness.met, "met_late": self.timeliness.met_late,
                "overdue": self.timeliness.overdue, "misses": self.timeliness.misses,
                "on_time_rate": _rate(self.timeliness.on_time_rate), "extensions": self.extensions}


@dataclass(frozen=True)
class Stats:
    """Everything the reports, exports and charts count. Treat the dicts as read-only."""

    since: datetime | None
    until: datetime | None
    total: int
    by_level: dict[str, int]
    by_status: dict[str, int]
    by_unit: dict[str, int]
    by_category: dict[str, int]
    by_channel: dict[str, int]
    by_month: dict[str, int]
    by_month_level: dict[str, dict[str, int]]
    open: int
    confidential: int
    """How many of ``total`` are confidential (0 when they were excluded)."""
    withdrawn: int
    """Withdrawn records in the period, left out of every figure."""
    escalated: tuple[str, ...]
    """Ids of incidents whose level went up at least once."""
    escalations: int
    downgraded: tuple[str, ...]
    downgrades: int
    timeliness: dict[str, Timeliness]
    rule_titles: dict[str, str]
    overall: Timeliness
    durations: dict[str, dict[str, Durations]]
    """measure -> level (each of LEVELS and "全部") -> Durations."""
    units: tuple[UnitScore, ...]
    extensions: int
    reviews_completed: int
    incident_ids: tuple[str, ...] = field(default=(), repr=False)
    deadlines: tuple[Deadline, ...] = field(default=(), repr=False)
    """The deadlines counted (of the selected incidents)."""
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        """`yuqing stats --format json` as docs/reference/json.md#stats has it (its keys first, then extras)."""
        return {
            "total": self.total,
            "by_level": dict(self.by_level),
            "by_status": dict(self.by_status),
            "by_unit": dict(self.by_unit),
            "by_category": dict(self.by_category),
            "by_month": dict(self.by_month),
            "timeliness": {rule: t.as_json() for rule, t in self.timeliness.items()},
            "since": iso(self.since),
            "until": iso(self.until),
            "by_channel": dict(self.by_channel),
            "by_month_level": {m: dict(v) for m, v in self.by_month_level.items()},
            "open": self.open,
            "confidential": self.confidential,
            "withdrawn": self.withdrawn,
            "escalations": {"incidents": len(self.escalated), "steps": self.escalations,
                            "ids": list(self.escalated)},
            "downgrades": {"incidents": len(self.downgraded), "steps": self.downgrades,
                           "ids": list(self.downgraded)},
            "on_time_rate": _rate(self.overall.on_time_rate),
            "misses": self.overall.misses,
            "due_soon": self.overall.due_soon,
            "pending": self.overall.pending,
            "unknown": self.overall.unknown,
            "durations": {m: {lvl: d.as_json() for lvl, d in groups.items()}
                          for m, groups in self.durations.items()},
            "units": {u.unit: u.as_json() for u in self.units},
            "extensions": self.extensions,
            "reviews_completed": self.reviews_completed,
            "rules": dict(self.rule_titles),
            "warnings": list(self.warnings),
        }


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def month_key(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def selected(incidents: Iterable[Incident], since: datetime | None = None, until: datetime | None = None,
             *, include_confidential: bool = True) -> list[Incident]:
    """The incidents statistics count: not withdrawn, discovered in [since, until)."""
    return [i for i in incidents if i.counts and in_period(i.discovered_at, since, until)
            and (include_confidential or not i.confidential)]


def in_period(moment: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    if moment is None:
        return False
    return (since is None or moment >= since) and (until is None or moment < until)


def level_steps(incident: Incident) -> tuple[int, int]:
    """(escalations, downgrades) in the incident's level history."""
    return _steps(incident.level_history())


def _steps(history: tuple[tuple[datetime, str], ...]) -> tuple[int, int]:
    up = sum(1 for (_, a), (_, b) in zip(history, history[1:]) if level_rank(b) > level_rank(a))
    down = sum(1 for (_, a), (_, b) in zip(history, history[1:]) if level_rank(b) < level_rank(a))
    return up, down


def first_after_discovery(incident: Incident, types: frozenset[str]) -> timedelta | None:
    event = incident.first_event(types, incident.discovered_at)
    return None if event is None else event.at - incident.discovered_at


def review_completed_at(incident: Incident) -> datetime | None:
    """When the review (评估总结) was completed: the review's date, else the event."""
    if incident.review is not None and incident.review.completed_at is not None:
        return incident.review.completed_at
    event = incident.first_event(("评估总结",))
    return event.at if event else None


def _ordered(counter: Counter[str], order: Sequence[str] = ()) -> dict[str, int]:
    """Most frequent first; ties in ``order`` (the register's list), then by name."""
    rank = {name: index for index, name in enumerate(order)}
    keys = sorted(counter, key=lambda k: (-counter[k], rank.get(k, len(rank)), k))
    return {k: counter[k] for k in keys}


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


class Facts(NamedTuple):
    """What statistics read of one incident, none of it depending on the clock (a tuple:
    the check cache keeps one per record, so that `yuqing stats` reads no record whole)."""

    id: str
    level: str
    status: str
    lead: str
    category: str
    channel: str
    discovered_at: datetime
    open: bool
    confidential: bool
    withdrawn: bool
    extensions: int
    reviewed: bool
    ups: int
    downs: int
    highest: str
    durations: tuple[timedelta | None, ...]
    """Discovery to the first event of each of MEASURES."""
    title: str = ""
    """For the leak guard of the public export (``site.guard.needles`` reads ids and titles)."""
    closed_at: datetime | None = None
    """The first 平息 or 归档: a ledger or report of a period reads the records still open at its start
    without reading every record to find them."""
    reviewed_at: datetime | None = None
    """When the review was completed (``review_completed_at``): reports list the reviews of their period."""


def facts(incident: Incident) -> Facts:
    history = incident.level_history()
    up, down = _steps(history)
    return Facts(
        incident.id, incident.level, incident.status, incident.units.lead, incident.category,
        incident.source.channel, incident.discovered_at, incident.is_open, incident.confidential,
        incident.withdrawn is not None, len(incident.extensions), review_completed_at(incident) is not None,
        up, down, max((lvl for _, lvl in history), key=level_rank, default=incident.level),
        tuple(first_after_discovery(incident, types) for _, _, types in MEASURES), incident.title,
        _first_at(incident, CLOSING_EVENTS), review_completed_at(incident),
    )


def _first_at(incident: Incident, types: frozenset[str]) -> datetime | None:
    return min((e.at for e in incident.timeline if e.type in types), default=None)


def compute(
    incidents: Iterable[Incident | Facts],
    deadlines: Iterable[Deadline],
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    config: RegisterConfig | None = None,
    include_confidential: bool = True,
    warnings: Iterable[str] = (),
) -> Stats:
    """Statistics of the incidents discovered in [since, until) and their deadlines.

    ``incidents`` (or their :class:`Facts`) may hold withdrawn records (they are counted apart and left
    out); ``deadlines`` may hold those of other incidents (only the selected
    incidents' deadlines count). ``config`` gives the rules' order and titles
    and the units' and categories' order.
    """
    everything = [i if isinstance(i, Facts) else facts(i) for i in incidents]
    chosen = [i for i in everything if not i.withdrawn and in_period(i.discovered_at, since, until)
              and (include_confidential or not i.confidential)]
    ids = {i.id for i in chosen}
    withdrawn = sum(1 for i in everything if i.withdrawn and in_period(i.discovered_at, since, until)
                    and (include_confidential or not i.confidential))
    counted = tuple(d for d in deadlines if d.incident in ids)

    # One pass over the records and one over the deadlines: at 100,000 records a pass per
    # level, unit and measure (and a level history rebuilt in each) took most of `stats`.
    months: Counter[str] = Counter()
    by_level: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    by_unit: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    unit_open: Counter[str] = Counter()
    unit_extensions: Counter[str] = Counter()
    measured: dict[str, dict[str, list[timedelta]]] = {m: {lvl: [] for lvl in (*LEVELS, "全部")}
                                                       for m, _, _ in MEASURES}
    members: Counter[str] = Counter()
    escalated, downgraded, ups, downs = [], [], 0, 0
    open_count = confidential = extensions = reviews = 0
    for incident in chosen:
        months[month_key(incident.discovered_at)] += 1
        by_level[incident.level] += 1
        by_status[incident.status] += 1
        lead = incident.lead
        by_unit[lead] += 1
        by_category[incident.category] += 1
        by_channel[incident.channel] += 1
        if incident.open:
            open_count += 1
            unit_open[lead] += 1
        if incident.confidential:
            confidential += 1
        extensions += incident.extensions
        unit_extensions[lead] += incident.extensions
        if incident.reviewed:
            reviews += 1
        ups, downs = ups + incident.ups, downs + incident.downs
        if incident.ups:
            escalated.append(incident.id)
        if incident.downs:
            downgraded.append(incident.id)
        highest = incident.highest
        members[highest] += 1
        for (measure, _, _), value in zip(MEASURES, incident.durations):
            if value is not None:
                measured[measure]["全部"].append(value)
                if highest in measured[measure]:
                    measured[measure][highest].append(value)

    month_names = sorted(months)
    if since is not None and until is not None and until > since:
        month_names = _months(month_key(since), month_key(until - timedelta(microseconds=1)))
    elif month_names:
        month_names = _months(month_names[0], month_names[-1])
    by_month_level = {m: {lvl: 0 for lvl in LEVELS} for m in month_names}
    for incident in chosen:
        by_month_level[month_key(incident.discovered_at)][incident.level] += 1

    rule_order = [r.id for r in config.rules] if config else []
    rule_titles = {r.id: r.title for r in config.rules} if config else {}
    for d in counted:
        if d.rule not in rule_titles:
            rule_order.append(d.rule)
            rule_titles[d.rule] = d.rule_title or d.rule
    per_rule: dict[str, list[Deadline]] = {rule: [] for rule in rule_order}
    per_unit: dict[str, list[Deadline]] = {}
    for d in counted:
        per_rule[d.rule].append(d)
        per_unit.setdefault(d.unit, []).append(d)
    by_rule = {rule: tally(per_rule[rule]) for rule in rule_order}

    members["全部"] = len(chosen)
    durations: dict[str, dict[str, Durations]] = {}
    for measure, _, types in MEASURES:
        durations[measure] = {
            level: Durations(measure, level, tuple(sorted(values)), members[level] - len(values))
            for level, values in measured[measure].items()
        }

    unit_names = _ordered(by_unit, config.units if config else ())
    for d in counted:
        unit_names.setdefault(d.unit, 0)
    units = tuple(
        UnitScore(
            unit=unit,
            incidents=by_unit[unit],
            open=unit_open[unit],
            timeliness=tally(per_unit.get(unit, ())),
            extensions=unit_extensions[unit],
        )
        for unit in unit_names
    )

    return Stats(
        since=since,
        until=until,
        total=len(chosen),
        by_level={lvl: by_level[lvl] for lvl in LEVELS},
        by_status={s: by_status[s] for s in STATUSES},
        by_unit=_ordered(by_unit, config.units if config else ()),
        by_category=_ordered(by_category, config.categories if config else ()),
        by_channel=_ordered(by_channel, CHANNELS),
        by_month={m: sum(v.values()) for m, v in by_month_level.items()},
        by_month_level=by_month_level,
        open=open_count,
        confidential=confidential,
        withdrawn=withdrawn,
        escalated=tuple(escalated),
        escalations=ups,
        downgraded=tuple(downgraded),
        downgrades=downs,
        timeliness=by_rule,
        rule_titles=rule_titles,
        overall=tally(counted),
        durations=durations,
        units=units,
        extensions=extensions,
        reviews_completed=reviews,
        incident_ids=tuple(sorted(ids)),
        deadlines=counted,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def misses(deadlines: Iterable[Deadline]) -> list[Deadline]:
    """Deadlines missed (met late, or overdue), by due time."""
    return sorted((d for d in deadlines if d.status in ("met_late", "overdue")),
                  key=lambda d: (d.due or d.start, d.incident, d.rule))


def lateness(deadline: Deadline, now: datetime) -> timedelta | None:
    """How late a missed deadline was met (or is, at ``now``, if still open)."""
    if deadline.due is None:
        return None
    if deadline.status == "met_late" and deadline.met_at is not None:
        return deadline.met_at - deadline.due
    if deadline.status == "overdue":
        return now - deadline.due
    return None


def judge_all(incidents: Iterable[Incident], config: RegisterConfig,
              now: datetime) -> tuple[tuple[Deadline, ...], tuple[str, ...]]:
    """Every deadline of ``incidents`` at ``now`` (the deadline engine's) and its warnings."""
    from . import deadlines as engine

    report = engine.compute(incidents, config, now)
    return report.deadlines, report.warnings
