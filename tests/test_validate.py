"""The spec loader and `journeymap validate`: every listed bad input, exact code and position."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from journeymap.cli import cli
from journeymap.spec import SpecError, load_spec, yamlsource

LINE = re.compile(
    r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): error\[(?P<code>JM\d{3})\]: (?P<msg>.+)$")

GOOD = textwrap.dedent("""\
    journeymap: 1
    journey: {id: j, name: Journey, owner: us}
    stages:
      - {id: s1, name: One}
    parties:
      - {id: us, name: Us, control: internal}
      - {id: them, name: Them, control: external}
    touchpoints:
      - id: start
        name: Start
        stage: s1
        channel: web
        owner: us
        entry: true
        needs: [crm]
      - id: done
        name: Done
        stage: s1
        channel: web
        owner: us
        goal: true
    supports:
      - id: crm
        name: CRM
        kind: system
        owner: them
    flow:
      - start -> done
    """)


def problems(text: str, tmp_path: Path) -> list[tuple[int, int, str, str]]:
    """(line, column, code, message) of every problem the loader reports."""
    path = tmp_path / "x.journey.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(str(path))
    out = []
    for d in info.value.diagnostics:
        m = LINE.match(str(d))
        assert m, f"not in path:line:col: error[CODE]: message shape: {d}"
        assert m["path"] == str(path)
        out.append((int(m["line"]), int(m["col"]), m["code"], m["msg"]))
    return out


def edit(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_good_spec_loads_with_positions(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(GOOD)
    spec = load_spec(str(path))
    assert [e.id for e in spec.elements] == ["start", "done", "crm"]
    assert spec.by_id["crm"].location.line == 23
    assert spec.by_id["start"].needs[0].targets == ("crm",)
    assert str(spec.control_of("crm")) == "external"
    (flow,) = spec.flows
    assert (flow.source, flow.target) == ("start", "done")
    assert (flow.location.line, flow.location.column) == (28, 5)


def test_malformed_yaml(tmp_path):
    (p,) = problems("journeymap: 1\njourney: {id: j, name: [x\n", tmp_path)
    assert p[2] == "JM001" and p[0] == 3 and p[3].startswith("invalid YAML:")


def test_duplicate_key_names_first_position(tmp_path):
    text = edit("    channel: web\n    owner: us\n    entry: true",
                "    channel: web\n    owner: us\n    channel: app\n    entry: true")
    (p,) = problems(text, tmp_path)
    assert p == (14, 5, "JM002", "duplicate key 'channel' (first defined at line 12, column 5); "
                                 "YAML would silently keep only the last")


def test_unknown_id_suggests(tmp_path):
    (p,) = problems(edit("needs: [crm]", "needs: [crn]"), tmp_path)
    assert p == (15, 13, "JM021", "'start' needs 'crn', which is not defined (did you mean 'crm'?)")


def test_unknown_flow_id_points_inside_chain(tmp_path):
    (p,) = problems(edit("  - start -> done", "  - start -> dome"), tmp_path)
    assert p == (28, 14, "JM021",
                 "flow line names 'dome', which is not defined (did you mean 'done'?)")


def test_duplicate_ids(tmp_path):
    ps = problems(edit("  - id: crm\n", "  - id: done\n"), tmp_path)
    # The needs line to 'crm' now dangles too: both are reported.
    assert [q[2] for q in ps] == ["JM021", "JM020"]
    p = ps[1]
    assert p[:3] == (23, 9, "JM020")
    assert p[3] == "id 'done' is already used by the touch-point at line 16, column 9"


def test_duplicate_party_id(tmp_path):
    p, dangling = problems(edit("{id: them,", "{id: us,"), tmp_path)
    assert dangling[2] == "JM027"
    assert p[:3] == (7, 10, "JM020") and "party id 'us' is already used at line 6" in p[3]


def test_wrong_type(tmp_path):
    (p,) = problems(edit("entry: true", "entry: yes please"), tmp_path)
    assert p == (14, 12, "JM012", "'entry' must be true or false, not 'yes please'")


def test_missing_required_field(tmp_path):
    (p,) = problems(edit("    name: CRM\n", ""), tmp_path)
    assert p == (23, 5, "JM011", "missing required field 'name' in support 'crm'")


def test_unknown_field_typo(tmp_path):
    (p,) = problems(edit("needs: [crm]", "need: [crm]"), tmp_path)
    assert p == (15, 5, "JM010",
                 "unknown field 'need' in touch-point 'start' (did you mean 'needs'?)")


@pytest.mark.parametrize("old,new,line,col,field", [
    ("    goal: true\n", "    goal: true\n    availability: 1.5\n", 22, 19, "availability"),
    ("    entry: true\n", "    entry: true\n    share: 0\n", 15, 12, "share"),
    ("    entry: true\n", "    entry: true\n    availability: 0\n", 15, 19, "availability"),
])
def test_values_out_of_range(tmp_path, old, new, line, col, field):
    text = edit(old, new)
    (p,) = problems(text, tmp_path)
    assert p[:3] == (line, col, "JM013") and p[3].startswith(f"'{field}' is ")


def test_at_least_larger_than_group(tmp_path):
    text = edit("needs: [crm]", "needs: [{at_least: 3, of: [crm, done]}]")
    (p,) = problems(text, tmp_path)
    assert p == (15, 24, "JM022", "'start' needs at least 3 of a group of 2; it could never work")


def test_flow_line_into_support(tmp_path):
    (p,) = problems(edit("  - start -> done", "  - start -> crm"), tmp_path)
    assert p == (28, 14, "JM023", "flow line joins support 'crm'; flow lines join touch-points "
                                  "(a support is reached through 'needs')")


def test_no_entry_and_no_goal(tmp_path):
    text = edit("    entry: true\n", "")
    text = edit("    goal: true\n", "", text)
    ps = problems(text, tmp_path)
    assert [(p[0], p[2]) for p in ps] == [(8, "JM024"), (8, "JM025")]


def test_unknown_stage_and_owner(tmp_path):
    text = edit("    stage: s1\n    channel: web\n    owner: us\n    entry",
                "    stage: s2\n    channel: web\n    owner: uss\n    entry")
    ps = problems(text, tmp_path)
    assert [p[2] for p in ps] == ["JM026", "JM027"]
    assert ps[1][3] == "owner 'uss' is not a declared party (did you mean 'us'?)"


def test_unsafe_tag_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = edit("name: CRM", f"name: !!python/object/apply:os.system ['touch {marker}']")
    (p,) = problems(text, tmp_path)
    assert p[2] == "JM003" and p[:2] == (24, 11)
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]" for i in range(1, 12)]
    (p,) = problems("\n".join(lines) + "\n", tmp_path)
    assert p[2] == "JM004" and "alias" in p[3]


def test_absurdly_large_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_FILE_BYTES", 1000)
    (p,) = problems(GOOD + "#" * 2000 + "\n", tmp_path)
    assert p[2] == "JM005" and "journeymap reads files up to 1,000 bytes" in p[3]


def test_all_problems_reported_at_once(tmp_path):
    text = edit("needs: [crm]", "need: [crm]")
    text = edit("kind: system", "kind: sytem", text)
    text = edit("  - start -> done", "  - start -> nowhere", text)
    assert [p[2] for p in problems(text, tmp_path)] == ["JM010", "JM014", "JM021"]


def test_cli_reports_every_problem_and_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit("needs: [crm]", "needs: [crn]"))
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{bad}:15:13: error[JM021]:" in result.output
    assert f"{good}: ok" in result.output
    assert "Traceback" not in result.output


def test_cli_ok_summary(example_specs):
    result = CliRunner().invoke(cli, ["validate", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    assert "All 1 spec file(s) are valid." in result.output


def test_example_specs_are_valid(example_specs):
    assert len(example_specs) >= 5
    for path in example_specs:
        spec = load_spec(str(path))
        assert 20 <= len(spec.elements) <= 80, path
        assert path.read_text().startswith("# yaml-language-server: $schema=")


def test_schema_command_prints_the_shipped_schema():
    import json

    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "touchpoints" in schema["required"]


def test_init_writes_a_valid_starter(tmp_path):
    target = tmp_path / "my.journey.yaml"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(target)]).exit_code == 0
    load_spec(str(target))
    again = runner.invoke(cli, ["init", str(target)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_missing_path_is_a_usage_error():
    result = CliRunner().invoke(cli, ["validate", "does-not-exist.yaml"])
    assert result.exit_code == 2


def test_version_and_help_from_a_real_process():
    out = subprocess.run([sys.executable, "-m", "journeymap", "--version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "journeymap, version 0.1.0"
    helped = subprocess.run([sys.executable, "-m", "journeymap", "validate", "--help"],
                            capture_output=True, text=True, check=True)
    assert "every problem at once" in helped.stdout


BAD_STRUCTURES = [
    ("needs: [crm]", "needs: [5]"),
    ("needs: [crm]", "needs: [{id: crm, any: [crm]}]"),
    ("needs: [crm]", "needs: [{at_least: 1}]"),
    ("needs: [crm]", "needs: [{kind: data}]"),
    ("needs: [crm]", "needs: [Crm]"),
    ("needs: [crm]", "needs: [{id: crm, strength: firm}]"),
    ("  - start -> done", "  - start => done"),
    ("  - start -> done", "  - {from: start}"),
    ("  - start -> done", "  - {from: start, to: done, shar: 1}"),
    ("entry: true", "entry: 1"),
    ("kind: system", "kind: sytem"),
]


@pytest.mark.parametrize("old,new", BAD_STRUCTURES)
def test_fast_schema_pass_agrees_with_jsonschema(old, new):
    """The compiled yes/no pass must never wave through what jsonschema rejects."""
    import yaml

    from journeymap.spec.load import _fast_validator, _validator

    data = yaml.safe_load(edit(old, new))
    assert list(_validator().iter_errors(data)), "jsonschema should reject this"
    assert not _fast_validator()(data)


def test_example_specs_pass_the_full_schema(example_specs):
    import yaml

    from journeymap.spec.load import _validator

    for path in example_specs:
        assert not list(_validator().iter_errors(yaml.safe_load(path.read_text()))), path
