"""The `yuqing` command: a thin click layer over the library.

Each command lives in its own module in this package and exposes ``COMMANDS``;
they are found here, so adding a command touches no shared file. Command
modules import heavy libraries (mkdocs, openpyxl, python-docx) inside the
command body, so that `yuqing check` starts fast.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ._chinese import install as _speak_chinese
from ._common import EXIT_USAGE

_speak_chinese()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


_NAME = re.compile(r'^@click\.(?:command|group)\("([^"]+)"', re.MULTILINE)


class _Commands(click.Group):
    """Commands found in this package's modules, each imported when it is asked for:
    `yuqing check` does not pay for mkdocs, openpyxl or git code, nor for the other
    commands' modules. Listing them (`yuqing --help`) imports them all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded = False

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        if not self._loaded:
            self._loaded = True
            for module in _modules():
                self._add(module)
        return self._own

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._own = value

    def _add(self, module: str) -> None:
        for command in getattr(importlib.import_module(f"{__name__}.{module}"), "COMMANDS", ()):
            self._own.setdefault(command.name or "", command)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._own and not self._loaded:
            module = _index().get(cmd_name)
            if module is not None:
                self._add(module)
        return self.commands.get(cmd_name)


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def _index() -> dict[str, str]:
    """Command name -> the module defining it, read from the modules' text (not imported)."""
    found: dict[str, str] = {}
    folder = Path(__file__).parent
    for module in _modules():
        try:
            text = (folder / f"{module}.py").read_text(encoding="utf-8")
        except OSError:
            continue
        for name in _NAME.findall(text):
            found.setdefault(name, module)
    return found


@click.group(cls=_Commands, context_settings=CONTEXT)
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
