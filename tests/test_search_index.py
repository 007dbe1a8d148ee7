"""What the two search indexes hold: the offline build's lunr index (the theme's search plugin, on only
offline) and Pagefind's records on a served build (site/pagefind.py). What readers find in them is tested
in Chromium (tests/test_browser_site.py)."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from .conftest import RegisterDir
from .test_site import HOSTILE_TITLE, SECRET_TITLE, hostile_register, mkdocs_build


def test_offline_search_index_holds_titles_summaries_and_tags_only(tmp_path: Path) -> None:
    register = RegisterDir(tmp_path)
    hostile_register(register)
    online = mkdocs_build(tmp_path, tmp_path / "site")
    assert online.returncode == 0, online.stderr
    assert not (tmp_path / "site" / "search").exists()  # served: no whole index for every reader to download
    result = mkdocs_build(tmp_path, tmp_path / "offline", offline=True)
    assert result.returncode == 0, result.stderr
    raw = (tmp_path / "offline" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "食堂" in raw and "\\u98df" not in raw  # written as UTF-8, not \uXXXX escapes
    index = json.loads(raw)
    assert index["config"]["lang"] == ["zh"]
    assert "\\u200b" in index["config"]["separator"]
    incident = [d for d in index["docs"] if d["location"].startswith("generated/incidents/")]
    assert sorted(d["location"].removesuffix(".html").rstrip("/") for d in incident) == [
        "generated/incidents/2025/YQ-2025-0001", "generated/incidents/2025/YQ-2025-0003"]
    entry = next(d for d in incident if "YQ-2025-0001" in d["location"])
    assert entry["boost"] == 1000
    assert "食堂" in entry["title"] and "<script>" not in entry["title"]  # escaped: the theme shows HTML
    assert "网民称食堂饭菜变质" in entry["text"]
    assert "备注" not in entry["text"]  # timeline notes are not indexed
    assert "食堂" in entry["tags"]
    # Index pages and the home page are left out of the index; the confidential record is nowhere.
    assert not [d for d in index["docs"] if d["location"].startswith("generated/lists")]
    assert not [d for d in index["docs"] if d["location"] in ("", "index.html")]
    assert SECRET_TITLE not in raw


def _fragments(site: Path) -> list[dict[str, object]]:
    # Each fragment: gzip of "pagefind_dcd" and the JSON the reader's browser gets for one result.
    return [json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
            for path in (site / "pagefind" / "fragment").iterdir()]


def test_pagefind_records_carry_facts_filters_and_the_words_readers_type(tmp_path: Path) -> None:
    pytest.importorskip("pagefind")
    from yuqing.site.collect import collect
    from yuqing.site.pagefind import build_index

    register = RegisterDir(tmp_path)
    hostile_register(register)
    site = tmp_path / "site"
    (site / "guide").mkdir(parents=True)
    (site / "guide" / "index.html").write_text(
        "<html><body><nav>导航</nav><article><h1>如何登记</h1><p>登记事件的步骤</p>"
        "<script>var x = 1;</script></article></body></html>", encoding="utf-8")
    collected = collect(tmp_path, datetime(2026, 11, 23, 2, tzinfo=timezone.utc), history=False, downloads=False)
    pages = [(f"generated/incidents/{i.year}/{i.id}/", i) for i in collected.site.incidents]
    build_index(site, pages)
    fragments = {f["url"]: f for f in _fragments(site)}
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
