"""What Pagefind's records hold on a served build (site/pagefind.py). The offline build's lunr index is
tested in tests/test_site.py; what readers find in both, in Chromium (tests/test_browser_site.py)."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from yuqing.model import Incident

from .conftest import RegisterDir, base_incident
from .test_site import HOSTILE_TITLE, SECRET_TITLE, hostile_register


NOW = datetime(2026, 11, 23, 2, tzinfo=timezone.utc)


def _records(root: Path) -> tuple[list[Incident], list[Incident]]:
    """The published records of the register at ``root`` and its confidential ones, by id (as of NOW)."""
    from yuqing.register import each_record, load_register

    register = load_register(root, now=NOW, records=False, derived=True)
    every = sorted(each_record(register, register.derived), key=lambda i: i.id)
    return [i for i in every if not i.confidential], [i for i in every if i.confidential]


def _fragments(site: Path) -> list[dict[str, object]]:
    # Each fragment: gzip of "pagefind_dcd" and the JSON the reader's browser gets for one result.
    return [json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
            for path in (site / "fragment").iterdir()]


def test_pagefind_records_carry_facts_filters_and_the_words_readers_type(tmp_path: Path) -> None:
    pytest.importorskip("pagefind")
    from yuqing.site.pagefind import build_index

    register = RegisterDir(tmp_path)
    hostile_register(register)
    site = tmp_path / "site"
    (site / "guide").mkdir(parents=True)
    (site / "guide" / "index.html").write_text(
        "<html><body><nav>导航</nav><article><h1>如何登记</h1><p>登记事件的步骤</p>"
        "<script>var x = 1;</script></article></body></html>", encoding="utf-8")
    published, _ = _records(tmp_path)
    pages = [(f"generated/incidents/{i.year}/{i.id}/", i) for i in published]
    build_index(site, pages)
    fragments = {f["url"]: f for f in _fragments(site / "pagefind")}
    assert sorted(fragments) == ["/generated/incidents/2025/YQ-2025-0001/", "/generated/incidents/2025/YQ-2025-0003/",
                                 "/guide/"]
    hostile = fragments["/generated/incidents/2025/YQ-2025-0001/"]
    meta = hostile["meta"]
    assert meta["title"] == f"YQ-2025-0001 {HOSTILE_TITLE}"  # plain text: the header box shows it as text
    assert meta["概况"].endswith(" · 一般 · 监测中") and meta["概况"].startswith("2025-03-0")
    assert meta["概要"].startswith("<img src=x")
    assert hostile["filters"]["类别"] == ["事件"] and hostile["filters"]["年份"] == ["2025"]
    assert "食堂" in hostile["content"] and "投诉" in hostile["content"]
    withdrawn = fragments["/generated/incidents/2025/YQ-2025-0003/"]
    assert withdrawn["filters"]["类别"] == ["已撤销"] and withdrawn["meta"]["title"].endswith("(已撤销)")
    guide = fragments["/guide/"]
    assert guide["meta"]["title"] == "如何登记" and guide["filters"]["类别"] == ["说明"]
    assert "导航" not in guide["content"] and "var x" not in guide["content"]  # the article only
    every = "\n".join(json.dumps(f, ensure_ascii=False) for f in fragments.values())
    assert SECRET_TITLE not in every


def test_pagefind_failure_is_a_chinese_message(tmp_path: Path) -> None:
    pytest.importorskip("pagefind")
    from yuqing.site.pagefind import build_index

    missing = tmp_path / "no-such-site"
    with pytest.raises(ValueError, match="Pagefind"):
        build_index(missing, None)


def test_a_large_register_is_indexed_in_shards_and_the_guard_reads_every_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards of one record (YUQING_PAGEFIND_SHARD): the first folder lists the others; a confidential title
    that reached a later shard (here put there on purpose) is found by the build's leak guard."""
    pytest.importorskip("pagefind")
    from yuqing.site import guard
    from yuqing.site.pagefind import build_index

    register = RegisterDir(tmp_path)
    hostile_register(register)
    site = tmp_path / "site"
    stale = site / "pagefind" / "shards" / "9"
    stale.mkdir(parents=True)  # a shard of an earlier, larger build
    incidents, confidential = _records(tmp_path)
    published = [(f"generated/incidents/{i.year}/{i.id}/", i) for i in incidents]
    secret = confidential[0]
    monkeypatch.setenv("YUQING_PAGEFIND_SHARD", "1")
    # A stream is indexed in the order it comes (the site build streams newest first): the secret last.
    build_index(site, iter([*reversed(published), (f"generated/incidents/{secret.year}/{secret.id}/", secret)]))
    bundle = site / "pagefind"
    listed = json.loads((bundle / "yuqing-shards.json").read_text(encoding="utf-8"))["shards"]
    assert listed == ["shards/1/", "shards/2/"] and not stale.exists()
    assert (bundle / "pagefind.js").is_file() and not list((bundle / "shards" / "1").glob("*.js"))
    urls = [f["url"] for folder in ("", "shards/1/", "shards/2/") for f in _fragments(bundle / folder)]
    assert sorted(urls) == sorted(["/generated/incidents/2025/YQ-2025-0001/", "/generated/incidents/2025/YQ-2025-0003/",
                                   "/generated/incidents/2025/YQ-2025-0002/"])
    found = guard.leaks(site, confidential, (i.title for i in incidents))
    # Found in that shard's files (and in the shard list, which names each shard's first and last id).
    assert [path for path, _ in found if path.startswith("pagefind/shards/2/")]
    assert all(path.startswith(("pagefind/shards/2/", "pagefind/yuqing-shards.json")) for path, _ in found)
    monkeypatch.setenv("YUQING_PAGEFIND_SHARD", "many")
    with pytest.raises(ValueError, match="YUQING_PAGEFIND_SHARD"):
        build_index(site, published)


