"""`yuqing audit` results as text, JSON and GitHub annotations.

Refused changes come first, then the changes that need an approver under the
heading "需要审批" (each with its reason), then what is only shown (info).
"""

from __future__ import annotations

import json

from ..audit import AuditResult
from ..model import Issue
from .github import annotation

MAX_SHOWN = 200
LABEL = {"error": "错误", "approval": "需审批", "info": "提示", "warning": "提醒"}
ANNOTATION = {"error": "error", "approval": "warning", "info": "notice", "warning": "warning"}
APPROVAL_HEADING = "需要审批"


def summary(result: AuditResult) -> str:
    where = f"与 {result.base} 的分叉点 {result.merge_base[:8]} 相比"
    settings = "(按目标分支的设置和规则审核)" if result.settings == "base" else "(按工作区的设置和规则审核)"
    errors, approvals = result.of("error"), result.of("approval")
    if not result.findings and not result.files:
        return f"{where},本分支没有改动事件文件和设置,通过。{settings}"
    need = (f"另有 {len(approvals)} 处改动需要审批人(CODEOWNERS)审核后才能合并。" if approvals else "")
    if not errors:
        return (f"{where},本分支改动了 {result.files} 个事件文件,没有不允许的改动,通过。{need}{settings}")
    files = len({f.file for f in errors})
    return (f"{where},本分支改动了 {result.files} 个事件文件,其中 {files} 个文件有 {len(errors)} 处不允许的改动,未通过。"
            f"{need}台账规则:记录只增不改,更正以追加“更正”事件的方式留痕;事件只能撤销(withdrawn)不能删除。{settings}")


def _line(finding: Issue) -> str:
    path = f" {finding.path}:" if finding.path else ""
    return f"{finding.file}:{finding.line}:{finding.column}:{path} {LABEL[finding.severity]}[{finding.code}] {finding.message}"


def _ordered(result: AuditResult) -> list[Issue]:
    rank = {"error": 0, "approval": 1, "info": 2, "warning": 3}
    return sorted(result.findings, key=lambda f: rank.get(f.severity, 9))


def as_text(result: AuditResult) -> str:
    shown = _ordered(result)[:MAX_SHOWN]
    groups = [
        ("", [f for f in shown if f.severity in ("error", "warning")]),
        (f"{APPROVAL_HEADING}(合并前须由审批人审核,各条写明原因):", [f for f in shown if f.severity == "approval"]),
        ("提示(允许的改动,站点的修改记录保留旧值):", [f for f in shown if f.severity == "info"]),
    ]
    lines: list[str] = []
    for heading, findings in groups:
        if not findings:
            continue
        if lines:
            lines.append("")
        if heading:
            lines.append(heading)
        lines += [_line(f) for f in findings]
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
        "settings": result.settings,
        "files": result.files,
        "counts": {s: len(result.of(s)) for s in ("error", "approval", "info")},
        "findings": [f.as_json() for f in result.findings],
    }, ensure_ascii=False, indent=2)


def as_github(result: AuditResult) -> str:
    lines = [annotation(ANNOTATION[f.severity], f.message, file=f.file, line=f.line, column=f.column,
                        title=f"yuqing audit [{f.code}]{' 需要审批' if f.severity == 'approval' else ''}")
             for f in _ordered(result)[:MAX_SHOWN]]
    lines.append(summary(result))
    return "\n".join(lines)


def as_approvals(result: AuditResult) -> str:
    """Markdown list of the changes that need an approver (for the job summary of a pull request)."""
    approvals = result.of("approval")
    if not approvals:
        return f"## {APPROVAL_HEADING}\n\n没有需要审批的改动。\n"
    lines = [f"## {APPROVAL_HEADING}", "", f"以下 {len(approvals)} 处改动合并前须由审批人(CODEOWNERS)审核:", ""]
    for finding in approvals:
        text = finding.message.replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")
        lines.append(f"- `{finding.file}:{finding.line}` `{finding.code}`:{text}")
    return "\n".join(lines) + "\n"


RENDERERS = {"text": as_text, "json": as_json, "github": as_github, "approvals": as_approvals}
