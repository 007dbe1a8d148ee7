"""A fast yes/no pre-check of a JSON Schema, for the common case: a valid file.

jsonschema's validator is general and slow (about 0.6 ms for one incident
file, most of the time of `yuqing check`). Almost every file in a register is
valid, so :func:`compile_schema` turns the schema into nested closures that
only answer "certainly valid?". When they say yes, jsonschema would find no
error; when they say no (or the schema uses a keyword this module does not
know), the file goes to jsonschema, which produces the usual Issues. The
reports are therefore the same by construction; tests/test_scale.py checks it
on valid and invalid files.

The closures are conservative: wherever jsonschema's semantics have corners
(numbers equal to booleans, uniqueness of mixed items), they answer "no".
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Any, Callable

Check = Callable[[Any], bool]

_TEXT_KEYWORDS = frozenset({"type", "minLength", "maxLength", "pattern"})
"""A schema of only these, with type string, is checked by one closure (:meth:`_Compiler._text`)."""

# Keywords that never affect validity.
_ANNOTATIONS = frozenset({
    "$schema", "$id", "$defs", "definitions", "$comment", "title", "description", "default",
    "examples", "deprecated", "readOnly", "writeOnly",
})


@lru_cache(maxsize=256)
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled so that ``search`` reads its ``$`` as JSON Schema (ECMA-262) does.

    Python's ``$`` also matches before a final line feed, so ``^[0-9]{4}$`` would take
    "2025\\n"; ECMA-262's ``$`` (without the multiline flag) matches only at the end.
    Each ``$`` that is neither escaped nor in a character class becomes ``\\Z``.
    """
    out: list[str] = []
    in_class = False
    index, count = 0, len(pattern)
    while index < count:
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index:index + 2])
            index += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            # A "]" first in the class (after an optional "^") is a literal in Python's reading.
            start = index + 1 + (pattern[index + 1:index + 2] == "^")
            if pattern[start:start + 1] == "]":
                out.append(pattern[index:start + 1])
                index = start + 1
                continue
        elif char == "$":
            char = "\\Z"
        out.append(char)
        index += 1
    return re.compile("".join(out))


class _Unsupported(Exception):
    """The schema uses something this module does not implement: no fast path."""


def compile_schema(schema: dict[str, Any], formats: Callable[[Any, str], bool],
                   format_checks: dict[str, Check] | None = None) -> Check | None:
    """A function that is True only for instances valid under ``schema``, or None.

    ``formats(value, name)`` tells whether ``value`` conforms to the format
    ``name`` (the validator's own format checker, so both paths agree);
    ``format_checks`` are the same tests by name, called without that detour.
    """
    try:
        return _Compiler(schema, formats, format_checks or {}).compile(schema)
    except (_Unsupported, RecursionError, KeyError, TypeError, re.error):
        return None


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


