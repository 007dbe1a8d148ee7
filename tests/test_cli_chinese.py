"""Staff meet no English from click: help options, usage errors and prompts are Chinese."""

from __future__ import annotations

import pytest

from yuqing.cli import cli, main


def _all_commands() -> list[list[str]]:
    names: list[list[str]] = [[]]
    context = cli.make_context("yuqing", ["--help"], resilient_parsing=True)
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        names.append([name])
        for sub in getattr(command, "commands", {}):
            names.append([name, sub])
    return names


@pytest.mark.parametrize("argv", _all_commands(), ids=lambda a: " ".join(a) or "yuqing")
def test_every_help_page_speaks_chinese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    assert "显示本帮助并退出。" in out
    for english in ("Show this message", "Show the version", "Options:", "Commands:"):
        assert english not in out, english


def test_a_wrong_option_is_named_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert "用法错误:没有选项 '--bogus'。" in err and "No such option" not in err
