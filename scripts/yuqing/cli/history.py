"""`yuqing history ID`: who registered an incident, and who changed what since."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import EXIT_OK, fail, format_option, resolve_root, root_option


@click.command("history")
@click.argument("incident_id", metavar="编号")
@format_option("text", "json")
@click.option("--main", "main_ref", metavar="REF", default=None,
              help="登记时间所依据的主分支:登记时间取记录进入该分支的时间(默认 origin/main,没有则 main)。")
@root_option
def history_command(incident_id: str, fmt: str, root: Path | None, main_ref: str | None = None) -> None:
    """查看一个事件的登记与修改历史(来自 git):谁、何时、改了什么。

    列出每一次提交的时间、作者、提交说明和改动(如“等级 敏感 → 重大”“新增事件 上报”),
    以及从发现到登记相隔多久(超过 register.yml 的 late_registration_hours 为迟报)。

    \b
    示例:
      yuqing history YQ-2025-0007
      yuqing history YQ-2025-0007 --format json
      yuqing history YQ-2025-0007 --main origin/release   # 目标分支不是 main 时
    """
    from ..config import load_config
    from ..history import explain, load, open_repo
    from ..loader import load_file
    from ..render.history import RENDERERS
    from ..times import parse_time, zone

    found = resolve_root(root)
    config, _ = load_config(found)
    tz = zone(config.timezone if config else "Asia/Shanghai")
    late_hours = config.late_registration_hours if config else 24.0
    register = load(found, levels=False, main=main_ref)
    if not register.available:
        fail(register.note)
    history = register.of(incident_id)
    if history is None:
        on_disk = [p for p in (found / "incidents").glob(f"*/{incident_id}.y*ml")]
        if on_disk:
            fail(f"{incident_id} 还没有提交到 git(新登记的文件请先提交),暂无历史。")
        fail(f"git 历史中没有事件 {incident_id}。请核对编号(形如 YQ-2025-0007)。")
    repo = open_repo(found)
    assert repo is not None
    changes = explain(repo, history)
    delay = None
    if history.registered_at is not None and not history.deleted:
        data = load_file(found / history.path, history.path).data
        discovered = parse_time(data.get("discovered_at"), tz) if isinstance(data, dict) else None
        if discovered is not None:
            delay = history.registered_at - discovered
    click.echo(RENDERERS[fmt](history, changes, register, tz, delay, late_hours))
    raise SystemExit(EXIT_OK)


COMMANDS = [history_command]
