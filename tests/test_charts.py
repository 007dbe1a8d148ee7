"""SVG charts: well-formed, offline (no external references), figures as in the stats, text escaped."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from yuqing import charts
from yuqing.register import load_register
from yuqing.stats import compute, judge_all
from yuqing.times import parse_time, zone

from .test_stats import NOW, small_register

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def stats(register_dir: Any) -> Any:
    for record in small_register():
        register_dir.write(record)
    register = load_register(register_dir.root, now=parse_time(NOW, zone("Asia/Shanghai")))
    deadlines, _ = judge_all(register.counted(), register.config, register.now)
    return compute(register.incidents, deadlines, config=register.config)


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_level_distribution_shows_all_four_levels(stats: Any) -> None:
    svg = charts.level_distribution(stats)
    words = texts(svg)
    assert words[0] == "舆情等级分布"
    for level, count in (("一般", 3), ("敏感", 2), ("重大", 1), ("特别重大", 0)):
        assert level in words and f"{count} 起" in words
    assert "sans-serif" in ET.fromstring(svg).get("font-family", "")
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", svg)  # nothing fetched: works offline
    assert "@font-face" not in svg and "<image" not in svg


def test_monthly_trend_stacks_levels(stats: Any) -> None:
    svg = charts.monthly_trend(stats)
    words = texts(svg)
    assert "03月" in words and "04月" in words
    totals = [w for w in words if w.isdigit() and len(w) < 4]
    assert totals == ["4", "2"]  # March 4, April 2
    bars = [r.find(f"{SVG}title").text for r in ET.fromstring(svg).iter(f"{SVG}rect")
            if r.find(f"{SVG}title") is not None]
    assert bars == ["2025-03 一般:2 起", "2025-03 敏感:1 起", "2025-03 重大:1 起",
                    "2025-04 一般:1 起", "2025-04 敏感:1 起"]


def test_unit_on_time_rate(stats: Any) -> None:
    words = texts(charts.unit_on_time_rate(stats))
    assert "67%(2/3)" in words   # 食品经营安全监管科: met 2 of 3 judged
    assert "0%(0/2)" in words    # 产品质量安全监督管理科
    assert "西城区局" not in words  # no deadline judged


def test_text_from_data_is_escaped(stats: Any) -> None:
    evil = '科<script>alert("x")</script>&'
    units = tuple(dataclasses.replace(u, unit=evil) for u in stats.units)
    svg = charts.unit_on_time_rate(dataclasses.replace(stats, units=units), title="<b>标题</b>")
    root = ET.fromstring(svg)  # well-formed despite the markup in the data
    assert evil in texts(svg)
    assert "<script>" not in svg and "<b>" not in svg
    assert root.find(f"{SVG}title").text == "<b>标题</b>"


def test_empty_stats_draw_without_error(register_dir: Any) -> None:
    register = load_register(register_dir.root, now=parse_time(NOW, zone("Asia/Shanghai")))
    empty = compute(register.incidents, (), config=register.config)
    for draw in (charts.level_distribution, charts.monthly_trend, charts.unit_on_time_rate):
        ET.fromstring(draw(empty))
    assert "(无数据)" in texts(charts.unit_on_time_rate(empty))


def test_ten_years_of_months_stay_a_readable_chart() -> None:
    """120 months become 40 quarters (13 years: years), never a 5,000 px strip of 3 px text."""
    from types import SimpleNamespace

    def span(years: int) -> Any:
        months = {f"{2015 + m // 12:04d}-{m % 12 + 1:02d}": {"一般": 3, "重大": m % 2} for m in range(12 * years)}
        return SimpleNamespace(by_month_level=months)

    for years, unit, columns in ((10, "季度", 40), (13, "年", 13), (3, "月", 36)):
        svg = charts.monthly_trend(span(years))
        root = ET.fromstring(svg)
        assert f"各{unit}新发现舆情" in svg
        assert float(root.get("width")) <= 900
        sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
        assert min(sizes) >= 10
        totals = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None
                  and "一般" in r.find(f"{SVG}title").text]
        assert len(totals) == columns
    quarterly = charts.monthly_trend(span(10))
    assert "2015年第1季度 一般:9 起" in quarterly and "2024年第4季度 一般:9 起" in quarterly
