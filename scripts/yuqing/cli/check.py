"""`yuqing check`: validate incident files against the schema and SPEC's rules."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import load_config
from ..register import incident_files, load_register, relative
from ..render.check import RENDERERS, as_text
from ._common import EXIT_OK, EXIT_PROBLEMS, format_option, now_option, parse_now, progress_bar, resolve_root, root_option


def _expand(paths: tuple[Path, ...], root: Path) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml")))
        else:
            files.append(path)
    return files


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@format_option("text", "json", "github")
@root_option
@now_option
def check_command(paths: tuple[Path, ...], fmt: str, root: Path | None, now_text: str | None) -> None:
    """检查事件文件:格式、必填项、时间顺序、等级、编号等。

    不带参数时检查 incidents/ 下全部文件;也可以只检查指定的文件或目录
    (编号是否重复仍与全部文件比对)。退出码:0 通过,1 有错误,2 用法错误。

    \b
    示例:
      yuqing check
      yuqing check incidents/2025/YQ-2025-0007.yml
      yuqing check --format github     # 在 GitHub/Gitea 的 PR 中逐行标注
      yuqing check --format json
    """
    found = resolve_root(root)
    config, config_issues = load_config(found)
    if config is None:
        click.echo(RENDERERS[fmt](1, config_issues) if fmt != "text" else as_text(1, config_issues))
        raise SystemExit(EXIT_PROBLEMS)
    now = parse_now(now_text, config)
    chosen = _expand(paths, found) if paths else None
    others = [relative(p, found) for p in incident_files(found)] if chosen is not None else []
    register = load_register(found, chosen, now=now, others=others,
                             progress=progress_bar(fmt != "json"))
    issues = list(config_issues) + list(register.issues)
    click.echo(RENDERERS[fmt](register.files, issues))
    raise SystemExit(EXIT_PROBLEMS if any(i.severity == "error" for i in issues) else EXIT_OK)


COMMANDS = [check_command]
