"""Schema patterns read as JSON Schema reads them: ``$`` is the end of the text.

Python's ``re.search`` lets ``$`` match before a final line feed, so "YQ-2025-0002\\n"
would pass ``^...-[0-9]{4,8}$`` and a county export could count one record twice.
Both the fast path (fastschema.py) and jsonschema's (validate.py) must refuse it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from yuqing import synthetic
from yuqing.loader import load_text
from yuqing.validate import SchemaChecker

from .conftest import RegisterDir
from .githelper import run_cli

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
NOW = "2026-11-23T12:00:00+08:00"
EXAMPLES = {  # a value each pattern takes
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([+-][0-9]{2}:[0-9]{2}|Z)$":
        "2025-01-21T09:10:00+08:00",
    r"^[A-Z][A-Z0-9]*$": "YQ",
    r"^[A-Z][A-Z0-9]*-[0-9]{4}-[0-9]{4,8}$": "YQ-2025-0002",
    r"^[A-Za-z_]+(/[A-Za-z_+-]+)*$": "Asia/Shanghai",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?(?![\s\S])": "2025-01-21 09:10",
    r"^[A-Z][A-Z0-9]*-[0-9]{4}-[0-9]{4,}(?![\s\S])": "YQ-2025-0001",
    r"^([01][0-9]|2[0-3]):[0-5][0-9](?![\s\S])": "09:30",
    r"^[0-9]{4}(?![\s\S])": "2025",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(\.\.[0-9]{4}-[0-9]{2}-[0-9]{2})?(?![\s\S])": "2025-01-01..2025-01-31",
    r"^[A-Z][A-Z0-9]*(?![\s\S])": "YQ",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,38}(?![\s\S])": "county-a",
    r"^[^\s/]+(/[^\s/]+)?(?![\s\S])": "owner/repo",
    r"^[a-z0-9][a-z0-9-]*(?![\s\S])": "shangcheng",
}


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


PATTERNS = sorted({p for f in sorted(SCHEMAS.glob("*.json"))
                   for p in _patterns(json.loads(f.read_text(encoding="utf-8"))) if p.startswith("^")})


def _codes(checker: SchemaChecker, value: str) -> list[str]:
    loaded = load_text(f"v: {json.dumps(value)}\n", "x.yml")
    return [issue.code for issue in checker.issues(loaded)]


def test_every_anchored_pattern_has_an_example() -> None:
    assert len(PATTERNS) >= 10
    assert [p for p in PATTERNS if p not in EXAMPLES] == []


@pytest.mark.parametrize("fast", [True, False], ids=["fastschema", "jsonschema"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_value_with_a_final_line_feed_does_not_match(pattern: str, fast: bool) -> None:
    schema = {"type": "object", "properties": {"v": {"type": "string", "pattern": pattern}}}
    checker = SchemaChecker(schema, fast=fast)
    assert (checker._certainly_valid is not None) is fast  # the path named is the one taken
    example = EXAMPLES[pattern]
    assert _codes(checker, example) == []
    assert _codes(checker, example + "\n") == ["bad-format"]
    assert _codes(checker, example + "\nx") == ["bad-format"]


def test_a_dollar_that_is_a_character_still_is_one() -> None:
    """Only the anchor changes: an escaped "$" or one in a class is still a dollar sign."""
    for fast in (True, False):
        checker = SchemaChecker({"type": "object", "properties": {"v": {"type": "string", "pattern": r"^[$]\$x$"}}},
                                fast=fast)
        assert _codes(checker, "$$x") == []
        assert _codes(checker, "$$x\n") == ["bad-format"]


def test_a_county_export_with_an_id_ending_in_a_line_feed_is_refused(
        register_dir: RegisterDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    county = tmp_path / "county"
    assert synthetic.main(["--count", "5", "--seed", "3", "--out", str(county)]) == 0
    code, out, _ = run_cli(["export", "json", "--root", str(county), "--now", NOW], capsys)
    assert code == 0
    doc = json.loads(out)
    twin = dict(doc["records"][0], id=doc["records"][0]["id"] + "\n")
    doc["records"].append(twin)
    root = register_dir.root
    (root / "county.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (root / "sources.yml").write_text(yaml.safe_dump({"sources": [
        {"name": "上城区", "code": "330102", "path": "county.json", "freshness_hours": 100000}]},
        allow_unicode=True), encoding="utf-8")
    _, out, _ = run_cli(["aggregate", "--root", str(root), "--now", NOW, "--show", "sources", "--format", "json"],
                        capsys)
    (source,) = json.loads(out)["sources"]
    assert source["state"] == "failed"
    assert "不符合导出格式" in source["message"] and "records[5].id" in source["message"]
