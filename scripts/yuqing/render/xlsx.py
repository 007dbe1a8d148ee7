"""The 舆情台账 as an Excel workbook (openpyxl) and as CSV.

Sheets: 舆情台账 (one row per incident, ready to print and hand upward), 明细
(the same incidents, one value per cell, for filtering), 时限 (one row per
deadline), 统计.

The 台账, 明细 and 时限 sheets open with a title row (the organization + the
sheet's title, merged across), a line with 制表单位, the range and 制表日期,
then the header row. The 台账 prints on A4 landscape, one page wide (as many
pages long as it takes). 明细 and 时限 are too wide for one page at a size
anyone can read: they print on A4 landscape at a fixed scale (their 10 pt text
at 7.5 pt), as many pages wide as it takes, with the 编号 column repeated at the
left of every page and the heading on the first page. Every printed sheet has
the header row repeated on every page and page numbers in the footer. Every sheet
has its header frozen, an auto filter, times as real Excel dates in the
register's local time (tz-naive, ``yyyy-mm-dd hh:mm``); rows with a missed
deadline are filled: red when a deadline is overdue now, amber when one was
met late. Every value is computed in Python; the workbook has no formulas,
and every text cell has passed ``cells.inert``.

CSV is the 台账 sheet's table alone (no title lines), UTF-8 with a byte-order
mark (Excel on Windows reads BOM-less UTF-8 as the ANSI code page and garbles
Chinese), CRLF line ends.
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
from .cells import inert
from .stats import scope, sections
from .table import width as display_width

TIME_FORMAT = "yyyy-mm-dd hh:mm"
OVERDUE_FILL = "FFC7CE"
LATE_FILL = "FFEB9C"
HEADER_FILL = "DDEBF7"
MAX_WIDTH = 60
WRAP_WIDTH = 30
"""Widest column of 明细 and 时限: longer text wraps, so that no two columns fill a printed page."""
TITLE = "舆情台账"
LEDGER_HEADER_ROW = 3
"""Row of the column headers of the 台账, 明细 and 时限 sheets (title and 制表 lines above it)."""
FONT_SIZE = 10
WIDE_SCALE = 75
"""Print scale (percent) of the sheets wider than a page: 10 pt text prints at 7.5 pt."""
_POINTS_PER_WIDTH = 7.0
"""Printed points per Excel width unit at 100 %, as LibreOffice prints them (Excel: about 5.3)."""
_PAGE_POINTS = 841.9 - 2 * 0.4 * 72
"""Width of A4 landscape inside the 0.4 in margins, in points."""


def local(value: datetime, tz: tzinfo) -> datetime:
    """An aware time as Excel wants it: wall-clock time in the register's zone, no offset."""
    return value.astimezone(tz).replace(tzinfo=None)


def _fit(column: Column, values: Sequence[Cell]) -> float:
    if column.kind == "time":
        return 17
    if column.kind == "long":
        return column.width
    widest = max([display_width(column.header)] + [display_width(str(v)) for v in values if v is not None])
    return min(max(widest + 2, 6), WRAP_WIDTH)


def _value(value: Cell, tz: tzinfo) -> Cell:
    if isinstance(value, datetime):
        return local(value, tz)
    return inert(value) if isinstance(value, str) else value


