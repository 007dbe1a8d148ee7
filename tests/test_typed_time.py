"""Times as staff type them, read in the register's zone at a given `now`."""

from __future__ import annotations

from datetime import datetime

import pytest

from yuqing.typed_time import FORMS, parse_typed
from yuqing.times import zone

TZ = zone("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 11, 0, tzinfo=TZ)


@pytest.mark.parametrize(("text", "expected"), [
    ("8:50", "2026-11-30T08:50:00+08:00"),
    ("08:50", "2026-11-30T08:50:00+08:00"),
    ("8：50", "2026-11-30T08:50:00+08:00"),  # a full-width colon, as a Chinese IME types it
    ("今天 8:50", "2026-11-30T08:50:00+08:00"),
    ("今天8:50", "2026-11-30T08:50:00+08:00"),
    ("昨天 20:10", "2026-11-29T20:10:00+08:00"),
    ("前天 9:00", "2026-11-28T09:00:00+08:00"),
    ("11-30 8:50", "2026-11-30T08:50:00+08:00"),
    ("11/29 23:05", "2026-11-29T23:05:00+08:00"),
    ("11月30日 8:50", "2026-11-30T08:50:00+08:00"),
    ("2026-11-30 8:50", "2026-11-30T08:50:00+08:00"),
    ("2026年11月30日 8:50", "2026-11-30T08:50:00+08:00"),
    ("2026-11-30 08:50:30", "2026-11-30T08:50:30+08:00"),
    ("2026-11-30T08:50:00+08:00", "2026-11-30T08:50:00+08:00"),
    ("2026-11-30T00:50:00Z", "2026-11-30T08:50:00+08:00"),
    ("  11-30   8:50 ", "2026-11-30T08:50:00+08:00"),
    ("11:09", "2026-11-30T11:09:00+08:00"),  # within the 10 minutes' tolerance
    ("上午8:50", "2026-11-30T08:50:00+08:00"),
    ("昨天下午3:10", "2026-11-29T15:10:00+08:00"),
    ("昨天晚上8点", "2026-11-29T20:00:00+08:00"),
    ("昨天中午1点", "2026-11-29T13:00:00+08:00"),
    ("8点50", "2026-11-30T08:50:00+08:00"),
    ("8点50分", "2026-11-30T08:50:00+08:00"),
    ("8点半", "2026-11-30T08:30:00+08:00"),
    ("11月30日8时50分", "2026-11-30T08:50:00+08:00"),
    ("11.30 8:50", "2026-11-30T08:50:00+08:00"),
    ("2026.11.30 8:50", "2026-11-30T08:50:00+08:00"),
])
def test_accepted_forms(text: str, expected: str) -> None:
    typed = parse_typed(text, NOW, TZ)
    assert typed.error is None
    assert typed.value is not None and typed.value.isoformat() == expected


@pytest.mark.parametrize(("text", "why"), [
    ("", "是空的。"),
    ("25:00", "不是有效的时刻(小时 0–23,分钟 0–59)。"),
    ("8:75", "不是有效的时刻(小时 0–23,分钟 0–59)。"),
    ("11-31 8:00", "不是有效的日期。"),
    ("2026-02-30 8:00", "不是有效的日期。"),
    ("11-30", "只有日期,没有时刻。"),
    ("2026-11-30", "只有日期,没有时刻。"),
    ("昨天", "只有日期,没有时刻。"),
    ("八点五十", "不是能识别的时间。"),
    ("8.50", "可能是时刻 8:50,也可能是小数或日期,不会猜。时刻请写 8:50 或 8点50;日期要带时刻,如 11.30 8:50。"),
    ("上午15:00", "写了“上午”,却是 15 点:请去掉“上午”或改正钟点。"),
])
def test_refused_forms_name_the_accepted_ones(text: str, why: str) -> None:
    typed = parse_typed(text, NOW, TZ)
    assert typed.value is None
    assert typed.error == f"“{text}”{why}可以写:{FORMS}(按台账时区理解)。"


def test_future_is_refused_with_a_hint() -> None:
    assert parse_typed("11:20", NOW, TZ).error == (
        "“11:20”即 2026-11-30 11:20,晚于现在超过 10 分钟,不能记录未来的时间。"
        "如指的是以前的某天,请写明日期,如 昨天 20:10、11-29 8:50。")
    assert parse_typed("2026-12-01 08:00", NOW, TZ).error == (
        "“2026-12-01 08:00”即 2026-12-01 08:00,晚于现在超过 10 分钟,不能记录未来的时间。")


def test_the_zone_is_the_registers() -> None:
    utc = zone("UTC")
    typed = parse_typed("8:50", datetime(2026, 11, 30, 11, 0, tzinfo=utc), utc)
    assert typed.value is not None and typed.value.isoformat() == "2026-11-30T08:50:00+00:00"
    # "today" is the register's today, even when the clock's own zone is another day
    late = datetime(2026, 11, 30, 17, 0, tzinfo=utc)  # 2026-12-01 01:00 in Shanghai
    typed = parse_typed("今天 0:30", late, TZ)
    assert typed.value is not None and typed.value.isoformat() == "2026-12-01T00:30:00+08:00"
