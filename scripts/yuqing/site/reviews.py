"""The review pages: every finished incident's 评估总结, year by year."""

from __future__ import annotations

from collections import defaultdict

from ..model import Incident
from .escape import html_text
from .common import REVIEWS, HtmlPage, newest_first
from .model import GENERATED, SiteInput, slug
from .templating import render


def review_pages(site: SiteInput) -> dict[str, HtmlPage]:
    pages: dict[str, HtmlPage] = {}
    # Only these records are read whole (their 评估总结 is shown).
    reviewed = newest_first(i for i in site.records([r for r in site.incidents if r.reviewed and not r.withdrawn],
                                                    keep=True) if i.review)
    by_year: dict[int, list[Incident]] = defaultdict(list)
    for incident in reviewed:
        by_year[incident.year].append(incident)
    years = []
    for year in sorted(by_year, reverse=True):
        page = f"{GENERATED}/reviews/{year}.md"
        years.append((page, year, len(by_year[year])))
        toc = tuple((2, slug(i.id), html_text(i.title)) for i in by_year[year])
        pages[page] = HtmlPage(f"{year}年复盘", render("reviews_year.html", page, year=year, incidents=by_year[year]),
                               toc=toc, exclude=True)
    pages[REVIEWS] = HtmlPage("复盘", render("reviews_index.html", REVIEWS, years=years), exclude=True)
    return pages
