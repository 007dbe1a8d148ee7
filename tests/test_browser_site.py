"""The published archive in a real browser (headless Chromium, Playwright).

The sites are built once per session: the example register online and
offline, and a register with hostile text and a confidential record. Every
request any page makes is recorded; none may leave localhost / file://.
Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Iterator

import pytest

from .conftest import CHROMIUM, PROJECT, shared_browser, stop_shared_browser  # noqa: F401  (re-exported)
from .test_site import HOSTILE_SUMMARY, HOSTILE_TITLE, SECRET_TITLE

playwright_api = pytest.importorskip("playwright.sync_api")
ARTIFACTS = PROJECT / "tests" / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 /usr/bin/chromium"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


def _serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


@pytest.fixture(scope="session")
def servers(sites: dict[str, Path]) -> Iterator[dict[str, str]]:
    running = {name: _serve(sites[name]) for name in ("online", "hostile")}
    yield {name: base for name, (_, base) in running.items()}
    for server, _ in running.values():
        server.shutdown()


def _shot(tab: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def _search(tab: object, query: str) -> list[str]:
    """Type ``query`` into the search box; the hrefs of the results, best first.

    Material drops what is typed before its search worker has loaded the
    index, so the query is typed again until results appear.
    """
    box = tab.locator(".md-search__input")  # type: ignore[attr-defined]
    box.click()
    for _ in range(30):
        box.fill(query)
        box.press("End")  # a key event: Material searches on keyup
        try:
            tab.wait_for_selector(".md-search-result__item", timeout=500)  # type: ignore[attr-defined]
            break
        except playwright_api.TimeoutError:
            continue
    items = tab.locator(".md-search-result__item > a").evaluate_all(  # type: ignore[attr-defined]
        "links => links.map(a => a.getAttribute('href'))")
    return [href.split("?")[0] for href in items]


def test_home_page_shows_the_figures_as_of_build_time(page: object, servers: dict[str, str]) -> None:
    page.goto(servers["online"])  # type: ignore[attr-defined]
    figures = page.locator(".yq-figure").all_inner_texts()  # type: ignore[attr-defined]
    # 2026-11: YQ-2026-0012..0017; 2026: 17 records less the confidential 0006;
    # open: the six November ones (the withdrawn 2025-0009 is not open).
    assert [f.split() for f in figures][:3] == [["6", "11月新发"], ["16", "2026年累计"], ["6", "处置中/监测中"]]
    table = page.locator("article table").first.inner_text()  # type: ignore[attr-defined]
    rows = [line.split("\t") for line in table.strip().splitlines()]
    assert rows[1:] == [["一般", "3", "9"], ["敏感", "1", "4"], ["重大", "1", "2"], ["特别重大", "1", "1"],
                        ["合计", "6", "16"]]
    assert "数据截至 2026-11-23 10:00" in page.locator(".yq-asof").inner_text()  # type: ignore[attr-defined]
    assert page.locator("#overdue").is_visible()  # type: ignore[attr-defined]
    _shot(page, "home")


def test_chinese_search_finds_the_incident(page: object, servers: dict[str, str]) -> None:
    page.goto(servers["online"])  # type: ignore[attr-defined]
    hrefs = _search(page, "打针催熟")
    assert hrefs and hrefs[0].endswith("generated/incidents/2026/YQ-2026-0008/")
    _shot(page, "search-online")
    page.locator(".md-search__input").fill("中学食堂")  # type: ignore[attr-defined]
    page.locator(".md-search__input").press("End")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelector('.md-search-result__item > a')?.getAttribute('href')?.includes('YQ-2025-0002')")
    first = page.locator(".md-search-result__item > a").first.get_attribute("href")  # type: ignore[attr-defined]
    assert first.split("?")[0].endswith("generated/incidents/2025/YQ-2025-0002/")


def test_incident_page_shows_its_timeline(page: object, servers: dict[str, str]) -> None:
    page.goto(servers["online"] + "generated/incidents/2026/YQ-2026-0008/")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == "网传北湖县西瓜“打针催熟”致多人中毒"  # type: ignore[attr-defined]
    events = page.locator("ol.yq-timeline > li")  # type: ignore[attr-defined]
    assert events.count() == 12
    assert events.first.inner_text().startswith("2026-08-05 09:00 预警")
    assert events.nth(1).locator(".yq-level").inner_text() == "重大"
    assert page.locator("ol.yq-timeline").evaluate("el => getComputedStyle(el).borderLeftStyle") == "solid"  # type: ignore[attr-defined]
    assert page.locator("#review").is_visible()  # type: ignore[attr-defined]
    assert "涉及食用农产品的网络谣言" in page.locator("dl.yq-review").inner_text()  # type: ignore[attr-defined]
    _shot(page, "incident")


def test_offline_build_searches_from_disk(page: object, sites: dict[str, Path]) -> None:
    page.goto((sites["offline"] / "index.html").as_uri())  # type: ignore[attr-defined]
    hrefs = _search(page, "打针催熟")
    assert hrefs and hrefs[0].endswith("generated/incidents/2026/YQ-2026-0008.html")
    _shot(page, "search-offline")
    page.locator(".md-search-result__item > a").first.click()  # type: ignore[attr-defined]
    page.wait_for_selector("ol.yq-timeline")  # type: ignore[attr-defined]
    assert page.url.startswith("file://")  # type: ignore[attr-defined]


def test_hostile_text_is_shown_and_never_runs(page: object, servers: dict[str, str]) -> None:
    base = servers["hostile"]
    for path in ("", "generated/incidents/2025/YQ-2025-0001/", "generated/lists/month/2025-03/"):
        page.goto(base + path)  # type: ignore[attr-defined]
        page.wait_for_load_state("load")  # type: ignore[attr-defined]
        assert page.evaluate("() => typeof window.__pwned") == "undefined"  # type: ignore[attr-defined]
    page.goto(base + "generated/incidents/2025/YQ-2025-0001/")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == HOSTILE_TITLE  # type: ignore[attr-defined]
    summary = page.locator(".yq-summary p").nth(1).inner_text()  # type: ignore[attr-defined]
    assert summary == HOSTILE_SUMMARY
    page.locator("h1").hover()  # type: ignore[attr-defined]
    for link in page.locator("a").all():  # type: ignore[attr-defined]
        assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
    _shot(page, "hostile")
    hrefs = _search(page, "食堂投诉")
    assert hrefs and hrefs[0].endswith("generated/incidents/2025/YQ-2025-0001/")
    assert page.evaluate("() => typeof window.__pwned") == "undefined"  # type: ignore[attr-defined]
    results = page.locator(".md-search-result").inner_text()  # type: ignore[attr-defined]
    assert "<script>" in results.replace("\u200b", "")
    assert SECRET_TITLE not in page.content()  # type: ignore[attr-defined]


def test_incident_history_shows_changes_never_commit_messages(page: object, servers: dict[str, str]) -> None:
    import subprocess

    record = "incidents/2026/YQ-2026-0008.yml"
    subjects = subprocess.run(["git", "log", "--format=%s", "--", record], cwd=PROJECT, capture_output=True,
                              text=True, check=True).stdout.split("\n")
    page.goto(servers["online"] + "generated/incidents/2026/YQ-2026-0008/")  # type: ignore[attr-defined]
    table = page.locator("table.yq-history")  # type: ignore[attr-defined]
    heads = table.locator("th").all_inner_texts()
    assert heads == ["时间", "修改人", "类型", "当时等级", "改动"]
    assert table.locator("tbody tr").count() == len([s for s in subjects if s])
    assert "新增事件:等级" in table.locator("tbody tr").last.inner_text()
    text = page.locator("article").inner_text()  # type: ignore[attr-defined]
    assert [s for s in subjects if s and s in text] == []


def test_reference_pages_are_reached_from_the_navigation(page: object, servers: dict[str, str]) -> None:
    page.goto(servers["online"])  # type: ignore[attr-defined]
    page.locator(".md-tabs__link", has_text="参考").click()  # type: ignore[attr-defined]
    page.wait_for_selector("article h1")  # type: ignore[attr-defined]
    assert page.locator("article h1").inner_text() == "参考"  # type: ignore[attr-defined]
    page.locator("article a", has_text="记录格式").first.click()  # type: ignore[attr-defined]
    page.wait_for_selector("#keys")  # type: ignore[attr-defined]
    assert "discovered_at" in page.locator("article").inner_text()  # type: ignore[attr-defined]
    _shot(page, "reference-record")
    # The rules page prints the change policy table the gate uses.
    page.goto(servers["online"] + "generated/rules/#policy")  # type: ignore[attr-defined]
    assert page.locator("h2#policy").is_visible()  # type: ignore[attr-defined]
    policy = page.locator("article table", has_text="record-added")  # type: ignore[attr-defined]
    assert policy.count() == 1 and "不允许" in policy.inner_text()


# --- search recall ----------------------------------------------------------------------

RECALL: list[tuple[str, tuple[str, ...], int]] = [
    # (what a reader types, records it must find, within the first N results)
    ("食品", ("YQ-2026-0004", "YQ-2025-0002", "YQ-2026-0017"), 10),   # a sub-word of 食品安全, 保健食品
    ("食品安全", ("YQ-2026-0014", "YQ-2026-0001"), 10),
    ("监管", ("YQ-2025-0008",), 10),                                  # in 市场监管
    ("扶梯", ("YQ-2025-0003",), 3),                                   # in 自动扶梯
    ("医美", ("YQ-2026-0012",), 3),                                   # in 医美机构
    ("食堂", ("YQ-2025-0002", "YQ-2026-0017"), 5),                    # in 中学食堂, 集体食堂
    ("YQ-2026-0004", ("YQ-2026-0004",), 1),                           # an id: that record first
    ("YQ-2025-0003", ("YQ-2025-0003",), 1),
    ("特种设备", ("YQ-2025-0003", "YQ-2026-0009"), 5),                # the category
    ("电梯", ("YQ-2026-0009", "YQ-2025-0003"), 5),
    ("北湖县", ("YQ-2026-0008", "YQ-2026-0004", "YQ-2026-0013"), 10),  # a place
    ("北湖县 食品", ("YQ-2026-0004", "YQ-2026-0008"), 3),             # both words first
    ("南山县 药店", ("YQ-2025-0005",), 2),
    ("特别重大", ("YQ-2025-0003", "YQ-2026-0017"), 5),                # a level
    ("2026年4月", ("YQ-2026-0004",), 3),                              # a month
    ("2025年3月", ("YQ-2025-0002",), 3),
    ("2026-04-14", ("YQ-2026-0004",), 3),                             # a date
    ("消费者权益保护科", ("YQ-2025-0007", "YQ-2026-0016"), 10),        # a unit
    ("执法稽查局", ("YQ-2026-0003",), 10),
    ("北湖县局", ("YQ-2025-0008", "YQ-2026-0008"), 10),
    ("价格", ("YQ-2026-0002", "YQ-2026-0010"), 10),
    ("停车场", ("YQ-2026-0002",), 3),
    ("退费", ("YQ-2025-0007", "YQ-2026-0016"), 5),
    ("过期", ("YQ-2025-0005", "YQ-2026-0004"), 5),
    ("直播", ("YQ-2025-0004", "YQ-2026-0007"), 5),
    ("校服", ("YQ-2026-0015",), 3),
    ("食物中毒", ("YQ-2026-0017",), 3),
    ("打针催熟", ("YQ-2026-0008",), 1),
    ("年夜饭", ("YQ-2025-0001",), 3),
    ("月饼", ("YQ-2025-0006",), 3),
    ("假冒", ("YQ-2026-0003",), 3),
    ("电动自行车", ("YQ-2026-0005",), 3),
    ("会员卡", ("YQ-2026-0016",), 3),
    ("广告监管", ("YQ-2025-0004", "YQ-2026-0012"), 5),
    ("头发", ("YQ-2026-0001",), 3),
    ("处置中", ("YQ-2026-0013", "YQ-2026-0014"), 10),                 # a status
    ("3C", ("YQ-2026-0005",), 3),                                     # letters and digits in Chinese words
    ("3C认证", ("YQ-2026-0005",), 3),
    ("50", ("YQ-2026-0009",), 3),
    ("50分钟", ("YQ-2026-0009",), 3),
    ("电梯 50分钟", ("YQ-2026-0009",), 1),
    ("困人50分钟", ("YQ-2026-0009",), 1),
    # A season, March to May (offline, the theme searches 2026年 and 春 apart: all of 2026 comes, spring first but
    # for 0003's longer text).
    ("2026年春", ("YQ-2026-0003", "YQ-2026-0004", "YQ-2026-0005"), 8),
    ("2026年第二季度", ("YQ-2026-0004", "YQ-2026-0005"), 3),           # a quarter, as people write it
    ("2026年二季度", ("YQ-2026-0004", "YQ-2026-0005"), 3),
    ("2026年Q2", ("YQ-2026-0004", "YQ-2026-0005"), 3),
    ("2026Q2", ("YQ-2026-0004", "YQ-2026-0005"), 3),
    ("二季度", ("YQ-2025-0003", "YQ-2025-0004", "YQ-2026-0004", "YQ-2026-0005"), 10),
]


def _next_search(tab: object, query: str) -> list[str]:
    """Like ``_search``, for the next query: the previous results are gone before the new ones are read."""
    box = tab.locator(".md-search__input")  # type: ignore[attr-defined]
    box.fill("")
    box.press("End")
    tab.wait_for_selector(".md-search-result__item", state="detached")  # type: ignore[attr-defined]
    box.fill(query)
    box.press("End")
    try:
        tab.wait_for_selector(".md-search-result__item", timeout=2000)  # type: ignore[attr-defined]
    except playwright_api.TimeoutError:
        return []
    items = tab.locator(".md-search-result__item > a").evaluate_all(  # type: ignore[attr-defined]
        "links => links.map(a => a.getAttribute('href'))")
    return [href.split("?")[0] for href in items]


def _record_of(href: str) -> str:
    """The record id of a result link, served (…/YQ-2026-0004/) or offline (…/YQ-2026-0004.html)."""
    last = href.rstrip("/").rsplit("/", 1)[-1]
    return last.removesuffix(".html")


@pytest.mark.parametrize("build", ["online", "offline"])
def test_search_finds_what_readers_type(page: object, build: str, servers: dict[str, str],
                                        sites: dict[str, Path]) -> None:
    """At least 30 everyday queries in the header box, each with the records it must find (example register).

    Served: Pagefind's chunked index (site/pagefind.py, assets/yuqing-search.js); offline (file://):
    the theme's whole-index lunr search. Both hold the same words (site/search.py).
    """
    url = servers["online"] if build == "online" else (sites["offline"] / "index.html").as_uri()
    page.goto(url)  # type: ignore[attr-defined]
    _search(page, "食品")  # waits for the search to load its index
    missed = []
    for query, wanted, within in RECALL:
        found = [_record_of(href) for href in _next_search(page, query)]
        lost = [w for w in wanted if w not in found[:within]]
        if lost:
            missed.append((query, lost, found[:within]))
    assert missed == [], missed
    assert len(RECALL) >= 30
    # Record titles carry no invisible characters; a withdrawn record says so; the confidential one never shows.
    _next_search(page, "北湖县 执法")
    titles = page.locator(".md-search-result__item h1").all_inner_texts()  # type: ignore[attr-defined]
    records = [t for t in titles if t.startswith("YQ-")]
    assert records and not [t for t in records if "\u200b" in t]
    assert any("YQ-2025-0009" in t and "已撤销" in t for t in titles)
    assert "YQ-2025-0009" not in titles[0]          # the withdrawn duplicate comes after the record it duplicates
    assert "\u200b" not in page.locator(".md-search-result__item").first.inner_text()  # type: ignore[attr-defined]
    # Nor do the guide pages' titles (offline the theme joins its words with U+200B; the plugin takes it out).
    _next_search(page, "等级")
    guide = page.locator(".md-search-result__item h1").all_inner_texts()  # type: ignore[attr-defined]
    assert [t for t in guide if not t.startswith("YQ-")] and not [t for t in guide if "\u200b" in t]
    assert not [h for h in _next_search(page, "购物卡") if "YQ-2026-0006" in h]
    if build == "online":
        # The theme's whole index is neither built nor fetched: only Pagefind's chunks travel.
        assert not (sites["online"] / "search").exists()
        assert not [u for u in page.requests if "/search/" in u]  # type: ignore[attr-defined]
        assert [u for u in page.requests if "/pagefind/index/" in u]  # type: ignore[attr-defined]
    else:
        assert (sites["offline"] / "search" / "search_index.js").is_file()


def test_header_search_shows_facts_narrows_and_keeps_the_keyboard(page: object, servers: dict[str, str]) -> None:
    """Served build: each result's date, level and status; narrowing by level/year/category/unit; / and Esc."""
    page.goto(servers["online"] + "guide/levels/")  # type: ignore[attr-defined]
    page.keyboard.press("/")  # type: ignore[attr-defined]
    box = page.locator(".md-search__input")  # type: ignore[attr-defined]
    assert page.evaluate("() => document.activeElement.classList.contains('md-search__input')")  # type: ignore[attr-defined]
    page.keyboard.type("食堂")  # type: ignore[attr-defined]
    page.wait_for_selector(".md-search-result__item")  # type: ignore[attr-defined]
    first = page.locator(".md-search-result__item").first  # type: ignore[attr-defined]
    assert "· 已归档" in first.locator(".yq-search-facts").inner_text()
    _shot(page, "search-header-pagefind")
    found = {_record_of(h) for h in page.locator(".md-search-result__item > a").evaluate_all(  # type: ignore[attr-defined]
        "links => links.map(a => a.getAttribute('href'))")}
    assert {"YQ-2025-0002", "YQ-2026-0017"} <= found
    # Narrow to 2026: the 2025 record goes, the 2026 one stays; every result then says 2026.
    page.wait_for_selector(".yq-search-filters:not([hidden])")  # type: ignore[attr-defined]
    page.locator("select[data-filter='年份']").select_option("2026")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => ![...document.querySelectorAll('.md-search-result__item a')].some(a => a.href.includes('YQ-2025-'))")
    facts = page.locator(".yq-search-facts").all_inner_texts()  # type: ignore[attr-defined]
    assert facts and all(f.startswith("2026-") for f in facts)
    for name in ("等级", "领域", "单位"):
        assert page.locator(f"select[data-filter='{name}'] option").count() > 2  # type: ignore[attr-defined]
    # Levels come least to most severe, as everywhere else on the site.
    levels = page.locator("select[data-filter='等级'] option").all_inner_texts()  # type: ignore[attr-defined]
    assert levels == ["全部等级", "一般", "敏感", "重大", "特别重大"]
    # Esc closes the results; s opens the box again with the query kept.
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    assert not page.locator(".md-search__output").is_visible()  # type: ignore[attr-defined]
    page.keyboard.press("s")  # type: ignore[attr-defined]
    assert box.input_value() == "食堂"
    assert page.locator(".md-search-result__item").first.is_visible()  # type: ignore[attr-defined]
    # Enter opens the 查找 page with the query (more room, Pagefind's own filter panel).
    box.press("Enter")
    page.wait_for_selector(".pagefind-ui__result")  # type: ignore[attr-defined]
    assert "find/" in page.url and page.locator(".pagefind-ui__search-input").input_value() == "食堂"  # type: ignore[attr-defined]


