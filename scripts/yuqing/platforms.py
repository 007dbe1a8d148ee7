"""Platform names as staff say them (微博, 公众号, 12345 ...) -> source channel and platform.

The table is ``register.yml``'s ``platforms:`` section: each entry names a
platform, the channel it belongs to and other names for it. ``微博`` given as
a channel becomes channel 社交媒体 with platform 微博.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import CHANNELS, RegisterConfig


@dataclass(frozen=True)
class Source:
    channel: str
    platform: str | None = None


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


def lookup(answer: str, config: RegisterConfig) -> Source | None:
    """The source an answer names: a channel word, or a platform (by name or alias); None when neither."""
    word = answer.strip()
    if word in CHANNELS:
        return Source(word)
    wanted = _key(word)
    for name, channel, aliases in config.platforms:
        if wanted in {_key(name), *(_key(a) for a in aliases)}:
            return Source(channel, name)
    return None


def platform_name(answer: str, config: RegisterConfig) -> str:
    """The table's name for a platform answer (``公众号`` -> ``微信公众号``), else the answer as typed."""
    found = lookup(answer, config)
    return found.platform if found is not None and found.platform else answer.strip()


def known_words(config: RegisterConfig) -> list[str]:
    """Every word :func:`lookup` accepts (for did-you-mean hints)."""
    words = list(CHANNELS)
    for name, _, aliases in config.platforms:
        words += [name, *aliases]
    return words


HOSTS: tuple[tuple[str, str], ...] = (
    ("weibo.com", "微博"), ("weibo.cn", "微博"), ("mp.weixin.qq.com", "微信公众号"), ("douyin.com", "抖音"),
    ("iesdouyin.com", "抖音"), ("kuaishou.com", "快手"), ("xiaohongshu.com", "小红书"), ("xhslink.com", "小红书"),
    ("toutiao.com", "今日头条"), ("bilibili.com", "哔哩哔哩"), ("b23.tv", "哔哩哔哩"), ("zhihu.com", "知乎"),
    ("tieba.baidu.com", "百度贴吧"), ("liuyan.people.com.cn", "人民网领导留言板"), ("tousu.sina.com.cn", "黑猫投诉"),
)
"""Web hosts of the common platforms (a host and its subdomains) -> the platform's name in register.yml."""


def lookup_url(url: str, config: RegisterConfig) -> Source | None:
    """The source a link's host names (``https://m.weibo.cn/…`` -> 社交媒体, 微博); None when unknown."""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return None
    for suffix, name in HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return lookup(name, config)
    return None
