"""JSON Schema validation (the validator is built once) -> Issues with lines."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .fastschema import compile_schema, ecma_pattern
from .loader import Loaded, join_path
from .model import Issue
from .words import did_you_mean, listing

if TYPE_CHECKING:  # jsonschema is imported only when a file needs it (50 ms at start-up)
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError

# The project's own schemas/ (the package is installed from this repository).
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"

# RFC 3339 date-time exactly as check-jsonschema checks it, so that both tools
# agree on every file (T separator, seconds and an offset required).
_RFC3339 = re.compile(
    r"\d{4}-(?:0[1-9]|1[0-2])-\d{2}[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:[.,]\d+)?"
    r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.fullmatch(value):  # whole: `$` would admit a final newline
        return False
    year, month, day = int(value[:4]), int(value[5:7]), int(value[8:10])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    limit = 29 if month == 2 and leap else 28 if month == 2 else _DAYS_IN_MONTH[month - 1]
    return 1 <= day <= limit


_FORMAT_CHECKS: dict[str, Callable[[Any], bool]] = {"date-time": _is_datetime}


def _conforms(value: object, name: str) -> bool:
    """As jsonschema's FormatChecker.conforms: unknown formats pass."""
    check = _FORMAT_CHECKS.get(name)
    return True if check is None else bool(check(value))


@lru_cache(maxsize=1)
def _format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in _FORMAT_CHECKS.items():
        checker.checks(name)(check)
    return checker


_TYPE_NAMES = {
    "string": "文字", "object": "“键: 值”映射", "array": "列表(每项以“- ”开头)",
    "boolean": "true 或 false", "integer": "整数", "number": "数字", "null": "空",
}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return "string"


def read_schema(name: str, root: Path | None = None) -> dict[str, Any]:
    """The schema ``name`` from the register's ``schemas/`` (else the project's own)."""
    if root is not None and (root / "schemas" / name).is_file():
        return json.loads((root / "schemas" / name).read_text(encoding="utf-8"))
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _ecma_validator() -> type[Draft202012Validator]:
    """Draft 2020-12 with ``pattern`` read as JSON Schema reads it (ECMA-262), not as
    Python's ``re.search`` does: there ``$`` also matches before a final line feed, and
    "YQ-2025-0002\\n" would pass ``^...$`` (see fastschema.ecma_pattern, which the fast
    path uses too, so both paths agree)."""
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    def pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    return validators.extend(Draft202012Validator, {"pattern": pattern})


