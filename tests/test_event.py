"""`yuqing event add`, `withdraw`, `correct`, `review`: one command per action, every word and comment kept.

Real git repositories; the files are read back with the project's own loader
(YAML 1.2, as `yuqing check` reads them) and the changes are judged by `git diff`.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from yuqing.edit import add_event
from yuqing.loader import load_text
from yuqing.times import parse_time, zone

from .conftest import PROJECT, base_incident
from .githelper import GitRegister, git_env, repo, run_cli  # noqa: F401  (repo is a fixture)

TZ = zone("Asia/Shanghai")
ID = "YQ-2025-0001"
NOW = "2025-03-05T12:00:00+08:00"


def _committed(repo: GitRegister, **overrides) -> Path:
    repo.write(base_incident(**overrides))
    repo.commit(f"登记 {ID}")
    return repo.path(ID)


def _add(repo: GitRegister, capsys, *args: str, now: str = NOW) -> tuple[int, str, str]:
    return run_cli(["event", "add", ID, *args, "--now", now, "--root", str(repo.root)], capsys)


def _diff(repo: GitRegister) -> list[str]:
    """The changed lines of the work tree against HEAD (+/- with their text)."""
    body = repo.git("diff", "--no-color", "-U0", "HEAD")
    return [line for line in body.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


# --- every example file keeps every line --------------------------------------------

def _examples() -> list[Path]:
    return sorted((PROJECT / "incidents").rglob("*.yml"))


def test_appending_to_every_example_adds_lines_only(tmp_path: Path, capsys) -> None:
    """The proof asked for: on each example, `git diff` shows only the added event (plus level/status)."""
    repo = GitRegister(tmp_path)
    shutil.rmtree(tmp_path / "incidents")
    shutil.copytree(PROJECT / "incidents", tmp_path / "incidents")
    repo.commit("示例台账")
    tried = 0
    for path in _examples():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        times = [parse_time(e["at"], TZ) for e in data.get("timeline") or []] or [parse_time(data["discovered_at"], TZ)]
        at = max(t for t in times if t) + timedelta(minutes=1)
        kind = "更正" if data["status"] == "已归档" else "研判"
        rel = path.relative_to(PROJECT).as_posix()
        before = (tmp_path / rel).read_text(encoding="utf-8")
        code, out, err = run_cli(["event", "add", data["id"], "--type", kind, "--at", at.isoformat(),
                                  "--by", "信息中心", "--note", "复核 #台账# 记录: 无误", "--now",
                                  (at + timedelta(hours=1)).isoformat(), "--root", str(tmp_path)], capsys)
        if data.get("withdrawn"):
            assert code == 2 and "该事件已撤销" in err
            continue
        assert code == 0, (rel, err)
        tried += 1
        changed = _diff(repo)
        added = [line for line in changed if line.startswith("+")]
        removed = [line for line in changed if line.startswith("-")]
        assert added[:4] == [f'+  - at: "{at.isoformat()}"', f"+    type: {kind}", "+    by: 信息中心",
                             "+    note: '复核 #台账# 记录: 无误'"], rel
        assert all(re.fullmatch(r"-(level|status): \S+", line) for line in removed), (rel, removed)
        assert len(added) == 4 + len(removed), rel  # a removed level/status line comes back changed
        after = (tmp_path / rel).read_text(encoding="utf-8")
        assert [c for c in before.splitlines() if c.lstrip().startswith("#")] == \
               [c for c in after.splitlines() if c.lstrip().startswith("#")]
        assert load_text(after, rel).data["timeline"][-1]["note"] == "复核 #台账# 记录: 无误"
        repo.git("checkout", "-q", "--", rel)
    assert tried >= 20


# --- every word kept -----------------------------------------------------------------

BASE_TEXT = """\
# yaml-language-server: $schema=../../schemas/incident.schema.json
id: YQ-2025-0001   # 编号
title: 某超市销售过期酸奶
level: 一般
status: 监测中
category: 食品安全
discovered_at: "2025-03-03T09:00:00+08:00"
source:
  channel: 社交媒体
units:
  lead: 食品经营安全监管科
summary: 网民发帖
timeline:
  # 第一条
  - at: "2025-03-03T09:30:00+08:00"
    type: 研判
    note: |
      多行
      说明
