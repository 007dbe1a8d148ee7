"""The city view's site: the county registers' public exports built as one register's site.

``collect_city`` is ``collect`` for a city register (mkdocs.yml ``yuqing: {city: true}``):
its records are not in incidents/ but fetched by ``aggregate`` from the sources
listed in sources.yml (ids namespaced with the county's code, the county as the
unit). The rest is what a single register's site shows, computed the same way:
deadlines under the city's rules, statistics, charts, reports, downloads. The
statistics page names every source and every stale or failing one with its
message (and the time of the last good copy used in its stead). Exports hold no
confidential record, so the leak guard has none to look for; record text is
county data and reaches the pages only through the templates' escaping.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ..aggregate import TIMEOUT, CityView, aggregate, read_sources
from ..cache import Derived
from ..config import load_config
from ..model import Incident, Issue, RegisterConfig
from ..register import Register
from .collect import Collected, compute_figures
from .model import Row, SiteInput, row

log = logging.getLogger("yuqing.site")

STATE_TEXT = {"ok": "正常", "stale": "过期", "failed": "失败"}


def _problems(issues: Sequence[Issue], what: str) -> str:
    return f"{what}:" + "; ".join(f"{i.file}:{i.line}: {i.message}" for i in issues[:5])


def source_notes(view: CityView) -> list[str]:
    """What the statistics page says of the sources (Chinese): the count, each name, each problem."""
    states = [o.state for o in view.outcomes]
    notes = [f"本站汇总 {len(states)} 个区县台账的公开导出:{states.count('ok')} 个正常,"
             f"{states.count('stale')} 个过期,{states.count('failed')} 个失败。数据来源:"
             + "、".join(f"{o.source.name}({o.source.code},{o.records} 起)" for o in view.outcomes) + "。"]
    for outcome in view.outcomes:
        if outcome.state != "ok" or outcome.message:  # an ok source may still have left records out
            notes.append(f"{outcome.source.name}({outcome.source.code}){STATE_TEXT[outcome.state]}:"
                         f"{outcome.message}")
    return notes


def city_config(config: RegisterConfig, view: CityView) -> RegisterConfig:
    """The city's settings as its site uses them: the counties are its units; no record is a file of its repository."""
    return replace(config, units=tuple(o.source.name for o in view.outcomes),
                   publish=replace(config.publish, edit_uri="", count_confidential=False))


def collect_city(root: Path, now: datetime, *, history: bool = True, docs: frozenset[str] = frozenset(),
                 downloads: bool = True, timeout: float = TIMEOUT) -> Collected:
    """Fetch and merge the city's sources, then compute everything the site shows at ``now``.

    ``history`` is accepted for the plugin's sake and unused: a city's records have
    no git history in its register (each county's site shows its own).
    """
    config, issues = load_config(root)
    if config is None:
        raise ValueError(_problems(issues, "register.yml 有错误,无法生成站点"))
    sources, problems = read_sources(root)
    if problems:
        raise ValueError(_problems(problems, "sources.yml 有错误,无法生成市级汇总站点"))
    view = aggregate(root, config, sources, now, timeout=timeout)
    for outcome in view.outcomes:
        if outcome.state != "ok":
            log.warning("来源 %s(%s)%s:%s", outcome.source.name, outcome.source.code,
                        STATE_TEXT[outcome.state], outcome.message)
    config = city_config(config, view)
    published = tuple(sorted(view.incidents, key=lambda i: i.id))
    register = Register(root=root, config=config, incidents=published, issues=(), files=0, now=now)
    notes = source_notes(view)
    # The county exports are held whole (a city's scale): the records are read from memory.
    by_id = {i.id: i for i in published}

    def read(rows: Iterable[Row], keep: bool = False) -> Iterator[Incident]:
        return (by_id[r.id] for r in rows)

    figures = compute_figures(register, derived_of(register, published), (), now, notes, downloads=downloads)
    site = SiteInput(config=config, incidents=tuple(row(i) for i in published), now=now,
                     deadlines=figures.deadlines, deadline_warnings=figures.warnings, stats=figures.stats,
                     charts=figures.charts, reports=figures.reports, docs=docs, downloads=figures.downloads,
                     notes=tuple(notes), read=read)
    return Collected(site, register, (), ())


def derived_of(register: Register, incidents: Sequence[Incident]) -> tuple[Derived, ...]:
    """The Derived values of records held in memory (no check cache), by id."""
    from . import downloads as downloads_module

    made = getattr(downloads_module, "derived_of", None)
    if made is not None:
        return tuple(made(register, incidents))
    from ..calendar import WorkCalendar
    from ..register import derive

    assert register.config is not None
    calendar = WorkCalendar.from_config(register.config)
    return tuple(derive(i, register.config, calendar) for i in incidents)


__all__ = ["collect_city", "source_notes"]
