"""A city's view of its county registers, built from their public exports.

The way OSV aggregates its sources: every county register's CI publishes a
versioned, schema-described export (``publicexport.py``, ``export.json`` in its
site); the city register lists them in ``sources.yml`` and this module fetches
each (bounded in time and size), validates it against
``schemas/export.schema.json``, keeps the last good copy (per code and
location), and turns the records into one register's incidents: ids namespaced with the county's 行政区划代码,
the lead unit replaced by the county (the city's unit column). A source that
cannot be fetched or does not validate is named and its last good copy used;
one older than its expected freshness is named stale. Confidential records are
never in an export; one that claims to be is refused with its whole source.

Reading an export (validating it, building its records) costs about half a
second per thousand records, so each source's records are kept, once read, in
``.yuqing-cache/sources/<code>.records``: keyed by the export's bytes and by
everything else they depend on (the tool's code, the export schema,
register.yml, the source's name), and signed with the check cache's key (kept
outside the register): an export unchanged since the last run is not read
again, and a cache file that does not verify is ignored.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import http.client
import io
import json
import os
import pickle
import re
import socket
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Literal

from . import cache
from .cache import CACHE_DIR, make_folder
from .loader import Loaded, load_file
from .model import Incident, Issue, RegisterConfig, Units, Withdrawn
from .records import build_incident
from .times import parse_time, zone
from .validate import SchemaChecker, read_schema
from .workers import pool as worker_pool

SOURCES_FILE = "sources.yml"
COPIES = Path(CACHE_DIR) / "sources"
"""Where the last good copy of each source is kept (in the city register, git-ignored)."""
MAX_BYTES = 64 * 1024 * 1024
TIMEOUT = 20.0
"""Seconds a source may take, all of it (connecting, every read)."""
_CODE = re.compile(r"[0-9]{6}")
FUTURE = timedelta(minutes=10)

State = Literal["ok", "stale", "failed"]


@dataclass(frozen=True)
class Source:
    """One county register the city aggregates (a row of sources.yml)."""

    name: str
    code: str
    """行政区划代码 (six digits): the namespace of its ids."""
    location: str
    """The export's URL (http or https) or a path (relative to the city register)."""
    freshness: timedelta
    """How old its export may be before it counts as stale."""


@dataclass(frozen=True)
class Outcome:
    """What became of one source in one aggregation."""

    source: Source
    state: State
    records: int
    generated_at: datetime | None
    message: str
    """Chinese: why the state is not ok (empty when it is)."""
    from_copy: bool = False


@dataclass(frozen=True)
class CityView:
    outcomes: tuple[Outcome, ...]
    incidents: tuple[Incident, ...]

    @property
    def ok(self) -> bool:
        return all(o.state == "ok" for o in self.outcomes)


class _Refused(Exception):
    """A source's export cannot be used; the message (Chinese) says why."""


