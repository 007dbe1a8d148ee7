"""A tiny document model shared by the Markdown and Word renderers.

A report is a title and a list of blocks (headings, paragraphs, tables,
figures). Heading numbers follow Chinese official documents: 一、 for the first
level, (一) for the second, 1. for the third; the builder numbers them so the
Markdown and the .docx say the same thing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Sequence, Union

from ..render.markdown import md_text
from ..render.table import md_table

NUMERALS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (enough for section numbers)."""
    if n <= 10:
        return NUMERALS[n]
    if n < 20:
        return "十" + NUMERALS[n - 10]
    tens, ones = divmod(n, 10)
    return NUMERALS[tens] + "十" + (NUMERALS[ones] if ones else "")


PLACEHOLDER_OPEN = "【待填写:"


def placeholder(what: str) -> str:
    """The mark for prose only people can write: 【待填写:……】."""
    return f"{PLACEHOLDER_OPEN}{what}】"


@dataclass(frozen=True)
class Heading:
    level: int
    """2 = 一、, 3 = (一), 4 = 1. (1 is the title, kept on Report)."""
    text: str
    """With its number, e.g. 一、制度机制建立情况."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    placeholder: bool = False
    """A 【待填写:……】 mark, not content."""


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    svg: str
    caption: str


Block = Union[Heading, Paragraph, Table, Figure]



@dataclass(frozen=True)
class Closing:
    """落款: the issuing unit and the date, at the end of the report (right-aligned in the .docx)."""

    unit: str
    date: str
    """Written in Chinese: 2026年11月23日."""


@dataclass(frozen=True)
class Report:
    """A generated report: weekly, monthly, quarterly or annual."""

    kind: str
    period: str
    """The period's label (2025-W10, 2025-03, 2025)."""
    title: str
    subtitle: str
    blocks: tuple[Block, ...]
    narrative: str | None = None
    """The hand-written file used, relative to the register root (None if none)."""
    warnings: tuple[str, ...] = ()
    closing: Closing | None = None

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if isinstance(b, Heading))

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if isinstance(b, Paragraph) and b.placeholder)

    def to_markdown(self, *, figures: bool = True) -> str:
        """The report as Markdown (figures as inline SVG, which MkDocs passes through).

        Every block holds plain text; each text is escaped here (``md_text``,
        ``md_cell``), so nothing from a record or register.yml can become a
        link, an image, a tag or a heading.
        """
        out = [f"# {md_text(self.title)}", "", md_text(self.subtitle), ""]
        for block in self.blocks:
            if isinstance(block, Heading):
                out += ["#" * block.level + " " + md_text(block.text), ""]
            elif isinstance(block, Paragraph):
                out += [f"**{md_text(block.text)}**" if block.placeholder else md_text(block.text), ""]
            elif isinstance(block, Table):
                if block.caption:
                    out += [md_text(block.caption), ""]
                out += [md_table(block.headers, block.rows, block.align), ""]
            elif isinstance(block, Figure) and figures:
                out += [f'<figure class="yuqing-chart">{block.svg}<figcaption>{html.escape(block.caption)}'
                        "</figcaption></figure>", ""]
        for warning in self.warnings:
            out += [f"> 注意:{md_text(warning)}", ""]
        if self.closing:
            out += [md_text(self.closing.unit) + "  ", md_text(self.closing.date), ""]
        return "\n".join(out).rstrip() + "\n"


@dataclass
class Builder:
    """Collects blocks and numbers headings: h1 一、, h2 (一), h3 1."""

    blocks: list[Block] = field(default_factory=list)
    _counts: list[int] = field(default_factory=lambda: [0, 0, 0])

    def h1(self, text: str) -> None:
        self._counts = [self._counts[0] + 1, 0, 0]
        self.blocks.append(Heading(2, f"{chinese_number(self._counts[0])}、{text}"))

    def h2(self, text: str) -> None:
        self._counts[1] += 1
        self._counts[2] = 0
        self.blocks.append(Heading(3, f"({chinese_number(self._counts[1])}){text}"))

    def h3(self, text: str) -> None:
        self._counts[2] += 1
        self.blocks.append(Heading(4, f"{self._counts[2]}.{text}"))

    def heading(self, level: int, text: str) -> None:
        """A heading written by a person, with its own numbering (kept as written)."""
        self.blocks.append(Heading(min(max(level, 2), 4), text))

    def p(self, text: str) -> None:
        self.blocks.append(Paragraph(text))

    def todo(self, what: str) -> None:
        self.blocks.append(Paragraph(placeholder(what), placeholder=True))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]], align: str = "",
              caption: str = "") -> None:
        self.blocks.append(Table(tuple(headers), tuple(tuple(str(c) for c in r) for r in rows), align, caption))

    def figure(self, svg: str, caption: str) -> None:
        self.blocks.append(Figure(svg, caption))

    def extend(self, blocks: Sequence[Block]) -> None:
        self.blocks.extend(blocks)

    def narrative(self, blocks: Sequence[Block]) -> None:
        """Hand-written blocks inside a numbered section: their sub-headings are
        renumbered to continue this section's (一)/1. sequence."""
        from .narrative import normalize

        for block in blocks:
            if isinstance(block, Heading) and block.level == 3:
                self.h2(normalize(block.text) or block.text)
            elif isinstance(block, Heading) and block.level == 4:
                self.h3(normalize(block.text) or block.text)
            else:
                self.blocks.append(block)
