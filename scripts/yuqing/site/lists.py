"""The index pages: by month, by level, status, category, unit and tag, each year by year."""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from typing import Callable, Iterable, Sequence

from .common import INDEX, MONTHS, HtmlPage, dim_order, dim_page, month_page, newest_first, status_of
from .model import GENERATED, Row, SiteInput
from .templating import render

PAGE_SIZE = 200
"""Rows per index page; longer lists are split into numbered pages."""

DIMENSIONS: dict[str, tuple[str, Callable[[Row], Iterable[str]]]] = {
    "level": ("按等级", lambda i: (i.level,)),
    "status": ("按状态", lambda i: (status_of(i),)),
    "category": ("按领域", lambda i: (i.category,)),
    "unit": ("按单位", lambda i: (i.units.lead, *i.units.assisting)),
    "tag": ("按标签", lambda i: i.tags),
}


Later = Callable[[], HtmlPage]
"""A page made when called: a province has tens of thousands of list pages, never all held at once."""


def paged(base: str, title: str, incidents: Sequence[Row], up: str) -> dict[str, Later]:
    """One index page, or numbered pages of PAGE_SIZE rows when the list is long (each made when called)."""
    pages: dict[str, Later] = {}
    chunks = [incidents[i:i + PAGE_SIZE] for i in range(0, len(incidents), PAGE_SIZE)] or [[]]
    stem = base[:-3]
    names = [base] + [f"{stem}-{n}.md" for n in range(2, len(chunks) + 1)]
    for number, (name, chunk) in enumerate(zip(names, chunks), 1):
        heading = title if len(chunks) == 1 else f"{title}(第 {number}/{len(chunks)} 页)"
        pages[name] = partial(_list_page, name, heading, up, names, number, chunk)
    return pages


def _list_page(name: str, heading: str, up: str, names: list[str], number: int,
               chunk: Sequence[Row]) -> HtmlPage:
    body = render("list.html", name, heading=heading, up=up, names=names, number=number, incidents=chunk)
    return HtmlPage(heading, body, exclude=True)


def index_pages(site: SiteInput) -> dict[str, HtmlPage]:
    """Every index page, made now (for `yuqing site render`)."""
    return {name: page if isinstance(page, HtmlPage) else page() for name, page in lazy_index_pages(site).items()}


def lazy_index_pages(site: SiteInput) -> dict[str, HtmlPage | Later]:
    """Every index page: the overviews made, the lists (the bulk) made when called."""
    pages: dict[str, HtmlPage | Later] = {}
    incidents = newest_first(site.incidents)
    years = sorted({i.year for i in incidents}, reverse=True)

    by_month: dict[str, list[Row]] = defaultdict(list)
    for incident in incidents:
        by_month[month_page(incident.discovered_at)].append(incident)
    rows = []
    for year in years:
        cells = [(f"{GENERATED}/lists/month/{year:04d}-{m:02d}.md", 0) for m in range(1, 13)]
        cells = [(target, len(by_month.get(target, ()))) for target, _ in cells]
        rows.append((year, cells, sum(1 for i in incidents if i.year == year)))
    pages[MONTHS] = HtmlPage("按年月", render("months.html", MONTHS, rows=rows), exclude=True)
    for target, items in by_month.items():
        name = target.rsplit("/", 1)[1][:-3]
        pages.update(paged(target, f"{name[:4]}年{int(name[5:])}月的事件", items, MONTHS))

    # One overview per dimension: value x year, each cell a page.
    for dim, (title, values_of) in DIMENSIONS.items():
        groups: dict[tuple[str, int], list[Row]] = defaultdict(list)
        for incident in incidents:
            for value in dict.fromkeys(values_of(incident)):
                groups[(value, incident.year)].append(incident)
        overview = f"{GENERATED}/lists/{dim}.md"
        grid = []
        for value in dim_order(dim, site, (v for v, _ in groups)):
            cells = [(dim_page(dim, value, year), len(groups.get((value, year), ()))) for year in years]
            grid.append((value, cells, sum(n for _, n in cells)))
        pages[overview] = HtmlPage(title, render("overview.html", overview, title=title, dim=dim, years=years,
                                                 rows=grid), exclude=True)
        for (value, year), items in groups.items():
            page_title = f"{title.removeprefix('按')}:{value}({year}年)"
            pages.update(paged(dim_page(dim, value, year), page_title, items, overview))

    dimensions = [(f"{GENERATED}/lists/{dim}.md", title) for dim, (title, _) in DIMENSIONS.items()]
    pages[INDEX] = HtmlPage("事件索引", render("lists_index.html", INDEX, total=len(incidents),
                                               dimensions=dimensions), exclude=True)
    return pages
