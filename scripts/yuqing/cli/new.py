"""`yuqing new`: register a new incident (next free id, a commented file, optionally a branch and commit)."""

from __future__ import annotations

import json
import shlex
import sys
from datetime import datetime
from pathlib import Path
from typing import Sequence

import click

from ._common import EXIT_OK, EXIT_USAGE, fail, now_option, root_option

_REQUIRED = (("title", "--title"), ("level", "--level"), ("category", "--category"),
             ("unit", "--unit"), ("channel", "--channel"))


def _choose(label: str, choices: Sequence[str], default: str | None = None) -> str:
    """Ask for one of ``choices`` by number or by word, until the answer is valid."""
    from ..words import did_you_mean

    menu = "  ".join(f"{n}.{c}" for n, c in enumerate(choices, 1))
    click.echo(f"{label}:{menu}", err=True)
    while True:
        answer = click.prompt(f"{label}(填序号或名称)", default=default, show_default=default is not None, err=True).strip()
        if answer.isdigit() and 1 <= int(answer) <= len(choices):
            return choices[int(answer) - 1]
        if answer in choices:
            return answer
        click.echo(f"“{answer}”不在可选范围内。{did_you_mean(answer, choices)}", err=True)


def _ask_text(label: str, default: str | None = None) -> str:
    while True:
        answer = click.prompt(label, default=default, show_default=default is not None, err=True).strip()
        if answer:
            return answer
        click.echo(f"{label}不能为空。", err=True)


def _ask_time(label: str, default: datetime, tz: object) -> datetime:
    from ..times import parse_time

    while True:
        answer = click.prompt(label, default=default.strftime("%Y-%m-%d %H:%M"), err=True).strip()
        parsed = parse_time(answer, tz)  # type: ignore[arg-type]
        if parsed is not None:
            return parsed
        click.echo(f"“{answer}”不是有效时间,应如 2025-03-02 18:00 或 2025-03-02T18:00:00+08:00。", err=True)


@click.command("new")
@click.option("--title", help="标题(1–120 字)。")
@click.option("--level", help="等级:一般 / 敏感 / 重大 / 特别重大。")
@click.option("--category", help="领域(register.yml 的 categories 之一)。")
@click.option("--unit", help="牵头单位(register.yml 的 units 之一)。")
@click.option("--discovered-at", "discovered_text", metavar="TIME", help="发现时间,默认现在。")
@click.option("--channel", help="来源渠道:电视广播 / 报刊杂志 / 网络媒体 / 社交媒体 / 自媒体 / 上级转办 / 群众来电 / 其他。")
@click.option("--summary", help="事件概要;不填时先用标题,登记后再补充。")
@click.option("--platform", help="来源平台,如 微博、抖音(可选)。")
@click.option("--url", help="原帖或报道链接(可选)。")
@click.option("--branch", is_flag=True, help="新建分支 incident/<编号>,写入文件并提交,便于发起合并请求(PR)。")
@click.option("--fetch", is_flag=True, help="分配编号前先 git fetch 远程 main 分支(需要网络)。")
@click.option("--interactive/--no-interactive", default=None,
              help="逐项提问;默认在终端中运行时提问,在脚本中不提问。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式。")
