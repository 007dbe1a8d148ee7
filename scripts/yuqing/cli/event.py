"""`yuqing event add`: record an action in one command (the right place in the timeline, level and status too)."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import fail, now_option, root_option
from ._edit import chinese_help, commit_options, open_session, run_change, typed_time


@click.group("event")
@chinese_help
def event_group() -> None:
    """处置经过(timeline)中的事件:yuqing event add。"""


@event_group.command("add")
@chinese_help
@click.argument("incident_id", metavar="编号")
@click.option("--type", "kind", help="事件类型:预警 转办 研判 定级 升级 降级 上报 续报 核报 初步回应 答复 发布权威信息 "
                                     "新闻发布会 媒体采访 网评引导 线下处置 平息 评估总结 归档 更正。")
@click.option("--at", "at_text", metavar="TIME", help="时间,不写时为现在(终端中会提问,回车即现在);补记以前的事写明:8:50、今天 8:50、昨天 20:10、"
                                                 "11-30 8:50、下午3:10、8点50、2026-11-30 8:50。")
@click.option("--by", "unit", help="办理单位(register.yml 的 units 之一)。")
@click.option("--note", help="说明(照录原文即可,# 和冒号都不用转义)。")
@click.option("--level", help="定级、升级、降级时必填:一般 / 敏感 / 重大 / 特别重大。")
@click.option("--url", help="链接(如回应、通报的网址)。")
@click.option("--channel", help="发布渠道(如 市局官方微博)。")
@commit_options
@click.option("--interactive/--no-interactive", default=None, help="缺少参数时逐项提问;默认在终端中运行时提问。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@root_option
@now_option
def add_command(incident_id: str, kind: str | None, at_text: str | None, unit: str | None, note: str | None,
                level: str | None, url: str | None, channel: str | None, do_commit: bool, push_after: bool,
                interactive: bool | None, fmt: str, root: Path | None, now_text: str | None) -> None:
    """在事件的处置经过中追加一条事件,并按事件改等级、状态。

    事件按时间插入到应在的位置(早于最后一条的是补录,会提示需要审批);定级/升级/降级
    改 level,平息改为“已平息”,归档改为“已归档”(重大以上须先 yuqing review),
    监测中的事件第一次有处置动作(转办、上报、回应、答复、线下处置……)时改为“处置中”。
    写入前按 `yuqing check` 检查、按 `yuqing audit` 审核,有错误不写入。文件的注释和格式不变。

    \b
    示例:
      yuqing event add YQ-2026-0018 --type 答复 --at "11-30 10:20" --by 消费者权益保护科 \\
                       --note "已电话答复网民,商家退款" --commit --push
      yuqing event add YQ-2026-0018 --type 升级 --level 重大 --at 9:40 --by 综合应急和新闻宣传科
      yuqing event add YQ-2026-0018        # 在终端中逐项提问
    """
    from ..edit import Refused, add_event, event_record
    from ..model import EVENT_TYPES, GRADING_EVENTS, LEVELS
    from .new import ask_text, choose, url_option

    session = open_session(root, now_text, interactive)
    if not kind:
        if not session.interactive:
            fail("缺少 --type。不在终端中运行时请用参数给出,如 --type 答复。")
        kind = choose("事件类型", EVENT_TYPES)
    at = typed_time(at_text, "--at", session, "时间(如 8:50、昨天 20:10、11-30 8:50)", default_now=True)
    if session.interactive:
        if kind in GRADING_EVENTS and not level:
            level = choose("等级", LEVELS)
        if unit is None:
            unit = choose("办理单位", session.config.units)
        if note is None:
            note = ask_text("说明(可不填)", optional=True) or None
    url = url_option(url)
    if level is not None and level not in LEVELS:
        fail(f"等级“{level}”无效。可选:{' / '.join(LEVELS)}。")
    if unit is not None and unit not in session.config.units:
        from ..words import did_you_mean

        fail(f"办理单位“{unit}”不在 register.yml 的 units 中。{did_you_mean(unit, session.config.units)}")
    try:
        record = event_record(kind, at, session.config, by=unit, level=level, channel=channel, url=url, note=note)
    except Refused as why:
        fail(str(why))
    shown = at.astimezone(session.tz).strftime("%Y-%m-%d %H:%M")
    run_change(session, incident_id, lambda text, data: add_event(text, data, record, session.tz),
               message=f"{incident_id}: 追加事件 {kind}", do_commit=do_commit, push_after=push_after, fmt=fmt,
               done_text=f"已在 {incident_id} 的处置经过中追加:{kind} {shown}" + (f"({unit})" if unit else ""))


@event_group.command("rebase")
@chinese_help
@click.argument("incident_id", metavar="编号")
@click.option("--base", metavar="REF", default=None, help="目标分支,默认 origin/main(先获取最新内容,最多等 10 秒)。")
@click.option("--fetch/--no-fetch", default=True, show_default=True, help="先从远程仓库获取最新内容。")
@root_option
@now_option
def rebase_command(incident_id: str, base: str | None, fetch: bool, root: Path | None, now_text: str | None) -> None:
    """别人同时在这个事件上追加了事件时:在最新的 main 上重做本分支追加的事件。

    取目标分支(origin/main)上该记录的最新版本,把本分支追加的事件(以及评估总结、撤销)
    按时间重新追加进去,检查通过后作为“合并目标分支”的一次提交写入本分支;不会产生
    git 冲突,也不需要强制推送。之后运行 yuqing verify,再 git push。

    \b
    示例:
      yuqing event rebase YQ-2026-0019
    """
    from ..rebase import rebase
    from ._common import EXIT_OK

    session = open_session(root, now_text, False)
    done = rebase(session.root, incident_id, session.config, session.now, remote_fetch=fetch, base=base)
    for warning in done.warnings:
        click.echo(f"注意:{warning}", err=True)
    if done.refusal:
        fail(done.refusal)
    if done.nothing:
        click.echo(done.nothing)
        raise SystemExit(EXIT_OK)
    click.echo(f"已在 {done.base} 的最新版本上重做 {incident_id}({done.rel}):")
    for note in done.notes:
        click.echo(f"  {note}")
    click.echo(f"已提交“event rebase: {incident_id} onto {done.base}”(合并了 {done.base},只改动这个文件)。")
    click.echo("下一步:")
    click.echo("  1. 核对:yuqing verify")
    click.echo(f"  2. 推送:git push -u origin {done.branch}(原来的合并请求随之更新,不必重开)")
    raise SystemExit(EXIT_OK)


COMMANDS = [event_group]
