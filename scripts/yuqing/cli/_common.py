"""What every command shares: finding the register, --now, --format, exit codes."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn

import click

if TYPE_CHECKING:  # imported where used: `yuqing --help` starts without the register's code
    from ..deadlines import DeadlineReport
    from ..model import RegisterConfig
    from ..register import Register

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class Fatal(click.ClickException):
    """Cannot go on (no register, unreadable settings): exit 2 with a Chinese message."""

    exit_code = EXIT_USAGE


def fail(message: str) -> NoReturn:
    raise Fatal(message)


def root_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--root", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="台账根目录(含 register.yml);默认从当前目录向上查找。",
    )(function)


NOW_HELP = ("以此时刻为“现在”(ISO 8601,如 2025-03-02T18:00:00+08:00),默认当前时间。"
            "查看类命令(deadlines、stats、report、export、site)按此时刻台账的样子读取:"
            "此后才记录的事件、延期、评估总结、撤销视为尚未发生(不算错误,也不剔除文件)。")


def now_option(function: Callable[..., Any], *, help: str = NOW_HELP) -> Callable[..., Any]:
    return click.option("--now", "now_text", metavar="TIME", default=None, help=help)(function)


def format_option(*choices: str, default: str = "text") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
        help="输出格式。",
    )


def resolve_root(root: Path | None) -> Path:
    if root is not None:
        if not (root / "register.yml").is_file():
            fail(f"{root} 下没有 register.yml,不是舆情台账目录。")
        return root.resolve()
    from ..config import find_root

    found = find_root(Path.cwd())
    if found is None:
        fail("当前目录及其上级目录中找不到 register.yml。请进入台账仓库目录,或用 --root 指定。")
    return found


def parse_now(now_text: str | None, config: RegisterConfig) -> datetime:
    from ..times import parse_time, zone

    tz = zone(config.timezone)
    if now_text is None:
        return datetime.now(tz)
    parsed = parse_time(now_text, tz)
    if parsed is None:
        raise click.BadParameter(f"“{now_text}”不是有效时间,应如 2025-03-02T18:00:00+08:00。", param_hint="--now")
    return parsed


def progress_bar(enabled: bool) -> Callable[[int, int], None] | None:
    """A one-line progress counter on stderr, only for a person at a terminal."""
    if not enabled or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r已处理 {done}/{total} 个文件{end}")
        sys.stderr.flush()

    return show


def open_register(root: Path | None, now_text: str | None = None, *, progress: bool = False,
                  require_valid: bool = False, records: bool = True) -> Register:
    """Load the register for a reporting command; settings errors are fatal.

    Files with errors are left out of what reporting commands see: their
    level, times, even their ``confidential`` flag cannot be trusted, and a
    guessed value would end up in a figure, a deadline or an export. The
    command says so on stderr; with ``require_valid`` it stops instead.
    A command that reads only deadlines and statistics passes ``records=False``: the
    register then holds ``derived`` (from the check cache) instead of its incidents.
    """
    found = resolve_root(root)
    from ..config import load_config
    from ..register import load_register

    config, issues = load_config(found)
    if config is None:
        from ..render.check import as_text

        click.echo(as_text(1, issues), err=True)
        fail("register.yml 有错误,请先修正。")
    now = parse_now(now_text, config)
    # "As of" now: later records are not yet there; a time in the real future is still an error.
    register = load_register(found, now=now, progress=progress_bar(progress), config=config, records=records,
                             derived=not records)
    if register.errors:
        message = (f"注意:{len(register.invalid_files)} 个事件文件有错误,以下结果不含这些文件"
                   "(运行 `yuqing check` 查看并修正)。")
        if require_valid:
            fail(message)
        click.echo(message, err=True)
    return register.without_invalid()


def judged(register: Register) -> DeadlineReport:
    """Every deadline of a register opened with ``records=False``, at its ``now``."""
    from ..deadlines import report
    from ..times import zone

    assert register.config is not None and register.now is not None
    return report((d.parts for d in register.derived), register.now.astimezone(zone(register.config.timezone)))
