"""The published archive without a browser: real `mkdocs build`s of real registers.

Escaping, confidential records, the search index's content, the feed, the
jieba dictionary and the deterministic writer. Browser behaviour is in
tests/test_browser_site.py.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import PROJECT, RegisterDir, base_incident
from yuqing.site import write
from yuqing.site.escape import html_text, md_text, safe_url

NOW = "2026-11-23T10:00:00+08:00"

HOSTILE_TITLE = "<script>window.__pwned=1</script>学校食堂投诉 {: onmouseover=\"window.__pwned=1\" }"
HOSTILE_SUMMARY = ("<img src=x onerror=window.__pwned=1> 网民称食堂饭菜变质。"
                   "[点我](javascript:window.__pwned=1) <a href=\"javascript:window.__pwned=1\">链接</a>")
SECRET_TITLE = "市领导批示的某涉密食品安全案件"


def site_files(register: RegisterDir) -> None:
    """Give a test register the project's mkdocs.yml and hand-written pages."""
    shutil.copy(PROJECT / "mkdocs.yml", register.root / "mkdocs.yml")
    for part in ("guide", "assets", "reference"):
        shutil.copytree(PROJECT / "docs" / part, register.root / "docs" / part)
    shutil.copy(PROJECT / "docs" / "find.md", register.root / "docs" / "find.md")
    shutil.copytree(PROJECT / "overrides", register.root / "overrides")


def mkdocs_build(root: Path, site_dir: Path, *, offline: bool = False, strict: bool = True,
                 now: str = NOW) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, YUQING_NOW=now, NO_MKDOCS_2_WARNING="1")
    env.pop("YUQING_OFFLINE", None)
    if offline:
        env["YUQING_OFFLINE"] = "true"
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), "-d", str(site_dir)]
    if strict:
        command.append("--strict")
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)


def hostile_register(register: RegisterDir) -> None:
    site_files(register)
    register.write(base_incident(
        id="YQ-2025-0001", title=HOSTILE_TITLE, summary=HOSTILE_SUMMARY,
        source={"channel": "社交媒体", "platform": "<b>微博</b>", "url": "javascript:window.__pwned=1"},
        tags=["<script>window.__pwned=1</script>", "食堂"],
        timeline=[{"at": "2025-03-03T09:30:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科",
                   "note": "<script>window.__pwned=1</script>备注", "url": "https://example.org/a?b=1&c=<2>"}],
    ))
    register.write(base_incident(
        id="YQ-2025-0002", title=SECRET_TITLE, confidential=True, level="重大",
        summary="本案涉密摘要,不得发布。", tags=["涉密专用标签"],
        timeline=[{"at": "2025-03-03T09:30:00+08:00", "type": "定级", "level": "重大", "by": "综合应急和新闻宣传科"}],
    ))
    # A public duplicate of the confidential record: withdrawn, pointing at its id.
    register.write(base_incident(
        id="YQ-2025-0003", title="某食堂事件(重复登记)",
        withdrawn={"reason": "重复登记", "duplicate_of": "YQ-2025-0002"},
    ))


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    register = RegisterDir(root)
    hostile_register(register)
    result = mkdocs_build(root, root / "site")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return root / "site"


def all_text(site: Path, *, data: bool = False) -> str:
    """Every text file of ``site``; with ``data``, also Pagefind's result data (JSON the find page shows as text)."""
    parts = []
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.name == "export.json":  # data for `yuqing aggregate`, never shown as HTML
            continue
        raw = path.read_bytes()
        if path.suffix == ".gz" or (data and path.suffix == ".pf_fragment"):  # Pagefind's: gzip JSON
            parts.append(gzip.decompress(raw).decode("utf-8", errors="replace"))
        elif path.suffix in (".html", ".xml", ".json", ".js"):
            parts.append(raw.decode("utf-8"))
    return "\n".join(parts)


# --- escaping ---------------------------------------------------------------------------

def test_safe_url_links_only_http_and_https() -> None:
    assert safe_url("https://example.org/x?y=1") == "https://example.org/x?y=1"
    assert safe_url("http://10.0.0.1/a") == "http://10.0.0.1/a"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("JavaScript:alert(1)") is None
    assert safe_url(" data:text/html,<script>") is None
    assert safe_url("//evil.example/x") is None
    assert safe_url("https://exa mple.org") is None
    assert safe_url("https:///nohost") is None


def test_shown_text_loses_control_bidi_and_zero_width_characters() -> None:
    """Whatever reaches a page (register.yml names, files `check` has not seen) is shown as written, minus these."""
    assert html_text("食堂\x07投诉\u202eexe.txt\u200b\ufeff\x1b[31m") == "食堂投诉exe.txt[31m"
    assert md_text("标签\u2066甲\u2069\x00") == "标签甲"


