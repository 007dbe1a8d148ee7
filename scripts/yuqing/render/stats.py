"""`yuqing stats` results as text, JSON (docs/reference/json.md), CSV and Markdown."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any, Callable, Iterable, Sequence

from ..model import LEVELS
from ..stats import MEASURES, Stats
from ..times import human_duration
from .cells import inert
from .markdown import md_text
from .table import md_table, table

BREAKDOWNS: tuple[str, ...] = ("level", "status", "unit", "category", "channel", "month")
BY_NAME: dict[str, str] = {"level": "等级", "status": "状态", "unit": "责任单位", "category": "领域",
                           "channel": "来源渠道", "month": "发现月份"}

Section = tuple[str, tuple[str, ...], list[tuple[str, ...]], str]
"""(title, headers, rows, align)."""


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _duration(value: timedelta | None) -> str:
    return "—" if value is None else human_duration(value)


def _share(counts: dict[str, int], total: int) -> list[tuple[str, ...]]:
    return [(k, str(v), percent(v / total if total else None)) for k, v in counts.items()]


def scope(stats: Stats) -> str:
    """范围: 全部 / 2025-03-01 至 2025-03-31 (the inclusive last day)."""
    if stats.since is None and stats.until is None:
        return "全部"
    start = f"{stats.since:%Y-%m-%d}" if stats.since else "最早"
    end = f"{stats.until - timedelta(microseconds=1):%Y-%m-%d}" if stats.until else "现在"
    return f"{start} 至 {end}"


def headline(stats: Stats) -> str:
    extra = []
    if stats.withdrawn:
        extra.append(f"不含撤销 {stats.withdrawn} 起")
    if stats.confidential:
        extra.append(f"含涉密 {stats.confidential} 起")
    note = f"({','.join(extra)})" if extra else ""
    o = stats.overall
    return (f"舆情统计 · 范围:{scope(stats)} · 共 {stats.total} 起{note}\n"
            f"当前等级:{'、'.join(f'{lvl} {stats.by_level[lvl]}' for lvl in LEVELS)}\n"
            f"在办 {stats.open} 起;升级 {len(stats.escalated)} 起({stats.escalations} 次),"
            f"降级 {len(stats.downgraded)} 起({stats.downgrades} 次);延期 {stats.extensions} 次\n"
            f"时限:按时完成 {o.met},超时完成 {o.met_late},逾期未办 {o.overdue},临期 {o.due_soon},"
            f"进行中 {o.pending};按时率 {percent(o.on_time_rate)}(逾期未办计为未按时)")


def sections(stats: Stats, by: str | None = None, *, rule_ids: bool = True) -> list[Section]:
    """The tables of the summary; ``by`` keeps only one breakdown.

    Without ``rule_ids`` the timeliness table names rules by their titles only
    (for documents handed upward, where ``respond-48h`` means nothing).
    """
    t = stats.total
    out: dict[str, Section] = {
        "level": ("按等级(当前等级)", ("等级", "起数", "占比"), _share(stats.by_level, t), "<>>"),
        "status": ("按状态", ("状态", "起数", "占比"), _share(stats.by_status, t), "<>>"),
        "category": ("按领域", ("领域", "起数", "占比"), _share(stats.by_category, t), "<>>"),
        "channel": ("按来源渠道", ("来源渠道", "起数", "占比"), _share(stats.by_channel, t), "<>>"),
        "unit": ("按责任单位(牵头)", ("责任单位", "舆情", "在办", "时限", "按时", "未按时", "按时率", "延期"),
                 [(u.unit, str(u.incidents), str(u.open), str(u.timeliness.judged), str(u.timeliness.met),
                   str(u.timeliness.misses), percent(u.timeliness.on_time_rate), str(u.extensions))
                  for u in stats.units], "<>>>>>>>"),
        "month": ("按发现月份", ("月份", *LEVELS, "合计"),
                  [(m, *(str(v[lvl]) for lvl in LEVELS), str(sum(v.values())))
                   for m, v in stats.by_month_level.items()], "<>>>>>"),
    }
    if by is not None:
        return [out[by]]
    chosen = [out[name] for name in BREAKDOWNS]
    timeliness: list[tuple[str, ...]] = [(rule, stats.rule_titles.get(rule, rule), str(x.met), str(x.met_late), str(x.overdue),
                   str(x.due_soon), str(x.pending), percent(x.on_time_rate)) for rule, x in stats.timeliness.items()]
    headers = ("规则", "时限", "按时完成", "超时完成", "逾期未办", "临期", "进行中", "按时率")
    if rule_ids:
        chosen.append(("时限完成情况", headers, timeliness, "<<>>>>>>"))
    else:
        chosen.append(("时限完成情况", headers[1:], [row[1:] for row in timeliness], "<>>>>>>"))
    rows: list[tuple[str, ...]] = []
    for measure, label, _ in MEASURES:
        for level in (*LEVELS, "全部"):
            d = stats.durations[measure][level]
            rows.append((label, level, str(d.count), _duration(d.median), _duration(d.p90), str(d.waiting)))
    chosen.append(("处置用时(按曾达到的最高等级)", ("环节", "等级", "起数", "中位数", "90%分位", "尚无"), rows, "<<>>>>"))
    return chosen


def as_text(stats: Stats, by: str | None = None) -> str:
    parts = [headline(stats)]
    for title, headers, rows, align in sections(stats, by):
        parts.append(f"\n{title}\n" + (table(headers, rows, align) if rows else "(无)"))
    if any(stats.durations[m]["全部"].count for m, _, _ in MEASURES) and by is None:
        parts.append("\n说明:首次回应指初步回应、答复、发布权威信息、新闻发布会、媒体采访中最早的一项;"
                     "中位数为中间值,90%分位取排序后第 ⌈0.9n⌉ 个值。")
    for warning in stats.warnings:
        parts.append(f"注意:{warning}")
    return "\n".join(parts)


def as_markdown(stats: Stats, by: str | None = None) -> str:
    parts = ["# 舆情统计", "", "  \n".join(md_text(line) for line in headline(stats).splitlines()), ""]
    for title, headers, rows, align in sections(stats, by):
        parts += [f"## {md_text(title)}", "", md_table(headers, rows, align) if rows else "(无)", ""]
    for warning in stats.warnings:
        parts += [f"> 注意:{md_text(warning)}", ""]
    return "\n".join(parts).rstrip() + "\n"


def as_json(stats: Stats, by: str | None = None) -> str:
    del by  # JSON always carries every breakdown (docs/reference/json.md#stats)
    return json.dumps(stats.as_json(), ensure_ascii=False, indent=2)


def as_csv(stats: Stats, by: str | None = None) -> str:
    """Long ("tidy") CSV: 维度,项目,指标,数值 — or one breakdown as 项目,起数 with ``by``."""
    buffer = io.StringIO()
    writer = _InertWriter(csv.writer(buffer, lineterminator="\r\n"))
    if by is not None:
        title, headers, rows, _ = sections(stats, by)[0]
        writer.writerow(headers)
        writer.writerows(rows)
        return buffer.getvalue()
    writer.writerow(("维度", "项目", "指标", "数值"))
    writer.writerow(("合计", "全部", "起数", stats.total))
    for name, counts in (("等级", stats.by_level), ("状态", stats.by_status), ("领域", stats.by_category),
                         ("来源渠道", stats.by_channel), ("责任单位", stats.by_unit), ("发现月份", stats.by_month)):
        for key, value in counts.items():
            writer.writerow((name, key, "起数", value))
    for rule, x in stats.timeliness.items():
        measures: tuple[tuple[str, object], ...] = (
            ("按时完成", x.met), ("超时完成", x.met_late), ("逾期未办", x.overdue),
            ("临期", x.due_soon), ("进行中", x.pending), ("按时率", _rate(x.on_time_rate)))
        for label, measure in measures:
            writer.writerow(("时限", rule, label, measure))
    for measure, label, _ in MEASURES:
        for level, d in stats.durations[measure].items():
            writer.writerow((label, level, "中位数(分钟)", _minutes(d.median)))
            writer.writerow((label, level, "90%分位(分钟)", _minutes(d.p90)))
    return buffer.getvalue()


class _InertWriter:
    """A csv writer whose every cell has passed ``cells.inert`` (unit names come from register.yml)."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([inert(c) if isinstance(c, str) else c for c in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def _rate(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.4f}"


def _minutes(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 60:.1f}"


RENDERERS: dict[str, Callable[[Stats, str | None], str]] = {
    "text": as_text, "json": as_json, "csv": as_csv, "markdown": as_markdown,
}

__all__: Sequence[str] = ("RENDERERS", "as_csv", "as_json", "as_markdown", "as_text", "sections")
