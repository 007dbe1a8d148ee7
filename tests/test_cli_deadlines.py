"""`yuqing deadlines`: exact output for a small register at a fixed --now.

The register (worked by hand, now = Monday 2025-03-03 14:20):
  YQ-2025-0001 敏感, 处置中, discovered 09:00, nothing reported: report-4h due 13:00, overdue 1 h 20 min.
  YQ-2025-0002 appeal posted 10:00: first-reply-3wh 10:00–12:00 + 14:00–15:00 = due 15:00 (40 min left,
               window 60: due soon); reply-3wd Tue, Wed, Thu = due 03-06 17:30 (pending).
  YQ-2025-0003 重大 since discovery 03-01 09:00, 已平息: report-4h met 12:00; respond-48h due 03-03 09:00,
               released 10:00: met late by 1 h.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
import pytest

from tests.conftest import RegisterDir, base_incident
from yuqing.cli import main

NOW = "2025-03-03T14:20:00+08:00"


@pytest.fixture
def small(register_dir: RegisterDir) -> RegisterDir:
    register_dir.write(base_incident(level="敏感", status="处置中", title="某超市销售过期酸奶被网民曝光"))
    register_dir.write(base_incident(
        id="YQ-2025-0002", title="网民反映某小区电梯频繁故障", category="特种设备", units={"lead": "特种设备安全监察科"},
        appeal={"posted_at": "2025-03-03T10:00:00+08:00", "author": "网民“电梯困人”"},
        discovered_at="2025-03-03T10:20:00+08:00",
        timeline=[{"at": "2025-03-03T10:30:00+08:00", "type": "转办", "by": "综合应急和新闻宣传科"}]))
    register_dir.write(base_incident(
        id="YQ-2025-0003", level="重大", status="已平息", title="网传某学校食堂使用过期食材",
        discovered_at="2025-03-01T09:00:00+08:00",
        timeline=[{"at": "2025-03-01T09:20:00+08:00", "type": "定级", "level": "重大"},
                  {"at": "2025-03-01T12:00:00+08:00", "type": "上报"},
                  {"at": "2025-03-03T10:00:00+08:00", "type": "发布权威信息"},
                  {"at": "2025-03-03T11:00:00+08:00", "type": "平息"}]))
    return register_dir


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["deadlines", "--root", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


TEXT = """\
信号  事件          标题                     等级  时限                             责任单位            截止时间          情况
────  ────────────  ───────────────────────  ────  ───────────────────────────────  ──────────────────  ────────────────  ────────────────
🔴    YQ-2025-0001  某超市销售过期酸奶被网…  敏感  敏感、重大舆情 4 小时内上报      食品经营安全监管科  2025-03-03 13:00  已逾期 1小时20分
🟡    YQ-2025-0002  网民反映某小区电梯频繁…  一般  网民诉求 3 个工作小时内初步回应  特种设备安全监察科  2025-03-03 15:00  剩余 40分
🟢    YQ-2025-0002  网民反映某小区电梯频繁…  一般  网民诉求 3 个工作日内答复        特种设备安全监察科  2025-03-06 17:30  剩余 3天3小时
⚠     YQ-2025-0003  网传某学校食堂使用过期…  重大  重大舆情 48 小时内回应           食品经营安全监管科  2025-03-03 09:00  超时 1小时 完成

