"""`yuqing new`: next free id, a commented file that passes `yuqing check`, optional branch and commit."""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from yuqing.config import load_config
from yuqing.ids import next_id, taken_ids
from yuqing.new import Draft, render
from yuqing.register import load_register
from yuqing.times import zone

from .conftest import PROJECT, RegisterDir, base_incident
from .githelper import GitRegister, git_env, repo, run_cli  # noqa: F401  (repo is a fixture)

NOW = "2025-03-03T12:00:00+08:00"
FLAGS = ["--title", "某超市销售过期酸奶被网民曝光", "--level", "敏感", "--category", "食品安全",
         "--unit", "食品经营安全监管科", "--channel", "社交媒体", "--discovered-at", "2025-03-03 09:00",
         "--now", NOW]


def _new(root: Path, capsys, *extra: str) -> tuple[int, str, str]:
    return run_cli(["new", *FLAGS, *extra, "--root", str(root)], capsys)


def test_writes_a_valid_commented_file(register_dir: RegisterDir, capsys) -> None:
    code, out, err = _new(register_dir.root, capsys, "--summary", "网民发帖称酸奶已过期。")
    assert code == 0, err
    path = register_dir.root / "incidents" / "2025" / "YQ-2025-0001.yml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../schemas/incident.schema.json"
    assert "# 发现时间:本单位发现该舆情的时间。编号中的年份和所在年份目录以此为准。" in text
    assert yaml.safe_load(text) == {
        "id": "YQ-2025-0001", "title": "某超市销售过期酸奶被网民曝光", "level": "敏感", "status": "监测中",
        "category": "食品安全", "discovered_at": "2025-03-03T09:00:00+08:00", "source": {"channel": "社交媒体"},
        "units": {"lead": "食品经营安全监管科"}, "summary": "网民发帖称酸奶已过期。", "timeline": [],
    }
    register = load_register(register_dir.root, now=datetime(2025, 3, 3, 12, tzinfo=zone("Asia/Shanghai")))
    assert register.issues == ()
    assert out.splitlines()[0] == "已登记 YQ-2025-0001:incidents/2025/YQ-2025-0001.yml"
    assert "  2. 运行 yuqing check incidents/2025/YQ-2025-0001.yml;" in out.splitlines()
    # And the command line agrees.
    code, out, _ = run_cli(["check", "--now", NOW, "--root", str(register_dir.root)], capsys)
    assert (code, out.strip()) == (0, "检查了 1 个文件,全部通过。")


def test_awkward_text_is_quoted_and_reads_back(register_dir: RegisterDir) -> None:
    config, _ = load_config(register_dir.root)
    assert config is not None
    title = "网民:某店 #过期 “酸奶”: yes"
    draft = Draft(title=title, level="一般", category="食品安全", unit="食品经营安全监管科",
                  discovered_at=datetime(2025, 3, 3, 9, tzinfo=zone("Asia/Shanghai")), channel="自媒体",
                  summary="第一行\n第二行: 有冒号", platform="true", url="https://example.org/a?b=1#c")
    data = yaml.safe_load(render(draft, "YQ-2025-0001", config))
    assert (data["title"], data["summary"], data["source"]) == (
        title, "第一行\n第二行: 有冒号", {"channel": "自媒体", "platform": "true", "url": "https://example.org/a?b=1#c"})


def test_next_id_follows_the_highest_number_of_the_year(register_dir: RegisterDir, capsys) -> None:
    register_dir.write(base_incident(id="YQ-2025-0001"))
    register_dir.write(base_incident(id="YQ-2025-0007"))
    register_dir.write(base_incident(id="YQ-2024-0020", discovered_at="2024-12-30T09:00:00+08:00",
                                     timeline=[]))
    code, out, err = _new(register_dir.root, capsys)
    assert code == 0, err
    assert out.startswith("已登记 YQ-2025-0008:incidents/2025/YQ-2025-0008.yml")
    assert "不在 git 仓库中,只按工作区文件分配编号。" in err
    assert next_id("YQ", 2026, ["YQ-2025-0008"]) == "YQ-2026-0001"
    assert next_id("YQ", 2025, ["YQ-2025-9999"]) == "YQ-2025-10000"


