"""An export -> the planned changes to the register (new draft records, appended 预警 events) or the rows' problems.

Nothing here writes: :func:`plan_import` returns a :class:`Plan` holding every
file text to write, each already checked as `yuqing check` and `yuqing audit`
would; :func:`write_plan` writes them, all or (when any row failed) none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Literal

from ..model import Incident, Issue, RegisterConfig
from ..times import iso, zone
from .links import link_key
from .profiles import Header, Profile, find_header, load_profiles
from .reading import Sheet, Unreadable, read_sheet
from .rows import Hit, Problem, clean, read_row, sentiment_of

NEW = "新登记"
WARNING = "追加预警"
RECORDED = "已记录"
SKIPPED = "跳过"
UNREGISTERED = "未登记"
"""What happens to a hit (the table's 处理 column)."""

Mode = Literal["drafts", "warnings"]
Progress = Callable[[str, int, int], None]
"""(step in Chinese, done, total): reading the rows, writing the new records, checking every file."""

_ORDER_NUMBER = re.compile(r"工单号[:\uff1a\s]*([0-9A-Za-z][0-9A-Za-z_-]*)")
_LISTED = re.compile(r"(?:导出|生成|下载|统计|报告)(?:时间|日期)[:\uff1a\s]*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}[:\uff1a]\d{2}(?:[:\uff1a]\d{2})?)")


@dataclass(frozen=True)
class Options:
    """What the person asked for (the command's options)."""

    profile: str | None = None
    mode: Mode = "drafts"
    """``drafts``: new hits become draft records; ``warnings``: only hits on existing records are written."""
    since: datetime | None = None
    min_reach: int | None = None
    sentiment: str | None = None
    discovered_at: datetime | None = None
    """The new records' 发现时间 and the 预警 events' time; default: the import's ``now``."""
    fetch: bool = True
    """Fetch the remote before allocating ids (as `yuqing new` does)."""


@dataclass(frozen=True)
class Action:
    """What one hit (the rows sharing a link or work-order number) does to the register."""

    kind: str
    rows: tuple[int, ...]
    title: str
    link: str | None
    incident: str | None = None
    file: str | None = None
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"action": self.kind, "rows": list(self.rows), "title": self.title, "link": self.link,
                "incident": self.incident, "file": self.file, "reason": self.reason}


@dataclass(frozen=True)
class Write:
    rel: str
    text: str
    new: bool


@dataclass(frozen=True)
class Plan:
    """What an import would do, or why it cannot (``error`` for the whole file, ``problems`` by row)."""

    file_name: str
    kind: str | None = None
    encoding: str | None = None
    profile: str | None = None
    header_row: int | None = None
    listed_at: datetime | None = None
    rows: int = 0
    selected: int = 0
    actions: tuple[Action, ...] = ()
    problems: tuple[Problem, ...] = ()
    error: str | None = None
    writes: tuple[Write, ...] = ()
    warnings: tuple[str, ...] = ()
    unplaced: tuple[str, ...] = field(default=())
    unreadable: bool = False
    """The file itself could not be read (not an export, a broken or old-format workbook)."""

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems

    def count(self, kind: str) -> int:
        return sum(1 for a in self.actions if a.kind == kind)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "file": self.file_name, "kind": self.kind, "encoding": self.encoding,
                "profile": self.profile, "header_row": self.header_row,
                "listed_at": iso(self.listed_at) if self.listed_at else None, "rows": self.rows,
                "selected": self.selected, "error": self.error,
                "problems": [{"row": p.row, "column": p.column, "value": p.value, "message": p.message}
                             for p in self.problems],
                "actions": [a.as_json() for a in self.actions], "files": [w.rel for w in self.writes],
                "warnings": list(self.warnings), "unplaced_columns": list(self.unplaced)}


