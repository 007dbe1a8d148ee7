"""`yuqing aggregate`: a city's statistics and deadlines over its county registers' exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, fail, now_option, parse_now, resolve_root, root_option

if TYPE_CHECKING:
    from ..aggregate import Outcome

STATE_TEXT = {"ok": "正常", "stale": "过期", "failed": "失败"}


@click.command("aggregate")
@click.option("--show", type=click.Choice(("stats", "deadlines", "sources")), default="stats",
              help="显示汇总统计(默认)、各区县事件的时限,或只显示各来源的状态。")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", help="输出格式。")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=20.0, show_default=True,
              help="每个来源最多等待的秒数(含连接和读取)。")
@root_option
@now_option
def aggregate_command(show: str, fmt: str, timeout: float, root: Path | None, now_text: str | None) -> None:
    """市级汇总:把 sources.yml 列出的各区县台账公开导出合成一个台账来统计。

    逐个获取各区县 CI 发布的 export.json(yuqing export json 生成,格式见
    schemas/export.schema.json),校验后合并:编号前加行政区划代码(如
    330102:YQ-2026-0001),责任单位一栏为区县名称。获取或校验失败的来源改用上次成功
    获取的副本(保存在 .yuqing-cache/sources/),超过 freshness_hours 未更新的标为过期,
    都会列出。涉密事件不在任何导出中。退出码:0 全部正常,1 有来源失败或过期,2 用法错误。

    市级站点:在 mkdocs.yml 的插件中写 `- yuqing: {city: true}`,`mkdocs build` 就从同一份
    sources.yml 生成站点(统计页列出各来源及过期、失败的区县),见 docs/guide/city.md。

    \b
    sources.yml 示例:
      sources:
        - name: 上城区
          code: "330102"
          url: https://yuqing.shangcheng.example.gov.cn/export.json
          freshness_hours: 24
        - name: 西湖区
          code: "330106"
          path: ../xihu/site/export.json

    \b
    示例:
      yuqing aggregate
      yuqing aggregate --show deadlines
      yuqing aggregate --show sources --format json
    """
    from .. import stats as core
    from ..aggregate import aggregate, read_sources
    from ..config import load_config
    from ..render.check import as_text

    found = resolve_root(root)
    config, issues = load_config(found)
    if config is None:
        click.echo(as_text(1, issues), err=True)
        fail("register.yml 有错误,请先修正。")
    sources, problems = read_sources(found)
    if problems:
        click.echo(as_text(1, problems), err=True)
        fail(f"{found / 'sources.yml'} 有错误,请先修正。")
    now = parse_now(now_text, config)
    view = aggregate(found, config, sources, now, timeout=timeout)
    sources_json = [{"name": o.source.name, "code": o.source.code, "state": o.state, "records": o.records,
                     "generated_at": o.generated_at.isoformat() if o.generated_at else None,
                     "from_copy": o.from_copy, "message": o.message} for o in view.outcomes]
    if show == "sources":
        body = json.dumps({"sources": sources_json}, ensure_ascii=False, indent=2) if fmt == "json" else ""
    elif show == "deadlines":
        from ..deadlines import compute
        from ..render.deadlines import RENDERERS as DEADLINES

        report = compute(view.incidents, config, now)
        body = DEADLINES[fmt](report)
        if fmt == "json":
            body = json.dumps({"sources": sources_json, **json.loads(body)}, ensure_ascii=False, indent=2)
    else:
        from ..render.stats import RENDERERS as STATS

        deadlines, warnings = core.judge_all([i for i in view.incidents if i.counts], config, now)
        result = core.compute(view.incidents, deadlines, config=config, warnings=warnings)
        body = STATS[fmt](result, None)
        if fmt == "json":
            body = json.dumps({"sources": sources_json, **json.loads(body)}, ensure_ascii=False, indent=2)
    if fmt == "text":
        click.echo(_sources_text(view.outcomes))
    if body:
        click.echo(body, nl=not body.endswith("\n"))
    raise SystemExit(EXIT_OK if view.ok else EXIT_PROBLEMS)


def _sources_text(outcomes: Sequence[Outcome]) -> str:
    from ..loader import shown

    lines = ["来源(区县台账):"]
    for outcome in outcomes:
        when = f",生成于 {outcome.generated_at:%Y-%m-%d %H:%M}" if outcome.generated_at else ""
        head = (f"  {STATE_TEXT[outcome.state]}  {shown(outcome.source.name)}({outcome.source.code})"
                f" {outcome.records} 起{when}")
        lines.append(head + (f"\n        {shown(outcome.message)}" if outcome.message else ""))
    states = [o.state for o in outcomes]
    lines.append(f"共 {len(states)} 个来源,{states.count('ok')} 个正常,{states.count('stale')} 个过期,"
                 f"{states.count('failed')} 个失败。")
    return "\n".join(lines) + "\n"


COMMANDS = [aggregate_command]
