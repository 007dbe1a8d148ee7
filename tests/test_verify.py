"""`yuqing verify` runs the pull request's steps locally; `yuqing hooks install` runs it before each push."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from yuqing.verify import STEPS

from .conftest import PROJECT, base_incident
from .githelper import GitRegister, git_env, repo, run_cli  # noqa: F401  (repo is a fixture)


def _pr_steps() -> list[list[str]]:
    """The `yuqing check`/`yuqing audit` commands of the pull-request workflow, with the base as {base}."""
    text = (PROJECT / ".github/workflows/pr.yml").read_text(encoding="utf-8")
    steps = []
    for line in text.splitlines():
        found = re.search(r"\byuqing (check|audit)\b(.*)", line)
        if not found or "--format approvals" in line or line.lstrip().startswith("#"):
            continue
        args = [found.group(1), *found.group(2).replace('"origin/$BASE_REF"', "{base}")
                .replace("origin/${{ github.base_ref }}", "{base}").split()]
        args = [a for a in args if a not in ("|", "||", "true", ">")]
        for option in ("--format", "--settings"):  # output form; the base's settings are audit's default
            while option in args:
                index = args.index(option)
                del args[index:index + 2]
        steps.append(args)
    return steps


def test_verify_runs_exactly_the_pull_requests_gate_steps() -> None:
    assert _pr_steps() == [list(step.args) for step in STEPS]


def _with_remote(repo: GitRegister, tmp_path_factory) -> Path:
    repo.write(base_incident())
    repo.commit("登记 YQ-2025-0001")
    remote = tmp_path_factory.mktemp("remote") / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.root), str(remote)], check=True, env=git_env())
    repo.git("remote", "add", "origin", str(remote))
    repo.git("fetch", "-q", "origin")
    return remote


def test_what_check_alone_lets_through_verify_stops(repo: GitRegister, tmp_path_factory, capsys) -> None:
    _with_remote(repo, tmp_path_factory)
    repo.git("switch", "-q", "-c", "update/YQ-2025-0001-abcdef")
    data = repo.read("YQ-2025-0001")
    data["timeline"][0]["note"] = "改写了已记录的说明"
    repo.write(data)
    repo.commit("rewrite")
    code, out, _ = run_cli(["check", "--root", str(repo.root)], capsys)
    assert code == 0  # the file itself is valid ...
    code, out, err = run_cli(["verify", "--root", str(repo.root)], capsys)
    assert code == 1  # ... but the pull request would fail, and so does verify
    lines = out.splitlines()
    assert lines[0] == ("第 1 步:检查本次改动的事件文件与迟报"
                        "(yuqing check --history --changed-since origin/main --main origin/main)")
    assert "第 2 步:审核改动(变更策略)(yuqing audit --base origin/main)" in lines
    assert lines[-1] == "未通过:合并请求中的检查也不会通过。请按上面的提示修正后再推送(目标分支 origin/main)。"


def test_verify_passes_a_good_update_and_deleting_a_record_fails(repo: GitRegister, tmp_path_factory, capsys) -> None:
    _with_remote(repo, tmp_path_factory)
    code, _, err = run_cli(["event", "add", "YQ-2025-0001", "--type", "答复", "--at", "2025-03-04 10:00",
                            "--now", "2025-03-05T09:00:00+08:00", "--commit", "--root", str(repo.root)], capsys)
    assert code == 0, err
    code, out, _ = run_cli(["verify", "--root", str(repo.root)], capsys)
    assert code == 0, out
    assert out.splitlines()[-1] == "核对通过:与合并请求中的检查相同,可以推送(目标分支 origin/main)。"
    repo.path("YQ-2025-0001").unlink()
    code, out, err = run_cli(["verify", "--no-fetch", "--root", str(repo.root)], capsys)
    assert code == 0 and ("注意:incidents/2025/YQ-2025-0001.yml 有未提交的改动,不会随推送进入合并请求"
                          "(合并请求只看提交)。") in err
    repo.commit("delete a record")  # the pull request sees commits, and so does verify
    code, out, _ = run_cli(["check", "--root", str(repo.root)], capsys)
    assert code == 0
    code, out, _ = run_cli(["verify", "--no-fetch", "--root", str(repo.root)], capsys)
    assert code == 1 and "record-deleted" in out


def test_verify_offline_says_so_and_uses_what_it_has(repo: GitRegister, tmp_path_factory, capsys) -> None:
    _with_remote(repo, tmp_path_factory)
    repo.git("remote", "set-url", "origin", str(tmp_path_factory.mktemp("gone") / "gone.git"))
    code, out, err = run_cli(["verify", "--root", str(repo.root)], capsys)
    assert code == 0
    assert "注意:无法从远程仓库 origin 获取最新内容(" in err


def test_hook_install_and_a_push_it_stops(repo: GitRegister, tmp_path_factory, capsys) -> None:
    remote = _with_remote(repo, tmp_path_factory)
    code, out, err = run_cli(["hooks", "install", "--root", str(repo.root)], capsys)
    assert code == 0, err
    hook = repo.root / ".git/hooks/pre-push"
    assert out.strip() == f"已安装推送前检查:{hook}。以后每次 git push 前自动运行 yuqing verify,未通过时不推送。"
    assert hook.stat().st_mode & 0o111 and "exec \"$YUQING\" verify" in hook.read_text(encoding="utf-8")
    repo.git("switch", "-q", "-c", "bad")
    repo.path("YQ-2025-0001").unlink()
    repo.commit("delete a record")
    pushed = subprocess.run(["git", "push", "-q", "origin", "bad"], cwd=repo.root, env=git_env(),
                            capture_output=True, text=True)
    assert pushed.returncode != 0 and "record-deleted" in pushed.stdout + pushed.stderr
    assert subprocess.run(["git", "rev-parse", "--verify", "-q", "bad"], cwd=remote).returncode != 0
    # Someone else's hook is not overwritten.
    hook.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    code, _, err = run_cli(["hooks", "install", "--root", str(repo.root)], capsys)
    assert code == 2 and "已有别的推送前钩子,未覆盖;确需替换请加 --force。" in err


def test_pre_commit_offers_the_pre_push_hook() -> None:
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert (hooks["yuqing-verify"]["entry"], hooks["yuqing-verify"]["stages"]) == ("yuqing verify", ["pre-push"])
    config = yaml.safe_load((PROJECT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    local = {h["id"]: h for h in config["repos"][0]["hooks"]}
    assert local["yuqing-verify"]["stages"] == ["pre-push"] and local["yuqing-verify"]["pass_filenames"] is False


def test_registration_is_judged_by_arrival_on_the_target_branch(repo: GitRegister, capsys) -> None:
    # The target is `release`, not main: a record already on the local main but not on
    # release is not registered yet, so it counts from the checking run's clock (late).
    repo.commit("empty register", when="2025-03-01T10:00:00+08:00")
    repo.git("branch", "release")
    repo.write(base_incident())
    repo.commit("登记 YQ-2025-0001", when="2025-03-03T10:00:00+08:00")
    repo.git("switch", "-q", "-c", "update/YQ-2025-0001")
    code, out, _ = run_cli(["verify", "--no-fetch", "--base", "release", "--root", str(repo.root)], capsys)
    assert out.splitlines()[0] == ("第 1 步:检查本次改动的事件文件与迟报"
                                   "(yuqing check --history --changed-since release --main release)")
    assert "仍未进入主分支(按检查时间计)" in out and "late-registration" in out


def test_the_pre_commit_check_hook_judges_every_file_under_incidents(tmp_path: Path, capsys) -> None:
    import shutil

    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    hook = hooks["yuqing-check"]
    # pre-commit passes the staged files its `files` pattern finds (re.search) to the entry.
    staged = ["incidents/2025/YQ-2025-0001.yml.bak", "incidents/2025/草稿.txt", "incidents/2025/YQ-2025-0002.yml",
              "docs/guide/index.md", "register.yml"]
    passed = [name for name in staged if re.search(hook["files"], name)]
    assert passed == staged[:3]
    root = tmp_path / "register"
    (root / "incidents/2025").mkdir(parents=True)
    shutil.copy(PROJECT / "register.yml", root / "register.yml")
    shutil.copytree(PROJECT / "schemas", root / "schemas")
    (root / passed[0]).write_text("id: YQ-2025-0001\n", encoding="utf-8")
    (root / passed[1]).write_text("备忘\n", encoding="utf-8")
    code, out, _ = run_cli([*hook["entry"].split()[1:], "--root", str(root), *(str(root / p) for p in passed[:2])],
                           capsys)
    assert code == 1
    assert [line.split(" ")[1] for line in out.splitlines()[:2]] == ["错误[file-name]", "错误[file-name]"]
