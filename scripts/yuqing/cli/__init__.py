"""The `yuqing` command: a thin click layer over the library.

Each command lives in its own module in this package and exposes ``COMMANDS``;
they are found here, so adding a command touches no shared file. Command
modules import heavy libraries (mkdocs, openpyxl, python-docx) inside the
command body, so that `yuqing check` starts fast.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from .. import __version__
from ._common import EXIT_USAGE

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="yuqing", message="%(prog)s %(version)s")
def cli() -> None:
    """yuqing:舆情台账(git 仓库)的检查、时限、统计、报告与发布工具。

    \b
    常用:
      yuqing check                 检查全部事件文件
      yuqing new                   登记一个新事件
      yuqing deadlines             查看各事件的时限(信号灯)
    每个命令的详细用法:yuqing 命令 --help
    """


def _discover() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        for command in getattr(importlib.import_module(f"{__name__}.{module.name}"), "COMMANDS", ()):
            cli.add_command(command)


_discover()


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the command and turns click's usage errors into exit 2."""
    try:
        cli.main(args=argv, prog_name="yuqing", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        return 130
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except SystemExit as done:  # commands end with `raise SystemExit(code)`
        return int(done.code or 0) if not isinstance(done.code, str) else EXIT_USAGE
    except click.UsageError as error:
        if error.ctx is not None:
            click.echo(error.ctx.get_usage(), err=True)
        click.echo(f"用法错误:{error.format_message()}\n运行 `yuqing --help` 或 `yuqing 命令 --help` 查看用法。", err=True)
        return EXIT_USAGE
    except click.ClickException as error:
        click.echo(f"错误:{error.format_message()}", err=True)
        return error.exit_code
    except OverflowError as error:  # e.g. --period 9999 or --now 9999-12-31: past what dates can hold
        click.echo(f"错误:日期或时间超出可处理的范围({error})。请检查 --now、--period、--since、--until 等参数。", err=True)
        return EXIT_USAGE
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