def read_sources(root: Path) -> tuple[tuple[Source, ...], list[Issue]]:
    """The sources listed in ``root/sources.yml``, with every problem of the file."""
    path = root / SOURCES_FILE
    if not path.is_file():
        return (), [Issue(SOURCES_FILE, 1, 1, "", "sources-missing",
                          f"{root} 下没有 {SOURCES_FILE}:市级汇总需要列出各区县台账的导出地址。")]
    loaded = load_file(path, SOURCES_FILE)
    issues = list(loaded.issues)
    data = loaded.data
    rows = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        issues.append(Issue(SOURCES_FILE, 1, 1, "sources", "sources-invalid",
                            "sources.yml 应有 sources: 列表,每项含 name、code、url(或 path)、freshness_hours。"))
        return (), issues
    found: list[Source] = []
    codes: set[str] = set()
    for index, row in enumerate(rows):
        where = f"sources[{index}]"

        def problem(message: str, path: str = where) -> None:
            at = loaded.where(path)
            issues.append(Issue(SOURCES_FILE, at[0], at[1], path, "sources-invalid", message))

        if not isinstance(row, dict):
            problem("每个来源应是“键: 值”的映射。")
            continue
        name, code = row.get("name"), str(row.get("code", ""))
        location = row.get("url", row.get("path"))
        hours = row.get("freshness_hours", 24)
        if not isinstance(name, str) or not name.strip():
            problem("缺少 name(区县名称)。")
            continue
        if not _CODE.fullmatch(code):
            problem(f"“{name}”的 code 应是 6 位行政区划代码(如 \"330102\",请加引号)。", f"{where}.code")
            continue
        if code in codes:
            problem(f"行政区划代码 {code} 重复:每个区县只能列一次。", f"{where}.code")
            continue
        if not isinstance(location, str) or not location.strip():
            problem(f"“{name}”缺少 url(导出地址)或 path(本地文件)。")
            continue
        if "url" in row and urllib.parse.urlsplit(location).scheme not in ("http", "https"):
            problem(f"“{name}”的 url 只能是 http 或 https 地址;本地文件请用 path。", f"{where}.url")
            continue
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours <= 0:
            problem(f"“{name}”的 freshness_hours 应是正数(导出最多可以是多少小时前的)。", f"{where}.freshness_hours")
            continue
        codes.add(code)
        found.append(Source(name.strip(), code, location.strip(), timedelta(hours=float(hours))))
    return tuple(found), issues


class _Watch:
    """The sockets of one fetch, shut at its deadline: a socket timeout bounds one read only,
    and a server sending a byte a second (headers, a chunk-size line) never lets one time out."""

    def __init__(self) -> None:
        self.sockets: list[socket.socket] = []
        self.expired = False
        self.lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)
            if self.expired:
                _shut(sock)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read in the fetching thread
    except OSError:
        pass


def _watched(base: type[http.client.HTTPConnection], watch: _Watch) -> Any:
    class Connection(base):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            watch.add(self.sock)

    return Connection


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, watch: _Watch) -> None:
        super().__init__()
        self.watch = watch

    def http_open(self, req: Any) -> Any:
        return self.do_open(_watched(http.client.HTTPConnection, self.watch), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, watch: _Watch) -> None:
        self.context = ssl.create_default_context()  # what urllib uses by default: certificates verified
        super().__init__(context=self.context)
        self.watch = watch

    def https_open(self, req: Any) -> Any:
        return self.do_open(_watched(http.client.HTTPSConnection, self.watch), req, context=self.context)


class _Redirect(urllib.request.HTTPRedirectHandler):
    """Follows a redirect to http or https only (urllib would follow one to ftp)."""

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        # Checked before urllib's own check, which names a file:// target only as "HTTP 302".
        target = headers.get("location") or headers.get("uri")
        if target:
            newurl = urllib.parse.urljoin(req.full_url, target)
            if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
                raise _Refused(f"服务器要求跳转到 {newurl[:200]},只接受跳转到 http 或 https 地址。")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _fetch(source: Source, root: Path, timeout: float) -> bytes:
    """The export's bytes, within ``timeout`` seconds in all and MAX_BYTES."""
    if urllib.parse.urlsplit(source.location).scheme in ("http", "https"):
        deadline = time.monotonic() + timeout
        late = f"超过 {timeout:g} 秒仍未取完,已放弃。"
        watch = _Watch()
        timer = threading.Timer(timeout, watch.expire)
        timer.daemon = True
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler(
                {} if urllib.parse.urlsplit(source.location).hostname in ("127.0.0.1", "localhost", "::1")
                else None),
            _HTTP(watch), _HTTPS(watch), _Redirect())
        timer.start()
        try:
            with opener.open(source.location, timeout=timeout) as response:
                chunks, size = [], 0
                while True:
                    if time.monotonic() > deadline:
                        raise _Refused(late)
                    chunk = response.read1(1 << 16)  # what has arrived: read() would wait for all of it
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise _Refused(f"导出文件超过 {MAX_BYTES // 1024 // 1024} MB,未读取。")
                    chunks.append(chunk)
                if watch.expired:  # shut at the deadline: what arrived may be cut short
                    raise _Refused(late)
                return b"".join(chunks)
        except urllib.error.HTTPError as error:
            raise _Refused(late if watch.expired else f"服务器返回 HTTP {error.code}。") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, _Refused):
                raise error.reason from None
            raise _Refused(late if watch.expired else f"无法连接:{error.reason}。") from None
        except (TimeoutError, OSError, http.client.HTTPException, ValueError) as error:
            raise _Refused(late if watch.expired else f"获取失败:{error}。") from None
        finally:
            timer.cancel()
    path = (root / source.location).resolve() if not os.path.isabs(source.location) else Path(source.location)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _Refused(f"导出文件超过 {MAX_BYTES // 1024 // 1024} MB,未读取。")
        return path.read_bytes()
    except OSError as error:
        raise _Refused(f"无法读取 {source.location}:{error.strerror or error}。") from None


