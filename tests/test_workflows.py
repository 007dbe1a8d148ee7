"""The CI workflows: valid for GitHub (offline, check-jsonschema's vendored schema), no
expression inside a script, and the pull-request gate runs the base's tool and settings."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import PROJECT

WORKFLOWS = sorted((PROJECT / ".github" / "workflows").glob("*.y*ml"))
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((PROJECT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    return on if isinstance(on, dict) else {name: None for name in ([on] if isinstance(on, str) else on)}


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_every_workflow_is_valid_for_github() -> None:
    assert WORKFLOWS, "no workflows found"
    done = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_would_catch_an_empty_with(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - uses: actions/checkout@v4\n        with:\n", encoding="utf-8")
    done = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(broken)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_inside_a_script(path: Path) -> None:
    # ${{ }} in run: is pasted into the shell script before it runs: a branch name or a
    # title becomes code. Values go through env: and are quoted as "$VAR".
    for step in _steps(yaml.safe_load(path.read_text(encoding="utf-8"))):
        assert "${{" not in str(step.get("run", "")), step


def test_the_gate_runs_the_base_branch_tool_and_settings() -> None:
    workflow = _load("pr.yml")
    assert list(_triggers(workflow)) == ["pull_request", "pull_request_review"]
    job = workflow["jobs"]["audit"]
    assert job["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    steps = job["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    runs = [str(s.get("run", "")) for s in steps]
    script = "\n".join(runs)
    # The branch's own package is never installed: only the base's worktree.
    installs = re.findall(r"[^\n]*pip install[^\n]*", script)
    assert installs == ['cd "$RUNNER_TEMP" && python -m pip install ./base']  # outside the branch's checkout
    assert 'git worktree add --detach "$RUNNER_TEMP/base" "origin/$BASE_REF"' in script
    # register.yml and the schemas the check reads are the base's.
    assert 'git checkout "origin/$BASE_REF" -- register.yml schemas' in script
    order = [next(i for i, r in enumerate(runs) if needle in r) for needle in (
        "pip install", "git checkout", "yuqing check --history --changed-since", "yuqing audit --base")]
    assert order == sorted(order)
    assert ('yuqing check --history --changed-since "origin/$BASE_REF" --main "origin/$BASE_REF" '
                '--format github') in runs
    assert 'yuqing audit --base "origin/$BASE_REF" --settings base --format github' in runs
    assert "--format approvals" in script


def test_one_annotation_per_problem() -> None:
    # pr.yml on pull requests, check.yml on main: a problem is never annotated twice on one commit.
    assert _triggers(_load("check.yml")) == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert "pull_request" not in _triggers(_load("deadlines.yml"))
    annotating = [(path.name, run) for path in WORKFLOWS for step in _steps(yaml.safe_load(path.read_text(encoding="utf-8")))
                  if "yuqing check" in (run := str(step.get("run", ""))) and "--format github" in run]
    assert [name for name, _ in annotating] == ["check.yml", "pr.yml"]


def test_the_overdue_check_never_fails_a_feature_branch() -> None:
    triggers = _triggers(_load("deadlines.yml"))
    assert triggers["push"] == {"branches": ["main"]}
    assert set(triggers) == {"push", "schedule", "workflow_dispatch"}
    runs = [str(s.get("run", "")) for s in _steps(_load("pr.yml"))]
    changed = next(r for r in runs if "yuqing deadlines" in r)
    assert "--fail-on" not in changed and "changed.txt" in changed


OWNED = ["register.yml", "schemas/incident.schema.json", "scripts/yuqing/audit.py", "scripts/yuqing/rulesets/default.yml",
         ".github/workflows/pr.yml", "pyproject.toml", "mkdocs.yml", "docs/guide/gate.md", "README.md",
         ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", "Makefile", ".ci/ensure-chromium", "tests/conftest.py",
         ".vscode/settings.json", "benchmarks/bench_check.py", ".gitattributes", ".gitignore", ".gitmodules",
         "overrides/main.html", ".gitea/CODEOWNERS", "incidents.yml", "incidentsx/a.yml"]
NOT_OWNED = ["incidents/2025/YQ-2025-0001.yml", "incidents/2026/YQ-2026-0012.yml"]


def _github_owners(path: str) -> list[str]:
    """GitHub's rule: the LAST matching line decides; a line without owners leaves the path unowned."""
    owners: list[str] = []
    for line in (PROJECT / ".github" / "CODEOWNERS").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *names = line.split()
        if pattern == "*" or (pattern.endswith("/") and path.startswith(pattern.lstrip("/"))) \
                or path == pattern.strip("/"):
            owners = names
    return owners


