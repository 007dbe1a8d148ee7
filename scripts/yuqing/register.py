"""The whole register: find every file, load and check it, build the model.

Parsing and per-file checks are independent per file, so large registers are
spread over the machine's cores; the register-wide rules (unique ids) run once
on the results.
"""

from __future__ import annotations

import os
import pickle
import re
import stat
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple, Protocol, Sequence, cast

from .asof import as_of, register_as_of
from .calendar import WorkCalendar
from .deadlines import pending
from .stats import facts
from .config import CONFIG_FILE, load_config
from .cache import (CheckCache, Derived, Head, Lines, MissingRecord, Stub, Verdict, Version, blob_id, file_stat,
                    group_of, stub, trusted_stat)
from .loader import MAX_FILE_BYTES, load_bytes, load_file
from .loader import shown as shown_text
from .model import Incident, Issue, RegisterConfig
from .records import build_incident
from .rules import FUTURE_TOLERANCE, Context, check_across, check_incident, check_time_offsets
from .textscan import text_issues
from .times import zone
from .validate import SchemaChecker, read_schema
from .workers import pool as worker_pool

INCIDENT_DIR = "incidents"
PARALLEL_THRESHOLD = 400
"""Below this many files a process pool costs more than it saves."""
END_OF_TIME = datetime(9000, 1, 1).astimezone()
"""The clock of a cached verdict: no recorded time is in its future (see cache.py)."""
KEPT_POSITIONS = frozenset({"id", "discovered_at", "occurred_at", "at", "posted_at", "due", "approved_at",
                            "completed_at", "duplicate_of"})
