"""What a clerk stumbled on in a week from a fresh clone (issue 11's review): each finding, fixed.

Real clones of a real bare remote (tests/test_renumber.py's helpers); every
message is the one a clerk reads.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import base_incident
from .githelper import GitRegister, repo, run_cli  # noqa: F401  (repo is a fixture)
from .test_renumber import clone, forge_merge, git, remote  # noqa: F401  (remote is a fixture)

ID = "YQ-2025-0001"
NOW = "2025-03-03T12:00:00+08:00"


def _add(where: Path, capsys, *args: str, incident: str = ID) -> tuple[int, str, str]:
    return run_cli(["event", "add", incident, *args, "--now", NOW, "--root", str(where)], capsys)


# --- 1. two clerks updating the same record ---------------------------------------------

def test_two_clerks_updating_one_record_redo_on_the_latest_main(remote: Path, tmp_path: Path, capsys) -> None:
    a = clone(remote, tmp_path / "a", "李四")
    b = clone(remote, tmp_path / "b", "王五")
    code, _, err = _add(a, capsys, "--type", "研判", "--at", "10:20", "--by", "综合应急和新闻宣传科",
                        "--note", "A 的研判", "--commit")
    assert code == 0, err
    code, _, err = _add(b, capsys, "--type", "转办", "--at", "10:25", "--by", "食品经营安全监管科",
                        "--note", "B 的转办", "--commit")
    assert code == 0, err
    branch_a, branch_b = (git(w, "branch", "--show-current").stdout.strip() for w in (a, b))
    git(a, "push", "-q", "-u", "origin", branch_a)
    forge_merge(a, branch_a)

    # B deleted nothing: verify says someone else added an event, and how to redo B's on the latest main.
    code, out, err = run_cli(["verify", "--root", str(b)], capsys)
    assert code == 1
    said = out + err
    assert "被删除" not in said and "请恢复原样" not in said
    assert ("处置经过第 2 条“研判”(2025-03-03T10:20:00+08:00,原文件第" in said
            and "是别人在本分支分叉后追加到目标分支 origin/main 上的,本分支并没有删除它:有人同时在这个记录上追加了事件。"
                "请在最新的 main 上重做你的改动:1. yuqing event rebase YQ-2025-0001" in said), said

    # Merging by hand conflicts inside timeline: check names the markers at their line, in Chinese.
    merged = git(b, "merge", "--no-edit", "origin/main", check=False)
    assert merged.returncode != 0 and "CONFLICT" in merged.stdout
    rel = "incidents/2025/YQ-2025-0001.yml"
    lines = (b / rel).read_text(encoding="utf-8").splitlines()
    marker = next(n for n, line in enumerate(lines, 1) if line.startswith("<<<<<<<"))
    code, out, err = run_cli(["check", str(b / rel), "--root", str(b)], capsys)
    assert code == 1
    assert f":{marker}:1: 错误[merge-conflict] 这一行“<<<<<<<”是 git 合并冲突标记(下面是当前分支的内容)" in out and "merge-conflict" in out
    assert "这一行“<<<<<<<”是 git 合并冲突标记" in out and "git merge --abort" in out
    assert "yuqing event rebase YQ-2025-0001" in out and "缩进" not in out

    # rebase refuses while the merge is unfinished, and says what to run.
    code, _, err = run_cli(["event", "rebase", ID, "--now", NOW, "--root", str(b)], capsys)
    assert code == 2 and "git merge --abort" in err
    git(b, "merge", "--abort")

    code, out, err = run_cli(["event", "rebase", ID, "--now", NOW, "--root", str(b)], capsys)
    assert code == 0, err
    assert "重新追加:转办 2025-03-03T10:25:00+08:00" in out
    assert git(b, "log", "-1", "--format=%s").stdout.strip() == f"event rebase: {ID} onto origin/main"
    # Against main, the branch now only appends B's lines.
    diff = [line for line in git(b, "diff", "-U0", "origin/main", "HEAD").stdout.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert diff == ["-status: 监测中", "+status: 处置中", '+- at: "2025-03-03T10:25:00+08:00"', "+  type: 转办",
                    "+  by: 食品经营安全监管科", "+  note: B 的转办"]
    code, out, err = run_cli(["verify", "--root", str(b)], capsys)
    assert code == 0, out + err
    git(b, "push", "-q", "-u", "origin", branch_b)
    forge_merge(b, branch_b)
    record = yaml.safe_load(git(remote, "show", f"main:{rel}").stdout)
    assert [e["type"] for e in record["timeline"]] == ["研判", "研判", "转办"]
    assert record["status"] == "处置中"


# --- 2 and 5. renumber after a half-done merge; the pull request of the old branch --------------

def test_renumber_in_a_conflicted_merge_says_abort_first_then_names_the_orphaned_pr(
        remote: Path, tmp_path: Path, capsys) -> None:
    from .test_renumber import new_flags

    a = clone(remote, tmp_path / "a", "李四")
    b = clone(remote, tmp_path / "b", "王五")
    for where, title in ((a, "东城区某超市销售过期酸奶"), (b, "西城区某餐馆后厨卫生问题")):
        code, _, err = run_cli([*new_flags(title), "--root", str(where)], capsys)
        assert code == 0, err
    branch_a, branch_b = (git(w, "branch", "--show-current").stdout.strip() for w in (a, b))
    git(a, "push", "-q", "--no-verify", "-u", "origin", branch_a)
    forge_merge(a, branch_a)
    git(b, "push", "-q", "--no-verify", "-u", "origin", branch_b)  # B's pull request is open on this branch
    git(b, "fetch", "-q", "origin")
    merged = git(b, "merge", "--no-edit", "origin/main", check=False)
    assert merged.returncode != 0 and "CONFLICT" in merged.stdout  # add/add in the same file

    lines = (b / "incidents/2025/YQ-2025-0002.yml").read_text(encoding="utf-8").splitlines()
    marker = next(n for n, line in enumerate(lines, 1) if line.startswith("<<<<<<<"))
    code, out, err = run_cli(["renumber", "YQ-2025-0002", "--now", NOW, "--root", str(b)], capsys)
    assert code == 2
    assert err.startswith(f"错误:上一次 git merge 还没有完成,YQ-2025-0002.yml 第 {marker} 行有 git 合并冲突标记(<<<<<<< 等),"
                          "这时不能改号。请按顺序:\n  1. 放弃这次合并:git merge --abort\n"
                          "  2. 改号:yuqing renumber YQ-2025-0002\n"
                          "  3. 再合并目标分支(这次不会冲突):git fetch origin && git merge origin/main\n"
                          "  4. 核对:yuqing verify\n  5. 推送:git push -u origin HEAD"), err
    assert "yaml" not in err.lower()

    git(b, "merge", "--abort")
    code, out, err = run_cli(["renumber", "YQ-2025-0002", "--now", NOW, "--root", str(b)], capsys)
    assert code == 0, err
    new_branch = branch_b.replace("YQ-2025-0002", "YQ-2025-0003")
    assert (f"  4. 分支已由 {branch_b} 改名为 {new_branch}:原分支上已开的合并请求(PR)不会随之更新。"
            f"请从新分支 {new_branch} 重新发起合并请求,并关闭原分支的那个合并请求。") in out.splitlines()
    assert f"     远程仓库上还有原分支,关闭原合并请求后删除它:git push origin --delete {branch_b}" in out.splitlines()


# --- 3. the direction of 升级 and 降级 ---------------------------------------------------------

def test_event_add_refuses_a_grading_event_that_goes_the_wrong_way(repo: GitRegister, capsys) -> None:
    repo.write(base_incident())
    repo.commit(f"登记 {ID}")
    before = repo.path(ID).read_bytes()
    code, _, err = _add(repo.root, capsys, "--type", "降级", "--level", "重大", "--at", "10:00", "--by", "信息中心")
    assert (code, err) == (2, "错误:“降级”须低于当时的等级“一般”,而“重大”并不更低。要升为“重大”请用 --type 升级。\n")
    code, _, err = _add(repo.root, capsys, "--type", "升级", "--level", "一般", "--at", "10:00", "--by", "信息中心")
    assert (code, err) == (2, "错误:“升级”须高于当时的等级“一般”,而“一般”并不更高。"
                              "等级不变,不必升级或降级;要确认等级请用 --type 定级。\n")
    assert repo.path(ID).read_bytes() == before
    code, _, err = _add(repo.root, capsys, "--type", "升级", "--level", "重大", "--at", "10:00", "--by", "信息中心")
    assert code == 0, err
    code, _, err = _add(repo.root, capsys, "--type", "升级", "--level", "敏感", "--at", "10:10", "--by", "信息中心")
    assert (code, err) == (2, "错误:“升级”须高于当时的等级“重大”,而“敏感”并不更高。要降为“敏感”请用 --type 降级。\n")
    code, _, err = _add(repo.root, capsys, "--type", "定级", "--level", "敏感", "--at", "10:10", "--by", "信息中心")
    assert code == 0, err  # 定级 may set any level


def test_check_reminds_of_a_first_grading_event_that_goes_the_wrong_way(repo: GitRegister, capsys) -> None:
    """By hand: a 降级 to 重大 on a 一般 record whose level line was not moved along, and a 升级 to 一般."""
    grading = {"at": "2025-03-03T10:00:00+08:00", "type": "降级", "level": "重大", "by": "信息中心"}
    path = repo.write(base_incident(timeline=[grading]))
    code, out, _ = run_cli(["check", str(path), "--now", NOW, "--root", str(repo.root)], capsys)
    line = repo.line_of(ID, "level: 重大")
    assert code == 1 and "level-mismatch" in out
    assert (f"{line}:10: timeline[0].level: 提醒[grading-direction] “降级”到“重大”并不低于此前的“一般”;是否应为“升级”或“定级”?" in out), out
    path = repo.write(base_incident(level="一般", timeline=[dict(grading, type="升级", level="一般")]))
    code, out, _ = run_cli(["check", str(path), "--now", NOW, "--root", str(repo.root)], capsys)
    assert "“升级”到“一般”并不高于任何等级;是否应为“降级”或“定级”?" in out, out


# --- 4. a collision visible only in another pending branch on origin --------------------------

def test_verify_sees_the_same_id_in_another_pending_branch(remote: Path, tmp_path: Path, capsys) -> None:
    from yuqing.verify import pending_collisions

    from .test_renumber import new_flags

    a = clone(remote, tmp_path / "a", "李四")
    b = clone(remote, tmp_path / "b", "王五")
    for where, title in ((a, "东城区某超市销售过期酸奶"), (b, "西城区某餐馆后厨卫生问题")):
        code, _, err = run_cli([*new_flags(title), "--no-fetch", "--root", str(where)], capsys)
        assert code == 0, err
    branch_a, branch_b = (git(w, "branch", "--show-current").stdout.strip() for w in (a, b))
    git(a, "push", "-q", "--no-verify", "-u", "origin", branch_a)  # A's pull request, not merged yet
    git(b, "push", "-q", "--no-verify", "-u", "origin", branch_b)
    git(b, "fetch", "-q", "origin")
    code, _, err = run_cli(["verify", "--root", str(b)], capsys)
    assert code == 0  # the audit judges against main only: the collision is not there yet
    assert f"注意:远程分支 origin/{branch_a} 也新增了编号 YQ-2025-0002" in err, err  # ...but verify says so
    assert pending_collisions(b, "origin/main") == [
        f"远程分支 origin/{branch_a} 也新增了编号 YQ-2025-0002(incidents/2025/YQ-2025-0002.yml),尚未合并到目标分支:"
        "有人同时登记了同一编号。先合并的一方不用改;另一方须改号:yuqing renumber YQ-2025-0002,"
        "再 git fetch origin && git merge origin/main,yuqing verify,推送。请与对方确认由谁改号。"]
    # B's own branch on origin is no collision; once B renumbers, nothing is left to warn about.
    code, _, err = run_cli(["renumber", "YQ-2025-0002", "--now", NOW, "--root", str(b)], capsys)
    assert code == 0, err
    assert pending_collisions(b, "origin/main") == []


# --- 6. a file that had errors before the change --------------------------------------------

def test_event_add_on_a_broken_file_names_the_errors_it_already_had(repo: GitRegister, capsys) -> None:
    repo.write(base_incident(category="食堂安全"))  # not a category of register.yml
    repo.commit(f"登记 {ID}")
    line = repo.line_of(ID, "category:")
    code, _, err = _add(repo.root, capsys, "--type", "研判", "--at", "10:00", "--by", "信息中心")
    assert code == 1
    assert f"incidents/2025/YQ-2025-0001.yml:{line}:" in err and "[unknown-category]" in err
    assert err.rstrip().endswith("错误:incidents/2025/YQ-2025-0001.yml 在修改之前就有以上 1 处错误(行号指磁盘上的文件),"
                                 "未做任何改动。请先运行 `yuqing check incidents/2025/YQ-2025-0001.yml` 修正,再运行本命令。")
    assert "修改后" not in err


# --- 7 and 8. words a clerk reads: the withdrawal's approval, the review's required parts ---------

def test_withdraw_names_the_approval_in_words(repo: GitRegister, capsys) -> None:
    repo.write(base_incident())
    repo.write(base_incident(id="YQ-2025-0002"))
    repo.commit("登记")
    code, _, err = run_cli(["withdraw", ID, "--reason", "重复登记", "--duplicate-of", "YQ-2025-0002", "--now", NOW,
                            "--root", str(repo.root)], capsys)
    assert code == 0, err
    assert err == ("注意:需要审批:撤销本事件(原因:重复登记,与 YQ-2025-0002 重复)。"
                   "撤销让事件不再计入时限和统计;合并前须经审批人在合并请求中审核。\n")
    assert "{" not in err


def test_review_asks_every_part_as_required_once_the_record_was_severe(repo: GitRegister, capsys, monkeypatch) -> None:
    import io

    grading = {"at": "2025-03-03T10:00:00+08:00", "type": "升级", "level": "重大", "by": "信息中心"}
    repo.write(base_incident(level="重大", timeline=[grading]))
    repo.commit("登记")
    # An empty answer is asked again: 起因 twice, then the other four.
    monkeypatch.setattr("sys.stdin", io.StringIO("\n留样不规范\n集体性\n67 人就医\n主体责任\n加强检查\n"))
    code, _, err = run_cli(["review", ID, "--interactive", "--now", NOW, "--root", str(repo.root)], capsys)
    assert code == 0, err
    assert "起因(必填:曾为“重大”舆情,归档前须填写完整)" in err and "可不填" not in err
    assert err.count("起因(必填") == 2  # the empty answer was asked again
    assert repo.read(ID)["review"]["lessons"] == "加强检查"


def test_yes_no_prompts_take_chinese_words_and_help_speaks_chinese(tmp_path: Path, capsys, monkeypatch) -> None:
    import io

    from .conftest import RegisterDir

    register = RegisterDir(tmp_path)
    # ... channel (a platform), link, discovery time, appeal: a wrong word (asked again in Chinese), then 是
    answers = "某健身房闭店拒不退费\n1\n消费维权\n消费者权益保护科\n抖音\n\n8:50\n也许\n是\n8:20\n\n\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    code, _, err = run_cli(["new", "--interactive", "--now", "2025-03-04T10:00:00+08:00", "--root", str(register.root)],
                           capsys)
    assert code == 0, err
    assert "网民是否在帖子中要求答复(有诉求)? [是/否]" in err and "[y/N]" not in err
    assert "“也许”不是“是”或“否”:请回答 是 或 否(也可写 y 或 n)。" in err and "Error" not in err
    data = yaml.safe_load((register.root / "incidents/2025/YQ-2025-0001.yml").read_text(encoding="utf-8"))
    assert data["appeal"] == {"posted_at": "2025-03-04T08:20:00+08:00"}
    for command in (["new"], ["event"], ["event", "add"], ["event", "rebase"], ["withdraw"], ["correct"], ["review"],
                    ["renumber"]):
        code, out, _ = run_cli([*command, "--help"], capsys)
        assert code == 0 and "-h, --help" in out and "显示本帮助并退出。" in out and "Show this" not in out, command


# --- 9. back-dating is judged against the target branch, once ---------------------------------

def test_adding_between_this_branchs_own_events_is_no_backdating(repo: GitRegister, capsys) -> None:
    repo.write(base_incident())
    repo.commit(f"登记 {ID}")
    repo.git("switch", "-q", "-c", f"update/{ID}-abc123")
    for at, note in (("10:00", "第一次"), ("10:40", "第三次")):
        code, _, err = _add(repo.root, capsys, "--type", "研判", "--at", at, "--by", "信息中心", "--note", note, "--commit")
        assert code == 0, err
    code, _, err = _add(repo.root, capsys, "--type", "转办", "--at", "10:20", "--by", "信息中心", "--commit")
    assert code == 0 and "补录" not in err, err  # the events around it are this branch's own, not yet merged
    assert [e.get("note") for e in repo.read(ID)["timeline"]] == [None, "第一次", None, "第三次"]
    code, _, err = _add(repo.root, capsys, "--type", "预警", "--at", "9:20", "--by", "信息中心")
    assert err.count("属于补录") == 1 and "插在已有事件之间,属于补录" in err and "补录:该事件" not in err  # before main's own event: once


# --- 10. event add --commit fetches first, on the record's own branch too ------------------------

def test_event_add_on_its_branch_fetches_and_names_a_change_on_main(remote: Path, tmp_path: Path, capsys) -> None:
    a = clone(remote, tmp_path / "a", "李四")
    b = clone(remote, tmp_path / "b", "王五")
    code, _, err = _add(b, capsys, "--type", "研判", "--at", "10:25", "--by", "信息中心", "--commit")
    assert code == 0 and "注意" not in err, err
    code, _, err = _add(a, capsys, "--type", "转办", "--at", "10:20", "--by", "信息中心", "--commit")
    assert code == 0, err
    branch_a = git(a, "branch", "--show-current").stdout.strip()
    git(a, "push", "-q", "-u", "origin", branch_a)
    forge_merge(a, branch_a)
    code, _, err = _add(b, capsys, "--type", "上报", "--at", "10:40", "--by", "信息中心", "--commit")
    assert code == 0, err
    assert ("注意:origin/main 上的 YQ-2025-0001 在本分支分叉后有人改过(可能同时追加了事件)。本次仍提交到本分支;"
            "提交后请运行 yuqing event rebase YQ-2025-0001(在最新的 main 上重做本分支的事件),再 yuqing verify、推送。") in err
    code, out, err = run_cli(["event", "rebase", ID, "--now", NOW, "--root", str(b)], capsys)
    assert code == 0, err
    record = yaml.safe_load((b / "incidents/2025/YQ-2025-0001.yml").read_text(encoding="utf-8"))
    assert [e["type"] for e in record["timeline"]] == ["研判", "转办", "研判", "上报"]
    code, out, err = run_cli(["verify", "--root", str(b)], capsys)
    assert code == 0, out + err


# --- 11. the time of an event defaults to now; new's hint works for any record ----------------------

def test_event_add_without_at_is_now_and_new_hints_no_fixed_time(repo: GitRegister, capsys) -> None:
    from .test_renumber import new_flags

    repo.write(base_incident())
    repo.commit(f"登记 {ID}")
    code, out, err = run_cli([*new_flags("某餐馆后厨卫生问题"), "--no-fetch", "--root", str(repo.root)], capsys)
    assert code == 0, err
    hint = next(line for line in out.splitlines() if "yuqing event add" in line)
    assert "--at 8:50" not in hint and "时间默认为现在" in hint
    code, _, err = run_cli(["event", "add", "YQ-2025-0002", "--type", "研判", "--by", "信息中心", "--commit",
                            "--no-interactive", "--now", NOW, "--root", str(repo.root)], capsys)
    assert code == 0, err
    assert repo.read("YQ-2025-0002")["timeline"][-1]["at"] == "2025-03-03T12:00:00+08:00"


# --- 12. a link without its scheme -------------------------------------------------------------------

def test_new_completes_a_link_without_scheme_and_refuses_what_is_no_link(tmp_path: Path, capsys) -> None:
    from .conftest import RegisterDir
    from .test_renumber import new_flags

    register = RegisterDir(tmp_path)
    flags = [f for f in new_flags("某餐馆后厨卫生问题") if f != "--branch"]
    code, _, err = run_cli([*flags, "--url", "javascript:alert(1)", "--root", str(register.root)], capsys)
    assert (code, err) == (2, "错误:--url:链接“javascript:alert(1)”不是网址:应以 http:// 或 https:// 开头,"
                              "如 https://weibo.com/123456。\n")
    code, _, err = run_cli([*flags, "--url", "weibo.com/123456", "--root", str(register.root)], capsys)
    assert code == 0, err
    assert "注意:链接“weibo.com/123456”没有写 https://,已按 https://weibo.com/123456 记录,请核对能否打开。" in err
    data = yaml.safe_load((register.root / "incidents/2025/YQ-2025-0001.yml").read_text(encoding="utf-8"))
    assert data["source"]["url"] == "https://weibo.com/123456"


def test_the_same_type_added_on_both_sides_is_not_called_an_edit(repo: GitRegister, capsys) -> None:
    """Both clerks add a 研判: the audit must not pair them up and call the base's one rewritten."""
    repo.write(base_incident())
    repo.commit(f"登记 {ID}")
    repo.git("switch", "-q", "-c", f"update/{ID}-b00000")
    code, _, err = _add(repo.root, capsys, "--type", "研判", "--at", "10:25", "--by", "信息中心", "--note", "B", "--commit")
    assert code == 0, err
    repo.git("switch", "-q", "main")
    code, _, err = _add(repo.root, capsys, "--type", "研判", "--at", "10:20", "--by", "信息中心", "--note", "A")
    assert code == 0, err
    repo.commit("A 的研判")
    repo.git("switch", "-q", f"update/{ID}-b00000")
    code, out, _ = run_cli(["audit", "--base", "main", "--root", str(repo.root)], capsys)
    assert code == 1
    assert "被修改" not in out and "被删除" not in out
    assert "是别人在本分支分叉后追加到目标分支 main 上的,本分支并没有删除它" in out
    code, out, err = run_cli(["event", "rebase", ID, "--base", "main", "--no-fetch", "--now", NOW,
                              "--root", str(repo.root)], capsys)
    assert code == 0, err
    assert [e.get("note") for e in repo.read(ID)["timeline"]] == [None, "A", "B"]
    code, out, _ = run_cli(["audit", "--base", "main", "--root", str(repo.root)], capsys)
    assert code == 0, out


