"""The quick paths of `yuqing check` say exactly what the plain readings say.

Each quick path (written for speed at 100,000 records) is compared with the plain
reading it replaced, on generated input: the same issues, at the same lines.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yuqing.config import load_config
from yuqing.loader import Loaded, load_text
from yuqing.model import Issue
from yuqing.rules import Context, check_time_offsets
from yuqing.times import parse_time, zone

PROJECT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 9, tzinfo=timezone(timedelta(hours=8)))
CHECKS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Zones with summer time, half hours, a changed standard offset, and none at all.
ZONES = ("Asia/Shanghai", "America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe",
         "Pacific/Apia", "UTC", "America/St_Johns")


def _plain_offsets(loaded: Loaded, ctx: Context) -> Iterator[tuple[str, int, int, str]]:
    """The offset check as first written: every time parsed by times.parse_time."""
    import re

    pattern = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?P<offset>Z|z|[+-]\d{2}:\d{2})")
    data = loaded.data
    tz = zone(ctx.config.timezone)
    paths = [p for p in ("discovered_at", "occurred_at") if isinstance(data.get(p), str)]
    paths += [f"timeline[{i}].at" for i, e in enumerate(data.get("timeline") or []) if isinstance(e.get("at"), str)]
    for path in paths:
        text = (data[path] if "[" not in path else data["timeline"][int(path[9:path.index("]")])]["at"]).strip()
        match = pattern.fullmatch(text)
        value = parse_time(text, tz) if match else None
        if match is None or value is None:
            continue
        offset = match["offset"]
        written = timedelta(0) if offset in ("Z", "z") else \
            (1 if offset[0] == "+" else -1) * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        if written != value.astimezone(tz).utcoffset():
            line, column = loaded.where(path)
            yield path, line, column, value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


_OFFSETS = st.one_of(st.sampled_from(["Z", "z", "+08:00", "-05:00", "+05:30", "+00:00", "-00:00", "+10:30",
                                      "+11:00", "-03:30", "+13:00", "-11:00", "+01:00"]),
                     st.builds(lambda sign, h, m: f"{sign}{h:02d}:{m:02d}", st.sampled_from("+-"),
                               st.integers(0, 25), st.integers(0, 61)))


@st.composite
def _time_text(draw: st.DrawFn) -> str:
    """A time as a clerk or another tool might write it, near a zone's changes or not."""
    year = draw(st.one_of(st.integers(1899, 2201), st.sampled_from([1900, 1901, 1940, 1986, 1991, 2011, 2026])))
    month, day = draw(st.integers(1, 13)), draw(st.integers(0, 31))
    hour, minute = draw(st.integers(0, 24)), draw(st.sampled_from([0, 1, 2, 29, 30, 59, 60]))
    seconds = draw(st.one_of(st.just(""), st.builds(lambda s: f":{s:02d}", st.integers(0, 60))))
    fraction = draw(st.sampled_from(["", ".5", ",25", ".1234567"])) if seconds else ""
    separator = draw(st.sampled_from("T t"))
    offset = draw(st.one_of(st.just(""), _OFFSETS))
    padding = draw(st.sampled_from(["", " "]))
    return f"{padding}{year:04d}-{month:02d}-{day:02d}{separator}{hour:02d}:{minute:02d}{seconds}{fraction}{offset}"


@lru_cache(maxsize=None)
def _change_days(name: str, year: int) -> tuple[datetime, ...]:
    """The days of ``year`` on which zone ``name`` changes its offset (or its first day)."""
    tz = zone(name)
    days = [datetime(year, 1, 1) + timedelta(days=n) for n in range(366)]
    return tuple(d for d in days if tz.utcoffset(d) != tz.utcoffset(d + timedelta(days=1))) or (days[0],)


@st.composite
def _near_a_change(draw: st.DrawFn, name: str) -> str:
    """A time written on a day the zone changes its clocks, with an offset the zone has around then."""
    year = draw(st.sampled_from([1901, 1940, 1986, 1991, 2008, 2026, 2150]))
    local = draw(st.sampled_from(_change_days(name, year))) + timedelta(
        hours=draw(st.integers(0, 47)), minutes=draw(st.sampled_from([0, 29, 30, 59])))
    tz = zone(name)
    around = {tz.utcoffset(local + timedelta(hours=h)) for h in (-3, 0, 3)} | {tz.utcoffset(local.replace(fold=1))}
    offset = draw(st.sampled_from(sorted(o for o in around if o is not None)))
    minutes = int(offset.total_seconds() // 60)
    return f"{local:%Y-%m-%dT%H:%M}:00{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@pytest.fixture(scope="module")
def ctx() -> Context:
    config, issues = load_config(PROJECT)
    assert config is not None, issues
    return Context(config, NOW)


@CHECKS
@given(st.data())
def test_offset_check_agrees_with_the_plain_reading(ctx: Context, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(ZONES))
    times = data.draw(st.lists(st.one_of(_time_text(), _near_a_change(name)), min_size=1, max_size=6))
    lines = [f"discovered_at: '{times[0]}'", "timeline:"]
    lines += [f"  - at: '{text}'\n    type: 续报" for text in times[1:]]
    loaded = load_text("\n".join(lines) + "\n", "x.yml")
    zoned = replace(ctx, config=replace(ctx.config, timezone=name))
    found: list[Issue] = list(check_time_offsets(loaded, zoned))
    expected = list(_plain_offsets(loaded, zoned))
    assert [(i.path, i.line, i.column) for i in found] == [e[:3] for e in expected]
    for issue, (_, _, _, local) in zip(found, expected):
        assert f"当地时间 {local}" in issue.message


def test_offset_check_names_the_local_time_across_summer_time(ctx: Context) -> None:
    """New York's clocks went forward at 2026-03-08 02:00 local: -05:00 before, -04:00 after.
    02:30-05:00 is 03:30 by the clock then (-04:00), though 02:30 read as local time is -05:00."""
    loaded = load_text("discovered_at: '2026-03-08T02:30:00-05:00'\noccurred_at: '2026-03-08T03:30:00-04:00'\n", "x.yml")
    zoned = replace(ctx, config=replace(ctx.config, timezone="America/New_York"))
    found = list(check_time_offsets(loaded, zoned))
    assert [(i.path, i.line) for i in found] == [("discovered_at", 1)]
    assert "当地时间 2026-03-08 03:30" in found[0].message and "或写 -04:00" in found[0].message


def _corpus() -> list[str]:
    """Files as clerks, `yuqing new`/`event add` and other tools write them, broken ones too."""
    from yuqing import synthetic, yamlout

    from .conftest import base_incident

    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(PROJECT.glob("incidents/*/*.yml"))]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted((PROJECT / "tests" / "data").rglob("*.y*ml"))]
    texts += [record.snapshot(synthetic.END) for record in synthetic.generate(30, 7)]
    record = base_incident(tags=["食品", "超市"], occurred_at="2025-03-01 09:00", confidential=True)
    texts += [yamlout.dump(record), yaml_safe(record)]
    return texts


