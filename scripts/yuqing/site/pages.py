"""Every generated page of the archive, as pure functions of a ``SiteInput``.

Each page kind has its module (``home``, ``incident``, ``lists``, ``reviews``,
``figures``, ``rules``) and its templates (``templates/``, Jinja2 with
autoescape: record text reaches a page only through a template, escaped).
Most pages are ``HtmlPage``s, HTML from the start: the MkDocs plugin hands
them over without a Python-Markdown pass (which took most of the build). The
rules and reports pages are Markdown, because they embed Markdown made by the
gate's policy table and the report renderers.

Links between pages are relative ``.md`` links in ``href``s; the plugin
resolves them (checking the target exists), and ``build(..., static=True)``
resolves them for `yuqing site render`, whose output builds with a plain
`mkdocs build`, no yuqing plugin needed.

Search: incident pages are indexed by their title (h1), summary and tags
only (``HtmlPage.search``); the other pages are left out of the index.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Iterator, Mapping

from ..model import Deadline, Incident
from .common import REPORTS, RULES, STATS, HtmlPage
from .figures import reports_page, stats_page
from .home import home_page
from .incident import incident_page
from .lists import Later, lazy_index_pages
from .model import HOME, Row, SiteInput, incident_path
from .reviews import review_pages
from .rules import rules_page
from .templating import static_links

Pages = dict[str, str]
Built = dict[str, "str | HtmlPage"]

__all__ = ["Built", "HtmlPage", "Pages", "build", "build_pages", "each_page", "incident_inputs", "incident_pages", "lazy_other_pages", "other_pages"]


def build(site: SiteInput, *, directory_urls: bool = True) -> Pages:
    """Every generated page as a Markdown file ``{src path under docs/: text}``, links resolved to URLs.

    What `yuqing site render` writes: a plain `mkdocs build` (or another generator that reads
    Markdown with raw HTML) builds it as it is.
    """
    return dict(each_page(site, directory_urls=directory_urls))


def each_page(site: SiteInput, *, directory_urls: bool = True) -> Iterator[tuple[str, str]]:
    """As ``build``, one page at a time (a province's pages are never all held): the incident
    pages as their records stream, then the list pages as each is made."""
    for name, page in incident_pages(site):
        yield name, static_links(page.markdown(), name, directory_urls)
    for name, made in lazy_other_pages(site).items():
        other = made() if callable(made) else made
        yield name, static_links(other if isinstance(other, str) else other.markdown(), name, directory_urls)


def build_pages(site: SiteInput) -> Built:
    """Every generated page: {src path under docs/: Markdown text or HtmlPage}."""
    pages: Built = dict(incident_pages(site))
    pages.update(other_pages(site))
    return pages


def incident_pages(site: SiteInput) -> Iterator[tuple[str, HtmlPage]]:
    """(src path, page) of every published incident, one at a time: the bulk of a province's site.

    The MkDocs plugin renders and writes each before making the next, so a build never holds
    them all (``site.revisions`` computes the records' history a chunk at a time, in this order).
    """
    for incident, deadlines in incident_inputs(site):
        yield incident_path(incident), incident_page(site, incident, deadlines)


def incident_inputs(site: SiteInput, rows: Iterable[Row] | None = None,
                    by_incident: Mapping[str, list[Deadline]] | None = None
                    ) -> Iterator[tuple[Incident, list[Deadline]]]:
    """Each published incident (or those of ``rows``) with its deadlines, in page order (newest first,
    as the records stream: each is read, shown and let go)."""
    if by_incident is None:
        by_incident = deadlines_by_incident(site)
    for incident in site.records(site.newest_first() if rows is None else rows):
        yield incident, by_incident.get(incident.id, [])


def deadlines_by_incident(site: SiteInput) -> dict[str, list[Deadline]]:
    by_incident: dict[str, list[Deadline]] = defaultdict(list)
    for deadline in site.deadlines or ():
        by_incident[deadline.incident].append(deadline)
    return by_incident


def other_pages(site: SiteInput) -> Built:
    """Every generated page but the incident pages: home, indexes, reviews, statistics, reports, rules."""
    return {name: page() if callable(page) else page for name, page in lazy_other_pages(site).items()}


def lazy_other_pages(site: SiteInput) -> dict[str, "str | HtmlPage | Later"]:
    """As ``other_pages``, but the list pages (tens of thousands at a province) are made when called."""
    pages: dict[str, str | HtmlPage | Later] = {HOME: home_page(site)}
    pages.update(lazy_index_pages(site))
    pages.update(review_pages(site))
    pages[STATS] = stats_page(site)
    pages[REPORTS] = reports_page(site)
    pages[RULES] = rules_page(site)
    return pages
