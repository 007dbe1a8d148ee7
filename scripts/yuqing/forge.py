"""A small REST client for the forge: GitHub, or Gitea / Forgejo (the same API), chosen from the environment.

Only what intake needs: find or open the pull request of a branch, comment on
an issue, ask whether a login is in a team. Plain ``urllib`` (no ``gh``,
which Gitea lacks, and no new dependency). Every failure becomes
:class:`ForgeError` with a Chinese message; the token never appears in one.

Endpoints (GitHub REST v3 / Gitea API v1):

* open a PR: ``POST /repos/{owner}/{repo}/pulls`` ``{"title","head","base","body"}`` -> ``{"number","html_url"}``
* list open PRs: ``GET /repos/{owner}/{repo}/pulls?state=open`` (GitHub also ``&head=owner:branch``)
  -> ``[{"number","html_url","head":{"ref"}}]``
* comment: ``POST /repos/{owner}/{repo}/issues/{n}/comments`` ``{"body"}`` -> ``{"id","html_url"}``
* team membership: GitHub ``GET /orgs/{org}/teams/{slug}/memberships/{login}`` -> ``{"state":"active"}`` or 404;
  Gitea ``GET /orgs/{org}/teams/search?q={team}`` -> ``{"ok":true,"data":[{"id","name"}]}``, then
  ``GET /teams/{id}/members/{login}`` -> 200 or 404.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping

TIMEOUT = 20
GITHUB_API = "https://api.github.com"


class ForgeError(Exception):
    """The forge refused or could not be reached (Chinese message, no token)."""


@dataclass(frozen=True)
class Pull:
    number: int
    url: str
    created: bool = False


@dataclass(frozen=True)
class Forge:
    """One repository on one forge."""

    kind: str
    """github or gitea (Forgejo is gitea)."""
    api: str
    """The API root: https://api.github.com, or https://git.example/api/v1."""
    repo: str
    """owner/name."""
    token: str

    @property
    def owner(self) -> str:
        return self.repo.split("/", 1)[0]

    # --- requests ---------------------------------------------------------------

    def _call(self, method: str, path: str, payload: Any = None, *, missing_ok: bool = False) -> Any:
        url = self.api.rstrip("/") + path
        data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        scheme = "Bearer" if self.kind == "github" else "token"
        headers = {"Accept": "application/vnd.github+json" if self.kind == "github" else "application/json",
                   "Authorization": f"{scheme} {self.token}", "User-Agent": "yuqing-intake"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (URL from settings)
                body = response.read()
        except urllib.error.HTTPError as error:
            if missing_ok and error.code == 404:
                return None
            raise ForgeError(_refusal(method, path, error.code, error.read())) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ForgeError(f"无法连接代码托管平台 {self.api}({reason})。") from None
        if not body.strip():
            return {}
        try:
            return json.loads(body)
        except ValueError:
            raise ForgeError(f"代码托管平台对 {method} {path} 的回答不是 JSON。") from None

    # --- what intake asks ----------------------------------------------------------

    def open_pulls(self, head: str) -> list[Pull]:
        """Open pull requests from branch ``head`` of this repository."""
        query = {"state": "open", "per_page" if self.kind == "github" else "limit": "50"}
        if self.kind == "github":
            query["head"] = f"{self.owner}:{head}"
        found = self._call("GET", f"/repos/{self.repo}/pulls?{urllib.parse.urlencode(query)}")
        return [Pull(int(p["number"]), str(p.get("html_url", ""))) for p in found or []
                if isinstance(p, dict) and (p.get("head") or {}).get("ref") == head]

    def pull_for(self, head: str, base: str, title: str, body: str) -> Pull:
        """The open pull request of ``head`` (the same one when the issue is edited), else a new one."""
        existing = self.open_pulls(head)
        if existing:
            return existing[0]
        made = self._call("POST", f"/repos/{self.repo}/pulls", {"title": title, "head": head, "base": base, "body": body})
        return Pull(int(made["number"]), str(made.get("html_url", "")), created=True)

    def comment(self, issue: int, body: str) -> str:
        """Comment on issue ``issue``; returns the comment's web address."""
        made = self._call("POST", f"/repos/{self.repo}/issues/{issue}/comments", {"body": body})
        return str((made or {}).get("html_url", ""))

    def comments(self, issue: int) -> list[str]:
        """The bodies of the issue's comments (the first 100)."""
        query = urllib.parse.urlencode({"per_page" if self.kind == "github" else "limit": "100"})
        found = self._call("GET", f"/repos/{self.repo}/issues/{issue}/comments?{query}", missing_ok=True)
        return [str(c.get("body", "")) for c in found or [] if isinstance(c, dict)]

    def in_team(self, team: str, login: str) -> bool:
        """Whether ``login`` is a member of ``org/team``."""
        org, _, name = team.partition("/")
        quoted = urllib.parse.quote
        if self.kind == "github":
            found = self._call("GET", f"/orgs/{quoted(org)}/teams/{quoted(name)}/memberships/{quoted(login)}",
                               missing_ok=True)
            return isinstance(found, dict) and found.get("state") == "active"
        found = self._call("GET", f"/orgs/{quoted(org)}/teams/search?{urllib.parse.urlencode({'q': name})}",
                           missing_ok=True)
        teams = found.get("data", []) if isinstance(found, dict) else []
        for entry in teams:
            if isinstance(entry, dict) and str(entry.get("name", "")).casefold() == name.casefold():
                member = self._call("GET", f"/teams/{int(entry['id'])}/members/{quoted(login)}", missing_ok=True)
                return member is not None
        return False


def _refusal(method: str, path: str, code: int, body: bytes) -> str:
    try:
        detail = json.loads(body).get("message", "")
    except (ValueError, AttributeError):
        detail = ""
    why = {401: "令牌无效或已过期(检查密钥 YUQING_BOT_TOKEN)", 403: "令牌没有权限(需要仓库的读写、合并请求和评论权限)",
           404: "找不到(仓库名、编号或接口地址不对,或令牌看不到该仓库)",
           422: "请求被拒绝(如分支不存在,或已有相同的合并请求)"}.get(code, f"HTTP {code}")
    return f"代码托管平台拒绝了 {method} {path}:{why}" + (f"。平台的说明:{str(detail)[:200]}" if detail else "。")


def from_environment(env: Mapping[str, str] | None = None) -> Forge:
    """The forge this job runs on.

    ``YUQING_FORGE`` (github / gitea / forgejo) decides when set; otherwise
    Gitea's and Forgejo's runners are recognised by ``GITEA_ACTIONS`` /
    ``FORGEJO_ACTIONS`` or by an API root ending in ``/api/v1``. The API root is
    ``YUQING_FORGE_API``, else ``GITHUB_API_URL`` (set by all three runners), else
    ``GITHUB_SERVER_URL`` + ``/api/v1`` on Gitea. Raises ForgeError naming what is missing.
    """
    env = os.environ if env is None else env
    api = env.get("YUQING_FORGE_API") or env.get("GITHUB_API_URL") or ""
    kind = (env.get("YUQING_FORGE") or "").strip().lower()
    if not kind:
        gitea = env.get("GITEA_ACTIONS") == "true" or env.get("FORGEJO_ACTIONS") == "true" \
            or api.rstrip("/").endswith("/api/v1")
        kind = "gitea" if gitea else "github"
    if kind == "forgejo":
        kind = "gitea"
    if kind not in ("github", "gitea"):
        raise ForgeError(f"YUQING_FORGE 只能是 github、gitea 或 forgejo,而不是“{kind}”。")
    if not api:
        server = env.get("GITHUB_SERVER_URL", "")
        api = GITHUB_API if kind == "github" else (server.rstrip("/") + "/api/v1" if server else "")
    if not api:
        raise ForgeError("不知道代码托管平台的接口地址:请设置 YUQING_FORGE_API(如 https://git.example.gov.cn/api/v1)。")
    repo = env.get("GITHUB_REPOSITORY", "")
    if "/" not in repo:
        raise ForgeError("不知道是哪个仓库:GITHUB_REPOSITORY 应为“所有者/仓库名”。")
    token = env.get("YUQING_BOT_TOKEN", "")
    if not token:
        raise ForgeError("没有机器人令牌:请在仓库的密钥(secrets)中设置 YUQING_BOT_TOKEN(见 docs/guide/intake.md)。")
    return Forge(kind, api, repo, token)
