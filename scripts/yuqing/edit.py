"""Change one incident file the way staff do every day, keeping every comment and line.

Each change is pure (file text in, new text out): it finds where things sit
with PyYAML's composer (node marks), then inserts emitted fragments
(:mod:`yuqing.yamlout`) or replaces one scalar in place. Nothing else in the
file is touched, so ``git diff`` shows the added lines plus, where the event
requires it, the ``level``/``status`` line.

:func:`apply` runs a change on a record of the register: the result must pass
the same per-file checks as ``yuqing check`` and the audit against the
file's committed version (``yuqing audit``'s rules); only then is it written.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import yaml

from .model import EVENT_TYPES, GRADING_EVENTS, SEVERE_LEVELS, Issue, RegisterConfig, level_rank
from .times import iso, parse_time, zone
from .yamlout import Time, list_item, mapping_lines, scalar

STATUS_AFTER = {"平息": "已平息", "归档": "已归档"}
"""Events that set the record's status."""

HANDLING = frozenset({"转办", "上报", "续报", "核报", "初步回应", "答复", "发布权威信息", "新闻发布会",
                      "媒体采访", "网评引导", "线下处置"})
"""Events that start the handling: the first one moves 监测中 to 处置中. Watching
(预警, 研判), grading (定级/升级/降级), review and correction do not."""

REVIEW_FIELDS = (("cause", "起因"), ("nature", "性质"), ("impact", "影响"), ("responsibility", "责任"),
                 ("lessons", "经验教训"), ("completed_at", "完成时间"))


BACKDATED = "补录:"
"""How :func:`add_event`'s back-dating note starts."""


def base_version_known(root: Path, rel: str) -> bool:
    try:
        return base_version(root, rel) is not None
    except (OSError, subprocess.TimeoutExpired):
        return False


class Refused(Exception):
    """The change cannot be made; the message is Chinese and says what to do."""


@dataclass(frozen=True)
class Edited:
    """A changed file text and what the change did besides (Chinese notes for the clerk)."""

    text: str
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# --- locating nodes ----------------------------------------------------------

def _compose(text: str) -> yaml.MappingNode:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)  # pure Python: marks count characters
    except yaml.YAMLError as error:
        raise Refused(f"文件无法解析,请先运行 `yuqing check` 修正:{error}") from None
    if not isinstance(node, yaml.MappingNode):
        raise Refused("文件顶层不是“键: 值”的映射,请先运行 `yuqing check` 修正。")
    return node


