"""Search at scale: building Pagefind's index, and a reader's first search, served and offline.

    .venv/bin/python benchmarks/bench_search.py --register /tmp/reg/r10000          # an existing register
    .venv/bin/python benchmarks/bench_search.py --count 2000                         # a synthetic one (seed 1)
    .venv/bin/python benchmarks/bench_search.py --register R --cli-site SITE         # also Pagefind's CLI on SITE
    .venv/bin/python benchmarks/bench_search.py --register R --skip index --find     # the 查找 page too

Printed, one line each (wall and CPU seconds, peak memory in MB as ru_maxrss of a fresh child):

* ``index records``: what the plugin's Pagefind step costs (site/pagefind.build_index with one
  custom record per incident, no HTML parsed, in shards of site/pagefind.SHARD records newest first,
  one Pagefind process after another): loading the register without records (its Derived values),
  then indexing the records streamed from the check cache newest first (register.each_record), as
  the site build feeds them; peak memory of the Python process and of the largest Pagefind process
  (its VmHWM) separately; index size (all shards) and file count.
* ``index cli`` (with ``--cli-site``, a built site): ``python -m pagefind --site`` on a copy of it,
  the way before this step (every HTML file parsed), for comparison.
* ``served first search``: the example site's served build with the register's Pagefind index in
  place of its own, in headless Chromium: query 电梯 typed in the header box as soon as the page
  is there; seconds from navigation and from typing to the first result shown, and bytes fetched
  before it (Pagefind's script, worker, wasm, the shard list, the newest shard's entry, metadata,
  chunks and 类别 filter, the shown results' fragments; Chromium's network events); then the time
  and bytes until the count is whole (the older shards are searched after a pause). Then the same
  for the oldest record's id (``--old-id``, default the register's oldest published id): a query
  only the oldest shard answers.
* ``find page first search`` (with ``--find``): the same two queries typed on the 查找 page (find/), which
  searches the shards the way the header box does (assets/yuqing-search.js).
* ``offline first search``: the example's offline build (file://) with a lunr index of the
  register's records (site/search.entry, as the plugin adds them), the same query: seconds from
  navigation to the first result, and the size of the index every reader loads whole.

The example sites are built once into the work folder; the register's pages are not built (the
two searches only read their indexes). The machine is shared and has 2 cores: run it three times
and keep the median.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
WORK = PROJECT / "benchmarks" / "results" / "work"
NOW = "2026-11-23T10:00:00+08:00"
QUERY = "电梯"
CHROMIUM = "/usr/bin/chromium"


_PROBE = """
import json, resource, subprocess, sys, time
args = json.loads(sys.argv[1])
start = time.perf_counter()
done = subprocess.run(args, capture_output=True, text=True)
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": time.perf_counter() - start, "rc": done.returncode, "out": done.stdout,
                  "err": done.stderr[-3000:], "cpu": use.ru_utime + use.ru_stime, "rss_mb": use.ru_maxrss / 1024}))
"""


def _run(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``args`` in a fresh child; its wall, CPU (user+sys, with its children) and peak memory (largest
    process of it and its children, ru_maxrss)."""
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(args)], capture_output=True, text=True,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env or {})), check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result['err']}")
    return result


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def _register(args: argparse.Namespace) -> Path:
    if args.register:
        return Path(args.register).resolve()
    target = WORK / f"bench-search-{args.count}"
    if not (target / "register.yml").exists():
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "yuqing.synthetic", "--count", str(args.count), "--seed", "1",
              "--out", str(target)])
    return target


def _example_sites() -> dict[str, Path]:
    """The example register's served and offline builds (built once)."""
    built = {"served": WORK / "bench-search-example" / "site", "offline": WORK / "bench-search-example" / "offline"}
    script = (PROJECT / "docs" / "assets" / "yuqing-search.js").read_bytes()
    for name, target in built.items():
        # Built again when the header box's script changed since (a stale one would search the old way).
        shipped = target / "assets" / "yuqing-search.js"
        if not (target / "index.html").exists() or not shipped.is_file() or shipped.read_bytes() != script:
            shutil.rmtree(target, ignore_errors=True)
            env = {"YUQING_NOW": NOW, "YUQING_OFFLINE": "true" if name == "offline" else "false"}
            _run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(PROJECT / "mkdocs.yml"), "-d", str(target)],
                 env=env)
    return built


# --- in the child -----------------------------------------------------------------------

def _published(register: Path) -> tuple[Any, list[Any]]:
    """The register loaded without records (its Derived values) and its published records' Derived, newest
    first: the records are then streamed from the check cache (register.each_record), as the site build
    does, never all held."""
    import io
    import logging
    from datetime import datetime

    import jieba

    from yuqing.register import load_register
    from yuqing.site.dictionary import userdict
    from yuqing.site.pagefind import id_order
    from yuqing.times import parse_time, zone

    now = parse_time(NOW, zone("Asia/Shanghai"))
    assert isinstance(now, datetime)
    loaded = load_register(register, now=now, records=False, derived=True)
    chosen = sorted((d for d in loaded.derived if not d.facts.confidential), key=lambda d: id_order(d.id),
                    reverse=True)
    jieba.setLogLevel(logging.WARNING)  # the plugin loads the register's words the same way (less the tags)
    assert loaded.config is not None
    jieba.load_userdict(io.BytesIO(userdict(loaded.config, []).encode("utf-8")))
    return loaded, chosen


