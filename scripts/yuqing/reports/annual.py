"""年度自查报告: the structure of a government-affairs opinion self-inspection report.

一、制度机制建立情况  二、主要做法  三、存在问题  四、下一步工作安排 (as in a
city's 2021 自查报告, domain/004). The figures come from the register (the
year's incidents by ``discovered_at``); the prose only people can write comes
from docs/reports/annual-<year>.md (see ``narrative``). Where there is none the
report says 【待填写:……】 and never makes prose up.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from .. import charts
from ..model import LEVELS, SEVERE_LEVELS
from ..register import Register
from ..model import Incident
from ..stats import REPORT_EVENTS, misses, review_completed_at
from ..times import short
from .common import (
    closing,
    MISS_HEADERS, Snapshot, levels_sentence, load_narrative, miss_rows, percent, resolve_period, reviewed_in,
    snapshot, subtitle,
)
from .document import Builder, Report
from .monthly import _counts, _durations, _timeliness
from .narrative import Narrative, normalize
from .periods import Period

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("制度机制建立情况", ("制度", "机制")),
    ("主要做法", ("做法",)),
    ("存在问题", ("问题",)),
    ("下一步工作安排", ("下一步", "建议", "安排")),
)
"""The four sections and the words by which a narrative heading is matched to one."""

RESPONSE_TYPES: tuple[str, ...] = ("发布权威信息", "新闻发布会", "媒体采访", "答复", "初步回应", "网评引导", "上报", "续报")


def annual(register: Register, period: Period | str | int | None = None, now: datetime | None = None, *,
           include_confidential: bool = True, snap: Snapshot | None = None) -> Report:
    """The annual self-inspection report for ``period`` (default: the last complete year before ``now``)."""
    snap = snap or snapshot(register, now, include_confidential=include_confidential)
    year = resolve_period("annual", str(period) if isinstance(period, int) else period, snap.now,
                          snap.config.timezone)
    return build(snap, year)


def title(snap: Snapshot, year: Period) -> str:
    return f"{snap.config.organization}{year.start.year}年政务舆情回应处置工作自查报告"


def _section(doc: Builder, story: Narrative | None, keys: tuple[str, ...]) -> bool:
    blocks = story.section(*keys) if story else None
    if blocks:
        doc.narrative(blocks)
        return True
    return False


def build(snap: Snapshot, year: Period) -> Report:
    stats = snap.stats(year)
    chosen = [i for i in snap.incidents if year.contains(i.discovered_at)]
    story, problems = load_narrative(snap, year)
    y = year.start.year
    doc = Builder()
    if story and story.preamble:
        doc.extend(story.preamble)
    else:
        doc.todo(f"开头语(报送依据,如“根据《……通知》要求,现将{y}年政务舆情回应处置工作自查情况报告如下”)")

    # 一、制度机制建立情况
    doc.h1(SECTIONS[0][0])
    if not _section(doc, story, SECTIONS[0][1]):
        doc.todo("制度机制建立情况(工作制度、应急预案、监测值守、新闻发言人和网评员队伍等)")
    doc.h2("舆情台账执行的处置时限")
    doc.p(f"本单位舆情台账对每起舆情按以下{len(snap.config.rules)}项时限规则计算处置时限,逐项登记完成情况:")
    doc.table(("时限", "依据"), [(r.title, r.source) for r in snap.config.rules])

    # 二、主要做法
    doc.h1(SECTIONS[1][0])
    intro = story.section(*SECTIONS[1][1]) if story else None
    doc.h2("全年舆情基本情况")
    withdrawn = f"(另有撤销登记{stats.withdrawn}起,不计入统计)" if stats.withdrawn else ""
    conf = f",其中涉密{stats.confidential}起" if stats.confidential else ""
    doc.p(f"{y}年共登记舆情{stats.total}起{withdrawn}{conf},按当前等级分:{levels_sentence(stats.by_level)}。"
          f"处置过程中升级{len(stats.escalated)}起、降级{len(stats.downgraded)}起。"
          f"截至{short(snap.now)},已平息{stats.by_status['已平息']}起、已归档{stats.by_status['已归档']}起,"
          f"仍在监测或处置{stats.open}起。")
    doc.table(("等级", "起数"), [(lvl, stats.by_level[lvl]) for lvl in LEVELS] + [("合计", stats.total)], "<>")
    doc.figure(charts.monthly_trend(stats, f"{y}年各月新发现舆情"), f"{y}年各月新发现舆情(按当前等级)")
    if stats.total:
        _counts(doc, stats.by_category, "领域")
        _counts(doc, stats.by_channel, "来源渠道")

    doc.h2("分级报送和处置时效")
    o = stats.overall
    doc.p(f"全年适用处置时限{o.judged + o.due_soon + o.pending + o.unknown}项,已到期的{o.judged}项中按时完成{o.met}项、"
          f"超时完成{o.met_late}项、逾期未办{o.overdue}项,按时率{percent(o.on_time_rate)}。")
    _timeliness(doc, stats)

    doc.h2("回应引导和处置用时")
    doc.p("全年舆情处置中各类回应、报送措施的次数(涉及事件数):")
    doc.table(("措施", "次数", "涉及事件"), _event_rows(chosen), "<>>")
    _durations(doc, stats)

    doc.h2("评估总结")
    severe = [i for i in chosen if i.max_level() in SEVERE_LEVELS]
    severe_reviewed = [i for i in severe if review_completed_at(i) is not None]
    reviewed = reviewed_in(snap.incidents, year)
    doc.p(f"{y}年登记的舆情中曾达重大及以上等级的{len(severe)}起,已完成评估总结{len(severe_reviewed)}起;"
          f"全年共完成评估总结{len(reviewed)}起。")
    if reviewed:
        doc.table(("编号", "标题", "最高等级", "完成时间"),
                  [(i.id, i.title, i.max_level(), short(review_completed_at(i))) for i in reviewed])

    doc.h2("各单位处置情况")
    doc.table(("责任单位", "舆情数", "在办", "时限数", "未按时", "按时率", "延期"),
              [(u.unit, u.incidents, u.open, u.timeliness.judged, u.timeliness.misses,
                percent(u.timeliness.on_time_rate), u.extensions) for u in stats.units], "<>>>>>>")
    if intro:
        doc.narrative(intro)
    else:
        doc.todo("主要做法(监测预警、研判会商、回应引导、线下处置、评估总结等方面的具体做法和典型案例)")

    # 三、存在问题
    doc.h1(SECTIONS[2][0])
    missed = misses(stats.deadlines)
    report_rules = {r.id for r in snap.config.rules if r.met_by & REPORT_EVENTS}
    late_reports = [d for d in missed if d.rule in report_rules]
    doc.h2("处置时限未按时完成")
    if missed:
        doc.p(f"全年未按时完成处置时限{len(missed)}项(超时完成{o.met_late}项、逾期未办{o.overdue}项),"
              f"其中上报不及时(迟报){len(late_reports)}项。")
        doc.table(MISS_HEADERS, miss_rows(missed, snap))
    else:
        doc.p("全年已到期的处置时限均按时完成。")
    still_open = [i for i in chosen if i.is_open]
    unreviewed = [i for i in severe if i.status == "已平息" and review_completed_at(i) is None]
    if still_open or unreviewed:
        doc.h2("尚未办结事项")
        if still_open:
            doc.p(f"截至{short(snap.now)},{y}年登记的舆情中仍有{len(still_open)}起未平息:"
                  + "、".join(f"{i.id}《{i.title}》" for i in still_open) + "。")
        if unreviewed:
            doc.p(f"曾达重大及以上等级、已平息但尚未完成评估总结的{len(unreviewed)}起:"
                  + "、".join(f"{i.id}《{i.title}》" for i in unreviewed) + "。")
    if not _section(doc, story, SECTIONS[2][1]):
        doc.todo("对上述问题的原因分析,以及台账数据未反映的其他问题")

    # 四、下一步工作安排
    doc.h1(SECTIONS[3][0])
    if not _section(doc, story, SECTIONS[3][1]):
        doc.todo("下一步工作安排(针对存在问题的改进措施)")

    for heading, blocks in (story.others(*(keys for _, keys in SECTIONS)) if story else []):
        doc.h1(normalize(heading) or heading)
        doc.narrative(blocks)
    return Report("annual", year.label, title(snap, year), subtitle(snap, year), tuple(doc.blocks),
                  story.file if story else None, tuple(problems) + stats.warnings, closing(snap))


def _event_rows(incidents: list[Incident]) -> list[tuple[str, int, int]]:
    # One pass over the timelines (a pass per measure took seconds for a year of 20,000 records).
    times: Counter[str] = Counter()
    involved: Counter[str] = Counter()
    for incident in incidents:
        kinds = [e.type for e in incident.timeline]
        times.update(kinds)
        involved.update(set(kinds))
    return [(kind, times[kind], involved[kind]) for kind in RESPONSE_TYPES]
