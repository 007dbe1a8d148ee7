"""The package is typed (py.typed ships) and mypy-clean: a type error is a failing test."""

from __future__ import annotations

import subprocess
import sys

from .conftest import PROJECT


def test_mypy_finds_no_errors() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"],
                            cwd=PROJECT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (PROJECT / "scripts" / "yuqing" / "py.typed").is_file()
