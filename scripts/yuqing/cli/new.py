"""`yuqing new`: register a new incident (next free id, a commented file, optionally a branch and commit)."""

from __future__ import annotations

import json
import shlex
import sys
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Sequence

import click

from ..model import RegisterConfig
from ._common import EXIT_OK, EXIT_USAGE, fail, now_option, root_option
from ._edit import chinese_help

_REQUIRED = (("title", "--title"), ("level", "--level"), ("category", "--category"),
             ("unit", "--unit"), ("channel", "--channel"))


def choose(label: str, choices: Sequence[str], default: str | None = None) -> str:
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


def ask_text(label: str, default: str | None = None, *, optional: bool = False) -> str:
    while True:
        answer = str(click.prompt(label, default=default if default is not None else ("" if optional else None),
                                  show_default=bool(default), err=True)).strip()
        if answer or optional:
            return answer
        click.echo(f"{label}不能为空。", err=True)


class YesNo(click.ParamType):
    """A yes/no answer in the words staff type: 是/否, 对/不, 有/没有, y/n, yes/no (click's BOOL is English only)."""

    name = "是/否"
    _WORDS = {"是": True, "对": True, "有": True, "好": True, "y": True, "yes": True, "true": True, "1": True,
              "否": False, "不": False, "不是": False, "没有": False, "无": False, "n": False, "no": False,
              "false": False, "0": False}

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> bool:
        if isinstance(value, bool):
            return value
        found = self._WORDS.get(str(value).strip().lower())
        if found is None:
            self.fail(f"“{value}”不是“是”或“否”:请回答 是 或 否(也可写 y 或 n)。", param, ctx)
        return found


def confirm(question: str, default: bool = False) -> bool:
    """Ask a yes/no question: [是/否], answered with 是/否/y/n (an unknown word is asked again, in Chinese)."""
    while True:  # not click.prompt(type=...): click would prefix the refusal with an English "Error:"
        answer = click.prompt(f"{question} [是/否]", default="是" if default else "否", show_default=False, err=True)
        try:
            return YesNo().convert(answer, None, None)
        except click.BadParameter as why:
            click.echo(why.message, err=True)


def ask_time(label: str, now: datetime, tz: tzinfo, default: str | None = None) -> datetime:
    """Ask until the answer is a time staff type (8:50, 今天 8:50, 11-30 8:50 ...)."""
    from ..typed_time import parse_typed

    while True:
        answer = click.prompt(label, default=default or now.astimezone(tz).strftime("%H:%M"), err=True).strip()
        typed = parse_typed(answer, now, tz)
        if typed.value is not None:
            return typed.value
        click.echo(typed.error, err=True)


def typed_option(text: str | None, flag: str, now: datetime, tz: tzinfo) -> datetime | None:
    """A time given on the command line, in the forms staff type; a usage error when it is not one."""
    from ..typed_time import parse_typed

    if text is None:
        return None
    typed = parse_typed(text, now, tz)
    if typed.value is None:
        fail(f"{flag}:{typed.error}")
    return typed.value


def url_option(text: str | None) -> str | None:
    """``--url`` as typed: made whole (``weibo.com/1`` -> ``https://weibo.com/1``, said), or a usage error."""
    from ..new import link

    if text is None:
        return None
    given = link(text)
    if given.error:
        fail(f"--url:{given.error}")
    if given.note:
        click.echo(f"注意:{given.note}", err=True)
    return given.url


def ask_source(config: RegisterConfig) -> tuple[str, str | None]:
    """Ask for the channel; a platform name (微博, 公众号, 12345 ...) answers it too."""
    from ..model import CHANNELS
    from ..platforms import known_words, lookup
    from ..words import did_you_mean

    examples = "、".join(name for name, _, _ in config.platforms[:6])
    menu = "  ".join(f"{n}.{c}" for n, c in enumerate(CHANNELS, 1))
    click.echo(f"来源渠道:{menu}" + (f"\n(也可以直接写平台,如 {examples})" if examples else ""), err=True)
    while True:
        answer = click.prompt("来源渠道或平台", err=True).strip()
        if answer.isdigit() and 1 <= int(answer) <= len(CHANNELS):
            return CHANNELS[int(answer) - 1], None
        found = lookup(answer, config)
        if found is not None:
            return found.channel, found.platform
        click.echo(f"“{answer}”不是来源渠道,也不在 register.yml 的平台别名中。{did_you_mean(answer, known_words(config))}",
                   err=True)


