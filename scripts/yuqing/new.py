"""Scaffold a new incident file: the next free id, every required field, Chinese comments.

The file is written only after it has passed the same checks as `yuqing check`
(checked in a scratch folder first), so a new record is valid from its first
commit. Every value in it comes from the YAML emitter (:mod:`yuqing.yamlout`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .model import CHANNELS, LEVELS, Issue, RegisterConfig
from .times import iso
from .yamlout import Time, mapping_lines

SCHEMA_MODELINE = "# yaml-language-server: $schema=../../schemas/incident.schema.json"


@dataclass(frozen=True)
class Draft:
    """What a person says about a new incident; the rest of the file is a template."""

    title: str
    level: str
    category: str
    unit: str
    discovered_at: datetime
    channel: str
    summary: str
    platform: str | None = None
    url: str | None = None
    appeal_posted_at: datetime | None = None
    """When the netizen's post asking for a reply was published (starts the reply clocks)."""
    appeal_author: str | None = None
    occurred_at: datetime | None = None
    """When the first post appeared (``yuqing import`` fills it from the export's publication time)."""
    tags: tuple[str, ...] = ()
    events: tuple[dict[str, object], ...] = ()
    """Events the file starts with, as the file holds them (``yuqing import`` starts with its 预警)."""


def problems(draft: Draft, config: RegisterConfig) -> list[str]:
    """What is wrong with a draft, in Chinese (empty when it can be written)."""
    from .words import did_you_mean, listing

    found: list[str] = []
    title = draft.title.strip()
    if not title:
        found.append("标题不能为空。")
    elif len(title) > 120:
        found.append(f"标题有 {len(title)} 字,不能超过 120 字。")
    for name, value, choices in (
        ("等级", draft.level, LEVELS), ("领域", draft.category, config.categories),
        ("牵头单位", draft.unit, config.units), ("来源渠道", draft.channel, CHANNELS),
    ):
        if value not in choices:
            found.append(f"{name}“{value}”无效。{did_you_mean(value, choices)}可选:{listing(choices)}。")
    if not draft.summary.strip():
        found.append("事件概要不能为空。")
    if draft.appeal_posted_at is not None and draft.appeal_posted_at > draft.discovered_at:
        found.append("网民诉求的发帖时间晚于发现时间:发现时间应不早于发帖时间,请核对。")
    return found


_SCHEME = re.compile(r"(?i)([a-z][a-z0-9+.-]*):")
_HOST = re.compile(r"(?i)(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?")


@dataclass(frozen=True)
class Link:
    """A link as typed, made whole: ``url`` (None when refused or empty), a Chinese ``note`` or ``error``."""

    url: str | None
    note: str | None = None
    error: str | None = None


def link(text: str | None) -> Link:
    """``weibo.com/123456`` -> ``https://weibo.com/123456`` (with a note); http(s) kept; anything else refused."""
    typed = (text or "").strip()
    if not typed:
        return Link(None)
    scheme = _SCHEME.match(typed)
    if scheme and typed[scheme.end():].startswith("//") and scheme.group(1).lower() in ("http", "https"):
        return Link(typed)
    if not scheme and _HOST.fullmatch(typed):
        whole = f"https://{typed}"
        return Link(whole, note=f"链接“{typed}”没有写 https://,已按 {whole} 记录,请核对能否打开。")
    return Link(None, error=f"链接“{typed}”不是网址:应以 http:// 或 https:// 开头,如 https://weibo.com/123456。")


def _field(key: str, value: object, indent: int = 0) -> str:
    """One ``key: value`` entry, emitted (never interpolated), without the final newline."""
    return mapping_lines({key: value}, indent).rstrip("\n")


