"""A DeadlineReport as text (信号灯 table), JSON (docs/reference/json.md), GitHub annotations and Markdown.

Every format carries the report's warnings (a year without a confirmed holiday
calendar is never left out of any of them).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Callable, Sequence
from urllib.parse import quote

from ..deadlines import STATUS_ORDER, STATUS_TEXT, DeadlineReport
from ..model import Deadline
from ..times import human_duration, iso, short
from .github import annotation
from .markdown import Markup, md_text
from .table import clip, md_table, table

SIGNAL: dict[str, str] = {
    "overdue": "🔴",
    "due_soon": "🟡",
    "pending": "🟢",
    "met": "✓",
    "met_late": "⚠",
    "unknown": "❓",
}

_LIVE = ("overdue", "due_soon", "unknown", "pending")
HEADERS = ("信号", "事件", "标题", "等级", "时限", "责任单位", "截止时间", "情况")
TITLE_COLUMNS = 24


def urgency(deadline: Deadline) -> tuple[int, int, float, str, str]:
    """Sort key: open incidents' live deadlines first, most urgent first; then the record."""
    live = deadline.incident_open and deadline.status in _LIVE
    due = deadline.due.timestamp() if deadline.due else float("inf")
    # Live: the earliest due first (the longest overdue leads); record: the latest first.
    return (0 if live else 1, STATUS_ORDER.index(deadline.status), due if live else -due,
            deadline.incident, deadline.rule)


def ordered(report: DeadlineReport) -> list[Deadline]:
    return sorted(report.deadlines, key=urgency)


def situation(deadline: Deadline, now: datetime) -> str:
    """How long until due, how long overdue, or how the deadline was met (Chinese)."""
    due, met = deadline.due, deadline.met_at
    if deadline.status == "unknown" or due is None:
        return "无法计算(缺节假日数据)" if met is None else f"已于 {short(met)} 办理,截止时间无法计算"
    if deadline.status == "overdue":
        return f"已逾期 {human_duration(now - due)}"
    if deadline.status in ("due_soon", "pending"):
        return f"剩余 {human_duration(due - now)}"
    assert met is not None
    if deadline.status == "met_late":
        return f"超时 {human_duration(met - due)} 完成"
    return f"按时完成(提前 {human_duration(due - met)})"


def summary(report: DeadlineReport) -> str:
    counts = report.counts()
    if not counts:
        return f"截至 {short(report.now)},没有符合条件的时限。"
    parts = "、".join(f"{SIGNAL[s]} {STATUS_TEXT[s]} {n}" for s, n in counts.items())
    return f"截至 {short(report.now)},共 {len(report.deadlines)} 项时限:{parts}。"


def _due_text(deadline: Deadline) -> str:
    if deadline.due is None:
        return "?"
    return short(deadline.due) + ("(已延期)" if deadline.extended else "")


def _row(deadline: Deadline, now: datetime, title_columns: int | None) -> list[str]:
    title = clip(deadline.title, title_columns) if title_columns else deadline.title
    return [SIGNAL[deadline.status], deadline.incident, title, deadline.level, deadline.rule_title,
            deadline.unit, _due_text(deadline), situation(deadline, now)]


def as_text(report: DeadlineReport) -> str:
    lines: list[str] = []
    rows = [_row(d, report.now, TITLE_COLUMNS) for d in ordered(report)]
    if rows:
        lines += [table(HEADERS, rows), ""]
    lines.append(summary(report))
    for warning in report.warnings:
        lines.append(f"注意:{warning}")
    return "\n".join(lines)


def _deadline_json(deadline: Deadline) -> dict[str, object]:
    return {
        "incident": deadline.incident,
        "rule": deadline.rule,
        "level": deadline.level,
        "unit": deadline.unit,
        "start": iso(deadline.start),
        "due": iso(deadline.due),
        "status": deadline.status,
        "met_at": iso(deadline.met_at),
        # Extra keys (docs/reference/json.md allows additions).
        "title": deadline.title,
        "rule_title": deadline.rule_title,
        "file": deadline.file,
        "line": deadline.line,
        "extended": deadline.extended,
        "incident_open": deadline.incident_open,
        "warning": deadline.warning,
    }


