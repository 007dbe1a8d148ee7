"""The register as it stood at a moment: what an "as of" time (``--now``) sees.

Every command that takes ``--now`` (and the site's build time) reads the
register as it stood then: events, extensions, reviews and withdrawals
recorded with a time later than ``now`` have not happened yet. They are
neither errors nor reasons to leave a file out; they are simply not there.
Whether a time lies in the real future is ``yuqing check``'s question, judged
against the real clock before this view is taken.

Pure: an Incident in, an Incident (or None) out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Iterable

from .model import Event, Incident


def as_of(incident: Incident, now: datetime) -> Incident | None:
    """``incident`` as it stood at ``now``; None when it was not discovered yet.

    Later events, extensions approved later, a review completed later and a
    withdrawal made later are dropped. The level is the level over time at
    ``now`` (SPEC "the level over time"); a record closed (平息/归档) later is
    still open at ``now``. Times that are not known (an extension or a
    withdrawal without its time) are kept: nothing says they came later.
    """
    if incident.discovered_at > now:
        return None
    if _latest(incident) <= now:
        return incident
    timeline = tuple(e for e in incident.timeline if e.at <= now)
    appeal = incident.appeal if incident.appeal and incident.appeal.posted_at <= now else None
    extensions = tuple(x for x in incident.extensions if x.approved_at is None or x.approved_at <= now)
    review = incident.review
    if review is not None and review.completed_at is not None and review.completed_at > now:
        review = None
    withdrawn = incident.withdrawn
    if withdrawn is not None and withdrawn.at is not None and withdrawn.at > now:
        withdrawn = None
    level = incident.level
    if len(timeline) < len(incident.timeline):
        steps = [lvl for since, lvl in incident.level_history() if since <= now]
        level = steps[-1] if steps else incident.level
    return replace(incident, timeline=timeline, appeal=appeal, extensions=extensions, review=review,
                   withdrawn=withdrawn, level=level, status=_status(incident.status, timeline))


def register_as_of(incidents: Iterable[Incident], now: datetime) -> tuple[Incident, ...]:
    """Every incident as it stood at ``now``, leaving out those not yet discovered."""
    return tuple(seen for incident in incidents if (seen := as_of(incident, now)) is not None)


def _status(status: str, timeline: tuple[Event, ...]) -> str:
    """The status once the events after ``now`` are gone: a closing event not yet recorded reopens."""
    kinds = {e.type for e in timeline}
    if status == "已归档" and "归档" not in kinds:
        status = "已平息"
    if status == "已平息" and "平息" not in kinds:
        status = "处置中"
    return status


def _latest(incident: Incident) -> datetime:
    """The latest recorded time of ``incident`` (to skip the copy when nothing is later)."""
    times = [incident.discovered_at, *(e.at for e in incident.timeline)]
    if incident.appeal:
        times.append(incident.appeal.posted_at)
    times += [x.approved_at for x in incident.extensions if x.approved_at is not None]
    if incident.review and incident.review.completed_at:
        times.append(incident.review.completed_at)
    if incident.withdrawn and incident.withdrawn.at:
        times.append(incident.withdrawn.at)
    return max(times)
