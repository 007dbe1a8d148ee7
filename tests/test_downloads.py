"""The statistics page's files: a 台账 and a report for every year, quarter and month, the same files `yuqing export` and `yuqing report` make, kept between builds while their records
do not change."""

from __future__ import annotations

import shutil
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from yuqing.cli import main

from .conftest import PROJECT

NOW = "2026-11-23T10:00:00+08:00"
SECRET = "YQ-2026-0006"
"""The example register's confidential record."""


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "register"
    root.mkdir()
    for name in ("register.yml",):
        shutil.copy(PROJECT / name, root / name)
    for name in ("schemas", "incidents"):
        shutil.copytree(PROJECT / name, root / name)
    return root


def made(root: Path) -> tuple[Any, ...]:
    from yuqing.register import load_register
    from yuqing.cli._common import judged
    from yuqing.site.downloads import downloads
    from yuqing.times import parse_time, zone

    now = parse_time(NOW, zone("Asia/Shanghai"))
    assert now is not None
    register = load_register(root, now=now, records=False, derived=True).without_invalid()
    published = [d for d in register.derived if not d.facts.confidential]
    ids = {d.id for d in published}
    notes: list[str] = []
    files = downloads(register, published, [d for d in judged(register).deadlines if d.incident in ids], now, notes)
    assert notes == []
    return files


def cells(path: Path, *, stamps: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's values; without the lines that say when the file was made (and the 统计's 注意)."""
    book = openpyxl.load_workbook(path)
    out = {}
    for sheet in book.worksheets:
        rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
        if not stamps:
            rows = [r for r in rows if not any(isinstance(v, str) and (v.startswith(("制表日期", "注意"))) for v in r)
                    and r[:1] != ("统计时刻",)]
        out[sheet.title] = rows
    return out


def text_of(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]


def test_every_year_quarter_and_month_has_the_files_the_commands_make(example: Path, tmp_path: Path) -> None:
    files = made(example)
    by_name = {Path(f.path).name: f for f in files}
    # The example register: records in 8 months of 2025 and 10 of 2026.
    assert {f.key for f in files if f.kind == "year"} == {"2025", "2026"}
    assert sorted({f.key for f in files if f.kind == "quarter"}) == [
        "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    months = sorted({f.key for f in files if f.kind == "month"})
    assert len(months) == 18 and "2025-03" in months and "2025-02" not in months
    for key in months + [f"{y}-Q{q}" for y in (2025, 2026) for q in range(1, 5)]:
        assert {f"ledger-{key}.xlsx", f"report-{key}.docx"} <= set(by_name)
    assert {"report-2025.docx", "report-2026.docx"} <= set(by_name)
    assert (by_name["ledger-2025-Q1.xlsx"].period, by_name["report-2025.docx"].label) == ("2025年第一季度", "年度自查报告(Word)")
    assert (by_name["report-2025-Q1.docx"].period, by_name["report-2025-Q1.docx"].label) == (
        "2025年第一季度", "舆情季度评估(Word)")

    # The year's 台账 is what `yuqing export xlsx` makes of the year (but for the day it was made).
    ours = tmp_path / "2025.xlsx"
    assert main(["export", "xlsx", "--root", str(example), "--now", NOW, "--since", "2025-01-01",
                 "--until", "2025-12-31", "--out", str(ours)]) == 0
    year = cells(by_name["ledger-2025.xlsx"].source)
    assert year == cells(ours)
    assert len(year["舆情台账"]) > 8
    quarter = cells(by_name["ledger-2025-Q1.xlsx"].source)["舆情台账"]
    assert [r[1] for r in quarter[1:]] == ["编号", "YQ-2025-0001", "YQ-2025-0002"]  # under the title
    assert [r[0] for r in quarter[2:]] == [1, 2]  # 序号 counted within the quarter

    # The month's report is `yuqing report monthly` without confidential records.
    report = tmp_path / "2026-10.docx"
    assert main(["report", "monthly", "--root", str(example), "--now", NOW, "--period", "2026-10",
                 "--exclude-confidential", "--format", "docx", "--out", str(report)]) == 0
    assert text_of(by_name["report-2026-10.docx"].source) == text_of(report)
    # The quarter's report is `yuqing report quarterly`, likewise.
    report = tmp_path / "2026-Q3.docx"
    assert main(["report", "quarterly", "--root", str(example), "--now", NOW, "--period", "2026Q3",
                 "--exclude-confidential", "--format", "docx", "--out", str(report)]) == 0
    quarterly = text_of(by_name["report-2026-Q3.docx"].source)
    assert quarterly == text_of(report)
    assert "舆情季度评估" in quarterly and any("上季度为2026年第二季度" in line for line in quarterly)

    # Published records only, in every file.
    for download in files:
        with zipfile.ZipFile(download.source) as archive:
            inside = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8", errors="replace")
        assert SECRET not in inside, download.path


def test_a_build_remakes_only_the_files_of_the_periods_whose_records_changed(example: Path) -> None:
    import subprocess

    # A committed register: the records' versions come from git's index, a changed file's from its bytes.
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.invalid",
                                                   "commit", "-q", "-m", "r"]):
        subprocess.run(["git", *command], cwd=example, check=True, capture_output=True)
    first = {f.path: f.source for f in made(example)}
    stamps = {path: source.stat().st_ino for path, source in first.items()}  # a remade file is a new file
    again = {f.path: f.source for f in made(example)}
    assert again == first and {p: s.stat().st_ino for p, s in again.items()} == stamps

    # A word of one March 2025 record's summary: nothing the figures count, but the 台账 shows it.
    record = example / "incidents/2025/YQ-2025-0002.yml"
    record.write_text(record.read_text(encoding="utf-8").replace("summary: |\n", "summary: |\n  (补记)\n", 1),
                      encoding="utf-8")
    after = {f.path: f.source for f in made(example)}
    assert set(after) == set(first)
    changed = {Path(p).name for p in after if after[p] != first[p]}
    assert {"ledger-2025-03.xlsx", "ledger-2025-Q1.xlsx", "ledger-2025.xlsx", "report-2025-03.docx",
            "report-2025-Q1.docx"} <= changed
    assert not {"ledger-2025-05.xlsx", "ledger-2025-Q2.xlsx", "ledger-2026.xlsx", "ledger-2026-10.xlsx"} & changed
    assert "(补记)" in str(cells(after[next(p for p in after if p.endswith("ledger-2025-03.xlsx"))])["舆情台账"])
    # The files no build uses any more go once they are old enough (another build may still read them).
    for path in first:
        if first[path] != after[path]:
            assert first[path].exists()
    import os

    from yuqing.site.downloads import KEEP_SECONDS

    old = datetime.now().timestamp() - KEEP_SECONDS - 5
    for path in first:
        if first[path] != after[path]:
            os.utime(first[path], (old, old))
    made(example)
    assert all(not first[p].exists() for p in first if first[p] != after[p])
    assert all(after[p].exists() for p in after)