截至 2025-03-03 14:20,共 4 项时限:🔴 已逾期 1、🟡 临期 1、🟢 进行中 1、⚠ 超时完成 1。
"""


def test_text_table_sorted_by_urgency_without_what_was_met(capsys: pytest.CaptureFixture[str], small: RegisterDir) -> None:
    assert run(capsys, small.root, "--now", NOW) == (0, TEXT, "")


def test_text_all_statuses_and_filters(capsys: pytest.CaptureFixture[str], small: RegisterDir) -> None:
    code, out, _ = run(capsys, small.root, "--now", NOW, "--status", "all", "--level", "重大")
    assert code == 0
    assert out.splitlines()[2:4] == [
        "⚠     YQ-2025-0003  网传某学校食堂使用过期…  重大  重大舆情 48 小时内回应       食品经营安全监管科  2025-03-03 09:00  超时 1小时 完成",
        "✓     YQ-2025-0003  网传某学校食堂使用过期…  重大  敏感、重大舆情 4 小时内上报  食品经营安全监管科  2025-03-01 13:00  按时完成(提前 1小时)",
    ]
    code, out, _ = run(capsys, small.root, "--now", NOW, "--status", "临期,overdue", "--unit", "特种设备安全监察科")
    assert [line.split()[1] for line in out.splitlines()[2:-2]] == ["YQ-2025-0002"]
    code, out, _ = run(capsys, small.root, "--now", NOW, "--open-only", "--status", "missed")
    assert out.endswith("共 1 项时限:🔴 已逾期 1。\n")


def test_only_the_files_named(capsys: pytest.CaptureFixture[str], small: RegisterDir) -> None:
    target = small.root / "incidents/2025/YQ-2025-0003.yml"
    code, out, _ = run(capsys, small.root, "--now", NOW, str(target))
    assert out.endswith("共 1 项时限:⚠ 超时完成 1。\n")


def test_json_is_spec_section_4(capsys: pytest.CaptureFixture[str], small: RegisterDir) -> None:
    code, out, err = run(capsys, small.root, "--now", NOW, "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["now"] == NOW and data["warnings"] == []
    spec_keys = ("incident", "rule", "level", "unit", "start", "due", "status", "met_at")
    assert [tuple(d[k] for k in spec_keys) for d in data["deadlines"]] == [
        ("YQ-2025-0001", "report-4h", "敏感", "食品经营安全监管科",
         "2025-03-03T09:00:00+08:00", "2025-03-03T13:00:00+08:00", "overdue", None),
        ("YQ-2025-0002", "first-reply-3wh", "一般", "特种设备安全监察科",
         "2025-03-03T10:00:00+08:00", "2025-03-03T15:00:00+08:00", "due_soon", None),
        ("YQ-2025-0002", "reply-3wd", "一般", "特种设备安全监察科",
         "2025-03-03T10:00:00+08:00", "2025-03-06T17:30:00+08:00", "pending", None),
        ("YQ-2025-0003", "report-4h", "重大", "食品经营安全监管科",
         "2025-03-01T09:00:00+08:00", "2025-03-01T13:00:00+08:00", "met", "2025-03-01T12:00:00+08:00"),
        ("YQ-2025-0003", "respond-48h", "重大", "食品经营安全监管科",
         "2025-03-01T09:00:00+08:00", "2025-03-03T09:00:00+08:00", "met_late", "2025-03-03T10:00:00+08:00"),
    ]
    assert data["counts"] == {"overdue": 1, "due_soon": 1, "pending": 1, "met_late": 1, "met": 1}
    assert data["deadlines"][1]["file"] == "incidents/2025/YQ-2025-0002.yml"


def test_github_annotations_summary_and_failure(capsys: pytest.CaptureFixture[str], small: RegisterDir,
                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# 上一步\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run(capsys, small.root, "--now", NOW, "--format", "github", "--fail-on", "overdue")
    assert code == 1
    assert out.splitlines() == [
        "::error file=incidents/2025/YQ-2025-0001.yml,line=6,title=时限已逾期::YQ-2025-0001「某超市销售过期酸奶被网民曝光」"
        "敏感、重大舆情 4 小时内上报:截止 2025-03-03 13:00,至今未办理,已逾期 1小时20分(责任单位:食品经营安全监管科)。",
        "::warning file=incidents/2025/YQ-2025-0002.yml,line=18,title=时限临近::YQ-2025-0002「网民反映某小区电梯频繁故障」"
        "网民诉求 3 个工作小时内初步回应:截止 2025-03-03 15:00,剩余 40分(责任单位:特种设备安全监察科)。",
        # The late action is shown on the line that records it (timeline[2].at).
        "::warning file=incidents/2025/YQ-2025-0003.yml,line=19,title=超时办理::YQ-2025-0003「网传某学校食堂使用过期食材」"
        "重大舆情 48 小时内回应:截止 2025-03-03 09:00,于 2025-03-03 10:00 办理,超时 1小时 完成(责任单位:食品经营安全监管科)。",
        "截至 2025-03-03 14:20,共 4 项时限:🔴 已逾期 1、🟡 临期 1、🟢 进行中 1、⚠ 超时完成 1。",
    ]
    lines = (small.root / "incidents/2025/YQ-2025-0003.yml").read_text(encoding="utf-8").splitlines()
    assert "2025-03-03T10:00:00+08:00" in lines[18]
    lines = (small.root / "incidents/2025/YQ-2025-0002.yml").read_text(encoding="utf-8").splitlines()
    assert lines[17] == "  posted_at: '2025-03-03T10:00:00+08:00'"  # where the appeal clocks start
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("# 上一步\n## 舆情时限\n\n截至 2025-03-03 14:20,共 4 项时限")
    assert "| 🔴 | YQ-2025-0001 | 某超市销售过期酸奶被网民曝光 | 敏感 |" in written


@pytest.mark.parametrize("args, code", [
    (("--fail-on", "overdue"), 1),
    (("--fail-on", "overdue", "--unit", "特种设备安全监察科"), 0),   # only due soon there
    (("--fail-on", "due_soon", "--unit", "特种设备安全监察科"), 1),
    (("--fail-on", "overdue", "--level", "重大"), 0),               # 0003 is closed and met (late)
    ((), 0),
])
def test_fail_on(capsys: pytest.CaptureFixture[str], small: RegisterDir, args: tuple[str, ...], code: int) -> None:
    assert run(capsys, small.root, "--now", NOW, "--format", "json", *args)[0] == code


def test_an_overdue_closed_incident_does_not_fail_the_check(capsys: pytest.CaptureFixture[str],
                                                           register_dir: RegisterDir) -> None:
    register_dir.write(base_incident(level="敏感", status="已平息", timeline=[
        {"at": "2025-03-03T09:30:00+08:00", "type": "平息"}]))
    code, out, _ = run(capsys, register_dir.root, "--now", NOW, "--format", "github", "--fail-on", "overdue")
    assert code == 0
    assert out.startswith("::warning file=incidents/2025/YQ-2025-0001.yml,line=6,title=时限已逾期::"
                          "YQ-2025-0001「某超市销售过期酸奶被网民曝光」敏感、重大舆情 4 小时内上报:事件已结束,但截止")


MARKDOWN = """\
截至 2025-03-03 14:20,共 4 项时限:🔴 已逾期 1、🟡 临期 1、🟢 进行中 1、⚠ 超时完成 1。

