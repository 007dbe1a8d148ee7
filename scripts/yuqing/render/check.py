"""`yuqing check` results as text, JSON (docs/reference/json.md) and GitHub annotations."""

from __future__ import annotations

import json
from typing import Sequence

from ..loader import shown
from ..model import Issue
from .github import annotation

MAX_SHOWN = 200
"""Text and GitHub output stop after this many issues (JSON keeps them all)."""


def summary(files: int, issues: Sequence[Issue]) -> str:
    errors = sum(1 for i in issues if i.severity == "error")
    warnings = len(issues) - errors
    bad_files = len({i.file for i in issues if i.severity == "error"})
    if not issues:
        return f"检查了 {files} 个文件,全部通过。"
    parts = []
    if errors:
        parts.append(f"{errors} 个错误(涉及 {bad_files} 个文件)")
    if warnings:
        parts.append(f"{warnings} 个提醒")
    verdict = "未通过" if errors else "通过(有提醒)"
    return f"检查了 {files} 个文件:{'、'.join(parts)},{verdict}。"


def _more(issues: Sequence[Issue], shown: int) -> str:
    rest = len(issues) - shown
    return f"……另有 {rest} 个问题未显示(用 --format json 查看全部)。" if rest > 0 else ""


def as_text(files: int, issues: Sequence[Issue], limit: int = MAX_SHOWN) -> str:
    lines = []
    for issue in issues[:limit]:
        mark = "错误" if issue.severity == "error" else "提醒"
        # A file name (or a key in a JSON path) is the world's text: a line break or a bidi
        # character in it must not fake a line of output, so it is shown spelled out.
        where = f"{shown(issue.file)}:{issue.line}:{issue.column}"
        path = f" {shown(issue.path)}:" if issue.path else ""
        lines.append(f"{where}:{path} {mark}[{issue.code}] {issue.message}")
    more = _more(issues, limit)
    if more:
        lines.append(more)
    if lines:
        lines.append("")
    lines.append(summary(files, issues))
    return "\n".join(lines)


def as_json(files: int, issues: Sequence[Issue]) -> str:
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    return json.dumps({
        "ok": not errors,
        "files": files,
        "errors": [i.as_json() for i in errors],
        "warnings": [i.as_json() for i in warnings],
    }, ensure_ascii=False, indent=2)


def as_github(files: int, issues: Sequence[Issue], limit: int = MAX_SHOWN) -> str:
    lines = [
        annotation("error" if i.severity == "error" else "warning",
                   f"{i.path}: {i.message}" if i.path else i.message,
                   file=i.file, line=i.line, column=i.column, title=f"yuqing check [{i.code}]")
        for i in issues[:limit]
    ]
    more = _more(issues, limit)
    if more:
        lines.append(annotation("warning", more))
    lines.append(summary(files, issues))
    return "\n".join(lines)


RENDERERS = {"text": as_text, "json": as_json, "github": as_github}
