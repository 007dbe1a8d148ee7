"""Put the clocks that turned red into the duty group: WeCom, DingTalk or Feishu group robots.

Stateless by design, so nothing has to survive between CI runs: a run sends
the deadlines that *became* overdue or due-soon within its window, plus, at the
digest times of working days, a digest of every live deadline. The window is
the schedule's slot, not the run's clock (:func:`window`): a scheduled run
that starts at 08:41 for the 08:35 slot speaks of ``(08:05, 08:35]``, the next
slot's run of ``(08:35, 09:05]``, so a late start neither repeats nor loses a
clock. Residual risk: a run the forge skips altogether leaves its slot unsaid
(the next digest lists those clocks), and a run that starts more than one
interval late is taken for the next slot's run.

A deadline already past when its record reached the branch (registered or
imported late, or a level raised that brings a rule already due) never
*turns* red inside a window; it is said once as 新登记即已逾期 by the run whose
window holds the commit that changed the record (:func:`changed_records`).
Any later change of that record in another window says it again, which is a
reminder, not noise: the record was touched while the clock stood red. Each message
carries the register's name (DingTalk's keyword security), is split at the
robot's byte limit, and at most 20 go out a minute.

Robots (request shapes from each vendor's robot documentation):

* WeCom 企业微信: ``{"msgtype":"markdown","markdown":{"content":…}}``, 4,096 bytes;
  the key in the URL is the secret.
* DingTalk 钉钉: ``{"msgtype":"markdown","markdown":{"title","text"}}``; with a secret, the
  URL carries ``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(secret, "{ts}\\n{secret}")).
* Feishu 飞书: ``{"msg_type":"post","content":{"post":{"zh_cn":{"title","content"}}}}``; with a
  secret, ``timestamp`` (s) and ``sign`` = base64(HMAC-SHA256(key="{ts}\\n{secret}", msg=b"")).

Confidential records leave as their id and "有逾期时限(涉密事件,详见台账)" only:
no title, rule, due time or unit (each would tell what the record is about).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time as _time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Callable, Iterable

from .model import Deadline, RegisterConfig

PER_MINUTE = 20
CONFIDENTIAL_LINE = "有逾期时限(涉密事件,详见台账)"
"""All that is said of a confidential record's clock (after its id)."""
TIMEOUT = 15


@dataclass(frozen=True)
class Robot:
    key: str
    name: str
    limit: int
    """Bytes of UTF-8 a message's text may take."""
    gap: float = 0.0
    """Seconds between two messages (Feishu: at most 5 a second)."""


ROBOTS: dict[str, Robot] = {
    "wecom": Robot("wecom", "企业微信", 4096),
    "dingtalk": Robot("dingtalk", "钉钉", 4000),  # the documented limit is larger; 4,000 keeps a phone screen readable
    "feishu": Robot("feishu", "飞书", 12000, gap=0.25),    # the whole request may be 20 KB, with JSON around every line
}

ERRORS: dict[int, str] = {
    40058: "消息超过长度上限",
    45009: "发送太频繁(每分钟最多 20 条)",
    93000: "机器人网址无效或机器人已被移出群",
    310000: "钉钉安全设置未通过(签名、关键词或 IP 地址)",
    410100: "发送太频繁,已被限流",
    19021: "飞书签名校验失败(密钥或时间不对)",
    19022: "飞书 IP 地址不在白名单中",
    19024: "飞书关键词校验失败",
    11232: "飞书发送太频繁(避免整点、半点发送)",
}


# --- what to say ----------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """The deadlines one run speaks of."""

    overdue: tuple[Deadline, ...] = ()
    due_soon: tuple[Deadline, ...] = ()
    digest: tuple[Deadline, ...] | None = None
    """Every live deadline, when this run is a digest run; None otherwise."""
    arrived_overdue: tuple[Deadline, ...] = ()
    """Overdue before the window, in a record changed within it (registered or imported late)."""

    @property
    def empty(self) -> bool:
        return not self.overdue and not self.due_soon and not self.digest and not self.arrived_overdue


