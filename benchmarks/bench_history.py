"""How long the one-pass history takes on a large register, against git alone.

    .venv/bin/python benchmarks/bench_history.py                 # 10,000 incidents (built once, cached)
    .venv/bin/python benchmarks/bench_history.py --count 2000
    .venv/bin/python benchmarks/bench_history.py --repo DIR      # an existing register with history

The register is built with the scale engineer's generator (``python -m
yuqing.synthetic --history``: several commits per incident through one ``git
fast-import``) into a cache folder, or, if that module is missing, with a small
generator here. Printed: best of ``--repeat`` runs of

* ``git log --name-status -M`` alone (the floor: what git itself costs),
* ``git log --raw -M -z`` alone (what history.py actually runs),
* ``history.load(levels=False)``: registration, last change, revision count,
* ``history.load(levels=True)``: plus the level of every revision (one cat-file),
* ``history.explain`` of one incident (what `yuqing history ID` adds),
* one ``git log`` per file, measured on 50 files and scaled up: the approach not taken.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from yuqing import history  # noqa: E402


def build(count: int, out: Path) -> None:
    """A register with git history of ``count`` incidents at ``out`` (skipped if there)."""
    if (out / ".git").is_dir():
        return
    try:
        from yuqing import synthetic
    except ImportError:
        _build_small(count, out)
        return
    records = synthetic.generate(count, seed=1)
    synthetic.write_history(records, out, seed=1)


def _build_small(count: int, out: Path) -> None:
    """Fallback: three commits per incident (登记, 升级, 平息) through one fast-import."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    process = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=out, stdin=subprocess.PIPE)
    assert process.stdin is not None
    stamp = 1_700_000_000
    for step, level in enumerate(("一般", "敏感", "重大")):
        for number in range(1, count + 1):
            stamp += 60
            incident_id = f"YQ-2025-{number:04d}"
            body = f"id: {incident_id}\ntitle: 事件 {number}\nlevel: {level}\nstatus: 监测中\n".encode()
            message = f"{'登记' if step == 0 else '更新'} {incident_id}".encode()
            process.stdin.write(b"commit refs/heads/main\ncommitter \xe5\xbc\xa0\xe4\xb8\x89 <z@example.gov.cn> "
                                + f"{stamp} +0800\ndata {len(message)}\n".encode() + message + b"\n"
                                + f"M 100644 inline incidents/2025/{incident_id}.yml\ndata {len(body)}\n".encode()
                                + body + b"\n\n")
    process.stdin.close()
    process.wait()
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=out, check=True)
    (out / "register.yml").touch()


def best(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def git(root: Path, *args: str) -> Callable[[], object]:
    return lambda: subprocess.run(["git", *args], cwd=root, stdout=subprocess.DEVNULL, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="history.py 的性能:一次遍历 git log 与 git 本身的耗时对比。")
    parser.add_argument("--count", type=int, default=10_000, help="事件数量(默认 10000)")
    parser.add_argument("--repo", type=Path, help="已有的带 git 历史的台账目录(不生成)")
    parser.add_argument("--repeat", type=int, default=3, help="每项取最好的几次之一(默认 3)")
    args = parser.parse_args(argv)
    root = args.repo or Path(tempfile.gettempdir()) / f"yuqing-bench-history-{args.count}"
    if args.repo is None:
        start = time.perf_counter()
        fresh = not (root / ".git").is_dir()
        build(args.count, root)
        if fresh:
            print(f"生成台账 {root}:{time.perf_counter() - start:.1f} 秒")

    loaded = history.load(root, levels=True)
    files = len(loaded.incidents)
    revisions = sum(h.revision_count for h in loaded)
    print(f"台账:{files} 个事件文件,{loaded.commits} 次提交,{revisions} 个版本")
    some = next(iter(loaded))
    repo = history.open_repo(root)
    assert repo is not None

    rows = [
        ("git log --name-status -M(仅 git)", best(git(root, "log", "--name-status", "-M", "--format=%H %an %aI %s",
                                                     "--", "incidents/"), args.repeat)),
        ("git log --raw -M -z(仅 git)", best(git(root, "log", "--raw", "--no-abbrev", "-M", "-z",
                                                 "--format=%H %an %aI %s", "--", "incidents/"), args.repeat)),
        ("history.load(levels=False)", best(lambda: history.load(root, levels=False), args.repeat)),
        ("history.load(levels=True)", best(lambda: history.load(root, levels=True), args.repeat)),
        (f"history.explain({some.id})", best(lambda: history.explain(repo, some), args.repeat)),
    ]
    sample = [h.path for h in list(loaded)[:50]]
    per_file = best(lambda: [subprocess.run(["git", "log", "--format=%H", "--", p], cwd=root,
                                            stdout=subprocess.DEVNULL, check=True) for p in sample], 1)
    rows.append((f"每个文件一次 git log(按 50 个推算 {files} 个)", per_file / len(sample) * files))
    from yuqing.render.table import table

    print(table(["项目", "耗时(秒,取最好)"], [(name, f"{seconds:.2f}") for name, seconds in rows], "<>"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
