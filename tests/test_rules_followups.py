"""Follow-ups of the first wave: the extension cap follows the register's own calendar,
and `yuqing check` names the cap itself."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import RegisterDir, base_incident
from .githelper import run_cli

NOW = "2025-11-28T10:00:00+08:00"


def _extended(due: str) -> dict[str, Any]:
    # Appeal Mon 11-10: the 10th natural day after is Thu 11-20.
    return base_incident(
        discovered_at="2025-11-10T10:00:00+08:00",
        appeal={"posted_at": "2025-11-10T10:00:00+08:00"},
        timeline=[{"at": "2025-11-10T11:00:00+08:00", "type": "初步回应"}],
        extensions=[{"rule": "reply-3wd", "reason": "需现场核查", "approved_by": "分管局领导",
                     "approved_at": "2025-11-12T10:00:00+08:00", "due": due}],
    )


def _check(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    code, out, _ = run_cli(["check", "--now", NOW, "--root", str(register_dir.root), "--format", "json"], capsys)
    errors = [(e["code"], e["message"]) for e in json.loads(out)["errors"]]
    assert code == (1 if errors else 0)
    return errors


def _holidays_on_the_tenth_day(register_dir: RegisterDir) -> None:
    # A register.yml addition (e.g. a local 调休 notice): Thu 11-20 and Fri 11-21 off,
    # so business stops at 17:30 on Mon 11-24 (民法典 art. 203).
    register_dir.settings(calendar={"2025": {"source": "测试:11 月 20—21 日放假",
                                             "holidays": ["2025-11-20..2025-11-21"], "workdays": []}})


def test_the_cap_counts_the_registers_calendar_additions(register_dir: RegisterDir,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(_extended("2025-11-24T17:00:00+08:00"))
    assert [c for c, _ in _check(register_dir, capsys)] == ["extension-over-cap"]  # statutory calendar: 11-20 24:00
    _holidays_on_the_tenth_day(register_dir)
    assert _check(register_dir, capsys) == []


def test_the_over_cap_message_names_the_moved_cap(register_dir: RegisterDir,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _holidays_on_the_tenth_day(register_dir)
    register_dir.write(_extended("2025-11-25T09:00:00+08:00"))
    assert _check(register_dir, capsys) == [(
        "extension-over-cap",
        "延期至 2025-11-25 09:00 超过上限:“网民诉求 3 个工作日内答复”最长不得超过 10 天,即 2025-11-24 17:30。",
    )]


def test_the_natural_cap_is_named_as_24_00_of_the_tenth_day(register_dir: RegisterDir,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(_extended("2025-11-21T09:00:00+08:00"))
    assert _check(register_dir, capsys) == [(
        "extension-over-cap",
        "延期至 2025-11-21 09:00 超过上限:“网民诉求 3 个工作日内答复”最长不得超过 10 天,即 2025-11-20 24:00。",
    )]


def test_the_code_points_to_the_projects_own_reference_pages() -> None:
    # Users have the reference pages under docs/reference/, not the design notes they came from.
    import re

    from .conftest import PROJECT

    package = PROJECT / "scripts/yuqing"
    files = [package / name for name in ("model.py", "deadlines.py", "rules.py", "stats.py", "codes.py",
                                         "cli/check.py")]
    files += sorted((package / "render").glob("*.py")) + [PROJECT / "README.md"]
    said = [f"{path.relative_to(PROJECT)}:{n}" for path in files
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r"\bSPEC\b", line)]
    assert said == []
    for page in re.findall(r"docs/reference/([a-z]+\.md)", "".join(p.read_text(encoding="utf-8") for p in files)):
        assert (PROJECT / "docs/reference" / page).is_file(), page


# --- no pattern matches a trailing newline --------------------------------------

def _patterns(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "pattern" and isinstance(v, str)] + \
            [p for v in node.values() for p in _patterns(v)]
    if isinstance(node, list):
        return [p for v in node for p in _patterns(v)]
    return []


@pytest.mark.parametrize("schema", ["incident.schema.json", "register.schema.json"])
def test_no_schema_pattern_accepts_a_trailing_newline(schema: str) -> None:
    import re

    from .conftest import PROJECT

    patterns = _patterns(json.loads((PROJECT / "schemas" / schema).read_text(encoding="utf-8")))
    assert patterns
    # jsonschema uses re.search, where `$` also matches before a final newline.
    samples = ["YQ", "YQ-2025-0001", "08:30", "2025", "2025-10-01", "2025-10-01..2025-10-07", "a/b", "yq-form",
               "2025-03-03T09:00", "2025-03-03 09:00:00"]
    for pattern in patterns:
        accepted = [s for s in samples if re.search(pattern, s)]
        assert accepted, pattern  # the sample list covers every pattern ...
        assert not [s for s in accepted if re.search(pattern, s + "\n")], pattern  # ... and none takes a newline


def test_an_id_prefix_with_a_newline_is_refused(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    from yuqing.ids import parse_id

    from .conftest import PROJECT

    schema = json.loads((PROJECT / "schemas/register.schema.json").read_text(encoding="utf-8"))
    prefix = schema["properties"]["id_prefix"]
    jsonschema.validate("YQ", prefix)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("YQ\n", prefix)
    register_dir.settings(id_prefix="YQ\n")
    code, out, _ = run_cli(["check", "--now", NOW, "--root", str(register_dir.root), "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 1 and [e["file"] for e in report["errors"]] == ["register.yml"]
    assert parse_id("YQ-2025-0001") == ("YQ", 2025, 1) and parse_id("YQ-2025-0001\n") is None
