"""What each revision of a published record changed, as the site shows it.

The site never prints commit messages: a message is free text written by
whoever committed, and one commit may touch a public and a confidential record
at once ("补充某涉密案件的处置情况" on a public record's page is a leak). What a
revision shows is computed from the two versions of the file alone: when (in
the register's timezone), who (the author's name), and what changed, in the
words of ``history.describe`` ("新增事件 上报", "等级 敏感 → 重大").

All blobs of all revisions are read through one ``git cat-file --batch``
(``history.read_blobs``) and each distinct blob is parsed once: never one
process per record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any, Iterable, Mapping

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
    from ..loader import load_bytes

    wanted = [found for found in (history.of(i) for i in ids) if found is not None]
    if not wanted or not history.available:
        return {}
    repo = open_repo(history.root)
    if repo is None:
        return {}
    blobs = read_blobs(repo, (s for h in wanted for r in h.revisions for s in (r.blob, r.old_blob) if s))
    parsed: dict[str, Any] = {}

    def data_of(sha: str | None, path: str) -> Any:
        if not sha or sha not in blobs:
            return None
        if sha not in parsed:
            parsed[sha] = load_bytes(blobs[sha], path).data
        return parsed[sha]

    out: dict[str, tuple[Shown, ...]] = {}
    for found in wanted:
        rows = [_shown(index, revision, data_of, tz, hidden) for index, revision in enumerate(found.revisions)]
        out[found.id] = tuple(reversed(rows))
    return out


def _shown(index: int, revision: Revision, data_of: Any, tz: tzinfo, hidden: frozenset[str]) -> Shown:
    after = None
    if revision.change == "D":
        words: list[str] = ["删除文件"]
    else:
        after = data_of(revision.blob, revision.path)
        before = None if revision.change == "A" else data_of(revision.old_blob, revision.old_path or revision.path)
        if index == 0 and revision.boundary:
            words = ["浅克隆的边界:更早的历史不可见"]
        else:
            words = describe(before, after)
        if revision.change == "R":
            moved = (f"文件移动 {revision.old_path} → {revision.path}"
                     if PurePosixPath(revision.old_path or "").stem not in hidden else "文件改名(原编号未公开)")
            words = [moved] + [
                w for w in words if not w.startswith("内容未变")]
    level = after.get("level") if isinstance(after, Mapping) else None
    return Shown(
        at=revision_time(revision).astimezone(tz), author=revision.author,
        kind=KIND.get(revision.change, revision.change), changes=tuple(words),
        level=level if isinstance(level, str) else None,
    )
