"""The archive's pages as Markdown: pure functions of a ``SiteInput``.

``build(site)`` returns ``{src path under docs/: Markdown}``. MkDocs gets them
in memory from the plugin; ``yuqing site render`` writes the same text to disk.

Speed: the thousands of incident pages and list pages are ``HtmlPage``s,
written as HTML from the start; the plugin hands their HTML to MkDocs without
a Python-Markdown pass (which took most of the build). The few other pages are
Markdown. ``HtmlPage.markdown()`` is the same page as a Markdown file (front
matter and raw HTML) for ``yuqing site render``.

Safety: record text reaches Markdown only through ``escape.md_text`` and raw
HTML only through ``escape.html_text``; URLs are linked only when http(s).
Links between pages are relative ``.md`` links (Markdown links, or ``href``s
in raw HTML that the plugin resolves), so the build checks them and writes
them right for both the online and the offline (file://) build.

Search: incident pages are indexed by their title (h1), summary and tags
only (``HtmlPage.search``: the plugin gives search that small HTML instead of
the page; every other block carries ``data-search-exclude`` too); index
pages are left out of the index (front matter ``search: exclude: true``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

from ..model import LEVELS, STATUSES, Deadline, Incident, level_rank
from ..times import short, zone
from .escape import html_text, link, md_text, safe_url, yaml_string
from .model import GENERATED, HOME, SiteInput, incident_path, rel, slug

PAGE_SIZE = 200
"""Rows per index page; longer lists are split into numbered pages."""

LATEST = 10
OPEN_SHOWN = 50

STATUS_TEXT = {
    "overdue": "已逾期", "due_soon": "临期", "pending": "进行中",
    "met": "按时完成", "met_late": "超时完成", "unknown": "无法计算",
}

INDEX = f"{GENERATED}/lists/index.md"
REVIEWS = f"{GENERATED}/reviews/index.md"
STATS = f"{GENERATED}/stats.md"
REPORTS = f"{GENERATED}/reports.md"
RULES = f"{GENERATED}/rules.md"
GUIDE_LEVELS = "guide/levels.md"
GUIDE_REGISTER = "guide/register.md"
GUIDE_DEADLINES = "guide/deadlines.md"
GUIDE_GATE = "guide/gate.md"
REF_CHANGES = "reference/changes.md"

Toc = tuple[tuple[int, str, str], ...]
"""A page's headings below its h1: (level, id, text)."""


@dataclass(frozen=True)
class HtmlPage:
    """A generated page whose body is HTML (every record text escaped with ``html_text``)."""

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

    def meta(self, *, exclude: bool | None = None) -> dict[str, Any]:
        """The page's meta data, as MkDocs would read it from ``markdown()``'s front matter."""
        return page_meta(self.title, exclude=self.exclude if exclude is None else exclude, boost=self.boost,
                         tags=self.tags)

    def markdown(self) -> str:
        """The page as a Markdown file: front matter, then the HTML as raw HTML blocks."""
        return front(self.title, exclude=self.exclude, boost=self.boost, tags=self.tags) + self.body


Pages = dict[str, str]
Built = dict[str, "str | HtmlPage"]


# --- small pieces -------------------------------------------------------------

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
    """YAML front matter holding ``page_meta``."""
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


def level_badge(level: str) -> str:
    rank = level_rank(level)
    return f'<span class="yq-level yq-level-{max(rank, 0)}">{html_text(level)}</span>'


def status_badge(status: str) -> str:
    return f'<span class="yq-status yq-status-{slug(status)}">{html_text(status)}</span>'


def deadline_badge(status: str) -> str:
    return f'<span class="yq-deadline yq-deadline-{status}">{html_text(STATUS_TEXT.get(status, status))}</span>'


def mlink(page: str, target: str, text: str) -> str:
    """A Markdown link; ``text`` is record text and is escaped here."""
    return f"[{md_text(text)}]({rel(page, target)})"


def hlink(page: str, target: str, text: str) -> str:
    """An HTML link to another page's ``.md`` (the plugin resolves it); ``text`` is escaped here."""
    return f'<a href="{html_text(rel(page, target))}">{html_text(text)}</a>'


def incident_table(page: str, incidents: Iterable[Incident], *, unit_column: bool = True) -> str:
    """An HTML table (a raw HTML block in Markdown pages) of incidents, one row each."""
    heads = ["编号", "标题", "等级", "状态", "领域", *(["责任单位"] if unit_column else []), "发现时间"]
    rows = ["<table>\n<thead><tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr></thead>\n<tbody>"]
    for incident in incidents:
        status = "已撤销" if incident.withdrawn else incident.status
        cells = [
            html_text(incident.id),
            hlink(page, incident_path(incident), incident.title),
            level_badge(incident.level),
            status_badge(status),
            html_text(incident.category),
        ]
        if unit_column:
            cells.append(html_text(incident.units.lead))
        cells.append(html_text(short(incident.discovered_at)))
        rows.append("<tr><td>" + "</td><td>".join(cells) + "</td></tr>")
    rows.append("</tbody>\n</table>")
    return "\n".join(rows) + "\n"


