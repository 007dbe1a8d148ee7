"""`yuqing audit`: what a pull request may and may not do to the register.

Every field of every changed record is compared between the base and the
branch, and each difference is classified through the change policy
(:mod:`yuqing.policy`): allowed, approval or refused. Any path under
``incidents/`` is looked at, not only ``*.yml``: a record renamed to
``.yml.bak``, ``.YML``, into a sub-folder, or replaced by a symlink is refused.

Two bases are used. The branch's change is found against the merge base; a
record the base changed after the merge base is judged against the base's tip
(archived on the tip: only appended 更正 events pass). The settings that judge
(``register.yml``, schemas, rule sets) come from the base tip by default, never
from the branch.

Cost: ``merge-base``, two ``diff --raw``, one ``ls-tree`` and one
``cat-file --batch`` for the changed files, however large the register.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterator

from .history import event_key, raw_records, strip_prefix
from .loader import Loaded, join_path, load_bytes
from .model import GRADING_EVENTS, Incident, Issue, RegisterConfig
from .policy import row

if TYPE_CHECKING:
    import git

ARCHIVED = "已归档"
CORRECTION = "更正"
INCIDENT_DIR = "incidents/"
RECORD_NAME = re.compile(r"incidents/(?P<year>[0-9]{4})/(?P<id>[A-Z][A-Z0-9]*-[0-9]{4}-[0-9]{4,})\.yml")
"""The only place a record may live; matched whole (``fullmatch``), never with ``$``."""
RECORD_ID = re.compile(r"(?P<prefix>[A-Z][A-Z0-9]*)-(?P<year>[0-9]{4})-(?P<number>[0-9]{4,})")
REGULAR_MODES = frozenset({"100644", "100755"})
"""Every path outside ``incidents/`` is a setting (``config-changed``): code, workflows, hooks, tests,
docs, the Makefile, editor settings and git's own files all run or decide something on someone's
machine or in CI. Only the records are judged field by field."""
TEXT_FIELDS = frozenset({"title", "summary", "source.platform"})
TIME_FIELDS = frozenset({"occurred_at", "discovered_at"})
_SETTINGS_SOURCES = ("base", "worktree")
_NULL_SHA = "0" * 40


class AuditError(Exception):
    """The comparison cannot be made (not git, unknown ref); the message is Chinese."""


@dataclass(frozen=True)
class AuditResult:
    base: str
    """The ref given (e.g. origin/main)."""
    base_commit: str
    merge_base: str
    head: str
    files: int
    """How many incident files the branch changes."""
    findings: tuple[Issue, ...]
    settings: str = "base"
    """Where register.yml, the schemas and the rule sets came from: the base tip or the work tree."""
    now: datetime | None = None
    """The audit's clock: the deadlines of the base and of the branch are compared as of it."""
    approvers: tuple[str, ...] = ()
    """The ``approvers:`` of the settings that judged (the base's register.yml by default)."""

    @property
    def ok(self) -> bool:
        """No refused change (approvals and infos pass)."""
        return not any(f.severity == "error" for f in self.findings)

    def of(self, severity: str) -> tuple[Issue, ...]:
        return tuple(f for f in self.findings if f.severity == severity)


@dataclass(frozen=True)
class Entry:
    """One path of ``git diff --raw``."""

    status: str
    old_mode: str
    new_mode: str
    old_sha: str
    new_sha: str
    old_path: str | None
    """For renames: the path before."""
    path: str


@dataclass(frozen=True)
class FileChange:
    """One changed incident path between the base and the head."""

    status: str
    """A, M, D, R or T (git's letters)."""
    path: str
    old_path: str | None
    old: Loaded | None
    new: Loaded | None
    new_mode: str = "100644"
    stale: bool = False
    """The base changed this record after the merge base: ``old`` is the base tip's version."""
    forked: Loaded | None = None
    """For a stale change: the merge base's version (tells events the base added from ones the branch removed)."""


@dataclass(frozen=True)
class Context:
    """What judging needs besides the two versions: the base's ids and settings."""

    base_ids: dict[str, str] = field(default_factory=dict)
    config: RegisterConfig | None = None
    base_name: str = "main"
    now: datetime | None = None
    """The audit's clock (the real one; ``--now`` in tests); None skips the deadline comparison."""
    secrets: tuple[Incident, ...] = ()
    """The confidential records of the base tip (and of the branch): public text must not name them."""
    public_titles: frozenset[str] = frozenset()
    """Titles some public record of the base has: they are public text, not a mention."""


# --- git -----------------------------------------------------------------------

def _raw(repo: git.Repo, *args: str) -> Iterator[Entry]:
    body = repo.git.diff("--raw", "--no-abbrev", "-z", *args, strip_newline_in_stdout=False)
    return (Entry(*record) for record in raw_records(body))


