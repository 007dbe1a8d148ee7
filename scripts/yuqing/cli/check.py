"""`yuqing check`: validate incident files against the schema and the rules of docs/reference/record.md."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import load_config
from ..register import incident_files, incident_names, load_register
from ..render.check import RENDERERS, as_text
from ._common import (
    EXIT_OK, EXIT_PROBLEMS, fail, format_option, parse_now, progress_bar, resolve_root, root_option,
)


def _expand(paths: tuple[Path, ...], root: Path) -> list[Path]:
    # A folder lists every entry (a record renamed to .bak, a symlink): check_file judges each.
    files: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            files.extend(incident_files(root, path))
        else:
            files.append(path)
    return files


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@format_option("text", "json", "github")
@click.option("--history", "with_history", is_flag=True,
              help="同时按 git 历史检查迟报(发现后超过 late_registration_hours 才进入主分支,提醒)。"
                   "登记时间取进入主分支的时间(合并时由平台记录);尚未合并的按本次检查时间计;提交时间不可信,只作提示。")
@click.option("--main", "main_ref", metavar="REF", default=None,
              help="--history 所依据的主分支(默认 origin/main,没有则 main)。")
@click.option("--changed-since", "changed_ref", metavar="REF", default=None,
              help="只检查自 git 引用 REF 以来改动的事件文件(含未提交、未跟踪的),用于 PR;"
                   "编号是否重复仍与全部文件比对。register.yml 或 schemas/ 有改动时检查全部。")
@root_option
@click.option("--now", "now_text", metavar="TIME", default=None,
              help="以此时刻为“现在”判断时间是否在未来(ISO 8601),默认当前时间(真实时钟)。")
def check_command(paths: tuple[Path, ...], fmt: str, root: Path | None, now_text: str | None,
                  with_history: bool = False, changed_ref: str | None = None, main_ref: str | None = None) -> None:
    """检查事件文件:格式、必填项、时间顺序、等级、编号等。

    不带参数时检查 incidents/ 下全部文件;也可以只检查指定的文件或目录
    (编号是否重复仍与全部文件比对)。退出码:0 通过,1 有错误,2 用法错误。

    \b
    示例:
      yuqing check
      yuqing check incidents/2025/YQ-2025-0007.yml
      yuqing check --format github     # 在 GitHub/Gitea 的 PR 中逐行标注
      yuqing check --format json
      yuqing check --history           # 另按 git 历史检查迟报
      yuqing check --history --main origin/main   # PR 中:未合并的按本次检查时间计
      yuqing check --changed-since origin/main   # PR 中只查改动的文件
    """
    found = resolve_root(root)
    config, config_issues = load_config(found)
    if config is None:
        click.echo(RENDERERS[fmt](1, config_issues) if fmt != "text" else as_text(1, config_issues))
        raise SystemExit(EXIT_PROBLEMS)
    now = parse_now(now_text, config)
    chosen = _expand(paths, found) if paths else None
    if changed_ref is not None:
        if paths:
            fail("--changed-since 不能与文件参数同时使用。")
        chosen = _changed(found, changed_ref, fmt)
    others = incident_names(found) if chosen is not None else []
    # `check` is the one command that judges times against a clock: the real one,
    # or the one --now sets (no "as of" view hides a later time from it).
    # Only --history reads the records themselves: a check of an unchanged register reads none.
    register = load_register(found, chosen, now=now, clock=now, others=others, config=config,
                             progress=progress_bar(fmt != "json"), records=with_history)
    issues = list(config_issues) + list(register.issues)
    if with_history:
        from ..history import history_issues

        issues += history_issues(found, register.incidents, config.late_registration_hours, now=now, main=main_ref)
    click.echo(RENDERERS[fmt](register.files, issues))
    raise SystemExit(EXIT_PROBLEMS if any(i.severity == "error" for i in issues) else EXIT_OK)


def _changed(root: Path, ref: str, fmt: str) -> list[Path] | None:
    """The files changed since ``ref``, or None when everything must be checked."""
    from ..changed import changed_since

    changes = changed_since(root, ref)
    if changes.error:
        fail(changes.error)
    if changes.everything:
        if fmt != "json":
            click.echo(f"{changes.everything} 自 {ref} 以来有改动,检查全部文件。", err=True)
        return None
    return list(changes.files)


COMMANDS = [check_command]
