"""`yuqing audit`: every change a branch makes, classified, with file and line, in real git repos.

The attacks of issue 10 (a silent downgrade, a deleted appeal, a rewritten note, a
back-dated press conference, a late extension, renames that hide a record, symlinks,
ids with a newline, a branch that changes the rules, a stale branch rewriting a record
the base archived) are each a test here; tests/test_policy.py walks the policy table
row by row.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from yuqing.audit import AuditError, AuditResult
from yuqing.audit import audit as audit_at

NOW = "2025-03-04T12:00:00+08:00"
"""The audit's clock in these tests (the registers' events are of March 2025)."""


def audit(root: Path, base: str, head: str = "HEAD", **options: Any) -> AuditResult:
    """The audit as of NOW unless a test says otherwise."""
    from datetime import datetime

    options.setdefault("now", datetime.fromisoformat(options.pop("at", NOW)))
    return audit_at(root, base, head, **options)

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
    """An open 敏感 record with an appeal: 研判, 升级 to 敏感, 转办, 线下处置."""
    fields: dict[str, Any] = dict(
        level="敏感", status="处置中", appeal={"posted_at": "2025-03-03T09:00:00+08:00", "author": "网友甲"}, timeline=[
            {"at": "2025-03-03T09:30:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"},
            {"at": "2025-03-03T09:40:00+08:00", "type": "升级", "level": "敏感", "by": "综合应急和新闻宣传科"},
            {"at": "2025-03-03T10:00:00+08:00", "type": "转办", "by": "综合应急和新闻宣传科", "note": "转食品经营安全监管科核查"},
            {"at": "2025-03-03T11:00:00+08:00", "type": "线下处置", "by": "食品经营安全监管科"},
        ])
    fields.update(overrides)
    return base_incident(**fields)


@pytest.fixture
def main_branch(repo: GitRegister) -> GitRegister:
    """main holds an open record and an archived one; work goes on in branch `work`."""
    repo.write(_open())
    repo.write(_archived())
    repo.commit("登记两个事件", when="2025-03-11T09:00:00+08:00")
    repo.git("switch", "-q", "-c", "work")
    return repo


def _findings(repo: GitRegister, base: str = "main", **options: Any) -> list[tuple[str, int, int, str, str, str]]:
    result = audit(repo.root, base, **options)
    return [(f.file, f.line, f.column, f.path, f.code, f.severity) for f in result.findings]


def _codes(repo: GitRegister, base: str = "main", **options: Any) -> list[tuple[str, str]]:
    return [(f[4], f[5]) for f in _findings(repo, base, **options)]


def _message(repo: GitRegister, code: str) -> str:
    return next(f.message for f in audit(repo.root, "main").findings if f.code == code)


def _path(incident_id: str) -> str:
    return f"incidents/2025/{incident_id}.yml"


def _audit_cli(repo: GitRegister, capsys, *args: str) -> tuple[int, str]:
    code, out, _ = run_cli(["audit", "--base", "main", "--now", NOW, "--root", str(repo.root), *args], capsys)
    return code, out


# --- what is allowed -------------------------------------------------------

def test_new_records_and_appended_events_pass(main_branch: GitRegister, capsys) -> None:
    record = _open()
    record["timeline"].append({"at": "2025-03-04T09:00:00+08:00", "type": "答复", "by": "消费者权益保护科"})
    record["tags"] = ["过期食品"]                       # a field absent on the base, filled
    record["source"]["url"] = "https://weibo.com/1/2"  # likewise
    main_branch.write(record)
    main_branch.write(base_incident(id="YQ-2025-0003"))
    corrected = _archived()
    corrected["timeline"].append({"at": "2025-03-12T09:00:00+08:00", "type": "更正", "note": "第 1 条研判的执行单位应为信息中心"})
    main_branch.write(corrected)
    main_branch.commit("续报、登记 0003、更正 0002", when="2025-03-12T10:00:00+08:00")

    result = audit(main_branch.root, "main")
    assert (result.ok, result.files, result.findings, result.settings) == (True, 3, (), "base")
    code, out = _audit_cli(main_branch, capsys)
    assert code == 0
    assert out.strip().endswith("本分支改动了 3 个事件文件,没有不允许的改动,通过。(按目标分支的设置和规则审核)")


def test_escalating_and_closing_follow_the_appended_events(main_branch: GitRegister) -> None:
    record = _open(level="重大", status="已平息")
    record["timeline"] += [
        {"at": "2025-03-04T09:00:00+08:00", "type": "升级", "level": "重大", "by": "综合应急和新闻宣传科"},
        {"at": "2025-03-05T09:00:00+08:00", "type": "平息"},
    ]
    main_branch.write(record)
    main_branch.commit("升级并平息")
    assert _findings(main_branch) == []


def test_refined_text_of_an_open_record_is_shown_as_info(main_branch: GitRegister, capsys) -> None:
    main_branch.write(_open(summary="网民发帖称在某超市购买的酸奶已过保质期,并附购物小票。"))
    main_branch.commit("完善概要")
    assert _findings(main_branch) == [(_path(ID), main_branch.line_of(ID, "summary:"), 10, "summary", "text-refined", "info")]
    code, out = _audit_cli(main_branch, capsys)
    assert code == 0
    assert out.splitlines()[0] == "提示(允许的改动,站点的修改记录保留旧值):"
    assert out.splitlines()[1].startswith(f"{_path(ID)}:{main_branch.line_of(ID, 'summary:')}:10: summary: 提示[text-refined] "
                                          "summary 由 “网民发帖称在某超市购买的酸奶已过保质期。” 改为")


# --- approval --------------------------------------------------------------

def test_withdrawing_or_marking_confidential_needs_approval(main_branch: GitRegister, capsys) -> None:
    main_branch.write(_archived(withdrawn={"reason": "重复登记", "duplicate_of": ID}))
    main_branch.write(_open(confidential=True))
    main_branch.commit("撤销 0002,0001 标为涉密")
    assert _codes(main_branch) == [("confidential-changed", "approval"), ("withdrawn-changed", "approval")]
    code, out = _audit_cli(main_branch, capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "需要审批(合并前须由审批人审核,各条写明原因):"
    assert lines[1].endswith("需审批[confidential-changed] 新增了涉密标记(confidential):(无) → true。"
                             "涉密让事件从公开站点消失,解密会公开它;合并前须经审批人审核。")
    assert "另有 2 处改动需要审批人(CODEOWNERS)审核后才能合并" in lines[-1]
    code, _ = _audit_cli(main_branch, capsys, "--fail-on", "approval")
    assert code == 1
    code, out = _audit_cli(main_branch, capsys, "--format", "approvals")
    assert (code, out.splitlines()[0], out.count("\n- ")) == (0, "## 需要审批", 2)


def test_a_back_dated_press_conference_between_events_needs_approval(main_branch: GitRegister) -> None:
    record = _open()
    record["timeline"].insert(2, {"at": "2025-03-03T09:50:00+08:00", "type": "新闻发布会", "by": "综合应急和新闻宣传科"})
    main_branch.write(record)
    main_branch.commit("补录新闻发布会")
    line = main_branch.line_of(ID, "- at: '2025-03-03T09:50")
    assert _findings(main_branch) == [(_path(ID), line, 3, "timeline[2]", "event-backdated", "approval"),
                                      (_path(ID), line, 3, "timeline[2]", "event-recorded-late", "info")]
    assert _message(main_branch, "event-backdated").startswith(
        "新增的第 3 条“新闻发布会”(2025-03-03T09:50:00+08:00)插在已有事件之间,属于补录。")


def test_an_appended_event_dated_before_the_last_one_is_back_dated(main_branch: GitRegister) -> None:
    record = _open()
    record["timeline"].append({"at": "2025-03-03T10:30:00+08:00", "type": "初步回应", "by": "消费者权益保护科"})
    main_branch.write(record)
    main_branch.commit("补录初步回应")
    assert _codes(main_branch, at="2025-03-03T11:30:00+08:00") == [("event-backdated", "approval")]
    # A day later the 3-working-hour first reply (due 03-03 12:00) is overdue on the base: the
    # back-dated reply turns it into "met", and it was recorded 25 h after its time.
    assert _codes(main_branch) == [("deadline-rescued", "approval"), ("event-backdated", "approval"),
                                   ("event-recorded-late", "info")]


def _extension(approved_at: str) -> dict[str, Any]:
    return {"rule": "reply-3wd", "reason": "需现场核查", "approved_by": "分管局领导", "approved_at": approved_at,
            "due": "2025-03-12T17:30:00+08:00"}


def test_an_extension_approved_after_the_due_needs_approval(main_branch: GitRegister) -> None:
    # appeal Mon 2025-03-03 09:00: the 3-working-day reply is due at the end of Thu 03-06.
    main_branch.write(_open(extensions=[_extension("2025-03-10T09:00:00+08:00")]))
    main_branch.commit("补批延期")
    line = main_branch.line_of(ID, "- rule: reply-3wd")
    assert _findings(main_branch) == [(_path(ID), line, 3, "extensions[0]", "extension-late", "approval")]
    assert _message(main_branch, "extension-late") == (
        "新增的“网民诉求 3 个工作日内答复”延期批准于 2025-03-10T09:00:00+08:00,晚于正常时限 2025-03-06T17:30:00+08:00。"
        "逾期后再补批延期会掩盖逾期;按目标分支的规则计算正常时限。合并前须经审批人审核。")


def test_an_extension_approved_in_time_passes(main_branch: GitRegister) -> None:
    main_branch.write(_open(extensions=[_extension("2025-03-05T09:00:00+08:00")]))
    main_branch.commit("延期")
    assert _findings(main_branch) == []


def test_a_new_record_with_a_late_extension_needs_approval(main_branch: GitRegister) -> None:
    main_branch.write(_open(id="YQ-2025-0003", extensions=[_extension("2025-03-10T09:00:00+08:00")]))
    main_branch.commit("补登记")
    assert _codes(main_branch) == [("extension-late", "approval")]


def test_moving_the_appeal_later_does_not_make_a_late_extension_timely(main_branch: GitRegister) -> None:
    main_branch.write(_open(appeal={"posted_at": "2025-03-07T09:00:00+08:00"},
                            extensions=[_extension("2025-03-10T09:00:00+08:00")]))
    main_branch.commit("改发帖时间并补批延期")
    assert sorted(_codes(main_branch)) == [("appeal-changed", "approval"), ("extension-late", "approval"),
                                           ("field-removed", "error")]  # the author was dropped too


def test_the_normal_due_comes_from_the_base_settings(main_branch: GitRegister) -> None:
    # The branch makes the reply rule 30 working days long, then records a late extension.
    config = main_branch.root / "register.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    limit: 3\n    unit: working_days", "    limit: 30\n    unit: working_days"), encoding="utf-8")
    main_branch.write(_open(extensions=[_extension("2025-03-10T09:00:00+08:00")]))
    main_branch.commit("放宽时限并补批延期")
    assert _codes(main_branch) == [("extension-late", "approval"), ("config-changed", "approval")]
    assert [f[4] for f in _findings(main_branch, settings="worktree")] == ["config-changed"]  # what the branch wished


def test_a_named_rule_set_is_read_from_the_base_commit(repo: GitRegister) -> None:
    # register.yml names a rule set; the base commit's copy of it (30 working days) judges,
    # not the one installed with the tool that runs (3 working days).
    from .conftest import PROJECT

    config = repo.root / "register.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[:text.index("\nrules:")] + "\nrules: default\n", encoding="utf-8")
    ruleset = repo.root / "scripts" / "yuqing" / "rulesets" / "default.yml"
    ruleset.parent.mkdir(parents=True)
    ruleset.write_text((PROJECT / "scripts" / "yuqing" / "rulesets" / "default.yml").read_text(encoding="utf-8").replace(
        "    limit: 3\n    unit: working_days", "    limit: 30\n    unit: working_days"), encoding="utf-8")
    repo.write(_open())
    repo.commit("台账")
    repo.git("switch", "-q", "-c", "work")
    repo.write(_open(extensions=[_extension("2025-03-10T09:00:00+08:00")]))
    repo.commit("延期")
    assert _findings(repo) == []
    assert [f[4] for f in _findings(repo, settings="worktree")] == ["extension-late"]


def test_moving_the_appeal_or_the_discovery_needs_approval(main_branch: GitRegister) -> None:
    record = _open(discovered_at="2025-03-03T09:10:00+08:00")
    record["appeal"]["posted_at"] = "2025-03-03T16:00:00+08:00"
    main_branch.write(record)
    main_branch.commit("改发帖时间")
    assert _findings(main_branch) == [
        (_path(ID), main_branch.line_of(ID, "discovered_at:"), 1, "discovered_at", "time-changed", "approval"),
        (_path(ID), main_branch.line_of(ID, "posted_at:"), 3, "appeal.posted_at", "appeal-changed", "approval"),
    ]


def test_changing_the_rules_the_schemas_the_workflows_or_the_code_needs_approval(main_branch: GitRegister, capsys) -> None:
    root = main_branch.root
    (root / "register.yml").write_text((root / "register.yml").read_text(encoding="utf-8").replace(
        "limit: 2\n", "limit: 200\n"), encoding="utf-8")
    (root / "schemas" / "incident.schema.json").write_text("{}", encoding="utf-8")
    for name in (".github/workflows/pr.yml", "scripts/yuqing/audit.py", "scripts/yuqing/rulesets/default.yml"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("# changed\n", encoding="utf-8")
    (root / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    (root / "notes.md").write_text("说明\n", encoding="utf-8")  # outside incidents/: a setting too
    main_branch.commit("改规则和代码")
    assert [(f[0], f[4], f[5]) for f in _findings(main_branch)] == [
        (".github/workflows/pr.yml", "config-changed", "approval"),
        ("notes.md", "config-changed", "approval"),
        ("pyproject.toml", "config-changed", "approval"),
        ("register.yml", "config-changed", "approval"),
        ("schemas/incident.schema.json", "config-changed", "approval"),
        ("scripts/yuqing/audit.py", "config-changed", "approval"),
        ("scripts/yuqing/rulesets/default.yml", "config-changed", "approval"),
    ]
    code, out = _audit_cli(main_branch, capsys)
    assert code == 0
    assert "register.yml:1:1: 需审批[config-changed] 修改了 register.yml。这些文件决定规则和审核本身" in out


# --- refused: rewriting what is recorded -------------------------------------------

def test_a_silent_downgrade_is_refused(main_branch: GitRegister, capsys) -> None:
    # The 升级 event's level and the top level both rewritten: the 4 h clock would vanish.
    record = _open(level="一般")
    record["timeline"][1]["level"] = "一般"
    main_branch.write(record)
    main_branch.commit("改等级")
    event_line = main_branch.line_of(ID, "- at: '2025-03-03T09:40") + 2  # at, type, level
    assert main_branch.path(ID).read_text(encoding="utf-8").splitlines()[event_line - 1] == "  level: 一般"
    assert _findings(main_branch) == [
        (_path(ID), main_branch.line_of(ID, "level:"), 8, "level", "level-changed", "error"),
        (_path(ID), event_line, 10, "timeline[1].level", "event-changed", "error"),
    ]
    assert _message(main_branch, "event-changed").startswith(
        "处置经过第 2 条“升级”(2025-03-03T09:40:00+08:00,原文件第 ")
    assert "被修改:level 由 “敏感” 改为 “一般”。已记录的事件不得删除或改写;如需更正,请恢复原样,在末尾追加一条“更正”事件," \
           "在 note 中写明更正的是第 2 条(2025-03-03T09:40:00+08:00 升级)及正确内容。" in _message(main_branch, "event-changed")
    code, out = _audit_cli(main_branch, capsys, "--format", "json")
    data = json.loads(out)
    assert (code, data["ok"], data["counts"]) == (1, False, {"error": 2, "approval": 0, "info": 0})
    assert {f["severity"] for f in data["findings"]} == {"error"}


def test_changing_the_level_without_an_event_is_refused(main_branch: GitRegister) -> None:
    main_branch.write(_open(level="重大"))
    main_branch.commit("改等级")
    assert _codes(main_branch) == [("level-changed", "error")]


def test_closing_without_the_event_is_refused(main_branch: GitRegister) -> None:
    main_branch.write(_open(status="已平息"))
    main_branch.commit("改状态")
    assert _codes(main_branch) == [("status-changed", "error")]


def test_deleting_the_appeal_is_refused(main_branch: GitRegister) -> None:
    record = _open()
    del record["appeal"]
    main_branch.write(record)
    main_branch.commit("删诉求")
    assert _codes(main_branch) == [("field-removed", "error")]
    assert _message(main_branch, "field-removed").startswith("删除了 appeal(原文件第 ")


def test_rewriting_an_event_note_is_refused(main_branch: GitRegister) -> None:
    record = _open()
    record["timeline"][2]["note"] = "已按时转办"
    main_branch.write(record)
    main_branch.commit("改说明")
    line = main_branch.line_of(ID, "note: 已按时转办")
    assert _findings(main_branch) == [(_path(ID), line, 9, "timeline[2].note", "event-changed", "error")]


def test_rewriting_an_archived_record(main_branch: GitRegister) -> None:
    record = _archived(summary="改写后的概要。")
    record["timeline"][0]["note"] = "补充说明"
    main_branch.write(record)
    main_branch.commit("改写归档记录")
    assert _findings(main_branch) == [
        (_path(ARCHIVED), main_branch.line_of(ARCHIVED, "summary:"), 1, "summary", "archived-rewritten", "error"),
        (_path(ARCHIVED), main_branch.line_of(ARCHIVED, "note: 补充说明"), 9, "timeline[0].note", "archived-rewritten",
         "error"),
    ]


def test_archived_record_grows_only_by_correction(main_branch: GitRegister) -> None:
    record = _archived()
    record["timeline"].append({"at": "2025-03-12T09:00:00+08:00", "type": "续报"})
    main_branch.write(record)
    main_branch.commit("追加续报")
    assert _findings(main_branch) == [
        (_path(ARCHIVED), main_branch.line_of(ARCHIVED, "- at: '2025-03-12T09:00"), 3, "timeline[3]",
         "archived-rewritten", "error"),
    ]
    assert _message(main_branch, "archived-rewritten") == "已归档的记录追加了“续报”事件。归档后只能追加“更正”事件。"


def test_reopening_an_archived_record(main_branch: GitRegister) -> None:
    main_branch.write(_archived(status="处置中"))
    main_branch.commit("重新打开")
    assert _findings(main_branch) == [
        (_path(ARCHIVED), main_branch.line_of(ARCHIVED, "status:"), 1, "status", "archived-rewritten", "error")]


def test_removing_a_timeline_event(main_branch: GitRegister) -> None:
    record = _open()
    del record["timeline"][3]
    main_branch.write(record)
    main_branch.commit("删除线下处置")
    [finding] = audit(main_branch.root, "main").findings
    assert (finding.file, finding.line, finding.column, finding.path, finding.code) == (
        _path(ID), main_branch.line_of(ID, "timeline:"), 1, "timeline[3]", "event-removed")
    assert finding.message.startswith("处置经过第 4 条“线下处置”(2025-03-03T11:00:00+08:00,原文件第 ")


def test_changing_an_event_time_is_refused(main_branch: GitRegister) -> None:
    record = _open()
    record["timeline"][3]["at"] = "2025-03-03T10:30:00+08:00"
    main_branch.write(record)
    main_branch.commit("改时间")
    assert _codes(main_branch) == [("event-changed", "error")]
    assert "at 由 “2025-03-03T11:00:00+08:00” 改为 “2025-03-03T10:30:00+08:00”" in _message(main_branch, "event-changed")


def test_reordering_timeline_events(main_branch: GitRegister) -> None:
    record = _open()
    events = record["timeline"]
    record["timeline"] = [events[0], events[1], events[3], events[2]]
    main_branch.write(record)
    main_branch.commit("调换顺序")
    assert _findings(main_branch) == [
        (_path(ID), main_branch.line_of(ID, "- at: '2025-03-03T11:00"), 3, "timeline[2]", "event-reordered", "error")]


def test_changing_an_id(main_branch: GitRegister) -> None:
    text = main_branch.path(ID).read_text(encoding="utf-8").replace(f"id: {ID}", "id: YQ-2025-0009")
    main_branch.path(ID).write_text(text, encoding="utf-8")
    main_branch.commit("改编号")
    assert _findings(main_branch) == [(_path(ID), 1, 5, "id", "id-changed", "error")]


# --- refused: hiding a record ------------------------------------------------

def test_deleting_a_record(main_branch: GitRegister, capsys) -> None:
    main_branch.path(ID).unlink()
    main_branch.commit("删除")
    assert _findings(main_branch) == [(_path(ID), 1, 1, "", "record-deleted", "error")]
    code, out = _audit_cli(main_branch, capsys)
    assert code == 1
    assert out.splitlines()[0].startswith(f"{_path(ID)}:1:1: 错误[record-deleted] 删除了文件 {_path(ID)}。登记过的事件不得删除")
    assert "未通过" in out.splitlines()[-1]


@pytest.mark.parametrize("target", [
    "incidents/2026/YQ-2025-0001.yml",       # another year
    "incidents/2025/YQ-2025-0001.yml.bak",   # a backup name
    "incidents/2025/YQ-2025-0001.YML",       # upper case
    "incidents/2025/old/YQ-2025-0001.yml",   # a sub-folder
])
def test_renaming_a_record_away(main_branch: GitRegister, target: str) -> None:
    (main_branch.root / target).parent.mkdir(parents=True, exist_ok=True)
    main_branch.git("mv", _path(ID), target)
    main_branch.commit("移动")
    assert _findings(main_branch) == [(target, 1, 1, "", "record-renamed", "error")]
    assert _message(main_branch, "record-renamed").startswith(f"文件 {_path(ID)} 被改名或移动为 {target}。")


@pytest.mark.parametrize("name", ["2025/YQ-2025-0003.yml.bak", "2025/YQ-2025-0003.YML", "2025/sub/YQ-2025-0003.yml",
                                  "YQ-2025-0003.yml", "2025/YQ-2025-0016\n.yml", "2025/README.md"])
def test_a_new_file_with_a_wrong_name_is_refused(main_branch: GitRegister, name: str) -> None:
    main_branch.write(base_incident(id="YQ-2025-0003"), name=name)
    main_branch.commit("登记")
    assert _findings(main_branch) == [(f"incidents/{name}", 1, 1, "", "record-misplaced", "error")]


def test_an_id_with_a_trailing_newline_is_refused(main_branch: GitRegister) -> None:
    main_branch.write(base_incident(id="YQ-2025-0016\n"), name="2025/YQ-2025-0016.yml")
    main_branch.commit("登记")
    assert _codes(main_branch) == [("record-misplaced", "error")]
    assert _message(main_branch, "record-misplaced").startswith("文件中的编号 'YQ-2025-0016\\n' 与文件名 YQ-2025-0016 不一致。")


def test_a_symlink_record_is_refused(main_branch: GitRegister, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "YQ-2025-0003.yml"
    outside.write_text("id: YQ-2025-0003\n", encoding="utf-8")
    os.symlink(outside, main_branch.path("YQ-2025-0003"))
    main_branch.path(ID).unlink()
    os.symlink(outside, main_branch.path(ID))  # an existing record replaced by a link
    main_branch.commit("链接")
    assert _findings(main_branch) == [
        (_path(ID), 1, 1, "", "record-misplaced", "error"),
        (_path("YQ-2025-0003"), 1, 1, "", "record-misplaced", "error"),
    ]
    assert _message(main_branch, "record-misplaced").startswith(f"{_path(ID)} 是符号链接(可能指向仓库外的文件)。")


def test_a_record_moved_in_from_elsewhere_is_a_new_record(main_branch: GitRegister) -> None:
    draft = main_branch.root / "drafts" / "YQ-2025-0003.yml"
    draft.parent.mkdir()
    main_branch.write(base_incident(id="YQ-2025-0003"), name="../drafts/YQ-2025-0003.yml")
    main_branch.commit("草稿", when="2025-03-11T10:00:00+08:00")
    main_branch.git("mv", "drafts/YQ-2025-0003.yml", _path("YQ-2025-0003"))
    main_branch.commit("登记")
    assert _findings(main_branch) == []


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

    assert _findings(main_branch) == [(_path("YQ-2025-0003"), 1, 5, "id", "id-taken", "error")]
    code, out = _audit_cli(main_branch, capsys, "--format", "github")
    assert code == 1
    assert out.splitlines()[0].startswith(
        f"::error file={_path('YQ-2025-0003')},line=1,col=5,title=yuqing audit [id-taken]::"
        "编号 YQ-2025-0003 在目标分支上已被 incidents/2025/YQ-2025-0003.yml 占用")


# --- two bases: the merge base and the tip -------------------------------------------

def test_a_stale_branch_cannot_rewrite_a_record_the_base_archived(main_branch: GitRegister) -> None:
    # The branch forked while 0001 was open; main then closed and archived it.
    main_branch.git("switch", "-q", "main")
    archived = _open(status="已归档")
    archived["timeline"] += [{"at": "2025-03-05T09:00:00+08:00", "type": "平息"},
                             {"at": "2025-03-06T09:00:00+08:00", "type": "归档"}]
    main_branch.write(archived)
    main_branch.commit("归档 0001", when="2025-03-12T09:00:00+08:00")
    main_branch.git("switch", "-q", "work")
    record = _open()
    record["timeline"].append({"at": "2025-03-12T10:00:00+08:00", "type": "续报"})
    main_branch.write(record)
    main_branch.commit("续报", when="2025-03-12T10:00:00+08:00")
    findings = audit(main_branch.root, "main").findings
    # the 平息 and 归档 the base added after the fork are named as such (event-removed, with the rebase steps)
    assert {(f.code, f.severity) for f in findings} == {("archived-rewritten", "error"), ("event-removed", "error")}
    assert {f.path for f in findings} >= {"status", "timeline[4]", "timeline[5]"}
    assert all("以上按目标分支的最新版本核对" in f.message for f in findings if f.code == "archived-rewritten")


def test_findings_point_at_the_head_after_merging_the_base(main_branch: GitRegister) -> None:
    # The base moved on (someone else's record); the branch merged it in: only the branch's own change counts.
    main_branch.git("switch", "-q", "main")
    main_branch.write(base_incident(id="YQ-2025-0004"))
    main_branch.commit("登记 YQ-2025-0004", when="2025-03-12T11:00:00+08:00")
    main_branch.git("switch", "-q", "work")
    main_branch.path(ID).unlink()
    main_branch.commit("删除", when="2025-03-12T12:00:00+08:00")
    main_branch.git("merge", "-q", "--no-edit", "main", when="2025-03-12T13:00:00+08:00")
    assert _findings(main_branch) == [(_path(ID), 1, 1, "", "record-deleted", "error")]


# --- the command ----------------------------------------------------------------

def test_json_output(main_branch: GitRegister, capsys) -> None:
    main_branch.path(ID).unlink()
    main_branch.commit("删除")
    code, out = _audit_cli(main_branch, capsys, "--format", "json")
    data = json.loads(out)
    assert (code, data["ok"], data["base"], data["files"], data["settings"]) == (1, False, "main", 1, "base")
    assert data["merge_base"] == main_branch.git("rev-parse", "main")
    assert [(f["file"], f["code"], f["severity"]) for f in data["findings"]] == [(_path(ID), "record-deleted", "error")]


def test_no_change_to_incidents(main_branch: GitRegister) -> None:
    (main_branch.root / "README.md").write_text("说明\n", encoding="utf-8")
    main_branch.commit("文档")
    result = audit(main_branch.root, "main")
    assert (result.ok, result.files, [(f.file, f.code) for f in result.findings]) == (
        True, 0, [("README.md", "config-changed")])


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


# --- clocks: the deadlines of the base tip against the branch's, as of the audit's clock -------------------

LATE = "2026-11-30T12:00:00+08:00"
"""The audit's clock of the review findings: Monday 2026-11-30, a week after the records below."""


