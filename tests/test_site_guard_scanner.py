"""The leak guard's quick scanner says exactly what the plain alternation of its needles said."""

from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yuqing.site import guard
from yuqing.site.guard import Scanner, _normal

CHECKS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IDS = ["YQ-2022-1002", "YQ-2022-10020", "YQ-2025-0001", "AB1-2024-0007", "YQ-2026-12345"]
TITLES = ["某医院拒收急诊病人引发关注", "某医院拒收", "某医院拒收急诊", "网民反映ＡＰＰ泄露信息", "Kiosk 收费异常事件2",
          "某小区电梯困人事件"]


def plain(scanner: Scanner, text: str) -> list[str]:
    """The scanner as first written: one alternation of every needle, longest first."""
    pattern = re.compile("|".join(re.escape(w) + ("(?![0-9])" if w[-1:].isdigit() else "")
                                  for w in sorted(scanner.words, key=len, reverse=True)), re.IGNORECASE)
    return list(dict.fromkeys(scanner.words.get(m.group(0).casefold(), m.group(0))
                              for m in pattern.finditer(_normal(text))))


def scanner_of(ids: list[str], titles: list[str]) -> Scanner:
    records = [SimpleNamespace(id=i, title="") for i in ids]
    records += [SimpleNamespace(id=f"T-2020-{n:04d}", title=t) for n, t in enumerate(titles)]
    return Scanner(records)  # type: ignore[arg-type]


_PIECES = st.sampled_from([*IDS, *TITLES, "YQ-2022-100", "yq-2022-1002", "ＹＱ－２０２２－１００２", "0", "9", " ",
                           "某医院", "拒收", "&amp;", "\u200b", "，", "\\u4e00", "YQ-2022-", "急诊病人", "k", "K"])


@CHECKS
@given(st.lists(_PIECES, max_size=12), st.lists(st.sampled_from(IDS), min_size=1, max_size=5, unique=True),
       st.lists(st.sampled_from(TITLES), max_size=6, unique=True))
def test_the_quick_scanner_finds_what_the_plain_alternation_found(pieces: list[str], ids: list[str],
                                                                  titles: list[str]) -> None:
    scanner = scanner_of(ids, titles)
    text = "".join(pieces)
    assert scanner.find(text) == plain(scanner, text)
    # Many texts at once: each its own verdict, none made of two texts side by side.
    halves = [text[:len(text) // 2], text[len(text) // 2:], text]
    assert scanner.find_each(halves) == [plain(scanner, t) for t in halves]


def test_a_needle_ending_in_a_digit_is_not_found_in_a_longer_number_and_the_longest_needle_wins() -> None:
    scanner = scanner_of(["YQ-2022-1002"], ["某医院拒收急诊", "某医院拒收急诊病人引发关注"])
    assert scanner.find("见 YQ-2022-10020 与 yq-2022-1002。") == ["YQ-2022-1002"]
    assert scanner.find("某医院拒收急诊病人引发关注") == ["某医院拒收急诊病人引发关注"]
    assert scanner.find("某医院拒收急诊病人") == ["某医院拒收急诊"]
    assert scanner.find_each(["YQ-2022-", "1002"]) == [[], []]
    assert scanner.key() == scanner_of(["YQ-2022-1002"], ["某医院拒收急诊", "某医院拒收急诊病人引发关注"]).key()
    assert scanner.key() != scanner_of(["YQ-2022-1003"], ["某医院拒收急诊", "某医院拒收急诊病人引发关注"]).key()


def test_a_large_output_file_is_searched_a_piece_at_a_time_and_a_needle_across_two_pieces_is_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A province's export.json is hundreds of MB: the guard reads it in pieces (never whole), and a
    needle cut by a piece boundary, plain, as JSON escapes or as an entity, plain or gzip or zipped,
    is still found; a clean large file is clean."""
    monkeypatch.setattr(guard, "WHOLE", 1000)
    monkeypatch.setattr(guard, "OVERLAP", 200)
    records = [SimpleNamespace(id="YQ-2022-1002", title="某医院拒收急诊病人引发关注")]
    site = tmp_path / "site"
    site.mkdir()
    filler = "公开内容," * 3000
    spellings = {"plain.json": "YQ-2022-1002", "escaped.json": "".join(f"\\u{ord(c):04x}" for c in "某医院拒收急诊病人引发关注"),
                 "entity.html": "&#89;Q-2022-1002"}
    for name, needle in spellings.items():
        for cut in (999, 1000, 1001, 2990):  # the needle starts just before, at and after a piece boundary
            (site / f"{cut}-{name}").write_text(filler[:cut] + needle + filler, encoding="utf-8")
    (site / "chunk.pf_fragment").write_bytes(gzip.compress((filler + "YQ-2022-1002" + filler).encode("utf-8")))
    with zipfile.ZipFile(site / "ledger.xlsx", "w") as archive:
        archive.writestr("xl/sharedStrings.xml", filler + "某医院拒收急诊病人引发关注" + filler)
    (site / "clean.json").write_text(filler * 3 + "YQ-2022-10020", encoding="utf-8")

    longest: list[int] = [0]
    find = guard.Scanner.find

    def measured(self: Scanner, text: str) -> list[str]:
        longest[0] = max(longest[0], len(text))
        return find(self, text)

    monkeypatch.setattr(guard.Scanner, "find", measured)
    found = dict(guard.leaks(site, records))  # type: ignore[arg-type]
    assert 1000 < longest[0] <= 1200  # a piece and the overlap, never a whole file of ~12,000 characters
    expected = {f"{cut}-{name}" for name in spellings for cut in (999, 1000, 1001, 2990)}
    assert set(found) == expected | {"chunk.pf_fragment", "ledger.xlsx"}
    assert found["ledger.xlsx"] == "某医院拒收急诊病人引发关注"
    assert found["999-escaped.json"] == "某医院拒收急诊病人引发关注"


@pytest.mark.parametrize("spelling", [
    "相关事件YQ-2022-1\u034f002另案处理",            # combining grapheme joiner
    "YQ-2022-10\ufe0002", "YQ-2022-10\U000e010002",   # variation selectors
    "YQ-2022-10\u318002".replace("\u3180", "\u3164"),  # Hangul filler
    "YQ-2022-10\u180b02",                              # Mongolian free variation selector
    "YQ\u02d72022\u02d71002",                          # modifier letter minus
    "YQ-\U0001d7d0\U0001d7ce\U0001d7d0\U0001d7d0-\U0001d7cf\U0001d7ce\U0001d7ce\U0001d7d0",  # bold digits
])
def test_a_needle_hidden_behind_an_invisible_or_look_alike_character_is_found(spelling: str) -> None:
    """A reader sees YQ-2022-1002 in each of these (the characters are default-ignorable, or read as a
    dash or a digit): the guard must see it too (found by an attacker: the build passed)."""
    assert scanner_of(["YQ-2022-1002"], []).find(spelling) == ["YQ-2022-1002"]
    title = "某医院拒收急诊病人引发关注"
    hidden = title[:4] + "\ufe00" + title[4:]
    assert scanner_of([], [title]).find(hidden) == [title]