def audit(root: Path, base: str, head: str = "HEAD", *, settings: str = "base",
          now: datetime | None = None) -> AuditResult:
    """Judge the change from ``base`` to ``head``; raises AuditError when it cannot.

    ``settings`` is ``base`` (register.yml, schemas and rule sets read from the
    base tip: the branch never judges itself) or ``worktree``. ``now`` is the
    audit's clock (default: the real one): each changed record's deadlines are
    computed as of it on the base tip and on the branch, and compared.
    """
    import git

    from .history import open_repo, prefix_of, read_blobs

    if settings not in _SETTINGS_SOURCES:
        raise AuditError(f"--settings 只能是 {'、'.join(_SETTINGS_SOURCES)}。")
    repo = open_repo(root)
    if repo is None:
        raise AuditError(f"{root} 不在 git 仓库中,无法审核。")
    try:
        base_commit = repo.git.rev_parse("--verify", "--quiet", f"{base}^{{commit}}")
        head_commit = repo.git.rev_parse("--verify", "--quiet", f"{head}^{{commit}}")
    except git.GitCommandError:
        raise AuditError(f"找不到 {base} 或 {head}。在 CI 中请用 actions/checkout 的 fetch-depth: 0 取完整历史;"
                         f"本地请先 git fetch。") from None
    try:
        merge_base = repo.git.merge_base(base_commit, head_commit)
    except git.GitCommandError:
        raise AuditError(f"{base} 与 {head} 没有共同的祖先提交(浅克隆?请用 fetch-depth: 0)。") from None
    prefix = prefix_of(repo, root)
    incidents = f"{prefix}{INCIDENT_DIR}"

    branch = list(_raw(repo, "-M", merge_base, head_commit))
    on_base = {e.old_path or e.path for e in _raw(repo, "--no-renames", merge_base, base_commit, "--", incidents)}
    tip: dict[str, str] = {}  # path -> blob sha at the base tip
    for line in repo.git.ls_tree("-r", "-z", base_commit, "--", incidents).split("\0"):
        if line:
            meta, _, path = line.partition("\t")
            tip[path] = meta.split()[2]
    base_ids = {}
    for path in tip:
        match = RECORD_NAME.fullmatch(strip_prefix(path, prefix))
        if match:
            base_ids[match["id"]] = strip_prefix(path, prefix)

    # A file moved into incidents/ from elsewhere is a new record, not a renamed one.
    branch = [Entry("A", "000000", e.new_mode, _NULL_SHA, e.new_sha, None, e.path)
              if e.status == "R" and e.path.startswith(incidents) and not (e.old_path or "").startswith(incidents) else e
              for e in branch]
    record_entries = [e for e in branch if e.path.startswith(incidents) or (e.old_path or "").startswith(incidents)]
    config_entries = [e for e in branch if e not in record_entries]

    def base_version(entry: Entry) -> tuple[str, bool]:
        old = entry.old_path or entry.path
        if old in on_base and old in tip:
            return tip[old], tip[old] != entry.old_sha
        return entry.old_sha, False

    versions = {id(e): base_version(e) for e in record_entries}
    blobs = read_blobs(repo, [sha for e in record_entries for sha in (versions[id(e)][0], e.new_sha, e.old_sha)])

    def loaded(sha: str, path: str | None) -> Loaded | None:
        return load_bytes(blobs[sha], strip_prefix(path, prefix)) if path and sha in blobs else None

    changes = []
    for entry in record_entries:
        old_sha, stale = versions[id(entry)]
        old_path = entry.old_path or entry.path
        changes.append(FileChange(
            entry.status, strip_prefix(entry.path, prefix), strip_prefix(entry.old_path, prefix) if entry.old_path else None,
            loaded(old_sha, old_path) if entry.status != "A" else None,
            loaded(entry.new_sha, entry.path) if entry.status != "D" else None,
            entry.new_mode, stale, loaded(entry.old_sha, old_path) if stale else None,
        ))
    config = _config_at(repo, base_commit, prefix) if settings == "base" else _config_here(root)
    clock = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    secrets, public_titles = _confidential(repo, tip, changes, config) if changes else ((), frozenset())
    ctx = Context(base_ids, config, base, clock, secrets, public_titles)
    findings: list[Issue] = []
    for change in changes:
        findings.extend(check_change(change, ctx))
    for entry in config_entries:
        findings.extend(_config_changed(entry, prefix))
    findings.sort(key=lambda i: (i.file, i.line, i.column, i.code))
    return AuditResult(base, base_commit, merge_base, head_commit, len(changes), tuple(findings), settings, clock,
                       config.approvers if config is not None else ())


_CONFIDENTIAL_LINE = re.compile(rb"(?m)^confidential\s*:")


def _confidential(repo: git.Repo, tip: dict[str, str], changes: list[FileChange],
                  config: RegisterConfig | None) -> tuple[tuple[Incident, ...], frozenset[str]]:
    """The confidential records (base tip and branch) and the titles of the base's public records.

    One ``cat-file --batch`` for the tip's records; only files with a top-level
    ``confidential:`` line are parsed (a title is read from the others with a
    cheap line match), so the cost stays near one read of the register.
    """
    from .history import read_blobs
    from .records import build_incident
    from .times import zone

    tz = zone(config.timezone if config else "Asia/Shanghai")
    blobs = read_blobs(repo, tip.values())
    secret: dict[str, Incident] = {}
    public: set[str] = set()
    changed = {c.path for c in changes}

    def consider(loaded: Loaded | None) -> None:
        data = loaded.data if loaded is not None else None
        if not isinstance(data, dict):
            return
        if data.get("confidential") is True:
            incident = build_incident(loaded, tz, set())[0] if loaded is not None else None
            if incident is not None:
                secret.setdefault(incident.id, incident)
        elif isinstance(data.get("title"), str):
            public.add(data["title"].strip())

    for path, sha in tip.items():
        blob = blobs.get(sha)
        if blob is None or path in changed:
            continue
        if _CONFIDENTIAL_LINE.search(blob):
            consider(load_bytes(blob, path))
        else:
            match = _TITLE_LINE.search(blob)
            if match:
                public.add(match.group(1).decode("utf-8", errors="replace").strip().strip("\"'"))
    for change in changes:
        consider(change.old)
        consider(change.new)
    return tuple(secret.values()), frozenset(public)


_TITLE_LINE = re.compile(rb"(?m)^title\s*:\s*(.+?)\s*$")


