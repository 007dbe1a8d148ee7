"""The header search box over an index in shards, newest first (site/pagefind.py, assets/yuqing-search.js).

The example register is built once with shards of 5 records (YUQING_PAGEFIND_SHARD), and once whole: the
box searches the newest shard first and brings the older ones in as they are needed, so a record only an
older shard holds is still found, counts end whole, and a year chosen reads only the shards of that year.
The 查找 page (docs/find.md) searches the same way, with the same code.
"""

from __future__ import annotations

import gzip
import json
import urllib.parse
from pathlib import Path
from typing import Iterator

import pytest

from .conftest import PROJECT
from .test_browser_site import CHROMIUM, RECALL, _next_search, _record_of, _search, _serve
from .test_site import mkdocs_build

pytestmark = [
    pytest.mark.browser, pytest.mark.page(timeout=15000),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 /usr/bin/chromium"),
]

SHARD = 5


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, Path]]]:
    """The example register's served build in shards of five and in one index, each served."""
    pytest.importorskip("pagefind")
    out = tmp_path_factory.mktemp("search")
    patch = pytest.MonkeyPatch()
    try:
        patch.setenv("YUQING_PAGEFIND_SHARD", str(SHARD))
        result = mkdocs_build(PROJECT, out / "shards")
        assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr
    finally:
        patch.undo()
    result = mkdocs_build(PROJECT, out / "one")
    assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr
    running = {name: _serve(out / name) for name in ("shards", "one")}
    yield {name: (base, out / name) for name, (_, base) in running.items()}
    for server, _ in running.values():
        server.shutdown()


_WHOLE = """() => {
  const meta = document.querySelector('.md-search-result__meta').textContent;
  if (/^没有找到/.test(meta)) return true;
  if (!/^找到 \\d+ 个结果$/.test(meta)) return false;
  const more = document.querySelector('.yq-search-more');
  const button = more.querySelector('button');
  if (more.hidden) return false;
  if (button.hidden) return true;
  // Pressed once for each query and number shown (the results are added after the press).
  const pressed = document.querySelector('.md-search__input').value + ':' +
    document.querySelectorAll('.md-search-result__item').length;
  if (button.dataset.pressed !== pressed) { button.dataset.pressed = pressed; button.click(); }
  return false;
}"""
"""Every shard searched (the count says no 至少) and every result shown (显示更多结果 pressed until it goes)."""


def _open(tab: object, base: str) -> None:
    tab.goto(base + "guide/levels/")  # type: ignore[attr-defined]
    tab.locator(".md-search__input").click()  # type: ignore[attr-defined]


def _all(tab: object, query: str) -> tuple[str, list[str], list[str]]:
    """Type ``query`` (after clearing the box); the whole count, and every result's record and facts, in order."""
    box = tab.locator(".md-search__input")  # type: ignore[attr-defined]
    box.fill("")
    tab.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelector('.md-search-result__meta').textContent === '键入以开始搜索'")
    box.fill(query)
    tab.wait_for_function(_WHOLE, polling=100)  # type: ignore[attr-defined]
    hrefs = tab.locator(".md-search-result__item > a").evaluate_all(  # type: ignore[attr-defined]
        "links => links.map(a => a.getAttribute('href'))")
    facts = tab.locator(".md-search-result__item").all_inner_texts()  # type: ignore[attr-defined]
    meta = tab.locator(".md-search-result__meta").inner_text()  # type: ignore[attr-defined]
    return meta, [_record_of(h.split("?")[0]) for h in hrefs], facts


def _shard_of(site: Path, record: str) -> int:
    """Which shard (0 the newest) holds ``record``, read from the fragments a reader's browser would get."""
    listed = json.loads((site / "pagefind" / "yuqing-shards.json").read_text(encoding="utf-8"))
    for number, part in enumerate(listed["parts"]):
        for path in (site / "pagefind" / part["path"] / "fragment").iterdir():
            if f"/{record}/" in json.loads(gzip.decompress(path.read_bytes())[12:])["url"]:
                return number
    raise AssertionError(record)


