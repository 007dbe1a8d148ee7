"""Pay once per version of a file: the verdicts of `check`, kept between runs.

Every command and the site build load the register through
``register.load_register``, which asks this cache first. A folder of the
register's ``.yuqing-cache/`` holds, per incident file, the version it
last saw (the git blob id of its bytes, with the ``lstat`` figures that let a
later run trust it unread, as git's own index does) and the verdict on that
version: its issues and a stub (id, file, what the register-wide rules read)
with the values derived from the record that do not depend on the clock (its
deadlines but for their status, the inputs of the statistics), then, apart,
the record's line of the public export (``publicexport.line``: it depends on the
record alone, never on the clock) and, last, the compact record itself.
`check`, `deadlines` and `stats` over an unchanged register read the heads only,
`export json` the heads and the lines (a record whose line cannot serve is read
whole, one cache file at a time); the site and the other commands read the records.

The files are by year folder and block of a thousand ids (``2026-12.bin`` holds
``incidents/2026/YQ-2026-12000.yml`` to ``…12999``; other names a few hashed
files): one year's records, or the newest, are read from their own files only,
and a change to one record rewrites one file. A cold check's pool workers pickle
the heads and records of what they checked themselves; the parent writes those
bytes as they are. Beside them, ``guard-<hash>.bin`` keeps the export's leak guard
verdicts on each file's lines, under a hash of what the guard looks for.

What a cached verdict may not depend on:

- anything but the file's bytes and name: the file name of the cache names a
  fingerprint of the tool's code and data (rule sets, calendars, bundled
  schemas), the Python, libyaml and holiday data (chinesecalendar) in use,
  ``register.yml``, the register's ``schemas/`` and the settings passed in;
  any change starts a new cache;
- the "as of" moment: a derived value is used only at a ``now`` from its
  record's latest time on (the record as written); earlier, the record is read
  and its view as of ``now`` derived afresh;
- the clock. Only the time-future rule reads it, so verdicts are taken against
  a clock at the end of time and each keeps the latest time its record holds:
  a record whose latest time is past the real clock (plus the rule's
  tolerance) is checked again, against the real clock, every run.

A broken cache costs time, never truth: a file that does not verify (its keyed
checksum, made with a key kept outside the register, so a cache file committed
to a repository is never trusted) is ignored and the register checked in full;
writes go to a temporary file renamed into place, so a run killed mid-write or
two runs at once leave the old cache or a whole new one. ``YUQING_NO_CACHE=1``
turns it off.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import hmac
import importlib.metadata
import io
import os
import pickle
import re
import secrets
import shutil
import stat
import sys
import tempfile
import time
import zlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, NamedTuple

import yaml

from . import __version__
from .model import Incident, Issue, RegisterConfig, Withdrawn
from .publicexport import line as export_line

if TYPE_CHECKING:
    from .deadlines import Pending
    from .stats import Facts

CACHE_DIR = ".yuqing-cache"
FORMAT = b"yuqing-check-cache 5\n"
_PACKAGE = Path(__file__).resolve().parent
_RACY_NS = 2_000_000_000
"""A file changed this close to the run's start is not trusted by its lstat next time
(a change within the same timestamp tick would keep size and mtime)."""

_PART = 2000
"""Records per pickle in a cache file."""
GROUP_SIZE = 1000
"""Ids per cache file of a year: ``incidents/2026/YQ-2026-12345.yml`` is kept in ``2026-12``."""
HASHED = 16
"""Cache files for the names not of that shape (by a hash of the name)."""
_GROUPED = re.compile(r"incidents/([0-9]{4})/[A-Z][A-Z0-9]*-[0-9]{4}-([0-9]{4,9})\.yml")

Stat = tuple[int, int, int, int]
"""size, mtime_ns, inode, ctime_ns of an ``lstat``."""


class Verdict(NamedTuple):
    """The clock-independent result of checking one version of one file (a tuple: 100,000 are held)."""

    incident: Incident | None
    issues: tuple[Issue, ...]
    latest: datetime | None
    """The latest time the record holds that the time-future rule judges."""
    derived: Derived | None = None
    """What the commands derive from the record, when it has no error."""


class Derived(NamedTuple):
    """What `deadlines` and `stats` read of a record: its deadlines but for the clock and its
    statistics' inputs. They depend on the record, register.yml and the code (all in the
    fingerprint), and on the moment only through the "as of" view: valid at any ``now``
    from ``latest`` on (the record then stands as written)."""

    file: str
    id: str
    latest: datetime | None
    facts: Facts
    parts: tuple[Pending, ...]


class Version(NamedTuple):
    """One version of a file: how it looked (``lstat``) and its content's git blob id."""

    stat: Stat | None
    digest: str


