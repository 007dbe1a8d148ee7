"""Which incident files changed since a git ref: the files a pull request touches.

``yuqing check --changed-since origin/main`` checks only these (plus the
register-wide rule of unique ids against every other file), so a PR check
stays fast however large the register. Four git processes in all, whatever
the number of files: the ref is checked, then committed changes
(``REF...HEAD``, as a PR shows them), uncommitted ones, and untracked files.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .register import IGNORED_NAMES, INCIDENT_DIR

# A change to one of these can change the verdict on every file.
SETTINGS = ("register.yml", "schemas/")


@dataclass(frozen=True)
class Changes:
    """The incident files to check, or why everything must be checked."""

    files: tuple[Path, ...]
    everything: str | None = None
    """Set (to the changed settings file) when the whole register must be checked."""
    error: str | None = None
    """A Chinese message when git cannot answer (not a repository, unknown ref)."""


def _git(root: Path, *args: str) -> tuple[list[str] | None, str]:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True)
    except OSError as error:
        return None, f"无法运行 git:{error.strerror or error}"
    if done.returncode != 0:
        return None, done.stderr.decode("utf-8", "replace").strip()
    return [p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p], ""


def changed_since(root: Path, ref: str) -> Changes:
    """Incident files under ``root`` changed since ``ref`` (committed, uncommitted or untracked)."""
    if ref.startswith("-"):
        return Changes((), error=f"“{ref}”不是 git 引用。")
    found, message = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found is None:
        if "not a git repository" in message:
            return Changes((), error=f"{root} 不在 git 仓库中,无法使用 --changed-since。")
        return Changes((), error=f"git 中找不到引用“{ref}”。请确认它存在(在 CI 中可能需要先 git fetch,"
                                 "并关闭浅克隆,如 actions/checkout 的 fetch-depth: 0)。")
    # --relative: paths relative to the register root, even inside a larger repository.
    committed, message = _git(root, "diff", "--name-only", "-z", "--relative", "--no-renames",
                              f"{ref}...HEAD", "--")
    if committed is None:
        return Changes((), error=f"git 无法比较 {ref}...HEAD:{message.splitlines()[-1] if message else '未知错误'}"
                                 "。在 CI 中可能需要先 git fetch,并关闭浅克隆。")
    uncommitted, message = _git(root, "diff", "--name-only", "-z", "--relative", "--no-renames", "HEAD", "--")
    untracked, message2 = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    if uncommitted is None or untracked is None:
        return Changes((), error=f"git 无法列出未提交的改动:{message or message2}")
    names = sorted(set(committed) | set(uncommitted) | set(untracked))
    for name in names:
        if name in SETTINGS[:1] or name.startswith(SETTINGS[1]):
            return Changes((), everything=name)
    # Every changed entry under incidents/ that is still there (a deleted record is the
    # gate's business): a record renamed to .bak or made a dangling symlink is judged
    # by register.check_file, not dropped here.
    files = tuple(root / name for name in names
                  if name.startswith(INCIDENT_DIR + "/") and name.rsplit("/", 1)[-1] not in IGNORED_NAMES
                  and os.path.lexists(root / name))
    return Changes(files)
