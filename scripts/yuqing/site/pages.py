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

from ..model import Deadline
from .common import REPORTS, RULES, STATS, HtmlPage
from .figures import reports_page, stats_page
from .home import home_page
from .incident import incident_page
from .lists import index_pages
from .model import HOME, SiteInput, incident_path
from .reviews import review_pages
from .rules import rules_page
from .templating import static_links

Pages = dict[str, str]
Built = dict[str, "str | HtmlPage"]

__all__ = ["Built", "HtmlPage", "Pages", "build", "build_pages"]


def build(site: SiteInput, *, directory_urls: bool = True) -> Pages:
    """Every generated page as a Markdown file ``{src path under docs/: text}``, links resolved to URLs.

    What `yuqing site render` writes: a plain `mkdocs build` (or another generator that reads
    Markdown with raw HTML) builds it as it is.
    """
    out: Pages = {}
    for name, page in build_pages(site).items():
        text = page if isinstance(page, str) else page.markdown()
        out[name] = static_links(text, name, directory_urls)
    return out


def build_pages(site: SiteInput) -> Built:
    """Every generated page: {src path under docs/: Markdown text or HtmlPage}."""
    by_incident: dict[str, list[Deadline]] = defaultdict(list)
    for deadline in site.deadlines or ():
        by_incident[deadline.incident].append(deadline)
    pages: Built = {HOME: home_page(site)}
    for incident in site.incidents:
        pages[incident_path(incident)] = incident_page(site, incident, by_incident.get(incident.id, []))
    pages.update(index_pages(site))
    pages.update(review_pages(site))
    pages[STATS] = stats_page(site)
    pages[REPORTS] = reports_page(site)
    pages[RULES] = rules_page(site)
    return pages
