"""No collisions: two clerks register at once; the second push is stopped, `yuqing renumber` fixes it.

Real clones of a real bare remote; the pre-push hook is the one `yuqing hooks
install` writes, run by git itself.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import PROJECT, RegisterDir, base_incident
from .githelper import GitRegister, git_env, repo, run_cli  # noqa: F401  (repo is a fixture)

NOW = "2025-03-03T12:00:00+08:00"


def new_flags(title: str) -> list[str]:
    return ["new", "--title", title, "--level", "一般", "--category", "食品安全", "--unit", "食品经营安全监管科",
            "--channel", "微博", "--discovered-at", "2025-03-03 9:00", "--now", NOW, "--branch"]


def git(where: Path, *args: str, author: str = "张三", check: bool = True) -> subprocess.CompletedProcess[str]:
    env = git_env(author)
    for key in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        env.pop(key)  # pushes and merges happen now
    return subprocess.run(["git", *args], cwd=where, env=env, capture_output=True, text=True, check=check)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare remote whose main holds one registered record."""
    seed = GitRegister(tmp_path / "seed") if (tmp_path / "seed").mkdir() is None else None
    assert seed is not None
    seed.write(base_incident())
    seed.commit("登记 YQ-2025-0001")
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed.root), str(bare))
    return bare


def clone(remote: Path, where: Path, name: str) -> Path:
    git(remote.parent, "clone", "-q", str(remote), str(where))
    git(where, "config", "user.name", name)
    git(where, "config", "user.email", f"{name}@example.gov.cn")
    return where


def forge_merge(where: Path, branch: str) -> None:
    """What the forge does when a pull request is merged: a merge commit on main (no local hook)."""
    git(where, "fetch", "-q", "origin")
    git(where, "switch", "-q", "main")
    git(where, "merge", "-q", "--ff-only", "origin/main")
    git(where, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch)
    git(where, "push", "-q", "--no-verify", "origin", "main")


