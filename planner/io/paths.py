"""Output paths checked before any work is done.

A plan can take minutes; a report path that cannot be written should fail in the first
second, not after the solve.  :func:`check_output_file` and :func:`check_output_dir` say
(PlannerError, exit 2) when a path is empty, is a folder or a special file (device, pipe,
socket), is one of the inputs, lies under a file, or sits in a folder that cannot be
written; :func:`check_output_file` also refuses to replace an existing workbook that the
planner did not write (a filled input workbook, say) unless ``force`` is given.
"""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from contextlib import suppress
from pathlib import Path

from planner.common.atomic import check_target
from planner.domain.errors import PlannerError

#: Core-property creator the planner writes into every workbook it makes.
CREATOR_PREFIX = "planner"


def _first_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(".")


def _check_folder(path: Path, option: str, shown: Path | None = None) -> None:
    """The nearest existing folder at or above ``path`` must be a writable folder."""
    folder = _first_existing(path)
    path = shown or path
    if not folder.is_dir():
        raise PlannerError(f"{option} {path}: {folder} is a file, not a folder, so nothing "
                           "can be written under it")
    try:  # a real probe: permissions, read-only mounts and pseudo file systems alike
        with tempfile.TemporaryFile(dir=folder, prefix=".planner-probe."):
            pass
    except OSError as exc:
        raise PlannerError(f"{option} {path}: cannot write in {folder} "
                           f"({exc.strerror or exc}); choose a folder you can write to") from None


def _is_input(path: Path, inputs) -> bool:
    for p in inputs:
        if p is None:
            continue
        with suppress(OSError):
            if os.path.samefile(p, path):
                return True
    return False


def written_by_planner(path: Path) -> bool:
    """Whether the workbook at ``path`` says (in its core properties) that the planner
    wrote it; False for anything else, including files that are not workbooks."""
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml")[:20000].decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError):
        return False
    start = core.find("creator>")
    return start >= 0 and core[start + len("creator>"):].lstrip().startswith(CREATOR_PREFIX)


def check_output_file(path: str | os.PathLike | None, *, option: str = "--out",
                      inputs=(), force: bool = False) -> Path | None:
    """``path`` as a Path, or PlannerError saying why it cannot be written (None passes)."""
    if path is None:
        return None
    if not str(path).strip():
        raise PlannerError(f"{option} is empty: name a file, like outputs/plan.xlsx")
    target = Path(path)
    if _is_input(target, inputs):
        raise PlannerError(f"refusing to overwrite the input file {target} ({option} names "
                           "the input workbook); choose another file")
    _check_folder(target.parent, option, target)
    check_target(target)
    if target.exists():
        if not os.access(target, os.W_OK):
            raise PlannerError(f"{option} {target} is read-only; choose another file or "
                               "make it writable")
        if (not force and target.suffix.lower() in (".xlsx", ".xlsm")
                and not written_by_planner(target)):
            raise PlannerError(f"{option} {target} is an existing workbook the planner did "
                               "not write (an input, perhaps): refusing to replace it; "
                               "choose another file, or add --force to replace it")
    return target


def check_output_dir(path: str | os.PathLike | None, *, option: str = "--csv") -> Path | None:
    """``path`` as a folder the planner may write files into, or PlannerError."""
    if path is None:
        return None
    if not str(path).strip():
        raise PlannerError(f"{option} is empty: name a folder")
    target = Path(path)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise PlannerError(f"{option} {target}: {exc.strerror or exc}") from None
    if mode is not None and not stat.S_ISDIR(mode):
        raise PlannerError(f"{option} {target} is a file, not a folder: name a folder for "
                           "the CSV files")
    _check_folder(target, option)
    return target
