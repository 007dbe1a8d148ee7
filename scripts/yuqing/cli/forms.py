"""`yuqing forms`: write the forge's web forms (.github/ISSUE_TEMPLATE/) from register.yml."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, fail, resolve_root, root_option


@click.command("forms")
@click.option("--check", "only_check", is_flag=True, help="只核对,不写入:表单与 register.yml 不一致时退出码为 1。")
@root_option
def forms_command(only_check: bool, root: Path | None) -> None:
    """生成网页登记表单:.github/ISSUE_TEMPLATE/ 下的“登记新舆情”“报送处置进展”。

    下拉选项(等级、领域、单位、来源渠道、事件类型)取自 register.yml;改了 register.yml
    后重新运行本命令并提交生成的文件。GitHub、Gitea(1.18 及以上)、Forgejo 都读这个目录。

    \b
    示例:
      yuqing forms
      yuqing forms --check     # CI 中核对表单没有过时
    """
    from ..config import load_config
    from ..forms import stale, write

    found = resolve_root(root)
    config, _ = load_config(found)
    if config is None:
        fail("register.yml 有错误,请先运行 `yuqing check` 修正。")
    if only_check:
        old = stale(found, config)
        for rel in old:
            click.echo(f"{rel} 与 register.yml 不一致(或不存在),请运行 `yuqing forms` 并提交。")
        if not old:
            click.echo("网页登记表单与 register.yml 一致。")
        raise SystemExit(EXIT_PROBLEMS if old else EXIT_OK)
    changed = write(found, config)
    for rel in changed:
        click.echo(f"已写入 {rel}")
    click.echo("表单已是最新。" if not changed else "请提交以上文件;合并到 main 后网页上即可使用。")
    raise SystemExit(EXIT_OK)


COMMANDS = [forms_command]
