"""Fuzzing: no input, however broken, crashes the loader or the checks (bounded to run in the suite)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yuqing.config import load_config
from yuqing.loader import Loaded, load_bytes
from yuqing.register import check_file
from yuqing.rules import Context
from yuqing.validate import SchemaChecker, read_schema

from .conftest import RegisterDir, base_incident

NOW = datetime(2026, 11, 23, 9, tzinfo=timezone(timedelta(hours=8)))
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
SCHEMA = read_schema("incident.schema.json")
FAST, SLOW = SchemaChecker(SCHEMA), SchemaChecker(SCHEMA, fast=False)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[RegisterDir, Context]:
    register = RegisterDir(tmp_path_factory.mktemp("fuzz"))
    config, issues = load_config(register.root)
    assert config is not None, issues
    return register, Context(config, NOW)


def _outcome_is_sane(loaded: Loaded) -> None:
    if loaded.data is None:
        assert loaded.issues, "an unreadable file must say why"
    else:
        assert isinstance(loaded.data, dict)
    for issue in loaded.issues:
        assert issue.line >= 1 and issue.column >= 1 and issue.message


def _check(world: tuple[RegisterDir, Context], raw: bytes) -> None:
    """The whole per-file check of `yuqing check` on a real file holding ``raw``."""
    register, ctx = world
    path = register.root / "incidents" / "2025" / "YQ-2025-0001.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    incident, issues = check_file(path, register.root, FAST, ctx)
    for issue in issues:
        assert issue.file == "incidents/2025/YQ-2025-0001.yml" and issue.line >= 1 and issue.column >= 1
    loaded = load_bytes(raw, "x.yml")
    if loaded.data is not None:
        assert FAST.issues(loaded) == SLOW.issues(loaded)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(world: tuple[RegisterDir, Context], raw: bytes) -> None:
    _outcome_is_sane(load_bytes(raw, "x.yml"))
    _check(world, raw)


# Text that looks like YAML: indicators, indentation, anchors, tags, quotes, CJK and control characters.
_TOKENS = st.sampled_from([
    "id", "title", "level", "timeline", "at", "type", "- ", ": ", "\n", "\n  ", "\n    ", "\t", "&a ", "*a",
    "!!str ", "!foo ", "\"", "'", "|", ">", "[", "]", "{", "}", ",", "#", "---", "...", "? ", "%YAML 1.1",
    "一般", "重大", "2025-03-03T09:00:00+08:00", "2025-02-30 10:00", "null", "~", "yes", "0x1F", ".inf",
    "\x00", "\ufeff", "é", "\\u00e9", "<<: *a", "%", "@", "`",
])


@FUZZ
@given(st.lists(_TOKENS, max_size=60).map("".join))
def test_arbitrary_yaml_like_text_never_raises(world: tuple[RegisterDir, Context], text: str) -> None:
    _outcome_is_sane(load_bytes(text.encode("utf-8", "surrogatepass"), "x.yml"))
    _check(world, text.encode("utf-8", "surrogatepass"))


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(["一般", "敏感", "重大", "特别重大", "定级", "升级", "归档", "已归档",
                                           "2025-03-03T10:00:00+08:00", "2025-03-03 10:00", "2025-03-03",
                                           "YQ-2025-0001", "食品经营安全监管科", "reply-3wd"]),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["at", "type", "level", "by", "x", "reason",
                                                                   "due", "rule", "lead", "posted_at"]),
                                                 inner, max_size=4)), max_leaves=12)


@st.composite
def _mutated_incident(draw: st.DrawFn) -> dict[str, Any]:
    """A valid incident with a few keys replaced, removed or added: near misses, the real-world case."""
    record = base_incident(
        level="重大", status="已归档", occurred_at="2025-03-03T08:00:00+08:00",
        appeal={"posted_at": "2025-03-03T08:00:00+08:00", "author": "网民"},
        timeline=[{"at": "2025-03-03T09:30:00+08:00", "type": "定级", "level": "重大"},
                  {"at": "2025-03-04T10:00:00+08:00", "type": "答复"},
                  {"at": "2025-03-05T10:00:00+08:00", "type": "归档"}],
        extensions=[{"rule": "reply-3wd", "reason": "核查", "due": "2025-03-10T17:30:00+08:00"}],
        review={"cause": "c", "nature": "n", "impact": "i", "responsibility": "r", "lessons": "l"},
        tags=["校园"], withdrawn={"reason": "重复", "duplicate_of": "YQ-2025-0002"},
    )
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from(sorted(record) + ["extra"]))
        action = draw(st.sampled_from(["replace", "delete", "deep"]))
        if action == "delete":
            record.pop(key, None)
        elif action == "deep" and isinstance(record.get(key), list) and record[key]:
            item = record[key][draw(st.integers(0, len(record[key]) - 1))]
            if isinstance(item, dict):
                item[draw(st.sampled_from(sorted(item) + ["note"]))] = draw(_VALUES)
        else:
            record[key] = draw(_VALUES)
    return record


@FUZZ
@given(_mutated_incident())
def test_near_miss_incidents_never_raise_and_fast_path_agrees(world: tuple[RegisterDir, Context],
                                                              record: dict[str, Any]) -> None:
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
    _check(world, text.encode("utf-8", "surrogatepass"))


def test_the_fuzzers_reach_the_checks(world: tuple[RegisterDir, Context]) -> None:
    # Guard against a fuzzer that only ever produces unparsable input.
    register, ctx = world
    text = yaml.safe_dump(base_incident(level="重要"), allow_unicode=True, sort_keys=False)
    path = register.root / "incidents" / "2025" / "YQ-2025-0001.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    incident, issues = check_file(path, register.root, FAST, ctx)
    assert incident is not None and [i.code for i in issues] == ["bad-value"]


_SINGLE_LINE_FORBIDDEN = re.compile("[\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff]")


@FUZZ
@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_text_check_accepts_never_holds_an_invisible_character(world: tuple[RegisterDir, Context], title: str,
                                                               tag: str, summary: str) -> None:
    """Whatever characters a title, a tag or a summary holds (written as YAML escapes), a file
    `check` accepts has no control, bidi, zero-width or line-break character in its single-line
    fields, and none but line breaks in its multi-line ones."""
    register, ctx = world
    record = base_incident(title=title or "标题", tags=[tag or "标签"], summary=summary or "概要")
    text = "\n".join(f"{key}: {json.dumps(value)}" for key, value in record.items())  # escapes, ASCII only
    path = register.root / "incidents" / "2025" / "YQ-2025-0001.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    incident, issues = check_file(path, register.root, FAST, ctx)
    if incident is not None and not any(i.severity == "error" for i in issues):
        assert not _SINGLE_LINE_FORBIDDEN.search(incident.title + "".join(incident.tags))
        assert not _SINGLE_LINE_FORBIDDEN.search(incident.summary.replace("\n", "").replace("\u200d", "")
                                                 .replace("\u200b", "").replace("\u200c", "")
                                                 .replace("\u2060", "").replace("\ufeff", ""))
