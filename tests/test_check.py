"""`yuqing check`: every kind of defect is found, on the right line, in every format."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from yuqing.cli import main

from .conftest import DATA, PROJECT, RegisterDir, base_incident

NOW = "2026-11-23T09:00:00+08:00"
INVALID = sorted((DATA / "invalid").glob("*.yml"))
VALID = sorted((DATA / "valid").glob("*.yml"))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--now", NOW, *args])
    out = capsys.readouterr()
    return code, out.out


def header(path: Path, key: str) -> list[str]:
    return re.findall(rf"^# {key}: (.+)$", path.read_text(encoding="utf-8"), re.M)


@pytest.mark.parametrize("case", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_file_gives_exactly_its_issues(case: Path, register_dir: RegisterDir,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    place = header(case, "place")[0]
    target = register_dir.root / place
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(case, target)
    code, out = run(capsys, "--root", str(register_dir.root), "--format", "json")
    report = json.loads(out)
    found = {(e["code"], e["line"], e["column"]) for e in report["errors"]}
    expected = set()
    for line in header(case, "expect"):
        issue_code, line_no, column = line.split()
        expected.add((issue_code, int(line_no), int(column)))
    assert found == expected
    assert code == 1 and report["ok"] is False
    assert all(e["file"] == place for e in report["errors"])


def test_typo_in_level_suggests_the_nearest_word(register_dir: RegisterDir,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident(level="重要"))
    _, out = run(capsys, "--root", str(register_dir.root))
    assert "是否应为“重大”" in out
    assert "incidents/2025/YQ-2025-0001.yml:" in out


@pytest.mark.parametrize("case", VALID, ids=[p.stem for p in VALID])
def test_valid_examples_pass(case: Path, register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(case.read_bytes(), f"{case.stem[3:7]}/{case.name}")
    code, out = run(capsys, "--root", str(register_dir.root), "--format", "json")
    assert json.loads(out) == {"ok": True, "files": 1, "errors": [], "warnings": []}
    assert code == 0


def test_the_example_register_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--root", str(PROJECT), "--format", "json")
    report = json.loads(out)
    assert report["errors"] == [] and code == 0
    assert report["files"] == len(list((PROJECT / "incidents").rglob("*.yml")))


def test_every_problem_in_every_file_in_one_run(register_dir: RegisterDir,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident(level="重要", category="食品卫生"))
    register_dir.write(base_incident(id="YQ-2025-0002", units={"lead": "不存在科"}))
    register_dir.write(b"title: [unclosed\n", "2025/YQ-2025-0003.yml")
    _, out = run(capsys, "--root", str(register_dir.root), "--format", "json")
    codes = sorted((e["file"][-16:], e["code"]) for e in json.loads(out)["errors"])
    assert codes == [
        ("YQ-2025-0001.yml", "bad-value"),
        ("YQ-2025-0001.yml", "unknown-category"),
        ("YQ-2025-0002.yml", "unknown-unit"),
        ("YQ-2025-0003.yml", "yaml-syntax"),
    ]


def test_duplicate_ids_name_both_files(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident())
    register_dir.write(base_incident(), "2025/YQ-2025-0001.yaml")
    _, out = run(capsys, "--root", str(register_dir.root), "--format", "json")
    errors = json.loads(out)["errors"]
    duplicates = [e for e in errors if e["code"] == "id-duplicate"]
    assert len(duplicates) == 2
    assert "incidents/2025/YQ-2025-0001.yaml" in duplicates[0]["message"] + duplicates[1]["message"]
    assert any(e["code"] == "file-extension" for e in errors)


def test_checking_one_file_still_catches_a_duplicate_id(register_dir: RegisterDir,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident())
    other = register_dir.write(base_incident(), "2025/sub/YQ-2025-0001.yml")
    _, out = run(capsys, "--root", str(register_dir.root), "--format", "json", str(other))
    report = json.loads(out)
    assert report["files"] == 1
    assert [e["code"] for e in report["errors"]] == ["id-duplicate", "year-folder"] or \
        sorted(e["code"] for e in report["errors"]) == ["id-duplicate", "year-folder"]


def test_gbk_file_is_named_and_explained(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    text = (DATA / "valid" / "YQ-2025-0001.yml").read_text(encoding="utf-8")
    register_dir.write(text.encode("gbk"), "2025/YQ-2025-0001.yml")
    _, out = run(capsys, "--root", str(register_dir.root), "--format", "json")
    (error,) = json.loads(out)["errors"]
    assert error["code"] == "encoding-gbk"
    assert "GBK" in error["message"] and "UTF-8" in error["message"]
    # the first non-UTF-8 byte is in the title on line 3
    assert error["line"] == 3


def test_oversized_file_is_refused_unread(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    path = register_dir.root / "incidents" / "2025" / "YQ-2025-0001.yml"
    path.parent.mkdir(parents=True)
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB, sparse: cheap to make
    _, out = run(capsys, "--root", str(register_dir.root), "--format", "json")
    (error,) = json.loads(out)["errors"]
    assert error["code"] == "file-too-large" and "51200 KB" in error["message"]


def test_text_output_is_exact(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident(status="已平息"))
    code, out = run(capsys, "--root", str(register_dir.root))
    assert code == 1
    assert out == (
        "incidents/2025/YQ-2025-0001.yml:4:9: status: 错误[status-event] 状态为“已平息”,但处置经过中没有“平息”事件:"
        "请补记“平息”事件(写明时间),或改回实际状态。\n"
        "\n"
        "检查了 1 个文件:1 个错误(涉及 1 个文件),未通过。\n"
    )


def test_github_output_annotates_the_line(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident(status="已平息"))
    code, out = run(capsys, "--root", str(register_dir.root), "--format", "github")
    first = out.splitlines()[0]
    assert first == (
        "::error file=incidents/2025/YQ-2025-0001.yml,line=4,col=9,title=yuqing check [status-event]::"
        "status: 状态为“已平息”,但处置经过中没有“平息”事件:请补记“平息”事件(写明时间),或改回实际状态。"
    )
    assert code == 1


def test_json_output_has_the_spec_shape(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident(status="已平息"))
    _, out = run(capsys, "--root", str(register_dir.root), "--format", "json")
    assert json.loads(out) == {
        "ok": False, "files": 1, "warnings": [],
        "errors": [{
            "file": "incidents/2025/YQ-2025-0001.yml", "line": 4, "column": 9, "path": "status",
            "code": "status-event", "severity": "error",
            "message": "状态为“已平息”,但处置经过中没有“平息”事件:请补记“平息”事件(写明时间),或改回实际状态。",
        }],
    }


def test_thousands_of_errors_are_capped_with_a_count(register_dir: RegisterDir,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(1, 251):
        register_dir.write(base_incident(id=f"YQ-2025-{n:04d}", level="重要"))
    _, out = run(capsys, "--root", str(register_dir.root))
    lines = out.splitlines()
    assert sum(1 for line in lines if "[bad-value]" in line) == 200
    assert "……另有 50 个问题未显示(用 --format json 查看全部)。" in lines
    assert lines[-1] == "检查了 250 个文件:250 个错误(涉及 250 个文件),未通过。"


def test_exit_codes_from_the_installed_command(register_dir: RegisterDir, tmp_path: Path) -> None:
    yuqing = Path(sys.executable).with_name("yuqing")
    ok = subprocess.run([yuqing, "check", "--root", str(register_dir.root)], capture_output=True, text=True)
    assert ok.returncode == 0 and "全部通过" in ok.stdout
    elsewhere = subprocess.run([yuqing, "check"], capture_output=True, text=True, cwd=tmp_path / "incidents")
    assert elsewhere.returncode == 0  # finds register.yml in a parent folder, as git finds .git
    register_dir.write(base_incident(level="重要"))
    bad = subprocess.run([yuqing, "check", "--root", str(register_dir.root)], capture_output=True, text=True)
    assert bad.returncode == 1
    usage = subprocess.run([yuqing, "check", "--format", "xml", "--root", str(register_dir.root)],
                           capture_output=True, text=True)
    assert usage.returncode == 2 and "用法错误" in usage.stderr
    nowhere = subprocess.run([yuqing, "check"], capture_output=True, text=True, cwd="/")
    assert nowhere.returncode == 2 and "找不到 register.yml" in nowhere.stderr
    assert "Traceback" not in bad.stderr + usage.stderr + nowhere.stderr


def test_check_jsonschema_agrees_on_the_examples() -> None:
    """Other tools can use our schema unchanged: the examples pass, a defect fails."""
    tool = Path(sys.executable).with_name("check-jsonschema")
    files = sorted(str(p) for p in (PROJECT / "incidents").rglob("*.yml"))
    result = subprocess.run([tool, "--schemafile", str(PROJECT / "schemas/incident.schema.json"), *files],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


SCHEMA_LEVEL_CASES = [p for p in INVALID if any(
    e.split()[0] in {"bad-value", "missing-field", "unknown-field", "bad-type", "bad-format", "grading-level"}
    for e in header(p, "expect"))]


@pytest.mark.parametrize("case", SCHEMA_LEVEL_CASES, ids=[p.stem for p in SCHEMA_LEVEL_CASES])
def test_check_jsonschema_agrees_on_schema_defects(case: Path) -> None:
    tool = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run([tool, "--schemafile", str(PROJECT / "schemas/incident.schema.json"), str(case)],
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stdout


def test_every_recorded_time_obeys_the_future_rule(register_dir: RegisterDir,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    record = base_incident(status="已平息", timeline=[
        {"at": "2025-03-03T09:30:00+08:00", "type": "平息"}])
    record["review"] = {"cause": "a", "completed_at": "2027-05-01T09:00:00+08:00"}
    record["withdrawn"] = {"reason": "重复登记", "at": "2027-01-01T00:00:00+08:00"}
    record["appeal"] = {"posted_at": "2025-03-03T08:00:00+08:00"}
    record["extensions"] = [{"rule": "reply-3wd", "reason": "需会同调查", "approved_at": "2027-01-01T00:00:00+08:00",
                             "due": "2025-03-10T17:30:00+08:00"}]
    register_dir.write(record)
    _, out = run(capsys, "--root", str(register_dir.root), "--format", "json")
    future = sorted(e["path"] for e in json.loads(out)["errors"] if e["code"] == "time-future")
    assert future == ["extensions[0].approved_at", "review.completed_at", "withdrawn.at"]


def test_a_missing_field_is_reported_once(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    record = base_incident()
    del record["category"]
    register_dir.write(record)
    _, out = run(capsys, "--root", str(register_dir.root), "--format", "json")
    assert [(e["code"], e["path"]) for e in json.loads(out)["errors"]] == [("missing-field", "category")]


# --- every file under incidents/ is judged ---------------------------------------------------


def check_json(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, dict]:
    code, out = run(capsys, "--root", str(root), "--format", "json")
    return code, json.loads(out)


def written(register_dir: RegisterDir, name: str, **overrides: object) -> Path:
    """The valid base record written under ``incidents/<name>``."""
    import yaml

    record = base_incident(**overrides)
    return register_dir.write(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), name)


@pytest.mark.parametrize(("name", "expected"), [
    ("2025/YQ-2025-0001.yml.bak", [("file-name", "incidents/2025/YQ-2025-0001.yml.bak")]),
    ("2025/YQ-2025-0001.yml~", [("file-name", "incidents/2025/YQ-2025-0001.yml~")]),
    ("2025/.YQ-2025-0001.yml", [("file-name", "incidents/2025/.YQ-2025-0001.yml"),
                                ("id-filename", "incidents/2025/.YQ-2025-0001.yml")]),
    ("2025/README.md", [("file-name", "incidents/2025/README.md")]),
    ("2025/YQ-2025-0001.YML", [("file-extension", "incidents/2025/YQ-2025-0001.YML")]),
    ("2025/YQ-2025-0001.yaml", [("file-extension", "incidents/2025/YQ-2025-0001.yaml")]),
    ("2025/x/YQ-2025-0001.yml", [("year-folder", "incidents/2025/x/YQ-2025-0001.yml")]),
    ("2025/2025/YQ-2025-0001.yml", [("year-folder", "incidents/2025/2025/YQ-2025-0001.yml")]),
    ("YQ-2025-0001.yml", [("year-folder", "incidents/YQ-2025-0001.yml")]),
    ("2025/YQ-2025-0001 .yml", [("file-name", "incidents/2025/YQ-2025-0001 .yml"),
                                ("id-filename", "incidents/2025/YQ-2025-0001 .yml")]),
])
def test_a_record_renamed_or_moved_is_refused_not_lost(name: str, expected: list[tuple[str, str]],
                                                       register_dir: RegisterDir,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Before, `.yml.bak`, `.YML` or a sub-folder made an open record vanish from every output."""
    written(register_dir, name)
    code, report = check_json(capsys, register_dir.root)
    assert sorted((e["code"], e["file"]) for e in report["errors"]) == sorted(expected)
    assert code == 1 and report["files"] == 1


