"""Periodic reports built from the register: 舆情周报, 月度评估, 舆情季度评估, 年度自查报告.

    from yuqing.reports import weekly, monthly, quarterly, annual
    report = weekly(register, "2025-W10", now)      # -> Report
    report.to_markdown()                              # or render.docx.write(report, path)

Each takes a loaded ``Register``, a period (a ``Period``, its label, or None for
the last complete period before ``now``) and ``now``; pass ``snap=snapshot(...)``
to judge the deadlines once for several reports.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from ..register import Register
from ..times import zone
from .annual import annual
from .common import _INSTANT, Snapshot, needed, partial_snapshot, read_snapshot, resolve_period, snapshot
from .document import Figure, Heading, Paragraph, Report, Table
from .monthly import monthly, quarterly
from .periods import Period, PeriodError, containing, default, parse
from .weekly import weekly

if TYPE_CHECKING:
    from ..cache import Derived

BUILDERS = {"weekly": weekly, "monthly": monthly, "quarterly": quarterly, "annual": annual}


def make(register: Register, kind: str, period: Period | str | None, now: datetime | None = None, *,
         include_confidential: bool = True, pool: Iterable[Derived] | None = None) -> Report:
    """The ``kind`` report of ``period`` (default: the last complete one before ``now``) of a register
    loaded without records (``records=False, derived=True``), reading only the records it needs
    (``common.needed``; ``pool``: the derived values to choose from, default all)."""
    config = register.config
    if config is None:
        raise ValueError("register.yml 有错误,无法生成报告。")
    moment = now or register.now
    if moment is None:
        raise ValueError("需要指定“现在”的时刻(--now)。")
    chosen = resolve_period(kind, period, moment.astimezone(zone(config.timezone)), config.timezone)  # type: ignore[arg-type]
    read = needed(register.derived if pool is None else pool, chosen)
    if not include_confidential:
        read = [d for d in read if not d.facts.confidential]
    # The register's derived values are let go before the records are read (when the caller holds no
    # reference to it, as `yuqing report` does not): at 100,000 records they are about 270 MB.
    light = replace(register, derived=())
    del register, pool
    # 周报, 月度评估 and 舆情季度评估 of a period already over read the register as it stood at its end (at_end_of
    # judges the deadlines then): judging them at now as well cost about 0.45 s at 100,000 records.
    over = kind != "annual" and chosen.end - _INSTANT < moment.astimezone(zone(config.timezone))
    snap = read_snapshot(light, read, moment, include_confidential=include_confidential, judge=not over)
    return BUILDERS[kind](light, chosen, moment, include_confidential=include_confidential, snap=snap)

__all__ = [
    "BUILDERS", "Figure", "Heading", "Paragraph", "Period", "PeriodError", "Report", "Snapshot", "Table",
    "annual", "containing", "default", "make", "monthly", "needed", "parse", "partial_snapshot", "quarterly", "snapshot",
    "weekly",
]
