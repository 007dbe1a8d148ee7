"""One page per published incident (``templates/incident.html``)."""

from __future__ import annotations

import hashlib
from typing import Sequence

from ..model import Deadline, Incident
from ..times import zone
from .common import HtmlPage, stale_hours
from .escape import html_text, safe_url
from .model import SiteInput, incident_path
from .templating import render

SECTIONS = {"timeline": "处置经过", "deadlines": "时限", "review": "评估总结", "history": "登记与修改记录"}


def incident_page(site: SiteInput, incident: Incident, deadlines: Sequence[Deadline]) -> HtmlPage:
    page = incident_path(incident)
    show_deadlines = bool(deadlines) or site.deadlines is not None
    context = dict(
        incident=incident, steps=incident.level_history(), deadlines=deadlines, show_deadlines=show_deadlines,
        duplicate_public=bool(incident.withdrawn and incident.withdrawn.duplicate_of in site.published_ids),
        repo_links=repo_links(site, incident), timezone=site.config.timezone,
        register_name=site.config.name, now=site.now, stale_hours=stale_hours(site), **_history(site, incident),
    )
    sections = ["timeline", *(["deadlines"] if show_deadlines else []), *(["review"] if incident.review else []),
                "history"]
    summary = html_text(incident.summary, breaks=True)
    return HtmlPage(
        f"{incident.id} {incident.title}", render("incident.html", page, **context),
        toc=tuple((2, anchor, SECTIONS[anchor]) for anchor in sections),
        boost=2, tags=incident.tags,
        search=f'<h1 id="yq-title">{html_text(incident.title)}</h1>\n<p>{summary}</p>', record=incident,
    )


def page_key(site: SiteInput, incident: Incident, deadlines: Sequence[Deadline]) -> str:
    """A hash of what the page shows that is the record's own: the record, its deadlines, its git history.

    With the shared context (register settings, templates, theme: the plugin's), it decides
    whether `mkdocs serve` may reuse the page's last output. ``now`` is left out on purpose, or
    every rebuild would change every page: the page shows it (the 数据截至 line, its stale warning,
    how long a deadline is overdue), and a reused page keeps the time it was made, which is when
    its figures were computed, so what it says stays true of that time. The deadlines' statuses,
    which depend on ``now``, are in: a page whose deadline turned overdue is made again. A full
    build (the scheduled one that publishes) makes every page with the build time; only a long
    `serve` session shows some pages older than others, and says so.
    """
    history = site.history
    record = history.of(incident.id) if history is not None and getattr(history, "available", False) else None
    revisions = None if record is None else tuple(
        (r.commit, r.change, r.path, r.blob, r.old_path, r.old_blob, r.author, r.at, r.arrived_at, r.boundary)
        for r in record.revisions)
    duplicate = bool(incident.withdrawn and incident.withdrawn.duplicate_of in site.published_ids)
    text = repr((incident, tuple(deadlines), duplicate, revisions))
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _history(site: SiteInput, incident: Incident) -> dict[str, object]:
    """What the page says about the record's registration and revisions (from git diffs, never messages)."""
    out: dict[str, object] = dict(history_note="", registered_at=None, registered_by="", history_complete=True,
                                  revisions=())
    history = site.history
    if history is None:
        out["history_note"] = "修改历史暂不可用(git 历史模块未启用)。"
        return out
    record = history.of(incident.id) if getattr(history, "available", False) else None
    if record is None:
        out["history_note"] = getattr(history, "note", "") or "git 中没有这份记录的历史(可能尚未提交)。"
        return out
    if record.registered_at is not None:
        out["registered_at"] = record.registered_at.astimezone(zone(site.config.timezone))
        out["registered_by"] = record.registered_by or ""
    out["history_complete"] = record.complete
    out["revisions"] = site.revisions.get(incident.id, ())
    return out


def repo_links(site: SiteInput, incident: Incident) -> list[tuple[str, str]]:
    """(URL, label) of the record in the register's repository, when register.yml names one."""
    publish = site.config.publish
    repo = safe_url(publish.repo_url)
    if not repo:
        return []
    base = repo.rstrip("/")
    edit_uri = publish.edit_uri.strip("/")
    if not edit_uri:
        return [(base, "台账仓库")]
    links = [(f"{base}/{edit_uri}/{incident.file}", "在仓库中编辑此记录")]
    branch = edit_uri.split("/", 1)[1] if "/" in edit_uri else ""
    if edit_uri.startswith("edit/") and branch:  # GitHub style
        links.insert(0, (f"{base}/blob/{branch}/{incident.file}", "查看原始记录(YAML)"))
        links.append((f"{base}/commits/{branch}/{incident.file}", "仓库中的修改历史"))
    elif edit_uri.startswith("_edit/") and branch:  # Gitea / Forgejo style
        links.insert(0, (f"{base}/src/branch/{branch}/{incident.file}", "查看原始记录(YAML)"))
        links.append((f"{base}/commits/branch/{branch}/{incident.file}", "仓库中的修改历史"))
    return links
