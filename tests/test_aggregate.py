"""A city view of 50 county registers, from their public exports served over HTTP on 127.0.0.1."""

from __future__ import annotations

import copy
import http.server
import json
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest
import yaml

from yuqing import synthetic
from yuqing.validate import SCHEMA_DIR

from .conftest import RegisterDir, base_incident
from .githelper import run_cli

NOW = "2026-11-23T12:00:00+08:00"
COUNTIES = 50


def export(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, _ = run_cli(["export", "json", "--root", str(root), "--now", NOW], capsys)
    assert code == 0
    return json.loads(out)


@pytest.fixture(scope="module")
def county_export(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One generated county register's export, with one confidential record added."""
    root = tmp_path_factory.mktemp("county") / "reg"
    assert synthetic.main(["--count", "40", "--seed", "11", "--out", str(root)]) == 0
    secret = base_incident(id="YQ-2025-9999", title="涉密:某专项检查线索", confidential=True)
    RegisterDir.write(type("R", (), {"root": root})(), secret)  # type: ignore[arg-type]
    from yuqing.cli import main

    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(["export", "json", "--root", str(root), "--now", NOW])
        except SystemExit:
            pass
    return json.loads(out.getvalue())


def test_the_export_is_described_by_its_schema_and_holds_no_confidential_record(
        county_export: dict[str, Any]) -> None:
    schema = json.loads((SCHEMA_DIR / "export.schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(county_export)) == []
    ids = {r["id"] for r in county_export["records"]}
    assert len(ids) == 40 and "YQ-2025-9999" not in ids
    assert "涉密" not in json.dumps(county_export, ensure_ascii=False)
    assert {d["incident"] for d in county_export["deadlines"]} <= ids
    assert (county_export["format"], county_export["version"]) == ("yuqing-export", 1)
    assert all("author" not in r.get("appeal", {}) for r in county_export["records"])


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}
    slow: set[str] = set()

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        moved = getattr(self, "redirects", {}).get(self.path)
        if moved is not None:
            self.send_response(302)
            self.send_header("Location", moved)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.routes.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        if self.path in self.slow:  # a trickle that never ends in time
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"routes": {}, "slow": set()})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()


def county(doc: dict[str, Any], index: int, generated: str = NOW) -> dict[str, Any]:
    """County ``index``: the same generated records (ids repeat across counties, as they do)."""
    out = copy.deepcopy(doc)
    out["generated_at"] = generated
    out["register"]["name"] = out["register"]["organization"] = f"第{index}区市场监督管理局"
    out["records"] = out["records"][: 20 + index % 20]
    kept = {r["id"] for r in out["records"]}
    out["deadlines"] = [d for d in out["deadlines"] if d["incident"] in kept]
    return out


def counted(doc: dict[str, Any]) -> int:
    """The records statistics count (withdrawn ones are counted apart)."""
    return sum(1 for r in doc["records"] if "withdrawn" not in r)


def code(index: int) -> str:
    return f"{330100 + index}"


@pytest.fixture
def city(tmp_path: Path, server: tuple[str, type[_Handler]], county_export: dict[str, Any]) -> tuple[Path, dict]:
    base, handler = server
    handler.routes.clear()
    handler.slow.clear()
    expected: dict[str, int] = {}
    sources = []
    for index in range(1, COUNTIES + 1):
        path = f"/{code(index)}/export.json"
        doc = county(county_export, index, "2026-11-20T12:00:00+08:00" if index == 2 else NOW)
        if index == 3:  # broken: cut short
            handler.routes[path] = json.dumps(doc, ensure_ascii=False).encode()[:5000]
        elif index == 4:  # hostile: a confidential record and markup, and not one of its records is taken
            doc["records"][0] = {**doc["records"][0], "confidential": True,
                                 "title": "<script>alert(1)</script>"}
            handler.routes[path] = json.dumps(doc, ensure_ascii=False).encode()
        else:
            handler.routes[path] = json.dumps(doc, ensure_ascii=False).encode()
            expected[code(index)] = counted(doc)
        sources.append({"name": f"第{index}区", "code": code(index), "url": base + path, "freshness_hours": 24})
    root = tmp_path / "city"
    root.mkdir()
    RegisterDir(root)
    (root / "sources.yml").write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return root, expected


def aggregate(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code_, out, _ = run_cli(["aggregate", "--root", str(root), "--now", NOW, "--format", "json", *args], capsys)
    return code_, json.loads(out)


def test_fifty_counties_become_one_register_and_the_bad_sources_are_named(
        city: tuple[Path, dict], capsys: pytest.CaptureFixture[str]) -> None:
    root, expected = city
    status, result = aggregate(root, capsys)
    states = {s["code"]: s["state"] for s in result["sources"]}
    assert status == 1
    assert [c for c, s in states.items() if s != "ok"] == [code(2), code(3), code(4)]
    assert (states[code(2)], states[code(3)], states[code(4)]) == ("stale", "failed", "failed")
    by_code = {s["code"]: s for s in result["sources"]}
    assert "72 小时未更新" in by_code[code(2)]["message"]
    assert "不是有效的 UTF-8 JSON" in by_code[code(3)]["message"]
    assert "confidential" in by_code[code(4)]["message"] and by_code[code(4)]["records"] == 0
    # The stale county still counts; the failing ones have no earlier copy to count.
    assert result["total"] == sum(expected.values())
    assert set(result["by_unit"]) == {f"第{i}区" for i in range(1, COUNTIES + 1) if i not in (3, 4)}

    _, out, _ = run_cli(["aggregate", "--root", str(root), "--now", NOW, "--show", "deadlines", "--format", "json"],
                        capsys)
    deadlines = json.loads(out)["deadlines"]
    assert deadlines and all(d["incident"].split(":")[0] in expected for d in deadlines)
    assert len({d["incident"].split(":")[0] for d in deadlines}) > 40  # the same ids, one per county

    _, text, _ = run_cli(["aggregate", "--root", str(root), "--now", NOW, "--show", "sources"], capsys)
    assert "共 50 个来源,47 个正常,1 个过期,2 个失败。" in text
    assert "<script>" not in text


def test_the_last_good_copy_stands_in_for_a_source_that_breaks(
        city: tuple[Path, dict], server: tuple[str, type[_Handler]], county_export: dict[str, Any],
        capsys: pytest.CaptureFixture[str]) -> None:
    root, expected = city
    _, handler = server
    path = f"/{code(3)}/export.json"
    good = county(county_export, 3)
    handler.routes[path] = json.dumps(good, ensure_ascii=False).encode()
    _, result = aggregate(root, capsys, "--show", "sources")
    assert [s["state"] for s in result["sources"] if s["code"] == code(3)] == ["ok"]

    del handler.routes[path]  # now a 404
    _, result = aggregate(root, capsys)
    (broken,) = [s for s in result["sources"] if s["code"] == code(3)]
    assert (broken["state"], broken["from_copy"], broken["records"]) == ("failed", True, len(good["records"]))
    assert "HTTP 404" in broken["message"] and "上次成功获取的副本" in broken["message"]
    assert result["total"] == sum(expected.values()) + counted(good)


def test_a_source_that_trickles_is_abandoned_in_bounded_time(
        city: tuple[Path, dict], server: tuple[str, type[_Handler]], capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = city
    _, handler = server
    handler.slow.add(f"/{code(5)}/export.json")
    started = time.monotonic()
    _, result = aggregate(root, capsys, "--show", "sources", "--timeout", "1")
    assert time.monotonic() - started < 8
    (slow,) = [s for s in result["sources"] if s["code"] == code(5)]
    assert slow["state"] == "failed" and "秒仍未取完" in slow["message"]


def _trickler(answer: bytes, stop: threading.Event) -> tuple[int, threading.Thread]:
    """A server on 127.0.0.1 sending ``answer`` at once, then one byte a second until ``stop``."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)

    def serve() -> None:
        with listener:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                with conn:
                    try:
                        conn.recv(65536)
                        conn.sendall(answer)
                        while not stop.wait(1):
                            conn.sendall(b"0" if b"chunked" in answer else b"a")
                    except OSError:
                        pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nX-Slow: ",  # headers, a byte a second: no single read ever times out
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",  # a chunk-size line, a byte a second
], ids=["headers", "chunk-size"])
def test_a_server_trickling_headers_is_abandoned_at_the_deadline(answer: bytes, register_dir: RegisterDir,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    port, thread = _trickler(answer, stop)
    try:
        (register_dir.root / "sources.yml").write_text(yaml.safe_dump({"sources": [
            {"name": "慢区", "code": "330199", "url": f"http://127.0.0.1:{port}/export.json"}]},
            allow_unicode=True), encoding="utf-8")
        started = time.monotonic()
        _, result = aggregate(register_dir.root, capsys, "--timeout", "2")
        assert time.monotonic() - started < 12  # a hang guard, generous for a loaded machine
        (slow,) = result["sources"]
        assert slow["state"] == "failed" and "超过 2 秒仍未取完" in slow["message"]
    finally:
        stop.set()
        thread.join()


@pytest.mark.parametrize("target", ["ftp://127.0.0.1:1/export.json", "file:///etc/passwd"])
def test_a_redirect_away_from_http_is_refused(target: str, server: tuple[str, type[_Handler]],
                                              register_dir: RegisterDir,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    base, handler = server
    handler.routes.clear()
    handler.redirects = {"/moved.json": target}  # type: ignore[attr-defined]
    try:
        (register_dir.root / "sources.yml").write_text(yaml.safe_dump({"sources": [
            {"name": "跳转区", "code": "330198", "url": base + "/moved.json"}]}, allow_unicode=True),
            encoding="utf-8")
        _, result = aggregate(register_dir.root, capsys, "--timeout", "5")
        (moved,) = result["sources"]
        assert (moved["state"], moved["records"]) == ("failed", 0)
        assert "只接受跳转到 http 或 https" in moved["message"]
    finally:
        handler.redirects = {}  # type: ignore[attr-defined]


def test_a_redirect_to_http_is_followed(server: tuple[str, type[_Handler]], register_dir: RegisterDir,
                                        county_export: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    base, handler = server
    doc = county(county_export, 1)
    handler.routes.clear()
    handler.routes["/new.json"] = json.dumps(doc, ensure_ascii=False).encode()
    handler.redirects = {"/old.json": "/new.json"}  # type: ignore[attr-defined]
    try:
        (register_dir.root / "sources.yml").write_text(yaml.safe_dump({"sources": [
            {"name": "跳转区", "code": "330198", "url": base + "/old.json"}]}, allow_unicode=True), encoding="utf-8")
        status, result = aggregate(register_dir.root, capsys)
        assert (status, result["total"]) == (0, counted(doc))
    finally:
        handler.redirects = {}  # type: ignore[attr-defined]


def _local(root: Path, doc: dict[str, Any]) -> None:
    (root / "county.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (root / "sources.yml").write_text(yaml.safe_dump({"sources": [
        {"name": "上城区", "code": "330102", "path": "county.json", "freshness_hours": 24}]}, allow_unicode=True),
        encoding="utf-8")


def test_a_record_discovered_after_now_is_left_out_and_named(register_dir: RegisterDir, county_export: dict[str, Any],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    doc = county(county_export, 1)
    hidden = next(r for r in doc["records"] if "withdrawn" not in r)
    hidden["discovered_at"] = hidden["occurred_at"] = "2099-01-01T10:00:00+08:00"
    for event in hidden["timeline"]:
        event["at"] = "2099-01-02T10:00:00+08:00"
    _local(register_dir.root, doc)
    _, result = aggregate(register_dir.root, capsys, "--show", "sources")
    (source,) = result["sources"]
    assert source["records"] == len(doc["records"]) - 1
    assert f"1 条记录的发现时间晚于汇总时间,未计入(330102:{hidden['id']})" in source["message"]
    _, result = aggregate(register_dir.root, capsys)
    assert result["total"] == counted(doc) - 1
    _, out, _ = run_cli(["aggregate", "--root", str(register_dir.root), "--now", NOW, "--show", "deadlines",
                         "--format", "json"], capsys)
    assert f"330102:{hidden['id']}" not in {d["incident"] for d in json.loads(out)["deadlines"]}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("occurred_at", "2026-11-23T11:00:00+08:00", "发生时间晚于发现时间"),
    ("timeline", "1999-01-01T00:00:00+08:00", "处置事件早于发现时间"),
])
def test_an_export_with_times_its_county_would_refuse_is_refused(
        field: str, value: str, message: str, register_dir: RegisterDir, county_export: dict[str, Any],
        capsys: pytest.CaptureFixture[str]) -> None:
    doc = county(county_export, 1)
    _local(register_dir.root, doc)
    assert aggregate(register_dir.root, capsys)[1]["total"] == counted(doc)  # kept as the last good copy
    bad = copy.deepcopy(doc)
    record = next(r for r in bad["records"] if r["timeline"] and "withdrawn" not in r)
    if field == "timeline":
        record["timeline"][0]["at"] = value
    else:
        record["discovered_at"] = "2026-11-01T10:00:00+08:00"
        record[field] = value
    _local(register_dir.root, bad)
    _, result = aggregate(register_dir.root, capsys)
    (source,) = result["sources"]
    assert (source["state"], source["from_copy"]) == ("failed", True)
    assert message in source["message"] and record["id"] in source["message"]
    assert result["total"] == counted(doc)


def test_a_local_export_is_named_by_its_county_never_by_its_path(register_dir: RegisterDir,
                                                                  county_export: dict[str, Any]) -> None:
    from yuqing.aggregate import aggregate as merge, read_sources
    from yuqing.config import load_config
    from yuqing.times import parse_time

    _local(register_dir.root, county(county_export, 1))
    config, _ = load_config(register_dir.root)
    sources, _ = read_sources(register_dir.root)
    view = merge(register_dir.root, config, sources, parse_time(NOW, None))  # type: ignore[arg-type]
    assert view.incidents and all(i.file.startswith("上城区(330102)的导出#") for i in view.incidents)
    assert not any(str(register_dir.root) in i.file or "county.json" in i.file for i in view.incidents)


def test_a_code_pointed_elsewhere_does_not_fall_back_on_the_old_location(
        register_dir: RegisterDir, county_export: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    _local(register_dir.root, county(county_export, 1))
    assert aggregate(register_dir.root, capsys)[1]["sources"][0]["state"] == "ok"
    (register_dir.root / "sources.yml").write_text(yaml.safe_dump({"sources": [
        {"name": "上城区", "code": "330102", "path": "moved.json", "freshness_hours": 24}]}, allow_unicode=True),
        encoding="utf-8")
    (register_dir.root / "moved.json").write_text("{", encoding="utf-8")
    _, result = aggregate(register_dir.root, capsys)
    (source,) = result["sources"]
    assert (source["state"], source["from_copy"], source["records"]) == ("failed", False, 0)
    assert "没有可用的旧副本" in source["message"] and result["total"] == 0


@pytest.mark.parametrize(("row", "message"), [
    ({"name": "上城区", "code": 3301, "url": "http://127.0.0.1/x"}, "6 位行政区划代码"),
    ({"name": "上城区", "code": "330102", "url": "file:///etc/passwd"}, "只能是 http 或 https"),
    ({"name": "上城区", "code": "330102"}, "缺少 url"),
    ({"name": "上城区", "code": "330102", "path": "x.json", "freshness_hours": 0}, "freshness_hours"),
])
def test_a_wrong_sources_file_is_named_at_its_line(row: dict[str, Any], message: str, register_dir: RegisterDir,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (register_dir.root / "sources.yml").write_text(yaml.safe_dump({"sources": [row]}, allow_unicode=True),
                                                   encoding="utf-8")
    code_, _, err = run_cli(["aggregate", "--root", str(register_dir.root), "--now", NOW], capsys)
    assert code_ == 2 and "sources.yml:" in err and message in err


def test_a_local_export_needs_no_server(register_dir: RegisterDir, county_export: dict[str, Any],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    doc = county(county_export, 1)
    (register_dir.root / "county.json").write_text(json.dumps(doc), encoding="utf-8")
    (register_dir.root / "sources.yml").write_text(yaml.safe_dump({"sources": [
        {"name": "上城区", "code": "330102", "path": "county.json", "freshness_hours": 24}]}, allow_unicode=True),
        encoding="utf-8")
    status, result = aggregate(register_dir.root, capsys)
    assert (status, result["total"], list(result["by_unit"])) == (0, counted(doc), ["上城区"])


def test_a_withdrawal_naming_a_confidential_record_does_not_name_it(register_dir: RegisterDir,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident(id="YQ-2025-0001", title="涉密的那一条", confidential=True))
    register_dir.write(base_incident(id="YQ-2025-0002", withdrawn={"reason": "重复登记", "duplicate_of": "YQ-2025-0001"}))
    register_dir.write(base_incident(id="YQ-2025-0003", withdrawn={"reason": "重复登记", "duplicate_of": "YQ-2025-0004"}))
    register_dir.write(base_incident(id="YQ-2025-0004"))
    doc = export(register_dir.root, capsys)
    assert [r["id"] for r in doc["records"]] == ["YQ-2025-0002", "YQ-2025-0003", "YQ-2025-0004"]
    assert "YQ-2025-0001" not in json.dumps(doc) and "涉密" not in json.dumps(doc, ensure_ascii=False)
    assert doc["records"][1]["withdrawn"]["duplicate_of"] == "YQ-2025-0004"


def test_a_public_text_naming_a_confidential_record_stops_the_export(register_dir: RegisterDir,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    register_dir.write(base_incident(id="YQ-2025-0001", title="某专项检查线索核查", confidential=True))
    register_dir.write(base_incident(id="YQ-2025-0002", summary="与 YQ-2025-0001 有关。"))
    code_, out, err = run_cli(["export", "json", "--root", str(register_dir.root), "--now", NOW], capsys)
    assert (code_, out) == (2, "") and "提到了涉密事件" in err and "YQ-2025-0001" not in err


def test_an_export_is_read_once_per_version_and_a_tampered_copy_is_not_believed(
        register_dir: RegisterDir, county_export: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    from yuqing.aggregate import COPIES, aggregate as merge, read_sources
    from yuqing.config import load_config
    from yuqing.times import parse_time, zone

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # the cache's key, outside the register
    root = register_dir.root
    doc = county(county_export, 1)
    (root / "county.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (root / "sources.yml").write_text(yaml.safe_dump({"sources": [
        {"name": "上城区", "code": "330102", "path": "county.json"}]}, allow_unicode=True), encoding="utf-8")
    config, _ = load_config(root)
    assert config is not None
    sources, _ = read_sources(root)
    now = parse_time(NOW, zone(config.timezone))
    assert now is not None

    def titles() -> list[str]:
        return [i.title for i in merge(root, config, sources, now).incidents]

    first = titles()
    assert sorted(first) == sorted(r["title"] for r in doc["records"])
    kept = root / COPIES / "330102.records"
    original = doc["records"][0]["title"].encode()
    forged = "伪造".encode().ljust(len(original), b" ")
    assert original in kept.read_bytes()
    kept.write_bytes(kept.read_bytes().replace(original, forged))
    assert titles() == first  # the signature does not match: read from the export again
    doc["records"][0]["title"] = "新的标题"
    (root / "county.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert "新的标题" in titles()  # another version of the export: read again