def _register_2026(repo: GitRegister, **overrides: Any) -> GitRegister:
    record = base_incident(id="YQ-2026-0012", title="某小区供水管网漏水引发网民关注", discovered_at="2026-11-24T09:00:00+08:00",
                           status="处置中", timeline=[])
    record.update(overrides)
    repo.write(record)
    repo.commit("登记", when="2026-11-24T09:30:00+08:00")
    repo.git("switch", "-q", "-c", "work")
    return repo


def _ids(repo: GitRegister, at: str = LATE) -> list[tuple[str, str, str]]:
    return [(f.path, f.code, f.severity) for f in audit(repo.root, "main", at=at).findings]


def test_a_first_grading_event_cannot_quietly_remove_the_clocks(repo: GitRegister, capsys) -> None:
    # 重大 from discovery (no grading event yet): report-4h and respond-48h run. Appending a first
    # 定级 一般 re-levels the record from discovery and both clocks vanish: the approver must see it.
    _register_2026(repo, level="重大")
    lowered = base_incident(id="YQ-2026-0012", title="某小区供水管网漏水引发网民关注", discovered_at="2026-11-24T09:00:00+08:00",
                            status="处置中", level="一般",
                            timeline=[{"at": "2026-11-24T10:00:00+08:00", "type": "定级", "level": "一般"}])
    repo.write(lowered)
    repo.commit("定级", when="2026-11-24T10:30:00+08:00")
    assert [(p, c) for p, c, s in _ids(repo, "2026-11-24T10:30:00+08:00")] == [("level", "deadline-removed")] * 2
    messages = [f.message for f in audit(repo.root, "main", at="2026-11-24T10:30:00+08:00").findings]
    assert messages[0].startswith("按目标分支的规则,截至审核时间 2026-11-24 10:30,“敏感、重大舆情 4 小时内上报”时限"
                                  "(起算 2026-11-24 09:00,截止 2026-11-24 13:00,目标分支上为进行中)在本分支上不再存在")
    assert "“重大舆情 48 小时内回应”时限" in messages[1]
    code, out, _ = run_cli(["audit", "--base", "main", "--now", "2026-11-24T10:30:00+08:00", "--root", str(repo.root)],
                           capsys)
    assert code == 0 and out.splitlines()[0] == "需要审批(合并前须由审批人审核,各条写明原因):"


