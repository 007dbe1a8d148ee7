"""What the three reports share: the register at a moment, periods, wording of figures."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from ..asof import register_as_of
from ..model import LEVELS, Deadline, Incident, RegisterConfig
from ..register import Register
from ..stats import Facts, Stats, compute, facts, judge_all, lateness, review_completed_at
from ..times import human_duration, short, zone
from . import narrative as narrative_files
from .document import Closing
from .periods import Kind, Period, default, parse

if TYPE_CHECKING:
    from ..cache import Derived

CLOSING_EVENTS = frozenset({"平息", "归档"})


@dataclass(frozen=True)
class Snapshot:
    """The register judged at ``now``: what every report is built from."""

    root: object
    config: RegisterConfig
    incidents: tuple[Incident, ...]
    """Counted incidents (not withdrawn; confidential left out when asked)."""
    everything: tuple[Incident, ...]
    """All incidents, withdrawn ones too (for counting what was left out)."""
    deadlines: tuple[Deadline, ...]
    warnings: tuple[str, ...]
    now: datetime
    include_confidential: bool
    known: tuple[Facts, ...] | None = None
    """The facts of ``everything`` when already known (the check cache's, as of ``now``)."""

    @cached_property
    def _facts(self) -> tuple[Facts, ...]:
        """The facts ``stats`` counts, made once: 月度评估 counts three periods of the same records."""
        made = self.known if self.known is not None else tuple(facts(i) for i in self.everything)
        return tuple(f for f in made if self.include_confidential or not f.confidential)

    def stats(self, period: Period | None = None) -> Stats:
        return compute(self._facts, self.deadlines, period.start if period else None, period.end if period else None,
                       config=self.config, include_confidential=self.include_confidential,
                       warnings=self.warnings)

    def deadline_map(self) -> dict[str, list[Deadline]]:
        out: dict[str, list[Deadline]] = {}
        for d in self.deadlines:
            out.setdefault(d.incident, []).append(d)
        return out


def snapshot(register: Register, now: datetime | None = None, *, include_confidential: bool = True,
             deadlines: Sequence[Deadline] | None = None, warnings: Sequence[str] = ()) -> Snapshot:
    """Judge the register's deadlines at ``now`` once (or take ``deadlines`` already judged)."""
    if register.config is None:
        raise ValueError("register.yml 有错误,无法生成报告。")
    now = now or register.now
    if now is None:
        raise ValueError("需要指定“现在”的时刻(--now)。")
    now = now.astimezone(zone(register.config.timezone))
    counted = tuple(i for i in register.counted() if include_confidential or not i.confidential)
    if deadlines is None:
        judged, notes = judge_all(register.counted(), register.config, now)
    else:
        judged, notes = tuple(deadlines), tuple(warnings)
    ids = {i.id for i in counted}
    return Snapshot(register.root, register.config, counted, register.incidents,
                    tuple(d for d in judged if d.incident in ids), tuple(notes), now, include_confidential)


def resolve_period(kind: Kind, period: Period | str | None, now: datetime, tz_name: str) -> Period:
    if isinstance(period, Period):
        return period
    if period is None:
        return default(kind, now.astimezone(zone(tz_name)))
    return parse(kind, period, zone(tz_name))


def load_narrative(snap: Snapshot, period: Period) -> tuple[narrative_files.Narrative | None, list[str]]:
    from pathlib import Path

    return narrative_files.load(Path(str(snap.root)), period.kind, period.label)


# --- the state of an incident at a past moment ----------------------------

def level_at(incident: Incident, moment: datetime) -> str:
    level = incident.level_history()[0][1]
    for since, lvl in incident.level_history():
        if since <= moment:
            level = lvl
    return level


def open_at(incident: Incident, moment: datetime) -> bool:
    """Discovered before ``moment`` and not yet settled (平息) or archived then."""
    if incident.discovered_at >= moment:
        return False
    return not any(e.type in CLOSING_EVENTS and e.at < moment for e in incident.timeline)


NOTE_CHARS = 24
"""Characters of an event's note shown as a record's latest progress (the rest is in its page)."""


def last_event_before(incident: Incident, moment: datetime) -> str:
    """The latest event before ``moment``: its time, type (and level) and note, shortened."""
    events = [e for e in incident.timeline if e.at < moment]
    if not events:
        return ""
    event = events[-1]
    text = f"{event.at:%m-%d %H:%M} {event.type}" + (f"({event.level})" if event.level else "")
    note = " ".join((event.note or "").split())
    if note:
        text += ":" + (note if len(note) <= NOTE_CHARS else note[:NOTE_CHARS - 1] + "…")
    return text


# --- wording --------------------------------------------------------------

def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def change(current: float, before: float) -> str:
    """环比/同比 wording: +50.0%, -20.0%, 持平, or — when the base is 0."""
    if before == 0:
        return "持平" if current == 0 else "—(基数为0)"
    if current == before:
        return "持平"
    return f"{(current - before) / before * 100:+.1f}%"


def levels_sentence(by_level: dict[str, int]) -> str:
    return "、".join(f"{lvl}{by_level.get(lvl, 0)}起" for lvl in LEVELS)


def duration(value: timedelta | None) -> str:
    return "—" if value is None else human_duration(value)


_INSTANT = timedelta(microseconds=1)


def at_end_of(snap: Snapshot, period: Period) -> Snapshot:
    """The register as it stood at the end of ``period`` (``asof``), its deadlines judged then.

    A report for a period reads the register as of the period's end, so that what
    was recorded afterwards (a record discovered later, an event, a review, a
    withdrawal) never shows in it, whenever it is produced. The period is
    half-open: what happened exactly at its end belongs to the next one. While
    the period is not over, this is ``snap`` itself.
    """
    moment = period.end - _INSTANT
    if moment >= snap.now:
        return snap
    everything = register_as_of(snap.everything, moment)
    incidents = tuple(i for i in everything if i.counts and (snap.include_confidential or not i.confidential))
    judged, notes = judge_all(incidents, snap.config, moment)
    return replace(snap, incidents=incidents, everything=everything, deadlines=judged, warnings=notes, now=moment,
                   known=None)


def as_of(snap: Snapshot, period: Period) -> datetime:
    """The moment a report's "截至" means: the end of the period, or now if it has not ended yet."""
    return min(snap.now, period.end)


def miss_rows(deadlines: Iterable[Deadline], snap: Snapshot, until: datetime | None = None,
              when: Callable[[datetime], str] = short) -> list[tuple[str, ...]]:
    """Rows of missed deadlines; an overdue one's lateness is counted to ``until`` (default: now);
    times written by ``when``. 完成情况 is "03-10 17:00完成,超时1小时" or "未完成,已逾期4天17小时"
    (one column, so that the table leaves room for the titles on a portrait page)."""
    rows: list[tuple[str, ...]] = []
    for d in deadlines:
        late = duration(lateness(d, until or snap.now)) if lateness(d, until or snap.now) else ""
        done = f"{when(d.met_at)}完成,超时{late}" if d.met_at else f"未完成,已逾期{late}"
        rows.append((d.incident, d.title, d.rule_title or d.rule, d.unit, when(d.due) if d.due else "", done))
    return rows


MISS_HEADERS = ("编号", "标题", "时限", "责任单位", "截止时间", "完成情况")


def reviewed_in(incidents: Iterable[Incident], period: Period) -> list[Incident]:
    return sorted((i for i in incidents if period.contains(review_completed_at(i))),
                  key=lambda i: (review_completed_at(i) or i.discovered_at, i.id))


def closing(snap: Snapshot) -> Closing:
    """落款: the register's organization and the day the report is made (its "now")."""
    day = snap.now
    return Closing(snap.config.organization, f"{day.year}年{day.month}月{day.day}日")


def subtitle(snap: Snapshot, period: Period) -> str:
    note = f"(统计截至 {short(snap.now)})" if period.end > snap.now else ""
    conf = "" if snap.include_confidential else ",不含涉密事件"
    return (f"{snap.config.organization} · {period.name}{note} · 依据舆情台账生成于 {short(snap.now)}{conf}")


# --- a report from the check cache's derived values: only the records its period needs -------

def needed(derived: Iterable[Derived], period: Period) -> list[Derived]:
    """The records a report of ``period`` can read (withdrawn ones too: they are counted apart).

    Chosen from the derived facts alone, a superset of what the report's kind reads, so that a report
    reads its period's records, not the register (the open records are spread over every cache file):

    - 月度评估, 舆情季度评估 and 年度自查报告 count the incidents discovered in the period and in the
      periods it is compared with (the month or quarter before, the same one a year before) and list the reviews completed
      in it. A review completed in the period as it stood at its end was completed then or later as
      of now (``asof`` drops only a review completed later), so ``reviewed_at`` finds it.
    - 舆情周报 also lists what was still open at the week's end, closed or touched in it, and the
      deadlines due from its start (its 在办, 办结, 未按时 and 下周到期 tables).
    """
    start = period.start
    if period.kind in ("monthly", "quarterly", "annual"):
        spans = [(start, period.end)]
        if period.kind != "annual":  # 环比 and 同比 only in 月度评估 and 舆情季度评估
            spans += [(period.previous().start, period.previous().end), (period.year_ago().start, period.year_ago().end)]
        return [d for d in derived if d.facts.discovered_at < period.end and (
            any(a <= d.facts.discovered_at < b for a, b in spans)
            or (d.facts.reviewed_at is not None and d.facts.reviewed_at >= start))]
    chosen = []
    for d in derived:
        f = d.facts
        if f.discovered_at >= period.end:
            continue
        if (f.discovered_at >= start or f.closed_at is None or f.closed_at >= start
                or (f.reviewed_at is not None and f.reviewed_at >= start)
                or (d.latest is not None and d.latest >= start)
                or any(p.deadline.due is not None and p.deadline.due >= start for p in d.parts)):
            chosen.append(d)
    return chosen


def partial_snapshot(register: Register, period: Period, now: datetime | None = None, *,
                     include_confidential: bool = True, pool: Iterable[Derived] | None = None) -> Snapshot:
    """The :class:`Snapshot` a report of ``period`` needs, from a register loaded without records
    (``records=False, derived=True``): the records :func:`needed` chooses from ``pool`` (default: the
    register's derived values) are read from the check cache, the rest never. ``pool`` limits it
    (the site's reports: the published records)."""
    chosen = needed(register.derived if pool is None else pool, period)
    if not include_confidential:
        chosen = [d for d in chosen if not d.facts.confidential]
    return read_snapshot(register, chosen, now, include_confidential=include_confidential)


def read_snapshot(register: Register, chosen: Sequence[Derived], now: datetime | None = None, *,
                  include_confidential: bool = True, judge: bool = True) -> Snapshot:
    """The :class:`Snapshot` of the records ``chosen``, read from the check cache (``export.records``).

    ``judge=False`` leaves the deadlines at ``now`` unjudged (empty), for a report that reads only the
    register as it stood at its period's end (``at_end_of`` judges them then)."""
    from ..deadlines import report
    from ..export import records

    incidents = tuple(sorted(records(register, chosen), key=lambda i: (i.id, i.file)))
    if now is not None and now != register.now:  # the derived values stand as of the register's now
        return snapshot(replace(register, incidents=incidents), now, include_confidential=include_confidential,
                        deadlines=None if judge else ())
    # The derived values are those of the records read, as of now: their facts and their deadlines
    # but for the clock need no second pass over the records (about 2 s for a year at 100,000).
    read = {(i.id, i.file) for i in incidents}
    same = sorted((d for d in chosen if (d.id, d.file) in read), key=lambda d: (d.id, d.file))
    deadlines: tuple[Deadline, ...] = ()
    warnings: tuple[str, ...] = ()
    if judge and register.config is not None:
        moment = (now or register.now)
        judged = report((d.parts for d in same if not d.facts.withdrawn),
                        moment.astimezone(zone(register.config.timezone))) if moment is not None else None
        if judged is not None:
            deadlines, warnings = judged.deadlines, judged.warnings
    snap = snapshot(replace(register, incidents=incidents), now, include_confidential=include_confidential,
                    deadlines=deadlines if judge else (), warnings=warnings)
    return replace(snap, known=tuple(d.facts for d in same)) if len(same) == len(incidents) else snap
