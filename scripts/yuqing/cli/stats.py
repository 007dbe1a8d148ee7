"""`yuqing stats`: counts, timeliness, durations and unit scorecards."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import click

from ._common import EXIT_OK, format_option, judged, now_option, open_register, root_option

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def period_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--since / --until, by discovery time (dates are inclusive)."""
    function = click.option("--until", "until_text", metavar="DATE", default=None,
                            help="统计截止日期(含当日),如 2025-03-31;也可写月份 2025-03、年份 2025 或完整时间。")(function)
    return click.option("--since", "since_text", metavar="DATE", default=None,
                        help="统计起始日期(含当日),按发现时间筛选,如 2025-03-01;也可写月份 2025-03 或年份 2025。")(function)


def parse_bound(text: str | None, tz: Any, *, end: bool, option: str) -> datetime | None:
    """A --since/--until value as an aware time; an end date means the following midnight."""
    if text is None:
        return None
    from ..times import parse_time

    text = text.strip()
    month = _MONTH.match(text)
    year = _YEAR.match(text)
    try:
        if year:  # a whole year: from its first day, or up to its last day included
            return datetime(int(year.group(1)) + (1 if end else 0), 1, 1, tzinfo=tz)
        if month:
            first = date(int(month.group(1)), int(month.group(2)), 1)
            if end:
                first = (first + timedelta(days=32)).replace(day=1)
            return datetime(first.year, first.month, first.day, tzinfo=tz)
        if _DAY.match(text):
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return datetime(day.year, day.month, day.day, tzinfo=tz)
    except ValueError:
        pass
    parsed = parse_time(text, tz)
    if parsed is None:
        raise click.BadParameter(f"“{text}”不是有效日期,应如 2025-03-01、2025-03、2025 或 2025-03-01T08:00:00+08:00。",
                                 param_hint=option)
    return parsed


def bounds(since_text: str | None, until_text: str | None, tz: Any) -> tuple[datetime | None, datetime | None]:
    since = parse_bound(since_text, tz, end=False, option="--since")
    until = parse_bound(until_text, tz, end=True, option="--until")
    if since is not None and until is not None and until < since:
        raise click.BadParameter("截止日期早于起始日期。", param_hint="--until")
    return since, until


@click.command("stats")
@period_options
@click.option("--by", type=click.Choice(("level", "status", "unit", "category", "channel", "month")), default=None,
              help="只看一种分类:等级、状态、责任单位、领域、来源渠道、发现月份(json 总是输出全部)。")
@format_option("text", "json", "csv", "markdown")
@click.option("--exclude-confidential", is_flag=True, help="不计入涉密事件(默认计入:统计仅供内部使用)。")
@root_option
@now_option
def stats_command(since_text: str | None, until_text: str | None, by: str | None, fmt: str,
                  exclude_confidential: bool, root: Path | None, now_text: str | None) -> None:
    """统计:按等级、状态、责任单位、领域、来源渠道、月份计数,时限按时率,处置用时,单位评分。

    撤销登记的事件不计入;--since/--until 按发现时间筛选(日期含当日)。
    按时率 = 按时完成 ÷(按时完成 + 超时完成 + 逾期未办),尚未到期的不计。

    \b
    示例:
      yuqing stats
      yuqing stats --since 2025-03-01 --until 2025-03-31
      yuqing stats --by unit
      yuqing stats --format json --now 2026-11-23T09:00:00+08:00
      yuqing stats --format csv > 统计.csv
    """
    from .. import stats as core
    from ..render.stats import RENDERERS
    from ..times import zone

    register = open_register(root, now_text, records=False)  # what statistics read, from the check cache
    assert register.config is not None and register.now is not None
    since, until = bounds(since_text, until_text, zone(register.config.timezone))
    report = judged(register)
    result = core.compute([d.facts for d in register.derived], report.deadlines, since, until,
                          config=register.config, include_confidential=not exclude_confidential,
                          warnings=report.warnings)
    output = RENDERERS[fmt](result, by)
    click.echo(output, nl=not output.endswith("\n"))
    raise SystemExit(EXIT_OK)


COMMANDS = [stats_command]
