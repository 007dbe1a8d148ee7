"""The check cache: verdicts reused per version of a file, never a wrong answer."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from yuqing import cache as cache_module
from yuqing import synthetic
from yuqing.cache import CACHE_DIR, CheckCache, Verdict, Version, file_stat
from yuqing.config import load_config
from yuqing.model import Issue
from yuqing.register import load_register

from .conftest import RegisterDir, base_incident
from .githelper import GitRegister, run_cli

NOW = "2026-11-23T12:00:00+08:00"
YUQING = str(Path(sys.executable).parent / "yuqing")
RECORD = "incidents/2025/YQ-2025-0001.yml"


pytestmark = pytest.mark.usefixtures("own_key")


def check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code, out, _ = run_cli(["check", "--now", NOW, "--root", str(root), "--format", "json", *args], capsys)
    return code, json.loads(out)


def codes(report: dict) -> list[tuple[str, str, str]]:
    return sorted((e["file"], e["path"], e["code"]) for e in report["errors"])


def plant(root: Path, message: str) -> None:
    """Write into the cache, with the user's key, a verdict the file does not deserve."""
    config, _ = load_config(root)
    assert config is not None
    cache = CheckCache.open(root, config)
    assert cache is not None
    record = cache.get(RECORD)
    assert record is not None
    version, verdict = record
    planted = Issue(RECORD, 1, 1, "", "planted", message)
    cache.put(RECORD, (version, Verdict(verdict.incident, (planted,), verdict.latest)))
    cache.save()


def test_a_version_is_checked_once_and_a_change_is_seen(register_dir: RegisterDir,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident())
    assert check(register_dir.root, capsys) == (0, check(register_dir.root, capsys)[1])
    plant(register_dir.root, "来自缓存")
    code, report = check(register_dir.root, capsys)
    assert (code, [e["message"] for e in report["errors"]]) == (1, ["来自缓存"])  # the file was not read again

    # Any new version of the file is read: here one byte longer, an error of its own.
    register_dir.write(base_incident(level="很重大"))
    code, report = check(register_dir.root, capsys)
    assert code == 1 and codes(report) == [(RECORD, "level", "bad-value")]
    register_dir.write(base_incident())
    assert check(register_dir.root, capsys)[0] == 0


def test_the_version_is_gits_blob_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "repo").mkdir()
    repo = GitRegister(tmp_path / "repo")
    repo.write(base_incident())
    repo.commit("add")
    check(repo.root, capsys)
    config, _ = load_config(repo.root)
    assert config is not None
    cache = CheckCache.open(repo.root, config)
    assert cache is not None
    record = cache.get(RECORD)
    assert record is not None and record[0].digest == repo.git("rev-parse", f"HEAD:{RECORD}")
    assert repo.git("status", "--porcelain") == ""  # the cache folder ignores itself


