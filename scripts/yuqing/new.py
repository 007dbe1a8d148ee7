"""Scaffold a new incident file: the next free id, every required field, Chinese comments.

The file is written only after it has passed the same checks as `yuqing check`
(checked in place, removed again if it does not), so a new record is valid
from its first commit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .loader import resolve_plain
from .model import CHANNELS, LEVELS, Issue, RegisterConfig
from .times import iso

SCHEMA_MODELINE = "# yaml-language-server: $schema=../../schemas/incident.schema.json"
_PLAIN_SAFE = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n#]*$")


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
    return found


def scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back as the same text, else quoted."""
    if _PLAIN_SAFE.match(text) and ": " not in text and not text.endswith((" ", ":")) and resolve_plain(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _block(text: str, indent: str = "  ") -> str:
    lines = text.strip("\n").splitlines()
    if any(not line.isprintable() for line in lines) or (lines and lines[0][:1] == " "):
        return " " + json.dumps(text.strip(), ensure_ascii=False)
    return " |\n" + "\n".join(f"{indent}{line}" if line else "" for line in lines)


def render(draft: Draft, incident_id: str, config: RegisterConfig) -> str:
    """The text of the new incident file, with a Chinese comment on every field."""
    channel_words = " / ".join(CHANNELS)
    source_extra = []
    source_extra.append(f"  platform: {scalar(draft.platform)}" if draft.platform else "  # platform: 微博")
    source_extra.append(f"  url: {scalar(draft.url)}" if draft.url else "  # url: https://…")
    example_time = iso(draft.discovered_at)
    return "\n".join([
        SCHEMA_MODELINE,
        f"# {config.name}:舆情事件登记(由 `yuqing new` 生成)。",
        "# 每个字段上方的注释说明怎么填;改完运行 `yuqing check`。",
        "# 时间写成 \"2025-03-02T18:00:00+08:00\",或 \"2025-03-02 18:00\"(按台账时区理解);只写日期无效。",
        "",
        "# 编号:自动分配,与文件名相同,登记后不得修改。",
        f"id: {incident_id}",
        "# 标题:1–120 字,概括“何地何事”。",
        f"title: {scalar(draft.title.strip())}",
        f"# 当前等级:{' / '.join(LEVELS)}。",
        "# 定级、升级、降级时在处置经过中记一条事件(写明 level),并把这里改成同样的等级。",
        f"level: {draft.level}",
        "# 状态:监测中 / 处置中 / 已平息(需有“平息”事件)/ 已归档(需有“归档”事件)。",
        "status: 监测中",
        "# 领域:取 register.yml 中 categories 之一。",
        f"category: {draft.category}",
        "# 舆情发生时间(首帖或首次报道的时间,可选),不得晚于发现时间。知道时去掉 # 填写:",
        f"# occurred_at: \"{example_time}\"",
        "# 发现时间:本单位发现该舆情的时间。编号中的年份和所在年份目录以此为准。",
        f"discovered_at: \"{iso(draft.discovered_at)}\"",
        f"# 来源:channel 必填({channel_words});",
        "# platform 平台(如 微博、抖音、12345 热线);url 原帖或报道链接;上级转办时 transferred_from 写转办单位。",
        "source:",
        f"  channel: {draft.channel}",
        *source_extra,
        "# 责任单位:lead 牵头单位(必填);assisting 协办单位(可选,列表)。均取 register.yml 中 units 之一。",
        "units:",
        f"  lead: {draft.unit}",
        "  # assisting:",
        "  #   - 东城区局",
        "# 事件概要:何时、何地、何人、何事、网民关注点;引用网帖原文照录即可。",
        "summary:" + _block(draft.summary),
        "# 网民诉求:网帖要求答复时去掉 # 填写;将启动“3 个工作小时内初步回应”“3 个工作日内答复”两个时限。",
        "# appeal:",
        f"#   posted_at: \"{example_time}\"",
        "#   author: 网民“某某”",
        "# 标签(可选):",
        "# tags: [外卖, 校园周边]",
        "# 处置经过:按时间先后逐条追加,已有的事件不删除、不调换顺序(写错了就追加一条“更正”)。",
        "# 类型:预警 转办 研判 定级 升级 降级 上报 续报 核报 初步回应 答复 发布权威信息 新闻发布会",
        "#       媒体采访 网评引导 线下处置 平息 评估总结 归档 更正;定级/升级/降级须写 level。",
        "# 第一条事件记下后,把下面的 [] 换成事件列表,例如:",
        "# timeline:",
        f"#   - at: \"{example_time}\"",
        "#     type: 研判",
        "#     by: 综合应急和新闻宣传科",
        "#     note: 初步研判为一般舆情,持续监测",
        "timeline: []",
        "",
    ])


def relative_path(incident_id: str) -> str:
    """incidents/<YYYY>/<id>.yml for an id (the year is the id's)."""
    return f"incidents/{incident_id.split('-')[1]}/{incident_id}.yml"


def write(root: Path, text: str, incident_id: str, config: RegisterConfig, now: datetime) -> tuple[Path | None, list[Issue]]:
    """Write the file and check it as `yuqing check` would; on errors remove it again.

    Returns the path written (None when refused) and the issues found.
    """
    from .register import check_file
    from .rules import Context
    from .validate import SchemaChecker, read_schema

    path = root / relative_path(incident_id)
    if path.exists():
        return None, [Issue(relative_path(incident_id), 1, 1, "", "file-exists",
                            f"{relative_path(incident_id)} 已存在,不会覆盖。")]
    created_dir = not path.parent.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _, issues = check_file(path, root, SchemaChecker(read_schema("incident.schema.json", root)), Context(config, now))
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        path.unlink()
        if created_dir:
            path.parent.rmdir()
        return None, errors
    return path, issues


def commit_message(incident_id: str, title: str) -> str:
    """The fixed form of a registration commit: ``登记 YQ-2025-0042 标题``."""
    return f"登记 {incident_id} {' '.join(title.split())}"


def branch_name(incident_id: str) -> str:
    from .ids import BRANCH_PREFIX

    return f"{BRANCH_PREFIX}{incident_id}"


def start_branch(root: Path, incident_id: str) -> str | None:
    """Create and switch to ``incident/<id>``; a Chinese reason when it cannot."""
    import git

    from .history import open_repo

    repo = open_repo(root)
    if repo is None:
        return "不在 git 仓库中,无法使用 --branch。"
    name = branch_name(incident_id)
    if name in [h.name for h in repo.heads]:
        return f"分支 {name} 已存在。"
    try:
        repo.git.switch("-c", name)
    except git.GitCommandError as error:
        return f"无法创建分支 {name}:{error.stderr.strip()}"
    return None


def commit(root: Path, path: Path, message: str) -> tuple[str | None, str | None]:
    """Commit only ``path`` with ``message``: (commit id, None) or (None, Chinese reason)."""
    import git

    from .history import open_repo

    repo = open_repo(root)
    if repo is None:  # pragma: no cover - checked before the file was written
        return None, "不在 git 仓库中。"
    try:
        repo.git.add("--", str(path))
        repo.git.commit("-m", message, "--only", "--", str(path))
    except git.GitCommandError as error:
        detail = str(error.stderr or error).strip()
        if "user.email" in detail or "identity" in detail.lower():
            return None, "git 还不知道你是谁:请先运行 git config user.name \"姓名\" 和 git config user.email \"邮箱\"。"
        return None, f"提交失败:{detail}"
    return repo.head.commit.hexsha, None