def plan_import(data: bytes, name: str, root: Path, config: RegisterConfig, now: datetime,
                options: Options = Options(), progress: Progress | None = None) -> Plan:
    """Plan the import of one export file: the seam for every front door.

    ``data`` is the file's bytes and ``name`` its file name (an upload has no
    path): ``yuqing import`` reads a file and calls this; an intake form that
    accepts an uploaded export calls it the same way, shows ``Plan.actions`` /
    ``Plan.problems`` (or ``Plan.as_json()``), and calls :func:`write_plan`
    when the person confirms. Nothing is written here.
    """
    tz = zone(config.timezone)
    try:
        sheet = read_sheet(data, name)
    except Unreadable as why:
        return Plan(name, error=str(why), unreadable=True)
    profiles, profile_problems = load_profiles(root)
    warnings = list(profile_problems)
    if options.profile is not None:
        chosen = [p for p in profiles if options.profile in (p.name, p.title)]
        if not chosen:
            from ..words import did_you_mean

            names = [p.name for p in profiles]
            return Plan(name, sheet.kind, sheet.encoding, error=f"没有名为“{options.profile}”的导入方案。"
                        f"{did_you_mean(options.profile, names)}可用:{'、'.join(names)}。")
        profiles = chosen
    header = find_header(sheet.rows, profiles, sheet.numbers)
    if isinstance(header, str):
        return Plan(name, sheet.kind, sheet.encoding, error=header, warnings=tuple(warnings))
    listed_at = _listed_at(sheet, header, now, tz)
    hits, problems, notes = _read_rows(sheet, header, listed_at, tz, progress)
    if notes:
        warnings.append(f"第 {'、'.join(map(str, notes))} 行只有一格文字,当作说明行跳过。")
    base = dict(kind=sheet.kind, encoding=sheet.encoding, profile=header.profile.name,
                header_row=sheet.numbers[header.index], listed_at=listed_at,
                rows=len(sheet.rows) - header.index - 1 - len(notes), unplaced=header.unplaced)
    if problems:
        return Plan(name, **base, problems=tuple(problems), warnings=tuple(warnings))  # type: ignore[arg-type]
    selected = [h for h in hits if _selected(h, options)]
    actions, writes, problems, more = _build(selected, header.profile, name, root, config, now, options, tz, progress)
    warnings += more
    return Plan(name, **base, selected=len(selected), actions=tuple(actions),  # type: ignore[arg-type]
                problems=tuple(problems), writes=tuple(writes) if not problems else (), warnings=tuple(warnings))


def _listed_at(sheet: Sheet, header: Header, now: datetime, tz: Any) -> datetime:
    """When the export was made: a 导出时间 line above the header, else now (for ``3小时前``)."""
    from ..typed_time import parse_listed

    for row in sheet.rows[:header.index]:
        for value in row:
            if isinstance(value, str) and (match := _LISTED.search(value)):
                typed = parse_listed(match.group(1).strip(), now, tz)
                if typed.value is not None:
                    return typed.value
    return now


def _read_rows(sheet: Sheet, header: Header, listed_at: datetime, tz: Any,
               progress: Progress | None) -> tuple[list[Hit], list[Problem], list[int]]:
    hits: list[Hit] = []
    problems: list[Problem] = []
    notes: list[int] = []
    data = list(zip(sheet.numbers[header.index + 1:], sheet.rows[header.index + 1:]))
    for done, (number, cells) in enumerate(data, 1):
        if sum(1 for value in cells if value not in (None, "")) == 1 and len(header.columns) > 1:
            notes.append(number)  # one cell of text under the table: a total or a note, never a hit
            continue
        found = read_row(number, cells, header, listed_at, tz)
        if isinstance(found, Hit):
            hits.append(found)
        else:
            problems.extend(found)
        if progress is not None and (done % 250 == 0 or done == len(data)):
            progress("读取行", done, len(data))
    return hits, problems, notes


def _selected(hit: Hit, options: Options) -> bool:
    if options.since is not None and (hit.published_at is None or hit.published_at < options.since):
        return False
    if options.min_reach is not None and (hit.reach or 0) < options.min_reach:
        return False
    return options.sentiment is None or hit.sentiment == sentiment_of(options.sentiment)


@dataclass
class _Index:
    """Where the register already records a link or a work-order number."""

    by_id: dict[str, Incident]
    links: dict[str, str] = field(default_factory=dict)
    orders: dict[str, str] = field(default_factory=dict)
    warned: set[tuple[str, str]] = field(default_factory=set)
    """(id, hit key) pairs that already have a 预警 event."""
    posts: dict[str, str] = field(default_factory=dict)
    """"title|YYYY-MM-DD HH:MM" (title and occurred_at) -> id: how a hit without link or work order is found."""


