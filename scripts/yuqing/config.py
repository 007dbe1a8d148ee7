"""register.yml -> RegisterConfig (plus Issues for what is wrong in it)."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .loader import Loaded, load_file
from .model import CalendarYear, Intake, Issue, Notify, Publish, RegisterConfig, Rule
from .times import parse_date
from .validate import SchemaChecker, read_schema

CONFIG_FILE = "register.yml"
RULESET_DIR = Path(__file__).resolve().parent / "rulesets"
DEFAULT_WORKING_HOURS = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))


def find_root(start: Path) -> Path | None:
    """The nearest ancestor of ``start`` holding register.yml, as git finds .git."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def preset_names() -> list[str]:
    return sorted(p.stem for p in RULESET_DIR.glob("*.yml"))


def load_preset(name: str) -> tuple[list[dict[str, Any]] | None, Loaded]:
    loaded = load_file(RULESET_DIR / f"{name}.yml", f"rulesets/{name}.yml")
    rules = loaded.data.get("rules") if isinstance(loaded.data, dict) else None
    return (rules if isinstance(rules, list) else None), loaded


def load_config(root: Path) -> tuple[RegisterConfig | None, list[Issue]]:
    """Read and check register.yml; the config is None when it cannot be used."""
    loaded = load_file(root / CONFIG_FILE, CONFIG_FILE)
    issues = list(loaded.issues)
    if loaded.data is None:
        return None, issues
    issues += SchemaChecker(read_schema("register.schema.json", root)).issues(loaded)
    if any(i.severity == "error" for i in issues):
        return None, issues
    data = loaded.data
    tz_name = data.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        line, column = loaded.where("timezone")
        issues.append(Issue(CONFIG_FILE, line, column, "timezone", "bad-timezone",
                            f"不认识的时区“{tz_name}”,应为 IANA 时区名,如 Asia/Shanghai。"))
        return None, issues

    rules_data = data["rules"]
    rule_set = "custom"
    if isinstance(rules_data, str):
        rule_set = rules_data
        rules_data, preset = load_preset(rules_data)
        if rules_data is None:
            line, column = loaded.where("rules")
            issues.append(Issue(CONFIG_FILE, line, column, "rules", "bad-ruleset",
                                f"内置规则集“{rule_set}”无法读取。可选:{'、'.join(preset_names())}。"))
            return None, issues + list(preset.issues)

    hours = tuple(
        (time.fromisoformat(p["start"]), time.fromisoformat(p["end"])) for p in data.get("working_hours", [])
    ) or DEFAULT_WORKING_HOURS
    for index, (start, end) in enumerate(hours):
        previous_end = hours[index - 1][1] if index else time(0, 0)
        if not (previous_end <= start < end):
            line, column = loaded.where(f"working_hours[{index}]")
            issues.append(Issue(CONFIG_FILE, line, column, f"working_hours[{index}]", "working-hours-order",
                                "工作时段应按时间先后排列、互不重叠,且开始早于结束。"))

    years, year_issues = _calendar_years(data.get("calendar") or {}, loaded)
    issues += year_issues
    seen_rules: set[str] = set()
    for index, rule in enumerate(rules_data):
        if rule["id"] in seen_rules:
            line, column = loaded.where(f"rules[{index}].id")
            issues.append(Issue(CONFIG_FILE, line, column, f"rules[{index}].id", "rule-duplicate",
                                f"规则编号“{rule['id']}”重复。"))
        seen_rules.add(rule["id"])
    if any(i.severity == "error" for i in issues):
        return None, issues

    publish = data.get("publish") or {}
    config = RegisterConfig(
        name=data["name"],
        organization=data.get("organization", data["name"]),
        timezone=tz_name,
        id_prefix=data["id_prefix"],
        categories=tuple(data["categories"]),
        units=tuple(data["units"]),
        working_hours=hours,
        calendar_years=years,
        rules=tuple(_rule(r) for r in rules_data),
        rule_set=rule_set,
        late_registration_hours=float(data.get("late_registration_hours", 24)),
        publish=Publish(
            repo_url=str(publish.get("repo_url", "") or ""),
            edit_uri=str(publish.get("edit_uri", "") or ""),
            count_confidential=bool(publish.get("count_confidential", False)),
            idle_days=int(publish.get("idle_days", 14)),
            stale_hours=int(publish.get("stale_hours", 26)),
        ),
        platforms=tuple((str(p["name"]), str(p["channel"]), tuple(str(a) for a in p.get("aliases") or ()))
                        for p in data.get("platforms") or ()),
        intake=Intake(allowed=tuple(str(a) for a in (data.get("intake") or {}).get("allowed") or ()),
                      base=str((data.get("intake") or {}).get("base") or "main")),
        notify=Notify(robot=str((data.get("notify") or {}).get("robot") or ""),
                      interval_minutes=int((data.get("notify") or {}).get("interval_minutes") or 30),
                      digest=tuple(str(t) for t in (data.get("notify") or {}).get("digest") or ()),
                      offset_minutes=int((data.get("notify") or {}).get("offset_minutes", 5) or 0),
                      max_items=int((data.get("notify") or {}).get("max_items", 20) or 0)),
        approvers=tuple(str(a) for a in data.get("approvers") or ()),
    )
    return config, issues


def _rule(data: dict[str, Any]) -> Rule:
    applies = data["applies_to"]
    return Rule(
        id=data["id"],
        title=data["title"],
        clock_start=data["clock_start"],
        met_by=frozenset(data["met_by"]),
        limit=float(data["limit"]),
        unit=data["unit"],
        due_soon_minutes=int(data["due_soon_minutes"]),
        source=data["source"],
        levels=frozenset(applies.get("levels", ())),
        appeal=bool(applies.get("appeal", False)),
        extension_cap_days=data.get("extension_cap_days"),
    )


def _calendar_years(data: dict[str, Any], loaded: Loaded) -> tuple[tuple[CalendarYear, ...], list[Issue]]:
    years: list[CalendarYear] = []
    issues: list[Issue] = []
    for year_text, entry in sorted(data.items()):
        year = int(year_text)
        days: dict[str, set[date]] = {"holidays": set(), "workdays": set()}
        for kind in days:
            for index, item in enumerate(entry.get(kind, [])):
                path = f"calendar.{year_text}.{kind}[{index}]"
                first, _, last = item.partition("..")
                start, end = parse_date(first), parse_date(last or first)
                if start is None or end is None or end < start or start.year != year or end.year != year:
                    line, column = loaded.where(path)
                    issues.append(Issue(CONFIG_FILE, line, column, path, "calendar-date",
                                        f"“{item}”不是 {year} 年内的有效日期或日期区间(如 {year}-10-01..{year}-10-07)。"))
                    continue
                day = start
                while day <= end:
                    days[kind].add(day)
                    day += timedelta(days=1)
        both = days["holidays"] & days["workdays"]
        if both:
            line, column = loaded.where(f"calendar.{year_text}")
            issues.append(Issue(CONFIG_FILE, line, column, f"calendar.{year_text}", "calendar-conflict",
                                f"{year} 年有日期同时写为放假和上班:{'、'.join(sorted(d.isoformat() for d in both))}。"))
        years.append(CalendarYear(year, entry["source"], frozenset(days["holidays"]), frozenset(days["workdays"])))
    return tuple(years), issues
