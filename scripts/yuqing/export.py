"""The 舆情台账 as rows: one per incident, with Chinese headers, for Excel and CSV.

Pure: values are computed here in Python (never spreadsheet formulas), times
are aware datetimes (the xlsx writer turns them into the register's local time
without offset, which is what Excel can show). Withdrawn records are left out;
confidential ones too unless asked for.

是否逾期 is 是 when any of the incident's deadlines was missed: met late, or
overdue (due passed, nothing done yet). 逾期情况 says which and by how much.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Literal, Sequence

from .deadlines import STATUS_TEXT
from .model import Deadline, Incident
from .stats import RESPONSE_EVENTS, REPORT_EVENTS, Stats, lateness, review_completed_at, selected
from .times import human_duration

Kind = Literal["text", "time", "int", "long"]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    width: int = 12
    """Default width in Excel character units (CJK characters count about 2)."""


LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("编号", width=14), Column("标题", width=40), Column("等级", width=9), Column("最高等级", width=9),
    Column("状态", width=8), Column("领域", width=10), Column("发生时间", "time", 17), Column("发现时间", "time", 17),
    Column("来源", width=10), Column("来源平台", width=12), Column("转办单位", width=12),
    Column("责任单位", width=22), Column("协办单位", width=30),
    Column("首次上报", "time", 17), Column("首次回应", "time", 17), Column("平息时间", "time", 17),
    Column("归档时间", "time", 17), Column("是否逾期", width=9), Column("逾期情况", "long", 40),
    Column("延期", "int", 6), Column("评估总结", "time", 17), Column("涉密", width=6), Column("标签", width=16),
    Column("事件概要", "long", 60), Column("文件", width=34),
)

DEADLINE_COLUMNS: tuple[Column, ...] = (
    Column("编号", width=14), Column("标题", width=40), Column("时限", width=34), Column("规则编号", width=15),
    Column("等级", width=9), Column("责任单位", width=22), Column("起算时间", "time", 17),
    Column("截止时间", "time", 17), Column("完成时间", "time", 17), Column("状态", width=10),
    Column("延期", width=6), Column("超时", width=14), Column("说明", "long", 40),
)


Cell = str | int | datetime | None


@dataclass(frozen=True)
class Row:
    incident: str
    cells: tuple[Cell, ...]
    missed: bool
    """Some deadline was missed (met late or overdue)."""
    overdue: bool
    """Some deadline is overdue right now (nothing done, due passed)."""


@dataclass(frozen=True)
class Ledger:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    deadline_columns: tuple[Column, ...]
    deadline_rows: tuple[Row, ...]
    stats: Stats
    now: datetime


def _first(incident: Incident, types: Iterable[str]) -> datetime | None:
    event = incident.first_event(frozenset(types))
    return event.at if event else None


def _miss_text(d: Deadline, now: datetime) -> str:
    late = lateness(d, now)
    how = ("超时" if d.status == "met_late" else "已逾期") + (human_duration(late) if late else "")
    return f"{d.rule_title or d.rule}:{how}"


def incident_row(incident: Incident, deadlines: Sequence[Deadline], now: datetime) -> Row:
    missed = [d for d in deadlines if d.status in ("met_late", "overdue")]
    cells: tuple[Cell, ...] = (
        incident.id, incident.title, incident.level, incident.max_level(), incident.status, incident.category,
        incident.occurred_at, incident.discovered_at, incident.source.channel, incident.source.platform or "",
        incident.source.transferred_from or "", incident.units.lead, "、".join(incident.units.assisting),
        _first(incident, REPORT_EVENTS), _first(incident, RESPONSE_EVENTS), _first(incident, ("平息",)),
        _first(incident, ("归档",)), "是" if missed else "否", ";".join(_miss_text(d, now) for d in missed),
        len(incident.extensions), review_completed_at(incident), "是" if incident.confidential else "",
        "、".join(incident.tags), incident.summary.strip(), incident.file,
    )
    return Row(incident.id, cells, bool(missed), any(d.status == "overdue" for d in deadlines))


def deadline_row(d: Deadline, now: datetime) -> Row:
    late = lateness(d, now)
    cells: tuple[Cell, ...] = (
        d.incident, d.title, d.rule_title or d.rule, d.rule, d.level, d.unit, d.start, d.due, d.met_at,
        STATUS_TEXT.get(d.status, d.status), "是" if d.extended else "", human_duration(late) if late else "",
        d.warning or "",
    )
    return Row(d.incident, cells, d.status in ("met_late", "overdue"), d.status == "overdue")


def ledger(incidents: Iterable[Incident], deadlines: Iterable[Deadline], now: datetime, *,
           since: datetime | None = None, until: datetime | None = None, include_confidential: bool = False,
           stats: Stats | None = None) -> Ledger:
    """The ledger of the incidents discovered in [since, until), sorted by discovery time.

    ``stats`` is the statistics sheet's content; computed over the same
    incidents when not given.
    """
    from .stats import compute

    everything = list(incidents)
    chosen = sorted(selected(everything, since, until, include_confidential=include_confidential),
                    key=lambda i: (i.discovered_at, i.id))
    ids = {i.id for i in chosen}
    judged = [d for d in deadlines if d.incident in ids]
    by_incident: dict[str, list[Deadline]] = {}
    for d in judged:
        by_incident.setdefault(d.incident, []).append(d)
    order = {i.id: n for n, i in enumerate(chosen)}
    judged.sort(key=lambda d: (order[d.incident], d.start, d.due or d.start, d.rule))
    if stats is None:
        stats = compute(everything, judged, since, until, include_confidential=include_confidential)
    return Ledger(
        LEDGER_COLUMNS, tuple(incident_row(i, by_incident.get(i.id, []), now) for i in chosen),
        DEADLINE_COLUMNS, tuple(deadline_row(d, now) for d in judged), stats, now,
    )