def _index(root: Path, config: RegisterConfig, now: datetime) -> tuple[_Index, list[str]]:
    from ..register import load_register

    # Every record counts, also one discovered after an earlier --now (as of the later of both clocks).
    register = load_register(root, config=config, clock=max(now, datetime.now(zone(config.timezone))))
    index = _Index({i.id: i for i in register.incidents})
    tz = zone(config.timezone)
    for incident in register.incidents:
        if incident.occurred_at is not None:
            index.posts.setdefault(f"{incident.title}|{incident.occurred_at.astimezone(tz):%Y-%m-%d %H:%M}", incident.id)
        keys = [link_key(incident.source.url)]
        for event in incident.timeline:
            key = link_key(event.url)
            keys.append(key)
            orders = _ORDER_NUMBER.findall(event.note or "")
            if event.type == "预警":
                index.warned.update((incident.id, k) for k in [key, *(f"工单号:{o}" for o in orders)] if k)
            for order in orders:
                index.orders.setdefault(order, incident.id)
        for key in keys:
            if key:
                index.links.setdefault(key, incident.id)
        for text in (*incident.tags, incident.summary):
            for order in _ORDER_NUMBER.findall(text):
                index.orders.setdefault(order, incident.id)
    warnings = []
    if register.invalid_files:
        warnings.append(f"{len(register.invalid_files)} 个事件文件有错误,未参与比对(运行 `yuqing check` 查看)。")
    return index, warnings


def _note(hit: Hit, rows: tuple[int, ...], file_name: str, tz: Any) -> str:
    parts = [f"导入自 {clean(file_name)} 第 {'、'.join(map(str, rows))} 行"]
    if hit.work_order:
        parts.append(f"工单号:{hit.work_order}")
    parts.append(hit.title)
    if hit.source:
        parts.append(f"来源 {hit.source}")
    if hit.author:
        parts.append(f"作者 {hit.author}")
    if hit.published_at is not None:
        parts.append(f"发布 {hit.published_at.astimezone(tz):%Y-%m-%d %H:%M}")
    names = {"reads": "阅读", "comments": "评论", "likes": "点赞", "reposts": "转发"}
    counts = " ".join(f"{names[k]} {v}" for k, v in hit.counts.items())
    if counts:
        parts.append(counts)
    if hit.sentiment:
        parts.append(f"情感 {hit.sentiment}")
    return ";".join(parts)


GROWTH = 10
"""A repeat hit whose reach grew this many times over the last 预警's figures is a new 预警."""
_FIGURE = re.compile(r"(?:阅读|评论|点赞|转发) (\d+)")


def _earlier_warnings(incident: Incident, hit: Hit, key: str) -> list[str]:
    """The notes of the record's 预警 events about this hit (same link, work order, or title and time)."""
    found = []
    for event in incident.timeline:
        if event.type != "预警":
            continue
        note = event.note or ""
        if (hit.link is not None and link_key(event.url) == key) or (
                hit.work_order and f"工单号:{hit.work_order}" in note) or (
                hit.link is None and not hit.work_order and f";{hit.title};" in note and f"发布 {hit.minute}" in note):
            found.append(note)
    return found


def _warned_before(incident: Incident, hit: Hit, key: str) -> bool:
    return bool(_earlier_warnings(incident, hit, key))


def _grown(incident: Incident, hit: Hit, key: str) -> str | None:
    """Why a repeat hit is a new 预警 (its reach grew ``GROWTH`` times since the last one), or None."""
    notes = _earlier_warnings(incident, hit, key)
    if not notes or not hit.reach:
        return None
    before = sum(int(n) for n in _FIGURE.findall(notes[-1].rsplit(f"{hit.title}", 1)[-1]))
    if before and hit.reach >= GROWTH * before:
        return f"传播量增至 {hit.reach}(上次预警时 {before}),再次预警"
    return None