def render(draft: Draft, incident_id: str, config: RegisterConfig) -> str:
    """The text of the new incident file, with a Chinese comment on every field.

    Every value comes from the YAML emitter, so no text a person types (a
    hashtag, ``: ``, a quote, a line break, a control character) can change the
    file's structure: what was typed is exactly what the file holds.
    """
    channel_words = " / ".join(CHANNELS)
    when = iso(draft.discovered_at)
    assert when is not None
    source_extra = [_field("platform", draft.platform, 2) if draft.platform else "  # platform: 微博",
                    _field("url", draft.url, 2) if draft.url else "  # url: https://…"]
    if draft.appeal_posted_at is not None:
        appeal: dict[str, str] = {"posted_at": Time(iso(draft.appeal_posted_at) or "")}
        if draft.appeal_author:
            appeal["author"] = draft.appeal_author
        appeal_lines = [
            "# 网民诉求:网帖要求答复;已启动“3 个工作小时内初步回应”“3 个工作日内答复”两个时限。",
            mapping_lines({"appeal": appeal}).rstrip("\n"),
        ]
    else:
        appeal_lines = [
            "# 网民诉求:网帖要求答复时去掉 # 填写;将启动“3 个工作小时内初步回应”“3 个工作日内答复”两个时限。",
            "# appeal:",
            f"#   posted_at: \"{when}\"",
            "#   author: 网民“某某”",
        ]
    return "\n".join([
        SCHEMA_MODELINE,
        f"# {' '.join(config.name.split())}:舆情事件登记(由 `yuqing new` 生成)。",
        "# 每个字段上方的注释说明怎么填;改完运行 `yuqing check`。",
        "# 之后的进展用 `yuqing event add` 追加(自动写入处置经过、改等级和状态),不必手改。",
        "",
        "# 编号:自动分配,与文件名相同,登记后不得修改(撞号时用 `yuqing renumber`)。",
        _field("id", incident_id),
        "# 标题:1–120 字,概括“何地何事”。",
        _field("title", draft.title.strip()),
        f"# 当前等级:{' / '.join(LEVELS)}。",
        "# 定级、升级、降级用 `yuqing event add 编号 --type 升级 --level 重大`,这里随之改变。",
        _field("level", draft.level),
        "# 状态:监测中 / 处置中 / 已平息(需有“平息”事件)/ 已归档(需有“归档”事件)。",
        _field("status", "监测中"),
        "# 领域:取 register.yml 中 categories 之一。",
        _field("category", draft.category),
        "# 舆情发生时间(首帖或首次报道的时间,可选),不得晚于发现时间。知道时去掉 # 填写:",
        _field("occurred_at", Time(iso(draft.occurred_at) or "")) if draft.occurred_at is not None
        else f"# occurred_at: \"{when}\"",
        "# 发现时间:本单位发现该舆情的时间。编号中的年份和所在年份目录以此为准。",
        _field("discovered_at", Time(when)),
        f"# 来源:channel 必填({channel_words});",
        "# platform 平台(如 微博、抖音、12345 热线);url 原帖或报道链接;上级转办时 transferred_from 写转办单位。",
        "source:",
        _field("channel", draft.channel, 2),
        *source_extra,
        "# 责任单位:lead 牵头单位(必填);assisting 协办单位(可选,列表)。均取 register.yml 中 units 之一。",
        "units:",
        _field("lead", draft.unit, 2),
        "  # assisting:",
        "  #   - 东城区局",
        "# 事件概要:何时、何地、何人、何事、网民关注点;引用网帖原文照录即可。",
        _field("summary", draft.summary),
        *appeal_lines,
        "# 标签(可选):",
        _field("tags", list(draft.tags)) if draft.tags else "# tags: [外卖, 校园周边]",
        "# 处置经过:按时间先后逐条追加,已有的事件不删除、不调换顺序(写错了就追加一条“更正”)。",
        "# 类型:预警 转办 研判 定级 升级 降级 上报 续报 核报 初步回应 答复 发布权威信息 新闻发布会",
        "#       媒体采访 网评引导 线下处置 平息 评估总结 归档 更正;定级/升级/降级须写 level。",
        "# 用 `yuqing event add 编号 --type 研判 --by 单位 --note \"…\"` 追加(时间默认为现在,补记加 --at),例如:",
        "# timeline:",
        f"#   - at: \"{when}\"",
        "#     type: 研判",
        "#     by: 综合应急和新闻宣传科",
        "#     note: 初步研判为一般舆情,持续监测",
        _timeline(draft.events),
        "",
    ])


def _timeline(events: tuple[dict[str, object], ...]) -> str:
    """``timeline: []``, or the starting events as a block list (each emitted, never interpolated)."""
    if not events:
        return "timeline: []"
    from .yamlout import list_item

    items = [{key: (Time(str(value)) if key == "at" else value) for key, value in event.items()
              if value not in (None, "")} for event in events]
    return "timeline:\n" + "".join(list_item(item, 2, 4) for item in items).rstrip("\n")


def relative_path(incident_id: str) -> str:
    """incidents/<YYYY>/<id>.yml for an id (the year is the id's)."""
    return f"incidents/{incident_id.split('-')[1]}/{incident_id}.yml"


def write(root: Path, text: str, incident_id: str, config: RegisterConfig, now: datetime) -> tuple[Path | None, list[Issue]]:
    """Check the file as `yuqing check` would (in a scratch folder), then write it; nothing is written on errors.

    Returns the path written (None when refused) and the issues found.
    """
    from .edit import check_text

    rel = relative_path(incident_id)
    path = root / rel
    if path.exists():
        return None, [Issue(rel, 1, 1, "", "file-exists", f"{rel} 已存在,不会覆盖。")]
    issues = check_text(root, rel, text, config, now)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        return None, errors
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, issues


def commit_message(incident_id: str, title: str) -> str:
    """The fixed form of a registration commit: ``登记 YQ-2025-0042 标题``."""
    return f"登记 {incident_id} {' '.join(title.split())}"


def branch_name(incident_id: str) -> str:
    """A new, unique registration branch: ``incident/<id>-<6 hex>`` (two clerks never share one)."""
    from .gitwork import unique_branch
    from .ids import BRANCH_PREFIX

    return unique_branch(BRANCH_PREFIX.rstrip("/"), incident_id)


def start_branch(root: Path, name: str) -> str | None:
    """Create and switch to branch ``name``; a Chinese reason when it cannot."""
    from .gitwork import in_git, switch_new

    if not in_git(root):
        return "不在 git 仓库中,无法使用 --branch。"
    return switch_new(root, name)


def commit(root: Path, path: Path, message: str) -> tuple[str | None, str | None]:
    """Commit only ``path`` with ``message``: (commit id, None) or (None, Chinese reason)."""
    from .gitwork import commit_only
    from .register import relative

    done = commit_only(root, [relative(path, root)], message)
    return (done.output, None) if done.ok else (None, done.output)
