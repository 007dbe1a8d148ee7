"""The site at scale: build time, peak memory, size, and what a reader's first search costs.

    .venv/bin/python benchmarks/bench_site.py                       # 10,000 incidents
    .venv/bin/python benchmarks/bench_site.py --count 100000        # a province (needs time and memory)
    .venv/bin/python benchmarks/bench_site.py --pagefind /tmp/pf/bin/python   # also Pagefind, same site

The register is ``python -m yuqing.synthetic --history`` (seed 1), cached in
benchmarks/results/work/bench-site-N. Printed, one line each:

* ``mkdocs build``: wall time and peak memory (ru_maxrss of a fresh child), pages, site size;
* the search index (Material's lunr index, loaded whole by every reader): bytes, gzip bytes;
* first search in headless Chromium, query 电梯 typed on the home page: seconds to the first
  result and bytes transferred for it (index, worker; the page itself excluded);
* with ``--pagefind``: Pagefind (``pagefind[extended]`` from PyPI, Chinese segmentation) indexing
  the built site's incident pages (``data-pagefind-body``): time, index size and file count, and
  the bytes and seconds of a first search through its JS API (it loads only the chunks a query
  needs).

The machine is shared and has 2 cores: figures carry that noise (run twice, keep the better).
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import site_files, synthetic_into  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORK = PROJECT / "benchmarks" / "results" / "work"
NOW = "2026-11-02T10:00:00+08:00"

_PROBE = """
import json, resource, subprocess, sys, time
spec = json.loads(sys.stdin.read())
start = time.perf_counter()
done = subprocess.run(spec["cmd"], cwd=spec["cwd"], env=spec["env"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.PIPE)
print(json.dumps({"wall": time.perf_counter() - start, "rc": done.returncode,
                  "err": done.stderr.decode("utf-8", "replace")[-2000:],
                  "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    spec = {"cmd": cmd, "cwd": str(cwd), "env": dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env or {}))}
    out = subprocess.run([sys.executable, "-c", _PROBE], input=json.dumps(spec), capture_output=True, text=True,
                         check=True)
    result: dict[str, Any] = json.loads(out.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result['err']}")
    return result


def register(count: int) -> Path:
    root = WORK / f"bench-site-{count}"
    synthetic_into(root, count)
    site_files(root)
    return root


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def _serve(site: Path) -> tuple[socketserver.ThreadingTCPServer, str]:
    handler = lambda *a, **k: _Quiet(*a, directory=str(site), **k)  # noqa: E731
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


_WATCH = """
new MutationObserver((_, observer) => {
  if (document.querySelector('.md-search-result__item')) {
    window.__firstResultAt = performance.now(); observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def first_search(site: Path, query: str, pagefind: bool = False) -> tuple[float, int]:
    """(seconds to the first result, bytes transferred for the search) in headless Chromium, best of 3."""
    from playwright.sync_api import sync_playwright

    server, url = _serve(site)
    best: tuple[float, int] | None = None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for _ in range(3):
            context = browser.new_context()
            page = context.new_page()
            sizes: list[Any] = []
            page.on("requestfinished", lambda r: sizes.append(r))
            if pagefind:
                page.goto(url)
                page.wait_for_load_state("load")
                sizes.clear()
                seconds = page.evaluate("""async q => { const t = performance.now();
                    const pf = await import('./pagefind/pagefind.js'); await pf.init();
                    const r = await pf.search(q); await Promise.all(r.results.slice(0, 5).map(x => x.data()));
                    return (performance.now() - t) / 1000; }""", query)
            else:
                context.add_init_script(_WATCH)
                page.goto(url)
                page.wait_for_load_state("load")
                start = page.evaluate("performance.now()")
                page.locator("label.md-search__icon, .md-search__input").first.click()
                page.locator(".md-search__input").fill(query)
                page.locator(".md-search-result__item").first.wait_for(timeout=120_000)
                seconds = (page.evaluate("window.__firstResultAt") - start) / 1000
            search = [r for r in sizes if "/pagefind/" in r.url] if pagefind else \
                [r for r in sizes if "/search/" in r.url or "worker" in r.url]
            transferred = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in search)
            best = (seconds, transferred) if best is None or seconds < best[0] else best
            context.close()
        browser.close()
    server.shutdown()
    assert best is not None
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--pagefind", help="Python with pagefind[extended] installed")
    parser.add_argument("--query", default="电梯")
    parser.add_argument("--search-only", action="store_true", help="reuse the built site: measure searches only")
    args = parser.parse_args()
    if args.search_only:
        site = WORK / f"bench-site-{args.count}" / "site"
        for pagefind in (False, True):
            seconds, transferred = first_search(site, args.query, pagefind=pagefind)
            print(f"{'pagefind' if pagefind else 'lunr'} first result ({args.query}): {seconds:.2f} s, "
                  f"{transferred / 1e6:.2f} MB transferred", flush=True)
        return 0
    root = register(args.count)
    site = root / "site"
    shutil.rmtree(site, ignore_errors=True)
    built = measure([str(BIN / "mkdocs"), "build", "-q", "-d", str(site)], root, {"YUQING_NOW": NOW})
    pages = sum(1 for _ in site.rglob("*.html"))
    index = site / "search" / "search_index.json"
    raw = index.read_bytes()
    lines = [
        f"incidents: {args.count:,}  (2 shared cores; figures are noisy)",
        f"mkdocs build: {built['wall']:.1f} s, peak {built['rss_mb']:.0f} MB, {pages:,} pages, "
        f"site {size_of(site) / 1e6:.0f} MB",
        f"lunr index: {len(raw) / 1e6:.2f} MB ({len(gzip.compress(raw)) / 1e6:.2f} MB gzip), "
        f"{len(raw) / args.count:.0f} B per incident",
    ]
    print("\n".join(lines), flush=True)
    seconds, transferred = first_search(site, args.query)
    lines.append(f"lunr first result ({args.query}): {seconds:.2f} s, {transferred / 1e6:.2f} MB transferred "
                 "(uncompressed server)")
    print(lines[-1], flush=True)
    if args.pagefind:
        indexed = measure([args.pagefind, "-m", "pagefind", "--site", str(site)], root)
        folder = site / "pagefind"
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        lines.append(f"pagefind index: {indexed['wall']:.1f} s, peak {indexed['rss_mb']:.0f} MB, "
                     f"{size_of(folder) / 1e6:.1f} MB in {files:,} files")
        print(lines[-1], flush=True)
        seconds, transferred = first_search(site, args.query, pagefind=True)
        lines.append(f"pagefind first result ({args.query}): {seconds:.2f} s, {transferred / 1e6:.2f} MB transferred")
        print(lines[-1], flush=True)
    out = PROJECT / "benchmarks" / "results" / f"site-{args.count}.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