def _config_changed(entry: Entry, prefix: str) -> list[Issue]:
    verb = {"A": "新增了", "D": "删除了", "R": "改名了"}.get(entry.status, "修改了")
    named = f"{entry.old_path} → {entry.path}" if entry.old_path else entry.path
    return [Issue(strip_prefix(entry.path, prefix), 1, 1, "", "config-changed",
                  f"{verb} {named}。{row('config-changed').reason}。合并前须由审批人(CODEOWNERS 中的审批组)审核。",
                  "approval")]


# --- settings from the base ------------------------------------------------------

def _config_here(root: Path) -> RegisterConfig | None:
    from .config import load_config

    return load_config(root)[0]


def _config_at(repo: git.Repo, commit: str, prefix: str) -> RegisterConfig | None:
    """register.yml, its schemas and its named rule set as they are at ``commit``.

    The files are written to a temporary folder and read by the ordinary
    ``load_config``; a rule set named in register.yml is read from the commit's
    ``scripts/yuqing/rulesets/`` when the commit has one (else the installed
    package's, which in CI is the base's own install).
    """
    import git
    import yaml

    from .config import load_config

    def show(path: str) -> bytes | None:
        try:
            out = repo.git.show(f"{commit}:{path}", stdout_as_string=False, strip_newline_in_stdout=False)
        except git.GitCommandError:
            return None
        return out if isinstance(out, bytes) else None

    files = {name: show(f"{prefix}{name}") for name in (
        "register.yml", "schemas/register.schema.json", "schemas/incident.schema.json")}
    raw = files["register.yml"]
    if raw is None:
        return None
    data = load_bytes(raw, "register.yml").data
    if isinstance(data, dict) and isinstance(data.get("rules"), str):
        preset_raw = show(f"scripts/yuqing/rulesets/{data['rules']}.yml")
        preset = load_bytes(preset_raw, "ruleset.yml").data if preset_raw is not None else None
        if isinstance(preset, dict) and isinstance(preset.get("rules"), list):
            data = dict(data, rules=preset["rules"])
            raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="yuqing-base-") as folder:
        where = Path(folder)
        (where / "schemas").mkdir()
        for name, content in dict(files, **{"register.yml": raw}).items():
            if content is not None:
                (where / name).write_bytes(content)
        return load_config(where)[0]


# --- one file ------------------------------------------------------------------

def _issue(change: FileChange, line: int, column: int, path: str, code: str, message: str) -> Issue:
    """A finding with the severity of its policy row (refusals get the stale hint)."""
    severity = row(code).severity
    # An added record is not a version of the base's file at that path (a collision: id-taken).
    if change.stale and change.status != "A" and severity == "error" and "yuqing event rebase" not in message:
        stem = PurePosixPath(change.path).name.removesuffix(".yml")
        message += ("(目标分支在本分支分叉后修改过这个记录,以上按目标分支的最新版本核对;"
                    f"若是别人同时追加了事件,请运行 `yuqing event rebase {stem}` 在最新的 main 上重做本分支的事件,"
                    "不要手工合并。)")
    return Issue(change.path, line, column, path, code, message, severity)


def _where(loaded: Loaded | None, path: str, *, key: bool = False) -> tuple[int, int]:
    return loaded.where(path, key=key) if loaded is not None else (1, 1)


def check_change(change: FileChange, ctx: Context) -> list[Issue]:
    """Every finding one changed path gives (pure: data in, Issues out)."""
    if change.status == "D":
        return [_issue(change, 1, 1, "", "record-deleted",
                       f"删除了文件 {change.path}。登记过的事件不得删除:登记有误或重复时,"
                       "请恢复该文件,在其中填写 withdrawn(at、reason,重复时写 duplicate_of)予以撤销。")]
    findings: list[Issue] = []
    if change.status == "R":
        findings.append(_issue(change, 1, 1, "", "record-renamed",
                               f"文件 {change.old_path} 被改名或移动为 {change.path}。登记过的事件文件不得改名或移动"
                               "(文件名就是编号)。请改回原名;若发现时间更正后年份变了,请保留原文件并用 withdrawn 撤销"
                               "(duplicate_of 写新编号),再用 `yuqing new` 登记新编号。"))
    else:
        misplaced = _misplaced(change)
        if misplaced:
            return findings + [misplaced]
    problems = [i for i in change.new.issues if i.severity == "error"] if change.new is not None else []
    if change.new is None or change.new.data is None or problems:
        # A merge key, a duplicate key or a tag makes YAML read something else than the text shows:
        # nothing read from such a file can be compared.
        problem = problems[0] if problems else None
        line, column = (problem.line, problem.column) if problem else (1, 1)
        why = f"({problem.code}:{problem.message})" if problem else ""
        return findings + [_issue(change, line, column, problem.path if problem else "", "record-unreadable",
                                  f"修改后的文件无法可靠解析{why},无法核对改动是否合规;"
                                  "请先修正(运行 `yuqing check`)。")]
    findings += _offsets(change, ctx) + _mentions(change, ctx)
    if change.status == "A":
        return findings + _added(change, ctx)
    if change.old is None or not isinstance(change.old.data, dict):
        return findings  # the base version was already broken: nothing trustworthy to compare with
    compared = Comparison(change, change.old.data, change.new.data, ctx).findings()
    if not any(f.severity == "error" for f in (*findings, *compared)):
        shown = {f.path for f in compared if f.severity == "approval"}
        compared += [f for f in _clock_findings(change, ctx) if not (f.code == "deadline-moved" and f.path in shown)]
    return findings + compared


