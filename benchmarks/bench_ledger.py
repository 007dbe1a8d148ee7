"""Ledgers, reports, notify and the statistics page's downloads at scale (issue 15: < 500 MB each).

    .venv/bin/python benchmarks/bench_ledger.py --root /tmp/r100000        # an existing register (a clone)
    .venv/bin/python benchmarks/bench_ledger.py --count 10000              # a generated one
    .venv/bin/python benchmarks/bench_ledger.py --root R --only downloads --runs 1

Each figure is a whole command in a fresh process (start included), the median of ``--runs``
runs: wall time, CPU time (user + system) and the peak memory of its largest process, as
bench_scale.py measures them, over a private copy of the package, with the check cache warm.
Where the output itself grows with the register (a 100,000-row workbook), the writer's own floor
is measured too: openpyxl's write-only workbook writing the same number of rows of the same
width and styles, from values already in memory. Downloads: every year, quarter and month of the
register, cold (downloads cache emptied) and warm (nothing changed). Prints a Markdown table and
writes benchmarks/results/ledger.md (git-ignored).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import BIN, NOW, PY, RESULTS, Figure, machine, measure, register, snapshot  # noqa: E402

FLOOR = """
import sys
from datetime import datetime
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
rows, columns = int(sys.argv[1]), int(sys.argv[2])
book = Workbook(write_only=True)
thin = Side(style="thin", color="808080")
border, font, align = Border(left=thin, right=thin, top=thin, bottom=thin), Font(size=10), Alignment(wrap_text=True, vertical="top")
for name, width in (("a", columns), ("b", columns + 6), ("c", 12)):
    sheet = book.create_sheet(name)
    count = rows * (5 if name == "c" else 1)
    template = WriteOnlyCell(sheet)  # styled once, its style array copied (as render/xlsx.py does)
    template.font, template.border, template.alignment = font, border, align
    style = template._style
    for n in range(count):
        values = [n, f"YQ-2025-{n:05d}", "某区某街道居民反映某小区电梯故障多日未修" * 2, datetime(2025, 1, 1, 8, 0)]
        values += ["市场监督管理局特种设备安全监察科"] * (width - len(values))
        cells = [Cell(sheet, row=1, column=1, value=value, style_array=style) for value in values]
        sheet.row_dimensions[n + 1].height = 30
        sheet.append(cells)
        del sheet.row_dimensions[n + 1]
book.save(sys.argv[3])
"""

DOWNLOADS = """
import sys
from pathlib import Path
from yuqing.cli._common import judged
from yuqing.register import load_register
from yuqing.site.downloads import downloads
from yuqing.times import parse_time, zone
root = Path(sys.argv[1])
now = parse_time(sys.argv[2], zone("Asia/Shanghai"))
register = load_register(root, now=now, records=False, derived=True).without_invalid()
published = [d for d in register.derived if not d.facts.confidential]
ids = {d.id for d in published}
notes = []
files = downloads(register, published, [d for d in judged(register).deadlines if d.incident in ids], now, notes)
print(len(files), notes, file=sys.stderr)
sys.exit(1 if notes else 0)
"""

Row = tuple[str, str, Figure, str]


def bench(root: Path, runs: int, only: str | None, env: dict[str, str], work: Path, count: str) -> list[Row]:
    yuqing = [str(BIN / "yuqing")]
    rows: list[Row] = []
    measure([*yuqing, "check", "--now", NOW, "--root", str(root)], root, env, 1)  # the check cache, warm
    out = work / "out"
    out.mkdir(exist_ok=True)
    year = str(int(NOW[:4]) - 1)
    commands: list[tuple[str, list[str]]] = [
        ("export xlsx, whole register", ["export", "xlsx", "--out", str(out / "all.xlsx")]),
        (f"export xlsx, one year ({year})", ["export", "xlsx", "--since", f"{year}-01-01", "--until",
                                             f"{year}-12-31", "--out", str(out / "year.xlsx")]),
        ("export csv, whole register", ["export", "csv", "--out", str(out / "all.csv")]),
        ("report monthly --format docx (last month)", ["report", "monthly", "--format", "docx",
                                                        "--out", str(out / "monthly.docx")]),
        (f"report annual --format docx ({year})", ["report", "annual", "--period", year, "--format", "docx",
                                                   "--out", str(out / "annual.docx")]),
        ("report weekly (Markdown)", ["report", "weekly"]),
        ("notify --dry-run", ["notify", "--to", "wecom", "--dry-run", "--digest", "12:00"]),
    ]
    if only in (None, "commands"):
        for name, args in commands:
            figure = measure([*yuqing, *args, "--root", str(root), "--now", NOW], root, env, runs)
            rows.append((name, count, figure, "< 500 MB"))
        import csv

        with (out / "all.csv").open(encoding="utf-8-sig", newline="") as rows_file:
            ledger_rows = sum(1 for _ in csv.reader(rows_file)) - 1
        floor = measure([PY, "-c", FLOOR, str(ledger_rows), "16", str(out / "floor.xlsx")], root, env, runs)
        rows.append((f"floor: openpyxl write-only, {ledger_rows:,} rows × 3 sheets (时限 ×5)", count, floor, ""))
    if only in (None, "downloads"):
        script = [PY, "-c", DOWNLOADS, str(root), NOW]
        cold = measure(script, root, env, runs, before=["rm", "-rf", str(root / ".yuqing-cache" / "downloads")])
        rows.append(("site downloads (every year, quarter, month), cold", count, cold, "build < 1 GB"))
        warm = measure(script, root, env, runs)
        rows.append(("site downloads, warm (nothing changed)", count, warm, ""))
    return rows


def table(rows: list[Row]) -> str:
    lines = ["| command | N | wall (median) | spread | CPU | peak MB | target |", "|---|---:|---:|---:|---:|---:|---|"]
    for name, n, f, target in rows:
        lines.append(f"| {name} | {n} | {f.wall:.2f} s | {f.spread} s | {f.cpu:.2f} s | {f.peak_mb:,.0f} | {target} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, help="an existing register (it gets a check cache and downloads cache)")
    parser.add_argument("--count", type=int, default=10000, help="records of a generated register (without --root)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("commands", "downloads"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as folder:
        work = Path(folder)
        env = snapshot(work)
        root = args.root.resolve() if args.root else register(work, args.count, env)
        count = f"{sum(1 for _ in (root / 'incidents').glob('*/*.yml')):,}"
        rows = bench(root, args.runs, args.only, env, work, count)
    text = f"{machine()}\n\n{table(rows)}\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ledger.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
