"""The export's deadline lines, made directly, are the JSON encoder's text to the byte."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from yuqing import synthetic
from yuqing.cli._common import judged
from yuqing.publicexport import deadline, deadline_line
from yuqing.register import load_register

NOW = datetime.fromisoformat("2026-11-23T12:00:00+08:00")


def test_each_deadline_line_is_what_json_dumps_writes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "reg"
    assert synthetic.main(["--count", "300", "--seed", "4", "--out", str(root)]) == 0
    register = load_register(root, now=NOW, records=False, derived=True)
    found = judged(register).deadlines
    assert len(found) > 100 and len({d.status for d in found}) >= 2
    assert any(d.met_at is not None for d in found)
    odd = replace(found[0], unit='科室 "甲"\\\n\t\u2028\U0001f600\x7f', rule="</script>", level="重大")
    for item in (*found, odd, replace(odd, due=None, met_at=None)):
        assert deadline_line(item) == json.dumps(deadline(item), ensure_ascii=False)