def _misplaced(change: FileChange) -> Issue | None:
    """A path under incidents/ that is not a regular file named incidents/<YYYY>/<id>.yml with that id."""
    if change.new_mode == "120000":
        why = "是符号链接(可能指向仓库外的文件)"
    elif change.new_mode not in REGULAR_MODES:
        why = "不是普通文件(子模块或目录)"
    elif not RECORD_NAME.fullmatch(change.path):
        why = "的位置或文件名不对(应为 incidents/<四位年份>/<编号>.yml,扩展名小写 .yml,不放在子目录里)"
    else:
        data = change.new.data if change.new is not None else None
        content_id = data.get("id") if isinstance(data, dict) else None
        stem = PurePosixPath(change.path).name[:-len(".yml")]
        if change.status != "A" or content_id is None or content_id == stem:
            return None  # a changed id of an existing record is `id-changed`
        line, column = _where(change.new, "id")
        return _issue(change, line, column, "id", "record-misplaced",
                      f"文件中的编号 {content_id!r} 与文件名 {stem} 不一致。编号与文件名必须完全相同"
                      "(不能有多余的空格、换行或不可见字符)。")
    return _issue(change, 1, 1, "", "record-misplaced",
                  f"{change.path} {why}。这样的文件不会被当作事件记录读取,其中的事件和时限会从所有输出中消失。"
                  "请把记录恢复为 incidents/<年份>/<编号>.yml 的普通文件。")


def _added(change: FileChange, ctx: Context) -> list[Issue]:
    data = change.new.data if change.new is not None else None
    content_id = data.get("id") if isinstance(data, dict) else None
    stem = PurePosixPath(change.path).name[:-len(".yml")]
    findings: list[Issue] = []
    taken = {number: i for i in ctx.base_ids if (number := _id_number(i)) is not None}
    for candidate in dict.fromkeys(i for i in (stem, content_id) if isinstance(i, str)):
        number = _id_number(candidate)
        holder = candidate if candidate in ctx.base_ids else taken.get(number) if number is not None else None
        if holder is not None:
            line, column = _where(change.new, "id")
            findings.append(_issue(change, line, column, "id", "id-taken", _id_taken(holder, ctx, candidate)))
            break
    for key, name in (("withdrawn", "撤销(withdrawn)"), ("confidential", "涉密标记(confidential)")):
        if isinstance(data, dict) and key in data and data[key] not in (None, False):
            line, column = _where(change.new, key, key=True)
            findings.append(_issue(change, line, column, key, f"{key}-changed",
                                   f"新登记的记录带有{name}:{_show(data[key])}。{row(f'{key}-changed').reason};"
                                   "合并前须经审批人审核。"))
    if isinstance(data, dict) and change.new is not None and not change.new.issues:
        findings += _new_record_clocks(change, ctx)
    extensions = data.get("extensions") if isinstance(data, dict) else None
    if isinstance(data, dict) and isinstance(extensions, list) and extensions:
        # A new record may hold extensions too: one approved after the normal due needs an approver.
        comparison = Comparison(change, {}, data, ctx)
        comparison._late_extensions(range(len(extensions)))
        findings += comparison.out
    return findings


def _id_number(text: str) -> tuple[str, str, int] | None:
    """An id as (prefix, year, number): YQ-2026-0018 and YQ-2026-00018 are the same number."""
    match = RECORD_ID.fullmatch(text)
    return (match["prefix"], match["year"], int(match["number"])) if match else None


def _id_taken(taken: str, ctx: Context, candidate: str | None = None) -> str:
    # The order matters: renumber first (it refuses once the other record is merged in,
    # and merging first would be an add/add conflict on the same file name).
    base = ctx.base_name
    sync = f"git fetch origin && git merge {base}" if base.startswith("origin/") else f"git merge {base}"
    same = f"(与 {candidate} 是同一个号码)" if candidate and candidate != taken else ""
    return (f"编号 {taken}{same} 在目标分支上已被 {ctx.base_ids[taken]} 占用(有人同时登记)。"
            f"请运行 `yuqing renumber {candidate or taken}`(改为下一个空闲编号:文件名和 id 一起改,一次提交;"
            f"分支名中的编号随之改),再 `{sync}`,然后 `yuqing verify`,通过后 `git push -u origin HEAD` 推送。")


# --- comparing two versions of one record ------------------------------------------

def _added_on_base(name: str, change: FileChange, ctx: Context) -> str:
    """An event someone else appended on the target branch after this branch forked (not a deletion)."""
    stem = PurePosixPath(change.path).name.removesuffix(".yml")
    return (f"{name}是别人在本分支分叉后追加到目标分支 {ctx.base_name} 上的,本分支并没有删除它:"
            f"有人同时在这个记录上追加了事件。请在最新的 main 上重做你的改动:1. yuqing event rebase {stem}"
            "(取目标分支上的最新记录,重新追加本分支的事件,一次提交,不会冲突);2. yuqing verify;"
            "3. git push。不要手工合并目标分支(两人的事件会在 timeline 中冲突)。")


def _events(record: dict[str, Any]) -> list[Any]:
    timeline = record.get("timeline")
    return timeline if isinstance(timeline, list) else []


def _show(value: Any) -> str:
    if value is None:
        return "(无)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    text = value
    return f"“{text if len(text) <= 40 else text[:40] + '…'}”"


def _time(value: Any, ctx: Context) -> datetime | None:
    from .times import parse_time, zone

    return parse_time(value, zone(ctx.config.timezone if ctx.config else "Asia/Shanghai"))


def _was(before: Any, after: Any, what: str, code: str) -> str:
    """The message of an approval: what changed, from what to what, and why it needs an approver."""
    verb = "新增了" if before is None else "删除了" if after is None else "修改了"
    return f"{verb}{what}:{_show(before)} → {_show(after)}。{row(code).reason};合并前须经审批人审核。"


def _grading_level(event: Any) -> str | None:
    if isinstance(event, dict) and event.get("type") in GRADING_EVENTS and isinstance(event.get("level"), str):
        return str(event["level"])
    return None