def test_the_newest_shard_comes_first_and_lists_years_counts_and_filters(builds: dict[str, tuple[str, Path]]) -> None:
    _, site = builds["shards"]
    listed = json.loads((site / "pagefind" / "yuqing-shards.json").read_text(encoding="utf-8"))
    parts = listed["parts"]
    assert len(parts) == -(-listed["records"] // SHARD) and all(p["count"] <= SHARD for p in parts)
    # Newest first: each shard's newest year is no later than the one before's; the last holds 2025.
    assert [p["years"][1] for p in parts] == sorted((p["years"][1] for p in parts), reverse=True)
    assert parts[0]["years"] == [2026, 2026] and parts[-1]["years"][0] == 2025
    assert _shard_of(site, "YQ-2026-0017") == 0 and _shard_of(site, "YQ-2025-0001") == len(parts) - 1
    assert sum(listed["filters"]["年份"].values()) == listed["records"]


def test_records_only_older_shards_hold_are_found_by_id_and_by_words(page: object,
                                                                     builds: dict[str, tuple[str, Path]]) -> None:
    """An id, a date and the words of a 2025 record (in the oldest shards): found first, counts whole."""
    base, site = builds["shards"]
    _open(page, base)
    assert _shard_of(site, "YQ-2025-0003") > 0 and _shard_of(site, "YQ-2025-0001") > 0
    for query, wanted in (("YQ-2025-0003", "YQ-2025-0003"), ("YQ20250003", "YQ-2025-0003"),
                          ("2025-05-01", "YQ-2025-0003"), ("扶梯", "YQ-2025-0003"), ("年夜饭", "YQ-2025-0001"),
                          ("月饼", "YQ-2025-0006"), ("中学食堂", "YQ-2025-0002")):
        meta, found, _ = _all(page, query)
        assert found and found[0] == wanted, (query, found)
        assert meta.startswith("找到 "), (query, meta)
    # An id is that record alone (no other record of a shard without it answers for it), and on a fresh page
    # the shard whose ids span it is the first read (the shard list says each shard's first and last id).
    page.goto(base + "guide/levels/")  # type: ignore[attr-defined]
    page.requests.clear()  # type: ignore[attr-defined]
    page.locator(".md-search__input").click()  # type: ignore[attr-defined]
    meta, found, _ = _all(page, "YQ-2025-0003")
    assert [f for f in found if f.startswith("YQ-")] == ["YQ-2025-0003"]
    holder = _shard_of(site, "YQ-2025-0003")
    entries = [u.split("/pagefind/", 1)[1].split("pagefind-entry.json")[0]
               for u in page.requests if "pagefind-entry.json" in u]  # type: ignore[attr-defined]
    listed = json.loads((site / "pagefind" / "yuqing-shards.json").read_text(encoding="utf-8"))
    assert entries[:2] == ["", listed["parts"][holder]["path"]], entries  # Pagefind's own, then the holder


def test_counts_end_as_one_index_counts_and_kinds_keep_their_order(page: object,
                                                                   builds: dict[str, tuple[str, Path]]) -> None:
    """Each query finds in shards what the one-index build finds (records, then withdrawn ones, then guides)."""
    found = {}
    for name in ("one", "shards"):
        base, _ = builds[name]
        _open(page, base)
        found[name] = {}
        for query in ("食品", "食堂", "登记", "北湖县", "特别重大", "2026年4月"):
            meta, records, facts = _all(page, query)
            kinds = [2 if not r.startswith("YQ-") else 1 if "已撤销" in f else 0 for r, f in zip(records, facts)]
            assert kinds == sorted(kinds), (name, query, records)
            found[name][query] = (meta, sorted(records))
    assert found["shards"] == found["one"]


def test_the_sharded_build_passes_the_recall_queries(page: object, builds: dict[str, tuple[str, Path]]) -> None:
    """tests/test_browser_site.py's everyday queries: each record found, within the first N when the newest shard
    holds it (results come shard by shard, newest first: an older record of a common word comes later)."""
    base, site = builds["shards"]
    _open(page, base)
    missed = []
    for query, wanted, within in RECALL:
        _, found, _ = _all(page, query)
        lost = [w for w in wanted if w not in (found[:within] if _shard_of(site, w) == 0 else found)]
        if lost:
            missed.append((query, lost, found[:within]))
    assert missed == [], missed


def test_a_year_chosen_or_named_reads_its_shards_first(page: object, builds: dict[str, tuple[str, Path]]) -> None:
    """年份 2025 chosen: every result is of 2025, and shards holding no 2025 record are not read for it."""
    base, site = builds["shards"]
    listed = json.loads((site / "pagefind" / "yuqing-shards.json").read_text(encoding="utf-8"))
    other = [p["path"] for p in listed["parts"] if p["years"][0] > 2025 and p["path"]]
    assert other
    _open(page, base)
    _all(page, "食品")
    page.wait_for_selector(".yq-search-filters:not([hidden])")  # type: ignore[attr-defined]
    years = page.locator("select[data-filter='年份'] option").all_inner_texts()  # type: ignore[attr-defined]
    assert years == ["全部年份", "2026", "2025"]  # every shard's years, from the shard list
    # A fresh page: the year chosen before any older shard was read.
    page.goto(base + "guide/levels/")  # type: ignore[attr-defined]
    page.requests.clear()  # type: ignore[attr-defined]
    page.locator(".md-search__input").click()  # type: ignore[attr-defined]
    page.evaluate("""() => {
      const select = document.querySelector("select[data-filter='年份']");
      const option = document.createElement('option'); option.value = '2025'; select.appendChild(option);
      select.value = '2025';
    }""")  # type: ignore[attr-defined]
    _, records, _ = _all(page, "食品")
    dates = page.locator(".yq-search-facts").all_inner_texts()  # type: ignore[attr-defined]
    assert records and dates and all(d.startswith("2025-") for d in dates), dates
    assert not [u for u in page.requests for path in other if f"/pagefind/{path}" in u], other  # type: ignore[attr-defined]
    # A year named in the query: that year's records first, though newer shards come first otherwise.
    page.evaluate("() => { document.querySelector(\"select[data-filter='年份']\").value = ''; }")  # type: ignore[attr-defined]
    _, records, _ = _all(page, "2025年 食品")
    assert records[0].startswith("YQ-2025-"), records


def test_offline_search_requires_every_word_and_reads_a_season_after_a_year(page: object, offline: Path) -> None:
    """Offline as served: several words find the records holding all of them (lunr alone took any of them);
    2026年春 finds the spring's records of 2026 alone, not every record of the year. What was typed stays."""
    page.goto((offline / "index.html").as_uri())  # type: ignore[attr-defined]
    found = [_record_of(h) for h in _search(page, "北湖县 食品")]
    assert found == ["YQ-2026-0004", "YQ-2026-0008"] or found == ["YQ-2026-0008", "YQ-2026-0004"], found
    assert page.locator(".md-search__input").input_value() == "北湖县 食品"  # type: ignore[attr-defined]
    found = [_record_of(h) for h in _next_search(page, "南山县 药店")]
    assert found == ["YQ-2025-0005"], found
    found = [_record_of(h) for h in _next_search(page, "2026年春")]
    assert sorted(found) == ["YQ-2026-0003", "YQ-2026-0004", "YQ-2026-0005"], found
    # One word is searched as before (a sub-word finds its compounds), and lunr's own syntax is left alone.
    found = [_record_of(h) for h in _next_search(page, "食品")]
    assert {"YQ-2026-0004", "YQ-2025-0002", "YQ-2026-0017"} <= set(found)
    found = [_record_of(h) for h in _next_search(page, "北湖县 -食品")]
    assert found and "YQ-2026-0004" not in found and "YQ-2026-0008" not in found


def _find(tab: object) -> tuple[str, list[str], list[str]]:
    """On the 查找 page, once every shard is read (no 至少): the count, every shown result's record and facts."""
    tab.wait_for_function(  # type: ignore[attr-defined]
        "() => /^(找到 \\d+ 个结果|没有找到)/.test(document.querySelector('.pagefind-ui__message').textContent)",
        polling=100)
    hrefs = tab.locator(".pagefind-ui__result-link").evaluate_all(  # type: ignore[attr-defined]
        "links => links.map(a => a.getAttribute('href'))")
    facts = tab.locator(".pagefind-ui__result").all_inner_texts()  # type: ignore[attr-defined]
    meta = tab.locator(".pagefind-ui__message").inner_text()  # type: ignore[attr-defined]
    return meta, [_record_of(h.split("?")[0]) for h in hrefs], facts


def test_the_find_page_reads_shards_newest_first_with_filters(page: object,
                                                               builds: dict[str, tuple[str, Path]]) -> None:
    """The 查找 page searches as the header box does: its first results come before the older shards are
    fetched, a record only an old shard holds is found (?q= from the box's Enter), and a year or a kind chosen
    narrows the results, a year reading only its shards."""
    base, site = builds["shards"]
    listed = json.loads((site / "pagefind" / "yuqing-shards.json").read_text(encoding="utf-8"))
    older = [p["path"] for p in listed["parts"] if p["path"]]
    page.goto(base + "find/")  # type: ignore[attr-defined]
    page.wait_for_selector("select[data-filter='年份'] option[value='2025']", state="attached")  # type: ignore[attr-defined]
    assert not page.locator("#yq-find-fallback").is_visible()  # type: ignore[attr-defined]
    # What the page had fetched when its first result appeared, noted by the page itself: the older shards
    # are read right after (few results), and on a loaded machine before this process looks.
    page.evaluate("""() => {
      performance.clearResourceTimings();
      const list = document.querySelector('.pagefind-ui__results');
      new MutationObserver((_, watch) => {
        if (!list.querySelector('.pagefind-ui__result')) return;
        window.__firstFetched = performance.getEntriesByType('resource').map(e => e.name);
        watch.disconnect();
      }).observe(list, {childList: true});
    }""")  # type: ignore[attr-defined]
    page.locator(".pagefind-ui__search-input").fill("食品")  # type: ignore[attr-defined]
    page.wait_for_function("() => window.__firstFetched")  # type: ignore[attr-defined]
    first = page.evaluate("() => window.__firstFetched")  # type: ignore[attr-defined]
    assert [u for u in first if "/pagefind/" in u], first  # the newest shard's parts were fetched
    read = {path for path in older if [u for u in first if f"/pagefind/{path}" in u]}
    assert len(read) < len(older), read  # not every shard before the first result
    meta, records, _ = _find(page)
    assert records and meta.startswith("找到 "), meta
    assert urllib.parse.unquote(page.url).endswith("find/?q=食品")  # the query kept in the address
    # An old shard's record by its words, as the header box's Enter opens the page.
    assert _shard_of(site, "YQ-2025-0003") > 0
    page.goto(base + "find/?q=" + "扶梯")  # type: ignore[attr-defined]
    assert page.locator(".pagefind-ui__search-input").input_value() == "扶梯"  # type: ignore[attr-defined]
    _, records, facts = _find(page)
    assert records[:1] == ["YQ-2025-0003"] and "2025-05-01 15:30 · 特别重大 · 已归档" in facts[0], records
    # 年份 2025: every result of 2025, no shard without a 2025 record read for it.
    page.goto(base + "find/")  # type: ignore[attr-defined]
    page.wait_for_selector("select[data-filter='年份'] option[value='2025']", state="attached")  # type: ignore[attr-defined]
    assert page.locator(".yq-find select[data-filter='年份'] option").all_inner_texts() == [  # type: ignore[attr-defined]
        "全部年份", "2026", "2025"]
    # The query put in without an event, so the filter chosen starts the one search (no earlier one answering).
    page.evaluate("() => { document.querySelector('.pagefind-ui__search-input').value = '食品'; }")  # type: ignore[attr-defined]
    page.requests.clear()  # type: ignore[attr-defined]
    page.locator(".yq-find select[data-filter='年份']").select_option("2025")  # type: ignore[attr-defined]
    _, records, facts = _find(page)
    assert records and all("2025-" in f for f in facts), facts
    newer = [p["path"] for p in listed["parts"] if p["years"][0] > 2025 and p["path"]]
    assert not [u for u in page.requests for path in newer if f"/pagefind/{path}" in u], newer  # type: ignore[attr-defined]
    # 类别 已撤销 (any year): withdrawn records only.
    page.evaluate("""() => {
      document.querySelector(".yq-find select[data-filter='年份']").value = '';
      document.querySelector('.pagefind-ui__search-input').value = '事件';
      document.querySelector('.pagefind-ui__message').textContent = '';
    }""")  # type: ignore[attr-defined]
    page.locator(".yq-find select[data-filter='类别']").select_option("已撤销")  # type: ignore[attr-defined]
    _, records, facts = _find(page)
    assert records and all("已撤销" in f for f in facts), facts
    # Marked withdrawn by the record's kind (not by how its title ends): every one of them, here.
    items = page.locator(".yq-find li")  # type: ignore[attr-defined]
    assert items.count() == len(records) and all(
        "yq-search-withdrawn" in (items.nth(i).get_attribute("class") or "") for i in range(items.count()))
