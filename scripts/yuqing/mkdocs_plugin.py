"""MkDocs plugin `yuqing`: the archive's pages, generated in memory at build time.

    plugins:
      - search: {lang: zh}
      - yuqing
      - offline: {enabled: !ENV [YUQING_OFFLINE, false]}

Events (the work is done by yuqing.site; this file only hands it to MkDocs):

* ``on_files``: load the register, build the home, overview, statistics,
  reports and rules pages and add them as ``File.generated`` (replacing
  anything left in docs/generated/ by ``yuqing site render``), plus feed.xml;
  add a file for every incident page and list page too, marked ``EXCLUDED``:
  MkDocs neither reads nor builds them, but links to them resolve (and a link
  to a missing one still warns, failing ``--strict``); load the jieba user
  dictionary made from the register's words, so that search segments its
  names whole.
* ``on_env``: make, render and write the incident and list pages one at a
  time, with the same steps as MkDocs's own build loop (its ``_populate_page``
  and ``_build_page``: every plugin's page events, the theme's ``main.html``,
  the leak guard in ``on_post_page``), forgetting each once written. MkDocs
  would hold every page's text until the end of the build: at a province
  (100,000 incidents, tens of thousands of list pages) gigabytes.
  The records are read from the check cache as the pages are made (newest
  first, ``SiteInput.records``), each let go once its page is written; the
  list and home pages read rows (``site.model.Row``).
  Under ``mkdocs serve`` a module-level cache keeps the output folder's
  generated pages where they are: they are moved out before MkDocs empties the
  folder (``on_pre_build``) and back after (``on_files``), two renames. A page
  whose record's version (file and derived values), deadlines and history are
  unchanged is left as it is without reading the record; one whose record is
  read and whose own inputs (``incident.page_key``) are unchanged is left too;
  the others are rendered again, and pages of records gone are removed. Any
  change of the shared context (theme around a page, register settings,
  templates, confidential records) makes every page again. The preview also
  skips the download files, rereads git history only when a ref moved and
  reads only changed records for the rows (``collect(preview=True)``), keeps
  the reports page's reports while their records are unchanged
  (``downloads.reports_markdown``), keeps the first build's Pagefind index, and
  its leak guard does not search again an output file it found clean whose
  bytes and needles are unchanged (``guard.Seen``).
* ``on_pre_page``: the incident, list and review pages are HTML already
  (``pages.HtmlPage``): their page becomes a ``PreparedPage``, which skips
  Python-Markdown (most of the build's time) and only resolves their relative
  ``.md`` links, warning (so failing ``--strict``) on a missing target.
* ``on_page_content``: resolves the ``.md`` links in raw HTML of the other
  generated pages (home page tables).
* ``on_page_context``: an incident page is indexed by the entry
  ``site.search.entry`` makes (facts, summary, the words a reader types, no
  U+200B), added to Material's own search index, so that search neither
  parses nor segments the rest of the page.
* ``on_serve``: `mkdocs serve` also rebuilds when incidents/ or register.yml change.
* ``on_post_page``/``on_post_template``: before MkDocs writes a page, the
  sitemap or the 404 page, its text is searched for the id and title of every
  confidential record; a hit aborts the build before the file exists.
* ``on_post_build``: build Pagefind's chunked index of the incident pages
  (the 查找 page; online builds, when ``pagefind[extended]`` is installed),
  rewrite the search index as UTF-8 (Material writes
  ``\\uXXXX`` escapes, six bytes per Chinese character), then read every file of
  the output (search index, feed, copied files) and fail on the same hits.

A failed build leaves nothing behind. MkDocs empties ``site_dir`` at the start
of a build and writes into it as it goes, and its strict-mode abort comes after
the last plugin event, so checking in the plugin cannot keep a folder clean.
For ``mkdocs build`` and ``mkdocs gh-deploy`` the plugin therefore redirects
the build to a staging folder next to the target (``.yuqing-build/site``, a
folder that ignores itself in git: a killed build is never committed);
``on_shutdown`` moves it into place only when no ``on_build_error`` came (a
leak, a strict-mode warning, any exception), else deletes it. The previous good
site stays untouched until a complete, clean one replaces it. (``mkdocs serve``
and ``--dirty`` builds write in place: serve keeps its output in a temporary
folder of its own.)

"Now" for the 信号灯 is the build time, or ``YUQING_NOW`` (ISO 8601) for a
reproducible build.
"""

from __future__ import annotations

