"""Every issue code the code can emit is documented, in codes.py and in the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from yuqing.codes import CODES

from .conftest import PROJECT

CODE = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+$")
ISSUE_MAKERS = {"Issue", "_issue", "issue", "_whole_file"}


def emitted_codes() -> set[str]:
    """String literals passed to an Issue-making call anywhere in the package."""
    found: set[str] = set()
    for path in (PROJECT / "scripts" / "yuqing").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ISSUE_MAKERS:
                    found.update(a.value for a in node.args
                                 if isinstance(a, ast.Constant) and isinstance(a.value, str) and CODE.match(a.value))
    return found


def test_every_emitted_code_is_documented() -> None:
    assert emitted_codes() - set(CODES) == set()


def test_no_documented_code_is_stale() -> None:
    assert set(CODES) - emitted_codes() == set()


def test_readme_table_lists_every_code() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### 错误代码", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+?) \|$", section, re.M))
    assert rows == CODES
