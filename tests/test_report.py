"""Weekly, monthly, quarterly and annual reports: periods, figures, narrative, and the .docx read back."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from yuqing.cli import main
from yuqing.register import load_register
from yuqing.reports import Heading, Paragraph, Table, annual, monthly, parse, snapshot, weekly
from yuqing.reports.periods import PeriodError, default
from yuqing.times import parse_time, zone

from .conftest import PROJECT
from .test_stats import NOW, small_register

TZ = zone("Asia/Shanghai")
EXAMPLE_NOW = "2026-11-23T09:00:00+08:00"


def at(text: str) -> datetime:
    value = parse_time(text, TZ)
    assert value is not None
    return value


@pytest.fixture
def small(register_dir: Any) -> Any:
    for record in small_register():
        register_dir.write(record)
    return register_dir


@pytest.fixture(scope="module")
def example() -> Any:
    return snapshot(load_register(PROJECT, now=at(EXAMPLE_NOW)))


def blocks_after(report: Any, heading: str, kind: type) -> list[Any]:
    """The blocks of ``kind`` between ``heading`` and the next heading of the same or higher rank."""
    blocks = list(report.blocks)
    start = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == heading)
    found = []
    for block in blocks[start + 1:]:
        if isinstance(block, Heading) and block.level <= blocks[start].level:
            break
        if isinstance(block, kind):
            found.append(block)
    return found


def report_title(report: Any, incident: str) -> str:
    """The title the report gives ``incident`` in its new-incidents table."""
    return next(r[1] for b in report.blocks if isinstance(b, Table) for r in b.rows if r[0] == incident)


def tables_after(report: Any, heading: str) -> list[Table]:
    return blocks_after(report, heading, Table)


def paragraphs_after(report: Any, heading: str) -> list[Paragraph]:
    return blocks_after(report, heading, Paragraph)


# --- periods ----------------------------------------------------------------

def test_default_periods_are_the_last_complete_ones() -> None:
    monday = at(EXAMPLE_NOW)
    week = default("weekly", monday)
    assert (week.label, week.start, week.end) == ("2026-W47", at("2026-11-16T00:00"), at("2026-11-23T00:00"))
    assert week.name == "2026年第47周(11月16日至11月22日)"
    assert default("monthly", monday).label == "2026-10"
    assert default("annual", monday).label == "2025"
    quarter = default("quarterly", monday)
    assert (quarter.label, quarter.name, quarter.start, quarter.end) == (
        "2026-Q3", "2026年第三季度", at("2026-07-01T00:00"), at("2026-10-01T00:00"))
    assert parse("quarterly", "2025q4", TZ).end == at("2026-01-01T00:00")
    assert parse("quarterly", "2025-Q1", TZ).previous().label == "2024-Q4"
    assert parse("quarterly", "2025-Q2", TZ).year_ago().label == "2024-Q2"
    # New Year's week belongs to the ISO year of its Thursday.
    assert parse("weekly", "2026-W01", TZ).start == at("2025-12-29T00:00")
    assert parse("monthly", "2025-12", TZ).end == at("2026-01-01T00:00")
    assert parse("monthly", "2025-03", TZ).year_ago().label == "2024-03"
    assert parse("monthly", "2025-01", TZ).previous().label == "2024-12"


@pytest.mark.parametrize("kind, text", [("weekly", "2025-W54"), ("monthly", "2025-13"), ("annual", "25"),
                                         ("weekly", "2025-03"), ("quarterly", "2025-Q5"), ("quarterly", "2025-03")])
def test_bad_periods(kind: str, text: str) -> None:
    with pytest.raises(PeriodError):
        parse(kind, text, TZ)


def test_bad_period_is_a_usage_error(small: Any, capsys: Any) -> None:
    assert main(["report", "weekly", "--root", str(small.root), "--now", NOW, "--period", "2025-W99"]) == 2
    assert "不是有效的周" in capsys.readouterr().err


# --- the small register (see test_stats.small_register for the hand counts) --

def test_weekly_report_of_small_register(small: Any) -> None:
    register = load_register(small.root, now=at(NOW))
    report = weekly(register, "2025-W11", at(NOW))   # 03-10 .. 03-16: C and D discovered
    assert report.headings == ("一、本周概况", "二、本周新发现舆情", "三、本周办结", "四、在办舆情",
                               "五、下周到期时限", "六、本周未按时完成", "七、研判意见")
    summary = paragraphs_after(report, "一、本周概况")[0].text
    # new: C (重大), D (now 一般); open at 03-17 00:00: A (never settled), C; B settled 03-08, D 03-16.
    # due in the week and missed: C report-4h (late), C respond-48h (overdue), D press-24h (late).
    assert summary == ("本周新发现舆情2起(一般1起、敏感0起、重大1起、特别重大0起);本周办结(平息或归档)1起;"
                       "截至周末仍在监测或处置的2起;本周到期的处置时限中未按时完成3项;下周将到期0项。")
    assert [r[0] for r in tables_after(report, "二、本周新发现舆情")[0].rows] == ["YQ-2025-0003", "YQ-2025-0004"]
    # D: discovered 03-12 20:00, 平息 Sun 03-16 10:00 (its 归档 on 03-18 is next week's).
    assert tables_after(report, "三、本周办结")[0].rows == (
        ("YQ-2025-0004", report_title(report, "YQ-2025-0004"), "特别重大",
         "特种设备安全监察科", "平息", "03-16 10:00", "3天14小时"),)
    still_open = tables_after(report, "四、在办舆情")[0]
    # "已持续" is counted to the end of the week (03-17 00:00), not to the day the report is made (04-10).
    assert [(r[0], r[4]) for r in still_open.rows] == [("YQ-2025-0001", "13天15小时"), ("YQ-2025-0003", "6天16小时")]
    assert still_open.caption == "已持续自发现时起算,计至2025-03-17 00:00。"
    missed = tables_after(report, "六、本周未按时完成")[0]
    assert [(r[0], r[4], r[5]) for r in missed.rows] == [
        ("YQ-2025-0003", "03-10 16:00", "03-10 17:00完成,超时1小时"),
        ("YQ-2025-0003", "03-12 07:00", "未完成,已逾期4天17小时"),   # to the week's end, 03-17 00:00
        ("YQ-2025-0004", "03-13 20:00", "03-13 21:00完成,超时1小时"),
    ]
    assert missed.caption == "逾期未办的,逾期时长计至2025-03-17 00:00。"
    # 落款: the organization and the day the report is made.
    assert (report.closing.unit, report.closing.date) == ("示例市市场监督管理局", "2025年4月10日")
    assert report.placeholders == ("【待填写:本周舆情研判意见和下周工作安排(写在 docs/reports/weekly-2025-W11.md)】",)


def test_monthly_report_compares_with_previous_month_and_year(small: Any) -> None:
    register = load_register(small.root, now=at(NOW))
    report = monthly(register, "2025-03", at(NOW))
    compare = tables_after(report, "一、总体情况")[0]
    assert compare.headers == ("指标", "本月", "上月", "环比", "去年同月", "同比")
    assert compare.rows[0] == ("新发现舆情", "4", "0", "—(基数为0)", "0", "—(基数为0)")
    assert compare.rows[1] == ("其中一般", "2", "0", "—(基数为0)", "0", "—(基数为0)")
    # March's incidents A-D: met 4, late 3, overdue 1 -> 50.0%
    assert compare.rows[-1] == ("时限按时率", "50.0%", "—", "", "—", "")
    april = monthly(register, "2025-04", at(NOW))
    row = tables_after(april, "一、总体情况")[0].rows[0]
    assert row == ("新发现舆情", "2", "4", "-50.0%", "0", "—(基数为0)")
    reviews = tables_after(report, "五、评估总结完成情况")[0]
    assert [(r[0], r[2], r[3]) for r in reviews.rows] == [("YQ-2025-0004", "特别重大", "2025-03-17 10:00")]


def test_quarterly_report_has_the_figures_of_yuqing_stats_over_the_quarter(small: Any, capsys: Any) -> None:
    import json

    from yuqing.reports import quarterly

    assert main(["stats", "--root", str(small.root), "--now", NOW, "--format", "json",
                 "--since", "2025-01", "--until", "2025-03"]) == 0
    stats = json.loads(capsys.readouterr().out)
    register = load_register(small.root, now=at(NOW))
    report = quarterly(register, None, at(NOW))  # on 04-10 the last complete quarter is the first
    assert (report.kind, report.period, report.title) == ("quarterly", "2025-Q1", "舆情季度评估")
    compare = tables_after(report, "一、总体情况")[0]
    assert compare.headers == ("指标", "本季度", "上季度", "环比", "去年同季度", "同比")
    assert compare.caption == "上季度为2024年第四季度,去年同季度为2024年第一季度。"
    rows = {r[0]: r[1] for r in compare.rows}
    assert rows["新发现舆情"] == str(stats["total"]) == "4"  # A-D (E withdrawn)
    assert {level: int(rows[f"其中{level}"]) for level in stats["by_level"]} == stats["by_level"]
    assert rows["时限按时率"] == f"{stats['on_time_rate'] * 100:.1f}%" == "50.0%"
    by_category, by_channel, by_unit = tables_after(report, "二、分布情况")[:3]
    assert {r[0]: int(r[1]) for r in by_category.rows} == stats["by_category"]
    assert {r[0]: int(r[1]) for r in by_channel.rows} == stats["by_channel"]
    assert {r[0]: int(r[1]) for r in by_unit.rows} == stats["by_unit"]
    total = tables_after(report, "三、处置时效")[0].rows[-1]
    timeliness = stats["timeliness"].values()
    assert total[:4] == ("合计", *(str(sum(t[k] for t in timeliness)) for k in ("met", "met_late", "overdue")))
    assert paragraphs_after(report, "一、总体情况")[0].text.startswith("2025年第一季度共新发现舆情4起")
    assert report.placeholders == (
        "【待填写:本季度舆情形势研判和下季度工作重点(写在 docs/reports/quarterly-2025-Q1.md)】",)
    # The second quarter (not over on 04-10) compares with the first: F and G against A-D.
    second = quarterly(register, "2025Q2", at(NOW))
    assert tables_after(second, "一、总体情况")[0].rows[0] == ("新发现舆情", "2", "4", "-50.0%", "0", "—(基数为0)")


def test_quarterly_report_takes_its_narrative_and_renders_markdown_and_docx(small: Any, tmp_path: Path,
                                                                          capsys: Any) -> None:
    story = small.root / "docs/reports/quarterly-2025-Q1.md"
    story.parent.mkdir(parents=True, exist_ok=True)
    story.write_text("## 研判意见\n\n一季度舆情总体平稳。\n", encoding="utf-8")
    args = ["report", "quarterly", "--root", str(small.root), "--now", NOW, "--period", "2025-Q1"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "舆情季度评估" in text and "2025年第一季度" in text and "一季度舆情总体平稳。" in text
    assert "待填写" not in text
    out = tmp_path / "q1.docx"
    assert main([*args, "--format", "docx", "--out", str(out)]) == 0
    document = docx.Document(str(out))
    paragraphs = [p.text for p in document.paragraphs]
    assert "舆情季度评估" in paragraphs and "一季度舆情总体平稳。" in paragraphs
    assert main(["report", "quarterly", "--root", str(small.root), "--now", NOW, "--period", "2025-13"]) == 2
    assert "不是有效的季度" in capsys.readouterr().err


NARRATIVE = """# 2025年自查报告(手写部分)

