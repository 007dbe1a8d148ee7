"""`yuqing history ID` as text and JSON."""

from __future__ import annotations

import json
from datetime import timedelta, tzinfo

from ..history import Change, IncidentHistory, RegisterHistory
from ..times import human_duration, iso, short
from .table import clip, table


def as_text(history: IncidentHistory, changes: tuple[Change, ...], register: RegisterHistory, tz: tzinfo,
            delay: timedelta | None, late_hours: float) -> str:
    lines = [f"{history.id}({history.path})"]
    first = history.registration
    if first is not None:
        # The registration time is when the record reached main (history.registered_at), never the
        # author date, which anybody can set; that one is shown only when it tells a different story.
        arrived = history.registered_at
        authored = short(first.at.astimezone(tz))
        if arrived is None:
            line = f"登记:尚未进入主分支 {first.author}(提交 {first.commit[:8]},作者日期 {authored})"
        else:
            line = f"登记:{short(arrived.astimezone(tz))} {first.author}(提交 {first.commit[:8]})"
            if authored != short(arrived.astimezone(tz)):
                line += f"(作者日期 {authored},不作为登记时间)"
        if delay is not None:
            late = f",超过 {late_hours:g} 小时,属迟报" if delay > timedelta(hours=late_hours) else ""
            line += f";距发现 {human_duration(delay)}{late}"
        lines.append(line)
    else:
        lines.append("登记:不详(浅克隆,更早的历史不可见)")
    lines.append(f"最后修改:{short(history.last_modified_at.astimezone(tz))} {history.last_modified_by};"
                 f"共 {history.revision_count} 个版本" + (";文件已被删除" if history.deleted else ""))
    if register.note:
        lines.append(f"注意:{register.note}")
    lines.append("")
    rows = [(short(c.revision.at.astimezone(tz)), c.revision.author, clip(c.revision.subject, 30),
             c.revision.commit[:8], c.level or "", ";".join(c.changes)) for c in changes]
    lines.append(table(["时间", "作者", "提交说明", "提交", "等级", "改动"], rows))
    return "\n".join(lines)


def as_json(history: IncidentHistory, changes: tuple[Change, ...], register: RegisterHistory, tz: tzinfo,
            delay: timedelta | None, late_hours: float) -> str:
    return json.dumps({
        "id": history.id,
        "file": history.path,
        "shallow": register.shallow,
        "complete": history.complete,
        "deleted": history.deleted,
        "registered_at": iso(history.registered_at.astimezone(tz)) if history.registered_at else None,
        "registered_by": history.registered_by,
        "registration_delay_hours": round(delay.total_seconds() / 3600, 2) if delay is not None else None,
        "late": delay > timedelta(hours=late_hours) if delay is not None else None,
        "last_modified_at": iso(history.last_modified_at.astimezone(tz)),
        "last_modified_by": history.last_modified_by,
        "revisions": [{
            "commit": c.revision.commit,
            "at": iso(c.revision.at.astimezone(tz)),
            "arrived_at": iso(c.revision.arrived_at.astimezone(tz)) if c.revision.arrived_at else None,
            "author": c.revision.author,
            "email": c.revision.email,
            "subject": c.revision.subject,
            "change": c.revision.change,
            "file": c.revision.path,
            "old_file": c.revision.old_path,
            "level": c.level,
            "changes": list(c.changes),
        } for c in changes],
    }, ensure_ascii=False, indent=2)


RENDERERS = {"text": as_text, "json": as_json}
