"""What an offline search result shows (file://, the theme's lunr index; site/search.py ``entry``).

A reviewer searching 北湖县 奶茶 offline saw, in place of a record's facts and summary, its run of index
words (…2022Q2 … 县中 路网 红奶 茶店…): the theme shows the paragraphs of a text that hold a match, and
the words were a paragraph of their own. And an id searched offline listed the whole register after it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_browser_site import CHROMIUM, _next_search, _record_of, _search

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 /usr/bin/chromium"),
]

FACTS = re.compile(r"^\d{4}-\d{2}-\d{2} · (一般|较大|重大|特别重大|敏感) · \S+")
"""The facts line a result starts with: date · level · status · …"""
INDEX_WORDS = ("季度", "Q1", "Q2", "Q3", "Q4", "2026年春", "YQ2026")
"""Words only the hidden index words hold (date forms, the id without hyphens)."""


def _shown(tab: object) -> list[tuple[str, str]]:
    """Each result's record (or page) and what it shows under its title, as the reader sees it (hidden text left out)."""
    found = tab.locator(".md-search-result__item > a:first-child").evaluate_all(  # type: ignore[attr-defined]
        "links => links.map(a => [a.getAttribute('href'), [...a.querySelector('article').children]"
        ".filter(e => e.tagName !== 'H1').map(e => e.innerText).join('\\n').trim()])")
    return [(_record_of(href.split("?")[0]), text) for href, text in found]


@pytest.mark.parametrize("query", ["北湖县 食品", "北湖县", "2026年4月", "电梯"])
def test_an_offline_result_shows_its_facts_and_summary_not_the_index_words(page: object, offline: Path,
                                                                           query: str) -> None:
    page.goto((offline / "index.html").as_uri())  # type: ignore[attr-defined]
    assert _search(page, query)
    shown = [(record, text) for record, text in _shown(page) if record.startswith("YQ-")]
    assert shown  # the guide pages show their own text
    for record, text in shown:
        lines = text.splitlines()
        assert lines and FACTS.match(lines[0]), (record, text)
        assert len(lines) >= 2 and len(lines[1]) >= 8, (record, text)  # the summary's start
        assert not [word for word in INDEX_WORDS if word in text], (record, text)

def test_an_offline_id_search_finds_that_record_alone(page: object, offline: Path) -> None:
    page.goto((offline / "index.html").as_uri())  # type: ignore[attr-defined]
    for query in ("YQ-2026-0004", "yq20260004"):
        # the next query: the previous one's results gone before the new ones are read
        hrefs = _search(page, query) if query.startswith("YQ") else _next_search(page, query)
        assert [_record_of(href) for href in hrefs] == ["YQ-2026-0004"], query
        assert page.locator(".md-search-result__meta").inner_text() == "找到 1 个符合条件的结果"  # type: ignore[attr-defined]
    # An id's start: the ids that start so (2026's first nine less the confidential one), nothing else.
    found = [_record_of(href) for href in _next_search(page, "YQ-2026-000")]
    assert len(found) > 1 and all(record.startswith("YQ-2026-000") for record in found), found
