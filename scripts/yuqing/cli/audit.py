"""`yuqing audit`: the pull-request gate (refused, approval and allowed changes)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, fail, resolve_root, root_option

if TYPE_CHECKING:
    from ..approval import Review
    from ..audit import AuditResult


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
@click.option("--now", "now_text", metavar="TIME", default=None,
              help="审核时间(默认当前时间):目标分支和本分支上每个改动记录的时限按此时刻计算并比较。仅供测试和复核。")
@click.option("--require-approval", "require_approval", is_flag=True,
              help="有需要审批的改动时,只有目标分支 register.yml 的 approvers 中的一人(作者除外)在最新提交上"
                   "批准了合并请求才通过;审核记录从代码托管平台(GitHub / Gitea)读取。")
@click.option("--pull", "pull", type=int, default=None, envvar="PR_NUMBER", metavar="N",
              help="合并请求编号(默认取环境变量 PR_NUMBER)。")
@click.option("--head-sha", "head_sha", default=None, envvar="PR_HEAD_SHA", metavar="SHA",
              help="合并请求的最新提交(默认取环境变量 PR_HEAD_SHA,否则为 --head 的提交)。")
@click.option("--author", "author", default=None, envvar="PR_AUTHOR", metavar="LOGIN",
              help="合并请求的作者(默认取环境变量 PR_AUTHOR):作者本人的批准不算。")
@root_option
def audit_command(base: str, head: str, settings: str, fail_on: str, fmt: str, now_text: str | None,
                  require_approval: bool, pull: int | None, head_sha: str | None, author: str | None,
                  root: Path | None) -> None:
    """审核合并请求(PR)对台账的改动:逐项比较每个记录的每个字段。

    每处改动按变更策略分为三类:允许(通过;修改描述文字等会作为提示列出)、
    需审批(列在“需要审批”下并写明原因,须经 register.yml 的 approvers 中的审批人批准)、
    不允许(退出码 1):删除、改名、移动事件文件或把它变成符号链接;修改编号;
    删除、调换或改写已有的处置事件;删除已记录的字段;改写已归档记录
    (只能在末尾追加“更正”事件)等。每个改动记录的时限还按目标分支的规则在审核时间
    计算并比较:时限消失、移动,或已逾期的时限被事后补记变成按时,都须审批。
    `incidents/` 以外的任何文件的改动都须审批。完整的策略表见 `docs/guide/gate.md`。

    默认用目标分支的 register.yml、schemas/ 与规则集审核,本分支对它们的改动
    只作为“需要审批”列出。退出码:0 通过,1 有不允许的改动(或用 --fail-on approval
    时有需要审批的改动;或用 --require-approval 时需要审批却没有审批人批准),2 用法错误。

    \b
    示例:
      yuqing audit --base main
      yuqing audit --base origin/main --format github    # CI 中逐行标注
      yuqing audit --base origin/main --format approvals # 需要审批的清单
      yuqing audit --base origin/main --require-approval --pull 12   # CI 的“变更审批”作业
    """
    from ..audit import AuditError, audit
    from ..render.audit import RENDERERS

    found = resolve_root(root)
    now = _now(now_text, found)
    try:
        result = audit(found, base, head, settings=settings, now=now)
    except AuditError as error:
        fail(str(error))
    click.echo(RENDERERS[fmt](result))
    failed = not result.ok or (fail_on == "approval" and bool(result.of("approval")))
    if require_approval:
        failed = not _approved(result, pull, head_sha or result.head, author) or failed
    raise SystemExit(EXIT_PROBLEMS if failed else EXIT_OK)


def _now(now_text: str | None, root: Path) -> datetime | None:
    from ..config import load_config
    from ..times import parse_time, zone

    if now_text is None:
        return None
    config = load_config(root)[0]
    parsed = parse_time(now_text, zone(config.timezone if config else "Asia/Shanghai"))
    if parsed is None:
        raise click.BadParameter(f"“{now_text}”不是有效时间,应如 2025-03-02T18:00:00+08:00。", param_hint="--now")
    return parsed


def _approved(result: AuditResult, pull: int | None, head_sha: str, author: str | None) -> bool:
    """Print the approval decision; True when the gate may pass."""
    from ..approval import decide, fetch_reviews, forge_from_environment
    from ..forge import ForgeError

    reviews: list[Review] = []
    if result.of("approval"):
        if pull is None:
            fail("--require-approval 需要合并请求编号:--pull N 或环境变量 PR_NUMBER。")
        try:
            reviews = fetch_reviews(forge_from_environment(os.environ), pull)
        except ForgeError as error:
            fail(str(error))
    decision = decide(result.findings, reviews, result.approvers, head_sha, author)
    click.echo(("变更审批:通过。" if decision.ok else "变更审批:未通过。") + decision.message)
    return decision.ok


COMMANDS = [audit_command]
