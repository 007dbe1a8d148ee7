"""The few git steps staff commands take: a bounded fetch, a unique branch, a commit of one file, a push.

Every step returns a Chinese reason instead of raising; network steps have a
bounded wait, so a clerk offline is told so within seconds and can go on
with what the clone already knows.
"""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

FETCH_SECONDS = 10
PUSH_SECONDS = 30
MAIN = "main"


@dataclass(frozen=True)
class Done:
    ok: bool
    output: str = ""
    """stdout when ok, else a Chinese reason."""


def git(root: Path, *args: str, timeout: float = 60, raw: bool = False) -> Done:
    """Run one git command under ``root``; never raises."""
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=timeout,
                              env=_quiet_env())
    except subprocess.TimeoutExpired:
        return Done(False, f"{int(timeout)} 秒内没有完成")
    except OSError as error:
        return Done(False, f"无法运行 git:{error.strerror or error}")
    if done.returncode != 0:
        return Done(False, _first_line(done.stderr) or f"git {args[0]} 失败")
    return Done(True, done.stdout if raw else done.stdout.strip())


def _quiet_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.setdefault("GIT_TERMINAL_PROMPT", "0")  # never wait for a password on the terminal
    return env


def _first_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith("hint:")]
    return (useful or lines or [""])[0]


def in_git(root: Path) -> bool:
    return git(root, "rev-parse", "--is-inside-work-tree").ok


def has_remote(root: Path, remote: str = "origin") -> bool:
    return git(root, "remote", "get-url", remote).ok


def fetch(root: Path, remote: str = "origin", seconds: float = FETCH_SECONDS) -> str | None:
    """``git fetch remote`` with a bounded wait; a Chinese warning when it did not happen."""
    if not has_remote(root, remote):
        return f"没有远程仓库 {remote},只按本地已知的情况处理。"
    done = git(root, "fetch", "--quiet", remote, timeout=seconds)
    if not done.ok:
        return (f"无法从远程仓库 {remote} 获取最新内容({done.output});可能未联网。"
                "先按本地已知的情况继续,联网后推送时会再核对。")
    return None