class Comparison:
    """One record's base and branch versions, every difference classified by the policy."""

    def __init__(self, change: FileChange, old: dict[str, Any], new: dict[str, Any], ctx: Context) -> None:
        self.change, self.old, self.new, self.ctx = change, old, new, ctx
        self.out: list[Issue] = []
        self.archived = old.get("status") == ARCHIVED
        self.pairs: dict[int, int] = {}
        """Base event index -> branch event index (the same event, maybe edited)."""
        self.added: list[int] = []
        """Branch event indices that are new (appended or inserted)."""

    # helpers
    def at(self, path: str, *, key: bool = False) -> tuple[int, int]:
        return _where(self.change.new, path, key=key)

    def old_line(self, path: str) -> int:
        return _where(self.change.old, path)[0]

    def issue(self, path: str, code: str, message: str, *, key: bool = False, where: str | None = None) -> None:
        line, column = self.at(path if where is None else where, key=key)
        self.out.append(_issue(self.change, line, column, path, code, message))

    def findings(self) -> list[Issue]:
        if self.old.get("id") != self.new.get("id"):
            self.issue("id", "id-changed", f"编号由 {self.old.get('id')!r} 改为 {self.new.get('id')!r}。登记后编号不得修改。")
        self._timeline()
        if self.archived:
            self._archived_fields()
        else:
            self._fields()
        return self.out

    # the timeline
    def _timeline(self) -> None:
        old_events, new_events = _events(self.old), _events(self.new)
        new_keys = [event_key(e) for e in new_events]
        used: set[int] = set()
        last = -1
        for index, event in enumerate(old_events):
            candidates = [j for j, k in enumerate(new_keys) if k == event_key(event) and j not in used]
            if candidates:
                after = [j for j in candidates if j > last]
                chosen = after[0] if after else candidates[0]
                self.pairs[index] = chosen
                used.add(chosen)
                last = max(last, chosen)
        # An unmatched base event whose place holds an unmatched branch event of the same type
        # (or time) was edited, not removed.
        for index in range(len(old_events)):
            if index in self.pairs:
                continue
            low = max((self.pairs[i] for i in self.pairs if i < index), default=-1)
            high = min((self.pairs[i] for i in self.pairs if i > index), default=len(new_events))
            key = event_key(old_events[index])
            gap = [j for j in range(low + 1, high) if j not in used]
            same = [j for j in gap if new_keys[j][1] == key[1]] or [j for j in gap if new_keys[j][0] == key[0]]
            if same:
                self.pairs[index] = same[0]
                used.add(same[0])
        self.added = [j for j in range(len(new_events)) if j not in used]
        self._judge_base_events(old_events, new_events)
        self._judge_new_events(old_events, new_events)

    def _judge_base_events(self, old_events: list[Any], new_events: list[Any]) -> None:
        running = -1
        forked = self.change.forked.data if self.change.forked is not None else None
        forked_events = _events(forked) if isinstance(forked, dict) else None
        for index, event in enumerate(old_events):
            key = event_key(event)
            name = f"处置经过第 {index + 1} 条“{key[1]}”({key[0]},原文件第 {self.old_line(f'timeline[{index}]')} 行)"
            if forked_events is not None and event not in forked_events \
                    and (index not in self.pairs or new_events[self.pairs[index]] != event):
                self.issue(f"timeline[{index}]", "event-removed", _added_on_base(name, self.change, self.ctx),
                           key=True, where="timeline")
                continue
            fix = (f"已记录的事件不得删除或改写;如需更正,请恢复原样,在末尾追加一条“{CORRECTION}”事件,"
                   f"在 note 中写明更正的是第 {index + 1} 条({key[0]} {key[1]})及正确内容。")
            if index not in self.pairs and self.archived:
                self.issue(f"timeline[{index}]", "archived-rewritten", f"{name}被删除。{fix}", key=True, where="timeline")
                continue
            if index not in self.pairs:
                self.issue(f"timeline[{index}]", "event-removed", f"{name}被删除。{fix}", key=True, where="timeline")
                continue
            j = self.pairs[index]
            path = f"timeline[{j}]"
            if j < running:
                self.issue(path, "event-reordered", f"{name}被调换了顺序(现为第 {j + 1} 条)。已记录的事件不得调换顺序。")
            running = max(running, j)
            after = new_events[j]
            if after == event:
                continue
            if not isinstance(after, dict) or not isinstance(event, dict):
                where, text = path, f"{name}被改写。{fix}"
            else:
                fields = sorted(set(event) | set(after), key=lambda k: (k not in ("at", "type"), k))
                diffs = [f"{k} 由 {_show(event.get(k))} 改为 {_show(after.get(k))}" for k in fields
                         if event.get(k) != after.get(k)]
                first = next(k for k in fields if event.get(k) != after.get(k))
                where, text = (join_path(path, first) if first in after else path), f"{name}被修改:{';'.join(diffs)}。{fix}"
            if self.archived:
                self.issue(where, "archived-rewritten", text)
            else:
                self.issue(where, "event-changed", text)

    def _judge_new_events(self, old_events: list[Any], new_events: list[Any]) -> None:
        last_base = max(self.pairs.values(), default=-1)
        last_time = max((t for t in (_time(e.get("at"), self.ctx) for e in old_events if isinstance(e, dict)) if t),
                        default=None)
        for j in self.added:
            event = new_events[j]
            key = event_key(event)
            path = f"timeline[{j}]"
            when = _time(event.get("at"), self.ctx) if isinstance(event, dict) else None
            inserted = j < last_base
            earlier = when is not None and last_time is not None and when < last_time
            if self.archived:
                if inserted:
                    self.issue(path, "archived-rewritten", f"已归档记录的处置经过中间插入了第 {j + 1} 条“{key[1]}”。"
                                                         f"归档后只能在末尾追加“{CORRECTION}”事件。")
                elif key[1] != CORRECTION:
                    self.issue(path, "archived-rewritten",
                              f"已归档的记录追加了“{key[1]}”事件。归档后只能追加“{CORRECTION}”事件。")
                continue
            if inserted or earlier:
                where = "插在已有事件之间" if inserted else f"时间早于目标分支上最后一条事件({last_time.isoformat() if last_time else ''})"
                self.issue(path, "event-backdated",
                          f"新增的第 {j + 1} 条“{key[1]}”({key[0]}){where},属于补录。{row('event-backdated').reason},"
                          "须经审批人审核;请在 note 中写明补录原因。")
            self._recorded_late(path, key[1], when)

    def _recorded_late(self, path: str, kind: str, when: datetime | None) -> None:
        """An appended event dated long before the audit's clock: shown with how late it was recorded."""
        config, now = self.ctx.config, self.ctx.now
        if config is None or now is None or when is None:
            return
        late = now - when
        if late > timedelta(hours=config.late_registration_hours):
            from .times import human_duration, zone

            self.issue(path, "event-recorded-late",
                      f"追加的“{kind}”时间为 {when.astimezone(zone(config.timezone)).strftime('%Y-%m-%d %H:%M')},"
                      f"现在才记录,晚了 {human_duration(late)}(register.yml 的 late_registration_hours 为 "
                      f"{config.late_registration_hours:g} 小时)。{row('event-recorded-late').reason}。")

    # fields of an open record
    def _fields(self) -> None:
        for key in dict.fromkeys([*self.old, *self.new]):
            if key in ("id", "timeline"):
                continue
            before, after = self.old.get(key), self.new.get(key)
            if before == after and (key in self.old) == (key in self.new):
                continue
            if key == "withdrawn":
                self.issue(key, "withdrawn-changed", _was(before, after, "撤销(withdrawn)", "withdrawn-changed"), key=True)
            elif key == "confidential":
                self.issue(key, "confidential-changed",
                           _was(before, after, "涉密标记(confidential)", "confidential-changed"), key=True)
            elif key in self.old and key not in self.new:
                self._removed(key)
            elif key == "level":
                self._level(before, after)
            elif key == "status":
                self._status(before, after)
            elif key in TIME_FIELDS:
                self.issue(key, "time-changed", _was(before, after, key, "time-changed"), key=True)
            elif key == "appeal":
                self._walk(key, before, after, appeal=True)
            elif key == "extensions":
                self._extensions(before, after)
            else:
                self._walk(key, before, after)

    def _removed(self, path: str) -> None:
        # The position is that of the nearest ancestor still in the branch's file.
        self.issue(path, "field-removed",
                  f"删除了 {path}(原文件第 {self.old_line(path)} 行)。已记录的内容不得删除;"
                  "记错了请恢复原值,在处置经过末尾追加一条“更正”事件说明。")

    def _walk(self, path: str, before: Any, after: Any, *, appeal: bool = False) -> None:
        """Generic comparison: filled is allowed, removed refused, changed needs approval."""
        if before == after:
            return
        if isinstance(before, dict) and isinstance(after, dict):
            for key in dict.fromkeys([*before, *after]):
                sub = join_path(path, key)
                if key in before and key not in after:
                    self._removed(sub)
                else:
                    self._walk(sub, before.get(key), after[key], appeal=appeal)
            return
        if isinstance(before, list) and isinstance(after, list):
            for index, item in enumerate(before):
                if item not in after:
                    self._removed(f"{path}[{index}]")
            return  # items added: field-filled
        if appeal:
            self.issue(path, "appeal-changed", _was(before, after, path, "appeal-changed"), key=True)
        elif before is None:
            return  # field-filled: allowed, not shown
        elif path in TEXT_FIELDS and isinstance(before, str) and isinstance(after, str):
            self.issue(path, "text-refined", f"{path} 由 {_show(before)} 改为 {_show(after)}。{row('text-refined').reason}。")
        else:
            self.issue(path, "field-changed", _was(before, after, path, "field-changed"), key=True)

    def _level(self, before: Any, after: Any) -> None:
        new_events = _events(self.new)
        grading = [j for j, e in enumerate(new_events) if _grading_level(e)]
        last = grading[-1] if grading else None
        if last is not None and last in self.added and _grading_level(new_events[last]) == after:
            return  # level-follows-events
        self.issue("level", "level-changed",
                  f"等级由 {_show(before)} 改为 {_show(after)},但处置经过末尾没有追加等级为 {_show(after)} 的定级/升级/降级事件。"
                  f"{row('level-changed').reason}。请恢复 level,追加一条升级或降级事件(写明等级),再改 level。")

    def _status(self, before: Any, after: Any) -> None:
        added_types = {event_key(_events(self.new)[j])[1] for j in self.added}
        needed = {"已平息": "平息", "已归档": "归档"}.get(str(after))
        if (needed and needed in added_types) or (not needed and added_types):
            return  # level-follows-events (status as the appended events require)
        event = needed or "处置"
        self.issue("status", "status-changed",
                  f"状态由 {_show(before)} 改为 {_show(after)},但没有追加相应的“{event}”事件。"
                  f"{row('status-changed').reason}。请先追加事件,再改 status。")

    def _extensions(self, before: Any, after: Any) -> None:
        old_items = before if isinstance(before, list) else []
        new_items = after if isinstance(after, list) else []
        for index, item in enumerate(old_items):
            path = f"extensions[{index}]"
            if index >= len(new_items):
                self._removed(path)
            else:
                self._walk(path, item, new_items[index])
        if len(new_items) > len(old_items):
            self._late_extensions(range(len(old_items), len(new_items)))

    def _late_extensions(self, indices: range) -> None:
        from .calendar import CalendarGap, WorkCalendar
        from .deadlines import clock_start, rule_due
        from .records import build_incident
        from .times import zone

        config = self.ctx.config
        if config is None or self.change.new is None:
            for index in indices:
                self.issue(f"extensions[{index}]", "extension-late",
                          "新增了延期,但目标分支的设置无法读取,无法核对批准时间是否在正常时限之内,须经审批人审核。")
            return
        tz = zone(config.timezone)
        incident, _ = build_incident(self.change.new, tz, set())
        # The clock starts at the earlier of the base's and the branch's start: moving the
        # appeal or the level later on the branch does not make a late approval look timely.
        before = build_incident(self.change.old, tz, set())[0] if self.change.old is not None else None
        calendar = WorkCalendar.from_config(config)
        for index in indices:
            path = f"extensions[{index}]"
            extension = next((e for e in incident.extensions if e.index == index), None) if incident else None
            rule = config.rule(extension.rule) if extension else None
            starts = [clock_start(i, rule) for i in (incident, before) if i is not None and rule is not None]
            start = min((s for s in starts if s is not None), default=None)
            if extension is None or rule is None or start is None:
                continue  # `yuqing check` names the unknown rule or the missing clock
            try:
                due = rule_due(rule, start, calendar)
            except CalendarGap as gap:
                self.issue(path, "extension-late", f"新增了延期,但正常时限无法计算({gap}),须经审批人审核。")
                continue
            approved = extension.approved_at
            if approved is None:
                self.issue(path, "extension-late",
                          f"新增的“{rule.title}”延期没有写批准时间(approved_at),无法核对是否在正常时限"
                          f"({due.isoformat()})之前批准,须经审批人审核。请补写批准时间。")
            elif approved > due:
                self.issue(path, "extension-late",
                          f"新增的“{rule.title}”延期批准于 {approved.isoformat()},晚于正常时限 {due.isoformat()}。"
                          f"{row('extension-late').reason}。合并前须经审批人审核。")

    # an archived record
    def _archived_fields(self) -> None:
        for key in dict.fromkeys([*self.old, *self.new]):
            if key in ("id", "timeline") or self.old.get(key) == self.new.get(key):
                continue
            before, after = self.old.get(key), self.new.get(key)
            if key == "withdrawn":
                self.issue(key, "withdrawn-changed", _was(before, after, "撤销(withdrawn)", "withdrawn-changed"), key=True)
                continue
            if key == "confidential":
                self.issue(key, "confidential-changed",
                           _was(before, after, "涉密标记(confidential)", "confidential-changed"), key=True)
                continue
            verb = "删除了" if key not in self.new else "新增了" if key not in self.old else "修改了"
            self.issue(key if key in self.new else "", "archived-rewritten",
                      f"已归档的记录{verb}“{key}”。归档后不得改写,只能在处置经过末尾追加“{CORRECTION}”事件说明更正内容。",
                      key=key in self.new)


