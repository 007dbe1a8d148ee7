"""Scale: the synthetic registers, the fast schema path, --changed-since, hostile sizes, capped output."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
import yaml

from yuqing import synthetic
from yuqing.loader import load_bytes, load_file
from yuqing.register import incident_files
from yuqing.validate import SchemaChecker, read_schema

from .conftest import DATA, PROJECT, RegisterDir, base_incident
from .githelper import GitRegister, run_cli

NOW = "2026-11-23T09:00:00+08:00"
YUQING = str(Path(sys.executable).parent / "yuqing")


def generate(out: Path, count: int, seed: int = 7, *extra: str) -> None:
    assert synthetic.main(["--count", str(count), "--seed", str(seed), "--out", str(out), *extra]) == 0


def check_json(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code, out, _ = run_cli(["check", "--now", NOW, "--root", str(root), "--format", "json", *args], capsys)
    return code, json.loads(out)


# --- the generator ------------------------------------------------------------------

def test_generated_register_passes_check_with_a_realistic_mix(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    generate(tmp_path / "reg", 300)
    code, result = check_json(tmp_path / "reg", capsys)
    assert (code, result["ok"], result["files"], result["errors"], result["warnings"]) == (0, True, 300, [], [])

    records = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in incident_files(tmp_path / "reg")]
    levels = Counter(r["level"] for r in records)
    assert levels["一般"] > 150 and levels["敏感"] > levels["重大"] >= levels["特别重大"] >= 1
    assert {p.parent.name for p in incident_files(tmp_path / "reg")} == {"2022", "2023", "2024", "2025", "2026"}
    assert sum("appeal" in r for r in records) > 30
    assert any(e["type"] == "升级" for r in records for e in r["timeline"])
    assert any("extensions" in r for r in records)
    # Every archived incident that was ever 重大/特别重大 has its review (else check would fail).
    assert sum("review" in r for r in records) >= levels["重大"] // 2
    sizes = sorted(p.stat().st_size for p in incident_files(tmp_path / "reg"))
    assert 1000 <= sizes[len(sizes) // 10] and sizes[len(sizes) * 9 // 10] <= 3500


def test_generator_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    generate(tmp_path / "a", 40, 5)
    generate(tmp_path / "b", 40, 5)
    generate(tmp_path / "c", 40, 6)

    def contents(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in incident_files(root)}

    assert contents(tmp_path / "a") == contents(tmp_path / "b")
    assert contents(tmp_path / "a") != contents(tmp_path / "c")


def test_generator_refuses_an_existing_register(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generate(tmp_path / "a", 3)
    with pytest.raises(SystemExit, match="已经是一个台账目录"):
        generate(tmp_path / "a", 3)


def test_history_has_several_commits_per_incident_and_ends_at_the_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generate(tmp_path / "plain", 25, 9)
    generate(tmp_path / "hist", 25, 9, "--history")
    root = tmp_path / "hist"

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout

    commits = int(git("rev-list", "--count", "HEAD"))
    assert 2 * 25 + 1 <= commits <= 3 * 25 + 1
    assert git("status", "--porcelain") == ""
    for path in incident_files(tmp_path / "plain"):
        name = path.relative_to(tmp_path / "plain").as_posix()
        assert (root / name).read_bytes() == path.read_bytes()
        first, *_ = git("log", "--reverse", "--format=%an|%s", "--", name).splitlines()
        author, subject = first.split("|")
        assert author in {a for a, _ in synthetic._STAFF} and subject.startswith(f"登记 {path.stem}:")
    # Commit dates are the pinned event times, in order.
    dates = [int(d) for d in git("log", "--format=%at").split()]
    assert dates == sorted(dates, reverse=True)
    assert check_json(root, capsys)[0] == 0


# --- the fast schema path gives the same reports ------------------------------------

def _fixtures() -> list[Path]:
    return sorted([*(DATA / "valid").glob("*.yml"), *(DATA / "invalid").glob("*.yml"),
                   *(PROJECT / "incidents").glob("*/*.yml")])


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: p.stem)
def test_fast_path_gives_the_same_issues_as_jsonschema(path: Path) -> None:
    schema = read_schema("incident.schema.json")
    loaded = load_bytes(path.read_bytes(), "incidents/x.yml")
    fast, slow = SchemaChecker(schema), SchemaChecker(schema, fast=False)
    assert fast.issues(loaded) == slow.issues(loaded)


def test_fast_path_clears_every_valid_file_without_jsonschema() -> None:
    # Otherwise the optimisation would be silently lost (a keyword the compiler refuses).
    checker = SchemaChecker(read_schema("incident.schema.json"))
    valid = [*(DATA / "valid").glob("*.yml"), *(PROJECT / "incidents").glob("*/*.yml")]
    assert valid
    for path in valid:
        loaded = load_bytes(path.read_bytes(), path.name)
        assert checker._certainly_valid is not None and checker._certainly_valid(loaded.data), path.name
    register = SchemaChecker(read_schema("register.schema.json"))
    config = load_file(PROJECT / "register.yml", "register.yml")
    assert register._certainly_valid is not None and register._certainly_valid(config.data)


@pytest.mark.parametrize("change, code", [
    ({"level": "重要"}, "bad-value"),
    ({"title": "x" * 121}, "too-long"),
    ({"tags": ["校园", "校园"]}, "duplicate-item"),
    ({"confidential": "是"}, "bad-type"),
    ({"discovered_at": "2025-02-30T10:00:00+08:00"}, "bad-time"),
    ({"timeline": [{"at": "2025-03-03T10:00:00+08:00", "type": "定级"}]}, "grading-level"),
    ({"units": {"lead": "食品经营安全监管科", "assisting": [1]}}, "bad-type"),
    ({"withdrawn": {"reason": "重复", "duplicate_of": "2025-1"}}, "bad-format"),
])
def test_fast_path_sends_each_kind_of_defect_to_jsonschema(change: dict, code: str) -> None:
    schema = read_schema("incident.schema.json")
    text = yaml.safe_dump(base_incident(**change), allow_unicode=True, sort_keys=False)
    loaded = load_bytes(text.encode(), "incidents/2025/YQ-2025-0001.yml")
    fast = SchemaChecker(schema).issues(loaded)
    assert fast == SchemaChecker(schema, fast=False).issues(loaded)
    assert code in {i.code for i in fast}


# --- --changed-since ----------------------------------------------------------------

def test_changed_since_checks_only_changed_files_but_ids_against_all(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = GitRegister(tmp_path)
    for number in range(1, 5):
        repo.write(base_incident(id=f"YQ-2025-000{number}"))
    repo.write("id: [broken\n", "2025/YQ-2025-0009.yml")  # broken before the branch: not ours to report
    repo.commit("台账")
    repo.git("switch", "-q", "-c", "feature")
    repo.write(base_incident(id="YQ-2025-0002", title="已修改并提交"))
    repo.commit("修改 0002")
    repo.write(base_incident(id="YQ-2025-0003", level="重要"))  # uncommitted, invalid
    repo.write(base_incident(id="YQ-2025-0001"), "2025/YQ-2025-0005.yml")  # untracked, id taken

    code, result = check_json(tmp_path, capsys, "--changed-since", "main")

    assert code == 1 and result["files"] == 3
    assert sorted((e["file"], e["code"]) for e in result["errors"]) == [
        ("incidents/2025/YQ-2025-0003.yml", "bad-value"),
        ("incidents/2025/YQ-2025-0005.yml", "id-duplicate"),
        ("incidents/2025/YQ-2025-0005.yml", "id-filename"),
    ]
    duplicate = next(e for e in result["errors"] if e["code"] == "id-duplicate")
    assert "incidents/2025/YQ-2025-0001.yml" in duplicate["message"]


def test_changed_since_with_nothing_changed_checks_nothing(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = GitRegister(tmp_path)
    repo.write(base_incident())
    repo.commit("台账")
    code, out, _ = run_cli(["check", "--now", NOW, "--root", str(tmp_path), "--changed-since", "HEAD"], capsys)
    assert (code, out.strip()) == (0, "检查了 0 个文件,全部通过。")


def test_changed_settings_check_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = GitRegister(tmp_path)
    repo.write(base_incident())
    repo.write(base_incident(id="YQ-2025-0002"))
    repo.commit("台账")
    repo.settings(name="改名后的台账")
    code, out, err = run_cli(["check", "--now", NOW, "--root", str(tmp_path), "--changed-since", "HEAD"], capsys)
    assert code == 0 and out.strip() == "检查了 2 个文件,全部通过。"
    assert err.strip() == "register.yml 自 HEAD 以来有改动,检查全部文件。"


def test_changed_since_an_unknown_ref_or_outside_git_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "repo").mkdir()
    repo = GitRegister(tmp_path / "repo")
    repo.write(base_incident())
    repo.commit("台账")
    code, _, err = run_cli(["check", "--root", str(tmp_path / "repo"), "--changed-since", "origin/main"], capsys)
    assert code == 2 and "找不到引用“origin/main”" in err
    (tmp_path / "plain").mkdir()
    RegisterDir(tmp_path / "plain")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, _, err = run_cli(["check", "--root", str(tmp_path / "plain"), "--changed-since", "HEAD"], capsys)
    assert code == 2 and "不在 git 仓库中" in err


# --- hostile input ------------------------------------------------------------------

def test_a_50_mb_file_is_refused_without_being_read(register_dir: RegisterDir,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = register_dir.root / "incidents" / "2025" / "YQ-2025-0001.yml"
    path.parent.mkdir(parents=True)
    with open(path, "wb") as handle:  # sparse: 50 MB long, no disk used
        handle.truncate(50 * 1024 * 1024)
    tracemalloc.start()
    loaded = load_file(path, "incidents/2025/YQ-2025-0001.yml")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 256 * 1024
    assert [(i.code, i.line, i.column) for i in loaded.issues] == [("file-too-large", 1, 1)]
    assert loaded.issues[0].message.startswith("文件过大(51200 KB),超过上限 1024 KB,未读取。")
    code, result = check_json(register_dir.root, capsys)
    assert code == 1 and [e["code"] for e in result["errors"]] == ["file-too-large"]


def _many_broken(register_dir: RegisterDir, count: int) -> None:
    folder = register_dir.root / "incidents" / "2025"
    folder.mkdir(parents=True)
    record = base_incident()
    del record["summary"]
    for number in range(1, count + 1):
        record["id"] = f"YQ-2025-{number:04d}"
        (folder / f"{record['id']}.yml").write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False),
                                                   encoding="utf-8")


def test_thousands_of_errors_are_capped_with_a_count_of_the_rest(register_dir: RegisterDir,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _many_broken(register_dir, 1500)  # above the process-pool threshold
    code, out, _ = run_cli(["check", "--now", NOW, "--root", str(register_dir.root)], capsys)
    lines = out.rstrip("\n").split("\n")
    assert code == 1 and len(lines) == 203
    assert lines[0] == "incidents/2025/YQ-2025-0001.yml:1:1: summary: 错误[missing-field] 缺少必填项 summary(事件概要)。"
    assert lines[199].startswith("incidents/2025/YQ-2025-0200.yml:1:1:")
    assert lines[200] == "……另有 1300 个问题未显示(用 --format json 查看全部)。"
    assert lines[201:] == ["", "检查了 1500 个文件:1500 个错误(涉及 1500 个文件),未通过。"]
    code, result = check_json(register_dir.root, capsys)
    assert len(result["errors"]) == 1500
    code, out, _ = run_cli(["check", "--now", NOW, "--root", str(register_dir.root), "--format", "github"], capsys)
    assert out.count("::error ") == 200 and "另有 1300 个问题未显示" in out


# --- the progress bar ---------------------------------------------------------------

def _stderr_of(args: list[str], root: Path, *, tty: bool) -> str:
    if not tty:
        done = subprocess.run([YUQING, *args], cwd=root, capture_output=True, text=True)
        return done.stderr
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen([YUQING, *args], cwd=root, stdout=subprocess.DEVNULL, stderr=secondary)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait()
    finally:
        os.close(primary)
    return b"".join(chunks).decode("utf-8")


def test_progress_bar_only_on_a_terminal_and_never_with_json(register_dir: RegisterDir) -> None:
    _many_broken(register_dir, 450)
    root = register_dir.root
    shown = _stderr_of(["check", "--now", NOW], root, tty=True)
    steps = [part for part in shown.replace("\r\n", "\n").split("\r") if part]
    assert steps == ["已处理 100/450 个文件", "已处理 200/450 个文件", "已处理 300/450 个文件",
                     "已处理 400/450 个文件", "已处理 450/450 个文件\n"]
    assert _stderr_of(["check", "--now", NOW, "--format", "json"], root, tty=True) == ""
    assert _stderr_of(["check", "--now", NOW], root, tty=False) == ""
