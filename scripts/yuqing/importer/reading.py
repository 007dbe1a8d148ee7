"""An export file's bytes -> its rows of cell values: xlsx (openpyxl, read-only) or CSV in any of the encodings Chinese exports use."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Union

Cell = Union[str, int, float, datetime, date, time, None]


@dataclass(frozen=True)
class Sheet:
    """The rows of an export (1-based ``numbers`` as the spreadsheet or the text editor shows them)."""

    rows: tuple[tuple[Cell, ...], ...]
    numbers: tuple[int, ...]
    kind: str
    """``xlsx`` or ``csv``."""
    encoding: str | None = None
    """The CSV's encoding as people name it: UTF-8, UTF-8(带 BOM), GBK, GB18030, UTF-16."""


class Formula(str):
    """A cell that holds a formula (``=HYPERLINK(…)``), not a value: reported, never imported as text."""


class Unreadable(Exception):
    """The file cannot be read as an export; the message is Chinese."""


def read_sheet(data: bytes, name: str) -> Sheet:
    """The rows of the export ``data`` (the file's bytes; ``name`` only decides nothing but the message)."""
    lowered = name.lower()
    if data.startswith(b"PK\x03\x04"):
        return _xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0") or lowered.endswith(".xls"):
        raise Unreadable("这是旧版 Excel(.xls)文件,无法读取:请在 Excel 或 WPS 中“另存为”.xlsx 或 CSV 后再导入。")
    if lowered.endswith((".xlsx", ".xlsm")):
        raise Unreadable("文件扩展名是 .xlsx,但内容不是 Excel 工作簿(可能已损坏或只下载了一部分)。")
    return _csv(data)


def _xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)  # formulas seen as formulas
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise Unreadable(f"Excel 文件无法打开(可能已损坏):{type(error).__name__}。") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise Unreadable("Excel 文件中没有工作表。")
        rows: list[tuple[Cell, ...]] = []
        numbers: list[int] = []
        for number, cells in enumerate(sheet.iter_rows(), 1):
            row = tuple(Formula(c.value) if getattr(c, "data_type", None) == "f" else c.value for c in cells)
            if any(value not in (None, "") for value in row):
                rows.append(row)
                numbers.append(number)
    finally:
        book.close()
    return Sheet(tuple(rows), tuple(numbers), "xlsx")


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 with or without BOM, UTF-16 with BOM, else GBK or GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8(带 BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gbk"), "GBK"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        raise Unreadable("CSV 文件的编码无法识别(不是 UTF-8、GBK 或 GB18030):请在 Excel 或 WPS 中另存为“CSV UTF-8”。") from None


def _csv(data: bytes) -> Sheet:
    text, encoding = decode(data)
    if "\0" in text:
        raise Unreadable("文件不是 CSV 文本,也不是 .xlsx 工作簿,无法读取。")
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[tuple[Cell, ...]] = []
    numbers: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(tuple(row))
                numbers.append(line)
            line = reader.line_num + 1
    except csv.Error as error:
        raise Unreadable(f"CSV 第 {reader.line_num} 行无法读取:{error}。") from None
    return Sheet(tuple(rows), tuple(numbers), "csv", encoding)