def test_find_page_searches_a_chunked_index_with_filters(page: object, servers: dict[str, str]) -> None:
    """The 查找 page (Pagefind): sub-words, each result's date, level and status, filters; only chunks travel."""
    pytest.importorskip("pagefind")
    page.goto(servers["online"] + "find/")  # type: ignore[attr-defined]
    # The note "no chunked index" goes once the index has loaded (after the page itself, on a loaded machine later).
    page.wait_for_selector("#yq-find-fallback", state="hidden")  # type: ignore[attr-defined]
    page.requests.clear()  # type: ignore[attr-defined]
    page.locator(".pagefind-ui__search-input").fill("扶梯")  # type: ignore[attr-defined]
    page.wait_for_selector(".pagefind-ui__result")  # type: ignore[attr-defined]
    first = page.locator(".pagefind-ui__result").first  # type: ignore[attr-defined]
    assert first.locator(".pagefind-ui__result-link").get_attribute("href").endswith(
        "generated/incidents/2025/YQ-2025-0003/")
    assert "2025-05-01 15:30 · 特别重大 · 已归档" in first.inner_text()
    filters = page.locator(".pagefind-ui__filter-panel").inner_text()  # type: ignore[attr-defined]
    assert all(name in filters for name in ("等级", "年份", "领域", "单位"))
    # The whole Material index is never fetched by this search.
    assert not [u for u in page.requests if "search_index.json" in u]  # type: ignore[attr-defined]
    _shot(page, "find")
    page.goto(servers["hostile"] + "find/")  # type: ignore[attr-defined]
    page.locator(".pagefind-ui__search-input").fill("食堂投诉")  # type: ignore[attr-defined]
    page.wait_for_selector(".pagefind-ui__result")  # type: ignore[attr-defined]
    # The hostile record's title and summary are shown as text.
    hostile = page.locator(".pagefind-ui__result", has_text="YQ-2025-0001").inner_text()  # type: ignore[attr-defined]
    assert "<script>" in hostile and "onerror" in hostile
    assert page.evaluate("() => typeof window.__pwned") == "undefined"  # type: ignore[attr-defined]
    assert SECRET_TITLE not in page.content()  # type: ignore[attr-defined]


