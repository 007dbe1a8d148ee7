"""`yuqing audit`: the pull-request gate (refused, approval and allowed changes)."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, fail, resolve_root, root_option


@click.command("audit")
@click.option("--base", "base", required=True, metavar="REF",
              help="目标分支,如 main 或 origin/main;与它的分叉点(及它的最新提交)比较。")
@click.option("--head", "head", default="HEAD", show_default=True, metavar="REF", help="要审核的提交。")
@click.option("--settings", "settings", type=click.Choice(["base", "worktree"]), default="base", show_default=True,
              help="register.yml、schemas/ 与规则集取自哪里:base 为目标分支的最新提交(本分支的改动不参与审核),"
                   "worktree 为当前工作区。")
@click.option("--fail-on", "fail_on", type=click.Choice(["refused", "approval"]), default="refused",
              show_default=True, help="退出码 1 的条件:refused 仅在有不允许的改动时;approval 在有需要审批的改动时也算。")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "approvals"]), default="text",
              show_default=True, help="输出格式;approvals 为“需要审批”清单(Markdown,供 CI 的运行摘要)。")
@root_option
def audit_command(base: str, head: str, settings: str, fail_on: str, fmt: str, root: Path | None) -> None:
    """审核合并请求(PR)对台账的改动:逐项比较每个记录的每个字段。

    每处改动按变更策略分为三类:允许(通过;修改描述文字等会作为提示列出)、
    需审批(列在“需要审批”下并写明原因,须经 CODEOWNERS 中的审批人审核)、
    不允许(退出码 1):删除、改名、移动事件文件或把它变成符号链接;修改编号;
    删除、调换或改写已有的处置事件;删除已记录的字段;改写已归档记录
    (只能在末尾追加“更正”事件)等。完整的策略表见 `docs/guide/gate.md`。

    默认用目标分支的 register.yml、schemas/ 与规则集审核,本分支对它们的改动
    只作为“需要审批”列出。退出码:0 通过,1 有不允许的改动(或用 --fail-on approval
    时有需要审批的改动),2 用法错误。

    \b
    示例:
      yuqing audit --base main
      yuqing audit --base origin/main --format github    # CI 中逐行标注
      yuqing audit --base origin/main --format approvals # 需要审批的清单
    """
    from ..audit import AuditError, audit
    from ..render.audit import RENDERERS

    found = resolve_root(root)
    try:
        result = audit(found, base, head, settings=settings)
    except AuditError as error:
        fail(str(error))
    click.echo(RENDERERS[fmt](result))
    failed = not result.ok or (fail_on == "approval" and bool(result.of("approval")))
    raise SystemExit(EXIT_PROBLEMS if failed else EXIT_OK)


COMMANDS = [audit_command]
