"""The ``journeymap`` process as a whole (``cli.main``): it ends without Python's
teardown once the output is out, with the cyclic collector off, so these check what a
caller sees from outside: every byte of the output, the exit status, exit handlers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from journeymap.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "newsletter-video.journey.yaml"


def journeymap(*args: str, code: str = "from journeymap.cli import main; main()"
               ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)


def test_piped_output_is_complete_and_the_status_kept() -> None:
    inside = CliRunner().invoke(cli, ["analyze", str(SPEC), "--format", "json",
                                      "--fail-on", "spof"])
    outside = journeymap("analyze", str(SPEC), "--format", "json", "--fail-on", "spof")
    assert (outside.returncode, inside.exit_code) == (1, 1)  # findings
    assert outside.stdout == inside.output and len(outside.stdout) > 10_000


def test_bad_input_still_exits_2_with_its_message(tmp_path) -> None:
    bad = tmp_path / "x.journey.yaml"
    bad.write_text("journeymap: 1\njourney: {id: x, name: X}\ntouchpoints: 5\n")
    done = journeymap("validate", str(bad))
    assert done.returncode == 2
    said = done.stdout + done.stderr
    assert f"{bad}:3:14: error[JM012]" in said and "Traceback" not in said


def test_exit_handlers_run_and_the_collector_is_off_while_a_command_runs(tmp_path) -> None:
    code = ("import atexit, gc, journeymap.cli.validate as v\n"
            "atexit.register(lambda: print('handler ran, collector', gc.isenabled()))\n"
            "from journeymap.cli import main; main()")
    done = journeymap("validate", str(SPEC), code=code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("handler ran, collector False\n")
