"""The site at province scale, as a user notices it: pages streamed, links checked, `mkdocs serve` quick.

Incident pages are rendered one at a time outside MkDocs's page list (see mkdocs_plugin); these
tests check what that must not change (links to them resolve, a missing one still fails
--strict, the revisions table) and what `mkdocs serve` gains: a change to one incident shows
without re-rendering the others. Speed itself is measured in benchmarks/ (bench_build.py,
bench_serve.py), never asserted here.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .conftest import RegisterDir, base_incident
from .test_site import mkdocs_build, site_files


def _register(root: Path) -> RegisterDir:
    register = RegisterDir(root)
    site_files(register)
    for number, title in ((1, "某超市销售过期酸奶被网民曝光"), (2, "某小区电梯困人引发网民关注"),
                          (3, "某路段积水导致车辆受损")):
        register.write(base_incident(id=f"YQ-2025-000{number}", title=title))
    return register


def test_hand_written_pages_link_to_incident_pages_and_a_missing_one_fails_strict(tmp_path: Path) -> None:
    register = _register(tmp_path)
    # Past 9,999 records a year: a public YQ-2025-10020 is not the confidential YQ-2025-1002 (leak guard).
    register.write(base_incident(id="YQ-2025-1002", title="某涉密案件的处置情况通报", confidential=True))
    register.write(base_incident(id="YQ-2025-10020", title="某学校食堂饭菜质量引发家长投诉"))
    page = tmp_path / "docs" / "guide" / "example-links.md"
    page.write_text("# 案例\n\n[电梯困人](../generated/incidents/2025/YQ-2025-0002.md)\n", encoding="utf-8")
    result = mkdocs_build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "guide" / "example-links" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../generated/incidents/2025/YQ-2025-0002/"' in html
    incident = (tmp_path / "site" / "generated/incidents/2025/YQ-2025-0002/index.html").read_text(encoding="utf-8")
    assert "某小区电梯困人引发网民关注" in incident and "md-header" in incident  # the theme's page
    # Every list page's row links to a page that exists.
    month = next((tmp_path / "site" / "generated" / "lists" / "month").glob("*/index.html")).read_text(encoding="utf-8")
    assert "YQ-2025-0003" in month
    assert (tmp_path / "site" / "generated/incidents/2025/YQ-2025-10020/index.html").is_file()
    assert not (tmp_path / "site" / "generated/incidents/2025/YQ-2025-1002").exists()
    page.write_text("# 案例\n\n[不存在](../generated/incidents/2025/YQ-2025-0099.md)\n", encoding="utf-8")
    failed = mkdocs_build(tmp_path, tmp_path / "site2")
    assert failed.returncode != 0
    assert "YQ-2025-0099" in failed.stderr
    assert not (tmp_path / "site2").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, OSError):
        return 0, ""


def _wait_for(url: str, predicate, server: subprocess.Popen[bytes], timeout: float = 120) -> str:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        status, body = _get(url)
        if predicate(status, body):
            return body
        assert server.poll() is None, "mkdocs serve stopped"
        time.sleep(0.2)
    raise AssertionError(f"{url}: not as expected after {timeout} s")


def test_serve_shows_a_changed_incident_and_reuses_the_unchanged_pages(tmp_path: Path) -> None:
    register = _register(tmp_path)
    # A copied file naming a record: searched by the leak guard on the first build, then, byte-identical
    # on every rebuild, skipped while the needles are the same; never once the record turns confidential.
    (tmp_path / "docs" / "notice.txt").write_text("处置经过见 YQ-2025-0003。\n", encoding="utf-8")
    port = _free_port()
    base = f"http://127.0.0.1:{port}/generated/incidents/2025/"
    log = tmp_path / "serve.log"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("YUQING_OFFLINE", None)
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                  cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(base + "YQ-2025-0001/", lambda s, b: s == 200 and "某超市销售过期酸奶被网民曝光" in b, server)
        time.sleep(1)
        register.write(base_incident(id="YQ-2025-0001", title="某超市销售过期酸奶被网民曝光(已更正)"))
        _wait_for(base + "YQ-2025-0001/", lambda s, b: "(已更正)" in b, server)
        # The other two incident pages are reused; of the list pages, those that list the record are made again.
        assert re.search(r"事件页和列表页:\d+ 页未变,沿用上次的输出;\d+ 页重新生成。", log.read_text(encoding="utf-8"))
        kept, made = map(int, re.findall(r"(\d+) 页未变,沿用上次的输出;(\d+) 页重新生成", log.read_text(encoding="utf-8"))[-1])
        assert kept >= 2 and 1 <= made < kept + made
        # The unchanged pages are still whole pages of the site.
        status, other = _get(base + "YQ-2025-0002/")
        assert status == 200 and "某小区电梯困人引发网民关注" in other and "</html>" in other
        # A record deleted: its page goes, the kept pages stay.
        time.sleep(1)
        removed = register.write(base_incident(id="YQ-2025-0004", title="某商场扶梯故障致顾客摔伤"))
        _wait_for(base + "YQ-2025-0004/", lambda s, b: s == 200 and "某商场扶梯故障致顾客摔伤" in b, server)
        time.sleep(1)
        removed.unlink()
        _wait_for(base + "YQ-2025-0004/", lambda s, b: s == 404, server)
        status, kept_page = _get(base + "YQ-2025-0002/")
        assert status == 200 and "某小区电梯困人引发网民关注" in kept_page
        # A record turned confidential: every page is made again under the new needles, and the copied
        # file skipped on the rebuilds before is read again: the build stops, naming it.
        time.sleep(1)
        register.write(base_incident(id="YQ-2025-0003", title="某路段积水导致车辆受损", confidential=True))
        deadline = time.monotonic() + 120
        while "notice.txt: YQ-2025-0003" not in log.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")[-2000:]
            assert server.poll() is None, "mkdocs serve stopped"
            time.sleep(0.2)
        text = log.read_text(encoding="utf-8")
        assert "涉密事件出现在站点输出中" in text
        assert "事件页和列表页:0 页未变" in text  # the guard's words changed: all re-rendered
        # The file corrected: the site is served again, without the record's page.
        (tmp_path / "docs" / "notice.txt").write_text("处置经过另见通报。\n", encoding="utf-8")
        _wait_for(base + "YQ-2025-0003/", lambda s, b: s == 404, server)
    finally:
        server.terminate()
        server.wait(timeout=30)