根据《示例市人民政府办公室关于报送政务舆情回应工作有关材料的通知》要求,现将自查情况报告如下:

<!-- 这段注释不应出现在报告中 -->

## 一、政务舆情回应工作制度、机制建立情况

制定了《舆情应急预案》。

## 二、主要做法

### (一)加强日常监看

建立7×24小时值班制度。

## 三、存在问题

个别单位对时限要求认识不足。
"""


def test_annual_report_takes_narrative_and_marks_the_rest(small: Any) -> None:
    (small.root / "docs" / "reports").mkdir(parents=True)
    (small.root / "docs" / "reports" / "annual-2025.md").write_text(NARRATIVE, encoding="utf-8")
    register = load_register(small.root, now=at(NOW))
    report = annual(register, 2025, at(NOW))
    assert report.narrative == "docs/reports/annual-2025.md"
    assert report.title == "示例市市场监督管理局2025年政务舆情回应处置工作自查报告"
    top = [h for h in report.headings if re.match(r"^[一二三四五六七八九十]+、", h)]
    assert top == ["一、制度机制建立情况", "二、主要做法", "三、存在问题", "四、下一步工作安排"]
    texts = [b.text for b in report.blocks if isinstance(b, Paragraph)]
    assert texts[0].startswith("根据《示例市人民政府办公室")
    assert "制定了《舆情应急预案》。" in texts
    assert "个别单位对时限要求认识不足。" in texts
    assert not any("注释" in t for t in texts)
    # The hand-written sub-heading continues the data sub-headings' numbering.
    assert "(六)加强日常监看" in report.headings
    assert report.placeholders == ("【待填写:下一步工作安排(针对存在问题的改进措施)】",)
    basics = paragraphs_after(report, "(一)全年舆情基本情况")[0].text
    assert basics.startswith("2025年共登记舆情6起(另有撤销登记1起,不计入统计),其中涉密1起,"
                             "按当前等级分:一般3起、敏感2起、重大1起、特别重大0起。处置过程中升级1起、降级1起。")
    problems = paragraphs_after(report, "(一)处置时限未按时完成")[0].text
    # misses: A reply-3wd, C report-4h, D press-24h (late) and C respond-48h (overdue); C report-4h is a late report.
    assert problems == "全年未按时完成处置时限4项(超时完成3项、逾期未办1项),其中上报不及时(迟报)1项。"


def test_docx_follows_official_document_layout(small: Any, tmp_path: Path) -> None:
    out = tmp_path / "annual.docx"
    code = main(["report", "annual", "--root", str(small.root), "--now", NOW, "--period", "2025",
                 "--format", "docx", "--out", str(out)])
    assert code == 0
    register = load_register(small.root, now=at(NOW))
    report = annual(register, "2025", at(NOW))
    document = docx.Document(str(out))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert [round(x.cm, 2) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)] == [3.7, 3.5, 2.8, 2.6]

    def east_asia(paragraph: Any) -> str:
        return paragraph.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))

    paragraphs = [p for p in document.paragraphs if p.text]
    assert paragraphs[0].text == report.title
    assert east_asia(paragraphs[0]) == "方正小标宋简体"
    assert paragraphs[0].runs[0].font.size.pt == 22
    by_text = {p.text: p for p in paragraphs}
    for heading in report.headings:
        paragraph = by_text[heading]
        expected = "黑体" if re.match(r"^[一二三四]、", heading) else \
            "楷体_GB2312" if heading.startswith("(") else "仿宋_GB2312"
        assert east_asia(paragraph) == expected, heading
        assert paragraph.runs[0].font.size.pt == 16
    body = by_text[paragraphs_after(report, "(一)全年舆情基本情况")[0].text]
    assert east_asia(body) == "仿宋_GB2312"
    # headings in the same order as the report
    assert [p.text for p in paragraphs if p.text in set(report.headings)] == list(report.headings)
    # tables cell by cell
    tables = [b for b in report.blocks if isinstance(b, Table)]
    assert len(document.tables) == len(tables)
    for table, block in zip(document.tables, tables):
        cells = [[c.text for c in row.cells] for row in table.rows]
        assert cells == [list(block.headers)] + [list(r) for r in block.rows]
        assert table.rows[0].cells[0].paragraphs[0].runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
        # The header row repeats on every page the table runs onto; no other row does.
        marks = [row._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None for row in table.rows]
        assert marks == [True] + [False] * (len(table.rows) - 1)
    # 落款: the organization, then the date, right-aligned, at the end.
    unit, day = paragraphs[-2:]
    assert (unit.text, day.text) == ("示例市市场监督管理局", "2025年4月10日")
    assert unit.alignment == day.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert east_asia(day) == "仿宋_GB2312"


# --- the example register ---------------------------------------------------

def _raw(year: str) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((PROJECT / "incidents" / year).glob("*.yml"))]


def test_annual_report_of_example_register_only_states_record_figures(example: Any) -> None:
    report = annual(None, "2025", snap=example)  # type: ignore[arg-type]
    records = _raw("2025")
    counted = [r for r in records if not r.get("withdrawn")]
    levels = {lvl: sum(1 for r in counted if r["level"] == lvl) for lvl in ("一般", "敏感", "重大", "特别重大")}
    withdrawn = len(records) - len(counted)
    confidential = sum(1 for r in counted if r.get("confidential"))
    basics = paragraphs_after(report, "(一)全年舆情基本情况")[0].text
    expected = (f"2025年共登记舆情{len(counted)}起(另有撤销登记{withdrawn}起,不计入统计)"
                + (f",其中涉密{confidential}起" if confidential else "")
                + f",按当前等级分:一般{levels['一般']}起、敏感{levels['敏感']}起、重大{levels['重大']}起、"
                  f"特别重大{levels['特别重大']}起。")
    assert basics.startswith(expected)
    assert (len(counted), withdrawn) == (8, 1)
    # By hand: YQ-2025-0002 occurred 03-10 12:35, respond-48h due 03-12 12:35, first response
    # (发布权威信息) 03-12 14:00: 1h25m late. Every other 2025 deadline was met.
    missed = tables_after(report, "(一)处置时限未按时完成")[0]
    assert [(r[0], r[4], r[5]) for r in missed.rows] == [
        ("YQ-2025-0002", "2025-03-12 12:35", "2025-03-12 14:00完成,超时1小时25分")]
    # Every incident id in the report is a 2025 record; no prose invented where people must write.
    ids = set(re.findall(r"YQ-\d{4}-\d{4}", report.to_markdown()))
    assert ids <= {r["id"] for r in counted}
    assert paragraphs_after(report, "四、下一步工作安排") == [
        Paragraph("【待填写:下一步工作安排(针对存在问题的改进措施)】", placeholder=True)]
    assert len(report.placeholders) == 5


def test_weekly_report_of_example_register(example: Any) -> None:
    report = weekly(None, None, snap=example)  # type: ignore[arg-type]
    assert report.period == "2026-W47"
    new = tables_after(report, "二、本周新发现舆情")[0]
    expected = sorted(r["id"] for r in _raw("2026")
                      if "2026-11-16" <= r["discovered_at"][:10] <= "2026-11-22" and not r.get("withdrawn"))
    assert sorted(r[0] for r in new.rows) == expected
    # YQ-2026-0013: appeal posted Tue 11-17 15:10; three working days after it end Fri 11-20 17:30; no 答复.
    missed = tables_after(report, "六、本周未按时完成")[0]
    assert [(r[0], r[4], r[5]) for r in missed.rows] == [("YQ-2026-0013", "11-20 17:30", "未完成,已逾期2天6小时")]


def test_monthly_report_of_example_register(example: Any) -> None:
    report = monthly(None, None, snap=example)  # type: ignore[arg-type]
    assert report.period == "2026-10"
    october = [r for r in _raw("2026") if r["discovered_at"].startswith("2026-10")]
    september = [r for r in _raw("2026") if r["discovered_at"].startswith("2026-09")]
    row = tables_after(report, "一、总体情况")[0].rows[0]
    assert row[:3] == ("新发现舆情", str(len(october)), str(len(september)))
    # YQ-2026-0011: first grading 敏感, so 敏感 from discovery 10-13 18:30; report-4h due 22:30; no 上报: overdue.
    missed = tables_after(report, "四、未按时完成情况")[1]
    assert [(r[0], r[5][:4]) for r in missed.rows] == [("YQ-2026-0011", "未完成,")]


def test_example_reports_produce_markdown_and_docx(tmp_path: Path, capsys: Any) -> None:
    for kind in ("weekly", "monthly", "annual"):
        out = tmp_path / f"{kind}.docx"
        assert main(["report", kind, "--root", str(PROJECT), "--now", EXAMPLE_NOW, "--format", "docx",
                     "--out", str(out)]) == 0
        assert capsys.readouterr().out == f"已写入 {out}\n"
        document = docx.Document(str(out))
        assert document.paragraphs[0].text in ("舆情周报", "舆情月度评估",
                                               "示例市市场监督管理局2025年政务舆情回应处置工作自查报告")
        assert main(["report", kind, "--root", str(PROJECT), "--now", EXAMPLE_NOW]) == 0
        markdown = capsys.readouterr().out
        assert markdown.startswith("# ")
        assert "<svg" in markdown or kind == "weekly"


# --- safety: record text never becomes markup -------------------------------

HOSTILE = ("<img src=x onerror=alert(1)>", "[详情](javascript:alert(1))", "![x](http://evil)", "a|b",
           "`code`", "*强调*", "{: onclick=alert(1) }", "<script>alert(1)</script>")


def hostile_register(register_dir: Any) -> Any:
    """Titles, summaries, units, notes, tags, the organization and a narrative full of Markdown and HTML."""
    from .conftest import base_incident

    data = yaml.safe_load((register_dir.root / "register.yml").read_text(encoding="utf-8"))
    unit = "<img src=x onerror=alert(1)>科"
    register_dir.settings(organization="[局](javascript:alert(1))<b>", units=[*data["units"], unit, "# 标题科"])
    for number, text in enumerate(HOSTILE, start=1):
        register_dir.write(base_incident(
            id=f"YQ-2025-{number:04d}", title=f"# {text} 标题 | 表格", summary=f"- {text}\n\n# 概要",
            level="重大", status="处置中", tags=[f"#{number}"], discovered_at=f"2025-03-1{number % 7}T09:00:00+08:00",
            units={"lead": unit if number % 2 else "# 标题科", "assisting": [unit]},
            timeline=[{"at": f"2025-03-1{number % 7}T09:30:00+08:00", "type": "定级", "level": "重大",
                       "by": unit, "note": text}],
            review={"cause": text, "nature": text, "impact": text, "responsibility": text, "lessons": text,
                    "completed_at": f"2025-03-1{number % 7}T18:00:00+08:00"}))
    narrative = register_dir.root / "docs" / "reports"
    narrative.mkdir(parents=True)
    (narrative / "annual-2025.md").write_text(
        "开头 <img src=x onerror=alert(1)> [详情](javascript:alert(1))\n\n## 三、存在问题\n\n"
        "- ![x](http://evil) {: onclick=alert(1) }\n\n### <script>alert(1)</script>\n\n正文\n",
        encoding="utf-8")
    return register_dir


class _Tags(__import__("html.parser").parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

        self.headings: list[str] = []
        self._heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = True
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading:
            self.headings[-1] += data


def _mkdocs_site(tmp_path: Path, pages: dict[str, str]) -> dict[str, str]:
    """Build ``pages`` (name -> Markdown) under docs/reports/ with real MkDocs and the project's
    Markdown extensions; return each page's HTML content (the part the Markdown became)."""
    import subprocess
    import sys

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: None)
    project = yaml.load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    site = tmp_path / "mk"
    (site / "docs" / "reports").mkdir(parents=True)
    (site / "docs" / "index.md").write_text("# 首页\n", encoding="utf-8")
    for name, markdown in pages.items():
        (site / "docs" / "reports" / f"{name}.md").write_text(markdown, encoding="utf-8")
    config = {"site_name": "t", "theme": {"name": "mkdocs"}, "markdown_extensions": project["markdown_extensions"],
              "plugins": []}
    (site / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(site / "mkdocs.yml")], check=True,
                   cwd=site, capture_output=True)
    out = {}
    for name in pages:
        page = (site / "site" / "reports" / name / "index.html").read_text(encoding="utf-8")
        start = page.index('<div class="col-md-9" role="main">')
        out[name] = page[start:page.index("<footer", start)]
    return out