def test_two_clerks_race_for_an_id(remote: Path, tmp_path: Path, capsys) -> None:
    a = clone(remote, tmp_path / "a", "李四")
    b = clone(remote, tmp_path / "b", "王五")
    for where in (a, b):
        code, out, err = run_cli(["hooks", "install", "--root", str(where)], capsys)
        assert code == 0, err
    # Both register at the same minute, offline from each other: the same id, different branches.
    code, _, err = run_cli([*new_flags("东城区某超市销售过期酸奶"), "--root", str(a)], capsys)
    assert code == 0, err
    code, _, err = run_cli([*new_flags("西城区某餐馆后厨卫生问题"), "--root", str(b)], capsys)
    assert code == 0, err
    branch_a, branch_b = (git(w, "branch", "--show-current").stdout.strip() for w in (a, b))
    assert branch_a != branch_b
    assert branch_a.startswith("incident/YQ-2025-0002-") and branch_b.startswith("incident/YQ-2025-0002-")

    # The first push passes the hook and is merged.
    pushed = git(a, "push", "-u", "origin", branch_a, check=False)
    assert pushed.returncode == 0, pushed.stderr
    assert "核对通过" in pushed.stdout + pushed.stderr
    forge_merge(a, branch_a)

    # The second push is stopped by the hook (yuqing verify: the audit finds the id taken).
    pushed = git(b, "push", "-u", "origin", branch_b, check=False)
    assert pushed.returncode != 0
    said = pushed.stdout + pushed.stderr
    assert "id-taken" in said and "未通过:合并请求中的检查也不会通过。" in said
    assert git(remote, "branch", "--list", branch_b).stdout.strip() == ""

    # renumber: one commit, file and id together, the branch follows the id.
    code, out, err = run_cli(["renumber", "YQ-2025-0002", "--now", NOW, "--root", str(b)], capsys)
    assert code == 0, err
    assert out.splitlines()[0] == ("已改号 YQ-2025-0002 → YQ-2025-0003:incidents/2025/YQ-2025-0002.yml → "
                                   "incidents/2025/YQ-2025-0003.yml")
    assert git(b, "log", "-1", "--format=%s").stdout.strip() == "renumber: YQ-2025-0002 -> YQ-2025-0003"
    status, old, new = git(b, "show", "--name-status", "--format=", "-M", "HEAD").stdout.split()
    assert (status[0], old, new) == ("R", "incidents/2025/YQ-2025-0002.yml", "incidents/2025/YQ-2025-0003.yml")
    changed = [line for line in git(b, "show", "-M", "--format=", "-U0", "HEAD").stdout.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-id: YQ-2025-0002", "+id: YQ-2025-0003"]  # the only line that changes
    new_branch = git(b, "branch", "--show-current").stdout.strip()
    assert new_branch == branch_b.replace("YQ-2025-0002", "YQ-2025-0003")
    record = yaml.safe_load((b / "incidents/2025/YQ-2025-0003.yml").read_text(encoding="utf-8"))
    assert (record["id"], record["title"]) == ("YQ-2025-0003", "西城区某餐馆后厨卫生问题")

    # Merging main now has nothing to conflict about; the push passes the hook; both records survive.
    merged = git(b, "merge", "--no-edit", "origin/main", check=False)
    assert merged.returncode == 0 and "CONFLICT" not in merged.stdout, merged.stdout
    pushed = git(b, "push", "-u", "origin", new_branch, check=False)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    forge_merge(b, new_branch)
    listing = git(remote, "ls-tree", "-r", "--name-only", "main", "--", "incidents").stdout.split()
    assert listing == ["incidents/2025/YQ-2025-0001.yml", "incidents/2025/YQ-2025-0002.yml",
                       "incidents/2025/YQ-2025-0003.yml"]
    titles = {yaml.safe_load(git(remote, "show", f"main:{p}").stdout)["title"] for p in listing}
    assert {"东城区某超市销售过期酸奶", "西城区某餐馆后厨卫生问题"} <= titles


def test_a_record_on_main_keeps_its_id(repo: GitRegister, capsys) -> None:
    repo.write(base_incident())
    repo.commit("登记")
    repo.git("switch", "-q", "-c", "work")
    code, _, err = run_cli(["renumber", "YQ-2025-0001", "--no-fetch", "--now", NOW, "--root", str(repo.root)], capsys)
    assert code == 2
    assert "YQ-2025-0001 已在 main 上登记,登记后编号不得修改。只有本分支新登记、与别人撞号的记录才能改号。" in err
    assert repo.git("status", "--porcelain") == ""


def test_explicit_new_id_is_checked(repo: GitRegister, capsys) -> None:
    repo.write(base_incident())
    repo.commit("登记")
    repo.git("switch", "-q", "-c", "incident/YQ-2025-0002-abcdef")
    repo.write(base_incident(id="YQ-2025-0002"))
    repo.commit("登记 YQ-2025-0002")
    code, _, err = run_cli(["renumber", "YQ-2025-0002", "YQ-2025-0001", "--no-fetch", "--now", NOW,
                            "--root", str(repo.root)], capsys)
    assert code == 2 and "编号 YQ-2025-0001 已被占用" in err
    code, _, err = run_cli(["renumber", "YQ-2025-0002", "YQ-2026-0009", "--no-fetch", "--now", NOW,
                            "--root", str(repo.root)], capsys)
    assert code == 2 and "新编号“YQ-2026-0009”应形如 YQ-2025-0003(前缀和年份与 YQ-2025-0002 相同,年份目录不变)。" in err
    code, out, err = run_cli(["renumber", "YQ-2025-0002", "YQ-2025-0007", "--no-fetch", "--now", NOW,
                              "--root", str(repo.root)], capsys)
    assert code == 0, err
    assert repo.git("branch", "--show-current") == "incident/YQ-2025-0007-abcdef"
    assert repo.read("YQ-2025-0007")["id"] == "YQ-2025-0007"
    assert not repo.path("YQ-2025-0002").exists()
    assert repo.git("status", "--porcelain") == ""


def test_the_id_taken_message_gives_steps_that_work(remote: Path, tmp_path: Path, capsys) -> None:
    import re
    import shlex

    a = clone(remote, tmp_path / "a", "李四")
    b = clone(remote, tmp_path / "b", "王五")
    for where, title in ((a, "东城区某超市销售过期酸奶"), (b, "西城区某餐馆后厨卫生问题")):
        code, _, err = run_cli([*new_flags(title), "--root", str(where)], capsys)
        assert code == 0, err
    branch_a = git(a, "branch", "--show-current").stdout.strip()
    git(a, "push", "-q", "--no-verify", "-u", "origin", branch_a)
    forge_merge(a, branch_a)

    code, out, _ = run_cli(["verify", "--root", str(b)], capsys)
    assert code == 1
    message = next(line for line in out.splitlines() if "id-taken" in line)
    assert ("编号 YQ-2025-0002 在目标分支上已被 incidents/2025/YQ-2025-0002.yml 占用(有人同时登记)。"
            "请运行 `yuqing renumber YQ-2025-0002`") in message
    steps = re.findall(r"`([^`]+)`", message)
    assert steps == ["yuqing renumber YQ-2025-0002", "git fetch origin && git merge origin/main", "yuqing verify",
                     "git push -u origin HEAD"]
    # Do exactly what it says, in its order.
    for step in steps:
        for command in step.split(" && "):
            words = shlex.split(command)
            if words[0] == "yuqing":
                extra = ["--now", NOW] if words[1] == "renumber" else []
                code, said, err = run_cli([*words[1:], *extra, "--root", str(b)], capsys)
                assert code == 0, said + err
            else:
                done = git(b, *words[1:], check=False)
                assert done.returncode == 0, done.stdout + done.stderr
    pushed = git(remote, "branch", "--list", "incident/YQ-2025-0003-*").stdout.strip()
    assert pushed  # the renamed branch reached the remote
    forge_merge(b, pushed.lstrip("* "))
    listing = git(remote, "ls-tree", "-r", "--name-only", "main", "--", "incidents").stdout.split()
    assert listing == ["incidents/2025/YQ-2025-0001.yml", "incidents/2025/YQ-2025-0002.yml",
                       "incidents/2025/YQ-2025-0003.yml"]