def _print_setup(sheet: Any, header_row: int | None, *, wide: bool = False) -> None:
    """A4 landscape, the header row repeated on every page, page numbers in the footer; one page
    wide, or (``wide``) at ``WIDE_SCALE`` over as many pages as it takes, column A on each."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    if wide:
        sheet.page_setup.scale = WIDE_SCALE
        sheet.page_setup.pageOrder = "overThenDown"  # a row's remaining columns on the very next page
        sheet.sheet_properties.pageSetUpPr.fitToPage = False
        sheet.print_title_cols = "A:A"
    else:
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row is not None:
        sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.4
    margins.top = margins.bottom = 0.6
    margins.header = margins.footer = 0.3
    sheet.oddFooter.center.text = "第 &P 页,共 &N 页"


def _sheet(book: Any, title: str, columns: Sequence[Column], rows: Sequence[Row], tz: tzinfo, *,
           first: bool = False, header_row: int = LEDGER_HEADER_ROW, fixed_widths: bool = False) -> Any:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for number, column in enumerate(columns, start=1):
        cell = sheet.cell(header_row, number, inert(column.header))
        cell.font = Font(bold=True, size=FONT_SIZE)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    fills = {"overdue": PatternFill("solid", fgColor=OVERDUE_FILL), "late": PatternFill("solid", fgColor=LATE_FILL)}
    for index, row in enumerate(rows, start=header_row + 1):
        fill = fills["overdue"] if row.overdue else fills["late"] if row.missed else None
        for number, (column, value) in enumerate(zip(columns, row.cells), start=1):
            cell = sheet.cell(index, number, _value(value, tz))
            cell.font = Font(size=FONT_SIZE)
            cell.border = border
            if column.kind == "time":
                cell.number_format = TIME_FORMAT
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if fill is not None:
                cell.fill = fill
    widths = [float(column.width) if fixed_widths else _fit(column, [r.cells[number] for r in rows])
              for number, column in enumerate(columns)]
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    # Spreadsheets do not grow a row for wrapped text on opening a file (LibreOffice keeps the
    # default height): each row gets the height its longest cell needs.
    sheet.row_dimensions[header_row].height = row_height(widths, [c.header for c in columns])
    for index, row in enumerate(rows, start=header_row + 1):
        sheet.row_dimensions[index].height = row_height(widths, row.cells)
    last = get_column_letter(len(columns))
    sheet.freeze_panes = f"{'C' if fixed_widths else 'B'}{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(rows), 1)}"
    _print_setup(sheet, header_row, wide=not fixed_widths)
    return sheet


LINE_HEIGHT = 13.5
"""Points per line of 10 pt text, as Excel and WPS draw it with a CJK font.