def test_the_404_page_is_chinese_and_styled_under_a_sub_path(page: object, tmp_path: Path) -> None:
    """Served from /yuqing/ (site_url set, as the workflow does for Pages): styles load, 返回首页 leads home."""
    root = tmp_path / "www"
    server, base = _serve(root)
    url = base + "yuqing/"
    import os
    import subprocess
    import sys

    env = dict(os.environ, YUQING_NOW="2026-11-23T10:00:00+08:00", NO_MKDOCS_2_WARNING="1", YUQING_SITE_URL=url)
    env.pop("YUQING_OFFLINE", None)
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(PROJECT / "mkdocs.yml"),
                            "-d", str(root / "yuqing")], cwd=PROJECT, env=env, capture_output=True, text=True,
                           check=False)
    assert built.returncode == 0, built.stderr
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)  # type: ignore[attr-defined]
    try:
        page.goto(url + "404.html")  # type: ignore[attr-defined]
        assert page.locator("article h1").inner_text() == "找不到这个页面(404)"  # type: ignore[attr-defined]
        assert failed == []
        assert page.locator("link[href$='yuqing.css']").count() == 1  # type: ignore[attr-defined]
        assert page.evaluate(  # type: ignore[attr-defined]
            "() => getComputedStyle(document.querySelector('.md-header')).position") != "static"
        page.locator("article a", has_text="返回首页").click()  # type: ignore[attr-defined]
        page.wait_for_selector(".yq-figures")  # type: ignore[attr-defined]
        assert page.url == url  # type: ignore[attr-defined]
    finally:
        server.shutdown()


