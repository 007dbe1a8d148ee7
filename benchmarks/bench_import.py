"""How long `yuqing import` takes for a 10,000-row monitoring export, against reading the workbook alone.

    .venv/bin/python benchmarks/bench_import.py                  # 10,000 rows, 1,000 records in the register
    .venv/bin/python benchmarks/bench_import.py --rows 2000 --records 200

The export is an xlsx written with openpyxl: a title row, the header, then
rows of which 5 % repeat an earlier link (with tracking parameters) and 5 %
name a record already in the register (an appended 预警). Printed, best of
``--repeat`` runs (each on a fresh copy of the register):

* openpyxl read-only, every cell (the floor: what reading the file costs),
* ``plan_import`` (read, parse, match, render and check every file),
* ``write_plan`` (writing the files),
* the whole command ``yuqing import FILE --no-fetch`` in a new process.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "scripts"))

from yuqing.config import load_config  # noqa: E402
from yuqing.importer import Options, plan_import, write_plan  # noqa: E402
from yuqing.times import zone  # noqa: E402

NOW = "2026-11-30T18:00:00+08:00"


def build_register(folder: Path, records: int) -> None:
    """A git register with ``records`` records, each with its own weibo link."""
    folder.mkdir(parents=True)
    shutil.copy(PROJECT / "register.yml", folder / "register.yml")
    shutil.copytree(PROJECT / "schemas", folder / "schemas")
    for number in range(1, records + 1):
        incident_id = f"YQ-2026-{number:04d}"
        path = folder / "incidents" / "2026" / f"{incident_id}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"id: {incident_id}\ntitle: 已登记事件 {number}\nlevel: 一般\nstatus: 监测中\ncategory: 其他\n"
            f"discovered_at: \"2026-11-01T09:00:00+08:00\"\nsource:\n  channel: 社交媒体\n  platform: 微博\n"
            f"  url: https://weibo.com/9/known{number}\nunits:\n  lead: 综合应急和新闻宣传科\n"
            f"summary: 已登记\ntimeline: []\n", encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=bench", "-c", "user.email=bench@example.gov.cn", "commit", "-q", "-m", "seed"]):
        subprocess.run(["git", *args], cwd=folder, check=True)


def build_export(path: Path, rows: int, records: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["舆情监测导出  导出时间:2026-11-30 17:00"])
    sheet.append(["序号", "标题", "摘要", "原文链接", "发布时间", "来源", "作者", "情感倾向", "阅读数", "转发数"])
    start = datetime(2026, 11, 30, 8, 0)
    for number in range(1, rows + 1):
        if number % 20 == 0 and records:
            link = f"https://weibo.com/9/known{number % records + 1}"
        elif number % 20 == 10:
            link = f"http://weibo.com/1/post{number - 5}/?utm_source=share&spm=x"
        else:
            link = f"https://weibo.com/1/post{number}"
        sheet.append([number, f"网民反映某店问题 {number}", f"第 {number} 条:网民称某店销售过期食品。#话题: 引号“”",
                      link, start + timedelta(seconds=3 * number), "新浪微博", f"网民{number}",
                      ("负面", "中性", "正面")[number % 3], number * 7, number % 50])
    book.save(path)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the render pool, the command)."""
    import resource

    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                resource.getrusage(resource.RUSAGE_CHILDREN)))


def best(repeat: int, run) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(wall, CPU) seconds of the fastest run: on a shared machine the CPU time is the steadier figure."""
    times = []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), _cpu()
        run()
        times.append((time.perf_counter() - started, _cpu() - cpu))
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        base = Path(scratch) / "register"
        build_register(base, args.records)
        export = Path(scratch) / "export.xlsx"
        build_export(export, args.rows, args.records)
        data = export.read_bytes()
        config, _ = load_config(base)
        assert config is not None
        now = datetime.fromisoformat(NOW).astimezone(zone(config.timezone))

        def floor() -> None:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            for _ in book.worksheets[0].iter_rows(values_only=True):
                pass
            book.close()

        copies = iter(range(10 ** 6))

        def fresh() -> Path:
            target = Path(scratch) / f"copy{next(copies)}"
            shutil.copytree(base, target)
            return target

        plans = []

        def plan() -> None:
            target = fresh()
            plans.append((target, plan_import(data, export.name, target, config, now, Options(fetch=False))))

        def write() -> None:
            target, made = plans.pop()
            assert made.ok, made.problems[:3] or made.error
            write_plan(target, made)

        def command() -> None:
            target = fresh()
            done = subprocess.run([str(PROJECT / ".venv" / "bin" / "yuqing"), "import", str(export), "--no-fetch",
                                   "--now", NOW, "--root", str(target), "--format", "json"],
                                  capture_output=True, text=True)
            assert done.returncode == 0, done.stderr[-2000:]

        results = [("openpyxl read-only, every cell (floor)", best(args.repeat, floor)),
                   ("plan_import (read, match, render, check)", best(args.repeat, plan))]
        made = plans[-1][1]
        results.append(("write_plan (write the files)", best(1, write)))
        results.append(("yuqing import FILE (whole command, new process)", best(args.repeat, command)))
        print(f"rows {args.rows:,}; register {args.records:,} records; new records {made.count('新登记'):,}, "
              f"appended 预警 {made.count('追加预警'):,}")
        print(f"{'':<50} {'wall':>9} {'CPU':>9}")
        for label, (wall, cpu) in results:
            print(f"{label:<50} {wall:7.2f} s {cpu:7.2f} s")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
