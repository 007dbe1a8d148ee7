"""click's own words in Chinese: help options, usage errors, prompts.

click marks its messages for gettext (``_("...")``) but ships no catalogue;
staff must never meet "Show this message and exit." or "Error: invalid input"
half-way through a Chinese screen. Rather than compile a ``.mo`` file we give
each click module a lookup in this table; an unknown message passes unchanged.
"""

from __future__ import annotations

import importlib

CHINESE: dict[str, str] = {
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Aborted!": "已取消。",
    "Error: {message}": "错误:{message}",
    "Error: invalid input": "错误:输入无效,请重新输入。",
    "Error: The two entered values do not match.": "错误:两次输入不一致。",
    "Repeat for confirmation": "请再输入一次确认",
    "Do you want to continue?": "是否继续?",
    "Press any key to continue...": "按任意键继续……",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看用法。",
    "Invalid value: {message}": "取值无效:{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效:{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数:{param_name}",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个取值。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}:{message}",
    "unknown error": "未知错误",
    "Choose from:\n\t{choices}": "可选:\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是一个目录。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是一个文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "default: {default}": "默认:{default}",
    "env var: {var}": "环境变量:{var}",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "integer": "整数",
    "float": "数字",
}

_MODULES = ("core", "decorators", "exceptions", "formatting", "types", "termui", "parser")


def _lookup(message: str) -> str:
    return CHINESE.get(message, message)


def install() -> None:
    """Give every click module that translates its messages our table (idempotent)."""
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _lookup  # type: ignore[attr-defined]
