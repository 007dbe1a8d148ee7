"""Files to download from the statistics page: the 台账 (xlsx) of every year, quarter and month with
records, and its report (docx): the 月度评估 of every month, the 舆情季度评估 of every quarter and the
年度自查报告 of every year.

Made by the project's own exporters (``export`` + ``render.xlsx.workbook``; ``reports`` +
``render.docx.build``), from the published records only, and from the check cache's derived
values: a period's records are read only when one of its files has to be made.

A register of ten years has about 170 periods, so each made file is kept in
``.yuqing-cache/downloads/`` under a key of everything it depends on: its period, the versions
(git blob ids) of the records it reads, register.yml and the code that makes it, the narrative
file of a report, and ``now`` only where the file's content changes with it (a deadline of its
records still running or overdue, a period not over, a record written later than ``now``). A
build remakes only the files whose key changed: the files of a period that cannot have changed
keep the date they were made (制表日期, 落款), which is when their figures were taken — the same
figures as now. Every file is scanned by the leak guard like any other (it unpacks them).
"""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import os
import re
import time
import zipfile
from bisect import bisect_left
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ..model import Deadline, Incident
from .model import GENERATED

if TYPE_CHECKING:
    from ..cache import Derived
    from ..register import Register

log = logging.getLogger("yuqing.site")
FOLDER = f"{GENERATED}/downloads"
CACHE = "downloads"
"""Folder of the made files under the register's ``.yuqing-cache/``."""
KEEP_SECONDS = 600
"""A made file no build used is removed once this old (another build may be about to read it)."""
QUARTERS = "一二三四"
# A span's report: its kind in ``reports`` and the download's title.
_REPORTS = {"year": ("annual", "年度自查报告(Word)"), "quarter": ("quarterly", "舆情季度评估(Word)"),
            "month": ("monthly", "月度评估(Word)")}
RUNNING = frozenset({"pending", "due_soon", "overdue"})
"""Deadline statuses that change with ``now`` (an overdue one's lateness too)."""


@dataclass(frozen=True)
class Download:
    path: str
    """Under docs/ (the site copies it as it is)."""
    label: str
    period: str
    """The period in Chinese: 2025年, 2025年第一季度, 2025年3月."""
    source: Path
    """The made file (in the downloads cache)."""
    kind: str = ""
    """year, quarter or month."""
    key: str = ""
    """2025, 2025-Q1 or 2025-03."""

    @property
    def data(self) -> bytes:
        return self.source.read_bytes()


