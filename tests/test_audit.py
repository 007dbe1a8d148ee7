"""`yuqing audit`: forbidden changes in a branch, found with file and line, in real git repos."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from yuqing.audit import AuditError, audit

from .conftest import base_incident
from .githelper import GitRegister, repo, run_cli  # noqa: F401  (repo is a fixture)

ID = "YQ-2025-0001"
ARCHIVED = "YQ-2025-0002"


def _archived(**overrides: Any) -> dict[str, Any]:
    record = base_incident(id=ARCHIVED, title="某餐馆后厨卫生问题", status="已归档", timeline=[
        {"at": "2025-03-03T09:30:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"},
        {"at": "2025-03-04T10:00:00+08:00", "type": "平息"},
        {"at": "2025-03-10T10:00:00+08:00", "type": "归档"},
    ])
    record.update(overrides)
    return record


def _open(**overrides: Any) -> dict[str, Any]:
    return base_incident(timeline=[
        {"at": "2025-03-03T09:30:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"},
        {"at": "2025-03-03T10:00:00+08:00", "type": "转办", "by": "综合应急和新闻宣传科"},
        {"at": "2025-03-03T11:00:00+08:00", "type": "线下处置", "by": "食品经营安全监管科"},
    ], **overrides)


@pytest.fixture
def main_branch(repo: GitRegister) -> GitRegister:
    """main holds an open record and an archived one; work goes on in branch `work`."""
    repo.write(_open())
    repo.write(_archived())
    repo.commit("登记两个事件", when="2025-03-11T09:00:00+08:00")
    repo.git("switch", "-q", "-c", "work")
    return repo


def _findings(repo: GitRegister, base: str = "main") -> list[tuple[str, int, int, str, str]]:
    result = audit(repo.root, base)
    return [(f.file, f.line, f.column, f.path, f.code) for f in result.findings]


def _path(incident_id: str) -> str:
    return f"incidents/2025/{incident_id}.yml"


# --- what is allowed -------------------------------------------------------

def test_new_records_and_appended_events_pass(main_branch: GitRegister, capsys) -> None:
    record = _open()
    record["timeline"].append({"at": "2025-03-04T09:00:00+08:00", "type": "答复"})
    record["status"] = "处置中"
    record["summary"] = "网民发帖称在某超市购买的酸奶已过保质期,并附购物小票。"  # open: may be edited
    main_branch.write(record)
    main_branch.write(base_incident(id="YQ-2025-0003"))
    corrected = _archived()
    corrected["timeline"].append({"at": "2025-03-12T09:00:00+08:00", "type": "更正", "note": "来源平台应为抖音"})
    main_branch.write(corrected)
    main_branch.commit("续报、登记 0003、更正 0002", when="2025-03-12T10:00:00+08:00")

    result = audit(main_branch.root, "main")
    assert (result.ok, result.files, result.findings) == (True, 3, ())
    code, out, _ = run_cli(["audit", "--base", "main", "--root", str(main_branch.root)], capsys)
    assert code == 0
    assert out.strip().endswith("本分支改动了 3 个事件文件,均为允许的改动(新增事件、追加记录),通过。")


def test_a_timeline_event_inserted_in_time_order_passes(main_branch: GitRegister) -> None:
    record = _open()
    record["timeline"].insert(1, {"at": "2025-03-03T09:45:00+08:00", "type": "预警"})  # recorded late
    main_branch.write(record)
    main_branch.commit("补记预警")
    assert _findings(main_branch) == []


def test_withdrawing_is_the_way_to_take_a_record_back(main_branch: GitRegister) -> None:
    main_branch.write(_archived(withdrawn={"reason": "重复登记", "duplicate_of": ID}))
    main_branch.write(_open(withdrawn={"reason": "误登记"}))
    main_branch.commit("撤销")
    assert _findings(main_branch) == []


def test_no_change_to_incidents(main_branch: GitRegister) -> None:
    (main_branch.root / "README.md").write_text("说明\n", encoding="utf-8")
    main_branch.commit("文档")
    result = audit(main_branch.root, "main")
    assert (result.ok, result.files) == (True, 0)


# --- what is forbidden -----------------------------------------------------

def test_deleting_a_record(main_branch: GitRegister, capsys) -> None:
    main_branch.path(ID).unlink()
    main_branch.commit("删除")
    assert _findings(main_branch) == [(_path(ID), 1, 1, "", "record-deleted")]
    code, out, _ = run_cli(["audit", "--base", "main", "--root", str(main_branch.root)], capsys)
    assert code == 1
    assert out.splitlines()[0].startswith(f"{_path(ID)}:1:1: 错误[record-deleted] 删除了事件文件 {_path(ID)}。登记过的事件不得删除")
    assert "未通过" in out.splitlines()[-1]


def test_renaming_a_record_away(main_branch: GitRegister) -> None:
    (main_branch.root / "incidents" / "2026").mkdir()
    main_branch.git("mv", _path(ID), "incidents/2026/YQ-2025-0001.yml")
    main_branch.commit("移动")
    assert _findings(main_branch) == [("incidents/2026/YQ-2025-0001.yml", 1, 1, "", "record-renamed")]


def test_rewriting_an_archived_record(main_branch: GitRegister) -> None:
    record = _archived(summary="改写后的概要。")
    record["timeline"][0]["note"] = "补充说明"
    main_branch.write(record)
    main_branch.commit("改写归档记录")
    assert _findings(main_branch) == [
        (_path(ARCHIVED), main_branch.line_of(ARCHIVED, "summary:"), 1, "summary", "archived-rewritten"),
        (_path(ARCHIVED), main_branch.line_of(ARCHIVED, "- at: '2025-03-03T09:30"), 3, "timeline[0]",
         "archived-rewritten"),
    ]


def test_archived_record_grows_only_by_correction(main_branch: GitRegister) -> None:
    record = _archived()
    record["timeline"].append({"at": "2025-03-12T09:00:00+08:00", "type": "续报"})
    main_branch.write(record)
    main_branch.commit("追加续报")
    assert _findings(main_branch) == [
        (_path(ARCHIVED), main_branch.line_of(ARCHIVED, "- at: '2025-03-12T09:00"), 3, "timeline[3]",
         "archived-rewritten"),
    ]
    message = audit(main_branch.root, "main").findings[0].message
    assert message == "已归档的记录追加了“续报”事件。归档后只能追加“更正”事件。"


def test_reopening_an_archived_record(main_branch: GitRegister) -> None:
    main_branch.write(_archived(status="处置中"))
    main_branch.commit("重新打开")
    assert _findings(main_branch) == [
        (_path(ARCHIVED), main_branch.line_of(ARCHIVED, "status:"), 1, "status", "archived-rewritten")]


def test_removing_a_timeline_event(main_branch: GitRegister) -> None:
    record = _open()
    del record["timeline"][1]
    main_branch.write(record)
    main_branch.commit("删除转办")
    [finding] = audit(main_branch.root, "main").findings
    assert (finding.file, finding.line, finding.column, finding.path, finding.code) == (
        _path(ID), main_branch.line_of(ID, "timeline:"), 1, "timeline[1]", "event-removed")
    assert finding.message.startswith("处置经过第 2 条“转办”(2025-03-03T10:00:00+08:00,原文件第 ")


def test_changing_an_event_time_counts_as_removing_it(main_branch: GitRegister) -> None:
    record = _open()
    record["timeline"][2]["at"] = "2025-03-03T10:30:00+08:00"
    main_branch.write(record)
    main_branch.commit("改时间")
    assert [f[4] for f in _findings(main_branch)] == ["event-removed"]


def test_reordering_timeline_events(main_branch: GitRegister) -> None:
    record = _open()
    events = record["timeline"]
    record["timeline"] = [events[0], events[2], events[1]]
    main_branch.write(record)
    main_branch.commit("调换顺序")
    assert _findings(main_branch) == [
        (_path(ID), main_branch.line_of(ID, "- at: '2025-03-03T11:00"), 3, "timeline[1]", "event-reordered")]


def test_changing_an_id(main_branch: GitRegister) -> None:
    text = main_branch.path(ID).read_text(encoding="utf-8").replace(f"id: {ID}", "id: YQ-2025-0009")
    main_branch.path(ID).write_text(text, encoding="utf-8")
    main_branch.commit("改编号")
    assert _findings(main_branch) == [(_path(ID), 1, 5, "id", "id-changed")]


def test_two_staff_registering_the_same_id(main_branch: GitRegister, capsys) -> None:
    # 张三 registers 0003 and it is merged; 李四's branch, started before, also took 0003.
    main_branch.git("switch", "-q", "main")
    main_branch.git("switch", "-q", "-c", "incident/zhang")
    main_branch.write(base_incident(id="YQ-2025-0003", title="张三登记的事件"))
    main_branch.commit("登记 YQ-2025-0003 张三登记的事件", author="张三", when="2025-03-12T10:00:00+08:00")
    assert _findings(main_branch) == []  # before the other is merged, either branch is fine
    main_branch.git("switch", "-q", "main")
    main_branch.git("merge", "-q", "--ff-only", "incident/zhang")
    main_branch.git("switch", "-q", "-c", "incident/li", "HEAD~1")
    main_branch.write(base_incident(id="YQ-2025-0003", title="李四登记的事件"))
    main_branch.commit("登记 YQ-2025-0003 李四登记的事件", author="李四", when="2025-03-12T10:01:00+08:00")

    assert _findings(main_branch) == [(_path("YQ-2025-0003"), 1, 5, "id", "id-taken")]
    code, out, _ = run_cli(["audit", "--base", "main", "--format", "github", "--root", str(main_branch.root)], capsys)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"::error file={_path('YQ-2025-0003')},line=1,col=5,title=yuqing audit [id-taken]::"
                            "编号 YQ-2025-0003 在目标分支上已被 incidents/2025/YQ-2025-0003.yml 占用")


def test_findings_point_at_the_head_after_merging_the_base(main_branch: GitRegister) -> None:
    # The base moved on (someone else's record); the branch merged it in: only the branch's own change counts.
    main_branch.git("switch", "-q", "main")
    main_branch.write(base_incident(id="YQ-2025-0004"))
    main_branch.commit("登记 YQ-2025-0004", when="2025-03-12T11:00:00+08:00")
    main_branch.git("switch", "-q", "work")
    main_branch.path(ID).unlink()
    main_branch.commit("删除", when="2025-03-12T12:00:00+08:00")
    main_branch.git("merge", "-q", "--no-edit", "main", when="2025-03-12T13:00:00+08:00")
    assert _findings(main_branch) == [(_path(ID), 1, 1, "", "record-deleted")]


def test_json_output(main_branch: GitRegister, capsys) -> None:
    main_branch.path(ID).unlink()
    main_branch.commit("删除")
    code, out, _ = run_cli(["audit", "--base", "main", "--format", "json", "--root", str(main_branch.root)], capsys)
    data = json.loads(out)
    assert (code, data["ok"], data["base"], data["files"]) == (1, False, "main", 1)
    assert data["merge_base"] == main_branch.git("rev-parse", "main")
    assert [(f["file"], f["code"], f["severity"]) for f in data["findings"]] == [(_path(ID), "record-deleted", "error")]


def test_unknown_base_is_a_usage_error(main_branch: GitRegister, capsys) -> None:
    with pytest.raises(AuditError):
        audit(main_branch.root, "origin/main")
    code, _, err = run_cli(["audit", "--base", "origin/main", "--root", str(main_branch.root)], capsys)
    assert code == 2
    assert "找不到 origin/main" in err and "fetch-depth: 0" in err


def test_not_a_repository_is_a_usage_error(register_dir, capsys) -> None:
    code, _, err = run_cli(["audit", "--base", "main", "--root", str(register_dir.root)], capsys)
    assert (code, "不在 git 仓库中" in err) == (2, True)


def test_unreadable_change_is_reported(main_branch: GitRegister) -> None:
    main_branch.path(ID).write_text("id: [\n", encoding="utf-8")
    main_branch.commit("弄坏了")
    assert [f[4] for f in _findings(main_branch)] == ["record-unreadable"]


def test_workflow_and_hooks_are_wired(tmp_path: Path) -> None:
    import yaml

    project = Path(__file__).resolve().parents[1]
    workflow = yaml.safe_load((project / ".github" / "workflows" / "pr.yml").read_text(encoding="utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "yuqing check --history --changed-since origin/${{ github.base_ref }} --format github" in runs
    assert "yuqing audit --base origin/${{ github.base_ref }} --format github" in runs
    hooks = yaml.safe_load((project / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [(h["id"], h["entry"], h["files"]) for h in hooks] == [("yuqing-check", "yuqing check", r"^incidents/.*\.ya?ml$")]
