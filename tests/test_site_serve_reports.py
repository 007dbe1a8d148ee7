"""`mkdocs serve` keeps the reports page's reports across rebuilds: what a reader sees is the report a
fresh build makes (its records' edits, a record turned confidential, the 生成于 time), never a stale one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from yuqing.site.collect import collect

from .conftest import RegisterDir, base_incident

CST = timezone(timedelta(hours=8))
TIMELINE = [{"at": "2025-03-05T10:00:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"}]


def _reports(root: Path, now: datetime, preview: bool) -> dict[str, str]:
    return dict(collect(root, now, history=False, downloads=False, preview=preview).site.reports)


def test_serve_reports_follow_edits_confidentiality_and_time(tmp_path: Path) -> None:
    register = RegisterDir(tmp_path)
    register.write(base_incident(id="YQ-2025-0001", title="某超市销售过期酸奶被网民曝光",
                                 discovered_at="2025-03-04T09:00:00+08:00", timeline=TIMELINE))
    register.write(base_incident(id="YQ-2025-0002", title="某小区电梯困人引发网民关注",
                                 discovered_at="2025-03-05T09:00:00+08:00", timeline=TIMELINE))
    now = datetime(2025, 3, 11, 10, 0, tzinfo=CST)  # the last complete week: 3月3日至3月9日
    first = _reports(tmp_path, now, preview=True)
    assert "某超市销售过期酸奶被网民曝光" in first["weekly"] and "生成于 2025-03-11 10:00" in first["weekly"]

    # A rebuild minutes later: the same report, made at the new time.
    later = _reports(tmp_path, now + timedelta(minutes=5), preview=True)
    assert "生成于 2025-03-11 10:05" in later["weekly"] and "10:00" not in later["weekly"].splitlines()[2]
    assert later == _reports(tmp_path, now + timedelta(minutes=5), preview=False)

    # An edited record: the report shows the edit.
    register.write(base_incident(id="YQ-2025-0001", title="某超市销售过期酸奶被网民曝光(已更正)",
                                 discovered_at="2025-03-04T09:00:00+08:00", timeline=TIMELINE))
    edited = _reports(tmp_path, now + timedelta(minutes=6), preview=True)
    assert "(已更正)" in edited["weekly"]
    assert edited == _reports(tmp_path, now + timedelta(minutes=6), preview=False)

    # A record turned confidential: gone from the kept report.
    register.write(base_incident(id="YQ-2025-0002", title="某小区电梯困人引发网民关注", confidential=True,
                                 discovered_at="2025-03-05T09:00:00+08:00", timeline=TIMELINE))
    hidden = _reports(tmp_path, now + timedelta(minutes=7), preview=True)
    assert "某小区电梯困人引发网民关注" not in hidden["weekly"] and "YQ-2025-0002" not in hidden["weekly"]
    assert hidden == _reports(tmp_path, now + timedelta(minutes=7), preview=False)
