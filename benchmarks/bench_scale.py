"""Province scale: the targets of 100,000 records and of a city over 50 county registers.

    .venv/bin/python benchmarks/bench_scale.py                 # 100,000 records (about 25 minutes on 2 cores)
    .venv/bin/python benchmarks/bench_scale.py --count 10000   # quicker
    .venv/bin/python benchmarks/bench_scale.py --only city     # the city view only

Every figure is a whole command in a fresh process (start included): the median
of ``--runs`` runs (default 3) of wall time and CPU time (user + system of the
command and its workers), and the peak memory of its largest process
(``ru_maxrss`` of RUSAGE_CHILDREN). The floor is libyaml parsing every file in
one bare process. The code measured is a copy of ``scripts/yuqing`` taken at
the start (others may be editing the working tree; a change to the code a
verdict depends on would empty the check cache mid-run). Prints a Markdown
table with the targets and writes benchmarks/results/scale.md (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PY = str(BIN / "python")
RESULTS = PROJECT / "benchmarks" / "results"
NOW = "2026-11-23T12:00:00+08:00"

FLOOR = ("import glob, yaml\n"
         "for name in glob.glob('incidents/*/*.yml'):\n"
         "    with open(name, 'rb') as f: yaml.load(f, Loader=yaml.CSafeLoader)\n")

_PROBE = """
import json, resource, subprocess, sys, time
spec = json.loads(sys.stdin.read())
start = time.perf_counter()
done = subprocess.run(spec["cmd"], cwd=spec["cwd"], env=spec["env"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rc": done.returncode,
                  "err": done.stderr.decode("utf-8", "replace")[-600:], "rss_kb": usage.ru_maxrss}))