def test_next_id_also_sees_origin_main_and_pending_branches(repo: GitRegister, tmp_path: Path, capsys) -> None:
    repo.write(base_incident(id="YQ-2025-0001"))
    repo.commit("登记 YQ-2025-0001")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.root), str(remote)], check=True, env=git_env())
    repo.git("remote", "add", "origin", str(remote))
    assert taken_ids(repo.root).looked_in == ("工作区",)  # never fetched: no origin/main yet
    repo.git("fetch", "-q", "origin")
    # Someone else registered 0005 on the server; someone pushed a pending branch for 0006.
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(remote), str(other)], check=True, env=git_env())
    RegisterDir.write(type("R", (), {"root": other})(), base_incident(id="YQ-2025-0005"))  # type: ignore[arg-type]
    for args in (["add", "-A"], ["commit", "-q", "-m", "登记 YQ-2025-0005"], ["push", "-q", "origin", "main"],
                 ["push", "-q", "origin", "main:incident/YQ-2025-0006"]):
        subprocess.run(["git", *args], cwd=other, check=True, env=git_env("李四"))

    taken = taken_ids(repo.root)
    assert (sorted(taken.ids), taken.looked_in) == (["YQ-2025-0001"], ("工作区", "origin/main"))  # not fetched yet
    taken = taken_ids(repo.root, fetch=True)  # fetches main and the pending branches
    assert sorted(taken.ids) == ["YQ-2025-0001", "YQ-2025-0005", "YQ-2025-0006"]
    taken = taken_ids(repo.root)
    assert sorted(taken.ids) == ["YQ-2025-0001", "YQ-2025-0005", "YQ-2025-0006"]
    assert taken.looked_in == ("工作区", "origin/main", "1 个待合并的登记分支")
    code, out, _ = _new(repo.root, capsys)
    assert out.splitlines()[:2] == ["已登记 YQ-2025-0007:incidents/2025/YQ-2025-0007.yml",
                                    "(编号依据:工作区、已从 origin 获取最新内容、origin/main、1 个待合并的登记分支)"]


def test_missing_flags_without_a_terminal_is_a_usage_error(register_dir: RegisterDir, capsys) -> None:
    code, out, err = run_cli(["new", "--title", "某事", "--no-interactive", "--root", str(register_dir.root)], capsys)
    assert code == 2
    assert "不在终端中运行,无法逐项提问:缺少 --level、--category、--unit、--channel。" in err
    assert not (register_dir.root / "incidents" / "2025").exists()


def test_a_wrong_word_is_refused_with_a_suggestion(register_dir: RegisterDir, capsys) -> None:
    flags = [f if f != "敏感" else "重要" for f in FLAGS]
    code, _, err = run_cli(["new", *flags, "--root", str(register_dir.root)], capsys)
    assert code == 2
    assert "等级“重要”无效。是否应为“重大”?" in err


def test_a_future_discovery_is_refused_and_nothing_written(register_dir: RegisterDir, capsys) -> None:
    flags = [f if f != "2025-03-03 09:00" else "2025-03-04 09:00" for f in FLAGS]
    code, _, err = run_cli(["new", *flags, "--root", str(register_dir.root)], capsys)
    assert code == 2
    assert "--discovered-at:“2025-03-04 09:00”即 2025-03-04 09:00,晚于现在超过 10 分钟,不能记录未来的时间。" in err
    assert list((register_dir.root / "incidents").rglob("*.yml")) == []


def test_interactive_prompts_offer_the_vocabularies(register_dir: RegisterDir, capsys, monkeypatch) -> None:
    # title; level by number (2 = 敏感); category by word; unit with a typo then by number; channel;
    # platform, link (left empty); time; no appeal; summary
    answers = "某超市销售过期酸奶\n2\n食品安全\n食品经营安全监管\n2\n4\n\n\n2025-03-03 09:00\n\n\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    code, out, err = run_cli(["new", "--interactive", "--now", NOW, "--root", str(register_dir.root)], capsys)
    assert code == 0, err
    assert "等级:1.一般  2.敏感  3.重大  4.特别重大" in err
    assert "“食品经营安全监管”不在可选范围内。是否应为“食品经营安全监管科”?" in err
    data = yaml.safe_load((register_dir.root / "incidents/2025/YQ-2025-0001.yml").read_text(encoding="utf-8"))
    assert (data["title"], data["level"], data["category"], data["units"], data["source"], data["discovered_at"],
            data["summary"]) == ("某超市销售过期酸奶", "敏感", "食品安全", {"lead": "食品经营安全监管科"},
                                 {"channel": "社交媒体"}, "2025-03-03T09:00:00+08:00", "某超市销售过期酸奶")
    assert "appeal" not in data


