"""Pagefind's chunked search index of a built site (served builds; the header search box).

A reader's browser downloads only the index chunks its query needs, so the
first result stays fast at province scale. Two ways in:

* ``pages`` given (the plugin's way): one custom record per published
  incident, made from ``site.search.parts`` (the same words the offline
  build's lunr index holds: sub-words, pieces, places, units, dates, id) with
  the result facts as meta and 等级/年份/领域/单位 as filters; the
  hand-written pages (guide, reference, home) are added from their HTML
  (their article only). No incident page is parsed: at 10k records this
  is the cheaper way (see benchmarks/bench_search.py).
* ``pages`` None: Pagefind reads every HTML file of the site (its CLI's way;
  incident pages mark their summary with data-pagefind-body).

Pagefind's indexer holds about 100 KB per record until it has written its
index (10,000 records: 1 GB; Pagefind issue #842), so a register is indexed in
shards of at most ``SHARD`` records, one Pagefind process after another, each
exiting before the next starts. The records come newest first (by id
descending: the plugin's feed streams them so, and a list given whole is
sorted here), so shard 0 is the newest: ``site_dir/pagefind/`` (the newest
records, the hand-written pages and Pagefind's scripts), then
``site_dir/pagefind/shards/K/``, each older than the one before.
``site_dir/pagefind/yuqing-shards.json`` (``SHARDS``) describes them: each
shard's folder, record count and year range, and every filter value with its
count over the whole register. The header box (assets/yuqing-search.js)
searches shard 0 first and shows its results, then brings older shards in on
demand (when the reader asks for more, scrolls, pauses, or names their years
with a filter or a year in the query): a first result downloads one shard's
entry, metadata and chunks, whatever the register's size. The 查找 page merges
every shard (Pagefind's ``mergeIndex``). Everything lands under
``site_dir/pagefind/``, which the plugin's leak guard scans (all of it) after
this step and its serve cache keeps whole.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterable

from ..model import Incident
from ..times import short
from .common import status_of
from .search import parts, words_of

WAIT_SECONDS = 120
"""The least time the Pagefind service is given for an answer (plus 20 ms per record sent)."""
SUMMARY = 140
"""Characters of the summary a result shows (in every result fragment the reader downloads)."""
KIND, RECORD, WITHDRAWN, PAGE = "类别", "事件", "已撤销", "说明"
"""A filter the header box searches once per value, in this order: records that count, withdrawn ones,
then the hand-written pages (Pagefind has no weight for custom records; lunr's boost did this offline)."""
LANGUAGE = "und"
"""No language: Pagefind's indexer would segment Chinese its own way (北湖县局 into pieces a typed 北湖县局
never matches); the content already holds the words a reader types, space-separated (site/search.py)."""
SHARD = 2000
"""Records per Pagefind index: the indexer's peak is about 265 MB at 2,000 (549 MB at 4,000), whatever the
register's size: what the site build of a province adds to its own memory while the index is made
(benchmarks/bench_search.py; a reader's first search downloads one shard: 166 kB at 2,000). The
environment variable YUQING_PAGEFIND_SHARD overrides it (tests build the example register in shards of 5)."""
SHARDS = "yuqing-shards.json"
"""In ``pagefind/``: ``parts``, every shard newest first (``path`` relative to ``pagefind/``, "" for the first;
``count`` records; ``years`` and ``ids`` [first, last]: a year or an id typed is looked for in its shards first); ``shards``, the older shards' folders alone (docs/find.md merges
them); ``filters``, each filter's values with their record counts; ``records``, the count of all
(assets/yuqing-search.js)."""
FILTERS = ("等级", "年份", "领域", "单位")
"""The filters a reader narrows by, in the header box's order (their values are listed from ``SHARDS``)."""
SKIPPED = ("generated/", "pagefind/", "assets/", "search/", "find/", "404.html", "index.html")
"""Output HTML that is not a hand-written page for readers to find (generated pages come as records; the
home page is figures of the day)."""


def _meta(incident: Incident) -> dict[str, str]:
    found = parts(incident)
    facts = f"{short(incident.discovered_at)} · {incident.level} · {status_of(incident)}"
    return {"title": found.title, "概况": facts, "概要": found.summary[:SUMMARY]}


def _filters(incident: Incident) -> dict[str, list[str]]:
    units = list(dict.fromkeys([incident.units.lead, *incident.units.assisting]))
    kind = WITHDRAWN if incident.withdrawn else RECORD
    return {"等级": [incident.level], "年份": [str(incident.year)], "领域": [incident.category], "单位": units,
            KIND: [kind]}


def _joined(keys: str) -> str:
    """``keys`` without the words written with hyphens (YQ-2026-0004, 2026-04-14), each also there joined.

    Pagefind indexes a hyphenated word as its parts too (yq, 2026, 0004), and the browser takes the hyphens
    out of a query (yq20260004). A shard without the word a query names answers with the longest indexed
    word that starts it: with "yq" indexed, every record of a shard answered an id it does not hold."""
    return " ".join(word for word in keys.split(" ") if "-" not in word)


def _url(location: str) -> str:
    return "/" + location.lstrip("/")


class _Article(HTMLParser):
    """The text of a page's <article> and its first <h1> (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.in_h1 = False
        self.title: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article" or self.depth:
            self.depth += tag == "article"
            self.skip += tag in ("script", "style")
            self.in_h1 = self.in_h1 or (tag == "h1" and not self.title)

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= tag == "article"
            self.skip -= tag in ("script", "style") and self.skip > 0
            self.in_h1 = self.in_h1 and tag != "h1"

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.text.append(data)
            if self.in_h1:
                self.title.append(data)


def _hand_written(site_dir: Path) -> list[tuple[str, str, str]]:
    """(URL, title, text) of the hand-written pages in the output (guide, reference, home)."""
    found = []
    for path in sorted(site_dir.rglob("*.html")):
        relative = path.relative_to(site_dir).as_posix()
        if relative.startswith(SKIPPED):
            continue
        url = relative[: -len("index.html")] if relative.endswith("index.html") else relative
        article = _Article()
        article.feed(path.read_text(encoding="utf-8"))
        text = " ".join(" ".join(article.text).split())
        if text:
            found.append((_url(url), " ".join("".join(article.title).split()) or url, text))
    return found


class _Service:
    """Pagefind's indexing service (its binary with ``--service``), spoken to directly.

    The pagefind package's own client (pagefind.index.PagefindIndex) sleeps 0.1 s before reading each
    answer: 100 s per thousand records. Here a thread reads the answers as they come while the records
    are written one after another; the protocol is the package's (base64 JSON, each message ended by a
    comma).
    """

    def __init__(self) -> None:
        from pagefind.service import get_executable

        binary = get_executable()
        if binary is None:
            raise ValueError("找不到 Pagefind 程序(pip install 'pagefind[extended]')。")
        self.errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.errors)
        self.sent = 0
        self.answers: dict[int, dict[str, Any]] = {}
        self.failures: list[str] = []
        self.ready = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        pending = b""
        while chunk := os.read(self.process.stdout.fileno(), 1 << 16):
            pending += chunk
            *messages, pending = pending.split(b",")
            with self.ready:
                for message in messages:
                    answer = json.loads(base64.b64decode(message))
                    payload = answer.get("payload", {})
                    if payload.get("type") == "Error":
                        self.failures.append(str(payload.get("message")))
                    if answer.get("message_id") is not None and payload.get("type") != "IndexedFile":
                        self.answers[answer["message_id"]] = payload  # one per record is not kept
                self.ready.notify_all()
        with self.ready:
            self.failures.append("Pagefind 程序意外退出")
            self.ready.notify_all()

    def send(self, payload: dict[str, Any]) -> int:
        assert self.process.stdin is not None
        self.sent += 1
        message = {"message_id": self.sent, "payload": payload}
        try:
            self.process.stdin.write(base64.b64encode(json.dumps(message).encode("utf-8")) + b",")
        except BrokenPipeError:
            self._fail()
        return self.sent

    def answer(self, message_id: int) -> dict[str, Any]:
        """The answer to ``message_id``, after every message before it was answered."""
        assert self.process.stdin is not None
        self.process.stdin.flush()
        # Generous (the service does about 500 records a second on one core), but never forever.
        timeout = WAIT_SECONDS + self.sent / 50
        with self.ready:
            if not self.ready.wait_for(lambda: message_id in self.answers or bool(self.failures), timeout):
                self.failures.append(f"Pagefind 在 {timeout:.0f} 秒内没有完成")
            if self.failures:
                self._fail()
            return self.answers.pop(message_id)

    def _fail(self) -> None:
        self.errors.seek(0)
        said = self.errors.read().decode("utf-8", "replace").strip()[-500:]
        raise ValueError(f"Pagefind 生成索引失败:{'; '.join(self.failures[:3])} {said}".strip())

    def close(self) -> None:
        # The service answers WriteFiles before its last file is on disk (see _written): it is let exit by
        # itself once its input is closed, and ended only if it does not.
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except BrokenPipeError:
                pass
        try:
            self.process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait()
        self.errors.close()


def _written(entry: Path) -> None:
    """Wait until Pagefind's entry file is whole: the service answers WriteFiles before its last file is on disk
    (at 100,000 records a shard was left with an empty entry, and the browser could not search it)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            json.loads(entry.read_bytes())
            return
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                raise ValueError(f"Pagefind 生成索引失败:{entry} 在 {WAIT_SECONDS} 秒内没有写完") from None
            time.sleep(0.05)


