"""Text from records and register.yml made safe for the Markdown of reports and summaries.

Every text a report, a summary or a table takes from the register goes
through ``md_text`` (one line of Markdown: a heading, a paragraph) or
``md_cell`` (a table cell) before it becomes Markdown. Python-Markdown, with
the extensions in mkdocs.yml (attr_list, md_in_html, tables, admonition,
def_list, toc), then shows it as the characters written and never as syntax:

* ``<`` and ``>`` become ``&lt;``/``&gt;``: no HTML tag, no autolink, no quote;
* ``[ ] * _ ` { } # | \\`` are backslash-escaped everywhere, so no link,
  image, emphasis, code span, attribute list (``{: onclick=…}``), heading or
  table break can form;
* at the start of the text, where a line starts, ``- + !`` and ``1.`` are
  escaped too (no list, rule or admonition), and ``:`` and ``=`` become
  references (no definition, no heading underline);
* line breaks, tabs and control characters become one space: a record's text
  is one line here, so nothing in it can start a line of its own.

Character references already in the text (``&#60;``, ``&lt;``) are kept as
they are, so text escaped once by the site's ``md_text`` is not escaped twice:
a reference always shows as the character it names, never as markup. A bare
``&`` becomes ``&amp;``.

The escaping uses few backslashes rather than numeric references for every
punctuation mark, so that the Markdown a clerk reads in a terminal stays
readable (``2025-03-01 10:00`` stays as it is).
"""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACES = re.compile(r"[\s\u2028\u2029\x85]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BACKSLASHED = "\\`*_{}[]#|"
_MAP = {ord(c): "\\" + c for c in _BACKSLASHED}
_MAP.update({ord("<"): "&lt;", ord(">"): "&gt;", ord("&"): "&amp;"})
_LEADING = re.compile(r"^(?:[-+!]|\d+[.)])")
_LEADING_REF = {":": "&#58;", "=": "&#61;"}


def _escape_run(text: str) -> str:
    return text.translate(_MAP)


def md_text(text: object) -> str:
    """``text`` as one line of Markdown that shows exactly these characters."""
    raw = _SPACES.sub(" ", _CONTROL.sub("", "" if text is None else str(text))).strip()
    out: list[str] = []
    last = 0
    for match in _REFERENCE.finditer(raw):
        out.append(_escape_run(raw[last:match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_escape_run(raw[last:]))
    escaped = "".join(out)
    lead = _LEADING.match(escaped)
    if lead:
        mark = lead.group(0)
        escaped = mark[:-1] + "\\" + mark[-1] + escaped[len(mark):]
    elif escaped[:1] in _LEADING_REF:
        escaped = _LEADING_REF[escaped[0]] + escaped[1:]
    return escaped


class Markup(str):
    """Markdown our own code built from escaped parts (a link to a checked URL): passed as it is."""


def md_cell(text: object) -> str:
    """``text`` for a cell of a Markdown table: as ``md_text`` (``|`` is escaped there too).

    A ``Markup`` value is our own Markdown and is kept; nothing from a record is ever one.
    """
    if isinstance(text, Markup):
        return str(text).replace("|", "\\|")
    return md_text(text)
