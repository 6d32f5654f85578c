"""How a diagram is drawn at its size: which line routing, and when a summary replaces
the full picture. Decided from counts only (no Graphviz run), so the choice is the same
for the same spec.

Measured with Graphviz 2.43 on this project's 2-core build machine, on the DOT of
generated journeys (``tests/benchmarks/generate.py``; nodes = boxes and junctions,
lines = flow and needs lines drawn):

================  =====  =====  ========  ==============  ==========
journey           nodes  lines  curved    orthogonal      straight
================  =====  =====  ========  ==============  ==========
bank example         80    117    0.9 s
hospital example    103    163    2.8 s
generated 60         87    162    2.1 s     0.19 s          0.05 s
generated 100       147    301    8.7 s     0.47 s          0.06 s
generated 200       288    610   57 s       2.9 s           0.07 s
generated 300       427    906  130 s       9.0 s           0.09 s
generated 1,000   1,367  3,008   --        --               0.36 s
generated 3,000   4,000+ 9,000+  --        --               2.7 s
================  =====  =====  ========  ==============  ==========

Curved lines (``splines=true``: routed around every box) cost roughly nodes × lines, so
they are used while that product stays under :data:`CURVED_UP_TO` (every example spec
stays curved, about 3 s at most). Orthogonal lines were tried as the middle step and
dropped: beyond ~100 elements they bundle into shared channels where one line cannot be
followed (looked at side by side with straight lines at 100 elements), and flow shares
lose their labels. Straight lines (``splines=false``) cost almost nothing at any size.

One picture stops being readable long before Graphviz stops coping: beyond
:data:`SUMMARY_ABOVE` elements ``render`` draws the summary (stages × parties, single
points of failure named) unless the full picture is asked for.
"""

from __future__ import annotations

ROUTINGS = ("auto", "curved", "orthogonal", "straight")
SPLINES = {"curved": "true", "orthogonal": "ortho", "straight": "false"}

CURVED_UP_TO = 20_000  # nodes × lines; ~3 s of Graphviz routing at the top
SUMMARY_ABOVE = 1_500  # elements; beyond this one picture cannot be read


def choose_routing(nodes: int, lines: int, routing: str = "auto") -> str:
    """The routing to draw with: ``routing`` itself unless it is ``"auto"``.

    >>> choose_routing(80, 117), choose_routing(427, 906), choose_routing(427, 906, "curved")
    ('curved', 'straight', 'curved')
    """
    if routing not in ROUTINGS:
        raise ValueError(f"unknown routing {routing!r}; one of {', '.join(ROUTINGS)}")
    if routing != "auto":
        return routing
    return "curved" if nodes * lines <= CURVED_UP_TO else "straight"


def wants_summary(elements: int, full: bool = False) -> bool:
    """Whether ``render`` draws the summary instead of the full picture."""
    return not full and elements > SUMMARY_ABOVE