def test_an_action_recorded_days_later_cannot_rescue_an_overdue_deadline(repo: GitRegister) -> None:
    # 敏感 from discovery 11-24 09:00: the 4 h report was due 13:00 and is overdue on the base.
    # On 11-30 someone appends 上报 "at 11:00 on 11-24": it would read as met.
    _register_2026(repo, level="敏感")
    record = base_incident(id="YQ-2026-0012", title="某小区供水管网漏水引发网民关注", discovered_at="2026-11-24T09:00:00+08:00",
                           status="处置中", level="敏感",
                           timeline=[{"at": "2026-11-24T11:00:00+08:00", "type": "上报", "by": "综合应急和新闻宣传科"}])
    repo.write(record)
    repo.commit("补记上报", when="2026-11-30T11:00:00+08:00")
    assert _ids(repo) == [("timeline[0]", "deadline-rescued", "approval"), ("timeline[0]", "event-recorded-late", "info")]
    rescued, late = audit(repo.root, "main", at=LATE).findings
    assert rescued.message.startswith(
        "这一改动把已逾期的“敏感、重大舆情 4 小时内上报”时限(起算 2026-11-24 09:00,截止 2026-11-24 13:00,目标分支上为已逾期)"
        "变成了“按时完成”:完成它的第 1 条“上报”写的时间是 2026-11-24 11:00,却是现在(2026-11-30 12:00)才记录。")
    assert late.message.startswith("追加的“上报”时间为 2026-11-24 11:00,现在才记录,晚了 6天1小时"
                                   "(register.yml 的 late_registration_hours 为 24 小时)。")
    # Recorded the same morning, the same event is an ordinary append.
    assert _ids(repo, "2026-11-24T11:30:00+08:00") == []


