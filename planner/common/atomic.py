"""Write files atomically: to a temporary file beside the target, then rename.

A crash mid-write leaves the previous file (or no file), never a half-written one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from planner.domain.errors import PlannerError


@contextmanager
def atomic_path(target: str | os.PathLike, protect: tuple[str | os.PathLike, ...] = ()) -> Iterator[Path]:
    """Yield a temporary path; on success rename it over ``target``.

    ``protect`` lists input files that must never be overwritten: naming one of them as
    the target is refused with a :class:`PlannerError`.
    """
    target = Path(target)
    for p in protect:
        if Path(p).exists() and target.exists() and Path(p).resolve() == target.resolve():
            raise PlannerError(f"refusing to overwrite the input file {target}; choose another --out")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