def newest_first(incidents: Iterable[Incident]) -> list[Incident]:
    return sorted(incidents, key=lambda i: (i.discovered_at, i.id), reverse=True)


def paged(base: str, title: str, incidents: Sequence[Incident], up: str) -> dict[str, HtmlPage]:
    """One index page, or numbered pages of PAGE_SIZE rows when the list is long."""
    pages: dict[str, HtmlPage] = {}
    chunks = [incidents[i:i + PAGE_SIZE] for i in range(0, len(incidents), PAGE_SIZE)] or [[]]
    stem = base[:-3]
    names = [base] + [f"{stem}-{n}.md" for n in range(2, len(chunks) + 1)]
    for number, (name, chunk) in enumerate(zip(names, chunks), 1):
        heading = title if len(chunks) == 1 else f"{title}(第 {number}/{len(chunks)} 页)"
        parts = [f"<h1>{html_text(heading)}</h1>\n\n", f"<p>{hlink(name, up, '← 返回上级索引')}</p>\n\n"]
        pager = _pager(name, names, number)
        parts.append(pager)
        parts.append(incident_table(name, chunk) if chunk else "<p>没有事件。</p>\n")
        parts.append("\n" + pager)
        pages[name] = HtmlPage(heading, "".join(parts), exclude=True)
    return pages


def _pager(page: str, names: list[str], number: int) -> str:
    if len(names) == 1:
        return ""
    links = []
    for n, name in enumerate(names, 1):
        links.append(f"<strong>{n}</strong>" if n == number else hlink(page, name, str(n)))
    return '<p class="yq-pager">分页:' + " · ".join(links) + "</p>\n\n"


# --- incident pages ---------------------------------------------------------

INCIDENT_SECTIONS = {"timeline": "处置经过", "deadlines": "时限", "review": "评估总结", "history": "登记与修改记录"}


def incident_page(site: SiteInput, incident: Incident, deadlines: Sequence[Deadline]) -> HtmlPage:
    page = incident_path(incident)
    title = html_text(incident.title)
    summary = html_text(incident.summary, breaks=True)
    parts = [f'<h1 id="yq-title">{title}</h1>\n\n']

    if incident.withdrawn:
        reason = html_text(incident.withdrawn.reason)
        dup = ""
        if incident.withdrawn.duplicate_of in site.published_ids:
            dup = f"(与 {html_text(incident.withdrawn.duplicate_of)} 重复)"
        elif incident.withdrawn.duplicate_of:
            dup = "(与一条未公开的记录重复)"  # a confidential id must not appear
        parts.append(f'<div class="admonition warning" data-search-exclude="1"><p class="admonition-title">'
                     f'已撤销</p><p>本记录已撤销{dup}:{reason}。不计入时限和统计。</p></div>\n\n')

    facts = [
        ("编号", html_text(incident.id)),
        ("等级", level_badge(incident.level) + _level_steps(incident)),
        ("状态", status_badge(incident.status)),
        ("领域", hlink(page, _dim_page("category", incident.category, incident.year), incident.category)),
        ("责任单位", hlink(page, _dim_page("unit", incident.units.lead, incident.year), incident.units.lead)),
    ]
    if incident.units.assisting:
        facts.append(("协办单位", "、".join(
            hlink(page, _dim_page("unit", u, incident.year), u) for u in incident.units.assisting)))
    facts.append(("来源", _source(incident)))
    if incident.occurred_at:
        facts.append(("发生时间", html_text(short(incident.occurred_at))))
    facts.append(("发现时间", hlink(page, _month_page(incident.discovered_at), short(incident.discovered_at))))
    if incident.appeal:
        who = f"({html_text(incident.appeal.author)})" if incident.appeal.author else ""
        facts.append(("网民诉求", f"{html_text(short(incident.appeal.posted_at))} 发帖{who}"))
    if incident.tags:
        facts.append(("标签", "、".join(hlink(page, _dim_page("tag", t, incident.year), t) for t in incident.tags)))
    parts.append('<div class="yq-facts" data-search-exclude="1">\n<table>\n'
                 "<thead><tr><th>项目</th><th>内容</th></tr></thead>\n<tbody>\n")
    parts.extend(f"<tr><td>{name}</td><td>{value}</td></tr>\n" for name, value in facts)
    parts.append("</tbody>\n</table>\n</div>\n\n")

    parts.append('<div class="yq-summary">\n<p class="yq-summary-label" data-search-exclude="1">事件概要</p>\n'
                 f"<p>{summary}</p>\n</div>\n\n")

    sections = [("timeline", timeline_html(incident))]
    if deadlines or site.deadlines is not None:
        sections.append(("deadlines", deadlines_html(deadlines, incident)))
    if incident.review:
        sections.append(("review", review_html(incident)))
    sections.append(("history", history_html(site, incident)))
    for anchor, html in sections:
        parts.append(f'<h2 id="{anchor}" data-search-exclude="1">{INCIDENT_SECTIONS[anchor]}</h2>\n\n{html}\n\n')
    return HtmlPage(
        f"{incident.id} {incident.title}", "".join(parts),
        toc=tuple((2, anchor, INCIDENT_SECTIONS[anchor]) for anchor, _ in sections),
        boost=2, tags=incident.tags,
        search=f'<h1 id="yq-title">{title}</h1>\n<p>{summary}</p>',
    )


