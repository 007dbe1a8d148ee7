"""Intake: a form a clerk filled in on the forge's web page -> a record or an event, checked and audited.

The forge renders a submitted issue form as Markdown: each question as
``### label``, a blank line, the answer (``_No response_`` when empty), dropdown
choices joined by ``", "``, checkboxes as ``- [x] label``; bodies may come
with Windows line ends. :func:`parse_body` reads that back by the labels of
the form (:mod:`yuqing.forms`), and the kind's handler in :data:`HANDLERS`
builds the record or the event through the very code of ``yuqing new`` and
``yuqing event add``: times as clerks type them (:mod:`yuqing.typed_time`),
platforms by their usual names (:mod:`yuqing.platforms`), the file written only
after it passes ``yuqing check`` and the audit. The forge enforces
``required`` only in public repositories, so everything is checked again here.

Everything a clerk typed stays data: it reaches the file through the YAML
emitter, the comment back through :func:`yuqing.render.markdown.md_text`, and
never a shell.

The publishing steps (the ``intake/issue-N`` branch, the gate, the push, the
pull request, the comment) are here too, one function each, for the CLI and
the workflow.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from .forms import KINDS, FormKind
from .model import RegisterConfig

NO_RESPONSE = "_No response_"
BRANCH_PREFIX = "intake/issue-"
_CHECKBOX = re.compile(r"-\s*\[([ xX])\]\s*(.*)")


@dataclass(frozen=True)
class Answers:
    """The answers of one submitted form: by field id, "" when left empty."""

    kind: FormKind
    values: dict[str, str]
    problems: tuple[str, ...] = ()

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass(frozen=True)
class Result:
    """What intake did: the file written (relative) or the Chinese problems (nothing written)."""

    form: str
    rel: str | None = None
    incident_id: str | None = None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    commit_message: str = ""

    @property
    def ok(self) -> bool:
        return self.rel is not None and not self.problems


# --- reading the body -------------------------------------------------------------

def normalise(body: str) -> str:
    """Line ends as ``\\n`` (forges pass Windows line ends through)."""
    return body.replace("\r\n", "\n").replace("\r", "\n")


def _headings(body: str) -> list[str]:
    return [line[4:].strip() for line in normalise(body).split("\n") if line.startswith("### ")]


def detect(body: str) -> FormKind | None:
    """The kind of form whose labels the body's ``### `` headings are (most matching; None when none fits)."""
    found = set(_headings(body))
    best: tuple[int, FormKind | None] = (0, None)
    for kind in KINDS.values():
        labels = {f.label for f in kind.fields(_LABELS_ONLY)}
        score = len(found & labels)
        if score > best[0] and score * 2 >= len(labels):
            best = (score, kind)
    return best[1]


def parse_body(body: str, kind: FormKind, config: RegisterConfig) -> Answers:
    """The answers in ``body`` for the questions of ``kind``.

    A heading counts only when it is a label of the form, in the form's order;
    a label written twice (an answer with a ``### 标题`` line of its own) is
    refused rather than guessed at.
    """
    fields = kind.fields(config)
    by_label = {f.label: f for f in fields}
    lines = normalise(body).split("\n")
    counts: dict[str, int] = {}
    for line in lines:
        if line.startswith("### ") and line[4:].strip() in by_label:
            counts[line[4:].strip()] = counts.get(line[4:].strip(), 0) + 1
    twice = [label for label, n in counts.items() if n > 1]
    if twice:
        return Answers(kind, {}, tuple(f"表单中“### {label}”出现了不止一次:回答里请不要写以 ### 开头的行。"
                                       for label in twice))
    values: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        label = line[4:].strip() if line.startswith("### ") else None
        if label in by_label:
            current = by_label[label].id
            values[current] = []
        elif current is not None:
            values[current].append(line)
    answers = {f.id: _answer(f.kind, "\n".join(values.get(f.id, []))) for f in fields}
    return Answers(kind, answers)


