"""The rules page: what register.yml says, as the site and the gate apply it."""

from __future__ import annotations

from types import SimpleNamespace

from markupsafe import Markup

from ..model import LEVELS
from .common import GUIDE_DEADLINES, GUIDE_GATE, GUIDE_LEVELS, REF_CHANGES, RULES, front
from .figures import demote
from .model import SiteInput
from .templating import render

UNIT_TEXT = {"hours": "小时", "working_hours": "个工作小时", "working_days": "个工作日"}
CLOCK_TEXT = {"level_reached": "达到该等级时", "occurred": "舆情发生时(无则发现时)", "appeal": "网民发帖时"}


def rules_page(site: SiteInput) -> str:
    """A Markdown page: the change policy table is Markdown from the gate's own code."""
    config = site.config
    rules = []
    for rule in config.rules:
        limit = f"{rule.limit:g} {UNIT_TEXT.get(rule.unit, rule.unit)}"
        if rule.extension_cap_days:
            limit += f"(可延期,最长 {rule.extension_cap_days} 天)"
        minutes = rule.due_soon_minutes
        rules.append(SimpleNamespace(
            id=rule.id, title=rule.title, source=rule.source, limit=limit,
            applies="网民诉求" if rule.appeal else "、".join(lv for lv in LEVELS if lv in rule.levels),
            clock=CLOCK_TEXT.get(rule.clock_start, rule.clock_start), met_by="、".join(sorted(rule.met_by)),
            window=f"{minutes // 60}小时" if minutes % 60 == 0 else f"{minutes}分钟"))
    context = dict(
        config=config, levels=LEVELS, docs=site.docs, rules=rules,
        rule_set="自定义" if config.rule_set == "custom" else config.rule_set,
        working_hours="、".join(f"{s.strftime('%H:%M')}–{e.strftime('%H:%M')}" for s, e in config.working_hours),
        library=_library(), calendar_years=config.calendar_years, policy=_policy(),
        guides=[(t, text) for t, text in ((GUIDE_GATE, "审核与分支保护"), (REF_CHANGES, "变更规则说明"))
                if t in site.docs],
        GUIDE_LEVELS=GUIDE_LEVELS, GUIDE_DEADLINES=GUIDE_DEADLINES,
    )
    return front("现行规则", exclude=True) + render("rules.md", RULES, **context)


def _library() -> tuple[str, int, int] | None:
    try:
        from .. import calendar as work_calendar
    except ImportError:
        return None
    span = work_calendar.library_years()
    return (work_calendar.library_version(), span[0], span[1]) if span else None


def _policy() -> Markup | None:
    try:
        from ..policy import policy_markdown
    except ImportError:
        return None
    # Trusted Markdown from our own code; its headings go below this section's.
    return Markup(demote(demote(policy_markdown().strip())))
