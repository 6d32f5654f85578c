"""One escaper per output target: text from a spec (names, ids, notes, paths) is data,
never formatting, markup, a terminal control or a CI command.

======================  =====================================================
target                  function
======================  =====================================================
terminal / CI log       :func:`terminal` (one piece of text), :func:`terminal_lines`
                        and :func:`log_lines` (a whole output: no line may start
                        with ``::``)
GitHub workflow command :func:`workflow_data`, :func:`workflow_property`
Markdown (GitHub)       :func:`markdown`, :func:`markdown_code`
HTML, SVG, XML text     :func:`html`, :func:`xml_chars`
JSON in HTML <script>   :func:`script_json`
DOT (Graphviz)          :func:`dot_string`, :func:`dot_html`
Mermaid                 :func:`mermaid`
Typst data (JSON)       :func:`typst_data`
======================  =====================================================

A leaf module (standard library only), so every layer may use it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

# --- terminal -------------------------------------------------------------------------

# ESC sequences, and their 8-bit C1 forms, including ones cut off by the end of the text
# (a truncated OSC would otherwise swallow everything printed after it):
#   CSI  ESC [ (or 0x9b) parameters, intermediates, final byte (if any)
#   OSC, DCS, SOS, PM, APC  ESC ] P X ^ _ (or 0x9d 0x90 0x98 0x9e 0x9f) ... BEL or ST;
#        without its terminator only the introducer goes, and what follows stays text
#   anything else: ESC, intermediates (0x20-0x2f), one final byte
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])(?:[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c))?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
# Line breaks of every kind become a space: one piece of text stays on one line.
_BREAK = re.compile(r"[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]")
# Other controls go: C0, DEL, C1; the bidirectional overrides and isolates that can
# make text display in another order than it reads ("Trojan Source"); lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                      r"\ud800-\udfff]")


# Anything terminal() would change; most text has none and is returned as it is.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
                     r"\ud800-\udfff]")
_UNSAFE_IN_LINES = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                              r"\u2028\u2029\ud800-\udfff]")  # the same, newline allowed


def terminal(text: object) -> str:
    """One piece of user text, safe to print on a terminal or in a CI log.

    Escape sequences (CSI, OSC such as window titles and hyperlinks) are removed with
    their parameters; of one cut off by the end of the text only the introducer goes
    (it can no longer swallow what is printed after it); line breaks become spaces,
    other control characters are dropped.

    >>> terminal("evil\\x1b]0;title\\x07 name\\n::error::x\\x1b[31 \\x1b]0;cut")
    'evil name ::error::x0;cut'
    """
    out = str(text)
    if not _UNSAFE.search(out):
        return out
    out = _SEQUENCE.sub("", out)
    out = _BREAK.sub(" ", out)
    return _CONTROL.sub("", out)


# Leading spaces and colour codes (SGR) do not stop a runner from reading a command.
_COMMAND_LINE = re.compile(r"^((?:\s|\x1b\[[0-9;]*m)*)(::|##\[)", re.M)


def log_lines(text: str) -> str:
    """A whole text output made safe for a CI log: a line that would start, after
    leading spaces, with ``::`` (a GitHub workflow command) or ``##[`` (the older form)
    gets a backslash in front, so the runner prints it instead of obeying it.

    >>> log_lines("ok\\n  ::add-mask::x\\n##[error]y")
    'ok\\n  \\\\::add-mask::x\\n\\\\##[error]y'
    """
    if "::" not in text and "##[" not in text:
        return text
    return _COMMAND_LINE.sub(lambda m: m[1] + "\\" + m[2], text)


def terminal_lines(text: str) -> str:
    """A whole plain-text output (no colour yet) for a terminal or CI log: each line
    through :func:`terminal`, then :func:`log_lines`.

    >>> terminal_lines("a\\x1b[2Jb\\n::error::x\\n")
    'ab\\n\\\\::error::x\\n'
    """
    if _UNSAFE_IN_LINES.search(text):
        text = "\n".join(terminal(line) for line in text.split("\n"))
    return log_lines(text)


# --- GitHub workflow commands -------------------------------------------------------------


def workflow_data(text: object) -> str:
    """A workflow command's message (after the last ``::``): terminal sequences and
    controls removed, then ``%``, CR, LF escaped (GitHub shows them as line breaks
    inside the one annotation).

    >>> workflow_data("50% lost\\n::error::x\\x1b]0;t\\x07")
    '50%25 lost%0A::error::x'
    """
    out = _CONTROL.sub("", _SEQUENCE.sub("", str(text)).replace("\t", " "))
    out = re.sub(r"[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", "\n", out)
    return out.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: object) -> str:
    """A workflow command's property value (``file=``, ``title=``): also ``:`` and ``,``.

    >>> workflow_property("a:b,c")
    'a%3Ab%2Cc'
    """
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


# --- Markdown (GitHub-flavoured) -------------------------------------------------------

# Backslash-escaped wherever they stand: emphasis, code, links and images, tables,
# strikethrough, math, and the backslash itself.
_MD_CHARS = {ord(c): "\\" + c for c in "\\`*_{}[]()|~!$"}
_MD_CHARS.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"})
_WWW = re.compile(r"(?i)\b(www)\.")
_MD_LINE_START = re.compile(r"^(?:([#+=-])|(\d+)([.)]))")


def markdown(text: object) -> str:
    """User text for GitHub-flavoured Markdown, inline or in a table cell: it renders
    as the literal text, on one line (no links, images, HTML, emphasis, code, cell
    breaks, headings or lists).

    >>> markdown("Host [l](http://evil) <b>x</b> *y* a|b")
    'Host \\\\[l\\\\]\\\\(http\\\\://evil\\\\) &lt;b&gt;x&lt;/b&gt; \\\\*y\\\\* a\\\\|b'
    """
    out = " ".join(terminal(text).split())
    # HTML tags, autolinks <...> and entities as text; punctuation backslash-escaped.
    out = out.translate(_MD_CHARS)
    # Bare URLs (GFM autolinks http://, https://, ftp://, www.).
    if ":" in out:
        out = out.replace("://", "\\://")
    if "." in out:
        out = _WWW.sub(r"\1\\.", out)
    # A leading "# ", "- ", "+ ", "= ", "1. " would start a heading, list or quote.
    return _MD_LINE_START.sub(lambda m: "\\" + m[1] if m[1] else f"{m[2]}\\{m[3]}", out)


def markdown_code(text: object, table: bool = False) -> str:
    """User text as an inline code span (paths, ids): the fence is longer than any run
    of backticks inside; in a table cell ``|`` is escaped too (GFM splits cells on it
    even inside code).

    >>> markdown_code("a`b")
    '``a`b``'
    """
    body = " ".join(terminal(text).split())
    runs = [len(r) for r in re.findall(r"`+", body)]
    fence = "`" * (max(runs, default=0) + 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    if table:
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}"


# --- HTML, SVG, XML -------------------------------------------------------------------------

# Characters XML 1.0 forbids (an SVG would not parse), and the C1 controls HTML calls
# errors.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_chars(text: str) -> str:
    """Drop the characters XML 1.0 forbids (for text handed to a serializer that escapes
    ``& < >`` itself, such as ElementTree)."""
    return _NOT_XML.sub("", text)


def html(text: object, quote: bool = True) -> str:
    """Text (or an attribute value) in HTML, SVG or any XML: ``& < > " '`` as entities,
    characters XML forbids dropped.

    >>> html('<b onclick="x">R&D</b>\\x01')
    '&lt;b onclick=&quot;x&quot;&gt;R&amp;D&lt;/b&gt;'
    """
    out = (xml_chars(str(text)).replace("&", "&amp;").replace("<", "&lt;")
           .replace(">", "&gt;"))
    if quote:
        out = out.replace('"', "&quot;").replace("'", "&#x27;")
    return out


def script_json(data: Any) -> str:
    """JSON safe to place inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``/``\\u003e``/``\\u0026`` (so no ``</script>``
    or ``<!--`` can end or change the element), and U+2028/U+2029 are escaped (line
    terminators to older JavaScript parsers). Still valid JSON, same value.

    >>> script_json({"name": "</script><b>&"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --- DOT (Graphviz) --------------------------------------------------------------------------

# Graphviz refuses a quoted string longer than 16384 bytes; stay well below.
DOT_MAX_BYTES = 16000
_DOT_DROP = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _fit(text: str, max_bytes: int) -> str:
    """``text`` cut to ``max_bytes`` of UTF-8; a cut text ends in ``…`` and a digest of
    the whole, so two long ids that share a beginning stay two nodes."""
    raw = text.encode("utf-8", "replace")
    if len(raw) <= max_bytes:
        return text
    digest = hashlib.sha256(raw).hexdigest()[:12]
    return raw[: max_bytes - 20].decode("utf-8", "ignore") + "…" + digest


def dot_string(text: object) -> str:
    """A DOT double-quoted string (ids, plain attributes such as tooltips): ``\\`` and
    ``"`` escaped (so ``\\N``, ``\\G`` and friends stay text), newlines as ``\\n``,
    controls dropped, shortened below Graphviz's string limit.

    >>> dot_string('say "hi"\\nnow')
    '"say \\\\"hi\\\\"\\\\nnow"'
    """
    out = _fit(_DOT_DROP.sub("", str(text)), DOT_MAX_BYTES // 2)  # escapes can double it
    out = out.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{out}"'


def dot_html(text: object) -> str:
    """Text inside a Graphviz HTML-like label: entities escaped, newlines as ``<BR/>``,
    controls dropped.

    >>> dot_html('R&D <beta> "x"')
    'R&amp;D &lt;beta&gt; &quot;x&quot;'
    """
    out = _fit(_DOT_DROP.sub("", str(text)), DOT_MAX_BYTES // 6)
    out = (out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
           .replace('"', "&quot;"))
    return "<BR/>".join(out.split("\n"))


# --- Mermaid --------------------------------------------------------------------------------

_MERMAID = {"#": "#35;", "&": "#amp;", "<": "#lt;", ">": "#gt;", '"': "#quot;",
            "`": "#96;", "\n": "<br/>"}


def mermaid(text: object) -> str:
    """Text for a quoted Mermaid label: entity codes for every character Mermaid (or the
    Markdown fence around it: backticks) would parse; newlines as ``<br/>``.

    >>> mermaid('R&D <b> "x" #1 ```')
    'R#amp;D #lt;b#gt; #quot;x#quot; #35;1 #96;#96;#96;'
    """
    out = _DOT_DROP.sub("", str(text).replace("\r\n", "\n"))
    return "".join(_MERMAID.get(ch, ch) for ch in out)


# --- Typst data ---------------------------------------------------------------------------


def typst_data(value: Any) -> Any:
    """A JSON-able value for the Typst template (which prints strings, never evaluates
    them): every string with its control characters (except newline and tab) and lone
    surrogates removed, so the JSON encodes and Typst shows what is there.

    >>> typst_data({"name": "a\\x00b\\ud800", "n": [1, "x\\ny"]})
    {'name': 'ab', 'n': [1, 'x\\ny']}
    """
    if isinstance(value, str):
        return _DOT_DROP.sub("", value.replace("\r\n", "\n"))
    if isinstance(value, dict):
        return {typst_data(k): typst_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [typst_data(v) for v in value]
    return value


__all__ = ["DOT_MAX_BYTES", "dot_html", "dot_string", "html", "log_lines", "markdown",
           "markdown_code", "mermaid", "script_json", "terminal", "terminal_lines", "typst_data",
           "workflow_data", "workflow_property", "xml_chars"]
