"""`yuqing notify`: a local HTTP server stands in for each group robot; signatures are recomputed here
from fixed timestamps and secrets; Chinese text is split at byte limits; sends are rate limited."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from pathlib import Path

import pytest

from yuqing.config import load_config
from yuqing.notify import RateLimit, Section, messages, request, send
from yuqing.times import zone

from .conftest import PROJECT, RegisterDir, base_incident
from .fakeweb import FakeWeb, web  # noqa: F401  (web is a fixture)
from .githelper import run_cli

TZ = zone("Asia/Shanghai")
NAME = "示例市市场监督管理局舆情台账"
SECRET = "SEC0123456789abcdef"
# 敏感 at discovery (2025-03-03 09:00, a Monday): "report-4h" is due 13:00, due soon from 12:00.
SENSITIVE = base_incident(level="敏感", title="网民称某超市销售过期酸奶 <b>#维权</b> [链接](x)")


@pytest.fixture
def register(tmp_path: Path) -> RegisterDir:
    folder = RegisterDir(tmp_path)
    folder.write(SENSITIVE)
    folder.write(base_incident(id="YQ-2025-0002", level="敏感", confidential=True, title="涉密标题不得外发"))
    return folder


def _notify(register: RegisterDir, capsys, web: FakeWeb, robot: str, now: str, *args: str,
            path: str = "/hook") -> tuple[int, str, str]:
    return run_cli(["notify", "--to", robot, "--webhook", f"{web.url}{path}?key=KEY-42", "--now", now,
                    "--since", "30m", "--digest", "", *args, "--root", str(register.root)], capsys)


def _ok(web: FakeWeb, robot: str) -> None:
    web.route("POST", "/hook", (200, {"code": 0, "msg": "success"} if robot == "feishu" else {"errcode": 0, "errmsg": "ok"}))


# --- what is sent, and when ----------------------------------------------------------------

def test_a_clock_that_turned_red_reaches_wecom_once(register: RegisterDir, capsys, web: FakeWeb) -> None:
    _ok(web, "wecom")
    code, out, err = _notify(register, capsys, web, "wecom", "2025-03-03T13:10:00+08:00")
    assert code == 0, err
    assert out == "已向企业微信群发送 1 条消息。\n"
    [seen] = web.requests("POST")
    assert seen.query == {"key": ["KEY-42"]}
    assert seen.body["msgtype"] == "markdown"
    content = seen.body["markdown"]["content"]
    assert content.splitlines()[:3] == [f"**{NAME}:时限提醒 03-03 13:10**", "",
                                        '<font color="warning">新逾期 2 项</font>']
    # The record's text is inert Markdown; the confidential record goes out by id only.
    assert ("> YQ-2025-0001 网民称某超市销售过期酸奶 &lt;b&gt;\\#维权&lt;/b&gt; \\[链接\\](x):敏感、重大舆情 4 小时内上报,"
            "截止 03-03 13:00,已逾期 10分(牵头:食品经营安全监管科)") in content.splitlines()
    assert "> YQ-2025-0002 有逾期时限(涉密事件,详见台账)" in content.splitlines() and "涉密标题" not in content
    assert len(content.encode("utf-8")) <= 4096
    # The next scheduled run (30 minutes later) has nothing new to say.
    code, out, _ = _notify(register, capsys, web, "wecom", "2025-03-03T13:40:00+08:00")
    assert (code, out) == (0, "没有新逾期、临期的时限,也不是汇总时刻:不发送。\n")
    assert len(web.requests("POST")) == 1


def test_due_soon_in_its_window_and_a_digest_on_working_days_only(register: RegisterDir, capsys, web: FakeWeb) -> None:
    code, out, _ = _notify(register, capsys, web, "wecom", "2025-03-03T12:10:00+08:00", "--dry-run")
    assert code == 0
    [payload] = [json.loads(line) for line in out.splitlines()]
    assert '<font color="info">新临期 2 项</font>' in payload["markdown"]["content"]
    assert "> YQ-2025-0002 有临期时限(涉密事件,详见台账)" in payload["markdown"]["content"].splitlines()
    assert not web.requests()  # a dry run sends nothing
    # A digest at 14:00 of a working day lists every live clock, though none is new.
    code, out, _ = _notify(register, capsys, web, "wecom", "2025-03-03T14:05:00+08:00", "--dry-run", "--digest", "08:30,14:00")
    content = json.loads(out)["markdown"]["content"]
    assert '<font color="comment">汇总:未办结的逾期、临期时限 2 项</font>' in content
    assert "新逾期" not in content
    # Saturday 2025-03-08: no digest.
    code, out, _ = _notify(register, capsys, web, "wecom", "2025-03-08T14:05:00+08:00", "--dry-run", "--digest", "14:00")
    assert out == "没有新逾期、临期的时限,也不是汇总时刻:不发送。\n"


def test_dingtalk_is_signed_and_names_the_register(register: RegisterDir, capsys, web: FakeWeb) -> None:
    _ok(web, "dingtalk")
    code, _, err = _notify(register, capsys, web, "dingtalk", "2025-03-03T13:10:00+08:00", "--secret", SECRET)
    assert code == 0, err
    [seen] = web.requests("POST")
    timestamp = seen.query["timestamp"][0]
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest())
    assert seen.query["sign"] == [expected.decode()]  # parse_qs undid the URL encoding
    assert seen.query["access_token" if "access_token" in seen.query else "key"] == ["KEY-42"]
    assert seen.body["msgtype"] == "markdown" and NAME in seen.body["markdown"]["title"]
    assert NAME in seen.body["markdown"]["text"]  # keyword security: the name in every message
    assert seen.body["at"] == {"atMobiles": [], "isAtAll": False}


def test_feishu_post_is_signed_the_other_way_round(register: RegisterDir, capsys, web: FakeWeb) -> None:
    _ok(web, "feishu")
    code, _, err = _notify(register, capsys, web, "feishu", "2025-03-03T13:10:00+08:00", "--secret", SECRET)
    assert code == 0, err
    [seen] = web.requests("POST")
    timestamp = seen.body["timestamp"]
    assert timestamp.isdigit() and len(timestamp) == 10  # seconds
    expected = base64.b64encode(hmac.new(f"{timestamp}\n{SECRET}".encode(), b"", hashlib.sha256).digest()).decode()
    assert seen.body["sign"] == expected
    post = seen.body["content"]["post"]["zh_cn"]
    assert seen.body["msg_type"] == "post" and post["title"].startswith(NAME)
    assert post["content"][0] == [{"tag": "text", "text": post["title"]}]  # keyword security reads the text
    assert post["content"][1] == [{"tag": "text", "text": "【新逾期 2 项】"}]


@pytest.mark.parametrize(("robot", "ms", "expected"), [
    ("dingtalk", 1700000000123, "timestamp=1700000000123&sign="),
    ("feishu", 1700000000, None),
])
def test_signatures_at_fixed_timestamps(robot: str, ms: int, expected: str | None) -> None:
    url, body = request(robot, "https://robot.example/send?access_token=T", SECRET, "标题", "正文", ms / 1000
                        if robot == "dingtalk" else ms)
    if robot == "dingtalk":
        sign = base64.b64encode(hmac.new(SECRET.encode(), f"{ms}\n{SECRET}".encode(), hashlib.sha256).digest())
        assert url == f"https://robot.example/send?access_token=T&{expected}{urllib.parse.quote_plus(sign.decode())}"
    else:
        sign = base64.b64encode(hmac.new(f"{ms}\n{SECRET}".encode(), b"", hashlib.sha256).digest()).decode()
        assert (body["timestamp"], body["sign"]) == (str(ms), sign)


# --- limits and refusals -------------------------------------------------------------------

@pytest.mark.parametrize(("robot", "limit"), [("wecom", 4096), ("dingtalk", 4000), ("feishu", 12000)])
def test_long_chinese_lists_are_split_at_the_byte_limit(robot: str, limit: int) -> None:
    config, _ = load_config(PROJECT)
    assert config is not None
    from datetime import datetime

    lines = tuple(f"YQ-2026-{n:04d} 网民反映某县某超市销售过期食品且拒绝退换,多名消费者在评论区声援,要求市场监管部门介入"
                  f"调查处理:网民诉求 3 个工作日内答复,已逾期 {n} 小时" for n in range(1, 121))
    found = [Section("新逾期 120 项", "warning", lines)]
    sent = messages(robot, config, found, datetime(2026, 11, 30, 10, 0, tzinfo=TZ), TZ)
    assert len(sent) > 1
    for number, (title, text) in enumerate(sent, 1):
        assert len(text.encode("utf-8")) <= limit
        assert NAME in text and title.endswith(f"(续 {number}/{len(sent)})")
    joined = "\n".join(text for _, text in sent)
    assert [n for n in range(1, 121) if f"YQ-2026-{n:04d} " in joined] == list(range(1, 121))  # each once, in order
    assert sum(joined.count(f"YQ-2026-{n:04d} ") for n in range(1, 121)) == 120


def test_at_most_twenty_messages_a_minute(web: FakeWeb) -> None:
    _ok(web, "wecom")
    clock = [1000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    limiter = RateLimit(clock=lambda: clock[0], sleep=sleep)
    items = [(f"t{n}", f"第 {n} 条") for n in range(45)]
    assert send("wecom", f"{web.url}/hook?key=K", None, items, limiter=limiter) == []
    assert len(web.requests("POST")) == 45
    assert waits == [60.0, 60.0]  # the 21st and the 41st wait for the minute to pass
    # Feishu also takes at most 5 a second.
    waits.clear()
    limiter = RateLimit(clock=lambda: clock[0], sleep=sleep, gap=0.25)
    web.route("POST", "/hook", (200, {"code": 0, "msg": "success"}))
    assert send("feishu", f"{web.url}/hook", None, items[:3], limiter=limiter) == []
    assert waits == [0.25, 0.25]


@pytest.mark.parametrize(("robot", "answer", "message"), [
    ("wecom", {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"},
     "错误:第 1 条未发出:企业微信机器人返回错误 40058:消息超过长度上限(原文:markdown.content exceed max length 4096)。"),
    ("dingtalk", {"errcode": 310000, "errmsg": "keywords not in content"},
     "错误:第 1 条未发出:钉钉机器人返回错误 310000:钉钉安全设置未通过(签名、关键词或 IP 地址)(原文:keywords not in content)。"),
    ("feishu", {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"},
     "错误:第 1 条未发出:飞书机器人返回错误 19021:飞书签名校验失败(密钥或时间不对)"
     "(原文:sign match fail or timestamp is not within one hour from current time)。"),
])
def test_a_robot_error_is_reported_in_chinese(register: RegisterDir, capsys, web: FakeWeb, robot: str,
                                              answer: dict, message: str) -> None:
    web.route("POST", "/hook", (200, answer))
    code, out, err = _notify(register, capsys, web, robot, "2025-03-03T13:10:00+08:00")
    assert code == 1
    assert err.splitlines() == [message]
    assert "KEY-42" not in out + err


def test_an_unreachable_robot_and_a_missing_webhook(register: RegisterDir, capsys, monkeypatch) -> None:
    monkeypatch.delenv("YUQING_WEBHOOK", raising=False)
    code, _, err = run_cli(["notify", "--to", "wecom", "--now", "2025-03-03T13:10:00+08:00", "--root", str(register.root)],
                           capsys)
    assert code == 2 and "没有机器人网址" in err
    monkeypatch.setenv("YUQING_WEBHOOK", "http://127.0.0.1:9/hook?key=KEY-42")
    code, _, err = run_cli(["notify", "--to", "wecom", "--now", "2025-03-03T13:10:00+08:00", "--since", "30m",
                            "--root", str(register.root)], capsys)
    assert code == 1 and "无法连接机器人" in err and "KEY-42" not in err


# --- the window follows the schedule's slots ------------------------------------------------------

def _slot_run(root: Path, capsys, now: str) -> list[str]:
    """A scheduled run at ``now`` with the default window (register.yml: every 30 minutes at :05 and :35)."""
    code, out, err = run_cli(["notify", "--to", "wecom", "--dry-run", "--digest", "", "--now", now,
                              "--root", str(root)], capsys)
    assert code == 0, err
    return [json.loads(line)["markdown"]["content"] for line in out.splitlines() if line.startswith("{")]


def test_a_late_run_speaks_for_its_slot_so_a_clock_is_said_once(tmp_path: Path, capsys) -> None:
    """13:00 due; the 12:35 run starts late at 13:02, then 13:05 and 13:35 on time: one message, at 13:05."""
    from .githelper import GitRegister

    repo = GitRegister(tmp_path)
    repo.write(SENSITIVE)
    repo.commit("登记", when="2025-03-03T09:30:00+08:00")
    said = {now: _slot_run(repo.root, capsys, now) for now in
            ("2025-03-03T13:02:00+08:00", "2025-03-03T13:05:00+08:00", "2025-03-03T13:35:00+08:00")}
    lines = [line for texts in said.values() for text in texts for line in text.splitlines() if "截止 03-03 13:00" in line]
    assert len(lines) == 1
    assert [len(texts) for texts in said.values()] == [0, 1, 0]
    assert '<font color="warning">新逾期 1 项</font>' in said["2025-03-03T13:05:00+08:00"][0]


def test_a_record_registered_after_its_deadline_is_said_once(tmp_path: Path, capsys) -> None:
    """Discovered 09:00, due 13:00, reaching the branch at 15:20: the 15:35 run says it, the 16:05 run does not."""
    from .githelper import GitRegister

    repo = GitRegister(tmp_path)
    repo.write(base_incident(id="YQ-2025-0009", title="另一起"))
    repo.commit("另一起", when="2025-03-03T08:00:00+08:00")
    repo.write(SENSITIVE)
    repo.commit("迟到的登记", when="2025-03-03T15:20:00+08:00")
    [text] = _slot_run(repo.root, capsys, "2025-03-03T15:41:00+08:00")
    assert '<font color="warning">新登记即已逾期 1 项</font>' in text
    assert "YQ-2025-0001" in text and "YQ-2025-0009" not in text
    assert _slot_run(repo.root, capsys, "2025-03-03T16:05:00+08:00") == []


@pytest.mark.parametrize(("now", "start", "end"), [
    ("2025-03-03T08:41:00+08:00", "08:05", "08:35"),   # late by six minutes: still the 08:35 slot
    ("2025-03-03T08:35:00+08:00", "08:05", "08:35"),
    ("2025-03-03T08:34:59+08:00", "07:35", "08:05"),
])
def test_the_window_snaps_to_the_cron_grid(now: str, start: str, end: str) -> None:
    from datetime import datetime

    from yuqing.notify import window

    found = window(datetime.fromisoformat(now), 30, 5)
    assert tuple(f"{t:%H:%M}" for t in found) == (start, end)


def test_three_hundred_overdue_clocks_make_one_short_message(tmp_path: Path, capsys) -> None:
    """The 20 most urgent (level first, then the longest late) and "另有 M 项"; register.yml's max_items."""
    folder = RegisterDir(tmp_path)
    for n in range(1, 300):
        folder.write(base_incident(id=f"YQ-2025-{n:04d}", level="敏感", title=f"第 {n} 起"))
    folder.write(base_incident(id="YQ-2025-0300", level="重大", title="最要紧的一起",
                               discovered_at="2025-03-03T09:30:00+08:00"))
    argv = ["notify", "--to", "wecom", "--dry-run", "--since", "30m", "--digest", "14:05",
            "--now", "2025-03-03T14:05:00+08:00", "--root", str(tmp_path)]
    code, out, err = run_cli(argv, capsys)
    assert code == 0, err
    [payload] = [json.loads(line) for line in out.splitlines()]
    lines = payload["markdown"]["content"].splitlines()
    listed = [line for line in lines if line.startswith("> YQ-")]
    assert len(listed) == 20
    assert listed[0].startswith("> YQ-2025-0300 最要紧的一起")  # 重大 before 敏感, though less late
    more = [line for line in lines if "另有" in line]
    assert len(more) == 1 and "另有 280 项" in more[0] and "yuqing deadlines" in more[0]
    # max_items: 0 lists every clock, in several messages.
    folder.settings(notify={"robot": "wecom", "interval_minutes": 30, "max_items": 0})
    code, out, _ = run_cli(argv, capsys)
    assert code == 0 and len(out.splitlines()) > 5 and "另有" not in out


def test_a_dry_run_shows_the_signed_address_with_the_key_masked(register: RegisterDir, capsys, web: FakeWeb) -> None:
    code, out, err = _notify(register, capsys, web, "dingtalk", "2025-03-03T13:10:00+08:00", "--dry-run",
                             "--secret", SECRET)
    assert code == 0 and not web.requests()
    [line] = err.splitlines()
    ms = 1740978600000  # 2025-03-03T13:10:00+08:00
    sign = urllib.parse.quote_plus(base64.b64encode(
        hmac.new(SECRET.encode(), f"{ms}\n{SECRET}".encode(), hashlib.sha256).digest()).decode())
    assert line == f"POST {web.url}/hook?key=****&timestamp={ms}&sign={sign}"
    assert "KEY-42" not in out + err
    json.loads(out)  # stdout: the payload alone
