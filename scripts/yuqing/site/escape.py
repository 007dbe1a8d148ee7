"""Making a record's text safe to put into a generated page.

Page markup comes from the Jinja2 templates (``templating``: autoescape, and
``clean`` on every value); what is made outside a template uses these:

* ``clean``: no control, bidi or zero-width characters in shown text;
* ``html_text`` for page titles in meta data and the few HTML strings made in
  Python (the theme prints titles unescaped);
* ``md_text``: text for one line of Markdown, every syntax character a numeric
  character reference (kept for Markdown written by hand around record text;
  the generated pages no longer need it);
* ``safe_url`` before anything becomes a link: only http and https URLs are
  ever linked, everything else is shown as text.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

# Characters that are syntax somewhere in HTML or (extended) Markdown.
_MD_SPECIAL = set("&<>\"'\\`*_{}[]()#+-.!|~:=^$@%")
_MD_MAP = {ord(c): f"&#{ord(c)};" for c in _MD_SPECIAL}
_SPACES = re.compile(r"[\r\n\t\f\v\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def clean(text: object) -> str:
    """The text without control characters (invalid in XML and HTML), bidi overrides and zero-width
    characters (they reorder or hide what a reader sees; zero-width spaces would also split search words)."""
    return _CONTROL.sub("", "" if text is None else str(text))


def html_text(text: object, *, breaks: bool = False) -> str:
    """Text for an HTML element's content or a quoted attribute value.

    With ``breaks``, line breaks become ``<br>`` (the only markup produced).
    """
    escaped = html.escape(clean(text), quote=True)
    if breaks:
        escaped = "<br>".join(line.strip() for line in escaped.strip().splitlines())
    else:
        escaped = _SPACES.sub(" ", escaped)
    return escaped


def md_text(text: object) -> str:
    """Text for one line of Markdown (a heading, a list item, a table cell)."""
    return _SPACES.sub(" ", clean(text)).strip().translate(_MD_MAP)


def safe_url(url: object) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host, else None."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    if not candidate or any(c.isspace() or ord(c) < 32 for c in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate


def yaml_string(text: object) -> str:
    """A YAML scalar holding ``text`` exactly (JSON strings are valid YAML)."""
    return json.dumps(clean(text), ensure_ascii=False)
