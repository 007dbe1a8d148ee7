"""The web forms: generated from register.yml (a test regenerates and compares), valid for GitHub's
issue-form schema (check-jsonschema's vendored copy, offline), and read back by intake by their labels."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from yuqing.config import load_config
from yuqing.forms import FOLDER, KINDS, expected
from yuqing.model import CHANNELS, EVENT_TYPES, LEVELS

from .conftest import PROJECT, RegisterDir
from .githelper import run_cli

CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
FORMS = sorted((PROJECT / FOLDER).glob("[0-9]-*.yml"))


def _config(root: Path = PROJECT):
    config, issues = load_config(root)
    assert config is not None, issues
    return config


def test_the_committed_forms_are_what_register_yml_gives() -> None:
    for rel, text in expected(_config()).items():
        assert (PROJECT / rel).read_text(encoding="utf-8") == text, f"{rel}: run `yuqing forms` and commit"
    assert sorted(p.name for p in (PROJECT / FOLDER).iterdir()) == sorted(Path(rel).name for rel in expected(_config()))


def test_the_forms_are_valid_github_issue_forms() -> None:
    assert len(FORMS) == len(KINDS)
    done = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-issue-forms", *map(str, FORMS)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-issue-config",
                           str(PROJECT / FOLDER / "config.yml")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_would_catch_a_broken_form(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\ndescription: y\nbody:\n  - type: dropdown\n    id: level\n    attributes:\n"
                      "      label: 等级\n", encoding="utf-8")  # a dropdown without options
    done = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-issue-forms", str(broken)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1


def _fields(name: str) -> dict[str, dict]:
    form = yaml.safe_load((PROJECT / FOLDER / name).read_text(encoding="utf-8"))
    items = [item for item in form["body"] if item["type"] != "markdown"]
    assert all(item.get("id") for item in items)  # Gitea skips a field without an id
    labels = [item["attributes"]["label"] for item in items]
    assert len(labels) == len(set(labels))  # intake reads answers by label
    return {item["id"]: item for item in items}


def test_dropdowns_come_from_the_settings_and_required_fields_are_marked() -> None:
    config = _config()
    register = _fields("1-register.yml")
    assert register["level"]["attributes"]["options"] == list(LEVELS)
    assert register["category"]["attributes"]["options"] == list(config.categories)
    assert register["unit"]["attributes"]["options"] == list(config.units)
    assert register["channel"]["attributes"]["options"] == list(CHANNELS)
    assert sorted(k for k, v in register.items() if v.get("validations", {}).get("required")) == [
        "category", "channel", "discovered_at", "level", "summary", "title", "unit"]
    event = _fields("2-event.yml")
    assert event["type"]["attributes"]["options"] == list(EVENT_TYPES)
    assert {"升级", "平息", "归档", "更正"} <= set(event["type"]["attributes"]["options"])
    assert event["by"]["attributes"]["options"] == list(config.units)
    assert sorted(k for k, v in event.items() if v.get("validations", {}).get("required")) == ["at", "incident", "type"]


def test_a_new_unit_needs_the_forms_regenerated(tmp_path: Path, capsys) -> None:
    register = RegisterDir(tmp_path)
    assert run_cli(["forms", "--root", str(tmp_path)], capsys)[0] == 0
    assert run_cli(["forms", "--check", "--root", str(tmp_path)], capsys)[:2] == (0, "网页登记表单与 register.yml 一致。\n")
    register.settings(units=[*_config().units, "新设的科室"])
    code, out, _ = run_cli(["forms", "--check", "--root", str(tmp_path)], capsys)
    assert code == 1
    assert out.splitlines() == [f"{FOLDER}/1-register.yml 与 register.yml 不一致(或不存在),请运行 `yuqing forms` 并提交。",
                                f"{FOLDER}/2-event.yml 与 register.yml 不一致(或不存在),请运行 `yuqing forms` 并提交。"]
    code, out, _ = run_cli(["forms", "--root", str(tmp_path)], capsys)
    assert code == 0 and out.splitlines()[:2] == [f"已写入 {FOLDER}/1-register.yml", f"已写入 {FOLDER}/2-event.yml"]
    form = yaml.safe_load((tmp_path / FOLDER / "1-register.yml").read_text(encoding="utf-8"))
    assert "新设的科室" in next(i for i in form["body"] if i.get("id") == "unit")["attributes"]["options"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_label_of_a_form_is_read_back(kind: str) -> None:
    from yuqing.intake import detect, parse_body

    config = _config()
    fields = KINDS[kind].fields(config)
    body = "\n\n".join(f"### {f.label}\n\n{f.id}-答案" for f in fields)
    assert detect(body) is KINDS[kind]
    answers = parse_body(body, KINDS[kind], config)
    assert answers.values == {f.id: f"{f.id}-答案" for f in fields}