def window(now: datetime, interval_minutes: int, offset_minutes: int = 0) -> tuple[datetime, datetime]:
    """(start, end] of the schedule slot ``now`` belongs to: end is the latest slot at or before ``now``.

    Slots are every ``interval_minutes`` from ``offset_minutes`` past midnight UTC
    (cron ``5,35 * * * *``: interval 30, offset 5), as the forge's scheduler counts.
    """
    interval = max(1, interval_minutes)
    minutes = int(now.timestamp() // 60)
    end_minute = (minutes - offset_minutes) // interval * interval + offset_minutes
    end = datetime.fromtimestamp(end_minute * 60, now.tzinfo)
    return end - timedelta(minutes=interval), end


def changed_records(root: Any, start: datetime, end: datetime) -> frozenset[str]:
    """Ids of the records whose file changed on the checked-out branch in ``(start, end]`` (commit time, first parent).

    A merge counts when it lands; outside git nothing is known and nothing counts.
    """
    from .gitwork import git

    done = git(root, "log", "--first-parent", "-m", "--name-only", "--format=",
               f"--since={start.isoformat()}", f"--until={end.isoformat()}", "HEAD", "--", "incidents")
    if not done.ok:
        return frozenset()
    return frozenset(line.rsplit("/", 1)[-1][:-4] for line in done.output.splitlines() if line.endswith(".yml"))


def select(deadlines: Iterable[Deadline], config: RegisterConfig, now: datetime, since: timedelta,
           digest_times: Iterable[time] = (), is_workday: Callable[[datetime], bool] | None = None,
           arrived: Iterable[str] = ()) -> Selection:
    """What turned overdue or due-soon in ``(now - since, now]``, and the digest when a digest time fell in it.

    ``arrived``: ids of records changed in the window; their deadlines already
    overdue before it are said once as 新登记即已逾期.
    """
    start = now - since
    changed = frozenset(arrived)
    overdue, soon, live, late = [], [], [], []
    for deadline in deadlines:
        if not deadline.incident_open or deadline.due is None and deadline.status != "unknown":
            continue
        if deadline.status in ("overdue", "due_soon", "unknown"):
            live.append(deadline)
        if deadline.due is None:
            continue
        if deadline.status == "overdue" and start < deadline.due <= now:
            overdue.append(deadline)
        elif deadline.status == "overdue" and deadline.due <= start and deadline.incident in changed:
            late.append(deadline)
        rule = config.rule(deadline.rule)
        if deadline.status == "due_soon" and rule is not None:
            turned = deadline.due - timedelta(minutes=rule.due_soon_minutes)
            if start < turned <= now:
                soon.append(deadline)
    digest = None
    local = now.astimezone(now.tzinfo)
    for moment in digest_times:
        at = local.replace(hour=moment.hour, minute=moment.minute, second=0, microsecond=0)
        for day in (at, at - timedelta(days=1)):  # a window across midnight
            if start < day <= now and (is_workday is None or is_workday(day)):
                digest = tuple(sorted(live, key=_urgency))
    return Selection(tuple(sorted(overdue, key=_urgency)), tuple(sorted(soon, key=_urgency)), digest,
                     tuple(sorted(late, key=_urgency)))


def _urgency(deadline: Deadline) -> tuple[int, float, str]:
    order = {"overdue": 0, "unknown": 1, "due_soon": 2}
    return order.get(deadline.status, 3), deadline.due.timestamp() if deadline.due else 0.0, deadline.incident


def _short(moment: datetime | None, tz: Any) -> str:
    return moment.astimezone(tz).strftime("%m-%d %H:%M") if moment else "?"


def _line(deadline: Deadline, now: datetime, tz: Any, hidden: frozenset[str]) -> str:
    from .render.deadlines import situation

    if deadline.incident in hidden:
        said = CONFIDENTIAL_LINE if deadline.status == "overdue" else CONFIDENTIAL_LINE.replace("逾期", "临期")
        return f"{deadline.incident} {said}"
    title = deadline.title
    return (f"{deadline.incident} {title}:{deadline.rule_title},截止 {_short(deadline.due, tz)},"
            f"{situation(deadline, now)}(牵头:{deadline.unit})")


@dataclass(frozen=True)
class Section:
    heading: str
    color: str
    """WeCom font colour: warning (orange), info (green), comment (grey)."""
    lines: tuple[str, ...]


MORE = "另有 {count} 项,见台账站点的时限页或 yuqing deadlines。"


def _priority(deadline: Deadline) -> tuple[int, int, float, str]:
    """Most urgent first: higher level, then overdue before unknown before due-soon, then the longest late."""
    from .model import LEVELS

    level = LEVELS.index(deadline.level) if deadline.level in LEVELS else -1
    return (-level, *_urgency(deadline))


def _lines(deadlines: tuple[Deadline, ...], now: datetime, tz: Any, hidden: frozenset[str], cap: int) -> tuple[str, ...]:
    """The lines of a section: all, or the ``cap`` most urgent and how many more there are."""
    if not cap or len(deadlines) <= cap:
        return tuple(_line(d, now, tz, hidden) for d in deadlines)
    chosen = sorted(deadlines, key=_priority)[:cap]
    return (*(_line(d, now, tz, hidden) for d in chosen), MORE.format(count=len(deadlines) - cap))


def sections(selection: Selection, now: datetime, tz: Any, hidden: frozenset[str] = frozenset(),
             cap: int = 0) -> list[Section]:
    """The sections of a run's messages; with ``cap``, each lists at most that many (most urgent first)."""
    found = []
    if selection.overdue:
        found.append(Section(f"新逾期 {len(selection.overdue)} 项", "warning",
                             _lines(selection.overdue, now, tz, hidden, cap)))
    if selection.arrived_overdue:
        found.append(Section(f"新登记即已逾期 {len(selection.arrived_overdue)} 项", "warning",
                             _lines(selection.arrived_overdue, now, tz, hidden, cap)))
    if selection.due_soon:
        found.append(Section(f"新临期 {len(selection.due_soon)} 项", "info",
                             _lines(selection.due_soon, now, tz, hidden, cap)))
    if selection.digest is not None:
        lines = _lines(selection.digest, now, tz, hidden, cap) or ("当前没有逾期、临期的时限。",)
        found.append(Section(f"汇总:未办结的逾期、临期时限 {len(selection.digest)} 项", "comment", lines))
    return found


# --- how each robot says it -----------------------------------------------------------------

def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, limit: int) -> str:
    if _utf8(text) <= limit:
        return text
    while _utf8(text + "…") > limit:
        text = text[:-1]
    return text + "…"


