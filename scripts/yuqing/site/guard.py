"""The last line of defence: no confidential record may appear in the built site.

Two passes, with one ``Scanner`` (the ids and titles of every confidential record):

* in memory, before MkDocs writes a page or a template (sitemap, 404): the
  plugin scans each output and aborts the build before the leaking file exists;
* after the build, every file of the output folder is read (gzip data
  unpacked whatever the file's suffix, as Pagefind's chunks are; HTML
  entities decoded; the zero-width spaces search segmentation inserts removed): the search index, the feed and the copied static files.

The plugin builds into a staging folder and moves it into place only when the
build succeeded (see mkdocs_plugin), so a failed build leaves nothing behind.
"""

from __future__ import annotations

import gzip
import html
import io
import zipfile
import re
from pathlib import Path
from typing import Iterable

from ..model import Incident

BINARY_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".woff", ".woff2", ".ttf", ".eot"}
"""Not searched (images and fonts); every other file is read as text, whatever its suffix."""
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


class Scanner:
    """Finds the confidential needles in a text (entities decoded, zero-width spaces removed)."""

    def __init__(self, incidents: Iterable[Incident], public_titles: Iterable[str] = ()) -> None:
        words = needles(incidents, public_titles)
        self.pattern = (re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
                        if words else None)

    def find(self, text: str) -> list[str]:
        """Each needle found in ``text``, once, in order of appearance."""
        if self.pattern is None:
            return []
        return list(dict.fromkeys(m.group(0) for m in self.pattern.finditer(_normal(text))))


def _unzipped(data: bytes) -> bytes:
    """Every member of a zip archive, concatenated (XML text for xlsx and docx); a broken one is read as is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return data


def leaks(site_dir: Path, incidents: Iterable[Incident], public_titles: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(file relative to site_dir, what leaked) for every confidential id or title found.

    A title that a published record also has is not searched for: it is public
    text (templated titles like 网民反映某超市销售过期食品 recur).
    """
    scanner = Scanner(incidents, public_titles)
    if scanner.pattern is None:
        return []
    found: list[tuple[str, str]] = []
    for path in sorted(site_dir.rglob("*")):
        if not path.is_file() or path.suffix.lower() in BINARY_SUFFIXES:
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":  # gzip, whatever the suffix (.gz, Pagefind's .pf_* chunks)
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                continue
        elif data[:4] == b"PK\x03\x04":  # zip: the xlsx and docx downloads, member by member
            data = _unzipped(data)
        for match in scanner.find(data.decode("utf-8", errors="replace")):
            found.append((path.relative_to(site_dir).as_posix(), match))
    return found