def _level_steps(incident: Incident) -> str:
    steps = incident.level_history()
    if len(steps) <= 1:
        return ""
    text = " → ".join(f"{html_text(level)}({html_text(short(since))})" for since, level in steps)
    return f' <span class="yq-level-steps">{text}</span>'


def _source(incident: Incident) -> str:
    source = incident.source
    bits = [html_text(source.channel)]
    if source.platform:
        bits.append(html_text(source.platform))
    if source.transferred_from:
        bits.append("由 " + html_text(source.transferred_from) + " 转来")
    text = " · ".join(bits)
    if source.url:
        text += " · " + link(source.url, "原帖链接" if safe_url(source.url) else source.url)
    return text


def timeline_html(incident: Incident) -> str:
    if not incident.timeline:
        return '<p data-search-exclude="1">暂无处置记录。</p>'
    items = ['<ol class="yq-timeline" data-search-exclude="1">']
    for event in incident.timeline:
        kind = " yq-event-grading" if event.level else ""
        bits = [f'<time datetime="{html_text(event.at.isoformat())}">{html_text(short(event.at))}</time>',
                f'<span class="yq-event-type">{html_text(event.type)}</span>']
        if event.level:
            bits.append(level_badge(event.level))
        if event.by:
            bits.append(f'<span class="yq-event-by">{html_text(event.by)}</span>')
        if event.channel:
            bits.append(f'<span class="yq-event-channel">{html_text(event.channel)}</span>')
        body = ""
        if event.note:
            body += f'<div class="yq-event-note">{html_text(event.note, breaks=True)}</div>'
        if event.url:
            body += f'<div class="yq-event-url">{link(event.url)}</div>'
        items.append(f'<li class="yq-event{kind}"><div class="yq-event-head">{" ".join(bits)}</div>{body}</li>')
    items.append("</ol>")
    return "\n".join(items)


def deadlines_html(deadlines: Sequence[Deadline], incident: Incident) -> str:
    rows = []
    for d in deadlines:
        due = html_text(short(d.due)) if d.due else "—"
        met = html_text(short(d.met_at)) if d.met_at else "—"
        extended = "(已延期)" if d.extended else ""
        warning = f'<br><small>{html_text(d.warning)}</small>' if d.warning else ""
        rows.append(f"<tr><td>{html_text(d.rule_title or d.rule)}</td><td>{html_text(short(d.start))}</td>"
                    f"<td>{due}{extended}</td><td>{deadline_badge(d.status)}{warning}</td><td>{met}</td></tr>")
    table = ""
    if rows:
        table = ('<table class="yq-table" data-search-exclude="1"><thead><tr><th>时限规则</th><th>起算</th>'
                 "<th>截止</th><th>状态</th><th>完成于</th></tr></thead><tbody>"
                 + "".join(rows) + "</tbody></table>")
    else:
        table = '<p data-search-exclude="1">本事件不适用任何时限规则。</p>'
    if incident.extensions:
        items = []
        for ext in incident.extensions:
            approved = ""
            if ext.approved_by or ext.approved_at:
                approved = f",{html_text(ext.approved_by or '')} {html_text(short(ext.approved_at))} 批准"
            items.append(f"<li>{html_text(ext.rule)}:延至 {html_text(short(ext.due))}{approved}。"
                         f"理由:{html_text(ext.reason)}</li>")
        table += '\n<p data-search-exclude="1"><strong>延期</strong></p>\n<ul data-search-exclude="1">' + "".join(items) + "</ul>"
    return table


REVIEW_PARTS = (("cause", "起因"), ("nature", "性质"), ("impact", "影响"),
                ("responsibility", "责任"), ("lessons", "经验教训"))


def review_html(incident: Incident) -> str:
    review = incident.review
    assert review is not None
    rows = [f"<dt>{label}</dt><dd>{html_text(getattr(review, name), breaks=True)}</dd>"
            for name, label in REVIEW_PARTS if getattr(review, name)]
    if review.completed_at:
        rows.append(f"<dt>完成时间</dt><dd>{html_text(short(review.completed_at))}</dd>")
    missing = review.missing()
    note = '<p class="yq-note">评估总结尚不完整。</p>' if missing else ""
    return f'<dl class="yq-review" data-search-exclude="1">{"".join(rows)}</dl>{note}'


def _repo_links(site: SiteInput, incident: Incident) -> str:
    publish = site.config.publish
    repo = safe_url(publish.repo_url)
    if not repo:
        return ""
    base = repo.rstrip("/")
    edit_uri = publish.edit_uri.strip("/")
    links = []
    if edit_uri:
        links.append(link(f"{base}/{edit_uri}/{incident.file}", "在仓库中编辑此记录"))
        branch = edit_uri.split("/", 1)[1] if "/" in edit_uri else ""
        if edit_uri.startswith("edit/") and branch:  # GitHub style
            links.insert(0, link(f"{base}/blob/{branch}/{incident.file}", "查看原始记录(YAML)"))
            links.append(link(f"{base}/commits/{branch}/{incident.file}", "仓库中的修改历史"))
        elif edit_uri.startswith("_edit/") and branch:  # Gitea / Forgejo style
            links.insert(0, link(f"{base}/src/branch/{branch}/{incident.file}", "查看原始记录(YAML)"))
            links.append(link(f"{base}/commits/branch/{branch}/{incident.file}", "仓库中的修改历史"))
    else:
        links.append(link(base, "台账仓库"))
    return " · ".join(links)


