"""The statistics page and the latest reports."""

from __future__ import annotations

from collections import Counter, defaultdict

from markupsafe import Markup

from ..model import LEVELS
from .common import REPORTS, STATS, HtmlPage, counted, dim_order, front, rate
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
        now=site.now, confidential=bool(site.counted_confidential), notes=site.notes, levels=LEVELS,
        charts={name: _chart(svg) for name, svg in site.charts.items()},
        level_counts=[(lv, levels.get(lv, 0)) for lv in LEVELS],
        month_rows=[(m, by_month[m], sum(by_month[m].values())) for m in sorted(by_month, reverse=True)],
        unit_scores=unit_scores, unit_rates=_unit_rates(site) if not unit_scores else [], rule_rows=rule_rows,
        category_counts=[(c, categories[c]) for c in dim_order("category", site, categories)], rate=rate,
    )
    toc = [("levels", "等级分布"), ("months", "月度趋势"), ("units", "各单位按时完成率"),
           *([("rules", "各时限规则")] if rule_rows else []), ("categories", "按领域")]
    return HtmlPage("统计", render("stats.html", STATS, **context), toc=tuple((2, a, t) for a, t in toc),
                    exclude=True)


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
