"""`yuqing intake`: what a clerk filled in on the forge's web form -> a record or an event (and, in CI, a PR)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, fail, now_option, root_option

NOT_LISTED = "不在本台账的网页登记名单"


@click.command("intake")
@click.option("--form", "form", type=click.Choice(["auto", "register", "event", "review"]), default="auto", show_default=True,
              help="表单种类:register 登记新舆情,event 报送处置进展,review 评估总结;auto 按内容中的标题判断。")
@click.option("--body-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="表单内容(平台生成的 Markdown)所在的文件;- 表示标准输入。")
@click.option("--body-env", metavar="NAME", default=None,
              help="从环境变量 NAME 读取表单内容(工作流中用:内容不经过命令行和脚本)。")
@click.option("--issue", type=click.IntRange(min=1), default=None, help="表单所在的议题(issue)编号。")
@click.option("--author", "authors", multiple=True, metavar="LOGIN",
              help="提交人(平台用户名);须在 register.yml 的 intake.allowed 中。可重复(如重试的评论人)。")
@click.option("--publish", is_flag=True,
              help="CI 中使用:在 intake/issue-N 分支上提交、运行合并请求的检查和审核、推送,"
                   "经平台接口打开(或更新)合并请求,并在议题下回复结果。需要 --issue 和 YUQING_BOT_TOKEN。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@root_option
@now_option
def intake_command(form: str, body_file: Path | None, body_env: str | None, issue: int | None,
                   authors: tuple[str, ...], publish: bool, fmt: str, root: Path | None, now_text: str | None) -> None:
    """网页登记:读取平台网页表单提交的内容,生成事件记录或追加处置事件。

    与 yuqing new、yuqing event add 用同一套代码:时间按平时的写法(8:50、昨天 20:10),
    平台按常用叫法(微博、公众号、12345);写入前按 yuqing check 检查、按 yuqing audit 审核。
    有问题时逐条列出(可直接贴到议题下),不写入任何文件,退出码 1。

    \b
    示例:
      yuqing intake --form register --body-file body.md
      yuqing intake --body-env ISSUE_BODY --issue 12 --author zhangsan --publish   # 工作流中
    """
    from ..config import load_config
    from ..intake import run
    from ._common import parse_now, resolve_root

    if (body_file is None) == (body_env is None):
        fail("请用 --body-file 或 --body-env 之一给出表单内容。")
    if body_env is not None:
        if body_env not in os.environ:
            fail(f"环境变量 {body_env} 没有设置。")
        body = os.environ[body_env]
    elif str(body_file) == "-":
        import sys

        body = sys.stdin.read()
    else:
        assert body_file is not None
        try:
            body = body_file.read_bytes().decode("utf-8", errors="replace")
        except OSError as error:
            fail(f"无法读取 {body_file}:{error.strerror or error}")
    found = resolve_root(root)
    config, _ = load_config(found)
    if config is None:
        fail("register.yml 有错误,请先运行 `yuqing check` 修正。")
    now = parse_now(now_text, config)
    if publish:
        if issue is None:
            fail("--publish 需要 --issue。")
        _publish(found, body, form, issue, authors, config, now, fmt)
    if authors:
        from ..intake import allowed

        refused = [a for a in authors if not allowed(a, config)]
        if refused:
            _refuse_authors(refused)
    result = run(found, body, form, config, now)
    _report(result, fmt)
    raise SystemExit(EXIT_OK if result.ok else EXIT_PROBLEMS)


def _refuse_authors(refused: list[str]) -> None:
    click.echo(f"未处理:{'、'.join(refused)} 不在 register.yml 的 intake.allowed 中"
               "(只处理名单上的人员提交的网页表单)。", err=True)
    raise SystemExit(EXIT_PROBLEMS)


def _report(result: object, fmt: str, extra: dict[str, object] | None = None) -> None:
    from ..intake import Result

    assert isinstance(result, Result)
    if fmt == "json":
        click.echo(json.dumps({"form": result.form, "ok": result.ok, "file": result.rel, "id": result.incident_id,
                               "problems": list(result.problems), "notes": list(result.notes), **(extra or {})},
                              ensure_ascii=False, indent=2))
        return
    if result.ok:
        click.echo(f"已写入 {result.rel}({result.commit_message})")
        for note in result.notes:
            click.echo(f"  {note}")
    else:
        click.echo("未能登记,表单内容有以下问题(未写入任何文件):", err=True)
        for problem in result.problems:
            click.echo(f"- {problem}", err=True)


def _publish(root: Path, body: str, form: str, issue: int, authors: tuple[str, ...], config: object,
             now: object, fmt: str) -> None:
    """The workflow's whole job; always exits."""
    from ..forge import ForgeError, from_environment
    from ..gitwork import commit_only, fetch, git
    from ..intake import (RACE_ATTEMPTS, allowed, branch_for, detect, gate_comment, id_clash, pending_ids,
                          problems_comment, pull_body, push_branch, race_comment, run, run_gate, start_branch)
    from ..model import RegisterConfig

    assert isinstance(config, RegisterConfig)
    if form == "auto" and detect(body) is None:
        # Any other issue (a question, a bug report) is none of intake's business: no comment, no noise.
        click.echo(f"议题 #{issue} 不是网页登记表单,跳过。")
        raise SystemExit(EXIT_OK)
    try:
        forge = from_environment()
        if not authors:
            fail("--publish 需要 --author(提交人)。")
        refused = [a for a in authors if not allowed(a, config, forge.in_team)]
        if refused:
            # Once per issue: not again on every edit or "/重试".
            if not any(NOT_LISTED in said for said in forge.comments(issue)):
                forge.comment(issue, f"未处理:提交人{NOT_LISTED}(register.yml 的 intake.allowed)中。"
                                     "如需使用,请联系台账管理员。\n")
            _refuse_authors(refused)
        base = config.intake.base
        branch = branch_for(issue)
        for _attempt in range(RACE_ATTEMPTS):
            warning = fetch(root)
            if warning:
                click.echo(f"注意:{warning}", err=True)
            problem = start_branch(root, issue, base)
            if problem:
                fail(problem)
            result = run(root, body, form, config, now, taken_extra=pending_ids(root, base, branch))  # type: ignore[arg-type]
            if not result.ok:
                earlier = git(root, "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{branch}").ok
                forge.comment(issue, problems_comment(result, issue, earlier=earlier))
                _report(result, fmt)
                raise SystemExit(EXIT_PROBLEMS)
            assert result.rel is not None
            done = commit_only(root, [result.rel], f"{result.commit_message}(网页表单 #{issue})")
            if not done.ok:
                fail(f"已写入 {result.rel},但未能提交:{done.output}")
            gate = run_gate(root, f"origin/{base}")
            if not gate.ok:
                forge.comment(issue, gate_comment(gate))
                click.echo(gate_comment(gate), err=True)
                raise SystemExit(EXIT_PROBLEMS)
            if result.form != "register" or result.incident_id is None:
                break
            # Another issue's run may have pushed the same id while this one ran: look again just before pushing.
            warning = fetch(root)
            clash = None if warning else id_clash(root, base, branch, result.incident_id)
            if clash is None:
                break
            click.echo(f"注意:编号 {result.incident_id} 已被 {clash} 占用(同时提交的表单),重新分配编号。", err=True)
        else:
            forge.comment(issue, race_comment(result.incident_id or ""))
            click.echo(race_comment(result.incident_id or ""), err=True)
            raise SystemExit(EXIT_PROBLEMS)
        problem = push_branch(root, branch)
        if problem:
            fail(problem)
        pull = forge.pull_for(branch, base, result.commit_message, pull_body(result, issue, authors[0], gate, base))
        said = "已生成合并请求" if pull.created else "已按修改后的内容更新合并请求"
        forge.comment(issue, f"{said} #{pull.number}:{pull.url}\n\n文件 `{result.rel}` 已通过检查和审核,"
                             "审核人合并后即完成。\n")
    except ForgeError as error:
        click.echo(f"错误:{error}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    _report(result, fmt, {"branch": branch, "pull": pull.number, "pull_url": pull.url, "created": pull.created})
    if fmt == "text":
        click.echo(f"{said} #{pull.number}:{pull.url}")
    raise SystemExit(EXIT_OK)


COMMANDS = [intake_command]
