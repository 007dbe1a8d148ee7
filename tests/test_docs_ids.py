"""The hand-written pages name no id a register can hold.

The leak guard refuses a build whose output holds a confidential record's id,
wherever it appears: a guide page showing YQ-2026-0004 as an example stopped
every bureau whose own YQ-2026-0004 is confidential from building its site.
Examples use sequence 0000, which ``yuqing`` never assigns (numbers start at 1).
"""

from __future__ import annotations

import re
from pathlib import Path

from yuqing.ids import ID_PATTERN

from .conftest import PROJECT, RegisterDir, base_incident
from .test_site import all_text, mkdocs_build, site_files

HAND_WRITTEN = [PROJECT / "docs", PROJECT / "overrides"]
"""Everything the site copies from the project as written (generated pages come from the register)."""

FORMERLY_SHOWN = ["YQ-2025-0007", "YQ-2026-0013", "YQ-2022-0001", "YQ-2019-0012", "YQ-2026-9999", "YQ-2026-10000"]
"""Ids the guides, the reference and the search script's comments showed as examples."""


def real_ids(text: str) -> list[str]:
    """Literal ids in ``text`` whose sequence number a register can assign (1 and up)."""
    return [m.group(0) for m in ID_PATTERN.finditer(text) if int(m.group(3)) > 0]


def test_no_hand_written_file_names_an_id_a_register_can_hold() -> None:
    found = []
    for folder in HAND_WRITTEN:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "vendor" not in path.relative_to(PROJECT).parts:
                text = path.read_text(encoding="utf-8", errors="replace")
                found += [f"{path.relative_to(PROJECT)}: {i}" for i in real_ids(text)]
                # A link to one record's generated page names it too (and is broken where it is confidential).
                found += [f"{path.relative_to(PROJECT)}: 链接到事件页" for _ in re.findall(r"generated/incidents/", text)]
    assert found == []


def test_real_ids_are_told_from_examples() -> None:
    assert real_ids("`YQ-2026-0000`、`330102:YQ-2026-0000`、YQ-年份-序号、2026-04-14") == []
    assert real_ids("见 YQ-2026-0004 与 330102:GA-2019-10000") == ["YQ-2026-0004", "GA-2019-10000"]


def test_a_register_whose_first_ids_are_confidential_builds_its_site(tmp_path: Path) -> None:
    """Every id the pages once showed, and the first twenty of 2025 and 2026, are confidential here."""
    register = RegisterDir(tmp_path)
    site_files(register)
    secret = [f"YQ-{year}-{n:04d}" for year in (2025, 2026) for n in range(1, 21)]
    secret += [i for i in FORMERLY_SHOWN if i not in secret]
    for number, incident_id in enumerate(secret):
        year = incident_id[3:7]
        register.write(base_incident(
            id=incident_id, title=f"未公开的涉密事件第{number}号", confidential=True,
            discovered_at=f"{year}-03-03T09:00:00+08:00",
            timeline=[{"at": f"{year}-03-03T09:30:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"}]))
    register.write(base_incident(id="YQ-2025-0021"))
    result = mkdocs_build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "涉密事件出现在站点输出中" not in result.stderr
    assert (tmp_path / "site/generated/incidents/2025/YQ-2025-0021/index.html").is_file()
    for page in ("guide/register", "guide/search", "guide/city", "reference/json", "find"):
        assert (tmp_path / "site" / page / "index.html").is_file(), page
    # No page, script or feed names any id but the one public record's (the generated pages included).
    shown = set(real_ids(all_text(tmp_path / "site", data=True).replace("\u200b", "")))
    assert shown == {"YQ-2025-0021"}, shown
