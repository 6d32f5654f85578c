"""Charts as small hand-made SVG: the robustness curve and the stage × party heat map.

Hand-made on purpose: two simple charts do not justify a plotting library, and string
SVG with fixed number formatting gives the same bytes on every machine. Text uses
DejaVu Sans, the font the PDF and the diagrams use. All user text is XML-escaped.

>>> svg = robustness_svg((0, 1, 2), (1.0, 0.6, 0.3), 1.8)
>>> svg.startswith("<svg") and "<polyline" in svg
True
"""

from __future__ import annotations

from journeymap.escape import html as escape  # the one HTML/XML escaper
from journeymap.report.model import Heat

FONT = "DejaVu Sans"
INK = "#1f2933"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACCENT = "#c2410c"  # vermillion: "stops people", the same colour as the diagrams' alert
LINE = "#1d4ed8"


def _n(x: float) -> str:
    """Fixed, short number formatting: identical bytes everywhere."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x: float, y: float, s: str, size: float = 11, anchor: str = "start",
          fill: str = INK, weight: str = "normal", extra: str = "") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-family="{FONT}" font-size="{_n(size)}" '
            f'text-anchor="{anchor}" fill="{fill}" font-weight="{weight}"{extra}>'
            f"{escape(s, quote=False)}</text>")


def _open(width: float, height: float, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" '
            f'height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" role="img">'
            f"<title>{escape(title, quote=False)}</title>")


def _clip(s: str, limit: int) -> str:
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def tick_step(kmax: int, most: int = 12) -> int:
    """The step between axis labels: 1, 2 or 5 times a power of ten, the smallest that
    puts at most ``most`` labels on the axis (a fixed step of 5 ran 68 labels into each
    other at 335 failures).

    >>> [tick_step(k) for k in (10, 20, 60, 335, 4000)]
    [1, 2, 10, 50, 500]
    """
    power = 1
    while True:
        for m in (1, 2, 5):
            if kmax // (m * power) + 1 <= most:
                return m * power
        power *= 10


def robustness_svg(removed: tuple[int, ...], completion: tuple[float, ...],
                   expected: float = 0.0, width: float = 560, height: float = 262,
                   person: str = "customer") -> str:
    """Line chart: chance a customer can still complete as more parts fail at random."""
    left, right, top, bottom = 44, 16, 26, 46
    pw, ph = width - left - right, height - top - bottom
    kmax = max(max(removed, default=1), 1)
    parts = [_open(width, height, f"Chance a {person} can still finish as parts of the "
                   f"journey fail at random")]

    def px(k: float) -> float:
        return left + pw * k / kmax

    def py(p: float) -> float:
        return top + ph * (1 - p)

    for p in (0, 0.25, 0.5, 0.75, 1.0):
        y = py(p)
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + pw)}" y2="{_n(y)}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, f"{round(p * 100)}%", 10, "end", MUTED))
    for k in range(0, kmax + 1, tick_step(kmax)):
        parts.append(_text(px(k), top + ph + 16, str(k), 10, "middle", MUTED))
    parts.append(f'<line x1="{_n(left)}" y1="{_n(top + ph)}" x2="{_n(left + pw)}" '
                 f'y2="{_n(top + ph)}" stroke="{MUTED}" stroke-width="1"/>')
    if 0 < expected <= kmax:
        x = px(expected)
        parts.append(f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(top + ph)}" '
                     f'stroke="{ACCENT}" stroke-width="1" stroke-dasharray="4 3"/>')
        parts.append(_text(x + 4, top + 10, f"stops after {expected:.1f} failures on average",
                           9.5, "start", ACCENT))
    points = " ".join(f"{_n(px(k))},{_n(py(p))}" for k, p in zip(removed, completion))
    parts.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="2.2"/>')
    for k, p in zip(removed, completion):
        parts.append(f'<circle cx="{_n(px(k))}" cy="{_n(py(p))}" r="3" fill="{LINE}"/>')
    parts.append(_text(left + pw / 2, height - 8, "Parts of the journey failed at random",
                       10.5, "middle", INK))
    # The axis says what it means and which way is good, horizontally (no rotated text).
    parts.append(_text(left, top - 4, f"Chance a {person} can still finish (higher is better)",
                       10.5, "start", INK))
    parts.append("</svg>")
    return "".join(parts)


NOTHING = "#ffffff"  # no part of this party in this stage
HARMLESS = "#e5e7eb"  # parts here, none of whose failures stops anyone
CELL_EDGE = "#c9ced6"  # every cell's outline, and the legend's swatches


def _heat_fill(share: float, present: bool) -> str:
    """White (nothing here) -> grey (present, harmless) -> pale to deep vermillion."""
    if not present:
        return NOTHING
    if share <= 0:
        return HARMLESS
    lo, hi = (0xfb, 0xe0, 0xd0), (0xc2, 0x41, 0x0c)
    t = min(max(share, 0.0), 1.0)
    r, g, b = (round(a + (c - a) * t) for a, c in zip(lo, hi))
    return f"#{r:02x}{g:02x}{b:02x}"


def _wrap(text: str, limit: int, lines: int | None = None) -> list[str]:
    """Greedy word wrap at ``limit`` characters; long words are split, never clipped.
    With ``lines``, the last line is clipped with an ellipsis (headers only)."""
    out: list[str] = []
    for word in text.split():
        while len(word) > limit:
            out.append(word[:limit - 1] + "-")
            word = word[limit - 1:]
        if out and not out[-1].endswith("-") and len(out[-1]) + 1 + len(word) <= limit:
            out[-1] += " " + word
        else:
            out.append(word)
    if lines is not None and len(out) > lines:
        out = out[: lines - 1] + [_clip(" ".join(out[lines - 1:]), limit)]
    return out or [""]


_GROUPS = (("outside our control", "Outside our control"), ("partner", "Partners"),
           ("ours", "Ours"), ("no owner named", "No owner named"))


def heatmap_svg(heat: Heat, width: float = 560) -> str:
    """Stages across, parties down (grouped by control). Number = single points of failure
    in the cell; colour = share of people the worst failure there stops. Names wrap onto
    more lines (rows grow), never truncated."""
    label_w, line_h, group_h = 200, 12.5, 20
    n_st = max(len(heat.stages), 1)
    col_w = (width - label_w - 2) / n_st
    chars = max(int(col_w / 5.9), 4)
    headers = [_wrap(st, chars) for st in heat.stages]
    header_lines = max((len(h) for h in headers), default=1)
    top = 8 + 12 * header_lines
    rows: list[tuple[str, int]] = []  # ("group", label) or ("party", index)
    for label, heading in _GROUPS:
        members = [i for i, c in enumerate(heat.controls) if c == label]
        if members:
            rows.append((heading, -1))
            rows.extend(("", i) for i in members)
    names = {i: _wrap(heat.parties[i], 33) for _, i in rows if i >= 0}
    heights = {i: max(19.0, 6.5 + line_h * len(names[i])) for i in names}
    body_h = sum(group_h if i < 0 else heights[i] for _, i in rows)
    legend_h = 62
    height = top + body_h + legend_h
    parts = [_open(width, height, "Where the journey became fragile, by stage and party")]
    x0 = label_w
    for j, lines in enumerate(headers):
        cx = x0 + col_w * (j + 0.5)
        for n, line in enumerate(lines):
            parts.append(_text(cx, top - 6 - 12 * (len(lines) - 1 - n), line, 9.5, "middle",
                               INK, "bold"))
    y: float = top
    for heading, i in rows:
        if i < 0:
            parts.append(_text(0, y + 15, heading.upper(), 8.5, "start", INK, "bold",
                               extra=' letter-spacing="0.6"'))
            y += group_h
            continue
        row_h = heights[i]
        for n, line in enumerate(names[i]):
            parts.append(_text(8, y + 13.5 + line_h * n, line, 10, "start", INK))
        for j, cell in enumerate(heat.cells[i]):
            x = x0 + col_w * j
            fill = _heat_fill(cell.customers_at_risk, cell.elements > 0)
            parts.append(f'<rect x="{_n(x + 1)}" y="{_n(y + 1)}" width="{_n(col_w - 2)}" '
                         f'height="{_n(row_h - 2)}" fill="{fill}" stroke="{CELL_EDGE}" '
                         f'stroke-width="0.8"/>')
            if cell.spofs:
                ink = "#ffffff" if cell.customers_at_risk >= 0.5 else INK
                parts.append(_text(x + col_w / 2, y + row_h / 2 + 4, str(cell.spofs), 10.5,
                                   "middle", ink, "bold"))
        y += row_h
    ly = y + 14
    swatches = [(0.0, False, "nothing of theirs here"), (0.0, True, "there, stops no one"),
                (0.25, True, "stops 25%"), (0.5, True, "50%"), (1.0, True, "100%")]
    x = 0.0
    for share, present, label in swatches:
        # Drawn exactly as the cells are (a dashed swatch matched no cell on the map).
        parts.append(f'<rect x="{_n(x)}" y="{_n(ly)}" width="14" height="11" '
                     f'fill="{_heat_fill(share, present)}" stroke="{CELL_EDGE}" '
                     f'stroke-width="0.8"/>')
        parts.append(_text(x + 18, ly + 9.5, label, 9, "start", MUTED))
        x += 18 + 5.6 * len(label) + 14
    parts.append(_text(0, ly + 27, "Number in a cell: single points of failure there (fewer is "
                       "better). Colour: the share of people", 9, "start", MUTED))
    parts.append(_text(0, ly + 40, "the worst single failure there stops (paler is better).",
                       9, "start", MUTED))
    parts.append("</svg>")
    return "".join(parts)
