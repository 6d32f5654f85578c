"""The visual vocabulary of journey diagrams, shared by the DOT and Mermaid writers.

Colours are the Okabe–Ito colour-blind-safe palette (light tints for fills). No meaning
is carried by colour alone: control is also written in each node, line kinds also
differ by arrowhead, soft needs are dashed, SPOFs carry a "⚠ SPOF" mark.
"""

from __future__ import annotations

from dataclasses import dataclass

# One font for diagrams and the PDF report, so label widths measured by Graphviz match
# what the report draws (DejaVu Sans ships with Debian: fonts-dejavu-core).
FONT = "DejaVu Sans"

# Control (from the element's owner party): fill colour of the node.
CONTROL_FILL = {
    "internal": "#D6EAF8",  # light tint of Okabe–Ito blue
    "partner": "#FCE9B8",  # light tint of orange
    "external": "#F2D7E8",  # light tint of reddish purple
    "unknown": "#FFFFFF",
}
CONTROL_BORDER = {
    "internal": "#0072B2",
    "partner": "#B57F00",
    "external": "#A8508A",
    "unknown": "#777777",
}

ALERT = "#D55E00"  # vermillion: SPOFs, failure, the collapse path
FLOW = "#1B2A3A"  # customer flow lines: near-black, thick
INK = "#222222"
MUTED = "#666666"
FADED = "#B8B8B8"  # elements the highlighted failure leaves alone, context nodes
FRONTSTAGE_BG = "#FAFAFA"
BACKSTAGE_BG = "#EEF1F5"
HEADER_BG = "#E3E7ED"  # stage headers
COLUMN_RULE = "#C9CED6"  # lines between stage columns
VISIBILITY = "#5B6770"  # the line of visibility


@dataclass(frozen=True)
class LineStyle:
    colour: str
    arrowhead: str  # Graphviz arrowhead
    glyph: str  # how the legend draws that arrowhead in text


# Dependency lines by kind: a colour *and* an arrowhead each.
NEEDS_STYLE = {
    "technology": LineStyle("#555555", "normal", "▶"),
    "data": LineStyle("#0072B2", "box", "■"),
    "workflow": LineStyle("#C98A00", "vee", "➤"),
    "communication": LineStyle("#009E73", "diamond", "◆"),
    "people": LineStyle("#CC79A7", "dot", "●"),
}

# Fills of elements under a highlighted failure.
STATE_FILL = {
    "failed": ALERT,
    "down": "#F6C9B0",
    "stranded": "#E4E4E4",
    "degraded": "#FFF6D6",
    "unaffected": "#FFFFFF",
}
STATE_MARK = {
    "failed": "✖ FAILS",
    "down": "✖ DOWN",
    "stranded": "⊘ STRANDED",
    "degraded": "◐ DEGRADED",
}
