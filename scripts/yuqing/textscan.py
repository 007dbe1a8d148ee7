"""Text that YAML read differently from what the editor wrote, judged field by field.

The loader notes facts about text values (a line break, a zero-width character,
a `` #`` comment right after a plain value); whether a fact is a problem depends
on the field, and this table decides: multi-line text (summary, note, the
review...) may hold line breaks, single-line fields (id, title, tags, units,
times...) may not; a comment after a plain value of free text is text that
YAML silently dropped. Control and bidi characters are refused everywhere, by
the loader itself. "Zero-width" is every default-ignorable code point (U+200B-200D,
U+2060, U+FEFF, the soft hyphen U+00AD, U+034F, the Hangul fillers U+115F, U+1160,
U+3164, U+FFA0, variation selectors, tag characters...): the loader marks them all.
"""

from __future__ import annotations

import json
import re

from .loader import Loaded, TextMark, char_name, shown
from .model import Issue

MULTI_LINE = frozenset({"summary", "note", "reason", "cause", "nature", "impact", "responsibility", "lessons"})
"""Fields that may hold several lines (and zero-width characters, which pasted web text and emoji carry)."""

FREE_TEXT = MULTI_LINE | {"title", "platform", "author", "by", "channel", "url", "transferred_from",
                          "approved_by", "tags"}
"""Fields of free text, where a `` #`` is more likely a hashtag or ticket number than a comment."""

_INDEX = re.compile(r"(?:\[\d+\])+\Z")


def field_name(path: str) -> str:
    """The field a JSON path ends in: ``timeline[2].note`` -> note, ``tags[0]`` -> tags."""
    return _INDEX.sub("", path).rpartition(".")[2]


def text_issues(loaded: Loaded) -> list[Issue]:
    """The issues of one incident file's text marks (see the module docstring)."""
    issues: list[Issue] = []
    for mark in loaded.marks:
        name = field_name(mark.path)
        if mark.kind == "comment" and name in FREE_TEXT:
            issues.append(_comment(loaded, mark))
        elif mark.kind == "newline" and name not in MULTI_LINE:
            issues.append(Issue(loaded.file, mark.line, mark.column, mark.path, "newline-in-text",
                                f"{shown(mark.path)} 只能写一行,不能含换行:请删除换行(常见原因:多行文字块“|”、"
                                "双引号中的 \\n,或从网页复制时带入)。"))
        elif mark.kind == "zero-width" and name not in MULTI_LINE:
            issues.append(Issue(loaded.file, mark.line, mark.column, mark.path, "zero-width-char",
                                f"{shown(mark.path)} 含有看不见的零宽字符 {char_name(mark.detail)}(软连字符、韩文填充符、"
                                "变体选择符等默认不显示的字符同样不行),请删除:它会让看起来相同的编号、标题、标签、"
                                "单位名实际不同。"))
    return issues


def _comment(loaded: Loaded, mark: TextMark) -> Issue:
    key = field_name(mark.path)
    whole = f"{mark.value} {mark.detail}" if mark.value else mark.detail
    if key == "tags" or mark.path.endswith("]"):
        fix = f"- {json.dumps(whole, ensure_ascii=False)}"
    else:
        fix = f"{key}: {json.dumps(whole, ensure_ascii=False)}"
    kept = f"只保存了“{mark.value}”" if mark.value else "这一项成了空的"
    return Issue(loaded.file, mark.line, mark.column, mark.path, "comment-in-text",
                 f"{mark.path} 的文字在“ #”处被截断:YAML 把“{mark.detail}”当作注释丢掉了,{kept}。"
                 f"文字中有“ #”(话题、工单号)时,请给整段文字加引号:{fix}")
