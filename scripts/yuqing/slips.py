"""YAML syntax errors -> one Chinese Issue that names the editor's slip.

libyaml reports where parsing stopped, in English and often a line late
("could not find expected ':'" under a line that used a full-width colon).
The common slips of people typing YAML by hand are recognised from the raw
lines first; anything else is translated through PROBLEMS, a table that covers
every problem string PyYAML and libyaml can raise (tests/test_slips.py walks
them), so no parser message reaches the user in English.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .model import Issue

_FULLWIDTH_KEY = re.compile(r"[ \t]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*：")
_KEY_VALUE = re.compile(r"([ \t]*(?:-[ \t]+)?)([^\s:#'\"][^:#]*?):[ \t]+(.+?)[ \t]*")
_EVENT_ENTRY = re.compile(r"([ \t]*)-[ \t]+(?:at|type)[ \t]*:")
_TOP_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*:")

PROBLEMS: tuple[tuple[str, str], ...] = (
    # (regular expression searched in libyaml's or PyYAML's problem text, Chinese)
    (r"^mapping values are not allowed",
     "这里不能出现“键: 值”(常见原因:冒号后缺少空格、缩进不对,或文字中的“: ”未加引号)"),
    (r"^mapping keys are not allowed",
     "这里不能出现以“? ”开头的键(以问号加空格开头的文字请加引号)"),
    (r"sequence entries are not allowed",
     "这里不能出现列表项“- ”(常见原因:“- ”与上下文缩进不一致,或写在了“键: 值”的同一行)"),
    (r"cannot start any token",
     "出现了不能开始一个值的字符(常见原因:用 Tab 缩进,或文字以 @、` 开头却未加引号)"),
    (r"^could not find expected ':'", "找不到应有的冒号“:”(常见原因:键后面用了中文冒号,或上一行的引号未闭合)"),
    (r"^did not find expected key", "缩进不一致,找不到应有的键"),
    (r"^did not find expected '-' indicator", "列表缩进不一致,找不到应有的“- ”"),
    (r"node content", "这里缺少值(常见原因:“- ”或“: ”后面是空的,或以 &、*、! 开头的文字未加引号)"),
    (r"expected <block end>", "缩进不一致(同一层的键必须左对齐,只能用空格缩进)"),
    (r"end of stream", "文件意外结束(引号或括号未闭合)"),
    (r"unexpected ':'", "出现了多余的冒号“:”(文字中的冒号请加引号)"),
    (r"tab character", "用 Tab 缩进了,YAML 只能用空格缩进"),
    (r"',' or '\]'", "方括号列表 [ ] 中缺少逗号,或缺少右括号“]”"),
    (r"',' or '\}'", "花括号 { } 中缺少逗号,或缺少右括号“}”"),
    (r"unclosed '\[' or '\{'", "缩进不对,或方括号、花括号未闭合"),
    (r"comment or (?:a )?line break", "值的后面多了内容(引号结束后应换行;整段文字都要写在引号里)"),
    (r"whitespace|expected ' '", "这里应有一个空格(如“- ”“: ”后面)"),
    (r"document|DOCUMENT|STREAM|stream-start|SCALAR",
     "“---”或“...”只能出现在文件开头或结尾,且一个文件只能写一个事件"),
    (r"escape|hexdecimal|hexadecimal",
     "双引号中的反斜杠“\\”转义写法不对:要写反斜杠本身请写成“\\\\”,或改用单引号"),
    (r"indentation indicator|chomping|block scalar",
     "多行文字标记“|”或“>”后面只能跟 +、- 或 1–9 的数字"),
    (r"%TAG|%YAML|directive|version number|incompatible YAML document|duplicate tag handle|digit",
     "以“%”开头的行是 YAML 指令,事件文件不需要:请删除这一行,或给以 % 开头的文字加引号"),
    (r"tag|URI|'!'|'>'",
     "以“!”开头的是 YAML 标签,事件文件不需要:请删除它,或给以 ! 开头的文字加引号"),
    (r"alias|anchor|alphabetic|non-alphabetical",
     "以“&”或“*”开头的是 YAML 锚点或别名,事件文件不允许:请给以 & 或 * 开头的文字加引号"),
    (r"control characters|special characters|unacceptable character",
     "文件含有看不见的控制字符,请删除(常见原因:从网页、Word 或聊天软件复制时带入)"),
    (r"UTF-8|UTF-16|Unicode character|surrogate|octet",
     "文件编码有误,不是有效的 UTF-8:请在编辑器中“另存为”并选择 UTF-8"),
    (r"duplicate key|duplicate anchor|second occurrence", "同一个键或锚点出现了两次"),
    (r"^while (?:parsing|scanning) a (?:block|simple key)|^while increasing block",
     "这一段的缩进无法解析(同一层的键必须左对齐,只能用空格缩进)"),
    (r"^while ", "这一段的写法无法解析(常见原因:引号、方括号或花括号未闭合)"),
)
_COMPILED = tuple((re.compile(pattern), chinese) for pattern, chinese in PROBLEMS)
UNKNOWN = "这里的写法无法解析"


def explain(problem: str) -> str:
    """A libyaml or PyYAML problem string in Chinese (never the English text)."""
    for pattern, chinese in _COMPILED:
        if pattern.search(problem):
            return chinese
    return UNKNOWN


def syntax_issue(text: str, rel: str, error: Any) -> Issue:
    """The Issue for a YAML syntax error: the slip that caused it when it is recognised."""
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or error.context or ""
    lines = text.splitlines()
    conflict = conflict_marker(rel, lines)
    if conflict is not None:
        return conflict
    slip = (_fullwidth_colon(rel, lines, line) or _odd_space(rel, lines, line)
            or _dash_without_space(rel, lines, line) or _event_outside_timeline(rel, lines, line, column)
            or _no_space_after_colon(rel, lines, line, problem) or _misaligned_key(rel, lines, line, problem))
    if slip is None and problem.startswith("mapping values are not allowed"):
        slip = _colon_in_text(rel, lines, line, column)
    if slip is None:
        slip = _cut_by_comment(rel, lines, line)
    if slip is not None:
        return slip
    return Issue(rel, line, column, "", "yaml-syntax",
                 f"YAML 语法错误:{explain(problem)}。请检查这一行的缩进、冒号后的空格和引号是否成对。")


_CONFLICT = re.compile(r"(<{7}|={7}|>{7})(?:[ \t].*)?")
_CONFLICT_WORDS = {"<": "下面是当前分支的内容", "=": "分隔线:上面是一方的内容,下面是另一方的",
                   ">": "上面是合并进来的分支的内容"}


def conflict_marker(rel: str, lines: list[str]) -> Issue | None:
    """The first git conflict marker (``<<<<<<<``, ``=======``, ``>>>>>>>``) left by an unfinished merge."""
    for number, text in enumerate(lines, 1):
        found = _CONFLICT.fullmatch(text.rstrip("\r"))
        if found:
            marker, stem = found.group(1), rel.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".yml")
            return Issue(rel, number, 1, "", "merge-conflict",
                         f"这一行“{marker}”是 git 合并冲突标记({_CONFLICT_WORDS[marker[0]]}):git merge 时两边都改了"
                         "这个文件,git 把两边的内容都写了进来,合并还没有完成。请运行 git merge --abort 放弃这次合并,"
                         f"然后按情况:别人同时追加了事件,运行 yuqing event rebase {stem};两人同时登记撞号,"
                         f"运行 yuqing renumber {stem}。(手工解决时须保留两边的事件,删掉 <<<<<<<、=======、>>>>>>> 三种标记行。)")
    return None


def _fullwidth_colon(rel: str, lines: list[str], error_line: int) -> Issue | None:
    # libyaml stops on the line after `type：转办`; the first such line up to there is the cause.
    for number, text in enumerate(lines[:error_line], 1):
        found = _FULLWIDTH_KEY.match(text)
        if found:
            key = found.group(1)
            return Issue(rel, number, found.end(), "", "fullwidth-colon",
                         f"“{key}：”用了中文全角冒号“：”:YAML 只认英文半角冒号加空格,请改为“{key}: ”"
                         "(输入法切换到英文标点,或按 Shift 输入半角)。")
    return None


_TIGHT_COLON = re.compile(r"[ \t]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_]*):(?=[^\s:/])")


def _no_space_after_colon(rel: str, lines: list[str], line: int, problem: str) -> Issue | None:
    # `type:转办` is one word to YAML; libyaml then misses a colon on the next line.
    if not problem.startswith(("could not find expected ':'", "mapping values are not allowed")):
        return None
    for number in (line - 1, line):
        found = _TIGHT_COLON.match(lines[number - 1]) if 1 <= number <= len(lines) else None
        if found:
            key = found.group(1)
            value = lines[number - 1][found.end():].strip()
            return Issue(rel, number, found.end(), "", "yaml-syntax",
                         f"YAML 语法错误:“{key}:”后面缺少空格,YAML 把“{key}:{value}”当成了一个词。"
                         f"冒号后要加一个空格:{key}: {value}")
    return None


# Spaces YAML does not take for spaces: typed by an IME in full-width mode, or pasted from Word or a web page.
_ODD_SPACES = {
    "\u3000": "全角空格(U+3000,中文输入法全角状态下输入的空格)",
    "\u00a0": "不换行空格(U+00A0,常从 Word 或网页复制带入)",
    "\u202f": "窄不换行空格(U+202F,常从 Word 或网页复制带入)",
    "\u2007": "数字空格(U+2007)", "\u2009": "窄空格(U+2009)", "\u200a": "极窄空格(U+200A)",
    "\u2002": "半角宽空格(U+2002)", "\u2003": "全角宽空格(U+2003)", "\u205f": "数学空格(U+205F)",
}
_ODD = "".join(_ODD_SPACES)
_ODD_INDENT = re.compile(rf"([ {_ODD}]*)(?:[A-Za-z_][A-Za-z0-9_]*[ \t{_ODD}]*[:：]|-[ {_ODD}])")
_ODD_AFTER_COLON = re.compile(rf"[ \t]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_]*):([{_ODD}]+)")


def _odd_space(rel: str, lines: list[str], line: int) -> Issue | None:
    """A full-width or no-break space in a line's indentation or after a key's colon: YAML
    reads it as text, so the key is not a key and the error shows a line later or not at all."""
    for number, text in enumerate(lines[:line], 1):
        indent = _ODD_INDENT.match(text)
        odd = [c for c in indent.group(1) if c in _ODD_SPACES] if indent else []
        if indent and odd:
            column = next(i for i, c in enumerate(text) if c in _ODD_SPACES) + 1
            names = "、".join(dict.fromkeys(_ODD_SPACES[c] for c in odd))
            return Issue(rel, number, column, "", "invisible-space",
                         f"这一行的缩进里有 {len(odd)} 个{names},看起来像空格,YAML 却不把它当作空格,"
                         "这一行因此无法解析。请删除这一行开头的空白,改用普通的半角空格缩进"
                         "(输入法切换到英文或半角状态后按空格键),与同一层的上一行对齐。")
        after = _ODD_AFTER_COLON.match(text)
        if after:
            key, spaces = after.group(1), after.group(2)
            value = text[after.end():].strip()
            return Issue(rel, number, after.start(2) + 1, "", "invisible-space",
                         f"“{key}:”后面的第 {after.start(2) + 1} 列是一个{_ODD_SPACES[spaces[0]]},不是普通空格,"
                         f"YAML 因此认不出“{key}”这个键。请把它换成一个普通的半角空格:{key}: {value}")
    return None


_DASH_KEY = re.compile(r"([ \t]*)-([A-Za-z_][A-Za-z0-9_]*)[ \t]*:(.*)")


def _dash_without_space(rel: str, lines: list[str], line: int) -> Issue | None:
    # `-at: ...` is one key named "-at" to YAML, not a list entry; the error shows on a later line.
    for number, text in enumerate(lines[:line], 1):
        found = _DASH_KEY.fullmatch(text)
        if found:
            indent, key, rest = found.groups()
            return Issue(rel, number, len(indent) + 1, "", "yaml-syntax",
                         f"YAML 语法错误:“-”后面缺少空格,YAML 把“-{key}”当成了一个键,而不是一条新的列表项。"
                         f"请在“-”后加一个空格:- {key}:{rest}")
    return None


_KEY_LINE = re.compile(r"( *)(- +)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*:(?:[ \t]+(.*))?")
_INDENT_PROBLEMS = ("mapping values are not allowed", "expected <block end>", "did not find expected key",
                    "did not find expected '-' indicator")


def _misaligned_key(rel: str, lines: list[str], line: int, problem: str) -> Issue | None:
    """A key indented differently from the key on the line above, where no new block opens:
    deeper, YAML reads it as more of the text above; shallower, it closes the block."""
    if not problem.startswith(_INDENT_PROBLEMS) or not 1 < line <= len(lines):
        return None
    here = _KEY_LINE.fullmatch(lines[line - 1])
    if here is None or here.group(2):
        return None
    above = next((text for text in reversed(lines[:line - 1])
                  if text.strip() and not text.lstrip().startswith("#")), None)
    before = _KEY_LINE.fullmatch(above) if above is not None else None
    if before is None or not (before.group(4) or "").strip():
        return None  # the line above opens a block (or is not a key): the deeper indent may be right
    spaces = len(here.group(1))
    expected = len(before.group(1)) + len(before.group(2) or "")
    if spaces == expected:
        return None
    return Issue(rel, line, spaces + 1, "", "yaml-syntax",
                 f"YAML 语法错误:这一行的缩进与上面的行不一致({spaces} 个空格,上面是 {expected} 个)。"
                 f"同一层的键必须左对齐:请把“{here.group(3)}:”前面改为 {expected} 个空格。")


def _event_outside_timeline(rel: str, lines: list[str], line: int, column: int) -> Issue | None:
    entry = _EVENT_ENTRY.match(lines[line - 1]) if line <= len(lines) else None
    if entry is None:
        return None
    column = len(entry.group(1)) + 1  # at the "- "
    owner = next((found.group(1) for text in reversed(lines[:line - 1])
                  if (found := _TOP_KEY.match(text))), None)
    if owner is None or owner == "timeline":
        return Issue(rel, line, column, "", "yaml-syntax",
                     "YAML 语法错误:这条处置事件的缩进与上面的事件不一致。“- ”应与上一条事件的“- ”对齐"
                     "(通常缩进 2 格),下面的 type、by、note 等再比“- ”多缩进 2 格,与 at 对齐。")
    return Issue(rel, line, column, "", "event-outside-timeline",
                 f"这一行“- at:”是一条处置事件,却写在了 {owner}: 的下面。处置事件只能写在 timeline: 之下:"
                 f"请把这几行移到 timeline 的最后一条事件之后、{owner}: 之前,“- ”与上面的事件对齐(通常缩进 2 格)。")


_COMMENT = re.compile(r"[ \t]#")
_VALUE_START = re.compile(r"[ \t]*(?:-[ \t]+)?(?:[^\s:#'\"][^:#]*?:[ \t]+)?(?:-[ \t]+)?")


def _cut_by_comment(rel: str, lines: list[str], line: int) -> Issue | None:
    """A `` #`` inside unquoted text on the error line or the line before: YAML cut the
    text there, and what followed no longer parses (a multi-line text, a flow list)."""
    for number in (line - 1, line):
        if not 1 <= number <= len(lines) or lines[number - 1].lstrip().startswith("#"):
            continue
        text = lines[number - 1]
        found = _COMMENT.search(text)
        start = _VALUE_START.match(text)
        value = text[start.end():found.start()] if found and start and start.end() <= found.start() else ""
        if found and value and not value.startswith(("'", '"', "|", ">")):
            return Issue(rel, number, found.start() + 2, "", "comment-in-text",
                         f"这一行“ #”之后的文字“{text[found.start() + 1:].strip()}”被 YAML 当作注释丢掉了,"
                         "下文因此无法解析。文字中有“ #”(话题、工单号)时,请给整段文字加引号。")
    return None


def _colon_in_text(rel: str, lines: list[str], line: int, column: int) -> Issue | None:
    if line > len(lines):
        return None
    found = _KEY_VALUE.fullmatch(lines[line - 1])
    if not found:
        return None
    key, value = found.group(2), found.group(3)
    if value.startswith(("'", '"', "[", "{", "|", ">")):
        return None
    quoted = json.dumps(value, ensure_ascii=False)
    return Issue(rel, line, column, "", "colon-in-text",
                 f"{key} 的文字中含有“: ”(冒号加空格),YAML 把它当成了新的“键: 值”。"
                 f"文字中含有“: ”,请给整段文字加引号:{key}: {quoted}")
