"""Checks on an input file before any of it is parsed.

A workbook is a zip archive of XML parts.  Before openpyxl sees it, the file must be no
larger than :attr:`Limits.max_file_mb` (default 50 MB; the environment variable
``PLANNER_MAX_FILE_MB`` changes it: the limit cannot be a workbook setting, because it
must hold before the workbook is read), and the archive must not expand into more than
:attr:`Limits.max_uncompressed_mb` or compress any large part more than
:attr:`Limits.max_ratio` times, which only a zip bomb does.  The declared sizes checked
here are the ones Python's zipfile enforces when a part is read: a part that inflates
past its declared size fails its CRC check instead of filling memory.

No part may declare a document type (``<!DOCTYPE``/``<!ENTITY``, in UTF-8 or UTF-16):
XML entity attacks are refused here, before any parser runs, whatever the parser or the
system's expat version (openpyxl also parses with defusedxml, a core dependency).

Each sheet read is checked again, before its rows are parsed, by
:mod:`planner.io.sheetscan`: at most :attr:`Limits.max_cells` cells once padded the way
reading row by row pads them, no row or column past Excel's last, and at most
:attr:`Limits.max_total_cells` over all the sheets read.  This bounds the reader's memory
whatever the file holds (measured: see docs/workbook.md, "Limits").
"""

from __future__ import annotations

import io
import math
import os
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from planner.domain.errors import PlannerError

MB = 1024 * 1024
ENV_MAX_FILE_MB = "PLANNER_MAX_FILE_MB"


@dataclass(frozen=True)
class Limits:
    """How much of an input the reader will take."""

    max_file_mb: float = 50.0
    max_uncompressed_mb: float = 500.0
    max_ratio: float = 100.0
    ratio_member_mb: float = 10.0  # parts smaller than this are not ratio-checked
    max_members: int = 10_000
    max_cells: int = 1_000_000
    max_total_cells: int = 2_000_000  # over every sheet read, padding included


def limits_from_env(environ: Mapping[str, str] = os.environ) -> Limits:
    """The default limits, with ``PLANNER_MAX_FILE_MB`` (a number of megabytes) applied."""
    text = environ.get(ENV_MAX_FILE_MB, "").strip()
    if not text:
        return Limits()
    try:
        mb = float(text)
    except ValueError:
        mb = math.nan
    if not (math.isfinite(mb) and mb > 0):
        raise PlannerError(f"{ENV_MAX_FILE_MB}={text!r} is not a size: set it to a number "
                           "of megabytes, like 200")
    return Limits(max_file_mb=mb)


def check_file_size(name: str, size: int, limits: Limits) -> None:
    """Refuse a file larger than the limit, before reading it."""
    if size > limits.max_file_mb * MB:
        raise PlannerError(
            f"{name} is {size / MB:,.1f} MB, over the {limits.max_file_mb:g} MB limit for an "
            f"input workbook, so it was not read; if it really is the input, set the "
            f"environment variable {ENV_MAX_FILE_MB} to a larger number of megabytes")


def _not_a_workbook(name: str, names: list[str]) -> str:
    kind = "a zip archive"
    if any(n.startswith("word/") for n in names):
        kind = "a Word document"
    elif any(n.startswith("ppt/") for n in names):
        kind = "a PowerPoint presentation"
    return f"{name} is {kind}, not an Excel workbook (.xlsx)"


def _check_members(name: str, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_members:
        raise PlannerError(f"{name} holds {len(infos):,} files inside its zip archive, more "
                           f"than a workbook has (limit {limits.max_members:,}); not read")
    total = 0
    for info in infos:
        total += info.file_size
        large = info.file_size > limits.ratio_member_mb * MB
        if large and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise PlannerError(
                f"{name} is refused: its part {info.filename} expands "
                f"{info.file_size / max(info.compress_size, 1):,.0f} times (from "
                f"{info.compress_size / MB:,.1f} MB to {info.file_size / MB:,.0f} MB), more "
                f"than the {limits.max_ratio:g}x any real workbook needs: it looks like a "
                f"zip bomb")
    if total > limits.max_uncompressed_mb * MB:
        raise PlannerError(
            f"{name} is refused: it expands to {total / MB:,.0f} MB, over the "
            f"{limits.max_uncompressed_mb:g} MB the reader will hold (a zip bomb or a "
            f"workbook far larger than a plan needs)")


def check_archive(name: str, data: bytes, limits: Limits) -> None:
    """Raise PlannerError unless ``data`` is a zip archive holding a workbook whose
    declared sizes are within ``limits``."""
    check_file_size(name, len(data), limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError) as exc:
        raise PlannerError(f"{name} is not a readable Excel workbook (.xlsx): its zip "
                           f"archive is damaged ({exc})") from None
    names = [i.filename for i in infos]
    office = any(n.startswith(("word/", "ppt/")) for n in names)
    if "[Content_Types].xml" not in names or (office and not any(n.startswith("xl/")
                                                                  for n in names)):
        raise PlannerError(_not_a_workbook(name, names))
    _check_members(name, infos, limits)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _check_no_dtd(name, archive, infos)


#: A document type declaration in any encoding expat reads (UTF-8 and its ASCII subsets,
#: UTF-16 either way round).  Office never writes one; a DTD is how XML entity attacks
#: (billion laughs, external entities) start, so a part holding one is refused before any
#: XML parser sees it, whatever the parser or the system's expat version.
_DTD_MARKS = tuple(mark.encode(enc) for mark in ("<!DOCTYPE", "<!ENTITY")
                   for enc in ("ascii", "utf-16-le", "utf-16-be"))


def _holds_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    keep = max(len(m) for m in _DTD_MARKS)
    tail = b""
    with archive.open(info) as src:
        while chunk := src.read(1 << 20):
            buf = tail + chunk
            if any(mark in buf for mark in _DTD_MARKS):
                return True
            tail = buf[-keep:]
    return False


def _check_no_dtd(name: str, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    for info in infos:
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:  # zip's "encrypted" flag: zipfile would ask for a password
            raise PlannerError(f"{name} is not a readable Excel workbook (.xlsx): its part "
                               f"{info.filename} is encrypted; save the workbook without a "
                               "password (or it is damaged)")
        try:
            found = _holds_dtd(archive, info)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError,
                NotImplementedError) as exc:
            raise PlannerError(f"{name} is not a readable Excel workbook (.xlsx): its part "
                               f"{info.filename} is damaged ({exc})") from None
        if found:
            raise PlannerError(f"{name} is refused: its part {info.filename} declares a "
                               "document type (<!DOCTYPE or <!ENTITY), which no spreadsheet "
                               "program writes and XML entity attacks rely on; it was not "
                               "parsed")
