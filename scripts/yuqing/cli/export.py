"""`yuqing export xlsx|csv`: the 舆情台账 for offices that exchange it as a spreadsheet."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._common import EXIT_OK, fail, judged, now_option, open_register, root_option

if TYPE_CHECKING:
    from ..model import Deadline
from .stats import bounds, period_options


@click.command("export")
@click.argument("kind", type=click.Choice(("xlsx", "csv", "json")))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="输出文件;xlsx 默认写入当前目录的“舆情台账.xlsx”,csv 默认输出到屏幕。")
@period_options
@click.option("--include-confidential", is_flag=True, help="包含涉密事件(默认不导出涉密事件)。")
@root_option
@now_option
def export_command(kind: str, out: Path | None, since_text: str | None, until_text: str | None,
                   include_confidential: bool, root: Path | None, now_text: str | None) -> None:
    """导出舆情台账:Excel(舆情台账、明细、时限、统计四个工作表)、CSV(UTF-8 带 BOM)或 JSON。

    json 是供市级汇总(yuqing aggregate)的公开导出:公开事件及其时限,格式见
    schemas/export.schema.json;涉密事件、投诉人姓名从不导出(--include-confidential
    对它无效),站点构建时也写入站点根目录的 export.json。

    “舆情台账”工作表可直接打印上报:标题行、制表单位、制表日期、序号、处置经过、
    评估总结,A4 横向、一页宽、每页重复表头。每起事件一行;撤销登记的事件不导出,
    涉密事件默认不导出。有时限未按时完成的行标色(红:已逾期未办;黄:超时完成)。
    以 =、+、-、@ 开头的文字前加 ' 号,不会被表格软件当作公式执行。

    \b
    示例:
      yuqing export xlsx --out 舆情台账.xlsx
      yuqing export xlsx --since 2025-01-01 --until 2025-12-31 --out 2025年舆情台账.xlsx
      yuqing export csv --out 舆情台账.csv
      yuqing export json --out export.json
    """
    if kind == "json":
        from .export_json import export_json

        export_json(out, root, now_text)
    from .. import stats as core
    from ..export import period_records, streamed_ledger
    from ..render.xlsx import stream_csv, write_csv, write_xlsx
    from ..times import zone

    # From the check cache's derived values; the listed records are read one cache file at a time
    # and their rows wait on disk (a 100,000-record ledger is never held in memory).
    register = open_register(root, now_text, records=False)
    assert register.config is not None and register.now is not None
    tz = zone(register.config.timezone)
    since, until = bounds(since_text, until_text, tz)
    judged_now = judged(register)
    stats = core.compute([d.facts for d in register.derived], judged_now.deadlines, since, until,
                         config=register.config, include_confidential=include_confidential,
                         warnings=judged_now.warnings)
    chosen = period_records(register.derived, since, until, include_confidential=include_confidential)
    deadlines: dict[str, list[Deadline]] = {}
    for d in stats.deadlines:
        deadlines.setdefault(d.incident, []).append(d)
    table, spool = streamed_ledger(register, chosen, deadlines, register.now, stats,
                                   include_confidential=include_confidential,
                                   organization=register.config.organization)
    del deadlines
    if kind == "csv" and out is None:
        stream_csv(table, tz, sys.stdout.buffer)
        spool.close()
        raise SystemExit(EXIT_OK)
    target = out or Path("舆情台账.xlsx")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        (write_xlsx if kind == "xlsx" else write_csv)(table, tz, target)
    except OSError as error:
        fail(f"无法写入 {target}:{error.strerror or error}")
    finally:
        spool.close()
    hidden = "" if include_confidential else "(不含涉密事件)"
    extra = f"、{len(table.deadline_rows)} 项时限" if kind == "xlsx" else ""
    click.echo(f"已导出 {len(table.rows)} 起事件{hidden}{extra}到 {target}")
    raise SystemExit(EXIT_OK)


COMMANDS = [export_command]
