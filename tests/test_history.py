"""history.py and `yuqing history`: one pass over real git logs, pinned authors and dates."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from .conftest import base_incident
from .githelper import GitRegister, repo, run_cli  # noqa: F401  (repo is a fixture)
from yuqing import history
from yuqing.register import load_register

CST = timezone(timedelta(hours=8))
ID = "YQ-2025-0001"


def _escalated(repo: GitRegister) -> None:
    """One incident edited over three commits by three people: 一般 → 敏感 → 重大."""
    record = base_incident()
    repo.write(record)
    repo.commit(f"登记 {ID} 过期酸奶", author="张三", when="2025-03-03T10:00:00+08:00")
    record["level"] = "敏感"
    record["timeline"] = record["timeline"] + [
        {"at": "2025-03-04T08:00:00+08:00", "type": "升级", "level": "敏感", "by": "综合应急和新闻宣传科"},
        {"at": "2025-03-04T09:00:00+08:00", "type": "上报", "by": "综合应急和新闻宣传科"},
    ]
    repo.write(record)
    repo.commit("升级为敏感并上报", author="李四", when="2025-03-04T09:30:00+08:00")
    record["level"] = "重大"
    record["status"] = "处置中"
    record["timeline"] = record["timeline"] + [
        {"at": "2025-03-05T10:00:00+08:00", "type": "升级", "level": "重大", "by": "综合应急和新闻宣传科"},
    ]
    repo.write(record)
    repo.commit("升级为重大", author="王五", when="2025-03-05T11:00:00+08:00")


def test_one_pass_gives_registration_last_change_and_levels(repo: GitRegister) -> None:
    _escalated(repo)
    repo.write(base_incident(id="YQ-2025-0002", title="另一事件"))
    repo.commit("登记 YQ-2025-0002 另一事件", author="李四", when="2025-03-06T09:00:00+08:00")

    found = history.load(repo.root)

    assert (found.available, found.shallow, found.commits) == (True, False, 4)
    first = found.of(ID)
    assert first is not None
    assert first.path == f"incidents/2025/{ID}.yml"
    assert first.registered_at == datetime(2025, 3, 3, 10, 0, tzinfo=CST)
    assert first.registered_by == "张三"
    assert first.last_modified_at == datetime(2025, 3, 5, 11, 0, tzinfo=CST)
    assert first.last_modified_by == "王五"
    assert first.revision_count == 3
    assert [r.level for r in first.revisions] == ["一般", "敏感", "重大"]
    assert [r.subject for r in first.revisions] == [f"登记 {ID} 过期酸奶", "升级为敏感并上报", "升级为重大"]
    assert found.of("YQ-2025-0002").revision_count == 1  # type: ignore[union-attr]
    assert found.of("YQ-2025-0099") is None


def test_levels_are_only_read_when_asked(repo: GitRegister) -> None:
    _escalated(repo)
    found = history.load(repo.root, levels=False)
    assert [r.level for r in found.of(ID).revisions] == [None, None, None]  # type: ignore[union-attr]


def test_explain_says_what_changed_in_plain_chinese(repo: GitRegister) -> None:
    _escalated(repo)
    found = history.load(repo.root, levels=False)
    changes = history.explain(history.open_repo(repo.root), found.of(ID))  # type: ignore[arg-type]
    assert [c.changes for c in changes] == [
        ("新增事件:等级 一般,状态 监测中,处置经过 1 条",),
        ("等级 一般 → 敏感", "新增事件 升级", "新增事件 上报"),
        ("等级 敏感 → 重大", "状态 监测中 → 处置中", "新增事件 升级"),
    ]
    assert [c.level for c in changes] == ["一般", "敏感", "重大"]


def _without_sha(text: str) -> str:
    return re.sub(r"\b[0-9a-f]{8}\b", "<sha>", text)


def test_history_command_text(repo: GitRegister, capsys) -> None:
    _escalated(repo)
    code, out, err = run_cli(["history", ID, "--root", str(repo.root)], capsys)
    assert code == 0, err
    lines = _without_sha(out).splitlines()
    # discovered 2025-03-03 09:00, committed 10:00: one hour, not late.
    assert lines[:3] == [
        f"{ID}(incidents/2025/{ID}.yml)",
        "登记:2025-03-03 10:00 张三(提交 <sha>);距发现 1小时",
        "最后修改:2025-03-05 11:00 王五;共 3 个版本",
    ]
    rows = [re.sub(r"\s{2,}", " | ", line) for line in lines[6:]]
    assert rows == [
        f"2025-03-03 10:00 | 张三 | 登记 {ID} 过期酸奶 | <sha> | 一般 | 新增事件:等级 一般,状态 监测中,处置经过 1 条",
        "2025-03-04 09:30 | 李四 | 升级为敏感并上报 | <sha> | 敏感 | 等级 一般 → 敏感;新增事件 升级;新增事件 上报",
        "2025-03-05 11:00 | 王五 | 升级为重大 | <sha> | 重大 | 等级 敏感 → 重大;状态 监测中 → 处置中;新增事件 升级",
    ]


def test_history_command_json(repo: GitRegister, capsys) -> None:
    _escalated(repo)
    code, out, _ = run_cli(["history", ID, "--format", "json", "--root", str(repo.root)], capsys)
    data = json.loads(out)
    assert code == 0
    assert (data["registered_at"], data["registered_by"], data["registration_delay_hours"], data["late"]) == (
        "2025-03-03T10:00:00+08:00", "张三", 1.0, False)
    assert [(r["author"], r["change"], r["level"]) for r in data["revisions"]] == [
        ("张三", "A", "一般"), ("李四", "M", "敏感"), ("王五", "M", "重大")]
    assert data["revisions"][2]["changes"] == ["等级 敏感 → 重大", "状态 监测中 → 处置中", "新增事件 升级"]


def test_history_command_unknown_id_is_a_usage_error(repo: GitRegister, capsys) -> None:
    _escalated(repo)
    code, _, err = run_cli(["history", "YQ-2025-0099", "--root", str(repo.root)], capsys)
    assert code == 2
    assert "git 历史中没有事件 YQ-2025-0099" in err
    repo.write(base_incident(id="YQ-2025-0002"))
    code, _, err = run_cli(["history", "YQ-2025-0002", "--root", str(repo.root)], capsys)
    assert (code, "还没有提交到 git" in err) == (2, True)


def test_rename_between_year_folders_keeps_one_history(repo: GitRegister) -> None:
    record = base_incident(id="YQ-2026-0001", discovered_at="2026-01-01T00:10:00+08:00",
                           timeline=[{"at": "2026-01-01T00:30:00+08:00", "type": "研判"}])
    repo.write(record, "2025/YQ-2026-0001.yml")  # filed under the wrong year first
    repo.commit("登记 YQ-2026-0001", author="张三", when="2026-01-01T01:00:00+08:00")
    (repo.root / "incidents" / "2026").mkdir()
    repo.git("mv", "incidents/2025/YQ-2026-0001.yml", "incidents/2026/YQ-2026-0001.yml")
    repo.commit("移到 2026 年目录", author="李四", when="2026-01-02T09:00:00+08:00")

    found = history.load(repo.root).of("YQ-2026-0001")
    assert found is not None
    assert found.path == "incidents/2026/YQ-2026-0001.yml"
    assert [(r.change, r.author, r.old_path) for r in found.revisions] == [
        ("A", "张三", None), ("R", "李四", "incidents/2025/YQ-2026-0001.yml")]
    assert found.registered_by == "张三"
    changes = history.explain(history.open_repo(repo.root), found)  # type: ignore[arg-type]
    assert changes[1].changes == ("文件移动 incidents/2025/YQ-2026-0001.yml → incidents/2026/YQ-2026-0001.yml",)


def test_deleted_file_keeps_its_history(repo: GitRegister) -> None:
    _escalated(repo)
    repo.path(ID).unlink()
    repo.commit("删除", author="王五", when="2025-03-07T09:00:00+08:00")
    found = history.load(repo.root).of(ID)
    assert found is not None
    assert (found.deleted, found.revision_count, found.last_modified_by, found.revisions[-1].level) == (
        True, 4, "王五", None)


def test_register_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    outer = GitRegister.__new__(GitRegister)
    (tmp_path / "ledger").mkdir()
    GitRegister.__init__(outer, tmp_path / "ledger")  # git init inside ledger/, then move .git up
    (tmp_path / "ledger" / ".git").rename(tmp_path / ".git")
    outer.write(base_incident())
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    outer.git("commit", "-q", "-m", "登记")
    found = history.load(tmp_path / "ledger")
    assert found.of(ID).path == f"incidents/2025/{ID}.yml"  # type: ignore[union-attr]


def test_not_a_git_repository_gives_an_empty_flagged_history(register_dir) -> None:
    register_dir.write(base_incident())
    found = history.load(register_dir.root)
    assert (found.available, found.shallow, dict(found.incidents), found.of(ID)) == (False, False, {}, None)
    assert "不在 git 仓库中" in found.note


def test_repository_without_commits(repo: GitRegister) -> None:
    found = history.load(repo.root)
    assert (found.available, found.of(ID)) == (False, None)
    assert "还没有任何提交" in found.note


def _shallow_clone(repo: GitRegister, target: Path, depth: int) -> Path:
    subprocess.run(["git", "clone", "-q", "--depth", str(depth), f"file://{repo.root}", str(target)],
                   check=True, capture_output=True)
    return target


def test_shallow_clone_says_history_is_incomplete(repo: GitRegister, tmp_path: Path) -> None:
    _escalated(repo)
    clone = _shallow_clone(repo, tmp_path / "clone", 1)
    found = history.load(clone)
    assert found.shallow is True
    assert "浅克隆" in found.note
    incident = found.of(ID)
    assert incident is not None
    assert (incident.complete, incident.registered_at, incident.registered_by, incident.revision_count) == (
        False, None, None, 1)
    assert incident.last_modified_by == "王五"  # what the clone can see is still right
    register = load_register(clone, now=datetime(2025, 4, 1, tzinfo=CST))
    assert history.registration_delays(register.incidents, found) == {}


def test_shallow_clone_keeps_what_is_inside_its_depth(repo: GitRegister, tmp_path: Path) -> None:
    _escalated(repo)
    repo.write(base_incident(id="YQ-2025-0002", discovered_at="2025-03-06T08:00:00+08:00",
                             timeline=[{"at": "2025-03-06T08:30:00+08:00", "type": "研判"}]))
    repo.commit("登记 YQ-2025-0002", author="李四", when="2025-03-06T09:00:00+08:00")
    found = history.load(_shallow_clone(repo, tmp_path / "clone", 2))
    assert found.of(ID).complete is False  # type: ignore[union-attr]
    newer = found.of("YQ-2025-0002")
    assert (newer.complete, newer.registered_by) == (True, "李四")  # type: ignore[union-attr]


# --- late registration (迟报) ------------------------------------------------

def _late_register(repo: GitRegister) -> None:
    repo.write(base_incident())  # discovered 2025-03-03 09:00
    repo.commit(f"登记 {ID}", when="2025-03-03T11:00:00+08:00")  # 2 hours: on time
    repo.write(base_incident(id="YQ-2025-0002", discovered_at="2025-03-03T08:00:00+08:00"))
    repo.commit("登记 YQ-2025-0002", author="李四", when="2025-03-04T10:30:00+08:00")  # 26.5 hours: late


def test_registration_delays(repo: GitRegister) -> None:
    _late_register(repo)
    register = load_register(repo.root, now=datetime(2025, 4, 1, tzinfo=CST))
    assert history.registration_delays(register.incidents, history.load(repo.root, levels=False)) == {
        ID: timedelta(hours=2), "YQ-2025-0002": timedelta(hours=26, minutes=30)}


def test_check_history_warns_of_late_registration(repo: GitRegister, capsys) -> None:
    _late_register(repo)
    argv = ["check", "--history", "--format", "json", "--now", "2025-04-01T00:00:00+08:00", "--root", str(repo.root)]
    code, out, _ = run_cli(argv, capsys)
    data = json.loads(out)
    assert (code, data["ok"], data["errors"]) == (0, True, [])
    path = "incidents/2025/YQ-2025-0002.yml"
    assert data["warnings"] == [{
        "file": path, "line": repo.line_of("YQ-2025-0002", "discovered_at:"), "column": 16,
        "path": "discovered_at", "code": "late-registration", "severity": "warning",
        "message": data["warnings"][0]["message"],
    }]
    message = data["warnings"][0]["message"]
    assert message.startswith("迟报:发现于 2025-03-03 08:00,2025-03-04 10:30 才进入主分支(主分支提交 ")
    assert "李四" in message and "相隔 1天2小时(26.5 小时),超过登记时限 24 小时" in message
    code, out, _ = run_cli(argv[:-2] + ["--root", str(repo.root)], capsys)
    assert code == 0  # without --history: no git, no warning
    repo.settings(late_registration_hours=48)
    code, out, _ = run_cli(argv, capsys)
    assert json.loads(out)["warnings"] == []


def test_check_history_outside_git_warns_once(register_dir, capsys) -> None:
    register_dir.write(base_incident())
    code, out, _ = run_cli(["check", "--history", "--format", "json", "--now", "2025-04-01T00:00:00+08:00",
                            "--root", str(register_dir.root)], capsys)
    data = json.loads(out)
    assert code == 0
    assert [w["code"] for w in data["warnings"]] == ["history-unavailable"]


def test_withdrawn_records_are_not_flagged_late(repo: GitRegister) -> None:
    repo.write(base_incident(withdrawn={"reason": "重复登记", "duplicate_of": "YQ-2025-0002"}))
    repo.write(base_incident(id="YQ-2025-0002"))
    repo.commit("登记", when="2025-03-10T10:00:00+08:00")
    register = load_register(repo.root, now=datetime(2025, 4, 1, tzinfo=CST))
    issues = history.late_registration_issues(register.incidents, history.load(repo.root, levels=False), 24)
    assert [(i.file, i.code) for i in issues] == [("incidents/2025/YQ-2025-0002.yml", "late-registration")]


def test_dates_in_the_register_timezone_when_asked(repo: GitRegister) -> None:
    repo.write(base_incident())
    repo.commit("登记", when="2025-03-03T02:00:00+00:00")  # a machine set to UTC
    plain = history.load(repo.root).of(ID)
    local = history.load(repo.root, tz=CST).of(ID)
    assert plain.registered_at == local.registered_at  # type: ignore[union-attr]
    assert local.registered_at.isoformat() == "2025-03-03T10:00:00+08:00"  # type: ignore[union-attr]
    assert plain.registered_at.isoformat() == "2025-03-03T02:00:00+00:00"  # type: ignore[union-attr]


def test_a_comment_only_change_is_named_as_such(repo: GitRegister) -> None:
    path = repo.write(base_incident())
    repo.commit("登记")
    path.write_text("# 注释\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    repo.commit("加注释", when="2025-03-03T11:00:00+08:00")
    found = history.load(repo.root).of(ID)
    changes = history.explain(history.open_repo(repo.root), found)  # type: ignore[arg-type]
    assert changes[1].changes == ("内容未变(只改了格式或注释)",)


def test_describe_names_fields_in_chinese() -> None:
    before = base_incident()
    after = base_incident(units={"lead": "食品经营安全监管科", "assisting": ["东城区局"]}, tags=["酸奶"])
    del after["summary"]
    assert history.describe(before, after) == ["修改责任单位", "删除概要", "新增标签"]


# --- records across renumbering and renames (two clerks, one id) ---------------

def _clerk(repo: GitRegister, branch: str, author: str, when: str, **fields: object) -> None:
    repo.git("checkout", "-q", "-b", branch, "main")
    record = base_incident(id="YQ-2026-0019", discovered_at="2026-01-05T09:00:00+08:00",
                           timeline=[{"at": "2026-01-05T09:10:00+08:00", "type": "研判"}], **fields)
    repo.write(record)
    repo.commit("登记 YQ-2026-0019", author=author, when=when)


def _renumber(repo: GitRegister, when: str, *, rewrite: bool = False) -> None:
    """What `yuqing renumber YQ-2026-0019 YQ-2026-0020` does: one commit, file moved, id changed."""
    old, new = repo.path("YQ-2026-0019"), repo.path("YQ-2026-0020")
    repo.git("mv", str(old), str(new))
    text = new.read_text(encoding="utf-8").replace("YQ-2026-0019", "YQ-2026-0020")
    if rewrite:  # so much changed that git's similarity no longer pairs the two files
        text = "# 重新编号\n" + "\n".join(f"# {n}" for n in range(200)) + "\n" + text.replace("监测中", "处置中")
    new.write_text(text, encoding="utf-8")
    repo.commit("renumber: YQ-2026-0019 -> YQ-2026-0020", author="李四", when=when)


@pytest.mark.parametrize("rewrite", [False, True], ids=["git-rename", "delete-and-add"])
def test_history_follows_a_renumbered_record_and_keeps_the_other(repo: GitRegister, capsys, rewrite: bool) -> None:
    (repo.root / "README.md").write_text("台账\n", encoding="utf-8")
    repo.commit("初始化", when="2026-01-05T08:00:00+08:00")
    _clerk(repo, "new/zhang", "张三", "2026-01-05T09:20:00+08:00", title="超市过期酸奶")
    _clerk(repo, "new/li", "李四", "2026-01-05T09:25:00+08:00", title="小区电梯困人", category="特种设备",
           units={"lead": "特种设备安全监察科"})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge new/zhang", "new/zhang", when="2026-01-05T10:00:00+08:00")
    repo.git("checkout", "-q", "new/li")
    _renumber(repo, "2026-01-05T10:30:00+08:00", rewrite=rewrite)
    repo.git("merge", "-q", "--no-ff", "-m", "Merge main", "main", author="李四", when="2026-01-05T10:35:00+08:00")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge new/li", "new/li", when="2026-01-05T11:00:00+08:00")

    found = history.load(repo.root)
    zhang, li = found.of("YQ-2026-0019"), found.of("YQ-2026-0020")
    assert zhang is not None and li is not None
    assert [(r.author, r.change, r.subject) for r in zhang.revisions] == [("张三", "A", "登记 YQ-2026-0019")]
    assert [(r.author, r.change, r.old_path, r.path) for r in li.revisions] == [
        ("李四", "A", None, "incidents/2026/YQ-2026-0019.yml"),
        ("李四", "R", "incidents/2026/YQ-2026-0019.yml", "incidents/2026/YQ-2026-0020.yml")]
    assert (zhang.registered_at.isoformat(), li.registered_at.isoformat()) == (  # type: ignore[union-attr]
        "2026-01-05T10:00:00+08:00", "2026-01-05T11:00:00+08:00")

    code, out, err = run_cli(["history", "YQ-2026-0019", "--root", str(repo.root), "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (data["registered_by"], [r["subject"] for r in data["revisions"]]) == ("张三", ["登记 YQ-2026-0019"])
    code, out, err = run_cli(["history", "YQ-2026-0020", "--root", str(repo.root), "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (data["registered_by"], data["registered_at"]) == ("李四", "2026-01-05T11:00:00+08:00")
    assert [r["subject"] for r in data["revisions"]] == ["登记 YQ-2026-0019", "renumber: YQ-2026-0019 -> YQ-2026-0020"]


def test_history_command_takes_the_main_branch_to_judge_by(repo: GitRegister, capsys) -> None:
    repo.commit("空台账", when="2025-03-01T10:00:00+08:00")
    repo.git("branch", "release")  # before the record existed
    _escalated(repo)
    repo.git("switch", "-q", "release")
    repo.git("merge", "-q", "--no-ff", "-m", "合并 main", "main", when="2025-03-06T09:00:00+08:00")
    code, out, err = run_cli(["history", ID, "--main", "release", "--root", str(repo.root)], capsys)
    assert code == 0, err
    # Registered when it reached release (the merge), not when it reached main.
    assert _without_sha(out).splitlines()[1] == (
        "登记:2025-03-06 09:00 张三(提交 <sha>)(作者日期 2025-03-03 10:00,不作为登记时间);"
        "距发现 3天,超过 24 小时,属迟报")
    code, _, err = run_cli(["history", ID, "--main", "nope", "--root", str(repo.root)], capsys)
    assert code == 2 and "找不到主分支 nope(--main 所指的引用不存在,请先 git fetch)。" in err
