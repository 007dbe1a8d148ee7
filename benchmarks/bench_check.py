"""The phases of a cold `yuqing check`, one file after another in this process.

    .venv/bin/python benchmarks/bench_check.py /tmp/reg/r10000            # every phase, 3 runs each
    .venv/bin/python benchmarks/bench_check.py /tmp/reg/r10000 --profile  # cProfile of check_file

Phases (each over every incident file, bytes read beforehand so disk is left out):
floor (libyaml's CSafeLoader, as in bench_scale.py), load (loader.load_bytes),
load+text+schema, check_file (everything a cold check does per file, in one
process: `yuqing check` spreads it over the cores), and part (what a pool worker of a
cold check does: check_file with the file read, and what the cache keeps of each
record made and pickled: derived values, export line, heads, record). Prints CPU
seconds per phase (median of --runs) and its ratio to the floor.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

import yaml

from yuqing.config import load_config
from yuqing.loader import load_bytes
from yuqing.register import check_file
from yuqing.rules import Context
from yuqing.textscan import text_issues
from yuqing.validate import SchemaChecker, read_schema


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="only the first N files")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime", help="cProfile order: tottime, cumulative")
    parser.add_argument("--phase", action="append", help="floor, load, schema, check, part (default all)")
    args = parser.parse_args()
    root = args.root.resolve()
    paths = sorted(root.glob("incidents/*/*.yml"))
    if args.limit:
        paths = paths[:args.limit]
    files = [(path, path.relative_to(root).as_posix(), path.read_bytes()) for path in paths]
    config, _ = load_config(root)
    assert config is not None
    schema = SchemaChecker(read_schema("incident.schema.json", root))
    ctx = Context(config, datetime.fromisoformat("2026-11-23T12:00:00+08:00"))

    def floor() -> None:
        for _, _, raw in files:
            yaml.load(raw, Loader=yaml.CSafeLoader)

    def load() -> None:
        for _, rel, raw in files:
            load_bytes(raw, rel)

    def schema_phase() -> None:
        for _, rel, raw in files:
            loaded = load_bytes(raw, rel)
            text_issues(loaded)
            schema.issues(loaded)

    def check() -> None:
        for path, _, raw in files:
            check_file(path, root, schema, ctx, raw=raw)

    def part() -> None:
        from yuqing.register import END_OF_TIME, _check_part, _state, _Task

        state = _state(root, config, END_OF_TIME)
        for start in range(0, len(files), 250):  # a worker's share of a cache file, as `yuqing check` makes them
            chunk = files[start:start + 250]
            _check_part(_Task("bench", list(range(len(chunk))), [rel for _, rel, _ in chunk],
                              [str(path) for path, _, _ in chunk], False, None, True, 0), state)

    phases = {"floor": floor, "load": load, "schema": schema_phase, "check": check, "part": part}
    chosen = args.phase or list(phases)
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(phases[chosen[-1]])
        pstats.Stats(profile).sort_stats(args.sort).print_stats(30)
        return
    base = None
    print(f"{len(files):,} files, median of {args.runs}")
    for name in chosen:
        cpu, wall = [], []
        for _ in range(args.runs):
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            phases[name]()
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start_wall)
        median = statistics.median(cpu)
        base = median if name == "floor" else base
        ratio = f"  {median / base:.2f}x floor" if base else ""
        print(f"{name:8} CPU {median:7.2f} s  wall {statistics.median(wall):7.2f} s{ratio}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
