"""Gather what the pages show, once per build: the one place the site touches the world.

Deadlines, statistics, charts, reports and git history come from their own
modules; each is used when it is importable and works, and its absence is a
note on the statistics page, never a failed build.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Sequence

from ..model import Incident
from ..register import Register, load_register
from .model import SiteInput

log = logging.getLogger("yuqing.site")


@dataclass(frozen=True)
class Collected:
    site: SiteInput
    register: Register
    confidential: tuple[Incident, ...]
    """Every confidential record, including those discovered after ``now`` (never published; the build scans for them)."""
    skipped: tuple[str, ...]
    """Files left out because they have errors."""


def _optional(name: str) -> Any:
    try:
        return importlib.import_module(f"yuqing.{name}")
    except ImportError:
        return None


def collect(root: Path, now: datetime, *, history: bool = True, docs: frozenset[str] = frozenset(),
            downloads: bool = True, preview: bool = False) -> Collected:
    """Load the register at ``root`` and compute everything the site shows at ``now``.

    ``downloads``: make the 台账 and report files of the statistics page (about 1.7 s per
    thousand records on one core: a province's build may turn them off).
    ``preview`` (`mkdocs serve`, rebuilt on every saved file): no download files (a note says so),
    and the git history is read again only when a commit or branch moved (edits in the working
    tree do not change it).
    """
    register = load_register(root, now=now)
    config = register.config
    if config is None:
        messages = "; ".join(f"{i.file}:{i.line}: {i.message}" for i in register.issues[:5])
        raise ValueError(f"register.yml 有错误,无法生成站点:{messages}")
    # A file with errors is not published: its `confidential` flag cannot be trusted.
    valid = [i for i in register.incidents if i.file not in register.invalid_files]
    skipped = tuple(sorted(register.invalid_files))
    # Records discovered after `now` are not in the site's register, but their ids and titles must
    # still never appear (a rename, another record's text): the leak guard scans for them too.
    confidential = tuple(i for i in (*register.incidents, *register.later) if i.confidential)
    published = tuple(sorted((i for i in valid if not i.confidential), key=lambda i: i.id))
    counted_confidential = tuple(i for i in valid if i.confidential) if config.publish.count_confidential else ()
    notes: list[str] = []
    figures = compute_figures(register, published, counted_confidential, now, notes,
                              downloads=downloads and not preview)

    git_history = None
    shown: Mapping[str, Any] = {}
    if history:
        history_module = _optional("history")
        if history_module is not None:
            try:
                from ..times import zone
                from .revisions import Revisions

                tz = zone(config.timezone)
                git_history = (_kept_history(history_module, root, tz) if preview
                               else history_module.load(root, levels=False, tz=tz))
                # Computed a chunk at a time as pages are built (never all blobs at once).
                shown = Revisions(git_history, (i.id for i in published), tz, frozenset(i.id for i in confidential))
            except Exception as error:
                log.warning("读取 git 历史失败:%s", error)
    if downloads and preview:
        notes.append("预览(mkdocs serve)不生成台账和报告的下载文件;正式构建的站点提供。")
    site = SiteInput(
        config=config, incidents=published, now=now, counted_confidential=counted_confidential,
        deadlines=figures.deadlines, deadline_warnings=figures.warnings, stats=figures.stats,
        charts=figures.charts, reports=figures.reports, history=git_history, revisions=shown, docs=docs,
        downloads=figures.downloads, notes=tuple(notes),
    )
    return Collected(site, register, confidential, skipped)


class Figures(NamedTuple):
    """What the pages show besides the records: computed once per build, by ``compute_figures``."""

    deadlines: tuple[Any, ...] | None
    warnings: tuple[str, ...]
    stats: Any
    charts: dict[str, str]
    reports: dict[str, str]
    downloads: tuple[Any, ...]


def compute_figures(register: Register, published: tuple[Incident, ...], counted_confidential: tuple[Incident, ...],
                    now: datetime, notes: list[str], *, downloads: bool) -> Figures:
    """Deadlines, statistics, charts, reports and download files of ``published`` at ``now``.

    Shared by a register's site (``collect``) and a city's (``city.collect_city``). Each part
    comes from its module when importable and working; a missing or failing one is a note
    appended to ``notes``, never a failed build.
    """
    config = register.config
    assert config is not None
    in_figures = [*published, *counted_confidential]

    deadlines = None
    warnings: tuple[str, ...] = ()
    all_deadlines: tuple[Any, ...] = ()
    deadlines_module = _optional("deadlines")
    if deadlines_module is not None:
        try:
            # The 信号灯 and the warnings show the published incidents only; the
            # statistics may count confidential ones (publish.count_confidential).
            report = deadlines_module.compute(published, config, now)
            deadlines = tuple(report.deadlines)
            warnings = tuple(report.warnings)
            all_deadlines = deadlines
            if counted_confidential:
                all_deadlines = tuple(deadlines_module.compute(in_figures, config, now).deadlines)
        except Exception as error:  # another module's bug must not take the archive down
            log.warning("时限计算失败,信号灯不显示:%s", error)
            notes.append("时限计算失败,本站不显示信号灯和按时完成率。")
    else:
        notes.append("时限计算模块(deadlines.py)未安装,本站不显示信号灯和按时完成率。")

    stats = None
    stats_module = _optional("stats")
    if stats_module is not None:
        try:
            stats = stats_module.compute(in_figures, all_deadlines, config=config, include_confidential=True)
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

    reports = _reports(register, published, deadlines or (), warnings, now, notes)
    from .downloads import downloads as make_downloads

    files = make_downloads(register, published, deadlines or (), now, notes) if downloads and deadlines is not None else ()
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
    loaded = history_module.load(root, levels=False, tz=tz)
    _HISTORIES[str(root)] = (key, loaded)
    return loaded


def _reports(register: Register, published: Sequence[Incident], deadlines: Sequence[Any],
             warnings: Sequence[str], now: datetime, notes: list[str]) -> dict[str, str]:
    """The latest weekly and monthly reports, of the published incidents only."""
    module = _optional("reports")
    if module is None or not hasattr(module, "snapshot"):
        notes.append("报告模块(reports)未安装,报告页为空。")
        return {}
    out: dict[str, str] = {}
    try:
        # Record text as it is: the report's to_markdown escapes every text it prints.
        public = replace(register, incidents=tuple(published))
        snap = module.snapshot(public, now, include_confidential=False, deadlines=list(deadlines),
                               warnings=tuple(warnings))
    except Exception as error:
        log.warning("报告生成失败:%s", error)
        notes.append("报告生成失败。")
        return {}
    for key in ("weekly", "monthly"):
        make = getattr(module, key, None)
        if make is None:
            continue
        try:
            out[key] = make(public, None, now, snap=snap).to_markdown()
        except Exception as error:
            log.warning("%s 报告生成失败:%s", key, error)
            notes.append(f"{'周报' if key == 'weekly' else '月报'}生成失败。")
    return out
