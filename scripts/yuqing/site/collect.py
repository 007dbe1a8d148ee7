"""Gather what the pages show, once per build: the one place the site touches the world.

Deadlines, statistics, charts, reports and git history come from their own
modules; each is used when it is importable and works, and its absence is a
note on the statistics page, never a failed build. Nothing here holds the
register's records: each record's ``Derived`` values (from the check cache) and
one ``Row``; the pages that show records whole read them streamed
(``SiteInput.records``).
"""

from __future__ import annotations

import importlib
import logging
import os
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from ..cache import Derived
from ..model import Incident
from ..register import Located, Place, Register, each_line, each_record, load_register, unlisted_confidential
from .model import Row, SiteInput, row
from .pagefind import id_order

log = logging.getLogger("yuqing.site")


@dataclass(frozen=True)
class Collected:
    site: SiteInput
    register: Register
    confidential: tuple[Any, ...]
    """Every confidential record (its id and title: ``stats.Facts``), including those discovered after
    ``now`` and those whose files have errors (never published; the build scans for them)."""
    skipped: tuple[str, ...]
    """Files left out because they have errors."""
    export: Callable[[], Iterator[str]] | None = None
    """The pieces of the site's public export (``export.json``), made as they are asked for."""


def _optional(name: str) -> Any:
    try:
        return importlib.import_module(f"yuqing.{name}")
    except ImportError:
        return None


def collect(root: Path, now: datetime, *, history: bool = True, docs: frozenset[str] = frozenset(),
            downloads: bool = True, preview: bool = False) -> Collected:
    """Load the register at ``root`` and compute everything the site shows at ``now``.

    The register is loaded without records (``Register.derived``: facts and deadline parts of
    each record, from the check cache); the records are read once here, a cache file at a time,
    into one ``Row`` each, and again, streamed, by the pages that show them whole.
    ``downloads``: make the 台账 and report files of the statistics page.
    ``preview`` (`mkdocs serve`, rebuilt on every saved file): no download files (a note says so),
    and the git history is read again only when a commit or branch moved (edits in the working
    tree do not change it).
    """
    # The git history first, while this process is small: `git log` over a province's 300,000 commits
    # holds ~0.3 GB of its own (besides its pack files, mapped), not to be added to the register's.
    history_module = _optional("history") if history else None
    git_history: Any = None
    history_error: Exception | None = None
    if history_module is not None:
        from ..config import load_config
        from ..times import zone

        early, _ = load_config(root)
        if early is not None:
            try:
                tz = zone(early.timezone)
                git_history = (_kept_history(history_module, root, tz) if preview
                               else history_module.load(root, levels=False, tz=tz, subjects=False))
            except Exception as error:
                history_error = error
    register = load_register(root, now=now, records=False, derived=True)
    config = register.config
    if config is None:
        messages = "; ".join(f"{i.file}:{i.line}: {i.message}" for i in register.issues[:5])
        raise ValueError(f"register.yml 有错误,无法生成站点:{messages}")
    # A file with errors is not published (it has no Derived): its `confidential` flag cannot be trusted.
    skipped = tuple(sorted(register.invalid_files))
    published = [d for d in register.derived if not d.facts.confidential]
    counted = ([d for d in register.derived if d.facts.confidential] if config.publish.count_confidential
               else [])
    # Records discovered after `now` are not in the site's register, but their ids and titles must
    # still never appear (a rename, another record's text): the leak guard scans for them too.
    confidential: tuple[Any, ...] = (*(d.facts for d in register.derived if d.facts.confidential),
                                     *unlisted_confidential(register))

    versions: dict[str, Any] = {}
    kept: dict[str, tuple[Any, Row]] | None = None
    if preview:
        # `mkdocs serve` rebuilds on every saved file: a record whose file and derived values are those
        # of the last rebuild keeps its row (and its page, see the plugin), without being read again.
        versions = {d.id: (_stat(root / d.file), d) for d in (*published, *counted)}
        kept = _SERVED_ROWS.setdefault(str(root), {})
    rows, counted_rows, order = _rows(register, published, counted, versions, kept)
    memo = _SERVED_RECORDS.setdefault(str(root), {}) if preview else None
    notes: list[str] = []
    figures = compute_figures(register, published, counted, now, notes, downloads=downloads and not preview,
                              versions={k: v[0] for k, v in versions.items()} if preview else None)
    # The figures are made: from here on the records are read by their place alone. The derived
    # values (every record's facts and deadline parts: about 100 MB at 100,000 records) are let go.
    places = {d.id: Place(d.file, d.id, d.latest) for d in (*published, *counted)}
    exported = [places[d.id] for d in published]
    del published, counted
    register = replace(register, derived=())

    def read(chosen: Iterable[Row], keep: bool = False) -> Iterator[Incident]:
        if memo is None or not keep:
            return each_record(register, [places[r.id] for r in chosen])
        return _remembered(register, [places[r.id] for r in chosen], versions, memo)

    shown: Mapping[str, Any] = {}
    if history_error is not None:
        log.warning("读取 git 历史失败:%s", history_error)
    elif git_history is not None:
        try:
            from ..times import zone
            from .revisions import Revisions

            # Computed a chunk at a time as pages are built (never all blobs at once), in their order.
            shown = Revisions(git_history, order, zone(config.timezone), frozenset(i.id for i in confidential),
                              remember=preview)
        except Exception as error:
            git_history = None
            log.warning("读取 git 历史失败:%s", error)
    if downloads and preview:
        notes.append("预览(mkdocs serve)不生成台账和报告的下载文件;正式构建的站点提供。")
    site = SiteInput(
        config=config, incidents=rows, now=now, counted_confidential=counted_rows,
        deadlines=figures.deadlines, deadline_warnings=figures.warnings, stats=figures.stats,
        charts=figures.charts, reports=figures.reports, history=git_history, revisions=shown, docs=docs,
        downloads=figures.downloads, notes=tuple(notes), read=read, order=order, versions=versions,
    )
    deadlines = figures.deadlines or ()
    return Collected(site, register, confidential, skipped,
                     export=lambda: public_export(register, exported, deadlines))


