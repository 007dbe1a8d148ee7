"""What the record-editing commands share: options, the typed --at, the commit, the report."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Callable

import click

from ..model import RegisterConfig
from ._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, fail


HELP_TEXT = "显示本帮助并退出。"


def chinese_help(function: Callable[..., Any]) -> Callable[..., Any]:
    """``-h/--help`` with a Chinese help line (click's own says "Show this message and exit.")."""
    return click.help_option("-h", "--help", help=HELP_TEXT)(function)


def commit_options(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option("--push", "push_after", is_flag=True,
                            help="提交后推送到 origin(最多等 30 秒;不联网时提示)。")(function)
    return click.option("--commit", "do_commit", is_flag=True,
                        help="写入后只提交这个文件:在 main 上时新建分支 update/<编号>-<随机后缀>,"
                             "在该事件自己的分支上时提交到该分支。")(function)


@dataclass(frozen=True)
class Session:
    root: Path
    config: RegisterConfig
    now: datetime
    tz: tzinfo
    interactive: bool


def open_session(root: Path | None, now_text: str | None, interactive: bool | None) -> Session:
    from ..config import load_config
    from ..times import zone
    from ._common import parse_now, resolve_root

    found = resolve_root(root)
    config, _ = load_config(found)
    if config is None:
        fail("register.yml 有错误,请先运行 `yuqing check` 修正。")
    return Session(found, config, parse_now(now_text, config), zone(config.timezone),
                   sys.stdin.isatty() if interactive is None else interactive)


def run_change(session: Session, incident_id: str, change: Callable[[str, dict[str, Any]], Any], *,
               message: str, do_commit: bool, push_after: bool, fmt: str, done_text: str) -> None:
    """Plan the branch, apply the change (check + audit first), commit, report; exits."""
    from ..edit import apply
    from ..gitwork import BranchPlan, commit_to, plan_update_branch
    from ..render.check import as_text

    plan = BranchPlan()
    if do_commit or push_after:
        plan = plan_update_branch(session.root, incident_id)
        if plan.refusal:
            fail(plan.refusal)
        if plan.warning:
            click.echo(f"注意:{plan.warning}", err=True)
    outcome = apply(session.root, incident_id, change, session.config, session.now)
    if not outcome.written:
        if outcome.issues:
            click.echo(as_text(1, outcome.issues), err=True)
        click.echo(f"错误:{outcome.refusal}", err=True)
        raise SystemExit(EXIT_PROBLEMS if outcome.issues else EXIT_USAGE)
    result: dict[str, Any] = {"id": incident_id, "file": outcome.rel, "changes": list(outcome.notes),
                              "warnings": list(outcome.warnings), "branch": None, "commit": None,
                              "pushed": False, "left_alone": []}
    committed = None
    if plan.branch is not None:
        committed = commit_to(session.root, plan, [outcome.rel], message, push_after=push_after)
        result.update(branch=committed.branch, commit=committed.commit, pushed=committed.pushed,
                      left_alone=list(committed.left_alone))
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(done_text)
        for note in outcome.notes:
            click.echo(f"  {note}")
        for warning in outcome.warnings:
            click.echo(f"注意:{warning}", err=True)
        for line in _commit_lines(outcome.rel, message, committed):
            click.echo(line)
    if committed is not None and committed.problem:
        click.echo(f"已写入 {outcome.rel},但未能提交:{committed.problem}", err=True)
        raise SystemExit(EXIT_USAGE)
    if committed is not None and committed.push_problem:
        click.echo(committed.push_problem, err=True)
        raise SystemExit(EXIT_PROBLEMS)
    raise SystemExit(EXIT_OK)


def _commit_lines(rel: str, message: str, committed: Any) -> list[str]:
    if committed is None:
        return [f"已写入 {rel}(未提交)。推送前运行 yuqing verify;只提交这个文件:"
                f"git commit -m \"…\" -- {rel}(或加 --commit 自动建分支提交)。"]
    if committed.problem:
        return []
    lines = [f"已在分支 {committed.branch} 上提交“{message}”(只含 {rel})。"]
    if committed.left_alone:
        shown = "、".join(committed.left_alone[:5]) + (" 等" if len(committed.left_alone) > 5 else "")
        lines.append(f"其他未提交的改动未动、也未提交:{shown}。")
    if committed.pushed:
        lines.append(f"已推送到 origin/{committed.branch}。下一步:在 Gitea/GitHub 页面上对该分支发起合并请求(PR)。")
    elif not committed.push_problem:
        lines.append(f"下一步:yuqing verify(与合并请求的检查相同),然后 git push -u origin {committed.branch},"
                     "再发起合并请求(PR)。")
    return lines


def typed_time(text: str | None, flag: str, session: Session, label: str, *, ask: bool = True,
               default_now: bool = False) -> datetime:
    """``--at``-style option: the typed forms; asked on a terminal when missing (the answer's default is
    now); with ``default_now``, a missing option off a terminal means now."""
    from .new import ask_time, typed_option

    value = typed_option(text, flag, session.now, session.tz)
    if value is not None:
        return value
    if session.interactive and ask:
        return ask_time(label, session.now, session.tz)
    if default_now:
        return session.now
    fail(f"缺少 {flag}。不在终端中运行时请用参数给出(可写 8:50、今天 8:50、11-30 8:50 等)。")
