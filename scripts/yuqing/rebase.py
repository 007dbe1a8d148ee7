"""`yuqing event rebase`: redo this branch's events on the latest main, without a git conflict.

Two clerks appending to the same record at once both add lines at the end of
``timeline``; when one pull request is merged, the other's ``git merge`` stops
with a conflict inside the file. This takes the target branch's version of the
record, appends this branch's own events to it again with :func:`yuqing.edit.replay`
(each where it belongs in time, level and status following), checks the
result, and commits it as a merge of the target branch, so the branch now
contains the latest main and its pull request changes only the appended lines.
Nothing is force-pushed and nothing outside the one record is resolved by hand:
any other conflict aborts the merge and is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .gitwork import MAIN, current_branch, fetch, git, in_git
from .model import RegisterConfig


@dataclass(frozen=True)
class Rebased:
    """What :func:`rebase` did, or why it did nothing (``refusal``)."""

    rel: str | None = None
    base: str | None = None
    branch: str | None = None
    commit: str | None = None
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    refusal: str | None = None
    nothing: str | None = None
    """Why nothing needed doing (success without a commit)."""


def merge_in_progress(root: Path) -> bool:
    """An unfinished ``git merge`` (``MERGE_HEAD`` exists)."""
    return git(root, "rev-parse", "--verify", "--quiet", "MERGE_HEAD").ok


def _show(root: Path, ref: str, rel: str) -> str | None:
    done = git(root, "show", f"{ref}:./{rel}", raw=True)
    return done.output if done.ok else None


def rebase(root: Path, incident_id: str, config: RegisterConfig, now: datetime, *, remote_fetch: bool = True,
           base: str | None = None) -> Rebased:
    """Redo the events this branch appended to ``incident_id`` on ``base`` (default origin/main), in one merge commit."""
    from .edit import Refused, check_text, find_record, replay, write_record
    from .loader import load_text
    from .register import relative
    from .times import zone
    from .verify import default_base

    if not in_git(root):
        return Rebased(refusal="不在 git 仓库中。")
    if merge_in_progress(root):
        return Rebased(refusal="上一次 git merge 还没有完成(文件中可能有 <<<<<<< 冲突标记)。"
                               f"请先运行 git merge --abort 放弃那次合并,再运行 yuqing event rebase {incident_id}。")
    branch = current_branch(root)
    if branch is None or branch == MAIN:
        return Rebased(refusal=f"当前在 {branch or '没有分支名的提交'} 上。本命令在你自己的 update/ 或 incident/ 分支上运行,"
                               f"把该分支追加的事件重做到最新的 {MAIN} 上;在 {MAIN} 上只需 git pull。")
    warnings: list[str] = []
    if remote_fetch:
        problem = fetch(root)
        if problem:
            warnings.append(problem)
    if base is None:
        base, note = default_base(root)
        if base is None:
            return Rebased(refusal=note, warnings=tuple(warnings))
    path = find_record(root, incident_id)
    if path is None:
        return Rebased(refusal=f"找不到事件 {incident_id}。", warnings=tuple(warnings))
    rel = relative(path, root)
    if git(root, "status", "--porcelain", "--", rel).output:
        return Rebased(rel, refusal=f"{rel} 有未提交的改动。请先提交(git commit -- {rel})或放弃这些改动,再运行本命令。",
                       warnings=tuple(warnings))
    if not git(root, "diff", "--cached", "--quiet").ok:
        return Rebased(rel, refusal="暂存区中有尚未提交的改动;请先提交或 git restore --staged 取消暂存,再运行本命令。",
                       warnings=tuple(warnings))
    fork = git(root, "merge-base", "HEAD", base)
    if not fork.ok:
        return Rebased(rel, refusal=f"当前分支与 {base} 没有共同的祖先提交。", warnings=tuple(warnings))
    forked_text, head_text, base_text = (_show(root, ref, rel) for ref in (fork.output, "HEAD", base))
    if forked_text is None:
        return Rebased(rel, base, branch, refusal=f"{incident_id} 是本分支新登记的,不需要重做;若与别人撞号,"
                                                  f"请运行 yuqing renumber {incident_id}。", warnings=tuple(warnings))
    if base_text is None or head_text is None:
        return Rebased(rel, base, branch, refusal=f"{base} 或当前分支上没有 {rel}。", warnings=tuple(warnings))
    if base_text == forked_text:
        return Rebased(rel, base, branch, nothing=f"{base} 上的 {incident_id} 在本分支分叉后没有变化,不需要重做。",
                       warnings=tuple(warnings))
    versions = [load_text(text, rel).data for text in (forked_text, head_text)]
    if not all(isinstance(v, dict) for v in versions):
        return Rebased(rel, base, branch, refusal=f"{rel} 无法解析,请先运行 yuqing check 修正。", warnings=tuple(warnings))
    try:
        edited = replay(base_text, versions[0], versions[1], zone(config.timezone))
    except Refused as why:
        return Rebased(rel, base, branch, refusal=str(why), warnings=tuple(warnings))
    errors = [i for i in check_text(root, rel, edited.text, config, now) if i.severity == "error"]
    if errors:
        shown = ";".join(f"第 {i.line} 行:{i.message}" for i in errors[:3])
        return Rebased(rel, base, branch, refusal=f"重做后的记录未通过检查,未做任何改动:{shown}", warnings=tuple(warnings))
    merged = git(root, "merge", "--no-ff", "--no-commit", base)
    conflicted = set(git(root, "diff", "--name-only", "--diff-filter=U", "--relative").output.split())
    if not merged.ok and (not merge_in_progress(root) or conflicted - {rel}):
        if merge_in_progress(root):
            git(root, "merge", "--abort")
        others = "、".join(sorted(conflicted - {rel})) or merged.output
        return Rebased(rel, base, branch, refusal=f"合并 {base} 时出现了本命令不能处理的问题({others}),已放弃合并,"
                                                  "文件未改动。请联系管理员。", warnings=tuple(warnings))
    write_record(root / rel, edited.text)
    message = f"event rebase: {incident_id} onto {base}"
    added = git(root, "add", "--", rel)
    done = git(root, "commit", "--quiet", "--no-edit", "-m", message) if added.ok else added
    if not done.ok:
        git(root, "merge", "--abort")
        return Rebased(rel, base, branch, refusal=f"未能提交({done.output}),已放弃合并。", warnings=tuple(warnings))
    return Rebased(rel, base, branch, git(root, "rev-parse", "HEAD").output, edited.notes,
                   tuple(warnings) + edited.warnings)
