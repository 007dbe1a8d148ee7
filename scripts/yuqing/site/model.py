"""What the site generator works from: the register and what other modules computed.

``SiteInput`` gathers everything once (a ``Row`` per published record, its
deadlines at build time, statistics, charts, reports, git history); the page
functions in ``pages`` are pure functions of it. Parts whose module is missing
or failed are None, and the pages say so instead of failing.

A province's register does not fit in memory as records (100,000 ``Incident``s
held about 0.9 GB): the list pages, the home page and the figures read rows,
and the pages that show a record whole (its own page, the reviews, the feed,
Pagefind) get the records from ``SiteInput.records``, streamed from the check
cache a cache file at a time and let go.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from functools import cached_property
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple

from ..model import Deadline, Incident, RegisterConfig, Units

GENERATED = "generated"
"""Folder under docs/ holding every generated page (git-ignored)."""

HOME = "index.md"

_SAFE_SLUG = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff_-]{1,40}")


class RowSource(NamedTuple):
    """The source words of a record the search dictionary reads."""

    platform: str | None
    transferred_from: str | None


class Row(NamedTuple):
    """What the list pages, the home page and the figures show of one record: a light tuple,
    with the attribute names of ``Incident`` (the templates read either)."""

    id: str
    file: str
    title: str
    level: str
    status: str
    category: str
    units: Units
    tags: tuple[str, ...]
    discovered_at: datetime
    withdrawn: Any
    """The record's withdrawal (``model.Withdrawn``) or None."""
    is_open: bool
    counts: bool
    highest: str
    """The highest level the record reached (``Incident.max_level``)."""
    last_action: datetime
    """The time of its last recorded event, or its discovery."""
    reviewed: bool
    """It holds a 评估总结 (``review``)."""
    source: RowSource

    @property
    def year(self) -> int:
        return self.discovered_at.year

    def max_level(self) -> str:
        return self.highest


def row(incident: Incident) -> Row:
    """The row of ``incident``."""
    return Row(incident.id, incident.file, incident.title, incident.level, incident.status, incident.category,
               incident.units, tuple(incident.tags), incident.discovered_at, incident.withdrawn, incident.is_open,
               incident.counts, incident.max_level(),
               max((e.at for e in incident.timeline), default=incident.discovered_at), bool(incident.review),
               RowSource(incident.source.platform, incident.source.transferred_from))


Read = Callable[[Iterable[Row], bool], Iterator[Incident]]
"""The records (as of the site's ``now``) of some rows, one at a time, in an order of the source's
choosing (the check cache's: newest first when asked newest first), each once. With ``keep``
(a few records: the reviews, the feed), a preview keeps them for its next rebuild."""


@dataclass(frozen=True)
class SiteInput:
    """Everything a page may show, computed once per build."""

    config: RegisterConfig
    incidents: tuple[Row, ...]
    """A row of each published incident, by id: valid, not confidential (withdrawn ones included, marked)."""
    now: datetime
    counted_confidential: tuple[Row, ...] = ()
    """Confidential incidents that count in figures (only when publish.count_confidential)."""
    deadlines: tuple[Deadline, ...] | None = None
    """Deadlines of the published incidents at ``now``; None when deadlines.py is missing."""
    deadline_warnings: tuple[str, ...] = ()
    stats: Any = None
    """stats.Stats or None."""
    charts: Mapping[str, str] = field(default_factory=dict)
    """Chart name -> SVG text from charts.py."""
    reports: Mapping[str, str] = field(default_factory=dict)
    """'weekly' / 'monthly' -> Markdown from reports/."""
    history: Any = None
    """history.RegisterHistory or None."""
    revisions: Mapping[str, Any] = field(default_factory=dict)
    """Record id -> its revisions as ``revisions.Shown``, newest first (computed from diffs, never messages)."""
    docs: frozenset[str] = frozenset()
    """Hand-written pages present in docs/ (src paths), for optional links."""
    downloads: tuple[Any, ...] = ()
    """``downloads.Download`` files (台账 xlsx, report docx) of recent periods, offered on the statistics page."""
    notes: tuple[str, ...] = ()
    """What is missing or degraded, in Chinese, shown on the statistics page."""
    read: Read | None = None
    """The records of rows (see ``records``)."""
    versions: Mapping[str, Any] = field(default_factory=dict)
    """Record id -> its version (file and derived values), under `mkdocs serve` only: a page whose
    record, deadlines and history are those of the last rebuild is kept without reading the record."""
    order: tuple[str, ...] = ()
    """The ids of ``incidents`` in the order ``records`` yields them newest first (incident pages are
    built in it, and git revisions computed a chunk at a time in it); empty: by year and number
    (``pagefind.id_order``), newest first."""

    @cached_property
    def published_ids(self) -> frozenset[str]:
        return frozenset(i.id for i in self.incidents)

    def incident_path(self, incident: Incident | Row) -> str:
        return incident_path(incident)

    def records(self, rows: Iterable[Row], *, keep: bool = False) -> Iterator[Incident]:
        """The whole records of ``rows``, streamed: never all in memory (order and ``keep``: ``Read``)."""
        if self.read is None:
            raise ValueError("this site input reads no records")
        return self.read(rows, keep)

    def pages_written(self) -> "SiteInput":
        """What is left to do once every page is written (the search index, the leak guard): the rows and
        the records, without what only the pages showed (deadlines, git history, figures, downloads)."""
        return replace(self, deadlines=None, deadline_warnings=(), stats=None, charts={}, reports={}, history=None,
                       revisions={}, downloads=())

    def newest_first(self) -> list[Row]:
        """The published rows in the order their records stream newest first (``order``)."""
        if not self.order:
            from .pagefind import id_order

            return sorted(self.incidents, key=lambda r: id_order(r.id), reverse=True)
        by_id = {r.id: r for r in self.incidents}
        return [by_id[i] for i in self.order if i in by_id]


def incident_path(incident: Incident | Row) -> str:
    return f"{GENERATED}/incidents/{incident.year}/{slug(incident.id)}.md"


def slug(value: str) -> str:
    """A file-name-safe form of ``value``: itself when harmless, else a short hash."""
    if _SAFE_SLUG.fullmatch(value):
        return value
    return "x" + hashlib.sha1(value.encode("utf-8")).hexdigest()[:12]


def rel(src_from: str, src_to: str) -> str:
    """The relative Markdown link from one docs page to another (MkDocs resolves it)."""
    start = posixpath.dirname(src_from) or "."
    return posixpath.relpath(src_to, start)