def _answer(kind: str, text: str) -> str:
    text = text.strip("\n")
    if text.strip() == NO_RESPONSE:
        return ""
    if kind == "checkboxes":
        checked = [m.group(2).strip() for line in text.split("\n")
                   if (m := _CHECKBOX.fullmatch(line.strip())) and m.group(1).lower() == "x"]
        return ", ".join(checked)
    if kind == "textarea":
        fence = re.fullmatch(r"(`{3,})[^\n`]*\n(.*)\n\1", text, re.DOTALL)
        return (fence.group(2) if fence else text).strip()
    return " ".join(text.split()) if kind in ("input", "dropdown") else text.strip()


# --- building records and events ------------------------------------------------------

def _required(answers: Answers, config: RegisterConfig) -> list[str]:
    return [f"“{f.label}”必须填写。" for f in answers.kind.fields(config) if f.required and not answers.get(f.id)]


def _time(answers: Answers, key: str, label: str, now: datetime, config: RegisterConfig) -> tuple[datetime | None, str | None]:
    from .times import zone
    from .typed_time import parse_typed

    text = answers.get(key)
    if not text:
        return None, None
    typed = parse_typed(text, now, zone(config.timezone))
    return typed.value, (None if typed.value is not None else f"{label}:{typed.error}")


def register_incident(root: Path, answers: Answers, config: RegisterConfig, now: datetime, *,
                      taken_extra: frozenset[str] = frozenset()) -> Result:
    """The 登记新舆情 form -> a new incident file, exactly as ``yuqing new`` writes it."""
    from .ids import next_id, taken_ids
    from .new import Draft, commit_message, problems, relative_path, render, write
    from .platforms import lookup, platform_name
    from .times import zone

    wrong = _required(answers, config)
    discovered, why = _time(answers, "discovered_at", "发现时间", now, config)
    wrong += [why] if why else []
    appeal_at, why = _time(answers, "appeal_at", "网民诉求帖的发布时间", now, config)
    wrong += [why] if why else []
    url, why = _link(answers, "url", "原帖或报道链接")
    wrong += [why] if why else []
    channel, platform = answers.get("channel"), answers.get("platform") or None
    if platform:
        found = lookup(platform, config)
        platform = platform_name(platform, config)
        if found is not None and found.platform and not channel:
            channel = found.channel
    if channel and channel not in _channels():
        found = lookup(channel, config)
        if found is not None and platform and found.platform and found.platform != platform:
            wrong.append(f"来源渠道“{channel}”是平台“{found.platform}”,与平台“{answers.get('platform')}”"
                         f"({platform})不一致:来源渠道请选 {'、'.join(_channels())} 之一,平台只填一个。")
        elif found is not None:
            channel, platform = found.channel, platform or found.platform
    if wrong:
        return Result("register", problems=tuple(wrong))
    assert discovered is not None
    draft = Draft(title=answers.get("title"), level=answers.get("level"), category=answers.get("category"),
                  unit=answers.get("unit"), discovered_at=discovered, channel=channel,
                  summary=answers.get("summary") or answers.get("title"), platform=platform,
                  url=url, appeal_posted_at=appeal_at,
                  appeal_author=answers.get("appeal_author") or None)
    wrong = problems(draft, config)
    if wrong:
        return Result("register", problems=tuple(wrong))
    taken = taken_ids(root)
    incident_id = next_id(config.id_prefix, discovered.astimezone(zone(config.timezone)).year, taken.ids | taken_extra)
    path, issues = write(root, render(draft, incident_id, config), incident_id, config, now)
    if path is None:
        return Result("register", incident_id=incident_id, problems=tuple(_issue_text(i) for i in issues))
    return Result("register", relative_path(incident_id), incident_id,
                  commit_message=commit_message(incident_id, draft.title))


def _link(answers: Answers, key: str, label: str) -> tuple[str | None, str | None]:
    """The link as ``yuqing new`` takes it (https:// added to a bare host); a Chinese problem for anything not http(s)."""
    from .new import link

    found = link(answers.get(key))
    return found.url, (f"{label}:{found.error}" if found.error else None)