def _render(robot: str, title: str, parts: list[tuple[Section, list[str]]]) -> str:
    """The text of one message (WeCom/DingTalk markdown, Feishu plain lines)."""
    from .render.markdown import md_text

    if robot == "feishu":  # the title line again in the text: keyword security looks at the text
        out = [title]
        for section, lines in parts:
            out += [f"【{section.heading}】", *lines]
        return "\n".join(out)
    out = [f"**{md_text(title)}**"]
    for section, lines in parts:
        heading = (f'<font color="{section.color}">{md_text(section.heading)}</font>' if robot == "wecom"
                   else f"**{md_text(section.heading)}**")
        out += ["", heading, *(f"> {md_text(line)}" for line in lines)]
    return "\n".join(out)


def messages(robot: str, config: RegisterConfig, found: list[Section], now: datetime, tz: Any) -> list[tuple[str, str]]:
    """(title, text) per message: every line once, in order, each message within the robot's byte limit.

    Packed by rendering (escaping can lengthen a line), so the limit holds for
    the text that is sent; a single line too long for a message is shortened.
    """
    limit = ROBOTS[robot].limit
    name = " ".join(config.name.split())
    base_title = f"{name}:时限提醒 {now.astimezone(tz):%m-%d %H:%M}"
    widest = base_title + "(续 999/999)"
    packed: list[list[tuple[Section, list[str]]]] = [[]]

    def fits(parts: list[tuple[Section, list[str]]]) -> bool:
        return _utf8(_render(robot, widest, parts)) <= limit

    for section in found:
        for line in section.lines:
            trial = _with(packed[-1], section, line)
            if fits(trial):
                packed[-1] = trial
                continue
            trial = _with([], section, line)
            room = limit
            while not fits(trial) and room > 16:  # alone and still too long: shorten the line
                room //= 2
                trial = _with([], section, _cut(line, room))
            packed.append(trial)
    packed = [p for p in packed if p]
    out = []
    for number, parts in enumerate(packed, 1):
        title = base_title + (f"(续 {number}/{len(packed)})" if len(packed) > 1 else "")
        out.append((title, _render(robot, title, parts)))
    return out


