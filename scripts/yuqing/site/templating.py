"""The one way generated markup is made: Jinja2 templates with autoescape.

Every page body comes from a template in ``templates/``. Whatever a template
prints is escaped unless it is ``Markup`` made by another template or macro,
so a record's text can only ever show as text. Before escaping, ``finalize``
drops control, bidi and zero-width characters and folds line breaks into
spaces (a raw HTML block in Markdown must not gain a blank line from a
record); the ``lines`` filter is the only way to keep a text's line breaks
(as ``<br>``).

Links between pages are written as relative ``.md`` paths (``href(target)``
in a template); the MkDocs plugin resolves them to page URLs, and
``static_links`` does the same for `yuqing site render` (a plain
`mkdocs build` does not touch links in raw HTML).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from ..model import level_rank
from ..times import human_duration, short
from . import common
from .escape import clean, safe_url
from .model import incident_path, rel, slug

TEMPLATES = Path(__file__).parent / "templates"
_SPACES = re.compile(r"[\r\n\t\f\v\u2028\u2029]+")
_MD_HREF = re.compile(r'href="([^":?#]+\.(?:md|xlsx|docx))(#[^"]*)?"')
"""A relative link to a page (.md) or a download, as the templates write them."""


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return _SPACES.sub(" ", clean(value))


def _lines(value: Any) -> Markup:
    """Text with its line breaks kept as ``<br>`` (each line escaped)."""
    lines = (line.strip() for line in clean(value).strip().splitlines())
    return Markup("<br>").join(escape(line) for line in lines)


def _level_class(level: str) -> str:
    return f"yq-level-{max(level_rank(level), 0)}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, finalize=_finalize,
    )
    env.filters.update(short=short, lines=_lines, level_class=_level_class, slug=slug,
                       duration=human_duration, safe_url=safe_url)
    env.globals.update(
        STATUS_TEXT=common.STATUS_TEXT, REVIEW_PARTS=common.REVIEW_PARTS, INDEX=common.INDEX,
        MONTHS=common.MONTHS, REVIEWS=common.REVIEWS, incident_path=incident_path, status_of=common.status_of,
        dim_page=common.dim_page, month_page=common.month_page,
    )
    return env


_ENV = _environment()


def render(template: str, page: str, **context: Any) -> str:
    """The template's output for the page at ``page`` (src path under docs/)."""

    def href(target: str, anchor: str = "") -> str:
        return rel(page, target) + (f"#{anchor}" if anchor else "")

    return _ENV.get_template(template).render(page=page, href=href, **context)


def page_url(src: str, directory_urls: bool = True) -> str:
    """The URL MkDocs gives the page at ``src`` (relative to the site root)."""
    stem = src[:-3] if src.endswith(".md") else src
    folder, name = posixpath.split(stem)
    if not directory_urls:
        return stem + ".html"
    if name in ("index", "README"):
        return (folder or ".") + "/"
    return stem + "/"


def relative_url(url: str, other: str) -> str:
    """``url`` as seen from the page at ``other`` (as MkDocs' ``get_relative_url``)."""
    if other != ".":
        head, tail = posixpath.split(other)
        other = head if "." in tail else other
    relurl = posixpath.relpath("/" + url, "/" + other)
    return relurl + "/" if url.endswith("/") else relurl


def static_links(text: str, src: str, directory_urls: bool = True) -> str:
    """``text`` with every relative ``href="….md"`` turned into the URL MkDocs gives that page."""
    here = page_url(src, directory_urls)
    base = posixpath.dirname(src)

    def url(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(base, match.group(1)))
        url = page_url(target, directory_urls) if target.endswith(".md") else target
        return f'href="{relative_url(url, here)}{match.group(2) or ""}"'

    return _MD_HREF.sub(url, text)


Renderer = Callable[..., str]
