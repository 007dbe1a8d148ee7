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
