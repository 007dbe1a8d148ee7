"""`yuqing correct`: correct a recorded event by appending a 更正 event that names it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._common import fail, now_option, root_option
from ._edit import chinese_help, commit_options, open_session, run_change, typed_time

if TYPE_CHECKING:
    from ..edit import Edited


@click.command("correct")
@chinese_help
@click.argument("incident_id", metavar="编号")
@click.option("--event", "number", type=int, help="要更正的是第几条事件(从 1 数起,按处置经过的顺序)。")
@click.option("--note", help="更正的内容,如 时间应为 10:20。")
@click.option("--at", "at_text", metavar="TIME", help="更正的时间,默认现在。")
@click.option("--by", "unit", help="更正单位(可选)。")
@commit_options
@click.option("--interactive/--no-interactive", default=None, help="缺少参数时提问;默认在终端中运行时提问。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@root_option
@now_option
def correct_command(incident_id: str, number: int | None, note: str | None, at_text: str | None, unit: str | None,
                    do_commit: bool, push_after: bool, interactive: bool | None, fmt: str, root: Path | None,
                    now_text: str | None) -> None:
    """更正已记录的事件:追加一条“更正”事件,说明写成“更正第 N 条(类型,时间):…”。

    已记录的事件不改不删(审核不允许);已归档的事件也可以这样更正。

    \b
    示例:
      yuqing correct YQ-2026-0018 --event 3 --note "答复时间应为 10:20,不是 10:02" --commit
    """
    from ..edit import Refused, add_event, correction_note, event_record
    from .new import ask_text

    session = open_session(root, now_text, interactive)
    if number is None or not note:
        if not session.interactive:
            fail("缺少 --event(第几条)或 --note(更正内容)。")
        number = number or int(click.prompt("更正第几条事件(从 1 数起)", type=int, err=True))
        note = note or ask_text("更正内容")
    at = typed_time(at_text, "--at", session, "", ask=False) if at_text else session.now
    message = f"{incident_id}: 追加事件 更正"
    wanted = number

    def change(text: str, data: dict[str, Any]) -> Edited:
        record = event_record("更正", at, session.config, by=unit, note=correction_note(data, wanted, note or "", session.tz))
        return add_event(text, data, record, session.tz)

    try:
        run_change(session, incident_id, change, message=message, do_commit=do_commit, push_after=push_after,
                   fmt=fmt, done_text=f"已在 {incident_id} 的处置经过中追加更正(第 {number} 条)")
    except Refused as why:  # pragma: no cover - apply turns Refused into a message
        fail(str(why))


COMMANDS = [correct_command]
