"""`yuqing audit` results as text, JSON and GitHub annotations."""

from __future__ import annotations

import json

from ..audit import AuditResult
from .github import annotation

MAX_SHOWN = 200


def summary(result: AuditResult) -> str:
    where = f"与 {result.base} 的分叉点 {result.merge_base[:8]} 相比"
    errors = [f for f in result.findings if f.severity == "error"]
    if not result.files:
        return f"{where},本分支没有改动事件文件,通过。"
    if not errors:
        return f"{where},本分支改动了 {result.files} 个事件文件,均为允许的改动(新增事件、追加记录),通过。"
    files = len({f.file for f in errors})
    return (f"{where},本分支改动了 {result.files} 个事件文件,其中 {files} 个有 {len(errors)} 处不允许的改动,未通过。"
            "台账规则:事件只能撤销(withdrawn)不能删除;已归档记录只能追加“更正”;处置经过只增不删、不调换;编号不改、不重复。")


def as_text(result: AuditResult) -> str:
    lines = [f"{f.file}:{f.line}:{f.column}:{' ' + f.path + ':' if f.path else ''} "
             f"{'错误' if f.severity == 'error' else '提醒'}[{f.code}] {f.message}"
             for f in result.findings[:MAX_SHOWN]]
    if len(result.findings) > MAX_SHOWN:
        lines.append(f"……另有 {len(result.findings) - MAX_SHOWN} 处未显示(用 --format json 查看全部)。")
    if lines:
        lines.append("")
    lines.append(summary(result))
    return "\n".join(lines)


def as_json(result: AuditResult) -> str:
    return json.dumps({
        "ok": result.ok,
        "base": result.base,
        "base_commit": result.base_commit,
        "merge_base": result.merge_base,
        "head": result.head,
        "files": result.files,
        "findings": [f.as_json() for f in result.findings],
    }, ensure_ascii=False, indent=2)


def as_github(result: AuditResult) -> str:
    lines = [annotation(f.severity, f.message, file=f.file, line=f.line, column=f.column,
                        title=f"yuqing audit [{f.code}]")
             for f in result.findings[:MAX_SHOWN]]
    lines.append(summary(result))
    return "\n".join(lines)


RENDERERS = {"text": as_text, "json": as_json, "github": as_github}