def _build(hits: list[Hit], profile: Profile, file_name: str, root: Path, config: RegisterConfig, now: datetime,
           options: Options, tz: Any, progress: Progress | None = None) -> tuple[list[Action], list[Write], list[Problem], list[str]]:
    from ..edit import event_record

    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.key, []).append(hit)
    index, warnings = _index(root, config, now)
    discovered = options.discovered_at or now
    actions: list[Action] = []
    problems: list[Problem] = []
    events: dict[str, list[tuple[dict[str, Any], tuple[int, ...]]]] = defaultdict(list)
    drafts: list[tuple[Hit, tuple[int, ...]]] = []
    for key, group in groups.items():
        hit = min(group, key=lambda h: (h.published_at is None, h.published_at or now, h.row))
        rows = tuple(h.row for h in group)
        link = hit.link.url if hit.link else None
        found = index.links.get(key) or (index.orders.get(hit.work_order) if hit.work_order else None) or (
            index.posts.get(f"{hit.title}|{hit.minute}") if hit.link is None and not hit.work_order else None)
        if found is None:
            if options.mode == "warnings":
                actions.append(Action(UNREGISTERED, rows, hit.title, link, reason="台账中没有,未写入(--as warnings)"))
            elif hit.published_at is not None and hit.published_at > discovered:
                problems.append(Problem(hit.row, "", "", f"发布时间 {hit.published_at.astimezone(tz):%Y-%m-%d %H:%M} "
                                        "晚于发现时间(导入时间或 --discovered-at),请核对。"))
            else:
                drafts.append((hit, rows))
            continue
        incident = index.by_id[found]
        grown = _grown(incident, hit, key)
        if grown is None and ((found, key) in index.warned or _warned_before(incident, hit, key)
                              or (hit.work_order and (found, f"工单号:{hit.work_order}") in index.warned)):
            actions.append(Action(RECORDED, rows, hit.title, link, found, incident.file, "已有这条预警"))
        elif incident.withdrawn is not None:
            actions.append(Action(SKIPPED, rows, hit.title, link, found, incident.file, "该事件已撤销"))
        elif incident.status == "已归档":
            actions.append(Action(SKIPPED, rows, hit.title, link, found, incident.file, "该事件已归档"))
        else:
            event = event_record("预警", discovered, config, url=link, note=_note(hit, rows, file_name, tz))
            events[found].append((event, rows))
            index.warned.add((found, key))
            actions.append(Action(WARNING, rows, hit.title, link, found, incident.file, grown or ""))
    writes, more, notes = _edit_records(root, index, events, config, now, tz)
    problems += more
    warnings += notes
    if drafts:
        new_writes, new_actions, more, notes = _drafts(drafts, profile, file_name, root, config, discovered, options, tz,
                                                       progress)
        writes += new_writes
        actions += new_actions
        problems += more
        warnings += notes
    checked, notes = _check(root, writes, actions, config, now, progress)
    problems += checked
    warnings += notes
    actions.sort(key=lambda a: a.rows[0])
    return actions, writes, sorted(problems, key=lambda p: p.row), warnings


def _edit_records(root: Path, index: _Index, events: dict[str, list[tuple[dict[str, Any], tuple[int, ...]]]],
                  config: RegisterConfig, now: datetime, tz: Any) -> tuple[list[Write], list[Problem], list[str]]:
    from ..edit import Refused, add_event, read_record
    from ..loader import load_text

    writes: list[Write] = []
    problems: list[Problem] = []
    notes: list[str] = []
    for incident_id, added in events.items():
        rel = index.by_id[incident_id].file
        text = read_record(root / rel)
        try:
            for event, _ in added:
                loaded = load_text(text, rel)
                assert isinstance(loaded.data, dict)
                edited = add_event(text, loaded.data, event, tz)
                text = edited.text
                notes += [f"{incident_id}:{warning}" for warning in edited.warnings]
        except Refused as why:
            problems += [Problem(rows[0], "", "", f"{incident_id}:{why}") for _, rows in added]
            continue
        writes.append(Write(rel, text, False))
    return writes, problems, notes


def _defaults(profile: Profile, config: RegisterConfig) -> tuple[str, str, list[str]]:
    notes = []
    category = profile.category if profile.category in config.categories else (
        "其他" if "其他" in config.categories else config.categories[0])
    unit = profile.unit if profile.unit in config.units else config.units[0]
    for given, used, what in ((profile.category, category, "领域"), (profile.unit, unit, "牵头单位")):
        if given and given != used:
            notes.append(f"导入方案 {profile.name} 的{what}“{given}”不在 register.yml 中,改用“{used}”。")
    return category, unit, notes


CALLER = "来电市民"
"""The appeal's author of a 12345 work order: the caller's name and number are personal data, never imported."""