_TYPES: dict[str, Check] = {
    "string": _is_string,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _count(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Unsupported(value)


def _number(value: Any) -> None:
    if not _is_number(value):
        raise _Unsupported(value)


class _Compiler:
    def __init__(self, root: dict[str, Any], formats: Callable[[Any, str], bool],
                 format_checks: dict[str, Check]) -> None:
        self.root = root
        self.formats = formats
        self.format_checks = format_checks
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise _Unsupported(schema)
        checks: list[Check] = []
        keys = set(schema) - _ANNOTATIONS
        if schema.get("type") == "string" and keys <= _TEXT_KEYWORDS:
            return self._text(schema)
        for key in sorted(keys):
            handler = getattr(self, "_k_" + key.lstrip("$"), None)
            if handler is None:
                raise _Unsupported(key)
            check = handler(schema[key], schema)
            if check is not None:
                checks.append(check)
        # Cheap type checks first, so the rest may assume the type.
        if not checks:
            return lambda v: True
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:  # without a loop: most schemas here are a type and one more keyword
            first, second = checks
            return lambda v: first(v) and second(v)
        chain = tuple(checks)

        def every(v: Any) -> bool:
            for check in chain:
                if not check(v):
                    return False
            return True
        return every

    def _text(self, schema: dict[str, Any]) -> Check:
        """A text schema (type string, lengths, a pattern) in one closure: the most common node."""
        low, high = schema.get("minLength", 0), schema.get("maxLength", sys.maxsize)
        _count(low)
        _count(high)
        pattern = schema.get("pattern")
        if pattern is None:
            return lambda v: isinstance(v, str) and low <= len(v) <= high
        if not isinstance(pattern, str):
            raise _Unsupported("pattern")
        search = ecma_pattern(pattern).search
        return lambda v: isinstance(v, str) and low <= len(v) <= high and search(v) is not None

    # --- keywords ------------------------------------------------------------

    def _k_ref(self, ref: str, schema: dict[str, Any]) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise _Unsupported(ref)
        if ref not in self.refs:
            target: Any = self.root
            for part in ref[1:].split("/")[1:]:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            # Registered before compiling, so that a recursive schema terminates.
            slot: list[Check] = []
            self.refs[ref] = lambda v: slot[0](v)
            slot.append(self.compile(target))
            self.refs[ref] = slot[0]  # later uses call it directly; only a recursive use needs the slot
        return self.refs[ref]

    def _k_type(self, value: Any, schema: dict[str, Any]) -> Check:
        names = [value] if isinstance(value, str) else list(value)
        if not names or not all(isinstance(n, str) for n in names):
            raise _Unsupported("type")
        tests = tuple(_TYPES[name] for name in names)
        if len(tests) == 1:
            return tests[0]
        return lambda v: any(test(v) for test in tests)

    def _k_enum(self, value: list[Any], schema: dict[str, Any]) -> Check:
        # Only text choices: 1 == 1.0 == True corners go to jsonschema.
        if not isinstance(value, list):
            raise _Unsupported("enum")
        choices = frozenset(c for c in value if isinstance(c, str))
        return lambda v: isinstance(v, str) and v in choices

    def _k_const(self, value: Any, schema: dict[str, Any]) -> Check:
        # Text, a boolean, a whole number or null, matched exactly (1.0 for 1 goes to jsonschema).
        if isinstance(value, bool) or value is None:
            return lambda v: v is value
        if isinstance(value, int):
            return lambda v: type(v) is int and v == value
        if not isinstance(value, str):
            raise _Unsupported("const")
        return lambda v: isinstance(v, str) and v == value

    def _k_required(self, value: list[str], schema: dict[str, Any]) -> Check:
        if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
            raise _Unsupported("required")
        names = frozenset(value)
        return lambda v: not isinstance(v, dict) or names <= v.keys()

    def _k_properties(self, value: dict[str, Any], schema: dict[str, Any]) -> Check:
        if not isinstance(value, dict):
            raise _Unsupported("properties")
        props = {name: self.compile(sub) for name, sub in value.items()}
        if schema.get("additionalProperties") is False and "patternProperties" not in schema:
            def closed(v: Any) -> bool:
                if not isinstance(v, dict):
                    return True
                for key, item in v.items():
                    check = props.get(key)
                    if check is None or not check(item):
                        return False
                return True
            return closed

        def open_(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for key, item in v.items():
                check = props.get(key)
                if check is not None and not check(item):
                    return False
            return True
        return open_

    def _k_additionalProperties(self, value: Any, schema: dict[str, Any]) -> Check | None:
        if "patternProperties" in schema:
            raise _Unsupported("patternProperties")
        if value is False and "properties" in schema:
            return None  # handled by properties
        if "properties" in schema:
            raise _Unsupported("additionalProperties")
        check = self.compile(value)  # applies to every property

        def each(v: Any) -> bool:
            if isinstance(v, dict):
                for item in v.values():
                    if not check(item):
                        return False
            return True
        return each

    def _k_propertyNames(self, value: Any, schema: dict[str, Any]) -> Check:
        check = self.compile(value)
        return lambda v: not isinstance(v, dict) or all(check(key) for key in v)

    def _k_minProperties(self, value: int, schema: dict[str, Any]) -> Check:
        _count(value)
        return lambda v: not isinstance(v, dict) or len(v) >= value

    def _k_maxProperties(self, value: int, schema: dict[str, Any]) -> Check:
        _count(value)
        return lambda v: not isinstance(v, dict) or len(v) <= value

    def _k_minimum(self, value: float, schema: dict[str, Any]) -> Check:
        _number(value)
        return lambda v: not _is_number(v) or v >= value

    def _k_exclusiveMinimum(self, value: float, schema: dict[str, Any]) -> Check:
        _number(value)
        return lambda v: not _is_number(v) or v > value

    def _k_maximum(self, value: float, schema: dict[str, Any]) -> Check:
        _number(value)
        return lambda v: not _is_number(v) or v <= value

    def _k_exclusiveMaximum(self, value: float, schema: dict[str, Any]) -> Check:
        _number(value)
        return lambda v: not _is_number(v) or v < value

    def _k_items(self, value: Any, schema: dict[str, Any]) -> Check:
        if "prefixItems" in schema:
            raise _Unsupported("prefixItems")
        check = self.compile(value)

        def each(v: Any) -> bool:
            if isinstance(v, list):
                for item in v:
                    if not check(item):
                        return False
            return True
        return each

    def _k_minLength(self, value: int, schema: dict[str, Any]) -> Check:
        _count(value)
        return lambda v: not isinstance(v, str) or len(v) >= value

    def _k_maxLength(self, value: int, schema: dict[str, Any]) -> Check:
        _count(value)
        return lambda v: not isinstance(v, str) or len(v) <= value

    def _k_minItems(self, value: int, schema: dict[str, Any]) -> Check:
        _count(value)
        return lambda v: not isinstance(v, list) or len(v) >= value

    def _k_maxItems(self, value: int, schema: dict[str, Any]) -> Check:
        _count(value)
        return lambda v: not isinstance(v, list) or len(v) <= value

    def _k_pattern(self, value: str, schema: dict[str, Any]) -> Check:
        if not isinstance(value, str):
            raise _Unsupported("pattern")
        search = ecma_pattern(value).search
        return lambda v: not isinstance(v, str) or search(v) is not None

    def _k_format(self, value: str, schema: dict[str, Any]) -> Check:
        if not isinstance(value, str):
            raise _Unsupported("format")
        known = self.format_checks.get(value)
        if known is not None:
            return known
        formats = self.formats
        return lambda v: formats(v, value)

    def _k_uniqueItems(self, value: bool, schema: dict[str, Any]) -> Check | None:
        if not isinstance(value, bool):
            raise _Unsupported("uniqueItems")
        if not value:
            return None
        # Only lists of text: jsonschema's equality of mixed items has corners.
        return lambda v: not isinstance(v, list) or (
            all(isinstance(i, str) for i in v) and len(set(v)) == len(v))

    def _k_anyOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        if not isinstance(value, list) or not value:
            raise _Unsupported("anyOf")
        options = tuple(self.compile(sub) for sub in value)
        if len(options) == 2:
            first, second = options
            return lambda v: first(v) or second(v)
        return lambda v: any(option(v) for option in options)

    def _k_allOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        if not isinstance(value, list) or not value:
            raise _Unsupported("allOf")
        parts = tuple(self.compile(sub) for sub in value)
        if len(parts) == 1:
            return parts[0]
        return lambda v: all(part(v) for part in parts)

    def _k_oneOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        if not isinstance(value, list) or not value:
            raise _Unsupported("oneOf")
        options = tuple(self.compile(sub) for sub in value)
        return lambda v: sum(1 for option in options if option(v)) == 1

    def _k_not(self, value: Any, schema: dict[str, Any]) -> Check:
        # "Certainly valid" under `not` needs "certainly invalid" of the inner schema.
        raise _Unsupported("not")

    def _k_if(self, value: Any, schema: dict[str, Any]) -> Check:
        # The `if` decides a branch, so it must be exact both ways: only the
        # form our schema uses (a required text property with an enum) is taken.
        condition = _exact_condition(value)
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda v: then(v) if condition(v) else otherwise(v)

    def _k_then(self, value: Any, schema: dict[str, Any]) -> None:
        return None  # handled by if

    def _k_else(self, value: Any, schema: dict[str, Any]) -> None:
        return None  # handled by if


def _exact_condition(schema: Any) -> Check:
    """An exact test (True exactly when valid) for a simple `if` schema, else _Unsupported."""
    if not isinstance(schema, dict) or set(schema) - _ANNOTATIONS - {"properties", "required"}:
        raise _Unsupported("if")
    required = tuple(schema.get("required", ()))
    tests: list[tuple[str, frozenset[str]]] = []
    for name, sub in schema.get("properties", {}).items():
        if not isinstance(sub, dict) or set(sub) - _ANNOTATIONS != {"enum"}:
            raise _Unsupported("if")
        if not all(isinstance(c, str) for c in sub["enum"]):
            raise _Unsupported("if")
        tests.append((name, frozenset(sub["enum"])))

    def condition(v: Any) -> bool:
        if not isinstance(v, dict):
            return True  # properties/required ignore non-objects
        if not all(name in v for name in required):
            return False
        for name, choices in tests:
            # A non-text value is never in a text enum (jsonschema agrees: no
            # number or bool equals a string).
            if name in v and not (isinstance(v[name], str) and v[name] in choices):
                return False
        return True
    return condition