def test_md_text_leaves_no_markup() -> None:
    assert md_text("<b>*粗*</b> {: #x }") == ("&#60;b&#62;&#42;粗&#42;&#60;/b&#62; &#123;&#58; &#35;x &#125;")
    assert html_text("a<b>\n\nc", breaks=True) == "a&lt;b&gt;<br><br>c"


def test_hostile_text_is_shown_as_text_never_as_markup(hostile_site: Path) -> None:
    page = (hostile_site / "generated/incidents/2025/YQ-2025-0001/index.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page.lower()
    assert "onmouseover=" not in page.replace("onmouseover=&#34;", "").replace("onmouseover=&quot;", "")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page or "&#60;script&#62;window.__pwned=1" in page
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in page
    # The bad source URL is shown, not linked; the good event URL is linked, escaped.
    assert "javascript:window.__pwned=1" in page
    assert 'href="https://example.org/a?b=1&amp;c=&lt;2&gt;"' in page
    # Everywhere else too: home page, index pages, search index, feed.
    everything = all_text(hostile_site)
    assert "<script>window.__pwned" not in everything
    assert "<img src=x" not in everything


def test_the_published_export_is_the_one_export_json_writes(hostile_site: Path, tmp_path: Path) -> None:
    """What a city aggregates from the site (export.json) is `yuqing export json` of the same moment, byte for byte."""
    out = tmp_path / "export.json"
    done = subprocess.run([str(Path(sys.executable).parent / "yuqing"), "export", "json", "--root",
                           str(hostile_site.parent), "--now", NOW, "--out", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    published = (hostile_site / "export.json").read_bytes()
    assert published == out.read_bytes()
    ids = [r["id"] for r in json.loads(published)["records"]]
    assert ids == ["YQ-2025-0001", "YQ-2025-0003"]  # by id; never the confidential record


def test_feed_is_valid_escaped_atom_without_confidential_records(hostile_site: Path) -> None:
    text = (hostile_site / "feed.xml").read_text(encoding="utf-8")
    root = ET.fromstring(text)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert sorted(e.findtext("a:id", namespaces=ns) for e in entries) == [
        "urn:yuqing:YQ-2025-0001", "urn:yuqing:YQ-2025-0003"]
    hostile = next(e for e in entries if e.findtext("a:id", namespaces=ns) == "urn:yuqing:YQ-2025-0001")
    assert hostile.findtext("a:title", namespaces=ns) == "YQ-2025-0001 " + HOSTILE_TITLE
    href = hostile.find("a:link", ns).get("href")  # type: ignore[union-attr]
    assert href == "generated/incidents/2025/YQ-2025-0001/"


def test_generated_pages_link_only_to_pages_that_exist(hostile_site: Path) -> None:
    """Incident and list pages are HTML the plugin writes without Markdown: their links still resolve."""
    import posixpath
    import re
    from urllib.parse import unquote

    page = hostile_site / "generated/incidents/2025/YQ-2025-0001/index.html"
    text = page.read_text(encoding="utf-8")
    local = [h for h in re.findall(r'href="([^"]+)"', text) if "://" not in h and not h.startswith("#")]
    assert "../../../lists/month/2025-03/" in local
    assert not [h for h in local if h.endswith(".md")]
    for href in local:
        target = Path(posixpath.normpath(posixpath.join(str(page.parent), unquote(href.split("#")[0]))))
        assert (target / "index.html").is_file() or target.is_file(), href
    # The month list links back to the incident; the sections are in the page's table of contents.
    month = (hostile_site / "generated/lists/month/2025-03/index.html").read_text(encoding="utf-8")
    assert 'href="../../../incidents/2025/YQ-2025-0001/"' in month
    assert re.search(r'<a href="#timeline" class="md-nav__link">\s*<span class="md-ellipsis">\s*处置经过', text)


# --- confidential records ---------------------------------------------------------------

def test_confidential_record_appears_nowhere(hostile_site: Path) -> None:
    everything = all_text(hostile_site, data=True).replace("\u200b", "")
    for secret in ("YQ-2025-0002", SECRET_TITLE, "本案涉密摘要", "涉密专用标签"):
        assert secret not in everything, secret
    assert not (hostile_site / "generated/incidents/2025/YQ-2025-0002").exists()
    duplicate = (hostile_site / "generated/incidents/2025/YQ-2025-0003/index.html").read_text(encoding="utf-8")
    assert "与一条未公开的记录重复" in duplicate
    # The home page counts only published incidents (count_confidential is false).
    home = (hostile_site / "index.html").read_text(encoding="utf-8")
    assert "数字只含已发布的事件" in home


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_that_finds_a_leak_writes_nothing(tmp_path: Path) -> None:
    register = RegisterDir(tmp_path)
    hostile_register(register)
    leak = tmp_path / "docs" / "guide" / "leak.md"
    leak.write_text(f"# 泄露\n\n{SECRET_TITLE}\n", encoding="utf-8")
    result = mkdocs_build(tmp_path, tmp_path / "site", strict=False)
    assert result.returncode != 0
    assert "涉密事件出现在站点输出中,构建中止" in result.stderr
    assert "site/guide/leak/index.html: " + SECRET_TITLE in result.stderr
    assert "Traceback" not in result.stderr
    # The first build failed: there is no site at all, and no half-built folder beside it.
    assert not (tmp_path / "site").exists() and not (tmp_path / ".yuqing-build").exists()


def test_a_confidential_record_discovered_after_the_build_time_is_still_guarded(tmp_path: Path) -> None:
    """A record from after YUQING_NOW is not on the site, but its id named in public text still stops the build."""
    register = RegisterDir(tmp_path)
    hostile_register(register)
    register.write(base_incident(
        id="YQ-2026-0099", title="尚未发生的某涉密案件", confidential=True,
        discovered_at="2026-11-25T09:00:00+08:00",
        timeline=[{"at": "2026-11-25T09:30:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"}]))
    register.write(base_incident(id="YQ-2025-0004", summary="与 YQ-2026-0099 有关的网民反映。"))
    result = mkdocs_build(tmp_path, tmp_path / "site", strict=False)
    assert result.returncode != 0
    assert "涉密事件出现在站点输出中,构建中止" in result.stderr
    assert "YQ-2026-0099" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_confidential_record_whose_file_has_errors_is_still_guarded(tmp_path: Path) -> None:
    """A file with errors is not published, but its id and title stay secret: public text naming them stops the build."""
    register = RegisterDir(tmp_path)
    hostile_register(register)
    broken = base_incident(
        id="YQ-2026-0098", title="某涉密信访线索", confidential=True, level="紧急",  # not a level: an error
        discovered_at="2026-11-10T09:00:00+08:00",
        timeline=[{"at": "2026-11-10T09:30:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"}])
    register.write(broken)
    register.write(base_incident(id="YQ-2025-0004", summary="网民转述了某涉密信访线索的内容。"))
    result = mkdocs_build(tmp_path, tmp_path / "site", strict=False)
    assert result.returncode != 0
    assert "涉密事件出现在站点输出中,构建中止" in result.stderr, result.stderr
    assert "某涉密信访线索" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_reports_on_the_site_show_hostile_record_text_as_text(tmp_path: Path) -> None:
    """The reports page embeds the reports' Markdown: their own escaping is all that stands between."""
    register = RegisterDir(tmp_path)
    site_files(register)
    register.write(base_incident(
        id="YQ-2026-0001", title=HOSTILE_TITLE + " [点我](javascript:window.__pwned=1) **粗体**",
        summary=HOSTILE_SUMMARY, discovered_at="2026-11-20T09:00:00+08:00",
        timeline=[{"at": "2026-11-20T09:30:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"}]))
    result = mkdocs_build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site/generated/reports/index.html").read_text(encoding="utf-8")
    assert "学校食堂投诉" in page
    assert "<script>window.__pwned" not in page and 'href="javascript:' not in page.lower()
    assert "<strong>粗体</strong>" not in page and "**粗体**" in page


def test_a_failed_build_leaves_the_previous_good_site_untouched(tmp_path: Path) -> None:
    register = RegisterDir(tmp_path)
    hostile_register(register)
    site = tmp_path / "site"
    assert mkdocs_build(tmp_path, site).returncode == 0
    good = snapshot(site)
    # A leak in a page: refused before the page is written.
    leak = tmp_path / "docs" / "guide" / "leak.md"
    leak.write_text(f"# 泄露\n\n{SECRET_TITLE}\n", encoding="utf-8")
    result = mkdocs_build(tmp_path, site)
    assert result.returncode != 0 and "涉密事件出现在站点输出中" in result.stderr, result.stderr
    assert snapshot(site) == good
    leak.unlink()
    # A leak in a copied file (no page): found by the scan of the finished output, which is then dropped.
    (tmp_path / "docs" / "assets" / "notes.txt").write_text(f"内部备忘:YQ-2025-0002\n", encoding="utf-8")
    result = mkdocs_build(tmp_path, site)
    assert result.returncode != 0, result.stderr
    assert "site/assets/notes.txt: YQ-2025-0002" in result.stderr
    assert snapshot(site) == good
    (tmp_path / "docs" / "assets" / "notes.txt").unlink()
    # A strict-mode warning (a link to a missing page) aborts after the last plugin event: still nothing written.
    (tmp_path / "docs" / "guide" / "broken.md").write_text("# 坏链接\n\n[没有](missing.md)\n", encoding="utf-8")
    result = mkdocs_build(tmp_path, site)
    assert result.returncode != 0 and "site 保持原样" in result.stderr, result.stderr
    assert snapshot(site) == good
    assert not (tmp_path / ".yuqing-build").exists()
    # A good build replaces the site whole.
    (tmp_path / "docs" / "guide" / "broken.md").unlink()
    (tmp_path / "docs" / "guide" / "new.md").write_text("# 新页面\n", encoding="utf-8")
    assert mkdocs_build(tmp_path, site, strict=False).returncode == 0
    assert (site / "guide/new/index.html").is_file()


def test_count_confidential_counts_it_on_the_home_page_but_never_shows_it(tmp_path: Path) -> None:
    register = RegisterDir(tmp_path)
    hostile_register(register)
    register.settings(publish={"repo_url": "", "edit_uri": "", "count_confidential": True})
    result = mkdocs_build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "数字含涉密事件" in home
    assert SECRET_TITLE not in all_text(tmp_path / "site").replace("\u200b", "")


# --- search index ---------------------------------------------------------------------

def test_search_index_holds_titles_summaries_and_tags_only(tmp_path: Path) -> None:
    """The offline build's whole-index search (lunr; served builds search Pagefind's chunks)."""
    register = RegisterDir(tmp_path)
    hostile_register(register)
    result = mkdocs_build(tmp_path, tmp_path / "site", offline=True)
    assert result.returncode == 0, result.stderr
    raw = (tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "食堂" in raw and "\\u98df" not in raw  # written as UTF-8, not \uXXXX escapes
    index = json.loads(raw)
    assert index["config"]["lang"] == ["zh"]
    assert "\\u200b" in index["config"]["separator"]
    # Results show titles as they are (a reader copies them): no U+200B, the theme's word joint, in any title;
    # the guide pages' text keeps it, it is what the theme splits into words.
    assert [d["title"] for d in index["docs"] if "\u200b" in d["title"]] == []
    assert [d for d in index["docs"] if d["location"].startswith("guide/") and "\u200b" in d["text"]]
    incident = [d for d in index["docs"] if d["location"].startswith("generated/incidents/")]
    assert sorted(d["location"] for d in incident) == [  # offline: no directory URLs
        "generated/incidents/2025/YQ-2025-0001.html", "generated/incidents/2025/YQ-2025-0003.html"]
    entry = next(d for d in incident if d["location"].endswith("YQ-2025-0001.html"))
    assert entry["boost"] == 1000
    assert "食堂" in entry["title"].replace("\u200b", "")
    assert "网民称食堂饭菜变质" in entry["text"].replace("\u200b", "")
    assert "备注" not in entry["text"]  # timeline notes are not indexed
    assert "食堂" in entry["tags"]
    # Index pages and the home page are left out of the index.
    assert not [d for d in index["docs"] if d["location"].startswith("generated/lists")]
    assert not [d for d in index["docs"] if d["location"] == ""]


def test_jieba_dictionary_keeps_register_words_whole(tmp_path: Path) -> None:
    from yuqing.config import load_config
    from yuqing.site.dictionary import userdict, words

    register = RegisterDir(tmp_path)
    config, _ = load_config(tmp_path)
    assert config is not None
    incident = base_incident(tags=["预付式消费"], source={"channel": "社交媒体", "platform": "本地论坛"})
    from yuqing.loader import load_file
    from yuqing.records import build_incident
    from yuqing.times import zone

    path = register.write(incident)
    built, _ = build_incident(load_file(path, "x.yml"), zone("Asia/Shanghai"), set())
    assert built is not None
    found = words(config, [built])
    for word in ("价格监督检查和反不正当竞争科", "东城区局", "东城区", "北湖县", "食品安全", "预付式消费", "本地论坛"):
        assert word in found, word
    assert userdict(config, [built]).splitlines()[0].endswith(" 20000")


# --- writer -------------------------------------------------------------------------------

def test_write_rewrites_only_changed_files_and_removes_stale_ones(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    pages = {"index.md": "# 首页\n", "generated/a.md": "A\n", "generated/old.md": "old\n"}
    assert write(pages, docs) == (3, 0)
    stamp = (docs / "generated/a.md").stat().st_mtime_ns
    os.utime(docs / "generated/a.md", ns=(stamp - 10**9, stamp - 10**9))
    del pages["generated/old.md"]
    pages["index.md"] = "# 新首页\n"
    assert write(pages, docs) == (1, 1)
    assert (docs / "generated/a.md").stat().st_mtime_ns == stamp - 10**9
    assert not (docs / "generated/old.md").exists()
    assert (docs / "index.md").read_text(encoding="utf-8") == "# 新首页\n"


def test_site_render_writes_the_same_pages_mkdocs_builds(tmp_path: Path) -> None:
    register = RegisterDir(tmp_path)
    hostile_register(register)
    env = dict(os.environ)
    command = [str(Path(sys.executable).parent / "yuqing"), "site", "render", "--root", str(tmp_path), "--now", NOW]
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "docs/generated/incidents/2025/YQ-2025-0001.md").is_file()
    assert not (tmp_path / "docs/generated/incidents/2025/YQ-2025-0002.md").exists()
    second = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert "写入 0 个" in second.stdout
    # A build over the rendered files gives the same site (the plugin replaces them in memory).
    result = mkdocs_build(tmp_path, tmp_path / "site")
    assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr


def test_site_render_refuses_to_write_a_page_that_names_a_confidential_record(tmp_path: Path) -> None:
    """`site render`'s output is published by a plain `mkdocs build`, which has no leak guard: render
    searches every file before writing it and stops at one naming a confidential record."""
    register = RegisterDir(tmp_path)
    hostile_register(register)
    register.write(base_incident(id="YQ-2025-0004", title="某超市事件后续",
                                 summary="与 YQ-2025-0002 有关,另案处理。"))
    command = [str(Path(sys.executable).parent / "yuqing"), "site", "render", "--root", str(tmp_path), "--now", NOW]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "YQ-2025-0004.md" in result.stderr and "YQ-2025-0002" in result.stderr
    leaked = [p for p in (tmp_path / "docs").rglob("*") if p.is_file() and b"YQ-2025-0002" in p.read_bytes()]
    assert leaked == []


def broken_links(site: Path) -> list[tuple[str, str]]:
    """(page, href) for every local link of every HTML page of ``site`` that leads nowhere."""
    import posixpath
    import re
    from urllib.parse import unquote

    broken = []
    for page in sorted(p for p in site.rglob("*.html") if p.name != "404.html"):  # 404: absolute by design
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            if "://" in href or href.startswith(("#", "mailto:", "javascript:")) or "pagefind/" in href:
                continue  # (Pagefind's files exist only where it ran: the 查找 page says so when absent)
            target = Path(posixpath.normpath(posixpath.join(str(page.parent), unquote(href.split("#")[0]))))
            if not ((target / "index.html").is_file() or target.is_file()):
                broken.append((page.relative_to(site).as_posix(), href))
    return broken


def test_rendered_pages_build_with_plain_mkdocs_without_the_yuqing_plugin(tmp_path: Path) -> None:
    """A successor generator can take over: `site render`'s output needs no yuqing code to build."""
    register = RegisterDir(tmp_path)
    hostile_register(register)
    command = [str(Path(sys.executable).parent / "yuqing"), "site", "render", "--root", str(tmp_path), "--now", NOW]
    rendered = subprocess.run(command, capture_output=True, text=True, check=False)
    assert rendered.returncode == 0, rendered.stderr
    config = tmp_path / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - yuqing\n" in text
    config.write_text(text.replace("  - yuqing\n", ""), encoding="utf-8")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH="")
    # Run MkDocs with the yuqing package unimportable, so the build cannot lean on it.
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "yuqing.py").write_text("raise ImportError('yuqing is not available here')\n", encoding="utf-8")
    env["PYTHONPATH"] = str(blocker)
    site = tmp_path / "plain-site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    incident = (site / "generated/incidents/2025/YQ-2025-0001/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;学校食堂投诉" in incident
    assert "<script>window.__pwned" not in all_text(site).replace("&lt;script&gt;window.__pwned", "")
    assert 'href="../../../lists/month/2025-03/"' in incident
    assert broken_links(site) == []
    assert SECRET_TITLE not in all_text(site) and "YQ-2025-0002" not in (site / "index.html").read_text(encoding="utf-8")


def test_example_register_builds_strict_without_warnings(tmp_path: Path) -> None:
    result = mkdocs_build(PROJECT, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    site = tmp_path / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "数据截至 <strong>2026-11-23 10:00</strong>" in home
    assert (site / "generated/incidents/2026/YQ-2026-0008/index.html").is_file()
    # YQ-2026-0006 is the example register's confidential record.
    assert not (site / "generated/incidents/2026/YQ-2026-0006").exists()
    assert "YQ-2026-0006" not in all_text(site)
    sitemap = gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode()
    assert "YQ-2026-0006" not in sitemap
    # The rules page prints the gate's policy table, every row; the reference pages are built.
    from yuqing.policy import POLICY

    rules = (site / "generated/rules/index.html").read_text(encoding="utf-8")
    policy = rules[rules.index('id="policy"'):]
    assert [row.code for row in POLICY if f"<code>{row.code}</code>" not in policy] == []
    for name in ("record", "deadlines", "json", "changes"):
        assert (site / "reference" / name / "index.html").is_file(), name
    # The statistics page offers the recent 台账 (xlsx) and reports (docx): published records only.
    import io
    import zipfile

    import openpyxl

    downloads = sorted((site / "generated/downloads").iterdir())
    names = {p.name for p in downloads}
    assert {"ledger-2025.xlsx", "ledger-2025-Q1.xlsx", "ledger-2026-10.xlsx", "ledger-2026.xlsx",
            "report-2025.docx", "report-2025-Q1.docx", "report-2026-10.docx"} <= names and len(names) == 56
    assert all(re.fullmatch(r"(ledger-\d{4}(-Q[1-4]|-\d\d)?\.xlsx|report-\d{4}(-Q[1-4]|-\d\d)?\.docx)", n) for n in names)
    for path in downloads:
        with zipfile.ZipFile(path) as archive:
            inside = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8", errors="replace")
        assert "YQ-2026-0006" not in inside, path.name
    year = openpyxl.load_workbook(io.BytesIO((site / "generated/downloads/ledger-2026.xlsx").read_bytes()))
    cells = {str(c.value) for row in year.worksheets[0].iter_rows() for c in row if c.value}
    assert any("打针催熟" in c for c in cells)
    stats_page = (site / "generated/stats/index.html").read_text(encoding="utf-8")
    assert 'href="../downloads/report-2026-10.docx"' in stats_page
    assert 'href="../downloads/report-2025-Q1.docx"' in stats_page  # the quarter row's 舆情季度评估
    # A withdrawn record has one status word everywhere: 已撤销 (its file still says 监测中).
    withdrawn = (site / "generated/incidents/2025/YQ-2025-0009/index.html").read_text(encoding="utf-8")
    status = re.search(r"<tr><td>状态</td><td>(.*?)</td></tr>", withdrawn)
    assert status is not None and "已撤销" in status.group(1) and "监测中" not in status.group(1)
    # The 404 page speaks Chinese.
    assert "找不到这个页面" in (site / "404.html").read_text(encoding="utf-8")
    # Statistics by year and quarter: 2026 holds 16 published, counted records (0006 is confidential).
    stats = (site / "generated/stats/index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr><th scope="row" data-label="年度">2026年</th>(.*?)</tr>', stats)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(?:<a [^>]*>)?(\d+|—|\d+%)", row.group(1))
    assert cells[4] == "16" and sum(int(c) for c in cells[:4]) == 16


# --- git history on the site ------------------------------------------------------------

MATTER = "区长亲属经营的冷链仓库"
"""The confidential record's matter: not its id, not its title, only what a commit message may say."""


def every_text(site: Path) -> str:
    """Every file of the site as text, gzip unpacked, whatever its suffix."""
    parts = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts).replace("\u200b", "")


def test_history_shows_what_each_revision_changed_and_never_a_commit_message(tmp_path: Path) -> None:
    from .githelper import GitRegister, git_env

    repo = GitRegister(tmp_path)
    site_files(repo)
    graded = {"at": "2025-03-03T09:40:00+08:00", "type": "定级", "level": "敏感", "by": "综合应急和新闻宣传科"}
    public = base_incident(id="YQ-2025-0001", level="敏感", status="处置中",
                           timeline=[*base_incident()["timeline"], graded])
    secret = base_incident(id="YQ-2025-0002", title=SECRET_TITLE, confidential=True)
    repo.write(public)
    repo.write(secret)
    # A commit made on a machine set to UTC: the site shows Beijing time.
    repo.commit("登记两个事件(首次提交说明)", author="张三", when="2025-03-03T02:30:00+00:00")
    public["level"] = "重大"
    public["timeline"] = [*public["timeline"],
                          {"at": "2025-03-03T11:00:00+08:00", "type": "升级", "level": "重大", "by": "综合应急和新闻宣传科"},
                          {"at": "2025-03-03T11:30:00+08:00", "type": "上报", "by": "综合应急和新闻宣传科"}]
    secret["timeline"] = [*secret["timeline"], {"at": "2025-03-03T11:30:00+08:00", "type": "上报"}]
    repo.write(public)
    repo.write(secret)
    # One commit touches both records; its message names the confidential record's matter.
    repo.commit(f"补充{MATTER}的处置情况", author="李四", when="2025-03-03T04:00:00+00:00")
    # A commit whose author date was set back two days: the site shows when it reached main.
    public["status"] = "已平息"
    public["timeline"] = [*public["timeline"], {"at": "2025-03-04T08:00:00+08:00", "type": "平息"}]
    repo.write(public)
    repo.git("add", "-A")
    env = {**git_env("王五", "2025-03-04T09:00:00+08:00"), "GIT_AUTHOR_DATE": "2025-03-02T09:00:00+08:00"}
    subprocess.run(["git", "commit", "-q", "-m", "平息"], cwd=tmp_path, env=env, check=True)

    result = mkdocs_build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site/generated/incidents/2025/YQ-2025-0001/index.html").read_text(encoding="utf-8")
    history = page[page.index('id="history"'):]
    assert "登记时间:2025-03-03 10:30(登记人:张三)" in history
    rows = history[history.index("<tbody>"):history.index("</tbody>")].split("<tr>")[1:]
    assert len(rows) == 3
    settled, newest, first = rows
    assert "2025-03-04 09:00" in settled and "王五" in settled and "状态 处置中 → 已平息" in settled
    assert "2025-03-02" not in history
    assert "2025-03-03 12:00" in newest and "李四" in newest and "修改" in newest and ">重大<" in newest
    assert "等级 敏感 → 重大" in newest and "新增事件 升级" in newest and "新增事件 上报" in newest
    assert "2025-03-03 10:30" in first and "张三" in first and "新增事件:等级 敏感,状态 处置中" in first
    # No commit text anywhere: pages, search index, feed, sitemap (gzip unpacked).
    everything = every_text(tmp_path / "site")
    assert MATTER not in everything
    assert "首次提交说明" not in everything
    assert SECRET_TITLE not in everything and "YQ-2025-0002" not in everything
    # The feed's update time is the last revision's, in the register's timezone.
    assert "<updated>2025-03-04T09:00:00+08:00</updated>" in (tmp_path / "site/feed.xml").read_text(encoding="utf-8")


# --- files that must not break a build -------------------------------------------------

ODD_RECORDS = {
    "YQ-2025-0002": base_incident(id="YQ-2025-0002", title="标签以换行结尾的事件", tags=["食堂\n", "学校"]),
    "YQ-2025-0003": base_incident(id="YQ-2025-0003", title="时间在9999年的事件", timeline=[
        {"at": "2025-03-03T09:30:00+08:00", "type": "研判"}, {"at": "9999-12-31T23:59:00+08:00", "type": "平息"}]),
    "YQ-2025-0004": base_incident(id="YQ-2025-0004", title="控制字符\x07\x1b[31m事件\u202eLNK.exe",
                                  summary="概要\x00中\u200b有\x7f控制字符"),
    "YQ-2025-0005": base_incident(id="YQ-2025-0005", title="延期到9999年的事件",
                                  appeal={"posted_at": "2025-03-03T08:00:00+08:00"},
                                  extensions=[{"rule": "reply-3wd", "reason": "核查", "due": "9999-12-31T23:59:59+08:00"}]),
}


def test_files_with_odd_values_are_skipped_or_shown_safely_never_a_crash(tmp_path: Path) -> None:
    """Tags ending in a newline, year 9999, control characters: `yuqing check`'s verdict decides.

    A file check refuses is left out with a Chinese warning naming it; a file it accepts is
    published with its text cleaned. Either way the build finishes without a traceback.
    """
    from datetime import datetime

    from yuqing.register import load_register

    register = RegisterDir(tmp_path)
    site_files(register)
    register.write(base_incident(id="YQ-2025-0001"))
    for record in ODD_RECORDS.values():
        register.write(record)
    verdict = load_register(tmp_path, now=datetime.fromisoformat(NOW))
    invalid = {Path(f).stem for f in verdict.invalid_files}
    assert invalid == set(ODD_RECORDS)  # `yuqing check` refuses each of them

    result = mkdocs_build(tmp_path, tmp_path / "site", strict=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    site = tmp_path / "site"
    assert (site / "generated/incidents/2025/YQ-2025-0001/index.html").is_file()
    for record_id in ODD_RECORDS:
        page = site / f"generated/incidents/2025/{record_id}/index.html"
        if record_id in invalid:
            assert not page.exists(), record_id
            assert f"incidents/2025/{record_id}.yml 有错误,未发布" in result.stderr
        else:
            assert page.is_file(), record_id
    everything = all_text(site)
    for bad in ("\x07", "\x1b", "\x00", "\x7f", "\u202e"):
        assert bad not in everything, repr(bad)
    # Strict mode fails only on the files left out, each named, with no other warning.
    strict = mkdocs_build(tmp_path, tmp_path / "site-strict")
    assert "Traceback" not in strict.stderr
    warnings = [line for line in strict.stderr.splitlines() if line.startswith("WARNING")]
    assert sorted(warnings) == sorted(f"WARNING -  incidents/2025/{i}.yml 有错误,未发布(运行 `yuqing check` 查看)。"
                                      for i in invalid)
    assert (strict.returncode == 0) == (not invalid)
    assert not (tmp_path / "site-strict").exists()


def test_a_time_out_of_range_leaves_only_its_file_out(tmp_path: Path) -> None:
    """Year 0001 with an offset (out of range in UTC): that file is skipped, the rest is published."""
    register = RegisterDir(tmp_path)
    site_files(register)
    register.write(base_incident(id="YQ-2025-0001"))
    register.write(base_incident(id="YQ-2025-0002", occurred_at="0001-01-01T00:00:00+08:00"))
    result = mkdocs_build(tmp_path, tmp_path / "site", strict=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "incidents/2025/YQ-2025-0002.yml 有错误,未发布" in result.stderr
    assert (tmp_path / "site/generated/incidents/2025/YQ-2025-0001/index.html").is_file()
    assert not (tmp_path / "site/generated/incidents/2025/YQ-2025-0002").exists()


def test_a_staging_folder_left_by_a_killed_build_is_never_committed(tmp_path: Path) -> None:
    from yuqing.mkdocs_plugin import _staging_root

    from .githelper import GitRegister

    repo = GitRegister(tmp_path)
    repo.commit("台账")
    staged = _staging_root(tmp_path / "site") / "site"
    staged.mkdir()
    (staged / "index.html").write_text(SECRET_TITLE, encoding="utf-8")
    assert repo.git("status", "--porcelain", "--untracked-files=all") == ""


def test_a_record_renumbered_away_from_a_now_confidential_id_does_not_name_it(tmp_path: Path) -> None:
    from .githelper import GitRegister

    repo = GitRegister(tmp_path)
    site_files(repo)
    repo.write(base_incident(id="YQ-2025-0002"))
    repo.commit("登记")
    repo.path("YQ-2025-0003").write_text(
        repo.path("YQ-2025-0002").read_text(encoding="utf-8").replace("YQ-2025-0002", "YQ-2025-0003"), encoding="utf-8")
    repo.path("YQ-2025-0002").unlink()
    repo.commit("renumber: YQ-2025-0002 -> YQ-2025-0003", when="2025-03-03T11:00:00+08:00")
    repo.write(base_incident(id="YQ-2025-0002", title=SECRET_TITLE, confidential=True))
    repo.commit("登记", when="2025-03-03T12:00:00+08:00")
    result = mkdocs_build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site/generated/incidents/2025/YQ-2025-0003/index.html").read_text(encoding="utf-8")
    assert "文件改名(原编号未公开)" in page
    assert "YQ-2025-0002" not in every_text(tmp_path / "site")


def test_the_site_is_rebuilt_daily_and_the_home_page_flags_older_figures() -> None:
    """The scheduled rebuild and the browser's staleness warning agree: a missed rebuild is noticed."""
    import yaml

    from yuqing.site.home import STALE_HOURS

    workflow = yaml.safe_load((PROJECT / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    crons = [entry["cron"] for entry in triggers["schedule"]]
    assert crons == ["0 22 * * *"]                   # every day, 06:00 Beijing
    assert 24 < STALE_HOURS <= 30                    # one missed run is flagged within hours
    steps = workflow["jobs"]["build"]["steps"]
    online = next(s for s in steps if s.get("run") == "yuqing site build --strict")
    assert "YUQING_SITE_URL" in online["env"]        # the 404 page works under the Pages sub-path


def test_the_leak_guard_reads_inside_zip_and_gzip_files_whatever_their_names(tmp_path: Path) -> None:
    """xlsx and docx downloads are zip files, Pagefind's chunks gzip without .gz: none is a blind spot."""
    import io
    import zipfile

    from yuqing.site.guard import leaks

    register = RegisterDir(tmp_path)
    register.write(base_incident(id="YQ-2025-0002", title=SECRET_TITLE, confidential=True))
    from yuqing.register import load_register

    secret = load_register(tmp_path).incidents
    site = tmp_path / "site"
    site.mkdir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<sst><si><t>{SECRET_TITLE}</t></si></sst>")
    (site / "ledger.xlsx").write_bytes(buffer.getvalue())
    (site / "zh_1.pf_fragment").write_bytes(gzip.compress("pagefind_dcd{\"url\":\"YQ-2025-0002\"}".encode()))
    (site / "clean.docx").write_bytes(buffer.getvalue().replace(b"PK", b"PK", 1)[:0] + b"PK\x03\x04broken")
    assert sorted(leaks(site, secret)) == [("ledger.xlsx", SECRET_TITLE), ("zh_1.pf_fragment", "YQ-2025-0002")]



def test_a_hand_written_page_links_to_an_incident_page_and_a_link_to_a_missing_one_fails_strict(
        tmp_path: Path) -> None:
    """The incident pages are not MkDocs files held for the whole build (a province has 100,000): a
    link to one from a hand-written page still resolves to its URL, and a link to an incident that
    has no page (never registered, or confidential) is still a broken link."""
    register = RegisterDir(tmp_path)
    site_files(register)
    timeline = [{"at": "2026-11-20T11:00:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"}]
    register.write(base_incident(id="YQ-2026-0001", title="某超市销售过期食品", timeline=timeline,
                                 discovered_at="2026-11-20T09:00:00+08:00"))
    register.write(base_incident(id="YQ-2026-0002", title="某涉密事件标题较长", confidential=True, timeline=timeline,
                                 discovered_at="2026-11-20T10:00:00+08:00"))
    guide = tmp_path / "docs" / "guide" / "example-link.md"
    guide.write_text("# 示例\n\n[看这个事件](../generated/incidents/2026/YQ-2026-0001.md)\n", encoding="utf-8")
    site = tmp_path / "site"
    result = mkdocs_build(tmp_path, site)
    assert result.returncode == 0, result.stderr
    page = (site / "guide/example-link/index.html").read_text(encoding="utf-8")
    assert 'href="../../generated/incidents/2026/YQ-2026-0001/"' in page
    assert (site / "generated/incidents/2026/YQ-2026-0001/index.html").is_file()
    for missing in ("YQ-2026-0003", "YQ-2026-0002"):
        guide.write_text(f"# 示例\n\n[看这个事件](../generated/incidents/2026/{missing}.md)\n", encoding="utf-8")
        result = mkdocs_build(tmp_path, site)
        assert result.returncode != 0
        assert f"generated/incidents/2026/{missing}.md" in result.stderr
