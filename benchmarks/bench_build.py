"""The site build at scale: wall, CPU, peak memory of the whole process tree, pages, site size.

    .venv/bin/python benchmarks/bench_build.py --count 10000              # register made (with history) and cached
    .venv/bin/python benchmarks/bench_build.py --root /tmp/reg/r100000    # an existing register (copied, not written)
    .venv/bin/python benchmarks/bench_build.py --count 10000 --runs 3     # median of 3
    .venv/bin/python benchmarks/bench_build.py --root /tmp/reg/r100000 --pagefind off --no-downloads

The register is ``python -m yuqing.synthetic --count N --seed 1 --history`` (cached in
benchmarks/results/work/build-N), or a copy of ``--root`` (``git clone``: the original is never
written). The project's docs/, overrides/ and mkdocs.yml are copied in, and ``mkdocs build``
runs with a fixed ``YUQING_NOW``. Memory is the peak of the SUM of the resident sizes of the
build and every process it starts (Pagefind included), sampled every 50 ms from /proc: what the
machine must have free, not only the largest process; as RSS, as PSS (a page shared by forked
processes counted once), and as anonymous memory (RSS less files mapped: `git log` maps its pack
files, which reads as gigabytes of RSS at 300,000 commits but is cache the kernel can drop). CPU is user + system time of the whole
tree (``RUSAGE_CHILDREN``).

The machine is shared and has 2 cores: wall times carry that noise; CPU and memory less so.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORK = PROJECT / "benchmarks" / "results" / "work"
NOW = "2026-11-02T10:00:00+08:00"


def tree_memory_kb(pid: int) -> tuple[int, int, int]:
    """Resident kB of ``pid`` and all its descendants: the sum of their RSS, of their PSS (a page
    shared by n processes counts 1/n in each: a worker forked from the build shares its pages, which
    the RSS sum would count twice), and of their anonymous memory (RssAnon: what the machine must
    provide; the rest is files mapped, such as git's pack files read by `git log`, cache the kernel
    drops when memory is short). One /proc walk."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as handle:
                text = handle.read()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("PPid:"):
                children.setdefault(int(line.split()[1]), []).append(int(entry))
                break
    rss = pss = anon = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, ()))
        try:
            with open(f"/proc/{current}/status", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("RssAnon:"):
                        anon += int(line.split()[1])
        except OSError:
            continue
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss, pss, anon


def run_tree(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, CPU seconds and peak tree MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = peak_anon = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss, peak_anon
        while not done.is_set():
            rss, pss, anon = tree_memory_kb(process.pid)
            peak, peak_pss, peak_anon = max(peak, rss), max(peak_pss, pss), max(peak_anon, anon)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode('utf-8', 'replace')[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "peak_mb": peak / 1024, "peak_pss_mb": peak_pss / 1024,
            "peak_anon_mb": peak_anon / 1024}


def clone_into(source: Path, root: Path) -> None:
    """A git clone of ``source`` at ``root``, unless one is there already (the source is never written)."""
    if not (root / ".git").is_dir():
        shutil.rmtree(root, ignore_errors=True)
        root.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "-q", str(source), str(root)], check=True)


def synthetic_into(root: Path, count: int) -> None:
    """A generated register of ``count`` incidents with git history at ``root``, unless one is there already."""
    if not (root / ".git").is_dir():
        shutil.rmtree(root, ignore_errors=True)
        root.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "yuqing.synthetic", "--count", str(count), "--seed", "1",
                        "--out", str(root), "--history"], check=True, stdout=subprocess.DEVNULL)


def site_files(root: Path) -> None:
    """The project's mkdocs.yml, hand-written pages and theme overrides, fresh, in the register at ``root``."""
    for part in ("docs", "overrides"):
        shutil.rmtree(root / part, ignore_errors=True)
        shutil.copytree(PROJECT / part, root / part, ignore=shutil.ignore_patterns("generated",
                                                                                    "feed.xml"))
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")


def register(count: int, source: Path | None) -> Path:
    if source is not None:
        root = WORK / f"build-{source.name}"
        clone_into(source, root)
    else:
        root = WORK / f"build-{count}"
        synthetic_into(root, count)
    site_files(root)
    return root


def size_of(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--root", type=Path, help="an existing register (cloned, never written)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--pagefind", choices=("auto", "on", "off"), default=None,
                        help="the plugin's pagefind option (default: mkdocs.yml's)")
    parser.add_argument("--no-downloads", action="store_true",
                        help="the plugin's downloads: false (no 台账/report files on the statistics page)")
    args = parser.parse_args()
    root = register(args.count, args.root)
    count = sum(1 for _ in (root / "incidents").rglob("*.yml"))
    site = root / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", YUQING_NOW=NOW)
    options = ([f"pagefind: '{args.pagefind}'"] if args.pagefind else []) + (["downloads: false"] if args.no_downloads else [])
    if options:
        config = (root / "mkdocs.yml").read_text(encoding="utf-8")
        settings = "".join(f"\n      {option}" for option in options)
        (root / "mkdocs.yml").write_text(config.replace("\n  - yuqing\n", f"\n  - yuqing:{settings}\n"), encoding="utf-8")
    results = []
    for _ in range(args.runs):
        shutil.rmtree(site, ignore_errors=True)
        results.append(run_tree([str(BIN / "mkdocs"), "build", "-q", "-d", str(site)], root, env))
        print(f"  run: {results[-1]['wall']:.1f} s wall, {results[-1]['cpu']:.1f} s CPU, "
              f"peak {results[-1]['peak_mb']:.0f} MB RSS, {results[-1]['peak_pss_mb']:.0f} MB PSS, "
              f"{results[-1]['peak_anon_mb']:.0f} MB anonymous", file=sys.stderr,
              flush=True)
    pages = sum(1 for _ in site.rglob("*.html"))
    files, size = size_of(site)
    wall = statistics.median(r["wall"] for r in results)
    cpu = statistics.median(r["cpu"] for r in results)
    peak = statistics.median(r["peak_mb"] for r in results)
    peak_pss = statistics.median(r["peak_pss_mb"] for r in results)
    peak_anon = statistics.median(r["peak_anon_mb"] for r in results)
    print(f"incidents: {count:,}  mkdocs build (median of {len(results)}): {wall:.1f} s wall, {cpu:.1f} s CPU, "
          f"peak {peak:.0f} MB RSS, {peak_pss:.0f} MB PSS, {peak_anon:.0f} MB anonymous (process tree); {pages:,} pages, {files:,} files, site {size / 1e6:.0f} MB",
          flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