ALLOWED_TAGS = {"div", "h1", "h2", "h3", "h4", "p", "table", "thead", "tbody", "tr", "th", "td", "strong", "br",
                "blockquote", "figure", "figcaption", "svg", "g", "rect", "text", "line", "path", "title", "polyline",
                "circle", "tspan", "desc", "a"}


def test_record_text_never_becomes_markup_in_published_reports(register_dir: Any, tmp_path: Path,
                                                              capsys: Any) -> None:
    """Every report kind and the statistics summary, built by MkDocs as pages under docs/reports/."""
    root = hostile_register(register_dir).root
    pages: dict[str, str] = {}
    for kind, period in (("weekly", "2025-W11"), ("monthly", "2025-03"), ("annual", "2025")):
        assert main(["report", kind, "--root", str(root), "--now", NOW, "--period", period]) == 0
        pages[kind] = capsys.readouterr().out
    assert main(["stats", "--root", str(root), "--now", NOW, "--format", "markdown"]) == 0
    pages["stats"] = capsys.readouterr().out
    # The annual report puts titles into a paragraph (尚未办结事项), the others into tables.
    assert "仍有8起未平息" in pages["annual"]
    for name, content in _mkdocs_site(tmp_path, pages).items():
        parser = _Tags()
        parser.feed(content)
        tags = {tag for tag, _ in parser.tags}
        assert tags <= ALLOWED_TAGS, (name, tags - ALLOWED_TAGS)
        for tag, attrs in parser.tags:
            for key, value in attrs:
                assert not key.startswith("on"), (name, tag, key)
                assert "javascript:" not in (value or "").lower(), (name, tag, key, value)
        # Links are only the theme's own heading anchors (toc adds none: permalink is off).
        assert not [attrs for tag, attrs in parser.tags if tag == "a"], name
        assert "<img" not in content and "<script" not in content and "<b>" not in content, name
        text = "".join(parser.text)
        # What was written is shown, as text.
        assert "<img src=x onerror=alert(1)>科" in text and "# 标题科" in text, name
        # No text written with a leading # became a heading.
        assert not [h for h in parser.headings if "表格" in h or "概要" in h or "标题科" in h], name
        if name != "stats":
            assert "[局](javascript:alert(1))<b>" in text, name
        if name == "weekly":
            for hostile in HOSTILE:
                assert f"# {hostile} 标题 | 表格" in text, (name, hostile)
    annual_text = "".join(_text_of(_mkdocs_site(tmp_path / "again", {"annual": pages["annual"]})["annual"]))
    assert "开头 <img src=x onerror=alert(1)> [详情](javascript:alert(1))" in annual_text
    assert "![x](http://evil) {: onclick=alert(1) }" in annual_text