def history_html(site: SiteInput, incident: Incident) -> str:
    out = [f'<p data-search-exclude="1">原始记录:<code>{html_text(incident.file)}</code>']
    repo = _repo_links(site, incident)
    if repo:
        out.append(f"<br>{repo}")
    out.append("</p>")
    history = site.history
    if history is None:
        out.append('<p data-search-exclude="1">修改历史暂不可用(git 历史模块未启用)。</p>')
        return "\n".join(out)
    record = history.of(incident.id) if getattr(history, "available", False) else None
    if record is None:
        note = getattr(history, "note", "") or "git 中没有这份记录的历史(可能尚未提交)。"
        out.append(f'<p data-search-exclude="1">{html_text(note)}</p>')
        return "\n".join(out)
    shown = site.revisions.get(incident.id, ())
    registered = record.registered_at
    if registered is not None:
        out.append(f'<p data-search-exclude="1">登记时间:{html_text(short(registered.astimezone(zone(site.config.timezone))))}'
                   f"(登记人:{html_text(record.registered_by or '')})</p>")
    elif not record.complete:
        out.append('<p data-search-exclude="1">登记时间不详(浅克隆,git 历史不完整)。</p>')
    else:
        out.append('<p data-search-exclude="1">尚未合并到主分支:登记时间以合并进入主分支的时间为准。</p>')
    # Only what the diff shows: never the commit message (free text that may name another record).
    rows = [f"<tr><td>{html_text(short(row.at))}</td><td>{html_text(row.author)}</td>"
            f"<td>{html_text(row.kind)}</td><td>{html_text(row.level or '')}</td>"
            f"<td>{html_text(';'.join(row.changes))}</td></tr>" for row in shown]
    out.append('<table class="yq-table yq-history" data-search-exclude="1"><thead><tr><th>时间</th><th>修改人</th>'
               "<th>类型</th><th>当时等级</th><th>改动</th></tr></thead><tbody>"
               + "".join(rows) + "</tbody></table>")
    out.append('<p class="yq-note" data-search-exclude="1">时间为改动进入主分支的时间(按台账时区 '
               + html_text(site.config.timezone) + ' 显示);改动由前后两个版本的记录比较得出。</p>')
    return "\n".join(out)


# --- index pages -------------------------------------------------------------

DIMENSIONS: dict[str, tuple[str, Callable[[Incident], Iterable[str]]]] = {
    "level": ("按等级", lambda i: (i.level,)),
    "status": ("按状态", lambda i: ("已撤销",) if i.withdrawn else (i.status,)),
    "category": ("按领域", lambda i: (i.category,)),
    "unit": ("按单位", lambda i: (i.units.lead, *i.units.assisting)),
    "tag": ("按标签", lambda i: i.tags),
}


def _dim_page(dim: str, value: str, year: int) -> str:
    return f"{GENERATED}/lists/{dim}/{slug(value)}-{year}.md"


def _month_page(moment: datetime) -> str:
    return f"{GENERATED}/lists/month/{moment.year:04d}-{moment.month:02d}.md"


def _dim_order(dim: str, site: SiteInput, values: Iterable[str]) -> list[str]:
    known: Sequence[str] = {
        "level": LEVELS, "status": (*STATUSES, "已撤销"),
        "category": site.config.categories, "unit": site.config.units,
    }.get(dim, ())
    present = set(values)
    ordered = [v for v in known if v in present]
    return ordered + sorted(present - set(ordered))