def unit_of(named: str, default: str, config: RegisterConfig) -> tuple[str, str]:
    """(lead unit, note for the row table): the 承办单位 when it names a register unit, else ``default`` and why."""
    from ..words import did_you_mean

    if not named:
        return default, ""
    if named in config.units:
        return named, ""
    inside = [u for u in config.units if u in named]
    if len(inside) == 1:  # 市市场监管局食品经营安全监管科 -> 食品经营安全监管科
        return inside[0], ""
    return default, (f"承办单位“{named}”不在 register.yml 的 units 中,{did_you_mean(named, config.units)}"
                     f"牵头单位暂用“{default}”,请核对。")


def _drafts(drafts: list[tuple[Hit, tuple[int, ...]]], profile: Profile, file_name: str, root: Path,
            config: RegisterConfig, discovered: datetime, options: Options,
            tz: Any, progress: Progress | None = None) -> tuple[list[Write], list[Action], list[Problem], list[str]]:
    from ..edit import local_time
    from ..ids import format_id, next_id, parse_id, taken_ids
    from ..new import Draft, problems as draft_problems, relative_path
    from ..platforms import Source, lookup, lookup_url, platform_name

    category, unit, notes = _defaults(profile, config)
    taken = taken_ids(root, fetch=options.fetch)
    notes += list(taken.warnings)
    year = discovered.astimezone(tz).year
    parsed = parse_id(next_id(config.id_prefix, year, taken.ids))
    assert parsed is not None
    number = parsed[2]  # the next free number; the import's records take the numbers after it in row order
    ready: list[tuple[Draft, str]] = []
    actions: list[Action] = []
    problems: list[Problem] = []
    for hit, rows in drafts:
        source: Source | None
        if profile.platform:
            source = lookup(profile.platform, config) or Source(profile.channel, profile.platform)
        else:
            source = (lookup(hit.source, config) if hit.source else None) or (
                lookup_url(hit.link.url, config) if hit.link else None)
            if source is None:
                source = Source(profile.channel, platform_name(hit.source, config) if hit.source else None)
        title = hit.title if len(hit.title) <= 120 else hit.title[:119] + "…"
        link = hit.link.url if hit.link else None
        event: dict[str, object] = {"at": local_time(discovered, config), "type": "预警", "url": link,
                 "note": _note(hit, rows, file_name, tz)}
        appeal = profile.appeal and hit.published_at is not None
        lead, why = unit_of(hit.unit, unit, config)
        author = hit.author or (CALLER if "author" not in profile.aliases else "")
        draft = Draft(title=title, level="一般", category=category, unit=lead, discovered_at=discovered,
                      channel=source.channel, summary=hit.content or hit.title, platform=source.platform, url=link,
                      appeal_posted_at=hit.published_at if appeal else None,
                      appeal_author=(author or None) if appeal else None, occurred_at=hit.published_at,
                      tags=(f"工单号:{hit.work_order}",) if hit.work_order else (), events=(event,))
        wrong = draft_problems(draft, config)
        if wrong:
            problems += [Problem(hit.row, "", "", message) for message in wrong]
            continue
        incident_id = format_id(config.id_prefix, year, number)
        number += 1
        rel = relative_path(incident_id)
        if (root / rel).exists():
            problems.append(Problem(hit.row, "", "", f"{rel} 已存在,不会覆盖。"))
            continue
        ready.append((draft, incident_id))
        actions.append(Action(NEW, rows, title, link, incident_id, rel, why))
    texts = _render_all(ready, config, progress)
    writes = [Write(relative_path(incident_id), text, True) for (_, incident_id), text in zip(ready, texts)]
    return writes, actions, problems, notes


PARALLEL_DRAFTS = 400
"""From this many new records on, the files are rendered on every core."""


def _render_chunk(chunk: list[tuple[Any, str]], config: RegisterConfig) -> list[str]:
    from ..new import render

    return [render(draft, incident_id, config) for draft, incident_id in chunk]


