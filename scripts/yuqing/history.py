"""Git as the record keeper: who registered each incident, when, and every change since.

One pass over the log gives the history of every incident file: a single
``git log --raw -M -z`` over the checked-out branch and the main branch
(parsed here) and, when the level of every revision is wanted, a single
``git cat-file --batch`` reading the blobs that log names. Never one process
per file: a register of 10,000 files costs two processes (and a ``rev-parse``).

Dates. The *author* date of a commit is what its author's machine said (or
``GIT_AUTHOR_DATE``): shown, never trusted. When a record was registered is
when it *arrived on the main branch*: the committer date of the first commit of
main's first-parent history that contains it, a date the forge sets when it
merges (SPEC: a registration time nobody can set). A record not yet on main (a
pull request) is judged against the clock of the run that checks it.

Revisions are linked to their predecessor by content (the blob a change
started from), not only by path: two clerks who both created YQ-2026-0019 keep
two histories, and a record renumbered (``renumber: OLD -> NEW``) keeps its own.
Everything returned is frozen; a folder that is not a git repository gives an
empty history flagged ``available=False``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from .model import Incident, Issue

if TYPE_CHECKING:  # GitPython is imported lazily: `yuqing check` must start fast
    import git

INCIDENT_DIR = "incidents"
_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%s"
_RENUMBER = re.compile(r"renumber: (\S+) -> (\S+)")
MAIN_CANDIDATES = ("origin/main", "main")
"""The main branch when none is named: the forge's copy if fetched, else the local one."""
BACKDATE_TOLERANCE = timedelta(hours=1)
"""An author date more than this before the record's arrival (or the checking
run's clock) is not believed and is pointed out (``backdated-commit``)."""
_LEVEL_LINE = re.compile(rb"^level:[ \t]*[\"']?([^\"'#\r\n]*?)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)
_NULL_SHA = "0" * 40


@dataclass(frozen=True, slots=True)
class Revision:
    """One commit that touched one incident file (slotted: a province's history holds some 300,000)."""

    commit: str
    at: datetime
    """Author date: when the change was made."""
    author: str
    email: str
    committed_at: datetime
    subject: str
    change: str
    """``A`` added, ``M`` modified, ``R`` renamed (maybe also modified), ``D`` deleted."""
    path: str
    """The file's path after this commit (before it, for a deletion), relative to the register root."""
    blob: str | None
    """The file's content id after this commit (None for a deletion)."""
    old_path: str | None = None
    """For a rename: the path before."""
    old_blob: str | None = None
    level: str | None = None
    """The ``level`` as recorded in this revision (None if not read, unreadable or deleted)."""
    boundary: bool = False
    """The commit is the edge of a shallow clone: an ``A`` here may not be the real registration."""
    arrived_at: datetime | None = None
    """Committer date of the first commit of main's first-parent history containing this
    commit: when the change reached the main branch (None: not on main)."""
    arrival: str | None = None
    """That main commit (a merge commit, or the commit itself when pushed straight to main)."""


@dataclass(frozen=True, slots=True)
class IncidentHistory:
    """Every revision of one incident file, oldest first (renames followed)."""

    id: str
    path: str
    revisions: tuple[Revision, ...]

    @property
    def complete(self) -> bool:
        """False when the history starts at the edge of a shallow clone (registration unknown)."""
        return bool(self.revisions) and not self.revisions[0].boundary

    @property
    def deleted(self) -> bool:
        return bool(self.revisions) and self.revisions[-1].change == "D"

    @property
    def registration(self) -> Revision | None:
        """The commit that added the file; None when the history is incomplete."""
        return self.revisions[0] if self.complete else None

    @property
    def on_main(self) -> bool:
        """The record has reached the main branch."""
        return bool(self.revisions) and self.revisions[0].arrived_at is not None

    @property
    def registered_at(self) -> datetime | None:
        """When the record arrived on the main branch (None: not yet, or history cut by a shallow clone).

        Never the author date: that one anybody can set.
        """
        return self.registration.arrived_at if self.registration else None

    @property
    def authored_at(self) -> datetime | None:
        """The author date of the registering commit: shown, never trusted."""
        return self.registration.at if self.registration else None

    @property
    def registered_by(self) -> str | None:
        return self.registration.author if self.registration else None

    @property
    def last_modified_at(self) -> datetime:
        return self.revisions[-1].at

    @property
    def last_modified_by(self) -> str:
        return self.revisions[-1].author

    @property
    def revision_count(self) -> int:
        return len(self.revisions)

    def levels(self) -> tuple[tuple[datetime, str], ...]:
        """(author date, level) of each revision whose level was read, oldest first."""
        return tuple((r.at, r.level) for r in self.revisions if r.level)


@dataclass(frozen=True)
class RegisterHistory:
    """The history of every incident file of a register."""

    root: Path
    available: bool
    """False when the register is not in a git repository (or it has no commits)."""
    shallow: bool
    """True in a shallow clone: histories that reach its edge are incomplete."""
    incidents: Mapping[str, IncidentHistory] = field(default_factory=dict)
    note: str = ""
    """Why the history is missing or incomplete, in Chinese (empty when all is well)."""
    commits: int = 0
    """How many commits touching incidents/ were read."""
    main: str = ""
    """The main branch whose first-parent history gives arrival times ('' when none was found)."""

    def of(self, incident_id: str) -> IncidentHistory | None:
        """The history of ``incident_id`` (its current file), None if git never saw it."""
        return self.incidents.get(incident_id)

    def __iter__(self) -> Iterator[IncidentHistory]:
        return iter(self.incidents.values())


# --- git access ------------------------------------------------------------

def open_repo(root: Path) -> git.Repo | None:
    """The git repository holding ``root``, or None."""
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def prefix_of(repo: git.Repo, root: Path) -> str:
    """The register root's path inside the repository ('' or 'sub/dir/')."""
    top = Path(repo.working_tree_dir or root).resolve()
    inner = root.resolve().relative_to(top).as_posix()
    return "" if inner in ("", ".") else inner + "/"


def is_shallow(repo: git.Repo) -> bool:
    return bool(_shallow_commits(repo))


def _shallow_commits(repo: git.Repo) -> frozenset[str]:
    shallow = Path(repo.common_dir) / "shallow"
    try:
        return frozenset(line.strip() for line in shallow.read_text().splitlines() if line.strip())
    except OSError:
        return frozenset()


def read_blobs(repo: git.Repo, shas: Iterable[str]) -> dict[str, bytes]:
    """The content of many blobs through ONE ``git cat-file --batch`` process."""
    wanted = list(dict.fromkeys(s for s in shas if s and s != _NULL_SHA))
    if not wanted:
        return {}
    command = [repo.git.GIT_PYTHON_GIT_EXECUTABLE or "git", "cat-file", "--batch"]
    done = subprocess.run(command, cwd=repo.working_tree_dir or repo.git_dir, input="\n".join(wanted).encode() + b"\n",
                          capture_output=True, check=False)
    out = done.stdout
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        blobs[sha] = out[pos:pos + size]
        pos += size + 1  # content and its trailing newline
    return blobs


def level_of(blob: bytes) -> str | None:
    """The top-level ``level:`` of an incident file's text, without a full YAML parse."""
    match = _LEVEL_LINE.search(blob)
    if not match:
        return None
    try:
        return match.group(1).decode("utf-8").strip() or None
    except UnicodeDecodeError:
        return None


# --- the one pass over the log ----------------------------------------------

def load(root: Path, *, levels: bool = True, repo: git.Repo | None = None, tz: tzinfo | None = None,
         main: str | None = None, subjects: bool = True) -> RegisterHistory:
    """The history of every incident file of the register at ``root``.

    One ``git log`` process over the checked-out branch and ``main`` (default:
    ``origin/main`` when fetched, else ``main``, else the checked-out branch
    itself); with ``levels`` one more (``git cat-file --batch``) to read the
    level recorded in each revision. Without git, or in a repository without
    commits, the result is empty and ``available`` is False. With ``tz`` (the
    register's timezone) every date is given in it; otherwise dates keep the
    offset of the machine (or forge) that made the commit. Without ``subjects`` the revisions' commit
    messages are left empty (the site never shows them; a province's are tens of MB).
    """
    import git

    root = Path(root)
    repo = repo or open_repo(root)
    if repo is None:
        return RegisterHistory(root, False, False, {}, f"{root} 不在 git 仓库中:没有登记与修改历史。")
    prefix = prefix_of(repo, root)
    main_ref, main_tip = _main_branch(repo, main)
    if main is not None and main_tip is None:
        return RegisterHistory(root, False, False, {}, f"找不到主分支 {main}(--main 所指的引用不存在,请先 git fetch)。")
    boundary = _shallow_commits(repo)
    try:
        # No pathspec: the true parents of every commit are needed to know when a
        # change reached main; entries outside incidents/ are skipped while parsing.
        commits = _parse_log(_log(repo, "--raw", "--no-abbrev", "-M", "-z", "--reverse", "--date-order",
                                  f"--format={_FORMAT}", "HEAD", *([main_tip] if main_tip else []), "--"),
                             prefix, boundary, tz, subjects)
    except git.GitCommandError:
        return RegisterHistory(root, False, False, {}, "git 仓库还没有任何提交:没有登记与修改历史。")
    arrivals = _arrivals(commits, main_tip)
    # One pass (each pass makes every revision anew: at a province, 300,000 of them).
    revisions = [replace(r, arrived_at=arrivals[r.commit][1], arrival=arrivals[r.commit][0])
                 if r.commit in arrivals else r for c in commits for r in c.revisions]
    touched = sum(1 for c in commits if c.revisions)
    del commits, arrivals
    chains = _chain(revisions)
    if levels:
        blobs = read_blobs(repo, (r.blob for chain in chains for r in chain if r.blob))
        chains = [[_with_level(r, blobs) for r in chain] for chain in chains]
    incidents = _index(chains)
    note = ""
    if boundary:
        note = ("这是浅克隆(shallow clone),git 历史不完整:最早的登记记录看不到,登记时间与迟报无法判断。"
                "请完整克隆(CI 中 actions/checkout 设 fetch-depth: 0,或运行 git fetch --unshallow)。")
    return RegisterHistory(root, True, bool(boundary), incidents, note, touched, main_ref if main_tip else "")


def _main_branch(repo: git.Repo, wanted: str | None) -> tuple[str, str | None]:
    """(name, commit id) of the main branch: ``wanted``, or the first of MAIN_CANDIDATES that exists."""
    import git

    for name in ([wanted] if wanted is not None else [*MAIN_CANDIDATES, "HEAD"]):
        try:
            return name, repo.git.rev_parse("--verify", "-q", f"{name}^{{commit}}") or None
        except git.GitCommandError:
            continue
    return wanted or "", None


@dataclass(frozen=True, slots=True)
class _Commit:
    sha: str
    parents: tuple[str, ...]
    committed_at: datetime
    revisions: tuple[Revision, ...]


def _arrivals(commits: list[_Commit], tip: str | None) -> dict[str, tuple[str, datetime]]:
    """Per commit id: the first commit of ``tip``'s first-parent history that contains it, and its committer date.

    Walks main's first-parent history oldest first; each step claims every
    ancestor not claimed by an earlier step (what that merge, or that direct
    commit, brought to main). Each commit is visited once.
    """
    if tip is None:
        return {}
    by_sha = {c.sha: c for c in commits}
    line: list[_Commit] = []
    current = by_sha.get(tip)
    while current is not None:
        line.append(current)
        current = by_sha.get(current.parents[0]) if current.parents else None
    arrived: dict[str, tuple[str, datetime]] = {}
    for step in reversed(line):
        mark = (step.sha, step.committed_at)
        stack = [step.sha]
        while stack:
            sha = stack.pop()
            if sha in arrived:
                continue
            arrived[sha] = mark
            known = by_sha.get(sha)
            if known is not None:
                stack.extend(p for p in known.parents if p not in arrived)
    return arrived


def _with_level(revision: Revision, blobs: Mapping[str, bytes]) -> Revision:
    if revision.blob is None or revision.blob not in blobs:
        return revision
    return replace(revision, level=level_of(blobs[revision.blob]))


def _log(repo: git.Repo, *args: str) -> Iterator[str]:
    """``git log`` with ``args``, one commit's text at a time (its output split at U+001E) as git writes
    it: a province's log (300,000 commits, hundreds of MB as text) is never held whole. Raises
    ``git.GitCommandError`` when git fails (a repository without commits), after its output."""
    import codecs

    import git

    command = [git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git", "log", *args]
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    with subprocess.Popen(command, cwd=repo.working_dir, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          stdin=subprocess.DEVNULL) as process:
        assert process.stdout is not None
        rest = ""
        for block in iter(lambda: process.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
            parts = (rest + decoder.decode(block)).split("\x1e")
            rest = parts.pop()
            yield from parts
        rest += decoder.decode(b"", final=True)
        if rest:
            yield rest
    if process.returncode != 0:
        raise git.GitCommandError(command, process.returncode)


def _parse_log(raw: Iterable[str], prefix: str, boundary: frozenset[str], tz: tzinfo | None = None,
               subjects: bool = True) -> list[_Commit]:
    """Every commit, in log order, with the revisions of incident files it made.

    Reads ``git log --raw -z --format=<_FORMAT>`` output, commit by commit (``_log``). A move into or out of
    incidents/ is an addition or a deletion; a commit ``renumber: OLD -> NEW``
    that deletes OLD and adds NEW is a rename even where git's similarity
    detection does not pair them.
    """
    commits: list[_Commit] = []
    base = f"{prefix}{INCIDENT_DIR}/"
    for chunk in raw:
        if not chunk:
            continue
        header, _, body = chunk.partition("\0")
        fields = header.split("\x1f")
        if len(fields) < 7:
            continue
        sha, parents, author, email, authored, committed = fields[:6]
        subject = "\x1f".join(fields[6:])
        # A few staff make every commit: one string each, not one per commit.
        at, committed_at = datetime.fromisoformat(authored), datetime.fromisoformat(committed)
        if tz is not None:  # dates in the register's zone (else the offset of the machine that committed)
            at, committed_at = at.astimezone(tz), committed_at.astimezone(tz)
        meta = dict(commit=sha, at=at, author=sys.intern(author), email=sys.intern(email),
                    committed_at=committed_at, subject=subject if subjects else "", boundary=sha in boundary)
        revisions: list[Revision] = []
        for status, old_sha, new_sha, old_path, path in raw_entries(body):
            inside, came_from = path.startswith(base), old_path is not None and old_path.startswith(base)
            if status in ("R", "C") and inside != came_from:
                if not inside:  # moved out of incidents/: gone from the register
                    status, path, new_sha, old_path = "D", old_path or path, _NULL_SHA, None
                else:  # moved in: a new record
                    status, old_sha, old_path = "A", _NULL_SHA, None
            elif not inside:
                continue
            path, old_path = strip_prefix(path, prefix), strip_prefix(old_path, prefix) if old_path else None
            if status == "D":
                revisions.append(Revision(**meta, change="D", path=path, blob=None, old_blob=old_sha))  # type: ignore[arg-type]
            else:
                revisions.append(Revision(
                    **meta, change="M" if status == "T" else status, path=path,  # type: ignore[arg-type]
                    blob=new_sha, old_path=old_path, old_blob=None if old_sha == _NULL_SHA else old_sha,
                ))
        commits.append(_Commit(sha, tuple(parents.split()), meta["committed_at"],  # type: ignore[arg-type]
                               tuple(_renumbered(revisions, subject))))
    return commits


def _renumbered(revisions: list[Revision], subject: str) -> list[Revision]:
    """Pair the deletion of OLD and the addition of NEW of a ``renumber: OLD -> NEW`` commit into a rename."""
    match = _RENUMBER.fullmatch(subject.strip())
    if not match:
        return revisions
    old_id, new_id = match.groups()
    gone = [r for r in revisions if r.change == "D" and PurePosixPath(r.path).stem == old_id]
    born = [r for r in revisions if r.change == "A" and PurePosixPath(r.path).stem == new_id]
    if len(gone) != 1 or len(born) != 1:
        return revisions
    moved = replace(born[0], change="R", old_path=gone[0].path, old_blob=gone[0].old_blob)
    return [moved if r is born[0] else r for r in revisions if r is not gone[0]]
def raw_records(body: str) -> Iterator[tuple[str, str, str, str, str, str | None, str]]:
    """(status letter, old mode, new mode, old blob, new blob, old path, path) of each ``--raw -z`` entry.

    ``old path`` is set for renames and copies only; paths are as git prints them.
    """
    tokens = body.split("\0")
    index = 0
    while index < len(tokens):
        entry = tokens[index].lstrip("\n")
        index += 1
        if not entry.startswith(":"):
            continue
        old_mode, new_mode, old_sha, new_sha, status = entry[1:].split()[:5]
        path = tokens[index]
        index += 1
        old_path = None
        if status[0] in ("R", "C"):
            old_path, path = path, tokens[index]
            index += 1
        yield status[0], old_mode, new_mode, old_sha, new_sha, old_path, path


def raw_entries(body: str, prefix: str = "") -> Iterator[tuple[str, str, str, str | None, str]]:
    """(status letter, old blob, new blob, old path, path) of each entry of ``--raw -z`` output.

    ``old path`` is set for renames and copies only; paths lose ``prefix``.
    """
    for status, _, _, old_sha, new_sha, old_path, path in raw_records(body):
        yield status, old_sha, new_sha, strip_prefix(old_path, prefix) if old_path else None, strip_prefix(path, prefix)


def strip_prefix(path: str, prefix: str) -> str:
    """``path`` relative to the register root (git prints paths relative to the repository's top)."""
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def _chain(revisions: list[Revision]) -> list[list[Revision]]:
    """Group revisions per record, oldest first, following renames.

    A change continues the record whose revision produced the content it
    started from (its old blob at its old path); only when no such revision
    was seen (a merge that rewrote the file, a shallow clone) does the path
    decide. So a file created twice on two branches (two clerks, one id) makes
    two records, not one record edited back and forth.
    """
    live: dict[str, list[list[Revision]]] = defaultdict(list)
    """Per path, the records there, most recently changed last."""
    by_content: dict[tuple[str, str], list[Revision]] = {}
    chains: list[list[Revision]] = []
    for revision in revisions:
        before = revision.old_path or revision.path
        chain: list[Revision] | None = None
        if revision.change not in ("A", "C"):
            chain = by_content.get((before, revision.old_blob or ""))
            if chain is None and live[before]:
                chain = live[before][-1]
        if chain is None:
            chain = []
            chains.append(chain)
        chain.append(revision)
        if revision.change in ("R", "D") or before != revision.path:
            live[before] = [c for c in live[before] if c is not chain]
        if revision.change == "D":
            continue
        live[revision.path] = [c for c in live[revision.path] if c is not chain] + [chain]
        by_content[(revision.path, revision.blob or "")] = chain
    return chains


def _index(chains: list[list[Revision]]) -> dict[str, IncidentHistory]:
    """Per incident id (the current file name); a live file wins over a deleted one."""
    result: dict[str, IncidentHistory] = {}
    for chain in chains:
        if not chain:
            continue
        path = chain[-1].path
        history = IncidentHistory(PurePosixPath(path).stem, path, tuple(chain))
        current = result.get(history.id)
        if current is None or current.deleted or not history.deleted:
            if current is not None and current.deleted and not history.deleted:
                # Deleted, then added again: one record, one history.
                history = IncidentHistory(history.id, path, current.revisions + history.revisions)
            result[history.id] = history
    return result


# --- what a revision changed, in plain Chinese --------------------------------

_FIELD_NAMES = {
    "id": "编号", "title": "标题", "level": "等级", "status": "状态", "category": "领域",
    "occurred_at": "发生时间", "discovered_at": "发现时间", "source": "来源", "units": "责任单位",
    "summary": "概要", "appeal": "网民诉求", "tags": "标签", "timeline": "处置经过",
    "extensions": "延期", "review": "评估总结", "confidential": "涉密", "withdrawn": "撤销",
}
_ARROW_FIELDS = ("level", "status", "category", "title")


def event_key(event: Any) -> tuple[str, str]:
    """What identifies a timeline event across revisions: its time and type, as written."""
    if isinstance(event, dict):
        return str(event.get("at", "")), str(event.get("type", ""))
    return str(event), ""


def describe(before: Any, after: Any) -> list[str]:
    """The changes from one revision's data to the next, in plain Chinese.

    ``before`` is None for the revision that added the file.
    """
    if not isinstance(after, dict):
        return ["文件无法解析(YAML 有误)"]
    if not isinstance(before, dict):
        events = after.get("timeline") if isinstance(after.get("timeline"), list) else []
        counted = f",处置经过 {len(events)} 条" if events else ""
        return [f"新增事件:等级 {after.get('level', '?')},状态 {after.get('status', '?')}{counted}"]
    changes: list[str] = []
    for key in _ARROW_FIELDS:
        if before.get(key) != after.get(key):
            changes.append(f"{_FIELD_NAMES[key]} {before.get(key, '(无)')} → {after.get(key, '(无)')}")
    old_events = [event_key(e) for e in before.get("timeline") or []]
    new_events = [event_key(e) for e in after.get("timeline") or []]
    added = [k for k in new_events if k not in old_events]
    removed = [k for k in old_events if k not in new_events]
    changes += [f"新增事件 {k[1]}" for k in added]
    changes += [f"删除事件 {k[1]}({k[0]})" for k in removed]
    if [k for k in old_events if k in new_events] != [k for k in new_events if k in old_events]:
        changes.append("处置经过顺序调整")
    elif not added and not removed and before.get("timeline") != after.get("timeline"):
        changes.append("修改处置经过")
    for key in _FIELD_NAMES:
        if key in _ARROW_FIELDS or key == "timeline":
            continue
        if before.get(key) != after.get(key):
            verb = "新增" if key not in before else "删除" if key not in after else "修改"
            changes.append(f"{verb}{_FIELD_NAMES[key]}")
    extra = sorted(set(before) ^ set(after) | {k for k in set(before) & set(after) if before[k] != after[k]})
    for key in extra:
        if key not in _FIELD_NAMES:
            changes.append(f"修改 {key}")
    return changes or ["内容未变(只改了格式或注释)"]


@dataclass(frozen=True)
class Change:
    """One revision of one incident with what it changed."""

    revision: Revision
    changes: tuple[str, ...]
    level: str | None = None
    """The level recorded in this revision (None for a deletion or an unreadable file)."""


def explain(repo: git.Repo, history: IncidentHistory) -> tuple[Change, ...]:
    """Each revision of one incident with its changes in words (one cat-file process)."""
    from .loader import load_bytes

    blobs = read_blobs(repo, [s for r in history.revisions for s in (r.blob, r.old_blob) if s])

    def data_of(sha: str | None, path: str) -> Any:
        return load_bytes(blobs[sha], path).data if sha and sha in blobs else None

    result: list[Change] = []
    for index, revision in enumerate(history.revisions):
        if revision.change == "D":
            result.append(Change(revision, ("删除文件",)))
            continue
        after = data_of(revision.blob, revision.path)
        before = data_of(revision.old_blob, revision.old_path or revision.path)
        if index == 0 and revision.boundary:
            words = ["浅克隆的边界:更早的历史不可见"]
        else:
            words = describe(before if revision.change != "A" else None, after)
        if revision.change == "R":
            words = [f"文件移动 {revision.old_path} → {revision.path}"] + [w for w in words if not w.startswith("内容未变")]
        level = after.get("level") if isinstance(after, dict) else None
        result.append(Change(revision, tuple(words), level if isinstance(level, str) else None))
    return tuple(result)


# --- registration delay (迟报) -------------------------------------------------

@dataclass(frozen=True)
class Registration:
    """When one record counts as registered, and on what that rests."""

    at: datetime
    on_main: bool
    """True: arrival on the main branch (a forge date); False: the checking run's clock (not on main yet)."""
    revision: Revision | None = None
    """The registering commit, when git has one (its author date is shown, never trusted)."""


def registration(incident: Incident, history: RegisterHistory, now: datetime | None = None) -> Registration | None:
    """When ``incident`` was registered: its arrival on main, else (a pull request, a draft) ``now``.

    None when that cannot be told: no git, a history cut by a shallow clone,
    or a record not on main while no clock is given.
    """
    if not history.available:
        return None
    found = history.of(incident.id)
    if found is not None and (found.deleted or not found.complete):
        return None
    if found is not None and found.registered_at is not None:
        return Registration(found.registered_at, True, found.registration)
    if now is None:
        return None
    return Registration(now, False, found.registration if found is not None else None)


def registration_delays(incidents: Iterable[Incident], history: RegisterHistory,
                        now: datetime | None = None) -> dict[str, timedelta]:
    """Per incident id: from ``discovered_at`` to its registration (``registration``).

    Records whose registration time cannot be told are left out: without
    ``now``, those not yet on the main branch too.
    """
    delays: dict[str, timedelta] = {}
    for incident in incidents:
        found = registration(incident, history, now)
        if found is not None:
            delays[incident.id] = found.at - incident.discovered_at
    return delays


def late_registration_issues(incidents: Iterable[Incident], history: RegisterHistory, hours: float,
                             now: datetime | None = None) -> list[Issue]:
    """A ``late-registration`` warning per incident registered more than ``hours`` after discovery,
    and a ``backdated-commit`` warning where the author date claims a time well before the record's
    arrival (or ``now``, for a record not on main yet).

    Warnings, not errors: a late record cannot be made un-late, and failing
    every later check for it would only push staff to backdate the next one.
    Withdrawn records are left out.
    """
    limit = timedelta(hours=hours)
    issues: list[Issue] = []
    for incident in sorted((i for i in incidents if i.withdrawn is None), key=lambda i: i.id):
        found = registration(incident, history, now)
        if found is None:
            continue
        delay = found.at - incident.discovered_at
        authored = found.revision.at if found.revision is not None else None
        if delay > limit:
            issues.append(_late(incident, found, delay, hours))
        if authored is not None and found.at - authored > BACKDATE_TOLERANCE:
            claimed = authored - incident.discovered_at
            # On main, only where the author date would hide a late registration:
            # a slow review is not a reason to warn about every record for ever.
            if not found.on_main or (delay > limit >= claimed):
                issues.append(_backdated(incident, found, authored))
    return issues


def _arrival_text(found: Registration, tz: tzinfo | None) -> str:
    when = found.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if found.on_main:
        assert found.revision is not None and found.revision.arrival is not None
        return f"{when} 才进入主分支(主分支提交 {found.revision.arrival[:8]})"
    return f"到本次检查时 {when} 仍未进入主分支(按检查时间计)"


def _late(incident: Incident, found: Registration, delay: timedelta, hours: float) -> Issue:
    from .times import human_duration

    tz = incident.discovered_at.tzinfo
    who = f",登记人 {found.revision.author}" if found.revision is not None else ""
    line, column = incident.position("discovered_at")
    return Issue(
        incident.file, line, column, "discovered_at", "late-registration",
        f"迟报:发现于 {incident.discovered_at.strftime('%Y-%m-%d %H:%M')},{_arrival_text(found, tz)}{who},"
        f"相隔 {human_duration(delay)}({delay.total_seconds() / 3600:.1f} 小时),"
        f"超过登记时限 {hours:g} 小时。请在处置经过或 note 中说明迟报原因。",
        "warning",
    )


def _backdated(incident: Incident, found: Registration, authored: datetime) -> Issue:
    from .times import human_duration

    assert found.revision is not None
    tz = incident.discovered_at.tzinfo
    when = found.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    basis = f"进入主分支的时间是 {when}" if found.on_main else f"本次检查时间是 {when},记录尚未进入主分支"
    line, column = incident.position("discovered_at")
    return Issue(
        incident.file, line, column, "discovered_at", "backdated-commit",
        f"登记提交 {found.revision.commit[:8]}({found.revision.author})的提交时间写的是 "
        f"{authored.astimezone(tz).strftime('%Y-%m-%d %H:%M')},而{basis},相差 {human_duration(found.at - authored)}。"
        "提交时间可由本人随意设置,不作为登记时间;登记时间以进入主分支的时间为准。",
        "warning",
    )


def history_issues(root: Path, incidents: Iterable[Incident], hours: float, *,
                   now: datetime | None = None, main: str | None = None) -> list[Issue]:
    """What `yuqing check --history` adds: late registrations, back-dated commits, and a warning when git cannot tell.

    ``now`` is the checking run's clock, against which records not yet on the
    main branch (``main``; see ``load``) are judged.
    """
    history = load(root, levels=False, main=main)
    issues = late_registration_issues(incidents, history, hours, now)
    if history.shallow:
        issues.insert(0, Issue("register.yml", 1, 1, "", "history-incomplete", history.note, "warning"))
    elif not history.available:
        issues.insert(0, Issue("register.yml", 1, 1, "", "history-unavailable",
                               f"{history.note}无法判断是否迟报。", "warning"))
    return issues
