"""Links as monitoring platforms export them: checked, cleaned of tracking parameters, and keyed for matching.

Two links name the same post when they differ only in the scheme (http/https),
the host's case, a default port, a trailing slash, the fragment, the order of
the query's parameters, or tracking parameters (``utm_*``, ``spm``, ``from``,
``share_*`` ...) that platforms add to every shared link.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = frozenset({
    "spm", "from", "share", "share_token", "share_from", "share_source", "share_medium", "share_plat",
    "share_session_id", "share_tag", "shareid", "sharer", "sharer_sharetime", "sharer_shareid", "is_from",
    "isfrom", "wfr", "vd_source", "timestamp", "ts", "scene", "clicktime", "enterid", "sessionid",
    "subscene", "xhsshare", "appuid", "apptime", "app_platform",
    "fbclid", "gclid", "mkt_tok", "sourcefrom", "wxshare_count", "u_code", "utm", "previous_page",
    "share_app_id", "share_link_id", "share_item_id", "share_iid", "tt_from", "u_atoken", "u_asig",
})
"""Query parameters that say how a link was shared, not what it shows (compared case-insensitively)."""

_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$|^\d{1,3}(?:\.\d{1,3}){3}$")


class Link(NamedTuple):
    url: str
    """The link as it is recorded: tracking parameters dropped, otherwise as exported."""
    key: str
    """What two links of the same post share: host, path and the remaining parameters."""


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING or lowered.startswith(("utm_", "share_", "spm_"))


def parse_link(text: str) -> Link | str:
    """The link ``text`` names, or a Chinese reason why it names none."""
    raw = text.strip()
    if raw.startswith("//"):
        raw = "https:" + raw
    elif raw.lower().startswith("www."):
        raw = "https://" + raw
    if any(c.isspace() for c in raw):
        return "链接中有空格或换行。"
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return "链接格式不对(端口或方括号有误)。"
    if parts.scheme.lower() not in ("http", "https"):
        return "链接应以 http:// 或 https:// 开头。"
    host = (parts.hostname or "").rstrip(".")
    try:
        ascii_host = host.encode("idna").decode("ascii").lower() if host else ""
    except UnicodeError:
        return "链接的网站名无效。"
    if not _HOST.match(ascii_host):
        return "链接缺少有效的网站名(如 weibo.com)。"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    kept = urlencode(query, doseq=True) if len(query) != len(parse_qsl(parts.query, keep_blank_values=True)) \
        else parts.query
    url = urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, kept, parts.fragment))
    default = {"http": 80, "https": 443}[parts.scheme.lower()]
    netloc = ascii_host if port in (None, default) else f"{ascii_host}:{port}"
    path = parts.path.rstrip("/")
    key = netloc + path + ("?" + urlencode(sorted(query)) if query else "")
    return Link(url, key)


def link_key(text: str | None) -> str | None:
    """The matching key of a recorded link (None when it is not a valid link)."""
    if not text:
        return None
    found = parse_link(text)
    return found.key if isinstance(found, Link) else None
