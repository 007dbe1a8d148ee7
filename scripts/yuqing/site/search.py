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
  pieces), the letter and digit runs and the number words they start (3C,
  3C认证, 50分钟, 67人: no Chinese segmentation sees them), the category,
  units, places, level and status words, the id (a city build's namespaced
  id also bare) and date forms (2026年, 2026年4月, 4月, 2026-04-12, the
  quarter 2026年第二季度 / 2026年二季度 / 2026Q2, the season 2026年春).

Everything is HTML-escaped: the theme shows entries as HTML. The facts, summary and
words are one paragraph, the words in a hidden span: the theme shows a result's
paragraphs that hold a match, from their first word on (see ``entry``).
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
_LATIN = re.compile(r"[A-Za-z0-9]+(?:[.][0-9]+)?")
_HAN_START = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{1,2}")
_HAN_END = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{1,2}$")
_NUMERALS = "一二三四"
_SEASONS = {3: "春", 4: "春", 5: "春", 6: "夏", 7: "夏", 8: "夏", 9: "秋", 10: "秋", 11: "秋", 12: "冬", 1: "冬", 2: "冬"}
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


def latin_words(texts: Iterable[str]) -> list[str]:
    """Letter and digit runs and the words they make with the Chinese beside them, each once.

    jieba and the two-character pieces see only the Chinese runs, so 无3C认证 held 认证 but never 3C,
    and 电梯困人50分钟 never 50分钟. A reader types these as written: the run (3C, 50), the number word
    it starts (3C认, 3C认证, 50分钟, 67人) and, for the offline search that matches whole words only,
    the same with one or two characters before it (无3C认证, 困人50分钟).
    """
    found: dict[str, None] = {}
    for text in texts:
        for match in _LATIN.finditer(text):
            latin = match.group()
            after = _HAN_START.match(text, match.end())
            before = _HAN_END.search(text, 0, match.start())
            tail = after.group() if after else ""
            head = before.group() if before else ""
            found.setdefault(latin, None)
            for end in range(1, len(tail) + 1):
                found.setdefault(latin + tail[:end], None)
            for start in range(len(head)):
                found.setdefault(head[start:] + latin, None)
                if tail:
                    found.setdefault(head[start:] + latin + tail, None)
    return list(found)


def date_words(found: Any) -> list[str]:
    """The ways a reader names the day ``found``: year, month, day, quarter (2026年第二季度, 2026Q2), season."""
    # 季度 alone: the header box searches 二季度 as its pieces 二季 and 季度, each a word's start (a guide
    # page that mentions quarters would otherwise be all it finds).
    year, month = found.year, found.month
    quarter = (month - 1) // 3 + 1
    numeral = _NUMERALS[quarter - 1]
    season = _SEASONS[month]
    return [f"{year}年", f"{year}年{month}月", f"{month}月", f"{year}年{month}月{found.day}日",
            found.strftime("%Y-%m-%d"), found.strftime("%Y%m%d"),
            f"{year}年第{numeral}季度", f"{year}年{numeral}季度", f"第{numeral}季度", f"{numeral}季度", "季度",
            f"{year}Q{quarter}", f"{year}年Q{quarter}", f"Q{quarter}",
            f"{year}年{season}", f"{year}年{season}季", f"{year}{season}", f"{season}季"]


def id_words(record_id: str) -> list[str]:
    """The id as typed, with and without hyphens; a city build's namespaced id (330102:YQ-2026-0004) also bare."""
    bare = record_id.rsplit(":", 1)[-1]
    return list(dict.fromkeys([record_id, record_id.replace("-", ""), bare, bare.replace("-", "")]))


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
    words += latin_words([title, summary, *incident.tags])
    ids = id_words(incident.id)
    keys = [*ids, *facts[1:], *date_words(found), *words]
    shown_title = f"{incident.id} {title}" + ("(已撤销)" if incident.withdrawn else "")
    title_keys = " ".join(dict.fromkeys([*ids, *words_of([title]), *_pieces([title]), *latin_words([title])]))
    return Parts(shown_title, " · ".join(_one_line(f) for f in facts), summary,
                 " ".join(dict.fromkeys(_one_line(k) for k in keys)), title_keys)


def entry(incident: Incident, location: str) -> dict[str, Any]:
    """The theme's search index entry of ``incident``'s page at ``location``."""
    found = parts(incident)
    # One paragraph, the keys hidden in it: the theme shows of a text only its paragraphs (blocks) that hold
    # a match, so with the keys a paragraph of their own a query the keys alone matched (北湖县 奶茶: the
    # summary is whole clauses to lunr) showed the word list in place of the facts and summary. In one block
    # every match shows the block from its first word (the date), the keys still indexed but not seen.
    text = (f"<p>{html.escape(found.facts)}<br/>{html.escape(found.summary)}"
            f"<span hidden> {html.escape(found.keys)}</span></p>")
    out: dict[str, Any] = {"location": location, "title": html.escape(found.title), "text": text,
                           "boost": WITHDRAWN_BOOST if incident.withdrawn else BOOST}
    if incident.tags:
        out["tags"] = [html.escape(_one_line(t)) for t in incident.tags]
    return out
