"""`yuqing export json`: the public export a city's `yuqing aggregate` reads, streamed."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import click

from ._common import EXIT_OK, fail, judged, open_register

if TYPE_CHECKING:
    from ..model import Incident
    from ..site.guard import Scanner


def export_json(out: Path | None, root: Path | None, now_text: str | None) -> None:
    import hashlib
    import tempfile

    from .. import publicexport
    from ..cache import CheckCache
    from ..register import lines_by_file, unlisted_confidential
    from ..site.guard import Scanner

    # Only records without errors: a broken file's `confidential` cannot be trusted. Deadlines and
    # which records are public come from the check cache, and so do the records' lines where
    # it keeps them (else the records are read a cache file at a time); the lines are kept in a temporary
    # file, as the cache holds them (UTF-8), and written out by id (100,000 records held whole took gigabytes).
    register = open_register(root, now_text, records=False)
    assert register.config is not None and register.now is not None
    public = [d for d in register.derived if not d.facts.confidential]
    ids = frozenset(d.id for d in public)
    # The same guard as the site's: a public text that names a confidential record stops the export.
    # What the guard reads: ids and titles, also of confidential records discovered after --now or in
    # files with errors (not exported, still secret).
    secret = [*(d.facts for d in register.derived if d.facts.confidential), *unlisted_confidential(register)]
    scanner = Scanner(cast("list[Incident]", secret), (d.facts.title for d in public))
    # The guard's verdicts on a cache file's lines, and on the deadlines' text, are kept with the cache
    # under the needles looked for: an export of an unchanged register scans none of them again
    # (most of its time at 100,000 records).
    cache = CheckCache.open(register.root, register.config)
    key = scanner.key()
    known = cache.verdicts(key) if cache is not None else {}
    judged_now: dict[bytes, dict[str, tuple[str, ...]]] = {}
    folder = None if out is None else out.parent
    with tempfile.TemporaryFile() as spool:
        places: dict[str, tuple[int, int]] = {}
        leaked = False
        for lines, served in lines_by_file(register, public, ids):
            verdict = known.get(lines.mac) if lines.mac is not None else None
            if verdict is None:
                verdict = _judge(scanner, lines.blob, list(lines.where))
            if lines.mac is not None:
                judged_now[lines.mac] = verdict
            leaked = leaked or any(name in verdict for name, _, _, _ in served)
            base = spool.tell()
            spool.write(lines.blob)
            for _, record, start, end in served:
                places[record] = (base + start, base + end)
            del lines, served
        if leaked:
            _refuse()
        spool.flush()
        # Written piece by piece to a temporary file, put in place (or shown) only once all of it passed the guard.
        try:
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=folder, prefix=".export-", suffix=".json",
                                             delete=False) as handle:
                temporary = Path(handle.name)
                opening = publicexport.opening(register.config, register.now)
                if not scanner.clean(opening):
                    _refuse(temporary, handle)
                handle.write(opening.encode("utf-8"))
                # By id, as derived is. Each line in the spool is followed by a NUL (as the cache keeps them):
                # lines next to each other there and in the export (most are: a cache file is a block of ids)
                # are read at once, read where they are (a mapping of the whole spool counted all of it as the
                # command's memory), their NULs made the export's ",\n".
                separator, descriptor, write = b"\n", spool.fileno(), handle.file.write
                first = last = -2
                for d in public:
                    found = places.get(d.id)
                    if found is None:
                        continue
                    if found[0] == last + 1 and last - first < 1 << 22:  # at most a few megabytes at once
                        last = found[1]
                        continue
                    if first >= 0:
                        write(separator)
                        write(os.pread(descriptor, last - first, first).replace(b"\0", b",\n"))
                        separator = b",\n"
                    first, last = found
                if first >= 0:
                    write(separator)
                    write(os.pread(descriptor, last - first, first).replace(b"\0", b",\n"))
                # The rest (the deadlines) a thousand pieces at a time, each batch judged once for its text.
                waiting: list[str] = []
                for chunk in (*publicexport.closing(judged(register).deadlines, ids), None):
                    if chunk is not None:
                        waiting.append(chunk)
                    if len(waiting) >= 1000 or (chunk is None and waiting):
                        batch = "\0".join(waiting)
                        digest = b"d" + hashlib.blake2b(batch.encode("utf-8", "surrogatepass"), digest_size=16).digest()
                        if digest not in known and not scanner.clean(batch):
                            _refuse(temporary, handle)
                        judged_now[digest] = {}
                        handle.write("".join(waiting).encode("utf-8"))
                        waiting.clear()
        except OSError as error:
            fail(f"无法写入 {out or '临时文件'}:{error.strerror or error}")
    if cache is not None and judged_now.keys() - known.keys():
        # Verdicts on files since rewritten are dropped now and then (each run keeps at least its own).
        kept = known if len(known) < 4 * len(judged_now) + 64 else {}
        cache.keep_verdicts(key, {**kept, **judged_now})
    if out is None:
        binary = getattr(sys.stdout, "buffer", None)
        with open(temporary, "rb") as source:
            if binary is not None:  # as bytes: the text is UTF-8 already
                sys.stdout.flush()
                for block in iter(lambda: source.read(1 << 20), b""):
                    binary.write(block)
                binary.flush()
            else:
                import codecs

                decoder = codecs.getincrementaldecoder("utf-8")()  # a block may end inside a character
                for block in iter(lambda: source.read(1 << 20), b""):
                    click.echo(decoder.decode(block), nl=False)
        temporary.unlink()
        raise SystemExit(EXIT_OK)
    try:
        os.replace(temporary, out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        fail(f"无法写入 {out}:{error.strerror or error}")
    click.echo(f"已导出公开事件到 {out}(不含涉密事件)")
    raise SystemExit(EXIT_OK)


def _judge(scanner: Scanner, blob: bytes, names: list[str]) -> dict[str, tuple[str, ...]]:
    """What the guard finds in each of a cache file's lines (``cache.Lines``: each line followed by
    a NUL), by file name; the clean ones (most often all) at the cost of one scan."""
    text = blob.decode("utf-8")
    if scanner.clean(text):
        return {}
    found = (scanner.find(line) for line in text.split("\0"))
    return {name: tuple(words) for name, words in zip(names, found) if words}


def _refuse(temporary: Path | None = None, handle: Any = None) -> NoReturn:
    if handle is not None:
        handle.close()
    if temporary is not None:
        temporary.unlink(missing_ok=True)
    fail("公开事件的文字中提到了涉密事件的编号或标题,未导出(运行 `yuqing audit` 查看 confidential-mention)。")
