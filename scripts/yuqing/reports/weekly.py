"""舆情周报: the week's new incidents, those closed, what is still open, next week's deadlines, the misses.

For the weekly analysis meeting (每周召开一次舆情分析会). Every section reads
the register as it stood at the end of the week (``common.at_end_of``): a
record discovered, an event recorded or a deadline met after it does not show,
so the report for a past week reads the same whenever it is produced. Misses of
the week are deadlines *due* in the week that were not met by their due time;
deadlines due next week are those still running (pending or due soon) at the
end of this week. Every
duration the report gives "截至周末" (how long a record has been open, how late
an overdue deadline is) is counted to the end of the week, or to ``now`` while
the week is not over, never to the moment the report is generated.

本周办结 lists the records settled (平息) or archived (归档) in the week, with
the time from discovery to that event.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..deadlines import STATUS_TEXT
from ..model import LEVELS, Event, Incident
from ..register import Register
from ..stats import misses
from ..times import human_duration, short
from .common import (
    CLOSING_EVENTS, MISS_HEADERS, Snapshot, as_of, at_end_of, closing, last_event_before, level_at, levels_sentence, load_narrative, miss_rows, open_at,
    resolve_period, snapshot, subtitle,
)
from .document import Builder, Report
from .narrative import normalize
from .periods import Period

TITLE = "舆情周报"
_RUNNING = ("pending", "due_soon")  # next week's deadlines: still running at the week's end


def weekly(register: Register, period: Period | str | None = None, now: datetime | None = None, *,
           include_confidential: bool = True, snap: Snapshot | None = None) -> Report:
    """The weekly report for ``period`` (default: the last complete ISO week before ``now``)."""
    snap = snap or snapshot(register, now, include_confidential=include_confidential)
    week = resolve_period("weekly", period, snap.now, snap.config.timezone)
    return build(snap, week)


def build(snap: Snapshot, week: Period) -> Report:
    seen = at_end_of(snap, week)  # every section reads the register as it stood at the week's end
    stats = seen.stats(week)
    new = sorted((i for i in seen.incidents if week.contains(i.discovered_at)), key=lambda i: i.discovered_at)
    still_open = sorted((i for i in seen.incidents if open_at(i, week.end)), key=lambda i: i.discovered_at)
    next_week = Period("weekly", "", week.end, week.end + timedelta(days=7))
    due_next = sorted((d for d in seen.deadlines if next_week.contains(d.due) and d.status in _RUNNING),
                      key=lambda d: (d.due, d.incident))
    missed = misses(d for d in seen.deadlines if week.contains(d.due))
    until = as_of(snap, week)
    closed = sorted(((i, events) for i in seen.incidents if (events := _closed_in(i, week))),
                    key=lambda pair: (pair[1][-1].at, pair[0].id))
    story, problems = load_narrative(snap, week)

    doc = Builder()
    if story and story.preamble:
        doc.extend(story.preamble)
    doc.h1("本周概况")
    doc.p(f"{week.unit_word}新发现舆情{stats.total}起({levels_sentence(stats.by_level)});"
          f"本周办结(平息或归档){len(closed)}起;"
          f"截至周末仍在监测或处置的{len(still_open)}起;"
          f"本周到期的处置时限中未按时完成{len(missed)}项;下周将到期{len(due_next)}项。")
    doc.table(("等级", "本周新发现"), [(lvl, stats.by_level[lvl]) for lvl in LEVELS] + [("合计", stats.total)], "<>")

    doc.h1("本周新发现舆情")
    if new:
        doc.table(("编号", "标题", "等级", "领域", "责任单位", "发现时间", "来源"),
                  [(i.id, i.title, i.level, i.category, i.units.lead, _when(i.discovered_at, week), i.source.channel)
                   for i in new])
    else:
        doc.p("本周未发现新的舆情。")

    doc.h1("本周办结")
    if closed:
        doc.table(("编号", "标题", "最高等级", "责任单位", "办结", "办结时间", "处置用时"),
                  [(i.id, i.title, i.max_level(), i.units.lead, "、".join(e.type for e in events),
                    _when(events[-1].at, week), human_duration(events[-1].at - i.discovered_at))
                   for i, events in closed], caption="处置用时自发现时起算。")
    else:
        doc.p("本周没有平息或归档的舆情。")

    doc.h1("在办舆情")
    if still_open:
        doc.table(("编号", "标题", "等级", "责任单位", "已持续", "最新进展"),
                  [(i.id, i.title, level_at(i, week.end), i.units.lead, human_duration(until - i.discovered_at),
                    last_event_before(i, until)) for i in still_open],
                  caption=f"已持续自发现时起算,计至{short(until)}。")
    else:
        doc.p("截至周末没有仍在监测或处置的舆情。")

    doc.h1("下周到期时限")
    if due_next:
        doc.table(("编号", "标题", "时限", "责任单位", "截止时间", "当前状态"),
                  [(d.incident, d.title, d.rule_title or d.rule, d.unit, _when(d.due, next_week) if d.due else "",
                    _status(d.status))
                   for d in due_next])
    else:
        doc.p("下周没有到期的时限。")

    doc.h1("本周未按时完成")
    if missed:
        doc.table(MISS_HEADERS, miss_rows(missed, seen, until, lambda moment: _when(moment, week)),
                  caption=f"逾期未办的,逾期时长计至{short(until)}。" if any(d.status == "overdue" for d in missed) else "")
    else:
        doc.p("本周到期的时限均按时完成。")

    doc.h1("研判意见")
    section = story.section("研判", "意见", "分析") if story else None
    if section:
        doc.narrative(section)
    else:
        doc.todo("本周舆情研判意见和下周工作安排(写在 docs/reports/weekly-" + week.label + ".md)")
    for title, blocks in (story.others(("研判", "意见", "分析")) if story else []):
        doc.h1(normalize(title) or title)
        doc.narrative(blocks)
    return Report("weekly", week.label, TITLE, subtitle(snap, week), tuple(doc.blocks),
                  story.file if story else None, tuple(problems) + stats.warnings, closing(snap))


def _closed_in(incident: Incident, week: Period) -> list[Event]:
    """The record's 平息 and 归档 events in ``week``, in time order (one row per record: 平息、归档)."""
    return sorted((e for e in incident.timeline if e.type in CLOSING_EVENTS and week.contains(e.at)),
                  key=lambda e: e.at)


def _when(moment: datetime, period: Period) -> str:
    """A time in a weekly table: 11-16 10:20, with the year only when it is not the period's."""
    return f"{moment:%m-%d %H:%M}" if moment.year == period.start.year else short(moment)


def _status(status: str) -> str:
    return STATUS_TEXT.get(status, status)