@click.command("new")
@chinese_help
@click.option("--title", help="标题(1–120 字)。")
@click.option("--level", help="等级:一般 / 敏感 / 重大 / 特别重大。")
@click.option("--category", help="领域(register.yml 的 categories 之一)。")
@click.option("--unit", help="牵头单位(register.yml 的 units 之一)。")
@click.option("--discovered-at", "discovered_text", metavar="TIME",
              help="发现时间,默认现在;可写 8:50、今天 8:50、昨天 20:10、11-30 8:50、2026-11-30 8:50。")
@click.option("--channel", help="来源渠道(电视广播 / 报刊杂志 / 网络媒体 / 社交媒体 / 自媒体 / 上级转办 / 群众来电 / 其他),"
                                "或平台名:微博 即 社交媒体 + 平台 微博(别名见 register.yml 的 platforms)。")
@click.option("--summary", help="事件概要;不填时先用标题,登记后再补充。")
@click.option("--platform", help="来源平台,如 微博、抖音(可选)。")
@click.option("--url", help="原帖或报道链接(可选)。")
@click.option("--appeal-at", "appeal_text", metavar="TIME",
              help="网民发帖要求答复时:该帖的发布时间(启动 3 个工作小时初步回应、3 个工作日答复两个时限)。")
@click.option("--appeal-author", help="提出诉求的网民(可选),如 网民“某某”。")
@click.option("--branch", is_flag=True,
              help="新建分支 incident/<编号>-<随机后缀>,写入文件并只提交这个文件,便于发起合并请求(PR)。")
@click.option("--fetch/--no-fetch", default=True, show_default=True,
              help="分配编号前先从远程仓库获取最新内容(最多等 10 秒;不联网时提示后继续)。")
@click.option("--interactive/--no-interactive", default=None,
              help="逐项提问;默认在终端中运行时提问,在脚本中不提问。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式。")
