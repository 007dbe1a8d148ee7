"""The loader: plain data with positions, and every YAML hazard as an Issue."""

from __future__ import annotations

import time

from yuqing.loader import load_bytes


def codes(raw: bytes) -> list[tuple[str, int, int]]:
    return [(i.code, i.line, i.column) for i in load_bytes(raw, "f.yml").issues]


def test_positions_point_at_values_and_keys() -> None:
    loaded = load_bytes(b"id: YQ-2025-0001\ntimeline:\n  - at: '2025-03-03 09:00'\n    type: \xe4\xb8\x8a\xe6\x8a\xa5\n", "f.yml")
    assert loaded.positions["id"] == (1, 5)
    assert loaded.positions["timeline[0].at"] == (3, 9)
    assert loaded.positions["timeline[0].type"] == (4, 11)
    assert loaded.key_positions["timeline[0].type"] == (4, 5)
    assert loaded.where("timeline[0].note") == (3, 5)  # missing: its parent mapping


def test_timestamps_stay_text_and_yes_no_stay_words() -> None:
    data = load_bytes(b"a: 2025-03-03 09:00:00\nb: yes\nc: true\nd: 12\ne: ~\nf: '12'\n", "f.yml").data
    assert data == {"a": "2025-03-03 09:00:00", "b": "yes", "c": True, "d": 12, "e": None, "f": "12"}


def test_byte_order_mark_is_accepted() -> None:
    assert load_bytes(b"\xef\xbb\xbfa: 1\n", "f.yml").data == {"a": 1}


def test_duplicate_keys_keep_the_first_and_point_at_the_second() -> None:
    loaded = load_bytes(b"a: 1\nb: 2\na: 3\n", "f.yml")
    assert loaded.data == {"a": 1, "b": 2}
    assert codes(b"a: 1\nb: 2\na: 3\n") == [("yaml-duplicate-key", 3, 1)]


def test_billion_laughs_is_refused_without_expanding() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    started = time.process_time()
    loaded = load_bytes("\n".join(lines).encode(), "f.yml")
    assert time.process_time() - started < 1.0  # 9**10 items would take hours
    assert {i.code for i in loaded.issues} == {"yaml-anchor", "yaml-alias"}


def test_utf16_and_unknown_encodings_are_named() -> None:
    assert codes("a: 标题".encode("utf-16")) == [("encoding-utf16", 1, 1)]
    assert codes(b"a: 1\nb: \xff\xfe\xfd\xfc\n") == [("encoding-unknown", 2, 4)]


def test_syntax_error_points_at_the_problem_in_chinese() -> None:
    loaded = load_bytes(b"title: a\nsummary: b: c\n", "f.yml")
    (issue,) = loaded.issues
    assert (issue.code, issue.line, issue.column) == ("colon-in-text", 2, 11)
    assert issue.message.endswith('请给整段文字加引号:summary: "b: c"')
    loaded = load_bytes(b"title: a\n- b\n", "f.yml")
    (issue,) = loaded.issues
    assert (issue.code, issue.line, issue.column) == ("yaml-syntax", 2, 1)
    assert issue.message == "YAML 语法错误:缩进不一致,找不到应有的键。请检查这一行的缩进、冒号后的空格和引号是否成对。"


def test_deep_nesting_is_an_issue_not_a_crash() -> None:
    loaded = load_bytes(b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "f.yml")
    assert loaded.data is None or loaded.issues


class _TextTimestamps(__import__("yaml").CSafeLoader):
    """PyYAML's own constructor, with timestamps kept as text (as ours does)."""


_TextTimestamps.add_constructor("tag:yaml.org,2002:timestamp", _TextTimestamps.construct_yaml_str)


def test_every_example_reads_the_same_as_pyyaml_reads_it() -> None:
    """Round trip of the example register: our event-stream builder agrees with
    PyYAML's constructor on every valid file, and the data survives JSON."""
    import json

    import yaml

    from .conftest import PROJECT

    examples = sorted((PROJECT / "incidents").rglob("*.yml"))
    assert len(examples) >= 20
    for path in examples:
        raw = path.read_bytes()
        ours = load_bytes(raw, path.name)
        assert ours.issues == ()
        assert ours.data == yaml.load(raw, Loader=_TextTimestamps), path.name
        assert json.loads(json.dumps(ours.data, ensure_ascii=False)) == ours.data


def test_an_unreadable_file_is_explained_in_chinese(tmp_path) -> None:
    import os

    from yuqing.loader import load_file

    missing = load_file(tmp_path / "gone.yml", "gone.yml")
    assert [(i.code, i.message) for i in missing.issues] == [("file-unreadable", "无法读取文件:文件不存在(或已被删除)。")]
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.yml"
        locked.write_text("a: 1\n")
        locked.chmod(0)
        assert [i.message for i in load_file(locked, "locked.yml").issues] == ["无法读取文件:没有读取权限。"]


def test_non_characters_libyaml_refuses_are_named_wherever_they_sit() -> None:
    """U+FFFE and U+FFFF: every YAML tool refuses the file, so `yuqing check` must too."""
    for char in ("\ufffe", "\uffff"):
        for text in (f"id: YQ-2025-0001\ntitle: 网民{char}反映\n", f"id: YQ-2025-0001\ntitle: '网民{char}'\n",
                     f"id: YQ-2025-0001\nsummary: |\n  第一行\n  网民{char}反映\n"):
            assert [code for code, _, _ in codes(text.encode("utf-8"))] == ["control-char"], (char, text)