def _render_all(ready: list[tuple[Any, str]], config: RegisterConfig, progress: Progress | None = None) -> list[str]:
    import os

    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(ready) < PARALLEL_DRAFTS:
        return _render_chunk(ready, config)
    from ..workers import pool as worker_pool

    size = max(100, len(ready) // (workers * 4))
    chunks = [ready[i:i + size] for i in range(0, len(ready), size)]
    with worker_pool(workers) as pool:
        texts: list[str] = []
        for part in pool.map(_render_chunk, chunks, [config] * len(chunks)):
            texts += part
            if progress is not None:
                progress("生成事件文件", len(texts), len(ready))
        return texts


def _check(root: Path, writes: list[Write], actions: list[Action], config: RegisterConfig,
           now: datetime, progress: Progress | None = None) -> tuple[list[Problem], list[str]]:
    """Every text to write, checked as `yuqing check` (and, for existing records, `yuqing audit`) would."""
    from ..edit import audit_text, check_texts

    row_of: dict[str, int] = {}
    for action in actions:
        if action.file is not None:
            row_of.setdefault(action.file, action.rows[0])
    step = None if progress is None else (lambda done, total: progress("检查", done, total))
    found = check_texts(root, [(w.rel, w.text) for w in writes], config, now, progress=step)
    problems = []
    notes: list[str] = []
    for write in writes:
        issues: list[Issue] = [i for i in found[write.rel] if i.severity == "error"]
        if not write.new:
            findings, unchecked = audit_text(root, write.rel, write.text, config)
            issues += [i for i in findings if i.severity == "error"]
            notes += [f"{write.rel}:需要审批:{i.message}" for i in findings if i.severity == "approval"]
            notes += [unchecked] if unchecked else []
        problems += [Problem(row_of.get(write.rel, 0), i.path, "", f"{write.rel}:{i.line}:{i.message}") for i in issues]
    return problems, notes


@dataclass(frozen=True)
class Written:
    files: tuple[str, ...]
    branch: str | None = None
    commit: str | None = None
    problem: str | None = None


def write_plan(root: Path, plan: Plan) -> tuple[str, ...]:
    """Write every file of a plan that is ``ok`` (nothing otherwise); the paths written."""
    from ..edit import write_record

    if not plan.ok:
        return ()
    for write in plan.writes:
        path = root / write.rel
        if write.new:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(write.text, encoding="utf-8")
        else:
            write_record(path, write.text)
    return tuple(w.rel for w in plan.writes)


def commit_message(plan: Plan) -> str:
    """The summary commit of an import: counts in the subject, ids in the body."""
    subject = f"导入 {clean(plan.file_name)}:新登记 {plan.count(NEW)} 条,追加预警 {plan.count(WARNING)} 条"
    body = []
    for kind in (NEW, WARNING):
        ids = sorted({a.incident for a in plan.actions if a.kind == kind and a.incident})
        if ids:
            body.append(f"{kind}:{' '.join(ids)}")
    return subject + ("\n\n" + "\n".join(body) if body else "")


def import_branch(root: Path, now: datetime, config: RegisterConfig) -> str:
    """``import/<date>`` (the import's local date); ``import/<date>-<6 hex>`` when that branch exists."""
    from ..gitwork import git, unique_branch

    name = f"import/{now.astimezone(zone(config.timezone)):%Y-%m-%d}"
    if git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}").ok:
        return unique_branch("import", name.split("/", 1)[1])
    return name


def commit_plan(root: Path, plan: Plan, now: datetime, config: RegisterConfig) -> Written:
    """Write the plan on a new branch ``import/<date>`` from ``main`` and commit exactly its files (one commit)."""
    from ..gitwork import MAIN, commit_only, current_branch, git, in_git, switch_new

    if not plan.ok or not plan.writes:
        return Written(())  # nothing to write: no branch, no commit
    if not in_git(root):
        return Written((), problem="不在 git 仓库中,无法使用 --commit。")
    here = current_branch(root)
    if here != MAIN:
        where = f"分支 {here} " if here else "一个没有分支名的提交(detached HEAD)"
        return Written((), problem=f"当前在{where}上。请先 git switch {MAIN} 并 git pull,再导入(会自动新建 import/ 分支)。")
    behind = git(root, "rev-list", "--count", f"{MAIN}..origin/{MAIN}")
    if behind.ok and behind.output not in ("", "0"):
        return Written((), problem=f"本地 {MAIN} 落后于远程 origin/{MAIN}({behind.output} 个提交),比对和编号可能不是最新的。"
                                   "请先运行 git pull,再导入。")
    branch = import_branch(root, now, config)
    problem = switch_new(root, branch)
    if problem is not None:
        return Written((), problem=problem)
    files = write_plan(root, plan)
    done = commit_only(root, list(files), commit_message(plan))
    if not done.ok:
        return Written(files, branch, problem=done.output)
    return Written(files, branch, done.output)
