"""Hostile inputs (issue 9, input side): every YAML and policy the tool reads goes
through one hardened reader; each case gives its code, position and message, and the
CLI exits 2 without a traceback and without hanging."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_validate import GOOD, LINE, edit

from journeymap.cli import cli
from journeymap.policy import PolicyError, load_policy
from journeymap.spec import SpecError, load_spec
from journeymap.spec.yamlsource import MAX_DEPTH, read_source, read_text

ROOT = Path(__file__).resolve().parent.parent


def only_problem(path: Path) -> tuple[int, int, str, str]:
    """(line, column, code, message) of the one problem loading the spec at ``path``."""
    with pytest.raises(SpecError) as info:
        load_spec(str(path))
    assert len(info.value.diagnostics) == 1, info.value
    m = LINE.match(str(info.value.diagnostics[0]))
    assert m and m["path"] == str(path)
    return int(m["line"]), int(m["col"]), m["code"], m["msg"]


def spec_file(tmp_path: Path, text: str, name: str = "x.journey.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cli_fails_with(args: list[str], *needles: str) -> str:
    """Run the CLI in-process: exit 2, each needle in the output, no traceback."""
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for needle in needles:
        assert needle in result.output, result.output
    assert "Traceback" not in result.output
    return result.output


# --- recursive aliases -------------------------------------------------------------------

@pytest.mark.parametrize("text, line, col", [
    ("journey: &a [*a]\n", 1, 14),
    ("journey: &a {x: *a}\n", 1, 17),
    ("journey: &a {<<: *a}\n", 1, 18),
    ("journey: &a\n  x:\n    - y: [1, *a]\n", 3, 14),
], ids=["sequence", "mapping", "merge", "nested"])
def test_recursive_alias_is_refused_at_the_alias(tmp_path, text, line, col):
    path = spec_file(tmp_path, text)
    assert only_problem(path) == (line, col, "JM007",
        "alias '*a' is used inside the collection its anchor '&a' marks, so the document "
        "would be infinite (a recursive alias)")
    for command in ("validate", "analyze"):
        cli_fails_with([command, str(path)], f"{path}:{line}:{col}: error[JM007]")


def test_recursive_alias_in_a_folder_is_refused_by_check(tmp_path):
    (tmp_path / "specs").mkdir()
    spec_file(tmp_path / "specs", "journey: &a [*a]\n")
    cli_fails_with(["check", str(tmp_path / "specs")], "error[JM007]")


def test_aliases_that_are_not_recursive_still_work(tmp_path):
    text = "base: &b {kind: system, owner: them}\nx: {<<: *b, name: CRM}\ny: [*b, *b]\n"
    src = read_source("a.yaml", text)
    assert src.data["x"] == {"name": "CRM", "kind": "system", "owner": "them"}
    assert src.data["y"] == [{"kind": "system", "owner": "them"}] * 2
    assert str(src.where(("y", 1))) == "a.yaml:1:7"  # an alias is found where its anchor is


# --- nesting and expansion ----------------------------------------------------------------

@pytest.mark.parametrize("text, line, col", [
    ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", 1, 3 + MAX_DEPTH),  # the root is level 1
    ("- " * 100_000 + "x\n", 1, 1 + 2 * MAX_DEPTH),
    ("".join("  " * i + "k:\n" for i in range(200)), MAX_DEPTH + 1, 2 * MAX_DEPTH + 1),
], ids=["flow", "compact", "block"])
def test_deep_nesting_is_refused_without_recursion(tmp_path, text, line, col):
    # 100,000 levels crash libyaml's own composer (a C stack overflow, not an exception).
    path = spec_file(tmp_path, text)
    assert only_problem(path) == (line, col, "JM008",
        f"lists and mappings nest more than {MAX_DEPTH} deep here; journeymap reads "
        "documents up to that depth")
    cli_fails_with(["validate", str(path)], f"{path}:{line}:{col}: error[JM008]")


def test_nesting_up_to_the_limit_is_read(tmp_path):
    src = read_source("a.yaml", "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    depth, node = 0, src.data
    while isinstance(node, list):
        depth, node = depth + 1, (node[0] if node else None)
    assert depth == MAX_DEPTH


def test_billion_laughs_is_refused_at_the_alias_that_overflows(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]" for i in range(1, 12)]
    path = spec_file(tmp_path, "\n".join(lines) + "\n")
    line, col, code, msg = only_problem(path)
    assert (line, code) == (7, "JM004") and "2,000,000 values through aliases" in msg


# --- numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize("digits", [400, 5000])
def test_huge_integer_share_is_a_clear_error(tmp_path, digits):
    text = edit("    entry: true\n", f"    entry: true\n    share: {'9' * digits}\n")
    path = spec_file(tmp_path, text)
    line, col, code, msg = only_problem(path)
    assert (line, col, code) == (15, 12, "JM009")
    assert msg == (f"the whole number 999999999999…999999 ({digits:,} digits) is too large: "
                   "journeymap reads whole numbers up to 9,007,199,254,740,992 (2^53) exactly")
    cli_fails_with(["analyze", str(path)], f"{path}:15:12: error[JM009]")


def test_integers_up_to_2_to_the_53_are_exact():
    src = read_source("a.yaml", "a: 9007199254740992\nb: -9007199254740992\nc: 0x1F\n")
    assert src.data == {"a": 2 ** 53, "b": -(2 ** 53), "c": 31}
    with pytest.raises(SpecError, match="JM009"):
        read_source("a.yaml", "a: 9007199254740993\n")


@pytest.mark.parametrize("field, value", [
    ("share", ".nan"), ("share", ".inf"), ("share", "-.inf"), ("availability", ".nan"),
    ("availability", ".inf"), ("share", "1.0e+999"),
])
def test_numbers_must_be_finite(tmp_path, field, value):
    text = edit("    entry: true\n", f"    entry: true\n    {field}: {value}\n")
    path = spec_file(tmp_path, text)
    line, col, code, msg = only_problem(path)
    assert (line, code) == (15, "JM009") and col == len(f"    {field}: ") + 1
    assert msg.endswith("is not finite; journeymap needs finite numbers")
    cli_fails_with(["validate", str(path)], "error[JM009]")


def test_flow_line_share_nan_cannot_slip_past_the_gate(tmp_path):
    text = edit("  - start -> done\n", "  - {from: start, to: done, share: .nan}\n")
    path = spec_file(tmp_path, text)
    assert only_problem(path)[:3] == (28, 36, "JM009")
    cli_fails_with(["check", str(path)], "error[JM009]")


# --- only regular files -------------------------------------------------------------------

def run_cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A real process: if a FIFO blocked, the timeout (not a hung test run) would say so.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "journeymap", *args], capture_output=True,
                          text=True, timeout=60, env=env, cwd=tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_spec_and_policy_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "x.journey.yaml"
    os.mkfifo(fifo)
    result = run_cli(["validate", str(fifo)], tmp_path)
    assert result.returncode == 2
    assert (f"{fifo}:1:1: error[JM005]: cannot read file: it is a FIFO (named pipe), "
            "not a regular file") in result.stdout
    good = spec_file(tmp_path, GOOD, "good.yaml")
    result = run_cli(["check", "--policy", str(fifo), str(good)], tmp_path)
    assert result.returncode == 2
    assert f"{fifo}:1:1: error[JM005]: cannot read file: it is a FIFO" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_diff_names_a_fifo_for_what_it_is(tmp_path):
    fifo = tmp_path / "old.journey.yaml"
    os.mkfifo(fifo)
    good = spec_file(tmp_path, GOOD, "good.yaml")
    result = run_cli(["diff", str(fifo), str(good)], tmp_path)
    assert result.returncode == 2
    assert (f"{fifo}:1:1: error[JM005]: cannot read file: it is a FIFO"
            in result.stdout + result.stderr)
    result = run_cli(["diff", str(tmp_path), str(good)], tmp_path)
    assert result.returncode == 2
    assert "is a folder; diff takes two spec files" in result.stderr


def test_device_and_directory_are_refused(tmp_path):
    for path, kind in (("/dev/null", "a character device"), (str(tmp_path), "a directory")):
        with pytest.raises(SpecError) as info:
            read_text(path)
        assert str(info.value) == (f"{path}:1:1: error[JM005]: cannot read file: it is "
                                   f"{kind}, not a regular file")
    cli_fails_with(["validate", "/dev/null"], "error[JM005]", "a character device")
    cli_fails_with(["check", "--policy", "/dev/null", str(spec_file(tmp_path, GOOD))],
                   "/dev/null:1:1: error[JM005]")


# --- the policy file -----------------------------------------------------------------------

def policy_problems(tmp_path: Path, text: str, name: str = "journeymap.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(str(path))
    return [str(p).replace(str(tmp_path) + os.sep, "") for p in info.value.problems]


@pytest.mark.parametrize("text, expected", [
    ("rules: &a [*a]\n", "journeymap.yaml:1:12: error[JM007]: alias '*a' is used inside"),
    ("a: &a {<<: *a}\n", "journeymap.yaml:1:12: error[JM007]"),
    ("thresholds: " + "[" * 1000 + "]" * 1000 + "\n",
     f"journeymap.yaml:1:{13 + MAX_DEPTH - 1}: error[JM008]"),
    ("thresholds: {blast_radius: " + "9" * 5000 + "}\n",
     "journeymap.yaml:1:28: error[JM009]: the whole number 999999999999…999999 (5,000 digits) "
     "is too large"),
    ("thresholds: {blast_radius: .nan}\n",
     "journeymap.yaml:1:28: error[JM009]: the number .nan is not finite"),
    ("\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
               + [f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]" for i in range(1, 12)]),
     "journeymap.yaml:7:10: error[JM004]"),
], ids=["recursive", "recursive-merge", "deep", "5000-digits", "nan", "billion-laughs"])
def test_policy_goes_through_the_hardened_reader(tmp_path, text, expected):
    (problem,) = policy_problems(tmp_path, text)
    assert problem.startswith(expected), problem


def test_hostile_policy_exits_2_from_check(tmp_path, monkeypatch):
    (tmp_path / "journeymap.yaml").write_text("rules: &a [*a]\n")
    spec = spec_file(tmp_path, GOOD)
    monkeypatch.chdir(tmp_path)
    cli_fails_with(["check", str(spec)], "journeymap.yaml:1:12: error[JM007]",
                   "the policy file journeymap.yaml cannot be used")


@pytest.mark.parametrize("toml, expected", [
    ("[tool.journeymap.thresholds]\nblast_radius = " + "9" * 5000 + "\n",
     "pyproject.toml:2:16: error[JM009]: the whole number 999999999999…999999 (5,000 digits) "
     "is too large"),
    ("[tool.journeymap.thresholds]\nblast_radius = nan\n",
     "pyproject.toml:2:1: error[JM009]: the number .nan is not finite"),
    ("[tool.journeymap]\njourneys = " + "[" * 5000 + "]" * 5000 + "\n",
     "pyproject.toml:1:1: error[JM008]"),
    ("[tool.journeymap]\njourneys = " + "[" * 100 + "]" * 100 + "\n",
     "pyproject.toml:2:1: error[JM008]"),
], ids=["5000-digits", "nan", "deep-recursion", "deep"])
def test_toml_policy_numbers_and_nesting(tmp_path, toml, expected):
    (problem,) = policy_problems(tmp_path, toml, "pyproject.toml")
    assert problem.startswith(expected), problem


def test_unreadable_pyproject_is_reported_not_skipped(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.journeymap]\nfail_on = '\xff'\n")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    cli_fails_with(["check", str(spec_file(tmp_path, GOOD))],
                   "pyproject.toml:2:12: error[JM006]: file is not UTF-8 text (byte 0xff)")


@pytest.mark.parametrize("text, expected", [
    ("thresholds: {blast_radius: 0}\n",
     "journeymap.yaml:1:28: error[JM013]: threshold 'blast_radius' must be a number above 0 "
     "and at most 1"),
    ("thresholds: [1]\n",
     "journeymap.yaml:1:13: error[JM012]: 'thresholds' must be a mapping"),
    ("fail_on: loud\n",
     "journeymap.yaml:1:10: error[JM014]: 'fail_on' must be one of error, warning, note, "
     "not 'loud'"),
    ("journeys: 3\n",
     "journeymap.yaml:1:11: error[JM012]: 'journeys' must be a path or a list of paths"),
    ("waivers:\n  - {rule: JM101, reason: ' ', expires: 2027-01-01}\n",
     "journeymap.yaml:2:27: error[JM014]: a waiver's 'reason' must say why the risk is accepted"),
    ("waivers:\n  - {rule: JM101, reason: r, expires: 2027-02-30}\n",
     "journeymap.yaml:2:39: error[JM014]: 'expires' must be a date like 2027-01-31, "
     "not '2027-02-30'"),
    ("waivers:\n  - {rule: JM101, reason: r, expires: 2027-01-01, scope: all}\n",
     "journeymap.yaml:2:51: error[JM010]: unknown waiver key 'scope'"),
    ('waivers:\n  - {rule: JM101, element: "x\\n", reason: r, expires: 2027-01-01}\n',
     "journeymap.yaml:2:28: error[JM016]: 'element' of waiver #1 holds the control character "
     "U+000A (line break); ids are one line of plain text"),
])
def test_policy_schema_errors_have_positions_and_codes(tmp_path, text, expected):
    (problem,) = policy_problems(tmp_path, text)
    assert problem.startswith(expected), problem


def test_policy_schema_is_shipped_and_valid():
    import json

    import jsonschema

    from journeymap.policy import policy_schema_text

    schema = json.loads(policy_schema_text())
    jsonschema.Draft7Validator.check_schema(schema)
    assert set(schema["properties"]) == {"journeys", "fail_on", "thresholds", "rules", "waivers"}


# --- limits on text -----------------------------------------------------------------------

def test_ids_up_to_128_and_names_up_to_300_characters(tmp_path):
    ok = edit("id: crm", "id: " + "c" * 128).replace("needs: [crm]", f"needs: [{'c' * 128}]")
    load_spec(str(spec_file(tmp_path, edit("name: CRM", "name: " + "N" * 300, ok))))
    path = spec_file(tmp_path, edit("name: CRM", "name: " + "N" * 301))
    assert only_problem(path) == (24, 11, "JM015", "'name' of support 'crm' is 301 characters "
                                                   "long; it can be at most 300")
    cli_fails_with(["validate", str(path)], f"{path}:24:11: error[JM015]")
    path = spec_file(tmp_path, edit("channel: web\n    owner: us\n    entry",
                                    f"channel: {'w' * 100_000}\n    owner: us\n    entry"))
    load_spec(str(path))  # a channel is not a name: long, but plain text


def test_long_id_is_not_quoted_whole(tmp_path):
    long_id = "c" * 100_000
    path = spec_file(tmp_path, edit("id: crm", f"id: {long_id}").replace(
        "needs: [crm]", f"needs: [{long_id}]"))
    with pytest.raises(SpecError) as info:
        load_spec(str(path))
    lines = [str(d) for d in info.value.diagnostics]
    assert [d.code for d in info.value.diagnostics] == ["JM015"]
    assert lines[0].endswith("error[JM015]: an id of support #1 is 100,000 characters long; "
                             "it can be at most 128")
    assert max(map(len, lines)) < 300


@pytest.mark.parametrize("old, new, line, col, message", [
    ("name: CRM", 'name: "CR\\e]0;pwned\\aM"', 24, 11,
     "'name' of support 'crm' holds the control character U+001B (ESC) at character 3; "
     "ids, names and channels are one line of plain text"),
    ("name: CRM", 'name: "CRM\\nfake line"', 24, 11,
     "'name' of support 'crm' holds the control character U+000A (line break) at character 4; "
     "ids, names and channels are one line of plain text"),
    ("name: CRM", 'name: "C\\x9bRM"', 24, 11,
     "'name' of support 'crm' holds the control character U+009B (CSI) at character 2; "
     "ids, names and channels are one line of plain text"),
    ("name: CRM", 'name: "C\\x7fRM"', 24, 11,
     "'name' of support 'crm' holds the control character U+007F (DEL) at character 2; "
     "ids, names and channels are one line of plain text"),
    ("channel: web\n    owner: us\n    entry", 'channel: "w\\teb"\n    owner: us\n    entry',
     12, 14,
     "'channel' of touch-point 'start' holds the control character U+0009 (tab) at "
     "character 2; ids, names and channels are one line of plain text"),
    ("name: CRM", 'name: CRM\n    description: "first\\nsecond\\x1b[2J"', 25, 18,
     "'description' of support 'crm' holds the control character U+001B (ESC) at character "
     "13; descriptions and notes may hold line breaks, no other control characters"),
    ("  - start -> done\n", '  - {from: start, to: done, note: "a\\x00"}\n', 28, 35,
     "'note' of flow line #1 holds the control character U+0000 (NUL) at character 2; "
     "descriptions and notes may hold line breaks, no other control characters"),
    ("needs: [crm]", 'needs: [{id: crm, note: "\\x07"}]', 15, 29,
     "'note' of needs entry 'crm' holds the control character U+0007 (BEL) at character 1; "
     "descriptions and notes may hold line breaks, no other control characters"),
    ("journey: {id: j, name: Journey, owner: us}", 'journey: {id: j, name: "J\\rx", owner: us}',
     2, 24, "'name' of 'journey' holds the control character U+000D (carriage return) at "
            "character 2; ids, names and channels are one line of plain text"),
], ids=["esc", "newline", "c1-csi", "del", "tab-in-channel", "esc-in-description",
        "nul-in-flow-note", "bel-in-needs-note", "cr-in-journey-name"])
def test_control_characters(tmp_path, old, new, line, col, message):
    path = spec_file(tmp_path, edit(old, new))
    assert only_problem(path) == (line, col, "JM016", message)
    out = cli_fails_with(["validate", str(path)], f"{path}:{line}:{col}: error[JM016]")
    assert "\x1b" not in out and "\x9b" not in out


def test_control_character_in_an_id_is_reported_once_and_escaped(tmp_path):
    path = spec_file(tmp_path, edit("id: crm", 'id: "crm\\n"'))  # '$' in the id pattern
    with pytest.raises(SpecError) as info:                       # lets a trailing \n through
        load_spec(str(path))
    assert [(d.code, d.location.line) for d in info.value.diagnostics] == [
        ("JM021", 15), ("JM016", 23)]
    assert str(info.value.diagnostics[1]).endswith(
        "error[JM016]: 'id' of support #1 holds the control character U+000A (line break) "
        "at character 4; ids, names and channels are one line of plain text")
    path = spec_file(tmp_path, edit("id: crm", 'id: "c\\e]8;;http://x\\e\\\\rm"'))
    out = cli_fails_with(["validate", str(path)], "error[JM016]: 'id' of support #1 holds")
    assert "\x1b" not in out


def test_hostile_text_quoted_in_a_problem_is_escaped(tmp_path):
    path = spec_file(tmp_path, GOOD + '"\\e]0;owned\\a\\nerror: forged": 1\n')
    out = cli_fails_with(["validate", str(path)],
                         "error[JM010]: unknown field '\\x1b]0;owned\\x07\\x0aerror: forged' in "
                         "the spec")
    assert "\x1b" not in out and "\nerror: forged" not in out


def test_descriptions_may_hold_line_breaks(tmp_path):
    text = edit("name: CRM", "name: CRM\n    description: |\n      line one\n      line two")
    spec = load_spec(str(spec_file(tmp_path, text)))
    assert spec.by_id["crm"].description == "line one\nline two\n"


# --- numbers in range ----------------------------------------------------------------------

@pytest.mark.parametrize("value, ok", [("1000000000", True), ("1000000000.5", False),
                                       ("0.000001", True), ("0", False)])
def test_share_is_above_0_and_at_most_1e9(tmp_path, value, ok):
    path = spec_file(tmp_path, edit("  - start -> done\n",
                                    f"  - {{from: start, to: done, share: {value}}}\n"))
    if ok:
        load_spec(str(path))
        return
    line, col, code, msg = only_problem(path)
    assert (line, col, code) == (28, 36, "JM013")
    assert msg == (f"'share' is {float(value) if '.' in value else int(value)!r}, out of range: "
                   "it must be more than 0 and at most 1,000,000,000")
    cli_fails_with(["analyze", str(path)], f"{path}:28:36: error[JM013]")


# --- a journey nobody can complete ---------------------------------------------------------

def test_no_goal_reachable_from_any_entry_is_an_error(tmp_path):
    path = spec_file(tmp_path, edit("  - start -> done\n", "  - done -> start\n"))
    assert only_problem(path) == (27, 1, "JM030",
        "no goal can be reached from any entry, even with nothing failed: customers start at "
        "'start' and succeed at 'done', but no flow lines lead from an entry to a goal; add the "
        "flow lines customers take")
    for command in ("validate", "analyze", "check"):
        cli_fails_with([command, str(path)], f"{path}:27:1: error[JM030]")
    no_flow = spec_file(tmp_path, edit("flow:\n  - start -> done\n", ""), "no-flow.yaml")
    assert only_problem(no_flow)[:3] == (8, 1, "JM030")  # at 'touchpoints:'


def test_one_reachable_goal_is_enough(tmp_path):
    # 'side' can reach no goal, but customers entering at 'start' can: a valid journey.
    text = edit("touchpoints:\n", "touchpoints:\n  - {id: side, name: Side, entry: true}\n")
    load_spec(str(spec_file(tmp_path, text)))
    both = edit("    goal: true\n", "    goal: true\n    entry: true\n", edit(
        "    entry: true\n", "", edit("  - start -> done\n", "  - done -> start\n")))
    load_spec(str(spec_file(tmp_path, both, "entry-is-goal.yaml")))


# --- options and standard input --------------------------------------------------------------

def test_samples_are_bounded(tmp_path):
    path = str(spec_file(tmp_path, GOOD))
    result = CliRunner().invoke(cli, ["analyze", path, "--samples", "1000000000"])
    assert result.exit_code == 2
    assert "Invalid value for '--samples': 1000000000 is not in the range 0<=x<=100000" \
        in result.output
    assert CliRunner().invoke(cli, ["analyze", path, "--samples", "100000"]).exit_code == 0


def test_spec_from_standard_input():
    result = CliRunner().invoke(cli, ["validate", "-"], input=GOOD)
    assert result.exit_code == 0 and result.output.startswith("-: ok")
    result = CliRunner().invoke(cli, ["validate", "-"], input="journey: &a [*a]\n")
    assert result.exit_code == 2 and "-:1:14: error[JM007]" in result.output