import atexit
import hashlib
import html
import importlib.util
import io
import json
import logging
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from functools import partial
from datetime import datetime
from pathlib import Path, PurePath
from types import SimpleNamespace
from typing import AbstractSet, Any, Iterable

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from . import memory
from .site import GENERATED, HOME, guard
from .site.collect import Collected, collect
from .site.dictionary import userdict
from .site.feed import atom
from .site.model import incident_path
from .site.incident import incident_page, page_key
from .site.pages import HtmlPage, deadlines_by_incident, incident_inputs, lazy_other_pages
from .site.search import entry as search_entry
from .times import parse_time, zone

log = logging.getLogger("mkdocs.plugins.yuqing")

# A relative link to a Markdown file in generated HTML (record text never holds `href="`: it is escaped).
_MD_HREF = re.compile(r'href="([^":?#]+\.(?:md|xlsx|docx))(#[^"]*)?"')


def resolve_links(text: str, file: File, files: Files) -> str:
    """``text`` with every relative ``href="….md"`` replaced by the target page's URL, as MkDocs does."""
    base = posixpath.dirname(file.src_uri)

    def url(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(base, html.unescape(match.group(1))))
        found = files.get_file_from_path(target)
        if found is None:
            log.warning("生成的页面 %s 链接到 %s,但没有这个页面。", file.src_uri, target)
            return match.group(0)
        return f'href="{html.escape(found.url_relative_to(file) + (match.group(2) or ""))}"'

    return _MD_HREF.sub(url, text)


class PreparedPage(Page):
    """A generated page whose HTML is ready: read and rendered without Python-Markdown."""

    prepared: HtmlPage
    indexed_apart: bool

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown = self.prepared.body
        self.meta = self.prepared.meta(exclude=True if self.indexed_apart else None)

    def render(self, config: MkDocsConfig, files: Files) -> None:
        page = self.prepared
        self.content = resolve_links(page.body, self.file, files)
        children: list[Any] = [{"level": level, "id": anchor, "name": text, "children": []}
                               for level, anchor, text in page.toc]
        self.toc = get_toc([{"level": 1, "id": "", "name": html.escape(page.title), "children": children}])
        self._title_from_render = None
        self.present_anchor_ids = {anchor for _, anchor, _ in page.toc}
        self.links_to_anchors = {}


class YuqingConfig(Config):
    root = c.Optional(c.Type(str))
    """The register's root (default: the folder of mkdocs.yml)."""
    now = c.Optional(c.Type(str))
    """A fixed "now" (ISO 8601); the YUQING_NOW environment variable overrides it."""
    history = c.Type(bool, default=True)
    """Show registration dates and revisions from git (one `git log` per build)."""
    downloads = c.Type(bool, default=True)
    """Offer the recent 台账 (xlsx) and reports (docx) on the statistics page (about 1.7 s per 1,000 records)."""
    pagefind = c.Choice(("auto", "on", "off"), default="auto")
    """Build Pagefind's chunked search index (the 查找 page): auto = when installed and not offline."""
    offline_search_limit = c.Type(int, default=5000)
    """Published incidents up to which the offline build's whole-index search stays usable (a note above it).

    Measured on 2 cores: about 3 s to a first result at 2,000 incidents, 9 s at 10,000."""
    city = c.Type(bool, default=False)
    """Build the site from sources.yml's county exports (the city view) instead of incidents/."""


