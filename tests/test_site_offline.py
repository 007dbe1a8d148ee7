"""The offline (file://) build says when its whole-index search is past the size it suits."""

from __future__ import annotations

from pathlib import Path

from .conftest import RegisterDir, base_incident
from .test_site import mkdocs_build, site_files


def _register(register_dir: RegisterDir, limit: int) -> None:
    site_files(register_dir)
    mkdocs_yml = register_dir.root / "mkdocs.yml"
    text = mkdocs_yml.read_text(encoding="utf-8")
    assert "\n  - yuqing\n" in text
    mkdocs_yml.write_text(text.replace("\n  - yuqing\n", f"\n  - yuqing:\n      offline_search_limit: {limit}\n"),
                          encoding="utf-8")
    for number in (1, 2, 3):
        register_dir.write(base_incident(id=f"YQ-2025-000{number}", title=f"某区第{number}起食品投诉"))


def test_an_offline_build_past_the_limit_says_search_will_be_slow_and_still_builds(
        register_dir: RegisterDir, tmp_path: Path) -> None:
    _register(register_dir, limit=2)
    done = mkdocs_build(register_dir.root, tmp_path / "offline", offline=True, strict=True)
    assert done.returncode == 0, done.stderr
    assert "适合 2 个事件以内;本台账发布 3 个事件" in done.stderr
    assert (tmp_path / "offline" / "index.html").is_file()


def test_an_offline_build_within_the_limit_says_nothing_of_it(register_dir: RegisterDir, tmp_path: Path) -> None:
    _register(register_dir, limit=3)
    done = mkdocs_build(register_dir.root, tmp_path / "offline", offline=True, strict=True)
    assert done.returncode == 0, done.stderr
    assert "首次搜索会很慢" not in done.stderr
