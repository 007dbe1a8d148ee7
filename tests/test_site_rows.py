"""The site from rows and streamed records, as a reader notices it: the same pages, long lists cut short."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from .conftest import RegisterDir, base_incident


def test_the_home_page_lists_the_oldest_idle_incidents_and_says_how_many_there_are(tmp_path: Path) -> None:
    from yuqing.site.collect import collect
    from yuqing.site.home import IDLE_SHOWN, home_page

    register = RegisterDir(tmp_path)
    for number in range(1, IDLE_SHOWN + 4):
        register.write(base_incident(id=f"YQ-2025-{number:04d}", title=f"某商户第{number}起价格投诉",
                                     discovered_at=f"2025-03-{1 + number % 28:02d}T09:00:00+08:00",
                                     timeline=[]))
    collected = collect(tmp_path, datetime(2025, 6, 30, 2, tzinfo=timezone.utc), history=False, downloads=False)
    body = home_page(collected.site).body
    idle = body[body.index('id="idle"'):body.index('id="open"')]
    assert f"{IDLE_SHOWN + 3} 件在办事件已超过 14 天没有处置记录" in idle
    assert f"列出最久的 {IDLE_SHOWN} 件" in idle and "按状态索引" in idle
    shown = re.findall(r"YQ-2025-\d{4}</a></td><td data-label=\"事件\">", idle)
    assert len(shown) == IDLE_SHOWN
    # The oldest first: discovered on the 1st and 2nd of March.
    assert idle.index("YQ-2025-0028") < idle.index("YQ-2025-0002") < idle.index("YQ-2025-0003")


def test_the_home_page_lists_the_newest_changes_and_says_how_many_there_are(tmp_path: Path,
                                                                            monkeypatch: object) -> None:
    from yuqing.site import home
    from yuqing.site.collect import collect

    from .githelper import GitRegister

    repo = GitRegister(tmp_path)
    for number in range(1, 5):
        repo.write(base_incident(id=f"YQ-2025-{number:04d}", title=f"某商户第{number}起价格投诉"))
        repo.commit(f"登记第{number}起", when=f"2025-03-04T0{number}:00:00+08:00")
    monkeypatch.setattr(home, "CHANGES_SHOWN", 3)  # type: ignore[attr-defined]
    collected = collect(tmp_path, datetime(2025, 3, 4, 8, tzinfo=timezone.utc), downloads=False)
    body = home.home_page(collected.site).body
    changes = body[body.index('id="changes"'):body.index('id="idle"')]
    assert "以来进入台账的改动 4 项" in changes and "列出最新的 3 项" in changes
    assert "第4起" in changes and "第2起" in changes and "第1起" not in changes
