"""`yuqing import`: monitoring and 12345 exports -> 预警 events and draft records, all or nothing.

The exports are built here with openpyxl (title rows, merged cells, serial dates,
several header spellings) and as GBK / UTF-8-BOM CSV; the registers are real git
repositories; every result is read back and judged by `yuqing check` and `yuqing audit`.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from yuqing.importer.links import Link, parse_link
from yuqing.importer.rows import count_of, time_of
from yuqing.times import iso, zone
from yuqing.typed_time import parse_listed

from .conftest import base_incident
from .githelper import GitRegister, repo, run_cli  # noqa: F401  (repo is a fixture)

TZ = zone("Asia/Shanghai")
NOW = "2026-11-30T11:00:00+08:00"
KNOWN = "YQ-2026-0001"
"""A record on main whose source is the link https://weibo.com/1001/AbCd."""

MONITORING_HEADER = ["序号", "信息标题", "内容摘要", "原文链接", "发文时间", "站点", "作者昵称", "倾向性", "阅读量(次)", "转发数"]
MONITORING_ROWS = [
    # 3: a new post, relative time (3 hours before the export's 10:00)
    [1, "某超市销售过期酸奶被曝光", "网民称在某超市买到过期酸奶。\n要求彻查。", "https://weibo.com/2002/XyZ?utm_source=app&spm=a1",
     "3小时前", "新浪微博", "网民甲", "负面", "1.2万", 30],
    # 4: the same post shared again (other scheme, trailing slash, tracking): one record with row 3
    [2, "某超市销售过期酸奶被曝光(转)", "转发", "http://weibo.com/2002/XyZ/?from=timeline", "2026/11/30 8:05",
     "微博", "网民乙", "负面", 300, 2],
    # 5: the register's known record: an appended 预警 event
    [3, "网民再次关注某餐馆后厨", "后厨卫生差", "https://weibo.com/1001/AbCd?share_token=zz", 46356.25, "微博", "网民丙",
     "中性", 50, None],
    # 6: a public account, Excel serial date, hostile text kept as written
    [4, '=HYPERLINK("http://x") #标签: “引号”', "第一行\n- 第二行: 值 #话题", "https://mp.weixin.qq.com/s/abc",
     46356.3, "公众号", "某号", "正面", None, None],
]


def _monitoring_xlsx(path: Path, rows: list[list[object]] = MONITORING_ROWS) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["某市市场监管舆情监测日报  导出时间:2026-11-30 10:00"])
    sheet.merge_cells("A1:J1")
    sheet.append(MONITORING_HEADER)
    for row in rows:
        sheet.append(row)
    sheet.append(["数据来源:某舆情监测平台"])  # a note under the table
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even where it starts with "=" (as exports write it)
    book.save(path)
    return path


