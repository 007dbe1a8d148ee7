"""Semantic checks of docs/reference/record.md, one small function each, listed in RULES.

Each check gets one Incident (and the register's settings) and yields Issues.
A check names the top-level fields it reads; it is skipped for a file whose
schema problems touch one of them, so one mistake is reported once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cached_property
from pathlib import PurePosixPath
from typing import Callable, Iterable, Iterator

from .calendar import WorkCalendar
from .deadlines import clock_start, extension_cap
from .loader import Loaded
from .times import zone
from .model import GRADING_EVENTS, LEVELS, SEVERE_LEVELS, Incident, Issue, RegisterConfig, level_rank
from .words import did_you_mean, listing

FUTURE_TOLERANCE = timedelta(minutes=10)


@dataclass(frozen=True)
class Context:
    """What the per-file checks judge against.

    ``now`` is a clock, never an "as of" time: a recorded time more than
    FUTURE_TOLERANCE after it is in the future (the real clock, or the one
    `yuqing check --now` sets). Reading the register as it stood at an
    earlier moment is ``asof.as_of``'s job, after the checks.
    """

    config: RegisterConfig
    now: datetime

    @cached_property
    def calendar(self) -> WorkCalendar:
        """The register's working calendar (register.yml additions count), built once per context."""
        return WorkCalendar.from_config(self.config)


Check = Callable[[Incident, Context], Iterable[Issue]]


def _issue(incident: Incident, path: str, code: str, message: str, severity: str = "error") -> Issue:
    line, column = incident.position(path)
    return Issue(incident.file, line, column, path, code, message, severity)  # type: ignore[arg-type]


def _plain(file: str) -> bool:
    """Whether ``file`` is a plain relative path (as the loader names files): no empty, ``.`` or ``..`` part."""
    return bool(file) and file[0] not in "./" and file[-1] not in "./" and "//" not in file and "/." not in file


def _parts(file: str) -> tuple[str, ...]:
    """``PurePosixPath(file).parts``, by string for a plain path (this runs for every file of the register)."""
    return tuple(file.split("/")) if _plain(file) else PurePosixPath(file).parts


def _stem(file: str) -> str:
    """``PurePosixPath(file).stem``, as _parts."""
    if not _plain(file):
        return PurePosixPath(file).stem
    name = file[file.rfind("/") + 1:]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def check_id(incident: Incident, ctx: Context) -> Iterator[Issue]:
    stem = _stem(incident.file)
    if incident.id != stem:
        yield _issue(incident, "id", "id-filename",
                     f"编号“{incident.id}”与文件名“{stem}.yml”不一致:文件名必须是编号,请改名为 {incident.id}.yml 或改正编号。")
    prefix, _, rest = incident.id.partition("-")
    if prefix != ctx.config.id_prefix:
        yield _issue(incident, "id", "id-prefix",
                     f"编号前缀“{prefix}”与 register.yml 的 id_prefix“{ctx.config.id_prefix}”不一致。")
    year, _, number = rest.partition("-")
    if number.isdigit() and number.isascii() and number != f"{int(number):04d}":
        yield _issue(incident, "id", "id-canonical",
                     f"编号“{incident.id}”的序号 {number} 不是规范写法:序号至少 4 位、不能有多余的前导零,"
                     f"应为 {prefix}-{year}-{int(number):04d}。多一个零的编号看起来是另一个事件,会与原编号并存。")
    if year.isdigit() and int(year) != incident.discovered_at.year:
        yield _issue(incident, "id", "id-year",
                     f"编号中的年份 {year} 与发现时间的年份 {incident.discovered_at.year} 不一致。")


def check_year_folder(incident: Incident, ctx: Context) -> Iterator[Issue]:
    # Exactly incidents/<YYYY>/<file>: a sub-folder (incidents/2026/x/) is as wrong as a wrong year.
    parts = _parts(incident.file)
    expected = str(incident.discovered_at.year)
    if len(parts) != 3 or parts[0] != "incidents" or parts[1] != expected:
        yield _issue(incident, "discovered_at", "year-folder",
                     f"文件应直接放在 incidents/{expected}/ 目录下(发现时间在 {expected} 年),"
                     f"现在在 {'/'.join(parts[:-1]) or '根目录'}。")


