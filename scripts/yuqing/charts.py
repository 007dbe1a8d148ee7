"""Static SVG charts drawn in pure Python: no plotting library, no web fonts.

The site must work on an intranet with no internet, so the charts are plain
SVG text: the text uses a generic CJK font-family stack (whatever the reader's
machine has), every text drawn from data is XML-escaped, and the numbers are
written on the bars so the chart reads without a legend lookup.

    level_distribution(stats)  当前等级分布 (horizontal bars)
    monthly_trend(stats)       各月新发现舆情 by level (stacked columns; by quarter or
                               year over long spans, so ten years stay readable)
    unit_on_time_rate(stats)   各单位时限按时率 (horizontal bars, 0-100%)
"""

from __future__ import annotations

from typing import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from .model import LEVELS
from .render.table import width as text_columns
from .stats import Stats

FONT_STACK = ("'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',"
              "'Hiragino Sans GB','WenQuanYi Micro Hei','SimHei',sans-serif")

LEVEL_COLORS: dict[str, str] = {
    "一般": "#4e79a7",
    "敏感": "#e8a33d",
    "重大": "#e15759",
    "特别重大": "#8b1a1a",
}

FONT_SIZE = 13
_CHAR = FONT_SIZE * 0.55
"""Approximate width of one terminal column of text at FONT_SIZE (CJK = 2 columns)."""


def _text_width(text: str) -> float:
    return text_columns(text) * _CHAR


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = FONT_SIZE,
          fill: str = "#333", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"'
            f' font-weight="{weight}">{escape(text)}</text>')


def _svg(width: float, height: float, title: str, body: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}"'
        f' viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label={quoteattr(title)}'
        f' font-family="{FONT_STACK}">'
        f"<title>{escape(title)}</title>"
        f'<rect width="100%" height="100%" fill="#ffffff"/>'
        + "".join(body) + "</svg>"
    )


def bar_chart(values: Mapping[str, float], title: str, *, labels: Mapping[str, str] | None = None,
              colors: Mapping[str, str] | None = None, maximum: float | None = None,
              bar_width: float = 320) -> str:
    """Horizontal bars, one per key; ``labels`` are written after the bars (default: the value)."""
    names = list(values)
    label_width = max([_text_width(n) for n in names] + [24.0]) + 12
    value_labels = {n: (labels or {}).get(n, _number(values[n])) for n in names}
    tail = max([_text_width(v) for v in value_labels.values()] + [24.0]) + 12
    top, row = 36, 26
    height = top + row * max(len(names), 1) + 12
    full = label_width + bar_width + tail + 16
    peak = maximum if maximum is not None else max([float(v) for v in values.values()] + [0.0])
    body = [_text(8, 22, title, size=FONT_SIZE + 2, weight="bold")]
    if not names:
        body.append(_text(8, top + 16, "(无数据)", fill="#888"))
    for index, name in enumerate(names):
        y = top + index * row
        length = bar_width * (float(values[name]) / peak) if peak > 0 else 0
        color = (colors or {}).get(name, "#4e79a7")
        body.append(_text(label_width - 6, y + 15, name, anchor="end"))
        body.append(f'<rect x="{label_width:.1f}" y="{y + 3}" width="{length:.1f}" height="{row - 8}"'
                    f' fill="{color}"><title>{escape(name)}:{escape(value_labels[name])}</title></rect>')
        body.append(_text(label_width + length + 6, y + 15, value_labels[name]))
    return _svg(full, height, title, body)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def level_distribution(stats: Stats, title: str = "舆情等级分布") -> str:
    """Incidents by current level, all four levels shown."""
    values = {lvl: stats.by_level.get(lvl, 0) for lvl in LEVELS}
    return bar_chart(values, title, colors=LEVEL_COLORS,
                     labels={lvl: f"{n} 起" for lvl, n in values.items()})


def unit_on_time_rate(stats: Stats, title: str = "各单位时限按时率") -> str:
    """On-time rate per lead unit (units with at least one judged deadline)."""
    scored = [u for u in stats.units if u.timeliness.judged]
    values = {u.unit: 100.0 * (u.timeliness.on_time_rate or 0.0) for u in scored}
    labels = {u.unit: f"{_percent(u.timeliness.on_time_rate)}({u.timeliness.met}/{u.timeliness.judged})"
              for u in scored}
    colors = {u.unit: ("#59a14f" if u.timeliness.misses == 0 else "#e15759") for u in scored}
    return bar_chart(values, title, labels=labels, colors=colors, maximum=100.0)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


