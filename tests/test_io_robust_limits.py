"""Limits and damaged files: an oversized file, a zip bomb or a sheet with too many cells
is refused with a message before it is read into memory; damaged or foreign files are
PlannerErrors (exit 2, no traceback)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from robust_parts import replace, rewrite, sheet_part
from workbooks import catalogs, corrupt_zip, write_minimal

from planner.cli import main
from planner.domain import PlannerError
from planner.io.guard import MB, Limits, limits_from_env
from planner.io.reader import read_workbook


def read(path: Path, limits: Limits | None = None):
    return read_workbook(path, *catalogs(), limits=limits)


def refused(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(PlannerError) as info:
        read(path, limits)
    return str(info.value)


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as f:
        f.truncate(51 * MB)  # sparse: 51 MB by its size, nothing to read
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    message = refused(big)
    assert message.startswith("big.xlsx is 51.0 MB, over the 50 MB limit for an input workbook")
    assert "PLANNER_MAX_FILE_MB" in message


def test_the_limit_comes_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    path = write_minimal(tmp_path)
    monkeypatch.setenv("PLANNER_MAX_FILE_MB", "0.01")
    assert "over the 0.01 MB limit" in refused(path)
    monkeypatch.setenv("PLANNER_MAX_FILE_MB", "200")
    assert read(path).workloads
    monkeypatch.setenv("PLANNER_MAX_FILE_MB", "lots")
    assert "PLANNER_MAX_FILE_MB='lots' is not a size" in refused(path)
    assert limits_from_env({}) == Limits()


def test_the_cli_refuses_an_oversized_file_with_exit_2(tmp_path: Path, monkeypatch,
                                                       capsys) -> None:
    path = write_minimal(tmp_path)
    monkeypatch.setenv("PLANNER_MAX_FILE_MB", "0.01")
    assert main(["plan", str(path), "--no-ledger", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "MB limit for an input workbook" in err and "Traceback" not in err


def _bomb(path: Path, member_mb: int) -> Path:
    """The minimal workbook plus a part of ``member_mb`` MB of zeros (~1000x smaller)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/media/image1.bin", bytes(member_mb * MB))
    out = path.with_name("bomb.xlsx")
    out.write_bytes(buf.getvalue())
    return out


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    bomb = _bomb(write_minimal(tmp_path), 40)
    assert bomb.stat().st_size < MB
    started = time.perf_counter()
    message = refused(bomb)
    assert time.perf_counter() - started < 2
    assert re.match(r"bomb\.xlsx is refused: its part xl/media/image1\.bin expands [\d,]+ "
                    r"times \(from 0\.0 MB to 40 MB\), more than the 100x any real workbook "
                    r"needs: it looks like a zip bomb", message), message


def test_a_workbook_that_expands_past_the_total_limit_is_refused(tmp_path: Path) -> None:
    message = refused(write_minimal(tmp_path), Limits(max_uncompressed_mb=0.05))
    assert re.search(r"is refused: it expands to \d+ MB, over the 0.05 MB", message), message


def _with_dimension(tmp_path: Path, sheet: str, ref: bytes | None) -> Path:
    path = write_minimal(tmp_path)
    new = b"" if ref is None else b'<dimension ref="' + ref + b'" />'
    return rewrite(path, tmp_path / "sized.xlsx", {sheet_part(path, sheet): lambda d: re.sub(
        rb'<dimension ref="[^"]*" />', new, d)})


def test_a_sheet_declaring_over_a_million_cells_is_refused(tmp_path: Path) -> None:
    message = refused(_with_dimension(tmp_path, "Demand", b"A1:Z100000"))
    assert message.startswith("sheet 'Demand' spans A1:Z100000 (2,600,000 cells), over the "
                              "1,000,000-cell limit for an input sheet, so it was not read")


def test_a_sheet_storing_too_many_cells_is_refused(tmp_path: Path) -> None:
    # Settings (the first sheet read) without its declared size: its cells are counted.
    message = refused(_with_dimension(tmp_path, "Settings", None), Limits(max_cells=40))
    assert re.match(r"sheet 'Settings' holds \d+ cells or more, over the 40-cell limit "
                    r"for an input sheet, so it was not read", message), message


def test_a_damaged_sheet_is_named(tmp_path: Path) -> None:
    path = write_minimal(tmp_path)
    broken = rewrite(path, tmp_path / "broken.xlsx",
                     {sheet_part(path, "Demand"): replace(b"</sheetData>", b"</sheetDat>")})
    message = refused(broken)
    assert message.startswith("sheet 'Demand' is damaged and cannot be read")
    assert "not a readable Excel workbook" in message


@pytest.mark.parametrize(("members", "says"), [
    ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"},
     "is a Word document, not an Excel workbook"),
    ({"notes.txt": b"hello"}, "is a zip archive, not an Excel workbook"),
])
def test_other_zip_files_are_not_workbooks(tmp_path: Path, members, says) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    assert says in refused(path)


def test_a_truncated_workbook_is_not_readable(tmp_path: Path) -> None:
    assert "is not a readable Excel workbook (.xlsx)" in refused(corrupt_zip(tmp_path))


def test_a_device_is_not_a_workbook() -> None:
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    assert "is not a regular file" in refused(Path("/dev/null"))