def test_an_extension_added_after_the_due_cannot_rescue_it(repo: GitRegister) -> None:
    # Appeal Mon 11-23 09:00: the 3-working-day reply was due Thu 11-26 17:30. On 11-30 an extension
    # "approved 11-25" (before the due, so not extension-late) is added: the overdue reply turns pending.
    _register_2026(repo, discovered_at="2026-11-23T09:30:00+08:00", id="YQ-2026-0012",
                   appeal={"posted_at": "2026-11-23T09:00:00+08:00", "author": "网友甲"})
    extended = base_incident(id="YQ-2026-0012", title="某小区供水管网漏水引发网民关注", discovered_at="2026-11-23T09:30:00+08:00",
                             status="处置中", timeline=[], appeal={"posted_at": "2026-11-23T09:00:00+08:00", "author": "网友甲"},
                             extensions=[{"rule": "reply-3wd", "reason": "需现场核查", "approved_by": "分管局领导",
                                          "approved_at": "2026-11-25T10:00:00+08:00", "due": "2026-12-03T17:30:00+08:00"}])
    repo.write(extended)
    repo.commit("补记延期", when="2026-11-30T11:00:00+08:00")
    [finding] = audit(repo.root, "main", at=LATE).findings
    assert (finding.path, finding.code, finding.severity) == ("extensions[0]", "deadline-rescued", "approval")
    assert "变成了“进行中”:新增的延期把截止时间延到 2026-12-03 17:30,批准时间写的是 2026-11-25 10:00," \
           "却是现在(2026-11-30 12:00)才记录。" in finding.message


