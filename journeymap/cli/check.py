"""``journeymap check``, ``diff`` and ``rules``: the CI gate over journey specs."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from typing import TYPE_CHECKING

import click

from journeymap.cli.common import (
    COLOR_OPTION,
    check_outputs,
    fail,
    say,
    use_color,
    write_stdout,
)
from journeymap.exit_status import ExitStatus
from journeymap.formats.check import FORMATS

if TYPE_CHECKING:  # the CLI imports its heavy parts only when a command runs
    from journeymap.policy import Policy
    from journeymap.rules import JourneyState

_SEVERITIES = ["error", "warning", "note"]


def _today(value: str | None) -> dt.date:
    # --today / JOURNEYMAP_TODAY: waivers and review dates are judged against "today", and
    # tests (and reproducible re-runs) need to fix it.
    value = value or os.environ.get("JOURNEYMAP_TODAY")
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"--today must be a date like 2027-01-31, not {value!r}")


def _load_policy(path: str | None) -> Policy:
    from journeymap.policy import PolicyError, find_policy, load_policy

    try:
        return load_policy(path or find_policy("."))
    except PolicyError as exc:
        for p in exc.problems:
            say(str(p), err=True)
        fail(f"the policy file {exc.problems[0].location.path} cannot be used "
             f"({len(exc.problems)} problem(s))")


def _default_paths(policy: Policy) -> list[str]:
    if policy.journeys:
        return list(policy.journeys)
    if os.path.isdir("specs"):
        return ["specs"]
    fail("no PATHS given and no journeys folder configured: name the spec files or "
         "folders, or set 'journeys: <folder>' in journeymap.yaml or [tool.journeymap]")


def _gather(paths: list[str], baseline: str | None, policy: Policy | None = None,
            jobs: int = 1) -> tuple[list[JourneyState], str, tuple[str, ...]]:
    from journeymap.baseline import GitError
    from journeymap.check import CheckInputError, gather

    for p in paths:
        if not os.path.exists(p):
            fail(f"{p}: no such file or folder")
    try:
        from journeymap.analysis.risk import RiskOptions
        from journeymap.check import needs_risk

        # The gate needs Q and the pairs, never fixes (each fix is one more analysis).
        risk = (RiskOptions(fixes=False) if policy is not None and baseline is not None
                and needs_risk(policy) else None)
        return gather(paths, baseline, risk=risk, jobs=jobs)
    except CheckInputError as exc:
        for line in exc.lines:
            say(line, err=True)
        fail(str(exc))
    except GitError as exc:
        fail(str(exc))


def _colorize(text: str) -> str:
    colors = {"error": "red", "warning": "yellow", "note": "cyan"}
    return re.sub(r"\b(error|warning|note)(\[JM\d+ [a-z-]+\])",
                  lambda m: click.style(m.group(1), fg=colors[m.group(1)], bold=True) + m.group(2),
                  text)


def _parse_reports(values: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for v in values:
        fmt, sep, path = v.partition("=")
        if not sep or fmt not in FORMATS or not path:
            fail(f"--report takes FORMAT=FILE with FORMAT one of {', '.join(sorted(FORMATS))}, "
                 f"not {v!r}")
        out.append((fmt, path))
    return out


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--baseline", metavar="GIT-REF",
              help="Also judge the change since this git ref (e.g. origin/main): new single "
                   "points of failure, complicated -> complex, cascades that grew.")
@click.option("--policy", "policy_path", type=click.Path(exists=True, dir_okay=False),
              help="Policy file (default: journeymap.yaml, or [tool.journeymap] in "
                   "pyproject.toml, in this folder or a parent up to the repository root).")
@click.option("--fail-on", type=click.Choice(_SEVERITIES),
              help="Exit 1 when a finding at or above this severity is not waived "
                   "[default: the policy's fail_on, else error].")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text",
              show_default=True, help="Output format (printed to stdout unless -o).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file instead of stdout ('-': stdout).")
@click.option("--report", "reports", multiple=True, metavar="FORMAT=FILE",
              help="Also write a report in another format, e.g. --report sarif=out.sarif "
                   "(repeatable; FILE '-' is stdout when -o names a file). All outputs are "
                   "written together or, on any write error, none.")
@click.option("--today", metavar="YYYY-MM-DD",
              help="Judge waiver expiry and review dates (JM112) as of this day "
                   "[default: JOURNEYMAP_TODAY, else today]; keeps re-runs reproducible.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Analyse journeys in this many processes (same output, in the same order).")
@COLOR_OPTION
def check(paths: tuple[str, ...], baseline: str | None, policy_path: str | None,
          fail_on: str | None, fmt: str, output: str | None, reports: tuple[str, ...],
          today: str | None, jobs: int, color: str) -> None:
    """Run the policy's rules over journey specs; with --baseline, over the change too.

    PATHS are spec files or folders (default: the policy's `journeys`, else specs/).
    Without --baseline the journeys' existing risks are reported (warnings by default).
    With --baseline, each spec is compared with its version at that git ref (renames
    followed; a spec new in the change has no baseline; a deleted one is reported), and
    what the change made worse fails by default.

    \b
    Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 bad input or usage (or an
    output that cannot be written), 3 internal error.

    \b
    Examples:
      journeymap check specs/
      journeymap check --baseline origin/main --format markdown
      journeymap check --baseline origin/main --format github --report sarif=journeymap.sarif
    """
    from journeymap.check import run_rules
    from journeymap.files import STDOUT, Outputs
    from journeymap.formats.check import render

    extra = _parse_reports(reports)
    output = None if output == STDOUT else output
    check_outputs(output or STDOUT, *(path for _, path in extra))
    day = _today(today)
    policy = _load_policy(policy_path)
    targets = list(paths) or _default_paths(policy)
    states, root, notes = _gather(targets, baseline, policy, jobs)
    report = run_rules(states, policy, fail_on=fail_on or policy.fail_on or "error",
                       today=day, baseline=baseline, root=root, notes=notes)
    files = Outputs()  # every output, or none of them
    to_stdout: str | None = None
    for other_fmt, path in extra:
        if path == STDOUT:
            to_stdout = render(report, other_fmt)
        else:
            files.add(path, render(report, other_fmt))
    out = render(report, fmt)
    if output:
        files.add(output, out)
    files.commit()
    if output is None:
        colored = fmt == "text" and use_color(color)
        write_stdout(_colorize(out) if colored else out, color=colored)
    elif to_stdout is not None:
        write_stdout(to_stdout, color=False)
    sys.exit(int(ExitStatus.FINDINGS if report.failed else ExitStatus.OK))


@click.command()
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--baseline", metavar="GIT-REF",
              help="Compare the specs under FILES (default: the journeys folder) with their "
                   "versions at this git ref, instead of comparing two files.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def diff(files: tuple[str, ...], baseline: str | None, fmt: str) -> None:
    """Resilience diff: what a change did to each journey, in plain words.

    Either two spec files, OLD then NEW:

    \b
      journeymap diff old.journey.yaml new.journey.yaml

    or, with --baseline, every spec under the given paths against a git ref:

    \b
      journeymap diff --baseline origin/main specs/

    Reports single points of failure added and removed (with their control level),
    cascades that grew or shrank, customers-lost changes, verdict changes
    (complicated -> complex) and new hand-offs between parties. Exits 0 (use
    `journeymap check` to gate a build).
    """
    import json

    from journeymap.analysis import analyze
    from journeymap.diff import diff_journeys
    from journeymap.formats.check.json_report import diff_dict
    from journeymap.formats.check.text import diff_lines

    if baseline is None:
        if len(files) != 2:
            fail("diff takes two spec files, OLD and NEW (or --baseline GIT-REF [PATHS])")
        from journeymap.cli.common import load_specs

        for p in files:
            # Anything that exists and is not a folder goes to the reader, which names
            # what it is (a FIFO, a device...) instead of calling it missing.
            if not os.path.exists(p):
                fail(f"{p}: no such file")
            if os.path.isdir(p):
                fail(f"{p}: is a folder; diff takes two spec files, OLD and NEW")
        old_spec, new_spec = (load_specs([p])[0] for p in files)
        diffs = [diff_journeys(analyze(old_spec), analyze(new_spec), path=files[1],
                               old_path=files[0])]
    else:
        policy = _load_policy(None)
        targets = list(files) or _default_paths(policy)
        states, _, notes = _gather(targets, baseline)
        for n in notes:
            say(f"note: {n}", err=True)
        diffs = [s.diff for s in sorted(states, key=lambda s: s.path) if s.diff is not None]
    if fmt == "json":
        click.echo(json.dumps({"schema_version": 1, "baseline": baseline,
                               "journeys": [diff_dict(d) for d in diffs]},
                              indent=2, ensure_ascii=False))
        return
    blocks = []
    for d in diffs:
        where = d.path if d.old_path in (None, d.path) else f"{d.old_path} -> {d.path}"
        blocks.append("\n".join([f"{where}"] + ["  " + x for x in diff_lines(d)]))
    say("\n\n".join(blocks))


@click.command("rules")
@click.argument("rule_ids", nargs=-1)
def rules_cmd(rule_ids: tuple[str, ...]) -> None:
    """List the check rules (id, name, default severity) or explain the named ones.

    \b
      journeymap rules            all rules, one line each
      journeymap rules JM101      what JM101 means and what to do about it
    """
    from journeymap.rules import all_rules, find_rule

    if not rule_ids:
        for r in all_rules():
            click.echo(f"{r.id}  {r.name:<22} {r.severity:<8} {r.scope:<7} {r.summary}")
        return
    for key in rule_ids:
        rule = find_rule(key)
        if rule is None:
            fail(f"unknown rule '{key}' (journeymap rules lists them)")
        click.echo(f"{rule.id} {rule.name} (default: {rule.severity}; {rule.scope} rule)\n")
        click.echo(click.wrap_text(rule.explanation, 88) + "\n")
        click.echo(click.wrap_text("What to do: " + rule.what_to_do, 88) + "\n")
