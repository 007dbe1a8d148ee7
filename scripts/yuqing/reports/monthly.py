"""月度评估 and 舆情季度评估: the month's (quarter's) figures against the one before (环比) and a year
before (同比).

Every figure is about the incidents *discovered* in the month (as `yuqing stats
--since/--until`), their deadlines included, so that a month's numbers never
change with the day the report is produced, except for deadlines still running.
Reviews completed are counted by the review's completion date. Like the weekly
report, it reads the register as it stood at the month's end. A quarter's
evaluation is the same build over a quarter (``quarterly``), only its words differ.
"""

from __future__ import annotations

from datetime import datetime

from .. import charts
from ..model import LEVELS, Incident
from ..register import Register
from ..stats import MEASURES, Stats, misses, review_completed_at
from ..times import short
from .common import (
    closing,
    MISS_HEADERS, Snapshot, as_of, at_end_of, change, duration, levels_sentence, load_narrative, miss_rows, percent,
    resolve_period, reviewed_in, snapshot, subtitle,
)
from .document import Builder, Report
from .narrative import normalize
from .periods import Period

TITLE = "舆情月度评估"
QUARTERLY_TITLE = "舆情季度评估"
# The words that name the period, the one before, the same one a year before and the next one.
_WORDS = {"monthly": ("本月", "上月", "去年同月", "下月"), "quarterly": ("本季度", "上季度", "去年同季度", "下季度")}
_STORY_KEYS = ("研判", "意见", "评估", "分析")


def monthly(register: Register, period: Period | str | None = None, now: datetime | None = None, *,
            include_confidential: bool = True, snap: Snapshot | None = None) -> Report:
    """The monthly evaluation for ``period`` (default: the last complete month before ``now``)."""
    snap = snap or snapshot(register, now, include_confidential=include_confidential)
    month = resolve_period("monthly", period, snap.now, snap.config.timezone)
    return build(snap, month)


def quarterly(register: Register, period: Period | str | None = None, now: datetime | None = None, *,
              include_confidential: bool = True, snap: Snapshot | None = None) -> Report:
    """The quarterly evaluation for ``period`` (default: the last complete quarter before ``now``)."""
    snap = snap or snapshot(register, now, include_confidential=include_confidential)
    quarter = resolve_period("quarterly", period, snap.now, snap.config.timezone)
    return build(snap, quarter)


def _compare_rows(now: Stats, before: Stats, year_ago: Stats) -> list[tuple[str, ...]]:
    def row(name: str, pick: object) -> tuple[str, ...]:
        get = pick if callable(pick) else (lambda s: getattr(s, str(pick)))
        a, b, c = get(now), get(before), get(year_ago)
        return (name, str(a), str(b), change(a, b), str(c), change(a, c))

    rows = [row("新发现舆情", "total")]
    rows += [row(f"其中{lvl}", lambda s, lvl=lvl: s.by_level[lvl]) for lvl in LEVELS]
    rows.append(row("升级", lambda s: len(s.escalated)))
    rows.append(row("未按时完成的时限", lambda s: s.overall.misses))
    rows.append(("时限按时率", percent(now.overall.on_time_rate), percent(before.overall.on_time_rate), "",
                 percent(year_ago.overall.on_time_rate), ""))
    return rows