"""The last path segments whose lines a loaded record keeps: those that messages after
the per-file checks point at (ids, times). The rest is dropped: a register of
100,000 records held every value's position."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Register:
    """A loaded register: its settings, its incidents and every problem found."""

    root: Path
    config: RegisterConfig | None
    incidents: tuple[Incident, ...]
    issues: tuple[Issue, ...]
    files: int
    now: datetime | None = None
    invalid_files: frozenset[str] = field(default_factory=frozenset)
    later: tuple[Incident, ...] = ()
    """Records discovered after ``now``: not in ``incidents`` (they did not exist yet),
    kept for what must know every record whatever the moment (the site's leak guard)."""
    derived: tuple[Derived, ...] = ()
    """Loaded with ``derived=True`` (and no records): what `deadlines` and `stats` read of each
    record without errors as of ``now``, by id and file."""
    marks: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    """The check cache's files as this load read or wrote them (``CheckCache.marks``): the
    export's lines are read from them without reading their heads again."""

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def ok(self) -> bool:
        return not self.errors

    def counted(self) -> tuple[Incident, ...]:
        """Incidents that count in deadlines and statistics (not withdrawn)."""
        return tuple(i for i in self.incidents if i.counts)

    def by_id(self) -> dict[str, Incident]:
        return {i.id: i for i in self.incidents}

    def without_invalid(self) -> "Register":
        """The same register with only the incidents whose files have no errors."""
        if not self.invalid_files:
            return self
        return replace(self, incidents=tuple(i for i in self.incidents if i.file not in self.invalid_files))


IGNORED_NAMES = frozenset({".gitkeep"})
"""The only files under incidents/ that are not records (git keeps empty folders with it)."""

FILE_NAME = re.compile(r"[A-Z][A-Z0-9]*-[0-9]{4}-[0-9]{4,}\.yml")
"""An incident file's name, matched whole (``fullmatch``): the id and ``.yml``."""
_YAML_NAME = re.compile(r".+\.(?:yml|yaml)", re.IGNORECASE | re.DOTALL)


def incident_files(root: Path, under: Path | None = None) -> list[Path]:
    """Everything under incidents/ (or the folder ``under``) but ``.gitkeep``, sorted.

    Not only ``*.yml``: a record renamed to ``.yml.bak``, ``.YML``, moved into
    a sub-folder or replaced by a symlink must not vanish from every output, so
    every entry is listed and :func:`check_file` refuses what is not a regular
    file named ``incidents/<YYYY>/<id>.yml``. Symlinks are listed, never followed.
    """
    base = root / INCIDENT_DIR if under is None else under
    if base.is_symlink() or (base.exists() and not base.is_dir()):
        return [base]  # refused by check_file: a linked register is not this one
    if not base.is_dir():
        return []
    found: list[Path] = []
    _walk(base, found)
    return sorted(found)


def incident_names(root: Path) -> list[str]:
    """The register-relative names of :func:`incident_files`, by string, not path arithmetic.

    The id rule of a check of a few files needs every other file's name; resolving
    100,000 paths to name them cost more than the check itself."""
    base = root / INCIDENT_DIR
    if base.is_symlink() or not base.is_dir():
        return [relative(p, root) for p in incident_files(root)]
    found: list[str] = []
    _walk_names(str(base), INCIDENT_DIR + "/", found)
    return sorted(found)


def _walk_names(folder: str, prefix: str, found: list[str]) -> None:
    """:func:`_walk` by name: the same entries, as register-relative text."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _walk_names(entry.path, prefix + entry.name + "/", found)
            elif entry.name not in IGNORED_NAMES or not entry.is_file(follow_symlinks=False):
                found.append(prefix + entry.name)


def _walk(folder: Path, found: list[Path]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _walk(Path(entry.path), found)
            elif entry.name not in IGNORED_NAMES or not entry.is_file(follow_symlinks=False):
                found.append(Path(entry.path))


def relative(path: Path, root: Path) -> str:
    try:
        return _resolve(path).relative_to(_resolve_folder(os.path.abspath(root))).as_posix()
    except ValueError:
        return path.as_posix()


def _resolve(path: Path) -> Path:
    """``path.resolve()``, resolving each folder once: the files of a register
    share a handful of folders, and a full resolve costs a system call per
    component (a large share of `yuqing check` on 10,000 files). The last
    component is never resolved: a symlink is named as itself, not its target."""
    if path.name in ("", ".", ".."):
        return path.resolve()
    return _resolve_folder(os.path.abspath(path.parent)) / path.name


@lru_cache(maxsize=1024)
def _resolve_folder(folder: str) -> Path:
    return Path(folder).resolve()


# Worker state: built once per process (the schema validator is the costly part).
_worker: dict[str, object] = {}


def _init_worker(root: str, config: RegisterConfig, now: datetime) -> None:
    _die_with_parent()
    _worker.update(_state(Path(root), config, now))


def _state(root: Path, config: RegisterConfig, now: datetime) -> dict[str, object]:
    return {"root": root, "schema": SchemaChecker(read_schema("incident.schema.json", root)),
            "ctx": Context(config, now), "config": config}


def _die_with_parent() -> None:
    """A worker ends with the run that started it: one killed mid-run left its workers waiting
    forever, holding its output open (a caller reading it never saw its end). Linux only."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _check_one(path: str) -> tuple[Version | None, tuple[Incident | None, list[Issue]]]:
    root = _worker["root"]
    schema = _worker["schema"]
    ctx = _worker["ctx"]
    assert isinstance(root, Path) and isinstance(schema, SchemaChecker) and isinstance(ctx, Context)
    return check_version(Path(path), root, schema, ctx)


class _Task(NamedTuple):
    """Files of one cache file to check, for the cache (see :func:`_check_part`)."""

    group: str
    indexes: list[int]
    names: list[str]
    paths: list[str]
    records: bool
    """Hand back every record (the caller keeps them): else only those ``derive_at`` needs."""
    derive_at: datetime | None
    last: bool
    """The last task of its cache file."""
    started_ns: int
    """When the run started: a file changed since (or just before) is not trusted by its lstat later."""


class _Done(NamedTuple):
    """What :func:`_check_part` hands back of a task."""

    task: _Task
    heads: bytes
    """The verdicts' heads of the files the cache keeps (by ``Version``), pickled as the cache file holds
    them: a list of (name, (Version, Head)) in the task's order."""
    loose: dict[int, Head]
    """The heads of the files it does not keep (not regular files), by position in the task."""
    lines: list[tuple[str, bytes, str | None]]
    wanted: dict[int, Incident | None]
    part: bytes | None


def _check_part(task: _Task, state: dict[str, object] | None = None) -> _Done:
    """Check ``task``'s files and make what the cache keeps of each: the verdict's head (issues,
    latest time, stub with the derived values) and export line, the heads and the records pickled
    here. A pool worker's records are not sent to the parent to be pickled there, nor its heads
    pickled there again: a cold check of 100,000 records spent a third of its time doing so.
    Hands back the records the caller needs (by position in the task), and the pickled records
    (None when all are handed back instead)."""
    from .publicexport import line as export_line

    state = state if state is not None else _worker
    root, schema, ctx, config = state["root"], state["schema"], state["ctx"], state["config"]
    assert isinstance(root, Path) and isinstance(schema, SchemaChecker) and isinstance(ctx, Context)
    assert isinstance(config, RegisterConfig)
    calendar = state.get("calendar")
    if calendar is None:
        calendar = state["calendar"] = WorkCalendar.from_config(config)
    assert isinstance(calendar, WorkCalendar)
    heads: list[tuple[str, tuple[Version, Head]]] = []
    loose: dict[int, Head] = {}
    lines: list[tuple[str, bytes, str | None]] = []
    wanted: dict[int, Incident | None] = {}
    kept: list[tuple[str, Incident | None]] = []
    for position, (name, path) in enumerate(zip(task.names, task.paths)):
        version, (incident, issues) = check_version(Path(path), root, schema, ctx, name)
        latest = latest_time(incident)
        derived = None
        if incident is not None and not any(i.severity == "error" for i in issues):
            derived = derive(incident, config, calendar)._replace(latest=latest)
            if version is not None:
                lines.append((name, export_line(incident).encode("utf-8"),
                              incident.withdrawn.duplicate_of if incident.withdrawn else None))
        head = Head(tuple(issues), latest, stub(incident, derived))
        if version is None:
            loose[position] = head
        else:
            heads.append((name, (Version(trusted_stat(version.stat, task.started_ns), version.digest), head)))
            kept.append((name, incident))
        if task.records or (task.derive_at is not None and not _stands(derived, task.derive_at)):
            wanted[position] = incident
    part = None if task.records else pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
    return _Done(task, pickle.dumps(heads, protocol=pickle.HIGHEST_PROTOCOL), loose, lines, wanted, part)


def check_version(path: Path, root: Path, schema: SchemaChecker, ctx: Context,
                  rel: str | None = None) -> tuple[Version | None, tuple[Incident | None, list[Issue]]]:
    """:func:`check_file` on the bytes read once, with the version they are (None when
    the file is not a regular file of a readable size: such are never cached)."""
    figures, regular = file_stat(path)
    if regular and figures is not None and figures[0] <= MAX_FILE_BYTES:
        try:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            raw = None
        if raw is not None and len(raw) <= MAX_FILE_BYTES:
            return Version(figures, blob_id(raw)), check_file(path, root, schema, ctx, raw=raw, rel=rel, regular=True)
    return None, check_file(path, root, schema, ctx, rel=rel)


def check_file(path: Path, root: Path, schema: SchemaChecker, ctx: Context,
               raw: bytes | None = None, rel: str | None = None,
               regular: bool = False) -> tuple[Incident | None, list[Issue]]:
    """Load one incident file (or its bytes ``raw``, already read) and run every per-file check on it.
    ``rel`` is its register-relative name when the caller knows it (made from the path otherwise), and
    ``regular`` that the caller's ``lstat`` found a regular file (not asked again)."""
    rel = rel if rel is not None else relative(path, root)
    issues, readable = _name_issues(path, rel, stat.S_IFREG if regular else None)
    if not readable:
        return None, issues
    loaded = load_file(path, rel) if raw is None else load_bytes(raw, rel)
    issues.extend(loaded.issues)
    if loaded.data is None:
        return None, issues
    text = text_issues(loaded)
    issues.extend(text)
    # A value the loader already rejected (an alias, a control character) is not reported again.
    rejected = tuple(i.path for i in (*loaded.issues, *text) if i.path)
    schema_issues = [i for i in schema.issues(loaded)
                     if not any(i.path == p or i.path.startswith((p + ".", p + "[")) for p in rejected)]
    issues.extend(schema_issues)
    # A written offset other than the register zone's reads as one time and counts as another. Shown as a
    # reminder here (old records may hold "Z" times written by other tools); the pull-request gate refuses
    # any such time a change writes.
    issues.extend(replace(i, severity="warning") for i in check_time_offsets(loaded, ctx))
    # Text cut at " #" is still text of the right type: the rules may read it (one run lists all).
    broken = {i.path for i in schema_issues} | {i.path for i in (*loaded.issues, *text)
                                               if i.path and i.code != "comment-in-text"}
    incident, time_issues = build_incident(loaded, zone(ctx.config.timezone), broken)
    issues.extend(time_issues)
    if incident is None:
        return None, issues
    issues.extend(check_incident(incident, ctx, broken))
    return _compact(incident), issues


_PLACES: dict[tuple[int, int], tuple[int, int]] = {}
"""One (line, column) pair shared by every record that has it."""
_KEPT: dict[str, str | None] = {}
"""Each path seen: itself (interned) when its position is kept, else None (records repeat their paths)."""


def _kept(path: str) -> str | None:
    found = _KEPT[path] = sys.intern(path) if (
        not path or path[max(path.rfind("."), path.rfind("]")) + 1:] in KEPT_POSITIONS) else None
    return found


def _compact(incident: Incident) -> Incident:
    """The record as the register holds it: only the positions later messages use."""
    kept = {}
    known, places = _KEPT, _PLACES
    for path, place in incident.positions.items():
        name = known[path] if path in known else _kept(path)
        if name is not None:
            kept[name] = places.setdefault(place, place)
    # In place: the record was made by this check and is not shared yet (a dataclasses.replace of its
    # twenty fields cost more than the rest of this function).
    object.__setattr__(incident, "positions", kept)
    return incident


def latest_time(incident: Incident | None) -> datetime | None:
    """The latest of the times the time-future rule judges (an extension's due is not one)."""
    if incident is None:
        return None
    times = [incident.discovered_at, incident.occurred_at, *(e.at for e in incident.timeline),
             incident.appeal.posted_at if incident.appeal else None,
             *(x.approved_at for x in incident.extensions),
             incident.review.completed_at if incident.review else None,
             incident.withdrawn.at if incident.withdrawn else None]
    return max((t for t in times if t is not None), default=None)


def _name_issues(path: Path, rel: str, mode: int | None = None) -> tuple[list[Issue], bool]:
    """What is wrong with the file itself (its kind, its name; not its place), and
    whether to read it: never a link or a pipe, nor a name that is not YAML. ``mode`` is the
    file's, when the caller knows it."""
    if mode is None:
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            mode = stat.S_IFREG  # unreadable: load_file says why
    if stat.S_ISREG(mode) and FILE_NAME.fullmatch(path.name):
        return [], True  # the common case, before any message is made
    shown = shown_text(path.name)
    if stat.S_ISLNK(mode):
        return [Issue(rel, 1, 1, "", "file-symlink",
                      f"“{shown}”是符号链接,不是事件文件:符号链接不被读取。请把事件文件本身放在这里"
                      "(incidents/<年份>/<编号>.yml),删除链接。")], False
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        return [Issue(rel, 1, 1, "", "file-not-regular",
                      f"“{shown}”不是普通文件(管道、设备等),未读取。incidents/ 下只能放事件文件,请删除它。")], False
    if FILE_NAME.fullmatch(path.name):
        return [], True
    if not _YAML_NAME.fullmatch(path.name):
        return [Issue(rel, 1, 1, "", "file-name",
                      f"“{shown}”不是事件文件,未读取:incidents/ 下只能放“<编号>.yml”(如 YQ-2026-0013.yml)。"
                      "备份、草稿等请移出 incidents/;如果它就是一个事件,请改名为“<编号>.yml”。")], False
    stem, _, extension = path.name.rpartition(".")
    if FILE_NAME.fullmatch(stem + ".yml"):
        return [Issue(rel, 1, 1, "", "file-extension",
                      f"事件文件的扩展名应为小写 .yml,请改名为 {stem}.yml。")], True
    return [Issue(rel, 1, 1, "", "file-name",
                  f"文件名“{shown}”不是“<编号>.yml”:文件名必须与文件中的 id 完全相同(如 YQ-2026-0013.yml),"
                  "不能有空格、换行或其他字符。")], True


def load_register(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    now: datetime | None = None,
    clock: datetime | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    others: Iterable[str] = (),
    config: RegisterConfig | None = None,
    records: bool = True,
    derived: bool = False,
) -> Register:
    """Load and check the register at ``root`` (or only ``paths`` in it).

    ``now`` is an "as of" time: the incidents returned are the register as it
    stood then (``asof.as_of``: later events, extensions, reviews and
    withdrawals not yet happened, records not yet discovered left out), never
    errors. ``clock`` is what "in the future" is judged against: the real clock
    (or ``now`` when that is later); `yuqing check --now` passes its own.
    ``others`` are the register's other files (relative paths) when only ``paths`` are checked: their ids, taken from their
    names, still take part in the register-wide rule of unique ids. A caller
    that has already read register.yml passes its ``config`` (read once).
    ``records=False`` is for a caller that wants only the issues (`yuqing check`):
    the returned register holds no incidents, and records the cache holds are not read.
    With ``derived`` too, it holds instead what `deadlines` and `stats` read of each record
    without errors, as of ``now`` (``Register.derived``), from the cache where it stands.
    """
    issues: list[Issue] = []
    if config is None:
        config, issues = load_config(root)
    if config is None:
        if not (root / CONFIG_FILE).is_file():
            issues = [Issue(CONFIG_FILE, 1, 1, "", "no-register",
                            f"{root} 下没有 register.yml:这不是一个舆情台账目录(可用 --root 指定)。")]
        return Register(root, None, (), tuple(issues), 0, now)
    real = datetime.now(zone(config.timezone))
    clock = clock or max(real, now or real)
    now = now or clock
    files: list[Path] | None = None
    if paths is not None:
        files = list(paths)
        names = [relative(p, root) for p in files]
    else:
        names = incident_names(root)  # made paths only where needed: 100,000 Path objects cost seconds
    cache = CheckCache.open(root, config)
    results: list[Cached]
    marks: dict[str, bytes] = {}
    if cache is None:
        files = files if files is not None else [root / name for name in names]
        results = []
        calendar = WorkCalendar.from_config(config) if derived and not records else None
        for _, (checked, checked_issues) in _check_iter(files, root, config, clock, progress, jobs):
            if not records and checked is not None:
                # Not kept whole when not wanted (100,000 records held took most of a check's memory).
                found = None
                if calendar is not None and not any(i.severity == "error" for i in checked_issues):
                    found = derive(checked, config, calendar)
                if calendar is None or _stands(found, now):
                    results.append((stub(checked, found), checked_issues))
                    continue
            results.append((checked, checked_issues))
    else:
        results = _check_cached(cache, files, names, root, config, clock, progress, jobs, records,
                                derive_at=now if derived and not records else None)
        marks = cache.marks

    incidents: list[Incident | Stub] = []
    invalid: set[str] = set()
    for name, (incident, file_issues) in zip(names, results):
        if incident is not None:
            incidents.append(incident)
        if any(i.severity == "error" for i in file_issues):
            invalid.add(name)
        issues.extend(file_issues)
    # A stub has every attribute the register-wide rules read.
    across = check_across(cast("list[Incident]", incidents), _may_collide(incidents, others, names))
    issues.extend(across)
    invalid.update(i.file for i in across)
    issues.sort(key=lambda i: (i.file, i.line, i.column, i.code))
    if not records:
        summaries = _summaries(names, results, invalid, config, now) if derived else ()
        return Register(root, config, (), tuple(issues), len(names), now, frozenset(invalid), derived=summaries,
                        marks=marks)
    loaded = [i for i in incidents if isinstance(i, Incident)]
    later = tuple(i for i in loaded if i.discovered_at > now)
    return Register(root, config, register_as_of(loaded, now), tuple(issues), len(names), now, frozenset(invalid),
                    later)


Result = tuple[Incident | None, list[Issue]]
Cached = tuple[Incident | Stub | None, list[Issue]]
"""A verdict of a run that needs no records: a cached one's record is its :class:`Stub`."""


def _may_collide(incidents: list[Incident | Stub], others: Iterable[str], names: list[str]) -> list[str]:
    """The other files whose id (their name) the register-wide rules could match: one of the
    loaded ids or of the records they name as duplicated. A pull request's check of one file
    is then not a pass over 100,000 names in the rules."""
    wanted = {i.id for i in incidents} | {i.withdrawn.duplicate_of for i in incidents
                                          if i.withdrawn and i.withdrawn.duplicate_of}
    chosen = set(names)
    return [f for f in others if _stem(f) in wanted and f not in chosen]


def _stem(name: str) -> str:
    """``PurePosixPath(name).stem``, by string."""
    last = name.rpartition("/")[2]
    dot = last.rfind(".")
    return last[:dot] if 0 < dot < len(last) - 1 else last


class _Lazy:
    """The files of a whole register, each a Path only when it is asked for."""

    def __init__(self, root: Path, names: list[str]) -> None:
        self.root, self.names = root, names
        self.base = os.path.join(str(root), "")

    def __getitem__(self, index: int) -> Path:
        return self.root / self.names[index]

    def text(self, index: int) -> str:
        """The file's path as text (a Path per file cost a cold check of 100,000 seconds)."""
        return self.base + self.names[index]

    def __len__(self) -> int:
        return len(self.names)


def _check_cached(
    cache: CheckCache, chosen: list[Path] | None, names: list[str], root: Path, config: RegisterConfig,
    clock: datetime, progress: Progress | None, jobs: int | None, records: bool = True,
    derive_at: datetime | None = None,
) -> list[Cached]:
    """Verdicts from the cache where it holds the file's version; the rest checked and kept.

    ``chosen`` are the files asked for, or None for the whole register (``names``). Without
    ``records`` a cached verdict's record is its stub (what the register-wide rules read), and
    the record itself where its stub's derived values are not those of the register as of ``derive_at``."""
    base = os.path.join(str(root), "")
    files: list[Path] | _Lazy = chosen if chosen is not None else _Lazy(root, names)
    results: list[Cached | None] = [None] * len(names)
    limit = clock + FUTURE_TOLERANCE
    missing: list[int] = []
    again: list[int] = []
    for index, name in enumerate(names):
        path = str(chosen[index]) if chosen is not None else base + name
        figures, regular = file_stat(path)
        head = cache.lookup(name, figures, path) if regular else None
        if head is None:
            missing.append(index)
        elif head.latest is not None and head.latest > limit:
            again.append(index)
        else:
            results[index] = (head.stub, list(head.issues))
    if records:
        for index, result in enumerate(results):
            if result is not None:
                try:
                    results[index] = (cache.incident(names[index]), result[1])
                except MissingRecord:  # the cache file's records part did not verify: checked again
                    results[index] = None
                    missing.append(index)
        missing.sort()
    elif derive_at is not None:
        for index, result in enumerate(results):
            if result is not None and isinstance(result[0], Stub) and not _stands(result[0].derived, derive_at) \
                    and not any(i.severity == "error" for i in result[1]):
                try:
                    results[index] = (cache.incident(names[index]), result[1])
                except MissingRecord:
                    results[index] = None
                    missing.append(index)
        missing.sort()
    if progress and len(files) > len(missing):
        progress(len(files) - len(missing), len(files))
    if missing:
        done = len(files) - len(missing)
        checked = 0
        for made in _check_parts(_tasks(missing, names, files, records, derive_at, jobs, cache.started_ns),
                                 root, config, jobs):
            task, wanted = made.task, made.wanted
            heads: list[tuple[str, tuple[Version, Head]]] = pickle.loads(made.heads)  # made by this run
            following = iter(heads)
            for position, (index, name) in enumerate(zip(task.indexes, task.names)):
                head = made.loose.get(position)
                if head is None:
                    _, (version, head) = next(following)
                    if made.part is None:
                        derived = head.stub.derived if head.stub else None
                        cache.put(name, (version, Verdict(wanted[position], head.issues, head.latest, derived)))
                if head.latest is not None and head.latest > limit:
                    again.append(index)
                elif position in wanted:
                    results[index] = (wanted[position], list(head.issues))
                elif derive_at is None and head.stub is not None:
                    # Neither the record nor its derived values are kept: `check` of 100,000 held them all.
                    results[index] = (head.stub._replace(derived=None), list(head.issues))
                else:
                    results[index] = (head.stub, list(head.issues))  # the record itself is not kept
            if made.part is not None:
                cache.put_part(task.group, heads, made.heads, made.part)
            cache.add_lines(task.group, made.lines)
            if task.last:
                # Each cache file written as soon as its last file is checked and, when the records are not
                # wanted, let go (a cold check of 100,000 records held them all).
                cache.flush(task.group, forget=not records)
            if progress:  # said every hundred files, as a file-by-file check does
                for step in range(checked // 100 + 1, (checked + len(task.names)) // 100 + 1):
                    if step * 100 < len(missing):
                        progress(done + step * 100, len(files))
            checked += len(task.names)
            if progress and checked == len(missing):
                progress(len(files), len(files))
    if again:
        # Only these are judged against the clock: checked afresh, never kept.
        for index, (_, result) in zip(again, _check_all([files[i] for i in again], root, config, clock, None, jobs)):
            results[index] = result
    if chosen is None:
        cache.prune(set(names))
    cache.save()
    finished = [result for result in results if result is not None]
    assert len(finished) == len(files), "every file has its verdict"
    return finished


def _tasks(missing: list[int], names: list[str], files: Sequence[Path] | _Lazy, records: bool,
           derive_at: datetime | None, jobs: int | None, started_ns: int) -> list[_Task]:
    """The files to check, by cache file (in order of their first file), in pieces the pool shares out."""
    groups: dict[str, list[int]] = {}
    for index in sorted(missing):
        groups.setdefault(group_of(names[index]), []).append(index)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    size = max(16, min(250, len(missing) // (workers * 4) or 1))
    tasks: list[_Task] = []
    for group, indexes in groups.items():
        for start in range(0, len(indexes), size):
            chosen = indexes[start:start + size]
            paths = [files.text(i) for i in chosen] if isinstance(files, _Lazy) else [str(files[i]) for i in chosen]
            tasks.append(_Task(group, chosen, [names[i] for i in chosen], paths, records,
                               derive_at, start + size >= len(indexes), started_ns))
    return tasks


def _check_parts(tasks: list[_Task], root: Path, config: RegisterConfig, jobs: int | None
                 ) -> Iterator[_Done]:
    """:func:`_check_part` of each task, in order, spread over the cores (verdicts against END_OF_TIME)."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and sum(len(t.names) for t in tasks) >= PARALLEL_THRESHOLD and len(tasks) > 1:
        with worker_pool(workers, _init_worker, (str(root), config, END_OF_TIME)) as pool:
            yield from pool.map(_check_part, tasks)
        return
    state = _state(root, config, END_OF_TIME)
    for task in tasks:
        yield _check_part(task, state)


def derive(incident: Incident, config: RegisterConfig, calendar: WorkCalendar) -> Derived:
    """What `deadlines` and `stats` read of ``incident`` (kept in the check cache)."""
    return Derived(incident.file, incident.id, latest_time(incident), facts(incident),
                   pending(incident, config, calendar))


class Located(Protocol):
    """What reading a record from the check cache needs of its ``Derived``: where it is, its id, and the
    latest time written in it (``Place`` holds no more; a ``Derived`` will do)."""

    @property
    def file(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def latest(self) -> datetime | None: ...


class Place(NamedTuple):
    """A record's file, id and latest time: a ``Derived`` without its figures, for a reader that keeps
    every record's place for long (the site build) but computed its figures already."""

    file: str
    id: str
    latest: datetime | None


def _stands(derived: Located | None, now: datetime) -> bool:
    """Whether ``derived`` is that of its record as of ``now`` (nothing in it later than ``now``)."""
    return derived is not None and derived.latest is not None and derived.latest <= now


def _summaries(names: list[str], results: list[Cached], invalid: set[str], config: RegisterConfig,
               now: datetime) -> tuple[Derived, ...]:
    """The derived values of every record without errors, as of ``now``, by id and file."""
    calendar: WorkCalendar | None = None
    found: list[Derived] = []
    for name, (incident, _) in zip(names, results):
        if incident is None or name in invalid:
            continue
        if isinstance(incident, Stub):
            assert _stands(incident.derived, now) and incident.derived is not None, name
            found.append(incident.derived)
            continue
        seen = as_of(incident, now)
        if seen is not None:
            calendar = calendar or WorkCalendar.from_config(config)
            # Its latest time is the record's own, not the view's: the view is not the record as written.
            found.append(derive(seen, config, calendar)._replace(latest=latest_time(incident)))
    found.sort(key=lambda d: (d.id, d.file))
    return tuple(found)


def unlisted_confidential(register: Register) -> tuple[Incident, ...]:
    """The confidential records not in ``register.derived``: those discovered after ``now`` and those
    whose files have errors (not published, but their ids and titles are still secret). Only their
    files are read (a second load of the whole register held its derived values twice). For a
    register loaded with ``derived``: what the leak guard must know besides ``register.derived``."""
    assert register.config is not None and register.now is not None
    root, now = register.root, register.now
    if register.files <= len(register.derived):
        return ()
    known = {d.file for d in register.derived}
    unlisted = [name for name in incident_names(root) if name not in known]
    if not unlisted:
        return ()
    # The same clock (what "in the future" means) as the register's own load.
    clock = max(datetime.now(now.tzinfo), now)
    found = load_register(root, [root / name for name in unlisted], now=END_OF_TIME, clock=clock,
                          config=register.config)
    return tuple(i for i in found.incidents if i.confidential)


def each_record(register: Register, chosen: Iterable[Located]) -> Iterator[Incident]:
    """The records of ``chosen`` (of ``register.derived``: a register loaded without records),
    as of the register's ``now``, read from the check cache one cache file at a time and let go:
    never all of them in memory.

    In this order: cache file by cache file (:func:`cache.group_of`: a year folder's block of ids),
    the files in the order their first member comes in ``chosen``, and within a file in
    ``chosen``'s order. So ``chosen`` sorted by id, newest first, yields the newest records first,
    reading only their cache files. A record the cache cannot give (turned off, damaged since) is
    read from its file, in its place."""
    assert register.config is not None and register.now is not None
    root, config, now = register.root, register.config, register.now
    groups: dict[str, list[Located]] = {}
    for derived in chosen:
        groups.setdefault(group_of(derived.file), []).append(derived)
    cache = CheckCache.open(root, config)
    if cache is None:
        ordered = [d for members in groups.values() for d in members]
        for derived, (_, (incident, _)) in zip(ordered, _check_iter(
                [root / d.file for d in ordered], root, config, END_OF_TIME, None, None)):
            seen = _as_of(incident, derived, now)
            if seen is not None:
                yield seen
        return
    for group, members in groups.items():
        found: dict[str, Incident | None] = {}
        again: list[str] = []
        for derived in members:
            try:
                found[derived.file] = cache.incident(derived.file)
            except MissingRecord:
                again.append(derived.file)
        cache.flush(group, forget=True)
        if again:  # not in the cache after all (its file damaged since): read again
            for name, (_, (incident, _)) in zip(again, _check_iter([root / name for name in again], root, config,
                                                                    END_OF_TIME, None, None)):
                found[name] = incident
        for derived in members:
            seen = _as_of(found.pop(derived.file, None), derived, now)
            if seen is not None:
                yield seen
        del found
    cache.close()


def _as_of(incident: Incident | None, derived: Located, now: datetime) -> Incident | None:
    if incident is None or _stands(derived, now):
        return incident  # the record as written is the record as of now
    return as_of(incident, now)


def each_line(register: Register, chosen: Iterable[Located], public: frozenset[str]) -> Iterator[tuple[str, str]]:
    """The id and public export line (``publicexport.line`` with ``public``) of each of ``chosen``:
    the line kept in the check cache where it is the record's as of the register's ``now`` (the
    record stands as written, and a withdrawal it holds names a public record or none), else made
    from the record (:func:`each_record`, after the others). Cache file by cache file, as
    :func:`each_record`; the cache files the register's load read are not read again but for
    their lines."""
    for lines, served in lines_by_file(register, chosen, public):
        for _, key, start, end in served:
            yield key, lines.blob[start:end].decode("utf-8")


def lines_by_file(register: Register, chosen: Iterable[Located], public: frozenset[str]
                  ) -> Iterator[tuple[Lines, list[tuple[str, str, int, int]]]]:
    """:func:`each_line` by cache file, as bytes: the file's lines (``cache.Lines``, with their
    checksum) and where in them the (file, id) of ``chosen`` it serves are; last, lines made from
    the records, a thousand at a time (with no checksum). A reader that judged a cache file's
    lines before may keep its verdict by that checksum."""
    assert register.config is not None and register.now is not None
    now = register.now
    cache = CheckCache.open(register.root, register.config)
    rest: list[Located] = []
    if cache is None:
        rest = list(chosen)
    else:
        groups: dict[str, list[Located]] = {}
        for derived in chosen:
            groups.setdefault(group_of(derived.file), []).append(derived)
        for group, members in groups.items():
            kept = cache.lines(group, register.marks.get(group))
            served: list[tuple[str, str, int, int]] = []
            where = kept.where
            for derived in members:
                found = where.get(derived.file)
                if found is not None and _stands(derived, now) and (found[2] is None or found[2] in public):
                    served.append((derived.file, derived.id, found[0], found[1]))
                else:
                    rest.append(derived)
            if served:
                yield kept, served
            del kept, served
            cache.flush(group, forget=True)
        cache.close()
    batch: list[Incident] = []
    for incident in each_record(register, rest):
        batch.append(incident)
        if len(batch) == 1000:
            yield _made(batch, public)
            batch = []
    if batch:
        yield _made(batch, public)


def _made(incidents: list[Incident], public: frozenset[str]) -> tuple[Lines, list[tuple[str, str, int, int]]]:
    from .publicexport import line

    made = Lines.of((i.file, line(i, public).encode("utf-8"), None) for i in incidents)
    return made, [(i.file, i.id, *made.where[i.file][:2]) for i in incidents]


def _check_all(
    files: list[Path], root: Path, config: RegisterConfig, now: datetime,
    progress: Progress | None, jobs: int | None,
) -> list[tuple[Version | None, Result]]:
    return list(_check_iter(files, root, config, now, progress, jobs))


def _check_iter(
    files: Sequence[Path], root: Path, config: RegisterConfig, now: datetime,
    progress: Progress | None, jobs: int | None,
) -> Iterator[tuple[Version | None, Result]]:
    """:func:`check_version` of each file, in order, as each is done (spread over the cores)."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(files) >= PARALLEL_THRESHOLD:
        chunk = max(16, len(files) // (workers * 8))
        with worker_pool(workers, _init_worker, (str(root), config, now)) as pool:
            for index, result in enumerate(pool.map(_check_one, [str(f) for f in files], chunksize=chunk), 1):
                # Said before the result is handed on: a consumer may stop at the last one.
                if progress and (index % 100 == 0 or index == len(files)):
                    progress(index, len(files))
                yield result
            return
    schema = SchemaChecker(read_schema("incident.schema.json", root))
    ctx = Context(config, now)
    for index, path in enumerate(files, 1):
        result = check_version(path, root, schema, ctx)
        if progress and (index % 100 == 0 or index == len(files)):
            progress(index, len(files))
        yield result