def _shard_size() -> int:
    said = os.environ.get("YUQING_PAGEFIND_SHARD", "").strip()
    if not said:
        return SHARD
    if not said.isdigit() or int(said) < 1:
        raise ValueError(f"YUQING_PAGEFIND_SHARD 应为正整数,而不是“{said}”。")
    return int(said)


def _write_shard(output: Path, hand_written: list[tuple[str, str, str]], incidents: list[tuple[str, Incident]]) -> None:
    """One Pagefind index of ``incidents`` (and ``hand_written`` pages) into ``output``, by its own process."""
    service = _Service()
    try:
        made = service.answer(service.send({"type": "NewIndex", "config": {"force_language": LANGUAGE}}))
        index = made["index_id"]

        def add(url: str, content: str, meta: dict[str, str], filters: dict[str, list[str]]) -> None:
            # No sort keys: results come by relevance (a sort key costs memory in every record).
            service.send({"type": "AddRecord", "index_id": index, "url": url, "content": content,
                          "language": LANGUAGE, "meta": meta, "filters": filters, "sort": None})

        for url, title, text in hand_written:
            # Unsegmented index: the words a reader types come from jieba, as for the records.
            add(url, f"{title}\n{text}\n{' '.join(words_of([title, text]))}",
                {"title": title, "概要": text[:SUMMARY]}, {KIND: [PAGE]})
        for location, incident in incidents:
            found = parts(incident)
            # Only the words a reader types: the title and summary as written would be one long word each in
            # an unsegmented index, matching nothing but costing memory (the result shows them from meta).
            # The title's words thrice in all: a word of the title outranks one of the summary or units.
            content = "\n".join((_joined(found.keys), _joined(found.title_keys), _joined(found.title_keys)))
            add(_url(location), content, _meta(incident), _filters(incident))
        service.answer(service.send({"type": "WriteFiles", "index_id": index, "output_path": str(output)}))
        _written(output / "pagefind-entry.json")
    finally:
        service.close()


