"""The director's four daily tasks, in Chromium, on a generated register of 2,000 incidents.

The register (``python -m yuqing.synthetic``, with its git history) gets three
changes on top, committed on main at pinned times before the build's "now"
(Monday 2026-11-02 10:00, Beijing): a 特别重大 incident whose press
conference is two hours late, a 重大 one whose response is two days late, and
an escalation to 重大 at 08:17 this morning. The site is built ONCE for the
module (about 30 s on 2 cores).

1. what is overdue and how badly (home page, 1440 and 390 px);
2. what changed since the previous working day (home page, from git);
3. finding last spring's food incident in a named county by typing (search);
4. printing one incident on at most two A4 pages with the bureau's name and the data-as-of time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from .conftest import PROJECT, base_incident
from .test_browser_site import ARTIFACTS, CHROMIUM, _search, _serve, playwright_api  # noqa: F401
from .test_site import mkdocs_build, site_files

pytestmark = [
    pytest.mark.browser, pytest.mark.slow, pytest.mark.page(width=1440, timeout=15000),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 /usr/bin/chromium"),
]

NOW = "2026-11-02T10:00:00+08:00"
BEIJING = timezone(timedelta(hours=8))
COUNT = 2000
ESCALATED = "YQ-2026-0311"
"""An open 一般/重大 synthetic record, escalated this morning."""
NAME = "示例市市场监督管理局"


class _Register:
    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, *args: str, at: str | None = None) -> str:
        env = dict(os.environ, GIT_AUTHOR_NAME="值班员", GIT_AUTHOR_EMAIL="duty@example.org",
                   GIT_COMMITTER_NAME="值班员", GIT_COMMITTER_EMAIL="duty@example.org")
        if at:
            env.update(GIT_AUTHOR_DATE=at, GIT_COMMITTER_DATE=at)
        return subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True,
                              check=True).stdout

    def add(self, record: dict[str, object], at: str) -> None:
        path = self.root / "incidents" / str(record["id"])[3:7] / f"{record['id']}.yml"
        path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
        self.git("add", str(path))
        self.git("commit", "-q", "-m", f"登记 {record['id']}", at=at)


def _prepare(root: Path) -> None:
    made = subprocess.run([sys.executable, "-m", "yuqing.synthetic", "--count", str(COUNT), "--seed", "7",
                           "--out", str(root), "--history"], capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    register = _Register(root)
    register.add(base_incident(
        id="YQ-2026-9001", title="网传南山县某小学食堂发生集体食物中毒", level="特别重大", status="处置中",
        discovered_at="2026-11-01T08:00:00+08:00", units={"lead": "食品经营安全监管科"},
        summary="网民发帖称南山县某小学多名学生午餐后呕吐送医。",
        timeline=[{"at": "2026-11-01T08:30:00+08:00", "type": "定级", "level": "特别重大", "by": "综合应急和新闻宣传科"},
                  {"at": "2026-11-01T09:00:00+08:00", "type": "上报", "by": "综合应急和新闻宣传科"},
                  {"at": "2026-11-01T11:00:00+08:00", "type": "发布权威信息", "by": "综合应急和新闻宣传科"}]),
        "2026-11-01T09:10:00+08:00")
    register.add(base_incident(
        id="YQ-2026-9002", title="网传西城区某商场扶梯伤人视频", level="重大", status="处置中", category="特种设备",
        discovered_at="2026-10-29T09:00:00+08:00", units={"lead": "特种设备安全监察科"},
        summary="网民发布视频称西城区某商场自动扶梯夹伤儿童。",
        timeline=[{"at": "2026-10-29T10:00:00+08:00", "type": "定级", "level": "重大", "by": "综合应急和新闻宣传科"},
                  {"at": "2026-10-29T10:30:00+08:00", "type": "上报", "by": "综合应急和新闻宣传科"}]),
        "2026-10-29T11:00:00+08:00")
    escalated = subprocess.run(
        [str(Path(sys.executable).parent / "yuqing"), "event", "add", ESCALATED, "--type", "升级", "--level", "特别重大",
         "--at", "2026-11-02 08:17", "--by", "综合应急和新闻宣传科", "--note", "央视记者来电采访",
         "--no-interactive", "--root", str(root), "--now", "2026-11-02T08:20:00+08:00"],
        capture_output=True, text=True, check=False)
    assert escalated.returncode == 0, escalated.stdout + escalated.stderr
    register.git("commit", "-q", "-am", "升级", at="2026-11-02T08:20:00+08:00")
    site_files(_RegisterFiles(root))


class _RegisterFiles:
    def __init__(self, root: Path) -> None:
        self.root = root


@pytest.fixture(scope="module")
def director_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("director")
    _prepare(root)
    built = mkdocs_build(root, root / "site", now=NOW)
    assert built.returncode == 0, built.stderr[-3000:]
    return root / "site"


@pytest.fixture(scope="module")
def base(director_site: Path) -> Iterator[str]:
    server, url = _serve(director_site)
    yield url
    server.shutdown()


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"director-{name}.png"), full_page=True)  # type: ignore[attr-defined]


def _rows(page: object, selector: str) -> list[str]:
    return page.locator(f"{selector} tbody tr").all_inner_texts()  # type: ignore[attr-defined]


def _fits(page: object, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    wide = page.evaluate("() => document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert wide <= width, f"页面宽 {wide}px,超出 {width}px 的屏幕"
    # No table hides a column behind a scroll bar.
    hidden = page.evaluate("""() => [...document.querySelectorAll('article table')]
        .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1).length""")  # type: ignore[attr-defined]
    assert hidden == 0


def test_1_what_is_overdue_and_how_badly(page: object, base: str) -> None:
    page.goto(base)  # type: ignore[attr-defined]
    overdue = _rows(page, "table.yq-overdue")
    assert overdue, "首页应列出逾期的时限"
    # The 特别重大 press conference two hours late comes before the 重大 response two days late.
    first = overdue[0]
    assert "特别重大" in first and "集体食物中毒" in first and "新闻发布会" in first and "已逾期 2小时" in first
    later = [row for row in overdue if "扶梯伤人" in row]
    assert later and "2天" in later[0] and overdue.index(later[0]) > 0
    ranks = ["特别重大", "重大", "敏感", "一般"]
    levels = [next(i for i, lv in enumerate(ranks) if lv in row.split("\t")[0]) for row in overdue]
    assert levels == sorted(levels)
    # Open incidents nobody has touched for weeks are listed, oldest first, with how long.
    idle = _rows(page, "table.yq-idle")
    assert len(idle) > 10
    days = [int(re.search(r"(\d+) 天", row).group(1)) for row in idle]  # type: ignore[union-attr]
    assert days == sorted(days, reverse=True) and days[0] > 365
    _fits(page, 1440)
    _shot(page, "home-1440")
    _fits(page, 390)
    _shot(page, "home-390")


def test_2_what_changed_since_the_previous_working_day(page: object, base: str) -> None:
    page.goto(base + "#changes")  # type: ignore[attr-defined]
    intro = page.locator("h2#changes + p").inner_text()  # type: ignore[attr-defined]
    assert "2026-10-30 00:00" in intro          # Monday: the previous working day is Friday
    changes = _rows(page, "table.yq-changes")
    escalation = [row for row in changes if "08:17" in row or ESCALATED in row or "2026-11-02 08:20" in row]
    assert escalation and "特别重大" in escalation[0], changes
    assert any("集体食物中毒" in row and "登记" in row for row in changes)
    assert not any("扶梯伤人" in row for row in changes)   # registered on Thursday 29 October
    # Newest first.
    times = [row.split("\t")[0] for row in changes]
    assert times == sorted(times, reverse=True)


def test_3_finding_last_springs_food_incident_in_a_named_county(page: object, base: str, director_site: Path) -> None:
    # Last spring's (April 2026) food incidents in 北湖县, as the register holds them.
    wanted = set()
    for path in (director_site.parent / "incidents" / "2026").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["category"] == "食品安全" and "北湖县" in data["title"] and str(data["discovered_at"])[:7] == "2026-04" \
                and not data.get("confidential"):
            wanted.add(data["id"])
    assert wanted
    page.goto(base)  # type: ignore[attr-defined]
    hrefs = _search(page, "北湖县 食品 2026年4月")
    found = [m.group(1) for m in (re.search(r"(YQ-\d{4}-\d{4})", h) for h in hrefs[:5]) if m]
    assert set(found) & wanted, (found, wanted)
    # Each result says when, how serious and where it stands.
    first = page.locator(".md-search-result__item").first.inner_text()  # type: ignore[attr-defined]
    assert re.search(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})? · (一般|敏感|重大|特别重大) · ", first), first
    assert "\u200b" not in first
    _shot(page, "search")


def test_4_printing_one_incident_on_two_a4_pages(page: object, base: str, director_site: Path, tmp_path: Path) -> None:
    # The record with the longest timeline of the generated register.
    pages = sorted(director_site.glob("generated/incidents/*/YQ-*/index.html"),
                   key=lambda p: p.read_text(encoding="utf-8").count('class="yq-event'), reverse=True)
    longest = pages[0].parent.relative_to(director_site).as_posix()
    page.goto(base + longest + "/")  # type: ignore[attr-defined]
    for width in (1440, 390):  # the same page on a desk and on a phone: nothing hidden, nothing wider
        _fits(page, width)
        _shot(page, f"incident-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    pdf = tmp_path / "incident.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)  # type: ignore[attr-defined]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    (ARTIFACTS / "director-print.txt").parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "director-print.txt").write_text(f"pages: {count}\n{text}", encoding="utf-8")
    assert count <= 2, f"打印用了 {count} 页"
    assert NAME in text and "数据截至 2026-11-02 10:00" in text
    assert re.search(rf"第\s*1\s*页\s*/\s*共\s*{count}\s*页", text)   # page numbers
    assert "https://example.com/post/" in text            # the source link's address is printed


def test_the_page_says_when_its_figures_are_older_than_the_rebuild_interval(browser: object, base: str) -> None:
    for hours, stale in ((3, False), (27, True), (74, True)):
        context = browser.new_context(viewport={"width": 1440, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        built = datetime.fromisoformat(NOW)
        page.clock.set_fixed_time(built + timedelta(hours=hours))
        page.goto(base)
        assert page.locator(".yq-stale").is_visible() is stale, hours
        if hours == 74:
            assert "3 天2 小时" in page.locator(".yq-stale").inner_text()
        context.close()


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_text_colours_meet_wcag_aa(page: object, base: str) -> None:
    page.goto(base)  # type: ignore[attr-defined]
    pairs = page.evaluate(r"""() => {
        // The background a text is seen on: every translucent layer composited over white.
        const solid = el => { const layers = [];
            for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor.match(/[\d.]+/g).map(Number);
                if (c.length === 3 || c[3] === 1) { layers.push(c.slice(0, 3)); break; }
                if (c[3] > 0) layers.push(c); }
            let out = layers.length && layers[layers.length - 1].length === 3 ? layers.pop() : [255, 255, 255];
            while (layers.length) { const c = layers.pop(); out = out.map((v, i) => c[i] * c[3] + v * (1 - c[3])); }
            return 'rgb(' + out.join(', ') + ')'; };
        const pick = [...document.querySelectorAll('article a, .yq-level, .yq-deadline, .yq-status, .md-header, .md-tabs__link')];
        return pick.slice(0, 400).map(el => [el.className || el.tagName, getComputedStyle(el).color, solid(el)]);
    }""")
    failing = []
    for name, fg, bg in pairs:
        f = [float(x) for x in re.findall(r"[\d.]+", fg)]
        b = [float(x) for x in re.findall(r"[\d.]+", bg)]
        if len(f) == 4 and f[3] < 1:  # translucent text over its background
            f = [c * f[3] + under * (1 - f[3]) for c, under in zip(f[:3], b)]
        lighter, darker = sorted((_luminance(tuple(f)), _luminance(tuple(b))), reverse=True)
        ratio = (lighter + 0.05) / (darker + 0.05)
        if ratio < 4.5:
            failing.append((name, fg, bg, round(ratio, 2)))
    assert failing == []
