"""The check cache's files: by year folder and block of ids, and the order records come out of them."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from yuqing import cache as cache_module
from yuqing import synthetic
from yuqing.cache import CACHE_DIR, group_of
from yuqing.register import each_line, each_record, load_register

from .conftest import RegisterDir, base_incident

NOW = datetime.fromisoformat("2026-11-23T12:00:00+08:00")


pytestmark = pytest.mark.usefixtures("own_key")


def cache_files(root: Path) -> set[str]:
    return {p.name for p in (root / CACHE_DIR).glob("check-*/*.bin")}


def test_a_years_records_are_kept_in_that_years_files_by_block_of_a_thousand_ids(register_dir: RegisterDir) -> None:
    for number in ("0001", "0999", "1000", "12345"):
        register_dir.write(base_incident(id=f"YQ-2025-{number}"))
    register_dir.write(base_incident(id="YQ-2026-0001", discovered_at="2026-03-03T09:00:00+08:00",
                                     timeline=[{"at": "2026-03-03T09:30:00+08:00", "type": "研判"}]))
    # A name not of an incident file's shape (an error, yet its verdict is kept) goes to a hashed file.
    register_dir.write(base_incident(id="YQ-2025-0002"), name="2025/YQ-2025-0002 副本.yml")
    register = load_register(register_dir.root, now=NOW, clock=NOW, records=False)
    assert register.files == 6
    assert cache_files(register_dir.root) == {"2025-0.bin", "2025-1.bin", "2025-12.bin", "2026-0.bin",
                                              group_of("incidents/2025/YQ-2025-0002 副本.yml") + ".bin"}
    assert group_of("incidents/2025/YQ-2025-0002 副本.yml").startswith("x")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 generated records over several years, and a few more in a block of their own."""
    root = tmp_path_factory.mktemp("gen") / "reg"
    assert synthetic.main(["--count", "600", "--seed", "7", "--out", str(root)]) == 0
    source = sorted((root / "incidents" / "2025").glob("*.yml"))[:3]
    for number, path in zip((1001, 1002, 2500), source):
        target = path.with_name(f"YQ-2025-{number}.yml")
        target.write_text(path.read_text(encoding="utf-8").replace(path.stem, target.stem), encoding="utf-8")
    return root


def expected_order(chosen: list) -> list[str]:
    groups: dict[str, list[str]] = {}
    for derived in chosen:
        groups.setdefault(group_of(derived.file), []).append(derived.id)
    return [i for ids in groups.values() for i in ids]


@pytest.mark.parametrize("cache", ["cold", "warm", "damaged", "off"])
def test_each_record_comes_cache_file_by_cache_file_in_the_callers_order(
        cache: str, generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Sorted newest first, the newest records come first, whatever state the cache is in."""
    root = tmp_path / "reg"
    shutil.copytree(generated, root)
    capsys.readouterr()
    if cache == "off":
        monkeypatch.setenv("YUQING_NO_CACHE", "1")
    if cache in ("warm", "damaged"):
        load_register(root, now=NOW, clock=NOW, records=False)
    if cache == "damaged":
        for path in (root / CACHE_DIR).glob("check-*/2025-*.bin"):
            raw = path.read_bytes()
            path.write_bytes(raw[:-9] + bytes([raw[-9] ^ 1]) + raw[-8:])  # the records part
    register = load_register(root, now=NOW, records=False, derived=True)
    assert len(register.derived) > 600
    newest_first = sorted(register.derived, key=lambda d: d.id, reverse=True)
    got = [i.id for i in each_record(register, newest_first)]
    assert got == expected_order(newest_first)
    assert got[0] == newest_first[0].id and sorted(got) == sorted(d.id for d in register.derived)
    # Another order of the same records: the cache files in their new order, the records in it.
    shuffled = sorted(register.derived, key=lambda d: (d.id[-1], d.id))
    assert [i.id for i in each_record(register, shuffled)] == expected_order(shuffled)
    # The export lines come cache file by cache file too (those that cannot serve after them).
    public = frozenset(d.id for d in register.derived)
    assert sorted(k for k, _ in each_line(register, newest_first, public)) == sorted(public)


def test_reading_the_newest_records_reads_only_their_cache_files(
        generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "reg"
    shutil.copytree(generated, root)
    capsys.readouterr()
    register = load_register(root, now=NOW, records=False, derived=True)
    read: list[str] = []
    real = cache_module._read

    def spy(path: Path, key: bytes) -> object:
        read.append(path.name)
        return real(path, key)

    monkeypatch.setattr(cache_module, "_read", spy)
    newest = [d for d in register.derived if d.id.startswith("YQ-2026-")]
    assert newest
    assert sorted(i.id for i in each_record(register, newest)) == sorted(d.id for d in newest)
    assert read and set(read) == {group_of(d.file) + ".bin" for d in newest}
    assert all(name.startswith("2026-") for name in read)
    # The files themselves were not read: the cache gave every record.
    away = tmp_path / "away"
    away.mkdir()
    for derived in newest:
        (root / derived.file).rename(away / Path(derived.file).name)
    assert sorted(i.id for i in each_record(register, newest)) == sorted(d.id for d in newest)
