"""The home page: today's picture for a director.

What is overdue and how badly (by level, then by how late), what is about to
be, what changed since the previous working day (from git: the diffs of each
record's revisions, never a commit message), open incidents with no action
for ``IDLE_DAYS`` days, oldest first, and the figures of the month and year.
The page says, in the reader's browser, when its figures are older than the
site's rebuild interval (``common.STALE_HOURS``): a page is only as fresh as its
last build.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from ..model import LEVELS, Deadline, level_rank
from .common import (INDEX, REVIEWS, RULES, STALE_HOURS, STATS, HtmlPage, counted, newest_first, publish_setting,
                     stale_hours)
from .model import GENERATED, HOME, Row, SiteInput
from .revisions import since as revisions_since
from .templating import render

LATEST = 10
FIND = "find.md"
"""The hand-written 查找 page (Pagefind), linked when the site has it."""
OPEN_SHOWN = 50
IDLE_SHOWN = 50
CHANGES_SHOWN = 100
"""Changes listed (the newest); the count says how many there are in all (a bulk import makes thousands)."""
"""Idle incidents listed (the oldest); the count says how many there are in all."""
IDLE_DAYS = 14
"""An open incident with no recorded action for this many days is listed as idle
(register.yml ``publish: idle_days:`` when the register sets it)."""


@dataclass(frozen=True)
class Late:
    """An urgent deadline as the home page lists it."""

    deadline: Deadline
    incident: Row
    by: timedelta
    """How late (overdue) or how long is left (due soon)."""


@dataclass(frozen=True)
class Change:
    """A revision of a published record since the previous working day."""

    incident: Row
    at: datetime
    kind: str
    what: str


def previous_workday(now: datetime, site: SiteInput) -> datetime:
    """The start (00:00, register zone) of the working day before ``now``'s day."""
    try:
        from ..calendar import WorkCalendar

        calendar: Any = WorkCalendar.from_config(site.config)
    except Exception:  # the calendar module missing: weekdays
        calendar = None
    day = now.date() - timedelta(days=1)
    for _ in range(30):
        if _workday(day, calendar):
            break
        day -= timedelta(days=1)
    return datetime.combine(day, time(0, 0), tzinfo=now.tzinfo)


def _workday(day: date, calendar: Any) -> bool:
    if calendar is not None:
        try:
            return bool(calendar.is_workday(day))
        except Exception:  # no holiday data for that year
            pass
    return day.weekday() < 5


def urgent(site: SiteInput) -> tuple[list[Late], list[Late], list[Late]]:
    """(overdue, due soon, overdue in closed incidents), in the order a director reads them."""
    by_id = {i.id: i for i in site.incidents}
    overdue, soon, closed = [], [], []
    for d in site.deadlines or ():
        incident = by_id.get(d.incident)
        if incident is None or d.due is None or d.status not in ("overdue", "due_soon"):
            continue
        item = Late(d, incident, abs(site.now - d.due))
        if not incident.is_open:
            if d.status == "overdue":
                closed.append(item)
        elif d.status == "overdue":
            overdue.append(item)
        else:
            soon.append(item)
    overdue.sort(key=lambda x: (-level_rank(x.incident.level), -x.by.total_seconds(), x.incident.id))
    soon.sort(key=lambda x: (x.by, -level_rank(x.incident.level), x.incident.id))
    closed.sort(key=lambda x: (-level_rank(x.incident.level), -x.by.total_seconds(), x.incident.id))
    return overdue, soon, closed


def changes_since(site: SiteInput, since_at: datetime) -> list[Change]:
    """Every revision of a published record that reached the register since ``since``, newest first."""
    by_id = {i.id: i for i in site.incidents}
    found = []
    for record_id, rows in revisions_since(site.revisions, since_at, site.now):
        incident = by_id.get(record_id)
        if incident is None:
            continue
        for row in rows:
            if since_at <= row.at <= site.now:
                found.append(Change(incident, row.at, row.kind, ";".join(row.changes)))
    found.sort(key=lambda c: (c.at, c.incident.id), reverse=True)
    return found


def idle(site: SiteInput, days: int) -> list[tuple[Row, datetime, int]]:
    """Open incidents whose last recorded action is ``days`` or more days old: (incident, last, days), oldest first."""
    out = []
    for incident in site.incidents:
        if not incident.is_open or incident.withdrawn:
            continue
        last = incident.last_action
        quiet = (site.now - last).days
        if quiet >= days:
            out.append((incident, last, quiet))
    out.sort(key=lambda row: (row[1], row[0].id))
    return out


def home_page(site: SiteInput) -> HtmlPage:
    now = site.now
    figures = counted(site)
    this_year = [i for i in figures if i.discovered_at.year == now.year]
    this_month = [i for i in this_year if i.discovered_at.month == now.month]
    overdue, soon, closed = urgent(site)
    since = previous_workday(now, site)
    idle_days = publish_setting(site, "idle_days", IDLE_DAYS)
    quiet = idle(site, idle_days)
    changed = changes_since(site, since)
    open_incidents = sorted((i for i in site.incidents if i.is_open and not i.withdrawn),
                            key=lambda i: (-level_rank(i.level), -i.discovered_at.timestamp(), i.id))
    context = dict(
        site=site, now=now, name=site.config.name, levels=LEVELS,
        month_levels=Counter(i.level for i in this_month), year_levels=Counter(i.level for i in this_year),
        this_month=len(this_month), this_year=len(this_year), open_count=sum(1 for i in figures if i.is_open),
        overdue=overdue, soon=soon, closed=closed, signals=site.deadlines is not None,
        warnings=site.deadline_warnings, since=since, changes=changed[:CHANGES_SHOWN], changes_total=len(changed),
        history=site.history is not None and bool(getattr(site.history, "available", False)),
        idle=quiet[:IDLE_SHOWN], idle_total=len(quiet), idle_days=idle_days, stale_hours=stale_hours(site),
        open_incidents=open_incidents[:OPEN_SHOWN], open_total=len(open_incidents), open_shown=OPEN_SHOWN,
        latest=newest_first(site.incidents)[:LATEST], status_list=f"{GENERATED}/lists/status.md",
        links=[*([(FIND, "查找(可按等级、年份、单位筛选)")] if FIND in site.docs else []),
               (INDEX, "事件索引"), (REVIEWS, "复盘"), (STATS, "统计"), (RULES, "现行规则")],
    )
    toc = (("figures", "本月与本年"), ("overdue", "逾期与临期"), ("changes", "上一工作日以来的变化"),
           ("idle", "久未处置"), ("open", "正在处置的事件"), ("latest", "最新登记的事件"))
    return HtmlPage(site.config.name, render("home.html", HOME, **context), toc=tuple((2, a, t) for a, t in toc),
                    exclude=True, hide=("navigation",))