def file_stat(path: str | Path) -> tuple[Stat | None, bool]:
    """``path``'s lstat figures, and whether it is a regular file (only those are cached)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None, False
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns), stat.S_ISREG(info.st_mode)


def blob_id(raw: bytes) -> str:
    """git's object id for a file of these bytes (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()


def trusted_stat(figures: Stat | None, started_ns: int) -> Stat | None:
    """The lstat figures worth keeping: not those of a file changed just now."""
    if figures is None or figures[1] > started_ns - _RACY_NS or figures[3] > started_ns - _RACY_NS:
        return None
    return figures


def fingerprint(root: Path, config: RegisterConfig) -> str:
    """Everything besides a file's bytes that a verdict depends on, hashed."""
    digest = hashlib.sha256(FORMAT)
    digest.update(f"{__version__}\0{sys.version}\0{yaml.__version__}\0{getattr(yaml, '__with_libyaml__', '')}"
                  f"\0{_calendar_version()}".encode())
    digest.update(_canonical(config).encode("utf-8", "surrogateescape"))
    from .validate import SCHEMA_DIR

    sources = [(p, p.relative_to(_PACKAGE).as_posix()) for p in (*_verdict_code(), *_PACKAGE.glob("rulesets/*"))]
    sources += [(p, "bundled-schemas/" + p.name) for p in SCHEMA_DIR.glob("*")]
    sources += [(p, "register/" + p.relative_to(root).as_posix())
                for p in (root / "register.yml", *sorted((root / "schemas").glob("*")))]
    for path, name in sorted(sources, key=lambda s: s[1]):
        if "__pycache__" in name or not path.is_file():
            continue
        digest.update(b"\0" + name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _calendar_version() -> str:
    """The statutory holidays' package: its data decides due times (and so the cached deadlines)."""
    try:
        return importlib.metadata.version("chinesecalendar")
    except importlib.metadata.PackageNotFoundError:
        return ""


_IMPORT = re.compile(r"^\s*from\s+(\.+)([\w.]*)\s+import\s+([\w, ()]+)", re.MULTILINE)


@functools.lru_cache(maxsize=1)
def _verdict_code() -> tuple[Path, ...]:
    """The package's modules a verdict can depend on: what ``register`` and ``config``
    import, directly or not (the site and the renderers change often and judge nothing)."""
    seen: set[Path] = set()
    todo = [_PACKAGE / "__init__.py", _PACKAGE / "register.py", _PACKAGE / "config.py"]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        for dots, module, names in _IMPORT.findall(path.read_text(encoding="utf-8")):
            base = path.parent
            for _ in range(len(dots) - 1):
                base = base.parent
            target = base.joinpath(*module.split(".")) if module else base
            todo += [target.with_suffix(".py"), target / "__init__.py"]
            if not module:  # from . import x
                todo += [base / f"{n.strip(' ()')}.py" for n in names.split(",") if n.strip(" ()")]
    return tuple(sorted(seen))


def _canonical(value: Any) -> str:
    """A text of ``value`` that is the same in every process (a set's repr follows the hash seed)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        inner = ",".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    return repr(value)


def _key() -> bytes | None:
    """This user's secret for the cache's checksums, kept outside every register."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "yuqing"
    path = base / "cache-key"
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    except OSError:
        return None
    if len(key) == 32:
        return key
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=base, prefix=".key-")
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(32))
        os.replace(temporary, path)
        key = path.read_bytes()  # two first runs at once: the key that stayed is the one
    except OSError:
        return None
    return key if len(key) == 32 else None


