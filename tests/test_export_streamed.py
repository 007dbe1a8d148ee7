"""`yuqing export` and `yuqing report` read the check cache's derived values and only the records
they list (tests/test_notify.py covers `yuqing notify`, which reads none): their files are those
the records held in memory give."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from yuqing.cli import main

NOW = "2026-11-23T12:00:00+08:00"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("streamed") / "register"
    subprocess.run([sys.executable, "-m", "yuqing.synthetic", "--count", "400", "--seed", "7", "--out", str(root)],
                   check=True, capture_output=True)
    return root


def sheets(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Values, fills and heights of every row of every sheet, and each sheet's layout."""
    book = openpyxl.load_workbook(path)
    out: dict[str, list[tuple[Any, ...]]] = {}
    for sheet in book.worksheets:
        rows = [tuple((c.value, c.fill.fgColor.rgb if c.fill.fill_type else None, c.number_format) for c in row)
                + (sheet.row_dimensions[n].height,) for n, row in enumerate(sheet.iter_rows(), start=1)]
        widths = tuple(sheet.column_dimensions[k].width for k in sorted(sheet.column_dimensions))
        out[sheet.title] = [*rows, (str(sheet.merged_cells), sheet.freeze_panes, sheet.auto_filter.ref,
                                    sheet.print_title_rows, widths)]
    return out


def test_a_streamed_ledger_is_the_ledger_of_the_records_held(generated: Path, tmp_path: Path) -> None:
    from yuqing.cli.stats import bounds
    from yuqing.export import ledger
    from yuqing.register import load_register
    from yuqing.render.xlsx import as_csv, write_xlsx
    from yuqing.stats import compute, judge_all
    from yuqing.times import parse_time, zone

    tz = zone("Asia/Shanghai")
    now = parse_time(NOW, tz)
    assert now is not None
    held = load_register(generated, now=now).without_invalid()
    assert held.config is not None
    deadlines, warnings = judge_all(held.counted(), held.config, now)
    for since, until, extra in ((None, None, []), ("2025-01-01", "2025-12-31", ["--since", "2025-01-01", "--until", "2025-12-31"])):
        start, end = bounds(since, until, tz)
        stats = compute(held.incidents, deadlines, start, end, config=held.config, warnings=warnings,
                        include_confidential=False)
        table = ledger(held.incidents, deadlines, now, since=start, until=end, stats=stats,
                       organization=held.config.organization)
        expected = tmp_path / "held.xlsx"
        write_xlsx(table, tz, expected)
        streamed = tmp_path / "streamed.xlsx"
        assert main(["export", "xlsx", "--root", str(generated), "--now", NOW, "--out", str(streamed), *extra]) == 0
        assert sheets(streamed) == sheets(expected)
        assert len(table.rows) > 50
        csv_out = tmp_path / "streamed.csv"
        assert main(["export", "csv", "--root", str(generated), "--now", NOW, "--out", str(csv_out), *extra]) == 0
        assert csv_out.read_bytes() == ("\ufeff" + as_csv(table, tz)).encode("utf-8")


def test_reports_read_from_the_cache_equal_those_of_the_records_held(generated: Path) -> None:
    from yuqing.register import load_register
    from yuqing.reports import BUILDERS, containing, make
    from yuqing.times import parse_time, zone

    tz = zone("Asia/Shanghai")
    now = parse_time(NOW, tz)
    assert now is not None
    held = load_register(generated, now=now).without_invalid()
    light = load_register(generated, now=now, records=False, derived=True).without_invalid()
    assert light.incidents == () and light.derived
    compared = 0
    for kind, moments in (("weekly", [now - timedelta(days=7 * n) for n in (1, 5, 30, 80)]),
                          ("monthly", [now - timedelta(days=30 * n) for n in (0, 1, 4, 13, 25)]),
                          ("annual", [now - timedelta(days=365 * n) for n in (0, 1, 3)])):
        for moment in moments:
            period = containing(kind, moment)
            for confidential in (True, False):
                expected = BUILDERS[kind](held, period, now, include_confidential=confidential).to_markdown()
                assert make(light, kind, period, now, include_confidential=confidential).to_markdown() == expected
                compared += 1
    assert compared == 24
