"""Every page whose figures depend on the build time says when they were computed (issue 13).

An incident page's 时限 table says 已逾期 and how long, as the home page does;
above it a 数据截至 line, and a warning the reader's browser shows once the
page is older than the rebuild interval. The home page's overdue and idle
tables name each incident by its id, so same titles in different years differ.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from .conftest import RegisterDir, base_incident
from .test_site import NOW, mkdocs_build, site_files

INCIDENT = "generated/incidents/2025/YQ-2025-0001/index.html"
TITLE = "某超市销售过期酸奶被网民曝光"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two open incidents with the same title in different years, untouched for months: overdue and idle."""
    root = tmp_path_factory.mktemp("asof")
    register = RegisterDir(root)
    register.write(base_incident(level="敏感", status="处置中"))
    register.write(base_incident(id="YQ-2026-0001", level="敏感", status="处置中",
                                 discovered_at="2026-03-03T09:00:00+08:00",
                                 timeline=[{"at": "2026-03-03T09:30:00+08:00", "type": "研判", "by": "办公室"}]))
    site_files(register)
    result = mkdocs_build(root, root / "site")
    assert result.returncode == 0, result.stderr
    return root / "site"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_incident_page_says_when_its_figures_were_computed(site: Path) -> None:
    page = (site / INCIDENT).read_text(encoding="utf-8")
    asof = re.search(r'<p class="yq-asof"[^>]*data-built="([^"]+)"[^>]*data-stale-hours="(\d+)"[^>]*>(.*?)</p>', page)
    assert asof, "事件页应有数据截至一行"
    assert datetime.fromisoformat(asof.group(1)) == datetime.fromisoformat(NOW) and asof.group(2) == "26"
    assert "数据截至 2026-11-23 10:00" in _text(asof.group(3))
    warning = re.search(r'<div class="admonition danger yq-stale"[^>]*hidden[^>]*>(.*?)</div>', page, re.S)
    assert warning and 'class="yq-stale-age"' in warning.group(1)


def test_an_overdue_deadline_says_how_long(site: Path) -> None:
    page = (site / INCIDENT).read_text(encoding="utf-8")
    table = re.search(r'<table class="yq-table yq-deadlines".*?</table>', page, re.S)
    assert table
    rows = [_text(row) for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)[1:]]
    overdue = [row for row in rows if "已逾期" in row]
    assert overdue, rows
    # Due in March 2025, built in November 2026: more than 600 days late, as the home page would say it.
    days = [int(m.group(1)) for m in (re.search(r"已逾期 (\d+)天", row) for row in overdue) if m]
    assert days and all(d > 600 for d in days), overdue


def test_the_statistics_page_has_the_as_of_line_and_the_warning(site: Path) -> None:
    page = (site / "generated/stats/index.html").read_text(encoding="utf-8")
    assert re.search(r'class="yq-asof"[^>]*data-built=', page) and 'yq-stale"' in page


def test_the_home_tables_name_each_incident_by_its_id(site: Path) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    for table in ("yq-overdue", "yq-idle"):
        found = re.search(rf'<table class="[^"]*{table}[^"]*">.*?</table>', page, re.S)
        assert found, table
        html = found.group(0)
        assert "<th>编号</th>" in html
        for record in ("YQ-2025-0001", "YQ-2026-0001"):
            # The id is a link to its page: the two same titles are told apart and reached.
            assert re.search(rf'<a href="[^"]*{record}/?">{record}</a>', html), (table, record)


@pytest.mark.browser
def test_the_browser_warns_when_an_incident_page_is_three_days_old(site: Path) -> None:
    pytest.importorskip("playwright.sync_api")
    from .test_browser_site import CHROMIUM, _serve, shared_browser

    if not CHROMIUM.exists():
        pytest.skip("需要 /usr/bin/chromium")
    server, base = _serve(site)
    browser = shared_browser()
    try:
        for later, stale in ((timedelta(hours=3), False), (timedelta(days=3), True)):
            context = browser.new_context(viewport={"width": 1440, "height": 900})  # type: ignore[attr-defined]
            page = context.new_page()
            page.clock.install(time=datetime.fromisoformat(NOW) + later)
            page.goto(base + INCIDENT.removesuffix("index.html"))
            assert "数据截至 2026-11-23 10:00" in page.locator(".yq-asof").inner_text()
            assert page.locator(".yq-stale").is_visible() is stale, later
            if stale:
                assert "3 天0 小时" in page.locator(".yq-stale").inner_text()
            context.close()
    finally:
        server.shutdown()
