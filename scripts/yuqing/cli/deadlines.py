"""`yuqing deadlines`: every deadline of every incident, with a 信号灯, for people and CI."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..deadlines import STATUS_TEXT, DeadlineReport
from ..model import LEVELS
from ..register import incident_files, relative
from ..render.deadlines import RENDERERS, as_markdown
from ..words import did_you_mean, listing
from ._common import EXIT_OK, EXIT_PROBLEMS, format_option, judged, now_option, open_register, root_option

STATUSES = ("overdue", "due_soon", "pending", "met", "met_late", "unknown")
GROUPS: dict[str, tuple[str, ...]] = {
    "all": STATUSES,
    "attention": ("overdue", "due_soon", "pending", "unknown", "met_late"),
    "live": ("overdue", "due_soon", "pending", "unknown"),
    "missed": ("overdue", "met_late"),
}
"""Names --status accepts besides the six statuses (and their Chinese names)."""

DEFAULT_STATUS = {"json": "all", "text": "attention", "github": "attention", "markdown": "attention"}
"""json lists every applying rule (SPEC section 4); the others hide what was met on time."""

FAIL_ON = {"overdue": ("overdue", "unknown"), "due_soon": ("overdue", "unknown", "due_soon")}
"""Statuses of an open incident's deadline that make --fail-on exit 1. unknown counts:
a deadline that cannot be computed cannot be said to be safe."""


def _statuses(text: str) -> set[str]:
    by_chinese = {v: k for k, v in STATUS_TEXT.items()}
    chosen: set[str] = set()
    for word in (w.strip() for w in text.split(",")):
        if not word:
            continue
        if word in GROUPS:
            chosen.update(GROUPS[word])
        elif word in STATUSES:
            chosen.add(word)
        elif word in by_chinese:
            chosen.add(by_chinese[word])
        else:
            names = [*STATUSES, *GROUPS]
            raise click.BadParameter(f"不认识的状态“{word}”。{did_you_mean(word, names)}可选:{listing(names)}。",
                                     param_hint="--status")
    return chosen


def _check_words(words: tuple[str, ...], allowed: tuple[str, ...], option: str, what: str) -> None:
    for word in words:
        if word not in allowed:
            raise click.BadParameter(f"{what}“{word}”不存在。{did_you_mean(word, allowed)}可选:{listing(allowed)}。",
                                     param_hint=option)


def _write_step_summary(report: DeadlineReport) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(as_markdown(report, heading="舆情时限") + "\n")
    except OSError as error:
        click.echo(f"注意:无法写入作业摘要 {target}:{error}", err=True)


@click.command("deadlines")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@now_option
@click.option("--status", "status_text", metavar="状态", default=None,
              help="只显示这些状态,逗号分隔:overdue 已逾期、due_soon 临期、pending 进行中、met 按时完成、"
                   "met_late 超时完成、unknown 无法计算;或 all 全部、attention 除按时完成外全部、live 未办理的、"
                   "missed 逾期和超时。默认:json 为 all,其他格式为 attention。")
@click.option("--unit", "units", multiple=True, metavar="单位", help="只显示该责任单位的时限(可重复)。")
@click.option("--level", "levels", multiple=True, metavar="等级",
              help="只显示该等级的时限(起算时的等级;可重复)。")
@click.option("--open-only", is_flag=True, help="只看未结束(监测中、处置中)的事件。")
@format_option("text", "json", "github", "markdown")
@click.option("--fail-on", type=click.Choice(tuple(FAIL_ON)), default=None,
              help="未结束的事件有逾期(或临期)时限时退出码为 1;无法计算的时限也算。供定时 CI 使用。")
@root_option
def deadlines_command(paths: tuple[Path, ...], now_text: str | None, status_text: str | None,
                      units: tuple[str, ...], levels: tuple[str, ...], open_only: bool, fmt: str,
                      fail_on: str | None, root: Path | None) -> None:
    """查看各事件的时限及信号灯:🔴 已逾期 🟡 临期 🟢 进行中 ✓ 按时完成 ⚠ 超时完成 ❓ 无法计算。

    按紧急程度排序:未结束事件的逾期、临期时限在前。可只看指定的事件文件或目录
    (PATHS)。--format github 输出 GitHub/Gitea 行内标注,并在设置了
    GITHUB_STEP_SUMMARY 时把表格写入作业摘要。退出码:0 正常,1 --fail-on 条件成立,2 用法错误。

    \b
    示例:
      yuqing deadlines
      yuqing deadlines --status overdue,due_soon --unit 消费者权益保护科
      yuqing deadlines --now 2025-03-02T18:00:00+08:00 --format json
      yuqing deadlines --format github --fail-on overdue      # 定时 CI
      yuqing deadlines --status all incidents/2025/YQ-2025-0007.yml
    """
    register = open_register(root, now_text, records=False)  # deadlines only: from the check cache
    config = register.config
    assert config is not None  # open_register stops on unusable settings
    statuses = _statuses(status_text if status_text is not None else DEFAULT_STATUS[fmt])
    _check_words(units, config.units, "--unit", "单位")
    _check_words(levels, LEVELS, "--level", "等级")
    files = _files(paths, register.root) if paths else None

    now = register.now
    assert now is not None
    report = judged(register)
    chosen = report.select(units=units or None, levels=levels or None, files=files, open_only=open_only)
    shown = chosen.select(statuses)
    click.echo(RENDERERS[fmt](shown))
    if fmt == "github":
        _write_step_summary(shown)
    if fail_on and any(d.incident_open and d.status in FAIL_ON[fail_on] for d in chosen.deadlines):
        raise SystemExit(EXIT_PROBLEMS)
    raise SystemExit(EXIT_OK)


def _files(paths: tuple[Path, ...], root: Path) -> set[str]:
    """Register-relative names of the incident files under ``paths``."""
    found: set[str] = set()
    for path in paths:
        if path.is_dir():
            found.update(relative(p, root) for p in incident_files(root, path))
        else:
            # A file deleted in a pull request is simply not there: nothing to show for it.
            found.add(relative(path, root))
    return found


COMMANDS = [deadlines_command]
