"""Server-side SVG charts of the visit dashboard (no JavaScript, no external library).

Labels are escaped here; templates insert the returned markup as it is.
"""

from __future__ import annotations

from html import escape

TARGET = 1.0  # the 100% monthly target ([TFGA], [PLAN])


def trend(points: list[tuple[str, float, int]], *, width: int = 560, height: int = 200) -> str:
    """A line of monthly rates (label, rate, targets) with the 100% target line."""
    if not points:
        return ""
    left, right, top, bottom = 40, 12, 12, 28
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / max(1, len(points) - 1)

    def y(rate: float) -> float:
        return top + inner_h * (1 - max(0.0, min(1.0, rate)))

    coords = [(left + i * step, y(rate)) for i, (_, rate, _) in enumerate(points)]
    # months without targets have no rate to show: the line breaks there
    segments: list[list[tuple[float, float]]] = [[]]
    for (_, _, targets), point in zip(points, coords, strict=True):
        if targets:
            segments[-1].append(point)
        elif segments[-1]:
            segments.append([])
    parts = [
        f'<svg class="chart trend" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="月探访率趋势" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{y(TARGET):.1f}" x2="{width - right}" y2="{y(TARGET):.1f}" '
        'stroke="#1e6b34" stroke-dasharray="4 3"/>',
        *(
            f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="10">{t}</text>'
            for v, t in ((TARGET, "100%"), (0.5, "50%"), (0.0, "0"))
        ),
    ]
    for segment in segments:
        if segment:
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in segment)
            parts.append(
                f'<polyline fill="none" stroke="#1f5fa8" stroke-width="2" points="{path}"/>'
            )
    for (label, rate, targets), (x, yy) in zip(points, coords, strict=True):
        if targets:
            title = escape(f"{label}:{rate * 100:.1f}%({targets}人)")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3" fill="#1f5fa8"><title>{title}</title>'
                "</circle>"
            )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" font-size="10">'
            f"{escape(label[5:])}月</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def bars(rows: list[tuple[str, float, int, int]], *, width: int = 560) -> str:
    """Horizontal bars (label, rate, visited, targets), worst first."""
    if not rows:
        return ""
    label_w, bar_h, gap = 150, 16, 6
    height = len(rows) * (bar_h + gap) + gap
    inner = width - label_w - 70
    parts = [
        f'<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="探访率最低的村社" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, rate, visited, targets) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        colour = "#b3261e" if rate < 0.8 else "#c77700" if rate < 1 else "#1e6b34"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" font-size="11">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{inner * max(0.0, min(1.0, rate)):.1f}" '
            f'height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + inner + 6}" y="{y + 12}" font-size="11">'
            f"{rate * 100:.0f}% {visited}/{targets}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
