"""The Chinese tables `yuqing import` prints: what would be written, or which rows failed and why."""

from __future__ import annotations

import unicodedata
from typing import Sequence

from .plan import NEW, RECORDED, SKIPPED, UNREGISTERED, WARNING, Plan


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cut(text: str, columns: int) -> str:
    """``text`` shortened with … to fit ``columns``."""
    if width(text) <= columns:
        return text
    kept = ""
    for char in text:
        if width(kept + char) > columns - 1:
            break
        kept += char
    return kept + "…"


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], limits: tuple[int, ...]) -> list[str]:
    """Aligned lines; each column cut to its limit (0: no limit, for the last column)."""
    cells = [tuple(cut(c, limit) if limit else c for c, limit in zip(row, limits)) for row in [header, *rows]]
    widths = [max(width(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        padded = [c + " " * (widths[i] - width(c)) if i < len(row) - 1 else c for i, c in enumerate(row)]
        lines.append("  ".join(padded).rstrip())
    return lines


def describe(plan: Plan) -> str:
    """One line: what was read, with which profile, where the header sits."""
    kind = {"xlsx": "Excel 工作簿", "csv": f"CSV(编码 {plan.encoding})"}.get(plan.kind or "", "无法读取")
    from .rows import clean

    parts = [f"读取 {clean(plan.file_name)}:{kind}"]
    if plan.profile is not None:
        parts.append(f"表头在第 {plan.header_row} 行,导入方案 {plan.profile}")
        parts.append(f"数据 {plan.rows} 行" + (f",选入 {plan.selected} 行" if plan.ok else ""))
    return ",".join(parts) + "。"


def problem_lines(plan: Plan) -> list[str]:
    rows = [(str(p.row or ""), p.column, p.value, p.message) for p in plan.problems]
    failed = len({p.row for p in plan.problems})
    return [f"{failed} 行有问题,未写入任何文件(改正导出文件后重新导入):",
            *table(("行", "列", "内容", "问题"), rows, (6, 12, 30, 0))]


def action_lines(plan: Plan) -> list[str]:
    rows = [("、".join(map(str, a.rows)), a.kind, a.incident or "", a.title, a.reason or (a.link or ""))
            for a in plan.actions]
    lines = table(("行", "处理", "编号", "标题", "链接或说明"), rows, (14, 8, 14, 36, 0)) if rows else ["(没有选入的行)"]
    counts = ",".join(f"{kind} {plan.count(kind)} 条" for kind in (NEW, WARNING, RECORDED, SKIPPED, UNREGISTERED)
                      if plan.count(kind) or kind in (NEW, WARNING))
    return [*lines, f"合计:{counts}。"]
