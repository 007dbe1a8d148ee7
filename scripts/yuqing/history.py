"""Git as the record keeper: who registered each incident, when, and every change since.

One pass over the log gives the history of every incident file: a single
``git log --raw -M -z -- incidents/`` (parsed here) and, when the level of every
revision is wanted, a single ``git cat-file --batch`` reading the blobs that log
names. Never one process per file: a register of 10,000 files costs two processes.

The dates are the *author* dates of the commits (when the member of staff made
the record; a rebase or a merge on the server keeps them); the committer dates
are kept too. Everything returned is frozen; a folder that is not a git
repository gives an empty history flagged ``available=False``.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from .model import Incident, Issue

if TYPE_CHECKING:  # GitPython is imported lazily: `yuqing check` must start fast
    import git

INCIDENT_DIR = "incidents"
_FORMAT = "%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%s"
_LEVEL_LINE = re.compile(rb"^level:[ \t]*[\"']?([^\"'#\r\n]*?)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)
_NULL_SHA = "0" * 40


@dataclass(frozen=True)
class Revision:
    """One commit that touched one incident file."""

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


@dataclass(frozen=True)
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
    def registered_at(self) -> datetime | None:
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

def load(root: Path, *, levels: bool = True, repo: git.Repo | None = None, tz: tzinfo | None = None) -> RegisterHistory:
    """The history of every incident file of the register at ``root``.

    One ``git log`` process; with ``levels`` one more (``git cat-file --batch``)
    to read the level recorded in each revision. Without git, or in a
    repository without commits, the result is empty and ``available`` is False.
    With ``tz`` (the register's timezone) every date is given in it; otherwise
    dates keep the offset of the machine that made the commit.
    """
    import git

    root = Path(root)
    repo = repo or open_repo(root)
    if repo is None:
        return RegisterHistory(root, False, False, {}, f"{root} 不在 git 仓库中:没有登记与修改历史。")
    prefix = prefix_of(repo, root)
    try:
        raw = repo.git.log("--raw", "--no-abbrev", "-M", "-z", "--reverse", "--date-order",
                           f"--format={_FORMAT}", "--", f"{prefix}{INCIDENT_DIR}/",
                           strip_newline_in_stdout=False)
    except git.GitCommandError:
        return RegisterHistory(root, False, False, {}, "git 仓库还没有任何提交:没有登记与修改历史。")
    boundary = _shallow_commits(repo)
    revisions, commits = _parse_log(raw, prefix, boundary)
    if tz is not None:
        revisions = [replace(r, at=r.at.astimezone(tz), committed_at=r.committed_at.astimezone(tz)) for r in revisions]
    chains = _chain(revisions)
    if levels:
        blobs = read_blobs(repo, (r.blob for chain in chains for r in chain if r.blob))
        chains = [[_with_level(r, blobs) for r in chain] for chain in chains]
    incidents = _index(chains)
    note = ""
    if boundary:
        note = ("这是浅克隆(shallow clone),git 历史不完整:最早的登记记录看不到,登记时间与迟报无法判断。"
                "请完整克隆(CI 中 actions/checkout 设 fetch-depth: 0,或运行 git fetch --unshallow)。")
    return RegisterHistory(root, True, bool(boundary), incidents, note, commits)


def _with_level(revision: Revision, blobs: Mapping[str, bytes]) -> Revision:
    if revision.blob is None or revision.blob not in blobs:
        return revision
    return replace(revision, level=level_of(blobs[revision.blob]))


def _parse_log(raw: str, prefix: str, boundary: frozenset[str]) -> tuple[list[Revision], int]:
    """Revisions in log order from ``git log --raw -z --format=<_FORMAT>`` output."""
    revisions: list[Revision] = []
    commits = 0
    for chunk in raw.split("\x1e"):
        if not chunk:
            continue
        header, _, body = chunk.partition("\0")
        fields = header.split("\x1f")
        if len(fields) < 6:
            continue
        commits += 1
        sha, author, email, authored, committed = fields[:5]
        subject = "\x1f".join(fields[5:])
        meta = dict(commit=sha, at=datetime.fromisoformat(authored), author=author, email=email,
                    committed_at=datetime.fromisoformat(committed), subject=subject, boundary=sha in boundary)
        for status, old_sha, new_sha, old_path, path in raw_entries(body, prefix):
            if status == "D":
                revisions.append(Revision(**meta, change="D", path=path, blob=None, old_blob=old_sha))  # type: ignore[arg-type]
            else:
                revisions.append(Revision(
                    **meta, change="M" if status == "T" else status, path=path,  # type: ignore[arg-type]
                    blob=new_sha, old_path=old_path, old_blob=None if old_sha == _NULL_SHA else old_sha,
                ))
    return revisions, commits


def raw_entries(body: str, prefix: str = "") -> Iterator[tuple[str, str, str, str | None, str]]:
    """(status letter, old blob, new blob, old path, path) of each entry of ``--raw -z`` output.

    ``old path`` is set for renames and copies only; paths lose ``prefix``.
    """
    tokens = body.split("\0")
    index = 0
    while index < len(tokens):
        entry = tokens[index].lstrip("\n")
        index += 1
        if not entry.startswith(":"):
            continue
        parts = entry[1:].split()
        old_sha, new_sha, status = parts[2], parts[3], parts[4][0]
        path = tokens[index]
        index += 1
        old_path = None
        if status in ("R", "C"):
            old_path, path = path, tokens[index]
            index += 1
        yield status, old_sha, new_sha, _strip(old_path, prefix) if old_path else None, _strip(path, prefix)


def _strip(path: str, prefix: str) -> str:
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def _chain(revisions: list[Revision]) -> list[list[Revision]]:
    """Group revisions per file, oldest first, following renames."""
    live: dict[str, list[Revision]] = {}
    chains: list[list[Revision]] = []
    for revision in revisions:
        if revision.change in ("R", "C") and revision.old_path in live:
            chain: list[Revision] = live.pop(revision.old_path) if revision.change == "R" else []
            if revision.change == "C":
                chains.append(chain)
            chain.append(revision)
            live[revision.path] = chain
            continue
        existing = live.get(revision.path)
        if existing is None:
            existing = []
            chains.append(existing)
            live[revision.path] = existing
        existing.append(revision)
        if revision.change == "D":
            del live[revision.path]
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

def registration_delays(incidents: Iterable[Incident], history: RegisterHistory) -> dict[str, timedelta]:
    """Per incident id: from ``discovered_at`` to the commit that registered it.

    Incidents git has not seen yet (not committed) and histories cut by a
    shallow clone are left out: their delay is unknown.
    """
    delays: dict[str, timedelta] = {}
    for incident in incidents:
        found = history.of(incident.id)
        if found is None or found.registered_at is None:
            continue
        delays[incident.id] = found.registered_at - incident.discovered_at
    return delays


def late_registration_issues(incidents: Iterable[Incident], history: RegisterHistory, hours: float) -> list[Issue]:
    """A ``late-registration`` warning per incident registered more than ``hours`` after discovery.

    A warning, not an error: a late record cannot be made un-late, and failing
    every later check for it would only push staff to backdate the next one.
    Withdrawn records are left out.
    """
    from .times import human_duration

    by_id = {i.id: i for i in incidents if i.withdrawn is None}
    limit = timedelta(hours=hours)
    issues: list[Issue] = []
    for incident_id, delay in sorted(registration_delays(by_id.values(), history).items()):
        if delay <= limit:
            continue
        incident = by_id[incident_id]
        found = history.of(incident_id)
        assert found is not None and found.registration is not None
        line, column = incident.position("discovered_at")
        issues.append(Issue(
            incident.file, line, column, "discovered_at", "late-registration",
            f"迟报:发现于 {incident.discovered_at.strftime('%Y-%m-%d %H:%M')},"
            f"{found.registration.at.astimezone(incident.discovered_at.tzinfo).strftime('%Y-%m-%d %H:%M')} 才提交登记"
            f"(提交 {found.registration.commit[:8]},{found.registration.author}),相隔 {human_duration(delay)}({delay.total_seconds() / 3600:.1f} 小时),"
            f"超过登记时限 {hours:g} 小时。请在处置经过或 note 中说明迟报原因。",
            "warning",
        ))
    return issues


def history_issues(root: Path, incidents: Iterable[Incident], hours: float) -> list[Issue]:
    """What `yuqing check --history` adds: late registrations, and a warning when git cannot tell."""
    history = load(root, levels=False)
    issues = late_registration_issues(incidents, history, hours)
    if history.shallow:
        issues.insert(0, Issue("register.yml", 1, 1, "", "history-incomplete", history.note, "warning"))
    elif not history.available:
        issues.insert(0, Issue("register.yml", 1, 1, "", "history-unavailable",
                               f"{history.note}无法判断是否迟报。", "warning"))
    return issues