def _channels() -> tuple[str, ...]:
    from .model import CHANNELS

    return CHANNELS


def add_event(root: Path, answers: Answers, config: RegisterConfig, now: datetime, **_: object) -> Result:
    """The 报送处置进展 form -> one event appended, exactly as ``yuqing event add`` does."""
    from .edit import Refused, apply, event_record
    from .edit import add_event as add
    from .model import LEVELS
    from .times import zone

    wrong = _required(answers, config)
    at, why = _time(answers, "at", "时间", now, config)
    wrong += [why] if why else []
    url, why = _link(answers, "url", "链接")
    wrong += [why] if why else []
    level, unit = answers.get("level") or None, answers.get("by") or None
    if level is not None and level not in LEVELS:
        wrong.append(f"等级“{level}”无效。可选:{' / '.join(LEVELS)}。")
    if unit is not None and unit not in config.units:
        from .words import did_you_mean

        wrong.append(f"办理单位“{unit}”不在 register.yml 的 units 中。{did_you_mean(unit, config.units)}")
    incident_id, kind = answers.get("incident").upper(), answers.get("type")
    if wrong:
        return Result("event", incident_id=incident_id or None, problems=tuple(wrong))
    assert at is not None
    try:
        record = event_record(kind, at, config, by=unit, level=level, channel=answers.get("channel") or None,
                              url=url, note=answers.get("note") or None)
    except Refused as why_not:
        return Result("event", incident_id=incident_id, problems=(str(why_not),))
    tz = zone(config.timezone)
    outcome = apply(root, incident_id, lambda text, data: add(text, data, record, tz), config, now)
    if not outcome.written:
        details = tuple(_issue_text(i) for i in outcome.issues)
        return Result("event", incident_id=incident_id, problems=(*details, outcome.refusal or "未写入。"))
    return Result("event", outcome.rel, incident_id, notes=(*outcome.notes, *outcome.warnings),
                  commit_message=f"{incident_id}: 追加事件 {kind}")


def add_review(root: Path, answers: Answers, config: RegisterConfig, now: datetime, **_: object) -> Result:
    """The 评估总结 form -> the record's ``review`` block, exactly as ``yuqing review`` writes it."""
    from .edit import REVIEW_FIELDS, apply, local_time, set_review

    wrong = _required(answers, config)
    completed, why = _time(answers, "completed_at", "完成时间", now, config)
    wrong += [why] if why else []
    parts = {key: answers.get(key) or None for key, _ in REVIEW_FIELDS if key != "completed_at"}
    if not any(parts.values()) and not answers.get("completed_at"):
        wrong.append("起因、性质、影响、责任、经验教训都没有填写:请至少填写一项。")
    incident_id = answers.get("incident").upper()
    if wrong:
        return Result("review", incident_id=incident_id or None, problems=tuple(wrong))
    review = {**parts, "completed_at": local_time(completed or now, config)}
    outcome = apply(root, incident_id, lambda text, data: set_review(text, data, review), config, now)
    if not outcome.written:
        details = tuple(_issue_text(i) for i in outcome.issues)
        return Result("review", incident_id=incident_id, problems=(*details, outcome.refusal or "未写入。"))
    return Result("review", outcome.rel, incident_id, notes=(*outcome.notes, *outcome.warnings),
                  commit_message=f"{incident_id}: 评估总结")


# What a record's keys are called on the forms (for problems found in the written file).
_FIELD_LABELS = {
    "title": "标题", "level": "等级", "category": "领域", "unit": "牵头单位", "source.channel": "来源渠道",
    "source.platform": "平台", "source.url": "原帖或报道链接", "discovered_at": "发现时间", "summary": "事件概要",
    "appeal.posted_at": "网民诉求帖的发布时间", "appeal.author": "提出诉求的网民", "at": "时间", "type": "事件类型",
    "by": "办理单位", "note": "说明", "url": "链接", "channel": "发布渠道", "review.cause": "起因",
    "review.nature": "性质", "review.impact": "影响", "review.responsibility": "责任", "review.lessons": "经验教训",
    "review.completed_at": "完成时间",
}


