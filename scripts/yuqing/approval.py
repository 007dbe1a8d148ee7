"""Approval-class changes pass only with a named approver's review.

`yuqing audit` lists the changes that need an approver; this module makes the
list binding. The decision is a pure function of (the audit's findings, the pull
request's reviews, the base's ``approvers:`` in register.yml, the head commit,
the pull request's author): with no approval finding it passes; otherwise it
passes only when a listed approver (not the author) has an APPROVED review on
the head commit and no listed approver's latest review requests changes.

The reviews come from the forge's REST API, GitHub or Gitea / Forgejo:

* GitHub ``GET /repos/{owner}/{repo}/pulls/{n}/reviews?per_page=100&page=k`` ->
  ``[{"user": {"login"}, "state": "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" |
  "DISMISSED" | "PENDING", "commit_id", "submitted_at"}]``;
* Gitea ``GET /repos/{owner}/{repo}/pulls/{index}/reviews?limit=50&page=k`` ->
  ``[{"user": {"login"}, "state": "APPROVED" | "REQUEST_CHANGES" | "COMMENT" |
  "PENDING" | "REQUEST_REVIEW", "commit_id", "dismissed", "stale", "submitted_at"}]``.

The fetch is written here (plain ``urllib``): :mod:`yuqing.forge` has the
forge's address, repository and kind (``from_environment``), but no public call
for a GET; the token is the workflow's own (``GITHUB_TOKEN``, ``pull-requests:
read``), or ``YUQING_BOT_TOKEN`` when set.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .forge import TIMEOUT, Forge, ForgeError, from_environment
from .model import Issue

APPROVED, CHANGES_REQUESTED, DISMISSED = "APPROVED", "CHANGES_REQUESTED", "DISMISSED"
_STATES = {"REQUEST_CHANGES": CHANGES_REQUESTED, "COMMENT": "COMMENTED"}
"""Gitea's names for GitHub's states."""
_PAGES = 20
"""At most this many pages of reviews are read (2,000 on GitHub, 1,000 on Gitea)."""


@dataclass(frozen=True)
class Review:
    login: str
    state: str
    """GitHub's names: APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING."""
    commit: str
    """The commit the review was made on."""


@dataclass(frozen=True)
class Decision:
    ok: bool
    message: str
    """Chinese: why the gate passes or not, and what to do."""
    approved_by: tuple[str, ...] = ()


def review_from_json(item: Mapping[str, Any]) -> Review | None:
    """One review of either forge in GitHub's terms (None for what is not a review)."""
    found = item.get("user")
    user: Mapping[str, Any] = found if isinstance(found, dict) else {}
    login = str(user.get("login") or user.get("username") or "")
    state = str(item.get("state") or "").upper()
    state = _STATES.get(state, state)
    if item.get("dismissed") is True or (item.get("stale") is True and state == "APPROVED"):
        state = DISMISSED  # Gitea marks an approval stale once new commits arrive: it no longer counts
    if not login or not state:
        return None
    return Review(login, state, str(item.get("commit_id") or ""))