def test_shards_come_newest_first_with_their_years_counts_and_the_filters_values(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list given whole (by id) is indexed newest first: shard 0, the one a first search reads, holds the newest
    records; the list says each shard's years and size, and every filter value with its count (the header box
    offers them without reading any shard's filter files). Ids and dates are indexed joined only (a shard
    without a hyphenated word's parts answers no id it does not hold)."""
    pytest.importorskip("pagefind")
    from yuqing.site.pagefind import build_index

    register = RegisterDir(tmp_path)
    hostile_register(register)
    register.write(base_incident(id="YQ-2026-0001", title="网民反映东城区电梯困人", level="重大",
                                 discovered_at="2026-04-14T09:00:00+08:00",
                                 timeline=[{"at": "2026-04-14T09:30:00+08:00", "type": "研判",
                                            "by": "综合应急和新闻宣传科"}]))
    incidents, _ = _records(tmp_path)
    assert [i.id for i in incidents] == ["YQ-2025-0001", "YQ-2025-0003", "YQ-2026-0001"]
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setenv("YUQING_PAGEFIND_SHARD", "2")
    build_index(site, [(f"generated/incidents/{i.year}/{i.id}/", i) for i in incidents])
    bundle = site / "pagefind"
    listed = json.loads((bundle / "yuqing-shards.json").read_text(encoding="utf-8"))
    assert listed["parts"] == [
        {"path": "", "count": 2, "years": [2025, 2026], "ids": ["YQ-2025-0003", "YQ-2026-0001"]},
        {"path": "shards/1/", "count": 1, "years": [2025, 2025], "ids": ["YQ-2025-0001", "YQ-2025-0001"]}]
    assert listed["shards"] == ["shards/1/"] and listed["records"] == 3
    assert listed["filters"]["年份"] == {"2026": 1, "2025": 2}
    assert listed["filters"]["等级"]["重大"] == 1 and sum(listed["filters"]["等级"].values()) == 3
    assert sorted(f["url"] for f in _fragments(bundle)) == ["/generated/incidents/2025/YQ-2025-0003/",
                                                            "/generated/incidents/2026/YQ-2026-0001/"]
    [oldest] = _fragments(bundle / "shards" / "1")
    assert oldest["url"] == "/generated/incidents/2025/YQ-2025-0001/"
    newest = next(f for f in _fragments(bundle) if "2026-0001" in str(f["url"]))
    words = str(newest["content"]).split()
    assert "YQ20260001" in words and "20260414" in words
    assert not [w for w in words if "-" in w]


def test_ids_are_ordered_by_their_numbers() -> None:
    """Newest first means YQ-2026-10000 before YQ-2026-9999 (a register of more than 9,999 records a year)."""
    from yuqing.site.pagefind import id_order

    ids = ["YQ-2026-9999", "YQ-2026-10000", "YQ-2025-12000", "YQ-2026-0004", "yq20260005"]
    assert sorted(ids, key=id_order) == ["YQ-2025-12000", "YQ-2026-0004", "yq20260005", "YQ-2026-9999",
                                         "YQ-2026-10000"]


def test_records_hold_number_words_quarters_seasons_and_a_city_builds_bare_id(tmp_path: Path) -> None:
    """What a reader types and no Chinese segmentation gives: 3C, 50分钟, 2026年第二季度, 2026年春, the plain id."""
    pytest.importorskip("pagefind")
    from dataclasses import replace

    from yuqing.site.pagefind import build_index

    register = RegisterDir(tmp_path)
    hostile_register(register)
    published, _ = _records(tmp_path)
    counted = [i for i in published if not i.withdrawn][0]
    found = datetime(2026, 5, 20, 1, 30, tzinfo=timezone.utc)
    city = replace(counted, id=f"330102:{counted.id}", title="东城区某商铺销售无3C认证充电器,电梯困人50分钟",
                   discovered_at=found)
    site = tmp_path / "site"
    site.mkdir()
    build_index(site, [("generated/incidents/a/", city)])
    [fragment] = _fragments(site / "pagefind")
    words = set(str(fragment["content"]).split())
    bare = counted.id
    # A city build: the plain id finds it. Indexed joined (the browser takes a query's hyphens out).
    assert {f"330102:{bare.replace('-', '')}", bare.replace("-", "")} <= words
    assert {"3C", "3C认证", "无3C认证", "50", "50分钟", "困人50分钟"} <= words
    assert {"2026年第二季度", "2026年二季度", "二季度", "2026Q2", "2026年Q2"} <= words
    assert {"2026年春", "春季"} <= words and "2026年夏" not in words
    assert fragment["meta"]["title"].startswith(f"330102:{bare} ")        # shown as the city build names it