def test_backup_file_message_says_what_to_do(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    written(register_dir, "2025/YQ-2025-0001.yml")
    written(register_dir, "2025/YQ-2025-0001.yml.bak")
    _, report = check_json(capsys, register_dir.root)
    assert report["errors"] == [{
        "file": "incidents/2025/YQ-2025-0001.yml.bak", "line": 1, "column": 1, "path": "", "code": "file-name",
        "severity": "error",
        "message": "“YQ-2025-0001.yml.bak”不是事件文件,未读取:incidents/ 下只能放“<编号>.yml”(如 YQ-2026-0013.yml)。"
                   "备份、草稿等请移出 incidents/;如果它就是一个事件,请改名为“<编号>.yml”。",
    }]


def test_gitkeep_is_the_only_file_ignored(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    (register_dir.root / "incidents" / ".gitkeep").write_text("")
    (register_dir.root / "incidents" / "2025").mkdir()
    (register_dir.root / "incidents" / "2025" / ".gitkeep").write_text("")
    code, report = check_json(capsys, register_dir.root)
    assert (code, report["files"], report["errors"]) == (0, 0, [])
    (register_dir.root / "incidents" / "2025" / ".gitignore").write_text("*\n")
    code, report = check_json(capsys, register_dir.root)
    assert [(e["code"], e["file"]) for e in report["errors"]] == [("file-name", "incidents/2025/.gitignore")]


@pytest.mark.parametrize("target", ["inside", "outside"])
def test_a_symlink_is_refused_even_to_a_valid_record(target: str, register_dir: RegisterDir, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    if target == "inside":  # a second name for a valid record
        written(register_dir, "2025/YQ-2025-0001.yml")
        link = register_dir.root / "incidents" / "2025" / "YQ-2025-0002.yml"
        link.symlink_to("YQ-2025-0001.yml")
    else:
        outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"
        outside.mkdir()
        (outside / "YQ-2025-0002.yml").write_text("secret: 不应被读出的内容\n", encoding="utf-8")
        link = register_dir.root / "incidents" / "2025" / "YQ-2025-0002.yml"
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(outside / "YQ-2025-0002.yml")
    code, report = check_json(capsys, register_dir.root)
    assert [(e["code"], e["file"]) for e in report["errors"]] == [("file-symlink", "incidents/2025/YQ-2025-0002.yml")]
    assert "不应被读出" not in json.dumps(report, ensure_ascii=False)
    assert code == 1


def test_a_symlinked_folder_is_refused_not_followed(register_dir: RegisterDir, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path.parent / f"{tmp_path.name}-dir"
    (elsewhere / "2025").mkdir(parents=True)
    (register_dir.root / "incidents" / "2025").symlink_to(elsewhere / "2025", target_is_directory=True)
    _, report = check_json(capsys, register_dir.root)
    assert [(e["code"], e["file"]) for e in report["errors"]] == [("file-symlink", "incidents/2025")]


def test_a_fifo_is_refused_without_reading(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    (register_dir.root / "incidents" / "2025").mkdir()
    os.mkfifo(register_dir.root / "incidents" / "2025" / "YQ-2025-0001.yml")  # reading it would hang
    _, report = check_json(capsys, register_dir.root)
    assert [(e["code"], e["file"]) for e in report["errors"]] == [("file-not-regular", "incidents/2025/YQ-2025-0001.yml")]


def test_an_id_with_a_trailing_newline_cannot_shadow_the_real_one(register_dir: RegisterDir,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`id: "YQ-2026-0016\\n"` in `YQ-2026-0016\\n.yml`: both used to pass (patterns with `$`)."""
    written(register_dir, "2025/YQ-2025-0001.yml")
    shadow = register_dir.root / "incidents" / "2025" / "YQ-2025-0001\n.yml"
    shadow.write_text(json.dumps(base_incident(id="YQ-2025-0001\n"), ensure_ascii=False), encoding="utf-8")
    code, report = check_json(capsys, register_dir.root)
    found = sorted((e["code"], e["file"], e["path"]) for e in report["errors"])
    assert found == [("file-name", "incidents/2025/YQ-2025-0001\n.yml", ""),
                     ("newline-in-text", "incidents/2025/YQ-2025-0001\n.yml", "id")]
    name_issue = next(e for e in report["errors"] if e["code"] == "file-name")
    assert "“YQ-2025-0001\\n.yml”" in name_issue["message"]  # the newline shown, not printed
    assert code == 1


def test_the_schema_refuses_an_id_with_a_trailing_newline() -> None:
    """jsonschema uses re.search, where `$` matches before a final newline: the patterns avoid `$`."""
    from jsonschema import Draft202012Validator

    from yuqing.validate import SchemaChecker, _format_checker, read_schema

    schema = read_schema("incident.schema.json")
    for pointer, good, bad in [
        (("properties", "id"), "YQ-2026-0016", "YQ-2026-0016\n"),
        (("properties", "withdrawn", "properties", "duplicate_of"), "YQ-2026-0016", "YQ-2026-0016\n"),
        (("$defs", "time"), "2026-11-30 10:20", "2026-11-30 10:20\n"),
        (("$defs", "time"), "2026-11-30T10:20:00+08:00", "2026-11-30T10:20:00+08:00\n"),
    ]:
        part = schema
        for key in pointer:
            part = part[key]
        validator = Draft202012Validator({**part, "$defs": schema["$defs"]}, format_checker=_format_checker())
        assert validator.is_valid(good) and not validator.is_valid(bad), (pointer, bad)
    record = base_incident(id="YQ-2025-0001\n")
    from yuqing.loader import load_bytes

    loaded = load_bytes(json.dumps(record, ensure_ascii=False).encode(), "f.yml")
    for checker in (SchemaChecker(schema), SchemaChecker(schema, fast=False)):
        assert [(i.code, i.path) for i in checker.issues(loaded)] == [("bad-format", "id")]


def test_check_jsonschema_refuses_an_id_with_a_trailing_newline(tmp_path: Path) -> None:
    record = tmp_path / "YQ-2025-0001.yml"
    record.write_text(json.dumps(base_incident(id="YQ-2025-0001\n"), ensure_ascii=False), encoding="utf-8")
    tool = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run([tool, "--schemafile", str(PROJECT / "schemas/incident.schema.json"), str(record)],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "does not match" in result.stdout


def test_a_symlinked_incidents_folder_is_refused(register_dir: RegisterDir, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path.parent / f"{tmp_path.name}-register"
    (elsewhere / "2025").mkdir(parents=True)
    (register_dir.root / "incidents").rmdir()
    (register_dir.root / "incidents").symlink_to(elsewhere, target_is_directory=True)
    code, report = check_json(capsys, register_dir.root)
    assert [(e["code"], e["file"]) for e in report["errors"]] == [("file-symlink", "incidents")]
    assert code == 1


def test_a_register_reached_through_a_symlink_still_names_files_relatively(register_dir: RegisterDir,
                                                                          tmp_path: Path) -> None:
    """Only links under incidents/ are refused; the register's own folder may be a link (macOS /tmp)."""
    from datetime import datetime

    from yuqing.register import load_register, relative

    written(register_dir, "2025/YQ-2025-0001.yml", level="重要")
    link = tmp_path.parent / f"{tmp_path.name}-link"
    link.symlink_to(register_dir.root, target_is_directory=True)
    register = load_register(link, now=datetime.fromisoformat(NOW))
    assert [(i.code, i.file) for i in register.errors] == [("bad-value", "incidents/2025/YQ-2025-0001.yml")]
    assert relative(link / "incidents" / "2025" / "YQ-2025-0001.yml", link) == "incidents/2025/YQ-2025-0001.yml"


# --- a pull request's check and folder arguments see every changed entry ----------------------


def _pr_repo(tmp_path: Path) -> "GitRegister":
    from .githelper import GitRegister

    repo = GitRegister(tmp_path)
    written(repo, "2025/YQ-2025-0001.yml")
    written(repo, "2025/YQ-2025-0002.yml", id="YQ-2025-0002")
    repo.commit("base")
    return repo


@pytest.mark.parametrize(("change", "expected"), [
    ("rename", [("file-name", "incidents/2025/YQ-2025-0002.yml.bak")]),
    ("dangling", [("file-symlink", "incidents/2025/YQ-2025-0003.yml")]),
    ("backup", [("file-name", "incidents/2025/YQ-2025-0001.yml.bak")]),
])
def test_changed_since_judges_a_renamed_record_and_a_dangling_symlink(
        change: str, expected: list[tuple[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before, --changed-since kept only existing .yml names: a PR renaming a record to .bak passed."""
    repo = _pr_repo(tmp_path)
    incidents = repo.root / "incidents" / "2025"
    if change == "rename":
        (incidents / "YQ-2025-0002.yml").rename(incidents / "YQ-2025-0002.yml.bak")
    elif change == "dangling":
        (incidents / "YQ-2025-0003.yml").symlink_to("nowhere.yml")
    else:
        written(repo, "2025/YQ-2025-0001.yml.bak")
        repo.commit("backup")
    code, out = run(capsys, "--root", str(repo.root), "--format", "json", "--changed-since", "HEAD~1"
                    if change == "backup" else "HEAD")
    report = json.loads(out)
    assert sorted((e["code"], e["file"]) for e in report["errors"]) == expected
    assert code == 1 and report["files"] == 1


def test_a_folder_argument_lists_every_entry_like_the_whole_register(register_dir: RegisterDir,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    written(register_dir, "2025/YQ-2025-0001.yml")
    written(register_dir, "2025/YQ-2025-0001.yml.bak")
    (register_dir.root / "incidents" / "2025" / "YQ-2025-0002.yml").symlink_to("YQ-2025-0001.yml")
    code, out = run(capsys, "--root", str(register_dir.root), "--format", "json",
                    str(register_dir.root / "incidents" / "2025"))
    report = json.loads(out)
    assert sorted((e["code"], e["file"]) for e in report["errors"]) == [
        ("file-name", "incidents/2025/YQ-2025-0001.yml.bak"), ("file-symlink", "incidents/2025/YQ-2025-0002.yml")]
    assert code == 1 and report["files"] == 3


HOSTILE_NAME = "a\nincidents·2025·fake.yml:1:1: 提醒[x] 一切正常,\u202elmy.yml"


def test_a_file_name_cannot_fake_a_line_of_text_output(register_dir: RegisterDir,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(b"id: x\n", f"2025/{HOSTILE_NAME}")
    code, out = run(capsys, "--root", str(register_dir.root))
    assert code == 1
    lines = out.splitlines()
    shown = "incidents/2025/a\\nincidents·2025·fake.yml:1:1: 提醒[x] 一切正常,\\u202elmy.yml"
    # Every issue line starts with the name spelled out; nothing starts a line of its own.
    assert lines[0].startswith(f"{shown}:1:1: 错误[file-name] ")
    assert all(line.startswith(f"{shown}:") for line in lines[:-2])
    assert lines[-2] == "" and lines[-1].startswith("检查了 1 个文件:")
    assert not any(c in out for c in "\u202e\r")
    # JSON keeps the name as it is (JSON escapes it itself).
    code, out = run(capsys, "--root", str(register_dir.root), "--format", "json")
    assert {e["file"] for e in json.loads(out)["errors"]} == {f"incidents/2025/{HOSTILE_NAME}"}


def test_a_file_name_in_an_annotation_is_escaped_as_github_requires(register_dir: RegisterDir,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(b"id: x\n", "2025/a\r\nb:c,d%e.yml")
    code, out = run(capsys, "--root", str(register_dir.root), "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("::error file=incidents/2025/a%0D%0Ab%3Ac%2Cd%25e.yml,line=1,col=1,"
                               "title=yuqing check [file-name]::")
    assert all(line.startswith("::error file=incidents/2025/a%0D%0Ab%3Ac%2Cd%25e.yml,") for line in lines[:-1])
    assert lines[-1].startswith("检查了 1 个文件:")


def test_a_foreign_utc_offset_is_shown_at_its_line_and_the_deadline_still_counts(
        register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    """``+23:59`` reads as 11-28 08:30 but counts as 11-27 16:31: check shows it (the gate refuses new ones)."""
    record = base_incident(timeline=[{"at": "2025-03-04T10:00:00+23:59", "type": "研判"}])
    path = register_dir.write(record)
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "+23:59" in text)
    code = main(["check", "--format", "json", "--root", str(register_dir.root), "--now", "2025-03-04T09:00:00+08:00"])
    found = json.loads(capsys.readouterr().out)
    assert code == 0  # a reminder: records written by other tools in UTC stay readable
    assert found["errors"] == []
    assert [(w["code"], w["line"], w["column"]) for w in found["warnings"]] == [("time-offset", line, 7)]
    assert "按它计算是当地时间 2025-03-03 18:01" in found["warnings"][0]["message"]
