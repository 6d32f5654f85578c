"""Outputs are all-or-nothing: every output of a command is written to a temporary file
beside its target and renamed only when all were written; a write error is exit 2 with
the path and the reason (never a traceback); an existing file keeps its mode; a target
that exists and is not a regular file is refused (``-`` means stdout)."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import cli
from journeymap.files import OutputError, Outputs, write_atomic

ROOT = Path(__file__).resolve().parent.parent
STARTER = ROOT / "journeymap" / "spec" / "starter.journey.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def assert_refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for w in words:
        assert w in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line: path and reason


# ------------------------------------------------------------------ write errors: exit 2


def test_report_onto_a_directory_writes_nothing(tmp_path):
    out, folder = tmp_path / "out.txt", tmp_path / "sarif-dir"
    folder.mkdir()
    result = run("check", str(STARTER), "-o", str(out), "--report", f"sarif={folder}",
                 "--report", f"json={tmp_path / 'c.json'}")
    assert_refused(result, str(folder), "it is a directory")
    assert not out.exists() and not (tmp_path / "c.json").exists()


def test_a_folder_that_cannot_hold_files(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("analyze", str(STARTER), "-o", str(blocker / "sub" / "a.json"))
    assert_refused(result, str(blocker / "sub" / "a.json"), "Not a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = run("analyze", str(STARTER), "-o", str(locked / "a.txt"))
        assert_refused(result, str(locked / "a.txt"), "Permission denied")
    finally:
        locked.chmod(0o700)


def test_a_full_disk_in_the_middle_leaves_everything_as_it_was(tmp_path, monkeypatch):
    first, second = tmp_path / "a.txt", tmp_path / "b.sarif"
    first.write_text("old a")
    calls = []
    real_fsync = os.fsync

    def full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the second output hits a full disk
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    result = run("check", str(STARTER), "-o", str(first), "--report", f"sarif={second}")
    assert_refused(result, "No space left on device")
    assert first.read_text() == "old a" and not second.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("target", ["/dev/full", "/dev/null"])
def test_a_device_is_refused(target):
    result = run("analyze", str(STARTER), "-o", target)
    assert_refused(result, target, "character device")


def test_stdout_on_a_full_disk_is_exit_2():
    proc = subprocess.run(
        f"{sys.executable} -m journeymap analyze {STARTER} > /dev/full", shell=True,
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "stdout: cannot write: No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


# ------------------------------------------------------------- targets that are not files


def test_a_symlink_is_refused_and_left_alone(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("keep")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    for args in (["analyze", str(STARTER), "-o", str(link)],
                 ["render", str(STARTER), "-o", str(link), "--format", "dot"],
                 ["check", str(STARTER), "--report", f"json={link}"],
                 ["schema", "-o", str(link)],
                 ["explore", str(STARTER), "-o", str(link)],
                 ["portfolio", str(STARTER), "-o", str(link)]):
        assert_refused(run(*args), str(link), "symbolic link")
    assert link.is_symlink() and real.read_text() == "keep"


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert_refused(run("analyze", str(STARTER), "-o", str(fifo)), "FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_dash_is_stdout(tmp_path):
    result = run("analyze", str(STARTER), "-o", "-", "--format", "json")
    assert result.exit_code == 0 and result.stdout.startswith("{")
    result = run("render", str(STARTER), "-o", "-", "--format", "dot")
    assert result.exit_code == 0 and result.stdout.startswith("digraph")
    out = tmp_path / "c.txt"
    result = run("check", str(STARTER), "-o", str(out), "--report", "json=-")
    assert result.exit_code in (0, 1) and result.stdout.startswith("{") and out.exists()
    assert not (tmp_path / "-").exists() and not Path("-").exists()


def test_stdout_and_files_cannot_be_claimed_twice(tmp_path):
    assert_refused(run("check", str(STARTER), "--report", "json=-"), "stdout")
    same = tmp_path / "x.json"
    assert_refused(run("check", str(STARTER), "-o", str(same), "--report", f"json={same}"),
                   "twice")
    assert not same.exists()


# ----------------------------------------------------------------------- modes, atomicity


def test_an_existing_file_keeps_its_mode(tmp_path):
    private = tmp_path / "private.json"
    private.write_text("{}")
    private.chmod(0o600)
    assert run("analyze", str(STARTER), "-o", str(private), "--format", "json").exit_code == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and private.read_text() != "{}"
    shared = tmp_path / "shared.txt"
    shared.write_text("")
    shared.chmod(0o664)
    write_atomic(shared, "x")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664


def test_a_new_file_gets_the_umask_mode(tmp_path, monkeypatch):
    import journeymap.files as files

    monkeypatch.setattr(files, "_umask", None)  # the module reads the umask once
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640


def test_outputs_commit_all_or_nothing(tmp_path):
    good, bad = tmp_path / "new" / "deep" / "good.txt", tmp_path / "bad"
    bad.mkdir()
    out = Outputs()
    out.add(good, "fine")
    # A target that turns into a directory after the command checked it.
    late = tmp_path / "late.txt"
    out.add(late, "x")
    late.mkdir()
    with pytest.raises(OutputError, match="late.txt: cannot write: it is a directory"):
        out.commit()
    assert not good.exists() and not (tmp_path / "new").exists()  # folders it made, gone
    assert leftovers(tmp_path) == []


def test_report_each_is_all_or_nothing(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    for name in ("a", "b"):
        (specs / f"{name}.journey.yaml").write_text(STARTER.read_text(), encoding="utf-8")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "b.md").mkdir()  # one --each target cannot be written
    result = run("report", str(specs), "-o", str(out / "all.md"), "--each",
                 "--date", "2026-01-01")
    assert_refused(result, "b.md", "directory")
    assert sorted(p.name for p in out.iterdir()) == ["b.md"]


def test_init_refuses_a_symlink(tmp_path):
    link = tmp_path / "x.journey.yaml"
    link.symlink_to(tmp_path / "elsewhere.yaml")  # dangling: exists() would say no
    result = run("init", str(link), "--force")
    assert_refused(result, "symbolic link")
    assert not (tmp_path / "elsewhere.yaml").exists()


def test_a_rename_that_fails_puts_the_earlier_ones_back(tmp_path, monkeypatch):
    kept, new, third = tmp_path / "kept.txt", tmp_path / "new.txt", tmp_path / "third.txt"
    kept.write_text("old contents")
    kept.chmod(0o640)
    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # the third rename fails, after two succeeded
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    out = Outputs()
    out.add(kept, "new contents")
    out.add(new, "brand new")
    out.add(third, "never")
    with pytest.raises(OutputError, match="third.txt: cannot write: Input/output error"):
        out.commit()
    monkeypatch.setattr(os, "replace", real_replace)
    assert kept.read_text() == "old contents" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert not new.exists() and not third.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]  # no temp, no backup
