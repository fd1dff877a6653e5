"""Formulas are read from their saved values; a formula never calculated (a workbook written
by a script) is one clear problem per sheet; .xlsm workbooks are read for data only."""

from __future__ import annotations

from pathlib import Path

from robust_parts import replace, rewrite, sheet_part
from workbooks import both, mutate, problems, read, set_cell, write_minimal

FIX = "open and save it in Excel or LibreOffice, or write values instead of formulas"


def test_a_formula_is_read_from_its_saved_value(tmp_path: Path) -> None:
    plain = read(write_minimal(tmp_path, "plain.xlsx"))
    scripted = mutate(tmp_path, "f.xlsx", set_cell("Demand", 2, "tokens_per_day", "=1e9*1"))
    part = sheet_part(scripted, "Demand")
    calculated = rewrite(scripted, tmp_path / "calculated.xlsx", {part: replace(
        b"<f>1e9*1</f><v />", b"<f>1e9*1</f><v>1000000000</v>")})
    assert read(calculated).workloads == plain.workloads


def test_formulas_without_saved_values_are_named_with_the_fix(tmp_path: Path) -> None:
    change = both(set_cell("Demand", 2, "tokens_per_day", "=1e9*1"),
                  set_cell("Demand", 3, "tokens_per_day", "=C2*1.1"),
                  set_cell("Chips", 2, "purchase_usd_per_chip", "=27000+500"))
    found = problems(mutate(tmp_path, "scripted.xlsx", change))
    assert [(p.sheet, p.row, p.column) for p in found] == [("Chips", None, None),
                                                            ("Demand", None, None)]
    chips, demand = (p.message for p in found)
    assert chips.startswith("cell B2 holds a formula without a saved value")
    assert demand.startswith("cells C2, C3 hold formulas without a saved value")
    assert FIX in chips and FIX in demand


def test_many_uncached_formulas_are_summarised(tmp_path: Path) -> None:
    change = both(*(set_cell("Demand", r, "tokens_per_day", f"={r}e9") for r in range(2, 10)),
                  set_cell("Demand", 2, "quarter", "=\"2027Q1\""))
    (p,) = problems(mutate(tmp_path, "many.xlsx", change))
    assert p.message.startswith("cells B2, C2, C3, C4, C5, C6, C7, C8 and 1 more hold formulas")


def test_a_formula_whose_saved_result_is_empty_text_is_a_blank_cell(tmp_path: Path) -> None:
    scripted = mutate(tmp_path, "f.xlsx", set_cell("Workloads", 2, "ttft_ms", '=IF(1>0,"",1)'))
    part = sheet_part(scripted, "Workloads")
    saved = rewrite(scripted, tmp_path / "saved.xlsx", {part: replace(
        b'<c r="F2"><f>IF(1&gt;0,"",1)</f><v /></c>',
        b'<c r="F2" t="str"><f>IF(1&gt;0,"",1)</f><v></v></c>')})
    assert read(saved).workloads[0].ttft_ms is None


XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_TYPE = b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject" />'
VBA_REL = (b'<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/'
           b'vbaProject" Target="/xl/vbaProject.bin" Id="rIdVba" /></Relationships>')


def test_a_macro_enabled_workbook_is_read_for_its_data_only(tmp_path: Path) -> None:
    plain_path = write_minimal(tmp_path, "plain.xlsx")
    xlsm = rewrite(plain_path, tmp_path / "macros.xlsm", {
        "[Content_Types].xml": lambda data: replace(XLSX_MAIN, XLSM_MAIN)(data).replace(
            b"<Default Extension", VBA_TYPE + b"<Default Extension", 1),
        "xl/_rels/workbook.xml.rels": replace(b"</Relationships>", VBA_REL),
    }, extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really a macro project"})
    inp = read(xlsm)
    plain = read(plain_path)
    assert inp.source_name == "macros.xlsm"
    assert (inp.chips, inp.workloads, inp.sites) == (plain.chips, plain.workloads, plain.sites)