def test_enter_in_the_header_box_carries_its_filters_to_the_find_page(page: object, servers: dict[str, str]) -> None:
    """A year chosen in the header box, then Enter: the 查找 page shows that year chosen and that year's results only."""
    pytest.importorskip("pagefind")
    page.goto(servers["online"] + "guide/levels/")  # type: ignore[attr-defined]
    box = page.locator(".md-search__input")  # type: ignore[attr-defined]
    box.click()
    box.fill("食品")
    page.wait_for_selector(".yq-search-filters:not([hidden])")  # type: ignore[attr-defined]
    page.locator(".yq-search-filters select[data-filter='年份']").select_option("2025")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => ![...document.querySelectorAll('.md-search-result__item a')].some(a => a.href.includes('YQ-2026-'))")
    # The box's link to the 查找 page names the year too.
    link = page.locator(".yq-search-more a").get_attribute("href")  # type: ignore[attr-defined]
    assert "year=2025" in link and "q=" in link, link
    box.press("Enter")
    page.wait_for_url("**/find/?*")  # type: ignore[attr-defined]
    assert "year=2025" in page.url  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => /^(找到 \\d+ 个结果|没有找到)/.test(document.querySelector('.pagefind-ui__message').textContent)")
    assert page.locator(".pagefind-ui__search-input").input_value() == "食品"  # type: ignore[attr-defined]
    assert page.locator(".yq-find select[data-filter='年份']").input_value() == "2025"  # type: ignore[attr-defined]
    hrefs = page.locator(".pagefind-ui__result-link").evaluate_all(  # type: ignore[attr-defined]
        "links => links.map(a => a.getAttribute('href'))")
    facts = page.locator(".pagefind-ui__result .yq-search-facts").all_inner_texts()  # type: ignore[attr-defined]
    records = [_record_of(h.split("?")[0]) for h in hrefs]
    assert "YQ-2025-0002" in records, records                      # 中学食堂, a 2025 food record
    assert facts and all(f.startswith("2025-") for f in facts), facts
    assert [r for r in records if r.startswith("YQ-") and not r.startswith("YQ-2025-")] == []
    # A filter changed on the 查找 page is kept in its address (a search sent on keeps it).
    page.locator(".yq-find select[data-filter='等级']").select_option("特别重大")  # type: ignore[attr-defined]
    page.wait_for_function("() => location.search.includes('level=')")  # type: ignore[attr-defined]
    assert "year=2025" in page.url  # type: ignore[attr-defined]


