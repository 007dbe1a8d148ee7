"""`yuqing site`: generate the archive's pages, or build the whole site with MkDocs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, fail, now_option, parse_now, resolve_root, root_option


@click.group("site")
def site_group() -> None:
    """发布站点:生成事件页和索引页(Markdown),或用 MkDocs 构建整个站点。

    \b
    示例:
      yuqing site render                 # 生成到 docs/generated/、docs/index.md 和 docs/feed.xml
      yuqing site build                  # 生成并构建到 site/
      yuqing site build --offline        # 离线版,构建到 site-offline/,可直接打开
    """


@site_group.command("render")
@root_option
@now_option
@click.option("--docs", "docs_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="写入的文档目录(默认 <台账>/docs)。")
@click.option("--no-history", is_flag=True, help="不读取 git 历史(登记时间、修改记录)。")
def render_command(root: Path | None, now_text: str | None, docs_dir: Path | None, no_history: bool) -> None:
    """把事件页、索引页、统计页等生成为 Markdown(不需要 MkDocs)。

    内容未变的文件不重写;docs/generated/ 中多余的旧文件会删除。
    生成的文件不需要 yuqing 插件:去掉 mkdocs.yml 中的 `- yuqing` 后,
    普通的 mkdocs build 即可构建(页面间的链接已按 use_directory_urls 写好),
    也可以交给其他读取 Markdown 的静态站点生成器。

    \b
    示例:
      yuqing site render --now 2026-11-23T10:00:00+08:00
    """
    from ..config import load_config
    from ..site import guard, write
    from ..site.collect import collect
    from ..site.feed import atom
    from ..site.model import GENERATED
    from ..site.model import incident_path
    from ..site.pages import each_page
    from ..site.templating import page_url

    found = resolve_root(root)
    config, _ = load_config(found)
    if config is None:
        fail("register.yml 有错误,请先运行 `yuqing check`。")
    now = parse_now(now_text, config)
    target = (docs_dir or found / "docs").resolve()
    hand_written = frozenset(p.relative_to(target).as_posix() for p in target.rglob("*.md")
                             if GENERATED not in p.relative_to(target).parts) if target.is_dir() else frozenset()
    try:
        collected = collect(found, now, history=not no_history, docs=hand_written)
    except ValueError as error:
        fail(str(error))
    directory_urls = _directory_urls(found / "mkdocs.yml")
    count = 0

    # What is written here is published by a plain `mkdocs build`, which has no leak guard: each file is
    # searched for the confidential records' ids and titles before it is written, as the plugin does.
    scanner = guard.Scanner(collected.confidential, (i.title for i in collected.site.incidents))

    def checked(name: str, data: str | bytes) -> tuple[str, str | bytes]:
        found = scanner.find(data) if isinstance(data, str) else guard.bytes_hits(scanner, data)
        if found:
            fail(f"涉密事件出现在要生成的 {name} 中:{'、'.join(found)}。已停止,该文件未写出"
                 f"(此前写出的文件都已检查)。请修改引用它的公开记录。")
        return name, data

    def files() -> Iterator[tuple[str, str | bytes]]:
        # One page at a time (a province's pages are never all held), then the feed and the downloads.
        nonlocal count
        for name, text in each_page(collected.site, directory_urls=directory_urls):
            count += 1
            yield checked(name, text)
        count += 1 + len(collected.site.downloads)
        yield checked("feed.xml", atom(collected.site, lambda i: page_url(incident_path(i), directory_urls)))
        for download in collected.site.downloads:
            yield checked(download.path, download.data)

    written, removed = write(files(), target)
    for skipped in collected.skipped:
        click.echo(f"注意:{skipped} 有错误,未生成页面(运行 `yuqing check` 查看)。", err=True)
    click.echo(f"已生成 {count} 个文件到 {target}(写入 {written} 个,删除 {removed} 个旧文件)。")
    raise SystemExit(EXIT_PROBLEMS if collected.skipped else EXIT_OK)


def _directory_urls(mkdocs_yml: Path) -> bool:
    """mkdocs.yml's ``use_directory_urls`` (default true); read as text, its !ENV tags need MkDocs."""
    import re

    if not mkdocs_yml.is_file():
        return True
    found = re.search(r"^use_directory_urls:\s*(\w+)", mkdocs_yml.read_text(encoding="utf-8"), re.MULTILINE)
    return not (found and found.group(1).lower() in ("false", "no", "off"))


@site_group.command("build")
@root_option
@now_option
@click.option("--offline", is_flag=True, help="构建离线版(可从磁盘直接打开,搜索可用)到 site-offline/。")
@click.option("--strict/--no-strict", default=True, show_default=True, help="有任何警告即失败。")
@click.option("-d", "--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="输出目录(默认 site/,离线版 site-offline/)。")
def build_command(root: Path | None, now_text: str | None, offline: bool, strict: bool, site_dir: Path | None) -> None:
    """生成页面并运行 mkdocs build(等同于在台账目录运行 mkdocs build)。

    先构建到暂存目录 .yuqing-build/,成功后才替换输出目录;构建失败(涉密内容、
    严格模式的警告或任何错误)时输出目录保持上一次成功构建的样子。

    \b
    示例:
      yuqing site build
      yuqing site build --offline && (cd site-offline && zip -r ../舆情台账-离线版.zip .)
    """
    from ..config import load_config

    found = resolve_root(root)
    if not (found / "mkdocs.yml").is_file():
        fail(f"{found} 下没有 mkdocs.yml。")
    config, _ = load_config(found)
    if config is None:
        fail("register.yml 有错误,请先运行 `yuqing check`。")
    env = dict(os.environ)
    if now_text:
        env["YUQING_NOW"] = parse_now(now_text, config).isoformat()
    target = site_dir or found / ("site-offline" if offline else "site")
    if offline:
        env["YUQING_OFFLINE"] = "true"
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(found / "mkdocs.yml"), "-d", str(target)]
    if strict:
        command.append("--strict")
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    result = subprocess.run(command, cwd=found, env=env, check=False)
    if result.returncode != 0:
        click.echo("站点构建失败(见上方 MkDocs 的输出)。", err=True)
        raise SystemExit(EXIT_PROBLEMS)
    click.echo(f"站点已构建到 {target}")
    raise SystemExit(EXIT_OK)


COMMANDS = [site_group]
