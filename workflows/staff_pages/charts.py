"""Small charts drawn on the server as inline SVG (no script, allowed by the page's CSP)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

ROW_HEIGHT = 22
LABEL_WIDTH = 150
VALUE_WIDTH = 90


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # shown at the end of the bar


def bar_chart(bars: list[Bar], *, title: str, width: int = 520, color: str = "#b3261e") -> Markup:
    """Horizontal bars, one per row, scaled to the largest value; an empty chart says so."""
    height = max(1, len(bars)) * ROW_HEIGHT + 8
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if not bars:
        parts.append('<text x="0" y="16" fill="#5f6b7a">暂无数据</text>')
    top = max((b.value for b in bars), default=0.0) or 1.0
    span = width - LABEL_WIDTH - VALUE_WIDTH
    for index, bar in enumerate(bars):
        y = index * ROW_HEIGHT + 4
        length = max(0.0, bar.value) / top * span
        parts.append(
            f'<text x="0" y="{y + 14}" fill="#1f2933">{escape(bar.label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW_HEIGHT - 8}" '
            f'fill="{color}" rx="2"><title>{escape(bar.label)}:{escape(bar.text)}</title></rect>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 14}" fill="#1f2933">'
            f"{escape(bar.text)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