def as_dict(report: DeadlineReport) -> dict[str, object]:
    return {
        "now": iso(report.now),
        "deadlines": [_deadline_json(d) for d in report.deadlines],
        "warnings": list(report.warnings),
        "counts": report.counts(),
    }


def as_json(report: DeadlineReport) -> str:
    return json.dumps(as_dict(report), ensure_ascii=False, indent=2)


def _annotation(deadline: Deadline, now: datetime) -> str | None:
    head = f"{deadline.incident}「{deadline.title}」{deadline.rule_title}"
    unit = f"(责任单位:{deadline.unit})"
    if deadline.status == "overdue":
        kind = "error" if deadline.incident_open else "warning"
        closed = "" if deadline.incident_open else "事件已结束,但"
        message = f"{head}:{closed}截止 {_due_text(deadline)},至今未办理,{situation(deadline, now)}{unit}。"
        return annotation(kind, message, file=deadline.file, line=deadline.line, title="时限已逾期")
    if deadline.status == "due_soon":
        message = f"{head}:截止 {_due_text(deadline)},{situation(deadline, now)}{unit}。"
        return annotation("warning", message, file=deadline.file, line=deadline.line, title="时限临近")
    if deadline.status == "met_late":
        message = (f"{head}:截止 {_due_text(deadline)},于 {short(deadline.met_at)} 办理,"
                   f"{situation(deadline, now)}{unit}。")
        return annotation("warning", message, file=deadline.file, line=deadline.met_line or deadline.line,
                          title="超时办理")
    if deadline.status == "unknown":
        message = f"{head}:{deadline.warning or '截止时间无法计算。'}"
        return annotation("warning", message, file=deadline.file, line=deadline.line, title="时限无法计算")
    return None


def as_github(report: DeadlineReport) -> str:
    """One annotation per deadline that needs attention, then the warnings and a summary.

    overdue → ``::error`` (``::warning`` when the incident is already closed),
    due_soon, unknown → ``::warning`` on the line where the clock started;
    met_late → ``::warning`` on the line of the late event. pending and met are
    not annotated.
    """
    lines = [a for d in ordered(report) if (a := _annotation(d, report.now))]
    lines += [annotation("warning", w, title="时限计算提醒") for w in report.warnings]
    lines.append(summary(report))
    return "\n".join(lines)


def as_markdown(report: DeadlineReport, link: Callable[[str], str | None] | None = None,
                *, heading: str | None = None) -> str:
    """The 信号灯 table in Markdown, for the site, reports and the CI job summary.

    ``link`` maps an incident id to a URL (or None) to link the id column;
    ``heading`` adds a level-2 heading. Warnings come first, as a quote block.
    """
    lines: list[str] = []
    if heading:
        lines += [f"## {heading}", ""]
    for warning in report.warnings:
        lines += [f"> **注意**:{md_text(warning)}", ">"]
    if report.warnings:
        lines[-1] = ""
    lines += [md_text(summary(report)), ""]
    rows: list[Sequence[object]] = []
    for deadline in ordered(report):
        row: list[object] = list(_row(deadline, report.now, None))  # md_table escapes every cell
        url = link(deadline.incident) if link else None
        if url:
            row[1] = _link(deadline.incident, url)
        rows.append(row)
    if rows:
        lines += [md_table(HEADERS, rows), ""]
    return "\n".join(lines)


def _link(label: str, url: str) -> Markup:
    """A Markdown link whose text is escaped and whose destination cannot end early or hold markup."""
    # Spaces, parentheses, angle brackets, quotes and backslashes are percent-encoded:
    # the destination stays one token and never closes the link or opens a tag.
    destination = quote(url, safe="/:?#&=%+,;@!$*~.-_")
    return Markup(f"[{md_text(label)}]({destination})")


RENDERERS: dict[str, Callable[[DeadlineReport], str]] = {
    "text": as_text,
    "json": as_json,
    "github": as_github,
    "markdown": as_markdown,
}
