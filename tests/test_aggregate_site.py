"""The city view's site: `mkdocs build` of a city register (yuqing: {city: true}) over 50 county exports on 127.0.0.1."""

from __future__ import annotations

import copy
import html
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from yuqing.aggregate import COPIES, Source, copy_name
from yuqing.site.model import slug

from .conftest import RegisterDir
from .test_aggregate import COUNTIES, NOW, _Handler, code, county, county_export, server  # noqa: F401 - fixtures
from .test_site import mkdocs_build, site_files

HOSTILE = "<script>window.__pwned=1</script>食堂投诉 <img src=x onerror=window.__pwned=1>"
PER_COUNTY = 3
"""Records per county: enough for every page kind, few enough for a quick build."""


def small(doc: dict[str, Any], index: int, generated: str = NOW) -> dict[str, Any]:
    out = county(doc, index, generated)
    out["records"] = out["records"][:PER_COUNTY]
    kept = {r["id"] for r in out["records"]}
    out["deadlines"] = [d for d in out["deadlines"] if d["incident"] in kept]
    return out


@pytest.fixture(scope="module")
def city_site(tmp_path_factory: pytest.TempPathFactory, server: tuple[str, type[_Handler]],  # noqa: F811
              county_export: dict[str, Any]) -> tuple[Path, dict[str, dict[str, Any]]]:  # noqa: F811
    """The built city site and the exports served (by county code)."""
    base, handler = server
    handler.routes.clear()
    handler.slow.clear()
    served: dict[str, dict[str, Any]] = {}
    copies: dict[str, dict[str, Any]] = {}
    sources = []
    for index in range(1, COUNTIES + 1):
        path = f"/{code(index)}/export.json"
        doc = small(county_export, index, "2026-11-20T12:00:00+08:00" if index == 2 else NOW)
        if index == 3:  # broken: cut short; its last good copy, of the day before, stands in
            handler.routes[path] = json.dumps(doc, ensure_ascii=False).encode()[:3000]
            copies[code(index)] = small(county_export, index, "2026-11-22T08:00:00+08:00")
        else:
            if index == 4:  # hostile: markup in its text, valid against the schema
                doc["records"][0] = {**copy.deepcopy(doc["records"][0]), "title": HOSTILE, "summary": HOSTILE}
            handler.routes[path] = json.dumps(doc, ensure_ascii=False).encode()
            served[code(index)] = doc
        sources.append({"name": f"第{index}区", "code": code(index), "url": base + path, "freshness_hours": 24})
    root = tmp_path_factory.mktemp("city")
    register = RegisterDir(root)
    site_files(register)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("  - yuqing\n", "  - yuqing: {city: true, pagefind: 'off'}\n"),
                                     encoding="utf-8")
    for county_code, doc in copies.items():
        (row,) = [s for s in sources if s["code"] == county_code]
        kept = root / COPIES / copy_name(Source(row["name"], county_code, row["url"], timedelta(hours=24)))
        kept.parent.mkdir(parents=True)
        kept.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        served[county_code] = doc
    (root / "sources.yml").write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    result = mkdocs_build(root, root / "site", now=NOW)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return root / "site", served


def page(site: Path, src: str) -> str:
    """The built page of a docs source path (directory URLs)."""
    folder = src.removesuffix(".md").removesuffix("index")
    return (site / folder / "index.html").read_text(encoding="utf-8")


def test_the_city_site_holds_every_county_record_under_its_code_with_the_county_as_unit(
        city_site: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    site, served = city_site
    for county_code, doc in served.items():
        record = doc["records"][1]
        city_id = f"{county_code}:{record['id']}"
        year = int(record["discovered_at"][:4])
        path = f"generated/incidents/{year}/{slug(city_id)}.md"
        text = page(site, path)
        assert city_id in text
        assert f"第{int(county_code) - 330100}区" in text
    # The county is the unit: the unit index lists the counties.
    units = page(site, "generated/lists/unit.md")
    assert all(f"第{i}区" in units for i in range(1, COUNTIES + 1))


def test_the_stale_and_broken_sources_are_named_on_the_statistics_page(
        city_site: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    site, _ = city_site
    stats = html.unescape(re.sub(r"<[^>]+>", "", page(site, "generated/stats.md")))
    assert "50 个区县台账" in stats and "48 个正常,1 个过期,1 个失败" in stats
    assert "第2区(330102)过期:导出生成于 2026-11-20 12:00" in stats
    assert "第3区(330103)失败:获取或校验失败:不是有效的 UTF-8 JSON。" in stats
    assert "已改用上次成功获取的副本(生成于 2026-11-22 08:00)" in stats
    assert "第50区(330150" in stats


def test_a_hostile_county_text_is_shown_as_text_never_as_markup(
        city_site: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    site, served = city_site
    record = served[code(4)]["records"][0]
    year = int(record["discovered_at"][:4])
    text = page(site, f"generated/incidents/{year}/{slug(code(4) + ':' + record['id'])}.md")
    assert html.escape("<script>window.__pwned=1</script>", quote=False) in text
    for built in site.rglob("*.html"):
        body = built.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in body and "<img src=x" not in body, built


def test_each_namespaced_id_links_to_its_own_page(city_site: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    site, served = city_site
    record = served[code(7)]["records"][0]
    city_id = f"{code(7)}:{record['id']}"
    month = page(site, f"generated/lists/month/{record['discovered_at'][:7]}.md")
    (row,) = [r for r in month.split("<tr>") if f'data-label="编号">{city_id}<' in r]
    assert 'data-label="责任单位">第7区<' in row  # the unit column is the county
    href = re.search(r'href="([^"]+)"', row).group(1)  # type: ignore[union-attr]
    target = (site / "generated/lists/month" / record["discovered_at"][:7] / href).resolve()
    assert target == (site / incident_path_of(city_id, record)).resolve()
    assert city_id in (target / "index.html").read_text(encoding="utf-8")


def incident_path_of(city_id: str, record: dict[str, Any]) -> str:
    return f"generated/incidents/{record['discovered_at'][:4]}/{slug(city_id)}"


def test_a_record_names_its_county_export_as_its_source(city_site: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    site, served = city_site
    record = served[code(7)]["records"][0]
    text = html.unescape(page(site, incident_path_of(f"{code(7)}:{record['id']}", record) + ".md"))
    assert re.search(r"原始记录:<code>http://127\.0\.0\.1:\d+/330107/export\.json#" + record["id"], text)