_SERVED_ROWS: dict[str, dict[str, tuple[Any, Row]]] = {}
"""Register root -> record file -> (its version, its row), kept across `mkdocs serve` rebuilds."""


_SERVED_RECORDS: dict[str, dict[str, tuple[Any, Incident]]] = {}
"""Register root -> record id -> (its version, the record): the few records a preview's pages read
whole besides their own pages (reviews, feed), kept across `mkdocs serve` rebuilds."""


def _remembered(register: Register, chosen: Sequence[Located], versions: Mapping[str, Any],
                memo: dict[str, tuple[Any, Incident]]) -> Iterator[Incident]:
    """The records of ``chosen``: those of an unchanged version from ``memo``, the others read (and kept)."""
    wanted = []
    for d in chosen:
        found = memo.get(d.id)
        if found is not None and found[0] == versions[d.id]:
            yield found[1]
        else:
            wanted.append(d)
    for incident in each_record(register, wanted):
        memo[incident.id] = (versions[incident.id], incident)
        yield incident


def _stat(path: Path) -> tuple[int, int, int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns, found.st_ino, found.st_ctime_ns


def _rows(register: Register, published: Sequence[Derived], counted: Sequence[Derived],
          versions: Mapping[str, Any], kept: dict[str, tuple[Any, Row]] | None
          ) -> tuple[tuple[Row, ...], tuple[Row, ...], tuple[str, ...]]:
    """The rows of ``published`` (by id) and of ``counted`` (confidential records that count in figures),
    and the order in which the records stream newest first: one pass over the records, none kept.

    With ``kept`` (a preview's rows of the last rebuild), only the records whose version (file and
    derived values, ``versions``) changed are read; the order is then by id, newest first."""
    secret = {d.id for d in counted}
    rows: list[Row] = []
    counted_rows: list[Row] = []
    order: list[str] = []
    # Newest first by year and number (YQ-2026-10000 after YQ-2026-9999): Pagefind's first shard is the newest.
    chosen = sorted((*published, *counted), key=lambda d: id_order(d.id), reverse=True)
    if kept is not None:
        fresh: dict[str, tuple[Any, Row]] = {}
        wanted = []
        for d in chosen:
            found = kept.get(d.file)
            if found is not None and found[0] == versions[d.id] and found[1].id == d.id:
                fresh[d.file] = found
            else:
                wanted.append(d)
        for incident in each_record(register, wanted):
            fresh[incident.file] = (versions[incident.id], row(incident))
        kept.clear()
        kept.update(fresh)
        made = [fresh[d.file][1] for d in chosen if d.file in fresh]
        order = [r.id for r in made if r.id not in secret]
    else:
        made = []
        for incident in each_record(register, chosen):
            made.append(row(incident))
            if incident.id not in secret:
                order.append(incident.id)
    for one in made:
        (counted_rows if one.id in secret else rows).append(one)
    rows.sort(key=lambda r: r.id)
    counted_rows.sort(key=lambda r: r.id)
    return tuple(rows), tuple(counted_rows), tuple(order)


def public_export(register: Register, chosen: Sequence[Located], deadlines: Sequence[Any]) -> Iterator[str]:
    """The pieces of the public export of ``chosen`` (the published records), as `yuqing export json`
    makes it: each record's line from the check cache where it keeps it, spooled in a temporary file
    and written out by id."""
    from .. import publicexport

    assert register.config is not None and register.now is not None
    ids = frozenset(d.id for d in chosen)
    with tempfile.TemporaryFile() as spool:
        places: dict[str, tuple[int, int]] = {}
        for key, text in each_line(register, chosen, ids):
            data = text.encode("utf-8")
            places[key] = (spool.tell(), len(data))
            spool.write(data)

        def ordered() -> Iterator[str]:
            for d in chosen:  # by id, as derived is
                if d.id in places:
                    start, size = places[d.id]
                    spool.seek(start)
                    yield spool.read(size).decode("utf-8")

        yield from publicexport.pieces(register.config, register.now, ordered(), deadlines, ids)


class Figures(NamedTuple):
    """What the pages show besides the records: computed once per build, by ``compute_figures``."""

    deadlines: tuple[Any, ...] | None
    warnings: tuple[str, ...]
    stats: Any
    charts: dict[str, str]
    reports: dict[str, str]
    downloads: tuple[Any, ...]


def compute_figures(register: Register, published: Sequence[Derived], counted_confidential: Sequence[Derived],
                    now: datetime, notes: list[str], *, downloads: bool,
                    versions: Mapping[str, Any] | None = None) -> Figures:
    """Deadlines, statistics, charts, reports and download files of ``published`` at ``now``.

    From the records' ``Derived`` values (facts, deadline parts) alone; the reports and download
    files read the records they need themselves. Shared by a register's site (``collect``) and a
    city's (``city.collect_city``). Each part comes from its module when importable and working;
    a missing or failing one is a note appended to ``notes``, never a failed build.
    """
    config = register.config
    assert config is not None

    deadlines = None
    warnings: tuple[str, ...] = ()
    all_deadlines: tuple[Any, ...] = ()
    deadlines_module = _optional("deadlines")
    if deadlines_module is not None:
        try:
            from ..times import zone

            # The 信号灯 and the warnings show the published incidents only; the
            # statistics may count confidential ones (publish.count_confidential).
            moment = now.astimezone(zone(config.timezone))
            report = deadlines_module.report((d.parts for d in published), moment)
            deadlines = tuple(report.deadlines)
            warnings = tuple(report.warnings)
            all_deadlines = deadlines
            if counted_confidential:
                everything = sorted((*published, *counted_confidential), key=lambda d: (d.id, d.file))
                all_deadlines = tuple(deadlines_module.report((d.parts for d in everything), moment).deadlines)
        except Exception as error:  # another module's bug must not take the archive down
            log.warning("时限计算失败,信号灯不显示:%s", error)
            notes.append("时限计算失败,本站不显示信号灯和按时完成率。")
    else:
        notes.append("时限计算模块(deadlines.py)未安装,本站不显示信号灯和按时完成率。")

    stats = None
    stats_module = _optional("stats")
    if stats_module is not None:
        try:
            stats = stats_module.compute([d.facts for d in (*published, *counted_confidential)], all_deadlines,
                                         config=config, include_confidential=True)
        except Exception as error:
            log.warning("统计计算失败:%s", error)
            notes.append("统计计算失败,统计页只显示简单计数。")

    charts: dict[str, str] = {}
    charts_module = _optional("charts")
    if charts_module is not None and stats is not None:
        for name, function in (("levels", "level_distribution"), ("months", "monthly_trend"),
                               ("units", "unit_on_time_rate")):
            draw = getattr(charts_module, function, None)
            if draw is None:
                continue
            try:
                charts[name] = str(draw(stats))
            except Exception as error:
                log.warning("图表 %s 生成失败:%s", name, error)
    elif charts_module is None:
        notes.append("图表模块(charts.py)未安装,统计以表格显示。")

    from . import downloads as downloads_module

    reports = _reports(register, published, deadlines or (), warnings, now, notes, versions)
    files: tuple[Any, ...] = ()
    if downloads and deadlines is not None:
        files = tuple(downloads_module.downloads(register, published, deadlines, now, notes))
    return Figures(deadlines, warnings, stats, charts, reports, tuple(files))


_HISTORIES: dict[str, tuple[str, Any]] = {}
"""Register root -> (git state, its history): `mkdocs serve` rebuilds reuse it while no commit moved."""


def _kept_history(history_module: Any, root: Path, tz: Any) -> Any:
    import subprocess

    state = subprocess.run(["git", "for-each-ref", "--format=%(objectname) %(refname)"], cwd=root,
                           capture_output=True, text=True, check=False)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False)
    key = f"{state.returncode}{state.stdout}{head.stdout}{tz}"
    kept = _HISTORIES.get(str(root))
    if kept is not None and kept[0] == key:
        return kept[1]
    loaded = history_module.load(root, levels=False, tz=tz, subjects=False)
    _HISTORIES[str(root)] = (key, loaded)
    return loaded


def _reports(register: Register, published: Sequence[Derived], deadlines: Sequence[Any],
             warnings: Sequence[str], now: datetime, notes: list[str],
             versions: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The latest weekly and monthly reports (Markdown), of the published incidents only (kept across
    `mkdocs serve` rebuilds when ``versions``, the records' file versions, are given)."""
    from . import downloads as downloads_module

    # Record text as it is: the report's to_markdown escapes every text it prints.
    return dict(downloads_module.reports_markdown(register, published, deadlines, warnings, now, notes, versions))
