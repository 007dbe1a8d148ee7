"""The one way yuqing writes YAML text: through PyYAML's emitter, never by interpolation.

Incident files are edited by inserting emitted fragments (``key: value`` lines,
list items, blocks) into the file's text, so every comment and the layout of
everything else stay byte for byte (``git diff`` shows only the added lines).
The emitter decides quoting: a hashtag (`` #``), ``: ``, quotes, a leading
``=``/``-``/``*``/``&``/``!``, a control character or a line break can never
change what a value reads back as. Times are always double-quoted, as the
template writes them.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .loader import resolve_plain

_WIDTH = 1 << 30
"""Never fold a line: a folded scalar is still exact, but one value per line reads better."""


class Time(str):
    """A time text, always written double-quoted (``at: "2026-11-30T10:20:00+08:00"``)."""


_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Multi-line text as a literal block when the emitter can keep it exact;
    # the emitter itself falls back to a quoted style when it cannot.
    style = "|" if "\n" in value.strip("\n") else None
    if _UNSAFE.search(value):
        # PyYAML writes NEL and the Unicode line/paragraph separators raw in
        # plain and single-quoted text, where a reader folds them: escape them.
        style = '"'
    elif style is None and resolve_plain(value) != value:
        # YAML 1.1 (PyYAML) and 1.2 (our loader, ruamel, editors) disagree on a
        # few plain words such as 0E0: quote whatever 1.2 would not read as text.
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _time(dumper: yaml.SafeDumper, value: Time) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Time, _time)


def dump(data: Any) -> str:
    """Block-style YAML for ``data`` (a mapping or a list), keys in the given order."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=_WIDTH,
                     default_flow_style=False, indent=2)


def indented(text: str, spaces: int) -> str:
    """``text`` (emitted block YAML) moved right by ``spaces``: still the same values."""
    pad = " " * spaces
    # Only an empty line stays unpadded: `str.strip` would also take a line holding only a
    # no-break space (U+00A0) for empty, and leave it outside its block scalar (a syntax error).
    return "".join(pad + line if line.strip("\r\n") else line for line in text.splitlines(keepends=True))


def mapping_lines(data: dict[str, Any], spaces: int = 0) -> str:
    """``key: value`` lines for a mapping, indented by ``spaces``."""
    return indented(dump(data), spaces)


def list_item(data: dict[str, Any], dash_column: int, key_column: int) -> str:
    """One block-sequence item ``- key: value ...`` with its dash and keys at the given columns."""
    body = dump(data).splitlines(keepends=True)
    gap = max(1, key_column - dash_column - 1)
    first = " " * dash_column + "-" + " " * gap + body[0]
    rest = indented("".join(body[1:]), key_column)
    return first + rest


def scalar(value: Any) -> str:
    """``value`` as the text after ``key: `` on one line (block scalars continue on further lines)."""
    text = dump({"k": value})
    assert text.startswith("k:")
    return text[2:].lstrip(" ").rstrip("\n")
