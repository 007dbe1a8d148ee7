"""Plain-text tables that line up with Chinese text in a terminal."""

from __future__ import annotations

import functools
import unicodedata
from typing import Sequence

from .markdown import md_cell


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK and emoji take two)."""
    if text.isascii():  # no ASCII character is wide or combining: most cells of a big table
        return len(text)
    return sum(map(_char_width, text))


@functools.lru_cache(maxsize=8192)
def _char_width(char: str) -> int:
    if unicodedata.combining(char) or char in "\u200b\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def pad(text: str, columns: int, align: str = "<") -> str:
    gap = max(0, columns - width(text))
    return (" " * gap + text) if align == ">" else (text + " " * gap)


def clip(text: str, columns: int) -> str:
    """Cut ``text`` to ``columns`` display columns, marking the cut with …."""
    if width(text) <= columns:
        return text
    out, used = [], 0
    for char in text:
        w = width(char)
        if used + w > columns - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """An aligned table; ``align`` holds one '<' or '>' per column (default '<')."""
    columns = [max([width(h)] + [width(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    aligns = align.ljust(len(headers), "<")
    lines = ["  ".join(pad(h, columns[i], aligns[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("─" * c for c in columns))
    for row in rows:
        lines.append("  ".join(pad(str(cell), columns[i], aligns[i]) for i, cell in enumerate(row)).rstrip())
    return "\n".join(lines)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """A GitHub-flavoured Markdown table; every cell is escaped (``markdown.md_cell``).

    The one way reports and summaries write tables: a cell can hold a record's
    text and never becomes a link, an image, a tag or a table break.
    """
    aligns = align.ljust(len(headers), "<")
    rule = ["---:" if a == ">" else "---" for a in aligns]
    lines = ["| " + " | ".join(md_cell(h) for h in headers) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


__all__ = ("clip", "md_cell", "md_table", "pad", "table", "width")