def _field_of(path: str) -> str | None:
    """The form label for a problem's data path (``timeline[3].note`` -> 说明); None for the file as a whole."""
    key = re.sub(r"^timeline\[\d+\]\.", "", path)
    return _FIELD_LABELS.get(key) or _FIELD_LABELS.get(key.split(".")[0])


def _issue_text(issue: object) -> str:
    """A problem in the written file, told in the form's words: "标题含有控制字符……", never "incidents/…:9(title)"."""
    from .model import Issue

    if not isinstance(issue, Issue):
        return str(issue)
    label = _field_of(issue.path) if issue.path else None
    if label is None:
        return issue.message
    if issue.path and issue.message.startswith(issue.path):
        return label + issue.message[len(issue.path):].lstrip(" ")
    return f"{label}:{issue.message}"


# CLI words in shared messages -> what a web clerk sees (longest first; applied in order).
_WEB_WORDS: tuple[tuple[str, str], ...] = (
    (r"请先运行 `yuqing review ([^`]*)` 填写,再归档。", r"请先用“评估总结”表单为 \1 填写,再报送“归档”。"),
    (r"`?yuqing review[^`,。;]*`?", "“评估总结”表单"),
    (r"`?yuqing correct[^`,。;]*`?", "“报送处置进展”表单(事件类型选“更正”)"),
    (r"`?yuqing event add[^`,。;]*`?", "“报送处置进展”表单"),
    (r"`?yuqing new[^`,。;]*`?", "“登记新舆情”表单"),
    (r"(?:用 )?`?--type (升级|降级|定级|更正|平息|归档)`?", r"在“事件类型”中选“\1”"),
    (r"`?--level`?", "“等级”"), (r"`?--type`?", "“事件类型”"), (r"`?--by`?", "“办理单位”"),
    (r"`?--at`?", "“时间”"), (r"`?--note`?", "“说明”"), (r"`?--url`?", "“链接”"),
    (r"`?--channel`?", "“发布渠道”"), (r"`?--title`?", "“标题”"), (r"`?--unit`?", "“牵头单位”"),
    (r"`?--category`?", "“领域”"), (r"`?--discovered-at`?", "“发现时间”"), (r"`?--summary`?", "“事件概要”"),
    (r"`?--platform`?", "“平台”"), (r"`?--completed-at`?", "“完成时间”"), (r"`?--cause`?", "“起因”"),
    (r"`?--nature`?", "“性质”"), (r"`?--impact`?", "“影响”"), (r"`?--responsibility`?", "“责任”"),
    (r"`?--lessons`?", "“经验教训”"),
)


def web_words(problem: str) -> str:
    """``problem`` with CLI flags and commands replaced by the web forms' fields and forms."""
    for pattern, replacement in _WEB_WORDS:
        problem = re.sub(pattern + (r"(?![\w-])" if pattern.endswith("`?") and "--" in pattern else ""),
                         replacement, problem)
    return problem


Handler = Callable[..., Result]
HANDLERS: dict[str, Handler] = {"register": register_incident, "event": add_event, "review": add_review}
MAX_BODY = 1_000_000
"""Bytes of a form's body (a record file may not be larger)."""
"""What each kind of form does, by :data:`yuqing.forms.KINDS` key (the seam for new forms)."""


