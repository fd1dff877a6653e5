"""Write files atomically: to a temporary file beside the target, then rename.

A crash mid-write leaves the previous file (or no file), never a half-written one.  The
new file gets the permissions any new file gets (``0o666`` less the umask, 0644 under the
usual umask 022), or those of the file it replaces.  Only regular files are replaced: a
target that is a folder, a device, a pipe or a socket is refused, so nothing is ever
written through (or over) a special file.

The temporary file is named ``.<target>.<pid>.<random>.tmp``; it is removed on every exit
a process can see (an exception, Ctrl-C, SIGTERM through :mod:`planner.runtime`), and one
left by a process that was killed outright (SIGKILL, power loss) is removed by the next
write to the same folder, once its process is gone.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from planner.domain.errors import PlannerError

_TMP = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.(?:tmp|staged\.xlsx)$")


def current_umask() -> int:
    """The process umask (read without changing it for longer than two calls)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (this one does; unknown = assume it does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def sweep_stale_temps(folder: Path, name: str) -> None:
    """Remove ``.<name>.<pid>.*.tmp`` (and staged reports, ``.<name>.<pid>.x.staged.xlsx``)
    in ``folder`` whose process is gone."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        found = _TMP.match(entry.name)
        if found and entry.name.startswith(f".{name}.") and not process_alive(int(found.group(1))):
            with suppress(OSError):
                entry.unlink()


def check_target(target: Path) -> None:
    """PlannerError unless ``target`` is absent or a regular file."""
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise PlannerError(f"cannot write {target}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise PlannerError(f"{target} is a folder; name a file inside it instead")
    if not stat.S_ISREG(mode):
        raise PlannerError(f"{target} is not a regular file (a device, pipe or socket); "
                           "refusing to write there: name an ordinary file")


def _protect(target: Path, protect) -> None:
    for p in protect:
        if p is None:
            continue
        with suppress(OSError):
            if Path(p).exists() and target.exists() and os.path.samefile(p, target):
                raise PlannerError(f"refusing to overwrite the input file {target}; "
                                   "choose another --out")


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def _make_temp(target: Path) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                   dir=target.parent)
    except OSError as exc:
        raise PlannerError(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    return Path(tmp)


@contextmanager
def atomic_path(target: str | os.PathLike, protect: tuple[str | os.PathLike, ...] = ()) -> Iterator[Path]:
    """Yield a temporary path; on success rename it over ``target``.

    ``protect`` lists input files that must never be overwritten: naming one of them as
    the target is refused with a :class:`PlannerError`, as is a target that exists and is
    not a regular file.
    """
    target = Path(target)
    if not str(target).strip():
        raise PlannerError("an output path is empty: name a file")
    _protect(target, protect)
    check_target(target)
    sweep_stale_temps(target.parent, target.name)
    tmp_path = _make_temp(target)
    try:
        yield tmp_path
        os.chmod(tmp_path, _mode_for(target))
        check_target(target)  # it may have been replaced by a special file meanwhile
        try:
            os.replace(tmp_path, target)
        except OSError as exc:
            raise PlannerError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        with suppress(OSError):
            tmp_path.unlink()