Heights are sized for Excel and WPS, where a 10 pt CJK character takes about
two width units; LibreOffice draws CJK narrower, so there a tall row shows
some space below its text: room to spare, never a clipped line."""


def lines_needed(text: str, width: float) -> int:
    """Lines ``text`` takes in a column ``width`` characters wide (a CJK character counts two)."""
    room = max(width - 1, 1)
    return sum(max(1, -(-display_width(line) // int(room))) for line in text.split("\n"))


def row_height(widths: Sequence[float], cells: Sequence[Cell]) -> float:
    """The height in points a row needs to show every wrapped cell whole (``widths``: its columns')."""
    lines = 1
    for width, value in zip(widths, cells):
        if isinstance(value, str) and value:
            lines = max(lines, lines_needed(value, width))
    return round(lines * LINE_HEIGHT + 4, 1)


def _day(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _first_page_columns(sheet: Any, count: int) -> int:
    """How many columns (from A) surely print on the first page of a sheet printed at ``WIDE_SCALE``."""
    room = _PAGE_POINTS * 0.9 * 100 / WIDE_SCALE  # a tenth to spare: office suites round widths their own way
    used, fits = 0.0, 0
    for number in range(1, count + 1):
        used += (sheet.column_dimensions[_letter(number)].width or 8.43) * _POINTS_PER_WIDTH
        if used > room:
            break
        fits = number
    return max(fits, min(count, 3))


def _letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(number))


def _heading(sheet: Any, ledger: Ledger, tz: tzinfo, title: str, count: int, total: str) -> None:
    """Rows 1 and 2 of a sheet: the title merged across ``count`` columns, then 制表单位, the
    range and ``total``, and 制表日期 under it."""
    from openpyxl.styles import Alignment, Font

    sheet.cell(1, 1, inert(f"{ledger.organization}{title}"))
    if count > 1:
        sheet.merge_cells(f"A1:{_letter(count)}1")
    sheet["A1"].font = Font(bold=True, size=18)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 32
    third = max(count // 3, 1)
    parts = ((1, third, f"制表单位:{ledger.organization}", "left"),
             (third + 1, count - third, f"范围(发现时间):{scope(ledger.stats)};{total}", "center"),
             (count - third + 1, count, f"制表日期:{_day(ledger.now.astimezone(tz))}", "right"))
    for first, end, text, align in parts:
        sheet.cell(2, first, inert(text))
        if end > first:
            sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=end)
        sheet.cell(2, first).font = Font(size=11)
        sheet.cell(2, first).alignment = Alignment(horizontal=align, vertical="center")
    sheet.row_dimensions[2].height = 20


def _ledger_sheet(book: Any, ledger: Ledger, tz: tzinfo) -> None:
    """The 台账: title row, 制表单位/范围/制表日期 line, then the table (one page wide)."""
    sheet = _sheet(book, TITLE, ledger.columns, ledger.rows, tz, first=True, fixed_widths=True)
    _heading(sheet, ledger, tz, TITLE, len(ledger.columns), f"共 {len(ledger.rows)} 起")


def _wide_sheet(book: Any, ledger: Ledger, tz: tzinfo, name: str, title: str, columns: Sequence[Column],
                rows: Sequence[Row], total: str) -> None:
    """明细 or 时限: the 台账's heading over the columns of the first printed page, then the table."""
    sheet = _sheet(book, name, columns, rows, tz)
    _heading(sheet, ledger, tz, title, _first_page_columns(sheet, len(columns)), total)


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

    def append(values: Sequence[Any]) -> None:
        sheet.append([inert(v) for v in values])

    append(["舆情统计"])
    sheet["A1"].font = Font(bold=True, size=14)
    append(["范围(发现时间)", scope(stats)])
    append(["统计时刻", short(ledger.now)])
    append(["合计(起)", stats.total])
    append(["时限按时率", stats.overall.on_time_rate])
    sheet.cell(sheet.max_row, 2).number_format = "0.0%"
    widths: dict[int, int] = {1: 18}
    for title, headers, rows, _ in sections(stats, rule_ids=False):
        append([])
        append([title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        append(list(headers))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            append([_number(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0%"
        for number, text in enumerate(headers, start=1):
            longest = max([display_width(text)] + [display_width(r[number - 1]) for r in rows])
            widths[number] = max(widths.get(number, 0), min(longest + 2, MAX_WIDTH))
    for number, value in widths.items():
        sheet.column_dimensions[get_column_letter(number)].width = value
    for warning in stats.warnings:
        append([])
        append([f"注意:{warning}"])
    _print_setup(sheet, None)


def workbook(ledger: Ledger, tz: tzinfo) -> Any:
    """The openpyxl Workbook of ``ledger``."""
    from openpyxl import Workbook

    book = Workbook()
    _ledger_sheet(book, ledger, tz)
    _wide_sheet(book, ledger, tz, "明细", f"{TITLE}(明细)", ledger.detail_columns, ledger.detail_rows,
                f"共 {len(ledger.detail_rows)} 起")
    _wide_sheet(book, ledger, tz, "时限", "舆情处置时限表", ledger.deadline_columns, ledger.deadline_rows,
                f"共 {len(ledger.deadline_rows)} 项时限")
    _stats_sheet(book, ledger)
    book.properties.title = f"{ledger.organization}{TITLE}"
    book.properties.creator = "yuqing"
    return book


def write_xlsx(ledger: Ledger, tz: tzinfo, path: Path) -> None:
    workbook(ledger, tz).save(str(path))


def as_csv(ledger: Ledger, tz: tzinfo) -> str:
    """The 台账 table as CSV text (without the BOM: ``write_csv`` adds it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([inert(c.header) for c in ledger.columns])
    for row in ledger.rows:
        writer.writerow([short(v.astimezone(tz)) if isinstance(v, datetime) else ("" if v is None else inert(v))
                         for v in row.cells])
    return buffer.getvalue()


def write_csv(ledger: Ledger, tz: tzinfo, path: Path) -> None:
    path.write_bytes(as_csv(ledger, tz).encode("utf-8-sig"))
