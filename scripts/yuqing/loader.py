"""YAML file -> plain data plus a map from JSON path to (line, column).

The loader reads the libyaml event stream itself instead of PyYAML's
constructor, because the constructor silently keeps the last of two duplicate
keys, expands aliases (the billion-laughs attack) and turns timestamps into
datetimes that JSON Schema tools would not see. Problems in a file are returned
as Issues, never raised: no input file, however broken, may crash the checker.

Scalars are resolved with the YAML 1.2 core schema (as ruamel.yaml, and so
check-jsonschema and editors, do): ``yes``/``no`` stay text, timestamps stay text.

Most files are of one plain kind (word keys, block structure, one-line values,
``|`` blocks, nothing suspect): :func:`_quick_load` reads those line by line, in a
third less time than the event stream, and declines anything else, which the event
reader then reads. Both give the same data, positions and marks (tests/test_fastcheck.py).
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .model import Issue
from .slips import explain as _explain  # noqa: F401 - re-exported for tests
from .slips import syntax_issue

try:  # libyaml: an order of magnitude faster than the pure-Python parser
    from yaml._yaml import CParser as _Parser
    _BYTE_POSITIONS = True  # libyaml reads UTF-8: its reader errors count bytes
except ImportError:  # pragma: no cover - only without libyaml
    _BYTE_POSITIONS = False
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader as _Reader
    from yaml.scanner import Scanner as _Scanner

    class _Parser(_Reader, _Scanner, _PyParser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            _Reader.__init__(self, stream)
            _Scanner.__init__(self)
            _PyParser.__init__(self)

MAX_FILE_BYTES = 1024 * 1024
"""Incident files are a few KB; anything over 1 MiB is refused unread."""

# Matched whole (fullmatch): `$` would also match before a final newline.
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_INT_OCT = re.compile(r"0o[0-7]+")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
MAX_INT_DIGITS = 4000
"""Longer integers are refused: Python cannot print one of 4,301+ digits (and no field is a number)."""
MAX_INT_BITS = MAX_INT_DIGITS * 3  # the same bound for 0x and 0o forms (2**12000 < 10**4000)


class _TooLarge:
    """What :func:`resolve_plain` returns for an integer too long to handle:
    equal to no text (so writers quote such text) and turned into an Issue by the loader."""

    def __repr__(self) -> str:
        return "TOO_LARGE"


TOO_LARGE: Any = _TooLarge()


# Characters a value may never hold: C0 and C1 controls (but line feed, which
# multi-line text keeps), DEL, the line and paragraph separators, and bidi
# controls (U+061C, U+200E/F, U+202A-202E, U+2066-2069: "Trojan Source").
_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters single-line fields may not hold (the field table decides which are).
# Zero-width means every Default_Ignorable_Code_Point of Unicode that is not a bidi control
# (those are forbidden above): U+200B-200D, U+2060-2065, U+FEFF, the soft hyphen U+00AD,
# U+034F, the Hangul fillers U+115F/1160/3164/FFA0, Mongolian and variation selectors, tags.
_IGNORABLE = ("\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d\u2060-\u2065\u206a-\u206f"
              "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
              "\U000e0000-\U000e0fff")
_LINE_BREAK_OR_ZERO_WIDTH = re.compile(f"[\n{_IGNORABLE}]")
_ZERO_WIDTH_CHAR = re.compile(f"[{_IGNORABLE}]")


class _ZeroWidth:
    """``char in _ZERO_WIDTH`` for every default-ignorable character (ranges, not a set)."""

    def __contains__(self, char: object) -> bool:
        return isinstance(char, str) and _ZERO_WIDTH_CHAR.fullmatch(char) is not None


_ZERO_WIDTH = _ZeroWidth()
_SUSPECT_CLASS = _FORBIDDEN.pattern[:-1] + _LINE_BREAK_OR_ZERO_WIDTH.pattern[1:]
_SUSPECT = re.compile(_SUSPECT_CLASS).search
"""One scan per text value finds anything either of the two classes above holds."""
_UNREADABLE = "\ufffe\uffff"
"""The non-characters libyaml's reader refuses (its other refusals, C0 and C1 controls
but tab, line feed, carriage return and NEL, are in :data:`_FORBIDDEN` already)."""
_RAW_SUSPECT = re.compile(_SUSPECT_CLASS.replace("\n", "")[:-1] + _UNREADABLE + "]|\\\\").search
"""In the raw file: such a character, one libyaml refuses, or a backslash (an escape may
write one). A file without any holds suspect values only in scalars spanning lines (block
text); tests/test_fastcheck.py walks every code point to keep this in step with libyaml."""
_CHAR_NAMES = {
    "\t": "制表符 Tab,可改为空格", "\r": "回车符 \\r", "\x00": "空字符 \\0", "\x07": "响铃符 \\a",
    "\x08": "退格符 \\b", "\x0b": "垂直制表符 \\v", "\x0c": "换页符 \\f", "\x1b": "转义符 \\e",
    "\x7f": "删除符 DEL", "\x85": "下一行符 NEL", "\u2028": "行分隔符 U+2028", "\u2029": "段分隔符 U+2029",
}


def shown(text: str) -> str:
    """``text`` with invisible characters spelled out (\\n, \\u202e), for messages."""
    if text.isprintable() and not _LINE_BREAK_OR_ZERO_WIDTH.search(text):
        return text
    return "".join(c if c.isprintable() and c not in _ZERO_WIDTH else
                   repr(c)[1:-1] if repr(c)[1:-1] != c else f"\\u{ord(c):04x}" for c in text)


def char_name(char: str) -> str:
    """A control or invisible character named for a message: 回车符 \\r, U+202E."""
    return _CHAR_NAMES.get(char, f"U+{ord(char):04X}")


@dataclass(frozen=True)
class TextMark:
    """A fact about a text value whose meaning depends on the field (see textscan.py).

    ``kind`` is ``newline`` or ``zero-width`` (the character at ``detail``), or
    ``comment``: a plain value followed on its line by a `` #`` comment that
    YAML dropped (``detail`` is the comment, ``value`` what was kept).
    """

    kind: str
    path: str
    line: int
    column: int
    value: str
    detail: str
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq", "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True)
class Loaded:
    """What one file holds: data (None when unreadable) and where each value sits."""

    file: str
    data: Any
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    issues: tuple[Issue, ...] = ()
    marks: tuple[TextMark, ...] = ()
    """Facts about text values that the caller judges by field (textscan.py)."""

    def where(self, path: str, *, key: bool = False) -> tuple[int, int]:
        """Line and column of ``path`` (its key if asked), else its nearest ancestor."""
        table = self.key_positions if key else self.positions
        if path in table:
            return table[path]
        probe = path
        while probe:
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
            if probe in self.positions:
                return self.positions[probe]
        return self.positions.get("", (1, 1))


def join_path(parent: str, key: str | int) -> str:
    """JSON path in the SPEC's form: ``timeline[2].at``."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


