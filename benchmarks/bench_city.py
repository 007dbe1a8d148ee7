"""The city view at scale: 50 county exports of 2,000 records each, fetched over HTTP on 127.0.0.1.

    .venv/bin/python benchmarks/bench_city.py                          # aggregate, 50 × 2,000
    .venv/bin/python benchmarks/bench_city.py --site                   # and the city site's mkdocs build
    .venv/bin/python benchmarks/bench_city.py --each 200 --site        # a quicker site (50 × 200)

One generated county register (``python -m yuqing.synthetic``, seed 1) is exported
with ``yuqing export json``; the city's sources.yml lists ``--counties`` copies of
that export (one name each), served by an HTTP server in this process, so every
figure includes fetching. Each figure is a whole command in a fresh process, as in
bench_scale.py (whose measuring this reuses): median wall and CPU (user + system,
workers included) of ``--runs`` runs, peak memory of the largest process.

* ``aggregate, cold``: no ``.yuqing-cache`` (every export validated and its records built);
* ``aggregate, exports unchanged``: each export's records kept from the previous run;
* ``mkdocs build`` of the city register (``yuqing: {city: true}``, Pagefind off), exports unchanged.

Prints a Markdown table and writes benchmarks/results/city.md (git-ignored).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import BIN, NOW, PY, PROJECT, RESULTS, Row, machine, measure, register, snapshot, table  # noqa: E402

import subprocess  # noqa: E402


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def serve(folder: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd


def city(work: Path, counties: int, each: int, env: dict[str, str], base: str, served: Path) -> Path:
    """A city register over ``counties`` exports of ``each`` records, with the project's site files."""
    county = register(work, each, env)
    export = work / f"county-export-{each}.json"
    subprocess.run([str(BIN / "yuqing"), "export", "json", "--now", NOW, "--out", str(export)], cwd=county,
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    doc = json.loads(export.read_text(encoding="utf-8"))
    root = work / f"city-{counties}x{each}"
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(served, ignore_errors=True)
    root.mkdir(parents=True)
    served.mkdir(parents=True)
    shutil.copy(PROJECT / "register.yml", root / "register.yml")
    sources = []
    for index in range(counties):
        code = 330101 + index
        doc["register"]["name"] = f"第{index + 1}区"
        (served / f"{code}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        sources.append(f"  - name: 第{index + 1}区\n    code: \"{code}\"\n    url: {base}/{code}.json\n"
                       f"    freshness_hours: 24\n")
    (root / "sources.yml").write_text("sources:\n" + "".join(sources), encoding="utf-8")
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("  - yuqing\n", "  - yuqing: {city: true, pagefind: 'off'}\n"),
                                     encoding="utf-8")
    for part in ("guide", "assets", "reference"):
        shutil.copytree(PROJECT / "docs" / part, root / "docs" / part)
    shutil.copy(PROJECT / "docs" / "find.md", root / "docs" / "find.md")
    shutil.copytree(PROJECT / "overrides", root / "overrides")
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", type=int, default=50)
    parser.add_argument("--each", type=int, default=2000, help="records per county export")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", action="store_true", help="also time the city site's mkdocs build")
    parser.add_argument("--site-runs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=RESULTS / "city")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env = snapshot(args.work)
    header = machine()
    served = args.work / "served"
    base, httpd = serve(served)
    try:
        root = city(args.work, args.counties, args.each, env, base, served)
        n = f"{args.counties} × {args.each:,}"
        yuqing = [str(BIN / "yuqing"), "aggregate", "--now", NOW]
        rows: list[Row] = []

        def done(row: Row) -> None:  # each figure as it comes: a site build at 50 × 2,000 takes long
            rows.append(row)
            print(table([row]).splitlines()[-1], flush=True)

        cold = measure([*yuqing, "--show", "stats"], root, env, args.runs, before=["rm", "-rf", ".yuqing-cache"])
        done(("aggregate --show stats, cold (no .yuqing-cache)", n, cold, "< 10 s",
                     "yes" if cold.wall < 10 else "NO"))
        for show in ("stats", "deadlines"):
            warm = measure([*yuqing, "--show", show], root, env, args.runs)
            done((f"aggregate --show {show}, exports unchanged", n, warm, "< 10 s",
                         "yes" if warm.wall < 10 else "NO"))
        if args.site:
            site_env = dict(env, YUQING_NOW=NOW, NO_MKDOCS_2_WARNING="1")
            build = measure([PY, "-m", "mkdocs", "build", "-q", "-d", str(args.work / "site")], root, site_env,
                            args.site_runs, ok=(0,))
            pages = sum(1 for _ in (args.work / "site").rglob("index.html"))
            done((f"mkdocs build, city site ({pages:,} pages), exports unchanged", n, build, "", ""))
    finally:
        httpd.shutdown()
    text = f"Machine: {header}\n\n{table(rows)}\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "city.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
