"""How many random examples the property tests try: one knob for the whole suite.

The default keeps the full suite within two minutes on a quiet 2-core machine (the
engine-versus-oracle properties were half of its time at their old budgets). Locally
each run explores new examples, so coverage adds up run after run; CI (``CI`` set)
replays the same ones. ``JOURNEYMAP_HEAVY=1`` multiplies every budget by 20 for an
on-demand deep run; ``tests/test_fuzz.py`` has its own ``JOURNEYMAP_FUZZ_EXAMPLES``.
"""

from __future__ import annotations

import os

SCALE = 20.0 if os.environ.get("JOURNEYMAP_HEAVY") else 1.0


def budget(examples: int) -> int:
    """``examples`` scaled for this run (at least 10)."""
    return max(10, int(examples * SCALE))