def yaml_safe(data: object) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


CORPUS = _corpus()
_SNIPPETS = [" ", "  ", "\n", "\n\n", "- ", ": ", ":", "#", " #x", "'", '"', "''", "|", "|-", "|+", "|2", ">", "&a ",
             "*a", "!!str ", "!x ", "<<: ", "---\n", "...\n", "\t", "\\", "\\t", "~", "null", "yes", "True", "0x1F",
             "0o17", "1e3", "-1", ".inf", ".nan", "-", "?", "? ", "[", "]", "{", "}", ",", "%", "@", "`", "x: v\n",
             "x:\n", "\u200b", "\u202e", "\u00ad", "\r", "\x85", "9" * 4100, "k" * 1100, "键: 值\n", "  - a\n",
             "a: [1, 2]\n", "a: {b: c}\n", '"a\\nb"', "%YAML 1.2\n---\n", "\ufeff"]


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    """A corpus file with a few edits a hand, an editor or a bad paste could make."""
    text = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "insert", "delete", "line", "indent"]))
        if edit == "insert":
            text = text[:at] + draw(st.sampled_from(_SNIPPETS)) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 5)):]
        else:
            lines = text.split("\n")
            index = at % len(lines)
            if edit == "line":
                lines.insert(index, lines[draw(st.integers(0, len(lines) - 1))])
            else:
                lines[index] = " " * draw(st.integers(1, 4)) + lines[index] if draw(st.booleans()) else lines[index][1:]
            text = "\n".join(lines)
    return text


def _outcome(loaded: Loaded) -> tuple[object, ...]:
    return repr(loaded.data), loaded.positions, loaded.key_positions, loaded.issues, loaded.marks


def test_the_plain_files_are_read_line_by_line_as_libyaml_reads_them() -> None:
    """Every example, synthetic and written record is of the plain kind, and reads the same both ways."""
    from yuqing.loader import _quick_load, read_events

    quick = [text for text in CORPUS if _quick_load(text, "x.yml") is not None]
    assert len(quick) >= 50
    for text in quick:
        assert _outcome(_quick_load(text, "x.yml")) == _outcome(read_events(text, "x.yml"))  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_a_file_read_line_by_line_reads_as_libyaml_reads_it(text: str) -> None:
    """Same data, positions, marks and issues; whatever the line reader declines, libyaml reads."""
    from yuqing.loader import _quick_load, read_events

    quick = _quick_load(text, "x.yml")
    if quick is not None:
        assert _outcome(quick) == _outcome(read_events(text, "x.yml"))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab./", max_size=12))
def test_file_names_are_split_as_pathlib_splits_them(file: str) -> None:
    """The id and year-folder rules read a file's name and folders without pathlib, to the same result."""
    from pathlib import PurePosixPath

    from yuqing.rules import _parts, _stem

    assert _parts(file) == PurePosixPath(file).parts
    assert _stem(file) == PurePosixPath(file).stem


_CONTEXTS = ("b: a{}\n", "b: 'a{}'\n", "b: |\n  a{}\n  c\n")
"""A character in a plain value, a quoted value, and a block of text."""


@pytest.mark.parametrize("context", _CONTEXTS)
def test_the_line_reader_declines_every_character_libyaml_refuses(context: str) -> None:
    """For every code point (surrogates aside), the line reader declines or libyaml reads it the same.

    A character libyaml's reader refuses (U+FFFE, say) read line by line would pass
    `yuqing check` and then break every tool that reads the file with libyaml.
    """
    from yuqing.loader import _quick_load, read_events

    accepted = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF
                and _quick_load(context.format(chr(code)), "x.yml") is not None]
    assert "a" in accepted and "文" in accepted
    ascii_ = [c for c in accepted if c.isascii()]
    chunks = [ascii_[i:i + 1] for i in range(len(ascii_))]  # ': ', ' #' and the like mean something
    rest = [c for c in accepted if not c.isascii()]
    chunks += [rest[i:i + 2048] for i in range(0, len(rest), 2048)]
    for chunk in chunks:
        text = context.format("".join(chunk))
        quick = _quick_load(text, "x.yml")
        if quick is None or _outcome(quick) != _outcome(read_events(text, "x.yml")):
            for char in chunk:  # name the character
                text = context.format(char)
                assert _outcome(_quick_load(text, "x.yml")) == _outcome(read_events(text, "x.yml")), (  # type: ignore[arg-type]
                    f"U+{ord(char):04X}")
