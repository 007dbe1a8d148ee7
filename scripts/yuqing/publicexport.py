"""The public export: a register's public records and deadlines as one JSON document.

Each county register's CI publishes it with the site (``export.json``, also
``yuqing export json``); a city register aggregates the counties from these
files (``aggregate.py``), never from their YAML. It is described by
``schemas/export.schema.json`` and versioned: later versions only add keys.
Confidential records, and their deadlines, are never in it; nor are a
citizen's name (``appeal.author``) or a record's place in the files.
"""

from __future__ import annotations

import json
from datetime import datetime
from json.encoder import encode_basestring as _quoted  # what json.dumps(..., ensure_ascii=False) quotes text with
from typing import Any, Iterable, Iterator

from .model import Deadline, Incident, RegisterConfig

FORMAT = "yuqing-export"
VERSION = 1
FILE_NAME = "export.json"
"""Where the site build puts it: the published site's root."""


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None and v != () and v != []}


def record(incident: Incident, public: frozenset[str] | None = None) -> dict[str, Any]:
    """One record as its incident file would hold it (the same keys), less what is not public.

    ``public`` are the ids published with it: a withdrawal naming another record
    (``duplicate_of``) names it only when that one is public too."""
    out: dict[str, Any] = {
        "id": incident.id, "title": incident.title, "level": incident.level, "status": incident.status,
        "category": incident.category, "discovered_at": _time(incident.discovered_at),
        "occurred_at": _time(incident.occurred_at),
        "source": _drop_none({"channel": incident.source.channel, "platform": incident.source.platform,
                              "url": incident.source.url}),
        "units": _drop_none({"lead": incident.units.lead, "assisting": list(incident.units.assisting)}),
        "summary": incident.summary,
        "tags": list(incident.tags),
        "timeline": [_drop_none({"at": _time(e.at), "type": e.type, "level": e.level, "by": e.by,
                                 "channel": e.channel, "url": e.url, "note": e.note}) for e in incident.timeline],
    }
    if incident.appeal:
        out["appeal"] = {"posted_at": _time(incident.appeal.posted_at)}
    if incident.extensions:
        out["extensions"] = [_drop_none({"rule": x.rule, "reason": x.reason, "approved_by": x.approved_by,
                                         "approved_at": _time(x.approved_at), "due": _time(x.due)})
                             for x in incident.extensions]
    if incident.review:
        r = incident.review
        out["review"] = _drop_none({"cause": r.cause, "nature": r.nature, "impact": r.impact,
                                    "responsibility": r.responsibility, "lessons": r.lessons,
                                    "completed_at": _time(r.completed_at)})
    if incident.withdrawn:
        w = incident.withdrawn
        target = w.duplicate_of if public is None or w.duplicate_of in public else None
        out["withdrawn"] = _drop_none({"reason": w.reason, "at": _time(w.at), "duplicate_of": target})
    return _drop_none(out)


def deadline(d: Deadline) -> dict[str, Any]:
    return {"incident": d.incident, "rule": d.rule, "level": d.level, "unit": d.unit, "start": _time(d.start),
            "due": _time(d.due), "status": d.status, "met_at": _time(d.met_at)}


def deadline_line(d: Deadline) -> str:
    """``json.dumps(deadline(d), ensure_ascii=False)``, made directly with the same string encoder
    (the JSON encoder's own walk over a dictionary per deadline was a fifth of an export's time)."""
    texts = (d.incident, d.rule, d.level, d.unit, d.status)
    if not all(type(t) is str for t in texts):
        return json.dumps(deadline(d), ensure_ascii=False)
    return (f'{{"incident": {_quoted(d.incident)}, "rule": {_quoted(d.rule)}, "level": {_quoted(d.level)}, '
            f'"unit": {_quoted(d.unit)}, "start": {_when(d.start)}, "due": {_when(d.due)}, '
            f'"status": {_quoted(d.status)}, "met_at": {_when(d.met_at)}}}')


def _when(value: datetime | None) -> str:
    return "null" if value is None else '"' + value.isoformat() + '"'


def document(incidents: Iterable[Incident], deadlines: Iterable[Deadline], config: RegisterConfig,
             now: datetime) -> dict[str, Any]:
    """The export of a register read as of ``now`` (its records without errors)."""
    public = sorted((i for i in incidents if not i.confidential), key=lambda i: i.id)
    ids = frozenset(i.id for i in public)
    return {
        "format": FORMAT, "version": VERSION, "generated_at": _time(now),
        "register": {"name": config.name, "organization": config.organization, "timezone": config.timezone,
                     "id_prefix": config.id_prefix},
        "records": [record(i, ids) for i in public],
        "deadlines": [deadline(d) for d in deadlines if d.incident in ids],
    }


def as_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)


def chunks(incidents: Iterable[Incident], deadlines: Iterable[Deadline], config: RegisterConfig,
           now: datetime) -> Iterator[str]:
    """The text of :func:`document`, piece by piece: one record or deadline a line.

    Never the whole document in memory, and each line made by json's C encoder (an
    indented dump goes through its Python one: most of the time of an export of 100,000
    records)."""
    public = sorted((i for i in incidents if not i.confidential), key=lambda i: i.id)
    ids = frozenset(i.id for i in public)
    return pieces(config, now, (line(i, ids) for i in public), deadlines, ids)


def line(incident: Incident, public: frozenset[str] | None = None) -> str:
    """One record of the export, as its line. It depends on the record alone (never on the clock)
    and on ``public`` only for the record a withdrawal names: the check cache keeps it
    (``cache.py``), made with no ``public``."""
    return json.dumps(record(incident, public), ensure_ascii=False)


def pieces(config: RegisterConfig, now: datetime, lines: Iterable[str], deadlines: Iterable[Deadline],
           public: frozenset[str]) -> Iterator[str]:
    """The export's text from its records' lines (by id, public ones only) and the deadlines
    (those of ``public`` records are kept)."""
    yield opening(config, now)
    for index, text in enumerate(lines):
        yield ("\n" if index == 0 else ",\n") + text
    yield from closing(deadlines, public)


def opening(config: RegisterConfig, now: datetime) -> str:
    """The export's text up to its first record's line (each line then follows "\n" or ",\n")."""
    head = document((), (), config, now)
    del head["records"], head["deadlines"]
    return json.dumps(head, ensure_ascii=False)[:-1] + ',\n"records": ['


def closing(deadlines: Iterable[Deadline], public: frozenset[str]) -> Iterator[str]:
    """The export's text after its records' lines: the deadlines of ``public`` records."""
    yield '\n],\n"deadlines": ['
    first = True
    for item in deadlines:
        if item.incident in public:
            yield ("\n" if first else ",\n") + deadline_line(item)
            first = False
    yield "\n]}\n"


def for_site(site: Any) -> str:
    """The export the site build publishes (``export.json``): the site's own records and deadlines.

    ``site`` is the site's input (``site.model.SiteInput``): its records are the published
    ones already (no confidential record, no file with errors)."""
    return "".join(chunks(site.incidents, site.deadlines or (), site.config, site.now))