def _with(parts: list[tuple[Section, list[str]]], section: Section, line: str) -> list[tuple[Section, list[str]]]:
    out = [(s, list(lines)) for s, lines in parts]
    if not out or out[-1][0] is not section:
        out.append((section, []))
    out[-1][1].append(line)
    return out


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")), URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=empty))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode("utf-8"), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def request(robot: str, webhook: str, secret: str | None, title: str, text: str, now_s: float) -> tuple[str, dict[str, Any]]:
    """(URL, JSON body) of one message, signed when a secret is given."""
    if robot == "wecom":
        return webhook, {"msgtype": "markdown", "markdown": {"content": text}}
    if robot == "dingtalk":
        url = webhook
        if secret:
            ms = int(now_s * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={ms}&sign={dingtalk_sign(secret, ms)}"
        return url, {"msgtype": "markdown", "markdown": {"title": title, "text": text},
                     "at": {"atMobiles": [], "isAtAll": False}}
    body: dict[str, Any] = {"msg_type": "post", "content": {"post": {"zh_cn": {
        "title": title, "content": [[{"tag": "text", "text": line}] for line in text.split("\n")]}}}}
    if secret:
        seconds = int(now_s)
        body = {"timestamp": str(seconds), "sign": feishu_sign(secret, seconds), **body}
    return webhook, body


def masked(url: str) -> str:
    """``url`` with the robot's key hidden (``key=``, ``access_token=``, a Feishu hook's last segment); signatures kept."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, "****" if k.lower() in ("key", "access_token", "token") else v)
             for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)]
    path = parts.path
    if "/hook/" in path:
        path = path[:path.rindex("/hook/") + 6] + "****"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, urllib.parse.urlencode(query, safe="*"),
                                    parts.fragment))


# --- sending --------------------------------------------------------------------------------

@dataclass
class RateLimit:
    """At most ``per_minute`` sends in any 60 seconds: waits (``sleep``) rather than being throttled."""

    per_minute: int = PER_MINUTE
    clock: Callable[[], float] = _time.monotonic
    sleep: Callable[[float], None] = _time.sleep
    sent: list[float] = field(default_factory=list)
    gap: float = 0.0

    def wait(self) -> None:
        now = self.clock()
        if self.gap and self.sent and now - self.sent[-1] < self.gap:
            self.sleep(self.gap - (now - self.sent[-1]))
            now = self.clock()
        self.sent = [t for t in self.sent if now - t < 60]
        if len(self.sent) >= self.per_minute:
            pause = 60 - (now - self.sent[0])
            if pause > 0:
                self.sleep(pause)
            now = self.clock()
            self.sent = [t for t in self.sent if now - t < 60]
        self.sent.append(now)


def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST ``body`` as JSON; the robot's answer (raises OSError-derived errors on the network)."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "yuqing-notify"})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as response:  # noqa: S310 (URL from the secret)
        answer = json.loads(response.read() or b"{}")
    return answer if isinstance(answer, dict) else {}


def refusal(robot: str, answer: dict[str, Any]) -> str | None:
    """The robot's error in Chinese, None when it accepted the message."""
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    try:
        number = int(code or 0)
    except (TypeError, ValueError):
        number = -1
    if number == 0:
        return None
    said = str(answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or "")[:200]
    meaning = ERRORS.get(number, "机器人拒绝了消息")
    return f"{ROBOTS[robot].name}机器人返回错误 {number}:{meaning}" + (f"(原文:{said})" if said else "") + "。"


def send(robot: str, webhook: str, secret: str | None, items: list[tuple[str, str]], *,
         limiter: RateLimit | None = None, wall: Callable[[], float] = _time.time,
         transport: Callable[[str, dict[str, Any]], dict[str, Any]] = post) -> list[str]:
    """Send every message; the Chinese problems (empty when all went out). The webhook is never in a message."""
    limiter = limiter or RateLimit(gap=ROBOTS[robot].gap)
    problems = []
    for number, (title, text) in enumerate(items, 1):
        limiter.wait()
        url, body = request(robot, webhook, secret, title, text, wall())
        try:
            answer = transport(url, body)
        except urllib.error.HTTPError as error:
            problems.append(f"第 {number} 条未发出:机器人网址返回 HTTP {error.code}。")
            continue
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            problems.append(f"第 {number} 条未发出:无法连接机器人({reason})。请确认运行器能访问机器人的网址"
                            "(内网请见 docs/guide/intake.md)。")
            continue
        why = refusal(robot, answer)
        if why:
            problems.append(f"第 {number} 条未发出:{why}")
    return problems


def parse_since(text: str) -> timedelta | None:
    """``30``, ``30m``, ``2h``, ``1d`` -> a positive duration; None when it is not one."""
    import re

    match = re.fullmatch(r"\s*(\d{1,5})\s*(m|min|h|d|分钟|小时|天)?\s*", text)
    if not match or int(match.group(1)) == 0:
        return None
    unit = {"h": 60, "小时": 60, "d": 1440, "天": 1440}.get(match.group(2) or "m", 1)
    return timedelta(minutes=int(match.group(1)) * unit)


def parse_digest(text: str) -> list[time] | None:
    """``08:30,14:00`` -> times; None when a part is not ``HH:MM``."""
    found = []
    for part in (p.strip() for p in text.replace(",", ",").split(",")):
        if not part:
            continue
        try:
            found.append(time.fromisoformat(part if len(part) == 5 else "0" + part))
        except ValueError:
            return None
    return found
