"""What the report says about the run itself: input file and hash, version, timing."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from planner import __version__
from planner.domain import PlanInput


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve(inp: PlanInput, input_path: str | os.PathLike | None,
            run_info: dict | None) -> dict:
    """run_info completed from the input and the input file: every key present."""
    info = dict(run_info or {})
    if not info.get("input_file"):
        info["input_file"] = inp.source_name or (Path(input_path).name if input_path else "")
    if not info.get("input_sha256"):
        sha = inp.source_sha256
        if not sha and input_path and Path(input_path).is_file():
            sha = file_sha256(input_path)
        info["input_sha256"] = sha
    info.setdefault("planner_version", __version__)
    info.setdefault("run_seconds", None)
    info.setdefault("started_at", "")
    return info


def start_clock() -> tuple[datetime, float]:
    """When a run starts: the UTC time and a monotonic clock reading."""
    return datetime.now(timezone.utc), time.perf_counter()


def make_run_info(workbook: str | os.PathLike, inp: PlanInput, started: datetime,
                  clock: float) -> dict:
    """What a report says about its run (built here only): version, seconds since
    ``clock``, start time, input file name and hash."""
    return {"planner_version": __version__, "run_seconds": time.perf_counter() - clock,
            "started_at": started.isoformat(timespec="seconds"),
            "input_file": Path(workbook).name, "input_sha256": inp.source_sha256}