class SchemaChecker:
    """A JSON Schema turned into a function from loaded files to Issues."""

    def __init__(self, schema: dict[str, Any], *, fast: bool = True) -> None:
        self.schema = schema
        # Most files are valid: a compiled yes/no check clears them without
        # jsonschema (see fastschema.py); the rest get jsonschema's full report,
        # so the Issues are the same either way (``fast=False``: jsonschema only).
        self._certainly_valid = compile_schema(schema, _conforms, _FORMAT_CHECKS) if fast else None
        self._full: Draft202012Validator | None = None
        if self._certainly_valid is None:
            self._validator  # noqa: B018 - a schema the fast path does not take is checked now

    @property
    def _validator(self) -> Draft202012Validator:
        if self._full is None:
            from jsonschema import Draft202012Validator

            Draft202012Validator.check_schema(self.schema)
            self._full = _ecma_validator()(self.schema, format_checker=_format_checker())
        return self._full

    def issues(self, loaded: Loaded) -> list[Issue]:
        if loaded.data is None:
            return []
        if self._certainly_valid is not None and self._certainly_valid(loaded.data):
            return []
        found: list[Issue] = []
        seen: set[tuple[str, str]] = set()
        for error in self._validator.iter_errors(loaded.data):
            for issue in self._explain(error, loaded):
                key = (issue.path, issue.message)
                if key not in seen:
                    seen.add(key)
                    found.append(issue)
        found.sort(key=lambda i: (i.line, i.column, i.code))
        return found

    def _explain(self, error: ValidationError, loaded: Loaded) -> list[Issue]:
        path = ""
        for part in error.absolute_path:
            path = join_path(path, part)
        title = error.schema.get("title", "") if isinstance(error.schema, dict) else ""
        named = f"{path}({title})" if title and path else (path or "文件")
        kind = error.validator

        def issue(code: str, message: str, at: str = path, key: bool = False) -> Issue:
            line, column = loaded.where(at, key=key)
            return Issue(loaded.file, line, column, at, code, message)

        if kind == "required":
            match = re.match(r"^'(.+)' is a required property$", error.message)
            missing = match.group(1) if match else str(error.validator_value)
            props = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            label = props.get(missing, {}).get("title", "")
            if missing == "level" and path.startswith("timeline["):
                return [issue("grading-level", "定级、升级、降级事件必须写明等级 level(一般、敏感、重大、特别重大)。")]
            where = f"{path} 中" if path else ""
            # The path names the missing field (so checks that read it are skipped);
            # the position falls back to the mapping that lacks it.
            return [issue("missing-field", f"{where}缺少必填项 {missing}" + (f"({label})" if label else "") + "。",
                          at=join_path(path, missing))]
        if kind == "additionalProperties":
            props = error.schema.get("properties", {})
            extras = [k for k in error.instance if k not in props] if isinstance(error.instance, dict) else []
            return [issue("unknown-field",
                          f"不认识的键“{extra}”。{did_you_mean(extra, props) or '允许的键:' + listing(props, 20) + '。'}",
                          at=join_path(path, extra), key=True)
                    for extra in extras]
        if kind == "enum":
            choices = [str(c) for c in error.validator_value]
            hint = did_you_mean(error.instance, choices)
            return [issue("bad-value", f"{named} 的值“{error.instance}”无效。{hint}可选:{listing(choices, 20)}。")]
        if kind == "type":
            expected = error.validator_value if isinstance(error.validator_value, str) else error.validator_value[0]
            got = _TYPE_NAMES.get(_type_of(error.instance), "")
            hint = ""
            if expected == "boolean" and isinstance(error.instance, str):
                hint = "请写 true 或 false(不要写 是/否、yes/no)。"
            return [issue("bad-type", f"{named} 应为{_TYPE_NAMES.get(expected, expected)},现在是{got}。{hint}")]
        if kind == "anyOf" and isinstance(error.schema, dict) and error.schema.get("title") == "时间":
            return [issue("bad-time", _time_message(named, error.instance))]
        if kind == "anyOf" and isinstance(error.instance, str) and "时间" in str(error.schema.get("description", "")):
            return [issue("bad-time", _time_message(named, error.instance))]
        if kind == "pattern":
            return [issue("bad-format", f"{named} 的格式不对:“{error.instance}”。{_pattern_hint(path)}")]
        if kind in ("minLength", "minItems"):
            return [issue("empty-value", f"{named} 不能为空。")]
        if kind == "maxLength":
            return [issue("too-long", f"{named} 太长({len(error.instance)} 字),最多 {error.validator_value} 字。")]
        if kind == "uniqueItems":
            return [issue("duplicate-item", f"{named} 中有重复项。")]
        if kind == "format":
            return [issue("bad-time", _time_message(named, error.instance))]
        if kind in ("allOf", "if", "then"):
            return []  # explained by the nested error
        # jsonschema's own text is English: name the rule instead (our schema never gets here).
        return [issue("schema-other", f"{named} 不符合 schema 中“{kind}”的要求({_RULE_NAMES.get(str(kind), '详见 schema')})。")]


_CURLY_OPEN = frozenset("“‘「『＂")
_CURLY_CLOSE = frozenset("”’」』＂")


_RULE_NAMES = {
    "const": "只能是规定的值", "maxItems": "项数过多", "minProperties": "项数过少", "maxProperties": "项数过多",
    "minimum": "数值过小", "maximum": "数值过大", "exclusiveMinimum": "数值过小", "exclusiveMaximum": "数值过大",
    "multipleOf": "数值不是规定的倍数", "not": "不能是这种写法", "oneOf": "只能符合一种写法",
    "propertyNames": "键名不合规定", "dependentRequired": "缺少相关的项", "contains": "缺少规定的列表项",
}


def _time_message(named: str, value: Any) -> str:
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
        return f"{named} 只有日期“{value}”,还需要写时刻,如 \"{value.strip()}T09:30:00+08:00\" 或 \"{value.strip()} 09:30\"。"
    if isinstance(value, str) and value[:1] in _CURLY_OPEN and value[-1:] in _CURLY_CLOSE:
        inner = value[1:-1]
        return (f"{named} 的时间两边用了中文引号:{value}。YAML 只认英文引号,"
                f"请改为 \"{inner}\"(输入法切换到英文标点后输入引号)。")
    if isinstance(value, str) and "：" in value:
        return f"{named} 的时间中用了中文全角冒号“：”:“{value}”。请改为英文冒号,如 \"{value.replace('：', ':')}\"。"
    shown = value if isinstance(value, str) else repr(value)
    return (f"{named} 不是有效的时间:“{shown}”。应写成 \"2025-03-02T18:00:00+08:00\"(推荐,带时区并加引号)"
            f"或 \"2025-03-02 18:00\"(按台账时区理解)。")


def _pattern_hint(path: str) -> str:
    if path.endswith("id") or path.endswith("duplicate_of"):
        return "编号应形如 YQ-2025-0007(前缀-年份-4 位以上序号)。"
    return ""


@lru_cache(maxsize=4)
def bundled_checker(name: str) -> SchemaChecker:
    return SchemaChecker(read_schema(name))