MONTHS_SHOWN = 36
"""Up to three years are drawn month by month; longer spans by quarter (up to 12 years), then by year,
so that ten years of data stay a chart of readable size (text never scaled below its font size)."""
QUARTERS_SHOWN = 48
PLOT_WIDTH = 760


def _buckets(by_month: Mapping[str, Mapping[str, int]]) -> tuple[str, list[tuple[str, str, str, dict[str, int]]]]:
    """(unit word, [(key, label under the column, year label or "", counts)]) for the span of ``by_month``."""
    months = sorted(by_month)
    if len(months) <= MONTHS_SHOWN:
        return "月", [(m, m[5:] + "月", m[:4] if i == 0 or m.endswith("-01") else "", dict(by_month[m]))
                     for i, m in enumerate(months)]
    grouped: dict[str, dict[str, int]] = {}
    quarters = len({(m[:4], (int(m[5:7]) - 1) // 3) for m in months})
    for m in months:
        key = f"{m[:4]}年第{(int(m[5:7]) - 1) // 3 + 1}季度" if quarters <= QUARTERS_SHOWN else f"{m[:4]}年"
        counts = grouped.setdefault(key, {})
        for level, n in by_month[m].items():
            counts[level] = counts.get(level, 0) + n
    if quarters <= QUARTERS_SHOWN:
        out = []
        for i, (key, counts) in enumerate(grouped.items()):
            quarter = key[-3:-2]
            out.append((key, f"Q{quarter}", key[:4] if i == 0 or quarter == "1" else "", counts))
        return "季度", out
    return "年", [(key, key[:4], "", counts) for key, counts in grouped.items()]


def monthly_trend(stats: Stats, title: str = "各月新发现舆情(按当前等级)") -> str:
    """Stacked columns: incidents discovered per month (per quarter or year over long spans), by current level."""
    unit, columns = _buckets(stats.by_month_level)
    if unit != "月":
        title = title.replace("各月", f"各{unit}")
    count = len(columns)
    column = 34 if count <= 18 else max(14, int(PLOT_WIDTH / count * 0.7))
    gap = max(6, column * 0.4)
    left, top, plot_height = 40, 56, 180
    width = max(left + count * (column + gap) + 20, 360)
    height = top + plot_height + 44
    peak = max([sum(c.values()) for _, _, _, c in columns] + [1])
    body = [_text(8, 22, title, size=FONT_SIZE + 2, weight="bold")]
    x = 8.0
    for level in LEVELS:  # legend
        body.append(f'<rect x="{x:.1f}" y="32" width="12" height="12" fill="{LEVEL_COLORS[level]}"/>')
        body.append(_text(x + 16, 43, level, size=FONT_SIZE - 1))
        x += 16 + _text_width(level) + 18
    base = top + plot_height
    body.append(f'<line x1="{left - 4}" y1="{base}" x2="{width - 10:.1f}" y2="{base}" stroke="#999"/>')
    for index, (key, label, year, counts) in enumerate(columns):
        cx = left + index * (column + gap)
        y = float(base)
        for level in LEVELS:
            n = counts.get(level, 0)
            if not n:
                continue
            h = plot_height * n / peak
            y -= h
            body.append(f'<rect x="{cx:.1f}" y="{y:.1f}" width="{column}" height="{h:.1f}"'
                        f' fill="{LEVEL_COLORS[level]}"><title>{escape(key)} {escape(level)}:{n} 起</title></rect>')
        total = sum(counts.values())
        body.append(_text(cx + column / 2, y - 4, str(total), anchor="middle", size=FONT_SIZE - 2))
        body.append(_text(cx + column / 2, base + 16, label, anchor="middle", size=FONT_SIZE - 2))
        if year:
            body.append(_text(cx + column / 2, base + 32, year, anchor="middle", size=FONT_SIZE - 3, fill="#555"))
    if not columns:
        body.append(_text(left, top + 20, "(无数据)", fill="#888"))
    return _svg(width, height, title, body)