def index_pages(site: SiteInput) -> Built:
    pages: Built = {}
    incidents = newest_first(site.incidents)
    years = sorted({i.year for i in incidents}, reverse=True)

    # Year-month pages and their overview.
    by_month: dict[str, list[Incident]] = defaultdict(list)
    for incident in incidents:
        by_month[_month_page(incident.discovered_at)].append(incident)
    months_page = f"{GENERATED}/lists/months.md"
    lines = [front("按年月", exclude=True), "# 按年月\n\n", mlink(months_page, INDEX, "← 事件索引") + "\n\n",
             "| 年份 | " + " | ".join(f"{m}月" for m in range(1, 13)) + " | 合计 |\n",
             "|---|" + "---|" * 13 + "\n"]
    for year in years:
        cells = []
        for month in range(1, 13):
            target = f"{GENERATED}/lists/month/{year:04d}-{month:02d}.md"
            count = len(by_month.get(target, ()))
            cells.append(mlink(months_page, target, str(count)) if count else "·")
        total = sum(1 for i in incidents if i.year == year)
        lines.append(f"| {year} | " + " | ".join(cells) + f" | {total} |\n")
    pages[months_page] = "".join(lines)
    for target, items in by_month.items():
        name = target.rsplit("/", 1)[1][:-3]
        pages.update(paged(target, f"{name[:4]}年{int(name[5:])}月的事件", items, months_page))

    # One overview per dimension: value x year, each cell a page.
    for dim, (title, values_of) in DIMENSIONS.items():
        groups: dict[tuple[str, int], list[Incident]] = defaultdict(list)
        for incident in incidents:
            for value in dict.fromkeys(values_of(incident)):
                groups[(value, incident.year)].append(incident)
        overview = f"{GENERATED}/lists/{dim}.md"
        lines = [front(title, exclude=True), f"# {title}\n\n", mlink(overview, INDEX, "← 事件索引") + "\n\n"]
        values = _dim_order(dim, site, (v for v, _ in groups))
        if not values:
            lines.append("没有事件。\n")
        else:
            lines.append("| | " + " | ".join(f"{y}年" for y in years) + " | 合计 |\n")
            lines.append("|---|" + "---|" * (len(years) + 1) + "\n")
            for value in values:
                cells = []
                for year in years:
                    items = groups.get((value, year), [])
                    cells.append(mlink(overview, _dim_page(dim, value, year), str(len(items))) if items else "·")
                total = sum(len(groups.get((value, y), ())) for y in years)
                label = level_badge(value) if dim == "level" else md_text(value)
                lines.append(f"| {label} | " + " | ".join(cells) + f" | {total} |\n")
        if dim == "unit":
            lines.append("\n单位的事件包括其牵头(责任单位)和协办的事件。\n")
        pages[overview] = "".join(lines)
        for (value, year), items in groups.items():
            page_title = f"{title.removeprefix('按')}:{value}({year}年)"
            pages.update(paged(_dim_page(dim, value, year), page_title, items, overview))

    # The index of indexes.
    lines = [front("事件索引", exclude=True), "# 事件索引\n\n",
             f"共 {len(incidents)} 件已发布的事件(涉密事件不发布)。按以下方式浏览:\n\n"]
    lines.append(f"- {mlink(INDEX, months_page, '按年月')}\n")
    for dim, (title, _) in DIMENSIONS.items():
        lines.append(f"- {mlink(INDEX, f'{GENERATED}/lists/{dim}.md', title)}\n")
    lines.append(f"- {mlink(INDEX, REVIEWS, '复盘(评估总结)')}\n")
    lines.append("\n也可以用页面顶部的搜索框输入标题、概要或标签中的词语查找事件。\n")
    pages[INDEX] = "".join(lines)
    return pages


# --- reviews --------------------------------------------------------------------

def review_pages(site: SiteInput) -> Built:
    pages: Built = {}
    reviewed = [i for i in newest_first(site.incidents) if i.review and not i.withdrawn]
    by_year: dict[int, list[Incident]] = defaultdict(list)
    for incident in reviewed:
        by_year[incident.year].append(incident)
    lines = [front("复盘", exclude=True), "# 复盘(评估总结)\n\n",
             "每件事件处置结束后的评估总结:起因、性质、影响、责任和经验教训。\n\n"]
    if not reviewed:
        lines.append("还没有评估总结。\n")
    for year in sorted(by_year, reverse=True):
        page = f"{GENERATED}/reviews/{year}.md"
        lines.append(f"- {mlink(REVIEWS, page, f'{year}年')}({len(by_year[year])} 件)\n")
        body = [f"<h1>{year}年复盘</h1>\n\n", f"<p>{hlink(page, REVIEWS, '← 复盘')}</p>\n\n"]
        toc = []
        for incident in by_year[year]:
            anchor = slug(incident.id)
            toc.append((2, anchor, html_text(incident.title)))
            body.append(f'<h2 id="{anchor}">{html_text(incident.title)}</h2>\n\n')
            body.append(f"<p>{level_badge(incident.max_level())} {html_text(incident.id)} · "
                        f"{html_text(incident.category)} · {html_text(incident.units.lead)} · "
                        f"{hlink(page, incident_path(incident), '事件详情')}</p>\n\n")
            body.append(review_html(incident) + "\n\n")
        pages[page] = HtmlPage(f"{year}年复盘", "".join(body), toc=tuple(toc), exclude=True)
    pages[REVIEWS] = "".join(lines)
    return pages


# --- home ---------------------------------------------------------------------------

def _counted(site: SiteInput) -> list[Incident]:
    return [i for i in (*site.incidents, *site.counted_confidential) if i.counts]


