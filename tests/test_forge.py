"""The forge client: which forge from the environment, the documented requests, refusals in Chinese."""

from __future__ import annotations

import re

import pytest

from yuqing.forge import ForgeError, from_environment

from .fakeweb import FakeWeb, emulate_forge, web  # noqa: F401  (web is a fixture)

BASE = {"GITHUB_REPOSITORY": "office/yuqing", "YUQING_BOT_TOKEN": "secret-token"}


@pytest.mark.parametrize(("env", "kind", "api"), [
    ({"GITHUB_API_URL": "https://api.github.com"}, "github", "https://api.github.com"),
    ({}, "github", "https://api.github.com"),
    ({"GITHUB_API_URL": "https://git.example.gov.cn/api/v1"}, "gitea", "https://git.example.gov.cn/api/v1"),
    ({"GITEA_ACTIONS": "true", "GITHUB_SERVER_URL": "http://10.0.0.5:3000"}, "gitea", "http://10.0.0.5:3000/api/v1"),
    ({"FORGEJO_ACTIONS": "true", "GITHUB_SERVER_URL": "https://code.example"}, "gitea", "https://code.example/api/v1"),
    ({"YUQING_FORGE": "forgejo", "YUQING_FORGE_API": "https://f.example/api/v1"}, "gitea", "https://f.example/api/v1"),
    ({"YUQING_FORGE": "github", "YUQING_FORGE_API": "https://ghe.example/api/v3"}, "github", "https://ghe.example/api/v3"),
])
def test_the_forge_is_chosen_from_the_environment(env: dict[str, str], kind: str, api: str) -> None:
    forge = from_environment({**BASE, **env})
    assert (forge.kind, forge.api, forge.repo) == (kind, api, "office/yuqing")


@pytest.mark.parametrize(("env", "message"), [
    ({"GITHUB_REPOSITORY": "office/yuqing"}, "没有机器人令牌:请在仓库的密钥(secrets)中设置 YUQING_BOT_TOKEN"),
    ({"YUQING_BOT_TOKEN": "t"}, "不知道是哪个仓库"),
    ({**BASE, "YUQING_FORGE": "gitlab"}, "YUQING_FORGE 只能是 github、gitea 或 forgejo"),
])
def test_what_is_missing_is_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ForgeError, match=re.escape(message)):
        from_environment(env)


@pytest.mark.parametrize("kind", ["github", "gitea"])
def test_an_open_request_of_the_branch_is_reused(web: FakeWeb, kind: str) -> None:
    forge = from_environment({**BASE, "YUQING_FORGE": kind, "YUQING_FORGE_API": emulate_forge(web, kind)})
    first = forge.pull_for("intake/issue-3", "main", "登记", "正文")
    again = forge.pull_for("intake/issue-3", "main", "登记", "正文")
    other = forge.pull_for("intake/issue-4", "main", "登记", "正文")
    assert (first.created, again.created, other.created) == (True, False, True)
    assert again.number == first.number != other.number
    listed = web.requests("GET", prefix=f"/api/{'v3' if kind == 'github' else 'v1'}/repos/office/yuqing/pulls")
    assert listed[0].query["state"] == ["open"]
    if kind == "github":
        assert listed[0].query["head"] == ["office:intake/issue-3"]


def test_a_refusal_is_chinese_and_never_shows_the_token(web: FakeWeb) -> None:
    web.route("POST", "/api/v1/repos/office/yuqing/issues/", (403, {"message": "token does not have at least one of "
                                                                             "required scope(s): [write:issue]"}))
    forge = from_environment({**BASE, "YUQING_FORGE_API": web.url + "/api/v1"})
    with pytest.raises(ForgeError) as error:
        forge.comment(5, "你好")
    assert str(error.value).startswith("代码托管平台拒绝了 POST /repos/office/yuqing/issues/5/comments:令牌没有权限")
    assert "write:issue" in str(error.value) and "secret-token" not in str(error.value)


def test_an_unreachable_forge_is_said_so() -> None:
    forge = from_environment({**BASE, "YUQING_FORGE_API": "http://127.0.0.1:9/api/v1"})
    with pytest.raises(ForgeError, match=re.escape("无法连接代码托管平台 http://127.0.0.1:9/api/v1(")):
        forge.comment(5, "你好")
