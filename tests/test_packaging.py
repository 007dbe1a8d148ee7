"""The installed package (not only the editable one) carries every file it reads.

The pull-request gate installs the *base* branch's yuqing with a plain
``pip install ./base`` (a wheel, not an editable checkout): a template, rule set
or import profile left out of the package data would make the gate crash.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the CI venv has it

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "scripts" / "yuqing"


def test_package_data_covers_every_non_python_file_of_the_package() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]["yuqing"]
    covered = {path for pattern in patterns for path in PACKAGE.glob(pattern) if path.is_file()}
    tracked = subprocess.run(["git", "ls-files", "-z", "--", "scripts/yuqing"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    needed = {ROOT / name for name in tracked if name and not name.endswith(".py")}
    assert needed, "no data files found: is this a git checkout?"
    assert sorted(str(p.relative_to(PACKAGE)) for p in needed - covered) == []