def test_a_back_dated_extension_cannot_turn_a_late_reply_into_an_on_time_one(repo: GitRegister) -> None:
    # The reply came late (11-27 10:00, due Thu 11-26 17:30): "超时完成" on the base. An extension "approved
    # 11-25" added on 11-30 would make it read "按时完成" (review finding): the approver must see it.
    appeal = {"posted_at": "2026-11-23T09:00:00+08:00", "author": "网友甲"}
    reply = {"at": "2026-11-27T10:00:00+08:00", "type": "答复", "by": "消费者权益保护科"}
    _register_2026(repo, discovered_at="2026-11-23T09:30:00+08:00", appeal=appeal, timeline=[reply])
    extended = base_incident(id="YQ-2026-0012", title="某小区供水管网漏水引发网民关注", discovered_at="2026-11-23T09:30:00+08:00",
                             status="处置中", timeline=[reply], appeal=appeal,
                             extensions=[{"rule": "reply-3wd", "reason": "需现场核查", "approved_by": "分管局领导",
                                          "approved_at": "2026-11-25T10:00:00+08:00", "due": "2026-12-03T17:30:00+08:00"}])
    repo.write(extended)
    repo.commit("补记延期", when="2026-11-30T11:00:00+08:00")
    [finding] = audit(repo.root, "main", at=LATE).findings
    assert (finding.path, finding.code, finding.severity) == ("extensions[0]", "deadline-rescued", "approval")
    assert finding.message.startswith("这一改动把超时完成的“网民诉求 3 个工作日内答复”时限")
    assert "变成了“按时完成”:新增的延期把截止时间延到 2026-12-03 17:30,批准时间写的是 2026-11-25 10:00" in finding.message