def home_page(site: SiteInput) -> str:
    page = HOME
    now = site.now
    counted = _counted(site)
    this_year = [i for i in counted if i.discovered_at.year == now.year]
    this_month = [i for i in this_year if i.discovered_at.month == now.month]
    month_levels = Counter(i.level for i in this_month)
    year_levels = Counter(i.level for i in this_year)
    parts = [front(site.config.name, exclude=True, hide=("navigation", "toc")), f"# {md_text(site.config.name)}\n\n"]
    parts.append(f'<p class="yq-asof">本页按生成时间 <strong>{html_text(short(now))}</strong> 计算'
                 "(信号灯和数字是生成时的情况,此后可能已有变化)。</p>\n\n")

    parts.append("## 本月与本年 { #figures }\n\n")
    parts.append('<div class="yq-figures">\n')
    parts.append(_figure(f"{now.month}月新发", len(this_month)))
    parts.append(_figure(f"{now.year}年累计", len(this_year)))
    parts.append(_figure("处置中/监测中", sum(1 for i in counted if i.is_open)))
    parts.append("</div>\n\n")
    parts.append("| 等级 | " + f"{now.month}月 | {now.year}年 |\n|---|---|---|\n")
    for level in LEVELS:
        parts.append(f"| {level_badge(level)} | {month_levels.get(level, 0)} | {year_levels.get(level, 0)} |\n")
    parts.append(f"| 合计 | {len(this_month)} | {len(this_year)} |\n\n")
    if site.counted_confidential:
        parts.append("数字含涉密事件(按 register.yml 的 publish.count_confidential 设置);涉密事件本身不在本站发布。\n\n")
    else:
        parts.append("数字只含已发布的事件(不含涉密和已撤销的记录)。\n\n")

    parts.append("## 信号灯 { #signals }\n\n")
    parts.append(signals(site, page))

    open_incidents = sorted((i for i in site.incidents if i.is_open),
                            key=lambda i: (-level_rank(i.level), -i.discovered_at.timestamp(), i.id))
    parts.append(f"## 正在处置的事件({len(open_incidents)} 件) {{ #open }}\n\n")
    if open_incidents:
        parts.append(incident_table(page, open_incidents[:OPEN_SHOWN]))
        if len(open_incidents) > OPEN_SHOWN:
            parts.append(f"\n只列出最严重、最新的 {OPEN_SHOWN} 件;全部见"
                         f"{mlink(page, f'{GENERATED}/lists/status.md', '按状态索引')}。\n")
    else:
        parts.append("目前没有正在处置或监测中的事件。\n")
    parts.append("\n## 最新登记的事件 { #latest }\n\n")
    latest = newest_first(site.incidents)[:LATEST]
    parts.append(incident_table(page, latest) if latest else "还没有事件。\n")
    parts.append(f"\n更多:{mlink(page, INDEX, '事件索引')} · {mlink(page, REVIEWS, '复盘')} · "
                 f"{mlink(page, STATS, '统计')} · {mlink(page, RULES, '现行规则')}"
                 ' · <a href="feed.xml">订阅更新(Atom)</a>\n')
    return "".join(parts)


def _figure(label: str, value: int) -> str:
    return (f'<div class="yq-figure"><span class="yq-figure-value">{value}</span>'
            f'<span class="yq-figure-label">{html_text(label)}</span></div>\n')


def signals(site: SiteInput, page: str) -> str:
    if site.deadlines is None:
        return ('<div class="admonition note"><p class="admonition-title">信号灯暂不可用</p>'
                "<p>时限计算模块未启用,无法显示逾期和临期的时限。</p></div>\n\n")
    by_id = {i.id: i for i in site.incidents}
    urgent = [d for d in site.deadlines if d.status in ("overdue", "due_soon") and d.incident in by_id]
    current = [d for d in urgent if by_id[d.incident].is_open]
    closed = [d for d in urgent if not by_id[d.incident].is_open and d.status == "overdue"]
    current.sort(key=lambda d: (d.status != "overdue", d.due or site.now, d.incident))
    out = []
    if not current:
        out.append('<p class="yq-signal-none"><span class="yq-light yq-light-green"></span>'
                   "没有逾期或临期的时限。</p>\n\n")
    else:
        out.append("| | 事件 | 时限 | 截止 | 责任单位 |\n|---|---|---|---|---|\n")
        for d in current:
            incident = by_id[d.incident]
            light = "red" if d.status == "overdue" else "amber"
            out.append(f'| <span class="yq-light yq-light-{light}"></span>{deadline_badge(d.status)} | '
                       f"{mlink(page, incident_path(incident), incident.title)} | {md_text(d.rule_title or d.rule)} | "
                       f"{md_text(short(d.due)) if d.due else '—'} | {md_text(d.unit)} |\n")
        out.append("\n")
    if closed:
        out.append(f"另有 {len(closed)} 项时限在已平息或已归档的事件中始终未完成(记为逾期),见各事件页。\n\n")
    for warning in site.deadline_warnings:
        out.append(f'<p class="yq-warning">{html_text(warning)}</p>\n\n')
    return "".join(out)


# --- rules ------------------------------------------------------------------------

UNIT_TEXT = {"hours": "小时", "working_hours": "个工作小时", "working_days": "个工作日"}
CLOCK_TEXT = {"level_reached": "达到该等级时", "occurred": "舆情发生时(无则发现时)", "appeal": "网民发帖时"}


