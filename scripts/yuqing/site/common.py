"""What every page kind shares: the page value, its meta data, paths and orderings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence, TypeVar

from ..model import LEVELS, STATUSES, Incident
from .escape import html_text, yaml_string
from .model import GENERATED, Row, SiteInput, slug

INDEX = f"{GENERATED}/lists/index.md"
MONTHS = f"{GENERATED}/lists/months.md"
REVIEWS = f"{GENERATED}/reviews/index.md"
STATS = f"{GENERATED}/stats.md"
REPORTS = f"{GENERATED}/reports.md"
RULES = f"{GENERATED}/rules.md"
GUIDE_LEVELS = "guide/levels.md"
GUIDE_REGISTER = "guide/register.md"
GUIDE_DEADLINES = "guide/deadlines.md"
GUIDE_GATE = "guide/gate.md"
REF_CHANGES = "reference/changes.md"

WITHDRAWN = "已撤销"
"""The one status word a withdrawn record shows, wherever its status is shown."""

STATUS_TEXT = {
    "overdue": "已逾期", "due_soon": "临期", "pending": "进行中",
    "met": "按时完成", "met_late": "超时完成", "unknown": "无法计算",
}

STALE_HOURS = 26
"""The scheduled rebuild runs daily; pages whose figures are older are flagged in the browser
(register.yml ``publish: stale_hours:`` when the register sets it; ``templates/_asof.html``)."""


def publish_setting(site: SiteInput, name: str, default: int) -> int:
    """A positive whole number from register.yml ``publish:``, or ``default``."""
    value = getattr(site.config.publish, name, None)
    return value if isinstance(value, int) and value > 0 else default


def stale_hours(site: SiteInput) -> int:
    return publish_setting(site, "stale_hours", STALE_HOURS)


REVIEW_PARTS = (("cause", "起因"), ("nature", "性质"), ("impact", "影响"),
                ("responsibility", "责任"), ("lessons", "经验教训"))

Toc = tuple[tuple[int, str, str], ...]
"""A page's headings below its h1: (level, id, text as HTML: escaped)."""


@dataclass(frozen=True)
class HtmlPage:
    """A generated page whose body is HTML made by a template."""

    title: str
    """The page title as plain text (escaped when it becomes meta data)."""
    body: str
    toc: Toc = ()
    exclude: bool = False
    """Left out of search."""
    boost: float | None = None
    tags: tuple[str, ...] = ()
    search: str | None = None
    """The HTML search indexes for this page (title and summary); None: the whole body."""
    hide: tuple[str, ...] = ()
    """Material's ``hide`` (navigation, toc)."""
    record: Any = None
    """The incident an incident page shows (its search entry is made by ``search.entry``)."""

    def meta(self, *, exclude: bool | None = None) -> dict[str, Any]:
        """The page's meta data, as MkDocs would read it from ``markdown()``'s front matter."""
        return page_meta(self.title, exclude=self.exclude if exclude is None else exclude, boost=self.boost,
                         tags=self.tags, hide=self.hide)

    def markdown(self) -> str:
        """The page as a Markdown file: front matter, then the HTML as one raw HTML block."""
        return (front(self.title, exclude=self.exclude, boost=self.boost, tags=self.tags, hide=self.hide)
                + f'<div class="yq-page">\n{self.body.strip()}\n</div>\n')


def page_meta(title: str, *, exclude: bool = False, boost: float | None = None,
              tags: Sequence[str] = (), hide: Sequence[str] = ()) -> dict[str, Any]:
    """Front matter as data. Texts are HTML-escaped: themes print page titles unescaped."""
    meta: dict[str, Any] = {"title": html_text(title)}
    if exclude:
        meta["search"] = {"exclude": True}
    elif boost is not None:
        meta["search"] = {"boost": boost}
    if tags:
        meta["tags"] = [html_text(t) for t in tags]
    if hide:
        meta["hide"] = list(hide)
    return meta


def front(title: str, *, exclude: bool = False, boost: float | None = None,
          tags: Sequence[str] = (), hide: Sequence[str] = ()) -> str:
    """YAML front matter holding ``page_meta`` (every value a JSON string: valid YAML)."""
    meta = page_meta(title, exclude=exclude, boost=boost, tags=tags, hide=hide)
    lines = ["---", f"title: {yaml_string(meta['title'])}"]
    if "search" in meta:
        lines.append("search:")
        lines.append("  exclude: true" if exclude else f"  boost: {boost}")
    if tags:
        lines.append("tags:")
        lines.extend(f"  - {yaml_string(t)}" for t in meta["tags"])
    if hide:
        lines.append("hide:")
        lines.extend(f"  - {h}" for h in hide)
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def status_of(incident: Incident | Row) -> str:
    """The status word shown for a record: 已撤销 for a withdrawn one, whatever its status field says."""
    return WITHDRAWN if incident.withdrawn else incident.status


_Shown = TypeVar("_Shown", Incident, Row)


def newest_first(incidents: Iterable[_Shown]) -> list[_Shown]:
    return sorted(incidents, key=lambda i: (i.discovered_at, i.id), reverse=True)


def counted(site: SiteInput) -> list[Row]:
    """The incidents that count in figures (published and, when configured, confidential; never withdrawn)."""
    return [i for i in (*site.incidents, *site.counted_confidential) if i.counts]


def dim_page(dim: str, value: str, year: int) -> str:
    return f"{GENERATED}/lists/{dim}/{slug(value)}-{year}.md"


def month_page(moment: datetime) -> str:
    return f"{GENERATED}/lists/month/{moment.year:04d}-{moment.month:02d}.md"


def dim_order(dim: str, site: SiteInput, values: Iterable[str]) -> list[str]:
    """``values`` in the register's order (levels low to high, categories and units as configured)."""
    known: Sequence[str] = {
        "level": LEVELS, "status": (*STATUSES, WITHDRAWN),
        "category": site.config.categories, "unit": site.config.units,
    }.get(dim, ())
    present = set(values)
    ordered = [v for v in known if v in present]
    return ordered + sorted(present - set(ordered))


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