@pytest.mark.parametrize("change", ["register.yml", "schema", "another key"])
def test_whatever_changes_a_verdict_or_cannot_be_trusted_starts_afresh(
        change: str, register_dir: RegisterDir, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    register_dir.write(base_incident())
    check(register_dir.root, capsys)
    if change == "another key":
        # A cache file made elsewhere (committed to the repository, copied from another
        # machine) is signed with a key that is not this user's.
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
        check(register_dir.root, capsys)
        plant(register_dir.root, "伪造的结论")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    else:
        plant(register_dir.root, "旧的结论")
        if change == "register.yml":
            register_dir.settings(units=[*yaml.safe_load((register_dir.root / "register.yml").read_text(
                encoding="utf-8"))["units"], "新设科室"])
        else:
            schema = register_dir.root / "schemas" / "incident.schema.json"
            schema.write_text(schema.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert check(register_dir.root, capsys) == (0, {"ok": True, "files": 1, "errors": [], "warnings": []})


@pytest.mark.parametrize("field", [
    "discovered_at", "occurred_at", "timeline", "appeal", "extensions", "review", "withdrawn",
])
def test_the_clock_is_judged_on_every_run_not_cached(field: str, register_dir: RegisterDir,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    late = "2026-11-23T11:00:00+08:00"
    record = base_incident(id="YQ-2026-0001", discovered_at="2026-11-20T09:00:00+08:00",
                           timeline=[{"at": "2026-11-20T09:30:00+08:00", "type": "研判",
                                      "by": "综合应急和新闻宣传科"}])
    changes = {
        "discovered_at": {"discovered_at": late, "timeline": [{"at": late, "type": "研判"}]},
        "occurred_at": {"occurred_at": "2026-11-23T10:30:00+08:00", "discovered_at": late,
                        "timeline": [{"at": late, "type": "研判"}]},
        "timeline": {"timeline": [*record["timeline"], {"at": late, "type": "研判"}]},
        "appeal": {"appeal": {"posted_at": late}},
        "extensions": {"appeal": {"posted_at": "2026-11-20T08:00:00+08:00"}, "extensions": [
            {"rule": "reply-3wd", "reason": "需要现场核查", "approved_by": "分管副局长", "approved_at": late,
             "due": "2026-11-29T17:30:00+08:00"}]},
        "review": {"review": {"cause": "原因", "completed_at": late}},
        "withdrawn": {"withdrawn": {"reason": "误登记", "at": late}},
    }
    record.update(changes[field])
    register_dir.write(record)
    earlier = "2026-11-23T09:00:00+08:00"

    def run(now: str) -> list[tuple[str, str, str]]:
        _, out, _ = run_cli(["check", "--now", now, "--root", str(register_dir.root), "--format", "json"], capsys)
        return codes(json.loads(out))

    os.environ["YUQING_NO_CACHE"] = "1"
    try:
        cold_late, cold_early = run(NOW), run(earlier)
    finally:
        del os.environ["YUQING_NO_CACHE"]
    assert all(c != "time-future" for _, _, c in cold_late)
    assert any(c == "time-future" for _, _, c in cold_early)
    assert [run(NOW), run(earlier), run(NOW), run(earlier)] == [cold_late, cold_early, cold_late, cold_early]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "garbage"])
def test_a_damaged_cache_costs_time_never_truth(damage: str, register_dir: RegisterDir,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident())
    register_dir.write(base_incident(id="YQ-2025-0002", level="很重大"))
    expected = check(register_dir.root, capsys)
    buckets = list((register_dir.root / CACHE_DIR).glob("check-*/*.bin"))
    assert buckets
    for cache in buckets:
        raw = cache.read_bytes()
        cache.write_bytes({"truncated": raw[:len(raw) // 2], "flipped": raw[:-9] + bytes([raw[-9] ^ 1]) + raw[-8:],
                           "empty": b"", "garbage": os.urandom(len(raw))}[damage])
    assert check(register_dir.root, capsys) == expected
    assert check(register_dir.root, capsys) == expected  # and the cache is whole again


# --- runs killed mid-write and runs at once ------------------------------------------------

@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register of 1,500 generated records and one broken one (made once per module)."""
    root = tmp_path_factory.mktemp("big") / "reg"
    assert synthetic.main(["--count", "1500", "--seed", "3", "--out", str(root)]) == 0
    broken = root / "incidents" / "2024" / "YQ-2024-0001.yml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("level: ", "level: 很", 1), encoding="utf-8")
    return root


def _cli(root: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([YUQING, "check", "--now", NOW, "--format", "json", "--root", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)


@pytest.mark.slow
def test_runs_killed_mid_write_and_runs_at_once_give_the_full_answer(big: Path, tmp_path: Path,
                                                                       own_key: Path) -> None:
    root = tmp_path / "reg"
    shutil.copytree(big, root)
    env = dict(os.environ, XDG_CACHE_HOME=str(own_key), YUQING_NO_CACHE="1")
    expected = json.loads(subprocess.run(_cli(root, env).args, capture_output=True, check=False).stdout)
    assert not expected["ok"] and {e["file"] for e in expected["errors"]} == {"incidents/2024/YQ-2024-0001.yml"}
    env.pop("YUQING_NO_CACHE")

    # Killed while writing its cache (a temporary file is there), several times over.
    folder = root / CACHE_DIR
    killed = 0
    for _ in range(12):  # until killed three times: a cache file is written in a few milliseconds
        if killed >= 3:
            break
        run = _cli(root, env)
        deadline = time.monotonic() + 120
        while run.poll() is None and time.monotonic() < deadline:
            if any(folder.glob("check-*/.tmp-*")):
                run.send_signal(signal.SIGKILL)
                killed += 1
                break
            time.sleep(0.002)
        run.communicate()
        shutil.rmtree(folder, ignore_errors=True) if killed == 0 else None
    assert killed >= 1

    # Two at once, from nothing and then from the cache each left.
    for _ in range(2):
        first, second = _cli(root, env), _cli(root, env)
        assert [json.loads(p.communicate()[0]) for p in (first, second)] == [expected, expected]
    assert json.loads(_cli(root, env).communicate()[0]) == expected
    # What was killed left no file a later run trusts wrongly, and no cache besides the current one.
    assert len(list(folder.glob("check-*"))) == 1


def test_the_site_and_commands_share_the_cache(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident())
    check(register_dir.root, capsys)
    plant(register_dir.root, "来自缓存")
    # The library every command and the site build load through sees the same verdict.
    loaded = load_register(register_dir.root)
    assert [i.message for i in loaded.issues] == ["来自缓存"]
    code, out, err = run_cli(["deadlines", "--root", str(register_dir.root), "--now", NOW], capsys)
    assert "1 个事件文件有错误" in err


def test_a_file_that_is_not_regular_is_never_cached(register_dir: RegisterDir,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = register_dir.write(base_incident())
    link = register_dir.root / "incidents" / "2025" / "YQ-2025-0002.yml"
    link.symlink_to(target.name)
    check(register_dir.root, capsys)
    config, _ = load_config(register_dir.root)
    assert config is not None
    cache = CheckCache.open(register_dir.root, config)
    assert cache is not None and cache.names() == {RECORD}
    record = cache.get(RECORD)
    assert file_stat(link)[1] is False and record is not None and isinstance(record[0], Version)


def _deadlines(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, _ = run_cli(["deadlines", "--root", str(root), "--now", NOW, "--format", "json"], capsys)
    assert code == 0
    return out


@pytest.mark.parametrize("damage", ["flipped", "truncated"])
def test_records_are_read_only_when_a_command_needs_them_and_a_damaged_part_is_checked_again(
        damage: str, register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident())
    register_dir.write(base_incident(id="YQ-2025-0002", appeal={"posted_at": "2025-03-01T08:00:00+08:00"}))
    os.environ["YUQING_NO_CACHE"] = "1"
    try:
        expected = _deadlines(register_dir.root, capsys)
    finally:
        del os.environ["YUQING_NO_CACHE"]
    assert '"incident": "YQ-2025-0002"' in expected
    checked = check(register_dir.root, capsys)
    # The records come after the verdicts' heads in each cache file: `check` reads only the
    # heads, so damage to the records does not change its answer ...
    for cache in (register_dir.root / CACHE_DIR).glob("check-*/*.bin"):
        raw = cache.read_bytes()
        cache.write_bytes({"flipped": raw[:-9] + bytes([raw[-9] ^ 1]) + raw[-8:], "truncated": raw[:-40]}[damage])
    assert check(register_dir.root, capsys) == checked
    # ... and a command that needs the records checks their files again rather than guess.
    assert _deadlines(register_dir.root, capsys) == expected
    assert _deadlines(register_dir.root, capsys) == expected
    assert check(register_dir.root, capsys) == checked


def test_derived_values_from_the_cache_are_those_of_the_register_as_of_any_now(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """deadlines, stats and the public export read the cache's derived values (and records one cache
    file at a time): at the present and at a past --now, cold and warm, the answer without the cache."""
    root = tmp_path / "reg"
    assert synthetic.main(["--count", "300", "--seed", "5", "--out", str(root)]) == 0
    capsys.readouterr()
    commands = [["deadlines", "--format", "json"], ["stats", "--format", "json"], ["export", "json"],
                ["stats", "--format", "json", "--since", "2025-03", "--exclude-confidential"]]

    def run(now: str) -> list[str]:
        outs = []
        for args in commands:
            code, out, _ = run_cli([*args, "--root", str(root), "--now", now], capsys)
            assert code == 0
            outs.append(out)
        return outs

    for now in (NOW, "2025-06-01T00:00:00+08:00"):
        os.environ["YUQING_NO_CACHE"] = "1"
        try:
            expected = run(now)
        finally:
            del os.environ["YUQING_NO_CACHE"]
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
        assert run(now) == expected  # the cache written by these commands
        assert run(now) == expected  # and read
    assert run(NOW) != run("2025-06-01T00:00:00+08:00")


def test_derived_deadlines_follow_the_rules_the_calendar_and_the_code(
        register_dir: RegisterDir, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached deadline is new as soon as anything it was computed from changes."""
    from yuqing import cache as cache_module

    now = "2026-12-31T09:00:00+08:00"
    register_dir.write(base_incident(id="YQ-2026-0001", discovered_at="2026-12-30T10:00:00+08:00",
                                     appeal={"posted_at": "2026-12-30T10:00:00+08:00"},
                                     timeline=[{"at": "2026-12-30T10:00:00+08:00", "type": "研判"}]))

    def reply() -> tuple[str | None, str]:
        code, out, _ = run_cli(["deadlines", "--root", str(register_dir.root), "--now", now, "--format", "json"],
                               capsys)
        assert code == 0
        found = [d for d in json.loads(out)["deadlines"] if d["rule"] == "reply-3wd"]
        return found[0]["due"], found[0]["status"]

    assert reply() == reply() == (None, "unknown")  # no confirmed calendar for 2027: not guessed
    # The calendar in register.yml.
    register_dir.settings(calendar={2027: {"source": "测试用:2027 年元旦放假 1 天", "holidays": ["2027-01-01"],
                                           "workdays": []}})
    assert reply() == reply() == ("2027-01-05T17:30:00+08:00", "pending")
    # The rules in register.yml.
    settings = yaml.safe_load((register_dir.root / "register.yml").read_text(encoding="utf-8"))
    rules = settings["rules"] if isinstance(settings["rules"], list) else None
    assert rules is not None
    for rule in rules:
        if rule["id"] == "reply-3wd":
            rule["limit"] = 1
    register_dir.settings(rules=rules)
    assert reply() == reply() == ("2026-12-31T17:30:00+08:00", "due_soon")
    # The code the values are derived with (and the rule sets beside it) is in the cache's fingerprint.
    covered = {p.name for p in cache_module._verdict_code()}
    assert {"deadlines.py", "stats.py", "calendar.py", "asof.py", "register.py", "cache.py",
            "publicexport.py"} <= covered
    config, _ = load_config(register_dir.root)
    assert config is not None
    before = cache_module.fingerprint(register_dir.root, config)
    monkeypatch.setattr(cache_module, "_calendar_version", lambda: "another holiday data release")
    assert cache_module.fingerprint(register_dir.root, config) != before


def _export(root: Path, capsys: pytest.CaptureFixture[str], now: str = NOW) -> str:
    code, out, _ = run_cli(["export", "json", "--root", str(root), "--now", now], capsys)
    assert code == 0
    return out


def test_the_export_reads_each_records_line_from_the_cache_as_the_uncached_export_writes_it(
        register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    """Each record's export line is kept in the cache: the export of an unchanged register is the
    uncached one at the present and at a past --now, a withdrawal names a record only when that one
    is public, and damaged lines or records are made again from the files."""
    late = "2025-03-10T09:00:00+08:00"
    register_dir.write(base_incident())
    register_dir.write(base_incident(id="YQ-2025-0002", title="涉密线索", confidential=True))
    for number, target in (("0003", "YQ-2025-0002"), ("0004", "YQ-2025-0001")):
        register_dir.write(base_incident(id=f"YQ-2025-{number}", withdrawn={
            "reason": "重复登记", "at": late, "duplicate_of": target}))
    past = "2025-03-05T00:00:00+08:00"
    os.environ["YUQING_NO_CACHE"] = "1"
    try:
        expected = {now: _export(register_dir.root, capsys, now) for now in (NOW, past)}
    finally:
        del os.environ["YUQING_NO_CACHE"]
    records = {r["id"]: r for r in json.loads(expected[NOW])["records"]}
    assert sorted(records) == ["YQ-2025-0001", "YQ-2025-0003", "YQ-2025-0004"]
    assert "duplicate_of" not in records["YQ-2025-0003"]["withdrawn"]
    assert records["YQ-2025-0004"]["withdrawn"]["duplicate_of"] == "YQ-2025-0001"
    for _ in range(2):  # cold, then warm
        assert {now: _export(register_dir.root, capsys, now) for now in (NOW, past)} == expected
    # Damage each cache file's lines part (just after the heads), then its records part (the end).
    for cache in (register_dir.root / CACHE_DIR).glob("check-*/[0-9x]*.bin"):
        raw = bytearray(cache.read_bytes())
        mac = cache_module._MAC
        start = 21 + mac + 8 + int.from_bytes(raw[21 + mac:21 + mac + 8], "big")
        raw[start + mac + 8 + 5] ^= 1
        cache.write_bytes(bytes(raw))
    assert _export(register_dir.root, capsys) == expected[NOW]
    assert _export(register_dir.root, capsys) == expected[NOW]
    for cache in (register_dir.root / CACHE_DIR).glob("check-*/[0-9x]*.bin"):
        raw = cache.read_bytes()
        cache.write_bytes(raw[:-9] + bytes([raw[-9] ^ 1]) + raw[-8:])
    assert _export(register_dir.root, capsys) == expected[NOW]
    assert _export(register_dir.root, capsys, past) == expected[past]
