"""Plain words shared by every output (terminal, Markdown, CI formats, diagrams)."""

from __future__ import annotations


def percent(share: float) -> str:
    """A share of customers as people say it: ``0.5`` -> ``50%``; tiny shares stay visible.

    >>> percent(1.0), percent(0.254), percent(0.001)
    ('100%', '25%', '<1%')
    """
    if 0 < share < 0.005:
        return "<1%"
    return f"{share * 100:.0f}%"

__all__ = ["percent"]
