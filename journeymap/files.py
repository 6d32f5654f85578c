"""Files in and out: spec discovery, and writing every output of a command all-or-nothing.

:class:`Outputs` collects a command's outputs (``-o`` plus every ``--report``, every
``--each`` report) and writes them together: each to a temporary file beside its target,
then, only when every one of them was written, renamed over the targets (a rename that
fails puts back the ones already made, from hard links kept until the end). A write error
(unwritable folder, full disk, a target that is a directory) is an :class:`OutputError`
naming the path and the reason, and leaves every target as it was. A target that exists
keeps its permissions; one that exists and is not a regular file (a symlink, FIFO,
device or directory) is refused rather than replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

STDOUT = "-"  # the target name that means standard output (handled by the caller)

_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class OutputError(Exception):
    """An output could not be written; ``path`` and ``reason`` say which and why."""

    def __init__(self, path: str | os.PathLike[str], reason: str,
                 nothing_written: bool = True) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        tail = "; nothing was written" if nothing_written else ""
        super().__init__(f"{self.path}: cannot write: {reason}{tail}")


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_target(path: str | os.PathLike[str]) -> None:
    """Refuse ``path`` as an output if it exists and is not a regular file.

    Called early by commands, so a bad ``-o`` fails before any work is done; the write
    checks again. ``-`` (stdout) is always fine.
    """
    if os.fspath(path) == STDOUT:
        return
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:  # e.g. a parent that is a file: ENOTDIR
        raise OutputError(path, _reason(exc)) from None
    for test, kind in _KINDS:
        if test(mode):
            raise OutputError(path, f"it is {kind}, and journeymap only replaces regular "
                                    f"files (remove it or choose another path)")
    if not stat.S_ISREG(mode):
        raise OutputError(path, "it is not a regular file")


_umask: int | None = None


def _new_file_mode() -> int:
    """The mode ``open()`` would give a new file: 0o666 less the process umask."""
    global _umask
    if _umask is None:
        _umask = os.umask(0o022)
        os.umask(_umask)
    return 0o666 & ~_umask


class Outputs:
    """Every output of one command, written all together or not at all.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> out = Outputs()
    >>> out.add(os.path.join(d, "a.txt"), "A")
    >>> out.add(os.path.join(d, "b.txt"), b"B")
    >>> out.commit()
    >>> sorted(os.listdir(d))
    ['a.txt', 'b.txt']
    """

    def __init__(self) -> None:
        self._items: list[tuple[Path, bytes | Iterable[str]]] = []

    def add(self, path: str | os.PathLike[str], data: bytes | str | Iterable[str]) -> None:
        """Queue ``data`` for ``path`` (nothing is written before :meth:`commit`): bytes,
        text, or text in pieces, made as :meth:`commit` writes them (a long output is
        never all in memory; an error while making them leaves every target as it was)."""
        if os.fspath(path) == STDOUT:
            raise ValueError("'-' (stdout) is written by the command, not queued here")
        target = Path(path)
        check_target(target)
        if any(_same(target, other) for other, _ in self._items):
            raise OutputError(target, "the command would write it twice")
        self._items.append((target, data.encode("utf-8") if isinstance(data, str) else data))

    def commit(self) -> None:
        """Write every queued output to a temporary file beside its target, then rename
        them all into place. On any failure no target changes: the temporary files (and
        folders this made) are removed, and if a rename fails after others succeeded,
        those targets get their old contents back (kept as hard links until the end);
        raises :class:`OutputError`."""
        temps: list[tuple[str, Path]] = []
        made: list[Path] = []
        done: list[tuple[Path, bool, str | None]] = []  # renamed: target, existed, old
        backups: list[str] = []
        try:
            for target, data in self._items:
                check_target(target)
                temps.append((self._write_temp(target, data, made), target))
            for tmp, target in temps:
                existed = target.exists()
                old = _keep_old(target, tmp) if existed else None
                if old is not None:
                    backups.append(old)
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise OutputError(target, _reason(exc)) from None
                done.append((target, existed, old))
        except BaseException:
            for target, existed, old in reversed(done):  # undo the renames made
                with contextlib.suppress(OSError):
                    if not existed:
                        os.unlink(target)
                    elif old is not None:
                        os.replace(old, target)
            for tmp, _ in temps:
                _unlink(tmp)
            for old in backups:
                _unlink(old)
            for folder in reversed(made):
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
        for old in backups:
            _unlink(old)
        self._items.clear()

    @staticmethod
    def _write_temp(target: Path, data: bytes | Iterable[str], made: list[Path]) -> str:
        folder = target.parent
        missing = [p for p in [folder, *folder.parents] if not p.exists()]
        try:
            for p in reversed(missing):
                p.mkdir()
                made.append(p)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise OutputError(target, _reason(exc)) from None
        try:
            with os.fdopen(fd, "wb") as fh:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    fh.write(data)
                else:
                    for piece in data:
                        fh.write(piece.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())  # a full disk shows here, not after the rename
            try:
                mode = stat.S_IMODE(os.stat(target).st_mode)  # an existing file keeps its mode
            except FileNotFoundError:
                mode = _new_file_mode()
            os.chmod(tmp, mode)
        except OSError as exc:
            _unlink(tmp)
            raise OutputError(target, _reason(exc)) from None
        except BaseException:
            _unlink(tmp)
            raise
        return tmp


def _keep_old(target: Path, tmp: str) -> str | None:
    """A hard link to ``target``'s current contents beside it (None when the file
    system cannot link: then that one target cannot be put back)."""
    old = tmp[: -len(".tmp")] + ".old"
    try:
        os.link(target, old)
    except OSError:
        return None
    return old


def _same(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def write_atomic(path: str | os.PathLike[str], data: bytes | str | Iterable[str]) -> None:
    """Write one output through :class:`Outputs` (temporary file + rename).

    Readers see either the old file or the complete new one, never a partial write.
    Raises :class:`OutputError`.
    """
    out = Outputs()
    out.add(path, data)
    out.commit()


CATALOG_SUFFIXES = (".catalog.yaml", ".catalog.yml")


def spec_paths(paths: list[str], *, catalogs: bool = False) -> list[str]:
    """Expand files and directories into spec files (``*.yaml``/``*.yml``), sorted.

    A directory means every YAML file under it, recursively, except catalogs
    (``*.catalog.yaml``: journeys read them through ``uses``) unless ``catalogs``;
    explicit files are kept as given (whatever their suffix) and duplicates are dropped.
    """
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = [str(f) for f in sorted(Path(p).rglob("*"))
                     if f.is_file() and f.suffix in (".yaml", ".yml")
                     and (catalogs or not f.name.endswith(CATALOG_SUFFIXES))]
            out.extend(found)
        else:
            out.append(p)
    return list(dict.fromkeys(out))  # each path once, first mention first
