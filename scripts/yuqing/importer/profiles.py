"""Import profiles: which header spellings name which field, and what a row of that export means.

A profile is a YAML file. The package ships two (``data/import-profiles/``: a
generic monitoring-platform export and a generic 12345 work-order export); a
register adds its own in ``import-profiles/`` at its root (a register's
profile of the same name replaces the shipped one). Without ``--profile`` the
header row is found among the first rows (under title rows and merged cells)
and the profile that places its required fields and the most columns wins.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml

from .reading import Cell

FIELDS: dict[str, str] = {
    "title": "标题", "content": "正文", "link": "链接", "published_at": "发布时间", "source": "来源",
    "author": "作者", "sentiment": "情感倾向", "reads": "阅读数", "comments": "评论数", "likes": "点赞数",
    "reposts": "转发数", "work_order": "工单号", "unit": "承办单位",
}
"""The fields an export's columns can fill, with their Chinese names for messages."""

COUNTS = ("reads", "comments", "likes", "reposts")
"""The fields whose sum is a row's reach (``--min-reach``)."""

REGISTER_FOLDER = "import-profiles"
"""The register's own profiles: ``import-profiles/*.yml`` at the register's root."""

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "import-profiles"
HEADER_SCAN = 30
"""Rows searched for the header (title rows, notes and merged cells above it)."""


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    channel: str = "网络媒体"
    """The source channel when the row's source is not a platform register.yml knows."""
    platform: str | None = None
    appeal: bool = False
    """A row is a netizen's demand (12345): the draft's ``appeal`` starts the reply clocks."""
    category: str | None = None
    unit: str | None = None
    origin: str = ""
    """Where the profile was read from (for messages)."""
    keys: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def field_of(self, header: Cell) -> str | None:
        return self.keys.get(header_key(header))


def header_key(value: Cell) -> str:
    """A header as compared: width-folded (NFKC), without spaces, a trailing colon or a unit in brackets."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).casefold()
    text = "".join(text.split()).rstrip(":")
    for opening, closing in (("(", ")"), ("[", "]"), ("【", "】")):
        if text.endswith(closing) and opening in text and not text.startswith(opening):
            text = text[:text.rindex(opening)]
    return text


def _profile(data: Any, origin: str, fallback_name: str) -> Profile | str:
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        return f"{origin}:导入方案应有 fields(字段 → 表头写法列表)。"
    aliases: dict[str, tuple[str, ...]] = {}
    for name, spellings in data["fields"].items():
        if name not in FIELDS:
            from ..words import did_you_mean

            return f"{origin}:不认识的字段“{name}”。{did_you_mean(str(name), list(FIELDS))}可用:{'、'.join(FIELDS)}。"
        if isinstance(spellings, str):
            spellings = [spellings]
        if not isinstance(spellings, list) or not all(isinstance(s, (str, int)) for s in spellings):
            return f"{origin}:字段 {name} 的表头写法应为文字列表。"
        aliases[name] = tuple(str(s) for s in spellings)
    required = tuple(str(r) for r in data.get("required") or ())
    missing = [r for r in required if r not in aliases]
    if missing:
        return f"{origin}:必需字段 {'、'.join(missing)} 没有写表头写法。"
    keys: dict[str, str] = {}
    for name, spellings in aliases.items():
        for spelling in (FIELDS[name], *spellings):
            keys.setdefault(header_key(spelling), name)
    found = data.get("defaults")
    defaults: dict[str, Any] = found if isinstance(found, dict) else {}
    return Profile(str(data.get("name") or fallback_name), str(data.get("title") or data.get("name") or fallback_name),
                   aliases, required, str(data.get("channel") or "网络媒体"),
                   str(data["platform"]) if data.get("platform") else None, bool(data.get("appeal")),
                   str(defaults["category"]) if defaults.get("category") else None,
                   str(defaults["unit"]) if defaults.get("unit") else None, origin, keys)


def load_profiles(root: Path | None) -> tuple[list[Profile], list[str]]:
    """The register's profiles, then the shipped ones not replaced by name; and problems with the files."""
    found: list[Profile] = []
    problems: list[str] = []
    folders = ([(root / REGISTER_FOLDER, f"{REGISTER_FOLDER}/")] if root is not None else []) + [(SHIPPED, "内置方案 ")]
    for folder, shown in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yml")):
            origin = f"{shown}{path.name}"
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                problems.append(f"{origin} 无法读取:{type(error).__name__}。")
                continue
            profile = _profile(data, origin, path.stem)
            if isinstance(profile, str):
                problems.append(profile)
            elif all(p.name != profile.name for p in found):
                found.append(profile)
    return found, problems