def build(snap: Snapshot, month: Period) -> Report:
    """The evaluation of ``month``: a month (月度评估) or a quarter (舆情季度评估)."""
    this, last, same, following = _WORDS[month.kind]
    seen = at_end_of(snap, month)  # the register as it stood at the period's end, for every section
    stats = seen.stats(month)
    before, year_ago = month.previous(), month.year_ago()
    stats_before, stats_year_ago = seen.stats(before), seen.stats(year_ago)
    story, problems = load_narrative(snap, month)
    doc = Builder()
    if story and story.preamble:
        doc.extend(story.preamble)

    doc.h1("总体情况")
    doc.p(f"{month.name}共新发现舆情{stats.total}起({levels_sentence(stats.by_level)}),"
          f"{last}{stats_before.total}起,环比{change(stats.total, stats_before.total)};"
          f"{same}{stats_year_ago.total}起,同比{change(stats.total, stats_year_ago.total)}。"
          f"{this}升级{len(stats.escalated)}起、降级{len(stats.downgraded)}起;"
          f"时限按时率{percent(stats.overall.on_time_rate)}"
          f"(按时{stats.overall.met}项,超时完成{stats.overall.met_late}项,逾期未办{stats.overall.overdue}项)。")
    doc.table(("指标", this, last, "环比", same, "同比"),
              _compare_rows(stats, stats_before, stats_year_ago), "<>>>>>",
              caption=f"{last}为{before.name},{same}为{year_ago.name}。")
    doc.figure(charts.level_distribution(stats, f"{month.name}舆情等级分布"), f"{month.name}舆情等级分布")

    doc.h1("分布情况")
    doc.h2("按领域")
    _counts(doc, stats.by_category, "领域")
    doc.h2("按来源渠道")
    _counts(doc, stats.by_channel, "来源渠道")
    doc.h2("按责任单位")
    _counts(doc, stats.by_unit, "责任单位")

    doc.h1("处置时效")
    doc.h2("各项时限完成情况")
    _timeliness(doc, stats)
    doc.h2("处置用时")
    _durations(doc, stats)

    doc.h1("未按时完成情况")
    missed = misses(stats.deadlines)
    if missed:
        doc.p(f"{this}新发现舆情的处置时限中,未按时完成{len(missed)}项。")
        doc.table(("责任单位", "时限数", "未按时", "按时率", "延期"),
                  [(u.unit, u.timeliness.judged, u.timeliness.misses, percent(u.timeliness.on_time_rate),
                    u.extensions) for u in stats.units if u.timeliness.judged], "<>>>>")
        doc.table(MISS_HEADERS, miss_rows(missed, seen, as_of(snap, month)))
    else:
        doc.p(f"{this}新发现舆情的处置时限均按时完成(或尚在期限内)。")

    doc.h1("评估总结完成情况")
    reviewed = reviewed_in(seen.incidents, month)
    if reviewed:
        doc.p(f"{this}完成评估总结{len(reviewed)}起。")
        doc.table(("编号", "标题", "最高等级", "完成时间"),
                  [(i.id, i.title, i.max_level(), _completed(i)) for i in reviewed])
    else:
        doc.p(f"{this}没有完成评估总结的舆情。")

    doc.h1("研判意见")
    section = story.section(*_STORY_KEYS) if story else None
    if section:
        doc.narrative(section)
    else:
        doc.todo(f"{this}舆情形势研判和{following}工作重点(写在 docs/reports/{month.kind}-{month.label}.md)")
    for title, blocks in (story.others(_STORY_KEYS) if story else []):
        doc.h1(normalize(title) or title)
        doc.narrative(blocks)
    return Report(month.kind, month.label, QUARTERLY_TITLE if month.kind == "quarterly" else TITLE, subtitle(snap, month), tuple(doc.blocks),
                  story.file if story else None, tuple(problems) + stats.warnings, closing(snap))


def _completed(incident: Incident) -> str:
    return short(review_completed_at(incident))


def _counts(doc: Builder, counts: dict[str, int], name: str) -> None:
    if not counts:
        doc.p("无。")
        return
    total = sum(counts.values())
    doc.table((name, "起数", "占比"), [(k, v, percent(v / total)) for k, v in counts.items()], "<>>")


def _timeliness(doc: Builder, stats: Stats) -> None:
    rows = [(stats.rule_titles.get(rule, rule), t.met, t.met_late, t.overdue, t.due_soon + t.pending,
             percent(t.on_time_rate)) for rule, t in stats.timeliness.items() if t.judged or t.due_soon or t.pending]
    if not rows:
        doc.p("没有适用时限规则的舆情。")
        return
    o = stats.overall
    rows.append(("合计", o.met, o.met_late, o.overdue, o.due_soon + o.pending, percent(o.on_time_rate)))
    doc.table(("时限", "按时完成", "超时完成", "逾期未办", "进行中", "按时率"), rows, "<>>>>>")


def _durations(doc: Builder, stats: Stats) -> None:
    rows = []
    for measure, label, _ in MEASURES:
        for level in (*LEVELS, "全部"):
            d = stats.durations[measure][level]
            if d.count:
                rows.append((label, level, d.count, duration(d.median), duration(d.p90)))
    if rows:
        doc.table(("环节", "等级(曾达最高)", "起数", "中位用时", "90%用时"), rows, "<<>>>")
    else:
        doc.p("无可统计的处置用时。")
