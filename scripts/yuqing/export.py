"""The 舆情台账 as rows: one per incident, with Chinese headers, for Excel and CSV.

Three tables: the 台账 itself, as handed upward (序号, the course of handling
as one line per event, the review's text, Chinese rule names, no file paths);
明细, one value per cell for filtering; and 时限, one row per deadline.

Pure: values are computed here in Python (never spreadsheet formulas), times
are aware datetimes (the xlsx writer turns them into the register's local time
without offset, which is what Excel can show). Withdrawn records are left out;
confidential ones too unless asked for.

逾期 (是否逾期 in 明细) is 是 when any of the incident's deadlines was missed: met late, or
overdue (due passed, nothing done yet). 逾期情况 says which and by how much.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Literal, Sequence

from .deadlines import STATUS_TEXT
from .model import Deadline, Incident
from .stats import RESPONSE_EVENTS, REPORT_EVENTS, Stats, in_period, lateness, review_completed_at, selected
from .times import human_duration
from .render.table import width as display_width

if TYPE_CHECKING:
    from .cache import Derived
    from .register import Register

Kind = Literal["text", "time", "int", "long"]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    width: int = 12
    """Default width in Excel character units (CJK characters count about 2)."""


LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("序号", "int", 4), Column("编号", width=12), Column("标题", "long", 16), Column("等级", "long", 8),
    Column("状态", width=6), Column("领域", "long", 8), Column("发现时间", "time", 15), Column("来源", "long", 10),
    Column("责任单位", "long", 10), Column("协办单位", "long", 10), Column("事件概要", "long", 22),
    Column("处置经过", "long", 34), Column("逾期", width=5), Column("时限情况", "long", 16),
    Column("评估总结", "long", 22), Column("标签", "long", 8), Column("涉密", width=5),
)
"""The 台账 as handed upward: what a reader of the printed sheet needs, one A4 page wide."""

DETAIL_COLUMNS: tuple[Column, ...] = (
    Column("编号", width=14), Column("标题", width=40), Column("等级", width=9), Column("最高等级", width=9),
    Column("状态", width=8), Column("领域", width=10), Column("发生时间", "time", 17), Column("发现时间", "time", 17),
    Column("来源", width=10), Column("来源平台", width=12), Column("转办单位", width=12),
    Column("责任单位", width=22), Column("协办单位", width=30),
    Column("首次上报", "time", 17), Column("首次回应", "time", 17), Column("平息时间", "time", 17),
    Column("归档时间", "time", 17), Column("是否逾期", width=9), Column("逾期情况", "long", 40),
    Column("延期", "int", 6), Column("评估总结完成", "time", 17), Column("涉密", width=6), Column("标签", width=16),
)
"""明细: one value per cell, for sorting, filtering and pivot tables."""

DEADLINE_COLUMNS: tuple[Column, ...] = (
    Column("编号", width=14), Column("标题", width=40), Column("时限", width=34),
    Column("等级", width=9), Column("责任单位", width=22), Column("起算时间", "time", 17),
    Column("截止时间", "time", 17), Column("完成时间", "time", 17), Column("状态", width=10),
    Column("延期", width=6), Column("超时", width=14), Column("说明", "long", 40),
)

REVIEW_PARTS: tuple[tuple[str, str], ...] = (
    ("cause", "起因"), ("nature", "性质"), ("impact", "影响"), ("responsibility", "责任"), ("lessons", "经验教训"),
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


class Rows:
    """One sheet's rows, read as often as wanted, in order; ``widest(i)``: the widest text of column ``i``.

    Either held (a tuple) or, for a ledger streamed from the check cache, read back from a
    :class:`Spool` on disk in the ledger's order, so that no sheet of 100,000 rows is held."""

    def __init__(self, rows: Sequence[Row] = (), *, spool: "Spool | None" = None, part: int = 0,
                 order: Sequence[str] = (), count: int | None = None) -> None:
        self._rows = tuple(rows)
        self._spool, self._part, self._order = spool, part, order
        self._count = len(self._rows) if spool is None else (count if count is not None else len(order))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Row]:
        if self._spool is None:
            yield from self._rows
            return
        number = 0
        for incident in self._order:
            found = self._spool.get(incident)[self._part]
            for row in (found if isinstance(found, tuple) else (found,)):
                if self._part == 0:  # 序号: the position in the ledger, known only once ordered
                    number += 1
                    row = Row(row.incident, (number, *row.cells[1:]), row.missed, row.overdue)
                yield row

    def __getitem__(self, index: int) -> Row:
        if self._spool is None:
            return self._rows[index]
        return list(self)[index]

    def widest(self, index: int) -> int:
        """The display width of the widest value of column ``index`` (0 when it has none)."""
        if self._spool is not None:
            return self._spool.widest[self._part][index] if index < len(self._spool.widest[self._part]) else 0
        return max((display_width(str(r.cells[index])) for r in self._rows if r.cells[index] is not None), default=0)


