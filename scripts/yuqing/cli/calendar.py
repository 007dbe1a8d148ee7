"""`yuqing calendar`: which years have confirmed holidays, and what they are."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import click

from ..calendar import CalendarGap, WorkCalendar, library_version, library_years, year_help
from ..config import load_config
from ._common import EXIT_OK, EXIT_PROBLEMS, fail, format_option, now_option, parse_now, resolve_root, root_option

_WEEKDAYS = "一二三四五六日"


def year_days(calendar: WorkCalendar, year: int) -> tuple[list[tuple[date, date]], list[date]]:
    """The year's holiday spans (runs of days off holding a weekday) and its 调休 working weekend days."""
    spans: list[tuple[date, date]] = []
    workdays: list[date] = []
    run: list[date] = []
    day = date(year, 1, 1)
    while day.year == year:
        working = calendar.is_workday(day)
        if working and day.weekday() >= 5:
            workdays.append(day)
        if not working:
            run.append(day)
        if working or day == date(year, 12, 31):
            if any(d.weekday() < 5 for d in run):
                spans.append((run[0], run[-1]))
            run = []
        day += timedelta(days=1)
    return spans, workdays


def _span(span: tuple[date, date]) -> str:
    first, last = span
    return f"{first:%m-%d}" if first == last else f"{first:%m-%d}..{last:%m-%d}"


@click.command("calendar")
@click.argument("years", nargs=-1, type=int)
@format_option("text", "json")
@now_option
@root_option
def calendar_command(years: tuple[int, ...], fmt: str, now_text: str | None, root: Path | None) -> None:
    """查看节假日数据:哪些年份有经确认的放假安排,某年放哪些天、哪些周末调休上班。

    不带年份时显示今年和明年。某年没有数据时退出码为 1,并说明如何在
    register.yml 中补充。

    \b
    示例:
      yuqing calendar
      yuqing calendar 2026
      yuqing calendar 2027 --format json
    """
    found = resolve_root(root)
    config, _ = load_config(found)
    if config is None:
        fail("register.yml 有错误,请先运行 `yuqing check` 并修正。")
    calendar = WorkCalendar.from_config(config)
    if not years:
        this_year = parse_now(now_text, config).year
        years = (this_year, this_year + 1)
    covered = library_years()
    added = sorted(y.year for y in config.calendar_years)
    known: dict[int, tuple[list[tuple[date, date]], list[date]]] = {}
    for year in years:
        try:
            known[year] = year_days(calendar, year)
        except CalendarGap:
            pass
    missing = [y for y in years if y not in known]
    if fmt == "json":
        click.echo(json.dumps({
            "library": {"name": "chinesecalendar", "version": library_version(),
                        "years": list(covered) if covered else None},
            "register_years": added,
            "years": [{
                "year": year,
                "source": calendar.source(year) if year in known else None,
                "holidays": [a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}"
                             for a, b in known.get(year, ([], []))[0]],
                "workdays": [d.isoformat() for d in known.get(year, ([], []))[1]],
            } for year in years],
        }, ensure_ascii=False, indent=2))
    else:
        span_text = f"{covered[0]}–{covered[1]} 年" if covered else "(未安装)"
        lines = [f"内置数据:chinesecalendar {library_version()},覆盖 {span_text};"
                 f"register.yml 补充:{'、'.join(map(str, added)) + ' 年' if added else '无'}。"]
        for year in years:
            if year not in known:
                lines += ["", f"{year} 年:没有经确认的节假日数据,用到该年的时限将显示为“无法计算”。", year_help(year)]
                continue
            spans, workdays = known[year]
            lines += ["", f"{year} 年(依据:{calendar.source(year)})",
                      f"  放假:{'、'.join(_span(s) for s in spans) or '无'}",
                      f"  调休上班:{'、'.join(f'{d:%m-%d}(周{_WEEKDAYS[d.weekday()]})' for d in workdays) or '无'}"]
        click.echo("\n".join(lines))
    raise SystemExit(EXIT_PROBLEMS if missing else EXIT_OK)


COMMANDS = [calendar_command]