def test_a_record_registered_after_its_dues_cannot_claim_them_met_unseen(main_branch: GitRegister) -> None:
    # Registered on 11-30 with every action "on time" on 11-20 (review finding): nothing recorded
    # before the dues shows it; each deadline it claims met goes to the approver.
    record = base_incident(id="YQ-2026-0018", title="网民反映某商场扶梯异响", discovered_at="2026-11-20T10:00:00+08:00",
                           status="处置中", appeal={"posted_at": "2026-11-20T09:00:00+08:00", "author": "网友乙"},
                           timeline=[{"at": "2026-11-20T10:30:00+08:00", "type": "初步回应", "by": "特种设备安全监察科"},
                                     {"at": "2026-11-20T16:00:00+08:00", "type": "答复", "by": "特种设备安全监察科"}])
    main_branch.write(record)
    main_branch.commit("登记", when="2026-11-30T11:00:00+08:00")
    findings = audit(main_branch.root, "main", at=LATE).findings
    assert [(f.path, f.code, f.severity) for f in findings] == [
        ("timeline[0]", "deadline-rescued", "approval"), ("timeline[1]", "deadline-rescued", "approval")]
    assert findings[1].message.startswith("新登记的记录把“网民诉求 3 个工作日内答复”时限(截止 2026-11-25 17:30)记为“按时完成”:"
                                          "第 2 条“答复”写的时间是 2026-11-20 16:00,却是截止之后、现在(2026-11-30 12:00)才登记。")
    # Registered the same afternoon: only the first reply's due (12:00) had passed; the 3-day one had not.
    same_day = audit(main_branch.root, "main", at="2026-11-20T16:30:00+08:00").findings
    assert [(f.path, f.code) for f in same_day] == [("timeline[0]", "deadline-rescued")]


