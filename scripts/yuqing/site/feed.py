"""An Atom feed of new and updated incidents (feed.xml at the site's root).

Updated is the last git change of the record when history is known, else the
last event of its timeline. No commit text is ever shown (see ``revisions``). Every text is XML-escaped; links are relative to
the site's root (``xml:base`` is the site URL when mkdocs.yml sets one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from .escape import clean, safe_url
from .model import Row, SiteInput
from .revisions import newest_at

ENTRIES = 50


def updated_at(site: SiteInput, incident: Row) -> datetime:
    newest = newest_at(site.revisions, incident.id)
    if newest is not None:
        return newest  # newest revision, in the register's timezone
    return max(incident.discovered_at, incident.last_action)


def atom(site: SiteInput, url_of: Callable[[Row], str], site_url: str = "") -> str:
    """The feed's XML; ``url_of`` gives an incident page's URL relative to the site root."""
    newest_rows = sorted(site.incidents, key=lambda i: (updated_at(site, i), i.id), reverse=True)[:ENTRIES]
    summaries = {i.id: i.summary for i in site.records(newest_rows, keep=True)}  # only these records are read whole
    entries = [r for r in newest_rows if r.id in summaries]
    newest = updated_at(site, entries[0]) if entries else site.now
    base = safe_url(site_url)
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom"' + (f" xml:base={quoteattr(base)}" if base else "") + ">",
             f"<title>{_x(site.config.name)}:新增和更新的事件</title>",
             f"<id>urn:yuqing:{_x(site.config.id_prefix)}:feed</id>",
             f"<updated>{newest.isoformat(timespec='seconds')}</updated>",
             f"<author><name>{_x(site.config.organization)}</name></author>",
             '<link rel="alternate" href="./"/>']
    for incident in entries:
        status = "已撤销" if incident.withdrawn else incident.status
        summary = f"[{incident.level} · {status} · {incident.category} · {incident.units.lead}] {summaries[incident.id]}"
        lines += ["<entry>",
                  f"<title>{_x(incident.id)} {_x(incident.title)}</title>",
                  f"<id>urn:yuqing:{_x(incident.id)}</id>",
                  f"<link rel=\"alternate\" href={quoteattr(url_of(incident))}/>",
                  f"<published>{incident.discovered_at.isoformat(timespec='seconds')}</published>",
                  f"<updated>{updated_at(site, incident).isoformat(timespec='seconds')}</updated>",
                  f"<category term={quoteattr(clean(incident.category))}/>",
                  f'<summary type="text">{_x(summary)}</summary>',
                  "</entry>"]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _x(text: object) -> str:
    return escape(clean(text))