def check_vocabulary(incident: Incident, ctx: Context) -> Iterator[Issue]:
    if incident.category not in ctx.config.categories:
        yield _issue(incident, "category", "unknown-category",
                     f"领域“{incident.category}”不在 register.yml 的 categories 中。"
                     f"{did_you_mean(incident.category, ctx.config.categories)}可选:{listing(ctx.config.categories)}。")
    units = [("units.lead", incident.units.lead)]
    units += [(f"units.assisting[{i}]", u) for i, u in enumerate(incident.units.assisting)]
    for path, unit in units:
        if unit not in ctx.config.units:
            yield _issue(incident, path, "unknown-unit",
                         f"单位“{unit}”不在 register.yml 的 units 中。{did_you_mean(unit, ctx.config.units)}"
                         "如确为新单位,请先在 register.yml 中增加。")


def check_event_units(incident: Incident, ctx: Context) -> Iterator[Issue]:
    # Outside bodies (市委网信办, 上级局) legitimately act in a timeline, so an
    # unknown unit here is a warning that still catches typos of our own units.
    for event in incident.timeline:
        if event.by and event.by not in ctx.config.units:
            guess = did_you_mean(event.by, ctx.config.units)
            if guess:
                yield _issue(incident, f"timeline[{event.index}].by", "unknown-event-unit",
                             f"执行单位“{event.by}”不在 register.yml 的 units 中。{guess}", "warning")


def check_times(incident: Incident, ctx: Context) -> Iterator[Issue]:
    if incident.occurred_at and incident.occurred_at > incident.discovered_at:
        yield _issue(incident, "occurred_at", "occurred-after-discovered",
                     "舆情发生时间晚于发现时间:应先发生后发现,请核对两个时间。")
    limit = ctx.now + FUTURE_TOLERANCE
    stamped = [("discovered_at", incident.discovered_at), ("occurred_at", incident.occurred_at)]
    stamped += [(f"timeline[{e.index}].at", e.at) for e in incident.timeline]
    if incident.appeal:
        stamped.append(("appeal.posted_at", incident.appeal.posted_at))
    # An extension's `due` is legitimately ahead; when it was approved is not.
    stamped += [(f"extensions[{x.index}].approved_at", x.approved_at) for x in incident.extensions]
    if incident.review:
        stamped.append(("review.completed_at", incident.review.completed_at))
    if incident.withdrawn:
        stamped.append(("withdrawn.at", incident.withdrawn.at))
    for path, value in stamped:
        if value is not None and value > limit:
            yield _issue(incident, path, "time-future",
                         f"时间 {value.strftime('%Y-%m-%d %H:%M')} 在未来(现在是 {ctx.now.strftime('%Y-%m-%d %H:%M')}):"
                         "登记的只能是已经发生的事,请核对日期(常见错误:年份或月份写错)。")


_TIME_PATHS = ("discovered_at", "occurred_at", "appeal.posted_at", "review.completed_at", "withdrawn.at")
_OFFSET = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?P<offset>Z|z|[+-]\d{2}:\d{2})")
_CANONICAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]").fullmatch
"""The one form RFC 3339 tools write (isoformat's own), which datetime.fromisoformat reads as _OFFSET does."""
_FIXED: dict[str, timezone] = {"Z": timezone.utc, "z": timezone.utc}
"""The zone of each written offset, made once."""


def check_time_offsets(loaded: Loaded, ctx: Context) -> Iterator[Issue]:
    """A written UTC offset must be the register zone's offset at that instant.

    ``2026-11-28T08:30:00+23:59`` is a valid RFC 3339 time 24 hours away from
    what a reader of the file sees; such a time is refused (``time-offset``).
    Reads the loaded file, not the Incident: the offset is gone once parsed.
    """
    data = loaded.data if isinstance(loaded.data, dict) else {}
    tz = zone(ctx.config.timezone)
    for path, value in _written_times(data):
        text = value.strip()
        found = _offsets(text, tz)
        if found is None:
            continue
        offset, written, expected, instant = found
        if written != expected:
            line, column = loaded.where(path)
            local = instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            hours = (expected or timedelta(0)) / timedelta(hours=1)
            yield Issue(loaded.file, line, column, path, "time-offset",
                        f"时间“{text}”写的时区偏移 {offset} 与台账时区({ctx.config.timezone},"
                        f"UTC{hours:+g})不符,按它计算是当地时间 {local}。请不写时区偏移(按台账时区理解),"
                        f"或写 {_offset_text(expected)}。")


