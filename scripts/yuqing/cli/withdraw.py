"""`yuqing withdraw`: mark a record registered in error (or a duplicate) as withdrawn; the file stays."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import fail, now_option, root_option
from ._edit import chinese_help, commit_options, open_session, run_change


@click.command("withdraw")
@chinese_help
@click.argument("incident_id", metavar="编号")
@click.option("--reason", help="撤销原因,如 误登、与 YQ-2026-0012 重复。")
@click.option("--duplicate-of", "duplicate_of", metavar="编号", help="重复登记时:保留的那个事件的编号。")
@commit_options
@click.option("--interactive/--no-interactive", default=None, help="缺少原因时提问;默认在终端中运行时提问。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@root_option
@now_option
def withdraw_command(incident_id: str, reason: str | None, duplicate_of: str | None, do_commit: bool,
                     push_after: bool, interactive: bool | None, fmt: str, root: Path | None,
                     now_text: str | None) -> None:
    """撤销误登或重复登记的事件:写入 withdrawn(时间为现在),文件保留。

    撤销的事件仍在台账中(显示为已撤销),不计入时限和统计。撤销需要审批人同意。

    \b
    示例:
      yuqing withdraw YQ-2026-0019 --reason "与 YQ-2026-0018 重复" --duplicate-of YQ-2026-0018 --commit
    """
    from ..edit import local_time, withdraw
    from .new import ask_text

    session = open_session(root, now_text, interactive)
    if not reason:
        if not session.interactive:
            fail("缺少 --reason(撤销原因)。")
        reason = ask_text("撤销原因")
    if duplicate_of is not None:
        from ..edit import find_record, record_ids
        from ..words import did_you_mean

        if duplicate_of == incident_id:
            fail("--duplicate-of 不能是本事件自己的编号。")
        if find_record(session.root, duplicate_of) is None:
            fail(f"--duplicate-of:找不到事件 {duplicate_of}。{did_you_mean(duplicate_of, record_ids(session.root))}")
    at = local_time(session.now, session.config)
    run_change(session, incident_id, lambda text, data: withdraw(text, data, at, reason, duplicate_of),
               message=f"{incident_id}: 撤销", do_commit=do_commit, push_after=push_after, fmt=fmt,
               done_text=f"已撤销 {incident_id}:{reason}")


COMMANDS = [withdraw_command]
