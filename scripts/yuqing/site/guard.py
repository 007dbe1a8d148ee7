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
import hashlib
import html
import io
import os
import zipfile
import re
from pathlib import Path
from typing import IO, Iterable, Mapping, cast

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


_INVISIBLE = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD),
              (0x070F, 0x070F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F),
              (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
              (0xFFA0, 0xFFA0), (0xFFF0, 0xFFFB), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x110BD, 0x110BD),
              (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
              (0xE0000, 0xE0FFF))
"""Characters a reader does not see: Unicode's format characters (category Cf) and its default-ignorable
code points (the combining grapheme joiner, variation selectors, Hangul and Mongolian fillers and
selectors, tags): dropped before searching, so a needle cannot hide behind one."""
_MATH_DIGITS = (0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6)
"""First code point of each run of mathematical digits (bold, double-struck, sans-serif, …): read as 0–9."""
_FOLD: dict[int, str | None] = {
    **dict.fromkeys(map(ord, "\u02d7\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"),
    **{first + digit: str(digit) for first in _MATH_DIGITS for digit in range(10)},
    **{code: None for first, last in _INVISIBLE for code in range(first, last + 1)},
    # Full-width ASCII (ＹＱ２０２６) reads as ASCII: the part of NFKC a needle can hide behind, at a
    # fraction of its cost on a whole site's text.
    **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)},
}


_FOLDED = re.compile("[\u02d7\u2010-\u2015\u2212\ufe58\ufe63\uff01-\uff5e\U0001d7ce-\U0001d7ff"
                     + "".join(f"{chr(first)}-{chr(last)}" for first, last in _INVISIBLE) + "]")


def _normal(text: str) -> str:
    """Text as a reader sees it: entities and JSON escapes decoded, look-alike forms folded.

    Full-width letters and digits fold to ASCII (ＹＱ－２０２６), dashes to "-",
    and invisible format characters (zero-width, bidi) are dropped, so a
    needle cannot hide behind a spelling that reads the same.
    """
    if "\\u" in text:  # JSON with ASCII escapes
        text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = html.unescape(text)
    # Most pages hold none of these: a search in C, then the per-character table only where needed.
    return text.translate(_FOLD) if _FOLDED.search(text) else text


class Scanner:
    """Finds the confidential needles in a text, however it is spelled (see ``_normal``; case ignored)."""

    def __init__(self, incidents: Iterable[Incident], public_titles: Iterable[str] = ()) -> None:
        self.words = {_normal(w).casefold(): w for w in needles(incidents, public_titles)}
        # A needle ending in a digit is not found inside a longer number: the confidential YQ-2022-1002 is
        # not in the public YQ-2022-10020 (a register past 9,999 records a year has both).
        self.pattern = re.compile(_trie(self.words), re.IGNORECASE) if self.words else None

    def key(self) -> str:
        """What the verdicts depend on, hashed: the needles (a verdict kept under it stands for them)."""
        digest = hashlib.sha256(b"guard 1\0")
        for word in sorted(self.words):
            digest.update(word.encode("utf-8", "surrogatepass") + b"\0")
        return digest.hexdigest()

    def find(self, text: str) -> list[str]:
        """Each needle found in ``text`` (as the register spells it), once, in order of appearance."""
        if self.pattern is None:
            return []
        return list(dict.fromkeys(self.words.get(m.group(0).casefold(), m.group(0))
                                  for m in self.pattern.finditer(_normal(text))))

    def clean(self, text: str) -> bool:
        """Whether ``text`` holds no needle (one scan: :meth:`find` says which, where it does)."""
        return self.pattern is None or self.pattern.search(_normal(text)) is None

    def find_each(self, texts: list[str]) -> list[list[str]]:
        """:meth:`find` of each of ``texts``, the clean ones at the cost of one scan of them all
        (joined by a character no needle or normalised text holds: no match spans two texts)."""
        if self.clean("\0".join(texts)):
            return [[] for _ in texts]
        return [self.find(text) for text in texts]


def _trie(words: Iterable[str]) -> str:
    """One pattern for every word, as a tree of their shared beginnings: each place in a text
    tries one branch per next character, not every word (thousands of confidential records made
    a plain alternation the most of an export's time). Longest match first at each place, and a
    word ending in a digit is not matched before another digit, as the alternation of the words,
    longest first, did."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict], last: str) -> str:
        branches = [re.escape(char) + pattern(child, char) for char, child in sorted(node.items()) if char]
        if "" in node:
            branches.append("(?![0-9])" if last.isdigit() else "")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return pattern(tree, "")


WHOLE = 1 << 20
"""Files up to this many bytes are read whole; larger ones (a province's export.json: hundreds of MB,
a year's 台账 unpacked) are searched a piece of this many characters at a time (each piece is copied
a few times as it is normalised: larger pieces cost memory, not time)."""
OVERLAP = 1 << 16
"""Characters of a piece searched again with the next: more than any needle however encoded (an id or
title of a few hundred characters, each at most ten as an entity), so no needle spans two pieces unseen."""


def _mark(path: str) -> tuple[int, bytes]:
    """A file's size and hash, read a piece at a time."""
    digest, size = hashlib.blake2b(digest_size=20), 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return size, digest.digest()