def decide(findings: Iterable[Issue], reviews: Iterable[Review], approvers: Iterable[str], head: str,
           author: str | None = None) -> Decision:
    """Whether the approval-class changes of a pull request are approved (pure).

    Each reviewer's latest review that is not a comment counts (a later
    dismissal or request for changes withdraws an approval); an approval counts
    only on the head commit (a new push needs a new review), only from a login in
    ``approvers`` (compared without case, as forges do), and never from the
    pull request's author.
    """
    needed = [f for f in findings if f.severity == "approval"]
    if not needed:
        return Decision(True, "没有需要审批的改动,无须审批人批准。")
    listed = {a.casefold(): a for a in approvers if a.strip()}
    if not listed:
        return Decision(False, f"有 {len(needed)} 处改动需要审批,但目标分支的 register.yml 没有列出审批人"
                               "(approvers:平台登录名)。请先经审批在 register.yml 中列出审批人。")
    latest: dict[str, Review] = {}
    for review in reviews:
        if review.state in (APPROVED, CHANGES_REQUESTED, DISMISSED):
            latest[review.login.casefold()] = review
    own = (author or "").casefold()
    blocking = sorted(r.login for k, r in latest.items() if k in listed and r.state == CHANGES_REQUESTED)
    approved = sorted(r.login for k, r in latest.items()
                      if k in listed and k != own and r.state == APPROVED and r.commit == head)
    stale = sorted(r.login for k, r in latest.items()
                   if k in listed and k != own and r.state == APPROVED and r.commit != head)
    names = "、".join(listed.values())
    if blocking:
        return Decision(False, f"审批人 {'、'.join(blocking)} 要求修改;修改后须重新批准。")
    if approved:
        return Decision(True, f"{len(needed)} 处需要审批的改动已由审批人 {'、'.join(approved)} 在最新提交 {head[:8]} 上批准。",
                        tuple(approved))
    why = (f"审批人 {'、'.join(stale)} 批准的是较早的提交,之后又有新提交,须在最新提交 {head[:8]} 上重新批准。"
           if stale else f"还没有审批人批准最新提交 {head[:8]}。")
    mine = "(合并请求的作者不能批准自己的改动。)" if own in listed else ""
    return Decision(False, f"有 {len(needed)} 处改动需要审批(见“需要审批”清单):{why}"
                           f"审批人(目标分支 register.yml 的 approvers):{names}。{mine}")


# --- the forge ------------------------------------------------------------------

def forge_from_environment(env: Mapping[str, str]) -> Forge:
    """The forge of this job, with the workflow's own token when no bot token is set."""
    merged = dict(env)
    if not merged.get("YUQING_BOT_TOKEN") and merged.get("GITHUB_TOKEN"):
        merged["YUQING_BOT_TOKEN"] = merged["GITHUB_TOKEN"]
    if not merged.get("YUQING_BOT_TOKEN"):
        raise ForgeError("没有读取审核记录的令牌:请在工作流中设置 GITHUB_TOKEN: ${{ github.token }}"
                         "(权限 pull-requests: read)。")
    return from_environment(merged)


def fetch_reviews(forge: Forge, number: int) -> list[Review]:
    """Every review of pull request ``number``, oldest first (all pages)."""
    reviews: list[Review] = []
    size = 100 if forge.kind == "github" else 50
    for page in range(1, _PAGES + 1):
        query = urllib.parse.urlencode({"per_page" if forge.kind == "github" else "limit": size, "page": page})
        found = _get(forge, f"/repos/{forge.repo}/pulls/{int(number)}/reviews?{query}")
        if not isinstance(found, list):
            raise ForgeError(f"代码托管平台对合并请求 {number} 审核记录的回答不是列表。")
        reviews += [r for item in found if isinstance(item, dict) and (r := review_from_json(item)) is not None]
        if len(found) < size:
            return reviews
    # More reviews than we read: a later "changes requested" could be among them. Fail closed.
    raise ForgeError(f"合并请求 {number} 的审核记录超过 {_PAGES} 页,未能全部读取;请在平台上处理后重新运行。")


def _get(forge: Forge, path: str) -> Any:
    url = forge.api.rstrip("/") + path
    scheme = "Bearer" if forge.kind == "github" else "token"
    headers = {"Accept": "application/vnd.github+json" if forge.kind == "github" else "application/json",
               "Authorization": f"{scheme} {forge.token}", "User-Agent": "yuqing-audit"}
    request = urllib.request.Request(url, method="GET", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (URL from the runner)
            body = response.read()
    except urllib.error.HTTPError as error:
        why = {401: "令牌无效", 403: "令牌没有读取合并请求的权限(pull-requests: read)",
               404: "找不到这个合并请求(编号或仓库不对)"}.get(error.code, f"HTTP {error.code}")
        raise ForgeError(f"读取审核记录失败:{why}。") from None
    except (urllib.error.URLError, OSError) as error:
        raise ForgeError(f"无法连接代码托管平台 {forge.api}({getattr(error, 'reason', error)})。") from None
    try:
        return json.loads(body or b"[]")
    except ValueError:
        raise ForgeError("代码托管平台的回答不是 JSON。") from None