def _parse(raw: bytes, source: Source, schema: SchemaChecker, tz: Any) -> tuple[datetime, list[Incident]]:
    """The validated export as the city's incidents (refused whole on any problem)."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _Refused("不是有效的 UTF-8 JSON。") from None
    problems = schema.issues(Loaded(source.code, doc))
    if problems:
        first = problems[0]
        more = f"等 {len(problems)} 处" if len(problems) > 1 else ""
        raise _Refused(f"不符合导出格式(schemas/export.schema.json):{first.path or '顶层'}:{first.message}{more}")
    generated = parse_time(doc["generated_at"], tz)
    if generated is None:
        raise _Refused("generated_at 不是有效时间。")
    incidents: list[Incident] = []
    seen: set[str] = set()
    for index, data in enumerate(doc["records"]):
        if data["id"] in seen:
            raise _Refused(f"编号 {data['id']} 出现两次。")
        seen.add(data["id"])
        file = f"{_where(source)}#{data['id']}"  # where the record came from (the site's 原始记录)
        incident, issues = build_incident(Loaded(file, data), tz, set())
        if incident is None or issues:
            raise _Refused(f"records[{index}]({data['id']})的时间无效。")
        # What the county's own check refuses (a county could hide an overdue case behind such times).
        if incident.occurred_at and incident.occurred_at > incident.discovered_at:
            raise _Refused(f"records[{index}]({data['id']})的发生时间晚于发现时间。")
        if any(event.at < incident.discovered_at for event in incident.timeline):
            raise _Refused(f"records[{index}]({data['id']})有处置事件早于发现时间。")
        incidents.append(_namespaced(incident, source))
    return generated, incidents


def _where(source: Source) -> str:
    """The source as the city's site names it: its URL, or its name and code (never a path on the city's server)."""
    if urllib.parse.urlsplit(source.location).scheme in ("http", "https"):
        return source.location
    return f"{source.name}({source.code})的导出"


def _namespaced(incident: Incident, source: Source) -> Incident:
    """The record as the city sees it: its id under the county's code, the county as its unit."""
    withdrawn = incident.withdrawn
    if withdrawn is not None and withdrawn.duplicate_of:
        withdrawn = Withdrawn(withdrawn.reason, withdrawn.at, f"{source.code}:{withdrawn.duplicate_of}")
    return replace(incident, id=f"{source.code}:{incident.id}", units=Units(source.name), withdrawn=withdrawn,
                   confidential=False)


def copy_name(source: Source) -> str:
    """The file of the source's last good copy: keyed by its location as well as its code, so that
    a code pointed at a new location never falls back on what the old location served."""
    return f"{source.code}-{hashlib.sha256(source.location.encode()).hexdigest()[:16]}.json"


def _keep(root: Path, source: Source, raw: bytes) -> None:
    _write(root, copy_name(source), raw)