def rules_page(site: SiteInput) -> str:
    config = site.config
    page = RULES
    parts = [front("现行规则", exclude=True), "# 现行规则\n\n",
             "本页由台账的 register.yml 生成,显示本站计算时限和统计时实际使用的规则。\n\n",
             "## 舆情等级 { #levels }\n\n"]
    parts.append("从低到高:" + " → ".join(level_badge(lv) for lv in LEVELS) + "。")
    if GUIDE_LEVELS in site.docs:
        parts.append(f"各等级的定义见{mlink(page, GUIDE_LEVELS, '等级定义')}。")
    parts.append("\n\n## 时限规则 { #rules }\n\n")
    name = "自定义" if config.rule_set == "custom" else config.rule_set
    parts.append(f"规则集:{md_text(name)}。\n\n")
    parts.append("| 编号 | 规则 | 适用 | 起算 | 完成标志 | 时限 | 临期提醒 | 依据 |\n|---|---|---|---|---|---|---|---|\n")
    for rule in config.rules:
        applies = "网民诉求" if rule.appeal else "、".join(lv for lv in LEVELS if lv in rule.levels)
        limit = f"{rule.limit:g} {UNIT_TEXT.get(rule.unit, rule.unit)}"
        if rule.extension_cap_days:
            limit += f"(可延期,最长 {rule.extension_cap_days} 天)"
        window = f"{rule.due_soon_minutes // 60}小时" if rule.due_soon_minutes % 60 == 0 else f"{rule.due_soon_minutes}分钟"
        parts.append(f"| {md_text(rule.id)} | {md_text(rule.title)} | {md_text(applies)} | "
                     f"{md_text(CLOCK_TEXT.get(rule.clock_start, rule.clock_start))} | "
                     f"{md_text('、'.join(sorted(rule.met_by)))} | {md_text(limit)} | {md_text(window)} | "
                     f"{md_text(rule.source)} |\n")
    if GUIDE_DEADLINES in site.docs:
        parts.append(f"\n时限的计算方法见{mlink(page, GUIDE_DEADLINES, '时限说明')}。\n")
    parts.append("\n## 工作时间 { #working-hours }\n\n")
    parts.append("、".join(f"{s.strftime('%H:%M')}–{e.strftime('%H:%M')}" for s, e in config.working_hours))
    parts.append("(周一至周五,扣除法定节假日,加上调休上班日)。按“工作小时”计的时限只在工作时间内计时,"
                 "非工作时间顺延。\n\n## 节假日数据 { #calendar }\n\n")
    parts.append(_calendar_text(site))
    parts.append("\n## 发布设置 { #publish }\n\n")
    parts.append(f"- 时区:{md_text(config.timezone)}\n- 编号前缀:{md_text(config.id_prefix)}\n"
                 f"- 迟报判定:发现后 {config.late_registration_hours:g} 小时内未登记\n"
                 f"- 统计数字{'计入' if config.publish.count_confidential else '不计入'}涉密事件(涉密事件本身从不发布)\n")
    parts.append("\n## 变更规则 { #policy }\n\n")
    parts.append(_policy_text(site, page))
    return "".join(parts)


def _policy_text(site: SiteInput, page: str) -> str:
    """The change policy table, as the gate's own code prints it (``policy.policy_markdown``)."""
    intro = "合并请求对记录的每处改动按下表分为允许、需要审批和不允许三类(`yuqing audit` 即按此表审核)。"
    links = [mlink(page, target, text) for target, text in ((GUIDE_GATE, "审核与分支保护"), (REF_CHANGES, "变更规则说明"))
             if target in site.docs]
    if links:
        intro += "说明见" + "、".join(links) + "。"
    try:
        from ..policy import policy_markdown
    except ImportError:
        return intro + "\n\n变更策略模块(policy.py)未安装,本站不显示策略表。\n"
    # Trusted text from our own code; its headings go below this section's.
    return intro + "\n\n" + _demote(_demote(policy_markdown().strip())) + "\n"


def _calendar_text(site: SiteInput) -> str:
    lines = []
    try:
        from .. import calendar as work_calendar
    except ImportError:
        work_calendar = None  # type: ignore[assignment]
    if work_calendar is not None:
        span = work_calendar.library_years()
        if span:
            lines.append(f"- 内置数据:chinesecalendar {md_text(work_calendar.library_version())},"
                         f"覆盖 {span[0]}–{span[1]} 年(国务院办公厅历年放假安排)。\n")
    for year in site.config.calendar_years:
        lines.append(f"- {year.year} 年(register.yml 补充):{md_text(year.source)};放假 {len(year.holidays)} 天,"
                     f"调休上班 {len(year.workdays)} 天。\n")
    if not lines:
        lines.append("- 没有节假日数据。\n")
    lines.append("\n没有经确认的节假日安排的年份,按工作日计算的时限不作推测,标为“无法计算”。\n")
    return "".join(lines)


# --- statistics and reports -----------------------------------------------------------