def current_branch(root: Path) -> str | None:
    done = git(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    return done.output if done.ok else None


def unique_branch(kind: str, incident_id: str) -> str:
    """``<kind>/<id>-<6 hex>``: two clerks never pick the same branch name."""
    return f"{kind}/{incident_id}-{secrets.token_hex(3)}"


def switch_new(root: Path, branch: str) -> str | None:
    """Create ``branch`` at HEAD and switch to it (uncommitted edits come along, untouched)."""
    done = git(root, "switch", "--quiet", "-c", branch)
    return None if done.ok else f"无法创建分支 {branch}:{done.output}"


def commit_only(root: Path, paths: list[str], message: str) -> Done:
    """Commit exactly ``paths`` (added, changed or removed) with ``message``; the index's other entries stay."""
    added = git(root, "add", "-A", "--", *paths)
    if not added.ok:
        return Done(False, f"无法暂存:{added.output}")
    done = git(root, "commit", "--quiet", "--only", "-m", message, "--", *paths)
    if not done.ok:
        if "user.email" in done.output or "identity" in done.output.lower() or "tell me who you are" in done.output.lower():
            return Done(False, "git 还不知道你是谁:请先运行 git config user.name \"姓名\" 和 git config user.email \"邮箱\"。")
        return Done(False, f"提交失败:{done.output}")
    return Done(True, git(root, "rev-parse", "HEAD").output)


def other_changes(root: Path, paths: list[str]) -> list[str]:
    """Uncommitted changes outside ``paths`` (left alone by our commits; named to the clerk)."""
    done = git(root, "status", "--porcelain", "-z", "--untracked-files=all", "--", ".", raw=True)
    if not done.ok:
        return []
    prefix = git(root, "rev-parse", "--show-prefix").output
    names = []
    for entry in done.output.split("\0"):
        if len(entry) > 3 and entry[:2] != "  ":
            name = entry[3:]
            names.append(name[len(prefix):] if prefix and name.startswith(prefix) else name)
    return sorted(n for n in names if n not in paths)


def push(root: Path, branch: str, remote: str = "origin", seconds: float = PUSH_SECONDS) -> str | None:
    """``git push -u remote branch`` with a bounded wait; a Chinese reason when it failed."""
    if not has_remote(root, remote):
        return f"没有远程仓库 {remote},无法推送。"
    done = git(root, "push", "--quiet", "-u", remote, branch, timeout=seconds)
    if done.ok:
        return None
    return (f"推送失败({done.output})。可能未联网或没有权限;联网后运行 git push -u {remote} {branch}。"
            "如提示编号已被占用,运行 `yuqing verify` 查看原因。")


@dataclass(frozen=True)
class BranchPlan:
    """Where a staff command's commit goes: a new branch, the current one, or nowhere (why)."""

    create: str | None = None
    stay: str | None = None
    refusal: str | None = None
    warning: str | None = None

    @property
    def branch(self) -> str | None:
        return self.create or self.stay


def plan_update_branch(root: Path, incident_id: str, *, fetch_first: bool = True) -> BranchPlan:
    """Decide, before anything is written, where ``--commit`` will commit a change to ``incident_id``.

    On ``main``: a new branch ``update/<id>-<6 hex>`` from it (refused when
    ``main`` is behind ``origin/main``: the update would be based on an old
    version of the record). On a branch whose name holds the id (the record's
    own ``incident/…`` or ``update/…`` branch): that branch, so the same pull
    request grows. Anywhere else: refused, with what to do.
    """
    if not in_git(root):
        return BranchPlan(refusal="不在 git 仓库中,无法使用 --commit。")
    current = current_branch(root)
    if current is not None and current != MAIN and incident_id in current:
        warning = fetch(root) if fetch_first else None
        return BranchPlan(stay=current, warning=warning or _changed_on_main(root, incident_id))
    if current != MAIN:
        where = f"分支 {current} " if current else "一个没有分支名的提交(detached HEAD)"
        return BranchPlan(refusal=f"当前在{where}上,它不是 {incident_id} 的分支。请先 git switch {MAIN} 并 git pull,"
                                  "再运行本命令(会自动新建 update/ 分支);或不加 --commit,自行提交。")
    warning = fetch(root) if fetch_first else None
    if warning is None and git(root, "rev-parse", "--verify", "--quiet", f"origin/{MAIN}").ok:
        behind = git(root, "rev-list", "--count", f"{MAIN}..origin/{MAIN}")
        if behind.ok and behind.output not in ("", "0"):
            return BranchPlan(refusal=f"本地 {MAIN} 落后于远程 origin/{MAIN}({behind.output} 个提交),"
                                      f"记录可能不是最新的。请先运行 git pull,再追加。")
    return BranchPlan(create=unique_branch("update", incident_id), warning=warning)


def _changed_on_main(root: Path, incident_id: str) -> str | None:
    """A warning when origin/main changed the record after this branch forked (someone else's event)."""
    from .edit import find_record
    from .register import relative

    path = find_record(root, incident_id)
    base = f"origin/{MAIN}"
    fork = git(root, "merge-base", "HEAD", base)
    if path is None or not fork.ok:
        return None
    rel = relative(path, root)
    forked, latest = (git(root, "rev-parse", "--verify", "--quiet", f"{ref}:./{rel}") for ref in (fork.output, base))
    if not forked.ok or not latest.ok or forked.output == latest.output:
        return None
    return (f"{base} 上的 {incident_id} 在本分支分叉后有人改过(可能同时追加了事件)。本次仍提交到本分支;"
            f"提交后请运行 yuqing event rebase {incident_id}(在最新的 main 上重做本分支的事件),再 yuqing verify、推送。")


@dataclass(frozen=True)
class Committed:
    branch: str | None
    commit: str | None
    left_alone: tuple[str, ...] = ()
    problem: str | None = None
    pushed: bool = False
    push_problem: str | None = None


def commit_to(root: Path, plan: BranchPlan, paths: list[str], message: str, *, push_after: bool) -> Committed:
    """Carry out ``plan``: switch if needed, commit exactly ``paths``, push when asked."""
    if plan.create is not None:
        problem = switch_new(root, plan.create)
        if problem is not None:
            return Committed(None, None, problem=problem)
    done = commit_only(root, paths, message)
    if not done.ok:
        return Committed(plan.branch, None, problem=done.output)
    left = tuple(other_changes(root, paths))
    if not push_after or plan.branch is None:
        return Committed(plan.branch, done.output, left)
    problem = push(root, plan.branch)
    return Committed(plan.branch, done.output, left, pushed=problem is None, push_problem=problem)
