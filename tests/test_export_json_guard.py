"""`export json`'s leak guard with its verdicts kept in the check cache: never a leak let through."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from yuqing.cache import CACHE_DIR

from .conftest import RegisterDir, base_incident
from .githelper import run_cli

NOW = "2026-11-23T12:00:00+08:00"


pytestmark = pytest.mark.usefixtures("own_key")


def export(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["export", "json", "--root", str(root), "--now", NOW], capsys)


def verdict_files(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR).glob("check-*/guard-*.bin"))


def test_a_kept_verdict_serves_only_the_same_lines_and_the_same_needles(
        register_dir: RegisterDir, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    register_dir.write(base_incident(id="YQ-2025-0001"))
    register_dir.write(base_incident(id="YQ-2025-0009", title="某专项检查线索核查"))
    # In another cache file (another year): a public record naming YQ-2025-0009, public for now.
    register_dir.write(base_incident(id="YQ-2024-0001", discovered_at="2024-03-03T09:00:00+08:00",
                                     timeline=[{"at": "2024-03-03T09:30:00+08:00", "type": "研判"}],
                                     summary="与 YQ-2025-0009(某专项检查线索核查)有关。"))
    monkeypatch.setenv("YUQING_NO_CACHE", "1")
    code, expected, _ = export(register_dir.root, capsys)
    monkeypatch.delenv("YUQING_NO_CACHE")
    assert code == 0 and len(json.loads(expected)["records"]) == 3
    assert export(register_dir.root, capsys)[:2] == (0, expected)  # cold: judged, and the verdicts kept
    assert len(verdict_files(register_dir.root)) == 1
    assert export(register_dir.root, capsys)[:2] == (0, expected)  # warm: the kept verdicts

    # YQ-2025-0009 becomes confidential: the record naming it has not changed, its verdict is not reused.
    register_dir.write(base_incident(id="YQ-2025-0009", title="某专项检查线索核查", confidential=True))
    for _ in range(2):
        code, out, err = export(register_dir.root, capsys)
        assert code == 2 and "提到了涉密事件" in err and out == ""
    assert len(verdict_files(register_dir.root)) == 1  # only the verdicts of the current needles

    # A verdict file that does not verify (changed, or made with another user's key) is not believed.
    for path in verdict_files(register_dir.root):
        raw = bytearray(path.read_bytes())
        raw[-3] ^= 1
        path.write_bytes(bytes(raw))
    assert export(register_dir.root, capsys)[0] == 2
    monkeypatch.setenv("XDG_CACHE_HOME", str(register_dir.root.parent / "elsewhere"))
    assert export(register_dir.root, capsys)[0] == 2

    # Fixed: the public record no longer names it.
    register_dir.write(base_incident(id="YQ-2024-0001", discovered_at="2024-03-03T09:00:00+08:00",
                                     timeline=[{"at": "2024-03-03T09:30:00+08:00", "type": "研判"}],
                                     summary="与另一起专项检查有关。"))
    code, out, _ = export(register_dir.root, capsys)
    assert code == 0 and sorted(r["id"] for r in json.loads(out)["records"]) == ["YQ-2024-0001", "YQ-2025-0001"]


def test_the_export_is_the_same_cold_warm_and_without_the_cache(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from yuqing import synthetic

    root = tmp_path / "reg"
    assert synthetic.main(["--count", "500", "--seed", "11", "--out", str(root)]) == 0
    capsys.readouterr()
    # Ids past 999 and 9,999 in a year: by id the export interleaves cache files (…-1000, …-10000, …-1001).
    source = sorted((root / "incidents" / "2024").glob("*.yml"))
    for number, path in zip((1000, 1001, 1002, 10000, 10001, 10002, 10010, 10011, 2000, 12345), source):
        target = path.with_name(f"YQ-2024-{number}.yml")
        target.write_text(path.read_text(encoding="utf-8").replace(path.stem, target.stem), encoding="utf-8")
        path.unlink()
    monkeypatch.setenv("YUQING_NO_CACHE", "1")
    expected = export(root, capsys)
    monkeypatch.delenv("YUQING_NO_CACHE")
    assert expected[0] == 0
    assert "YQ-2024-10011" in expected[1]
    assert export(root, capsys) == expected
    assert verdict_files(root)
    assert export(root, capsys) == expected


@pytest.mark.parametrize("secret", [
    {"level": "紧急"},  # a file with errors: not exported, its title still secret
    {"discovered_at": "2026-11-25T09:00:00+08:00",  # discovered after --now: not there yet, still secret
     "timeline": [{"at": "2026-11-25T09:30:00+08:00", "type": "研判"}]},
])
def test_confidential_records_outside_the_export_are_still_guarded(
        register_dir: RegisterDir, capsys: pytest.CaptureFixture[str], secret: dict[str, object]) -> None:
    register_dir.write(base_incident(id="YQ-2025-0001", summary="网民转述了某涉密信访线索的内容。"))
    register_dir.write(base_incident(id="YQ-2026-0098", title="某涉密信访线索", confidential=True, **secret))
    code, out, err = export(register_dir.root, capsys)
    assert code == 2 and "提到了涉密事件" in err and out == ""