_CONTROLS = r"""(selector) => [...document.querySelectorAll(selector)].map(el => {
  const box = el.getBoundingClientRect(), style = getComputedStyle(el);
  // The background the control is seen on: its own, or the first opaque one behind it.
  let under = el, back = 'rgba(0, 0, 0, 0)';
  for (; under && /rgba\(.*, 0\)$|transparent/.test(back); under = under.parentElement)
    back = getComputedStyle(under).backgroundColor;
  return {name: el.getAttribute('data-filter'), left: box.left, right: box.right, top: box.top, bottom: box.bottom,
          width: box.width, height: box.height, visible: el.checkVisibility(), size: parseFloat(style.fontSize),
          color: style.color, edge: style.borderTopColor, edgeWidth: parseFloat(style.borderTopWidth),
          weight: style.fontWeight, back: /rgba\(.*, 0\)$|transparent/.test(back) ? 'rgb(255, 255, 255)' : back};
})"""
"""Where each filter control is, how big its text is, and its colours (text, edge, what it is seen on)."""


def _ratio(fg: str, bg: str) -> float:
    import re

    def lum(css: str) -> float:
        channels = [float(x) / 255 for x in re.findall(r"[\d.]+", css)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    lighter, darker = sorted((lum(fg), lum(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _check_controls(tab: object, selector: str, width: int) -> list[dict[str, object]]:
    controls = tab.evaluate(_CONTROLS, selector)  # type: ignore[attr-defined]
    assert len(controls) >= 4, controls
    for c in controls:
        assert c["visible"] and c["width"] > 40, c
        assert c["left"] >= 0 and c["right"] <= width, c                # within the screen's width
        assert c["height"] >= 24, c                                      # WCAG 2.2 AA target size
        assert c["size"] >= 14, c                                        # readable text (px)
        assert _ratio(c["color"], c["back"]) >= 4.5, c                   # text contrast (AA)
        assert _ratio(c["edge"], c["back"]) >= 3, c                      # the control's edge (AA, non-text)
    for i, a in enumerate(controls):                                    # no two overlap
        for b in controls[i + 1:]:
            apart = a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            assert apart, (a, b)
    return controls


@pytest.mark.parametrize("width", [390, 1440])
def test_filter_controls_are_readable_and_fit_the_screen(page: object, servers: dict[str, str], width: int,
                                                         tmp_path: Path) -> None:
    """The header box's and the 查找 page's filters: visible, side by side without overlapping, inside the screen,
    large enough to read and to tap, AA contrast; a chosen filter is told by more than its colour."""
    pytest.importorskip("pagefind")
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    page.goto(servers["online"] + "guide/levels/")  # type: ignore[attr-defined]
    if width < 960:  # a phone: the box opens from the header's magnifier
        page.locator("label.md-header__button[for='__search']").click()  # type: ignore[attr-defined]
    box = page.locator(".md-search__input")  # type: ignore[attr-defined]
    box.click()
    box.fill("食品")
    page.wait_for_selector(".yq-search-filters:not([hidden])")  # type: ignore[attr-defined]
    page.wait_for_selector(".md-search-result__item")  # type: ignore[attr-defined]
    _check_controls(page, ".yq-search-filters select", width)
    page.screenshot(path=str(tmp_path / f"filters-box-{width}.png"))  # type: ignore[attr-defined]
    page.goto(servers["online"] + "find/?q=食品&year=2025")  # type: ignore[attr-defined]
    page.wait_for_selector(".pagefind-ui__result")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelector(\".yq-find select[data-filter='年份']\").value === '2025'")
    controls = {c["name"]: c for c in _check_controls(page, ".yq-find-filters select", width)}
    page.screenshot(path=str(tmp_path / f"filters-find-{width}.png"), full_page=True)  # type: ignore[attr-defined]
    chosen, other = controls["年份"], controls["等级"]
    assert (chosen["edgeWidth"], chosen["weight"]) != (other["edgeWidth"], other["weight"]), (chosen, other)
    # Each label stays beside its control on one line (单位 does not break into 单 and 位).
    lines = page.locator(".yq-find-filters label").evaluate_all(  # type: ignore[attr-defined]
        "labels => labels.map(l => { const r = document.createRange(); r.selectNodeContents(l.firstChild);"
        " return [l.firstChild.textContent.trim(), r.getClientRects().length]; })")
    assert [n for _, n in lines] == [1] * len(lines), lines
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # type: ignore[attr-defined]
