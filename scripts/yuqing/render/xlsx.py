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
from typing import Any, BinaryIO, Callable, Iterator, Sequence

from ..export import Cell, Column, Ledger, Rows
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


def _fit(column: Column, rows: Rows, index: int) -> float:
    if column.kind == "time":
        return 17
    if column.kind == "long":
        return column.width
    widest = max(display_width(column.header), rows.widest(index))
    return min(max(widest + 2, 6), WRAP_WIDTH)


def _value(value: Cell, tz: tzinfo) -> Cell:
    if isinstance(value, datetime):
        return local(value, tz)
    return inert(value) if isinstance(value, str) else value


def _print_setup(sheet: Any, header_row: int | None, *, wide: bool = False) -> None:
    """A4 landscape, the header row repeated on every page, page numbers in the footer; one page
    wide, or (``wide``) at ``WIDE_SCALE`` over as many pages as it takes, column A on each."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4; a write-only sheet lacks the name)
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


class _Styles:
    """The cell styles of the sheets, made once. A style set on a cell is looked up among the
    workbook's styles by hashing it (about 80 µs a cell); a streamed sheet instead copies the
    index array of a cell styled once (``style``), which is what openpyxl keeps per cell."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="808080")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.header_font = Font(bold=True, size=FONT_SIZE)
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.font = Font(size=FONT_SIZE)
        self.alignment = Alignment(wrap_text=True, vertical="top")
        self.fills = {"overdue": PatternFill("solid", fgColor=OVERDUE_FILL),
                      "late": PatternFill("solid", fgColor=LATE_FILL)}
        self._arrays: dict[tuple[str | None, bool], Any] = {}

    def data(self, sheet: Any, fill: str | None, time: bool) -> Any:
        """The style array of a table cell: bordered, wrapped, top-aligned, filled and time-formatted as asked."""
        key = (fill, time)
        found = self._arrays.get(key)
        if found is None:
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(sheet)
            cell.font, cell.border, cell.alignment = self.font, self.border, self.alignment
            if time:
                cell.number_format = TIME_FORMAT
            if fill is not None:
                cell.fill = self.fills[fill]
            found = self._arrays[key] = cell._style
        return found


def _cell(sheet: Any, value: Any, **style: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _styled(sheet: Any, value: Any, array: Any) -> Any:
    from openpyxl.cell import Cell

    return Cell(sheet, row=1, column=1, value=value, style_array=array)


def _sheet(book: Any, title: str, columns: Sequence[Column], rows: Rows, tz: tzinfo,
           heading: Callable[[Any, Sequence[float]], list[list[Any]]], *, header_row: int = LEDGER_HEADER_ROW,
           fixed_widths: bool = False) -> Any:
    """A sheet of a write-only workbook, written row by row: ``heading`` gives the rows above the header
    (it may merge cells), then the header, then ``rows``."""
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    styles = _Styles()
    widths = [float(column.width) if fixed_widths else _fit(column, rows, number)
              for number, column in enumerate(columns)]
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    last = get_column_letter(len(columns))
    sheet.freeze_panes = f"{'C' if fixed_widths else 'B'}{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(rows), 1)}"
    _print_setup(sheet, header_row, wide=not fixed_widths)
    for line in heading(sheet, widths):
        sheet.append(line)
    # Spreadsheets do not grow a row for wrapped text on opening a file (LibreOffice keeps the
    # default height): each row gets the height its longest cell needs. A streamed sheet reads a
    # row's height as the row is written: each is set just before and dropped after.
    sheet.row_dimensions[header_row].height = row_height(widths, [c.header for c in columns])
    sheet.append([_cell(sheet, inert(column.header), font=styles.header_font, fill=styles.header_fill,
                        alignment=styles.header_alignment, border=styles.border) for column in columns])
    del sheet.row_dimensions[header_row]
    times = [column.kind == "time" for column in columns]
    for index, row in enumerate(rows, start=header_row + 1):
        fill = "overdue" if row.overdue else "late" if row.missed else None
        cells = [_styled(sheet, _value(value, tz), styles.data(sheet, fill, time))
                 for time, value in zip(times, row.cells)]
        sheet.row_dimensions[index].height = row_height(widths, row.cells)
        sheet.append(cells)
        del sheet.row_dimensions[index]
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


def _first_page_columns(widths: Sequence[float]) -> int:
    """How many columns (from A) surely print on the first page of a sheet printed at ``WIDE_SCALE``."""
    room = _PAGE_POINTS * 0.9 * 100 / WIDE_SCALE  # a tenth to spare: office suites round widths their own way
    used, fits = 0.0, 0
    for number, width in enumerate(widths, start=1):
        used += (width or 8.43) * _POINTS_PER_WIDTH
        if used > room:
            break
        fits = number
    return max(fits, min(len(widths), 3))


def _letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(number))


