"""Incident ids: parse, format, and find the next free one without collisions.

The next id of a year is one more than the highest number in use, looked up in
the working tree, in the remote main branch (``origin/main`` via one ``git
ls-tree``: no network unless asked to fetch) and in the names of pending
registration branches (``incident/<id>-<suffix>``, local or pushed). Gaps are
never filled: a number that was used once (then deleted in a branch, or sitting
in someone's unmerged pull request) must not come back. ``yuqing new`` fetches
the remote first (bounded wait). Whatever still collides (two people
registering at the same minute) is caught by ``yuqing audit`` / ``yuqing
verify`` and fixed with ``yuqing renumber``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from datetime import datetime

    from .model import RegisterConfig

# Always used with fullmatch: `$` would also match before a trailing newline.
ID_PATTERN = re.compile(r"([A-Z][A-Z0-9]*)-([0-9]{4})-([0-9]{4,})")
DEFAULT_REMOTE_REF = "origin/main"
BRANCH_PREFIX = "incident/"
PENDING_PREFIXES = ("incident/", "update/", "intake/", "import/")
"""Branches that become pull requests (new, event add, web-form intake, import): their new records hold ids."""
_BRANCH_ID = re.compile(r"([A-Z][A-Z0-9]*-[0-9]{4}-[0-9]{4,})(?:-[0-9A-Za-z]+)?")


def parse_id(text: str) -> tuple[str, int, int] | None:
    """(prefix, year, number) of an id like YQ-2025-0042, or None."""
    match = ID_PATTERN.fullmatch(text)
    if not match:
        return None
    return match.group(1), int(match.group(2)), int(match.group(3))


def format_id(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year:04d}-{number:04d}"


def next_id(prefix: str, year: int, taken: Iterable[str]) -> str:
    """One more than the highest number of ``prefix``-``year`` in ``taken``."""
    highest = 0
    for text in taken:
        parsed = parse_id(text)
        if parsed and parsed[0] == prefix and parsed[1] == year:
            highest = max(highest, parsed[2])
    return format_id(prefix, year, highest + 1)


@dataclass(frozen=True)
class TakenIds:
    """Every id in use, and where they were looked up (for the message to the user)."""

    ids: frozenset[str]
    looked_in: tuple[str, ...]
    """Chinese descriptions of the places consulted."""
    warnings: tuple[str, ...] = ()


def ids_in_tree(root: Path) -> set[str]:
    """Ids of the files under incidents/ in the working tree (file names are ids)."""
    from .register import incident_files

    return {p.stem for p in incident_files(root)}


def taken_ids(root: Path, *, remote_ref: str = DEFAULT_REMOTE_REF, fetch: bool = False) -> TakenIds:
    """Ids in use in the working tree, on ``remote_ref`` and in pending ``incident/*`` branches.

    Costs two git processes (``ls-tree`` and ``for-each-ref``), plus a ``git
    fetch`` when ``fetch`` is true. Outside git only the working tree counts.
    """
    ids = ids_in_tree(root)
    looked_in = ["工作区"]
    warnings: list[str] = []
    from .history import open_repo, prefix_of

    repo = open_repo(root)
    if repo is None:
        return TakenIds(frozenset(ids), tuple(looked_in), ("不在 git 仓库中,只按工作区文件分配编号。",))
    import git

    remote, _, branch = remote_ref.partition("/")
    if fetch:
        from .gitwork import fetch as bounded_fetch

        problem = bounded_fetch(root, remote)
        if problem is None:
            looked_in.append(f"已从 {remote} 获取最新内容")
        else:
            warnings.append(problem)
    prefix = prefix_of(repo, root)
    try:
        listing = repo.git.ls_tree("-r", "--name-only", "-z", remote_ref, "--", f"{prefix}incidents/")
        ids.update(PurePosixPath(p).stem for p in listing.split("\0") if p.endswith((".yml", ".yaml")))
        looked_in.append(remote_ref)
    except git.GitCommandError:
        warnings.append(f"没有 {remote_ref}(未设置远程仓库或从未拉取),只按本地文件分配编号;提交 PR 时 `yuqing audit` 会再查重。")
    try:
        refs = repo.git.for_each_ref("--format=%(refname)", f"refs/heads/{BRANCH_PREFIX}",
                                     f"refs/remotes/{remote}/{BRANCH_PREFIX}")
        pending = {match.group(1) for line in refs.splitlines()
                   if (match := _BRANCH_ID.fullmatch(line.strip().rsplit("/", 1)[-1]))}
        if pending:
            ids.update(pending)
            looked_in.append(f"{len(pending)} 个待合并的登记分支")
    except git.GitCommandError:  # pragma: no cover - for-each-ref does not fail on a valid repo
        pass
    # Pull-request branches of every kind (event add, web-form intake, import) may add records
    # under names that do not carry the id: read what they add.
    # The pushed copy of the branch we are on is ours (an edited web form re-registers on it).
    try:
        own = repo.active_branch.name  # also on a branch with no commit yet
    except TypeError:  # detached HEAD: no branch of ours
        own = ""
    added = {i for records in pending_records(root, remote_ref, remote=remote, skip=(f"{remote}/{own}", own),
                                              local=True).values()
             for i in records}
    if added - ids:
        ids.update(added)
        looked_in.append("待合并分支中新增的记录")
    return TakenIds(frozenset(ids), tuple(looked_in), tuple(warnings))


def pending_records(root: Path, base: str, *, remote: str = "origin", skip: Iterable[str] = (),
                    local: bool = False) -> dict[str, dict[str, str]]:
    """ref -> {id: path} of the records each unmerged ``<remote>/<prefix>*`` branch adds since it left ``base``
    (with ``local``, also this clone's own ``<prefix>*`` branches, pushed or not).

    One ``merge-base`` and one ``diff`` per pending branch (a register has a
    handful at a time); ``skip`` names refs to leave out (the caller's own).
    """
    from .gitwork import git

    places = [f"refs/remotes/{remote}/{prefix}" for prefix in PENDING_PREFIXES]
    if local:
        places += [f"refs/heads/{prefix}" for prefix in PENDING_PREFIXES]
    listed = git(root, "for-each-ref", "--format=%(refname:short)", *places)
    found: dict[str, dict[str, str]] = {}
    for ref in listed.output.split() if listed.ok else []:
        if ref not in skip:
            found[ref] = added_records(root, base, ref)
    return found


def added_records(root: Path, base: str, ref: str) -> dict[str, str]:
    """id -> path of the records ``ref`` adds since it forked from ``base`` (empty when unrelated)."""
    from .gitwork import git

    fork = git(root, "merge-base", base, ref)
    if not fork.ok:
        return {}
    names = git(root, "diff", "--name-only", "--diff-filter=A", "--no-renames", "--relative", fork.output, ref,
                "--", "incidents/").output.split()
    return {PurePosixPath(name).stem: name for name in names if name.endswith(".yml")}


def _first_line(text: object) -> str:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[0].removeprefix("stderr: ").strip("' ") if lines else "原因不明"


@dataclass(frozen=True)
class Renumbered:
    """What ``yuqing renumber`` did, or why it did nothing (``refusal``)."""

    old_id: str
    new_id: str | None = None
    old_rel: str | None = None
    new_rel: str | None = None
    commit: str | None = None
    branch: str | None = None
    warnings: tuple[str, ...] = ()
    refusal: str | None = None


def renumber(root: Path, old_id: str, new_id: str | None, config: RegisterConfig, now: datetime, *,
             fetch: bool = True) -> Renumbered:
    """Move a record that collides with someone else's to a free id, in one commit ``renumber: OLD -> NEW``.

    Only a record this branch adds may move: one already on the main branch
    keeps its id for good (the audit refuses an id change). The year folder is
    kept; the file name and the ``id`` field change together; a branch named
    after the old id (``incident/OLD-…``) is renamed after the new one.
    """
    from .edit import Refused, check_text, find_record, read_record, write_record
    from .edit import renumber as renumber_text
    from .gitwork import commit_only, current_branch, git, in_git
    from .register import relative

    path = find_record(root, old_id)
    if path is None:
        return Renumbered(old_id, refusal=f"找不到事件 {old_id}。")
    old_rel = relative(path, root)
    parsed = parse_id(old_id)
    if parsed is None:
        return Renumbered(old_id, refusal=f"“{old_id}”不是有效的编号。")
    repo = in_git(root)
    warnings: list[str] = []
    if repo:
        base = next((ref for ref in (DEFAULT_REMOTE_REF, "main") if git(root, "rev-parse", "--verify", "--quiet", ref).ok
                     and current_branch(root) != ref), None)
        if base is not None:
            merge_base = git(root, "merge-base", "HEAD", base)
            if merge_base.ok and git(root, "cat-file", "-e", f"{merge_base.output}:./{old_rel}").ok:
                return Renumbered(old_id, refusal=f"{old_id} 已在 {base} 上登记,登记后编号不得修改。"
                                                  "只有本分支新登记、与别人撞号的记录才能改号。")
    taken = taken_ids(root, fetch=fetch and repo)
    warnings += taken.warnings
    if new_id is None:
        new_id = next_id(parsed[0], parsed[1], taken.ids | {old_id})
    else:
        wanted = parse_id(new_id)
        if wanted is None or wanted[:2] != parsed[:2]:
            return Renumbered(old_id, refusal=f"新编号“{new_id}”应形如 {format_id(parsed[0], parsed[1], parsed[2] + 1)}"
                                              f"(前缀和年份与 {old_id} 相同,年份目录不变)。")
        if new_id in taken.ids:
            return Renumbered(old_id, refusal=f"编号 {new_id} 已被占用;不写新编号时自动取下一个空闲编号。")
    new_rel = PurePosixPath(old_rel).with_name(f"{new_id}.yml").as_posix()
    try:
        text = renumber_text(read_record(path), new_id)
    except Refused as why:
        return Renumbered(old_id, refusal=str(why))
    errors = [i for i in check_text(root, new_rel, text, config, now) if i.severity == "error"]
    if errors:
        return Renumbered(old_id, refusal=f"改号后的文件未通过检查:{errors[0].message}")
    tracked = repo and git(root, "ls-files", "--error-unmatch", "--", old_rel).ok
    write_record(root / new_rel, text)
    path.unlink()
    if not repo:
        return Renumbered(old_id, new_id, old_rel, new_rel, warnings=(*warnings, "不在 git 仓库中:只改了文件,未提交。"))
    done = commit_only(root, [old_rel, new_rel] if tracked else [new_rel], f"renumber: {old_id} -> {new_id}")
    if not done.ok:
        return Renumbered(old_id, new_id, old_rel, new_rel, warnings=tuple(warnings),
                          refusal=f"文件已改名,但未能提交:{done.output}")
    branch = current_branch(root)
    if branch is not None and old_id in branch:
        renamed = branch.replace(old_id, new_id)
        if git(root, "branch", "-m", renamed).ok:
            branch = renamed
    return Renumbered(old_id, new_id, old_rel, new_rel, done.output, branch, tuple(warnings))
