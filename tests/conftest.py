"""Shared fixtures: real registers in temporary folders, built from data."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def base_incident(**overrides: Any) -> dict[str, Any]:
    """A minimal valid incident (一般, 监测中), changed by ``overrides``."""
    record: dict[str, Any] = {
        "id": "YQ-2025-0001",
        "title": "某超市销售过期酸奶被网民曝光",
        "level": "一般",
        "status": "监测中",
        "category": "食品安全",
        "discovered_at": "2025-03-03T09:00:00+08:00",
        "source": {"channel": "社交媒体", "platform": "微博"},
        "units": {"lead": "食品经营安全监管科"},
        "summary": "网民发帖称在某超市购买的酸奶已过保质期。",
        "timeline": [
            {"at": "2025-03-03T09:30:00+08:00", "type": "研判", "by": "综合应急和新闻宣传科"},
        ],
    }
    record.update(overrides)
    return record


class RegisterDir:
    """A register in a temporary folder: the project's register.yml and schemas."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copy(PROJECT / "register.yml", root / "register.yml")
        shutil.copytree(PROJECT / "schemas", root / "schemas")
        (root / "incidents").mkdir()

    def write(self, record: dict[str, Any] | str | bytes, name: str | None = None) -> Path:
        """Write one incident (a dict is dumped as YAML) to incidents/<year>/<id>.yml."""
        if isinstance(record, dict):
            incident_id = record.get("id", "YQ-2025-0001")
            name = name or f"{str(incident_id)[3:7]}/{incident_id}.yml"
            content: str | bytes = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
        else:
            assert name, "raw content needs a file name"
            content = record
        path = self.root / "incidents" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def settings(self, **changes: Any) -> None:
        """Change top-level keys of register.yml."""
        data = yaml.safe_load((self.root / "register.yml").read_text(encoding="utf-8"))
        data.update(changes)
        (self.root / "register.yml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                                encoding="utf-8")


@pytest.fixture
def register_dir(tmp_path: Path) -> RegisterDir:
    return RegisterDir(tmp_path)


@pytest.fixture
def incident() -> Callable[..., dict[str, Any]]:
    return base_incident


@pytest.fixture
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The check cache's key lives in the user's cache folder: one per test, not the real one,
    and the cache on whatever the environment says (tests of the cache use it with
    ``pytestmark = pytest.mark.usefixtures("own_key")``)."""
    folder = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("YUQING_NO_CACHE", raising=False)
    return folder



# --- the browser (tests/test_browser_*.py) ------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium: Playwright drives it instead of downloading its own."""

_BROWSER: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "page(width=1280, height=900, timeout=10000): the window and the default wait (ms) of the "
                   "`page` fixture's tab, for a module (pytestmark) or a test")


def shared_browser() -> Any:
    """One Chromium per test process, whichever test asks first (Playwright's sync API allows one)."""
    if "browser" not in _BROWSER:
        from playwright.sync_api import sync_playwright

        manager = sync_playwright()
        driver = manager.start()
        _BROWSER.update(manager=manager, browser=driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        ))
    return _BROWSER["browser"]


def stop_shared_browser() -> None:
    browser = _BROWSER.pop("browser", None)
    manager = _BROWSER.pop("manager", None)
    if browser is not None:
        browser.close()
    if manager is not None:
        manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The session's one headless Chromium (skipped without Playwright or /usr/bin/chromium)."""
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("需要 /usr/bin/chromium")
    yield shared_browser()
    stop_shared_browser()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh tab in a context of its own (the closest ``page`` marker sets its window and default wait).

    Every request it makes is kept in ``page.requests``, and none may leave this machine (the sites
    work offline: localhost and file:// only); what the page says on its console, and its errors, are
    printed, so a failing test shows them.
    """
    marker = request.node.get_closest_marker("page")
    options = {"width": 1280, "height": 900, "timeout": 10000, **(marker.kwargs if marker else {})}
    context = browser.new_context(viewport={"width": options["width"], "height": options["height"]})
    context.set_default_timeout(options["timeout"])
    tab = context.new_page()
    requests: list[str] = []
    tab.on("request", lambda sent: requests.append(sent.url))
    tab.on("console", lambda message: print("console:", message.type, message.text[:300]))
    tab.on("pageerror", lambda error: print("page error:", error))
    tab.requests = requests
    yield tab
    context.close()
    outside = [url for url in requests if not url.startswith(("http://127.0.0.1:", "file://"))]
    assert outside == [], f"请求离开了本机:{outside}"


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example register's online and offline sites and the hostile register's, built once per session."""
    from .test_site import hostile_register, mkdocs_build

    out = tmp_path_factory.mktemp("sites")
    built = {"online": out / "site", "offline": out / "site-offline"}
    for name, target in built.items():
        result = mkdocs_build(PROJECT, target, offline=name == "offline")
        assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr
    hostile_root = out / "hostile"
    hostile_root.mkdir()
    hostile_register(RegisterDir(hostile_root))
    result = mkdocs_build(hostile_root, hostile_root / "site")
    assert result.returncode == 0, result.stderr
    built["hostile"] = hostile_root / "site"
    return built


@pytest.fixture(scope="session")
def offline(sites: dict[str, Path]) -> Path:
    """The example register's offline build (file://, the theme's whole lunr index)."""
    return sites["offline"]