class _Unpickler(pickle.Unpickler):
    """Only the register's own value types (checked data is verified first; this is a second wall)."""

    ALLOWED = ("yuqing.model", "yuqing.cache", "datetime", "zoneinfo", "builtins", "copyreg")
    DERIVED = (("yuqing.stats", "Facts"), ("yuqing.deadlines", "Pending"))

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.DERIVED:
            return super().find_class(module, name)
        if (module, name) == ("builtins", "getattr"):
            return _zone_getattr  # how a ZoneInfo pickles itself: getattr(ZoneInfo, "_unpickle")
        if module not in self.ALLOWED or (module == "builtins" and name not in ("frozenset", "set", "tuple", "dict",
                                                                                 "list", "str", "int")):
            raise pickle.UnpicklingError(f"{module}.{name}")
        return super().find_class(module, name)


def _zone_getattr(owner: Any, name: str) -> Any:
    import zoneinfo

    if owner is not zoneinfo.ZoneInfo or name != "_unpickle":
        raise pickle.UnpicklingError(f"getattr {name}")
    return zoneinfo.ZoneInfo._unpickle  # type: ignore[attr-defined]


Record = tuple[Version, Verdict]


class Stub(NamedTuple):
    """What the register-wide rules read of a record (its id, its file, the record a withdrawal
    names, where those are written): a check of an unchanged register loads no record whole."""

    id: str
    file: str
    withdrawn: Withdrawn | None
    positions: dict[str, tuple[int, int]]
    derived: Derived | None = None

    def position(self, path: str) -> tuple[int, int]:
        return Incident.position(self, path)  # type: ignore[arg-type]


_STUB_PATHS = ("", "id", "withdrawn", "withdrawn.duplicate_of")


def stub(incident: Incident | None, derived: Derived | None = None) -> Stub | None:
    if incident is None:
        return None
    withdrawn = incident.withdrawn
    if withdrawn is not None:
        withdrawn = Withdrawn("", None, withdrawn.duplicate_of)
    return Stub(incident.id, incident.file, withdrawn,
                {p: incident.positions[p] for p in _STUB_PATHS if p in incident.positions}, derived)


class Head(NamedTuple):
    """A verdict less its record: the issues, the latest time, the stub."""

    issues: tuple[Issue, ...]
    latest: datetime | None
    stub: Stub | None


def group_of(rel: str) -> str:
    """The cache file ``rel``'s verdict is kept in: by year folder and block of ids, so that
    one year's or the newest records are read from their own files; other names by a hash."""
    found = _GROUPED.fullmatch(rel)
    if found is not None:
        return f"{found[1]}-{int(found[2]) // GROUP_SIZE}"
    return f"x{zlib.crc32(rel.encode('utf-8', 'surrogateescape')) % HASHED:02d}"


Line = tuple[bytes, "str | None"]
"""A record's export line made with no public set (UTF-8), and the record its withdrawal names."""


class Lines(NamedTuple):
    """A cache file's export lines: one text of them all (UTF-8, each line followed by a NUL,
    which no line holds: a scan of the whole finds nothing that spans two lines), where each
    line is in it, by file name, with the record its withdrawal names; and their checksum."""

    where: dict[str, tuple[int, int, "str | None"]]
    blob: bytes
    mac: bytes | None = None

    def get(self, rel: str) -> tuple[str, str | None] | None:
        """The line of ``rel`` as text, and the record its withdrawal names."""
        found = self.where.get(rel)
        if found is None:
            return None
        start, end, named = found
        return self.blob[start:end].decode("utf-8"), named

    @classmethod
    def of(cls, lines: Iterable[tuple[str, bytes, str | None]]) -> "Lines":
        index: dict[str, tuple[int, int, str | None]] = {}
        pieces: list[bytes] = []
        at = 0
        for rel, data, named in lines:
            index[rel] = (at, at + len(data), named)
            pieces.append(data)
            at += len(data) + 1
        pieces.append(b"")
        return cls(index, b"\0".join(pieces) if len(pieces) > 1 else b"")


