"""`yuqing review`: write the review (评估总结) block: cause, nature, impact, responsibility, lessons."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import fail, now_option, root_option
from ._edit import chinese_help, commit_options, open_session, run_change, typed_time

_PARTS = (("cause", "起因"), ("nature", "性质"), ("impact", "影响"), ("responsibility", "责任"), ("lessons", "经验教训"))


@click.command("review")
@chinese_help
@click.argument("incident_id", metavar="编号")
@click.option("--cause", help="起因。")
@click.option("--nature", help="性质。")
@click.option("--impact", help="影响。")
@click.option("--responsibility", help="责任。")
@click.option("--lessons", help="经验教训。")
@click.option("--completed-at", "completed_text", metavar="TIME", help="评估总结完成时间,默认现在。")
@commit_options
@click.option("--interactive/--no-interactive", default=None, help="缺少的项逐项提问;默认在终端中运行时提问。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@root_option
@now_option
def review_command(incident_id: str, cause: str | None, nature: str | None, impact: str | None,
                   responsibility: str | None, lessons: str | None, completed_text: str | None, do_commit: bool,
                   push_after: bool, interactive: bool | None, fmt: str, root: Path | None, now_text: str | None) -> None:
    """填写评估总结(review):起因、性质、影响、责任、经验教训、完成时间。

    重大、特别重大舆情归档前必须填写完整。已有的项保留,给出的项覆盖。

    \b
    示例:
      yuqing review YQ-2026-0017 --cause "食堂留样不规范" --nature "集体性食源性疾病" \\
          --impact "67 人就医,全网关注" --responsibility "企业食堂主体责任" \\
          --lessons "加强集体用餐单位日常检查" --completed-at "12-05 16:00" --commit
    """
    from ..edit import local_time, set_review
    from .new import ask_text

    session = open_session(root, now_text, interactive)
    given = {"cause": cause, "nature": nature, "impact": impact, "responsibility": responsibility, "lessons": lessons}
    severe, have = _severe_level(session.root, incident_id), _review_now(session.root, incident_id)
    for key, label in _PARTS:
        if not given[key] and session.interactive:
            if severe and not have.get(key):
                given[key] = ask_text(f"{label}(必填:曾为“{severe}”舆情,归档前须填写完整)")
            else:
                given[key] = ask_text(f"{label}(可不填)", optional=True) or None
    if not any(given.values()) and completed_text is None:
        fail("没有给出任何一项:--cause --nature --impact --responsibility --lessons --completed-at。")
    completed = typed_time(completed_text, "--completed-at", session, "", ask=False) if completed_text else session.now
    review = {**given, "completed_at": local_time(completed, session.config)}
    run_change(session, incident_id, lambda text, data: set_review(text, data, review),
               message=f"{incident_id}: 评估总结", do_commit=do_commit, push_after=push_after, fmt=fmt,
               done_text=f"已填写 {incident_id} 的评估总结")


def _data(root: Path, incident_id: str) -> dict:
    from ..edit import find_record, read_record
    from ..loader import load_text

    path = find_record(root, incident_id)
    data = load_text(read_record(path), path.name).data if path is not None else None
    return data if isinstance(data, dict) else {}


def _severe_level(root: Path, incident_id: str) -> str | None:
    """The highest level the record ever had when it is 重大 or 特别重大 (the review is then required)."""
    from ..model import GRADING_EVENTS, SEVERE_LEVELS, level_rank

    data = _data(root, incident_id)
    levels = [str(data.get("level"))] + [str(e.get("level")) for e in data.get("timeline") or []
                                         if isinstance(e, dict) and e.get("type") in GRADING_EVENTS and e.get("level")]
    highest = max(levels, key=level_rank)
    return highest if highest in SEVERE_LEVELS else None


def _review_now(root: Path, incident_id: str) -> dict:
    found = _data(root, incident_id).get("review")
    return found if isinstance(found, dict) else {}


COMMANDS = [review_command]
