"""The change policy table: every row has a case on a real git repository, and the
README and the gate's docs page print exactly the table the code reads."""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest

from yuqing.policy import POLICY, policy_markdown, row

from .conftest import PROJECT, base_incident
from .githelper import GitRegister, repo  # noqa: F401  (repo is a fixture)
from .test_audit import ID, ARCHIVED, _archived, _extension, _open, audit, main_branch  # noqa: F401  (main_branch is a fixture)


def _rewrite(repo: GitRegister, **overrides: Any) -> None:
    repo.write(_open(**overrides))


def _with_events(repo: GitRegister, change: Callable[[list[dict[str, Any]]], None], **overrides: Any) -> None:
    record = _open(**overrides)
    change(record["timeline"])
    repo.write(record)


def _text(repo: GitRegister, name: str, old: str, new: str) -> None:
    path = repo.root / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _on_base(repo: GitRegister, *records: dict[str, Any]) -> None:
    """Put ``records`` on main first (the branch then starts from them)."""
    repo.git("switch", "-q", "main")
    for record in records:
        repo.write(record)
    repo.commit("目标分支上的记录")
    repo.git("switch", "-q", "work")
    repo.git("merge", "-q", "--ff-only", "main")


SERIOUS = "YQ-2025-0003"
"""A 重大 record graded at discovery, no grading event yet: its 4 h and 48 h clocks run from discovery."""


def _first_grading_lowers(repo: GitRegister) -> None:
    _on_base(repo, base_incident(id=SERIOUS, level="重大", status="处置中", timeline=[]))
    repo.write(base_incident(id=SERIOUS, level="一般", status="处置中",
                             timeline=[{"at": "2025-03-03T10:00:00+08:00", "type": "定级", "level": "一般"}]))


def _extension_due_moved(repo: GitRegister) -> None:
    _on_base(repo, _open(extensions=[_extension("2025-03-05T09:00:00+08:00")]))
    repo.write(_open(extensions=[dict(_extension("2025-03-05T09:00:00+08:00"), due="2025-03-13T17:30:00+08:00")]))


def _confidential_named(repo: GitRegister) -> None:
    _on_base(repo, base_incident(id=SERIOUS, title="某涉密案件的处置情况", confidential=True))
    repo.write(_open(summary=f"网民发帖称在某超市购买的酸奶已过保质期,与 {SERIOUS} 有关。"))


