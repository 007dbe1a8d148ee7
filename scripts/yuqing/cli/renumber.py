"""`yuqing renumber`: move a record that collided with someone else's registration to the next free id."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import EXIT_OK, fail, now_option, root_option
from ._edit import chinese_help


@click.command("renumber")
@chinese_help
@click.argument("old_id", metavar="原编号")
@click.argument("new_id", metavar="[新编号]", required=False)
@click.option("--fetch/--no-fetch", default=True, show_default=True, help="先从远程仓库获取最新内容(最多等 10 秒)。")
@root_option
@now_option
def renumber_command(old_id: str, new_id: str | None, fetch: bool, root: Path | None, now_text: str | None) -> None:
    """撞号时改号:把本分支新登记的事件改为下一个空闲编号(文件名和 id 一起改),一次提交。

    两人同时登记拿到同一编号时,后推送的一方运行本命令,再合并目标分支、推送,不会冲突。
    已在 main 上登记的事件不能改号。提交说明固定为“renumber: 原编号 -> 新编号”。

    \b
    示例:
      yuqing renumber YQ-2026-0019              # 改为下一个空闲编号
      yuqing renumber YQ-2026-0019 YQ-2026-0021
    """
    from ..gitwork import current_branch, git
    from ..ids import renumber
    from ._edit import open_session

    session = open_session(root, now_text, False)
    unfinished = _unfinished_merge(session.root, old_id)
    if unfinished:
        fail(unfinished)
    old_branch = current_branch(session.root)
    done = renumber(session.root, old_id, new_id, session.config, session.now, fetch=fetch)
    for warning in done.warnings:
        click.echo(f"注意:{warning}", err=True)
    if done.refusal:
        fail(done.refusal)
    click.echo(f"已改号 {old_id} → {done.new_id}:{done.old_rel} → {done.new_rel}")
    if done.commit:
        click.echo(f"已提交“renumber: {old_id} -> {done.new_id}”(只含这个文件)。")
        click.echo("下一步:")
        click.echo("  1. 合并目标分支的最新内容(不会冲突):git fetch origin && git merge origin/main")
        click.echo("  2. 核对:yuqing verify")
        click.echo(f"  3. 推送:git push -u origin {done.branch}" if done.branch else "  3. 推送当前分支:git push -u origin HEAD")
        if old_branch and done.branch and old_branch != done.branch:
            click.echo(f"  4. 分支已由 {old_branch} 改名为 {done.branch}:原分支上已开的合并请求(PR)不会随之更新。"
                       f"请从新分支 {done.branch} 重新发起合并请求,并关闭原分支的那个合并请求。")
            if git(session.root, "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{old_branch}").ok:
                click.echo(f"     远程仓库上还有原分支,关闭原合并请求后删除它:git push origin --delete {old_branch}")
    raise SystemExit(EXIT_OK)


def _unfinished_merge(root: Path, incident_id: str) -> str | None:
    """Why renumbering cannot start: a merge left half-done (MERGE_HEAD, conflict markers in the record)."""
    from ..edit import find_record, read_record
    from ..rebase import merge_in_progress
    from ..slips import conflict_marker

    path = find_record(root, incident_id)
    marker = conflict_marker(path.name, read_record(path).splitlines()) if path is not None else None
    if not merge_in_progress(root) and marker is None:
        return None
    where = f"{path.name} 第 {marker.line} 行有 git 合并冲突标记(<<<<<<< 等)," if path is not None and marker else ""
    return (f"上一次 git merge 还没有完成,{where}这时不能改号。请按顺序:\n"
            "  1. 放弃这次合并:git merge --abort\n"
            f"  2. 改号:yuqing renumber {incident_id}\n"
            "  3. 再合并目标分支(这次不会冲突):git fetch origin && git merge origin/main\n"
            "  4. 核对:yuqing verify\n"
            "  5. 推送:git push -u origin HEAD")


COMMANDS = [renumber_command]
