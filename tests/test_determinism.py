"""Same input, same bytes, across separate processes: each command runs twice in fresh
interpreters with different hash seeds (set and dict orders of strings differ between
them), so output that depends on such an order, on the clock or on memory addresses
shows up as a difference. Comparing two calls in one process cannot catch that."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = "specs/insurance-claim.journey.yaml"  # parties of every control, cycles, groups

COMMANDS = {
    "analyze-json": ["analyze", SPEC, "--format", "json"],
    "simulate-json": ["simulate", SPEC, "--fail", "policy-admin", "--format", "json"],
    "check-sarif": ["check", "specs/", "--format", "sarif"],
    "render-dot": ["render", SPEC, "--format", "dot"],
    "render-svg": ["render", SPEC, "--format", "svg"],
}


def run(args: list[str], hash_seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "SOURCE_DATE_EPOCH": "1700000000"}
    proc = subprocess.run([sys.executable, "-m", "journeymap", *args], cwd=ROOT, env=env,
                          capture_output=True, check=False, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr.decode()[-2000:]
    return proc.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_two_processes_give_the_same_bytes(name: str) -> None:
    if name == "render-svg" and shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    first, second = run(COMMANDS[name], "1"), run(COMMANDS[name], "2")
    assert first, f"{name} printed nothing"
    assert first == second, f"{name} differs between two processes"
