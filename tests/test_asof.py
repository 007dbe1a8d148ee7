"""`--now` is "as of": every command reads the register as it stood then.

Records written later hold events after the chosen moment; those events have
not happened yet as of it: never an error, never a file left out. Only
`yuqing check` judges times against a clock.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.conftest import PROJECT, RegisterDir, base_incident
from tests.githelper import run_cli
from yuqing.asof import as_of
from yuqing.register import load_register
from yuqing.times import parse_time, zone

TZ = zone("Asia/Shanghai")


def t(text: str) -> datetime:
    value = parse_time(text, TZ)
    assert value is not None
    return value


def ev(at: str, type_: str, **more: Any) -> dict[str, Any]:
    return {"at": f"2025-03-{at}:00+08:00", "type": type_, **more}


def _archived() -> dict[str, Any]:
    """敏感 from 03-03 09:30, 重大 from 03-04 10:00, closed 03-06, archived with a review 03-10."""
    record = base_incident(level="重大", status="已归档", appeal={"posted_at": "2025-03-03T08:00:00+08:00"}, timeline=[
        ev("03T09:30", "定级", level="敏感"),
        ev("03T12:00", "上报"),
        ev("04T10:00", "升级", level="重大"),
        ev("04T11:00", "续报"),
        ev("05T09:00", "发布权威信息"),
        ev("06T09:00", "答复"),
        ev("06T10:00", "平息"),
        ev("10T09:00", "归档"),
    ])
    record["extensions"] = [{"rule": "reply-3wd", "reason": "需会同区局调查", "approved_by": "分管局领导",
                             "approved_at": "2025-03-05T10:00:00+08:00", "due": "2025-03-12T17:30:00+08:00"}]
    record["review"] = {"cause": "供货商管理缺位", "nature": "食品安全", "impact": "本地热搜",
                        "responsibility": "门店负责人", "lessons": "加强巡查", "completed_at": "2025-03-09T17:00:00+08:00"}
    return record


def test_the_record_as_it_stood(register_dir: RegisterDir) -> None:
    register_dir.write(_archived())
    register = load_register(register_dir.root)
    assert register.issues == ()
    full = register.incidents[0]

    seen = as_of(full, t("2025-03-04T10:30"))
    assert seen is not None
    assert [e.type for e in seen.timeline] == ["定级", "上报", "升级"]
    assert (seen.level, seen.status, seen.review, seen.extensions, seen.is_open) == ("重大", "处置中", None, (), True)
    earlier = as_of(full, t("2025-03-04T09:00"))
    assert earlier is not None and earlier.level == "敏感"
    closed = as_of(full, t("2025-03-08T00:00"))
    assert closed is not None and (closed.status, closed.review) == ("已平息", None)
    assert len(closed.extensions) == 1
    assert as_of(full, t("2025-03-11T00:00")) is full  # nothing later: the same record
    assert as_of(full, t("2025-03-03T08:59")) is None  # not discovered yet


def test_a_withdrawal_made_later_has_not_happened(register_dir: RegisterDir) -> None:
    register_dir.write(base_incident(level="敏感", withdrawn={"reason": "误登", "at": "2025-03-05T09:00:00+08:00"}))
    full = load_register(register_dir.root).incidents[0]
    before = as_of(full, t("2025-03-04T09:00"))
    assert before is not None and (before.withdrawn, before.counts) == (None, True)


def test_deadlines_as_of_an_earlier_moment(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(_archived())
    argv = ["deadlines", "--root", str(register_dir.root), "--status", "all", "--format", "json"]
    code, out, err = run_cli(argv + ["--now", "2025-03-04T13:00:00+08:00", "--fail-on", "overdue"], capsys)
    data = json.loads(out)
    assert (err, data["warnings"]) == ("", [])
    assert [(d["rule"], d["status"], d["met_at"]) for d in data["deadlines"]] == [
        ("report-4h", "met", "2025-03-03T12:00:00+08:00"),
        ("respond-48h", "pending", None),         # 重大 since 03-04 10:00; clock from discovery
        ("first-reply-3wh", "overdue", None),     # due 03-03 11:30, answered only on 03-06
        ("reply-3wd", "pending", None),           # the extension is approved on 03-05: not yet
    ]
    assert all(d["incident_open"] for d in data["deadlines"])  # archived only on 03-10
    assert code == 1  # an open incident's overdue deadline

    code, out, err = run_cli(argv + ["--now", "2025-03-11T09:00:00+08:00"], capsys)
    data = json.loads(out)
    assert (err, data["warnings"]) == ("", [])
    reply = next(d for d in data["deadlines"] if d["rule"] == "reply-3wd")
    assert (reply["status"], reply["extended"], reply["due"]) == ("met", True, "2025-03-12T17:30:00+08:00")


def test_example_register_as_of_march_2025(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["deadlines", "--root", str(PROJECT), "--now", "2025-03-11T09:00", "--status", "all",
                           "--format", "json"], capsys)
    data = json.loads(out)
    assert "文件有错误" not in err and data["warnings"] == []
    assert data["now"] == "2025-03-11T09:00:00+08:00"
    # Every record discovered by then is there, whatever was recorded in it later.
    everything = load_register(PROJECT, now=t("2099-01-01T00:00"))
    discovered = {i.id for i in everything.incidents if i.discovered_at <= t("2025-03-11T09:00")}
    assert discovered and {d["incident"] for d in data["deadlines"]} <= discovered
    assert all(d["met_at"] is None or d["met_at"] <= "2025-03-11T09:00:00+08:00" for d in data["deadlines"])


def test_stats_count_a_record_archived_later_as_open(register_dir: RegisterDir,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(_archived())
    argv = ["stats", "--root", str(register_dir.root), "--format", "json"]
    _, out, _ = run_cli(argv + ["--now", "2025-03-05T12:00:00+08:00"], capsys)
    then = json.loads(out)
    _, out, _ = run_cli(argv + ["--now", "2025-03-11T12:00:00+08:00"], capsys)
    later = json.loads(out)
    assert _status_count(then, "处置中") == 1 and _status_count(then, "已归档") == 0
    assert _status_count(later, "已归档") == 1


def _status_count(stats: dict[str, Any], status: str) -> int:
    return int(stats["by_status"][status])


def test_only_check_judges_times_against_a_clock(register_dir: RegisterDir,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(_archived())
    # `check --now` before the later events: they are in its future.
    code, out, _ = run_cli(["check", "--root", str(register_dir.root), "--format", "json",
                         "--now", "2025-03-04T13:00:00+08:00"], capsys)
    future = sorted(e["path"] for e in json.loads(out)["errors"] if e["code"] == "time-future")
    assert code == 1 and "review.completed_at" in future and "timeline[7].at" in future
    # Plain `check` uses the real clock: all of it happened.
    code, out, _ = run_cli(["check", "--root", str(register_dir.root), "--format", "json"], capsys)
    assert (code, json.loads(out)["errors"]) == (0, [])
    # A time in the real future is still an error for every command, whatever --now says.
    record = base_incident(id="YQ-2025-0002", timeline=[ev("03T09:30", "研判"),
                                                        {"at": "2099-01-01T00:00:00+08:00", "type": "平息"}])
    register_dir.write(record)
    code, out, err = run_cli(["deadlines", "--root", str(register_dir.root), "--now", "2025-03-04T13:00:00+08:00",
                           "--format", "json"], capsys)
    assert "1 个事件文件有错误" in err


def test_a_record_discovered_later_is_not_there_yet_but_still_known(register_dir: RegisterDir) -> None:
    register_dir.write(base_incident(confidential=True))
    register = load_register(register_dir.root, now=t("2025-03-02T12:00"))
    assert (register.issues, register.incidents) == ((), ())
    # What must know every record whatever the moment (the site's leak guard) still can.
    assert [(i.id, i.confidential) for i in register.later] == [("YQ-2025-0001", True)]


def test_the_site_is_built_as_of_its_build_time(register_dir: RegisterDir) -> None:
    from yuqing.site.collect import collect

    register_dir.write(_archived())
    register_dir.write(base_incident(id="YQ-2025-0002", discovered_at="2025-03-08T09:00:00+08:00",
                                     timeline=[ev("08T09:30", "研判")]))
    site = collect(register_dir.root, t("2025-03-05T12:00"), history=False).site
    assert [(i.id, i.status) for i in site.incidents] == [("YQ-2025-0001", "处置中")]
    assert [(i.id, i.status, len(i.timeline)) for i in site.records(site.incidents)] == [("YQ-2025-0001", "处置中", 5)]
    assert site.deadlines is not None and all(d.met_at is None or d.met_at <= site.now for d in site.deadlines)
