"""The contract inside the project: the reference pages under docs/reference/ match the code.

Every key of the schema, every rule of the default register.yml, every key the
JSON outputs really print, every severity and deadline status is documented; the
pages are in the site's navigation; nothing tracked points at documents outside
the repository.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from yuqing.model import CHANNELS, EVENT_TYPES, LEVELS, STATUSES

from .conftest import PROJECT, base_incident
from .githelper import GitRegister, repo, run_cli  # noqa: F401  (repo is a fixture)

REFERENCE = PROJECT / "docs" / "reference"
NOW = "2026-11-23T10:00:00+08:00"


def page(name: str) -> str:
    return (REFERENCE / name).read_text(encoding="utf-8")


def documented(text: str, key: str) -> bool:
    """``key`` appears as code (`key`) in the page."""
    return f"`{key}`" in text


# --- nothing points outside the repository -----------------------------------------------

OUTSIDE = ("../" + "shared", "SPEC" + ".md")
"""Spelled in two parts, so that this file does not hold them."""


def tracked_texts() -> Iterator[tuple[str, str]]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True,
                           text=True).stdout.split("\0")
    for name in filter(None, names):
        path = PROJECT / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:4096]:  # binary
            continue
        yield name, data.decode("utf-8", errors="replace")


def test_no_tracked_file_points_at_documents_outside_the_repository() -> None:
    found = [(name, needle) for name, text in tracked_texts() for needle in OUTSIDE if needle in text]
    assert found == []


def test_readme_and_docs_cite_reference_pages_not_spec_sections() -> None:
    pattern = re.compile("SPEC" + r"\s*(第\s*\d+\s*节|“)")
    texts = [PROJECT / "README.md", *(PROJECT / "docs").rglob("*.md")]
    offending = [str(p.relative_to(PROJECT)) for p in texts if pattern.search(p.read_text(encoding="utf-8"))]
    assert offending == []
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for name in ("record.md", "deadlines.md", "json.md", "changes.md"):
        assert f"docs/reference/{name}" in readme, name


def test_reference_pages_are_in_the_site_navigation() -> None:
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    for path in sorted(REFERENCE.glob("*.md")):
        assert f"reference/{path.name}" in config, path.name


# --- the record format ------------------------------------------------------------------

def schema_keys(node: dict[str, Any], defs: dict[str, Any]) -> Iterator[str]:
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[1]]
    for key, child in node.get("properties", {}).items():
        yield key
        yield from schema_keys(child, defs)
    items = node.get("items")
    if isinstance(items, dict):
        yield from schema_keys(items, defs)


def test_record_page_documents_every_schema_key_and_value() -> None:
    schema = json.loads((PROJECT / "schemas" / "incident.schema.json").read_text(encoding="utf-8"))
    text = page("record.md")
    keys = set(schema_keys(schema, schema.get("$defs", {})))
    assert {"id", "appeal", "posted_at", "duplicate_of", "transferred_from", "approved_at"} <= keys
    assert sorted(k for k in keys if not documented(text, k)) == []
    for required in schema["required"]:
        assert re.search(rf"^\| `{required}` \| 是 \|", text, re.MULTILINE), required
    for value in (*LEVELS, *STATUSES, *CHANNELS, *EVENT_TYPES):
        assert documented(text, value), value


# --- the deadline rules -----------------------------------------------------------------

UNIT_WORDS = {"hours": "小时", "working_hours": "个工作小时", "working_days": "个工作日"}


def test_deadlines_page_has_every_default_rule_with_its_numbers_and_source() -> None:
    register = yaml.safe_load((PROJECT / "register.yml").read_text(encoding="utf-8"))
    text = page("deadlines.md")
    rules_table = text[text.index("## 默认规则"):text.index("## 出处")]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z0-9-]+)` \|.*$", rules_table, re.MULTILINE)}
    for rule in register["rules"]:
        row = rows.get(rule["id"])
        assert row is not None, rule["id"]
        assert f"{rule['limit']:g} {UNIT_WORDS[rule['unit']]}" in row, row
        for event in rule["met_by"]:
            assert event in row, (rule["id"], event)
        # The source of every rule is named in the sources table.
        assert re.search(rf"^\|[^\n]*`{re.escape(rule['id'])}`[^\n]*\|[^\n]*(意见|办法)", text, re.MULTILINE), rule["id"]
    assert "民法典" in text and "第二百零一条" in text and "第二百零三条" in text
    assert "10 天" in text and "延期只会让截止时间推后" in text
    for status in ("met", "met_late", "overdue", "due_soon", "pending", "unknown"):
        assert documented(text, status), status
    assert "`--now`" in text and "截至" in text


# --- the JSON outputs -------------------------------------------------------------------

def cli_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    code, out, err = run_cli(argv, capsys)
    assert code in (0, 1), err
    return json.loads(out)


def test_json_page_documents_every_key_the_commands_print(capsys: pytest.CaptureFixture[str]) -> None:
    text = page("json.md")
    root = ["--root", str(PROJECT)]
    check = cli_json(["check", "--format", "json", *root], capsys)
    deadlines = cli_json(["deadlines", "--now", NOW, "--format", "json", *root], capsys)
    stats = cli_json(["stats", "--format", "json", *root], capsys)
    missing = [f"check.{k}" for k in check if not documented(text, k)]
    missing += [f"deadlines.{k}" for k in deadlines if not documented(text, k)]
    missing += [f"deadlines[].{k}" for k in deadlines["deadlines"][0] if not documented(text, k)]
    missing += [f"stats.{k}" for k in stats if not documented(text, k)]
    assert missing == []
    statuses = {d["status"] for d in deadlines["deadlines"]}
    assert all(documented(text, s) for s in statuses | {"unknown"})
    for severity in ("error", "warning", "approval", "info"):
        assert re.search(rf"^\| `{severity}` \|", text, re.MULTILINE), severity


def test_json_page_documents_the_audit_output(repo: GitRegister, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    repo.write(base_incident())
    repo.commit("登记")
    repo.git("switch", "-q", "-c", "work")
    record = base_incident(summary="网民发帖称在某超市购买的酸奶已过保质期,并附购物小票。")
    repo.write(record)
    repo.commit("完善概要")
    result = cli_json(["audit", "--base", "main", "--format", "json", "--root", str(repo.root)], capsys)
    text = page("json.md")
    assert [k for k in result if not documented(text, k)] == []
    assert set(result["counts"]) <= {"error", "approval", "info"}
    assert result["findings"], result  # the refined summary is shown as info
    for finding in result["findings"]:
        assert [k for k in finding if not documented(text, k)] == []
        assert finding["severity"] in ("error", "approval", "info")


# --- the change policy ------------------------------------------------------------------

def test_changes_page_names_the_three_classes_and_links_the_policy_table() -> None:
    text = page("changes.md")
    for word in ("允许", "需要审批", "不允许", "更正", "CODEOWNERS"):
        assert word in text, word
    assert "../generated/rules.md#policy" in text and "../guide/gate.md" in text