def test_branch_commits_the_registration(repo: GitRegister, capsys, monkeypatch) -> None:
    repo.write(base_incident())
    repo.commit("登记 YQ-2025-0001")
    for key, value in git_env("王五", "2025-03-03T12:05:00+08:00").items():
        monkeypatch.setenv(key, value)
    code, out, err = _new(repo.root, capsys, "--branch", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["id"] == "YQ-2025-0002"
    assert re.fullmatch(r"incident/YQ-2025-0002-[0-9a-f]{6}", result["branch"])
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD") == result["branch"]
    assert repo.git("log", "-1", "--format=%H|%an|%aI|%s") == (
        f"{result['commit']}|王五|2025-03-03T12:05:00+08:00|登记 YQ-2025-0002 某超市销售过期酸奶被网民曝光")
    assert repo.git("show", "--name-status", "--format=", "HEAD") == "A\tincidents/2025/YQ-2025-0002.yml"
    assert repo.git("status", "--porcelain") == ""
    # The history knows who registered it, and the audit against main passes.
    from yuqing import history
    from yuqing.audit import audit

    assert history.load(repo.root).of("YQ-2025-0002").registered_by == "王五"  # type: ignore[union-attr]
    assert audit(repo.root, "main").ok


def test_branch_text_tells_what_to_do_next(repo: GitRegister, capsys, monkeypatch) -> None:
    repo.write(base_incident())
    repo.commit("登记 YQ-2025-0001")
    code, out, _ = _new(repo.root, capsys, "--branch")
    assert code == 0
    branch = repo.git("rev-parse", "--abbrev-ref", "HEAD")
    assert f"  4. 推送:git push -u origin {branch}" in out.splitlines()
    assert "  3. 推送前核对(与合并请求的检查完全相同):yuqing verify" in out.splitlines()
    assert "commit -am" not in out
    code, _, err = run_cli(["new", *FLAGS, "--branch", "--root", str(repo.root)], capsys)
    assert code == 0  # now on incident/YQ-2025-0002-…, whose file is in the tree: the next is 0003
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD").startswith("incident/YQ-2025-0003-")


def test_branch_outside_git_is_refused_before_writing(register_dir: RegisterDir, capsys) -> None:
    code, _, err = _new(register_dir.root, capsys, "--branch")
    assert code == 2
    assert "不在 git 仓库中,无法使用 --branch。" in err
    assert list((register_dir.root / "incidents").rglob("*.yml")) == []


@pytest.mark.parametrize(("bad", "why"), [("2025-03-03", "只有日期,没有时刻。"), ("昨天", "只有日期,没有时刻。"),
                                         ("三点", "不是能识别的时间。")])
def test_a_bad_time_is_a_usage_error(register_dir: RegisterDir, capsys, bad: str, why: str) -> None:
    flags = [f if f != "2025-03-03 09:00" else bad for f in FLAGS]
    code, _, err = run_cli(["new", *flags, "--root", str(register_dir.root)], capsys)
    assert code == 2
    assert f"--discovered-at:“{bad}”{why}可以写:8:50、08:50、8点50、上午8:50、下午3:10、今天 8:50" in err
    assert list((register_dir.root / "incidents").rglob("*.yml")) == []


def test_platform_names_appeal_and_short_times(register_dir: RegisterDir, capsys) -> None:
    code, out, err = run_cli(["new", "--title", "网民反映某超市销售过期酸奶", "--level", "一般", "--category", "食品安全",
                              "--unit", "食品经营安全监管科", "--channel", "微博", "--discovered-at", "8:50",
                              "--appeal-at", "今天 8:20", "--appeal-author", "网民“小王”",
                              "--url", "https://weibo.example/p/1#c", "--now", "2025-03-03T09:30:00+08:00",
                              "--root", str(register_dir.root)], capsys)
    assert code == 0, err
    data = yaml.safe_load((register_dir.root / "incidents/2025/YQ-2025-0001.yml").read_text(encoding="utf-8"))
    assert data["source"] == {"channel": "社交媒体", "platform": "微博", "url": "https://weibo.example/p/1#c"}
    assert data["discovered_at"] == "2025-03-03T08:50:00+08:00"
    assert data["appeal"] == {"posted_at": "2025-03-03T08:20:00+08:00", "author": "网民“小王”"}
    # An appeal starts the two reply clocks.
    code, out, _ = run_cli(["deadlines", "--now", "2025-03-03T09:30:00+08:00", "--format", "json",
                            "--root", str(register_dir.root)], capsys)
    assert {d["rule"] for d in json.loads(out)["deadlines"]} == {"first-reply-3wh", "reply-3wd"}


@pytest.mark.parametrize(("word", "channel", "platform"), [
    ("公众号", "自媒体", "微信公众号"), ("12345", "群众来电", "12345 热线"), ("B站", "社交媒体", "哔哩哔哩"),
    ("头条", "网络媒体", "今日头条"), ("社交媒体", "社交媒体", None)])
def test_channel_answer_may_be_a_platform(register_dir: RegisterDir, capsys, word: str, channel: str,
                                          platform: str | None) -> None:
    flags = [f if f != "社交媒体" else word for f in FLAGS]
    code, _, err = run_cli(["new", *flags, "--root", str(register_dir.root)], capsys)
    assert code == 0, err
    data = yaml.safe_load((register_dir.root / "incidents/2025/YQ-2025-0001.yml").read_text(encoding="utf-8"))
    assert data["source"].get("channel") == channel and data["source"].get("platform") == platform


def test_interactive_asks_platform_link_and_appeal(register_dir: RegisterDir, capsys, monkeypatch) -> None:
    # title, level, category, unit, channel answered with a platform (no platform question then), link,
    # discovery time as staff type it, appeal yes, its time, its author, summary
    answers = "某健身房闭店拒不退费\n1\n消费维权\n消费者权益保护科\n抖音\nhttps://v.example/1\n8:50\ny\n昨天 20:10\n网民“某某”\n\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    code, _, err = run_cli(["new", "--interactive", "--now", "2025-03-04T10:00:00+08:00",
                            "--root", str(register_dir.root)], capsys)
    assert code == 0, err
    assert "(也可以直接写平台,如 微博、微信、微信公众号、抖音、快手、小红书)" in err
    data = yaml.safe_load((register_dir.root / "incidents/2025/YQ-2025-0001.yml").read_text(encoding="utf-8"))
    assert (data["source"], data["discovered_at"], data["appeal"]) == (
        {"channel": "社交媒体", "platform": "抖音", "url": "https://v.example/1"}, "2025-03-04T08:50:00+08:00",
        {"posted_at": "2025-03-03T20:10:00+08:00", "author": "网民“某某”"})


