"""The statistics page and the latest reports."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from ..model import LEVELS, level_rank
from .common import MONTHS, REPORTS, STATS, HtmlPage, counted, dim_order, front, month_page, rate, stale_hours
from .model import SiteInput
from .templating import render


def _chart(svg: str) -> Markup:
    # Charts come from charts.py (our own code, labels escaped there) as SVG documents: keep the <svg> element.
    start = svg.find("<svg")
    return Markup(svg[start:] if start >= 0 else "")


def stats_page(site: SiteInput) -> HtmlPage:
    figures = counted(site)
    levels = Counter(i.level for i in figures)
    categories = Counter(i.category for i in figures)
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for incident in figures:
        by_month[f"{incident.discovered_at.year:04d}-{incident.discovered_at.month:02d}"][incident.level] += 1
    stats = site.stats
    unit_scores = list(getattr(stats, "units", None) or ()) if stats is not None else []
    rule_rows = []
    if stats is not None and getattr(stats, "timeliness", None):
        rule_rows = [(stats.rule_titles.get(rule_id, rule_id), t) for rule_id, t in stats.timeliness.items()]
    context = dict(
        now=site.now, stale_hours=stale_hours(site), confidential=bool(site.counted_confidential), notes=site.notes, levels=LEVELS,
        periods=_periods(site, figures), quarter_links=_quarter_links(figures), period_files=_period_files(site, figures),
        downloads=site.downloads,
        charts={name: _chart(svg) for name, svg in site.charts.items()},
        level_counts=[(lv, levels.get(lv, 0)) for lv in LEVELS],
        month_rows=[(m, by_month[m], sum(by_month[m].values())) for m in sorted(by_month, reverse=True)],
        unit_scores=unit_scores, unit_rates=_unit_rates(site) if not unit_scores else [], rule_rows=rule_rows,
        category_counts=[(c, categories[c]) for c in dim_order("category", site, categories)], rate=rate,
    )
    toc = [("periods", "按年度、季度"), *([("files", "按期间:台账和报告")] if figures else []), ("levels", "等级分布"), ("months", "月度趋势"), ("units", "各单位按时完成率"),
           *([("rules", "各时限规则")] if rule_rows else []), ("categories", "按领域")]
    return HtmlPage("统计", render("stats.html", STATS, months_page=MONTHS, **context),
                    toc=tuple((2, a, t) for a, t in toc), exclude=True, hide=("navigation",))


@dataclass(frozen=True)
class PeriodRow:
    """One year of the statistics: incidents by quarter and level, and how deadlines went."""

    year: int
    quarters: tuple[int, int, int, int]
    levels: dict[str, int]
    total: int
    serious: int
    """重大 and 特别重大 (by the highest level reached)."""
    on_time: str
    overdue: int


def _periods(site: SiteInput, figures: list[Any]) -> list[PeriodRow]:
    by_year: dict[int, list[Any]] = defaultdict(list)
    for incident in figures:
        by_year[incident.discovered_at.year].append(incident)
    year_of = {i.id: i.discovered_at.year for i in figures}
    judged: dict[int, Counter[str]] = defaultdict(Counter)
    for d in site.deadlines or ():
        if d.incident in year_of:
            judged[year_of[d.incident]][d.status] += 1
    rows = []
    for year in sorted(by_year, reverse=True):
        items = by_year[year]
        quarters = Counter((i.discovered_at.month - 1) // 3 for i in items)
        c = judged[year]
        done = c["met"] + c["met_late"] + c["overdue"]
        rows.append(PeriodRow(
            year, (quarters[0], quarters[1], quarters[2], quarters[3]), dict(Counter(i.level for i in items)),
            len(items), sum(1 for i in items if level_rank(i.max_level()) >= 2),
            rate(c["met"] / done if done else None) if site.deadlines is not None else "—", c["overdue"]))
    return rows


QUARTERS = "一二三四"


def _quarter_links(figures: list[Any]) -> dict[tuple[int, int], str]:
    """(year, quarter index) -> the anchor of that quarter's row of 按期间 (its months and files)."""
    return {(i.discovered_at.year, (i.discovered_at.month - 1) // 3):
            f"quarter-{i.discovered_at.year}-q{(i.discovered_at.month - 1) // 3 + 1}" for i in figures}


@dataclass(frozen=True)
class MonthCell:
    month: int
    count: int
    page: str
    """The month's list page."""
    files: tuple[Any, ...]
    """Its downloads (台账, 月度评估); a quarter's and a year's: 台账, 舆情季度评估 or 年度自查报告."""


@dataclass(frozen=True)
class QuarterRow:
    year: int
    quarter: int
    """0 to 3."""
    count: int
    anchor: str
    files: tuple[Any, ...]
    months: tuple[MonthCell, ...]

    @property
    def name(self) -> str:
        return f"第{QUARTERS[self.quarter]}季度"


@dataclass(frozen=True)
class YearFiles:
    year: int
    count: int
    files: tuple[Any, ...]
    quarters: tuple[QuarterRow, ...]


def _period_files(site: SiteInput, figures: list[Any]) -> list[YearFiles]:
    """Each year with records, its quarters and months: counts, month pages and the files to
    download of each (a year row with its quarters and months, not a list of every file)."""
    months: Counter[tuple[int, int]] = Counter((i.discovered_at.year, i.discovered_at.month) for i in figures)
    files: dict[str, list[Any]] = defaultdict(list)
    for download in site.downloads or ():
        files[str(getattr(download, "key", ""))].append(download)
    out = []
    for year in sorted({y for y, _ in months}, reverse=True):
        quarters = []
        for quarter in range(4):
            cells = tuple(MonthCell(m, months[(year, m)], month_page(datetime(year, m, 1)),
                                    tuple(files.get(f"{year}-{m:02d}", ())))
                          for m in range(quarter * 3 + 1, quarter * 3 + 4) if months[(year, m)])
            if cells:
                quarters.append(QuarterRow(year, quarter, sum(c.count for c in cells),
                                           f"quarter-{year}-q{quarter + 1}",
                                           tuple(files.get(f"{year}-Q{quarter + 1}", ())), cells))
        out.append(YearFiles(year, sum(q.count for q in quarters), tuple(files.get(str(year), ())), tuple(quarters)))
    return out


def _unit_rates(site: SiteInput) -> list[tuple[str, int, int, int, str]]:
    if site.deadlines is None:
        return []
    judged: dict[str, Counter[str]] = defaultdict(Counter)
    for d in site.deadlines:
        judged[d.unit][d.status] += 1
    rows = []
    for unit in dim_order("unit", site, judged):
        c = judged[unit]
        total = c["met"] + c["met_late"] + c["overdue"]
        rows.append((unit, c["met"], c["met_late"], c["overdue"], rate(c["met"] / total if total else None)))
    return rows


def reports_page(site: SiteInput) -> str:
    """A Markdown page: the reports are Markdown (``to_markdown`` escapes every record text)."""
    reports = [Markup(demote(markdown)) for markdown in site.reports.values()]
    return front("报告", exclude=True) + render("reports.md", REPORTS, reports=reports)


def demote(markdown: str) -> str:
    """Headings one level down, so the page keeps a single h1."""
    return "\n".join("#" + line if line.startswith("#") else line for line in markdown.splitlines())