def stats_page(site: SiteInput) -> str:
    parts = [front("统计", exclude=True), "# 统计\n\n",
             f'<p class="yq-asof">按生成时间 {html_text(short(site.now))} 计算。'
             + ("含涉密事件。" if site.counted_confidential else "不含涉密事件。") + "</p>\n\n"]
    stats = site.stats
    for note in site.notes:
        parts.append(f'<p class="yq-warning">{html_text(note)}</p>\n\n')
    parts.append("## 等级分布 { #levels }\n\n")
    counted = _counted(site)
    levels = Counter(i.level for i in counted)
    parts.append(site.charts.get("levels") and _svg(site.charts["levels"]) or
                 _bars([(lv, levels.get(lv, 0)) for lv in LEVELS]))
    parts.append("\n## 月度趋势 { #months }\n\n")
    if site.charts.get("months"):
        parts.append(_svg(site.charts["months"]))
    else:
        parts.append(_month_table(counted))
    parts.append("\n## 各单位按时完成率 { #units }\n\n")
    if site.charts.get("units"):
        parts.append(_svg(site.charts["units"]))
    if stats is not None and getattr(stats, "units", None):
        parts.append("| 单位 | 事件 | 处置中 | 已判定时限 | 按时 | 超时 | 逾期 | 按时完成率 |\n|---|---|---|---|---|---|---|---|\n")
        for score in stats.units:
            t = score.timeliness
            rate = "—" if t.on_time_rate is None else f"{t.on_time_rate * 100:.0f}%"
            parts.append(f"| {md_text(score.unit)} | {score.incidents} | {score.open} | {t.judged} | {t.met} | "
                         f"{t.met_late} | {t.overdue} | {rate} |\n")
    elif site.deadlines is not None:
        parts.append(_unit_rates(site))
    else:
        parts.append("时限计算模块未启用,无法计算按时完成率。\n")
    if stats is not None and getattr(stats, "timeliness", None):
        parts.append("\n## 各时限规则 { #rules }\n\n| 规则 | 按时 | 超时 | 逾期 | 临期 | 进行中 | 按时完成率 |\n"
                     "|---|---|---|---|---|---|---|\n")
        for rule_id, t in stats.timeliness.items():
            rate = "—" if t.on_time_rate is None else f"{t.on_time_rate * 100:.0f}%"
            title = stats.rule_titles.get(rule_id, rule_id)
            parts.append(f"| {md_text(title)} | {t.met} | {t.met_late} | {t.overdue} | {t.due_soon} | "
                         f"{t.pending} | {rate} |\n")
    parts.append("\n## 按领域 { #categories }\n\n")
    categories = Counter(i.category for i in counted)
    parts.append(_bars([(c, categories[c]) for c in _dim_order("category", site, categories)]))
    return "".join(parts)


def _svg(svg: str) -> str:
    # Charts come from charts.py as complete SVG documents; keep only the <svg> element.
    start = svg.find("<svg")
    return f'<div class="yq-chart" data-search-exclude="1">{svg[start:] if start >= 0 else ""}</div>\n'


def _bars(items: Sequence[tuple[str, int]]) -> str:
    top = max((n for _, n in items), default=0) or 1
    rows = ['<div class="yq-bars" data-search-exclude="1">']
    for label, n in items:
        width = round(100 * n / top)
        rows.append(f'<div class="yq-bar"><span class="yq-bar-label">{html_text(label)}</span>'
                    f'<span class="yq-bar-track"><span class="yq-bar-fill" style="width:{width}%"></span></span>'
                    f'<span class="yq-bar-value">{n}</span></div>')
    rows.append("</div>")
    return "\n".join(rows) + "\n"


def _month_table(incidents: Sequence[Incident]) -> str:
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for i in incidents:
        by_month[f"{i.discovered_at.year:04d}-{i.discovered_at.month:02d}"][i.level] += 1
    if not by_month:
        return "没有事件。\n"
    lines = ["| 月份 | " + " | ".join(LEVELS) + " | 合计 |\n", "|---|" + "---|" * (len(LEVELS) + 1) + "\n"]
    for month in sorted(by_month, reverse=True):
        counts = by_month[month]
        lines.append(f"| {month} | " + " | ".join(str(counts.get(lv, 0)) for lv in LEVELS)
                     + f" | {sum(counts.values())} |\n")
    return "".join(lines)


def _unit_rates(site: SiteInput) -> str:
    assert site.deadlines is not None
    judged: dict[str, Counter[str]] = defaultdict(Counter)
    for d in site.deadlines:
        judged[d.unit][d.status] += 1
    lines = ["| 单位 | 按时 | 超时 | 逾期 | 按时完成率 |\n|---|---|---|---|---|\n"]
    for unit in _dim_order("unit", site, judged):
        c = judged[unit]
        total = c["met"] + c["met_late"] + c["overdue"]
        rate = f"{100 * c['met'] / total:.0f}%" if total else "—"
        lines.append(f"| {md_text(unit)} | {c['met']} | {c['met_late']} | {c['overdue']} | {rate} |\n")
    return "".join(lines)


def reports_page(site: SiteInput) -> str:
    parts = [front("报告", exclude=True), "# 最新报告\n\n"]
    if not site.reports:
        parts.append('<div class="admonition note"><p class="admonition-title">报告暂不可用</p>'
                     "<p>周报、月报模块未启用。</p></div>\n")
        return "".join(parts)
    # Record text in the reports was made Markdown-safe in collect._escaped.
    for markdown in site.reports.values():
        parts.append(f'<div class="yq-report" data-search-exclude="1" markdown>\n\n{_demote(markdown)}\n\n</div>\n\n')
    return "".join(parts)


def _demote(markdown: str) -> str:
    """Report headings one level down, so the page keeps a single h1."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            line = "#" + line
        lines.append(line)
    return "\n".join(lines)


# --- everything -------------------------------------------------------------------

def build(site: SiteInput) -> Pages:
    """Every generated page: {src path under docs/: Markdown}."""
    return {name: page if isinstance(page, str) else page.markdown() for name, page in build_pages(site).items()}


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