class YuqingPlugin(BasePlugin[YuqingConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.collected: Collected | None = None
        self.root: Path | None = None
        self.prepared: dict[str, HtmlPage] = {}
        self.generated: set[str] = set()
        self.site_files: IncidentFiles | None = None
        self.nav: Any = None
        self.scanned: dict[str, int] = {}
        self.later: dict[str, Any] = {}
        """List pages made when written (in on_env): src path -> function making the HtmlPage."""
        """Output file -> bytes, of the pages the leak guard scanned before MkDocs wrote them."""
        self.search_index: Any = None
        self.command: str | None = None
        self.dirty = False
        self.target: Path | None = None
        """Where the site goes once the build succeeded (the configured site_dir), when staging."""
        self.staging: Path | None = None
        self.failed = False
        self.mkdocs_config: MkDocsConfig | None = None
        self.scanner: guard.Scanner | None = None
        self._spool: Path | None = None
        """A temporary folder holding the public export MkDocs copies into the site."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command, self.dirty = command, dirty

    def _root(self, config: MkDocsConfig) -> Path:
        base = Path(config.config_file_path or ".").resolve().parent
        return (base / self.config.root).resolve() if self.config.root else base

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.root = self._root(config)
        self.failed = False
        self.mkdocs_config = config
        if self.command in ("build", "gh-deploy") and not self.dirty:
            self.target = Path(config.site_dir).resolve()
            self.staging = _staging_root(self.target) / self.target.name
            shutil.rmtree(self.staging, ignore_errors=True)  # left by a killed build
            self.mkdocs_config = config
            config.site_dir = str(self.staging)
            log.info("先构建到 %s,构建成功后再替换 %s。", self.staging, self.target)
        if _offline(config):
            polyfills = list(config.extra.get("polyfills", []))
            if not any("iframe-worker" in str(p) for p in polyfills):
                raise PluginError("离线版需要本地的 iframe-worker(extra.polyfills 中加入 "
                                  "assets/vendor/iframe-worker/shim.js),否则 Material 会从外网加载它。")
        return config

    @staticmethod
    def _search_index(config: MkDocsConfig) -> Any:
        """Material's search index (made in its on_config), or None.

        With it, incident pages are indexed from their title and summary only;
        without it (search off, another search plugin), search parses the whole
        page and its data-search-exclude marks apply.
        """
        search = config.plugins.get("material/search") or config.plugins.get("search")
        if search is None or not search.config.get("enabled", True):
            return None
        index = getattr(search, "search_index", None)
        return index if callable(getattr(index, "add_entry_from_context", None)) else None

    def _now(self, tz_name: str) -> datetime:
        text = os.environ.get("YUQING_NOW") or self.config.now
        tz = zone(tz_name)
        if not text:
            return datetime.now(tz)
        parsed = parse_time(text, tz)
        if parsed is None:
            raise PluginError(f"YUQING_NOW / now 不是有效时间:“{text}”,应如 2026-11-23T10:00:00+08:00。")
        return parsed

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.command == "serve" and not self.dirty:  # MkDocs empties site_dir next: keep the pages out of it
            _serve_cache(config).hold(Path(config.site_dir))

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.root is not None
        if self.command == "serve" and not self.dirty:
            _serve_cache(config).put_back(Path(config.site_dir))
        from .config import load_config

        register_config, issues = load_config(self.root)
        if register_config is None:
            detail = "; ".join(f"{i.file}:{i.line}: {i.message}" for i in issues[:5])
            raise PluginError(f"{self.root} 的 register.yml 无法使用:{detail}")
        now = self._now(register_config.timezone)
        stale = [f for f in files if f.src_uri in (HOME, "feed.xml") or f.src_uri.startswith(GENERATED + "/")]
        for file in stale:
            files.remove(file)
        docs = frozenset(f.src_uri for f in files if f.is_documentation_page())
        try:
            if self.config.city:
                from .site.city import collect_city  # the city view (aggregated county exports)

                collected = collect_city(self.root, now, history=self.config.history, docs=docs,
                                         downloads=self.config.downloads)
            else:
                collected = collect(self.root, now, history=self.config.history, docs=docs,
                                    downloads=self.config.downloads, preview=self.command == "serve")
        except ValueError as error:
            raise PluginError(str(error)) from error
        except (ArithmeticError, RecursionError) as error:
            # A value no file check caught (a time at the edge of the calendar, a huge number): a
            # message, not a traceback. Such a file should have been refused by `yuqing check`.
            raise PluginError(f"读取台账时遇到无法处理的值({type(error).__name__}: {error}),站点未生成。"
                              "请运行 `yuqing check` 找出并修正有问题的事件文件。") from error
        self.collected = collected
        self.scanner = guard.Scanner(collected.confidential, (i.title for i in collected.site.incidents))
        for skipped in collected.skipped:
            log.warning("%s 有错误,未发布(运行 `yuqing check` 查看)。", skipped)
        limit = self.config.offline_search_limit
        if _offline(config) and len(collected.site.incidents) > limit:
            # Information, not a warning: a --strict offline build of a big register still succeeds.
            log.info("提醒:离线版的搜索在读者的浏览器里一次载入整个索引,适合 %d 个事件以内;本台账发布 %d 个事件,"
                     "首次搜索会很慢。请改用在线版,或只打包需要的部分(见“站点的搜索”一页)。",
                     limit, len(collected.site.incidents))

        import jieba

        jieba.setLogLevel(logging.WARNING)
        words = userdict(collected.site.config, collected.site.incidents)
        digest = hashlib.sha256(words.encode("utf-8")).hexdigest()
        if digest not in _JIEBA_LOADED:  # jieba's dictionary is the process's: `mkdocs serve` loads it once
            jieba.load_userdict(io.BytesIO(words.encode("utf-8")))
            _JIEBA_LOADED.add(digest)

        self.search_index = self._search_index(config)
        self.prepared.clear()
        self.generated.clear()
        # Incident pages (the bulk: 100,000 at a province) are rendered one at a time in on_env:
        # here they are only paths, whose files are made when asked for (``IncidentFiles``), so that
        # links to them resolve (and a missing one still warns).
        incidents = {incident_path(incident) for incident in collected.site.incidents}
        self.generated.update(incidents)
        files = self.site_files = IncidentFiles(files, config, incidents)
        self.later = {}
        for path, page in lazy_other_pages(collected.site).items():
            self.generated.add(path)
            if isinstance(page, HtmlPage):
                self.prepared[path] = page
                # PreparedPage does not read the file: its content (what `yuqing site render` writes) is not kept.
                files.append(File.generated(config, path, content=_PREPARED))
            elif callable(page):  # a list page: made and written in on_env, like the incident pages
                self.later[path] = page
                files.append(File.generated(config, path, content=_PREPARED, inclusion=InclusionLevel.EXCLUDED))
            else:
                files.append(File.generated(config, path, content=page))

        files.append(File.generated(config, "feed.xml", content=atom(collected.site, files.url_of,
                                                                     config.site_url or "")))
        for download in collected.site.downloads:  # 台账 xlsx and report docx (site/downloads.py)
            source = getattr(download, "source", None)
            if source is not None:  # a file kept on disk: copied by MkDocs, never held
                files.append(File.generated(config, download.path, abs_src_path=str(source)))
            else:
                files.append(File.generated(config, download.path, content=download.data))
        if not self.config.city and collected.export is not None:
            # What a city register aggregates (`yuqing aggregate`); a city's records carry namespaced ids,
            # not the county export format. Written piece by piece to a file MkDocs copies (never held whole).
            from .publicexport import FILE_NAME

            self._spool = Path(tempfile.mkdtemp(prefix="yuqing-export-"))
            spooled = self._spool / FILE_NAME
            with open(spooled, "w", encoding="utf-8") as handle:
                for piece in collected.export():
                    handle.write(piece)
            files.append(File.generated(config, FILE_NAME, abs_src_path=str(spooled)))
        if self.command != "serve":  # (a preview rebuild is about time; it makes no download files)
            memory.release()  # what gathering let go (the download files' records) is not held while pages are written
        return files

    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self.nav = nav
        return nav

    @event_priority(-100)  # after every other plugin's on_env: the environment pages are rendered with
    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Render and write every incident page, one at a time, as MkDocs's own build loop would."""
        if self.collected is not None:
            self._write_incident_pages(env, config, files)
        return env

    def _write_incident_pages(self, env: Any, config: MkDocsConfig, files: Files) -> None:
        assert self.collected is not None and self.scanner is not None
        site = self.collected.site
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve if self.command == "serve"
                                              else InclusionLevel.is_included)
        cache = _served(config, self._context_key(env, config, doc_files)) if self.command == "serve" else None
        reused = 0
        keys: dict[str, str] = {}
        entries = getattr(self.search_index, "entries", None) if self.search_index is not None else None
        first_entry = len(entries) if isinstance(entries, list) else 0
        by_incident = deadlines_by_incident(site)
        rows = site.newest_first()
        if cache is not None and site.versions:
            # A page whose record (file and derived values), deadlines and history are those of the last
            # rebuild is kept as it is, its record not even read; only the others are read and compared.
            changed = []
            for one in rows:
                path = incident_path(one)
                file = files.get_file_from_path(path)
                assert file is not None
                known = _quick_key(site, one.id, one.withdrawn, by_incident)
                kept = cache.quick(path, known, Path(file.abs_dest_path))
                if kept is None:
                    changed.append(one)
                    continue
                keys[one.id], entry = kept
                self.scanned[file.dest_uri] = Path(file.abs_dest_path).stat().st_size
                if isinstance(entries, list) and entry is not None:
                    entries.append(entry)
                reused += 1
            rows = changed
        for incident, deadlines in incident_inputs(site, rows, by_incident):
            path = incident_path(incident)
            file = files.get_file_from_path(path)
            assert file is not None
            key = page_key(site, incident, deadlines) if cache is not None else ""
            keys[incident.id] = key
            quick = (_quick_key(site, incident.id, incident.withdrawn, by_incident)
                     if cache is not None and site.versions else None)
            if cache is not None and cache.reuse(path, key, Path(file.abs_dest_path)):
                self.scanned[file.dest_uri] = Path(file.abs_dest_path).stat().st_size
                entry = search_entry(incident, file.url) if isinstance(entries, list) else None
                if entry is not None:
                    entries.append(entry)  # type: ignore[union-attr]
                cache.keep(path, key, file.dest_uri, quick, entry)
                reused += 1
                continue
            before = len(entries) if isinstance(entries, list) else 0
            self._write_page(path, incident_page(site, incident, deadlines), env, config, files, doc_files)
            if cache is not None:
                made = entries[-1] if isinstance(entries, list) and len(entries) == before + 1 else None
                cache.keep(path, key, file.dest_uri, quick, made)
        if isinstance(entries, list):
            # Pages are made newest first (as the records stream); the whole-index search ranks equal
            # scores in index order: by page, as the site lists them.
            entries[first_entry:] = sorted(entries[first_entry:], key=lambda e: str(e.get("location", "")))
        for path, make in self.later.items():
            file = files.get_file_from_path(path)
            assert file is not None
            # A list page is a function of its rows (the records: their page keys) and its place among its pages.
            key = ""
            if cache is not None and isinstance(make, partial):
                *place, rows = make.args
                text = repr((place, [keys.get(i.id) or repr(i) for i in rows]))
                key = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()
            if key and cache is not None and cache.reuse(path, key, Path(file.abs_dest_path)):
                self.scanned[file.dest_uri] = Path(file.abs_dest_path).stat().st_size
                reused += 1
                continue
            self._write_page(path, make(), env, config, files, doc_files)
            if key and cache is not None:
                cache.keep(path, key, file.dest_uri, None, None)
        if cache is not None:
            cache.prune(Path(config.site_dir), self.generated)
            log.info("事件页和列表页:%d 页未变,沿用上次的输出;%d 页重新生成。", reused,
                     len(site.incidents) + len(self.later) - reused)

    def _write_page(self, path: str, prepared: HtmlPage, env: Any, config: MkDocsConfig, files: Files,
                    doc_files: Any) -> None:
        """Render and write one page as MkDocs's build loop does, then forget it."""
        from mkdocs.commands.build import _build_page, _populate_page

        file = files.get_file_from_path(path)
        assert file is not None
        self.prepared[path] = prepared
        try:
            page = Page(None, file, config)
            # The same steps as MkDocs's build loop: plugin events, theme template, leak guard (on_post_page).
            _populate_page(page, config, files)
            assert file.page is not None  # on_pre_page may have changed its class, not replaced it
            _build_page(file.page, config, doc_files, self.nav, env)
        finally:
            file.page = None  # forget the page: its text is written
            del self.prepared[path]

    def _context_key(self, env: Any, config: MkDocsConfig, doc_files: Any) -> str:
        """What every incident page shares, as a hash: theme output around a page, register settings, guard.

        A probe page at an incident page's depth is rendered with the theme: the navigation, header,
        footer and assets every incident page repeats. `mkdocs serve` reuses a page's last output only
        while this, and the page's own inputs (``incident.page_key``), are unchanged.
        """
        from mkdocs.commands.build import get_context

        assert self.collected is not None
        probe = Page("probe", File.generated(config, f"{GENERATED}/incidents/0000/probe.md", content=""), config)
        probe.content, probe.toc, probe.meta = "", get_toc([]), {}
        theme = env.get_template("main.html").render(get_context(self.nav, doc_files, config, probe))
        site = self.collected.site
        templates = sorted((p.name, p.stat().st_mtime_ns) for p in (Path(__file__).parent / "site" / "templates").iterdir())
        secret = sorted((i.id, i.title) for i in self.collected.confidential)
        parts = (theme, repr(site.config), repr(secret), repr(templates), self.search_index is not None,
                 site.history is None, getattr(site.history, "note", ""), site.deadlines is None)
        return hashlib.sha256(repr(parts).encode("utf-8", errors="surrogatepass")).hexdigest()

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        prepared = self.prepared.get(page.file.src_uri)
        if prepared is not None:
            page.__class__ = PreparedPage
            assert isinstance(page, PreparedPage)
            page.prepared = prepared
            page.indexed_apart = self.search_index is not None and prepared.search is not None
        return page

    def on_page_content(self, html_text: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.src_uri in self.generated and not isinstance(page, PreparedPage):
            return resolve_links(html_text, page.file, files)
        return html_text

    def on_page_context(self, context: Any, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        if isinstance(page, PreparedPage) and page.indexed_apart:
            entries = getattr(self.search_index, "entries", None)
            if page.prepared.record is not None and isinstance(entries, list):
                # The record's own entry: facts, summary and the words a reader types (site/search.py).
                entries.append(search_entry(page.prepared.record, page.url))
                return context
            # What Material would index from the page, made from the title and summary alone.
            self.search_index.add_entry_from_context(SimpleNamespace(
                meta=page.prepared.meta(exclude=False), content=page.prepared.search, toc=[], url=page.url,
                title=page.title))
        return context

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.root is not None:
            for watched in (self.root / "incidents", self.root / "register.yml"):
                if watched.exists():
                    server.watch(str(watched))
        return server

    def _shown_dir(self, config: MkDocsConfig) -> str:
        """The output folder as the user named it (not the staging folder)."""
        return str(self.target) if self.target is not None else config.site_dir

    def _refuse(self, where: str, found: list[str], config: MkDocsConfig) -> None:
        if found:
            path = posixpath.join(self._shown_dir(config), where)
            raise PluginError(f"涉密事件出现在站点输出中,构建中止(该文件未写出,站点目录保持原样):\n"
                              f"  {path}: {'、'.join(found)}")

    @event_priority(-100)  # last: what is about to be written
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self.scanner is not None:
            self._refuse(page.file.dest_uri, self.scanner.find(output), config)
            # What MkDocs writes next: on_post_build's pass over the output need not read it again.
            self.scanned[page.file.dest_uri] = len(output.encode("utf-8", errors="xmlcharrefreplace"))
        return output

    @event_priority(-100)
    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        if self.scanner is not None:
            self._refuse(template_name, self.scanner.find(output_content), config)
        return output_content

    def _pagefind(self, config: MkDocsConfig) -> None:
        """Pagefind's chunked index of the incident pages, into site/pagefind/ (scanned by the guard after)."""
        if self.config.pagefind == "off" or _offline(config):
            return
        if importlib.util.find_spec("pagefind") is None:
            if self.config.pagefind == "on":
                raise PluginError("pagefind 未安装(pip install 'pagefind[extended]'),无法生成查找页的索引。")
            return
        cache = _SERVE_CACHES.get(str(config.config_file_path)) if self.command == "serve" else None
        if cache is not None and cache.restore_index(Path(config.site_dir)):
            # Scanned by the guard when it was made, under the same confidential records (the context).
            self.scanned.update(cache.index_files)
            log.info("预览:查找索引沿用本次 mkdocs serve 首次生成的(改动的记录要重启 serve 才能搜到新内容)。")
            return
        self._index(config)
        if cache is not None:
            cache.keep_index(Path(config.site_dir))

    def _index(self, config: MkDocsConfig) -> None:
        build_index: Any
        try:
            from .site.pagefind import build_index
        except ImportError:
            build_index = None
        if build_index is not None:
            pages = None
            if self.collected is not None:
                site = self.collected.site
                # Streamed newest first (the records are read again, a cache file at a time, never all held).
                files = self.site_files
                assert files is not None
                pages = ((files.url_of(i), i) for i in site.records(site.newest_first()))
            try:
                build_index(Path(config.site_dir), pages)
            except ValueError as error:
                raise PluginError(str(error)) from error
            return
        done = subprocess.run([sys.executable, "-m", "pagefind", "--site", config.site_dir, "--silent"],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PluginError(f"Pagefind 生成索引失败:{done.stderr.strip()[-500:]}")

    @event_priority(-50)  # after search wrote its index, before offline inlines it (-100)
    def _check_output(self, *, config: MkDocsConfig) -> None:
        site_dir = Path(config.site_dir)
        if self.command != "serve":
            if self.collected is not None:
                # Every page is written: what only pages showed (deadlines, git history, figures) is let go
                # before Pagefind starts; the index reads the records, the guard the ids and titles.
                self.collected = replace(self.collected, site=self.collected.site.pages_written(), export=None)
                self.later, self.prepared = {}, {}  # the list and home pages (and the site input they were made of)
            memory.release()  # Pagefind's process needs its own: the build's freed memory goes back first
        self._pagefind(config)
        index = site_dir / "search" / "search_index.json"
        if index.is_file():
            data = json.loads(index.read_text(encoding="utf-8"))
            # The theme joins its Chinese words with U+200B in titles too, and shows them in results (a
            # reader copies them); the text keeps them, it is what the theme splits into words.
            for doc in data.get("docs", []):
                if isinstance(doc.get("title"), str):
                    doc["title"] = doc["title"].replace("\u200b", "")
            index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        if self.collected is None:
            return
        # Under serve, the files an earlier rebuild found clean under the same needles and whose bytes
        # are the same (theme assets, feed, search index: rewritten alike every rebuild) are not searched again.
        seen = _serve_cache(config).seen if self.command == "serve" else None
        found = guard.leaks(site_dir, self.collected.confidential,
                            (i.title for i in self.collected.site.incidents), scanned=self.scanned, seen=seen)
        if found:
            shown = self._shown_dir(config)
            lines = "\n".join(f"  {posixpath.join(shown, f)}: {what}" for f, what in found[:20])
            raise PluginError(f"涉密事件出现在站点输出中,构建中止(共 {len(found)} 处;站点目录保持原样):\n{lines}")

    @event_priority(-200)  # after offline (-100) wrote its files
    def _check_offline(self, *, config: MkDocsConfig) -> None:
        script = Path(config.site_dir) / "search" / "search_index.js"
        if self.scanner is not None and script.is_file():
            self._refuse("search/search_index.js", self.scanner.find(script.read_text(encoding="utf-8")), config)

    @event_priority(-300)  # last: every file is copied
    def _copied(self, *, config: MkDocsConfig) -> None:
        self._drop_spool()

    def _drop_spool(self) -> None:
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool = None

    on_post_build = CombinedEvent(_check_output, _check_offline, _copied)

    def on_build_error(self, *, error: Exception) -> None:
        self.failed = True
        if self.command == "serve" and self.mkdocs_config is not None:
            _serve_cache(self.mkdocs_config).trusted = False  # the output folder is half written

    def on_shutdown(self) -> None:
        """Move the staged site into place after a clean build; delete it after a failed one."""
        self._drop_spool()
        staging, target = self.staging, self.target
        if staging is None or target is None:
            return
        self.staging = self.target = None
        if self.mkdocs_config is not None:
            self.mkdocs_config.site_dir = str(target)  # gh-deploy reads it after shutdown
        if self.failed or not staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)
            if self.failed:
                log.error("构建失败:没有写出任何文件,%s 保持原样。", target)
        else:
            old = staging.parent / f"{target.name}.old"
            shutil.rmtree(old, ignore_errors=True)
            if target.exists():
                target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        _remove_if_empty(staging.parent)


class IncidentFiles(Files):
    """MkDocs's files, and the incident pages' files made when asked for, never all held.

    The incident pages are written by the plugin (``on_env``), not by MkDocs: their files need not
    exist but for links to resolve (``get_file_from_path``: MkDocs's link checks, the generated
    pages' ``.md`` links) and for the plugin to write each page. A province's 100,000 ``File``s
    held about 1.5 KB each (more once MkDocs cached their URLs and paths) for the whole build; here
    each is made when asked for, marked ``EXCLUDED`` as they were (MkDocs neither reads nor builds
    it), and let go.
    """

    def __init__(self, files: Iterable[File], config: MkDocsConfig, incidents: AbstractSet[str]) -> None:
        super().__init__(files)
        self._config = config
        self._incidents = incidents

    def get_file_from_path(self, path: str) -> File | None:
        found = super().get_file_from_path(path)
        if found is not None:
            return found
        uri = PurePath(path).as_posix()
        if uri not in self._incidents:
            return None
        # What ``File.generated`` makes, outside any plugin event (it would name the current plugin).
        file = File(uri, src_dir=None, dest_dir=self._config.site_dir,
                    use_directory_urls=self._config.use_directory_urls, inclusion=InclusionLevel.EXCLUDED)
        file.generated_by = "yuqing"
        file.content_string = ""
        return file

    def __contains__(self, path: str) -> bool:
        return super().__contains__(path) or PurePath(path).as_posix() in self._incidents

    def url_of(self, incident: Any) -> str:
        """The URL (from the site's root) of ``incident``'s page, or "" when it has none."""
        file = self.get_file_from_path(incident_path(incident))
        return file.url if file is not None else ""


class _ServeCache:
    """The incident and list pages `mkdocs serve` wrote last time, kept where they are.

    MkDocs empties its output folder and makes a new plugin on every rebuild, so this lives in
    the module, one per mkdocs.yml. Before MkDocs empties the folder (``on_pre_build``) the
    generated pages and the Pagefind index are moved out of it, and moved back once it is empty
    (``on_files``): two renames, whatever the register's size (linking 10,000 kept pages back one
    by one took seconds). A page is then left as it is when its inputs and the shared context are
    unchanged (its print heading keeps the "数据截至" time it was made: what it shows is the same),
    written again otherwise, and removed when its page is gone.
    """

    MOVED = (GENERATED, "pagefind")

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="yuqing-serve-"))
        atexit.register(shutil.rmtree, self.folder, ignore_errors=True)
        self.context = ""
        self.pages: dict[str, tuple[str, str]] = {}
        """src path -> (page key, output path under site_dir) of the pages in the output folder."""
        self.quicks: dict[str, tuple[Any, Any]] = {}
        """src path -> (quick key: ``_quick_key``, the page's search entry) of an incident page."""
        self.index = False
        """The output folder holds the Pagefind index made under ``context``."""
        self.index_files: dict[str, int] = {}
        """Its files (relative to site_dir) -> their sizes: the guard read them when the index was made."""
        self.trusted = True
        """False after a failed build: what is in the output folder is not known."""
        self.seen = guard.Seen()
        """The output files the leak guard found clean (by bytes, under the needles: ``guard.Seen``)."""

    def hold(self, site_dir: Path) -> None:
        """Move the kept pages out of ``site_dir`` before MkDocs empties it."""
        for name in self.MOVED:
            held, built = self.folder / name, site_dir / name
            shutil.rmtree(held, ignore_errors=True)
            if self.trusted and built.is_dir():
                try:
                    built.rename(held)
                except OSError:
                    self.forget()
        if not self.trusted:
            self.forget()

    def put_back(self, site_dir: Path) -> None:
        """Move the kept pages back into the emptied ``site_dir``."""
        for name in self.MOVED:
            held = self.folder / name
            if held.is_dir():
                try:
                    site_dir.mkdir(parents=True, exist_ok=True)
                    held.rename(site_dir / name)
                except OSError:
                    shutil.rmtree(held, ignore_errors=True)
                    self.forget()

    def forget(self, site_dir: Path | None = None) -> None:
        """Nothing is reused: the kept pages and index are dropped (from ``site_dir`` too)."""
        self.pages.clear()
        self.quicks.clear()
        self.index = False
        self.index_files = {}
        self.trusted = True
        for name in self.MOVED:
            shutil.rmtree(self.folder / name, ignore_errors=True)
            if site_dir is not None:
                shutil.rmtree(site_dir / name, ignore_errors=True)

    def restore_index(self, site_dir: Path) -> bool:
        """Whether the output folder holds the kept Pagefind index."""
        return self.index and (site_dir / "pagefind").is_dir()

    def keep_index(self, site_dir: Path) -> None:
        self.index = (site_dir / "pagefind").is_dir()
        self.index_files = {path.relative_to(site_dir).as_posix(): path.stat().st_size
                            for path in (site_dir / "pagefind").rglob("*") if path.is_file()} if self.index else {}

    def reuse(self, path: str, key: str, dest: Path) -> bool:
        found = self.pages.get(path)
        return found is not None and found[0] == key and dest.is_file()

    def quick(self, path: str, quick: Any, dest: Path) -> tuple[str, Any] | None:
        """(page key, search entry) of a kept page whose inputs' quick key is ``quick``, else None."""
        found = self.quicks.get(path)
        if found is None or found[0] != quick or path not in self.pages or not dest.is_file():
            return None
        return self.pages[path][0], found[1]

    def keep(self, path: str, key: str, dest_uri: str, quick: Any, entry: Any) -> None:
        self.pages[path] = (key, dest_uri)
        if quick is not None:
            self.quicks[path] = (quick, entry)
        else:
            self.quicks.pop(path, None)

    def prune(self, site_dir: Path, current: set[str]) -> None:
        """Remove the kept pages whose page is gone (a record removed or turned confidential)."""
        for path in [p for p in self.pages if p not in current]:
            _, dest_uri = self.pages.pop(path)
            self.quicks.pop(path, None)
            (site_dir / dest_uri).unlink(missing_ok=True)



_PREPARED = "<!-- made by the yuqing plugin -->\n"
"""The in-memory content of a generated page's file (never read: the page is ``PreparedPage``)."""
_SERVE_CACHES: dict[str, _ServeCache] = {}
_JIEBA_LOADED: set[str] = set()
"""Digests of the user dictionaries jieba already holds (it is global to the process)."""


def _quick_key(site: Any, record_id: str, withdrawn: Any, by_incident: Any) -> tuple[Any, ...]:
    """What an incident page shows, known without reading its record: the record's version (its file's
    stat and derived values), its deadlines, its git history, whether the record it duplicates is public."""
    history = site.history
    record = history.of(record_id) if history is not None and getattr(history, "available", False) else None
    duplicate = bool(withdrawn and withdrawn.duplicate_of in site.published_ids)
    return site.versions.get(record_id), tuple(by_incident.get(record_id, ())), record, duplicate


def _serve_cache(config: MkDocsConfig) -> _ServeCache:
    key = str(config.config_file_path)
    cache = _SERVE_CACHES.get(key)
    if cache is None:  # made once (it makes a temporary folder, removed when the process exits)
        cache = _SERVE_CACHES[key] = _ServeCache()
    return cache


def _served(config: MkDocsConfig, context: str) -> _ServeCache:
    """This mkdocs.yml's serve cache, emptied when the shared context changed."""
    cache = _serve_cache(config)
    if cache.context != context:  # settings, theme or the confidential records changed: nothing is reused
        cache.forget(Path(config.site_dir))
        cache.context = context
    return cache


def _offline(config: MkDocsConfig) -> bool:
    """True for the offline (file://) build: Material's offline plugin is enabled."""
    offline = config.plugins.get("material/offline") or config.plugins.get("offline")
    return offline is not None and bool(getattr(offline, "config", {}).get("enabled"))


STAGING = ".yuqing-build"


def _staging_root(target: Path) -> Path:
    """The folder next to ``target`` where builds are staged; git ignores it (its own .gitignore)."""
    root = target.parent / STAGING
    root.mkdir(parents=True, exist_ok=True)
    (root / ".gitignore").write_text("*\n", encoding="utf-8")
    return root


def _remove_if_empty(root: Path) -> None:
    if root.name != STAGING or not root.is_dir():
        return
    if [p.name for p in root.iterdir()] in ([], [".gitignore"]):
        shutil.rmtree(root, ignore_errors=True)
