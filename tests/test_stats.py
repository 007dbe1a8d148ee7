"""`yuqing stats` against a small register whose every figure is counted by hand below."""

from __future__ import annotations

import json
from typing import Any

import pytest

from yuqing.cli import main

from .conftest import base_incident

NOW = "2025-04-10T12:00:00+08:00"


def _ev(at: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"at": f"2025-{at}:00+08:00", "type": kind, **extra}


def small_register() -> list[dict[str, Any]]:
    """Seven records; the expected figures are worked out in the comments.

    A 0001 一般 监测中 食品安全/社交媒体/食品经营安全监管科; appeal posted Mon 03-03 09:00.
      first-reply-3wh: due 12:00 (3 working hours), 初步回应 11:00 -> met.
      reply-3wd: start day not counted; Tue, Wed, Thu -> due Thu 03-06 17:30; 答复 03-07 -> met_late.
      first response 2h after discovery.
    B 0002 敏感 已平息 食品安全/网络媒体/食品经营安全监管科; 定级敏感 03-05 10:00.
      report-4h: due 14:00, 上报 13:00 -> met. Report 3h, response (发布权威信息 16:00) 6h, 平息 72h.
    C 0003 重大 处置中 产品质量/自媒体/产品质量安全监督管理科; occurred 03-10 07:00, discovered 08:00,
      定级一般 08:10, 升级重大 12:00 (1 escalation).
      report-4h: from 12:00, due 16:00, 上报 17:00 -> met_late (report 9h after discovery).
      respond-48h: from occurrence 07:00, due 03-12 07:00, no response -> overdue.
    D 0004 一般 已归档 特种设备/电视广播/特种设备安全监察科; 定级特别重大 03-12 20:00, 降级一般 03-15 (1 downgrade).
      report-2h: due 22:00, 上报 21:00 -> met (report 1h).
      release-4h: due 03-13 00:00, 发布权威信息 23:00 -> met (response 3h).
      press-24h: due 03-13 20:00, 新闻发布会 21:00 -> met_late. 平息 03-16 10:00 (86h).
    E 0005 withdrawn: left out of everything.
    F 0006 一般 已平息, confidential, 价格监管/群众来电/西城区局, 04-01 09:00; 平息 04-02 09:00 (24h).
    G 0007 敏感 监测中 食品安全/社交媒体/食品经营安全监管科; 定级敏感 04-10 10:00, no 上报:
      report-4h due 14:00, now 12:00 -> pending (2 h left, window 1 h).
    """
    food = {"lead": "食品经营安全监管科"}
    return [
        base_incident(id="YQ-2025-0001", discovered_at="2025-03-03T09:00:00+08:00", units=food,
                      appeal={"posted_at": "2025-03-03T09:00:00+08:00"},
                      timeline=[_ev("03-03T09:30", "研判"), _ev("03-03T11:00", "初步回应"),
                                _ev("03-07T10:00", "答复")]),
        base_incident(id="YQ-2025-0002", level="敏感", status="已平息", discovered_at="2025-03-05T10:00:00+08:00",
                      source={"channel": "网络媒体"}, units=food,
                      timeline=[_ev("03-05T10:00", "定级", level="敏感"), _ev("03-05T13:00", "上报"),
                                _ev("03-05T16:00", "发布权威信息"), _ev("03-08T10:00", "平息")]),
        base_incident(id="YQ-2025-0003", level="重大", status="处置中", category="产品质量",
                      occurred_at="2025-03-10T07:00:00+08:00", discovered_at="2025-03-10T08:00:00+08:00",
                      source={"channel": "自媒体"}, units={"lead": "产品质量安全监督管理科"},
                      timeline=[_ev("03-10T08:10", "定级", level="一般"), _ev("03-10T12:00", "升级", level="重大"),
                                _ev("03-10T17:00", "上报")]),
        base_incident(id="YQ-2025-0004", level="一般", status="已归档", category="特种设备",
                      discovered_at="2025-03-12T20:00:00+08:00", source={"channel": "电视广播"},
                      units={"lead": "特种设备安全监察科"},
                      timeline=[_ev("03-12T20:00", "定级", level="特别重大"), _ev("03-12T21:00", "上报"),
                                _ev("03-12T23:00", "发布权威信息"), _ev("03-13T21:00", "新闻发布会"),
                                _ev("03-15T10:00", "降级", level="一般"), _ev("03-16T10:00", "平息"),
                                _ev("03-17T10:00", "评估总结"), _ev("03-18T10:00", "归档")],
                      review={"cause": "设备故障", "nature": "安全事故", "impact": "较大", "responsibility": "企业",
                              "lessons": "加强检验", "completed_at": "2025-03-17T10:00:00+08:00"}),
        base_incident(id="YQ-2025-0005", level="敏感", discovered_at="2025-03-06T09:00:00+08:00",
                      timeline=[_ev("03-06T09:10", "定级", level="敏感")],
                      withdrawn={"reason": "重复登记", "duplicate_of": "YQ-2025-0002"}),
        base_incident(id="YQ-2025-0006", status="已平息", category="价格监管", confidential=True,
                      discovered_at="2025-04-01T09:00:00+08:00", source={"channel": "群众来电"},
                      units={"lead": "西城区局"},
                      timeline=[_ev("04-01T09:10", "转办"), _ev("04-02T09:00", "平息")]),
        base_incident(id="YQ-2025-0007", level="敏感", discovered_at="2025-04-10T10:00:00+08:00", units=food,
                      timeline=[_ev("04-10T10:00", "定级", level="敏感")]),
    ]