def _gitea_owners(path: str) -> list[str]:
    """Gitea's rule: every matching line adds its owners; `!re` matches the paths `^re$` does not; a line
    without owners is skipped. `\\\\` in the file is one backslash of the Go regexp."""
    owners: list[str] = []
    for line in (PROJECT / ".gitea" / "CODEOWNERS").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or len(line.split()) < 2:
            continue
        pattern, *names = line.split()
        negative = pattern.startswith("!")
        matched = re.fullmatch(pattern.lstrip("!").replace("\\\\", "\\"), path) is not None
        if matched != negative:
            owners += names
    return owners


@pytest.mark.parametrize("owners", [_github_owners, _gitea_owners], ids=["github", "gitea"])
def test_codeowners_give_every_path_outside_incidents_to_the_approvers(owners: Any) -> None:
    assert {p: owners(p) for p in OWNED} == {p: ["@your-org/yuqing-approvers"] for p in OWNED}
    assert {p: owners(p) for p in NOT_OWNED} == {p: [] for p in NOT_OWNED}


def test_the_approval_job_enforces_the_list() -> None:
    workflow = _load("pr.yml")
    job = workflow["jobs"]["approval"]
    assert job["name"] == "变更审批"
    assert job["permissions"] == {"contents": "read", "pull-requests": "read"}  # read the reviews, write nothing
    assert workflow["permissions"] == {"contents": "read"}
    assert job["env"]["PR_HEAD_SHA"] == "${{ github.event.pull_request.head.sha }}"
    assert job["env"]["PR_NUMBER"] == "${{ github.event.pull_request.number }}"
    runs = [str(s.get("run", "")) for s in job["steps"]]
    script = "\n".join(runs)
    assert re.findall(r"[^\n]*pip install[^\n]*", script) == ['cd "$RUNNER_TEMP" && python -m pip install ./base']
    assert 'yuqing audit --base "origin/$BASE_REF" --settings base --require-approval --format approvals' in runs
    assert runs.index(next(r for r in runs if "pip install" in r)) < runs.index(next(r for r in runs if "--require" in r))


def test_intake_reads_the_issue_only_through_the_environment() -> None:
    workflow = _load("intake.yml")
    assert _triggers(workflow) == {"issues": {"types": ["opened", "edited"]}, "issue_comment": {"types": ["created"]}}
    [job] = workflow["jobs"].values()
    assert job["env"]["ISSUE_BODY"] == "${{ github.event.issue.body }}"
    assert "/重试" in job["if"] and "github.event.issue.state == 'open'" in job["if"]
    steps = _steps(workflow)
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    script = "\n".join(str(s.get("run", "")) for s in steps)
    assert "--body-env ISSUE_BODY" in script and "--publish" in script
    assert '--author "$ISSUE_AUTHOR"' in script
    assert "ISSUE_BODY\"" not in script and "$ISSUE_BODY" not in script  # the body never reaches the shell
    assert not re.search(r"(^|\s)gh\s", script)  # no GitHub CLI: Gitea has none


def test_the_scheduled_deadline_run_tells_the_duty_group_first() -> None:
    steps = _steps(_load("deadlines.yml"))
    names = [str(s.get("run", "")) for s in steps]
    notify = next(i for i, run in enumerate(names) if run.startswith("yuqing notify"))
    check = next(i for i, run in enumerate(names) if "--fail-on overdue" in run)
    assert notify < check  # the failing check cannot keep the message back
    step = steps[notify]
    assert step["continue-on-error"] is True
    assert "github.event_name == 'schedule'" in step["if"] and "steps.robot.outputs.set == 'yes'" in step["if"]
    assert step["env"]["YUQING_WEBHOOK"] == "${{ secrets.YUQING_WEBHOOK }}"


def test_intake_gives_the_workflow_token_nothing_to_write() -> None:
    """The bot token (YUQING_BOT_TOKEN) pushes, opens the request and comments; GITHUB_TOKEN only reads."""
    workflow = _load("intake.yml")
    assert workflow["permissions"] == {"contents": "read"}
    checkout = next(s for s in _steps(workflow) if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["token"] == "${{ secrets.YUQING_BOT_TOKEN }}"


def test_intake_runs_one_queue_per_issue() -> None:
    """One group for all issues keeps a single pending run and cancels the rest: stacked forms would be lost."""
    workflow = _load("intake.yml")
    assert workflow["concurrency"] == {"group": "yuqing-intake-${{ github.event.issue.number }}",
                                       "cancel-in-progress": False}


def test_the_deadline_schedule_is_off_the_hour_and_matches_the_notify_slots() -> None:
    import yaml as _yaml

    [schedule] = _triggers(_load("deadlines.yml"))["schedule"]
    assert schedule == {"cron": "5,35 * * * *"}
    notify = _yaml.safe_load((Path(__file__).parent.parent / "register.yml").read_text(encoding="utf-8"))["notify"]
    assert (notify["interval_minutes"], notify["offset_minutes"]) == (30, 5)
    assert all(not t.endswith((":00", ":30")) for t in notify["digest"])
