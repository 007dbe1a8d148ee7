"""Every command timed as a user runs it, beside the floor it is measured against.

    .venv/bin/python benchmarks/run.py                  # everything (about 10 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick          # 1,000 incidents only (about 2 minutes)
    .venv/bin/python benchmarks/run.py --only check,deadlines,stats,site,history,changed

Each figure is the wall time of a whole command in a fresh process (process
start included), best of ``--runs`` (default 3), and its peak memory
(``ru_maxrss`` of RUSAGE_CHILDREN, measured in a fresh child per command, so
worker processes count). The registers are built with ``python -m
yuqing.synthetic`` (seed 1) into benchmarks/results/work/ and reused while
synthetic.py is unchanged. A benchmark whose command does not exist yet is
skipped with a message. Prints a Markdown table and writes
benchmarks/results/latest.md (git-ignored).
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import json
import os
import platform
import shutil
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PY = str(BIN / "python")
YUQING = str(BIN / "yuqing")
RESULTS = PROJECT / "benchmarks" / "results"
WORK = RESULTS / "work"
NOW = "2026-11-23T12:00:00+08:00"
SEED = 1

# The floor of `check`: the same files only parsed by libyaml, in one bare process.
FLOOR = ("import glob, yaml\n"
         "for name in glob.glob('incidents/*/*.yml'):\n"
         "    with open(name, 'rb') as f: yaml.load(f, Loader=yaml.CSafeLoader)\n")

# Runs one command in a fresh child and reports its wall time and peak memory.
_PROBE = """
import json, resource, subprocess, sys, time
spec = json.loads(sys.stdin.read())
start = time.perf_counter()
done = subprocess.run(spec["cmd"], cwd=spec["cwd"], env=spec["env"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.PIPE, timeout=spec["timeout"])
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "rc": done.returncode, "err": done.stderr.decode("utf-8", "replace")[-800:],
                  "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


@dataclass
class Timing:
    seconds: float
    peak_mb: float


@dataclass
class Row:
    command: str
    n: str
    time: float | None
    floor_name: str
    floor: float | None
    ratio: str
    target: str
    met: str
    peak_mb: float | None
    note: str = ""


class Skip(Exception):
    pass


def measure(cmd: list[str], cwd: Path, runs: int, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None,
            timeout: float = 900) -> Timing:
    walls, peak = [], 0.0
    spec_env = dict(os.environ, **(env or {}))
    for _ in range(runs):
        # The command goes in on stdin: 10,000 file names exceed the limit of one argument.
        out = subprocess.run([PY, "-c", _PROBE], input=json.dumps({"cmd": cmd, "cwd": str(cwd), "env": spec_env,
                                                                   "timeout": timeout}),
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout)
        if result["rc"] not in ok:
            raise RuntimeError(f"{' '.join(cmd[:4])} … exited {result['rc']}: {result['err']}")
        walls.append(result["wall"])
        peak = max(peak, result["rss_kb"] / 1024)
    return Timing(min(walls), peak)


def has_command(name: str) -> bool:
    done = subprocess.run([YUQING, name, "--help"], capture_output=True)
    return done.returncode == 0


def _stamp() -> str:
    return hashlib.sha256((PROJECT / "scripts" / "yuqing" / "synthetic.py").read_bytes()).hexdigest()[:12]


def register(count: int) -> Path:
    """A synthetic register of ``count`` incidents (cached while synthetic.py is unchanged)."""
    out = WORK / f"register-{count}"
    stamp = out / ".stamp"
    if stamp.is_file() and stamp.read_text() == _stamp():
        return out
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([PY, "-m", "yuqing.synthetic", "--count", str(count), "--seed", str(SEED), "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(_stamp())
    return out


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "incidents").glob("*/*.yml"))


def _ratio(value: float | None, floor: float | None) -> float | None:
    return None if value is None or not floor else value / floor


def _fmt_ratio(r: float | None) -> str:
    return "—" if r is None else f"{r:.2f}×"


# --- the benchmarks -----------------------------------------------------------------

def bench_check(sizes: list[int], runs: int, floors: dict[int, Timing]) -> list[Row]:
    rows = []
    cjs = BIN / "check-jsonschema"
    for n in sizes:
        root = register(n)
        floor = floors.setdefault(n, measure([PY, "-c", FLOOR], root, runs))
        check = measure([YUQING, "check", "--now", NOW], root, runs)
        rows.append(Row("yuqing check", f"{n:,}", check.seconds, "libyaml parse only", floor.seconds,
                        _fmt_ratio(_ratio(check.seconds, floor.seconds)), "≤ 1.5×",
                        _met(_ratio(check.seconds, floor.seconds), 1.5), check.peak_mb))
        rows.append(Row("  (floor) python: CSafeLoader every file", f"{n:,}", floor.seconds, "", None, "", "", "",
                        floor.peak_mb))
        if cjs.exists():
            # check-jsonschema needs about 3.5 ms a file: one run at 10,000.
            other = measure([str(cjs), "--schemafile", "schemas/incident.schema.json", *_files(root)], root,
                            1 if n >= 5000 else runs)
            speedup = other.seconds / check.seconds
            rows.append(Row("check-jsonschema --schemafile", f"{n:,}", other.seconds, "yuqing check",
                            check.seconds, f"{speedup:.1f}× slower", "≥ 3× slower", "yes" if speedup >= 3 else "NO",
                            other.peak_mb))
        for jobs in (1, 2):
            code = ("import sys; from pathlib import Path; from datetime import datetime, timezone, timedelta\n"
                    "from yuqing.register import load_register\n"
                    f"load_register(Path('.'), now=datetime(2026, 11, 23, 12, tzinfo=timezone(timedelta(hours=8))), "
                    f"jobs={jobs})\n")
            one = measure([PY, "-c", code], root, runs)
            rows.append(Row(f"  load_register(jobs={jobs})", f"{n:,}", one.seconds, "libyaml parse only",
                            floor.seconds, _fmt_ratio(_ratio(one.seconds, floor.seconds)), "(pool tuning)", "",
                            one.peak_mb))
    return rows


def _met(ratio: float | None, limit: float) -> str:
    if ratio is None:
        return "—"
    return "yes" if ratio <= limit else "NO"


def bench_report(name: str, args: list[str], sizes: list[int], runs: int, floors: dict[int, Timing]) -> list[Row]:
    if not has_command(name):
        raise Skip(f"`yuqing {name}` 尚不存在,跳过。")
    rows = []
    for n in sizes:
        root = register(n)
        floor = floors.setdefault(n, measure([PY, "-c", FLOOR], root, runs))
        timing = measure([YUQING, name, *args], root, runs, ok=(0, 1))
        r = _ratio(timing.seconds, floor.seconds)
        rows.append(Row(f"yuqing {name}", f"{n:,}", timing.seconds, "libyaml parse only", floor.seconds,
                        _fmt_ratio(r), "< 2×", "yes" if r is not None and r < 2 else "NO", timing.peak_mb))
    return rows


def bench_changed(n: int, runs: int) -> list[Row]:
    """`check --changed-since` in a git repository of ``n`` incidents with 3 files changed."""
    done = subprocess.run([YUQING, "check", "--help"], capture_output=True, text=True)
    if "--changed-since" not in done.stdout:
        raise Skip("`yuqing check --changed-since` 尚不存在,跳过。")
    source = register(n)
    root = WORK / f"git-{n}"
    stamp = root / ".stamp"
    if not (stamp.is_file() and stamp.read_text() == _stamp()):
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(source, root, ignore=shutil.ignore_patterns(".stamp"))
        env = _git_env()
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "台账"]):
            subprocess.run(["git", *args], cwd=root, check=True, env=env)
        files = _files(root)
        for name in files[:3]:  # three incidents edited in the working tree
            path = root / name
            path.write_text(path.read_text(encoding="utf-8").replace("网民", "网友", 1), encoding="utf-8")
        (root / ".git" / "info" / "exclude").write_text(".stamp\n")
        stamp.write_text(_stamp())
    timing = measure([YUQING, "check", "--now", NOW, "--changed-since", "HEAD"], root, runs)
    full = measure([YUQING, "check", "--now", NOW], root, 1)
    return [Row("yuqing check --changed-since HEAD (3 files)", f"{n:,}", timing.seconds, "full yuqing check",
                full.seconds, _fmt_ratio(_ratio(timing.seconds, full.seconds)), "< 2 s",
                "yes" if timing.seconds < 2 else "NO", timing.peak_mb)]


