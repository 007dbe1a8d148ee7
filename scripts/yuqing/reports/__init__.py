"""Periodic reports built from the register: 舆情周报, 月度评估, 年度自查报告.

    from yuqing.reports import weekly, monthly, annual
    report = weekly(register, "2025-W10", now)      # -> Report
    report.to_markdown()                              # or render.docx.write(report, path)

Each takes a loaded ``Register``, a period (a ``Period``, its label, or None for
the last complete period before ``now``) and ``now``; pass ``snap=snapshot(...)``
to judge the deadlines once for several reports.
"""

from .annual import annual
from .common import Snapshot, snapshot
from .document import Figure, Heading, Paragraph, Report, Table
from .monthly import monthly
from .periods import Period, PeriodError, containing, default, parse
from .weekly import weekly

BUILDERS = {"weekly": weekly, "monthly": monthly, "annual": annual}

__all__ = [
    "BUILDERS", "Figure", "Heading", "Paragraph", "Period", "PeriodError", "Report", "Snapshot", "Table",
    "annual", "containing", "default", "monthly", "parse", "snapshot", "weekly",
]
