"""The last line of defence: no confidential record may appear in the built site.

After the build every file of the site is read (gzip files unpacked, HTML
entities decoded, the zero-width spaces search segmentation inserts removed)
and searched for the id and the title of every confidential record.
"""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path
from typing import Iterable

from ..model import Incident

TEXT_SUFFIXES = {".html", ".htm", ".xml", ".json", ".js", ".txt", ".md", ".svg", ".css", ".gz", ".csv"}
MIN_TITLE = 6
"""Shorter titles are too likely to occur in other text to be evidence of a leak."""


def needles(incidents: Iterable[Incident], public_titles: Iterable[str] = ()) -> list[str]:
    """Ids, and titles long enough to be evidence, that no public record shares."""
    public = {t.strip() for t in public_titles}
    found: dict[str, None] = {}
    for incident in incidents:
        found.setdefault(incident.id, None)
        title = incident.title.strip()
        if len(title) >= MIN_TITLE and title not in public:
            found.setdefault(title, None)
    return list(found)


def _normal(text: str) -> str:
    text = text.replace("\u200b", "")
    if "\\u" in text:  # JSON with ASCII escapes
        text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(text)


def leaks(site_dir: Path, incidents: Iterable[Incident], public_titles: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(file relative to site_dir, what leaked) for every confidential id or title found.

    A title that a published record also has is not searched for: it is public
    text (templated titles like 网民反映某超市销售过期食品 recur).
    """
    words = needles(incidents, public_titles)
    if not words:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    found: list[tuple[str, str]] = []
    for path in sorted(site_dir.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            try:
                data = gzip.decompress(data)
            except OSError:
                continue
        text = _normal(data.decode("utf-8", errors="replace"))
        for match in dict.fromkeys(m.group(0) for m in pattern.finditer(text)):
            found.append((path.relative_to(site_dir).as_posix(), match))
    return found
