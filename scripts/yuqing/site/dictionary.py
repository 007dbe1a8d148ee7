"""A jieba user dictionary from the register's own words.

Search segments Chinese text at build time with jieba; words jieba does not
know (unit names, place names, this register's tags) would be cut into
pieces and be hard to find. Each entry is ``word frequency``; the frequency is
high enough that jieba keeps the word whole.
"""

from __future__ import annotations

import re
from typing import Iterable

from ..model import CHANNELS, EVENT_TYPES, LEVELS, STATUSES, Incident, RegisterConfig
from .model import Row

FREQUENCY = 20000

COMMON_TERMS: tuple[str, ...] = (
    "舆情", "网络舆情", "负面舆情", "敏感舆情", "重大舆情", "舆情台账", "评估总结", "网评引导",
    "学校食堂", "校园食堂", "食品安全", "药品安全", "特种设备", "预付卡", "网络谣言", "短视频",
    "市场监管", "市场监督管理局", "权威信息", "新闻发布会", "官方微博", "公众号", "投诉举报",
    "过期食品", "外卖", "直播带货", "电梯", "燃气", "价格欺诈", "虚假宣传", "消费维权",
)

_WORD = re.compile(r"^[^\s]{2,30}$")
_PLACE_SUFFIX = re.compile(r"^(.{2,8}?[区县市镇乡])局$")


def words(config: RegisterConfig, incidents: Iterable[Incident | Row]) -> list[str]:
    """The register's vocabulary, deduplicated, in a stable order."""
    found: dict[str, None] = {}

    def add(word: str | None) -> None:
        if word and _WORD.match(word):
            found.setdefault(word.strip(), None)

    for word in (*COMMON_TERMS, *LEVELS, *STATUSES, *EVENT_TYPES, *CHANNELS, *config.categories):
        add(word)
    for unit in config.units:
        add(unit)
        place = _PLACE_SUFFIX.match(unit)
        if place:
            add(place.group(1))
    for incident in incidents:
        for tag in incident.tags:
            add(tag)
        add(incident.source.platform)
        add(incident.source.transferred_from)
    return list(found)


def userdict(config: RegisterConfig, incidents: Iterable[Incident | Row]) -> str:
    """The dictionary file's text (jieba's format: one ``word freq`` a line)."""
    return "".join(f"{word} {FREQUENCY}\n" for word in words(config, incidents))