@dataclass(frozen=True)
class Span:
    """A year, quarter or month of the statistics page."""

    kind: str
    key: str
    name: str
    start: datetime
    end: datetime
    year: int


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _saved(document: Any, now: datetime) -> bytes:
    """The file's bytes, the same for the same records and ``now`` (so `site render` rewrites nothing):
    the save-time stamps openpyxl and python-docx write, and the zip's member times, are fixed."""
    buffer = io.BytesIO()
    document.save(buffer)
    stamp = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def spans(discovered: Iterable[datetime], tz: Any) -> list[Span]:
    """Every year, quarter and month in which something was discovered: each year, then its
    quarters and months, newest year first, in calendar order within a year."""
    months = sorted({(m.year, m.month) for m in (d.astimezone(tz) for d in discovered)})
    out: list[Span] = []
    for year in sorted({y for y, _ in months}, reverse=True):
        out.append(Span("year", f"{year}", f"{year}年", datetime(year, 1, 1, tzinfo=tz),
                        datetime(year + 1, 1, 1, tzinfo=tz), year))
        mine = [m for y, m in months if y == year]
        for quarter in sorted({(m - 1) // 3 for m in mine}):
            first = quarter * 3 + 1
            end = datetime(year + 1, 1, 1, tzinfo=tz) if quarter == 3 else datetime(year, first + 3, 1, tzinfo=tz)
            out.append(Span("quarter", f"{year}-Q{quarter + 1}", f"{year}年第{QUARTERS[quarter]}季度",
                            datetime(year, first, 1, tzinfo=tz), end, year))
        for month in mine:
            end = datetime(year + 1, 1, 1, tzinfo=tz) if month == 12 else datetime(year, month + 1, 1, tzinfo=tz)
            out.append(Span("month", f"{year}-{month:02d}", f"{year}年{month}月",
                            datetime(year, month, 1, tzinfo=tz), end, year))
    return out


def derived_of(register: Register, incidents: Sequence[Incident]) -> tuple[Derived, ...]:
    """The derived values of records held in memory (a city's: no check cache), by id."""
    from ..calendar import WorkCalendar
    from ..register import derive

    assert register.config is not None
    calendar = WorkCalendar.from_config(register.config)
    return tuple(sorted((derive(i, register.config, calendar) for i in incidents), key=lambda d: (d.id, d.file)))


def _code_key(register: Register) -> str:
    """register.yml, the schemas and every module a download's content comes from, hashed."""
    from .. import __version__
    from ..cache import _canonical

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{__version__}\0{_canonical(register.config)}".encode("utf-8", "surrogateescape"))
    sources = [*package.glob("*.py"), *package.glob("reports/*.py"), *package.glob("render/*.py"),
               Path(__file__), *sorted((Path(register.root) / "schemas").glob("*"))]
    for path in sorted(set(sources)):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    try:
        import docx
        import openpyxl

        digest.update(f"{openpyxl.__version__}\0{getattr(docx, '__version__', '')}".encode())
    except ImportError:
        pass
    return digest.hexdigest()


class _Versions:
    """Each record's version: its git blob id, from git's index where the file is as committed (one
    ``git ls-files``, ``git status`` for the rest), else its bytes hashed; for a record held in memory
    a hash of the record itself. (The check cache's heads hold the same ids, but reading them all
    would hold a second copy of every record's derived values.)"""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.memory = {i.file: i for i in register.incidents}
        self.found: dict[str, str] = {}
        if not self.memory:
            self.found = _git_versions(Path(register.root))

    def of(self, file: str) -> str:
        found = self.found.get(file)
        if found is not None:
            return found
        if file in self.memory:
            import pickle

            found = hashlib.sha1(pickle.dumps(self.memory[file], 4)).hexdigest()
        else:
            from ..cache import blob_id

            try:
                found = blob_id((Path(self.register.root) / file).read_bytes())
            except OSError:
                found = "?"
        self.found[file] = found
        return found

    def close(self) -> None:
        self.found.clear()


def _git_versions(root: Path) -> dict[str, str]:
    """Blob ids of the incident files git's index holds and the working tree has not changed."""
    import subprocess

    def git(*args: str) -> bytes | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False, timeout=120)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    if git("rev-parse", "--show-prefix") != b"\n":  # not a repository's top (status names paths from there)
        return {}
    listed = git("ls-files", "-s", "-z", "--", "incidents")
    changed = git("status", "--porcelain", "-z", "--untracked-files=all", "--", "incidents")
    if listed is None or changed is None:
        return {}
    found: dict[str, str] = {}
    for entry in listed.split(b"\0"):
        head, _, path = entry.partition(b"\t")
        fields = head.split()
        if len(fields) == 3 and fields[2] == b"0":
            found[path.decode("utf-8", "surrogateescape")] = fields[1].decode()
    # Changed, added or renamed in the working tree: hashed from the file when asked for.
    for entry in changed.split(b"\0"):
        if len(entry) > 3 and entry[2:3] == b" ":
            found.pop(entry[3:].decode("utf-8", "surrogateescape"), None)
    return found


def _key(*parts: object) -> str:
    return hashlib.sha256("\0".join(str(p) for p in parts).encode("utf-8", "surrogateescape")).hexdigest()[:40]


def _stands(chosen: Iterable[Derived], now: datetime) -> bool:
    """Every record of ``chosen`` as written is the record as of ``now`` (its view does not change with it)."""
    return all(d.latest is not None and d.latest <= now for d in chosen)


def downloads(register: Register, chosen: Sequence[Derived], deadlines: Sequence[Deadline],
              now: datetime, notes: list[str]) -> tuple[Download, ...]:
    """The files of every year, quarter and month of ``chosen`` (the published records' derived values),
    made where the downloads cache does not hold them, or none (with a note) when an exporter is
    missing or fails. ``register``: loaded without records (records are read from the check cache,
    a period's at a time), or holding ``chosen``'s records in memory (a city's)."""
    try:
        from .. import export
        from ..render import docx as render_docx
        from ..render.xlsx import workbook
        from ..reports import BUILDERS
        from ..reports.common import needed, snapshot
        from ..reports.narrative import path_for
        from ..reports.periods import Period
        from ..stats import compute
        from ..times import zone
    except ImportError:
        notes.append("导出模块未安装,统计页不提供台账和报告下载。")
        return ()
    pool = sorted((d for d in chosen if not d.facts.confidential),
                  key=lambda d: (d.facts.discovered_at, d.id))
    config = register.config
    assert config is not None
    tz = zone(config.timezone)
    organization = config.organization
    by_incident: dict[str, list[Deadline]] = {}
    for d in deadlines:
        by_incident.setdefault(d.incident, []).append(d)
    running = {i for i, found in by_incident.items() if any(d.status in RUNNING for d in found)}
    times = [d.facts.discovered_at for d in pool]
    counted_times = [d.facts.discovered_at for d in pool if not d.facts.withdrawn]
    folder = _folder(register)
    versions = _Versions(register)
    out: list[Download] = []
    used: set[str] = set()
    frozen = not gc.isenabled() or gc.get_freeze_count() > 0
    if not frozen:
        gc.collect()
        gc.freeze()
    try:
        code = _code_key(register)

        def within(span: Span) -> list[Derived]:
            return pool[bisect_left(times, span.start):bisect_left(times, span.end)]

        def ledger_key(span: Span, listed: list[Derived]) -> str:
            moving = (not _stands(listed, now)) or any(d.id in running for d in listed)
            return _key("ledger", span.key, code, *(f"{d.file}:{versions.of(d.file)}" for d in listed),
                        now.isoformat() if moving else "")

        def report_key(kind: str, span: Span, read: list[Derived], own: list[Derived]) -> str:
            story = path_for(Path(register.root), kind, span.key)
            text = hashlib.sha256(story.read_bytes()).hexdigest() if story.is_file() else ""
            moving = span.end > now or not _stands(read, now)
            if kind == "annual":  # read as of now, not as of the year's end: open records and clocks move
                moving = moving or any(d.facts.open or d.id in running for d in own)
            return _key(kind, span.key, code, text, *(f"{d.file}:{versions.of(d.file)}" for d in read),
                        now.isoformat() if moving else "")

        stale_ledgers: dict[int, list[tuple[Span, list[Derived], Path]]] = {}
        stale_reports: list[tuple[str, Span, list[Derived], Path]] = []
        for span in spans(counted_times, tz):
            listed = export.period_records(within(span), span.start, span.end, include_confidential=False)
            target = folder / f"{ledger_key(span, listed)}.xlsx"
            out.append(Download(f"{FOLDER}/ledger-{span.key}.xlsx", "台账(Excel)", span.name, target,
                                span.kind, span.key))
            used.add(target.name)
            if not target.is_file():
                stale_ledgers.setdefault(span.year, []).append((span, listed, target))
            kind, title = _REPORTS[span.kind]
            read = needed(pool, Period(kind, span.key, span.start, span.end))  # type: ignore[arg-type]
            target = folder / f"{report_key(kind, span, read, within(span))}.docx"
            out.append(Download(f"{FOLDER}/report-{span.key}.docx", title, span.name, target, span.kind, span.key))
            used.add(target.name)
            if not target.is_file():
                stale_reports.append((kind, span, read, target))

        # The 台账 of a year, its quarters and months from one pass over the records they list: each
        # record's rows spooled to disk once, then written into every workbook that lists it.
        for year, stale in sorted(stale_ledgers.items()):
            spool = export.Spool()
            try:
                rows_of = {d.id: d for _, listed, _ in stale for d in listed}
                export.spool_rows(register, list(rows_of.values()), by_incident, now, spool=spool)
                for span, listed, target in stale:
                    stats = compute([d.facts for d in within(span)],
                                    [x for d in listed for x in by_incident.get(d.id, ())],
                                    span.start, span.end, config=config, include_confidential=False)
                    book = export.spooled_ledger(spool, listed, by_incident, now, stats, organization=organization)
                    _store(target, _saved(workbook(book, tz), now))
            finally:
                spool.close()

        # Reports oldest first, the records they read held while the next one may still read them: a
        # month's (quarter's) report reads its month, the one before, the same one a year before (环比,
        # 同比) and the records reviewed since its start; a record the next report does not read is let
        # go (read again should a later one compare with its period: held, every record could stay).
        # Of the reports ending together, the quarter's comes after its last month's and before the
        # year's, so each reads what the one before it held where they share records.
        order = {"monthly": 0, "quarterly": 1, "annual": 2}
        held: dict[str, Incident] = {}
        for kind, span, read, target in sorted(stale_reports, key=lambda r: (r[1].end, order[r[0]])):
            ids = {d.id for d in read}
            for gone in [i for i in held if i not in ids]:
                del held[gone]
            missing = [d for d in read if d.id not in held]
            if missing:
                for incident in export.records(register, missing):
                    held[incident.id] = incident
            period = Period(kind, span.key, span.start, span.end)  # type: ignore[arg-type]
            public = replace(register, incidents=tuple(sorted((held[d.id] for d in read if d.id in held),
                                                              key=lambda i: (i.id, i.file))))
            snap = snapshot(public, now, include_confidential=False)
            report = BUILDERS[kind](public, period, now, snap=snap)
            _store(target, _saved(render_docx.build(report), now))
            del public, snap, report
            # A python-docx document is a web of reference cycles that only a full collection frees,
            # and with the register's derived values alive one seldom comes: each report's document
            # stayed (7 MB each at 2,000 records). Collected here, cheaply: the long-lived objects
            # are frozen out of collections while the files are made.
            gc.collect()
        held.clear()
    except Exception as error:  # another module's bug must not take the archive down
        log.warning("生成下载文件失败:%s", error, exc_info=log.isEnabledFor(logging.DEBUG))
        notes.append("台账和报告的下载文件生成失败。")
        return ()
    finally:
        versions.close()
        if not frozen:
            gc.unfreeze()
    _prune(folder, used)
    return tuple(out)


def _folder(register: Register) -> Path:
    from ..cache import CACHE_DIR, make_folder

    folder = Path(register.root) / CACHE_DIR / CACHE
    make_folder(folder.parent)
    folder.mkdir(exist_ok=True)
    return folder


def _store(target: Path, data: bytes) -> None:
    """Written whole or not at all (a build stopped midway leaves no half file under a key)."""
    part = target.with_name(f".{target.name}.{os.getpid()}")
    part.write_bytes(data)
    os.replace(part, target)


def _prune(folder: Path, used: set[str]) -> None:
    """Files no build used for a while go; the used ones are marked as used now."""
    moment = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.name in used:
                os.utime(entry.path)
            elif moment - entry.stat().st_mtime > KEEP_SECONDS:
                os.unlink(entry.path)
        except OSError:
            pass


_REPORT_PAGES: dict[str, dict[str, tuple[str, str]]] = {}
"""Register root -> report kind -> (key, Markdown with its 生成于 stamp as ``_STAMP_MARK``): the reports
page's reports kept across `mkdocs serve` rebuilds (each rebuild read their records again: 1.5 s at 10,000)."""
_STAMP_MARK = "\0yuqing-stamp\0"


def reports_markdown(register: Register, chosen: Sequence[Derived], deadlines: Sequence[Deadline],
                     warnings: Sequence[str], now: datetime, notes: list[str],
                     versions: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The latest weekly and monthly reports (Markdown) of the published records ``chosen``, for the
    reports page: each reads only the records its period needs. Failures are notes, never raised.

    ``versions`` (`mkdocs serve`): record id -> its file's version (stat); a report is then kept
    across rebuilds under a key of everything it depends on: its kind and period (the last complete
    one: it reads the register as at the period's end, see reports.weekly), the ids, files and
    versions of the records it reads, their narrative file, register.yml and the code, and ``now``
    where a record it reads is written later than now, else its day (the 落款 date). The rest of
    ``now`` shows only in its 生成于 stamp, put in afresh; a report where the stamp is not found once
    is keyed by ``now`` too."""
    try:
        from ..reports import make
        from ..reports.common import needed, resolve_period
        from ..reports.narrative import path_for
        from ..times import short, zone
    except ImportError:
        notes.append("报告模块(reports)未安装,报告页为空。")
        return {}
    pool = [d for d in chosen if not d.facts.confidential]
    out: dict[str, str] = {}
    kept = _REPORT_PAGES.setdefault(str(register.root), {}) if versions is not None else None
    for key in ("weekly", "monthly"):
        try:
            stamp = ""
            if kept is not None and versions is not None:
                assert register.config is not None
                tz = zone(register.config.timezone)
                period = resolve_period(key, None, now.astimezone(tz), register.config.timezone)
                read = needed(pool, period)
                story = path_for(Path(register.root), key, period.label)
                text = hashlib.sha256(story.read_bytes()).hexdigest() if story.is_file() else ""
                stamp = f"生成于 {short(now.astimezone(tz))}"
                # The day is in its 落款 (signature date).
                known = _key("site-report", key, period.label, period.start, period.end, _code_key(register), text,
                             now.astimezone(tz).date().isoformat(),
                             *(f"{d.id}:{d.file}:{versions.get(d.id)}" for d in read),
                             "" if _stands(read, now) else now.isoformat())
                found = kept.get(key)
                if found is not None and found[0] in (known, _key(known, now.isoformat())):
                    out[key] = found[1].replace(_STAMP_MARK, stamp)
                    continue
            # Record text as it is: the report's to_markdown escapes every text it prints.
            out[key] = made = make(register, key, None, now, include_confidential=False, pool=pool).to_markdown()
            if kept is not None:
                if made.count(stamp) == 1:
                    kept[key] = (known, made.replace(stamp, _STAMP_MARK))
                else:  # the stamp is not where it was: kept for this moment only
                    kept[key] = (_key(known, now.isoformat()), made)
        except Exception as error:
            log.warning("%s 报告生成失败:%s", key, error)
            notes.append(f"{'周报' if key == 'weekly' else '月报'}生成失败。")
            if kept is not None:
                kept.pop(key, None)
    return out
