"""Issue 9 cases found uncovered by the end-to-end audit: the gate path itself
(``check --baseline``) with a ``.nan`` share, ``.inf`` through ``analyze --format json``
and ``report``, recursive aliases in a folder from validate, analyze and check,
and an unwritable folder where the suite runs as root (where a chmod
0500 folder is still writable, so the test in test_outputs.py skips)."""

from __future__ import annotations

import errno
import os
import tempfile

import pytest
from check_fixtures import make_repo, write
from click.testing import CliRunner

from journeymap.cli import cli

SPEC = "specs/j.journey.yaml"

# Customers split evenly between two goals; the crm support stands behind the first.
BASE = """\
journeymap: 1
journey: {id: j, name: Journey, owner: us}
stages:
  - {id: s1, name: One}
parties:
  - {id: us, name: Us, control: internal}
  - {id: them, name: Them, control: external}
touchpoints:
  - {id: start, name: Start, stage: s1, channel: web, owner: us, entry: true}
  - {id: done, name: Done, stage: s1, channel: web, owner: us, goal: true, needs: [crm]}
  - {id: alt, name: Alt, stage: s1, channel: web, owner: us, goal: true}
supports:
  - {id: crm, name: CRM, kind: system, owner: them}
flow:
  - {from: start, to: done, share: 1}
  - {from: start, to: alt, share: SHARE}
"""


def test_nan_share_cannot_slip_past_check_with_a_baseline(tmp_path, monkeypatch):
    # The attack: the change makes 'alt' need crm too (half the customers more
    # lost when crm fails) and hides it behind share: .nan. It must be refused, exit 2.
    root = make_repo(tmp_path / "repo", {SPEC: BASE.replace("SHARE", "1")})
    pr = BASE.replace("SHARE", ".nan").replace("goal: true}", "goal: true, needs: [crm]}")
    write(root, {SPEC: pr})
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["check", "specs", "--baseline", "main"])
    assert result.exit_code == 2, result.output
    assert f"{SPEC}:16:35: error[JM009]: the number .nan is not finite" in result.output
    assert "No journey became more fragile" not in result.output
    assert "Traceback" not in result.output
    # The same change with an honest share is caught as a finding (exit 1), so the
    # refusal above is what stops the .nan one, not an unrelated failure.
    write(root, {SPEC: pr.replace(".nan", "1")})
    result = CliRunner().invoke(cli, ["check", "specs", "--baseline", "main"])
    assert result.exit_code == 1, result.output


def test_an_unwritable_folder_as_any_user(tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    spec = tmp_path / "j.journey.yaml"
    spec.write_text(BASE.replace("SHARE", "1"), encoding="utf-8")
    target = tmp_path / "out" / "a.txt"
    result = CliRunner().invoke(cli, ["analyze", str(spec), "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (f"journeymap: error: {target}: cannot write: "
                                      "Permission denied; nothing was written")
    assert not target.exists() and not target.parent.exists()  # the folder made is removed


@pytest.mark.parametrize("command", [["analyze", "--format", "json"], ["report", "-o", "OUT"]])
def test_an_infinite_share_never_reaches_json_or_the_report(tmp_path, command):
    # It once made analyze write bare NaN into JSON and crashed report.
    spec = tmp_path / "j.journey.yaml"
    spec.write_text(BASE.replace("SHARE", ".inf"), encoding="utf-8")
    out = tmp_path / "r.html"
    args = [str(out) if a == "OUT" else a for a in command] + [str(spec)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"{spec}:16:35: error[JM009]: the number .inf is not "
                                    "finite")
    assert "NaN" not in result.output and not out.exists()


@pytest.mark.parametrize("text, where", [("journey: &a [*a]\n", "1:14"),
                                         ("journey: &a {x: *a}\n", "1:17"),
                                         ("journey: &a {<<: *a}\n", "1:18")],
                         ids=["sequence", "mapping", "merge"])
@pytest.mark.parametrize("command", ["validate", "analyze", "check"])
def test_recursive_alias_in_a_folder_from_every_command(tmp_path, text, where, command):
    # The hang: each command given the folder (not the file), next to a good spec.
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "a.journey.yaml").write_text(BASE.replace("SHARE", "1"), encoding="utf-8")
    (folder / "x.journey.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, [command, str(folder)])
    assert result.exit_code == 2, result.output
    assert f"{folder / 'x.journey.yaml'}:{where}: error[JM007]" in result.output
    assert "Traceback" not in result.output