_SPECIAL_START = frozenset("~nNtTfF0123456789+-.")
"""Every plain scalar that is not text starts with one of these (or is empty)."""


def resolve_plain(value: str) -> Any:
    """The YAML 1.2 core-schema value of a plain (unquoted) scalar.

    An integer of more than MAX_INT_DIGITS digits is :data:`TOO_LARGE` (never
    raised: Python refuses to convert 4,301+ digits, and every command must go on).
    """
    if value and value[0] not in _SPECIAL_START:
        return value  # the common case (Chinese text, enum words) without seven regexes
    if _NULL.fullmatch(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.fullmatch(value):
        if len(value) > MAX_INT_DIGITS + 1:
            return TOO_LARGE
        return int(value)
    if _INT_OCT.fullmatch(value) or _INT_HEX.fullmatch(value):
        number = int(value[2:], 8 if value[1] == "o" else 16)
        if number.bit_length() > MAX_INT_BITS:
            return TOO_LARGE
        return number
    if _FLOAT.fullmatch(value):
        return float(value)
    if _INF.fullmatch(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.fullmatch(value):
        return float("nan")
    return value


def load_file(path: Path, rel: str, *, max_bytes: int = MAX_FILE_BYTES) -> Loaded:
    """Read and parse one YAML file; every problem comes back as an Issue."""
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            return _whole_file(rel, "file-too-large",
                               f"文件过大({size // 1024} KB),超过上限 {max_bytes // 1024} KB,未读取。"
                               "一个事件一个文件,通常只有几 KB;请检查是否误存了附件或日志。")
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        return _whole_file(rel, "file-unreadable", "这是一个目录,不是事件文件。")
    except OSError as error:
        reason = _OS_REASONS.get(error.errno or 0, f"系统错误 {error.errno}")
        return _whole_file(rel, "file-unreadable", f"无法读取文件:{reason}。")
    return load_bytes(raw, rel)


_OS_REASONS = {
    errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限", errno.ENOENT: "文件不存在(或已被删除)",
    errno.ELOOP: "符号链接循环", errno.EIO: "磁盘读写错误", errno.ENAMETOOLONG: "文件名过长",
}


def load_bytes(raw: bytes, rel: str) -> Loaded:
    """Parse the bytes of one file (the testable core of :func:`load_file`)."""
    text, issue = _decode(raw, rel)
    if issue is not None:
        return Loaded(rel, None, issues=(issue,))
    assert text is not None
    quick = _quick_load(text, rel)
    if quick is not None:
        return quick
    if not _has_content(text):
        return _whole_file(rel, "file-empty", "文件是空的(或只有注释)。请按模板填写事件,或用 `yuqing new` 生成。")
    return read_events(text, rel)


def load_text(text: str, rel: str) -> Loaded:
    """Parse one file's text: the plain kind line by line, anything else from libyaml's events."""
    quick = _quick_load(text, rel)
    return quick if quick is not None else read_events(text, rel)


def read_events(text: str, rel: str) -> Loaded:
    """Parse ``text`` from libyaml's event stream: every file, however written or broken."""
    builder = _Builder(rel)
    try:
        data = builder.build(text)
    except yaml.MarkedYAMLError as error:
        return Loaded(rel, None, issues=tuple(builder.issues) + (syntax_issue(text, rel, error),))
    except yaml.YAMLError as error:  # reader errors: control characters and the like
        position = getattr(error, "position", 0) or 0
        if _BYTE_POSITIONS:
            position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        character = getattr(error, "character", None)
        name = char_name(chr(character)) if isinstance(character, int) else "控制字符"
        return Loaded(rel, None, issues=(Issue(
            rel, line, column, "", "control-char",
            f"文件含有看不见的控制字符({name}),YAML 不允许,请删除它(常见原因:从网页、Word 或聊天软件复制时带入)。",
        ),))
    except RecursionError:
        return _whole_file(rel, "yaml-too-deep", "YAML 嵌套层数过深,不是有效的事件文件。")
    issues = list(builder.issues)
    if data is not None and not isinstance(data, dict):
        kind = "列表" if isinstance(data, list) else "单个值"
        issues.append(Issue(rel, 1, 1, "", "not-a-mapping",
                            f"文件顶层应为“键: 值”的映射(id、title、level……),现在是{kind}。"))
        data = None
    if data is None and not issues:
        issues.append(Issue(rel, 1, 1, "", "file-empty", "文件没有内容。请按模板填写事件。"))
    return Loaded(rel, data, builder.positions, builder.key_positions, tuple(issues), tuple(builder.marks))


def _whole_file(rel: str, code: str, message: str) -> Loaded:
    return Loaded(rel, None, issues=(Issue(rel, 1, 1, "", code, message),))


def _has_content(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped not in ("---", "..."):
            return True
    return False


def _decode(raw: bytes, rel: str) -> tuple[str | None, Issue | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark is harmless; Windows editors add it
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Issue(rel, 1, 1, "", "encoding-utf16",
                           "文件是 UTF-16 编码,应为 UTF-8。请在编辑器中“另存为”并选择 UTF-8 编码。")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        try:
            raw.decode("gbk")
        except UnicodeDecodeError:
            return None, Issue(rel, line, column, "", "encoding-unknown",
                               "文件不是 UTF-8 编码(第一个无法识别的字节在此处)。请在编辑器中“另存为”并选择 UTF-8 编码。")
        return None, Issue(rel, line, column, "", "encoding-gbk",
                           "文件是 GBK 编码(常见于 Windows 记事本的“ANSI”或 Excel 导出),应为 UTF-8。"
                           "请在编辑器中“另存为”并选择 UTF-8;VS Code 右下角点击“GBK”→“通过编码保存”→“UTF-8”;"
                           "或运行 iconv -f GBK -t UTF-8 原文件 > 新文件。")


_AliasEvent = yaml.AliasEvent
_ScalarEvent = yaml.ScalarEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_SequenceEndEvent = yaml.SequenceEndEvent
_MappingStartEvent = yaml.MappingStartEvent
_MappingEndEvent = yaml.MappingEndEvent


class _Builder:
    """Builds plain data from the libyaml event stream, recording positions."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.positions: dict[str, tuple[int, int]] = {}
        self.key_positions: dict[str, tuple[int, int]] = {}
        self.issues: list[Issue] = []
        self.marks: list[TextMark] = []
        self._events: Any = None
        self._reported_anchor = False
        self._lines: list[str] = []
        self._comment_lines: frozenset[int] = frozenset()
        self._scan_all = True
        self._text = ""

    def build(self, text: str) -> Any:
        if " #" in text or "\t#" in text:
            # Lines where a comment follows something: a plain value ending on
            # one of them lost the rest of its line (checked in _comment_after).
            self._lines = text.splitlines()
            self._comment_lines = frozenset(
                number for number, line in enumerate(self._lines)
                if (" #" in line or "\t#" in line) and not line.lstrip().startswith("#"))
        # Scanning every value costs a quarter of the load: only when the raw text could hide something.
        self._scan_all = _RAW_SUSPECT(text) is not None
        self._text = text
        parser = _Parser(text)
        try:
            self._events = parser
            event = self._next()  # StreamStart
            event = self._next()
            if isinstance(event, yaml.StreamEndEvent):
                return None
            data = self._document(event)
            event = self._next()
            if isinstance(event, yaml.DocumentStartEvent):
                line, column = self._mark(event)
                self.issues.append(Issue(self.rel, line, column, "", "yaml-multiple-documents",
                                         "一个文件只能有一个 YAML 文档;请删除多余的“---”及其后的内容,每个事件单独一个文件。"))
            return data
        finally:
            dispose = getattr(parser, "dispose", None)
            if dispose:
                dispose()

    def _next(self) -> Any:
        return self._events.get_event()

    def _document(self, start: Any) -> Any:
        event = self._next()
        value = self._node(event, "")
        self._next()  # DocumentEnd
        return value

    def _mark(self, event: Any) -> tuple[int, int]:
        return event.start_mark.line + 1, event.start_mark.column + 1

    def _check_anchor(self, event: Any, path: str) -> None:
        if getattr(event, "anchor", None) is not None:
            line, column = self._mark(event)
            self.issues.append(Issue(self.rel, line, column, path, "yaml-anchor",
                                     f"不允许使用 YAML 锚点(&{event.anchor}):请把内容直接写出来。"))

    def _node(self, event: Any, path: str) -> Any:
        # The hot loop of `yuqing check`: exact event classes are compared
        # with `is` and the common case (an untagged plain scalar) is inlined.
        mark = event.start_mark
        self.positions[path] = (mark.line + 1, mark.column + 1)
        kind = type(event)
        if kind is _AliasEvent:
            line, column = self._mark(event)
            self.issues.append(Issue(self.rel, line, column, path, "yaml-alias",
                                     f"不允许使用 YAML 别名(*{event.anchor}):请把内容直接写出来。"))
            return None
        if kind is not _ScalarEvent and kind is not _SequenceStartEvent and kind is not _MappingStartEvent:
            return self._other_node(event, path)  # pragma: no cover - libyaml yields only these
        if event.anchor is not None:
            self._check_anchor(event, path)
        tag = event.tag
        if tag is not None:
            self._check_tag(event, path)
        if kind is _ScalarEvent:
            if tag is None and event.implicit[0] and not event.style:
                value = resolve_plain(event.value)
                if event.end_mark.line in self._comment_lines:
                    self._comment_after(event, path)
            else:
                value = self._scalar(event)
            if type(value) is str:
                if (self._scan_all or mark.line != event.end_mark.line) and _SUSPECT(value):
                    self._odd_text(event, path, value)
            elif value is TOO_LARGE:
                line, column = self._mark(event)
                self.issues.append(Issue(self.rel, line, column, path, "number-too-large",
                                         f"{path or '值'} 是一个 {len(event.value)} 位长的数字,无法处理(没有哪一项"
                                         "需要这么长的数字)。如果它是文字,请加引号。"))
                return None
            return value
        if kind is _SequenceStartEvent:
            items: list[Any] = []
            get = self._events.get_event
            event = get()
            while type(event) is not _SequenceEndEvent:
                items.append(self._node(event, f"{path}[{len(items)}]"))
                event = get()
            return items
        return self._mapping(path)

    def _comment_after(self, event: Any, path: str) -> None:
        end = event.end_mark
        rest = self._lines[end.line][end.column:]
        comment = rest.lstrip(" \t")
        if comment.startswith("#") and comment != rest:
            column = end.column + len(rest) - len(comment) + 1
            self.marks.append(TextMark("comment", path, end.line + 1, column, event.value, comment.rstrip()))

    def _odd_text(self, event: Any, path: str, value: str) -> None:
        """Report forbidden characters; note line breaks and zero-width ones for the field table."""
        line, column = self._mark(event)
        where = shown(path) or "值"
        forbidden = _FORBIDDEN.findall(value)
        bidi = [c for c in forbidden if c in _BIDI]
        controls = [c for c in forbidden if c not in _BIDI]
        if forbidden and getattr(event, "style", None) == "|":
            line, column = self._in_literal(event, value, value.index(forbidden[0]))
        if controls:
            self.issues.append(Issue(self.rel, line, column, path, "control-char",
                                     f"{where} 含有控制字符({char_name(controls[0])}),请删除:看不见的控制字符会让"
                                     "导出的表格、文档和网站出错。双引号中的 \\r、\\t、\\x07、\\u0000 等转义同样不允许。"))
        if bidi:
            self.issues.append(Issue(self.rel, line, column, path, "bidi-char",
                                     f"{where} 含有文字方向控制字符 {char_name(bidi[0])},请删除:它看不见,却会让文字"
                                     "倒序或错位显示,可被用来伪装编号、标题。"))
        found = _LINE_BREAK_OR_ZERO_WIDTH.search(value)
        if found is not None:
            kinds = {"newline" if c == "\n" else "zero-width": c for c in _LINE_BREAK_OR_ZERO_WIDTH.findall(value)}
            for kind, char in kinds.items():
                self.marks.append(TextMark(kind, path, line, column, value, char))

    def _in_literal(self, event: Any, value: str, index: int) -> tuple[int, int]:
        """Line and column of ``value[index]`` in a literal block (``|``): its lines are the file's."""
        start = value.rfind("\n", 0, index) + 1
        number = event.start_mark.line + 1 + value.count("\n", 0, index)  # 0-based: content starts below "|"
        lines = self._text.splitlines()
        if number >= len(lines):
            return self._mark(event)
        raw = lines[number]
        text_line = value[start:value.find("\n", start) if "\n" in value[start:] else len(value)]
        indent = (len(raw) - len(raw.lstrip(" "))) - (len(text_line) - len(text_line.lstrip(" ")))
        return number + 1, indent + index - start + 1

    def _other_node(self, event: Any, path: str) -> Any:  # pragma: no cover
        raise yaml.YAMLError(f"unexpected event {event!r}")

    def _mapping(self, path: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        key_positions, positions = self.key_positions, self.positions
        comment_lines, scan_all = self._comment_lines, self._scan_all
        get = self._events.get_event
        event: Any = get()
        while type(event) is not _MappingEndEvent:
            if type(event) is _ScalarEvent:
                mark: Any = event.start_mark
                key_mark = (mark.line + 1, mark.column + 1)
                if event.anchor is not None:
                    self._check_anchor(event, path)
                key = event.value
                if key == "<<" and not event.style:  # plain (libyaml reports "" for plain)
                    # YAML 1.1 tools merge the mapping below into this one; we read YAML 1.2, where it is a
                    # plain key: the same file would read as two different records. Refused.
                    self.issues.append(Issue(self.rel, key_mark[0], key_mark[1], join_path(path, key), "yaml-merge-key",
                                             "不能使用 YAML 合并键“<<”(不同的工具对它的理解不同,同一个文件会读成不同的记录)。"
                                             "请把要写的键逐个写出。"))
            else:
                key_mark = self._mark(event)
                key = self._key(event, path)
            child = f"{path}.{key}" if path else key
            if self._scan_all and _SUSPECT(key):
                self._odd_text(event, child, key)
            value_event = get()
            if key in result:
                first_line = key_positions[child][0]
                self.issues.append(Issue(self.rel, key_mark[0], key_mark[1], child, "yaml-duplicate-key",
                                         f"键“{key}”重复出现(第 {first_line} 行已有)。YAML 会悄悄只保留后一个,请合并为一个。"))
                self._node(value_event, child + "#dup")  # parse and drop, keep the first
                event = get()
                continue
            key_positions[child] = key_mark
            if type(value_event) is _ScalarEvent and value_event.tag is None and value_event.anchor is None:
                # _node's common case, inlined: an untagged scalar value (two thirds of all nodes).
                text = value_event.value
                value = resolve_plain(text) if value_event.implicit[0] and not value_event.style else text
                if value is TOO_LARGE:
                    result[key] = self._node(value_event, child)
                else:
                    mark = value_event.start_mark
                    positions[child] = (mark.line + 1, mark.column + 1)
                    end_mark: Any = value_event.end_mark
                    end = end_mark.line
                    if end in comment_lines and value_event.implicit[0] and not value_event.style:
                        self._comment_after(value_event, child)
                    if value is text and (scan_all or mark.line != end) and _SUSPECT(text):
                        self._odd_text(value_event, child, text)
                    result[key] = value
            else:
                result[key] = self._node(value_event, child)
            event = get()
        return result

    def _key(self, event: Any, path: str) -> str:
        if isinstance(event, yaml.ScalarEvent):
            self._check_anchor(event, path)
            return event.value
        # A sequence or mapping used as a key: legal YAML, meaningless here.
        line, column = self._mark(event)
        self.issues.append(Issue(self.rel, line, column, path, "yaml-complex-key",
                                 "键必须是简单的文字,不能是列表或映射。"))
        self._node(event, path + "#key")
        return f"<复杂键@{line}:{column}>"

    def _check_tag(self, event: Any, path: str) -> None:
        tag = getattr(event, "tag", None)
        if tag is None:
            return  # every tag is refused, !!str too: the file must read as it looks
        line, column = self._mark(event)
        written = tag.replace("tag:yaml.org,2002:", "!!")
        self.issues.append(Issue(self.rel, line, column, path, "yaml-tag",
                                 f"不支持 YAML 标签“{written}”:请删除它,直接写值(需要文字时加引号)。"))

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag == "tag:yaml.org,2002:str" or (tag is None and not event.implicit[0]):
            return event.value
        if tag is not None and tag != "!" and tag in _STANDARD_TAGS and tag not in (
            "tag:yaml.org,2002:timestamp",
        ):
            value = resolve_plain(event.value)
            return value
        if event.style is not None and event.style not in ("", None):
            return event.value  # quoted or block scalars are text
        return resolve_plain(event.value)


def _entry_key(text: str) -> str | None:
    """The key of ``text`` when it is a mapping entry as incident files write it: a plain
    ASCII word, a colon, then a space and its value or nothing."""
    key, colon, _ = text.partition(": ")
    if not colon:
        if text[-1:] != ":":
            return None
        key = text[:-1]
    return key if key.isidentifier() and key.isascii() else None


_QUICK_NOT_PLAIN = frozenset("-?:,[]{}#&*!|>'\"%@`")
"""First characters after which a value is not plain text (or is, but in ways left to libyaml)."""


class _NotQuick(Exception):
    """The file is not of the plain kind :func:`_quick_load` reads: libyaml reads it."""


def _quick_load(text: str, rel: str) -> Loaded | None:
    """The common, clean file read line by line, without libyaml's event stream (a third of its cost).

    Only block mappings with word keys, block sequences, one-line plain or quoted
    scalars, and ``|`` literal blocks; no trailing space, comment after a value,
    suspect character, tag, anchor, alias, duplicate key, null or huge number. Anything
    else is None: :class:`_Builder` reads it and says what is wrong. The data,
    positions and marks are the builder's own (tests/test_fastcheck.py compares them).
    """
    if (" #" in text or "\t#" in text or " \n" in text or not text.endswith("\n") or "\n---" in text
            or "\n..." in text or text.startswith(("---", "...", "%")) or _RAW_SUSPECT(text) is not None):
        return None
    reader = _Quick(text.split("\n"))
    try:
        at = reader.next_line()
        if at < 0 or reader.lines[at][0] == " ":
            return None
        data = reader.mapping(at, 0, "")
        if reader.next_line() >= 0:
            return None
    except (_NotQuick, RecursionError):
        return None
    return Loaded(rel, data, reader.positions, reader.key_positions, (), tuple(reader.marks))


class _Quick:
    """The reader of :func:`_quick_load`: ``lines`` of the file, a cursor, and what it found."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.index = 0
        self.positions: dict[str, tuple[int, int]] = {}
        self.key_positions: dict[str, tuple[int, int]] = {}
        self.marks: list[TextMark] = []

    def next_line(self) -> int:
        """The index of the next line holding something (not blank, not a comment), or -1."""
        lines, index = self.lines, self.index
        while index < len(lines):
            line = lines[index]
            if line and line[0] != "#":
                self.index = index
                return index
            index += 1
        self.index = index
        return -1

    def mapping(self, at: int, column: int, path: str) -> dict[str, Any]:
        """The block mapping whose first key is at line ``at``, ``column`` (0-based)."""
        lines, positions, key_positions = self.lines, self.positions, self.key_positions
        count, pad = len(lines), " " * column
        positions[path] = (at + 1, column + 1)
        result: dict[str, Any] = {}
        line = lines[at][column:]
        rest: str | None
        while True:
            key, colon, rest = line.partition(": ")  # as _entry_key, inlined
            if colon:
                rest = rest.lstrip(" ")
            elif line[-1] == ":":
                key, rest = line[:-1], None
            else:
                raise _NotQuick
            if not (key.isidentifier() and key.isascii()) or key in result or len(key) > 200 or rest == "":
                raise _NotQuick  # a duplicate; a key longer than YAML's 1,024 characters is an error
            child = f"{path}.{key}" if path else key
            key_positions[child] = (at + 1, column + 1)
            self.index = at + 1
            if rest is None:
                result[key] = self.nested(column, child)
            elif rest[0] not in _QUICK_NOT_PLAIN and rest[0] not in _SPECIAL_START:
                # The common value, inlined: plain text that cannot be a number, null or boolean.
                if ": " in rest or rest[-1] == ":":
                    raise _NotQuick
                positions[child] = (at + 1, column + len(line) - len(rest) + 1)
                result[key] = rest
            else:
                result[key] = self.scalar(at, column + len(line) - len(rest), rest, child, column)
            at = self.index
            while at < count:  # the next line holding something
                line = lines[at]
                if line and line[0] != "#":
                    break
                at += 1
            else:
                self.index = at
                return result
            self.index = at
            if not line.startswith(pad):
                return result  # indented less: the mapping ends
            line = line[column:]
            if line[0] == " ":
                raise _NotQuick  # a value continued on the next line, or a mis-indented key

    def nested(self, column: int, path: str) -> Any:
        """The value below ``key:`` (a mapping at ``column``): a mapping or a sequence."""
        at = self.next_line()
        if at < 0:
            raise _NotQuick  # null
        line = self.lines[at]
        indent = len(line) - len(line.lstrip(" "))
        if line.startswith("- ", indent) and indent >= column:
            return self.sequence(at, indent, path)
        if indent > column:
            return self.mapping(at, indent, path)
        raise _NotQuick  # null

    def sequence(self, at: int, column: int, path: str) -> list[Any]:
        """The block sequence whose first ``-`` is at line ``at``, ``column``."""
        lines = self.lines
        self.positions[path] = (at + 1, column + 1)
        items: list[Any] = []
        while True:
            line = lines[at]
            if not line.startswith("- ", column):
                raise _NotQuick
            rest = line[column + 2:].lstrip(" ")
            if not rest:
                raise _NotQuick
            start = len(line) - len(rest)
            child = f"{path}[{len(items)}]"
            self.index = at + 1
            if _entry_key(rest) is not None:
                items.append(self.mapping(at, start, child))
            elif rest[0] in "|>":
                raise _NotQuick
            else:
                items.append(self.scalar(at, start, rest, child, column))
            at = self.next_line()
            if at < 0:
                return items
            line = lines[at]
            indent = len(line) - len(line.lstrip(" "))
            if indent < column or (indent == column and not line.startswith("- ", column)):
                return items
            if indent > column:
                raise _NotQuick

    def scalar(self, at: int, column: int, text: str, path: str, parent: int) -> Any:
        """The value written at line ``at``, ``column``: ``text``, or a literal block below it."""
        self.positions[path] = (at + 1, column + 1)
        first = text[0]
        if first not in _QUICK_NOT_PLAIN:
            if ": " in text or text[-1] == ":":
                raise _NotQuick
            value = resolve_plain(text)
            if value is None or value is TOO_LARGE:
                raise _NotQuick
            return value
        if first == '"' or first == "'":
            if len(text) < 2 or text[-1] != first or first in text[1:-1]:
                raise _NotQuick
            return text[1:-1]
        if text == "|":
            return self.literal(at, column, path, parent)
        raise _NotQuick

    def literal(self, at: int, column: int, path: str, parent: int) -> str:
        """A ``|`` block: its lines below, indented deeper than ``parent``, the last line break kept."""
        lines = self.lines
        index = at + 1
        if index >= len(lines) or not lines[index]:
            raise _NotQuick  # leading blank lines: left to libyaml
        first = lines[index]
        indent = len(first) - len(first.lstrip(" "))
        if indent <= parent:
            raise _NotQuick  # an empty block
        kept: list[str] = []
        blank = 0
        while index < len(lines):
            line = lines[index]
            if not line:
                blank += 1
            elif line.startswith(" " * indent):
                kept.extend([""] * blank)
                blank = 0
                kept.append(line[indent:])
            else:
                break
            index += 1
        self.index = index
        value = "\n".join(kept) + "\n"
        self.marks.append(TextMark("newline", path, at + 1, column + 1, value, "\n"))
        return value
