"""Approval-class changes pass only with a named approver's review on the head commit.

The decision is pure (findings, reviews, approvers, head); the reviews come from a
real HTTP server on 127.0.0.1 answering like GitHub's and Gitea's REST APIs; the
command runs the audit of a real git repository whose base register.yml lists the
approvers.
"""

from __future__ import annotations

from typing import Any

import pytest

from yuqing.approval import Review, decide, fetch_reviews, review_from_json
from yuqing.forge import Forge, ForgeError
from yuqing.model import Issue

from .fakeweb import FakeWeb, web  # noqa: F401  (web is a fixture)
from .githelper import GitRegister, repo, run_cli  # noqa: F401  (repo is a fixture)
from .test_audit import NOW, _open

HEAD = "a" * 40
OLD = "b" * 40
NEEDS = [Issue("incidents/2025/YQ-2025-0001.yml", 3, 1, "withdrawn", "withdrawn-changed", "新增了撤销", "approval")]
INFO = [Issue("incidents/2025/YQ-2025-0001.yml", 3, 1, "title", "text-refined", "改了标题", "info")]


@pytest.mark.parametrize(("reviews", "ok", "says"), [
    ([Review("wang", "APPROVED", HEAD)], True, "已由审批人 wang 在最新提交 aaaaaaaa 上批准"),
    ([Review("WANG", "APPROVED", HEAD)], True, "WANG"),  # logins compare without case, as forges do
    ([], False, "还没有审批人批准最新提交 aaaaaaaa"),
    ([Review("zhao", "APPROVED", HEAD)], False, "还没有审批人批准"),                     # not an approver
    ([Review("wang", "APPROVED", OLD)], False, "wang 批准的是较早的提交"),                 # a push since
    ([Review("wang", "APPROVED", HEAD), Review("wang", "DISMISSED", HEAD)], False, "还没有审批人批准"),
    ([Review("wang", "APPROVED", HEAD), Review("wang", "COMMENTED", HEAD)], True, "wang"),  # a comment keeps it
    ([Review("wang", "APPROVED", HEAD), Review("li", "CHANGES_REQUESTED", HEAD)], False, "审批人 li 要求修改"),
    ([Review("zhang", "APPROVED", HEAD)], False, "合并请求的作者不能批准自己的改动"),         # the author
])
def test_the_decision(reviews: list[Review], ok: bool, says: str) -> None:
    decision = decide(NEEDS, reviews, ["wang", "li", "zhang"], HEAD, author="zhang")
    assert (decision.ok, says in decision.message) == (ok, True), decision.message


def test_nothing_to_approve_passes_and_no_approvers_fails() -> None:
    assert decide(INFO, [], [], HEAD).ok
    decision = decide(NEEDS, [Review("wang", "APPROVED", HEAD)], [], HEAD)
    assert not decision.ok and "没有列出审批人" in decision.message


def test_gitea_reviews_read_in_github_terms() -> None:
    assert review_from_json({"user": {"login": "li"}, "state": "REQUEST_CHANGES", "commit_id": HEAD}) == \
        Review("li", "CHANGES_REQUESTED", HEAD)
    assert review_from_json({"user": {"login": "li"}, "state": "APPROVED", "commit_id": HEAD, "dismissed": True}) == \
        Review("li", "DISMISSED", HEAD)
    assert review_from_json({"user": None, "state": "APPROVED"}) is None
    # Gitea keeps the head's commit id on an approval it marked stale (review finding): it no longer counts.
    assert review_from_json({"user": {"login": "li"}, "state": "APPROVED", "commit_id": HEAD, "stale": True}) == \
        Review("li", "DISMISSED", HEAD)


def test_more_reviews_than_can_be_read_fail_closed(web: FakeWeb) -> None:
    from yuqing.approval import _PAGES
    from yuqing.forge import ForgeError

    full = [_github_review(f"user{n}", "COMMENTED", HEAD) for n in range(100)]
    web.route("GET", "/repos/office/yuqing/pulls/12/reviews", lambda seen: (200, full))
    with pytest.raises(ForgeError, match=f"超过 {_PAGES} 页"):
        fetch_reviews(Forge("github", web.url, "office/yuqing", "t0ken"), 12)


def _github_review(login: str, state: str, commit: str) -> dict[str, Any]:
    return {"id": 80, "user": {"login": login, "id": 1}, "body": "", "state": state, "commit_id": commit,
            "submitted_at": "2025-03-04T10:00:00Z", "author_association": "MEMBER"}


def _gitea_review(login: str, state: str, commit: str, **extra: Any) -> dict[str, Any]:
    return {"id": 5, "user": {"login": login, "username": login}, "state": state, "commit_id": commit, "body": "",
            "stale": False, "official": True, "dismissed": False, "submitted_at": "2025-03-04T10:00:00+08:00", **extra}