@pytest.fixture
def small(register_dir: Any) -> Any:
    for record in small_register():
        register_dir.write(record)
    return register_dir


def run_json(capsys: Any, root: Any, *args: str) -> dict[str, Any]:
    code = main(["stats", "--root", str(root), "--now", NOW, "--format", "json", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_register_is_valid(small: Any, capsys: Any) -> None:
    assert main(["check", "--root", str(small.root), "--now", NOW]) == 0, capsys.readouterr().out


def test_json_counts_match_hand_counts(small: Any, capsys: Any) -> None:
    data = run_json(capsys, small.root)
    assert list(data)[:7] == ["total", "by_level", "by_status", "by_unit", "by_category", "by_month", "timeliness"]
    assert data["total"] == 6
    assert data["withdrawn"] == 1
    assert data["confidential"] == 1
    assert data["by_level"] == {"一般": 3, "敏感": 2, "重大": 1, "特别重大": 0}
    assert data["by_status"] == {"监测中": 2, "处置中": 1, "已平息": 2, "已归档": 1}
    assert data["by_unit"] == {"食品经营安全监管科": 3, "产品质量安全监督管理科": 1, "特种设备安全监察科": 1,
                               "西城区局": 1}
    assert data["by_category"] == {"食品安全": 3, "产品质量": 1, "特种设备": 1, "价格监管": 1}
    assert data["by_channel"] == {"社交媒体": 2, "网络媒体": 1, "自媒体": 1, "电视广播": 1, "群众来电": 1}
    assert data["by_month"] == {"2025-03": 4, "2025-04": 2}
    assert data["open"] == 3
    assert data["escalations"] == {"incidents": 1, "steps": 1, "ids": ["YQ-2025-0003"]}
    assert data["downgrades"] == {"incidents": 1, "steps": 1, "ids": ["YQ-2025-0004"]}


def test_json_timeliness_matches_hand_counts(small: Any, capsys: Any) -> None:
    data = run_json(capsys, small.root)
    got = {rule: (t["met"], t["met_late"], t["overdue"], t["pending"]) for rule, t in data["timeliness"].items()}
    assert got == {
        "report-2h": (1, 0, 0, 0),
        "report-4h": (1, 1, 0, 1),
        "release-4h": (1, 0, 0, 0),
        "press-24h": (0, 1, 0, 0),
        "respond-48h": (0, 0, 1, 0),
        "first-reply-3wh": (1, 0, 0, 0),
        "reply-3wd": (0, 1, 0, 0),
    }
    assert data["timeliness"]["report-4h"]["on_time_rate"] == 0.5
    assert data["timeliness"]["respond-48h"]["on_time_rate"] == 0.0
    # 4 met of 8 judged (3 met late, 1 overdue still open); the pending one is not judged yet.
    assert data["on_time_rate"] == 0.5
    assert data["misses"] == 4
    assert data["pending"] == 1


def test_durations_median_and_p90(small: Any, capsys: Any) -> None:
    durations = run_json(capsys, small.root)["durations"]
    # report: D 1h (特别重大), B 3h (敏感), C 9h (重大, its highest level)
    assert durations["report"]["全部"] == {"count": 3, "waiting": 3, "median_minutes": 180.0, "p90_minutes": 540.0}
    assert durations["report"]["重大"]["median_minutes"] == 540.0
    assert durations["report"]["一般"]["count"] == 0
    # response: A 2h (初步回应), D 3h, B 6h; C none
    assert durations["response"]["全部"] == {"count": 3, "waiting": 3, "median_minutes": 180.0,
                                            "p90_minutes": 360.0}
    # settled: F 24h, B 72h, D 86h
    assert durations["settled"]["全部"]["median_minutes"] == 72 * 60.0
    assert durations["settled"]["全部"]["p90_minutes"] == 86 * 60.0
    # D reached 特别重大 before its downgrade, so it is judged there.
    assert durations["settled"]["特别重大"]["median_minutes"] == 86 * 60.0


def test_unit_scorecards(small: Any, capsys: Any) -> None:
    units = run_json(capsys, small.root)["units"]
    assert units["食品经营安全监管科"] == {"incidents": 3, "open": 2, "deadlines": 3, "met": 2, "met_late": 1,
                                           "overdue": 0, "misses": 1, "on_time_rate": 0.6667, "extensions": 0}
    assert units["产品质量安全监督管理科"]["misses"] == 2
    assert units["产品质量安全监督管理科"]["on_time_rate"] == 0.0
    assert units["西城区局"]["deadlines"] == 0
    assert units["西城区局"]["on_time_rate"] is None


def test_exclude_confidential_and_period(small: Any, capsys: Any) -> None:
    data = run_json(capsys, small.root, "--exclude-confidential")
    assert data["total"] == 5
    assert data["by_level"]["一般"] == 2
    assert "西城区局" not in data["by_unit"]
    april = run_json(capsys, small.root, "--since", "2025-04-01", "--until", "2025-04-30")
    assert april["total"] == 2
    assert april["by_month"] == {"2025-04": 2}
    assert april["since"] == "2025-04-01T00:00:00+08:00"
    assert april["until"] == "2025-05-01T00:00:00+08:00"
    # Only G's deadline belongs to April's incidents.
    assert april["timeliness"]["report-4h"]["pending"] == 1
    assert april["timeliness"]["respond-48h"]["overdue"] == 0
    # An inclusive end day: --until 2025-03-05 keeps B, discovered on 03-05 at 10:00.
    assert run_json(capsys, small.root, "--until", "2025-03-05")["total"] == 2
    assert run_json(capsys, small.root, "--since", "2025-03")["total"] == 6
    # A year stands for its first day (--since) or its last day included (--until).
    year = run_json(capsys, small.root, "--since", "2025", "--until", "2025")
    assert (year["since"], year["until"]) == ("2025-01-01T00:00:00+08:00", "2026-01-01T00:00:00+08:00")
    assert year["total"] == run_json(capsys, small.root, "--since", "2025-01-01", "--until", "2025-12-31")["total"]


def test_by_month_fills_empty_months(register_dir: Any, capsys: Any) -> None:
    register_dir.write(base_incident(id="YQ-2025-0001", discovered_at="2025-01-10T09:00:00+08:00",
                                     timeline=[_ev("01-10T09:30", "研判")]))
    register_dir.write(base_incident(id="YQ-2025-0002", discovered_at="2025-03-10T09:00:00+08:00",
                                     timeline=[_ev("03-10T09:30", "研判")]))
    data = run_json(capsys, register_dir.root)
    assert data["by_month"] == {"2025-01": 1, "2025-02": 0, "2025-03": 1}


def test_text_output_is_a_chinese_summary(small: Any, capsys: Any) -> None:
    assert main(["stats", "--root", str(small.root), "--now", NOW]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "舆情统计 · 范围:全部 · 共 6 起(不含撤销 1 起,含涉密 1 起)"
    assert "当前等级:一般 3、敏感 2、重大 1、特别重大 0" in out
    assert "按时率 50.0%" in out
    lines = out.splitlines()
    header = lines.index("按等级(当前等级)")
    assert lines[header + 1].split() == ["等级", "起数", "占比"]
    assert lines[header + 3].split() == ["一般", "3", "50.0%"]


def test_by_unit_csv(small: Any, capsys: Any) -> None:
    assert main(["stats", "--root", str(small.root), "--now", NOW, "--by", "unit", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "责任单位,舆情,在办,时限,按时,未按时,按时率,延期"
    assert rows[1] == "食品经营安全监管科,3,2,3,2,1,66.7%,0"


def test_bad_dates_are_usage_errors(small: Any, capsys: Any) -> None:
    assert main(["stats", "--root", str(small.root), "--now", NOW, "--since", "2025-02-30"]) == 2
    assert "不是有效日期" in capsys.readouterr().err
    assert main(["stats", "--root", str(small.root), "--now", NOW, "--since", "2025-04-01",
                 "--until", "2025-03-01"]) == 2
    assert "截止日期早于起始日期" in capsys.readouterr().err


def test_a_file_with_errors_is_left_out_not_guessed(register_dir: Any, capsys: Any) -> None:
    """A typo in one file must neither crash the figures nor put a made-up level or 1970 in them."""
    register_dir.write(base_incident())
    register_dir.write(base_incident(id="YQ-2025-0002", level="重要"))
    register_dir.write(base_incident(id="YQ-2025-0003", discovered_at="2025-03-3 09:00"))
    result = run_json(capsys, register_dir.root)
    assert result["total"] == 1
    assert result["by_month"] == {"2025-03": 1}
    assert main(["report", "monthly", "--period", "2025-03", "--root", str(register_dir.root), "--now", NOW]) == 0
    assert "2 个事件文件有错误,以下结果不含这些文件" in capsys.readouterr().err
