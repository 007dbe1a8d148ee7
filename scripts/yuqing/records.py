"""Loaded data -> Incident model.

Building is lenient: a file with schema problems still becomes an Incident
where its parts allow, so that one run reports every problem; the semantic
rules skip whatever depends on a part the schema already rejected.
"""

from __future__ import annotations

import sys
from datetime import datetime, tzinfo
from typing import Any, overload

from .loader import Loaded
from .model import (
    Appeal, Event, Extension, Incident, Issue, Review, Source, Units, Withdrawn,
)
from .times import MAX_YEAR, MIN_YEAR, is_date_only, parse_time, year_out_of_range

_FAR_PAST = datetime(1970, 1, 1)


class _Times:
    """Parses the times of one file, collecting an Issue per invalid one."""

    def __init__(self, loaded: Loaded, tz: tzinfo, broken: set[str]) -> None:
        self.loaded, self.tz, self.broken = loaded, tz, broken
        self.issues: list[Issue] = []

    def __call__(self, value: Any, path: str) -> datetime | None:
        if value is None or path in self.broken:
            return None
        if year_out_of_range(value):
            line, column = self.loaded.where(path)
            self.issues.append(Issue(self.loaded.file, line, column, path, "time-out-of-range",
                                     f"{path} 的年份超出可登记的范围({MIN_YEAR}—{MAX_YEAR} 年):“{value}”。请核对年份。"))
            self.broken.add(path)
            return None
        parsed = parse_time(value, self.tz)
        if parsed is None and isinstance(value, str) and not is_date_only(value):
            # The schema's pattern admits 2025-02-30 10:00; the calendar does not.
            line, column = self.loaded.where(path)
            self.issues.append(Issue(self.loaded.file, line, column, path, "bad-time",
                                     f"{path} 不是真实存在的时间:“{value}”。"))
            self.broken.add(path)
        return parsed


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@overload
def _word(value: str) -> str: ...
@overload
def _word(value: str | None) -> str | None: ...
def _word(value: str | None) -> str | None:
    """One shared string for a word of a closed vocabulary (levels, units, event types):
    100,000 records hold a handful of them, not a copy each (nor does the check cache)."""
    return value if value is None or len(value) > 40 else sys.intern(value)


def build_incident(loaded: Loaded, tz: tzinfo, broken: set[str]) -> tuple[Incident | None, list[Issue]]:
    """The Incident a loaded file describes, and any time it holds that is not real.

    ``broken`` holds the JSON paths the schema rejected; their values are not
    trusted (and the paths of unreal times are added to it).
    """
    data = loaded.data
    if not isinstance(data, dict):
        return None, []
    when = _Times(loaded, tz, broken)

    timeline: list[Event] = []
    for index, raw in enumerate(_list(data.get("timeline"))):
        event = _map(raw)
        at = when(event.get("at"), f"timeline[{index}].at")
        if at is None or not isinstance(event.get("type"), str):
            broken.add("timeline")
            continue
        timeline.append(Event(
            at=at, type=_word(event["type"]), level=_word(_text(event.get("level"))),
            by=_word(_text(event.get("by"))), channel=_word(_text(event.get("channel"))),
            url=_text(event.get("url")), note=_text(event.get("note")),
            index=index,
        ))

    extensions: list[Extension] = []
    for index, raw in enumerate(_list(data.get("extensions"))):
        item = _map(raw)
        due = when(item.get("due"), f"extensions[{index}].due")
        if due is None:
            broken.add("extensions")
            continue
        extensions.append(Extension(
            rule=str(item.get("rule", "")), reason=str(item.get("reason", "")),
            approved_by=_text(item.get("approved_by")),
            approved_at=when(item.get("approved_at"), f"extensions[{index}].approved_at"),
            due=due, index=index,
        ))

    appeal = None
    if isinstance(data.get("appeal"), dict):
        posted = when(data["appeal"].get("posted_at"), "appeal.posted_at")
        if posted is not None:
            appeal = Appeal(posted, _text(data["appeal"].get("author")))
        else:
            broken.add("appeal")

    review = None
    if isinstance(data.get("review"), dict):
        raw_review = data["review"]
        review = Review(
            cause=_text(raw_review.get("cause")), nature=_text(raw_review.get("nature")),
            impact=_text(raw_review.get("impact")), responsibility=_text(raw_review.get("responsibility")),
            lessons=_text(raw_review.get("lessons")),
            completed_at=when(raw_review.get("completed_at"), "review.completed_at"),
        )

    withdrawn = None
    if isinstance(data.get("withdrawn"), dict):
        raw_withdrawn = data["withdrawn"]
        withdrawn = Withdrawn(
            reason=str(raw_withdrawn.get("reason", "")),
            at=when(raw_withdrawn.get("at"), "withdrawn.at"),
            duplicate_of=_text(raw_withdrawn.get("duplicate_of")),
        )

    discovered = when(data.get("discovered_at"), "discovered_at")
    if discovered is None:
        broken.add("discovered_at")
        discovered = _FAR_PAST.replace(tzinfo=tz)
    source = _map(data.get("source"))
    units = _map(data.get("units"))
    incident = Incident(
        id=str(data.get("id", "")),
        title=str(data.get("title", "")),
        level=_word(str(data.get("level", ""))),
        status=_word(str(data.get("status", ""))),
        category=_word(str(data.get("category", ""))),
        discovered_at=discovered,
        source=Source(
            channel=_word(str(source.get("channel", ""))), platform=_word(_text(source.get("platform"))),
            url=_text(source.get("url")), transferred_from=_text(source.get("transferred_from")),
        ),
        units=Units(
            lead=_word(str(units.get("lead", ""))),
            assisting=tuple(str(u) for u in _list(units.get("assisting"))),
        ),
        summary=str(data.get("summary", "") or ""),
        timeline=tuple(timeline),
        file=loaded.file,
        occurred_at=when(data.get("occurred_at"), "occurred_at"),
        appeal=appeal,
        tags=tuple(str(t) for t in _list(data.get("tags"))),
        extensions=tuple(extensions),
        review=review,
        confidential=data.get("confidential") is True,
        withdrawn=withdrawn,
        positions=loaded.positions,
    )
    return incident, when.issues
