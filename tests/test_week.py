"""A duty clerk's whole week, on real git repositories, using only yuqing's commands (and git push).

Monday: a post on 微博 with a hashtag and an appeal is registered; updates follow
through the week, one pull request each (the pre-push hook runs `yuqing verify`
before every push; "the forge" merges); Wednesday it is escalated to 重大;
Thursday it calms down (平息); Friday the review is written and it is archived,
then a slip is corrected. A duplicate registration is withdrawn, and two clerks
race for an id. Every file produced keeps its comments and passes check and audit.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .githelper import run_cli
from .test_renumber import clone, forge_merge, git, remote  # noqa: F401  (remote is a fixture)

TITLE = "微博话题 #南山超市过期酸奶# 冲上同城热搜"
FIRST = "YQ-2025-0002"  # the remote already holds YQ-2025-0001


class Clerk:
    def __init__(self, where: Path, capsys) -> None:
        self.root, self.capsys = where, capsys

    def run(self, *args: str, now: str) -> tuple[int, str, str]:
        code, out, err = run_cli([*args, "--now", now, "--root", str(self.root)], self.capsys)
        assert code == 0, (args, out, err)
        return code, out, err

    def branch(self) -> str:
        return git(self.root, "branch", "--show-current").stdout.strip()

    def push_and_merge(self) -> None:
        branch = self.branch()
        pushed = git(self.root, "push", "-q", "-u", "origin", branch, check=False)
        assert pushed.returncode == 0, pushed.stdout + pushed.stderr
        forge_merge(self.root, branch)

    def update(self, incident: str, kind: str, at: str, now: str, *extra: str) -> dict:
        """One action, one pull request: event add --commit --push, then the forge merges it."""
        _, out, _ = self.run("event", "add", incident, "--type", kind, "--at", at, *extra, "--commit", "--push",
                             "--format", "json", now=now)
        result = json.loads(out)
        assert result["pushed"] and result["branch"].startswith(f"update/{incident}-")
        forge_merge(self.root, result["branch"])
        return result

    def record(self, incident: str) -> dict:
        return yaml.safe_load((self.root / "incidents/2025" / f"{incident}.yml").read_text(encoding="utf-8"))


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]


def test_a_clerks_week(remote: Path, tmp_path: Path, capsys) -> None:
    zhang = Clerk(clone(remote, tmp_path / "zhang", "张三"), capsys)
    li = Clerk(clone(remote, tmp_path / "li", "李四"), capsys)
    for clerk in (zhang, li):
        assert run_cli(["hooks", "install", "--root", str(clerk.root)], capsys)[0] == 0

    # Monday 09:00: register (the appeal starts the reply clocks).
    zhang.run("new", "--title", TITLE, "--level", "一般", "--category", "食品安全", "--unit", "食品经营安全监管科",
              "--channel", "微博", "--url", "https://weibo.example/p/1#c", "--discovered-at", "8:50",
              "--appeal-at", "8:20", "--appeal-author", "网民“小王”", "--summary", "网民原帖: 买到过期酸奶 #维权",
              "--branch", now="2025-03-03T09:00:00+08:00")
    registered = (zhang.root / f"incidents/2025/{FIRST}.yml").read_text(encoding="utf-8")
    zhang.push_and_merge()

    # A duplicate registered by mistake the same morning, then withdrawn.
    zhang.run("new", "--title", "南山超市过期酸奶(重复)", "--level", "一般", "--category", "食品安全",
              "--unit", "南山县局", "--channel", "12345", "--discovered-at", "9:10", "--branch",
              now="2025-03-03T09:15:00+08:00")
    zhang.push_and_merge()
    _, out, _ = zhang.run("withdraw", "YQ-2025-0003", "--reason", "与 YQ-2025-0002 重复", "--duplicate-of", FIRST,
                          "--commit", "--push", "--format", "json", now="2025-03-03T09:20:00+08:00")
    forge_merge(zhang.root, json.loads(out)["branch"])

    # Updates through the week, each its own pull request.
    zhang.update(FIRST, "研判", "9:30", "2025-03-03T09:40:00+08:00", "--by", "综合应急和新闻宣传科",
                 "--note", "初步研判: 一般舆情 #持续监测")
    result = zhang.update(FIRST, "转办", "10:00", "2025-03-03T10:05:00+08:00", "--by", "综合应急和新闻宣传科",
                          "--note", "转南山县局核查")
    assert result["changes"] == ["状态 监测中 → 处置中"]
    zhang.update(FIRST, "初步回应", "11:00", "2025-03-03T11:05:00+08:00", "--by", "消费者权益保护科",
                 "--note", "已在评论区回复: 正在核查")
    zhang.update(FIRST, "线下处置", "3-4 10:00", "2025-03-04T10:30:00+08:00", "--by", "南山县局",
                 "--note", "现场检查,下架过期酸奶 12 盒\n责令整改")
    result = zhang.update(FIRST, "升级", "3-5 9:00", "2025-03-05T09:10:00+08:00", "--level", "重大",
                          "--by", "综合应急和新闻宣传科", "--note", "多家媒体转载,升级为重大")
    assert result["changes"] == ["等级 一般 → 重大"]
    zhang.update(FIRST, "上报", "3-5 10:00", "2025-03-05T10:05:00+08:00", "--by", "综合应急和新闻宣传科")
    zhang.update(FIRST, "答复", "3-5 15:00", "2025-03-05T15:05:00+08:00", "--by", "消费者权益保护科",
                 "--note", "12345工单 #20250305-001 已答复")

    # Thursday: two clerks register at once and race for the next id.
    for clerk, title in ((zhang, "东城区某餐馆后厨卫生问题"), (li, "西城区某药店销售过期药品")):
        git(clerk.root, "pull", "-q", "--no-rebase", "origin", "main")
        clerk.run("new", "--title", title, "--level", "一般", "--category", "食品安全", "--unit", "东城区局",
                  "--channel", "抖音", "--discovered-at", "3-6 8:30", "--branch", now="2025-03-06T09:00:00+08:00")
    assert zhang.branch().startswith("incident/YQ-2025-0004-") and li.branch().startswith("incident/YQ-2025-0004-")
    zhang.push_and_merge()
    stopped = git(li.root, "push", "-q", "-u", "origin", li.branch(), check=False)
    assert stopped.returncode != 0 and "id-taken" in stopped.stdout + stopped.stderr
    li.run("renumber", "YQ-2025-0004", now="2025-03-06T09:10:00+08:00")
    merged = git(li.root, "merge", "--no-edit", "origin/main", check=False)
    assert merged.returncode == 0 and "CONFLICT" not in merged.stdout
    li.push_and_merge()

    # Thursday: it calms down.
    git(zhang.root, "pull", "-q", "--no-rebase", "origin", "main")
    result = zhang.update(FIRST, "平息", "3-6 16:00", "2025-03-06T16:10:00+08:00", "--by", "南山县局")
    assert result["changes"] == ["状态 处置中 → 已平息"]

    # Friday: archiving a record that reached 重大 needs the review first.
    code, _, err = run_cli(["event", "add", FIRST, "--type", "归档", "--at", "3-7 10:00", "--now",
                            "2025-03-07T10:05:00+08:00", "--root", str(zhang.root)], capsys)
    assert code == 2 and f"请先运行 `yuqing review {FIRST}` 填写,再归档。" in err
    zhang.run("review", FIRST, "--cause", "超市进货查验不严: 临期商品未下架", "--nature", "食品安全监管舆情",
              "--impact", "同城热搜,多家媒体转载", "--responsibility", "超市主体责任;属地监管巡查不到位",
              "--lessons", "加强临期食品专项检查\n建立网民诉求快速答复机制", "--completed-at", "3-7 9:30",
              "--commit", now="2025-03-07T09:40:00+08:00")
    _, out, _ = zhang.run("event", "add", FIRST, "--type", "归档", "--at", "3-7 10:00", "--by", "综合应急和新闻宣传科",
                          "--commit", "--format", "json", now="2025-03-07T10:05:00+08:00")
    assert json.loads(out)["changes"] == ["状态 已平息 → 已归档"]
    zhang.push_and_merge()

    # Friday afternoon: a slip in the 3rd event is corrected on the archived record.
    _, out, _ = zhang.run("correct", FIRST, "--event", "3", "--note", "初步回应单位应为综合应急和新闻宣传科",
                          "--commit", "--push", "--format", "json", now="2025-03-07T16:00:00+08:00")
    forge_merge(zhang.root, json.loads(out)["branch"])

    # What the register holds at the end of the week (a fresh clone of main).
    final = clone(remote, tmp_path / "final", "审计")
    record = Clerk(final, capsys).record(FIRST)
    assert (record["title"], record["level"], record["status"]) == (TITLE, "重大", "已归档")
    assert record["summary"] == "网民原帖: 买到过期酸奶 #维权"
    assert record["source"] == {"channel": "社交媒体", "platform": "微博", "url": "https://weibo.example/p/1#c"}
    assert record["appeal"] == {"posted_at": "2025-03-03T08:20:00+08:00", "author": "网民“小王”"}
    assert [e["type"] for e in record["timeline"]] == [
        "研判", "转办", "初步回应", "线下处置", "升级", "上报", "答复", "平息", "归档", "更正"]
    assert record["timeline"][0]["note"] == "初步研判: 一般舆情 #持续监测"
    assert record["timeline"][3]["note"] == "现场检查,下架过期酸奶 12 盒\n责令整改"
    assert record["timeline"][6]["note"] == "12345工单 #20250305-001 已答复"
    assert record["timeline"][-1]["note"] == "更正第 3 条(初步回应,2025-03-03 11:00):初步回应单位应为综合应急和新闻宣传科"
    assert record["review"]["lessons"] == "加强临期食品专项检查\n建立网民诉求快速答复机制"
    final_text = (final / f"incidents/2025/{FIRST}.yml").read_text(encoding="utf-8")
    assert _comments(final_text) == _comments(registered)  # every comment of the template kept
    assert Clerk(final, capsys).record("YQ-2025-0003")["withdrawn"]["duplicate_of"] == FIRST
    titles = {Clerk(final, capsys).record(i)["title"] for i in ("YQ-2025-0004", "YQ-2025-0005")}
    assert titles == {"东城区某餐馆后厨卫生问题", "西城区某药店销售过期药品"}

    # Every file passes check, and the whole week passes the audit against where it started.
    code, out, err = run_cli(["check", "--root", str(final)], capsys)
    assert code == 0 and out.startswith("检查了 5 个文件"), out + err
    start = git(final, "rev-list", "--max-parents=0", "HEAD").stdout.strip()
    code, out, err = run_cli(["audit", "--base", start, "--root", str(final)], capsys)
    assert code == 0, out + err
    # The history: one fixed-form commit per action, made by yuqing (plus the forge's merges).
    subjects = git(final, "log", "--no-merges", "--format=%s").stdout.splitlines()
    assert f"{FIRST}: 追加事件 答复" in subjects and "renumber: YQ-2025-0004 -> YQ-2025-0005" in subjects
    assert f"{FIRST}: 评估总结" in subjects and "YQ-2025-0003: 撤销" in subjects