def _text_of(content: str) -> list[str]:
    parser = _Tags()
    parser.feed(content)
    return parser.text


def test_markdown_escaping_keeps_text_escaped_once_by_the_site() -> None:
    from yuqing.render.markdown import md_cell, md_text
    from yuqing.site.escape import md_text as site_md_text

    for text in HOSTILE + ("AT&T &amp; 1 < 2", "2025-03-01 10:00 说明:无", "1. 列表", "- 列表", ": 定义", "=== "):
        once = site_md_text(text)
        assert md_text(once) == once          # references kept, nothing escaped twice
        assert md_cell(text) == md_text(text)
    assert md_text("2025-03-01 10:00 说明:无") == "2025-03-01 10:00 说明:无"   # readable in a terminal
    assert md_text("1. 列表") == "1\\. 列表" and md_text("- 列表") == "\\- 列表" and md_text(": x") == "&#58; x"
    assert md_text("AT&T") == "AT&amp;T" and md_text("a\nb\tc\x07") == "a b c"


def test_weekly_closed_records_and_a_week_not_yet_over(register_dir: Any) -> None:
    """A record settled and archived in the same week is one row; while the week runs, "截至" is now."""
    from .conftest import base_incident

    register_dir.write(base_incident(
        id="YQ-2025-0001", status="已归档", discovered_at="2025-03-03T09:00:00+08:00",
        timeline=[{"at": "2025-03-04T10:00:00+08:00", "type": "平息"},
                  {"at": "2025-03-05T16:30:00+08:00", "type": "归档"}]))
    register_dir.write(base_incident(id="YQ-2025-0002", discovered_at="2025-03-04T09:00:00+08:00"))
    now = at("2025-03-06T12:00")   # Thursday of 2025-W10
    report = weekly(load_register(register_dir.root, now=now), "2025-W10", now)
    closed = tables_after(report, "三、本周办结")[0]
    assert [(r[0], r[4], r[5], r[6]) for r in closed.rows] == [
        ("YQ-2025-0001", "平息、归档", "03-05 16:30", "2天7小时")]
    still_open = tables_after(report, "四、在办舆情")[0]
    assert [(r[0], r[4]) for r in still_open.rows] == [("YQ-2025-0002", "2天3小时")]   # to 03-06 12:00
    markdown = report.to_markdown()
    assert markdown.endswith("示例市市场监督管理局  \n2025年3月6日\n")