def run(root: Path, body: str, form: str, config: RegisterConfig, now: datetime, *,
        taken_extra: frozenset[str] = frozenset()) -> Result:
    """Read ``body`` as form ``form`` (or ``auto``) and carry it out; nothing is written on problems.

    Problems speak of the form's fields and forms, never of CLI flags, commands or file lines.
    """
    if len(body.encode("utf-8")) > MAX_BODY:
        return Result(form, problems=("表单内容过长(超过 1 MB):请删去大段粘贴的原文,只留要点和链接。",))
    result = _run(root, body, form, config, now, taken_extra=taken_extra)
    if result.problems:
        from dataclasses import replace

        return replace(result, problems=tuple(web_words(p) for p in result.problems))
    return result


def _run(root: Path, body: str, form: str, config: RegisterConfig, now: datetime, *,
         taken_extra: frozenset[str]) -> Result:
    kind = detect(body) if form == "auto" else KINDS.get(form)
    if kind is None:
        names = "、".join(k.name for k in KINDS.values())
        return Result(form, problems=(f"这不是网页登记表单的内容(应为:{names})。请用“新建”时列出的表单填写。",))
    answers = parse_body(body, kind, config)
    if answers.problems:
        return Result(kind.key, problems=answers.problems)
    return HANDLERS[kind.key](root, answers, config, now, taken_extra=taken_extra)


# --- who may use the forms ----------------------------------------------------------

def allowed(login: str, config: RegisterConfig, in_team: Callable[[str, str], bool] | None = None) -> bool:
    """Whether ``login`` is in ``intake.allowed``: by name (any case), or through a team ``org/team``."""
    wanted = login.strip().lstrip("@").casefold()
    if not wanted:
        return False
    names = [a for a in config.intake.allowed if "/" not in a]
    if wanted in {a.casefold() for a in names}:
        return True
    teams = [a for a in config.intake.allowed if "/" in a]
    return in_team is not None and any(in_team(team, login.strip().lstrip("@")) for team in teams)


# --- publishing: branch, gate, push ---------------------------------------------------

def branch_for(issue: int) -> str:
    return f"{BRANCH_PREFIX}{issue}"


def start_branch(root: Path, issue: int, base: str) -> str | None:
    """Switch to a fresh ``intake/issue-N`` at ``origin/<base>`` (else ``<base>``): an edit starts over."""
    from .gitwork import git

    start = f"origin/{base}" if git(root, "rev-parse", "--verify", "--quiet", f"origin/{base}^{{commit}}").ok else base
    done = git(root, "switch", "--quiet", "--force-create", branch_for(issue), start)
    return None if done.ok else f"无法创建分支 {branch_for(issue)}:{done.output}"


def pending_ids(root: Path, base: str, own: str) -> frozenset[str]:
    """Ids that other open pull-request branches on origin add (``ids.PENDING_PREFIXES``): never handed out twice."""
    from .ids import pending_records

    records = pending_records(root, f"origin/{base}", skip=(f"origin/{own}",))
    return frozenset(i for added in records.values() for i in added)


RACE_ATTEMPTS = 3
"""How often intake allocates an id anew when another form's run took it meanwhile (then it asks for ``/重试``)."""


def id_clash(root: Path, base: str, own: str, incident_id: str) -> str | None:
    """Where ``incident_id`` is taken now (call after a fresh fetch): ``origin/<base>`` or another pending branch.

    Two issues submitted together run in parallel (one concurrency group per
    issue): the later push must not reuse the id the earlier one took.
    """
    from .gitwork import git
    from .new import relative_path

    if git(root, "cat-file", "-e", f"origin/{base}:{relative_path(incident_id)}").ok:
        return f"origin/{base}"
    from .ids import pending_records

    records = pending_records(root, f"origin/{base}", skip=(f"origin/{own}",))
    return next((ref for ref, added in records.items() if incident_id in added), None)


def race_comment(incident_id: str) -> str:
    """Said on the issue when the id was taken by other forms at every attempt."""
    return (f"**未能登记**:同时提交的其他网页表单接连占用了编号(最后一次为 {incident_id}),"
            f"重新分配 {RACE_ATTEMPTS} 次仍未成功,未打开合并请求。请稍后在本页评论 `/重试`,"
            "会重新分配编号并处理。\n")