def test_a_foreign_utc_offset_is_refused(repo: GitRegister) -> None:
    _register_2026(repo, level="一般")
    record = base_incident(id="YQ-2026-0012", title="某小区供水管网漏水引发网民关注", discovered_at="2026-11-24T09:00:00+08:00",
                           status="处置中", timeline=[{"at": "2026-11-28T08:30:00+23:59", "type": "研判"}])
    repo.write(record)
    repo.commit("研判", when="2026-11-28T09:00:00+08:00")
    findings = audit(repo.root, "main", at="2026-11-28T09:00:00+08:00").findings
    assert [(f.path, f.code, f.severity) for f in findings] == [("timeline[0].at", "time-offset", "error")]
    assert findings[0].message == (
        "时间“2026-11-28T08:30:00+23:59”写的时区偏移 +23:59 与台账时区(Asia/Shanghai,UTC+8)不符,"
        "按它计算是当地时间 2026-11-27 16:31。请不写时区偏移(按台账时区理解),或写 +08:00。")


# --- new records, mentions, ids, unreadable versions -------------------------------------

@pytest.mark.parametrize(("field", "value"), [("withdrawn", {"reason": "误登记"}), ("confidential", True)])
def test_a_record_born_withdrawn_or_confidential_needs_approval(main_branch: GitRegister, field: str, value: Any) -> None:
    main_branch.write(base_incident(id="YQ-2025-0003", **{field: value}))
    main_branch.commit("登记")
    assert _codes(main_branch) == [(f"{field}-changed", "approval")]
    assert _message(main_branch, f"{field}-changed").startswith("新登记的记录带有")