def _top(root: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _last_index(node: yaml.Node) -> int:
    """The character index just past the last character the node's content uses."""
    if isinstance(node, yaml.ScalarNode):
        return int(node.end_mark.index)
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _last_index(node.value[-1])
    if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
        return _last_index(node.value[-1][1])
    return int(node.end_mark.index)


def _after_line(text: str, index: int) -> int:
    """The start of the line after the one holding character ``index - 1``."""
    if index > 0 and text[index - 1] == "\n":
        return index
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _ensure_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _set_top_scalar(text: str, root: yaml.MappingNode, key: str, value: str) -> tuple[int, int, str]:
    found = _top(root, key)
    if found is None:  # schema-required keys are there; append otherwise
        return len(text), len(text), mapping_lines({key: value})
    return int(found[1].start_mark.index), int(found[1].end_mark.index), scalar(value)


# --- the changes ---------------------------------------------------------------

def add_event(text: str, data: dict[str, Any], event: dict[str, Any], tz: Any) -> Edited:
    """Insert ``event`` into ``timeline`` in time order; set ``level``/``status`` as it requires.

    ``data`` is the file's loaded data (for the current values); the event's
    ``at`` is an ISO text. Raises :class:`Refused`.
    """
    text = _ensure_newline(text)
    root = _compose(text)
    found = _top(root, "timeline")
    if found is None:
        raise Refused("文件中没有 timeline(处置经过),请先运行 `yuqing check` 修正。")
    sequence = found[1]
    events = data.get("timeline") or []
    if not isinstance(sequence, yaml.SequenceNode) or not isinstance(events, list):
        raise Refused("timeline(处置经过)不是列表,请先运行 `yuqing check` 修正。")
    kind = event["type"]
    status = data.get("status")
    if status == "已归档" and kind != "更正":
        raise Refused("该事件已归档:归档后只能追加“更正”事件(yuqing correct)。")
    if data.get("withdrawn"):
        raise Refused("该事件已撤销(withdrawn),不再追加处置事件。")
    if kind in GRADING_EVENTS and not event.get("level"):
        raise Refused(f"“{kind}”事件须写明等级:--level 一般 / 敏感 / 重大 / 特别重大。")
    if kind not in GRADING_EVENTS and event.get("level"):
        raise Refused(f"只有定级、升级、降级事件写等级(level);“{kind}”事件不写。")
    at = parse_time(event["at"], tz)
    assert at is not None
    times = [parse_time(e.get("at"), tz) if isinstance(e, dict) else None for e in events]
    position = len(events)
    warnings: list[str] = []
    if times and all(t is not None for t in times):
        position = sum(1 for t in times if t is not None and t <= at)
        if position < len(events):
            last = times[-1]
            assert last is not None
            warnings.append(f"{BACKDATED}该事件早于最后一条事件({last.astimezone(tz):%Y-%m-%d %H:%M}),按时间插入为第 "
                            f"{position + 1} 条。补录在合并请求中需要审批人同意(说明补录原因)。")
    _check_direction(kind, event.get("level"), events[:position], events, data.get("level"))
    record = {"at": Time(event["at"]), **{k: v for k, v in event.items() if k != "at" and v not in (None, "")}}
    edits: list[tuple[int, int, str]] = []
    if sequence.flow_style or not sequence.value:
        # `timeline: []` (a new record): the list becomes a block list under the key.
        items = [dict(e) for e in events] if isinstance(events, list) else []
        items.insert(position, record)
        block = "".join(list_item(item, 2, 4) for item in items)
        start, end = int(sequence.start_mark.index), int(sequence.end_mark.index)
        key_end = int(found[0].end_mark.index)
        if text[key_end:start].strip() == ":":
            edits.append((key_end, end, ":"))  # "timeline: []" -> "timeline:"
        else:
            edits.append((start, end, ""))
        edits.append((_after_line(text, end), _after_line(text, end), block))
    else:
        first = sequence.value[0]
        line = text[_line_start(text, int(first.start_mark.index)):int(first.start_mark.index)]
        dash = line.rfind("-")
        key_column = int(first.start_mark.column)
        if position == 0:
            at_index = _line_start(text, int(first.start_mark.index))
        else:
            at_index = _after_line(text, _last_index(sequence.value[position - 1]))
        edits.append((at_index, at_index, list_item(record, max(dash, 0), key_column)))
    notes: list[str] = []
    graded = [e for e in [*events[:position], record, *events[position:]]
              if isinstance(e, dict) and e.get("type") in GRADING_EVENTS and e.get("level")]
    if graded and graded[-1]["level"] != data.get("level"):
        edits.append(_set_top_scalar(text, root, "level", str(graded[-1]["level"])))
        notes.append(f"等级 {data.get('level')} → {graded[-1]['level']}")
    new_status = STATUS_AFTER.get(kind)
    if kind in HANDLING and status == "监测中":
        new_status = "处置中"
    if new_status and new_status != status and status != "已归档":
        if kind == "归档":
            _require_review(data, graded)
        edits.append(_set_top_scalar(text, root, "status", new_status))
        notes.append(f"状态 {status} → {new_status}")
    return Edited(_splice(text, edits), tuple(notes), tuple(warnings))


def _check_direction(kind: str, level: Any, before: list[Any], events: list[Any], current: Any) -> None:
    """A 升级 must raise the level it starts from, a 降级 must lower it (定级 may set any)."""
    if kind not in ("升级", "降级") or not isinstance(level, str):
        return
    graded = [e for e in before if isinstance(e, dict) and e.get("type") in GRADING_EVENTS and e.get("level")]
    if graded:
        prior = str(graded[-1]["level"])
    elif not any(isinstance(e, dict) and e.get("type") in GRADING_EVENTS for e in events) and isinstance(current, str):
        prior = current
    else:
        return  # back-dated before every grading event: the level then is not in the file
    rank, was = level_rank(level), level_rank(prior)
    same = "等级不变,不必升级或降级;要确认等级请用 --type 定级。"
    if kind == "升级" and rank <= was:
        right = same if rank == was else f"要降为“{level}”请用 --type 降级。"
        raise Refused(f"“升级”须高于当时的等级“{prior}”,而“{level}”并不更高。{right}")
    if kind == "降级" and rank >= was:
        right = same if rank == was else f"要升为“{level}”请用 --type 升级。"
        raise Refused(f"“降级”须低于当时的等级“{prior}”,而“{level}”并不更低。{right}")


def _require_review(data: dict[str, Any], graded: list[dict[str, Any]]) -> None:
    levels = {str(data.get("level"))} | {str(e["level"]) for e in graded}
    highest = max(levels, key=level_rank)
    if highest not in SEVERE_LEVELS:
        return
    found = data.get("review")
    review: dict[str, Any] = found if isinstance(found, dict) else {}
    missing = [name for key, name in REVIEW_FIELDS if not review.get(key)]
    if missing:
        raise Refused(f"该事件曾为“{highest}”舆情,归档前必须完成评估总结(缺少:{'、'.join(missing)})。"
                      f"请先运行 `yuqing review {data.get('id')}` 填写,再归档。")


def set_review(text: str, data: dict[str, Any], review: dict[str, Any]) -> Edited:
    """Write the ``review`` block: the given parts over any already there."""
    text = _ensure_newline(text)
    root = _compose(text)
    found = data.get("review")
    current: dict[str, Any] = found if isinstance(found, dict) else {}
    merged = {key: current.get(key) for key, _ in REVIEW_FIELDS if current.get(key) not in (None, "")}
    merged.update({k: v for k, v in review.items() if v not in (None, "")})
    ordered = {key: (Time(merged[key]) if key == "completed_at" else merged[key])
               for key, _ in REVIEW_FIELDS if key in merged}
    block = mapping_lines({"review": ordered})
    found = _top(root, "review")
    if found is None:
        return Edited(text + block, ("已填写评估总结 review",))
    start = _line_start(text, int(found[0].start_mark.index))
    end = _after_line(text, _last_index(found[1]))
    return Edited(text[:start] + block + text[end:], ("已更新评估总结 review",))


def withdraw(text: str, data: dict[str, Any], at: str, reason: str, duplicate_of: str | None) -> Edited:
    """Add the ``withdrawn`` block (the record stays, shown as withdrawn)."""
    if data.get("withdrawn"):
        raise Refused("该事件已撤销(已有 withdrawn)。")
    block: dict[str, Any] = {"at": Time(at), "reason": reason}
    if duplicate_of:
        block["duplicate_of"] = duplicate_of
    return Edited(_ensure_newline(text) + mapping_lines({"withdrawn": block}), ("已撤销",))


def correction_note(data: dict[str, Any], number: int, note: str, tz: Any) -> str:
    """The note of a 更正 event naming event ``number`` (1-based): 更正第 N 条(类型,时间):…"""
    events = data.get("timeline") or []
    if not isinstance(events, list) or not 1 <= number <= len(events):
        raise Refused(f"没有第 {number} 条事件:处置经过共有 {len(events) if isinstance(events, list) else 0} 条(从 1 数起)。")
    target = events[number - 1] if isinstance(events[number - 1], dict) else {}
    when = parse_time(target.get("at"), tz)
    shown = when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when else str(target.get("at"))
    return f"更正第 {number} 条({target.get('type')},{shown}):{note}"


def renumber(text: str, new_id: str) -> str:
    """The file text with its ``id`` value replaced (the only line that changes)."""
    root = _compose(_ensure_newline(text))
    found = _top(root, "id")
    if found is None:
        raise Refused("文件中没有 id。")
    return _splice(_ensure_newline(text), [(int(found[1].start_mark.index), int(found[1].end_mark.index), scalar(new_id))])


# --- applying a change to the register ---------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What :func:`apply` did: the file written (None when refused) and why not."""

    rel: str
    written: bool
    issues: tuple[Issue, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    refusal: str | None = None


def read_record(path: Path) -> str:
    """The file's text with its own line ends kept (a CRLF file stays CRLF: only added lines differ)."""
    return path.read_bytes().decode("utf-8")


def write_record(path: Path, text: str) -> None:
    """Write ``text``; added lines take the file's line end (CRLF when the file has them)."""
    if "\r\n" in text:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    path.write_bytes(text.encode("utf-8"))


def find_record(root: Path, incident_id: str) -> Path | None:
    """The file of ``incident_id``: ``incidents/<YYYY>/<id>.yml`` (found by name in any year)."""
    from .register import incident_files

    parts = incident_id.split("-")
    if len(parts) == 3:
        direct = root / "incidents" / parts[1] / f"{incident_id}.yml"
        if direct.is_file():
            return direct
    return next((p for p in incident_files(root) if p.stem == incident_id), None)


def record_ids(root: Path) -> list[str]:
    from .register import incident_files

    return sorted(p.stem for p in incident_files(root))


def apply(root: Path, incident_id: str, change: Callable[[str, dict[str, Any]], Edited],
          config: RegisterConfig, now: datetime) -> Outcome:
    """Run ``change`` on the record's text; write the result only if it passes check and audit."""
    from .loader import load_text
    from .register import relative

    path = find_record(root, incident_id)
    if path is None:
        from .words import did_you_mean

        return Outcome("", False, refusal=f"找不到事件 {incident_id}。{did_you_mean(incident_id, record_ids(root))}")
    rel = relative(path, root)
    text = read_record(path)
    loaded = load_text(text, rel)
    if not isinstance(loaded.data, dict) or any(i.severity == "error" for i in loaded.issues):
        return Outcome(rel, False, loaded.issues, refusal=f"{rel} 现在就有错误,请先运行 `yuqing check {rel}` 修正。")
    try:
        edited = change(text, loaded.data)
    except Refused as why:
        return Outcome(rel, False, refusal=str(why))
    issues = check_text(root, rel, edited.text, config, now)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        before = [i for i in check_text(root, rel, text, config, now) if i.severity == "error"]
        if before:  # not the change's fault: name the file's own errors, at their lines on disk
            return Outcome(rel, False, tuple(before),
                           refusal=f"{rel} 在修改之前就有以上 {len(before)} 处错误(行号指磁盘上的文件),未做任何改动。"
                                   f"请先运行 `yuqing check {rel}` 修正,再运行本命令。")
        return Outcome(rel, False, tuple(errors),
                       refusal="追加后的文件未通过检查,未写入(以上行号指修改后将要写入的文件;磁盘上的文件未改动)。")
    findings, audit_note = audit_text(root, rel, edited.text, config)
    refused = [i for i in findings if i.severity == "error"]
    if refused:
        return Outcome(rel, False, tuple(refused), refusal="修改后的文件未通过审核(记录只增不删),未写入。")
    judged = audit_note is None and base_version_known(root, rel)
    # Back-dating is the audit's to judge (against the target branch, once); the edit's own note is
    # only for a register the audit cannot compare with.
    own = [w for w in edited.warnings if not (judged and w.startswith(BACKDATED))]
    warnings = own + [_approval_note(i, edited.text, rel) for i in findings if i.severity == "approval"]
    if audit_note:
        warnings.append(audit_note)
    write_record(path, edited.text)
    return Outcome(rel, True, tuple(i for i in issues if i.severity != "error"), edited.notes, tuple(warnings))


def _approval_note(finding: Issue, text: str, rel: str) -> str:
    """The audit's approval finding for the clerk, in words (the audit shows whole blocks as JSON)."""
    if finding.code != "withdrawn-changed":
        return f"需要审批:{finding.message}"
    from .loader import load_text
    from .policy import row

    data = load_text(text, rel).data
    block = data.get("withdrawn") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        return f"需要审批:取消撤销。{row(finding.code).reason};合并前须经审批人审核。"
    duplicate = f",与 {block['duplicate_of']} 重复" if block.get("duplicate_of") else ""
    return (f"需要审批:撤销本事件(原因:{block.get('reason')}{duplicate})。"
            f"{row(finding.code).reason};合并前须经审批人在合并请求中审核。")


def check_text(root: Path, rel: str, text: str, config: RegisterConfig, now: datetime) -> list[Issue]:
    """The issues `yuqing check` would report for ``text`` at ``rel`` (checked in a scratch folder)."""
    from .register import check_file
    from .rules import Context
    from .validate import SchemaChecker, read_schema

    with tempfile.TemporaryDirectory(prefix="yuqing-") as scratch:
        path = Path(scratch) / rel
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        _, issues = check_file(path, Path(scratch), SchemaChecker(read_schema("incident.schema.json", root)),
                               Context(config, now))
    return issues


def committed(root: Path, rel: str) -> bytes | None:
    """The file as HEAD holds it (None outside git or for a file not yet committed)."""
    try:
        done = subprocess.run(["git", "show", f"HEAD:./{rel}"], cwd=root, capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def base_version(root: Path, rel: str) -> bytes | None:
    """The file where this branch forked from the pull request's target (``origin/main``, else ``main``;
    HEAD when neither exists); None when it is not there (a record this branch adds).

    A change is judged against it, as the pull request will be: events this branch appended
    earlier (not merged yet) are not "already recorded", so adding between them is no 补录.
    A record the target changed after the fork is ``yuqing event rebase``'s business.
    """
    for ref in ("origin/main", "main"):
        fork = subprocess.run(["git", "merge-base", "HEAD", ref], cwd=root, capture_output=True, text=True, timeout=30)
        if fork.returncode == 0:
            done = subprocess.run(["git", "show", f"{fork.stdout.strip()}:./{rel}"], cwd=root, capture_output=True,
                                  timeout=30)
            return done.stdout if done.returncode == 0 else None
    return committed(root, rel)


def audit_text(root: Path, rel: str, text: str, config: RegisterConfig | None = None) -> tuple[list[Issue], str | None]:
    """`yuqing audit`'s verdict on changing the target branch's file (:func:`base_version`) into ``text``."""
    try:
        old = base_version(root, rel)
    except (OSError, subprocess.TimeoutExpired):
        old = None
    if old is None:
        return [], None
    from .loader import load_bytes, load_text

    try:
        from . import audit

        change = audit.FileChange("M", rel, None, load_bytes(old, rel), load_text(text, rel))
        context: Any = audit.Context(config=config) if hasattr(audit, "Context") else {}
        return list(audit.check_change(change, context)), None
    except (AttributeError, TypeError) as error:  # the audit's API changed: check still ran
        return [], f"未能按审核规则预先核对({type(error).__name__});推送前请运行 `yuqing verify`。"


def local_time(value: datetime, config: RegisterConfig) -> str:
    text = iso(value.astimezone(zone(config.timezone)))
    assert text is not None
    return text


def event_record(kind: str, at: datetime, config: RegisterConfig, *, by: str | None = None,
                 level: str | None = None, channel: str | None = None, url: str | None = None,
                 note: str | None = None) -> dict[str, Any]:
    """An event as the file holds it, keys in the template's order."""
    if kind not in EVENT_TYPES:
        from .words import did_you_mean, listing

        raise Refused(f"事件类型“{kind}”无效。{did_you_mean(kind, EVENT_TYPES)}可选:{listing(EVENT_TYPES)}。")
    return {"at": local_time(at, config), "type": kind, "level": level, "by": by, "channel": channel,
            "url": url, "note": note}


def check_texts(root: Path, texts: list[tuple[str, str]], config: RegisterConfig, now: datetime, *,
                progress: Callable[[int, int], None] | None = None) -> dict[str, list[Issue]]:
    """:func:`check_text` for many files at once (``rel -> issues``): one scratch register, checked as
    `yuqing check` checks a register (one validator per process, both cores for many files)."""
    import os
    import shutil

    from .register import load_register

    memory = Path("/dev/shm")  # many small files: a folder in memory where there is one
    place = str(memory) if memory.is_dir() and os.access(memory, os.W_OK) else None
    found: dict[str, list[Issue]] = {rel: [] for rel, _ in texts}
    with tempfile.TemporaryDirectory(prefix="yuqing-", dir=place) as scratch:
        folder = Path(scratch)
        schema = root / "schemas" / "incident.schema.json"
        if schema.is_file():
            (folder / "schemas").mkdir()
            shutil.copyfile(schema, folder / "schemas" / "incident.schema.json")
        paths = []
        for rel, text in texts:
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        checked = load_register(folder, paths, config=config, clock=now, progress=progress)
    for issue in checked.issues:
        found.setdefault(issue.file, []).append(issue)
    return found


# --- redoing a branch's events on the latest main ------------------------------------

CARRIED = frozenset({"timeline", "level", "status", "review", "withdrawn"})
"""What :func:`replay` carries over from a branch; the events set level and status themselves."""


def branch_events(forked: dict[str, Any], head: dict[str, Any]) -> list[dict[str, Any]]:
    """The events ``head`` has that ``forked`` (the version the branch started from) does not, in order."""
    left = [e for e in forked.get("timeline") or [] if isinstance(e, dict)]
    mine = []
    for event in head.get("timeline") or []:
        if not isinstance(event, dict):
            continue
        if event in left:
            left.remove(event)
        else:
            mine.append(event)
    return mine


def replay(base_text: str, forked: dict[str, Any], head: dict[str, Any], tz: Any) -> Edited:
    """The base's record with the branch's own changes made again: its appended events, review, withdrawal.

    ``forked`` and ``head`` are the record's data where the branch started and
    at its tip; only events, ``review`` and ``withdrawn`` can be carried over
    (anything else the branch changed is refused: redo it by hand). Raises
    :class:`Refused`.
    """
    from .loader import load_text

    other = sorted(k for k in set(forked) | set(head) if k not in CARRIED and forked.get(k) != head.get(k))
    if other:
        raise Refused(f"本分支还修改了 {'、'.join(other)},无法自动重做;请在最新的 main 上手工重做这些修改。")
    text = _ensure_newline(base_text)
    notes: list[str] = []
    warnings: list[str] = []

    def data_of(current: str) -> dict[str, Any]:
        loaded = load_text(current, "record.yml")
        if not isinstance(loaded.data, dict):
            raise Refused("目标分支上的这个记录无法解析,请先运行 `yuqing check` 修正。")
        return loaded.data

    for event in branch_events(forked, head):
        data = data_of(text)
        if event in (data.get("timeline") or []):
            notes.append(f"目标分支上已有同样的事件,未重复追加:{event.get('type')} {event.get('at')}")
            continue
        edited = add_event(text, data, dict(event), tz)
        text = edited.text
        notes.append(f"重新追加:{event.get('type')} {event.get('at')}")
        notes.extend(f"  {note}" for note in edited.notes)
        warnings.extend(w for w in edited.warnings if w not in warnings)
    review = head.get("review")
    if isinstance(review, dict) and review != forked.get("review"):
        text = set_review(text, data_of(text), review).text
        notes.append("重新填写评估总结 review")
    gone = head.get("withdrawn")
    if isinstance(gone, dict) and not forked.get("withdrawn"):
        data = data_of(text)
        if not data.get("withdrawn"):
            text = withdraw(text, data, str(gone.get("at")), str(gone.get("reason")), gone.get("duplicate_of")).text
            notes.append("重新撤销 withdrawn")
    return Edited(text, tuple(notes), tuple(warnings))