def _file_hits(scanner: Scanner, path: str) -> list[str]:
    """The needles in a file as a reader would get it: gzip data unpacked whatever the file's suffix
    (.gz, Pagefind's .pf_* chunks), zip archives member by member (xlsx, docx); a small file at once,
    a large one a piece at a time (``WHOLE``)."""
    with open(path, "rb") as handle:
        return _handle_hits(scanner, handle)


def bytes_hits(scanner: Scanner, data: bytes) -> list[str]:
    """The needles in a file's bytes about to be written (``_file_hits`` of it)."""
    return _handle_hits(scanner, io.BytesIO(data))


def _handle_hits(scanner: Scanner, handle: IO[bytes]) -> list[str]:
    """The needles in an open binary file: gzip data unpacked whatever its name, zip archives member by
    member, else its bytes; read a piece at a time."""
    magic = handle.read(4)
    handle.seek(0)
    if magic[:2] == b"\x1f\x8b":
        found: dict[str, None] = {}
        try:
            with gzip.GzipFile(fileobj=handle) as unpacked:
                _stream_hits(scanner, cast(IO[bytes], unpacked), found)
            return list(found)
        except (OSError, EOFError):  # damaged, or not gzip after all: what it held, and its bytes as they are
            handle.seek(0)
            _stream_hits(scanner, handle, found)
            return list(found)
    if magic == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(handle) as archive:
                found = {}
                for member in archive.namelist():
                    with archive.open(member) as unpacked:
                        found.update(dict.fromkeys(_stream_hits(scanner, unpacked)))
                return list(found)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            handle.seek(0)  # a broken archive is read as it is
    return _stream_hits(scanner, handle)


def _stream_hits(scanner: Scanner, stream: IO[bytes], found: dict[str, None] | None = None) -> list[str]:
    """:meth:`Scanner.find` over a byte stream, decoded as UTF-8, a piece of ``WHOLE`` characters at a
    time, each searched with the last ``OVERLAP`` characters of the one before (hits also added to
    ``found`` as they come: a stream that breaks later keeps them)."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    found = {} if found is None else found
    tail = ""
    try:
        while True:
            piece = text.read(WHOLE)
            if not piece:
                break
            window = tail + piece
            found.update(dict.fromkeys(scanner.find(window)))
            tail = window[-OVERLAP:]
    finally:
        text.detach()  # the caller closes the stream
    return list(found)


class Seen:
    """Files a pass over an output folder found clean, by their bytes (size and hash), under the needles
    (``Scanner.key``) they were searched for: `mkdocs serve` rewrites the same theme assets, search
    index chunks and feed on every rebuild, and a file whose bytes and needles are unchanged need not
    be searched again. Any change of the needles (a record made confidential) forgets them all."""

    def __init__(self) -> None:
        self.key = ""
        self.files: dict[str, tuple[int, bytes]] = {}

    def under(self, key: str) -> None:
        if key != self.key:
            self.key, self.files = key, {}


def _files(site_dir: Path) -> list[tuple[str, os.DirEntry[str]]]:
    """Every file under ``site_dir`` (relative POSIX name, its directory entry), by name: one directory
    read per folder and no stat per file (a served site of 10,000 records has tens of thousands)."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    todo = [("", str(site_dir))]
    while todo:
        prefix, folder = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                todo.append((prefix + entry.name + "/", entry.path))
            elif entry.is_file():
                found.append((prefix + entry.name, entry))
    found.sort(key=lambda item: item[0])
    return found


def leaks(site_dir: Path, incidents: Iterable[Incident], public_titles: Iterable[str] = (),
          scanned: Mapping[str, int] | None = None, seen: Seen | None = None) -> list[tuple[str, str]]:
    """(file relative to site_dir, what leaked) for every confidential id or title found.

    A title that a published record also has is not searched for: it is public
    text (templated titles like 网民反映某超市销售过期食品 recur).

    ``scanned``: file (relative, POSIX) -> byte size of files already scanned in memory before
    they were written (the pages: at a province, gigabytes); such a file is read again only if
    its size changed since (something rewrote it). ``seen`` (`mkdocs serve`): the files an earlier
    pass found clean under the same needles, skipped when their bytes are the same (a file with a
    leak is never recorded, so it is found again).
    """
    scanner = Scanner(incidents, public_titles)
    if scanner.pattern is None:
        return []
    scanned = scanned or {}
    if seen is not None:
        seen.under(scanner.key())
    found: list[tuple[str, str]] = []
    for name, entry in _files(site_dir):
        if os.path.splitext(entry.name)[1].lower() in BINARY_SUFFIXES:
            continue
        if scanned:
            size = scanned.get(name)
            if size is not None and size == entry.stat().st_size:
                continue
        mark = None
        if seen is not None:
            mark = _mark(entry.path)
            if seen.files.get(name) == mark:
                continue
        hits = _file_hits(scanner, entry.path)
        for match in hits:
            found.append((name, match))
        if seen is not None and mark is not None:
            if hits:
                seen.files.pop(name, None)
            else:
                seen.files[name] = mark
    return found