class _Tally:
    """What ``SHARDS`` says of one shard and of the filters, counted as the records go by (none kept)."""

    def __init__(self) -> None:
        self.parts: list[dict[str, Any]] = []
        self.filters: dict[str, dict[str, int]] = {name: {} for name in FILTERS}

    def shard(self, path: str, incidents: list[tuple[str, Incident]]) -> None:
        years = [incident.year for _, incident in incidents]
        ids = [incident.id for _, incident in incidents]
        self.parts.append({"path": path, "count": len(incidents),
                           "years": [min(years), max(years)] if years else [],
                           "ids": [min(ids, key=id_order), max(ids, key=id_order)] if ids else []})
        for _, incident in incidents:
            for name, values in _filters(incident).items():
                if name in self.filters:
                    for value in values:
                        self.filters[name][value] = self.filters[name].get(value, 0) + 1

    def json(self) -> str:
        return json.dumps({"parts": self.parts, "shards": [p["path"] for p in self.parts[1:]],
                           "filters": self.filters, "records": sum(p["count"] for p in self.parts)},
                          ensure_ascii=False, separators=(",", ":"))


_ID = re.compile(r"^(.*?)([A-Za-z]+)[^A-Za-z0-9]*([0-9]{4})[^A-Za-z0-9]*([0-9]+)$")


