"""Drawing DOT text with the Graphviz ``dot`` executable: the only I/O of the renderer."""

from __future__ import annotations

import re

INSTALL_HINT = ("install Graphviz: apt-get install graphviz / brew install graphviz "
                "(or write .dot or Mermaid output, which need no Graphviz)")

GRAPHVIZ_FORMATS = ("svg", "png", "pdf")


class GraphvizMissing(RuntimeError):
    """The ``dot`` executable is not installed (or not on PATH)."""

    def __init__(self) -> None:
        super().__init__(f"the Graphviz 'dot' program was not found; {INSTALL_HINT}")


class GraphvizFailed(RuntimeError):
    """``dot`` ran but could not draw the diagram."""


def run_dot(dot_text: str, fmt: str) -> bytes:
    """Draw ``dot_text`` as ``fmt`` (svg, png or pdf) and return the bytes.

    Raises :class:`GraphvizMissing` when Graphviz is not installed.
    """
    import graphviz

    if fmt not in GRAPHVIZ_FORMATS:
        raise ValueError(f"unknown Graphviz format {fmt!r}")
    try:
        # layout=neato in the graph pins our grid; the engine named here is overridden.
        data = graphviz.pipe("dot", fmt, dot_text.encode("utf-8"), quiet=True)
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizMissing() from exc
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip()
        raise GraphvizFailed(f"Graphviz could not draw the diagram: {detail}") from exc
    return _fixed_pdf_dates(data) if fmt == "pdf" else data


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:[0-9]{14}Z\)")


def _fixed_pdf_dates(pdf: bytes) -> bytes:
    """Cairo stamps the current time into PDFs; pin it so the same input gives the same
    bytes. Same length, so the cross-reference offsets stay valid."""
    return _PDF_DATE.sub(lambda m: b"/" + m[1] + b" (D:19700101000000Z)", pdf)