@pytest.fixture
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for export files, outside the register."""
    return tmp_path_factory.mktemp("exports")


def _known(repo: GitRegister) -> None:
    repo.write(base_incident(id=KNOWN, discovered_at="2026-11-29T09:00:00+08:00",
                             source={"channel": "社交媒体", "platform": "微博", "url": "https://weibo.com/1001/AbCd"},
                             timeline=[{"at": "2026-11-29T09:30:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"}]))
    repo.commit(f"登记 {KNOWN}")


def _import(repo: GitRegister, capsys, path: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(["import", str(path), "--now", NOW, "--no-fetch", "--root", str(repo.root), *args], capsys)


def _status(repo: GitRegister) -> str:
    return repo.git("status", "--porcelain", "--untracked-files=all")


def _check_and_audit(repo: GitRegister, capsys) -> None:
    code, out, err = run_cli(["check", "--now", NOW, "--root", str(repo.root)], capsys)
    assert code == 0, out + err
    code, out, err = run_cli(["audit", "--base", "main", "--root", str(repo.root)], capsys)
    assert code == 0, out + err


def test_monitoring_xlsx_becomes_drafts_and_a_warning_on_one_branch(repo: GitRegister, exports: Path, capsys) -> None:
    _known(repo)
    export = _monitoring_xlsx(exports / "监测日报.xlsx")
    (repo.root / "notes.txt").write_text("别人的未提交文件", encoding="utf-8")  # left alone by the commit
    code, out, err = _import(repo, capsys, export, "--commit")
    assert code == 0, err
    assert out.splitlines()[0] == "读取 监测日报.xlsx:Excel 工作簿,表头在第 2 行,导入方案 monitoring,数据 4 行,选入 4 行。"
    assert "合计:新登记 2 条,追加预警 1 条。" in out
    assert "注意:第 7 行只有一格文字,当作说明行跳过。" in err
    assert repo.git("branch", "--show-current") == "import/2026-11-30"
    assert repo.git("log", "-1", "--format=%B").strip() == (
        "导入 监测日报.xlsx:新登记 2 条,追加预警 1 条\n\n新登记:YQ-2026-0002 YQ-2026-0003\n追加预警:YQ-2026-0001")
    assert repo.git("diff", "--name-only", "main", "HEAD").splitlines() == [
        "incidents/2026/YQ-2026-0001.yml", "incidents/2026/YQ-2026-0002.yml", "incidents/2026/YQ-2026-0003.yml"]
    assert _status(repo) == "?? notes.txt"

    first = repo.read("YQ-2026-0002")
    assert first == {
        "id": "YQ-2026-0002", "title": "某超市销售过期酸奶被曝光", "level": "一般", "status": "监测中", "category": "其他",
        "occurred_at": "2026-11-30T07:00:00+08:00", "discovered_at": NOW,
        "source": {"channel": "社交媒体", "platform": "微博", "url": "https://weibo.com/2002/XyZ"},
        "units": {"lead": "综合应急和新闻宣传科"}, "summary": "网民称在某超市买到过期酸奶。\n要求彻查。",
        "timeline": [{"at": NOW, "type": "预警", "url": "https://weibo.com/2002/XyZ",
                      "note": "导入自 监测日报.xlsx 第 3、4 行;某超市销售过期酸奶被曝光;来源 新浪微博;作者 网民甲;"
                              "发布 2026-11-30 07:00;阅读 12000 转发 30;情感 负面"}],
    }
    hostile = repo.read("YQ-2026-0003")
    assert hostile["title"] == '=HYPERLINK("http://x") #标签: “引号”'
    assert hostile["summary"] == "第一行\n- 第二行: 值 #话题"
    assert hostile["source"] == {"channel": "自媒体", "platform": "微信公众号", "url": "https://mp.weixin.qq.com/s/abc"}
    assert hostile["occurred_at"] == "2026-11-30T07:12:00+08:00"  # Excel serial 46356.3

    known = repo.read(KNOWN)
    assert known["status"] == "监测中" and known["level"] == "一般"
    assert known["timeline"][-1] == {
        "at": NOW, "type": "预警", "url": "https://weibo.com/1001/AbCd",
        "note": "导入自 监测日报.xlsx 第 5 行;网民再次关注某餐馆后厨;来源 微博;作者 网民丙;发布 2026-11-30 06:00;阅读 50;情感 中性"}
    assert [line for line in repo.git("diff", "-U0", "main", "--", repo.path(KNOWN).as_posix()).splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))] == [
        "+- at: \"2026-11-30T11:00:00+08:00\"", "+  type: 预警", "+  url: https://weibo.com/1001/AbCd",
        "+  note: 导入自 监测日报.xlsx 第 5 行;网民再次关注某餐馆后厨;来源 微博;作者 网民丙;发布 2026-11-30 06:00;阅读 50;情感 中性"]
    _check_and_audit(repo, capsys)

    # The same export again: every hit is already recorded, nothing is written, no branch is made.
    code, out, err = _import(repo, capsys, export, "--commit")
    assert code == 0, err
    assert out.splitlines()[-2:] == ["合计:新登记 0 条,追加预警 0 条,已记录 3 条。", "没有要写入的内容,未建分支、未提交。"]
    assert repo.git("branch", "--show-current") == "import/2026-11-30"
    assert _status(repo) == "?? notes.txt"


def test_a_broken_row_writes_nothing_and_names_the_row(repo: GitRegister, exports: Path, capsys) -> None:
    _known(repo)
    rows = [*MONITORING_ROWS, [5, "某药店", "x", "htps://example.com/a", "11月30日 09:10", "论坛", "", "负面", "很多", None],
            [6, "", "无标题", "https://example.com/b", "昨天 8:00", "论坛", "", "", None, None]]
    code, out, err = _import(repo, capsys, _monitoring_xlsx(exports / "坏.xlsx", rows))
    assert code == 1
    assert err.splitlines()[:6] == [
        "注意:第 9 行只有一格文字,当作说明行跳过。",
        "2 行有问题,未写入任何文件(改正导出文件后重新导入):",
        "行  列          内容                  问题",
        "7   原文链接    htps://example.com/a  链接无效:链接应以 http:// 或 https:// 开头。",
        "7   阅读量(次)  很多                  不是数字(可写 1234、1,234、1.2万)。",
        "8   信息标题                          缺少标题。",
    ]
    assert _status(repo) == ""


def _gbk_12345(path: Path) -> Path:
    lines = ["工单编号,工单标题,来电内容,受理时间,来电人,所属区域,承办单位",
             "GD20261130001,反映某小区电梯停运,\"电梯停运三天,要求尽快修复并答复。\",2026-11-30 08:40,王某,东城区,"
             "市市场监管局特种设备安全监察科",
             "GD20261130002,投诉某餐馆卫生,后厨有老鼠,11月30日 09:15,李某,西城区,消费者权益保护",
             "GD20261130001,反映某小区电梯停运(重复派单),同上,2026-11-30 09:00,王某,东城区,特种设备安全监察科"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def test_gbk_12345_work_orders_become_appeals_keyed_by_number(repo: GitRegister, exports: Path, capsys) -> None:
    _known(repo)
    export = _gbk_12345(exports / "12345工单.csv")
    code, out, err = _import(repo, capsys, export, "--discovered-at", "10:30")
    assert code == 0, err
    assert out.splitlines()[0] == "读取 12345工单.csv:CSV(编码 GBK),表头在第 1 行,导入方案 12345,数据 3 行,选入 3 行。"
    assert "合计:新登记 2 条,追加预警 0 条。" in out
    lift = repo.read("YQ-2026-0002")
    assert {k: lift[k] for k in ("title", "occurred_at", "discovered_at", "source", "appeal", "tags", "summary")} == {
        "title": "反映某小区电梯停运", "occurred_at": "2026-11-30T08:40:00+08:00",
        "discovered_at": "2026-11-30T10:30:00+08:00", "source": {"channel": "群众来电", "platform": "12345 热线"},
        "appeal": {"posted_at": "2026-11-30T08:40:00+08:00", "author": "来电市民"}, "tags": ["工单号:GD20261130001"],
        "summary": "电梯停运三天,要求尽快修复并答复。"}
    # 承办单位 naming a register unit leads; a near miss keeps the default and says so in the row table.
    assert lift["units"]["lead"] == "特种设备安全监察科"
    assert repo.read("YQ-2026-0003")["units"]["lead"] == "综合应急和新闻宣传科"
    assert "承办单位“消费者权益保护”不在 register.yml 的 units 中,是否应为“消费者权益保护科”?" in out
    assert lift["timeline"][0]["note"].startswith("导入自 12345工单.csv 第 2、4 行;工单号:GD20261130001;")
    assert "王某" not in repo.path("YQ-2026-0002").read_text(encoding="utf-8")  # callers are not imported
    code, out, err = run_cli(["deadlines", "--now", NOW, "--format", "json", "--root", str(repo.root)], capsys)
    rules = {(d["incident"], d["rule"]) for d in json.loads(out)["deadlines"]}
    assert ("YQ-2026-0002", "first-reply-3wh") in rules and ("YQ-2026-0003", "reply-3wd") in rules
    code, out, err = run_cli(["check", "--now", NOW, "--root", str(repo.root)], capsys)
    assert code == 0, out + err
    repo.commit("import")
    code, out, err = _import(repo, capsys, export, "--discovered-at", "10:30")
    assert (code, _status(repo)) == (0, "")
    assert "已记录 2 条" in out


def test_utf8_bom_csv_with_other_spellings_and_filters(repo: GitRegister, exports: Path, capsys) -> None:
    _known(repo)
    export = exports / "导出.csv"
    export.write_bytes("\ufeff标题,正文,URL,发布时间,来源,账号,情感倾向,阅读数,评论数\n"
                       "甲,负面大帖,https://www.douyin.com/video/1,2026-11-30 09:00,抖音,a,负向,20000,10\n"
                       "乙,负面小帖,https://www.douyin.com/video/2,2026-11-30 09:00,抖音,b,负面,5,0\n"
                       "丙,正面大帖,https://www.douyin.com/video/3,2026-11-30 09:00,抖音,c,正面,90000,0\n"
                       "丁,早先负面,https://www.douyin.com/video/4,2026-11-29 09:00,抖音,d,负面,90000,0\n"
                       .encode("utf-8"))
    code, out, err = _import(repo, capsys, export, "--sentiment", "负面", "--min-reach", "1000",
                             "--since", "11-30 0:00", "--dry-run")
    assert code == 0, err
    assert out.splitlines()[0] == "读取 导出.csv:CSV(编码 UTF-8(带 BOM)),表头在第 1 行,导入方案 monitoring,数据 4 行,选入 1 行。"
    assert "2   新登记  YQ-2026-0002  甲    https://www.douyin.com/video/1" in out.splitlines()
    assert "预演(--dry-run):未写入。将写入 1 个文件。" in out
    assert _status(repo) == ""


def test_warnings_only_leaves_new_hits_unregistered(repo: GitRegister, exports: Path, capsys) -> None:
    _known(repo)
    code, out, err = _import(repo, capsys, _monitoring_xlsx(exports / "a.xlsx"), "--as", "warnings", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert [(a["action"], a["rows"], a["incident"]) for a in result["actions"]] == [
        ("未登记", [3, 4], None), ("追加预警", [5], KNOWN), ("未登记", [6], None)]
    assert result["written"] == ["incidents/2026/YQ-2026-0001.yml"]


def test_unplaced_columns_are_named(repo: GitRegister, exports: Path, capsys) -> None:
    export = exports / "x.csv"
    export.write_text("作者,网友留言,发布时间\n甲,乙,2026-11-30 09:00\n", encoding="utf-8")
    code, out, err = _import(repo, capsys, export)
    assert code == 1
    assert "找不到 “标题”(可写作 标题/文章标题/信息标题/帖子标题)" in err
    assert "无法识别的列:网友留言" in err
    code, out, err = _import(repo, capsys, export, "--profile", "monitorin")
    assert code == 1 and "没有名为“monitorin”的导入方案。是否应为“monitoring”?" in err


def test_register_profile_sets_unit_and_category(repo: GitRegister, exports: Path, capsys) -> None:
    (repo.root / "import-profiles").mkdir()
    (repo.root / "import-profiles" / "本局.yml").write_text(
        "name: 本局\nrequired: [title, link]\ndefaults: {category: 食品安全, unit: 东城区局}\n"
        "fields:\n  title: [舆情标题]\n  link: [舆情链接]\n  published_at: [监测时间]\n", encoding="utf-8")
    export = exports / "本局.csv"
    export.write_text("舆情标题,舆情链接,监测时间\n某店,https://tieba.baidu.com/p/1,2026-11-30 9:00\n", encoding="utf-8")
    code, out, err = _import(repo, capsys, export)
    assert code == 0, err
    record = repo.read("YQ-2026-0001")
    assert (record["category"], record["units"], record["source"]) == (
        "食品安全", {"lead": "东城区局"}, {"channel": "社交媒体", "platform": "百度贴吧", "url": "https://tieba.baidu.com/p/1"})


@pytest.mark.parametrize(("text", "key"), [
    ("https://weibo.com/1/AbC?utm_source=x&spm=1", "weibo.com/1/AbC"),
    ("http://WEIBO.com:80/1/AbC/#top", "weibo.com/1/AbC"),
    ("www.baidu.com/s?wd=1&from=2", "www.baidu.com/s?wd=1"),
    ("https://a.cn/p?b=2&a=1&share_token=x", "a.cn/p?a=1&b=2"),
])
def test_links_that_name_the_same_post_share_a_key(text: str, key: str) -> None:
    found = parse_link(text)
    assert isinstance(found, Link) and found.key == key


@pytest.mark.parametrize("text", ["htp://x.com", "https://x", "weibo.com/1", "https://a.cn/有 空格", "javascript:alert(1)"])
def test_broken_links_are_refused(text: str) -> None:
    assert isinstance(parse_link(text), str)


def test_listed_times_and_counts() -> None:
    listed = datetime(2026, 1, 5, 10, 0, tzinfo=TZ)
    assert parse_listed("3小时前", listed, TZ).value == datetime(2026, 1, 5, 7, 0, tzinfo=TZ)
    assert parse_listed("半小时前", listed, TZ).value == datetime(2026, 1, 5, 9, 30, tzinfo=TZ)
    assert parse_listed("12月30日 08:05", listed, TZ).value == datetime(2025, 12, 30, 8, 5, tzinfo=TZ)
    assert parse_listed("2026/1/5 8:05", listed, TZ).value == datetime(2026, 1, 5, 8, 5, tzinfo=TZ)
    assert parse_listed("2026-11-30", listed, TZ).value is None
    december = datetime(2026, 12, 1, tzinfo=TZ)
    assert iso(time_of("2026-11-30T00:05:00Z", december, TZ)) == "2026-11-30T08:05:00+08:00"  # the register's zone
    assert iso(time_of(46356.25, december, TZ)) == "2026-11-30T06:00:00+08:00"  # an Excel serial date
    assert [count_of(v) for v in ("1.2万", "1,234", "10w+", 7, "", "多")] == [
        12000, 1234, 100000, 7, None, "不是数字(可写 1234、1,234、1.2万)。"]


def test_two_row_header_with_merged_cells(repo: GitRegister, exports: Path, capsys) -> None:
    """Labels merged down over two header rows, a group label merged across: each column still placed."""
    book = Workbook()
    sheet = book.active
    sheet.append(["舆情日报"])
    sheet.append(["标题", "链接", "发布时间", "互动量", None])
    sheet.append([None, None, None, "阅读数", "转发数"])
    for column in "ABC":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("D2:E2")
    sheet.append(["某店", "https://www.zhihu.com/question/1", datetime(2026, 11, 30, 9, 15), 10, 2])
    book.save(exports / "合并.xlsx")
    code, out, err = _import(repo, capsys, exports / "合并.xlsx")
    assert code == 0, err
    assert out.splitlines()[0] == "读取 合并.xlsx:Excel 工作簿,表头在第 3 行,导入方案 monitoring,数据 1 行,选入 1 行。"
    record = repo.read("YQ-2026-0001")
    assert (record["occurred_at"], record["source"]["platform"]) == ("2026-11-30T09:15:00+08:00", "知乎")
    assert record["timeline"][0]["note"].endswith(";发布 2026-11-30 09:15;阅读 10 转发 2")


def test_an_old_excel_file_is_refused_with_what_to_do(repo: GitRegister, exports: Path, capsys) -> None:
    (exports / "旧.xls").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    code, out, err = _import(repo, capsys, exports / "旧.xls")
    assert code == 2
    assert "错误:这是旧版 Excel(.xls)文件,无法读取:请在 Excel 或 WPS 中“另存为”.xlsx 或 CSV 后再导入。" in err


def test_the_library_seam_plans_from_bytes_and_writes_nothing(repo: GitRegister) -> None:
    """What an intake form calls: bytes + file name + options -> the plan as data; nothing on disk changes."""
    from yuqing.config import load_config
    from yuqing.importer import Options, plan_import, write_plan

    config, _ = load_config(repo.root)
    assert config is not None
    long_title = "某地" + "很长的标题" * 30
    data = ("标题,链接,发布时间\n"
            f"{long_title},https://www.toutiao.com/a1,2026-11-30 09:00\n"
            "𠮷野家门店被投诉,https://www.toutiao.com/a2,2026-11-30 09:30\n").encode("gb18030")
    now = datetime(2026, 11, 30, 11, tzinfo=TZ)
    plan = plan_import(data, "上传.csv", repo.root, config, now, Options(fetch=False))
    result = plan.as_json()
    assert (result["ok"], result["encoding"], result["files"]) == (
        True, "GB18030", ["incidents/2026/YQ-2026-0001.yml", "incidents/2026/YQ-2026-0002.yml"])
    assert [a["title"] for a in result["actions"]] == [long_title[:119] + "…", "𠮷野家门店被投诉"]
    assert list((repo.root / "incidents").rglob("*.yml")) == []
    assert write_plan(repo.root, plan) == ("incidents/2026/YQ-2026-0001.yml", "incidents/2026/YQ-2026-0002.yml")
    record = repo.read("YQ-2026-0001")
    assert (len(record["title"]), record["summary"], record["source"]["platform"]) == (120, long_title, "今日头条")


def test_a_warning_before_the_last_event_is_a_back_dated_insert_and_said_so(repo: GitRegister, exports: Path,
                                                                             capsys) -> None:
    _known(repo)
    code, out, err = _import(repo, capsys, _monitoring_xlsx(exports / "a.xlsx"), "--as", "warnings",
                             "--discovered-at", "2026-11-29 09:10")
    assert code == 0, err
    assert "注意:YQ-2026-0001:补录:该事件早于最后一条事件(2026-11-29 09:30),按时间插入为第 1 条。" in err
    assert [e["type"] for e in repo.read(KNOWN)["timeline"]] == ["预警", "研判"]


# --- formulas, 倾向, files without links, a repeat hit that spread ------------------------------------

def test_a_real_formula_is_reported_as_a_formula(repo: GitRegister, exports: Path, capsys) -> None:
    path = exports / "公式.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["标题", "原文链接", "发布时间", "来源"])
    sheet.append(['=HYPERLINK("https://weibo.com/9/Q","某帖")', "https://weibo.com/9/Q", "2026-11-30 09:00", "微博"])
    book.save(path)
    code, _, err = _import(repo, capsys, path)
    assert code == 1
    [line] = [line for line in err.splitlines() if line.startswith("2 ")]
    assert "标题" in line and "该格是公式,请导出为值" in line and "缺少标题" not in err
    assert not list((repo.root / "incidents").rglob("*.yml"))


def test_a_file_without_links_is_keyed_by_title_time_and_source(repo: GitRegister, exports: Path, capsys) -> None:
    export = exports / "无链接.csv"
    export.write_text("标题,发布时间,来源,倾向,阅读数\n"
                      "某景区门票乱收费,2026-11-30 09:00,微博,负面,100\n"
                      "某景区门票乱收费,2026-11-30 09:00,微博,负面,120\n"
                      "某药店高价售药,2026-11-30 09:30,抖音,中性,50\n"
                      "无来源的一条,2026-11-30 09:40,,负面,1\n", encoding="utf-8")
    code, _, err = _import(repo, capsys, export)
    assert code == 1 and "没有链接,也没有工单号:须有标题、发布时间和来源才能识别同一条信息(缺少来源)。" in err
    export.write_text("\n".join(export.read_text(encoding="utf-8").splitlines()[:-1]) + "\n", encoding="utf-8")
    code, out, err = _import(repo, capsys, export, "--sentiment", "负面")  # 倾向 is the sentiment column
    assert code == 0, err
    assert "数据 3 行,选入 2 行" in out.splitlines()[0]
    assert "合计:新登记 1 条,追加预警 0 条。" in out  # rows 2 and 3 are one post
    assert repo.read("YQ-2026-0001")["timeline"][0]["note"].startswith("导入自 无链接.csv 第 2、3 行;某景区门票乱收费;")
    repo.commit("import")
    code, out, _ = _import(repo, capsys, export, "--sentiment", "负面")
    assert code == 0 and "已记录 1 条" in out and _status(repo) == ""


def test_a_repeat_hit_that_spread_tenfold_is_a_new_warning(repo: GitRegister, exports: Path, capsys) -> None:
    _known(repo)

    def export(reads: int) -> Path:
        path = exports / f"复现{reads}.csv"
        path.write_text(f"标题,链接,发布时间,来源,阅读数\n网民再次关注某餐馆后厨,https://weibo.com/1001/AbCd,"
                        f"2026-11-30 06:00,微博,{reads}\n", encoding="utf-8")
        return path

    assert _import(repo, capsys, export(50))[0] == 0
    repo.commit("import 50")
    code, out, _ = _import(repo, capsys, export(400))  # grew, but less than tenfold
    assert code == 0 and "已记录 1 条" in out and _status(repo) == ""
    code, out, err = _import(repo, capsys, export(600))
    assert code == 0, err
    assert "追加预警 1 条" in out and "传播量增至 600(上次预警时 50),再次预警" in out
    warnings = [e for e in repo.read(KNOWN)["timeline"] if e["type"] == "预警"]
    assert len(warnings) == 2 and "阅读 600" in warnings[-1]["note"]