# --- what a version says beyond its fields: offsets, mentions, clocks ----------------

def _offsets(change: FileChange, ctx: Context) -> list[Issue]:
    """Times written with an offset other than the register zone's (``time-offset``)."""
    from .rules import Context as RulesContext
    from .rules import check_time_offsets

    if ctx.config is None or change.new is None:
        return []
    rules_ctx = RulesContext(ctx.config, ctx.now or datetime.now(timezone.utc))
    # A time the base already held, written the same way, is not this branch's doing.
    before = dict(_strings(change.old.data)) if change.old is not None else {}
    after = dict(_strings(change.new.data))
    return [_issue(change, i.line, i.column, i.path, "time-offset", i.message)
            for i in check_time_offsets(change.new, rules_ctx) if before.get(i.path) != after.get(i.path)]


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, join_path(path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _mentions(change: FileChange, ctx: Context) -> list[Issue]:
    """A public record's text naming a confidential record (its id or full title): the site would leak it.

    The same needles as the site's leak guard (ids; titles of at least
    ``guard.MIN_TITLE`` characters that no public record shares). The message
    names the field and the confidential record's id (the pull request is
    internal), never the title: a finding is shown in CI logs and annotations.
    """
    from .site.guard import Scanner
    from .textscan import FREE_TEXT, field_name

    data = change.new.data if change.new is not None else None
    if not isinstance(data, dict) or data.get("confidential") is True or not ctx.secrets:
        return []
    own = data.get("id")
    secrets = [s for s in ctx.secrets if s.id != own]
    scanner = Scanner(secrets, ctx.public_titles)
    owner = {s.id: s.id for s in secrets} | {s.title.strip(): s.id for s in secrets}
    findings: list[Issue] = []
    for path, text in _strings(data):
        if field_name(path) not in FREE_TEXT or field_name(path) == "url":
            continue
        for needle in scanner.find(text):
            secret = owner.get(needle, "?")
            what = "编号" if needle == secret else "标题"
            line, column = _where(change.new, path)
            findings.append(_issue(
                change, line, column, path, "confidential-mention",
                f"公开记录的 {path} 提到了涉密记录 {secret} 的{what}。{row('confidential-mention').reason}。"
                f"请删去这段文字(涉密记录之间的关联只写在涉密记录里),或经审批把本记录也标为涉密。"))
    return findings


def _clock_findings(change: FileChange, ctx: Context) -> list[Issue]:
    """Deadlines of the base tip's version against the branch's, both with the base's settings, as of the clock.

    A deadline gone (``deadline-removed``), one whose start or due moved
    (``deadline-moved``), and one overdue on the base that the branch makes met or
    not yet due (``deadline-rescued``: an action or an extension dated before the
    due but recorded now) need an approver. An extension newly added moves the due
    by design; whether it came in time is ``extension-late``'s question.
    """
    from .calendar import WorkCalendar
    from .deadlines import STATUS_TEXT, _clock_path, compute
    from .records import build_incident
    from .times import zone

    config, now = ctx.config, ctx.now
    if config is None or now is None or change.old is None or change.new is None:
        return []
    tz = zone(config.timezone)
    old = build_incident(change.old, tz, set())[0]
    new = build_incident(change.new, tz, set())[0]
    if old is None or new is None or not old.counts or not new.counts:
        return []  # a withdrawal is withdrawn-changed's business
    calendar = WorkCalendar.from_config(config)
    before = {d.rule: d for d in compute([old], config, now, calendar).deadlines}
    after = {d.rule: d for d in compute([new], config, now, calendar).deadlines}
    local = now.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    findings: list[Issue] = []

    def stamp(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "无法计算"

    for rule_id, was in before.items():
        now_is = after.get(rule_id)
        name = f"“{was.rule_title}”时限(起算 {stamp(was.start)},截止 {stamp(was.due)},目标分支上为{STATUS_TEXT[was.status]})"
        if now_is is None:
            findings.append(_issue(change, *_where(change.new, "level"), "level", "deadline-removed",
                                   f"按目标分支的规则,截至审核时间 {local},{name}在本分支上不再存在"
                                   f"(等级或处置经过的改动让它不再适用)。{row('deadline-removed').reason},合并前须经审批人审核。"))
            continue
        moved_due = now_is.due != was.due and now_is.extended == was.extended
        rule = config.rule(rule_id)
        if (now_is.start != was.start or moved_due) and rule is not None:
            where = _clock_path(new, rule, now_is.start)
            findings.append(_issue(change, *_where(change.new, where), where, "deadline-moved",
                                   f"{name}在本分支上变为起算 {stamp(now_is.start)},截止 {stamp(now_is.due)}。"
                                   f"{row('deadline-moved').reason},合并前须经审批人审核。"))
        elif was.status in _MISSED and now_is.status in _LOOKS_KEPT:
            findings.append(_rescued(change, new, was, now_is, name, local, config))
    return findings


_MISSED = ("overdue", "met_late")
"""Statuses that record a missed clock: a change may not turn them into one that looks kept unseen."""
_LOOKS_KEPT = ("met", "pending", "due_soon")


def _new_record_clocks(change: FileChange, ctx: Context) -> list[Issue]:
    """A new record that claims a deadline met although its due passed before the record arrived.

    Nothing recorded before the due can be shown for it: every action was written
    now, dated earlier. An honest late registration can be exactly this, which is
    why it goes to an approver rather than being refused.
    """
    from .calendar import WorkCalendar
    from .deadlines import STATUS_TEXT, compute
    from .records import build_incident
    from .times import zone

    config, now = ctx.config, ctx.now
    if config is None or now is None or change.new is None:
        return []
    tz = zone(config.timezone)
    record = build_incident(change.new, tz, set())[0]
    if record is None or not record.counts:
        return []
    local = now.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    findings: list[Issue] = []
    for deadline in compute([record], config, now, WorkCalendar.from_config(config)).deadlines:
        if deadline.status != "met" or deadline.due is None or deadline.due >= now:
            continue
        rule = config.rule(deadline.rule)
        met = record.first_event(rule.met_by, since=deadline.start) if rule is not None else None
        path = f"timeline[{met.index}]" if met is not None else "timeline"
        done = (f"第 {met.index + 1} 条“{met.type}”写的时间是 {met.at.astimezone(tz).strftime('%Y-%m-%d %H:%M')}"
                if met is not None else "完成它的事件")
        line, column = _where(change.new, path)
        findings.append(_issue(change, line, column, path, "deadline-rescued",
                               f"新登记的记录把“{deadline.rule_title}”时限(截止 "
                               f"{deadline.due.astimezone(tz).strftime('%Y-%m-%d %H:%M')})记为"
                               f"“{STATUS_TEXT[deadline.status]}”:{done},却是截止之后、现在({local})才登记。"
                               f"{row('deadline-rescued').reason};合并前须经审批人审核。"))
    return findings


def _rescued(change: FileChange, new: Incident, was: Any, now_is: Any, name: str, local: str,
             config: RegisterConfig) -> Issue:
    from .deadlines import STATUS_TEXT

    rule = config.rule(now_is.rule)
    # The action is the cause only when it is new on the branch; else the due moved (an extension).
    fresh = now_is.met_at is not None and now_is.met_at != was.met_at
    met = new.first_event(rule.met_by, since=now_is.start) if rule is not None and fresh else None
    result = STATUS_TEXT[now_is.status]
    if met is not None:
        path = f"timeline[{met.index}]"
        cause = (f"完成它的第 {met.index + 1} 条“{met.type}”写的时间是 {met.at.strftime('%Y-%m-%d %H:%M')},"
                 f"却是现在({local})才记录")
    else:
        extension = next((x for x in reversed(new.extensions) if x.rule == now_is.rule), None)
        path = f"extensions[{extension.index}]" if extension else "extensions"
        approved = extension.approved_at.strftime("%Y-%m-%d %H:%M") if extension and extension.approved_at else "(未写)"
        cause = (f"新增的延期把截止时间延到 {now_is.due.strftime('%Y-%m-%d %H:%M') if now_is.due else '?'},"
                 f"批准时间写的是 {approved},却是现在({local})才记录")
    line, column = _where(change.new, path)
    return _issue(change, line, column, path, "deadline-rescued",
                  f"这一改动把{STATUS_TEXT[was.status]}的{name}变成了“{result}”:{cause}。{row('deadline-rescued').reason};"
                  "合并前须经审批人审核。")
