"""Graphviz as a child process: a time limit, and the real reason whenever a diagram
cannot be drawn (``render`` exits 2 with it; ``report`` builds and says it on stderr and
in the document). Fake ``dot`` programs on PATH stand in for a hanging, a failing and
a garbage-printing Graphviz."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import cli
from journeymap.render import GraphvizFailed, GraphvizMissing, GraphvizTimeout, run_dot
from journeymap.render.graphviz_run import DEFAULT_TIMEOUT, graphviz_timeout, set_graphviz_timeout

STARTER = Path(__file__).resolve().parent.parent / "journeymap" / "spec" / "starter.journey.yaml"
HAS_DOT = shutil.which("dot") is not None
SMALL = "digraph g { a -> b }"


def fake_dot(tmp_path: Path, name: str, body: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    exe = folder / "dot"
    exe.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    exe.chmod(0o755)
    return folder


@pytest.fixture(autouse=True)
def _no_override():
    set_graphviz_timeout(None)
    yield
    set_graphviz_timeout(None)


@pytest.fixture
def hanging(tmp_path, monkeypatch):
    # A shell with a child: stopping the shell alone would leave `sleep` running.
    folder = fake_dot(tmp_path, "hang", f"sleep 60 &\necho $! > {tmp_path}/pid\nwait")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


@pytest.fixture
def garbage(tmp_path, monkeypatch):
    folder = fake_dot(tmp_path, "garbage", "cat > /dev/null\nprintf 'GARBAGE %s' '<<not svg'")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def failing(tmp_path, monkeypatch):
    folder = fake_dot(tmp_path, "failing",
                      "cat > /dev/null\necho 'Error: <stdin>: out of \x1b[31mmemory' >&2\nexit 3")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_a_hanging_dot_is_stopped_at_the_limit(hanging):
    start = time.monotonic()
    with pytest.raises(GraphvizTimeout, match=r"did not finish within 0\.5 s.*--graphviz-timeout"):
        run_dot(SMALL, "svg", timeout=0.5)
    assert time.monotonic() - start < 10
    # The whole process group is gone: the shell's `sleep` child did not outlive it.
    pid = int((hanging / "pid").read_text())
    deadline = time.monotonic() + 5
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(pid)


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"  # a zombie is dead, just not reaped


def test_render_with_a_hanging_dot_exits_2_with_the_reason(hanging, tmp_path):
    out = tmp_path / "x.svg"
    start = time.monotonic()
    result = run("render", str(STARTER), "-o", str(out), "--graphviz-timeout", "0.5")
    assert time.monotonic() - start < 15
    assert result.exit_code == 2, result.output
    assert "did not finish within 0.5 s" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_the_limit_comes_from_the_environment_too(hanging, tmp_path):
    result = run("render", str(STARTER), "-o", str(tmp_path / "x.svg"),
                 env={"JOURNEYMAP_GRAPHVIZ_TIMEOUT": "0.5"})
    assert result.exit_code == 2 and "within 0.5 s" in result.output


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_a_bad_limit_is_a_usage_error(value, tmp_path):
    result = run("render", str(STARTER), "-o", str(tmp_path / "x.svg"), "--graphviz-timeout", value)
    assert result.exit_code == 2 and "--graphviz-timeout" in result.output
    assert "Traceback" not in result.output


def test_default_limit(monkeypatch):
    monkeypatch.delenv("JOURNEYMAP_GRAPHVIZ_TIMEOUT", raising=False)
    assert graphviz_timeout() == DEFAULT_TIMEOUT == 300
    monkeypatch.setenv("JOURNEYMAP_GRAPHVIZ_TIMEOUT", "12")
    assert graphviz_timeout() == 12
    set_graphviz_timeout(3)
    assert graphviz_timeout() == 3


@pytest.mark.parametrize("fmt,what", [("svg", "not an SVG"), ("png", "not a PNG"),
                                      ("pdf", "not a PDF")])
def test_garbage_output_is_refused(garbage, fmt, what):
    with pytest.raises(GraphvizFailed, match=what):
        run_dot(SMALL, fmt)


def test_a_failing_dot_gives_its_own_message(failing, tmp_path):
    with pytest.raises(GraphvizFailed) as err:
        run_dot(SMALL, "svg")
    assert "exit status 3" in str(err.value) and "out of" in str(err.value)
    assert "\x1b" not in str(err.value)  # dot's message is printed, its escapes are not
    result = run("render", str(STARTER), "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and "out of" in result.output


def _report(tmp_path: Path, suffix: str):
    out = tmp_path / f"r{suffix}"
    result = run("report", str(STARTER), "-o", str(out), "--date", "2026-01-01")
    return result, out


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no pdftotext")


@needs_pdftotext
def test_report_with_garbage_dot_says_why_and_does_not_crash(garbage, tmp_path):
    result, out = _report(tmp_path, ".pdf")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "PdfError" not in result.output
    assert "a diagram was not drawn" in result.output and "not an SVG" in result.output
    text = " ".join(_pdf_text(out).split())
    assert "Diagram not drawn: Graphviz 'dot'" in text and "not an SVG" in text
    assert "install Graphviz" not in text


def test_report_with_failing_dot_says_why_in_html(failing, tmp_path):
    result, out = _report(tmp_path, ".html")
    assert result.exit_code == 0, result.output
    assert result.output.count("a diagram was not drawn") == 1  # once per reason
    page = out.read_text(encoding="utf-8")
    assert "Diagram not drawn: Graphviz &#x27;dot&#x27; failed (exit status 3)" in page
    assert "install Graphviz" not in page


def test_report_with_hanging_dot_says_it_timed_out(hanging, tmp_path):
    out = tmp_path / "r.html"
    result = run("report", str(STARTER), "-o", str(out), "--date", "2026-01-01",
                 "--graphviz-timeout", "0.5")
    assert result.exit_code == 0, result.output
    assert "did not finish within 0.5 s" in result.output
    assert "did not finish within 0.5 s" in out.read_text(encoding="utf-8")


def test_report_without_graphviz_names_the_real_cause(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GraphvizMissing):
        run_dot(SMALL, "svg")
    result, out = _report(tmp_path, ".html")
    assert result.exit_code == 0
    assert "'dot' program was not found" in result.output
    assert "Diagram not drawn: the Graphviz &#x27;dot&#x27; program was not found" in \
        out.read_text(encoding="utf-8")


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")
def test_a_string_over_graphvizs_limit(tmp_path):
    # Graphviz refuses quoted strings over 16 KiB and says so: that is the reason given.
    with pytest.raises(GraphvizFailed, match="longer than 16384"):
        run_dot('digraph g { "' + "a" * 100_000 + '" }', "svg")
    # Our DOT never holds one: long strings are cut (with a digest, so ids stay distinct),
    # and a journey with a 100k-character id is drawn.
    text = STARTER.read_text(encoding="utf-8").replace("short-link", "a" * 100_000)
    spec = tmp_path / "long.journey.yaml"
    spec.write_text(text, encoding="utf-8")
    from journeymap.spec import SpecError, load_spec
    try:
        load_spec(str(spec))
    except SpecError:
        pytest.skip("the spec limits refuse an id this long before drawing")
    out = tmp_path / "r.html"
    result = run("report", str(spec), "-o", str(out), "--date", "2026-01-01")
    assert result.exit_code == 0 and "not drawn" not in result.output
    assert "Diagram not drawn" not in out.read_text(encoding="utf-8")
