"""Progress on stderr for long runs: one line, rewritten in place, with the time so far.

Quiet unless stderr is a terminal, and with ``--quiet``; nothing is shown for a step
until the run has taken :data:`SHOW_AFTER` seconds, so quick runs print nothing.

>>> with Progress(quiet=True) as progress:  # doctest: +SKIP
...     progress.step("analysing 3,000 elements")
...     progress.step("drawing with Graphviz")
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO

SHOW_AFTER = 1.0  # seconds
TICK = 0.5


class Progress:
    """``step(text)`` names what runs now; the line shows it with the elapsed time."""

    def __init__(self, quiet: bool = False, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = not quiet and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.monotonic()
        self.text = ""
        self.shown = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def step(self, text: str) -> None:
        with self._lock:
            self.text = text
        self._draw()

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        if elapsed < SHOW_AFTER:
            return
        with self._lock:
            line = f"journeymap: {self.text} … {elapsed:.0f} s"
            self.stream.write("\r\x1b[K" + line)
            self.stream.flush()
            self.shown = True

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            if self.shown:  # leave the terminal line clean for what follows
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False
