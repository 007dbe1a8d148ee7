"""Hand-written narrative for reports: docs/reports/<kind>-<period>.md.

Only people can write why things happened and what to do next; the reports
take that prose from a Markdown file and never make it up. The convention:

    docs/reports/annual-2025.md       年度自查报告
    docs/reports/monthly-2025-03.md   月度评估
    docs/reports/quarterly-2025-Q1.md 舆情季度评估
    docs/reports/weekly-2025-W10.md   舆情周报

Text before the first ``##`` heading is the opening (开头语). Each ``##``
section goes into the report section whose title it names: the heading's
number (一、, (一), 1.) is ignored, so ``## 三、存在问题`` and ``## 存在问题``
both fill 三、存在问题. ``###``/``####`` headings inside a section are kept
as written. A section that names no report section is added at the end, so
no hand-written text is ever dropped. HTML comments (``<!-- -->``) are left
out, so a template can carry instructions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .document import Block, Heading, Paragraph

FOLDER = "docs/reports"

_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[((][一二三四五六七八九十]+[))]|\d+[、.．])\s*")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def path_for(root: Path, kind: str, label: str) -> Path:
    return root / FOLDER / f"{kind}-{label}.md"


def normalize(title: str) -> str:
    """A heading without its number, emphasis or spaces."""
    return re.sub(r"[\s*_`#]", "", _NUMBER.sub("", title))


@dataclass(frozen=True)
class Narrative:
    file: str
    preamble: tuple[Block, ...]
    sections: tuple[tuple[str, tuple[Block, ...]], ...]
    """(heading as written, its blocks), in file order."""

    def section(self, *keys: str) -> tuple[Block, ...] | None:
        """The blocks of the first section whose title contains one of ``keys``."""
        for title, blocks in self.sections:
            name = normalize(title)
            if any(key in name for key in keys):
                return blocks
        return None

    def others(self, *key_groups: tuple[str, ...]) -> list[tuple[str, tuple[Block, ...]]]:
        """Sections that match none of the report's sections."""
        return [(title, blocks) for title, blocks in self.sections
                if not any(any(k in normalize(title) for k in keys) for keys in key_groups)]


def load(root: Path, kind: str, label: str) -> tuple[Narrative | None, list[str]]:
    """The narrative for a report, if its file exists (and problems reading it)."""
    path = path_for(root, kind, label)
    if not path.is_file():
        return None, []
    rel = f"{FOLDER}/{path.name}"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return None, [f"{rel} 无法读取(应为 UTF-8 编码的 Markdown):{error}"]
    return parse(text, rel), []


def parse(text: str, file: str = "") -> Narrative:
    text = _COMMENT.sub("", text.replace("\r\n", "\n"))
    preamble: list[Block] = []
    sections: list[tuple[str, list[Block]]] = []
    current = preamble
    lines: list[str] = []

    def flush() -> None:
        if lines:
            current.append(Paragraph(_inline("".join(lines))))
            lines.clear()

    for raw in text.split("\n"):
        line = raw.strip()
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*$", line)
        if heading:
            flush()
            depth, title = len(heading.group(1)), heading.group(2)
            if depth == 1:
                continue  # the file's own title: the report has its own
            if depth == 2:
                sections.append((title, []))
                current = sections[-1][1]
            else:
                current.append(Heading(min(depth, 4), _inline(title)))
        elif not line:
            flush()
        elif re.match(r"^([-*+]|\d+[.)])\s+", line):
            flush()
            lines.append(re.sub(r"^[-*+]\s+", "", line))
            flush()
        else:
            lines.append(line)
    flush()
    return Narrative(file, tuple(preamble), tuple((t, tuple(b)) for t, b in sections))


def _inline(text: str) -> str:
    """Plain text of a Markdown line: emphasis and code marks dropped."""
    return re.sub(r"(\*\*|__|`)", "", text).strip()
