"""Values that used to crash a command or slip through: refused per file by `check`, never a traceback.

Control characters written as YAML escapes, bidi and zero-width characters, line
breaks in single-line fields, integers of 4,301+ digits, times in year 9999 or
0001. Each is an Issue at its line; the file is left out of every output, and
exports, reports and the site build complete without it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from yuqing.cli import main
from yuqing.loader import load_bytes
from yuqing.register import load_register
from yuqing.times import parse_time, zone

from .conftest import RegisterDir, base_incident

NOW = "2026-11-23T09:00:00+08:00"
SHANGHAI = zone("Asia/Shanghai")


def issues_of(text: str) -> list[tuple[str, str, int, int]]:
    """(code, path, line, column) of everything `check` reports for one file holding ``text``."""
    from yuqing.config import load_config
    from yuqing.register import check_file
    from yuqing.rules import Context
    from yuqing.validate import bundled_checker

    return [(i.code, i.path, i.line, i.column) for i in _check(text, load_config, check_file, Context, bundled_checker)]


_WORLD: dict[str, Any] = {}


def _check(text: str, load_config: Any, check_file: Any, context: Any, bundled_checker: Any) -> list[Any]:
    import tempfile

    if "root" not in _WORLD:
        root = Path(tempfile.mkdtemp(prefix="yuqing-text-"))
        RegisterDir(root)
        config, _ = load_config(root)
        _WORLD.update(root=root, ctx=context(config, datetime.fromisoformat(NOW)))
    path = _WORLD["root"] / "incidents" / "2025" / "YQ-2025-0001.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _, issues = check_file(path, _WORLD["root"], bundled_checker("incident.schema.json"), _WORLD["ctx"])
    return [i for i in issues if i.severity == "error"]


def record_text(**overrides: Any) -> str:
    """A valid record as YAML; string values are written as JSON strings (YAML double quotes),
    so that escapes such as \\u202e are in the file exactly as an editor would type them."""
    record = base_incident(**overrides)
    return "\n".join(f"{key}: {_escaped(json.dumps(value, ensure_ascii=False))}" for key, value in record.items()) + "\n"


def _escaped(text: str) -> str:
    # JSON leaves U+0085, U+2028, bidi and zero-width characters raw; written as escapes they reach the value.
    return "".join(c if c.isprintable() or c in "\n" else f"\\u{ord(c):04x}" for c in text)


@pytest.mark.parametrize(("field", "value", "code"), [
    ("title", "超市\u0007酸奶", "control-char"),
    ("title", "超市\u0000酸奶", "control-char"),
    ("title", "超市酸奶\r", "control-char"),
    ("title", "超市\u001b[31m酸奶", "control-char"),
    ("title", "超市\u0085酸奶", "control-char"),
    ("title", "超市\u2028酸奶", "control-char"),
    ("summary", "第一行\r\n第二行", "control-char"),
    ("summary", "列\t列", "control-char"),
    ("title", "超市\u202e奶酸", "bidi-char"),
    ("title", "超市\u2066酸奶\u2069", "bidi-char"),
    ("title", "超市\u200f酸奶", "bidi-char"),
    ("summary", "网民称\u202e奶酸期过", "bidi-char"),
    ("title", "超市\u200b酸奶", "zero-width-char"),
    ("title", "\ufeff超市酸奶", "zero-width-char"),
    ("title", "超市\u2060酸奶", "zero-width-char"),
    ("title", "超市酸奶\n冲上热搜", "newline-in-text"),
    ("category", "食品安全\n", "newline-in-text"),
])
def test_invisible_characters_are_refused_at_their_line(field: str, value: str, code: str) -> None:
    text = record_text(**{field: value})
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith(f"{field}:"))
    assert issues_of(text) == [(code, field, line, len(field) + 3)]


@pytest.mark.parametrize(("where", "value"), [
    ("tags", ["食品安全\n"]), ("tags", ["食品\u200b安全"]), ("units", {"lead": "食品经营安全监管科\u200d"}),
    ("source", {"channel": "社交媒体", "platform": "微博\n"}),
])
def test_single_line_fields_in_lists_and_mappings(where: str, value: Any) -> None:
    found = issues_of(record_text(**{where: value}))
    assert [code for code, *_ in found] in (["newline-in-text"], ["zero-width-char"])


def test_multi_line_text_keeps_line_breaks_and_emoji() -> None:
    summary = "网民发帖称:\n1. 酸奶过期;\n2. 店员态度差 👨\u200d👩\u200d👧"
    note = "第一行\n第二行"
    text = record_text(summary=summary, timeline=[{"at": "2025-03-03T09:30:00+08:00", "type": "研判", "note": note}])
    assert issues_of(text) == []


def test_block_scalar_text_is_judged_like_quoted_text() -> None:
    text = record_text().replace('summary: "网民发帖称在某超市购买的酸奶已过保质期。"',
                                 "summary: |\n  网民发帖称\n  酸奶过期\u202e。")
    line = text.splitlines().index("  酸奶过期\u202e。") + 1
    assert issues_of(text) == [("bidi-char", "summary", line, 7)]  # the character's own line in a | block


def test_a_raw_control_character_is_named_at_its_place() -> None:
    loaded = load_bytes("id: YQ-2025-0001\ntitle: 超市\x1b酸奶\n".encode(), "f.yml")
    (issue,) = loaded.issues
    assert (issue.code, issue.line, issue.column) == ("control-char", 2, 10)
    assert issue.message == "文件含有看不见的控制字符(转义符 \\e),YAML 不允许,请删除它(常见原因:从网页、Word 或聊天软件复制时带入)。"


@pytest.mark.parametrize("literal", ["9" * 4301, "-" + "1" * 5000, "0x" + "f" * 4000, "0o" + "7" * 5000])
@pytest.mark.parametrize("place", ["title: {}", "timeline:\n  - at: '2025-03-03 09:30'\n    type: 研判\n    note: {}",
                                   "tags: [{}]", "extra: {{a: [{}]}}"])
def test_a_huge_integer_anywhere_is_one_issue(literal: str, place: str) -> None:
    text = record_text()
    key = place.split(":")[0]
    text = "\n".join(row for row in text.splitlines() if not row.startswith(f"{key}:")) + "\n" + place.format(literal) + "\n"
    found = issues_of(text)
    assert ("number-too-large", len(text.splitlines())) in {(c, line) for c, _, line, _ in found}
    assert all(c in ("number-too-large", "unknown-field") for c, *_ in found), found


def test_a_long_but_convertible_integer_is_just_the_wrong_type() -> None:
    assert [(c, p) for c, p, *_ in issues_of(record_text() .replace('title: "某超市销售过期酸奶被网民曝光"',
                                                                    "title: " + "9" * 4000))] == [("bad-type", "title")]


@pytest.mark.parametrize("value", ["9999-12-31T23:30:00Z", "9999-12-31 23:59", "0001-01-01T00:00:00+08:00",
                                   "0001-01-01 00:00", "1899-12-31 23:59", "2200-01-01 00:00"])
@pytest.mark.parametrize("field", ["discovered_at", "occurred_at", "timeline[0].at", "appeal.posted_at",
                                   "extensions[0].due", "review.completed_at", "withdrawn.at"])
def test_a_time_out_of_range_is_refused_in_every_time_field(value: str, field: str) -> None:
    record = base_incident(appeal={"posted_at": "2025-03-03T08:00:00+08:00"},
                           extensions=[{"rule": "reply-3wd", "reason": "需会同调查", "due": "2025-03-10T17:30:00+08:00"}])
    parts = field.replace("[0]", ".0").split(".")
    holder: Any = record
    for part in parts[:-1]:
        holder = holder[int(part)] if part.isdigit() else holder.setdefault(part, {"reason": "重复登记"})
    holder[parts[-1]] = value
    found = issues_of(yaml.safe_dump(record, allow_unicode=True, sort_keys=False))
    assert ("time-out-of-range", field) in {(c, p) for c, p, *_ in found}, found


@pytest.mark.parametrize("text", ["9999-12-31T23:30:00Z", "0001-01-01T00:00:00+08:00", "0001-01-01T00:00:00+14:00",
                                  "9999-12-31T23:59:59-12:00", "2025-03-03T09:00:00+08:00\n", "2025-03-03 09:00\n"])
def test_parse_time_never_raises(text: str) -> None:
    result = parse_time(text, SHANGHAI)
    if text.endswith("\n"):
        assert result is not None  # surrounding whitespace is forgiven in parsing; check refuses the newline
    else:
        assert result is None or result.tzinfo is not None


# --- every command completes on a register holding bad files -------------------------------

BAD_RECORDS: dict[str, str] = {
    "YQ-2025-0002": record_text(id="YQ-2025-0002", title="控制字符\u0007标题"),
    "YQ-2025-0003": record_text(id="YQ-2025-0003", title="方向\u202e题标"),
    "YQ-2025-0004": record_text(id="YQ-2025-0004", tags=["标签\n"]),
    "YQ-2025-0005": record_text(id="YQ-2025-0005").replace('title: "某超市销售过期酸奶被网民曝光"', "title: " + "9" * 4500),
    "YQ-2025-0006": record_text(id="YQ-2025-0006", discovered_at="9999-12-31T23:30:00Z"),
    "YQ-2025-0007": record_text(id="YQ-2025-0007", occurred_at="0001-01-01T00:00:00+08:00"),
}


@pytest.fixture
def tainted(register_dir: RegisterDir) -> RegisterDir:
    register_dir.write(base_incident(id="YQ-2025-0001", title="正常的事件"))
    for record_id, text in BAD_RECORDS.items():
        register_dir.write(text, f"2025/{record_id}.yml")
    return register_dir


def test_check_reports_each_bad_file(tainted: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--now", NOW, "--root", str(tainted.root), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert sorted({Path(e["file"]).stem for e in report["errors"]}) == sorted(BAD_RECORDS)
    register = load_register(tainted.root, now=datetime.fromisoformat(NOW))
    assert {Path(f).stem for f in register.invalid_files} == set(BAD_RECORDS)


def test_export_xlsx_completes_without_the_bad_files(tainted: RegisterDir, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    out = tmp_path / "台账.xlsx"
    assert main(["export", "xlsx", "--root", str(tainted.root), "--now", NOW, "--out", str(out)]) == 0
    assert f"{len(BAD_RECORDS)} 个事件文件有错误" in capsys.readouterr().err
    cells = " ".join(str(c.value) for row in openpyxl.load_workbook(out).worksheets[0].iter_rows() for c in row)
    assert "正常的事件" in cells
    for record_id in BAD_RECORDS:
        assert record_id not in cells


def test_report_docx_completes_without_the_bad_files(tainted: RegisterDir, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "annual.docx"
    assert main(["report", "annual", "--root", str(tainted.root), "--now", NOW, "--period", "2025",
                 "--format", "docx", "--out", str(out)]) == 0
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    for bad in ("控制字符", "\u202e", "9" * 50):
        assert bad not in text


def test_mkdocs_build_completes_without_the_bad_files(tainted: RegisterDir) -> None:
    from .test_site import mkdocs_build, site_files

    site_files(tainted)
    result = mkdocs_build(tainted.root, tainted.root / "site", strict=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    pages = tainted.root / "site" / "generated" / "incidents" / "2025"
    assert (pages / "YQ-2025-0001" / "index.html").is_file()
    for record_id in BAD_RECORDS:
        assert not (pages / record_id).exists()
        assert f"incidents/2025/{record_id}.yml 有错误,未发布" in result.stderr


def test_the_time_zone_edge_does_not_leak_into_the_model() -> None:
    """A refused time is never a datetime in the model (no later overflow in deadlines or the site)."""
    text = record_text(discovered_at="9999-12-31T23:30:00Z", timeline=[{"at": "0001-01-01 00:00", "type": "研判"}])
    from yuqing.records import build_incident

    loaded = load_bytes(text.encode(), "incidents/2025/YQ-2025-0001.yml")
    incident, issues = build_incident(loaded, SHANGHAI, set())
    assert incident is not None and incident.timeline == ()
    assert incident.discovered_at.year < 9999
    assert {i.code for i in issues} == {"time-out-of-range"}
    assert incident.discovered_at + timedelta(days=400) < datetime(9999, 1, 1, tzinfo=timezone.utc)
