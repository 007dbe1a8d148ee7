"""`yuqing audit`: what a pull request may and may not do to the register.

The register promises an auditor that nothing is lost: records are withdrawn
(the ``withdrawn`` field), never deleted; archived records are only corrected
by appending a ``更正`` event; the timeline only grows; ids never change and
never collide. This module compares a branch with its base and returns each
broken promise as an Issue naming the file and line.

Cost: ``merge-base``, one ``diff --raw``, one ``ls-tree`` of the base and one
``cat-file --batch`` for the changed files, however large the register.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .history import event_key
from .loader import Loaded, load_bytes
from .model import Issue

ARCHIVED = "已归档"
CORRECTION = "更正"


class AuditError(Exception):
    """The comparison cannot be made (not git, unknown ref); the message is Chinese."""


@dataclass(frozen=True)
class AuditResult:
    base: str
    """The ref given (e.g. origin/main)."""
    base_commit: str
    merge_base: str
    head: str
    files: int
    """How many incident files the branch changes."""
    findings: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


@dataclass(frozen=True)
class FileChange:
    """One changed incident file between the merge base and the head."""

    status: str
    """A, M, D or R (git's letters)."""
    path: str
    old_path: str | None
    old: Loaded | None
    new: Loaded | None


def audit(root: Path, base: str, head: str = "HEAD") -> AuditResult:
    """Compare ``head`` with the merge base of ``base`` and ``head``; raises AuditError."""
    import git

    from .history import open_repo, prefix_of, raw_entries, read_blobs

    repo = open_repo(root)
    if repo is None:
        raise AuditError(f"{root} 不在 git 仓库中,无法审核。")
    try:
        base_commit = repo.git.rev_parse("--verify", "--quiet", f"{base}^{{commit}}")
        head_commit = repo.git.rev_parse("--verify", "--quiet", f"{head}^{{commit}}")
    except git.GitCommandError:
        raise AuditError(f"找不到 {base} 或 {head}。在 CI 中请用 actions/checkout 的 fetch-depth: 0 取完整历史;"
                         f"本地请先 git fetch。") from None
    try:
        merge_base = repo.git.merge_base(base_commit, head_commit)
    except git.GitCommandError:
        raise AuditError(f"{base} 与 {head} 没有共同的祖先提交(浅克隆?请用 fetch-depth: 0)。") from None
    prefix = prefix_of(repo, root)
    pathspec = f"{prefix}incidents/"
    raw = repo.git.diff("--raw", "--no-abbrev", "-M", "-z", merge_base, head_commit, "--", pathspec,
                        strip_newline_in_stdout=False)
    entries = [e for e in raw_entries(raw, prefix) if e[4].endswith((".yml", ".yaml"))]
    listing = repo.git.ls_tree("-r", "--name-only", "-z", base_commit, "--", pathspec)
    base_ids = {PurePosixPath(p).stem: p[len(prefix):] for p in listing.split("\0") if p}
    blobs = read_blobs(repo, [sha for e in entries for sha in (e[1], e[2])])

    def loaded(sha: str, path: str | None) -> Loaded | None:
        return load_bytes(blobs[sha], path) if path and sha in blobs else None

    changes = [FileChange(status, path, old_path, loaded(old_sha, old_path or path), loaded(new_sha, path))
               for status, old_sha, new_sha, old_path, path in entries]
    findings: list[Issue] = []
    for change in changes:
        findings.extend(check_change(change, base_ids))
    findings.sort(key=lambda i: (i.file, i.line, i.column, i.code))
    return AuditResult(base, base_commit, merge_base, head_commit, len(changes), tuple(findings))


def check_change(change: FileChange, base_ids: dict[str, str]) -> list[Issue]:
    """Every forbidden thing one changed file does (pure: data in, Issues out)."""
    if change.status == "D":
        return [Issue(change.path, 1, 1, "", "record-deleted",
                      f"删除了事件文件 {change.path}。登记过的事件不得删除:登记有误或重复时,"
                      "请恢复该文件,在其中填写 withdrawn(at、reason,重复时写 duplicate_of)予以撤销。")]
    findings: list[Issue] = []
    if change.status == "R":
        findings.append(Issue(change.path, 1, 1, "", "record-renamed",
                              f"事件文件 {change.old_path} 被改名或移动为 {change.path}。登记过的事件文件不得改名或移动"
                              "(编号不变,文件名就是编号)。若发现时间更正后年份变了,请保留原文件并用 withdrawn 撤销"
                              "(duplicate_of 写新编号),再用 `yuqing new` 登记新编号。"))
    if change.status == "A":
        return findings + _added(change, base_ids)
    if change.new is None or change.new.data is None:
        line, column = _first_problem(change.new)
        return findings + [Issue(change.path, line, column, "", "record-unreadable",
                                 "修改后的文件无法解析,无法核对改动是否合规;请先修正(运行 `yuqing check`)。")]
    if change.old is None or not isinstance(change.old.data, dict):
        return findings  # the base version was already broken: nothing trustworthy to compare with
    old, new = change.old.data, change.new.data
    findings += _id_changed(change, old, new)
    findings += _timeline(change, old, new)
    if old.get("status") == ARCHIVED:
        findings += _archived(change, old, new)
    return findings


def _where(loaded: Loaded | None, path: str, *, key: bool = False) -> tuple[int, int]:
    return loaded.where(path, key=key) if loaded is not None else (1, 1)


def _first_problem(loaded: Loaded | None) -> tuple[int, int]:
    if loaded is not None and loaded.issues:
        return loaded.issues[0].line, loaded.issues[0].column
    return 1, 1


def _added(change: FileChange, base_ids: dict[str, str]) -> list[Issue]:
    incident_id = PurePosixPath(change.path).stem
    data = change.new.data if change.new is not None else None
    content_id = data.get("id") if isinstance(data, dict) else None
    findings: list[Issue] = []
    for candidate in dict.fromkeys(i for i in (incident_id, content_id) if isinstance(i, str)):
        if candidate in base_ids:
            line, column = _where(change.new, "id")
            findings.append(Issue(change.path, line, column, "id", "id-taken",
                                  f"编号 {candidate} 在目标分支上已被 {base_ids[candidate]} 占用(可能有人同时登记)。"
                                  "请先 git fetch 并合并目标分支,再把本文件的文件名和 id 一起改为下一个空闲编号后提交。"))
    return findings


def _id_changed(change: FileChange, old: dict[str, Any], new: dict[str, Any]) -> list[Issue]:
    if old.get("id") == new.get("id"):
        return []
    line, column = _where(change.new, "id")
    return [Issue(change.path, line, column, "id", "id-changed",
                  f"编号由 {old.get('id')} 改为 {new.get('id')}。登记后编号不得修改。")]


def _events(record: dict[str, Any]) -> list[Any]:
    timeline = record.get("timeline")
    return timeline if isinstance(timeline, list) else []


def _timeline(change: FileChange, old: dict[str, Any], new: dict[str, Any]) -> list[Issue]:
    """Every base event must still be there (same time and type), in the same order."""
    old_events = _events(old)
    new_events = _events(new)
    new_keys = [event_key(e) for e in new_events]
    used: set[int] = set()
    last = -1
    findings: list[Issue] = []
    for index, event in enumerate(old_events):
        key = event_key(event)
        candidates = [j for j, k in enumerate(new_keys) if k == key and j not in used]
        old_line = _where(change.old, f"timeline[{index}]")[0]
        if not candidates:
            line, column = _where(change.new, "timeline", key=True)
            findings.append(Issue(change.path, line, column, f"timeline[{index}]", "event-removed",
                                  f"处置经过第 {index + 1} 条“{key[1]}”({key[0]},原文件第 {old_line} 行)被删除或改了时间/类型。"
                                  f"已记录的事件不得删除或改动时间、类型;记错了请追加一条“{CORRECTION}”事件说明。"))
            continue
        after = [j for j in candidates if j > last]
        chosen = after[0] if after else candidates[0]
        used.add(chosen)
        if chosen < last:
            line, column = _where(change.new, f"timeline[{chosen}]")
            findings.append(Issue(change.path, line, column, f"timeline[{chosen}]", "event-reordered",
                                  f"处置经过第 {index + 1} 条“{key[1]}”({key[0]})被调换了顺序(现为第 {chosen + 1} 条)。"
                                  "已记录的事件不得调换顺序。"))
        last = max(last, chosen)
    return findings


def _archived(change: FileChange, old: dict[str, Any], new: dict[str, Any]) -> list[Issue]:
    """An archived record changes only by appending 更正 events (or by being withdrawn)."""
    findings: list[Issue] = []
    for field in sorted(set(old) | set(new), key=lambda k: (k != "id", k)):
        if field in ("timeline", "id"):
            continue  # the timeline is judged below, the id by _id_changed
        if field == "withdrawn" and field not in old:
            continue  # withdrawing is the sanctioned way to take a record back
        if old.get(field) != new.get(field):
            line, column = _where(change.new, field, key=True) if field in new else _where(change.new, "", key=False)
            verb = "删除了" if field not in new else "新增了" if field not in old else "修改了"
            findings.append(Issue(change.path, line, column, field, "archived-rewritten",
                                  f"已归档的记录{verb}“{field}”。归档后不得改写,只能在处置经过末尾追加“{CORRECTION}”事件说明更正内容。"))
    old_events = _events(old)
    new_events = _events(new)
    old_keys = [event_key(e) for e in old_events]
    tail = len(new_events)  # the new events at the end: the only place an archived record may grow
    while tail > 0 and event_key(new_events[tail - 1]) not in old_keys:
        tail -= 1
    for index, event in enumerate(new_events):
        key = event_key(event)
        line, column = _where(change.new, f"timeline[{index}]")
        path = f"timeline[{index}]"
        if key in old_keys:
            if all(event != old_events[i] for i, k in enumerate(old_keys) if k == key):
                findings.append(Issue(change.path, line, column, path, "archived-rewritten",
                                      f"已归档记录的处置经过第 {index + 1} 条“{key[1]}”的内容被修改。"
                                      f"归档后只能在末尾追加“{CORRECTION}”事件。"))
        elif index < tail:
            findings.append(Issue(change.path, line, column, path, "archived-rewritten",
                                  f"已归档记录的处置经过中间插入了第 {index + 1} 条“{key[1]}”。"
                                  f"归档后只能在末尾追加“{CORRECTION}”事件。"))
        elif key[1] != CORRECTION:
            findings.append(Issue(change.path, line, column, path, "archived-rewritten",
                                  f"已归档的记录追加了“{key[1]}”事件。归档后只能追加“{CORRECTION}”事件。"))
    return findings
