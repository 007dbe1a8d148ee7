"""`yuqing notify`: send the deadlines that turned red (and a digest at set times) to the duty group's robot."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, fail, judged, now_option, open_register, root_option


@click.command("notify")
@click.option("--to", "robot", type=click.Choice(["wecom", "dingtalk", "feishu"]), default=None,
              help="群机器人:wecom 企业微信、dingtalk 钉钉、feishu 飞书;默认取 YUQING_ROBOT 或 register.yml 的 notify.robot。")
@click.option("--webhook", default=None, help="机器人的网址(Webhook);默认取环境变量 YUQING_WEBHOOK。")
@click.option("--secret", default=None, help="加签密钥(钉钉、飞书);默认取环境变量 YUQING_WEBHOOK_SECRET。")
@click.option("--since", "since_text", default=None, metavar="时长",
              help="只发这段时间内新变为逾期、临期的时限,如 30、30m、2h;默认为定时检查的上一个时段"
                   "(按 notify.interval_minutes 和 offset_minutes 对齐,如 08:05–08:35)。")
@click.option("--digest", "digest_text", default=None, metavar="时刻",
              help="工作日这些时刻另发全部未办结时限的汇总,如 08:30,14:00;默认取 notify.digest;空字符串表示不发。")
@click.option("--dry-run", is_flag=True,
              help="只打印要发送的消息(JSON,标准输出)和带签名的网址(标准错误,网址中的 key 隐去),不发送。")
@root_option
@now_option
def notify_command(robot: str | None, webhook: str | None, secret: str | None, since_text: str | None,
                   digest_text: str | None, dry_run: bool, root: Path | None, now_text: str | None) -> None:
    """把新逾期、临期的时限发到值班群(企业微信、钉钉、飞书群机器人)。

    无状态:每次只发定时检查的上一个时段(如 08:05–08:35,运行晚了也按所属时段)内新变为
    逾期或临期的时限,所以每项只提醒一次;这段时间内登记(或修改)的事件若已有逾期时限,
    作为“新登记即已逾期”提醒一次;工作日的汇总时刻另发一份全部未办结时限的汇总。每条消息带台账
    名称(钉钉关键词),按字节上限拆分,每分钟最多 20 条。涉密事件只发编号,不发标题。
    退出码:0 已发送或没有要发的,1 机器人返回错误或无法连接,2 用法错误。

    \b
    示例:
      yuqing notify --to wecom --dry-run
      YUQING_WEBHOOK=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… yuqing notify --to wecom
      yuqing notify --to dingtalk --since 30m --digest 08:30,14:00 --now 2026-11-30T08:30:00+08:00
    """
    from ..calendar import CalendarGap, WorkCalendar
    from ..notify import (ROBOTS, changed_records, masked, messages, parse_digest, parse_since, request, sections, select, send,
                          window)
    from ..times import zone

    # Deadlines from the check cache's derived values: no record is read whole.
    register = open_register(root, now_text, records=False)
    config = register.config
    assert config is not None and register.now is not None
    now = register.now
    robot = robot or os.environ.get("YUQING_ROBOT") or config.notify.robot
    if robot not in ROBOTS:
        fail("请用 --to 指定群机器人:wecom、dingtalk 或 feishu(或在 register.yml 的 notify.robot 中设置)。")
    webhook = webhook or os.environ.get("YUQING_WEBHOOK", "")
    secret = secret or os.environ.get("YUQING_WEBHOOK_SECRET") or None
    if not webhook and not dry_run:
        fail("没有机器人网址:请用 --webhook 给出,或设置环境变量 YUQING_WEBHOOK(CI 中放在密钥里)。")
    end = now
    if since_text is None:  # the schedule's slot, not the run's clock: a late start repeats and loses nothing
        start, end = window(now, config.notify.interval_minutes, config.notify.offset_minutes)
        since = end - start
    else:
        parsed = parse_since(since_text)
        if parsed is None:
            fail(f"--since“{since_text}”不是有效时长,应如 30、30m、2h、1d。")
        since = parsed
    digest = parse_digest(digest_text) if digest_text is not None else parse_digest(",".join(config.notify.digest))
    if digest is None:
        fail(f"--digest“{digest_text}”应为逗号分隔的 时:分,如 08:30,14:00。")
    tz = zone(config.timezone)
    calendar = WorkCalendar.from_config(config)

    def workday(moment: object) -> bool:
        try:
            return calendar.is_workday(moment.astimezone(tz).date())  # type: ignore[attr-defined]
        except CalendarGap:
            return moment.astimezone(tz).weekday() < 5  # type: ignore[attr-defined]

    report = judged(register)
    arrived = changed_records(register.root, end - since, end)
    chosen = select(report.deadlines, config, end.astimezone(tz), since, digest, workday, arrived)
    hidden = frozenset(d.id for d in register.derived if d.facts.confidential)
    items = messages(robot, config, sections(chosen, now, tz, hidden, config.notify.max_items), now, tz)
    if not items:
        click.echo("没有新逾期、临期的时限,也不是汇总时刻:不发送。")
        raise SystemExit(EXIT_OK)
    if dry_run:
        for title, text in items:
            url, body = request(robot, webhook, secret, title, text, now.timestamp())
            if url:  # the signed address (key masked) on stderr; stdout stays one JSON payload a line
                click.echo(f"POST {masked(url)}", err=True)
            click.echo(json.dumps(body, ensure_ascii=False))
        raise SystemExit(EXIT_OK)
    problems = send(robot, webhook, secret, items)
    for problem in problems:
        click.echo(f"错误:{problem}", err=True)
    sent = len(items) - len(problems)
    click.echo(f"已向{ROBOTS[robot].name}群发送 {sent} 条消息" + (f",{len(problems)} 条未发出。" if problems else "。"))
    raise SystemExit(EXIT_PROBLEMS if problems else EXIT_OK)


COMMANDS = [notify_command]