def _write(root: Path, name: str, data: bytes) -> None:
    folder = root / COPIES
    try:
        make_folder(root / CACHE_DIR)
        folder.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, folder / name)
    except OSError:
        pass  # nothing kept: the next failure has no copy to fall back on, the next run reads it again


_READ_FORMAT = b"yuqing-source-records 1\n"


def _stamp(root: Path, config: RegisterConfig) -> str:
    """What a source's records depend on besides its export and its row of sources.yml."""
    digest = hashlib.sha256(cache.fingerprint(root, config).encode())
    here = Path(__file__).resolve().parent
    for path in (here / "aggregate.py", here / "records.py", here / "times.py"):  # the rest: in the fingerprint
        digest.update(path.read_bytes())
    from .validate import SCHEMA_DIR

    digest.update((SCHEMA_DIR / "export.schema.json").read_bytes())
    return digest.hexdigest()


Read = tuple[datetime, int, bytes]
"""An export read: its generation time, how many records, the records pickled."""


def _kept_read(root: Path, source: Source, key: bytes | None, stamp: str, raw: bytes, tz: Any) -> Read | None:
    """The records read from these very bytes before (pickled), when the signed file says so."""
    if key is None:
        return None
    try:
        data = (root / COPIES / f"{source.code}.records").read_bytes()
    except OSError:
        return None
    size = hashlib.blake2b().digest_size
    head, mac, body = data[:len(_READ_FORMAT)], data[len(_READ_FORMAT):len(_READ_FORMAT) + size], \
        data[len(_READ_FORMAT) + size:]
    if head != _READ_FORMAT or not hmac.compare_digest(mac, hmac.new(key, body, hashlib.blake2b).digest()):
        return None
    line, _, records = body.partition(b"\n")
    try:
        header = json.loads(line)
        generated, count = parse_time(header["generated_at"], tz), int(header["records"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if generated is None:
        return None
    wanted = {"stamp": stamp, "name": source.name, "code": source.code, "export": hashlib.sha256(raw).hexdigest()}
    if any(header.get(k) != v for k, v in wanted.items()):
        return None
    return generated, count, records


def _keep_read(root: Path, source: Source, key: bytes | None, stamp: str, raw: bytes, read: Read) -> None:
    if key is None:
        return
    generated, count, records = read
    header = json.dumps({"stamp": stamp, "name": source.name, "code": source.code,
                         "export": hashlib.sha256(raw).hexdigest(), "generated_at": generated.isoformat(),
                         "records": count})
    body = header.encode() + b"\n" + records
    mac = hmac.new(key, body, hashlib.blake2b).digest()
    _write(root, f"{source.code}.records", _READ_FORMAT + mac + body)


def _read(raw: bytes, source: Source, root: Path, schema: SchemaChecker, tz: Any, key: bytes | None,
          stamp: str) -> Read:
    """The export's generation time and its records (pickled), read now or kept from an earlier run."""
    kept = _kept_read(root, source, key, stamp, raw, tz)
    if kept is not None:
        return kept
    generated, incidents = _parse(raw, source, schema, tz)
    read = (generated, len(incidents), pickle.dumps(incidents, protocol=pickle.HIGHEST_PROTOCOL))
    _keep_read(root, source, key, stamp, raw, read)
    return read


def _one(source: Source, root: Path, schema: SchemaChecker, tz: Any, now: datetime,
         timeout: float, key: bytes | None = None, stamp: str = "") -> tuple[Outcome, bytes]:
    """What became of ``source``, and its records pickled (cheap to hand from a worker process)."""
    message, from_copy = "", False
    try:
        raw = _fetch(source, root, timeout)
        generated, count, records = _read(raw, source, root, schema, tz, key, stamp)
        if generated > now + FUTURE:
            raise _Refused(f"generated_at({generated:%Y-%m-%d %H:%M})在未来。")
        _keep(root, source, raw)
    except _Refused as refused:
        message = f"获取或校验失败:{refused}"
        copy = root / COPIES / copy_name(source)
        try:
            generated, count, records = _read(copy.read_bytes(), source, root, schema, tz, key, stamp)
            from_copy = True
            message += f"已改用上次成功获取的副本(生成于 {generated:%Y-%m-%d %H:%M})。"
        except (OSError, _Refused):
            message += "没有可用的旧副本,此区县不计入。"
            return Outcome(source, "failed", 0, None, message), _NONE
    if from_copy:
        return Outcome(source, "failed", count, generated, message, True), records
    if now - generated > source.freshness:
        hours = (now - generated).total_seconds() / 3600
        return Outcome(source, "stale", count, generated,
                       f"导出生成于 {generated:%Y-%m-%d %H:%M},已 {hours:.0f} 小时未更新"
                       f"(应在 {source.freshness.total_seconds() / 3600:g} 小时内)。"), records
    return Outcome(source, "ok", count, generated, ""), records


_NONE = pickle.dumps([])


def _load(records: bytes) -> list[Incident]:
    """Records pickled by ``_read`` (made here or verified by their signature; only the model's types load)."""
    loaded = cache._Unpickler(io.BytesIO(records)).load()
    return loaded if isinstance(loaded, list) else []


_schema: list[SchemaChecker] = []
"""The export schema's checker, built once per worker process."""


def _worker(job: tuple[Source, Path, Any, datetime, float, bytes | None, str]) -> tuple[Outcome, bytes]:
    if not _schema:
        _schema.append(SchemaChecker(read_schema("export.schema.json")))
    source, root, tz, now, timeout, key, stamp = job
    return _one(source, root, _schema[0], tz, now, timeout, key, stamp)


def aggregate(root: Path, config: RegisterConfig, sources: tuple[Source, ...], now: datetime, *,
              timeout: float = TIMEOUT, workers: int = 4) -> CityView:
    """Fetch, validate and merge every source (several at once; each within ``timeout``)."""
    tz = zone(config.timezone)
    key = None if os.environ.get("YUQING_NO_CACHE") else cache._key()
    stamp = _stamp(root, config) if key is not None else ""
    jobs = [(s, root, tz, now, timeout, key, stamp) for s in sources]
    if len(sources) < 4:
        return _merged(map(_worker, jobs), now)
    # Reading an export is CPU work (validating, building records): processes, not threads.
    with worker_pool(max(1, min(workers, len(sources)))) as pool:
        return _merged(pool.map(_worker, jobs), now)


def _merged(results: Iterable[tuple[Outcome, bytes]], now: datetime) -> CityView:
    """The sources' outcomes and records, each county's loaded as it arrives (its bytes then dropped).

    Records discovered after ``now`` are left out, as the local "as of" view leaves them out (a county
    could otherwise hide an overdue case by moving its discovery into the future), and named in
    their source's outcome (kept reads do not depend on ``now``: this is why it is done here)."""
    outcomes: list[Outcome] = []
    loaded: list[Incident] = []
    enabled = gc.isenabled()
    gc.disable()  # a hundred thousand records, none of them garbage: collecting as they load took most of it
    try:
        for outcome, records in results:
            these = _load(records)
            later = [i.id for i in these if i.discovered_at > now]
            if later:
                these = [i for i in these if i.discovered_at <= now]
                named = "、".join(later[:5]) + ("等" if len(later) > 5 else "")
                note = f"{len(later)} 条记录的发现时间晚于汇总时间,未计入({named})。"
                outcome = replace(outcome, records=len(these),
                                  message=f"{outcome.message} {note}" if outcome.message else note)
            outcomes.append(outcome)
            loaded += these
    finally:
        # They live as long as the command: never scanned again (each full collection walked them all).
        gc.freeze()
        if enabled:
            gc.enable()
    return CityView(tuple(outcomes), tuple(loaded))


__all__ = ["CityView", "Outcome", "Source", "aggregate", "copy_name", "read_sources"]
