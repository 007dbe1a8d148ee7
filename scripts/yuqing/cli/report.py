"""`yuqing report weekly|monthly|quarterly|annual`: 舆情周报, 月度评估, 舆情季度评估, 年度自查报告."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from ._common import EXIT_OK, fail, now_option, open_register, root_option


@click.command("report")
@click.argument("kind", type=click.Choice(("weekly", "monthly", "quarterly", "annual")))
@click.option("--period", metavar="PERIOD", default=None,
              help="周 2025-W10、月 2025-03、季度 2025-Q1 或年 2025;默认为“现在”之前最近一个完整的周/月/季度/年。")
@click.option("--format", "fmt", type=click.Choice(("markdown", "docx")), default="markdown", show_default=True,
              help="输出格式:Markdown,或符合公文格式的 Word 文档。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写入文件;Markdown 默认输出到屏幕,docx 默认写入当前目录的 <类型>-<期间>.docx。")
@click.option("--exclude-confidential", is_flag=True, help="不计入涉密事件(默认计入:报告供内部使用)。")
@root_option
@now_option
def report_command(kind: str, period: str | None, fmt: str, out: Path | None, exclude_confidential: bool,
                   root: Path | None, now_text: str | None) -> None:
    """生成舆情周报(weekly)、月度评估(monthly)、舆情季度评估(quarterly)或年度自查报告(annual)。

    数字全部取自台账;只有人能写的内容(研判意见、存在问题的原因、下一步安排等)
    取自 docs/reports/<类型>-<期间>.md(如 docs/reports/annual-2025.md,
    按“## 一、制度机制建立情况”等标题分节),没有时标注【待填写:……】。
    docx 按公文格式排版,表格跨页重复表头,文末落款(单位、日期)。
    报告中的文字一律按原样显示,不会变成链接、图片或网页代码。

    \b
    示例:
      yuqing report weekly                          # 上一个完整的周
      yuqing report monthly --period 2026-10
      yuqing report quarterly --period 2026-Q3 --format docx
      yuqing report annual --period 2025 --format docx --out 2025年自查报告.docx
    """
    from ..reports import PeriodError, make

    # From the check cache's derived values: only the records the period needs are read.
    try:
        # The register is make's alone: it lets the derived values go once it has chosen the records.
        report = make(open_register(root, now_text, records=False), kind, period,
                      include_confidential=not exclude_confidential)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    for warning in report.warnings:
        click.echo(f"注意:{warning}", err=True)
    if fmt == "markdown":
        text = report.to_markdown()
        if out is None:
            click.echo(text, nl=False)
        else:
            _write(out, lambda path: path.write_text(text, encoding="utf-8"))
            click.echo(f"已写入 {out}")
        raise SystemExit(EXIT_OK)
    from ..render.docx import write

    target = out or Path(f"{kind}-{report.period}.docx")
    _write(target, lambda path: write(report, path))
    click.echo(f"已写入 {target}")
    raise SystemExit(EXIT_OK)


def _write(path: Path, writer: Callable[[Path], object]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer(path)
    except OSError as error:
        fail(f"无法写入 {path}:{error.strerror or error}")


COMMANDS = [report_command]
