"""One export row -> a hit: its text cleaned, its link checked, its times and counts read, or its problems."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Sequence

from .links import Link, parse_link
from .profiles import COUNTS, FIELDS, Header
from .reading import Cell, Formula

EXCEL_EPOCH = datetime(1899, 12, 30)
"""Day 0 of Excel's serial dates (the 1900 leap-year bug included)."""

_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u2028\u2029]")
_SENTIMENTS = {
    "负面": "负面", "负向": "负面", "消极": "负面", "敏感": "负面", "negative": "负面", "-1": "负面",
    "正面": "正面", "正向": "正面", "积极": "正面", "非敏感": "正面", "positive": "正面", "1": "正面",
    "中性": "中性", "中立": "中性", "neutral": "中性", "0": "中性",
}
_COUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*(万|w|W|千|k|K|亿)?\+?$")
_MULTIPLIER = {None: 1, "千": 1000, "k": 1000, "K": 1000, "万": 10000, "w": 10000, "W": 10000, "亿": 10 ** 8}


@dataclass(frozen=True)
class Problem:
    """What is wrong with one row of the export (``column`` is the header's label; empty for the whole row)."""

    row: int
    column: str
    value: str
    message: str


@dataclass(frozen=True)
class Hit:
    row: int
    title: str
    content: str
    link: Link | None
    published_at: datetime | None
    source: str
    author: str
    sentiment: str
    reach: int | None
    counts: dict[str, int]
    work_order: str
    unit: str = ""
    """The 承办单位 a work order names (12345), as written."""

    @property
    def key(self) -> str:
        """What hits of the same post share: the link's key, else the work-order number, else (title, time, source)."""
        if self.link is not None:
            return self.link.key
        if self.work_order:
            return f"工单号:{self.work_order}"
        return f"信息:{self.title}|{self.minute}|{self.source}"

    @property
    def minute(self) -> str:
        """The publication time to the minute, as the 预警 note writes it ("" when unknown)."""
        return f"{self.published_at:%Y-%m-%d %H:%M}" if self.published_at is not None else ""


def clean(value: Cell, *, lines: bool = False) -> str:
    """Text of a cell: invisible and control characters dropped; one line unless ``lines``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub(lambda m: "\n" if m.group() in "\u2028\u2029" else "", text.replace("\t", " "))
    if lines:
        return "\n".join(" ".join(line.split()) for line in text.strip().split("\n")).strip()
    return " ".join(text.split())


def sentiment_of(text: str) -> str:
    """负面 / 正面 / 中性 for the words platforms use; the text itself when unknown."""
    key = unicodedata.normalize("NFKC", text).strip().casefold()
    return _SENTIMENTS.get(key, text.strip())


def count_of(value: Cell) -> int | None | str:
    """A count as exported (``1,234``, ``1.2万``, ``10w+``); None when empty; a Chinese reason when not a count."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if value >= 0 else "不是有效的数(小于 0)。"
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip()
    if text in ("", "-", "--", "—"):
        return None
    match = _COUNT.match(text)
    if match is None:
        return "不是数字(可写 1234、1,234、1.2万)。"
    return int(float(match.group(1)) * _MULTIPLIER[match.group(2)])


def time_of(value: Cell, listed_at: datetime, tz: tzinfo) -> datetime | None | str:
    """A publication time as exported: a spreadsheet date, an Excel serial number, or text; None when empty."""
    from ..typed_time import parse_listed

    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    if isinstance(value, date):
        return "只有日期,没有时刻。"
    if isinstance(value, time):
        return "只有时刻,没有日期。"
    serial: float | None = float(value) if isinstance(value, (int, float)) else None
    text = str(value).strip()
    if serial is None and re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        serial = float(text)
    if serial is not None:
        if not 20000 <= serial <= 80000:  # 1954 .. 2119
            return "不是有效的时间(数字不像 Excel 日期)。"
        moment = EXCEL_EPOCH + timedelta(days=serial)
        moment = (moment + timedelta(microseconds=500_000)).replace(microsecond=0)  # float noise
        return moment.replace(tzinfo=tz)
    typed = parse_listed(text, listed_at, tz)
    if typed.value is None:
        return f"不是能识别的时间:{typed.error}"
    return typed.value.astimezone(tz)  # an offset in the export (Z, +00:00) becomes the register's zone


def read_row(number: int, cells: Sequence[Cell], header: Header, listed_at: datetime, tz: tzinfo) -> Hit | list[Problem]:
    """The hit one row holds, or every problem it has."""
    def cell(name: str) -> Cell:
        column = header.columns.get(name)
        return cells[column] if column is not None and column < len(cells) else None

    def label(name: str) -> str:
        column = header.columns.get(name)
        return header.labels[column] if column is not None else FIELDS[name]

    problems: list[Problem] = []
    formulas = [name for name in header.columns if isinstance(cell(name), Formula)]
    for name in formulas:
        problems.append(Problem(number, label(name), clean(cell(name)), "该格是公式,请导出为值(在 Excel 或 WPS 中"
                                "复制后“选择性粘贴 → 数值”,或由平台重新导出)。"))
    for name in header.profile.required:
        if name not in formulas and not clean(cell(name)):
            problems.append(Problem(number, label(name), "", f"缺少{FIELDS[name]}。"))
    if not clean(cell("link")) and not clean(cell("work_order")):
        lacking = [FIELDS[f] for f in ("title", "published_at", "source")
                   if not clean(cell(f)) and f not in header.profile.required]  # a required one is said above
        if lacking:
            problems.append(Problem(number, label("link"), "", f"没有链接,也没有工单号:须有标题、发布时间和来源才能"
                                    f"识别同一条信息(缺少{'、'.join(lacking)})。"))
    link: Link | None = None
    raw_link = clean(cell("link"))
    if raw_link:
        parsed = parse_link(raw_link)
        if isinstance(parsed, str):
            problems.append(Problem(number, label("link"), raw_link, f"链接无效:{parsed}"))
        else:
            link = parsed
    published = time_of(cell("published_at"), listed_at, tz)
    if isinstance(published, str):
        problems.append(Problem(number, label("published_at"), clean(cell("published_at")), published))
        published = None
    counts: dict[str, int] = {}
    for name in COUNTS:
        found = count_of(cell(name))
        if isinstance(found, str):
            problems.append(Problem(number, label(name), clean(cell(name)), found))
        elif found is not None:
            counts[name] = found
    if problems:
        return problems
    content = clean(cell("content"), lines=True)
    title = clean(cell("title")) or clean(content)[:40]
    return Hit(number, title, content, link, published, clean(cell("source")), clean(cell("author")),
               sentiment_of(clean(cell("sentiment"))), sum(counts.values()) if counts else None, counts,
               clean(cell("work_order")), clean(cell("unit")))
