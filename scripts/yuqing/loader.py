"""YAML file -> plain data plus a map from JSON path to (line, column).

The loader reads the libyaml event stream itself instead of PyYAML's
constructor, because the constructor silently keeps the last of two duplicate
keys, expands aliases (the billion-laughs attack) and turns timestamps into
datetimes that JSON Schema tools would not see. Problems in a file are returned
as Issues, never raised: no input file, however broken, may crash the checker.

Scalars are resolved with the YAML 1.2 core schema (as ruamel.yaml, and so
check-jsonschema and editors, do): ``yes``/``no`` stay text, timestamps stay text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .model import Issue

try:  # libyaml: an order of magnitude faster than the pure-Python parser
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - only without libyaml
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

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
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
    """The YAML 1.2 core-schema value of a plain (unquoted) scalar."""
    if value and value[0] not in _SPECIAL_START:
        return value  # the common case (Chinese text, enum words) without seven regexes
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _INT_OCT.match(value):
        return int(value[2:], 8)
    if _INT_HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.match(value):
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
        return _whole_file(rel, "file-unreadable", f"无法读取文件:{error.strerror or error}。")
    return load_bytes(raw, rel)


def load_bytes(raw: bytes, rel: str) -> Loaded:
    """Parse the bytes of one file (the testable core of :func:`load_file`)."""
    text, issue = _decode(raw, rel)
    if issue is not None:
        return Loaded(rel, None, issues=(issue,))
    assert text is not None
    if not _has_content(text):
        return _whole_file(rel, "file-empty", "文件是空的(或只有注释)。请按模板填写事件,或用 `yuqing new` 生成。")
    return load_text(text, rel)


def load_text(text: str, rel: str) -> Loaded:
    builder = _Builder(rel)
    try:
        data = builder.build(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or error.context or "无法解析"
        return Loaded(rel, None, issues=tuple(builder.issues) + (Issue(
            rel, line, column, "", "yaml-syntax",
            f"YAML 语法错误:{_explain(problem)}。请检查这一行的缩进、冒号后的空格和引号是否成对。",
        ),))
    except yaml.YAMLError as error:  # reader errors: control characters and the like
        position = getattr(error, "position", 0) or 0
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        return Loaded(rel, None, issues=(Issue(
            rel, line, column, "", "yaml-syntax",
            "YAML 语法错误:文件含有不可见的控制字符,请删除后重试。",
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
    return Loaded(rel, data, builder.positions, builder.key_positions, tuple(issues))


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


_PROBLEMS = {
    "mapping values are not allowed here": "这里不能出现“键: 值”(常见原因:冒号后缺少空格、缩进不对,或文本中的冒号未加引号)",
    "found character that cannot start any token": "出现了不能开始一个值的字符(常见原因:用 Tab 缩进,或文本以 @、` 开头却未加引号)",
    "could not find expected ':'": "找不到应有的冒号“:”",
    "did not find expected key": "缩进不一致,找不到应有的键",
    "found unexpected end of stream": "文件意外结束(引号或括号未闭合)",
    "did not find expected '-' indicator": "列表缩进不一致,找不到应有的“- ”",
    "found undefined tag handle": "使用了未定义的标签",
    "found a tab character that violates indentation": "用 Tab 缩进了,YAML 只能用空格缩进",
}


def _explain(problem: str) -> str:
    for english, chinese in _PROBLEMS.items():
        if problem.startswith(english):
            return chinese
    return problem


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
        self._events: Any = None
        self._reported_anchor = False

    def build(self, text: str) -> Any:
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
                return resolve_plain(event.value)
            return self._scalar(event)
        if kind is _SequenceStartEvent:
            items: list[Any] = []
            get = self._events.get_event
            event = get()
            while type(event) is not _SequenceEndEvent:
                items.append(self._node(event, f"{path}[{len(items)}]"))
                event = get()
            return items
        return self._mapping(path)

    def _other_node(self, event: Any, path: str) -> Any:  # pragma: no cover
        raise yaml.YAMLError(f"unexpected event {event!r}")

    def _mapping(self, path: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        key_positions = self.key_positions
        get = self._events.get_event
        event: Any = get()
        while type(event) is not _MappingEndEvent:
            if type(event) is _ScalarEvent:
                mark: Any = event.start_mark
                key_mark = (mark.line + 1, mark.column + 1)
                if event.anchor is not None:
                    self._check_anchor(event, path)
                key = event.value
            else:
                key_mark = self._mark(event)
                key = self._key(event, path)
            child = f"{path}.{key}" if path else key
            value_event = get()
            if key in result:
                first_line = key_positions[child][0]
                self.issues.append(Issue(self.rel, key_mark[0], key_mark[1], child, "yaml-duplicate-key",
                                         f"键“{key}”重复出现(第 {first_line} 行已有)。YAML 会悄悄只保留后一个,请合并为一个。"))
                self._node(value_event, child + "#dup")  # parse and drop, keep the first
                event = get()
                continue
            key_positions[child] = key_mark
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
        if tag is None or tag == "!" or tag in _STANDARD_TAGS:
            return
        line, column = self._mark(event)
        self.issues.append(Issue(self.rel, line, column, path, "yaml-tag",
                                 f"不支持 YAML 标签“{tag}”:请删除它,直接写值。"))

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
