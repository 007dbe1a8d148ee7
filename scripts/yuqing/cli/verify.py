"""`yuqing verify` (the pull request's checks, locally) and `yuqing hooks install` (run it before every push)."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, fail, resolve_root, root_option


@click.command("verify")
@click.option("--base", metavar="REF", default=None, help="目标分支,默认 origin/main(先获取最新内容,最多等 10 秒)。")
@click.option("--fetch/--no-fetch", default=True, show_default=True, help="核对前先从远程仓库获取最新内容。")
@root_option
def verify_command(base: str | None, fetch: bool, root: Path | None) -> None:
    """推送前核对:在本地运行与合并请求(PR)完全相同的检查。

    依次运行:yuqing check --history --changed-since 目标分支 --main 目标分支(本次改动的文件、迟报提醒),
    yuqing audit --base 目标分支(删除、改名、改写、撞号、需要审批的改动)。
    本地通过,合并请求中的这两步也会通过。退出码:0 通过,1 有问题,2 无法核对。

    \b
    示例:
      yuqing verify
      yuqing verify --base origin/main
      yuqing hooks install     # 以后每次 git push 前自动运行
    """
    from ..gitwork import fetch as bounded_fetch
    from ..gitwork import in_git
    from ..verify import STEPS, default_base
    from . import main

    found = resolve_root(root)
    if not in_git(found):
        fail(f"{found} 不在 git 仓库中,无法核对。")
    if fetch:
        warning = bounded_fetch(found)
        if warning:
            click.echo(f"注意:{warning}", err=True)
    if base is None:
        base, note = default_base(found)
        if base is None:
            fail(note or "")
        if note:
            click.echo(f"注意:{note}", err=True)
    worst = EXIT_OK
    for number, step in enumerate(STEPS, 1):
        argv = step.argv(base)
        click.echo(f"第 {number} 步:{step.title}(yuqing {' '.join(argv)})")
        code = main([*argv, "--root", str(found)])
        if code == EXIT_USAGE:
            fail(f"第 {number} 步无法完成,见上面的提示。")
        worst = max(worst, code)
    from ..gitwork import other_changes
    from ..verify import pending_collisions

    for warning in pending_collisions(found, base):
        click.echo(f"注意:{warning}", err=True)
    pending = [name for name in other_changes(found, []) if name.startswith("incidents/")]
    if pending:
        click.echo(f"注意:{'、'.join(pending[:5])}{' 等' if len(pending) > 5 else ''} 有未提交的改动,"
                   "不会随推送进入合并请求(合并请求只看提交)。", err=True)
    if worst == EXIT_OK:
        click.echo(f"核对通过:与合并请求中的检查相同,可以推送(目标分支 {base})。")
    else:
        click.echo(f"未通过:合并请求中的检查也不会通过。请按上面的提示修正后再推送(目标分支 {base})。")
    raise SystemExit(worst)


@click.group("hooks")
def hooks_group() -> None:
    """git 钩子:yuqing hooks install。"""


@hooks_group.command("install")
@click.option("--force", is_flag=True, help="替换已有的(非 yuqing 的)推送前钩子。")
@root_option
def install_command(force: bool, root: Path | None) -> None:
    """安装推送前检查:写入 .git/hooks/pre-push,每次 git push 前运行 yuqing verify。

    也可用 pre-commit:pre-commit install --hook-type pre-push(见 .pre-commit-config.yaml)。

    \b
    示例:
      yuqing hooks install
    """
    from ..verify import install_hook

    path, message = install_hook(resolve_root(root), force=force)
    if path is None:
        fail(message)
    click.echo(message)
    raise SystemExit(EXIT_OK if path else EXIT_PROBLEMS)


COMMANDS = [verify_command, hooks_group]