@dataclass(frozen=True)
class Header:
    """Where the header is and what each column means under the chosen profile."""

    index: int
    """Index of the header row in the sheet's rows."""
    profile: Profile
    columns: dict[str, int]
    """field -> column index (the first column placed for a field)."""
    labels: tuple[str, ...]
    unplaced: tuple[str, ...]


def _labels(rows: Sequence[Sequence[Cell]], index: int) -> tuple[str, ...]:
    """The header row's labels; a blank cell under a vertically merged label takes the label above."""
    row = rows[index]
    above = rows[index - 1] if index > 0 else ()
    labels = []
    for column, value in enumerate(row):
        if value in (None, "") and column < len(above) and above[column] not in (None, ""):
            value = above[column]
        labels.append("" if value is None else " ".join(str(value).split()))
    return tuple(labels)


def _place(profile: Profile, labels: Sequence[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for column, label in enumerate(labels):
        name = profile.field_of(label)
        if name is not None and name not in columns:
            columns[name] = column
    return columns


def find_header(rows: Sequence[Sequence[Cell]], profiles: Sequence[Profile], numbers: Sequence[int] = ()) -> Header | str:
    """The header row and the profile for it, or a Chinese message saying what could not be placed."""
    best: tuple[int, int] | None = None  # (placed, index)
    for index in range(min(HEADER_SCAN, len(rows))):
        labels = _labels(rows, index)
        placed = max((len(_place(p, labels)) for p in profiles), default=0)
        if placed >= 2 and (best is None or placed > best[0]):
            best = (placed, index)
    if best is None:
        spellings = "、".join(FIELDS[f] for f in ("title", "link", "published_at", "source", "work_order"))
        return (f"前 {HEADER_SCAN} 行中找不到表头:没有一行含两个以上认得的列名(如 {spellings})。"
                f"请确认这是监测平台或 12345 的导出,或在 {REGISTER_FOLDER}/ 中为它写一个导入方案。")
    index = best[1]
    labels = _labels(rows, index)
    candidates = []
    for order, profile in enumerate(profiles):
        columns = _place(profile, labels)
        missing = [f for f in profile.required if f not in columns]
        candidates.append((not missing, len(columns), -order, profile, columns, missing))
    usable, _, _, profile, columns, missing = max(candidates, key=lambda c: c[:3])
    unplaced = tuple(label for column, label in enumerate(labels) if label and column not in columns.values())
    if not usable:
        lines = [f"表头在第 {numbers[index] if numbers else index + 1} 行,但没有一个导入方案能放下它的列:"]
        for ok, _, _, candidate, _, lacking in sorted(candidates, key=lambda c: c[:3], reverse=True):
            needs = ";".join(f"“{FIELDS[f]}”(可写作 {'/'.join(candidate.aliases[f][:4])})" for f in lacking)
            lines.append(f"  {candidate.title}({candidate.name}):找不到 {needs}")
        if unplaced:
            lines.append(f"  无法识别的列:{'、'.join(unplaced)}")
        lines.append(f"可用 --profile 指定方案,或在 {REGISTER_FOLDER}/ 的方案中为这些列加上表头写法。")
        return "\n".join(lines)
    return Header(index, profile, columns, labels, unplaced)