NO_LINES = Lines({}, b"")


class _Bucket:
    """One cache file: its heads read at once, its records only when asked for."""

    __slots__ = ("heads", "incidents", "handle", "mac", "start", "parts", "lines", "head_parts")

    def __init__(self, heads: dict[str, tuple[Version, Head]], handle: Any = None, mac: bytes = b"",
                 start: int = 0) -> None:
        self.heads = heads
        self.incidents: dict[str, Incident | None] | None = None if handle is not None else {}
        self.handle = handle
        self.mac = mac
        self.start = start
        """Where the heads end in the file: the export lines' part, then the records'."""
        self.parts: list[tuple[bytes, tuple[str, ...]]] = []
        """Records pickled by the process that checked them (a pool worker), with their names:
        written as they are, never loaded here unless a record of them is asked for."""
        self.lines: dict[str, Line] = {}
        """Export lines made by whoever checked the record (else made from the record when written)."""
        self.head_parts: list[bytes] | None = [] if handle is None and not heads else None
        """The heads as pickled where they were checked, while they are all of this file's heads
        (None once anything else changed: they are pickled here then)."""


class MissingRecord(Exception):
    """A cache file's records part did not verify after its heads did: those files are checked again."""


class CheckCache:
    """The verdicts of one register under one fingerprint.

    Kept in files by year folder and block of ids (:func:`group_of`; at most
    GROUP_SIZE records each, or a hash of the name), each read only when a
    file of it is asked for and written only when one of its verdicts changed:
    a pull request's check of one file reads one of them, a change to one
    record rewrites one of them, however large the register, and one year's
    records are read from that year's files. Each file holds the heads of its
    verdicts (issues, latest time, stub) apart from their records, which are
    read only when a command needs the records themselves (`check` of an
    unchanged register reads none)."""

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self.key = key
        self._buckets: dict[str, _Bucket] = {}
        self._dirty: set[str] = set()
        self._wrote = False
        self.started_ns = time.time_ns()
        self._written: dict[str, frozenset[str]] = {}
        """The names in the cache files this run wrote and let go of."""
        self.marks: dict[str, bytes] = {}
        """The heads' checksum of each cache file read or written in this run: a later reader
        of the same file (the export's lines) knows it unchanged without reading its heads again."""

    @classmethod
    def open(cls, root: Path, config: RegisterConfig) -> "CheckCache | None":
        """The cache of ``root`` (empty when there is none or it does not verify); None when off."""
        if os.environ.get("YUQING_NO_CACHE", "") not in ("", "0"):
            return None
        key = _key()
        if key is None:
            return None
        try:
            name = f"check-{fingerprint(root, config)[:32]}"
        except OSError:
            return None
        return cls(root / CACHE_DIR / name, key)

    bucket_of = staticmethod(group_of)
    _number = staticmethod(group_of)

    def _bucket(self, rel: str) -> _Bucket:
        return self._open(group_of(rel))

    def _path(self, group: str) -> Path:
        return self.folder / f"{group}.bin"

    def _open(self, group: str) -> _Bucket:
        bucket = self._buckets.get(group)
        if bucket is None:
            bucket = self._buckets[group] = _read(self._path(group), self.key)
            if bucket.handle is not None:
                self.marks[group] = bucket.mac
        return bucket

    def _records(self, bucket: _Bucket) -> dict[str, Incident | None]:
        if bucket.incidents is None:
            records = _read_records(bucket, self.key)
            if records is None:
                # Heads without their records are worth nothing: forgotten, so that no head is ever
                # written back without its record (their files are checked again).
                bucket.heads.clear()
                records = {}
            bucket.incidents = records
        if bucket.parts:
            with _frozen():
                for part, _ in bucket.parts:
                    bucket.incidents.update(_Unpickler(io.BytesIO(part)).load())
            bucket.parts.clear()
        return bucket.incidents

    def lines(self, group: str, mark: bytes | None = None) -> Lines:
        """The export lines kept in cache file ``group``: each record's ``publicexport.line``
        made with no public set, with the record its withdrawal names (the line holds that name:
        it serves only when that record is public too). None when they cannot be had (they do
        not verify, or this bucket's records were read already): the records are read instead.
        With ``mark`` (its heads' checksum, from the run that loaded the register: :attr:`marks`),
        the file's heads are not read again: it is used only if it is still that file."""
        if mark is not None and group not in self._buckets:
            found = _lines_at(self._path(group), mark, self.key)
            if found is not None:
                return found
        bucket = self._open(group)
        if bucket.handle is None:
            return NO_LINES
        return _read_lines(bucket, self.key) or NO_LINES

    def head(self, rel: str) -> tuple[Version, Head] | None:
        return self._bucket(rel).heads.get(rel)

    def incident(self, rel: str) -> Incident | None:
        """The record of ``rel``'s cached verdict; raises MissingRecord when it cannot be had."""
        records = self._records(self._bucket(rel))
        if rel not in records:
            raise MissingRecord(rel)
        return records[rel]

    def get(self, rel: str) -> Record | None:
        found = self.head(rel)
        if found is None:
            return None
        version, head = found
        try:
            incident = self.incident(rel)
        except MissingRecord:
            return None
        return version, Verdict(incident, head.issues, head.latest, head.stub.derived if head.stub else None)

    def put(self, rel: str, record: Record, line: Line | None = None) -> None:
        group = group_of(rel)
        bucket = self._open(group)
        records = self._records(bucket)  # a file rewritten holds every record
        version, verdict = record
        bucket.head_parts = None
        bucket.heads[rel] = (version, Head(verdict.issues, verdict.latest, stub(verdict.incident, verdict.derived)))
        records[rel] = verdict.incident
        bucket.lines.pop(rel, None)
        if line is not None:
            bucket.lines[rel] = line
        self._dirty.add(group)

    def put_part(self, group: str, heads: list[tuple[str, tuple[Version, Head]]], pickled: bytes,
                 part: bytes) -> None:
        """Verdicts of files of ``group`` checked elsewhere (a pool worker), with their heads and
        records pickled there already (``pickled``: the list ``heads``; ``part``: the list of
        (name, record)): written as they are, the records not loaded here."""
        bucket = self._open(group)
        if bucket.handle is not None or any(rel in bucket.heads for rel, _ in heads):
            self._records(bucket)  # the file's other records are rewritten with it
            bucket.head_parts = None
        records = bucket.incidents
        assert records is not None
        for rel, found in heads:
            bucket.heads[rel] = found
            records.pop(rel, None)
            bucket.lines.pop(rel, None)
        bucket.parts.append((part, tuple(rel for rel, _ in heads)))
        if bucket.head_parts is not None:
            bucket.head_parts.append(pickled)
        self._dirty.add(group)

    def add_lines(self, group: str, lines: list[tuple[str, bytes, str | None]]) -> None:
        """The export lines of files of ``group`` just put (made where they were checked)."""
        bucket = self._open(group)
        for rel, data, named in lines:
            bucket.lines[rel] = (data, named)

    def names(self) -> set[str]:
        """Every file name this cache holds a verdict for (reads every cache file's heads)."""
        groups = set(self._buckets)
        with contextlib.suppress(OSError):
            groups.update(p.name[:-4] for p in self.folder.iterdir()
                          if p.name.endswith(".bin") and not p.name.startswith((".", "guard-")))
        return {name for group in groups
                for name in (self._written[group] if group in self._written and group not in self._buckets
                             else self._open(group).heads)}

    def prune(self, current: set[str]) -> None:
        """Forget the files that are no longer there (after a run over the whole register)."""
        for name in self.names() - current:
            group = group_of(name)
            bucket = self._open(group)
            self._records(bucket).pop(name, None)
            bucket.lines.pop(name, None)
            bucket.head_parts = None
            del bucket.heads[name]
            self._dirty.add(group)

    def lookup(self, rel: str, figures: Stat | None, path: str | Path) -> Head | None:
        """The verdict's head on the file's current version, if this cache holds it."""
        found = self.head(rel)
        if found is None:
            return None
        version, head = found
        if figures is not None and version.stat == figures:
            return head
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError:
            return None
        if blob_id(raw) != version.digest:
            return None
        trusted = trusted_stat(figures, self.started_ns)
        if trusted != version.stat:
            try:
                self.put(rel, (Version(trusted, version.digest), Verdict(
                    self.incident(rel), head.issues, head.latest, head.stub.derived if head.stub else None)))
            except MissingRecord:
                return None
        return head

    def store(self, rel: str, version: Version, verdict: Verdict, line: Line | None = None) -> None:
        self.put(rel, (Version(trusted_stat(version.stat, self.started_ns), version.digest), verdict), line)

    def flush(self, group: str, forget: bool = False) -> None:
        """Write cache file ``group`` now if it changed; with ``forget``, let go of what it holds
        (read again from its file if asked for later)."""
        if group in self._dirty:
            try:
                self._make_folder()
                self._write(group, self._buckets[group])
                self._dirty.discard(group)
                self._wrote = True
            except OSError:
                return  # kept in memory: save() tries again
        if forget and group in self._buckets and group not in self._dirty:
            bucket = self._buckets.pop(group)
            if bucket.handle is not None:
                bucket.handle.close()
            elif bucket.heads:
                # Written by this run: its names are known without reading the file again (names()).
                self._written[group] = frozenset(bucket.heads)

    def verdicts(self, key: str) -> dict[bytes, dict[str, tuple[str, ...]]]:
        """The leak guard's verdicts on cache files' export lines, kept under ``key`` (a hash of
        what the guard looks for, ``site.guard.Scanner.key``): by the lines' checksum, what it
        found in which file's line (nothing: clean). Empty when there are none or they do not verify."""
        try:
            raw = (self.folder / f"guard-{key[:32]}.bin").read_bytes()
        except OSError:
            return {}
        head, mac, body = raw[:len(FORMAT)], raw[len(FORMAT):len(FORMAT) + _MAC], raw[len(FORMAT) + _MAC:]
        if head != FORMAT or not hmac.compare_digest(mac, _sign(self.key, b"guard", body)):
            return {}
        try:
            with _frozen():
                found = _Unpickler(io.BytesIO(body)).load()
        except Exception:
            return {}
        return found if isinstance(found, dict) else {}

    def keep_verdicts(self, key: str, verdicts: dict[bytes, dict[str, tuple[str, ...]]]) -> None:
        """Keep the guard's verdicts under ``key`` (only the latest set of needles: the others go)."""
        body = _dumps(verdicts)
        try:
            self._make_folder()
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".bin")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(FORMAT + _sign(self.key, b"guard", body) + body)
                os.replace(temporary, self.folder / f"guard-{key[:32]}.bin")
            except BaseException:
                os.unlink(temporary)
                raise
            for other in self.folder.glob("guard-*.bin"):
                if other.name != f"guard-{key[:32]}.bin":
                    other.unlink(missing_ok=True)
        except OSError:
            pass  # judged again next time

    def _make_folder(self) -> None:
        make_folder(self.folder.parent)
        self.folder.mkdir(exist_ok=True)

    def save(self) -> None:
        """Write each changed bucket whole, atomically; a failure leaves the old one (or none)."""
        try:
            if self._dirty:
                self._make_folder()
                for group in sorted(self._dirty):
                    self._write(group, self._buckets[group])
                self._dirty.clear()
                self._wrote = True
            if self._wrote:
                _sweep(self.folder.parent, self.folder.name)
        except OSError:
            pass  # a read-only register is checked in full every time: slower, never wrong
        self.close()

    def close(self) -> None:
        """Let go of the cache files whose records were not read (they may be read no more)."""
        for bucket in self._buckets.values():
            if bucket.handle is not None:
                bucket.handle.close()
                bucket.handle = None  # its records, if asked for after all, are missing: checked again

    def _write(self, group: str, bucket: _Bucket) -> None:
        target = self._path(group)
        pickled = {rel for _, names in bucket.parts for rel in names}
        if len(pickled) < len(bucket.heads) or bucket.handle is not None:
            records = self._records(bucket)  # some records to pickle here: every one loaded
            pickled = set()
        else:
            records = bucket.incidents or {}
        # Only records without errors are exported (those with derived values).
        exported = []
        for rel, (_, head) in bucket.heads.items():
            if head.stub is None or head.stub.derived is None:
                continue
            line = bucket.lines.get(rel)
            if line is None and (record := records.get(rel)) is not None:
                line = export_line(record).encode("utf-8"), record.withdrawn.duplicate_of if record.withdrawn else None
            if line is not None:
                exported.append((rel, *line))
        made = Lines.of(exported)
        lines = _dumps((made.where, made.blob))
        if bucket.head_parts is not None and sum(len(n) for _, n in bucket.parts) == len(bucket.heads):
            heads = _dumps(len(bucket.head_parts)) + b"".join(bucket.head_parts)
        else:
            heads = _dumps(1) + _dumps(list(bucket.heads.items()))
        # In parts: loading one pickle of many records keeps a memo of every object.
        items = [(rel, records.get(rel)) for rel in bucket.heads if rel not in pickled]
        parts = [_dumps(items[i:i + _PART]) for i in range(0, len(items), _PART)]
        parts += [part for part, _ in bucket.parts]
        body = io.BytesIO()
        pickle.dump(len(parts), body, protocol=pickle.HIGHEST_PROTOCOL)
        for part in parts:
            body.write(part)
        head_mac = _sign(self.key, heads)
        # The records' checksum covers the heads' too: never the records of another version of the file.
        body_mac = _sign(self.key, head_mac, body.getbuffer())
        lines_mac = _sign(self.key, b"lines" + head_mac, lines)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".bin")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(FORMAT + head_mac + len(heads).to_bytes(8, "big"))
                out.write(heads)
                out.write(lines_mac + len(lines).to_bytes(8, "big"))
                out.write(lines)
                out.write(body_mac)
                out.write(body.getbuffer())
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
        self.marks[group] = head_mac