# 评估总结在下面
review:
  cause: 起因
"""

AWKWARD = ["微博话题 #南山超市过期酸奶# 冲上同城热搜", "12345工单 #20261130-001 已转", "网民原帖: 电梯…",
           "“2026-11-30 10:20”", "'单引号' \"双引号\"", "第一行\n第二行\n", "回车\r换行", "=HYPERLINK(\"x\")",
           "- 列表?", "* 星号", "&锚点", "!标签", "|竖线", ">大于", "@at", "`反引号`", "%百分号", "yes", "null",
           "0E0", "2025-03-03", "  前后空格  ", "\t制表", "行尾冒号:", "{a: b}", "[1, 2]", "长" * 5000,
           "\u2028分隔\u2029", "\x85NEL", "零宽\u200b字符", "…\rwithdrawn:\t{reason:\t误登}"]


@pytest.mark.parametrize("note", AWKWARD)
def test_awkward_notes_read_back_exactly(note: str) -> None:
    data = load_text(BASE_TEXT, "f").data
    edited = add_event(BASE_TEXT, data, {"at": "2025-03-03T10:00:00+08:00", "type": "研判", "note": note}, TZ)
    assert edited.text.startswith(BASE_TEXT.split("# 评估总结在下面")[0])
    assert edited.text.endswith("# 评估总结在下面\nreview:\n  cause: 起因\n")
    reread = load_text(edited.text, "f").data
    assert reread["timeline"][1] == {"at": "2025-03-03T10:00:00+08:00", "type": "研判", "note": note}
    assert reread["review"] == {"cause": "起因"} and "withdrawn" not in reread


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80))
@example("0\n\xa0")  # a line of a no-break space was once left outside its block scalar
@example("行一\n\u3000行二\n\u2003")
def test_any_text_reads_back_exactly(note: str) -> None:
    data = load_text(BASE_TEXT, "f").data
    edited = add_event(BASE_TEXT, data, {"at": "2025-03-03T10:00:00+08:00", "type": "研判", "by": note,
                                         "note": note}, TZ)
    reread = load_text(edited.text, "f").data
    assert reread["timeline"][1]["note"] == note and reread["timeline"][1]["by"] == note
    assert reread["review"] == {"cause": "起因"}


# --- the command ------------------------------------------------------------------------

def test_answer_sets_status_and_keeps_the_file(repo: GitRegister, capsys) -> None:
    _committed(repo)
    code, out, err = _add(repo, capsys, "--type", "答复", "--at", "3-4 10:20", "--by", "消费者权益保护科",
                          "--note", "12345工单 #20261130-001 已转")
    assert code == 0, err
    assert out.splitlines()[:2] == ["已在 YQ-2025-0001 的处置经过中追加:答复 2025-03-04 10:20(消费者权益保护科)",
                                    "  状态 监测中 → 处置中"]
    assert _diff(repo) == ["-status: 监测中", "+status: 处置中", '+- at: "2025-03-04T10:20:00+08:00"',
                           "+  type: 答复", "+  by: 消费者权益保护科", "+  note: '12345工单 #20261130-001 已转'"]
    assert repo.read(ID)["timeline"][-1]["note"] == "12345工单 #20261130-001 已转"


@pytest.mark.parametrize(("kind", "status"), [("研判", "监测中"), ("预警", "监测中"), ("转办", "处置中"),
                                              ("线下处置", "处置中"), ("平息", "已平息")])
def test_status_follows_the_event(repo: GitRegister, capsys, kind: str, status: str) -> None:
    _committed(repo)
    code, _, err = _add(repo, capsys, "--type", kind, "--at", "2025-03-04 09:00")
    assert code == 0, err
    assert repo.read(ID)["status"] == status


def test_grading_needs_a_level_and_sets_it(repo: GitRegister, capsys) -> None:
    _committed(repo)
    code, _, err = _add(repo, capsys, "--type", "升级", "--at", "2025-03-04 09:00")
    assert (code, err.strip()) == (2, "错误:“升级”事件须写明等级:--level 一般 / 敏感 / 重大 / 特别重大。")
    assert repo.git("status", "--porcelain") == ""
    code, out, err = _add(repo, capsys, "--type", "升级", "--level", "重大", "--at", "2025-03-04 09:00",
                          "--by", "综合应急和新闻宣传科")
    assert code == 0, err
    assert "  等级 一般 → 重大" in out.splitlines()
    assert _diff(repo)[:2] == ["-level: 一般", "+level: 重大"]


def test_back_dated_insert_goes_in_time_order_and_warns(repo: GitRegister, capsys) -> None:
    _committed(repo, timeline=[{"at": "2025-03-03T09:30:00+08:00", "type": "研判"},
                               {"at": "2025-03-04T09:30:00+08:00", "type": "研判"}])
    code, _, err = _add(repo, capsys, "--type", "预警", "--at", "2025-03-03 09:40")
    assert code == 0, err
    assert err == ("注意:需要审批:新增的第 2 条“预警”(2025-03-03T09:40:00+08:00)插在已有事件之间,属于补录。"
                   "倒填的事件可能让已逾期的时限显示为按时完成,须经审批人审核;请在 note 中写明补录原因。\n")  # once
    assert [e["type"] for e in repo.read(ID)["timeline"]] == ["研判", "预警", "研判"]
    assert all(line.startswith("+") for line in _diff(repo))


def test_nothing_is_written_on_error(repo: GitRegister, capsys) -> None:
    _committed(repo)
    code, _, err = _add(repo, capsys, "--type", "研判", "--at", "2025-03-05 13:00")
    assert code == 2 and "晚于现在超过 10 分钟,不能记录未来的时间。" in err
    code, _, err = _add(repo, capsys, "--type", "研判", "--at", "2025-03-02 13:00")  # before discovery
    assert code == 1 and "[timeline-before-discovery]" in err and "追加后的文件未通过检查,未写入(以上行号指修改后将要写入的文件;磁盘上的文件未改动)。" in err
    code, _, err = _add(repo, capsys, "--type", "答付", "--at", "9:00")
    assert code == 2 and "事件类型“答付”无效。是否应为“答复”?" in err
    code, _, err = _add(repo, capsys, "--type", "答复", "--at", "9:00", "--by", "消保科")
    assert code == 2 and "办理单位“消保科”不在 register.yml 的 units 中。" in err
    code, _, err = run_cli(["event", "add", "YQ-2025-0002", "--type", "研判", "--at", "9:00", "--now", NOW,
                            "--root", str(repo.root)], capsys)
    assert code == 2 and "找不到事件 YQ-2025-0002。是否应为“YQ-2025-0001”?" in err
    code, _, err = run_cli(["event", "add", ID, "--no-interactive", "--root", str(repo.root)], capsys)
    assert code == 2 and "缺少 --type" in err
    assert repo.git("status", "--porcelain") == ""


def test_archiving_a_severe_record_needs_the_review(repo: GitRegister, capsys) -> None:
    _committed(repo, level="重大", timeline=[
        {"at": "2025-03-03T09:30:00+08:00", "type": "定级", "level": "重大", "by": "综合应急和新闻宣传科"},
        {"at": "2025-03-03T11:00:00+08:00", "type": "上报"}, {"at": "2025-03-03T12:00:00+08:00", "type": "答复"},
        {"at": "2025-03-04T09:00:00+08:00", "type": "降级", "level": "一般"}], status="已平息")
    repo.write(dict(repo.read(ID), level="一般", timeline=repo.read(ID)["timeline"] + [
        {"at": "2025-03-04T10:00:00+08:00", "type": "平息"}]))
    repo.commit("平息")
    code, _, err = _add(repo, capsys, "--type", "归档", "--at", "2025-03-05 10:00")
    assert code == 2
    assert err.strip() == ("错误:该事件曾为“重大”舆情,归档前必须完成评估总结(缺少:起因、性质、影响、责任、经验教训、完成时间)。"
                           "请先运行 `yuqing review YQ-2025-0001` 填写,再归档。")
    code, out, err = run_cli(["review", ID, "--cause", "商家进货把关不严: 过期 #批次", "--nature", "食品安全",
                              "--impact", "本地关注", "--responsibility", "商家主体责任", "--lessons", "加强巡查",
                              "--completed-at", "3-5 9:00", "--now", NOW, "--root", str(repo.root)], capsys)
    assert code == 0, err
    assert repo.read(ID)["review"] == {"cause": "商家进货把关不严: 过期 #批次", "nature": "食品安全", "impact": "本地关注",
                                       "responsibility": "商家主体责任", "lessons": "加强巡查",
                                       "completed_at": "2025-03-05T09:00:00+08:00"}
    code, out, err = _add(repo, capsys, "--type", "归档", "--at", "2025-03-05 10:00")
    assert code == 0, err
    assert "  状态 已平息 → 已归档" in out.splitlines()
    code, _, err = _add(repo, capsys, "--type", "研判", "--at", "2025-03-05 11:00")
    assert code == 2 and "该事件已归档:归档后只能追加“更正”事件(yuqing correct)。" in err


def test_commit_makes_its_own_branch_with_only_the_record(repo: GitRegister, capsys) -> None:
    _committed(repo)
    (repo.root / "草稿.txt").write_text("x", encoding="utf-8")
    code, out, err = _add(repo, capsys, "--type", "答复", "--at", "3-4 10:20", "--commit")
    assert code == 0, err
    branch = repo.git("rev-parse", "--abbrev-ref", "HEAD")
    assert re.fullmatch(r"update/YQ-2025-0001-[0-9a-f]{6}", branch)
    assert repo.git("log", "-1", "--format=%s") == "YQ-2025-0001: 追加事件 答复"
    assert repo.git("show", "--name-only", "--format=", "HEAD") == "incidents/2025/YQ-2025-0001.yml"
    assert f"已在分支 {branch} 上提交“YQ-2025-0001: 追加事件 答复”(只含 incidents/2025/YQ-2025-0001.yml)。" in out
    assert "其他未提交的改动未动、也未提交:草稿.txt。" in out
    # On the record's own branch the next update stays there (one pull request).
    code, _, err = _add(repo, capsys, "--type", "平息", "--at", "3-5 10:00", "--commit")
    assert code == 0, err
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD") == branch
    assert repo.git("rev-list", "--count", "main..HEAD") == "2"
    # Another record's branch is not the place for it.
    repo.git("switch", "-q", "-c", "incident/YQ-2025-0009-abcdef")
    code, _, err = _add(repo, capsys, "--type", "研判", "--at", "3-5 11:00", "--commit")
    assert code == 2 and "当前在分支 incident/YQ-2025-0009-abcdef 上,它不是 YQ-2025-0001 的分支。请先 git switch main" in err


def test_push_with_a_bounded_wait(repo: GitRegister, tmp_path_factory, capsys) -> None:
    _committed(repo)
    tmp_path = tmp_path_factory.mktemp("outside")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.root), str(remote)], check=True, env=git_env())
    repo.git("remote", "add", "origin", str(remote))
    repo.git("fetch", "-q", "origin")
    code, out, err = _add(repo, capsys, "--type", "答复", "--at", "3-4 10:20", "--push", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["pushed"] and result["branch"].startswith("update/YQ-2025-0001-")
    assert subprocess.run(["git", "rev-parse", result["branch"]], cwd=remote, capture_output=True).returncode == 0
    # Offline: the commit is kept, the clerk is told in Chinese.
    repo.git("switch", "-q", "main")
    repo.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    code, out, err = _add(repo, capsys, "--type", "研判", "--at", "3-4 11:00", "--push")
    assert code == 1
    assert "注意:无法从远程仓库 origin 获取最新内容(" in err
    assert "推送失败(" in err and "可能未联网或没有权限;联网后运行 git push -u origin update/YQ-2025-0001-" in err
    assert repo.git("log", "-1", "--format=%s") == "YQ-2025-0001: 追加事件 研判"


def test_main_behind_origin_is_refused_before_writing(repo: GitRegister, tmp_path_factory, capsys) -> None:
    _committed(repo)
    tmp_path = tmp_path_factory.mktemp("outside")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.root), str(remote)], check=True, env=git_env())
    repo.git("remote", "add", "origin", str(remote))
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(remote), str(other)], check=True, env=git_env())
    (other / "README.txt").write_text("x", encoding="utf-8")
    for args in (["add", "-A"], ["commit", "-q", "-m", "x"], ["push", "-q", "origin", "main"]):
        subprocess.run(["git", *args], cwd=other, check=True, env=git_env("李四"))
    code, _, err = _add(repo, capsys, "--type", "研判", "--at", "3-4 11:00", "--commit")
    assert code == 2 and "本地 main 落后于远程 origin/main(1 个提交),记录可能不是最新的。请先运行 git pull" in err
    assert repo.git("status", "--porcelain") == ""


def test_first_event_of_a_new_record(repo: GitRegister, capsys) -> None:
    code, _, err = run_cli(["new", "--title", "某超市销售过期酸奶", "--level", "一般", "--category", "食品安全",
                            "--unit", "食品经营安全监管科", "--channel", "微博", "--discovered-at", "2025-03-03 9:00",
                            "--now", NOW, "--no-fetch", "--root", str(repo.root)], capsys)
    assert code == 0, err
    repo.commit("登记")
    before = repo.path(ID).read_text(encoding="utf-8")
    code, _, err = _add(repo, capsys, "--type", "研判", "--at", "3-3 9:30", "--by", "综合应急和新闻宣传科")
    assert code == 0, err
    after = repo.path(ID).read_text(encoding="utf-8")
    assert after == before.replace("timeline: []\n", 'timeline:\n  - at: "2025-03-03T09:30:00+08:00"\n'
                                   "    type: 研判\n    by: 综合应急和新闻宣传科\n")


def test_interactive_event_add(repo: GitRegister, capsys, monkeypatch) -> None:
    _committed(repo)
    # type by number (11 = 答复), time as typed, unit by word, note
    monkeypatch.setattr("sys.stdin", io.StringIO("11\n3-4 10:20\n消费者权益保护科\n已电话答复: 退款\n"))
    code, _, err = run_cli(["event", "add", ID, "--interactive", "--now", NOW, "--root", str(repo.root)], capsys)
    assert code == 0, err
    assert repo.read(ID)["timeline"][-1] == {"at": "2025-03-04T10:20:00+08:00", "type": "答复",
                                             "by": "消费者权益保护科", "note": "已电话答复: 退款"}


def test_withdraw_and_correct(repo: GitRegister, capsys) -> None:
    _committed(repo)
    code, out, err = run_cli(["correct", ID, "--event", "1", "--note", "时间应为 9:35", "--now", NOW,
                              "--root", str(repo.root)], capsys)
    assert code == 0, err
    assert repo.read(ID)["timeline"][-1] == {"at": "2025-03-05T12:00:00+08:00", "type": "更正",
                                             "note": "更正第 1 条(研判,2025-03-03 09:30):时间应为 9:35"}
    code, _, err = run_cli(["correct", ID, "--event", "9", "--note", "x", "--now", NOW, "--root", str(repo.root)],
                           capsys)
    assert code == 2 and "没有第 9 条事件:处置经过共有 2 条(从 1 数起)。" in err
    code, out, err = run_cli(["withdraw", ID, "--reason", "重复登记: 见 #2", "--duplicate-of", "YQ-2025-0002",
                              "--now", NOW, "--root", str(repo.root)], capsys)
    assert code == 2 and "--duplicate-of:找不到事件 YQ-2025-0002。" in err
    repo.write(base_incident(id="YQ-2025-0002"))
    code, out, err = run_cli(["withdraw", ID, "--reason", "重复登记: 见 #2", "--duplicate-of", "YQ-2025-0002",
                              "--now", NOW, "--root", str(repo.root)], capsys)
    assert code == 0, err
    assert repo.read(ID)["withdrawn"] == {"at": "2025-03-05T12:00:00+08:00", "reason": "重复登记: 见 #2",
                                          "duplicate_of": "YQ-2025-0002"}
    assert "注意:需要审批:" in err  # withdrawing needs an approver (the audit's policy)
    code, _, err = run_cli(["withdraw", ID, "--reason", "again", "--now", NOW, "--root", str(repo.root)], capsys)
    assert code == 2 and "该事件已撤销(已有 withdrawn)。" in err


def test_a_windows_file_keeps_its_line_ends(repo: GitRegister, capsys) -> None:
    path = _committed(repo)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    repo.commit("CRLF")
    before = path.read_bytes()
    code, _, err = _add(repo, capsys, "--type", "研判", "--at", "2025-03-04 09:00", "--note", "第一行\n第二行")
    assert code == 0, err
    after = path.read_bytes()
    assert after.startswith(before) and b"\n" not in after.replace(b"\r\n", b"")
    assert repo.read(ID)["timeline"][-1]["note"] == "第一行\n第二行"
