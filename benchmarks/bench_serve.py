"""`mkdocs serve` on a large register: how long until a change to one incident is visible.

    .venv/bin/python benchmarks/bench_serve.py --root benchmarks/results/work/build-10000
    .venv/bin/python benchmarks/bench_serve.py --root /tmp/reg/r10000 --edits 3

``--root`` is cloned (``git clone``, never written) into benchmarks/results/work/serve-<name>,
with the project's docs/, overrides/ and mkdocs.yml. ``mkdocs serve`` starts on a free port;
once the first build is served, one incident file's title is edited (a line ``title: …``), and
the incident's page is fetched every 50 ms until it shows the new title: that time is printed,
for each of ``--edits`` edits (different incidents), with the CPU time the serve process tree spent
meanwhile (user + system, from /proc: on a loaded machine wall time is mostly waiting), then the
median. Also printed: the first build's time and the peak memory of the serve process tree
(sampled from /proc).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import clone_into, site_files, tree_memory_kb  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORK = PROJECT / "benchmarks" / "results" / "work"
_TITLE = re.compile(r"^title:[ \t]*(.+)$", re.MULTILINE)


def prepare(source: Path) -> Path:
    root = WORK / f"serve-{source.name}"
    clone_into(source, root)
    subprocess.run(["git", "checkout", "-q", "--", "incidents"], cwd=root, check=True)  # undo last run's edits
    site_files(root)
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError):
        return None


def tree_cpu(pid: int) -> float:
    """User + system seconds of ``pid`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += ticks.get(current, 0)
        todo.extend(children.get(current, ()))
    return total / os.sysconf("SC_CLK_TCK")


def page_url(base: str, path: Path) -> str:
    """The served URL of an incident file's page (directory URLs)."""
    year, stem = path.parent.name, path.stem
    return f"{base}generated/incidents/{year}/{stem}/"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    root = prepare(args.root.resolve())
    files = sorted((root / "incidents").rglob("*.yml"))
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    log = open(WORK / "serve.log", "wb")
    start = time.perf_counter()
    server = subprocess.Popen([str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"], cwd=root, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_memory_kb(server.pid)[0])
            time.sleep(0.1)

    threading.Thread(target=sample, daemon=True).start()
    try:
        picks = [files[(n + 1) * len(files) // (args.edits + 1)] for n in range(args.edits)]
        first = page_url(base, picks[0])
        while fetch(first) is None:
            if server.poll() is not None or time.perf_counter() - start > args.timeout:
                raise SystemExit(f"mkdocs serve did not come up; see {WORK / 'serve.log'}")
            time.sleep(0.2)
        print(f"first build served: {time.perf_counter() - start:.1f} s", flush=True)
        times: list[float] = []
        cpus: list[float] = []
        for number, path in enumerate(picks, 1):
            time.sleep(2)  # let the watcher settle
            text = path.read_text(encoding="utf-8")
            match = _TITLE.search(text)
            assert match, path
            marker = f"改动{number}号{int(time.time())}"
            path.write_text(text[:match.end(1)] + marker + text[match.end(1):], encoding="utf-8")
            edited = time.perf_counter()
            cpu_before = tree_cpu(server.pid)
            url = page_url(base, path)
            while True:
                body = fetch(url)
                if body is not None and marker in body:
                    break
                if time.perf_counter() - edited > args.timeout:
                    raise SystemExit(f"the change to {path.name} never showed")
                time.sleep(0.05)
            times.append(time.perf_counter() - edited)
            cpus.append(tree_cpu(server.pid) - cpu_before)
            print(f"edit {number} ({path.name}): visible after {times[-1]:.2f} s ({cpus[-1]:.2f} s CPU)", flush=True)
        print(f"change to visible (median of {len(times)}): {statistics.median(times):.2f} s, "
              f"{statistics.median(cpus):.2f} s CPU; "
              f"serve peak {peak / 1024:.0f} MB (process tree)", flush=True)
    finally:
        done.set()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        subprocess.run(["git", "checkout", "-q", "--", "incidents"], cwd=root, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
