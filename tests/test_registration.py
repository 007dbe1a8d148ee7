"""A registration time nobody can set: arrival on main's first-parent history, or the CI clock.

Real repositories with pinned GIT_AUTHOR_DATE and GIT_COMMITTER_DATE. The
author date is what a clerk's machine says (anyone can set it); the committer
date of a merge made on main is what the forge says when it merges.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from .conftest import base_incident
from .githelper import GitRegister, git_env, repo, run_cli  # noqa: F401  (repo is a fixture)
from yuqing import history

ID = "YQ-2025-0001"
DISCOVERED = "2025-03-03T09:00:00+08:00"  # base_incident's discovery
CHECK = ["check", "--history", "--format", "json"]


def _git(repo: GitRegister, *args: str, authored: str, committed: str, author: str = "张三") -> str:
    env = git_env(author, committed)
    env["GIT_AUTHOR_DATE"] = authored
    done = subprocess.run(["git", *args], cwd=repo.root, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _start(repo: GitRegister) -> None:
    (repo.root / "README.md").write_text("台账\n", encoding="utf-8")
    repo.commit("初始化台账", when="2025-03-01T09:00:00+08:00")


def _backdated_branch(repo: GitRegister) -> str:
    """A record registered on a branch four days late, its commit dated 30 minutes after discovery."""
    _start(repo)
    repo.git("checkout", "-q", "-b", "new/YQ-2025-0001")
    repo.write(base_incident())
    repo.git("add", "-A")
    _git(repo, "commit", "-q", "-m", f"登记 {ID}", authored="2025-03-03T09:30:00+08:00",
         committed="2025-03-03T09:30:00+08:00")
    return repo.git("rev-parse", "HEAD")


def _warnings(out: str) -> list[tuple[str, str]]:
    return [(w["code"], w["message"]) for w in json.loads(out)["warnings"]]


def test_a_merge_commit_date_is_the_registration(repo: GitRegister, capsys: pytest.CaptureFixture[str]) -> None:
    branch_commit = _backdated_branch(repo)
    repo.git("checkout", "-q", "main")
    # The forge merges four days after discovery: its date is the arrival.
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7", "new/YQ-2025-0001",
             when="2025-03-07T10:00:00+08:00")
    merge = repo.git("rev-parse", "HEAD")

    found = history.load(repo.root, levels=False)
    record = found.of(ID)
    assert record is not None and found.main == "main"
    first = record.revisions[0]
    assert (first.commit, first.arrival) == (branch_commit, merge)
    assert record.registered_at is not None and record.registered_at.isoformat() == "2025-03-07T10:00:00+08:00"
    assert record.authored_at is not None and record.authored_at.isoformat() == "2025-03-03T09:30:00+08:00"

    code, out, _ = run_cli([*CHECK, "--root", str(repo.root)], capsys)
    warnings = _warnings(out)
    assert code == 0 and [c for c, _ in warnings] == ["late-registration", "backdated-commit"]
    assert warnings[0][1].startswith(f"迟报:发现于 2025-03-03 09:00,2025-03-07 10:00 才进入主分支(主分支提交 {merge[:8]}),"
                                     "登记人 张三,相隔 4天1小时(97.0 小时),超过登记时限 24 小时。")
    assert warnings[1][1].startswith(f"登记提交 {branch_commit[:8]}(张三)的提交时间写的是 2025-03-03 09:30,"
                                     "而进入主分支的时间是 2025-03-07 10:00,相差 4天")

    code, out, _ = run_cli(["history", ID, "--root", str(repo.root), "--format", "json"], capsys)
    data = json.loads(out)
    # Not "30 minutes after discovery": the author date is shown, never trusted.
    assert (data["registered_at"], data["registration_delay_hours"], data["late"]) == (
        "2025-03-07T10:00:00+08:00", 97.0, True)
    assert data["revisions"][0]["at"] == "2025-03-03T09:30:00+08:00"


def test_a_fast_forward_arrives_with_its_own_commit(repo: GitRegister, capsys: pytest.CaptureFixture[str]) -> None:
    _start(repo)
    repo.write(base_incident())
    repo.git("add", "-A")
    # Committed straight to main on 03-05 with an author date of 03-03 09:30.
    _git(repo, "commit", "-q", "-m", f"登记 {ID}", authored="2025-03-03T09:30:00+08:00",
         committed="2025-03-05T11:00:00+08:00")
    record = history.load(repo.root, levels=False).of(ID)
    assert record is not None and record.registered_at is not None
    assert record.registered_at.isoformat() == "2025-03-05T11:00:00+08:00"
    code, out, _ = run_cli([*CHECK, "--root", str(repo.root)], capsys)
    assert [c for c, _ in _warnings(out)] == ["late-registration", "backdated-commit"]

    # A branch fast-forwarded onto main: its commits are main's own first-parent history.
    repo.git("checkout", "-q", "-b", "update")
    repo.write(base_incident(id="YQ-2025-0002", discovered_at="2025-03-06T08:00:00+08:00"))
    repo.git("add", "-A")
    _git(repo, "commit", "-q", "-m", "登记 YQ-2025-0002", authored="2025-03-06T08:20:00+08:00",
         committed="2025-03-06T08:30:00+08:00", author="李四")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "update")
    second = history.load(repo.root, levels=False).of("YQ-2025-0002")
    assert second is not None and second.registered_at is not None
    assert second.registered_at.isoformat() == "2025-03-06T08:30:00+08:00"
    code, out, _ = run_cli([*CHECK, "--root", str(repo.root)], capsys)
    assert [(w["file"], w["code"]) for w in json.loads(out)["warnings"]] == [
        (f"incidents/2025/{ID}.yml", "late-registration"), (f"incidents/2025/{ID}.yml", "backdated-commit")]


def test_in_a_pull_request_the_ci_clock_judges(repo: GitRegister, capsys: pytest.CaptureFixture[str]) -> None:
    branch_commit = _backdated_branch(repo)  # still on the branch: not on main
    record = history.load(repo.root, levels=False).of(ID)
    assert record is not None and (record.on_main, record.registered_at) == (False, None)

    argv = [*CHECK, "--root", str(repo.root), "--main", "main"]
    code, out, _ = run_cli([*argv, "--now", "2025-03-07T10:00:00+08:00"], capsys)
    warnings = _warnings(out)
    assert code == 0 and [c for c, _ in warnings] == ["late-registration", "backdated-commit"]
    assert warnings[0][1].startswith("迟报:发现于 2025-03-03 09:00,到本次检查时 2025-03-07 10:00 仍未进入主分支(按检查时间计),"
                                     "登记人 张三,相隔 4天1小时")
    assert f"登记提交 {branch_commit[:8]}(张三)的提交时间写的是 2025-03-03 09:30,而本次检查时间是 2025-03-07 10:00" \
        in warnings[1][1]

    # Pushed right away: on time, and nothing to say about the commit date.
    code, out, _ = run_cli([*argv, "--now", "2025-03-03T10:00:00+08:00"], capsys)
    assert (code, _warnings(out)) == (0, [])

    # A draft not even committed is judged against the clock too.
    repo.write(base_incident(id="YQ-2025-0002", discovered_at="2025-03-03T08:00:00+08:00"))
    code, out, _ = run_cli([*argv, "--now", "2025-03-05T10:00:00+08:00"], capsys)
    assert [(w["file"].rsplit("/", 1)[1], w["code"]) for w in json.loads(out)["warnings"]] == [
        (f"{ID}.yml", "late-registration"), (f"{ID}.yml", "backdated-commit"),
        ("YQ-2025-0002.yml", "late-registration")]


def test_origin_main_is_the_default_and_a_missing_main_is_said(repo: GitRegister, tmp_path, capsys) -> None:
    _start(repo)
    repo.write(base_incident())
    repo.commit(f"登记 {ID}", when="2025-03-03T10:00:00+08:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(clone)], check=True, capture_output=True)
    # A local main that never saw the record: origin/main (the forge's) is what counts.
    subprocess.run(["git", "checkout", "-q", "-b", "work"], cwd=clone, check=True, capture_output=True, env=git_env())
    subprocess.run(["git", "branch", "-q", "-f", "main", "HEAD~1"], cwd=clone, check=True, capture_output=True,
                   env=git_env())
    found = history.load(clone, levels=False)
    assert found.main == "origin/main"
    record = found.of(ID)
    assert record is not None and record.registered_at is not None

    code, out, _ = run_cli([*CHECK, "--root", str(clone), "--main", "upstream/main"], capsys)
    assert code == 0
    assert _warnings(out) == [("history-unavailable", "找不到主分支 upstream/main(--main 所指的引用不存在,请先 git fetch)。无法判断是否迟报。")]
