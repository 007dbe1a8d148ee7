"""`yuqing audit`: refuse pull requests that delete, rename or rewrite records."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, fail, format_option, resolve_root, root_option


@click.command("audit")
@click.option("--base", "base", required=True, metavar="REF",
              help="目标分支,如 main 或 origin/main;与它的分叉点比较。")
@click.option("--head", "head", default="HEAD", show_default=True, metavar="REF", help="要审核的提交。")
@format_option("text", "json", "github")
@root_option
def audit_command(base: str, head: str, fmt: str, root: Path | None) -> None:
    """审核合并请求(PR)对台账的改动:记录只增不删。

    与 --base 分支的分叉点相比,以下改动不允许(退出码 1):删除或改名/移动事件文件
    (应填写 withdrawn 撤销);改写已归档记录(只能在末尾追加“更正”事件);
    删除或调换处置经过中的事件;修改编号;新增的编号在目标分支上已被占用。
    每处问题给出文件和行号。退出码:0 通过,1 有不允许的改动,2 用法错误。

    \b
    示例:
      yuqing audit --base main
      yuqing audit --base origin/main --format github    # CI 中逐行标注
    """
    from ..audit import AuditError, audit
    from ..render.audit import RENDERERS

    found = resolve_root(root)
    try:
        result = audit(found, base, head)
    except AuditError as error:
        fail(str(error))
    click.echo(RENDERERS[fmt](result))
    raise SystemExit(EXIT_OK if result.ok else EXIT_PROBLEMS)


COMMANDS = [audit_command]
