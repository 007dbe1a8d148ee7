"""Reports as Word documents in the layout of Chinese official documents (GB/T 9704-2012).

A4 paper; margins top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm; title
in 方正小标宋简体 二号 (22 pt) centred; body 仿宋_GB2312 三号 (16 pt) with a
two-character first-line indent and a fixed 28.95 pt line pitch (22 lines a
page); 一、 headings in 黑体, (一) headings in 楷体_GB2312, 1. headings in
仿宋_GB2312 bold, all 三号; page numbers "— 1 —" in 宋体 四号 at the foot; 落款 (the organization and
the date) right-aligned at the end. Every table's header row is marked
``w:tblHeader`` so that it repeats at the top of each page the table runs onto.
Headings and table captions keep with what follows them (``keep_with_next``), so
no heading is left alone at the foot of a page.

Tables are in 五号 (10.5 pt), those of six columns or more in 小五 (9 pt), with
narrow cell margins. Column widths come from what the columns hold
(``column_widths``): a short value (a level, a unit's name, a time, an id) is
never broken across lines, and the long texts (titles, notes) share what is left.

Word picks the font for Chinese characters from ``w:eastAsia`` of a run's
``rFonts``; python-docx's ``font.name`` sets only the Latin fonts, so every run
gets its East Asian font set explicitly. Figures (SVG) are left out of the
.docx: Word cannot show SVG without a raster fallback, and every chart's
numbers are in the tables next to it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..reports.document import Closing, Figure, Heading, Paragraph, Report, Table

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
LATIN_FONT = "Times New Roman"

SIZE_TITLE = Pt(22)   # 二号
SIZE_BODY = Pt(16)    # 三号
SIZE_TABLE = Pt(10.5)  # 五号
SIZE_WIDE_TABLE = Pt(9)  # 小五: tables of WIDE_TABLE columns or more
WIDE_TABLE = 6
CELL_MARGIN = Cm(0.1)
"""Left and right margin inside a table cell (Word's default is 0.19 cm)."""
SIZE_PAGE = Pt(14)    # 四号
LINE_PITCH = Pt(28.95)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(text: object) -> str:
    """Text Word can hold: XML forbids control characters (python-docx would raise on them)."""
    return _CONTROL.sub("", "" if text is None else str(text))


def set_font(run: Any, east_asia: str, size: Pt | None = None, *, bold: bool = False,
             latin: str = LATIN_FONT) -> None:
    """Set a run's Latin and East Asian fonts (w:rFonts ascii/hAnsi/eastAsia)."""
    run.font.name = latin
    fonts = _rfonts(run._element.get_or_add_rPr())
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(key), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    if size is not None:
        run.font.size = size
    run.font.bold = bold


def _style_fonts(style: Any, east_asia: str, size: Pt) -> None:
    style.font.name = LATIN_FONT
    style.font.size = size
    _rfonts(style.element.get_or_add_rPr()).set(qn("w:eastAsia"), east_asia)


def _rfonts(r_pr: Any) -> Any:
    """The w:rFonts element of a run's or style's properties, created when missing."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    return fonts


def _page_number(section: Any) -> None:
    """"— PAGE —" centred in the footer."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(paragraph.add_run("— "), PAGE_FONT, SIZE_PAGE, latin=PAGE_FONT)
    run = paragraph.add_run()
    set_font(run, PAGE_FONT, SIZE_PAGE, latin=PAGE_FONT)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    set_font(paragraph.add_run(" —"), PAGE_FONT, SIZE_PAGE, latin=PAGE_FONT)


def _body_paragraph(document: Any, text: str, east_asia: str = BODY_FONT, *, bold: bool = False,
                    indent: bool = True, color: RGBColor | None = None) -> Any:
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 三号
    run = paragraph.add_run(_text(text))
    set_font(run, east_asia, SIZE_BODY, bold=bold)
    if color is not None:
        run.font.color.rgb = color
    return paragraph


def _table(document: Any, block: Table) -> None:
    if block.caption:
        _body_paragraph(document, block.caption).paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    aligns = block.align.ljust(len(block.headers), "<")
    table.autofit = False
    _cell_margins(table)
    size = table_size(block)
    needs = _needs(block)  # once: a table of thousands of rows measures every cell
    widths = column_widths(block, size, needs)
    whole = _whole(block, widths, size, needs)
    for index, header in enumerate(block.headers):
        _cell(table.rows[0].cells[index], header, size, bold=True, align="^", no_wrap=whole[index])
    _repeat_header(table.rows[0])
    rows = list(block.rows)
    if rows:
        cells = table.add_row().cells
        for index, value in enumerate(rows[0]):
            _cell(cells[index], value, size, align=aligns[index], no_wrap=whole[index])
    # Word reads the cells' widths, LibreOffice the grid's: set both.
    for column, width in zip(table.columns, widths):
        column.width = width
    for row_cells in table.rows:
        for cell, width in zip(row_cells.cells, widths):
            cell.width = width
    if len(rows) > 1:
        # Every other row is the first one's copy with its own text: python-docx computes a table's
        # grid on each row and cell it hands out (a report's table of thousands of rows took minutes).
        template = table.rows[1]._tr
        for row in rows[1:]:
            copied = copy.deepcopy(template)
            for tc, value in zip(copied.tc_lst, [*row, *[""] * (len(block.headers) - len(row))]):
                _set_text(tc.p_lst[0].r_lst[0], _text(value))
            table._tbl.append(copied)
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_after = Pt(0)


TEXT_WIDTH = Cm(21.0 - 2.8 - 2.6)


PADDING = 2 * CELL_MARGIN + Cm(0.12)
"""Room a cell takes beyond its text: its two margins and a little slack for font metrics."""
SHORT = 28
"""Values at most this wide (14 CJK characters: ids, levels, times, every unit's name) are kept whole."""
FLOOR = 12
"""Every column is at least this wide (6 CJK characters), its header up to 4 characters whole."""


def table_size(block: Table) -> Pt:
    """五号, or 小五 for a table of many columns."""
    return SIZE_WIDE_TABLE if len(block.headers) >= WIDE_TABLE else SIZE_TABLE


def _unit(size: Pt) -> float:
    """Width (EMU) of one display column: half a CJK character, which is as wide as the font is high."""
    return float(size) / 2


_AUTOSPACE = 0.4
"""Display columns an office suite adds where CJK text meets Latin letters or digits (a fifth of
an em: Word's and LibreOffice's autospacing, "14小时20分" is three such joins wider)."""


def text_width(text: str) -> float:
    """Display columns ``text`` takes in a table cell: CJK two, Latin one, plus the autospacing."""
    from .table import _char_width

    if text.isascii():  # every character one column, no CJK to join: most cells of a big table
        return float(len(text))
    wide = [_char_width(char) == 2 for char in text if not char.isspace()]
    joins = sum(1 for a, b in zip(wide, wide[1:]) if a != b)
    return sum(map(_char_width, text)) + _AUTOSPACE * joins


_BREAKS = re.compile(r"[\s,,、;;::。]")
"""Where a text may break: a column whose values have none holds names and figures, kept whole."""


def _needs(block: Table) -> list[tuple[float, float, bool]]:
    """(floor, natural width, short) of each column, in display columns: short when every value is
    one word (a level, a unit's name, an id, a duration) of at most ``SHORT``."""
    out = []
    for index, header in enumerate(block.headers):
        values = [row[index] for row in block.rows if index < len(row)]
        longest = max([text_width(value) for value in values] or [0.0])
        head = min(text_width(header), 8)
        floor = max(min(longest, FLOOR), head, 4)
        natural = max(longest, head, 4)
        short = natural <= floor or (natural <= SHORT and not any(_BREAKS.search(v) for v in values))
        out.append((floor, natural, short))
    return out


def column_widths(block: Table, size: Pt = SIZE_TABLE, needs: list[tuple[float, float, bool]] | None = None) -> list[int]:
    """Widths (EMU) shared out by what each column holds, filling the line.

    Every column first gets its floor (a value of up to six characters, a header of
    up to four, whole). What is left goes first to the short columns (one-word values
    up to ``SHORT``: ids, levels, durations, unit names), the nearest to whole first,
    then to the long texts in proportion to what they still lack; once everything
    fits, the rest of the line is shared in proportion to the widths.
    """
    unit, pad, line = _unit(size), float(PADDING), float(TEXT_WIDTH)
    needs = needs or _needs(block)
    widths = [unit * low + pad for low, _, _ in needs]
    natural = [unit * high + pad for _, high, _ in needs]
    if sum(widths) > line:  # more columns than a line holds: everyone gives up in proportion
        return [int(w * line / sum(widths)) for w in widths]
    # Short columns one by one, the nearest to whole first: as many of them whole as the line allows.
    for index in sorted((i for i, (_, _, short) in enumerate(needs) if short), key=lambda i: natural[i] - widths[i]):
        widths[index] += min(max(natural[index] - widths[index], 0.0), line - sum(widths))
    gaps = [0.0 if short else max(n - w, 0.0) for n, w, (_, _, short) in zip(natural, widths, needs)]
    if sum(gaps) > 0:
        share = min(1.0, (line - sum(widths)) / sum(gaps))
        widths = [w + gap * share for w, gap in zip(widths, gaps)]
    spare = line - sum(widths)
    return [int(w + spare * w / sum(widths)) for w in widths]


def _whole(block: Table, widths: list[int], size: Pt, needs: list[tuple[float, float, bool]] | None = None) -> list[bool]:
    """Columns whose every value fits on one line in its width: marked no-wrap, so no office
    suite breaks "重大" or a unit's name over two lines for want of a hair's breadth."""
    unit, pad = _unit(size), float(PADDING)
    return [short and width + 1 >= unit * high + pad for (_, high, short), width in zip(needs or _needs(block), widths)]


_PLAIN = re.compile(r"[\t\n\r]")
"""Characters python-docx's run text writes as elements of their own (w:tab, w:br)."""


def _set_text(run: Any, text: str) -> None:
    """``run.text = text`` for a copied cell's run: its one w:t's text set in place when the text needs
    no w:tab or w:br (python-docx's setter rebuilt the run: seconds for a table of thousands of rows)."""
    ts = run.findall(qn("w:t"))
    if not text or len(ts) != 1 or len(run) != len(ts) + (run.rPr is not None) or _PLAIN.search(text):
        run.text = text
        return
    ts[0].text = text
    space = qn("xml:space")
    if len(text.strip()) < len(text):
        ts[0].set(space, "preserve")
    elif space in ts[0].attrib:
        del ts[0].attrib[space]


def _cell_margins(table: Any) -> None:
    """Narrow left and right cell margins (w:tblCellMar) for the whole table."""
    properties = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(int(CELL_MARGIN.twips)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    # Schema order: tblCellMar comes right before tblLook (Word refuses elements out of order).
    look = properties.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        properties.append(margins)


def _repeat_header(row: Any) -> None:
    """Mark a table's first row as its header (w:tblHeader): Word and LibreOffice repeat it on every page."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _closing(document: Any, closing: Closing) -> None:
    """落款: the issuing unit above the date, right-aligned, the date four characters from the margin."""
    document.add_paragraph()
    for text, indent in ((closing.unit, Pt(32)), (closing.date, Pt(64))):
        paragraph = _body_paragraph(document, text, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = indent


def _cell(cell: Any, text: str, size: Pt = SIZE_TABLE, *, bold: bool = False, align: str = "<",
          no_wrap: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = {"<": WD_ALIGN_PARAGRAPH.LEFT, ">": WD_ALIGN_PARAGRAPH.RIGHT,
                           "^": WD_ALIGN_PARAGRAPH.CENTER}[align]
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    set_font(paragraph.add_run(_text(text)), BODY_FONT, size, bold=bold)
    if no_wrap:
        cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))


def build(report: Report) -> Any:
    """The python-docx Document of ``report``."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _style_fonts(document.styles["Normal"], BODY_FONT, SIZE_BODY)
    _page_number(section)
    document.core_properties.title = _text(report.title)
    document.core_properties.author = "yuqing"

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(0)
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    title.paragraph_format.line_spacing = Pt(36)
    set_font(title.add_run(_text(report.title)), TITLE_FONT, SIZE_TITLE)
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(subtitle.add_run(_text(report.subtitle)), H2_FONT, SIZE_BODY)

    for block in report.blocks:
        if isinstance(block, Heading):
            font, bold = {2: (H1_FONT, False), 3: (H2_FONT, False)}.get(block.level, (BODY_FONT, True))
            heading = _body_paragraph(document, block.text, font, bold=bold)
            heading.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        elif isinstance(block, Paragraph):
            _body_paragraph(document, block.text, bold=block.placeholder,
                            color=RGBColor(0xC0, 0x00, 0x00) if block.placeholder else None)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Figure):
            continue
    for warning in report.warnings:
        _body_paragraph(document, f"注意:{warning}")
    if report.closing is not None:
        _closing(document, report.closing)
    return document


def write(report: Report, path: Path) -> None:
    build(report).save(str(path))