def _git_env() -> dict[str, str]:
    return dict(os.environ, GIT_AUTHOR_NAME="基准", GIT_AUTHOR_EMAIL="bench@example.gov.cn",
                GIT_COMMITTER_NAME="基准", GIT_COMMITTER_EMAIL="bench@example.gov.cn",
                GIT_AUTHOR_DATE="2026-11-01T10:00:00+08:00", GIT_COMMITTER_DATE="2026-11-01T10:00:00+08:00")


def _site_register(n: int) -> Path:
    source = register(n)
    root = WORK / f"site-{n}"
    stamp = root / ".stamp"
    key = _stamp() + hashlib.sha256((PROJECT / "mkdocs.yml").read_bytes()).hexdigest()[:8]
    if stamp.is_file() and stamp.read_text() == key:
        return root
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(".stamp"))
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "docs", root / "docs", ignore=shutil.ignore_patterns("generated"))
    if (PROJECT / "overrides").is_dir():
        shutil.copytree(PROJECT / "overrides", root / "overrides")
    stamp.write_text(key)
    return root


def _plain_site(n: int, source: Path) -> Path:
    """The same theme, plugins (less yuqing) and hand-written pages, plus n plain pages of similar size."""
    root = WORK / f"plain-{n}"
    stamp = root / ".stamp"
    key = _stamp() + hashlib.sha256((PROJECT / "mkdocs.yml").read_bytes()).hexdigest()[:8]
    if stamp.is_file() and stamp.read_text() == key:
        return root
    import yaml

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shutil.copytree(PROJECT / "docs", root / "docs", ignore=shutil.ignore_patterns("generated"))
    if (PROJECT / "overrides").is_dir():
        shutil.copytree(PROJECT / "overrides", root / "overrides")
    lines, nav = [], False
    for line in (PROJECT / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if line.strip() == "- yuqing" or line.strip().startswith("- yuqing:"):
            continue
        if line.startswith("nav:"):
            nav = True
            lines += ["nav:", "  - 首页: index.md", "  - 事件索引: pages/index.md"]
            continue
        if nav and (line.startswith(" ") or not line.strip()):
            continue
        nav = False
        lines.append(line)
    (root / "mkdocs.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    pages = root / "docs" / "pages"
    pages.mkdir()
    index = ["# 事件索引", "", "| 编号 | 标题 | 等级 |", "|---|---|---|"]
    for name in _files(source):
        data = yaml.load((source / name).read_bytes(), Loader=yaml.CSafeLoader)
        page = [f"# {data['id']} {data['title']}", "", "| 项目 | 内容 |", "|---|---|"]
        for key in ("level", "status", "category", "discovered_at"):
            page.append(f"| {key} | {data[key]} |")
        page.append(f"| 牵头单位 | {data['units']['lead']} |")
        page += ["", "## 事件概要", "", data["summary"], "", "## 处置经过", "", "| 时间 | 类型 | 单位 | 说明 |",
                 "|---|---|---|---|"]
        page += [f"| {e['at']} | {e['type']} | {e.get('by', '')} | {e.get('note', '')} |" for e in data["timeline"]]
        if "review" in data:
            page += ["", "## 评估总结", ""] + [f"- {k}:{v}" for k, v in data["review"].items()]
        (pages / f"{data['id']}.md").write_text("\n".join(page) + "\n", encoding="utf-8")
        index.append(f"| [{data['id']}]({data['id']}.md) | {data['title']} | {data['level']} |")
    (pages / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    stamp.write_text(key)
    return root


def bench_site(sizes: list[int], runs: int) -> list[Row]:
    if not (PROJECT / "scripts" / "yuqing" / "mkdocs_plugin.py").is_file() or not (PROJECT / "mkdocs.yml").is_file():
        raise Skip("站点插件(mkdocs_plugin.py / mkdocs.yml)尚不存在,跳过。")
    mkdocs = str(BIN / "mkdocs")
    env = {"YUQING_NOW": NOW}
    rows = []
    for n in sizes:
        root = _site_register(n)
        plain = _plain_site(n, root)
        ours = measure([mkdocs, "build", "-q", "--site-dir", str(root / "site")], root, runs, env=env)
        base = measure([mkdocs, "build", "-q", "--site-dir", str(plain / "site")], plain, runs)
        r = _ratio(ours.seconds, base.seconds)
        index = root / "site" / "search" / "search_index.json"
        size = index.stat().st_size / 1e6 if index.is_file() else None
        pages = sum(1 for _ in (root / "site").rglob("index.html"))
        rows.append(Row("mkdocs build (yuqing site)", f"{n:,}", ours.seconds, "plain MkDocs, same pages",
                        base.seconds, _fmt_ratio(r), "≤ 1.3×", _met(r, 1.3), ours.peak_mb,
                        f"{pages} pages; search index {size:.1f} MB" if size is not None else f"{pages} pages"))
        rows.append(Row("  (floor) mkdocs build, plain Markdown", f"{n:,}", base.seconds, "", None, "", "", "",
                        base.peak_mb))
        if size is not None:
            rows.append(Row("  search index size (MB)", f"{n:,}", None, "", None, f"{size:.2f} MB",
                            "≤ 5 MB" if n >= 5000 else "", ("yes" if size <= 5 else "NO") if n >= 5000 else "",
                            None))
        try:
            seconds = first_search(root / "site", "电梯")
            rows.append(Row("first Chinese search result (Chromium)", f"{n:,}", seconds, "", None, "",
                            "≤ 1.5 s" if n >= 5000 else "", ("yes" if seconds <= 1.5 else "NO") if n >= 5000 else "",
                            None, "home page opened → first result shown, query 电梯"))
        except Skip as why:
            print(f"跳过浏览器搜索:{why}")
    return rows


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


_FIRST_RESULT_WATCHER = """
new MutationObserver((_, observer) => {
  if (document.querySelector('.md-search-result__item')) {
    window.__firstResultAt = performance.now();   // ms since the navigation started
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def first_search(site: Path, query: str) -> float:
    """Seconds from opening the home page to the first search result, in headless Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise Skip("playwright 未安装") from error
    if not Path("/usr/bin/chromium").exists():
        raise Skip("/usr/bin/chromium 不存在")
    handler = lambda *a, **k: _Quiet(*a, directory=str(site), **k)  # noqa: E731
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            best = None
            for _ in range(3):
                context = browser.new_context()
                # Timed inside the page: Playwright polls for the result every few
                # hundred milliseconds, which would add its own delay to the figure.
                context.add_init_script(_FIRST_RESULT_WATCHER)
                page = context.new_page()
                page.goto(url)
                page.locator("label.md-search__icon, .md-search__input").first.click()
                page.locator(".md-search__input").fill(query)
                page.locator(".md-search-result__item").first.wait_for(timeout=30_000)
                seconds = page.evaluate("window.__firstResultAt") / 1000.0
                best = seconds if best is None else min(best, seconds)
                context.close()
            browser.close()
            server.shutdown()
    assert best is not None
    return best


def bench_history(runs: int, commits: int = 10_000) -> list[Row]:
    if not (PROJECT / "scripts" / "yuqing" / "history.py").is_file():
        raise Skip("history.py 尚不存在,跳过。")
    sys.path.insert(0, str(PROJECT / "benchmarks"))
    try:
        from bench_history import build  # the git engineer's builder (uses yuqing.synthetic)
    except ImportError:
        build = None
    # About three commits per incident: 3,400 incidents give about 10,000 commits.
    count = commits * 34 // 100
    root = WORK / f"history-{count}"
    stamp = root / ".stamp"
    if not (stamp.is_file() and stamp.read_text() == _stamp()):
        shutil.rmtree(root, ignore_errors=True)
        if build is not None:
            build(count, root)
        else:
            subprocess.run([PY, "-m", "yuqing.synthetic", "--count", str(count), "--out", str(root), "--history"],
                           check=True, stdout=subprocess.DEVNULL)
        (root / ".git" / "info" / "exclude").write_text(".stamp\n")
        stamp.write_text(_stamp())
    log = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True)
    total = int(log.stdout.strip())
    floor = measure(["git", "log", "--name-status", "-M", "--format=%H %an %aI %s", "--", "incidents/"], root, runs)
    some = _files(root)[len(_files(root)) // 2].rsplit("/", 1)[1][:-4]
    rows = []
    code = "from pathlib import Path; from yuqing import history; history.load(Path('.'), levels=True)"
    for label, cmd in (("history.load (the pass: python -c)", [PY, "-c", code]),
                       (f"yuqing history {some}", [YUQING, "history", some]),
                       ("yuqing check --history", [YUQING, "check", "--now", NOW, "--history"])):
        if cmd[0] == YUQING and not has_command(cmd[1]):
            continue
        if "--history" in cmd:
            done = subprocess.run([YUQING, "check", "--help"], capture_output=True, text=True)
            if "--history" not in done.stdout:
                continue
        timing = measure(cmd, root, runs, ok=(0, 1))
        r = _ratio(timing.seconds, floor.seconds)
        is_pass = label.startswith("history.load") or label.startswith("yuqing history")
        rows.append(Row(label, f"{total:,} commits", timing.seconds, "git log --name-status", floor.seconds,
                        _fmt_ratio(r), "≤ 3×" if is_pass else "", _met(r, 3) if is_pass else "", timing.peak_mb))
    rows.append(Row("  (floor) git log --name-status -M", f"{total:,} commits", floor.seconds, "", None, "", "", "",
                    floor.peak_mb))
    return rows


# --- output ------------------------------------------------------------------------

def table(rows: list[Row]) -> str:
    head = "| command | N | time (s) | floor | floor (s) | ratio | target | met | peak MB |"
    out = [head, "|---|---:|---:|---|---:|---:|---|---|---:|"]
    for r in rows:
        out.append("| " + " | ".join([
            r.command + (f" ({r.note})" if r.note else ""), r.n,
            "—" if r.time is None else f"{r.time:.2f}", r.floor_name or "",
            "" if r.floor is None else f"{r.floor:.2f}", r.ratio, r.target, r.met,
            "" if r.peak_mb is None else f"{r.peak_mb:.0f}",
        ]) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="yuqing 性能基准:每个命令与其下限并列。")
    parser.add_argument("--quick", action="store_true", help="只测 1000 个事件(约 2 分钟)")
    parser.add_argument("--only", default="check,deadlines,stats,changed,site,history",
                        help="逗号分隔:check,deadlines,stats,changed,site,history")
    parser.add_argument("--runs", type=int, default=3, help="每项取最好的几次之一(默认 3)")
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = only - {"check", "deadlines", "stats", "changed", "site", "history"}
    if unknown:
        parser.error(f"未知的基准:{', '.join(sorted(unknown))}")
    WORK.mkdir(parents=True, exist_ok=True)
    big = [1000] if args.quick else [10_000]
    plan = [
        ("check", lambda f: bench_check([1000] if args.quick else [1000, 10_000], args.runs, f)),
        ("deadlines", lambda f: bench_report("deadlines", ["--now", NOW], big, args.runs, f)),
        ("stats", lambda f: bench_report("stats", [], big, args.runs, f)),
        ("changed", lambda f: bench_changed(big[0], args.runs)),
        ("site", lambda f: bench_site([1000] if args.quick else [1000, 5000], args.runs)),
        ("history", lambda f: bench_history(args.runs, 3000 if args.quick else 10_000)),
    ]
    rows: list[Row] = []
    skipped: list[str] = []
    floors: dict[int, Timing] = {}
    started = time.perf_counter()
    for name, run in plan:
        if name not in only:
            continue
        print(f"[{time.perf_counter() - started:6.0f} s] {name} …", file=sys.stderr, flush=True)
        try:
            rows += run(floors)
        except Skip as why:
            skipped.append(f"{name}: {why}")
            print(f"跳过 {name}:{why}", file=sys.stderr)
        except Exception as error:  # a broken benchmark must not hide the others
            skipped.append(f"{name}: 失败 {type(error).__name__}: {error}")
            print(f"{name} 失败:{error}", file=sys.stderr)
    text = table(rows)
    machine = (f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} "
               f"{platform.machine()}; wall time, best of {args.runs}; peak MB = max RSS of the command's "
               f"processes; NOW = {NOW}")
    print(text)
    for line in skipped:
        print(f"跳过:{line}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    body = [f"# yuqing benchmarks ({time.strftime('%Y-%m-%d %H:%M')})", "", machine, "", text, ""]
    if skipped:
        body += ["Skipped:", ""] + [f"- {line}" for line in skipped] + [""]
    (RESULTS / "latest.md").write_text("\n".join(body), encoding="utf-8")
    print(f"\n已写入 {RESULTS / 'latest.md'}(用时 {time.perf_counter() - started:.0f} 秒)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
