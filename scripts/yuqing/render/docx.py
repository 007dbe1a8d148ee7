"""Reports as Word documents in the layout of Chinese official documents (GB/T 9704-2012).

A4 paper; margins top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm; title
in 方正小标宋简体 二号 (22 pt) centred; body 仿宋_GB2312 三号 (16 pt) with a
two-character first-line indent and a fixed 28.95 pt line pitch (22 lines a
page); 一、 headings in 黑体, (一) headings in 楷体_GB2312, 1. headings in
仿宋_GB2312 bold, all 三号; page numbers "— 1 —" in 宋体 四号 at the foot; 落款 (the organization and
the date) right-aligned at the end. Every table's header row is marked
``w:tblHeader`` so that it repeats at the top of each page the table runs onto.

Word picks the font for Chinese characters from ``w:eastAsia`` of a run's
``rFonts``; python-docx's ``font.name`` sets only the Latin fonts, so every run
gets its East Asian font set explicitly. Figures (SVG) are left out of the
.docx: Word cannot show SVG without a raster fallback, and every chart's
numbers are in the tables next to it.
"""

from __future__ import annotations

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
SIZE_TABLE = Pt(10.5)  # 五号: tables hold many columns
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
        _body_paragraph(document, block.caption)
    table = document.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    aligns = block.align.ljust(len(block.headers), "<")
    table.autofit = False
    widths = column_widths(block)
    for index, header in enumerate(block.headers):
        _cell(table.rows[0].cells[index], header, bold=True, align="^")
    _repeat_header(table.rows[0])
    for row in block.rows:
        cells = table.add_row().cells
        for index, value in enumerate(row):
            _cell(cells[index], value, align=aligns[index])
    # Word reads the cells' widths, LibreOffice the grid's: set both.
    for column, width in zip(table.columns, widths):
        column.width = width
    for row_cells in table.rows:
        for cell, width in zip(row_cells.cells, widths):
            cell.width = width
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_after = Pt(0)


TEXT_WIDTH = Cm(21.0 - 2.8 - 2.6)


UNIT = Cm(0.18)
"""Width of one display column (half a CJK character) of 五号 text."""
PADDING = Cm(0.4)
SHORT = 16
"""Columns whose longest text is at most this wide (ids, times, levels) are kept on one line."""


def column_widths(block: Table) -> list[int]:
    """Widths shared out by what each column holds: short values (ids, times, counts) whole on one
    line, the rest of the line to the long texts (titles) in proportion to their length."""
    from .table import width as display_width

    needs = []
    for index, header in enumerate(block.headers):
        longest = max([display_width(row[index]) for row in block.rows if index < len(row)] or [0])
        needs.append(max(longest, min(display_width(header), 12), 4))
    short = [n <= SHORT for n in needs]
    whole = int(TEXT_WIDTH)
    natural = [int(UNIT * n + PADDING) for n in needs]
    fixed = sum(w for w, is_short in zip(natural, short) if is_short)
    weights = [min(n, 60) if not is_short else 0 for n, is_short in zip(needs, short)]
    if not any(weights):
        return [w * whole // max(fixed, 1) for w in natural]
    # Long texts get what the short ones leave, but never less than two fifths of the line.
    rest = max(whole - fixed, whole * 2 // 5)
    scale = min(1.0, (whole - rest) / fixed) if fixed else 1.0
    total = sum(weights)
    return [int(w * scale) if is_short else rest * weight // total
            for w, weight, is_short in zip(natural, weights, short)]


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


def _cell(cell: Any, text: str, *, bold: bool = False, align: str = "<") -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = {"<": WD_ALIGN_PARAGRAPH.LEFT, ">": WD_ALIGN_PARAGRAPH.RIGHT,
                           "^": WD_ALIGN_PARAGRAPH.CENTER}[align]
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    set_font(paragraph.add_run(_text(text)), BODY_FONT, SIZE_TABLE, bold=bold)


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
            _body_paragraph(document, block.text, font, bold=bold)
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