def _heading(ledger: Ledger, tz: tzinfo, title: str, count: int, total: str) -> Callable[[Any, Sequence[float]], list[list[Any]]]:
    """Rows 1 and 2 of a sheet: the title merged across ``count`` columns (or, when ``count`` is 0, the
    columns of the first printed page), then 制表单位, the range and ``total``, and 制表日期 under it."""

    def rows(sheet: Any, widths: Sequence[float]) -> list[list[Any]]:
        from openpyxl.styles import Alignment, Font

        span = count or _first_page_columns(widths)
        if span > 1:
            sheet.merged_cells.add(f"A1:{_letter(span)}1")
        first = [_cell(sheet, inert(f"{ledger.organization}{title}"), font=Font(bold=True, size=18),
                       alignment=Alignment(horizontal="center", vertical="center"))]
        third = max(span // 3, 1)
        parts = ((1, third, f"制表单位:{ledger.organization}", "left"),
                 (third + 1, span - third, f"范围(发现时间):{scope(ledger.stats)};{total}", "center"),
                 (span - third + 1, span, f"制表日期:{_day(ledger.now.astimezone(tz))}", "right"))
        second: list[Any] = []
        for start, end, text, align in parts:
            second += [None] * (start - 1 - len(second))
            second.append(_cell(sheet, inert(text), font=Font(size=11),
                                alignment=Alignment(horizontal=align, vertical="center")))
            if end > start:
                sheet.merged_cells.add(f"{_letter(start)}2:{_letter(end)}2")
        sheet.row_dimensions[1].height = 32
        sheet.row_dimensions[2].height = 20
        return [first, second]

    return rows


def _ledger_sheet(book: Any, ledger: Ledger, tz: tzinfo) -> None:
    """The 台账: title row, 制表单位/范围/制表日期 line, then the table (one page wide)."""
    _sheet(book, TITLE, ledger.columns, ledger.rows, tz,
           _heading(ledger, tz, TITLE, len(ledger.columns), f"共 {len(ledger.rows)} 起"), fixed_widths=True)


def _wide_sheet(book: Any, ledger: Ledger, tz: tzinfo, name: str, title: str, columns: Sequence[Column],
                rows: Rows, total: str) -> None:
    """明细 or 时限: the 台账's heading over the columns of the first printed page, then the table."""
    _sheet(book, name, columns, rows, tz, _heading(ledger, tz, title, 0, total))


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
    bold = Font(bold=True)
    lines: list[list[Any]] = []  # a streamed sheet's widths come first: its rows are made, then written

    def cells(values: Sequence[Any], font: Any = None) -> list[Any]:
        out = []
        for value in values:
            cell = _cell(sheet, inert(value))
            if font is not None:
                cell.font = font
            if isinstance(value, float):
                cell.number_format = "0.0%"
            out.append(cell)
        return out

    lines.append(cells(["舆情统计"], Font(bold=True, size=14)))
    lines.append(cells(["范围(发现时间)", scope(stats)]))
    lines.append(cells(["统计时刻", short(ledger.now)]))
    lines.append(cells(["合计(起)", stats.total]))
    rate = _cell(sheet, stats.overall.on_time_rate)
    rate.number_format = "0.0%"
    lines.append([_cell(sheet, "时限按时率"), rate])
    widths: dict[int, int] = {1: 18}
    for title, headers, rows, _ in sections(stats, rule_ids=False):
        lines.append([])
        lines.append(cells([title], bold))
        lines.append(cells(list(headers), bold))
        for row in rows:
            lines.append(cells([_number(v) for v in row]))
        for number, text in enumerate(headers, start=1):
            longest = max([display_width(text)] + [display_width(r[number - 1]) for r in rows])
            widths[number] = max(widths.get(number, 0), min(longest + 2, MAX_WIDTH))
    for number, value in widths.items():
        sheet.column_dimensions[get_column_letter(number)].width = value
    for warning in stats.warnings:
        lines.append([])
        lines.append(cells([f"注意:{warning}"]))
    _print_setup(sheet, None)
    for line in lines:
        sheet.append(line)


def workbook(ledger: Ledger, tz: tzinfo) -> Any:
    """The openpyxl Workbook of ``ledger``: write-only, each sheet written row by row as it is made
    (a 100,000-row ledger is never held as cells); save it once."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
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


def csv_lines(ledger: Ledger, tz: tzinfo) -> Iterator[str]:
    """The 台账 table as CSV lines, one row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Sequence[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line([inert(c.header) for c in ledger.columns])
    for row in ledger.rows:
        yield line([short(v.astimezone(tz)) if isinstance(v, datetime) else ("" if v is None else inert(v))
                    for v in row.cells])


def as_csv(ledger: Ledger, tz: tzinfo) -> str:
    """The 台账 table as CSV text (without the BOM: ``write_csv`` adds it)."""
    return "".join(csv_lines(ledger, tz))


def stream_csv(ledger: Ledger, tz: tzinfo, out: BinaryIO) -> None:
    """The CSV, BOM first, written to ``out`` row by row."""
    out.write("\ufeff".encode("utf-8"))
    for text in csv_lines(ledger, tz):
        out.write(text.encode("utf-8"))


def write_csv(ledger: Ledger, tz: tzinfo, path: Path) -> None:
    with path.open("wb") as out:
        stream_csv(ledger, tz, out)