"""


@dataclass
class Figure:
    wall: float
    cpu: float
    peak_mb: float
    spread: str
    rc: int = 0
    """The exit status of the last run."""


def measure(cmd: list[str], cwd: Path, env: dict[str, str], runs: int, ok: tuple[int, ...] = (0, 1),
            before: list[str] | None = None) -> Figure:
    walls, cpus, peak, rc = [], [], 0.0, 0
    for _ in range(runs):
        if before:
            subprocess.run(before, cwd=cwd, check=True)
        out = subprocess.run([PY, "-c", _PROBE], input=json.dumps({"cmd": cmd, "cwd": str(cwd), "env": env}),
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout)
        if result["rc"] not in ok:
            raise RuntimeError(f"{' '.join(cmd[:4])} exited {result['rc']}: {result['err']}")
        rc = result["rc"]
        walls.append(result["wall"])
        cpus.append(result["cpu"])
        peak = max(peak, result["rss_kb"] / 1024)
    spread = f"{min(walls):.2f}–{max(walls):.2f}"
    return Figure(statistics.median(walls), statistics.median(cpus), peak, spread, rc)


def snapshot(work: Path) -> dict[str, str]:
    """An environment running a private copy of the package."""
    target = work / "code"
    shutil.rmtree(target, ignore_errors=True)
    # The project's layout: the package finds register.yml and schemas/ two folders up.
    shutil.copytree(PROJECT / "scripts" / "yuqing", target / "scripts" / "yuqing",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT / "schemas", target / "schemas")
    shutil.copy(PROJECT / "register.yml", target / "register.yml")
    return dict(os.environ, PYTHONPATH=str(target / "scripts"), XDG_CACHE_HOME=str(work / "xdg"))


def register(work: Path, count: int, env: dict[str, str]) -> Path:
    out = work / f"register-{count}"
    if not (out / "register.yml").is_file():
        subprocess.run([PY, "-m", "yuqing.synthetic", "--count", str(count), "--seed", "1", "--out", str(out)],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=out, check=True)
        subprocess.run(["git", "add", "-A"], cwd=out, check=True)
        subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@example.invalid", "commit", "-q", "-m", "r"],
                       cwd=out, check=True)
    return out


Row = tuple[str, str, Figure, str, str]


def bench_register(work: Path, count: int, runs: int, env: dict[str, str]) -> list[Row]:
    root = register(work, count, env)
    yuqing = [str(BIN / "yuqing")]
    drop = ["rm", "-rf", ".yuqing-cache"]
    rows: list[Row] = []
    floor = measure([PY, "-c", FLOOR], root, env, runs, ok=(0,))
    rows.append(("floor: libyaml parse of every file", f"{count:,}", floor, "", ""))
    cold = measure([*yuqing, "check", "--now", NOW], root, env, runs, before=drop)
    rows.append(("check, cold (no cache; writes it)", f"{count:,}", cold, "wall ≤ 1.5×, CPU ≤ 2× floor",
                 f"{cold.wall / floor.wall:.2f}× / {cold.cpu / floor.cpu:.2f}×"))
    nocache = measure([*yuqing, "check", "--now", NOW], root, dict(env, YUQING_NO_CACHE="1"), runs)
    rows.append(("check, cache off (YUQING_NO_CACHE=1)", f"{count:,}", nocache, "",
                 f"{nocache.wall / floor.wall:.2f}× / {nocache.cpu / floor.cpu:.2f}×"))
    measure([*yuqing, "check", "--now", NOW], root, env, 1)  # the cache, written once
    for name, args in (("check", ["check", "--now", NOW]), ("deadlines", ["deadlines", "--now", NOW]),
                       ("stats", ["stats", "--now", NOW]), ("export json", ["export", "json", "--now", NOW])):
        # The export stops (exit 2) when its leak guard finds a confidential record named in a public
        # one: still timed (the whole export is made before it is written), and said so.
        warm = measure([*yuqing, *args], root, env, runs, ok=(0, 1, 2) if name == "export json" else (0, 1))
        rows.append((f"{name}, unchanged register", f"{count:,}", warm, "< 3 s, < 500 MB",
                     _met(warm.wall < 3 and warm.peak_mb < 500) + (f" (exit {warm.rc})" if warm.rc > 1 else "")))
    # A pull request: one record changed since HEAD.
    victim = sorted((root / "incidents").glob("*/*.yml"))[count // 2]
    original = victim.read_bytes()
    victim.write_bytes(original.replace(b"summary: ", b"summary: \xe6\x9b\xb4\xe6\x96\xb0:", 1))
    try:
        pr = measure([*yuqing, "check", "--now", NOW, "--changed-since", "HEAD"], root, env, runs)
        rows.append(("check --changed-since HEAD, 1 file changed", f"{count:,}", pr, "< 1 s", _met(pr.wall < 1)))
        pr_cold = measure([*yuqing, "check", "--now", NOW, "--changed-since", "HEAD"], root, env, runs, before=drop)
        rows.append(("  the same, no cache", f"{count:,}", pr_cold, "< 1 s", _met(pr_cold.wall < 1)))
    finally:
        victim.write_bytes(original)
    start = measure([*yuqing, "--version"], root, env, max(runs, 5), ok=(0,))
    rows.append(("CLI start (yuqing --version)", "—", start, "< 0.1 s", _met(start.wall < 0.1)))
    return rows


def bench_city(work: Path, runs: int, env: dict[str, str], counties: int = 50, each: int = 2000) -> list[Row]:
    """`yuqing aggregate` over ``counties`` exports of ``each`` records (local files: the fetch is not timed)."""
    county = register(work, each, env)
    export = work / "county-export.json"
    subprocess.run([str(BIN / "yuqing"), "export", "json", "--now", NOW, "--out", str(export)], cwd=county,
                   check=True, env=env, stdout=subprocess.DEVNULL)
    doc = json.loads(export.read_text(encoding="utf-8"))
    city = work / "city"
    shutil.rmtree(city, ignore_errors=True)
    city.mkdir()
    shutil.copy(PROJECT / "register.yml", city / "register.yml")
    sources = []
    for index in range(counties):
        doc["register"]["name"] = f"第{index + 1}区"
        (city / f"county-{index}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        sources.append(f"  - name: 第{index + 1}区\n    code: \"{330101 + index}\"\n"
                       f"    path: county-{index}.json\n    freshness_hours: 24\n")
    (city / "sources.yml").write_text("sources:\n" + "".join(sources), encoding="utf-8")
    rows: list[Row] = []
    for show in ("stats", "deadlines"):
        figure = measure([str(BIN / "yuqing"), "aggregate", "--now", NOW, "--show", show], city, env, runs)
        rows.append((f"aggregate --show {show}", f"{counties} × {each:,}", figure, "", ""))
    return rows


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


def table(rows: list[Row]) -> str:
    lines = ["| command | N | wall (median) | wall range | CPU (median) | peak MB | target | met / ratio |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    for name, n, f, target, met in rows:
        lines.append(f"| {name} | {n} | {f.wall:.2f} s | {f.spread} | {f.cpu:.2f} s | {f.peak_mb:.0f} | {target} | {met} |")
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg()
    return (f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
            f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("register", "city"), default=None)
    parser.add_argument("--work", type=Path, default=RESULTS / "scale")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env = snapshot(args.work)
    header = machine()
    rows: list[Row] = []
    if args.only in (None, "register"):
        rows += bench_register(args.work, args.count, args.runs, env)
    if args.only in (None, "city"):
        rows += bench_city(args.work, args.runs, env)
    text = f"Machine: {header}\n\n{table(rows)}\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
