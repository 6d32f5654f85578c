"""Output a hostile pull request cannot forge: one escaper per target (journeymap.escape),
each tried with hostile names, end to end through the CLI; exit codes CI can trust."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from journeymap import escape
from journeymap.cli import cli

# A workflow command hidden behind a newline, terminal sequences (window title, screen
# clear, a hyperlink, a truncated OSC that would swallow the rest), Markdown and HTML.
CMD = ("x\n::error file=a.yaml,line=1::forged\n::add-mask::secret\n::stop-commands::tok\n"
       "##[error]old")
ESC = "a\x1b]0;pwned\x07b\x1b[2J\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ \x9b31m c\x1b]0;trunc"
MD = "Host [l](http://evil) <b>x</b> ![i](http://e/i.png) `c` *e* _u_ | p ~~s~~ $m$ www.evil.com"
LEAD = "::error::at the start"  # no control characters: valid in any spec


def run(*args: str, **kw):
    return CliRunner().invoke(cli, list(args), **kw)


# ------------------------------------------------------------------------- unit: escapers


@pytest.mark.parametrize("text", [CMD, ESC, MD, LEAD, "\x1b", "\x1b[", "\x1b]", "\x9d8;;x",
                                  "a\x00b\x7fc\x85d\u202eevil\u2066"])
def test_terminal_leaves_no_control_and_one_line(text):
    out = escape.terminal(text)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
    assert "\n" not in out


def test_terminal_removes_whole_sequences_not_just_the_escape():
    assert escape.terminal(ESC) == "ablink  c0;trunc"
    # A sequence cut off by the end loses its introducer and cannot swallow what follows.
    assert escape.terminal("ok \x1b]0;title never ends") == "ok 0;title never ends"
    assert escape.terminal("plain café → ✓") == "plain café → ✓"


def test_log_lines_leaves_no_command_line():
    out = escape.terminal_lines(f"a\n{CMD}\n  {LEAD}\n")
    for line in out.splitlines():
        assert not line.lstrip().startswith(("::", "##["))
    assert "\\::error file=a.yaml,line=1::forged" in out  # still readable
    assert escape.log_lines("\x1b[1m  ::error::x") == "\x1b[1m  \\::error::x"  # colour first


def test_workflow_escapers():
    data = escape.workflow_data("50%\r\n::error::x")
    assert data == "50%25%0D%0A::error::x" and "\n" not in data
    prop = escape.workflow_property("a:b,c\n%")
    assert prop == "a%3Ab%2Cc%0A%25"


@pytest.mark.parametrize("text", [MD, CMD, "# h", "- item", "+ item", "1. one", "2) two",
                                  "=== ", "> quote", "a\\b", "&lt;b&gt;", "<http://x>",
                                  "x@example.com", "| a | b |"])
def test_markdown_is_literal(text):
    out = escape.markdown(text)
    assert "\n" not in out
    # No live markup: every special character escaped or an entity.
    assert not re.search(r"(?<!\\)[\[\]()`*_|~$!]", out)
    assert "<" not in out and ">" not in out and not re.search(r"&(?!amp;|lt;|gt;)", out)
    assert "://" not in out.replace("\\://", "") and "www." not in out.lower()
    assert not re.match(r"\s*([#+=-]|\d+[.)])", out)


def test_markdown_renders_back_to_the_text():
    # Undo the escapes the way a CommonMark renderer reads them: the text comes back.
    import html

    for text in (MD, "# a - b", "1. one", "a\\b"):
        shown = html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escape.markdown(text)))
        assert shown == " ".join(text.split())


def test_markdown_code_cannot_be_closed_early():
    assert escape.markdown_code("a``b`") == "``` a``b` ```"
    assert escape.markdown_code("a|b", table=True) == "`a\\|b`"
    assert escape.markdown_code("x\ny") == "`x y`"


def test_html_escaper():
    out = escape.html('<img src=x onerror="a">\'&\x01\x0b')
    assert out == "&lt;img src=x onerror=&quot;a&quot;&gt;&#x27;&amp;"
    ET.fromstring(f"<t a=\"{out}\">{out}</t>")  # well-formed XML, as text and attribute


def test_dot_escapers_keep_graphviz_from_reading_markup():
    s = escape.dot_string('a"b\\N\nc\x00')
    assert s == '"a\\"b\\\\N\\nc"'
    assert escape.dot_html("<b>&\n") == "&lt;b&gt;&amp;<BR/>"
    long_a, long_b = escape.dot_string("x" * 20000 + "a"), escape.dot_string("x" * 20000 + "b")
    assert len(long_a.encode()) < 16384 and long_a != long_b


def test_mermaid_escaper():
    out = escape.mermaid('"]\n```\nclick a "http://e" #1;')
    assert '"' not in out and "`" not in out and "\n" not in out and "]" in out
    assert out.startswith("#quot;]<br/>#96;#96;#96;")


def test_typst_data_is_clean_json():
    import json

    doc = escape.typst_data({"a": ["x\x00y\ud800", ("z\r\n",)], "b": 1.5})
    assert doc == {"a": ["xy", ["z\n"]], "b": 1.5}
    json.dumps(doc, ensure_ascii=False).encode("utf-8")


# -------------------------------------------------------------- end to end through the CLI


def spec_yaml(name: str, party: str, stage: str, element: str) -> str:
    return yaml.safe_dump({
        "journeymap": 1,
        "journey": {"id": "j1", "name": name, "owner": "us"},
        "stages": [{"id": "s1", "name": stage}, {"id": "s2", "name": "Finish"}],
        "parties": [{"id": "us", "name": "Us", "control": "internal"},
                    {"id": "vh", "name": party, "control": "external"}],
        "touchpoints": [
            {"id": "mail", "name": element, "stage": "s1", "channel": "email", "owner": "us",
             "entry": True},
            {"id": "watch", "name": "Watch", "stage": "s2", "channel": "video", "owner": "us",
             "goal": True, "needs": ["host"]}],
        "supports": [{"id": "host", "name": element, "kind": "vendor", "owner": "vh"}],
        "flow": ["mail -> watch"],
    }, allow_unicode=True, sort_keys=False)


def policy_yaml(reason: str) -> str:
    return yaml.safe_dump({"waivers": [
        {"rule": "JM102", "element": "host", "reason": reason, "expires": "2099-01-01"},
        {"rule": "JM108", "reason": reason, "expires": "2000-01-01"}]}, allow_unicode=True)


OURS = re.compile(r"::(error|warning|notice) file=[^,:\n]*,line=\d+,col=\d+,title=[^,:\n]*::[^\n]*")


def assert_log_safe(text: str, ours: int | None = None, json: bool = False) -> None:
    """No terminal control; every line that starts with '::' is one of our annotations.
    (JSON escapes C0 itself and carries C1 characters as data.)"""
    controls = r"[\x00-\x09\x0b-\x1f]" if json else r"[\x00-\x09\x0b-\x1f\x7f-\x9f]"
    assert not re.search(controls, text), repr(text)
    commands = [ln for ln in text.splitlines() if ln.lstrip().startswith(("::", "##["))]
    for line in commands:
        assert OURS.fullmatch(line), line
    if ours is not None:
        assert len(commands) == ours


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """A folder with specs whose names carry each attack (each spec is either refused
    with a clear error or reported; either way the output must be safe)."""
    monkeypatch.chdir(tmp_path)
    specs = tmp_path / "specs"
    specs.mkdir()
    cases = {"cmd": (CMD, CMD, CMD, CMD), "esc": (ESC, ESC, ESC, ESC),
             "md": (MD, MD, MD, MD), "lead": (LEAD, LEAD, LEAD, LEAD)}
    for key, (name, party, stage, element) in cases.items():
        (specs / f"{key}.journey.yaml").write_text(spec_yaml(name, party, stage, element),
                                                   encoding="utf-8")
    # A file name a spec author controls, too.
    (specs / "::error::named.journey.yaml").write_text(spec_yaml(LEAD, "P", "S", "E"),
                                                      encoding="utf-8")
    (tmp_path / "journeymap.yaml").write_text(policy_yaml(CMD + ESC), encoding="utf-8")
    return specs


def valid_specs(folder: Path) -> list[Path]:
    ok = []
    for p in sorted(folder.glob("*.yaml")):
        result = run("validate", str(p))
        assert_log_safe(result.output)
        if result.exit_code == 0:
            ok.append(p)
        else:
            assert result.exit_code == 2 and "Traceback" not in result.output
    return ok


@pytest.mark.parametrize("fmt", ["text", "github", "junit", "markdown", "json", "sarif"])
def test_check_output_cannot_be_forged(hostile, fmt):
    good = valid_specs(hostile)
    assert good, "at least the plain-text attacks are valid specs"
    result = run("check", *map(str, good), "--format", fmt, "--today", "2026-01-01")
    assert result.exit_code in (0, 1), result.output
    assert_log_safe(result.stderr)
    assert_log_safe(result.stdout, json=fmt in ("json", "sarif"))
    if fmt in ("text", "github", "junit", "markdown"):
        n = result.stdout.count("\n::") + result.stdout.startswith("::") if fmt == "github" else 0
        assert_log_safe(result.stdout, ours=n)
    if fmt == "github":
        annotations = [ln for ln in result.stdout.splitlines() if ln.startswith("::")]
        assert annotations and all(OURS.fullmatch(a) for a in annotations)
        assert "\n::add-mask::" not in result.stdout  # only ever data inside our annotation
    if fmt == "junit":
        ET.fromstring(result.stdout.split("\n", 1)[1])
    if fmt == "markdown":
        assert "<b>" not in result.stdout and "](http" not in result.stdout


def test_check_with_the_hostile_folder_as_a_whole(hostile):
    # Refused specs are reported (paths and messages made safe), never a forged command.
    result = run("check", str(hostile), "--format", "github", "--today", "2026-01-01")
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    assert_log_safe(result.stdout)
    assert_log_safe(result.stderr)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_analyze_output_cannot_be_forged(hostile, fmt):
    for spec in valid_specs(hostile):
        result = run("analyze", str(spec), "--format", fmt, "--color", "never")
        assert result.exit_code == 0, result.output
        assert_log_safe(result.output, ours=0, json=fmt == "json")
        if fmt == "markdown":
            assert "<b>" not in result.stdout and "](http" not in result.stdout
            assert "\\[l\\]\\(http\\://evil\\)" in result.stdout or MD not in spec.read_text()


def test_markdown_name_is_literal_text_in_analyze(tmp_path):
    spec = tmp_path / "m.journey.yaml"
    spec.write_text(spec_yaml(MD, "Vendor", "Stage", "Host"), encoding="utf-8")
    out = run("analyze", str(spec), "--format", "markdown").stdout
    heading = next(ln for ln in out.splitlines() if ln.startswith("## "))
    assert heading == ("## Host \\[l\\]\\(http\\://evil\\) &lt;b&gt;x&lt;/b&gt; \\!\\[i\\]"
                       "\\(http\\://e/i.png\\) \\`c\\` \\*e\\* \\_u\\_ \\| p \\~\\~s\\~\\~ "
                       "\\$m\\$ www\\.evil.com")


def test_simulate_and_validate_and_diff_are_safe(hostile):
    good = valid_specs(hostile)
    for spec in good:
        result = run("simulate", str(spec), "--fail", "host", "--color", "never")
        assert result.exit_code == 0 and "Traceback" not in result.output
        assert_log_safe(result.output, ours=0)
    result = run("diff", str(good[0]), str(good[-1]))
    assert result.exit_code == 0
    assert_log_safe(result.output, ours=0)


def test_report_and_diagrams_keep_names_as_text(hostile, tmp_path):
    for spec in valid_specs(hostile):
        html_out = tmp_path / f"{spec.stem}.html"
        result = run("report", str(spec), "-o", str(html_out), "--date", "2026-01-01")
        assert result.exit_code == 0, result.output
        assert_log_safe(result.output)
        page = html_out.read_text(encoding="utf-8")
        assert "<b>x</b>" not in page and 'href="http://evil' not in page
        md_out = tmp_path / f"{spec.stem}.md"
        assert run("report", str(spec), "-o", str(md_out), "--date", "2026-01-01").exit_code == 0
        assert "](http" not in md_out.read_text(encoding="utf-8")
        for fmt in ("dot", "mermaid"):
            result = run("render", str(spec), "--format", fmt)
            assert result.exit_code == 0 and "\x1b" not in result.stdout
        mermaid = run("render", str(spec), "--format", "mermaid").stdout
        # The title is a JSON string in the front matter (text); the chart is escaped.
        body = mermaid.split("\n---\n", 1)[1]
        assert "`" not in body and "<b>x</b>" not in body
        assert not any(ln.lstrip().startswith("```") for ln in mermaid.splitlines())


# ------------------------------------------------------------------------------- exit codes


STARTER = Path(__file__).resolve().parent.parent / "journeymap" / "spec" / "starter.journey.yaml"


def _boom(*args, **kwargs):
    raise ZeroDivisionError("the engine divided by zero")


@pytest.mark.parametrize("command,target", [
    (["analyze"], "journeymap.analysis.analyze"),
    (["check"], "journeymap.check.run_rules"),
    (["render", "--format", "dot"], "journeymap.render.render"),
    (["report", "-o", "{tmp}/r.md"], "journeymap.report.build_reports"),
])
def test_a_crash_is_exit_3_never_1(command, target, monkeypatch, tmp_path):
    monkeypatch.setattr(target, _boom)
    args = [a.replace("{tmp}", str(tmp_path)) for a in command] + [str(STARTER)]
    result = run(*args)
    assert result.exit_code == 3, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "internal error (a bug in journeymap" in lines[0]
    assert "ZeroDivisionError: the engine divided by zero" in lines[0]
    assert "report it" in lines[0] and "--debug" in lines[0]


def test_debug_prints_the_traceback(monkeypatch):
    monkeypatch.setattr("journeymap.analysis.analyze", _boom)
    result = run("--debug", "analyze", str(STARTER))
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr and "_boom" in result.stderr
    result = run("analyze", str(STARTER), env={"JOURNEYMAP_DEBUG": "1"})
    assert result.exit_code == 3 and "Traceback" in result.stderr


def test_exit_codes_0_1_2(tmp_path):
    assert run("analyze", str(STARTER)).exit_code == 0
    assert run("analyze", str(STARTER), "--fail-on", "spof").exit_code == 1
    assert run("analyze", str(STARTER), "--no-such-option").exit_code == 2
    bad = tmp_path / "bad.journey.yaml"
    bad.write_text("journeymap: 1\n", encoding="utf-8")
    assert run("analyze", str(bad)).exit_code == 2


# ------------------------------------------------- Markdown through GitHub's own renderer


def test_github_renders_escaped_markdown_as_the_literal_text():
    cmarkgfm = pytest.importorskip("cmarkgfm")  # bindings to GitHub's cmark-gfm
    import html

    for text in (MD, "see http://evil.com and www.evil.com", "1. one", "# h", "- x",
                 "<http://x>", "a &amp; b", "~~s~~ *e* _u_ `c` $m$", "<script>x</script>"):
        shown = cmarkgfm.github_flavored_markdown_to_html(escape.markdown(text))
        assert shown.startswith("<p>") and shown.strip().endswith("</p>"), shown
        inner = shown.strip()[3:-4]
        assert "<" not in inner, shown  # no link, image, emphasis, code or HTML element
        assert html.unescape(inner) == text
    table = ("| a | b |\n|---|---|\n| " + escape.markdown_code("x|`y`", table=True)
             + " | " + escape.markdown("p|q") + " |")
    shown = cmarkgfm.github_flavored_markdown_to_html(table)
    assert "<td><code>x|`y`</code></td>" in shown and "<td>p|q</td>" in shown


def test_the_escapers_examples_hold():
    import doctest

    assert doctest.testmod(escape).failed == 0


def test_a_file_name_that_starts_a_line_is_neutralised(hostile, monkeypatch):
    # Given as a relative path, the file name starts lines of the text report and of
    # validate's output, and its diagnostics when it is broken.
    monkeypatch.chdir(hostile)
    name = "::error::named.journey.yaml"
    for args in (["check", name, "--format", "github", "--today", "2026-01-01"],
                 ["check", ".", "--format", "text", "--today", "2026-01-01"],
                 ["validate", name], ["analyze", name]):
        result = run(*args)
        assert result.exit_code in (0, 1, 2), result.output
        assert_log_safe(result.stdout, ours=None)
        assert_log_safe(result.stderr, ours=0)
        assert "Traceback" not in result.output
    broken = "::warning::broken.journey.yaml"
    Path(broken).write_text("journeymap: 1\njourney: {id: x}\n", encoding="utf-8")
    result = run("check", broken, "--format", "github")
    assert result.exit_code == 2 and "\\::warning::broken.journey.yaml" in result.stderr
    assert_log_safe(result.output, ours=0)


def test_colour_output_carries_only_our_colours(hostile):
    for spec in valid_specs(hostile):
        for args in (["analyze", str(spec)], ["simulate", str(spec), "--fail", "host"],
                     ["check", str(spec), "--today", "2026-01-01"]):
            out = run(*args, "--color", "always").stdout
            assert "\x1b[" in out  # coloured
            stripped = re.sub(r"\x1b\[[0-9;]*m", "", out)  # our styles (SGR) only
            assert_log_safe(stripped, ours=0)
