"""What each revision of a published record changed, as the site shows it.

The site never prints commit messages: a message is free text written by
whoever committed, and one commit may touch a public and a confidential record
at once ("补充某涉密案件的处置情况" on a public record's page is a leak). What a
revision shows is computed from the two versions of the file alone: when (in
the register's timezone), who (the author's name), and what changed, in the
words of ``history.describe`` ("新增事件 上报", "等级 敏感 → 重大").

Blobs are read through one ``git cat-file --batch`` per chunk of records
(``history.read_blobs``), never one process per record. ``Revisions`` computes
them lazily, a chunk of records at a time in the order pages are built, so
that a province's build never holds every blob or every row at once; what a
revision changed is a pure function of its two blobs, so under `mkdocs serve` it is
remembered (``_WORDS``, keyed by the blob ids) for the life of the process: its
rebuilds reparse only the blobs a change added. A build keeps a chunk's alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any, Iterable, Iterator, Mapping

from ..history import RegisterHistory, Revision, describe, open_repo, read_blobs

KIND = {"A": "登记", "M": "修改", "R": "改名", "D": "删除"}


@dataclass(frozen=True)
class Shown:
    """One revision of one record as a row of its page's history table."""

    at: datetime
    """When, in the register's timezone."""
    author: str
    kind: str
    """登记 / 修改 / 改名 / 删除."""
    changes: tuple[str, ...]
    """What changed, computed from the diff of the two versions (never the commit message)."""
    level: str | None
    """The level recorded in this version (None for a deletion or an unreadable file)."""


def revision_time(revision: Revision) -> datetime:
    """The time a revision is shown with: when it reached the register if git says so, else its date."""
    arrived = getattr(revision, "arrived_at", None)  # set by history.py when it reads main's first parents
    return arrived if isinstance(arrived, datetime) else revision.at


def changes(history: RegisterHistory, ids: Iterable[str], tz: tzinfo,
            hidden: frozenset[str] = frozenset()) -> dict[str, tuple[Shown, ...]]:
    """Per record id in ``ids``: its revisions, newest first, each with what it changed.

    A file renamed from an id in ``hidden`` (a confidential record's: renumbering moves ids
    around) does not name it.
    """
    return dict(Revisions(history, ids, tz, hidden).items())


CHUNK = 1000
"""Records whose revisions are computed (and whose blobs are held) at once."""

_Key = tuple[Any, ...]
_WORDS: dict[_Key, tuple[tuple[str, ...], str | None]] = {}
"""(blobs, paths, kind of change, boundary, hidden rename) -> (what changed, level): blobs never change."""
_WORDS_LIMIT = 2_000_000