class Spool:
    """The three sheets' rows of each record as it comes (from the cache, in no useful order), pickled
    to a temporary file: read back in the ledger's order, record by record. The widest value of every
    column is kept as rows come, since a streamed sheet sets its column widths before its first row."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._where: dict[str, tuple[int, int]] = {}
        self.widest: list[list[int]] = [[], [], []]

    def put(self, incident: str, parts: tuple[Row, Row, tuple[Row, ...]]) -> None:
        for part, rows in ((0, (parts[0],)), (1, (parts[1],)), (2, parts[2])):
            widest = self.widest[part]
            for row in rows:
                if len(widest) < len(row.cells):
                    widest.extend([0] * (len(row.cells) - len(widest)))
                for index, value in enumerate(row.cells):
                    if isinstance(value, str) and value:
                        size = display_width(value)
                        if size > widest[index]:
                            widest[index] = size
                    elif value is not None and not isinstance(value, str):
                        size = len(str(value))
                        if size > widest[index]:
                            widest[index] = size
        data = pickle.dumps(parts, pickle.HIGHEST_PROTOCOL)
        self._file.seek(0, os.SEEK_END)
        self._where[incident] = (self._file.tell(), len(data))
        self._file.write(data)

    def get(self, incident: str) -> Any:
        start, size = self._where[incident]
        self._file.seek(start)
        return pickle.loads(self._file.read(size))

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class Ledger:
    columns: tuple[Column, ...]
    rows: Rows
    deadline_columns: tuple[Column, ...]
    deadline_rows: Rows
    stats: Stats
    now: datetime
    organization: str = ""
    """制表单位 (register.yml's organization)."""
    detail_columns: tuple[Column, ...] = DETAIL_COLUMNS
    detail_rows: Rows = Rows()


def _first(incident: Incident, types: Iterable[str]) -> datetime | None:
    event = incident.first_event(frozenset(types))
    return event.at if event else None


def _miss_text(d: Deadline, now: datetime) -> str:
    late = lateness(d, now)
    how = ("超时" if d.status == "met_late" else "已逾期") + (human_duration(late) if late else "")
    return f"{d.rule_title or d.rule}:{how}"


def _source(incident: Incident) -> str:
    """社交媒体·微博(市政务服务中心转办)."""
    source = incident.source
    text = source.channel + (f"·{source.platform}" if source.platform else "")
    return text + (f"({source.transferred_from}转办)" if source.transferred_from else "")


def _when(moment: datetime, year: int) -> str:
    return f"{moment:%m-%d %H:%M}" if moment.year == year else f"{moment:%Y-%m-%d %H:%M}"


def course(incident: Incident) -> str:
    """处置经过: one line per event, "11-30 10:20 答复(消费者权益保护科):……" (the year when it differs)."""
    year = incident.discovered_at.year
    lines = []
    for event in incident.timeline:
        what = event.type + (f"为{event.level}" if event.level else "")
        by = f"({event.by})" if event.by else ""
        note = f":{' '.join(event.note.split())}" if event.note else ""
        lines.append(f"{_when(event.at, year)} {what}{by}{note}")
    return "\n".join(lines)


def review_text(incident: Incident) -> str:
    """评估总结: the review's parts, one a line, and when it was completed."""
    review = incident.review
    done = review_completed_at(incident)
    lines = []
    if review is not None:
        lines += [f"{label}:{' '.join(str(text).split())}" for name, label in REVIEW_PARTS
                  if (text := getattr(review, name))]
    if done is not None:
        lines.append(f"完成时间:{done:%Y-%m-%d %H:%M}")
    return "\n".join(lines)


def _timeliness(incident: Incident, missed: Sequence[Deadline], now: datetime) -> str:
    lines = [_miss_text(d, now) for d in missed]
    if incident.extensions:
        lines.append(f"延期{len(incident.extensions)}次")
    return "\n".join(lines)


def incident_row(incident: Incident, deadlines: Sequence[Deadline], now: datetime, number: int = 0) -> Row:
    """The 台账 row (``number`` is its 序号)."""
    missed = [d for d in deadlines if d.status in ("met_late", "overdue")]
    cells: tuple[Cell, ...] = (
        number, incident.id, incident.title, _level(incident), incident.status, incident.category, incident.discovered_at, _source(incident), incident.units.lead,
        "、".join(incident.units.assisting), " ".join(incident.summary.split()), course(incident),
        "是" if missed else "否", _timeliness(incident, missed, now), review_text(incident),
        "、".join(incident.tags), "是" if incident.confidential else "",
    )
    return Row(incident.id, cells, bool(missed), any(d.status == "overdue" for d in deadlines))


def _level(incident: Incident) -> str:
    """一般, or 一般(曾达重大) when the record was once more severe."""
    highest = incident.max_level()
    return incident.level if highest == incident.level else f"{incident.level}(曾达{highest})"


def detail_row(incident: Incident, deadlines: Sequence[Deadline], now: datetime) -> Row:
    """The 明细 row: one value per cell."""
    missed = [d for d in deadlines if d.status in ("met_late", "overdue")]
    cells: tuple[Cell, ...] = (
        incident.id, incident.title, incident.level, incident.max_level(), incident.status, incident.category,
        incident.occurred_at, incident.discovered_at, incident.source.channel, incident.source.platform or "",
        incident.source.transferred_from or "", incident.units.lead, "、".join(incident.units.assisting),
        _first(incident, REPORT_EVENTS), _first(incident, RESPONSE_EVENTS), _first(incident, ("平息",)),
        _first(incident, ("归档",)), "是" if missed else "否", ";".join(_miss_text(d, now) for d in missed),
        len(incident.extensions), review_completed_at(incident), "是" if incident.confidential else "",
        "、".join(incident.tags),
    )
    return Row(incident.id, cells, bool(missed), any(d.status == "overdue" for d in deadlines))


def deadline_row(d: Deadline, now: datetime) -> Row:
    late = lateness(d, now)
    cells: tuple[Cell, ...] = (
        d.incident, d.title, d.rule_title or d.rule, d.level, d.unit, d.start, d.due, d.met_at,
        STATUS_TEXT.get(d.status, d.status), "是" if d.extended else "", human_duration(late) if late else "",
        d.warning or "",
    )
    return Row(d.incident, cells, d.status in ("met_late", "overdue"), d.status == "overdue")


def ledger(incidents: Iterable[Incident], deadlines: Iterable[Deadline], now: datetime, *,
           since: datetime | None = None, until: datetime | None = None, include_confidential: bool = False,
           stats: Stats | None = None, organization: str = "") -> Ledger:
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
    rows = tuple(incident_row(i, by_incident.get(i.id, []), now, n) for n, i in enumerate(chosen, start=1))
    columns = LEDGER_COLUMNS
    if not include_confidential:
        # 涉密 would be empty on every row: the column is there only when confidential records may be.
        columns = columns[:-1]
        rows = tuple(Row(r.incident, r.cells[:-1], r.missed, r.overdue) for r in rows)
    return Ledger(
        columns, Rows(rows),
        DEADLINE_COLUMNS, Rows([deadline_row(d, now) for d in judged]), stats, now, organization,
        DETAIL_COLUMNS, Rows([detail_row(i, by_incident.get(i.id, []), now) for i in chosen]),
    )


# --- the same ledger streamed: from the check cache's derived values and one record at a time ---

def period_records(derived: Iterable["Derived"], since: datetime | None = None, until: datetime | None = None, *,
                   include_confidential: bool = True) -> list["Derived"]:
    """The records a ledger of [since, until) lists (counted, discovered in it), in its order."""
    chosen = [d for d in derived if not d.facts.withdrawn and in_period(d.facts.discovered_at, since, until)
              and (include_confidential or not d.facts.confidential)]
    chosen.sort(key=lambda d: (d.facts.discovered_at, d.id))
    return chosen


def records(register: "Register", chosen: Sequence["Derived"]) -> Iterator[Incident]:
    """The records of ``chosen`` as of the register's now, each once, in no particular order: from
    the register's incidents when it holds them (a city's, in memory), else from the check cache
    (``register.each_record``: one cache file at a time)."""
    if register.incidents:
        wanted = {d.id for d in chosen}
        yield from (i for i in register.incidents if i.id in wanted)
        return
    from .register import each_record

    yield from each_record(register, chosen)


def spool_rows(register: "Register", chosen: Iterable["Derived"], deadlines: dict[str, list[Deadline]],
               now: datetime, *, include_confidential: bool = False, spool: Spool | None = None,
               keep: Callable[[Incident], None] | None = None) -> Spool:
    """Each record of ``chosen`` read once (:func:`records`) and let go: its rows of the three sheets wait
    in a :class:`Spool`, whatever period's ledger later lists it (close the spool once written).
    ``deadlines``: each record's, by id, in the deadline engine's order. ``keep`` is also given each record
    (the site's downloads read the records a year's reports need in the same pass)."""
    spool = spool or Spool()
    for incident in records(register, list(chosen)):
        if keep is not None:
            keep(incident)
        mine = deadlines.get(incident.id, [])
        row = incident_row(incident, mine, now, 0)
        if not include_confidential:
            row = Row(row.incident, row.cells[:-1], row.missed, row.overdue)
        ordered = sorted(mine, key=lambda d: (d.start, d.due or d.start, d.rule))
        spool.put(incident.id, (row, detail_row(incident, mine, now), tuple(deadline_row(d, now) for d in ordered)))
    return spool


def spooled_ledger(spool: Spool, chosen: Sequence["Derived"], deadlines: dict[str, list[Deadline]], now: datetime,
                   stats: Stats, *, include_confidential: bool = False, organization: str = "") -> Ledger:
    """The ledger of ``chosen`` (in :func:`period_records`' order), its rows read from ``spool``."""
    order = [d.id for d in chosen]
    count = sum(len(deadlines.get(i, ())) for i in order)
    columns = LEDGER_COLUMNS if include_confidential else LEDGER_COLUMNS[:-1]
    return Ledger(columns, Rows(spool=spool, part=0, order=order), DEADLINE_COLUMNS,
                  Rows(spool=spool, part=2, order=order, count=count), stats, now, organization,
                  DETAIL_COLUMNS, Rows(spool=spool, part=1, order=order))


def streamed_ledger(register: "Register", chosen: Sequence["Derived"], deadlines: dict[str, list[Deadline]],
                    now: datetime, stats: Stats, *, include_confidential: bool = False,
                    organization: str = "") -> tuple[Ledger, Spool]:
    """The ledger of ``chosen`` (:func:`period_records`), each record read once and let go: its rows
    wait in a :class:`Spool` (close it once written). ``deadlines``: each chosen record's, by id."""
    spool = spool_rows(register, chosen, deadlines, now, include_confidential=include_confidential)
    return spooled_ledger(spool, chosen, deadlines, now, stats, include_confidential=include_confidential,
                          organization=organization), spool