def child_index(register: Path, site: Path) -> None:
    from yuqing.register import each_record
    from yuqing.site import pagefind
    from yuqing.site.pagefind import build_index

    # Each Pagefind process's own peak (VmHWM), read before it is ended: ru_maxrss of the children would
    # also count the copy of this (large) process each starts as.
    peaks: list[float] = []
    close = pagefind._Service.close

    def measured(service: Any) -> None:
        for line in Path(f"/proc/{service.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
        close(service)

    pagefind._Service.close = measured  # type: ignore[method-assign]
    start = time.perf_counter()
    loaded, chosen = _published(register)
    ready = time.perf_counter()
    pages = ((f"generated/incidents/{i.year}/{i.id}/", i) for i in each_record(loaded, chosen))
    build_index(site, pages)
    done = time.perf_counter()
    print(json.dumps({"records": len(chosen), "load_s": ready - start, "index_s": done - ready,
                      "python_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "pagefind_mb": max(peaks), "oldest": chosen[-1].id if chosen else ""}))


def child_lunr(register: Path, target: Path, example_index: Path) -> None:
    from yuqing.register import each_record
    from yuqing.site.search import entry

    loaded, chosen = _published(register)
    data = json.loads(example_index.read_text(encoding="utf-8"))
    # The example's hand-written pages stay; its records are replaced by the register's.
    docs = [d for d in data["docs"] if not d["location"].startswith("generated/incidents/")]
    docs += [entry(i, f"generated/incidents/{i.year}/{i.id}.html") for i in each_record(loaded, chosen)]
    data["docs"] = docs
    target.write_text("var __index = " + json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                      encoding="utf-8")
    print(json.dumps({"records": len(chosen)}))


# --- in Chromium ------------------------------------------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


_DONE = ("() => { const m = document.querySelector('%s'); "
         "return m && /^(找到 \\d+ 个结果|没有找到)/.test(m.textContent); }")
"""The count is whole: every shard the query needs was searched (no 至少, nothing pending); its %s the count's selector."""

BOX = {"input": ".md-search__input", "item": ".md-search-result__item", "meta": ".md-search-result__meta",
       "title": ".md-search-result__item h1"}
FIND = {"input": ".pagefind-ui__search-input", "item": ".pagefind-ui__result", "meta": ".pagefind-ui__message",
        "title": ".pagefind-ui__result-title"}
"""The header box's elements and the 查找 page's (docs/find.md), which search the same way."""


def _first_search(url: str, query: str = QUERY, whole: bool = False, look: dict[str, str] = BOX) -> dict[str, Any]:
    from playwright.sync_api import TimeoutError as Timeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        # When the first result is put in (page clock, ms since the epoch, as Playwright's request timings).
        page.add_init_script("new MutationObserver((_, seen) => { if (document.querySelector("
                             "'" + look["item"] + "')) { window.__firstResult = Date.now(); seen.disconnect(); } })"
                             ".observe(document, {childList: true, subtree: true});")
        requests: list[Any] = []
        start = time.perf_counter()
        page.goto(url, wait_until="domcontentloaded")
        loaded = time.perf_counter()
        page.on("requestfinished", lambda request: requests.append(request))
        box = page.locator(look["input"])
        box.click()
        typed = time.perf_counter()
        box.fill(query)
        for _ in range(1200):
            # The theme drops what is typed before its index is loaded, and searches on a key going up:
            # press a key again (the Pagefind box searches on input, once, and ignores it).
            box.press("End")
            try:
                page.wait_for_selector(look["item"], timeout=100)
                break
            except Timeout:
                continue
        shown = time.perf_counter()
        said = page.locator(look["meta"]).inner_text()
        complete = None
        if whole:
            # Served: the older shards are searched after a pause; the count is whole when all are.
            page.wait_for_function(_DONE % look["meta"], polling=100, timeout=120000)
            complete = time.perf_counter() - typed
            page.wait_for_timeout(500)
        else:
            page.wait_for_timeout(3000)  # what comes after the first result (the filter lists) is counted apart
        first = page.evaluate("window.__firstResult")
        fetched = before = 0
        for request in requests:
            if request.url.startswith("http"):
                sizes = request.sizes()
                fetched += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                if request.timing["startTime"] + request.timing["responseEnd"] <= first:
                    before += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        results = page.locator(look["item"]).count()
        heads = page.locator(look["title"]).all_inner_texts()
        total = page.locator(look["meta"]).inner_text()
        browser.close()
    return {"from_navigation_s": shown - start, "from_typing_s": shown - typed, "page_s": loaded - start,
            "bytes": fetched, "bytes_before": before, "requests": len(requests), "results": results,
            "said": said, "total": total, "complete_s": complete, "first": heads[0] if heads else ""}


def _served(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


# --- main -----------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--register", help="an existing register (default: a synthetic one of --count records)")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--cli-site", help="a built site (served) to run Pagefind's CLI on, for comparison")
    parser.add_argument("--skip", action="append", default=[], choices=["index", "served", "offline"],
                        help="leave a part out (--skip index: search the index the last run made)")
    parser.add_argument("--old-id", help="also search this id (a record of the oldest shard) in the served build")
    parser.add_argument("--find", action="store_true",
                        help="also search the served build's 查找 page (find/) the same way as the header box")
    parser.add_argument("_child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        kind, *rest = args._child
        if kind == "index":
            child_index(Path(rest[0]), Path(rest[1]))
        else:
            child_lunr(Path(rest[0]), Path(rest[1]), Path(rest[2]))
        return
    register = _register(args)
    count = len(list((register / "incidents").rglob("*.yml")))
    print(f"register {register}: {count} incident files")
    sites = _example_sites()
    work = WORK / f"bench-search-run-{count}"
    served = work / "served"
    if "index" not in args.skip or not (served / "pagefind").is_dir():
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(sites["served"], served)
    else:
        # --skip index searches the index the last run made, in the example's pages and scripts as built now
        shutil.copytree(sites["served"], served, ignore=shutil.ignore_patterns("pagefind"), dirs_exist_ok=True)
    old_id = args.old_id
    if "index" not in args.skip:
        shutil.rmtree(served / "pagefind")
        run = _run([sys.executable, __file__, "index", str(register), str(served)])
        child = json.loads(run["out"].strip().splitlines()[-1])
        size, files = _size(served / "pagefind")
        shards = 1 + len(json.loads((served / "pagefind" / "yuqing-shards.json").read_text())["shards"])
        print(f"index records: {child['records']} records in {shards} shards, wall {run['wall']:.1f} s (load {child['load_s']:.1f} s, "
              f"index {child['index_s']:.1f} s), CPU {run['cpu']:.1f} s, peak python {child['python_mb']:.0f} MB, "
              f"pagefind {child['pagefind_mb']:.0f} MB; index {size / 1e6:.1f} MB in {files} files")
        old_id = old_id or child["oldest"]
    if args.cli_site:
        copy = work / "cli-site"
        shutil.copytree(args.cli_site, copy, ignore=shutil.ignore_patterns("pagefind"))
        run = _run([sys.executable, "-m", "pagefind", "--site", str(copy), "--silent"])
        size, files = _size(copy / "pagefind")
        print(f"index cli: wall {run['wall']:.1f} s, CPU {run['cpu']:.1f} s, peak {run['rss_mb']:.0f} MB; "
              f"index {size / 1e6:.1f} MB in {files} files")
    if "served" not in args.skip:
        server, base = _served(served)
        try:
            found = _first_search(base + "guide/levels/", QUERY, whole=True)
            print(f"served first search ({QUERY}): {found['from_navigation_s']:.2f} s from navigation "
                  f"({found['from_typing_s']:.2f} s from typing), {found['bytes_before'] / 1e3:.0f} kB before the first "
                  f"result ({found['said']}); whole count in {found['complete_s']:.1f} s from typing, "
                  f"{found['bytes'] / 1e3:.0f} kB in {found['requests']} requests in all ({found['total']})")
            if old_id:
                found = _first_search(base + "guide/levels/", old_id, whole=True)
                print(f"served first search ({old_id}, an old record): {found['from_typing_s']:.2f} s from "
                      f"typing, {found['bytes_before'] / 1e3:.0f} kB before the first result ({found['first'][:40]}); "
                      f"whole count in {found['complete_s']:.1f} s, {found['bytes'] / 1e3:.0f} kB in all "
                      f"({found['total']})")
            if args.find:
                for query in (QUERY, old_id):
                    if not query:
                        continue
                    found = _first_search(base + "find/", query, whole=True, look=FIND)
                    print(f"find page first search ({query}): {found['from_navigation_s']:.2f} s from navigation "
                          f"({found['from_typing_s']:.2f} s from typing), {found['bytes_before'] / 1e3:.0f} kB before "
                          f"the first result ({found['said']}); whole count in {found['complete_s']:.1f} s from typing, "
                          f"{found['bytes'] / 1e3:.0f} kB in {found['requests']} requests in all ({found['total']})")
        finally:
            server.shutdown()
    if "offline" not in args.skip:
        offline = work / "offline"
        shutil.rmtree(offline, ignore_errors=True)
        shutil.copytree(sites["offline"], offline)
        script = offline / "search" / "search_index.js"
        _run([sys.executable, __file__, "lunr", str(register), str(script), str(offline / "search" / "search_index.json")])
        found = _first_search((offline / "guide" / "levels.html").as_uri())
        print(f"offline first search ({QUERY}): {found['from_navigation_s']:.2f} s from navigation, "
              f"index {script.stat().st_size / 1e6:.1f} MB loaded whole, {found['results']} results shown")


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT / "scripts"))
    main()
