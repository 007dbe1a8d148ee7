"""A real HTTP server on 127.0.0.1 standing in for the forge's REST API and the group robots.

It records every request (method, path, query, headers, JSON body) and answers
with the documented response shapes. Nothing of yuqing is replaced: the code
under test opens real sockets.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import pytest


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    raw: bytes


Route = Callable[["Seen"], tuple[int, Any]]


@dataclass
class FakeWeb:
    """The server: ``routes`` maps (method, path prefix) to an answer; ``seen`` keeps every request."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    routes: list[tuple[str, str, Route]] = field(default_factory=list)

    def route(self, method: str, prefix: str, answer: Route | tuple[int, Any]) -> None:
        fixed = answer
        self.routes.insert(0, (method, prefix, answer if callable(answer) else (lambda _seen: fixed)))  # type: ignore[misc,return-value]

    def answer(self, seen: Seen) -> tuple[int, Any]:
        for method, prefix, route in self.routes:
            if seen.method == method and seen.path.startswith(prefix):
                return route(seen)
        return 404, {"message": "Not Found"}

    def requests(self, method: str | None = None, prefix: str = "") -> list[Seen]:
        return [s for s in self.seen if (method is None or s.method == method) and s.path.startswith(prefix)]


def _handler(web: FakeWeb) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            seen = Seen(self.command, parts.path, urllib.parse.parse_qs(parts.query, keep_blank_values=True),
                        {k.lower(): v for k, v in self.headers.items()}, body, raw)
            web.seen.append(seen)
            status, answer = web.answer(seen)
            data = json.dumps(answer, ensure_ascii=False).encode("utf-8") if answer is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = _serve

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

    return Handler


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    state = FakeWeb()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def emulate_forge(web: FakeWeb, kind: str, repo: str = "office/yuqing", *,
                  teams: dict[str, list[str]] | None = None) -> str:
    """Answer like GitHub's REST v3 or Gitea's API v1 for ``repo``; returns the API root to configure.

    Pull requests made are kept, so listing the open ones finds them (an edited
    issue updates the same request). ``teams`` maps ``org/team`` to logins.
    """
    root = "/api/v3" if kind == "github" else "/api/v1"
    site = "https://github.com" if kind == "github" else "https://git.example.gov.cn"
    pulls: list[dict[str, Any]] = []
    teams = teams or {}

    def create_pull(seen: Seen) -> tuple[int, Any]:
        number = 100 + len(pulls)
        pull = {"number": number, "html_url": f"{site}/{repo}/pull{'' if kind == 'github' else 's'}/{number}",
                "state": "open", "title": seen.body["title"], "body": seen.body["body"],
                "head": {"ref": seen.body["head"], "label": seen.body["head"]}, "base": {"ref": seen.body["base"]}}
        pulls.append(pull)
        return 201, pull

    def list_pulls(seen: Seen) -> tuple[int, Any]:
        found = [p for p in pulls if p["state"] == "open"]
        if kind == "github" and "head" in seen.query:  # owner:branch
            found = [p for p in found if f"{repo.split('/')[0]}:{p['head']['ref']}" == seen.query["head"][0]]
        return 200, found

    said: dict[str, list[dict[str, Any]]] = {}

    def list_comments(seen: Seen) -> tuple[int, Any]:
        return 200, said.get(seen.path.split("/")[-2], [])

    def comment(seen: Seen) -> tuple[int, Any]:
        number = seen.path.split("/")[-2]
        said.setdefault(number, []).append({"id": len(said[number]), "body": seen.body["body"]})
        return 201, {"id": len(web.requests("POST", f"{root}/repos/{repo}/issues")),
                     "html_url": f"{site}/{repo}/issues/{number}#issuecomment-1", "body": seen.body["body"]}

    def github_team(seen: Seen) -> tuple[int, Any]:
        _, _, org, _, team, _, login = seen.path[len(root):].split("/")
        if login in teams.get(f"{org}/{team}", []):
            return 200, {"url": "…", "role": "member", "state": "active"}
        return 404, {"message": "Not Found"}

    def gitea_team_search(seen: Seen) -> tuple[int, Any]:
        org = seen.path[len(root):].split("/")[2]
        wanted = seen.query.get("q", [""])[0]
        data = [{"id": 7 + n, "name": name.split("/")[1]} for n, name in enumerate(teams)
                if name.split("/")[0] == org and wanted.lower() in name.split("/")[1].lower()]
        return 200, {"ok": True, "data": data}

    def gitea_team_member(seen: Seen) -> tuple[int, Any]:
        _, _, team_id, _, login = seen.path[len(root):].split("/")
        names = list(teams)
        index = int(team_id) - 7
        if 0 <= index < len(names) and login in teams[names[index]]:
            return 200, {"id": 3, "login": login}
        return 404, {"message": "Not Found"}

    web.route("POST", f"{root}/repos/{repo}/pulls", create_pull)
    web.route("GET", f"{root}/repos/{repo}/pulls", list_pulls)
    web.route("POST", f"{root}/repos/{repo}/issues/", comment)
    web.route("GET", f"{root}/repos/{repo}/issues/", list_comments)
    if kind == "github":
        web.route("GET", f"{root}/orgs/", github_team)
    else:
        web.route("GET", f"{root}/orgs/", gitea_team_search)
        web.route("GET", f"{root}/teams/", gitea_team_member)
    return web.url + root
