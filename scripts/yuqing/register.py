"""The whole register: find every file, load and check it, build the model.

Parsing and per-file checks are independent per file, so large registers are
spread over the machine's cores; the register-wide rules (unique ids) run once
on the results.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .config import CONFIG_FILE, load_config
from .loader import load_file
from .model import Incident, Issue, RegisterConfig
from .records import build_incident
from .rules import Context, check_across, check_incident
from .times import zone
from .validate import SchemaChecker, read_schema

INCIDENT_DIR = "incidents"
PARALLEL_THRESHOLD = 400
"""Below this many files a process pool costs more than it saves."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Register:
    """A loaded register: its settings, its incidents and every problem found."""

    root: Path
    config: RegisterConfig | None
    incidents: tuple[Incident, ...]
    issues: tuple[Issue, ...]
    files: int
    now: datetime | None = None
    invalid_files: frozenset[str] = field(default_factory=frozenset)

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def ok(self) -> bool:
        return not self.errors

    def counted(self) -> tuple[Incident, ...]:
        """Incidents that count in deadlines and statistics (not withdrawn)."""
        return tuple(i for i in self.incidents if i.counts)

    def by_id(self) -> dict[str, Incident]:
        return {i.id: i for i in self.incidents}

    def without_invalid(self) -> "Register":
        """The same register with only the incidents whose files have no errors."""
        if not self.invalid_files:
            return self
        return replace(self, incidents=tuple(i for i in self.incidents if i.file not in self.invalid_files))


def incident_files(root: Path) -> list[Path]:
    """Every incident file under incidents/, sorted (``.yaml`` too, to flag it)."""
    base = root / INCIDENT_DIR
    if not base.is_dir():
        return []
    found = [p for p in base.rglob("*") if p.suffix in (".yml", ".yaml") and not p.name.startswith(".")]
    return sorted(found)


def relative(path: Path, root: Path) -> str:
    try:
        return _resolve(path).relative_to(_resolve(root)).as_posix()
    except ValueError:
        return path.as_posix()


def _resolve(path: Path) -> Path:
    """``path.resolve()``, resolving each folder once: the files of a register
    share a handful of folders, and a full resolve costs a system call per
    component (a large share of `yuqing check` on 10,000 files)."""
    if path.name in ("", ".", "..") or path.is_symlink():
        return path.resolve()
    return _resolve_folder(os.path.abspath(path.parent)) / path.name


@lru_cache(maxsize=1024)
def _resolve_folder(folder: str) -> Path:
    return Path(folder).resolve()


# Worker state: built once per process (the schema validator is the costly part).
_worker: dict[str, object] = {}


def _init_worker(root: str, config: RegisterConfig, now: datetime) -> None:
    _worker["root"] = Path(root)
    _worker["schema"] = SchemaChecker(read_schema("incident.schema.json", Path(root)))
    _worker["ctx"] = Context(config, now)


def _check_one(path: str) -> tuple[Incident | None, list[Issue]]:
    root = _worker["root"]
    schema = _worker["schema"]
    ctx = _worker["ctx"]
    assert isinstance(root, Path) and isinstance(schema, SchemaChecker) and isinstance(ctx, Context)
    return check_file(Path(path), root, schema, ctx)


def check_file(path: Path, root: Path, schema: SchemaChecker, ctx: Context) -> tuple[Incident | None, list[Issue]]:
    """Load one incident file and run every per-file check on it."""
    rel = relative(path, root)
    issues: list[Issue] = []
    if path.suffix == ".yaml":
        issues.append(Issue(rel, 1, 1, "", "file-extension",
                            f"事件文件的扩展名应为 .yml,请改名为 {path.stem}.yml。"))
    loaded = load_file(path, rel)
    issues.extend(loaded.issues)
    if loaded.data is None:
        return None, issues
    # A value the loader already rejected (an alias) is not reported again.
    rejected = tuple(i.path for i in loaded.issues if i.path)
    schema_issues = [i for i in schema.issues(loaded)
                     if not any(i.path == p or i.path.startswith((p + ".", p + "[")) for p in rejected)]
    issues.extend(schema_issues)
    broken = {i.path for i in schema_issues} | {i.path for i in loaded.issues if i.path}
    incident, time_issues = build_incident(loaded, zone(ctx.config.timezone), broken)
    issues.extend(time_issues)
    if incident is None:
        return None, issues
    issues.extend(check_incident(incident, ctx, broken))
    return incident, issues


def load_register(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    others: Iterable[str] = (),
    config: RegisterConfig | None = None,
) -> Register:
    """Load and check the register at ``root`` (or only ``paths`` in it).

    ``now`` is the moment against which "in the future" is judged (defaults to
    the wall clock: the CLI passes it in). ``others`` are the register's other files
    (relative paths) when only ``paths`` are checked: their ids, taken from their
    names, still take part in the register-wide rule of unique ids. A caller
    that has already read register.yml passes its ``config`` (read once).
    """
    issues: list[Issue] = []
    if config is None:
        config, issues = load_config(root)
    if config is None:
        if not (root / CONFIG_FILE).is_file():
            issues = [Issue(CONFIG_FILE, 1, 1, "", "no-register",
                            f"{root} 下没有 register.yml:这不是一个舆情台账目录(可用 --root 指定)。")]
        return Register(root, None, (), tuple(issues), 0, now)
    now = now or datetime.now(zone(config.timezone))
    files = list(paths) if paths is not None else incident_files(root)
    results = _check_all(files, root, config, now, progress, jobs)

    incidents: list[Incident] = []
    invalid: set[str] = set()
    for path, (incident, file_issues) in zip(files, results):
        if incident is not None:
            incidents.append(incident)
        if any(i.severity == "error" for i in file_issues):
            invalid.add(relative(path, root))
        issues.extend(file_issues)
    others = list(others)
    chosen = {relative(p, root) for p in files} if others else set()
    across = check_across(incidents, (f for f in others if f not in chosen))
    issues.extend(across)
    invalid.update(i.file for i in across)
    issues.sort(key=lambda i: (i.file, i.line, i.column, i.code))
    return Register(root, config, tuple(incidents), tuple(issues), len(files), now, frozenset(invalid))


def _check_all(
    files: list[Path], root: Path, config: RegisterConfig, now: datetime,
    progress: Progress | None, jobs: int | None,
) -> list[tuple[Incident | None, list[Issue]]]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(files) >= PARALLEL_THRESHOLD:
        chunk = max(16, len(files) // (workers * 8))
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(str(root), config, now)) as pool:
            results = []
            for index, result in enumerate(pool.map(_check_one, [str(f) for f in files], chunksize=chunk), 1):
                results.append(result)
                if progress and (index % 100 == 0 or index == len(files)):
                    progress(index, len(files))
            return results
    schema = SchemaChecker(read_schema("incident.schema.json", root))
    ctx = Context(config, now)
    results = []
    for index, path in enumerate(files, 1):
        results.append(check_file(path, root, schema, ctx))
        if progress and (index % 100 == 0 or index == len(files)):
            progress(index, len(files))
    return results
