"""`yuqing export json`: the public export a city's `yuqing aggregate` reads, streamed."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ._common import EXIT_OK, fail, judged, open_register


def export_json(out: Path | None, root: Path | None, now_text: str | None) -> None:
    import tempfile
    from typing import Iterator, cast

    from .. import publicexport
    from ..model import Incident
    from ..register import each_line
    from ..site.guard import Scanner

    # Only records without errors: a broken file's `confidential` cannot be trusted. Deadlines and
    # which records are public come from the check cache, and so do the records' lines where
    # it keeps them (else the records are read a cache file at a time); each line is kept in a temporary
    # file (100,000 records held whole took gigabytes).
    register = open_register(root, now_text, records=False)
    assert register.config is not None and register.now is not None
    public = [d for d in register.derived if not d.facts.confidential]
    ids = frozenset(d.id for d in public)
    # The same guard as the site's: a public text that names a confidential record stops the export.
    secret = [d.facts for d in register.derived if d.facts.confidential]  # what the guard reads: ids, titles
    scanner = Scanner(cast("list[Incident]", secret), (d.facts.title for d in public))
    folder = None if out is None else out.parent
    with tempfile.TemporaryFile() as spool:
        places: dict[str, tuple[int, int]] = {}
        for key, text in each_line(register, public, ids):
            data = text.encode("utf-8")
            places[key] = (spool.tell(), len(data))
            spool.write(data)

        def ordered() -> Iterator[str]:
            for d in public:  # by id, as derived is
                if d.id in places:
                    start, size = places[d.id]
                    spool.seek(start)
                    yield spool.read(size).decode("utf-8")

        # Written piece by piece to a temporary file, put in place (or shown) only once all of it passed the guard.
        try:
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=".export-", suffix=".json",
                                             delete=False) as handle:
                temporary = Path(handle.name)
                for chunk in publicexport.pieces(register.config, register.now, ordered(),
                                                 judged(register).deadlines, ids):
                    if scanner.find(chunk):
                        handle.close()
                        temporary.unlink()
                        fail("公开事件的文字中提到了涉密事件的编号或标题,未导出"
                             "(运行 `yuqing audit` 查看 confidential-mention)。")
                    handle.write(chunk)
        except OSError as error:
            fail(f"无法写入 {out or '临时文件'}:{error.strerror or error}")
    if out is None:
        with open(temporary, encoding="utf-8") as source:
            for block in iter(lambda: source.read(1 << 20), ""):
                click.echo(block, nl=False)
        temporary.unlink()
        raise SystemExit(EXIT_OK)
    try:
        os.replace(temporary, out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        fail(f"无法写入 {out}:{error.strerror or error}")
    click.echo(f"已导出公开事件到 {out}(不含涉密事件)")
    raise SystemExit(EXIT_OK)