@root_option
@now_option
def new_command(title: str | None, level: str | None, category: str | None, unit: str | None,
                discovered_text: str | None, channel: str | None, summary: str | None, platform: str | None,
                url: str | None, branch: bool, fetch: bool, interactive: bool | None, fmt: str,
                root: Path | None, now_text: str | None) -> None:
    """登记一个新事件:分配下一个空闲编号,生成带中文注释的事件文件。

    编号取工作区、远程 origin/main 和待合并的 incident/* 分支中当年最大序号加 1。
    在终端中运行时逐项提问;在脚本中请用参数给出标题、等级、领域、牵头单位和来源渠道。
    生成的文件立即通过 `yuqing check`。

    \b
    示例:
      yuqing new
      yuqing new --title "某超市销售过期酸奶被网民曝光" --level 一般 --category 食品安全 \\
                 --unit 食品经营安全监管科 --channel 社交媒体 --discovered-at "2025-03-03 09:00"
      yuqing new --branch ...        # 新建分支 incident/<编号> 并提交,然后推送、发起合并请求
    """
    from ..config import load_config
    from ..ids import next_id, taken_ids
    from ..model import CHANNELS, LEVELS
    from ..new import Draft, branch_name, commit, commit_message, problems, relative_path, render, start_branch, write
    from ..times import parse_time, zone
    from ._common import parse_now, resolve_root

    found = resolve_root(root)
    config, _ = load_config(found)
    if config is None:
        fail("register.yml 有错误,请先运行 `yuqing check` 修正。")
    tz = zone(config.timezone)
    now = parse_now(now_text, config)
    if interactive is None:
        interactive = sys.stdin.isatty()

    discovered = None
    if discovered_text is not None:
        discovered = parse_time(discovered_text, tz)
        if discovered is None:
            fail(f"--discovered-at“{discovered_text}”不是有效时间,应如 2025-03-02 18:00 或 2025-03-02T18:00:00+08:00。")
    if interactive:
        title = title or _ask_text("标题")
        level = level or _choose("等级", LEVELS)
        category = category or _choose("领域", config.categories)
        unit = unit or _choose("牵头单位", config.units)
        channel = channel or _choose("来源渠道", CHANNELS)
        discovered = discovered or _ask_time("发现时间", now, tz)
        summary = summary or _ask_text("事件概要", default=title)
    else:
        given = {"title": title, "level": level, "category": category, "unit": unit, "channel": channel}
        missing = [flag for name, flag in _REQUIRED if not given[name]]
        if missing:
            click.echo("用法:yuqing new --title 标题 --level 等级 --category 领域 --unit 牵头单位 --channel 来源渠道 "
                       "[--discovered-at 时间] [--summary 概要]", err=True)
            fail(f"不在终端中运行,无法逐项提问:缺少 {'、'.join(missing)}。"
                 "请用参数给出,或在终端中运行 `yuqing new` 按提示填写。")
    assert title and level and category and unit and channel
    draft = Draft(title=title, level=level, category=category, unit=unit, discovered_at=discovered or now,
                  channel=channel, summary=summary or title, platform=platform, url=url)
    wrong = problems(draft, config)
    if wrong:
        fail("\n".join(wrong))

    taken = taken_ids(found, fetch=fetch)
    for warning in taken.warnings:
        click.echo(f"注意:{warning}", err=True)
    incident_id = next_id(config.id_prefix, draft.discovered_at.astimezone(tz).year, taken.ids)
    path, issues = write(found, render(draft, incident_id, config), incident_id, config, now)
    if path is None:
        from ..render.check import as_text

        click.echo(as_text(1, issues), err=True)
        fail("新事件文件未通过检查,未写入。")

    result: dict[str, object] = {"id": incident_id, "file": relative_path(incident_id), "looked_in": list(taken.looked_in),
                                 "branch": None, "commit": None}
    if branch:
        reason = start_branch(found, incident_id)
        sha = None
        if reason is None:
            sha, reason = commit(found, path, commit_message(incident_id, draft.title))
        if reason is not None:
            click.echo(f"已写入 {relative_path(incident_id)},但未能提交:{reason}", err=True)
            raise SystemExit(EXIT_USAGE)
        result.update(branch=branch_name(incident_id), commit=sha)

    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        raise SystemExit(EXIT_OK)
    click.echo(f"已登记 {incident_id}:{relative_path(incident_id)}")
    click.echo(f"(编号依据:{'、'.join(taken.looked_in)})")
    click.echo("下一步:")
    click.echo(f"  1. 打开 {relative_path(incident_id)},补充来源链接、概要、处置经过(按注释填写);")
    click.echo(f"  2. 运行 yuqing check {relative_path(incident_id)};")
    if branch:
        click.echo(f"  3. 已在分支 {branch_name(incident_id)} 上提交“{commit_message(incident_id, draft.title)}”;"
                   "补充内容后再次提交(git commit -am \"补充 …\"),然后推送:")
        click.echo(f"       git push -u origin {branch_name(incident_id)}")
        click.echo("  4. 在 Gitea/GitHub 页面上对该分支发起合并请求(PR),检查通过、审核后合并。")
    else:
        click.echo(f"  3. 提交:git add {relative_path(incident_id)} && "
                   f"git commit -m {shlex.quote(commit_message(incident_id, draft.title))}")
        click.echo("     (多人同时登记时建议用 yuqing new --branch 走合并请求,编号冲突会被 yuqing audit 发现。)")
    raise SystemExit(EXIT_OK)


COMMANDS = [new_command]