def test_a_weekly_report_reads_the_register_as_of_the_end_of_its_week(register_dir: Any, capsys: Any) -> None:
    """Made on Monday 11-30 for W48 (11-23..11-29): a record discovered on 11-30 and a deadline met on 11-30
    do not show; next week's deadlines are those still running at the week's end."""
    from .conftest import base_incident

    register_dir.write(base_incident(   # discovered in the week; its 3-working-day reply falls due next week
        id="YQ-2026-0001", status="处置中", discovered_at="2026-11-27T10:00:00+08:00",
        appeal={"posted_at": "2026-11-27T09:00:00+08:00", "author": "网民甲"},
        timeline=[{"at": "2026-11-27T10:30:00+08:00", "type": "初步回应", "by": "食品经营安全监管科"},
                  {"at": "2026-11-30T10:00:00+08:00", "type": "答复", "by": "食品经营安全监管科"}]))
    register_dir.write(base_incident(   # discovered after the week, its deadlines all met on 11-30
        id="YQ-2026-0002", level="重大", status="处置中", discovered_at="2026-11-30T08:00:00+08:00",
        appeal={"posted_at": "2026-11-30T07:50:00+08:00"},
        timeline=[{"at": "2026-11-30T08:10:00+08:00", "type": "定级", "level": "重大"},
                  {"at": "2026-11-30T08:30:00+08:00", "type": "上报"},
                  {"at": "2026-11-30T09:00:00+08:00", "type": "答复"}]))
    now = "2026-11-30T12:00:00+08:00"
    report = weekly(load_register(register_dir.root, now=at(now)), None, at(now))
    assert report.period == "2026-W48"
    (due_next,) = tables_after(report, "五、下周到期时限")
    assert [(r[0], r[4], r[5]) for r in due_next.rows] == [("YQ-2026-0001", "12-02 17:30", "进行中")]
    (summary,) = paragraphs_after(report, "一、本周概况")
    assert "本周新发现舆情1起" in summary.text and "下周将到期1项" in summary.text
    still_open = tables_after(report, "四、在办舆情")[0]   # its latest progress is the week's, not 11-30's
    assert [(r[0], r[5]) for r in still_open.rows] == [("YQ-2026-0001", "11-27 10:30 初步回应")]
    assert "YQ-2026-0002" not in report.to_markdown()
    # The same from the command line, made later: the report of a past week does not change.
    assert main(["report", "weekly", "--root", str(register_dir.root), "--now", "2026-12-09T09:00:00+08:00",
                 "--period", "2026-W48"]) == 0
    later = capsys.readouterr().out
    assert "下周将到期1项" in later and "YQ-2026-0002" not in later and "按时完成" not in later.split("下周到期时限")[1].split("本周未按时完成")[0]