class Revisions(Mapping[str, tuple[Shown, ...]]):
    """Record id -> its revisions (``Shown``, newest first), computed a chunk at a time when asked.

    Asking for a record computes it and the ``CHUNK - 1`` records after it (in ``ids``' order,
    the order incident pages are built), and forgets the chunk before.
    """

    def __init__(self, history: RegisterHistory, ids: Iterable[str], tz: tzinfo,
                 hidden: frozenset[str] = frozenset(), *, remember: bool = False) -> None:
        self.history, self.tz, self.hidden = history, tz, hidden
        self.words: dict[_Key, tuple[tuple[str, ...], str | None]] = _WORDS if remember else {}
        """What each revision changed: ``_WORDS`` (kept for the process's next build: `mkdocs serve`) with
        ``remember``, else the chunk's alone (a province's build: 300,000 revisions held ~200 MB)."""
        usable = history.available
        self.ids: tuple[str, ...] = tuple(i for i in ids if usable and history.of(i) is not None)
        self.position = {record_id: n for n, record_id in enumerate(self.ids)}
        self.chunk: dict[str, tuple[Shown, ...]] = {}
        self._repo: Any = None

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __contains__(self, key: object) -> bool:
        return key in self.position

    def __getitem__(self, key: str) -> tuple[Shown, ...]:
        if key not in self.position:
            raise KeyError(key)
        if key not in self.chunk:
            start = self.position[key]
            self.chunk = self._compute(self.ids[start:start + CHUNK])
        return self.chunk[key]

    def items(self) -> Iterator[tuple[str, tuple[Shown, ...]]]:  # type: ignore[override]
        """Every record's rows, a chunk at a time."""
        for start in range(0, len(self.ids), CHUNK):
            self.chunk = self._compute(self.ids[start:start + CHUNK])
            yield from self.chunk.items()

    def newest_at(self, key: str) -> datetime | None:
        """When the record's newest revision reached the register (no blob read)."""
        found = self.history.of(key) if key in self.position else None
        return revision_time(found.revisions[-1]).astimezone(self.tz) if found and found.revisions else None

    def since(self, start: datetime, end: datetime) -> Iterator[tuple[str, tuple[Shown, ...]]]:
        """(id, rows) of the records with a revision between ``start`` and ``end``: only those are computed."""
        recent = [i for i in self.ids
                  if any(start <= revision_time(r) <= end for r in self.history.incidents[i].revisions)]
        for first in range(0, len(recent), CHUNK):
            yield from self._compute(recent[first:first + CHUNK]).items()

    def _compute(self, ids: Iterable[str]) -> dict[str, tuple[Shown, ...]]:
        from ..loader import load_bytes

        wanted = [self.history.incidents[i] for i in ids]
        keys = {(found.id, index): _key(index, revision, self.hidden)
                for found in wanted for index, revision in enumerate(found.revisions)}
        words_of = self.words
        if words_of is not _WORDS:
            words_of.clear()  # the chunk before is written
        missing = [k for k in dict.fromkeys(keys.values()) if k not in words_of]
        if missing:
            if self._repo is None:
                self._repo = open_repo(self.history.root)
            blobs = read_blobs(self._repo, (s for k in missing for s in k[:2] if s)) if self._repo else {}
            parsed: dict[str, Any] = {}

            def data_of(sha: str | None, path: str | None) -> Any:
                if not sha or sha not in blobs:
                    return None
                if sha not in parsed:
                    parsed[sha] = load_bytes(blobs[sha], path or "").data
                return parsed[sha]

            if len(words_of) + len(missing) > _WORDS_LIMIT:
                words_of.clear()
            for key in missing:
                words_of[key] = _words(key, data_of)
        out: dict[str, tuple[Shown, ...]] = {}
        for found in wanted:
            rows = []
            for index, revision in enumerate(found.revisions):
                words, level = words_of[keys[(found.id, index)]]
                rows.append(Shown(at=revision_time(revision).astimezone(self.tz), author=revision.author,
                                  kind=KIND.get(revision.change, revision.change), changes=words, level=level))
            out[found.id] = tuple(reversed(rows))
        return out


def newest_at(revisions: Mapping[str, Any], key: str) -> datetime | None:
    """The time of a record's newest revision, from ``Revisions`` or a plain mapping of rows."""
    if isinstance(revisions, Revisions):
        return revisions.newest_at(key)
    shown = revisions.get(key)
    return shown[0].at if shown else None


def since(revisions: Mapping[str, Any], start: datetime, end: datetime) -> Iterator[tuple[str, Any]]:
    """(id, rows) of the records that may have a revision between ``start`` and ``end``."""
    if isinstance(revisions, Revisions):
        return revisions.since(start, end)
    return iter(revisions.items())


def _key(index: int, revision: Revision, hidden: frozenset[str]) -> _Key:
    renamed_hidden = revision.change == "R" and PurePosixPath(revision.old_path or "").stem in hidden
    old = None if revision.change in ("A", "D") else revision.old_blob
    return (revision.blob if revision.change != "D" else None, old, revision.path, revision.old_path,
            revision.change, index == 0 and revision.boundary, renamed_hidden)


def _words(key: _Key, data_of: Any) -> tuple[tuple[str, ...], str | None]:
    blob, old_blob, path, old_path, change, boundary, renamed_hidden = key
    after = None
    if change == "D":
        words: list[str] = ["删除文件"]
    else:
        after = data_of(blob, path)
        before = None if change == "A" else data_of(old_blob, old_path or path)
        if boundary:
            words = ["浅克隆的边界:更早的历史不可见"]
        else:
            words = describe(before, after)
        if change == "R":
            moved = f"文件移动 {old_path} → {path}" if not renamed_hidden else "文件改名(原编号未公开)"
            words = [moved] + [w for w in words if not w.startswith("内容未变")]
    level = after.get("level") if isinstance(after, Mapping) else None
    return tuple(words), level if isinstance(level, str) else None
