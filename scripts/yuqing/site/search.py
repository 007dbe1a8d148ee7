"""What search knows about an incident: one entry of the search index per record.

Two searches read it: the theme's lunr index in the offline build (``entry``)
and Pagefind's chunked index on a served build (``parts``, fed by
site/pagefind.py; the header box is docs/assets/yuqing-search.js).

The theme's search (lunr, in the reader's browser) matches whole tokens. Its
own Chinese segmentation (jieba's plain mode, joined with U+200B) leaves
compounds whole, so 食品 never found 过期食品, and puts invisible characters
into result titles. The entry made here instead:

* title: the record's id and title as the reader copies them (no U+200B),
  marked 已撤销 for a withdrawn record;
* text: a line of facts (date, level, status, category, units), the summary
  as written, then the words a reader may type: jieba's search-mode words of
  the title, summary and tags (学校食堂 also gives 学校 and 食堂), every
  two-character piece of the title, tags, units, category, level and status
  (医美 in 医美机构; the served header box searches a long query as its
  pieces), the category, units, places, level and status words, the id and
  date forms (2026年, 2026年4月, 4月, 2026-04-12).

Everything is HTML-escaped: the theme shows entries as HTML.
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable, NamedTuple

from ..model import Incident
from ..times import short
from .common import status_of
from .escape import clean

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_SPACES = re.compile(r"\s+")
BOOST = 1000.0
"""Records before the hand-written pages: a word in one of their headings weighs 1000 times a word
in text (the theme's title boost), and a record's title is not segmented (no U+200B for readers to copy)."""
WITHDRAWN_BOOST = 1.0
"""A withdrawn record still found, after the records that count (the boost acts far below linearly)."""


def words_of(texts: Iterable[str]) -> list[str]:
    """jieba's search-mode words (two characters or more) of the Chinese in ``texts``, each once."""
    import jieba

    found: dict[str, None] = {}
    for text in texts:
        for run in _HAN.findall(text):
            for word in jieba.cut_for_search(run):
                if len(word) >= 2:
                    found.setdefault(word, None)
    return list(found)


def _pieces(texts: Iterable[str]) -> list[str]:
    """Every two-character piece of the Chinese runs: a query's short word is always a token."""
    found: dict[str, None] = {}
    for text in texts:
        for run in _HAN.findall(text):
            for start in range(len(run) - 1):
                found.setdefault(run[start:start + 2], None)
    return list(found)


def _one_line(text: object) -> str:
    return _SPACES.sub(" ", clean(text)).strip()


class Parts(NamedTuple):
    """What search knows about a record, as plain text (escaped by whoever shows it)."""

    title: str
    """The id and title as the reader copies them, 已撤销 marked."""
    facts: str
    """Date · level · status · category · units."""
    summary: str
    keys: str
    """The words a reader may type, space-separated (sub-words, pieces, places, units, dates, id)."""
    title_keys: str
    """The title's words and pieces: Pagefind has no field weights, so its records repeat them."""


def parts(incident: Incident) -> Parts:
    """The search text of ``incident`` (site/pagefind.py feeds it to Pagefind, ``entry`` to the theme's lunr)."""
    title = _one_line(incident.title)
    status = status_of(incident)
    found = incident.discovered_at
    units = [incident.units.lead, *incident.units.assisting]
    facts = [short(found)[:10], incident.level, status, incident.category, *units]
    summary = _one_line(incident.summary)
    words = words_of([title, summary, *incident.tags, *units])
    words += _pieces([title, *incident.tags, *units, incident.category, incident.level, status])
    dates = [f"{found.year}年", f"{found.year}年{found.month}月", f"{found.month}月",
             f"{found.year}年{found.month}月{found.day}日", found.strftime("%Y-%m-%d"), found.strftime("%Y%m%d")]
    keys = [incident.id, incident.id.replace("-", ""), *facts[1:], *dates, *words]
    shown_title = f"{incident.id} {title}" + ("(已撤销)" if incident.withdrawn else "")
    title_keys = " ".join(dict.fromkeys([incident.id, *words_of([title]), *_pieces([title])]))
    return Parts(shown_title, " · ".join(_one_line(f) for f in facts), summary,
                 " ".join(dict.fromkeys(_one_line(k) for k in keys)), title_keys)


def entry(incident: Incident, location: str) -> dict[str, Any]:
    """The theme's search index entry of ``incident``'s page at ``location``."""
    found = parts(incident)
    text = (f"<p>{html.escape(found.facts)}</p>"
            f"<p>{html.escape(found.summary)}</p>"
            f"<p>{html.escape(found.keys)}</p>")
    out: dict[str, Any] = {"location": location, "title": html.escape(found.title), "text": text,
                           "boost": WITHDRAWN_BOOST if incident.withdrawn else BOOST}
    if incident.tags:
        out["tags"] = [html.escape(_one_line(t)) for t in incident.tags]
    return out
