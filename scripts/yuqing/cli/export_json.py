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
    from ..cache import CheckCache
    from ..model import Incident
    from ..register import lines_by_file
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
    # The guard's verdict on a cache file's lines is kept with the cache, under the needles it looked
    # for: an export of an unchanged register scans none of them again (most of its time at 100,000).
    cache = CheckCache.open(register.root, register.config)
    key = scanner.key()
    known = cache.verdicts(key) if cache is not None else {}
    judged_now: dict[bytes, dict[str, tuple[str, ...]]] = {}
    leaked = False
    folder = None if out is None else out.parent
    with tempfile.TemporaryFile() as spool:
        places: dict[str, tuple[int, int]] = {}
        for mark, kept, served in lines_by_file(register, public, ids):
            if mark is None:
                leaked = leaked or any(scanner.find_each([text for _, _, text in served]))
            else:
                verdict = known.get(mark)
                if verdict is None:
                    names = list(kept)
                    found = scanner.find_each([kept[name][0] for name in names])
                    verdict = {name: tuple(words) for name, words in zip(names, found) if words}
                judged_now[mark] = verdict
                leaked = leaked or any(name in verdict for name, _, _ in served)
            del kept
            for _, key_id, text in served:
                data = text.encode("utf-8")
                places[key_id] = (spool.tell(), len(data))
                spool.write(data)
        if cache is not None and judged_now.keys() - known.keys():
            cache.keep_verdicts(key, {**{m: v for m, v in known.items() if len(known) < 4 * len(judged_now) + 64},
                                      **judged_now})
        if leaked:
            _refuse()

        def ordered() -> Iterator[str]:
            for d in public:  # by id, as derived is
                if d.id in places:
                    start, size = places[d.id]
                    spool.seek(start)
                    yield spool.read(size).decode("utf-8")

        # Written piece by piece to a temporary file, put in place (or shown) only once all of it passed the guard.
        # The records' lines (pieces 1 to len(places)) were judged above; the rest (the head, the deadlines)
        # is judged a thousand pieces at a time.
        try:
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=".export-", suffix=".json",
                                             delete=False) as handle:
                temporary = Path(handle.name)
                waiting: list[str] = []

                def judge() -> None:
                    if any(scanner.find_each(waiting)):
                        handle.close()
                        temporary.unlink()
                        _refuse()
                    handle.write("".join(waiting))
                    waiting.clear()

                for index, chunk in enumerate(publicexport.pieces(register.config, register.now, ordered(),
                                                                  judged(register).deadlines, ids)):
                    if 1 <= index <= len(places):
                        judge() if waiting else None
                        handle.write(chunk)
                        continue
                    waiting.append(chunk)
                    if len(waiting) >= 1000:
                        judge()
                judge()
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


def _refuse() -> None:
    fail("公开事件的文字中提到了涉密事件的编号或标题,未导出(运行 `yuqing audit` 查看 confidential-mention)。")
