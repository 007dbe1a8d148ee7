"""`yuqing import`: a monitoring platform's or a 12345 system's export -> 预警 events and draft records.

The one entry point for every front door is :func:`plan_import` (bytes + file
name + :class:`Options` -> a :class:`Plan`: the planned changes, or the rows'
problems, as data). The command line and an intake form that accepts an
uploaded export both call it, then :func:`write_plan` or :func:`commit_plan`.
"""

from __future__ import annotations

from .plan import (NEW, RECORDED, SKIPPED, UNREGISTERED, WARNING, Action, Options, Plan, Written, commit_message,
                   commit_plan, plan_import, write_plan)
from .rows import Problem

__all__ = ["NEW", "RECORDED", "SKIPPED", "UNREGISTERED", "WARNING", "Action", "Options", "Plan", "Problem",
           "Written", "commit_message", "commit_plan", "plan_import", "write_plan"]
