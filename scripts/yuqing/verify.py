"""`yuqing verify`: the pull request's gate, run locally before pushing.

The steps are the ones `.github/workflows/pr.yml` runs (tests/test_verify.py
holds the two to each other): check the changed files with their history,
then audit the change against the target branch. Locally the target is
``origin/main`` after a bounded fetch, so what passes here passes there
(except that CI judges with the target branch's own copy of yuqing).
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .gitwork import git

HOOK_MARK = "# yuqing: pre-push"


@dataclass(frozen=True)
class Step:
    title: str
    """Chinese, as the workflow names the step."""
    args: tuple[str, ...]
    """``yuqing`` arguments; ``{base}`` stands for the target branch."""

    def argv(self, base: str) -> list[str]:
        return [a.replace("{base}", base) for a in self.args]


STEPS = (
    # --main: a record counts as registered when it reaches the target branch.
    Step("检查本次改动的事件文件与迟报", ("check", "--history", "--changed-since", "{base}", "--main", "{base}")),
    Step("审核改动(变更策略)", ("audit", "--base", "{base}")),
)


def default_base(root: Path) -> tuple[str | None, str | None]:
    """(target ref, Chinese note): ``origin/main`` when there is one, else local ``main``."""
    for ref in ("origin/main", "main"):
        if git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").ok:
            note = None if ref == "origin/main" else "没有 origin/main(未设置远程仓库或从未获取),改与本地 main 比较。"
            return ref, note
    return None, "找不到 origin/main 或 main 分支,无法核对;请指定 --base。"


def hook_text(root: Path) -> str:
    """The pre-push hook: `yuqing verify` in the register's folder; `git push --no-verify` skips it."""
    prefix = git(root, "rev-parse", "--show-prefix").output.rstrip("/")
    beside = Path(sys.executable).parent / "yuqing"
    program = str(beside) if beside.exists() else (shutil.which("yuqing") or "yuqing")
    folder = f'"$(git rev-parse --show-toplevel)/{prefix}"' if prefix else '"$(git rev-parse --show-toplevel)"'
    return "\n".join([
        "#!/bin/sh",
        HOOK_MARK,
        "# 推送前运行与合并请求相同的检查(yuqing verify);由 `yuqing hooks install` 写入。",
        "# 确需跳过时:git push --no-verify(合并请求中仍会检查)。",
        f"cd {folder} || exit 1",
        f"YUQING='{program}'",
        '[ -x "$YUQING" ] || YUQING=yuqing',
        'exec "$YUQING" verify',
        "",
    ])


def install_hook(root: Path, *, force: bool = False) -> tuple[Path | None, str]:
    """Write ``.git/hooks/pre-push``; (path, Chinese message). Another tool's hook is kept unless ``force``."""
    where = git(root, "rev-parse", "--git-path", "hooks/pre-push")
    if not where.ok:
        return None, "不在 git 仓库中,无法安装推送前检查。"
    path = Path(where.output)
    if not path.is_absolute():
        path = root / path
    if path.exists() and HOOK_MARK not in path.read_text(encoding="utf-8", errors="replace") and not force:
        return None, f"{path} 已有别的推送前钩子,未覆盖;确需替换请加 --force。"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(hook_text(root), encoding="utf-8")
    path.chmod(0o755)
    return path, f"已安装推送前检查:{path}。以后每次 git push 前自动运行 yuqing verify,未通过时不推送。"


def pending_collisions(root: Path, base: str, remote: str = "origin") -> list[str]:
    """Chinese warnings: another unmerged pull-request branch on the remote (``ids.PENDING_PREFIXES``)
    adds a record with an id this branch adds too (the audit only sees the target branch, not pull requests).
    """
    from .gitwork import current_branch
    from .ids import added_records, pending_records

    mine = added_records(root, base, "HEAD")
    if not mine:
        return []
    here = current_branch(root)
    upstream = git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}").output
    warnings = []
    for ref, records in pending_records(root, base, remote=remote, skip=(upstream, f"{remote}/{here}")).items():
        for incident_id, rel in records.items():
            if incident_id in mine:
                warnings.append(f"远程分支 {ref} 也新增了编号 {incident_id}({rel}),尚未合并到目标分支:有人同时登记了同一编号。"
                                f"先合并的一方不用改;另一方须改号:yuqing renumber {incident_id},"
                                "再 git fetch origin && git merge origin/main,yuqing verify,推送。请与对方确认由谁改号。")
    return warnings
