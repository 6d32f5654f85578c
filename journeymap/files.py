"""Writing outputs: atomically, so a failed run never leaves a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder + rename.

    Readers see either the old file or the complete new one, never a partial write.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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
