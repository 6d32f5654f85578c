"""journeymap: find where a customer journey has become fragile.

The Python API (:mod:`journeymap.api`): ``journeymap.load(path)``,
``journeymap.analyze(spec)``, ``journeymap.simulate(spec, ["id", ...])``; results have
``to_json()`` and NetworkX graphs of the journey. See docs/python-api.md.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = ("Analysis", "WhatIf", "analyze", "load", "simulate")


def __getattr__(name: str) -> Any:
    # Imported on first use, so the command line starts without the engine.
    if name in _API:
        from journeymap import api

        return getattr(api, name)
    raise AttributeError(f"module 'journeymap' has no attribute {name!r}")


__all__ = ["Analysis", "WhatIf", "__version__", "analyze", "load", "simulate"]