def _written_times(data: dict) -> Iterator[tuple[str, str]]:
    """Every time field holding text, with its path, in the order messages list them."""
    for path in _TIME_PATHS:
        value = _at_path(data, path)
        if isinstance(value, str):
            yield path, value
    for group, keys in (("timeline", ("at",)), ("extensions", ("approved_at", "due"))):
        items = data.get(group)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if isinstance(item, dict):
                for key in keys:
                    value = item.get(key)
                    if isinstance(value, str):
                        yield f"{group}[{index}].{key}", value


def _offsets(text: str, tz: tzinfo) -> tuple[str, timedelta, timedelta | None, datetime] | None:
    """The offset written (as written and as a duration), the zone's offset at that instant, and the
    instant; None for no real time or none written. The same reading as times.parse_time: this runs
    on every time of every file, so the form tools write is read by datetime.fromisoformat."""
    if _CANONICAL(text):
        try:
            instant = datetime.fromisoformat(text)
            return text[-6:], instant.utcoffset() or timedelta(0), instant.astimezone(tz).utcoffset(), instant
        except (ValueError, OverflowError):  # no such day; year 1 or 9999 moved across a zone
            return None
    match = _OFFSET.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    fixed = _FIXED.get(offset)
    if fixed is None:
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            return None
        fixed = _FIXED[offset] = timezone((1 if offset[0] == "+" else -1) * timedelta(hours=hours, minutes=minutes))
    try:
        micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
        instant = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, fixed)
        return offset, fixed.utcoffset(None), instant.astimezone(tz).utcoffset(), instant
    except (ValueError, OverflowError):  # no such day; year 1 or 9999 moved across a zone
        return None


def _at_path(data: dict, path: str) -> object:
    """The value at ``a``, ``a.b`` or ``a[i].b`` (None when absent)."""
    head, _, tail = path.partition(".")
    name, _, index = head.partition("[")
    value = data.get(name)
    if index:
        items = value if isinstance(value, list) else []
        value = items[int(index[:-1])] if int(index[:-1]) < len(items) else None
    return value.get(tail) if tail and isinstance(value, dict) else (None if tail else value)


