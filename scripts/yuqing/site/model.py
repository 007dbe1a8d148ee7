"""What the site generator works from: the register and what other modules computed.

``SiteInput`` gathers everything once (the register, its deadlines at build
time, statistics, charts, reports, git history); the page functions in
``pages`` are pure functions of it. Parts whose module is missing or failed are
None, and the pages say so instead of failing.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from functools import cached_property
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from ..model import Deadline, Incident, RegisterConfig

GENERATED = "generated"
"""Folder under docs/ holding every generated page (git-ignored)."""

HOME = "index.md"

_SAFE_SLUG = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff_-]{1,40}")


@dataclass(frozen=True)
class SiteInput:
    """Everything a page may show, computed once per build."""

    config: RegisterConfig
    incidents: tuple[Incident, ...]
    """The published incidents: valid, not confidential (withdrawn ones included, marked)."""
    now: datetime
    counted_confidential: tuple[Incident, ...] = ()
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

    @cached_property
    def published_ids(self) -> frozenset[str]:
        return frozenset(i.id for i in self.incidents)

    def incident_path(self, incident: Incident) -> str:
        return incident_path(incident)


def incident_path(incident: Incident) -> str:
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