def test_every_page_of_github_reviews_is_read(web: FakeWeb) -> None:
    first = [_github_review(f"user{n}", "COMMENTED", HEAD) for n in range(100)]
    web.route("GET", "/repos/office/yuqing/pulls/12/reviews",
              lambda seen: (200, first if seen.query["page"] == ["1"] else [_github_review("wang", "APPROVED", HEAD)]))
    reviews = fetch_reviews(Forge("github", web.url, "office/yuqing", "t0ken"), 12)
    assert [r.login for r in reviews][-1] == "wang" and len(reviews) == 101
    asked = web.requests("GET")
    assert [(s.query["page"], s.query["per_page"]) for s in asked] == [(["1"], ["100"]), (["2"], ["100"])]
    assert asked[0].headers["authorization"] == "Bearer t0ken"


def test_gitea_reviews_and_a_refusal(web: FakeWeb) -> None:
    web.route("GET", "/api/v1/repos/office/yuqing/pulls/7/reviews", (200, [_gitea_review("wang", "APPROVED", HEAD)]))
    forge = Forge("gitea", web.url + "/api/v1", "office/yuqing", "t0ken")
    assert fetch_reviews(forge, 7) == [Review("wang", "APPROVED", HEAD)]
    assert web.requests("GET")[0].query["limit"] == ["50"]
    assert web.requests("GET")[0].headers["authorization"] == "token t0ken"
    with pytest.raises(ForgeError, match="找不到这个合并请求"):
        fetch_reviews(forge, 8)


# --- the command on a real repository ---------------------------------------------

@pytest.fixture
def withdrawn_on_branch(repo: GitRegister) -> GitRegister:
    """main lists the approver wang; branch `work` withdraws a record (an approval-class change)."""
    config = repo.root / "register.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("approvers: []", "approvers: [wang, li]"),
                      encoding="utf-8")
    repo.write(_open())
    repo.commit("台账")
    repo.git("switch", "-q", "-c", "work")
    repo.write(_open(withdrawn={"reason": "重复登记"}))
    repo.commit("撤销")
    return repo


def _gate(repo: GitRegister, capsys: Any, monkeypatch: Any, web: FakeWeb, kind: str,
          reviews: list[dict[str, Any]], **env: str) -> tuple[int, str, str]:
    root = "/api/v3" if kind == "github" else "/api/v1"
    web.route("GET", f"{root}/repos/office/yuqing/pulls/12/reviews", (200, reviews))
    values = {"YUQING_FORGE": kind, "YUQING_FORGE_API": web.url + root, "GITHUB_REPOSITORY": "office/yuqing",
              "GITHUB_TOKEN": "t0ken", "PR_NUMBER": "12", "PR_AUTHOR": "zhang", "YUQING_BOT_TOKEN": "", **env}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    head = repo.git("rev-parse", "HEAD")
    return run_cli(["audit", "--base", "main", "--now", NOW, "--root", str(repo.root), "--require-approval",
                    "--head-sha", head], capsys)


@pytest.mark.parametrize("kind", ["github", "gitea"])
def test_the_gate_passes_only_with_an_approvers_review(withdrawn_on_branch: GitRegister, capsys: Any,
                                                       monkeypatch: Any, web: FakeWeb, kind: str) -> None:
    repo = withdrawn_on_branch
    head = repo.git("rev-parse", "HEAD")
    shape = _github_review if kind == "github" else _gitea_review
    code, out, _ = _gate(repo, capsys, monkeypatch, web, kind, [shape("zhao", "APPROVED", head)])
    assert code == 1
    assert out.splitlines()[-1].startswith("变更审批:未通过。有 1 处改动需要审批(见“需要审批”清单):还没有审批人批准")
    code, out, _ = _gate(repo, capsys, monkeypatch, web, kind, [shape("wang", "APPROVED", head)])
    assert code == 0
    assert out.splitlines()[-1] == f"变更审批:通过。1 处需要审批的改动已由审批人 wang 在最新提交 {head[:8]} 上批准。"
    assert web.requests("GET")[-1].headers["authorization"] == ("Bearer t0ken" if kind == "github" else "token t0ken")


def test_the_approvers_come_from_the_base(withdrawn_on_branch: GitRegister, capsys: Any, monkeypatch: Any,
                                          web: FakeWeb) -> None:
    # The branch adds its author to approvers: the base's list still judges (and the change needs approval).
    repo = withdrawn_on_branch
    config = repo.root / "register.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("approvers: [wang, li]", "approvers: [wang, li, zhao]"),
                      encoding="utf-8")
    repo.commit("加审批人")
    head = repo.git("rev-parse", "HEAD")
    code, out, _ = _gate(repo, capsys, monkeypatch, web, "github", [_github_review("zhao", "APPROVED", head)])
    assert code == 1 and "有 2 处改动需要审批" in out


def test_without_a_token_the_gate_says_so(withdrawn_on_branch: GitRegister, capsys: Any, monkeypatch: Any,
                                          web: FakeWeb) -> None:
    code, _, err = _gate(withdrawn_on_branch, capsys, monkeypatch, web, "github", [], GITHUB_TOKEN="")
    assert code == 2 and "没有读取审核记录的令牌" in err