def id_order(record_id: str) -> tuple[str, str, int, int, str]:
    """``record_id``'s place among ids, its year and number by value: YQ-2026-10000 after YQ-2026-9999 (by
    text it came between YQ-2026-0999 and YQ-2026-1000), with or without hyphens, a city build's namespace
    first. The header box compares a typed id with each shard's first and last the same way
    (assets/yuqing-search.js)."""
    found = _ID.match(record_id)
    if found is None:
        return (record_id, "", 0, 0, record_id)
    namespace, prefix, year, number = found.groups()
    return (namespace, prefix.upper(), int(year), int(number), "")


def _newest_first(pages: Iterable[tuple[str, Incident]]) -> Iterable[tuple[str, Incident]]:
    """A list given whole (the plugin's records by id) sorted newest first; a stream is taken as it comes
    (the site build streams its records newest first)."""
    if isinstance(pages, (list, tuple)):
        return sorted(pages, key=lambda page: id_order(page[1].id), reverse=True)
    return pages


def _records(site_dir: Path, pages: Iterable[tuple[str, Incident]]) -> None:
    size = _shard_size()
    bundle = site_dir / "pagefind"
    # A shard of an earlier build (more records then) must not stay behind, whatever it holds.
    shutil.rmtree(bundle / "shards", ignore_errors=True)
    records = iter(_newest_first(pages))
    tally = _Tally()
    first = list(itertools.islice(records, size))
    _write_shard(bundle, _hand_written(site_dir), first)
    tally.shard("", first)
    del first
    while shard := list(itertools.islice(records, size)):
        path = f"shards/{len(tally.parts)}/"
        _write_shard(bundle / path, [], shard)
        tally.shard(path, shard)
        # Pagefind's scripts and styles are loaded from the first shard only (half a megabyte a shard).
        for file in (bundle / path).glob("*.*"):
            if file.suffix in (".js", ".css"):
                file.unlink()
    (bundle / SHARDS).write_text(tally.json(), encoding="utf-8")


def _whole_site(site_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ValueError(f"Pagefind 生成索引失败:{done.stderr.strip()[-500:]}")


def build_index(site_dir: Path, pages: Iterable[tuple[str, Incident]] | None) -> None:
    """Write Pagefind's index of ``site_dir`` into ``site_dir/pagefind/``; ValueError (in Chinese) on failure."""
    try:
        import pagefind.service  # noqa: F401 - present only with the pagefind package
    except ImportError as error:
        raise ValueError("pagefind 未安装(pip install 'pagefind[extended]'),无法生成搜索索引。") from error
    if pages is None:
        _whole_site(site_dir)
        return
    try:
        _records(site_dir, pages)
    except (OSError, KeyError, json.JSONDecodeError) as error:
        raise ValueError(f"Pagefind 生成索引失败:{type(error).__name__}: {error}") from error