def test_typed_text_cannot_become_structure(register_dir: RegisterDir, capsys) -> None:
    title = "…\rwithdrawn:\t{reason:\t误登}"
    flags = [f if f != "某超市销售过期酸奶被网民曝光" else title for f in FLAGS]
    run_cli(["new", *flags, "--root", str(register_dir.root)], capsys)
    config, _ = load_config(register_dir.root)
    assert config is not None
    draft = Draft(title=title, level="一般", category="食品安全", unit="食品经营安全监管科",
                  discovered_at=datetime(2025, 3, 3, 9, tzinfo=zone("Asia/Shanghai")), channel="自媒体",
                  summary="confidential: true\n#x")
    data = yaml.safe_load(render(draft, "YQ-2025-0001", config))
    assert (data["title"], data["summary"]) == (title, "confidential: true\n#x")
    assert "withdrawn" not in data and "confidential" not in data
    for path in (register_dir.root / "incidents").rglob("*.yml"):  # if check let it through, it is the same text
        written = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert written["title"] == title and "withdrawn" not in written


def test_branch_commits_only_its_file_and_names_the_others(repo: GitRegister, capsys) -> None:
    repo.write(base_incident())
    repo.commit("登记 YQ-2025-0001")
    (repo.root / "notes.txt").write_text("草稿\n", encoding="utf-8")
    other = repo.path("YQ-2025-0001")
    other.write_text(other.read_text(encoding="utf-8") + "# 待补充\n", encoding="utf-8")
    code, out, err = _new(repo.root, capsys, "--branch")
    assert code == 0, err
    assert repo.git("show", "--name-only", "--format=", "HEAD") == "incidents/2025/YQ-2025-0002.yml"
    assert "     其他未提交的改动未动、也未提交:incidents/2025/YQ-2025-0001.yml、notes.txt。" in out.splitlines()
    assert repo.git("status", "--porcelain") == "M incidents/2025/YQ-2025-0001.yml\n?? notes.txt"  # (leading space stripped)


def test_offline_fetch_says_so_and_goes_on(repo: GitRegister, tmp_path: Path, capsys) -> None:
    repo.write(base_incident())
    repo.commit("登记 YQ-2025-0001")
    repo.git("remote", "add", "origin", str(tmp_path / "gone.git"))
    code, out, err = _new(repo.root, capsys)
    assert code == 0
    assert "注意:无法从远程仓库 origin 获取最新内容(" in err and "可能未联网。先按本地已知的情况继续" in err
    assert out.startswith("已登记 YQ-2025-0002")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
def test_any_typed_text_is_written_exactly(text: str) -> None:
    from yuqing.config import load_config as _load
    from yuqing.loader import load_text

    config, _ = _load(PROJECT)
    assert config is not None
    draft = Draft(title=text, level="一般", category="食品安全", unit="食品经营安全监管科",
                  discovered_at=datetime(2025, 3, 3, 9, tzinfo=zone("Asia/Shanghai")), channel="自媒体",
                  summary=text, platform=text, url=text, appeal_author=text,
                  appeal_posted_at=datetime(2025, 3, 3, 8, tzinfo=zone("Asia/Shanghai")))
    data = load_text(render(draft, "YQ-2025-0001", config), "f").data
    assert data is not None
    assert (data["title"], data["summary"], data["source"]["platform"], data["source"]["url"],
            data["appeal"]["author"]) == (text.strip(), text, text, text, text)
    assert set(data) == {"id", "title", "level", "status", "category", "discovered_at", "source", "units",
                         "summary", "appeal", "timeline"}