# --- ids held by pull-request branches of every kind ------------------------------------------

def test_new_skips_an_id_that_an_import_or_intake_branch_adds(remote: Path, tmp_path: Path, capsys) -> None:
    """An import (``import/<date>``) or web-form (``intake/issue-N``) branch names no id: its records still count."""
    from .test_renumber import new_flags

    a = clone(remote, tmp_path / "a", "李四")
    git(a, "switch", "-q", "-c", "import/2025-03-03")
    code, _, err = run_cli([*new_flags("导入的一条监测信息"), "--no-fetch", "--root", str(a)], capsys)
    assert code == 0, err
    git(a, "push", "-q", "--no-verify", "origin", "HEAD:refs/heads/import/2025-03-03")
    b = clone(remote, tmp_path / "b", "王五")
    code, out, err = run_cli([*new_flags("另一位值班员登记的事件"), "--root", str(b)], capsys)
    assert code == 0, err
    assert (b / "incidents/2025/YQ-2025-0003.yml").is_file(), out + err  # 0002 is held by the import branch
    assert not (b / "incidents/2025/YQ-2025-0002.yml").exists()


def test_a_second_import_the_same_day_skips_the_ids_of_the_first_unpushed_one(remote: Path, tmp_path: Path,
                                                                               capsys) -> None:
    """Two imports (or a registration after an import) from one clone, nothing pushed yet: no id twice."""
    from .test_renumber import new_flags

    a = clone(remote, tmp_path / "a", "李四")
    git(a, "switch", "-q", "-c", "import/2025-03-03")
    code, _, err = run_cli([*new_flags("第一次导入的监测信息"), "--no-fetch", "--root", str(a)], capsys)
    assert code == 0, err
    made = git(a, "branch", "--show-current").stdout.strip()
    git(a, "branch", "-q", "-f", "import/2025-03-03", "HEAD")  # the import branch holds the record, unpushed
    git(a, "switch", "-q", "main")
    git(a, "branch", "-q", "-D", made)  # no branch name carries the id any more
    code, out, err = run_cli([*new_flags("第二次登记"), "--no-fetch", "--root", str(a)], capsys)
    assert code == 0, err
    assert (a / "incidents/2025/YQ-2025-0003.yml").is_file(), out + err