def _offset_text(offset: timedelta | None) -> str:
    minutes = int((offset or timedelta(0)).total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def check_timeline_order(incident: Incident, ctx: Context) -> Iterator[Issue]:
    previous = None
    for event in incident.timeline:
        if event.at < incident.discovered_at:
            yield _issue(incident, f"timeline[{event.index}].at", "timeline-before-discovery",
                         f"“{event.type}”的时间 {event.at.strftime('%Y-%m-%d %H:%M')} 早于发现时间 "
                         f"{incident.discovered_at.strftime('%Y-%m-%d %H:%M')}:处置只能在发现之后;请核对时间,或把发现时间提前。")
        elif previous is not None and event.at < previous.at:
            yield _issue(incident, f"timeline[{event.index}].at", "timeline-order",
                         f"处置经过应按时间先后排列:第 {event.index + 1} 条“{event.type}”({event.at.strftime('%m-%d %H:%M')})"
                         f"早于上一条“{previous.type}”({previous.at.strftime('%m-%d %H:%M')})。请调整顺序或核对时间。")
        previous = event


def check_level(incident: Incident, ctx: Context) -> Iterator[Issue]:
    grading = [e for e in incident.timeline if e.type in GRADING_EVENTS and e.level]
    if grading and grading[-1].level != incident.level:
        last = grading[-1]
        yield _issue(incident, "level", "level-mismatch",
                     f"当前等级 level 为“{incident.level}”,但最后一个分级事件(第 {last.index + 1} 条“{last.type}”)"
                     f"的等级是“{last.level}”。两者应一致:请把 level 改为“{last.level}”,或补记一条升级/降级事件。")
    # The level a record was registered with is no event, so a first 升级/降级 has no grading event
    # before it: judge it against the `level` line when that was not moved along (level-mismatch),
    # else only where no prior level could fit (升级 to 一般, 降级 to 特别重大).
    first = grading[0] if grading else None
    if first is not None and first.type in ("升级", "降级"):
        prior = incident.level if len(grading) == 1 and incident.level != first.level else None
        rank, was = level_rank(first.level or ""), level_rank(prior) if prior else None
        raised = first.type == "升级" and (rank == 0 if was is None else rank <= was)
        lowered = first.type == "降级" and (rank == len(LEVELS) - 1 if was is None else rank >= was)
        if raised or lowered:
            than = f"此前的“{prior}”" if prior else "任何等级"
            right = "“降级”或“定级”" if raised else "“升级”或“定级”"
            yield _issue(incident, f"timeline[{first.index}].level", "grading-direction",
                         f"“{first.type}”到“{first.level}”并不{'高' if raised else '低'}于{than};是否应为{right}?",
                         "warning")
    for previous, event in zip(grading, grading[1:]):

        if event.type == "升级" and level_rank(event.level or "") <= level_rank(previous.level or ""):
            yield _issue(incident, f"timeline[{event.index}].level", "grading-direction",
                         f"“升级”到“{event.level}”并不高于此前的“{previous.level}”;是否应为“降级”或“定级”?", "warning")
        if event.type == "降级" and level_rank(event.level or "") >= level_rank(previous.level or ""):
            yield _issue(incident, f"timeline[{event.index}].level", "grading-direction",
                         f"“降级”到“{event.level}”并不低于此前的“{previous.level}”;是否应为“升级”或“定级”?", "warning")


_STATUS_EVENT = {"已平息": "平息", "已归档": "归档"}


def check_status(incident: Incident, ctx: Context) -> Iterator[Issue]:
    needed = _STATUS_EVENT.get(incident.status)
    if needed and not any(e.type == needed for e in incident.timeline):
        yield _issue(incident, "status", "status-event",
                     f"状态为“{incident.status}”,但处置经过中没有“{needed}”事件:请补记“{needed}”事件(写明时间),或改回实际状态。")


_REVIEW_PARTS = {"cause": "起因", "nature": "性质", "impact": "影响", "responsibility": "责任",
                 "lessons": "经验教训", "completed_at": "完成时间"}


def check_review(incident: Incident, ctx: Context) -> Iterator[Issue]:
    if incident.status != "已归档" or incident.withdrawn is not None:
        return
    highest = incident.max_level()
    if highest not in SEVERE_LEVELS:
        return
    if incident.review is None:
        yield _issue(incident, "status", "review-required",
                     f"该事件曾为“{highest}”舆情,归档前必须完成评估总结:请填写 review(起因 cause、性质 nature、影响 impact、"
                     "责任 responsibility、经验教训 lessons、完成时间 completed_at)。")
        return
    missing = incident.review.missing()
    if missing:
        names = "、".join(f"{_REVIEW_PARTS[m]} {m}" for m in missing)
        yield _issue(incident, "review", "review-incomplete",
                     f"评估总结不完整,缺少:{names}。“{highest}”舆情归档前各项都必须填写。")


def check_extensions(incident: Incident, ctx: Context) -> Iterator[Issue]:
    for extension in incident.extensions:
        path = f"extensions[{extension.index}]"
        rule = ctx.config.rule(extension.rule)
        if rule is None:
            ids = [r.id for r in ctx.config.rules]
            yield _issue(incident, f"{path}.rule", "extension-rule",
                         f"延期的规则“{extension.rule}”不存在。{did_you_mean(extension.rule, ids)}可选:{listing(ids)}。")
            continue
        if rule.extension_cap_days is None:
            yield _issue(incident, f"{path}.rule", "extension-not-allowed",
                         f"规则“{rule.title}”不允许延期(register.yml 中没有 extension_cap_days)。")
            continue
        start = clock_start(incident, rule)
        if start is None:
            continue
        # docs/reference/deadlines.md: 24:00 of the N-th natural day after the start day, or
        # the end of working hours of the next working day when that day is off (民法典 art. 203).
        cap = extension_cap(start, rule.extension_cap_days, ctx.calendar)
        if extension.due > cap:
            yield _issue(incident, f"{path}.due", "extension-over-cap",
                         f"延期至 {extension.due.strftime('%Y-%m-%d %H:%M')} 超过上限:“{rule.title}”最长不得超过"
                         f" {rule.extension_cap_days} 天,即 {_cap_text(cap)}。")
        if extension.due < start:
            yield _issue(incident, f"{path}.due", "extension-before-start",
                         "延期后的截止时间早于时限起算时间,请核对。")


def _cap_text(cap: datetime) -> str:
    """The cap as the law says it: midnight is 24:00 of the day before, any other time as is."""
    if cap.time() == datetime.min.time():
        return f"{(cap - timedelta(days=1)).strftime('%Y-%m-%d')} 24:00"
    return cap.strftime("%Y-%m-%d %H:%M")


def check_withdrawn(incident: Incident, ctx: Context) -> Iterator[Issue]:
    if incident.withdrawn and incident.withdrawn.duplicate_of == incident.id:
        yield _issue(incident, "withdrawn.duplicate_of", "withdrawn-self",
                     "撤销记录的 duplicate_of 不能是本事件自己的编号。")


RULES: tuple[tuple[Check, frozenset[str]], ...] = (
    (check_id, frozenset({"id", "discovered_at"})),
    (check_year_folder, frozenset({"discovered_at"})),
    (check_vocabulary, frozenset({"category", "units"})),
    (check_event_units, frozenset({"timeline"})),
    (check_times, frozenset({"discovered_at", "occurred_at", "timeline", "appeal", "extensions", "review", "withdrawn"})),
    (check_timeline_order, frozenset({"discovered_at", "timeline"})),
    (check_level, frozenset({"level", "timeline"})),
    (check_status, frozenset({"status", "timeline"})),
    (check_review, frozenset({"status", "review", "timeline", "level"})),
    (check_extensions, frozenset({"extensions", "appeal", "occurred_at", "discovered_at"})),
    (check_withdrawn, frozenset({"withdrawn", "id"})),
)
"""Every per-file check and the top-level fields it reads."""


def check_incident(incident: Incident, ctx: Context, broken: set[str]) -> list[Issue]:
    """All semantic issues of one incident, skipping checks of fields already broken."""
    broken_roots = {_root_field(p) for p in broken}
    issues: list[Issue] = []
    for check, needs in RULES:
        if needs & broken_roots:
            continue
        issues.extend(check(incident, ctx))
    return issues


def _root_field(path: str) -> str:
    for index, char in enumerate(path):
        if char in ".[":
            return path[:index]
    return path


def check_across(incidents: Iterable[Incident], others: Iterable[str] = ()) -> list[Issue]:
    """Register-wide rules: ids unique; duplicate_of names a real incident.

    ``others`` are files of the register that were not loaded (a check of a
    few changed files); their ids are their file names, which check_id keeps
    equal to the ids inside them.
    """
    by_id: dict[str, list[str]] = defaultdict(list)
    loaded = list(incidents)
    for incident in loaded:
        by_id[incident.id].append(incident.file)
    for file in others:
        by_id[PurePosixPath(file).stem].append(file)
    issues: list[Issue] = []
    for incident in loaded:
        files = sorted(set(by_id[incident.id]))
        if len(files) > 1:
            rest = "、".join(f for f in files if f != incident.file)
            issues.append(_issue(incident, "id", "id-duplicate",
                                 f"编号 {incident.id} 重复:{rest} 也使用了这个编号。请用 `yuqing new` 取下一个空闲编号并改名。"))
        target = incident.withdrawn.duplicate_of if incident.withdrawn else None
        if target and target != incident.id and target not in by_id:
            issues.append(_issue(incident, "withdrawn.duplicate_of", "withdrawn-unknown",
                                 f"duplicate_of 指向的事件 {target} 在台账中不存在。"))
    return issues