@root_option
@now_option
def new_command(title: str | None, level: str | None, category: str | None, unit: str | None,
                discovered_text: str | None, channel: str | None, summary: str | None, platform: str | None,
                url: str | None, appeal_text: str | None, appeal_author: str | None, branch: bool, fetch: bool,
                interactive: bool | None, fmt: str, root: Path | None, now_text: str | None) -> None:
    """登记一个新事件:分配下一个空闲编号,生成带中文注释的事件文件。

    先从远程仓库获取最新内容(最多等 10 秒),编号取工作区、远程 origin/main 和待合并的
    incident/* 分支中当年最大序号加 1。在终端中运行时逐项提问(含网民诉求、平台和链接);
    在脚本中请用参数给出标题、等级、领域、牵头单位和来源渠道。生成的文件立即通过 `yuqing check`。

    \b
    示例:
      yuqing new --branch
      yuqing new --title "某超市销售过期酸奶被网民曝光" --level 一般 --category 食品安全 \\
                 --unit 食品经营安全监管科 --channel 微博 --discovered-at "8:50" \\
                 --url https://weibo.com/... --appeal-at "8:20" --branch
    """
    from ..config import load_config
    from ..ids import next_id, taken_ids
    from ..model import LEVELS
    from ..new import (Draft, branch_name, commit, commit_message, link, problems, relative_path, render,
                       start_branch, write)
    from ..platforms import lookup, platform_name
    from ..times import zone
    from ._common import parse_now, resolve_root

    found = resolve_root(root)
    config, _ = load_config(found)
    if config is None:
        fail("register.yml 有错误,请先运行 `yuqing check` 修正。")
    tz = zone(config.timezone)
    now = parse_now(now_text, config)
    if interactive is None:
        interactive = sys.stdin.isatty()

    discovered = typed_option(discovered_text, "--discovered-at", now, tz)
    url = url_option(url)
    appeal_at = typed_option(appeal_text, "--appeal-at", now, tz)
    if platform:
        platform = platform_name(platform, config)
    if channel:
        source = lookup(channel, config)
        if source is not None:
            channel, platform = source.channel, platform or source.platform
    elif platform and (source := lookup(platform, config)) is not None:
        channel = source.channel
    if interactive:
        title = title or ask_text("标题")
        level = level or choose("等级", LEVELS)
        category = category or choose("领域", config.categories)
        unit = unit or choose("牵头单位", config.units)
        if not channel:
            channel, platform = ask_source(config)
        if platform is None:
            platform = platform_name(ask_text("平台(如 微博、抖音,可不填)", optional=True), config) or None
        while url is None:
            asked = link(ask_text("原帖或报道链接(可不填)", optional=True))
            if asked.error:
                click.echo(asked.error, err=True)
                continue
            if asked.note:
                click.echo(f"注意:{asked.note}", err=True)
            url = asked.url or ""
        url = url or None
        discovered = discovered or ask_time("发现时间(如 8:50、昨天 20:10、11-30 8:50)", now, tz)
        if appeal_at is None and confirm("网民是否在帖子中要求答复(有诉求)?"):
            appeal_at = ask_time("诉求帖的发布时间", now, tz)
            appeal_author = appeal_author or ask_text("提出诉求的网民(可不填)", optional=True) or None
        summary = summary or ask_text("事件概要", default=title)
    else:
        given = {"title": title, "level": level, "category": category, "unit": unit, "channel": channel}
        missing = [flag for name, flag in _REQUIRED if not given[name]]
        if missing:
            click.echo("用法:yuqing new --title 标题 --level 等级 --category 领域 --unit 牵头单位 --channel 来源渠道或平台 "
                       "[--discovered-at 时间] [--summary 概要] [--url 链接] [--appeal-at 诉求发帖时间]", err=True)
            fail(f"不在终端中运行,无法逐项提问:缺少 {'、'.join(missing)}。"
                 "请用参数给出,或在终端中运行 `yuqing new` 按提示填写。")
    assert title and level and category and unit and channel
    draft = Draft(title=title, level=level, category=category, unit=unit, discovered_at=discovered or now,
                  channel=channel, summary=summary or title, platform=platform, url=url,
                  appeal_posted_at=appeal_at, appeal_author=appeal_author)
    wrong = problems(draft, config)
    if wrong:
        fail("\n".join(wrong))

    taken = taken_ids(found, fetch=fetch)
    for warning in taken.warnings:
        click.echo(f"注意:{warning}", err=True)
    incident_id = next_id(config.id_prefix, draft.discovered_at.astimezone(tz).year, taken.ids)
    rel = relative_path(incident_id)
    new_branch = branch_name(incident_id) if branch else None
    if new_branch is not None:
        from ..gitwork import MAIN, current_branch

        here = current_branch(found)
        if here is not None and here != MAIN:
            click.echo(f"注意:当前在分支 {here} 上,新分支从这里开始,合并请求会带上 {here} 的提交;"
                       f"通常应先 git switch {MAIN} 并 git pull。", err=True)
        reason = start_branch(found, new_branch)
        if reason is not None:
            fail(reason)
    path, issues = write(found, render(draft, incident_id, config), incident_id, config, now)
    if path is None:
        from ..render.check import as_text

        click.echo(as_text(1, issues), err=True)
        fail("新事件文件未通过检查,未写入。")

    left_alone: list[str] = []
    result: dict[str, object] = {"id": incident_id, "file": rel, "looked_in": list(taken.looked_in),
                                 "branch": new_branch, "commit": None, "left_alone": left_alone}
    if new_branch is not None:
        from ..gitwork import other_changes

        sha, reason = commit(found, path, commit_message(incident_id, draft.title))
        if reason is not None:
            click.echo(f"已写入 {rel},但未能提交:{reason}", err=True)
            raise SystemExit(EXIT_USAGE)
        left_alone += other_changes(found, [rel])
        result.update(commit=sha)

    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        raise SystemExit(EXIT_OK)
    click.echo(f"已登记 {incident_id}:{rel}")
    click.echo(f"(编号依据:{'、'.join(taken.looked_in)})")
    for line in next_steps(incident_id, rel, new_branch, draft.title, left_alone):
        click.echo(line)
    raise SystemExit(EXIT_OK)


def next_steps(incident_id: str, rel: str, branch: str | None, title: str, left_alone: list[str]) -> list[str]:
    from ..new import commit_message

    lines = ["下一步:"]
    if branch is not None:
        lines.append(f"  1. 已在分支 {branch} 上只提交了 {rel}(“{commit_message(incident_id, title)}”)。")
        if left_alone:
            lines.append(f"     其他未提交的改动未动、也未提交:{'、'.join(left_alone[:5])}"
                         + (" 等" if len(left_alone) > 5 else "") + "。")
        lines += [f"  2. 有进展时追加事件(自动提交到本分支):yuqing event add {incident_id} --type 研判 "
                  "--by 单位 --note \"…\" --commit(时间默认为现在;补记以前的事加 --at,如 --at \"昨天 20:10\")",
                  "  3. 推送前核对(与合并请求的检查完全相同):yuqing verify",
                  f"  4. 推送:git push -u origin {branch}",
                  "  5. 在 Gitea/GitHub 页面上对该分支发起合并请求(PR),检查通过、审核后合并。"]
    else:
        lines += [f"  1. 打开 {rel} 核对;进展用 yuqing event add {incident_id} … 追加;",
                  f"  2. 运行 yuqing check {rel};",
                  f"  3. 只提交这个文件:git add {rel} && git commit -m {shlex.quote(commit_message(incident_id, title))} -- {rel}",
                  "     (建议用 yuqing new --branch:自动建分支并只提交这个文件,推送后发起合并请求。)"]
    return lines


COMMANDS = [new_command]
