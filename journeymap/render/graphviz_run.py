"""Drawing DOT text with the Graphviz ``dot`` executable: the only I/O of the renderer.

``dot`` runs as a child process with a time limit (:func:`graphviz_timeout`: the
``--graphviz-timeout`` option, else ``JOURNEYMAP_GRAPHVIZ_TIMEOUT``, else
:data:`DEFAULT_TIMEOUT` seconds). Every way it can go wrong raises a
:class:`GraphvizError` whose message is the real reason (missing, timed out, failed with
its own error message, or printed something that is not the requested format), so
callers can show it instead of guessing.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import signal
import subprocess
import threading
from xml.etree import ElementTree

INSTALL_HINT = ("install Graphviz: apt-get install graphviz / brew install graphviz "
                "(or write .dot or Mermaid output, which need no Graphviz)")

GRAPHVIZ_FORMATS = ("svg", "png", "pdf")

DEFAULT_TIMEOUT = 300.0  # seconds; a 300-element journey lays out in well under one
TIMEOUT_ENV = "JOURNEYMAP_GRAPHVIZ_TIMEOUT"
_MAX_DETAIL = 400  # characters of dot's own error message kept in ours

_timeout_override: float | None = None
_lock = threading.Lock()


class GraphvizError(RuntimeError):
    """The diagram could not be drawn; the message says why."""


class GraphvizMissing(GraphvizError):
    """The ``dot`` executable is not installed (or not on PATH)."""

    def __init__(self) -> None:
        super().__init__(f"the Graphviz 'dot' program was not found; {INSTALL_HINT}")


class GraphvizFailed(GraphvizError):
    """``dot`` ran but did not draw the diagram (error exit, signal, bad output)."""


class GraphvizTimeout(GraphvizFailed):
    """``dot`` did not finish within the time limit (it was stopped)."""


def parse_timeout(value: str | float) -> float:
    """A time limit in seconds: a finite number > 0. Raises ValueError otherwise.

    >>> parse_timeout("2.5")
    2.5
    """
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"a time limit must be a number of seconds above 0, not {value!r}")
    return seconds


def set_graphviz_timeout(seconds: float | None) -> None:
    """Set the time limit for every later drawing in this process (None: back to the
    environment variable / default). The CLI calls this for ``--graphviz-timeout``."""
    global _timeout_override
    with _lock:
        _timeout_override = None if seconds is None else parse_timeout(seconds)


def graphviz_timeout() -> float:
    """The time limit in force: the override, else ``JOURNEYMAP_GRAPHVIZ_TIMEOUT``, else
    :data:`DEFAULT_TIMEOUT`. A bad environment value raises ValueError naming it."""
    if _timeout_override is not None:
        return _timeout_override
    env = os.environ.get(TIMEOUT_ENV, "").strip()
    if not env:
        return DEFAULT_TIMEOUT
    try:
        return parse_timeout(env)
    except ValueError:
        raise ValueError(f"{TIMEOUT_ENV}={env!r}: use a number of seconds above 0") from None


def run_dot(dot_text: str, fmt: str, timeout: float | None = None) -> bytes:
    """Draw ``dot_text`` as ``fmt`` (svg, png or pdf) and return the bytes.

    Raises :class:`GraphvizMissing` when Graphviz is not installed,
    :class:`GraphvizTimeout` when ``dot`` runs longer than ``timeout`` seconds (default
    :func:`graphviz_timeout`), :class:`GraphvizFailed` when it fails or prints something
    that is not ``fmt``.
    """
    if fmt not in GRAPHVIZ_FORMATS:
        raise ValueError(f"unknown Graphviz format {fmt!r}")
    limit = graphviz_timeout() if timeout is None else parse_timeout(timeout)
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing()
    # layout=neato in the graph pins our grid; the engine named here is overridden.
    try:
        proc = subprocess.Popen([exe, "-Kdot", f"-T{fmt}"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)  # its own group: a timeout stops all
    except OSError as exc:  # found but not runnable (permissions, bad interpreter line)
        raise GraphvizFailed(f"Graphviz 'dot' ({exe}) could not be started: "
                             f"{exc.strerror or exc}") from exc
    try:
        out, err = proc.communicate(dot_text.encode("utf-8"), timeout=limit)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise GraphvizTimeout(
            f"Graphviz 'dot' did not finish within {limit:g} s and was stopped; allow more "
            f"time with --graphviz-timeout SECONDS (or {TIMEOUT_ENV}), or draw less "
            f"(--focus ID, --stage ID)") from None
    except BaseException:
        _kill_group(proc)
        proc.communicate()
        raise
    if proc.returncode != 0:
        raise GraphvizFailed(f"Graphviz 'dot' failed ({_exit_words(proc.returncode)})"
                             f"{_detail(err)}")
    problem = _not_a(fmt, out)
    if problem:
        raise GraphvizFailed(f"Graphviz 'dot' ({exe}) printed {problem}{_detail(err)}")
    return _fixed_pdf_dates(out) if fmt == "pdf" else out


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _exit_words(code: int) -> str:
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _detail(err: bytes) -> str:
    """dot's own message, one line, shortened, without control characters."""
    text = " ".join(err.decode("utf-8", "replace").split())
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", "", text)
    if not text:
        return ""
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 1] + "…"
    return f": {text}"


def _not_a(fmt: str, data: bytes) -> str:
    """Why ``data`` is not a ``fmt`` file ("" when it is one)."""
    if fmt == "png":
        return "" if data.startswith(b"\x89PNG\r\n\x1a\n") else "something that is not a PNG image"
    if fmt == "pdf":
        return "" if data.startswith(b"%PDF-") else "something that is not a PDF"
    if not data.strip():
        return "nothing (an empty SVG)"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"something that is not an SVG image (not well-formed XML: {exc})"
    if root.tag.rpartition("}")[2] != "svg":
        return f"an XML document that is not an SVG image (root element <{root.tag}>)"
    return ""


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:[0-9]{14}Z\)")


def _fixed_pdf_dates(pdf: bytes) -> bytes:
    """Cairo stamps the current time into PDFs; pin it so the same input gives the same
    bytes. Same length, so the cross-reference offsets stay valid."""
    return _PDF_DATE.sub(lambda m: b"/" + m[1] + b" (D:19700101000000Z)", pdf)