CASES: dict[str, Callable[[GitRegister], None]] = {
    "record-added": lambda r: r.write(base_incident(id="YQ-2025-0003")),
    "event-appended": lambda r: _with_events(r, lambda t: t.append({"at": "2025-03-04T09:00:00+08:00", "type": "续报"})),
    "level-follows-events": lambda r: _with_events(
        r, lambda t: t.append({"at": "2025-03-04T09:00:00+08:00", "type": "升级", "level": "重大"}), level="重大"),
    "field-filled": lambda r: _rewrite(r, tags=["过期食品"], units={"lead": "食品经营安全监管科", "assisting": ["南山县局"]}),
    "text-refined": lambda r: _rewrite(r, title="某超市销售过期酸奶被网民曝光(南山店)"),
    "event-recorded-late": lambda r: _with_events(r, lambda t: t.append({"at": "2025-03-03T11:30:00+08:00", "type": "研判"})),
    "withdrawn-changed": lambda r: _rewrite(r, withdrawn={"reason": "误登记"}),
    "confidential-changed": lambda r: _rewrite(r, confidential=True),
    "event-backdated": lambda r: _with_events(
        r, lambda t: t.insert(1, {"at": "2025-03-03T09:35:00+08:00", "type": "新闻发布会"})),
    "extension-late": lambda r: _rewrite(r, extensions=[_extension("2025-03-07T09:00:00+08:00")]),
    "time-changed": lambda r: _rewrite(r, occurred_at="2025-03-02T20:00:00+08:00"),
    "appeal-changed": lambda r: _rewrite(r, appeal={"posted_at": "2025-03-03T12:00:00+08:00", "author": "网友甲"}),
    "field-changed": lambda r: _rewrite(r, category="消费维权"),
    "deadline-removed": _first_grading_lowers,
    "deadline-moved": _extension_due_moved,
    # report-4h (敏感 from discovery 03-03 09:00) is overdue on the base at the clock (03-04 12:00):
    # a 上报 dated 12:00 that day, recorded now, would make it "met".
    "deadline-rescued": lambda r: _with_events(r, lambda t: t.append({"at": "2025-03-03T12:00:00+08:00", "type": "上报"})),
    "config-changed": lambda r: _text(r, "register.yml", "limit: 2\n", "limit: 20\n"),
    "record-deleted": lambda r: r.path(ID).unlink(),
    "record-renamed": lambda r: r.path(ID).rename(r.path(ID).with_name(f"{ID}.yml.bak")),
    "record-misplaced": lambda r: r.write(base_incident(id="YQ-2025-0003"), name="2025/YQ-2025-0003.YML"),
    "id-changed": lambda r: _text(r, f"incidents/2025/{ID}.yml", f"id: {ID}", "id: YQ-2025-0009"),
    "id-taken": lambda r: r.write(base_incident(id=ARCHIVED), name=f"2024/{ARCHIVED}.yml"),
    "event-removed": lambda r: _with_events(r, lambda t: t.pop(2)),
    "event-reordered": lambda r: _with_events(r, lambda t: t.insert(1, t.pop(2))),
    "event-changed": lambda r: _with_events(r, lambda t: t[0].update(by="信息中心")),
    "level-changed": lambda r: _rewrite(r, level="一般"),
    "status-changed": lambda r: _rewrite(r, status="已平息"),
    "field-removed": lambda r: _rewrite(r, units={"lead": "食品经营安全监管科"}, source={"channel": "社交媒体"}),
    "archived-rewritten": lambda r: r.write(_archived(summary="改写后的概要。")),
    "time-offset": lambda r: _with_events(r, lambda t: t.append({"at": "2025-03-04T03:00:00+00:00", "type": "续报"})),
    "confidential-mention": _confidential_named,
    "record-unreadable": lambda r: r.path(ID).write_text("id: [\n", encoding="utf-8"),
}


def test_every_row_has_a_case() -> None:
    assert list(CASES) == [r.code for r in POLICY]


@pytest.mark.parametrize("code", list(CASES))
def test_each_row_on_a_real_repository(main_branch: GitRegister, code: str) -> None:
    policy = row(code)
    CASES[code](main_branch)
    main_branch.commit(f"case {code}")
    result = audit(main_branch.root, "main")
    if policy.cls == "allowed" and not policy.shown:
        assert (result.ok, result.findings) == (True, ())
        return
    found = [f for f in result.findings if f.code == code]
    assert found, [f.code for f in result.findings]
    assert {f.severity for f in found} == {policy.severity}
    assert result.ok == (policy.cls != "refused")
    # nothing else is classed more severely than the row itself
    assert all(f.code == code or f.severity != "error" for f in result.findings)


def test_the_markdown_table_has_a_line_per_row() -> None:
    lines = policy_markdown().splitlines()
    assert lines[:2] == ["| 代码 | 类别 | 改动 | 理由 |", "|---|---|---|---|"]
    assert [re.match(r"^\| `([a-z-]+)` \|", line)[1] for line in lines[2:]] == [r.code for r in POLICY]  # type: ignore[index]


def test_the_readme_prints_the_table() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### 审核规则", 1)[1].split("\n### ", 1)[0]
    assert policy_markdown() in section


def test_the_gate_page_prints_the_table() -> None:
    page = (PROJECT / "docs" / "guide" / "gate.md").read_text(encoding="utf-8")
    assert policy_markdown() in page
