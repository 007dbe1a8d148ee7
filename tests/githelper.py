"""Real git registers for tests: pinned authors and dates, one commit at a time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import RegisterDir

STAFF = {
    "张三": "zhangsan@example.gov.cn",
    "李四": "lisi@example.gov.cn",
    "王五": "wangwu@example.gov.cn",
}


def git_env(author: str = "张三", when: str = "2025-03-03T10:00:00+08:00") -> dict[str, str]:
    """The environment pinning who commits and when (author and committer alike)."""
    env = dict(os.environ)
    env.update({
        "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": STAFF.get(author, "staff@example.gov.cn"),
        "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": STAFF.get(author, "staff@example.gov.cn"),
        "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    })
    return env


class GitRegister(RegisterDir):
    """A register in a real git repository (branch main)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "测试")
        self.git("config", "user.email", "test@example.gov.cn")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, author: str = "张三", when: str = "2025-03-03T10:00:00+08:00") -> str:
        done = subprocess.run(["git", *args], cwd=self.root, env=git_env(author, when),
                              capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def commit(self, message: str, *, author: str = "张三", when: str = "2025-03-03T10:00:00+08:00") -> str:
        """Stage everything and commit it; returns the commit id."""
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, author=author, when=when)
        return self.git("rev-parse", "HEAD")

    def path(self, incident_id: str) -> Path:
        return self.root / "incidents" / incident_id[3:7] / f"{incident_id}.yml"

    def line_of(self, incident_id: str, text: str, *, path: Path | None = None) -> int:
        """1-based line of the first line of the file starting with ``text`` (after indentation)."""
        lines = (path or self.path(incident_id)).read_text(encoding="utf-8").splitlines()
        return next(n for n, line in enumerate(lines, 1) if line.lstrip().startswith(text))

    def read(self, incident_id: str) -> dict[str, Any]:
        return yaml.safe_load(self.path(incident_id).read_text(encoding="utf-8"))


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `yuqing argv` in-process as a person would: (exit code, stdout, stderr)."""
    from yuqing.cli import main

    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as done:
        code = int(done.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(tmp_path: Path) -> GitRegister:
    return GitRegister(tmp_path)