def _dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def make_folder(folder: Path) -> Path:
    """``.yuqing-cache/``, created ignoring itself (git never shows it, whatever the repository's .gitignore)."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# yuqing 的缓存,可随时删除\n*\n", encoding="utf-8")
    return folder


_MAC = hashlib.sha256().digest_size


def _sign(key: bytes, *parts: bytes | memoryview) -> bytes:
    """The keyed checksum of ``parts`` one after the other (SHA-256: twice blake2b's speed on
    processors with its instructions, and the export's lines are hundreds of megabytes)."""
    digest = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        digest.update(part)
    return digest.digest()


def _read(path: Path, key: bytes) -> _Bucket:
    """The heads of a cache file that verifies (its file kept open for its records), else none."""
    try:
        handle = open(path, "rb")
    except OSError:
        return _Bucket({})
    try:
        head, mac, size = handle.read(len(FORMAT)), handle.read(_MAC), int.from_bytes(handle.read(8), "big")
        if head != FORMAT or size > 1 << 32:
            raise ValueError(path)
        heads = handle.read(size)
        if not hmac.compare_digest(mac, _sign(key, heads)):
            raise ValueError(path)
        stream = io.BytesIO(heads)
        del heads
        loaded: dict[str, tuple[Version, Head]] = {}
        with _frozen():
            for _ in range(_Unpickler(stream).load()):
                loaded.update(_Unpickler(stream).load())
    except Exception:  # unreadable, or verified yet not loadable: start afresh
        handle.close()
        return _Bucket({})
    # The same open file later: a run renaming a new cache into place does not change it.
    return _Bucket(loaded, handle, mac, handle.tell())


def _read_lines(bucket: _Bucket, key: bytes) -> Lines | None:
    """The export lines of a bucket whose heads were read (its file stays open), and their
    checksum; None when they do not verify."""
    handle = bucket.handle
    try:
        handle.seek(bucket.start)
        mac, size = handle.read(_MAC), int.from_bytes(handle.read(8), "big")
        if size > 1 << 34:
            return None
        lines = handle.read(size)
        if len(lines) != size or not hmac.compare_digest(
                mac, _sign(key, b"lines" + bucket.mac, lines)):
            return None
        with _frozen():
            where, blob = _Unpickler(io.BytesIO(lines)).load()
        return Lines(where, blob, mac)
    except Exception:
        return None


def _lines_at(path: Path, mark: bytes, key: bytes) -> Lines | None:
    """The export lines of the cache file at ``path`` if its heads' checksum is still ``mark``
    (the lines' checksum covers it: never the lines of another version of the file)."""
    try:
        with open(path, "rb") as handle:
            head, mac = handle.read(len(FORMAT)), handle.read(_MAC)
            if head != FORMAT or not hmac.compare_digest(mac, mark):
                return None
            size = int.from_bytes(handle.read(8), "big")
            bucket = _Bucket({}, handle, mark, len(FORMAT) + _MAC + 8 + size)
            return _read_lines(bucket, key)
    except OSError:
        return None


def _read_records(bucket: _Bucket, key: bytes) -> dict[str, Incident | None] | None:
    """The records of a bucket whose heads were read; None when they do not verify."""
    handle = bucket.handle
    if handle is None:
        return None
    bucket.handle = None
    try:
        with handle:
            handle.seek(bucket.start + _MAC)
            handle.seek(int.from_bytes(handle.read(8), "big"), os.SEEK_CUR)  # past the export lines
            mac, body = handle.read(_MAC), handle.read()
        if not hmac.compare_digest(mac, _sign(key, bucket.mac, body)):
            return None
        records: dict[str, Incident | None] = {}
        stream = io.BytesIO(body)
        del body
        with _frozen():
            for _ in range(_Unpickler(stream).load()):
                records.update(_Unpickler(stream).load())
        return records
    except Exception:
        return None


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """Loading creates a million objects none of them garbage: collecting as it goes took most of it.
    What was loaded is then frozen: never scanned again by the collector (each full collection
    walked all of it: seconds at 100,000 records). A freeze takes every object alive, garbage
    cycles waiting for a collection too, and a frozen cycle is never freed: a collection first
    (of what came since the last freeze only, the rest is frozen) lets a long run (a site build
    reading records a cache file at a time between its pages) free its garbage as it goes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.collect()
        gc.freeze()
        if enabled:
            gc.enable()


def _sweep(folder: Path, keep: str) -> None:
    """Remove caches of other fingerprints, and temporary files of runs long gone."""
    now = time.time()
    for entry in folder.iterdir():
        if not entry.name.startswith("check-") or entry.name == keep:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    for entry in (folder / keep).glob(".tmp-*"):
        try:
            if now - entry.stat().st_mtime > 3600:  # younger: another run may be writing it right now
                entry.unlink()
        except OSError:
            pass
