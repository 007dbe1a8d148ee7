"""The published archive: Markdown pages generated from the register.

``collect`` gathers the data once, ``pages.build`` turns it into
``{path under docs/: Markdown}``; the MkDocs plugin hands those to MkDocs in
memory, ``write`` puts them on disk for ``yuqing site render``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

from .model import GENERATED, HOME


def write(pages: Mapping[str, str | bytes] | Iterable[tuple[str, str | bytes]], docs_dir: Path) -> tuple[int, int]:
    """Write ``pages`` (a mapping, or (name, text) pairs made one at a time) under ``docs_dir``;
    a file is rewritten only when its text changes.

    Stale files left in docs/generated/ by an earlier run are removed.
    Returns (files written, files removed).
    """
    written = 0
    names: set[str] = set()
    for name, text in (sorted(pages.items()) if isinstance(pages, Mapping) else pages):
        names.add(name)
        target = docs_dir / name
        data = text.encode("utf-8") if isinstance(text, str) else text
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    removed = 0
    generated = docs_dir / GENERATED
    if generated.is_dir():
        wanted = {(docs_dir / p).resolve() for p in names}
        for path in sorted(generated.rglob("*"), reverse=True):
            if path.is_file() and path.resolve() not in wanted:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written, removed


__all__ = ["GENERATED", "HOME", "write"]
