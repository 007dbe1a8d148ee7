"""The 舆情台账 as an Excel workbook (openpyxl) and as CSV.

Sheets: 舆情台账 (one row per incident), 时限 (one row per deadline), 统计.
Header row frozen (with the 编号 column), auto filter on, widths fitted to the
content, times as real Excel dates in the register's local time (tz-naive,
``yyyy-mm-dd hh:mm``), rows with a missed deadline filled: red when a deadline
is overdue now, amber when one was met late. Every value is computed in
Python; the workbook has no formulas.

CSV is the ledger sheet alone, UTF-8 with a byte-order mark (Excel on Windows
reads BOM-less UTF-8 as the ANSI code page and garbles Chinese), CRLF line ends.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Sequence

from ..export import Cell, Column, Ledger, Row
from ..times import short
from .stats import scope, sections
from .table import width as display_width

TIME_FORMAT = "yyyy-mm-dd hh:mm"
OVERDUE_FILL = "FFC7CE"
LATE_FILL = "FFEB9C"
HEADER_FILL = "DDEBF7"
MAX_WIDTH = 60


def local(value: datetime, tz: tzinfo) -> datetime:
    """An aware time as Excel wants it: wall-clock time in the register's zone, no offset."""
    return value.astimezone(tz).replace(tzinfo=None)


def _fit(column: Column, values: Sequence[Cell]) -> float:
    if column.kind == "time":
        return 17
    if column.kind == "long":
        return column.width
    widest = max([display_width(column.header)] + [display_width(str(v)) for v in values if v is not None])
    return min(max(widest + 2, 6), MAX_WIDTH)


def _sheet(book: Any, title: str, columns: Sequence[Column], rows: Sequence[Row], tz: tzinfo,
           first: bool = False) -> Any:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    fills = {"overdue": PatternFill("solid", fgColor=OVERDUE_FILL), "late": PatternFill("solid", fgColor=LATE_FILL)}
    for index, row in enumerate(rows, start=2):
        sheet.append([local(v, tz) if isinstance(v, datetime) else v for v in row.cells])
        fill = fills["overdue"] if row.overdue else fills["late"] if row.missed else None
        for column, cell in zip(columns, sheet[index]):
            if cell.data_type == "f":
                # A title like "=HYPERLINK(…)" from a web post is text, never a live formula.
                cell.data_type = "s"
            if column.kind == "time":
                cell.number_format = TIME_FORMAT
            if column.kind == "long":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if fill is not None:
                cell.fill = fill
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = _fit(column, [r.cells[number - 1] for r in rows])
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    return sheet


_INT = re.compile(r"^-?\d+$")
_PERCENT = re.compile(r"^-?\d+(\.\d+)?%$")


def _number(text: str) -> Cell | float:
    if _INT.match(text):
        return int(text)
    if _PERCENT.match(text):
        return float(text[:-1]) / 100
    return text


def _stats_sheet(book: Any, ledger: Ledger) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet("统计")
    stats = ledger.stats
    sheet.append(["舆情统计"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["范围(发现时间)", scope(stats)])
    sheet.append(["统计时刻", short(ledger.now)])
    sheet.append(["合计(起)", stats.total])
    sheet.append(["时限按时率", stats.overall.on_time_rate])
    sheet.cell(sheet.max_row, 2).number_format = "0.0%"
    widths: dict[int, int] = {1: 18}
    for title, headers, rows, _ in sections(stats):
        sheet.append([])
        sheet.append([title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.append(list(headers))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_number(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0%"
        for number, text in enumerate(headers, start=1):
            longest = max([display_width(text)] + [display_width(r[number - 1]) for r in rows])
            widths[number] = max(widths.get(number, 0), min(longest + 2, MAX_WIDTH))
    for number, value in widths.items():
        sheet.column_dimensions[get_column_letter(number)].width = value
    for warning in stats.warnings:
        sheet.append([])
        sheet.append([f"注意:{warning}"])


def workbook(ledger: Ledger, tz: tzinfo) -> Any:
    """The openpyxl Workbook of ``ledger``."""
    from openpyxl import Workbook

    book = Workbook()
    _sheet(book, "舆情台账", ledger.columns, ledger.rows, tz, first=True)
    _sheet(book, "时限", ledger.deadline_columns, ledger.deadline_rows, tz)
    _stats_sheet(book, ledger)
    book.properties.title = "舆情台账"
    book.properties.creator = "yuqing"
    return book


def write_xlsx(ledger: Ledger, tz: tzinfo, path: Path) -> None:
    workbook(ledger, tz).save(str(path))


def as_csv(ledger: Ledger, tz: tzinfo) -> str:
    """The ledger sheet as CSV text (without the BOM: ``write_csv`` adds it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in ledger.columns])
    for row in ledger.rows:
        writer.writerow([short(v.astimezone(tz)) if isinstance(v, datetime) else ("" if v is None else _inert(v))
                         for v in row.cells])
    return buffer.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    """Text that Excel would run as a formula (=, +, -, @ first) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(ledger: Ledger, tz: tzinfo, path: Path) -> None:
    path.write_bytes(as_csv(ledger, tz).encode("utf-8-sig"))