SECRET_TITLE = "某涉密案件的处置情况调查"


def _secret_on_base(repo: GitRegister) -> None:
    """main gains a confidential record YQ-2025-0003; the branch starts from it."""
    repo.git("switch", "-q", "main")
    repo.write(base_incident(id="YQ-2025-0003", title=SECRET_TITLE, confidential=True))
    repo.commit("涉密登记")
    repo.git("switch", "-q", "work")
    repo.git("merge", "-q", "--ff-only", "main")


@pytest.mark.parametrize("mention", ["YQ-2025-0003", SECRET_TITLE,
                                     # spellings that read the same (review finding): dashes, case, full width, zero width
                                     "YQ\u20102025\u20100003", "yq-2025-0003", "ＹＱ－２０２５－０００３", "YQ-2025\u200b-0003"])
def test_public_text_naming_a_confidential_record_is_refused(main_branch: GitRegister, mention: str) -> None:
    _secret_on_base(main_branch)
    record = _open()
    record["timeline"].append({"at": "2025-03-04T09:00:00+08:00", "type": "续报", "note": f"与{mention}一并处置"})
    main_branch.write(record)
    main_branch.commit("续报")
    findings = audit(main_branch.root, "main").findings
    assert [(f.path, f.code, f.severity) for f in findings] == [("timeline[4].note", "confidential-mention", "error")]
    what = "标题" if mention == SECRET_TITLE else "编号"
    assert findings[0].message.startswith(f"公开记录的 timeline[4].note 提到了涉密记录 YQ-2025-0003 的{what}。")
    assert SECRET_TITLE not in findings[0].message  # CI logs and annotations are read widely


def test_a_confidential_record_may_name_another(main_branch: GitRegister) -> None:
    _secret_on_base(main_branch)
    main_branch.write(base_incident(id="YQ-2025-0004", confidential=True, summary="与 YQ-2025-0003 有关。"))
    main_branch.commit("涉密登记")
    assert _codes(main_branch) == [("confidential-changed", "approval")]


def test_an_id_with_an_extra_zero_is_taken_and_not_canonical(main_branch: GitRegister, capsys) -> None:
    main_branch.write(base_incident(id="YQ-2025-00001"), name="2025/YQ-2025-00001.yml")
    main_branch.commit("登记")
    assert _codes(main_branch) == [("id-taken", "error")]
    assert _message(main_branch, "id-taken").startswith("编号 YQ-2025-0001(与 YQ-2025-00001 是同一个号码) 在目标分支上已被")
    code, out, _ = run_cli(["check", "--root", str(main_branch.root),
                            str(main_branch.root / "incidents/2025/YQ-2025-00001.yml")], capsys)
    assert code == 1 and "id-canonical" in out and "应为 YQ-2025-0001" in out


@pytest.mark.parametrize("text", [
    "base: &b {channel: 社交媒体}\nsource:\n  <<: *b\n  platform: 微博\n",       # a merge key (and an anchor)
    "source:\n  channel: 社交媒体\n  channel: 网站\n",                          # a nested duplicate key
    "source: !!map {channel: 社交媒体, platform: 微博}\n",                        # a tag
    "source: {channel: 社交媒体, platform: 微博}\n<<: {confidential: true}\n",    # a merge key alone (review finding)
])
def test_a_version_with_a_loader_error_is_unreadable(main_branch: GitRegister, text: str) -> None:
    original = main_branch.path(ID).read_text(encoding="utf-8")
    start = original.index("source:")
    end = original.index("\n", original.index("platform:", start)) + 1
    main_branch.path(ID).write_text(original[:start] + text + original[end:], encoding="utf-8")
    main_branch.commit("改写")
    assert [c for c, _ in _codes(main_branch)] == ["record-unreadable"]


@pytest.mark.parametrize(("title", "code"), [
    ('"某超市\u00ad销售过期酸奶"', "zero-width-char"),   # soft hyphen
    ('"某超市\u3164销售过期酸奶"', "zero-width-char"),   # Hangul filler
    ('"某超市\u034f销售过期酸奶"', "zero-width-char"),   # combining grapheme joiner
    ('!!str 某超市销售过期酸奶', "yaml-tag"),
])
def test_invisible_characters_and_str_tags_are_refused_by_check(register_dir, capsys, title: str, code: str) -> None:
    text = "\n".join(f"title: {title}" if line.startswith("title:") else line for line in
                     __import__("yaml").safe_dump(base_incident(), allow_unicode=True, sort_keys=False).splitlines())
    register_dir.write(text + "\n", name="2025/YQ-2025-0001.yml")
    found, out, _ = run_cli(["check", "--root", str(register_dir.root), "--format", "json"], capsys)
    assert found == 1 and [i["code"] for i in json.loads(out)["errors"] if i["path"] == "title"] == [code]


def test_an_offset_the_base_already_held_is_not_the_branchs(repo: GitRegister) -> None:
    _register_2026(repo, level="一般", timeline=[{"at": "2026-11-24T01:30:00Z", "type": "研判"}])
    record = base_incident(id="YQ-2026-0012", title="某小区供水管网漏水引发网民关注", discovered_at="2026-11-24T09:00:00+08:00",
                           status="处置中", timeline=[{"at": "2026-11-24T01:30:00Z", "type": "研判"},
                                                      {"at": "2026-11-24T10:00:00+08:00", "type": "续报"}])
    repo.write(record)
    repo.commit("续报", when="2026-11-24T10:30:00+08:00")
    assert _ids(repo, "2026-11-24T10:30:00+08:00") == []