@dataclass(frozen=True)
class Gate:
    """The pull request's checks, run by the intake job itself (a bot's PR starts no workflow on Gitea)."""

    ok: bool
    steps: tuple[tuple[str, str, int, str], ...] = field(default_factory=tuple)
    """(Chinese title, command line, exit code, output) per step."""


def run_gate(root: Path, base_ref: str) -> Gate:
    """``yuqing verify``'s steps against ``base_ref`` (the same as pr.yml), each in its own process."""
    from .verify import STEPS

    steps = []
    for step in STEPS:
        argv = step.argv(base_ref)
        done = subprocess.run([sys.executable, "-c", "from yuqing.cli import run; run()", *argv, "--root", str(root)],
                              cwd=root, capture_output=True, text=True, timeout=600)
        steps.append((step.title, "yuqing " + " ".join(argv), done.returncode, (done.stdout + done.stderr).strip()))
    return Gate(all(code == 0 for _, _, code, _ in steps), tuple(steps))


def push_branch(root: Path, branch: str) -> str | None:
    """Force-push ``branch`` (and only it) to origin: an edited issue replaces its own branch."""
    from .gitwork import PUSH_SECONDS, git

    done = git(root, "push", "--quiet", "--force", "origin", f"HEAD:refs/heads/{branch}", timeout=PUSH_SECONDS)
    return None if done.ok else f"推送 {branch} 失败:{done.output}"


# --- what is said back on the issue --------------------------------------------------------

def problems_comment(result: Result, issue: int | None = None, *, earlier: bool = False) -> str:
    """The Chinese comment listing what to correct (every line made inert Markdown).

    ``earlier``: an edit went wrong while the issue's pull request from before is open.
    """
    from .render.markdown import md_text

    lines = ["**未能登记**:表单内容有以下问题,请直接编辑本页内容改正(保存后会自动重新处理),"
             "或改好后评论 `/重试`。", ""]
    lines += [f"- {md_text(p)}" for p in result.problems]
    if earlier:
        lines += ["", f"此前为本页生成的合并请求(分支 `{BRANCH_PREFIX}{issue}`)**仍是上一次的内容**,这次的修改没有"
                      "写入;改正后会随之更新。"]
    return "\n".join(lines) + "\n"


def pull_body(result: Result, issue: int, author: str, gate: Gate, base: str) -> str:
    """The pull request's description: where it came from, and that the gate already ran."""
    from .render.markdown import md_text

    lines = [f"由网页表单 #{issue} 生成(提交人 {md_text(author)})。", "",
             f"- 文件:`{result.rel}`", f"- 提交说明:{md_text(result.commit_message)}"]
    lines += [f"- {md_text(note)}" for note in result.notes]
    lines += ["", "**打开本合并请求之前,登记作业已运行与合并请求审核相同的检查,均已通过**"
              "(机器人打开的合并请求在 Gitea 上不会触发工作流,在 GitHub 上须经批准才运行):", ""]
    lines += [f"- {title}:`{command}` 通过" for title, command, _, _ in gate.steps]
    lines += ["", f"审核人核对后合并到 {base} 即完成登记。修改请编辑 #{issue} 的内容,本分支会随之更新。", "",
              f"Closes #{issue}"]
    return "\n".join(lines) + "\n"


def gate_comment(gate: Gate) -> str:
    lines = ["**未能登记**:生成的改动没有通过合并请求的检查,未打开合并请求。", ""]
    for title, command, code, output in gate.steps:
        lines.append(f"- {title}(`{command}`):{'通过' if code == 0 else '未通过'}")
        if code:
            lines += ["", "```text", *output.replace("```", "'''").splitlines()[:40], "```", ""]
    return "\n".join(lines) + "\n"


class _LabelsOnly:
    """Stands in for the settings where only the labels of a form are needed (detect)."""

    categories: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


_LABELS_ONLY: RegisterConfig = _LabelsOnly()  # type: ignore[assignment]
