"""`yuqing import`: a monitoring platform's or 12345 export -> 预警 events and draft records (all or nothing)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, fail, now_option, root_option


class _Bar:
    """click's progress bar on stderr, only for a person at a terminal; started when the row count is known."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.step = ""
        self.done = 0

    def __call__(self, step: str, done: int, total: int) -> None:
        if step != self.step:  # one bar per step: reading the rows, writing the records, checking them
            self.close()
            self.bar = click.progressbar(length=total, label=step, file=sys.stderr)
            self.bar.__enter__()
            self.step, self.done = step, 0
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", metavar="NAME", help="导入方案名(见 import-profiles/ 与内置的 monitoring、12345);默认按表头自动选择。")
@click.option("--as", "mode", type=click.Choice(["drafts", "warnings"]), default="drafts", show_default=True,
              help="drafts:台账中没有的新建为草稿事件(一般、监测中),已有的追加“预警”事件;"
                   "warnings:只给已有事件追加“预警”,新的只列出、不登记。")
@click.option("--since", "since_text", metavar="TIME", help="只导入此时刻及以后发布的行,如 11-30 8:00、昨天 18:00。")
@click.option("--min-reach", type=click.IntRange(min=0), help="只导入阅读、评论、点赞、转发数之和不少于 N 的行。")
@click.option("--sentiment", metavar="WORD", help="只导入该情感倾向的行,如 负面(负向、消极 同义)。")
@click.option("--discovered-at", "discovered_text", metavar="TIME",
              help="新事件的发现时间和“预警”事件的时间,默认现在;可写 8:50、今天 8:50、11-30 8:50。")
@click.option("--dry-run", is_flag=True, help="只列出将要写入的内容,不写入。")
@click.option("--commit", "do_commit", is_flag=True,
              help="在 main 上新建分支 import/<日期>,写入并把全部改动作为一个提交(之后推送、发起合并请求)。")
@click.option("--fetch/--no-fetch", default=True, show_default=True,
              help="分配编号前先从远程仓库获取最新内容(最多等 10 秒)。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式。")
@root_option
@now_option
def import_command(file: Path, profile: str | None, mode: str, since_text: str | None, min_reach: int | None,
                   sentiment: str | None, discovered_text: str | None, dry_run: bool, do_commit: bool, fetch: bool,
                   fmt: str, root: Path | None, now_text: str | None) -> None:
    """导入监测平台或 12345 的导出(xlsx / csv):已有事件追加“预警”,新的登记为草稿。

    按链接(忽略 http/https、末尾斜杠、utm_* 等跟踪参数)和工单号与台账比对:已有事件追加一条“预警”
    (已有同一条预警的跳过);新的登记为“一般”“监测中”的草稿,待值班人员研判定级。文件中链接相同的
    几行算一条。任何一行有问题时一个文件也不写,列出各行的问题,退出码 1。

    \b
    示例:
      yuqing import 监测导出.xlsx --dry-run
      yuqing import 监测导出.xlsx --sentiment 负面 --min-reach 1000 --commit
      yuqing import 12345工单.csv --profile 12345 --since "11-30 0:00"
    """
    from ..importer import Options, commit_plan, plan_import, write_plan
    from ..importer.table import action_lines, describe, problem_lines
    from ._edit import open_session
    from .new import typed_option

    session = open_session(root, now_text, False)
    options = Options(profile=profile, mode=mode,  # type: ignore[arg-type]
                      since=typed_option(since_text, "--since", session.now, session.tz), min_reach=min_reach,
                      sentiment=sentiment, discovered_at=typed_option(discovered_text, "--discovered-at",
                                                                      session.now, session.tz),
                      fetch=fetch and not dry_run)
    bar = _Bar() if sys.stderr.isatty() and fmt == "text" else None
    try:
        data = file.read_bytes()
    except OSError as error:
        fail(f"无法读取 {file}:{error.strerror or error}")
    try:
        plan = plan_import(data, file.name, session.root, session.config, session.now, options, bar)
    finally:
        if bar is not None:
            bar.close()
    written: Any = None
    if plan.ok and not dry_run:
        if do_commit:
            written = commit_plan(session.root, plan, session.now, session.config)
        else:
            written = write_plan(session.root, plan)
    if fmt == "json":
        result = plan.as_json()
        result.update(dry_run=dry_run, written=[] if written is None else list(getattr(written, "files", written)),
                      branch=getattr(written, "branch", None), commit=getattr(written, "commit", None))
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _report(plan, written, dry_run, describe, action_lines, problem_lines)
    if plan.unreadable:
        raise SystemExit(EXIT_USAGE)
    if not plan.ok:
        raise SystemExit(EXIT_PROBLEMS)
    if getattr(written, "problem", None):
        raise SystemExit(EXIT_USAGE)
    raise SystemExit(EXIT_OK)


def _report(plan: Any, written: Any, dry_run: bool, describe: Any, action_lines: Any, problem_lines: Any) -> None:
    click.echo(describe(plan))
    for warning in plan.warnings:
        click.echo(f"注意:{warning}", err=True)
    if plan.error is not None:
        click.echo(f"错误:{plan.error}", err=True)
        return
    if plan.problems:
        click.echo("\n".join(problem_lines(plan)), err=True)
        return
    for line in action_lines(plan):
        click.echo(line)
    if dry_run:
        click.echo(f"预演(--dry-run):未写入。将写入 {len(plan.writes)} 个文件。")
    elif isinstance(written, tuple):
        click.echo(f"已写入 {len(written)} 个文件(未提交)。运行 yuqing check 核对,或下次加 --commit 自动建分支提交。")
    elif written is not None and written.problem:
        click.echo(f"错误:{written.problem}", err=True)
    elif written is not None and not written.files:
        click.echo("没有要写入的内容,未建分支、未提交。")
    elif written is not None:
        click.echo(f"已在分支 {written.branch} 上提交 {len(written.files)} 个文件。"
                   f"下一步:yuqing verify,然后 git push -u origin {written.branch},再发起合并请求(PR)。")


COMMANDS = [import_command]
