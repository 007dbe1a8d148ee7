"""The editor's slips (issue: every word kept): each named in Chinese, at its line, with the fix.

Every slip here is a real way a clerk's text was lost or a useless message shown:
a hashtag or ticket number cut at `` #``, a full-width colon typed by a Chinese
IME, an unquoted ``: `` in a note, curly quotes around a time, a 更正 appended after
``review:``. And no parser message, of PyYAML's or libyaml's, reaches the user in English.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

from yuqing.cli import main
from yuqing.loader import _explain, load_bytes
from yuqing.slips import UNKNOWN

from .conftest import RegisterDir, base_incident

NOW = "2026-11-23T09:00:00+08:00"


def check(register_dir: RegisterDir, text: str, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, int, int, str]]:
    register_dir.write(text, "2025/YQ-2025-0001.yml")
    code = main(["check", "--now", NOW, "--root", str(register_dir.root), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == (1 if report["errors"] else 0)
    return [(e["code"], e["line"], e["column"], e["message"]) for e in report["errors"]]


def incident_text(**overrides: object) -> str:
    return yaml.safe_dump(base_incident(**overrides), allow_unicode=True, sort_keys=False)


def replace_line(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_hashtag_in_a_title_is_named_with_the_quoted_fix(register_dir: RegisterDir,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = replace_line(incident_text(), "title: 某超市销售过期酸奶被网民曝光",
                        "title: 微博话题 #南山超市过期酸奶# 冲上同城热搜")
    assert check(register_dir, text, capsys) == [(
        "comment-in-text", line_of(text, "title:"), 13,
        "title 的文字在“ #”处被截断:YAML 把“#南山超市过期酸奶# 冲上同城热搜”当作注释丢掉了,只保存了“微博话题”。"
        "文字中有“ #”(话题、工单号)时,请给整段文字加引号:title: \"微博话题 #南山超市过期酸奶# 冲上同城热搜\"",
    )]
    # Quoted as told, the whole title is kept and the file passes.
    fixed = text.replace("title: 微博话题 #南山超市过期酸奶# 冲上同城热搜",
                         'title: "微博话题 #南山超市过期酸奶# 冲上同城热搜"')
    assert check(register_dir, fixed, capsys) == []
    assert load_bytes(fixed.encode(), "f.yml").data["title"] == "微博话题 #南山超市过期酸奶# 冲上同城热搜"


def test_a_ticket_number_in_a_note_is_named(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    text = incident_text(timeline=[{"at": "2025-03-03T09:30:00+08:00", "type": "转办", "note": "NOTE"}])
    text = replace_line(text, "note: NOTE", "note: 12345工单 #20261130-001 已转")
    assert check(register_dir, text, capsys) == [(
        "comment-in-text", line_of(text, "note:"), 17,
        "timeline[0].note 的文字在“ #”处被截断:YAML 把“#20261130-001 已转”当作注释丢掉了,只保存了“12345工单”。"
        "文字中有“ #”(话题、工单号)时,请给整段文字加引号:note: \"12345工单 #20261130-001 已转\"",
    )]


@pytest.mark.parametrize("line", [
    "level: 一般  # 3 月 3 日定级",                       # a comment after a word from a fixed list
    "discovered_at: '2025-03-03T09:00:00+08:00'  # 据值班记录",  # after a quoted time
    "title: '微博话题 #南山超市过期酸奶# 冲上同城热搜'",         # quoted: the # is text
    "title: 话题#南山超市过期酸奶#冲上热搜",                  # no space before #: not a comment
    "# yaml-language-server: $schema=../../schemas/incident.schema.json",  # the modeline
    "  # platform: 微博",                                   # commented-out line, as `yuqing new` writes
])
def test_real_comments_and_quoted_hashes_are_not_flagged(line: str, register_dir: RegisterDir,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = incident_text()
    key = line.strip().split(":")[0].lstrip("# ")
    if line.startswith(("level", "discovered_at", "title")):
        text = re.sub(rf"^{key}: .*$", line, text, count=1, flags=re.M)
    else:
        text = line + "\n" + text
    assert line in text
    assert check(register_dir, text, capsys) == []


def test_a_full_width_colon_is_named_on_its_own_line(register_dir: RegisterDir,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    text = incident_text(timeline=[{"at": "2025-03-03T09:30:00+08:00", "type": "转办", "by": "综合应急和新闻宣传科"}])
    text = replace_line(text, "  type: 转办", "  type：转办")
    assert check(register_dir, text, capsys) == [(
        "fullwidth-colon", line_of(text, "type："), 7,
        "“type：”用了中文全角冒号“：”:YAML 只认英文半角冒号加空格,请改为“type: ”(输入法切换到英文标点,或按 Shift 输入半角)。",
    )]


def test_a_colon_inside_plain_text_says_to_quote_it(register_dir: RegisterDir,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    text = incident_text(timeline=[{"at": "2025-03-03T09:30:00+08:00", "type": "研判", "note": "NOTE"}])
    text = replace_line(text, "note: NOTE", "note: 网民原帖: 电梯停运三天无人管")
    assert check(register_dir, text, capsys) == [(
        "colon-in-text", line_of(text, "note:"), 13,
        "note 的文字中含有“: ”(冒号加空格),YAML 把它当成了新的“键: 值”。"
        "文字中含有“: ”,请给整段文字加引号:note: \"网民原帖: 电梯停运三天无人管\"",
    )]


def test_curly_quotes_around_a_time_are_named(register_dir: RegisterDir, capsys: pytest.CaptureFixture[str]) -> None:
    text = incident_text(timeline=[{"at": "AT", "type": "研判"}])
    text = replace_line(text, "at: AT", "at: “2025-03-03 10:20”")
    assert check(register_dir, text, capsys) == [(
        "bad-time", line_of(text, "at: “"), 7,
        "timeline[0].at(时间) 的时间两边用了中文引号:“2025-03-03 10:20”。YAML 只认英文引号,"
        "请改为 \"2025-03-03 10:20\"(输入法切换到英文标点后输入引号)。",
    )]


def test_a_correction_appended_after_the_review_is_explained(register_dir: RegisterDir,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    record = base_incident(level="重大", status="已归档", timeline=[
        {"at": "2025-03-03T09:30:00+08:00", "type": "定级", "level": "重大"},
        {"at": "2025-03-05T09:30:00+08:00", "type": "归档"}])
    record["review"] = {"cause": "a", "nature": "b", "impact": "c", "responsibility": "d", "lessons": "e",
                        "completed_at": "2025-03-05T09:00:00+08:00"}
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
    assert check(register_dir, text, capsys) == []
    for indent in ("", "  ", "    "):  # appended at the margin, at the review's keys, or deeper
        appended = text + (f"{indent}- at: '2025-03-06T09:00:00+08:00'\n"
                           f"{indent}  type: 更正\n{indent}  note: 更正第 2 条的时间\n")
        ((code, line, column, message),) = check(register_dir, appended, capsys)
        assert (code, line, column) == ("event-outside-timeline", line_of(appended, "- at: '2025-03-06"),
                                        len(indent) + 1)
        assert message == ("这一行“- at:”是一条处置事件,却写在了 review: 的下面。处置事件只能写在 timeline: 之下:"
                           "请把这几行移到 timeline 的最后一条事件之后、review: 之前,“- ”与上面的事件对齐(通常缩进 2 格)。")


def test_a_misindented_event_inside_the_timeline_is_explained() -> None:
    raw = ("timeline:\n  - at: '2025-03-03 09:00'\n    type: 研判\n"
           "   - at: '2025-03-03 10:00'\n     type: 上报\n").encode()
    (issue,) = load_bytes(raw, "f.yml").issues
    assert (issue.code, issue.line, issue.column) == ("yaml-syntax", 4, 4)
    assert issue.message == ("YAML 语法错误:这条处置事件的缩进与上面的事件不一致。“- ”应与上一条事件的“- ”对齐"
                             "(通常缩进 2 格),下面的 type、by、note 等再比“- ”多缩进 2 格,与 at 对齐。")


# --- no parser message in English ---------------------------------------------------------

_YAML_DIR = Path(yaml.__file__).parent
_ERRORS = {"ScannerError", "ParserError", "ComposerError", "ConstructorError", "ReaderError", "MarkedYAMLError"}


_NAMES = re.compile(r"YAML|UTF|Tab|Word|Shift|type|note|by|at")  # names, not English prose


def english(message: str) -> list[str]:
    """English words in a message, beyond the names of things the user sees."""
    return re.findall(r"[A-Za-z]{3,}", _NAMES.sub("", message))


def _python_problems() -> set[str]:
    """Every problem text PyYAML's reader, scanner, parser and composer can raise (from their source)."""
    found: set[str] = set()
    for name in ("reader.py", "scanner.py", "parser.py", "composer.py"):
        tree = ast.parse((_YAML_DIR / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in _ERRORS:
                # ReaderError(name, position, character, encoding, reason); the others
                # (context, context_mark, problem, problem_mark): either text may be shown.
                args = node.args[4:5] if node.func.id == "ReaderError" else node.args[0:1] + node.args[2:3]
                for arg in args:
                    template = arg.left if isinstance(arg, ast.BinOp) else arg
                    if isinstance(template, ast.Constant) and isinstance(template.value, str):
                        found.add(template.value.replace("%r", "'x'").replace("%d", "4").replace("%s", "scalar"))
    return found


_LIBYAML_TEXT = re.compile(rb"(?:found|did not find|could not find|mapping|block sequence|control characters|"
                           rb"expected|invalid|incomplete|unexpected|while) [ -~]{6,}")
_NOT_LIBYAML = re.compile(r"%[^%]|\(\)|Argument|argument|vtable|instance|index-sized|C function|Python|"
                          r"pickl|hash|keyword|unpack|object|module|type |attribute|encoding|buffer|str\b|->|&&")


def _libyaml_problems() -> set[str]:
    """The problem texts compiled into libyaml (the C parser yuqing uses), read from the binary."""
    found: set[str] = set()
    for library in _YAML_DIR.glob("_yaml*.so"):
        for match in _LIBYAML_TEXT.finditer(library.read_bytes()):
            text = match.group().decode()
            if not _NOT_LIBYAML.search(text):
                found.add(text)
    return found


def test_every_parser_problem_has_a_chinese_explanation() -> None:
    python = _python_problems()
    assert len(python) >= 45 and "mapping values are not allowed here" in python
    libyaml = _libyaml_problems()
    if any(_YAML_DIR.glob("_yaml*.so")):
        assert "mapping values are not allowed in this context" in libyaml
        assert "did not find expected key" in libyaml
    untranslated = sorted(p for p in python | libyaml if _explain(p) == UNKNOWN)
    assert untranslated == []
    for problem in python | libyaml:
        chinese = _explain(problem)
        assert re.search(r"[\u4e00-\u9fff]", chinese) and not english(chinese), chinese


@pytest.mark.parametrize("raw", [
    b"a: [1, 2\n", b"a: {b: 1\n", b"a: 'x\n", b"- a\nb: 1\n", b"a: !<tag\n", b"a: &\n", b"a: \"\\q\"\n",
    b"%YAML 2.0\n---\na: 1\n", b"a: |0\n  x\n", b"a: 1\n b: 2\n", b"a:\n\t- b\n", b"? [a]\n: [b\n",
])
def test_a_syntax_error_message_is_all_chinese(raw: bytes) -> None:
    issues = load_bytes(raw, "f.yml").issues
    assert issues
    for issue in issues:
        assert not english(issue.message), issue.message


@pytest.mark.parametrize(("text", "line", "column", "cut"), [
    ("summary: 网民称 #南山超市# 酸奶过期\n  已转办\n", 1, 14, "#南山超市# 酸奶过期"),
    ("tags: [食品安全, #酸奶#]\n", 1, 14, "#酸奶#]"),
])
def test_a_cut_that_breaks_the_parse_is_named_as_the_cut(text: str, line: int, column: int, cut: str) -> None:
    """When what YAML dropped leaves the rest unparsable, the message names the ` #`, not the indentation."""
    (issue,) = load_bytes(("title: 标题\n" + text).encode(), "f.yml").issues
    assert (issue.code, issue.line, issue.column) == ("comment-in-text", line + 1, column)
    assert issue.message == (f"这一行“ #”之后的文字“{cut}”被 YAML 当作注释丢掉了,下文因此无法解析。"
                             "文字中有“ #”(话题、工单号)时,请给整段文字加引号。")


def test_a_control_character_in_a_key_is_reported_once() -> None:
    loaded = load_bytes('"title\\u0007": 标题\n"lev\\u202eel": 一般\n'.encode(), "f.yml")
    assert [(i.code, i.path, i.line) for i in loaded.issues] == [("control-char", "title\x07", 1),
                                                                 ("bidi-char", "lev\u202eel", 2)]


def test_a_schema_rule_without_its_own_message_is_still_chinese() -> None:
    """A register's own schema may use keywords ours does not; jsonschema's English never shows."""
    from yuqing.validate import SchemaChecker

    checker = SchemaChecker({"type": "object", "properties": {"a": {"const": "x"}, "b": {"maxItems": 1}}})
    messages = [i.message for i in checker.issues(load_bytes(b"a: y\nb: [1, 2]\n", "f.yml"))]
    assert messages == ["a 不符合 schema 中“const”的要求(只能是规定的值)。", "b 不符合 schema 中“maxItems”的要求(项数过多)。"]


@pytest.mark.parametrize(("text", "line", "column", "key", "value"), [
    ("title: 标题\ntype:转办\nby: 综合科\n", 2, 5, "type", "转办"),
    ("timeline:\n  - at: '2025-03-03 09:00'\n    type:转办\n    by: 综合科\n", 3, 9, "type", "转办"),
    ("source:\n  url:https://weibo.com/1\n  platform: 微博\n", 2, 6, "url", "https://weibo.com/1"),
])
def test_a_missing_space_after_a_colon_is_named(text: str, line: int, column: int, key: str, value: str) -> None:
    (issue,) = load_bytes(text.encode(), "f.yml").issues
    assert (issue.code, issue.line, issue.column) == ("yaml-syntax", line, column)
    assert issue.message == (f"YAML 语法错误:“{key}:”后面缺少空格,YAML 把“{key}:{value}”当成了一个词。"
                             f"冒号后要加一个空格:{key}: {value}")


def test_a_cut_note_does_not_hide_the_other_problems_of_the_file(register_dir: RegisterDir,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    text = incident_text(status="已平息", timeline=[{"at": "2025-03-03T09:30:00+08:00", "type": "转办", "note": "NOTE"}])
    text = replace_line(text, "note: NOTE", "note: 12345工单 #20261130-001 已转")
    assert [code for code, *_ in check(register_dir, text, capsys)] == ["status-event", "comment-in-text"]


# --- indentation and invisible spaces (issue 11 review) ------------------------------------

def two_events() -> str:
    """A record with two events, the first with `type`, `by` and `note`: the slips go on its `by:` line."""
    head = {key: value for key, value in base_incident().items() if key != "timeline"}
    return yaml.safe_dump(head, allow_unicode=True, sort_keys=False) + (
        "timeline:\n"  # indented as `yuqing new` and `event add` write it
        "  - at: '2025-03-03T09:30:00+08:00'\n    type: 研判\n    by: 西城区局\n    note: 已核实\n"
        "  - at: '2025-03-03T10:00:00+08:00'\n    type: 转办\n    by: 东城区局\n")


_FULL_WIDTH = "全角空格(U+3000,中文输入法全角状态下输入的空格)"
_NBSP = "不换行空格(U+00A0,常从 Word 或网页复制带入)"


@pytest.mark.parametrize(("by_line", "count", "name"), [
    ("\u3000\u3000by: 西城区局", 2, _FULL_WIDTH),   # the IME's full-width spaces as the whole indent
    ("  \u3000by: 西城区局", 1, _FULL_WIDTH),       # mixed with ordinary spaces
    ("\u00a0\u00a0\u00a0\u00a0by: 西城区局", 4, _NBSP),  # pasted from Word
])
def test_invisible_spaces_in_an_indent_are_named_at_their_line(by_line: str, count: int, name: str,
                                                               register_dir: RegisterDir,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    text = replace_line(two_events(), "    by: 西城区局", by_line)
    assert check(register_dir, text, capsys) == [(
        "invisible-space", line_of(text, "by: 西城区局"), by_line.index(by_line.lstrip(" ")[0]) + 1,
        f"这一行的缩进里有 {count} 个{name},看起来像空格,YAML 却不把它当作空格,这一行因此无法解析。"
        "请删除这一行开头的空白,改用普通的半角空格缩进(输入法切换到英文或半角状态后按空格键),与同一层的上一行对齐。",
    )]
    # Ordinary spaces, as told, and the file passes.
    assert check(register_dir, replace_line(text, by_line, "    by: 西城区局"), capsys) == []


@pytest.mark.parametrize(("space", "name"), [("\u00a0", _NBSP), ("\u3000", _FULL_WIDTH)])
def test_an_invisible_space_after_a_colon_is_named_at_its_column(space: str, name: str, register_dir: RegisterDir,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    text = replace_line(two_events(), "    by: 西城区局", f"    by:{space}西城区局")
    assert check(register_dir, text, capsys) == [(
        "invisible-space", line_of(text, "by:" + space), 8,
        f"“by:”后面的第 8 列是一个{name},不是普通空格,YAML 因此认不出“by”这个键。"
        "请把它换成一个普通的半角空格:by: 西城区局",
    )]


@pytest.mark.parametrize("spaces", [5, 6, 3])  # one too many (the review's case), two, one too few
def test_a_misaligned_key_inside_an_event_names_both_indents(spaces: int, register_dir: RegisterDir,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = replace_line(two_events(), "    by: 西城区局", " " * spaces + "by: 西城区局")
    assert check(register_dir, text, capsys) == [(
        "yaml-syntax", line_of(text, "by: 西城区局"), spaces + 1,
        f"YAML 语法错误:这一行的缩进与上面的行不一致({spaces} 个空格,上面是 4 个)。"
        "同一层的键必须左对齐:请把“by:”前面改为 4 个空格。",
    )]


@pytest.mark.parametrize("event", [0, 1])  # the first event (the error shows a line later) or a later one
def test_a_dash_without_a_space_says_to_add_one(event: int, register_dir: RegisterDir,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    at = ["  - at: '2025-03-03T09:30:00+08:00'", "  - at: '2025-03-03T10:00:00+08:00'"][event]
    text = replace_line(two_events(), at, at.replace("- at", "-at"))
    assert check(register_dir, text, capsys) == [(
        "yaml-syntax", line_of(text, "-at:"), 3,
        "YAML 语法错误:“-”后面缺少空格,YAML 把“-at”当成了一个键,而不是一条新的列表项。"
        f"请在“-”后加一个空格:- at:{at.split('at:', 1)[1]}",
    )]