def test_weekly_docx_keeps_short_values_whole_and_headings_with_their_text(small: Any, tmp_path: Path) -> None:
    from yuqing.render.docx import table_size, text_width

    out = tmp_path / "weekly.docx"
    assert main(["report", "weekly", "--root", str(small.root), "--now", NOW, "--period", "2025-W11",
                 "--format", "docx", "--out", str(out)]) == 0
    report = weekly(load_register(small.root, now=at(NOW)), "2025-W11", at(NOW))
    document = docx.Document(str(out))
    # Every heading keeps with the paragraph or table after it: never alone at the foot of a page.
    headings = [p for p in document.paragraphs if p.text in set(report.headings)]
    assert len(headings) == len(report.headings)
    assert all(p.paragraph_format.keep_with_next for p in headings)
    # Levels, units, times and durations: each cell wide enough for its longest value on one line, and
    # marked no-wrap; the titles share the rest of the line.
    blocks = [b for b in report.blocks if isinstance(b, Table)]
    checked = 0
    for table, block in zip(document.tables, blocks):
        size = table_size(block).pt
        for index, header in enumerate(block.headers):
            if header not in ("等级", "最高等级", "责任单位", "已持续", "处置用时", "截止时间"):
                continue
            longest = max(text_width(row[index]) for row in block.rows)
            for row in table.rows:
                cell = row.cells[index]
                assert cell._tc.tcPr.find(qn("w:noWrap")) is not None, header
                assert cell.width.pt >= longest * size / 2, (header, cell.width.pt, longest)
            checked += 1
    assert checked >= 6
    # The latest progress of an open record: the event's time, type and note (shortened).
    still_open = tables_after(report, "四、在办舆情")[0]
    assert all(re.match(r"^\d\d-\d\d \d\d:\d\d \S+", r[5]) for r in still_open.rows)


def test_docx_table_rows_after_the_first_keep_their_text_as_written(tmp_path: Path) -> None:
    """Rows after the first are copies of it with their own text: spaces at the ends, line breaks,
    tabs, empty cells and control characters read back in Word as they would in the first row."""
    from yuqing.render.docx import write
    from yuqing.reports.document import Report

    values = ["普通文字", "  前后有空格  ", "第一行\n第二行", "甲\t乙", "", "控制\x07字符", "YQ-2026-0001"]
    rows = tuple((value, "说明") for value in values)
    report = Report("weekly", "2026-W01", "舆情周报", "测试", (Table(("内容", "备注"), rows),))
    path = tmp_path / "rows.docx"
    write(report, path)
    table = docx.Document(str(path)).tables[0]
    assert [row.cells[0].text for row in table.rows[1:]] == [
        "普通文字", "  前后有空格  ", "第一行\n第二行", "甲\t乙", "", "控制字符", "YQ-2026-0001"]
    assert all(row.cells[1].text == "说明" for row in table.rows[1:])