| 信号 | 事件 | 标题 | 等级 | 时限 | 责任单位 | 截止时间 | 情况 |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 🔴 | YQ-2025-0001 | 某超市销售过期酸奶被网民曝光 | 敏感 | 敏感、重大舆情 4 小时内上报 | 食品经营安全监管科 | 2025-03-03 13:00 | 已逾期 1小时20分 |
| 🟡 | YQ-2025-0002 | 网民反映某小区电梯频繁故障 | 一般 | 网民诉求 3 个工作小时内初步回应 | 特种设备安全监察科 | 2025-03-03 15:00 | 剩余 40分 |
| 🟢 | YQ-2025-0002 | 网民反映某小区电梯频繁故障 | 一般 | 网民诉求 3 个工作日内答复 | 特种设备安全监察科 | 2025-03-06 17:30 | 剩余 3天3小时 |
| ⚠ | YQ-2025-0003 | 网传某学校食堂使用过期食材 | 重大 | 重大舆情 48 小时内回应 | 食品经营安全监管科 | 2025-03-03 09:00 | 超时 1小时 完成 |

"""


def test_markdown(capsys: pytest.CaptureFixture[str], small: RegisterDir) -> None:
    assert run(capsys, small.root, "--now", NOW, "--format", "markdown") == (0, MARKDOWN, "")


def test_markdown_shows_titles_literally(register_dir: RegisterDir) -> None:
    from yuqing.deadlines import compute
    from yuqing.register import load_register
    from yuqing.render.deadlines import as_markdown
    from yuqing.times import parse_time, zone

    register_dir.write(base_incident(level="敏感", title="<script>x</script> *热搜* [链接](http://a) | 管道"))
    now = parse_time(NOW, zone("Asia/Shanghai"))
    assert now is not None
    register = load_register(register_dir.root, now=now)
    assert register.config is not None
    text = as_markdown(compute(register.counted(), register.config, now), link=lambda i: f"../{i}/")
    assert ("| 🔴 | [YQ-2025-0001](../YQ-2025-0001/) | &lt;script&gt;x&lt;/script&gt; \\*热搜\\* "
            "\\[链接\\](http://a) \\| 管道 | 敏感 |") in text


HOSTILE_TITLES = ["[x](javascript:alert(1))", "<img src=x onerror=alert(1)>", "![图](http://a/b.png)",
                  "<https://evil.example>", "`code` **粗** {: onclick=alert(1)}"]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_markdown_from_hostile_titles_forms_no_link_or_tag(register_dir: RegisterDir, title: str) -> None:
    import markdown

    from yuqing.deadlines import compute
    from yuqing.register import load_register
    from yuqing.render.deadlines import as_markdown
    from yuqing.times import parse_time, zone

    register_dir.write(base_incident(level="敏感", title=title, units={"lead": "食品经营安全监管科"}))
    now = parse_time(NOW, zone("Asia/Shanghai"))
    assert now is not None
    register = load_register(register_dir.root, now=now)
    assert register.config is not None and register.counted()
    text = as_markdown(compute(register.counted(), register.config, now), link=lambda i: f"../{i}/ (x)")
    page = markdown.markdown(text, extensions=["attr_list", "md_in_html", "tables", "admonition", "def_list"])
    tags = _tags(page)
    # The one link is the id column's own, to the (percent-encoded) address it was given;
    # nothing else but the table itself: no image, code, emphasis or attribute from the title.
    assert [t for t in tags if t[0] == "a"] == [("a", (("href", "../YQ-2025-0001/%20%28x%29"),))]
    assert {t for t in tags if t[0] != "a"} <= {(name, ()) for name in ("p", "table", "thead", "tbody", "tr", "th", "td")}
    cell = re.search(r"</a></td>\s*<td>(.*?)</td>", page)
    assert cell is not None and html.unescape(cell.group(1)) == title  # shown as written


def _tags(page: str) -> list[tuple[str, tuple[tuple[str, str | None], ...]]]:
    from html.parser import HTMLParser

    found: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, tuple(attrs)))

    Tags().feed(page)
    return found


def _year_end(register_dir: RegisterDir) -> RegisterDir:
    register_dir.write(base_incident(
        id="YQ-2026-0001", appeal={"posted_at": "2026-12-30T10:00:00+08:00"}, discovered_at="2026-12-30T10:00:00+08:00",
        timeline=[{"at": "2026-12-30T11:00:00+08:00", "type": "初步回应"}]))
    return register_dir


@pytest.mark.parametrize("fmt", ["text", "json", "github", "markdown"])
def test_a_missing_year_is_named_in_every_format(capsys: pytest.CaptureFixture[str], register_dir: RegisterDir,
                                                 fmt: str) -> None:
    _year_end(register_dir)
    code, out, _ = run(capsys, register_dir.root, "--now", "2026-12-31T09:00:00+08:00", "--format", fmt,
                       "--fail-on", "overdue")
    # Unknown is not safe: the scheduled check goes red until the year is added.
    assert code == 1
    assert "2027 年没有经确认的法定节假日和调休安排" in out
    assert "register.yml 的 calendar: 下补充 2027 年" in out
    if fmt == "json":
        reply = json.loads(out)["deadlines"][1]
        assert (reply["rule"], reply["due"], reply["status"]) == ("reply-3wd", None, "unknown")
    if fmt == "github":
        assert out.startswith("::warning file=incidents/2026/YQ-2026-0001.yml,line=")
        assert "::warning title=时限计算提醒::2027 年没有经确认的法定节假日和调休安排" in out
    if fmt == "text":
        assert "❓    YQ-2026-0001" in out and "无法计算(缺节假日数据)" in out

    register_dir.settings(calendar={2027: {"source": "测试用:2027 年元旦放假 1 天", "holidays": ["2027-01-01"],
                                           "workdays": []}})
    code, out, _ = run(capsys, register_dir.root, "--now", "2026-12-31T09:00:00+08:00", "--format", "json",
                       "--fail-on", "overdue")
    data = json.loads(out)
    assert (code, data["warnings"], data["deadlines"][1]["due"], data["deadlines"][1]["status"]) == (
        0, [], "2027-01-05T17:30:00+08:00", "pending")


@pytest.mark.parametrize("args, message", [
    (("--status", "late"), "不认识的状态“late”。"),
    (("--unit", "消费者权益保护"), "单位“消费者权益保护”不存在。是否应为“消费者权益保护科”?"),
    (("--level", "重要"), "等级“重要”不存在。是否应为“重大”?"),
    (("--now", "昨天"), "“昨天”不是有效时间"),
])
def test_usage_errors_exit_2_in_chinese(capsys: pytest.CaptureFixture[str], small: RegisterDir,
                                        args: tuple[str, ...], message: str) -> None:
    code, out, err = run(capsys, small.root, "--now", NOW, *args) if args[0] != "--now" else run(
        capsys, small.root, *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_no_register(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, tmp_path, "--now", NOW)
    assert code == 2 and "没有 register.yml" in err

