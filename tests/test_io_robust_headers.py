"""Tolerant headers: any column order, extra columns, case, spaces, punctuation, units in
brackets and the schema's synonyms; two headers for one column are a problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import mutate, problems, read, write_minimal

from planner.io.schema import SHEETS, document, markdown
from planner.io.schema_spec import SYNONYMS, header_key
from planner.io.template import new_workbook


def _rename(sheet: str, headers: dict[str, str]):
    def change(wb) -> None:
        for cell in wb[sheet][1]:
            if cell.value in headers:
                cell.value = headers[cell.value]
    return change


def test_columns_in_reverse_order_with_extra_columns_read_the_same(tmp_path: Path) -> None:
    plain = read(write_minimal(tmp_path))

    def shuffle(wb) -> None:
        for name in ("Chips", "Workloads", "Demand"):
            ws = wb[name]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            ws.delete_rows(1, ws.max_row)
            for r in rows:
                ws.append(["note", *reversed(r), None, "more notes"])
            ws["A1"] = "comments"
    shuffled = read(mutate(tmp_path, "shuffled.xlsx", shuffle))
    assert shuffled.chips == plain.chips
    assert shuffled.workloads == plain.workloads


@pytest.mark.parametrize("header", ["Power Cap KW", "POWER_CAP_KW", " power cap kw ",
                                    "Power cap (kW)", "power-cap [kW]", "power.cap/kW",
                                    "facility_power_kw", "Power limit, kW"])
def test_power_cap_header_variants(tmp_path: Path, header: str) -> None:
    path = mutate(tmp_path, "h.xlsx", _rename("Sites", {"power_cap_kw": header}))
    assert read(path).sites[0].power_cap_kw == 1000


def test_documented_synonyms_are_read(tmp_path: Path) -> None:
    change = [_rename("Chips", {"purchase_usd_per_chip": "price_usd",
                                "rent_usd_per_chip_hour": "Rent per hour",
                                "lifetime_years": "Lifetime"}),
              _rename("Demand", {"tokens_per_day": "Tokens/day"}),
              _rename("Workloads", {"prompt_tokens": "input tokens"})]

    def apply(wb) -> None:
        for c in change:
            c(wb)
    plain = read(write_minimal(tmp_path))
    renamed = read(mutate(tmp_path, "synonyms.xlsx", apply))
    assert renamed.chips == plain.chips
    assert renamed.workloads == plain.workloads


def test_purchase_price_synonym(tmp_path: Path) -> None:
    path = mutate(tmp_path, "p.xlsx", _rename("Chips", {"purchase_usd_per_chip":
                                                         "Purchase price"}))
    h100 = next(c for c in read(path).chips if c.chip.startswith("H100"))
    assert h100.purchase_usd_per_chip == 27500


def test_two_headers_for_one_column_are_a_problem(tmp_path: Path) -> None:
    def add(wb) -> None:
        ws = wb["Chips"]
        col = ws.max_column + 1
        ws.cell(1, col, "price_usd")
        ws.cell(2, col, 30000)
    (p,) = problems(mutate(tmp_path, "twice.xlsx", add))
    assert (p.sheet, p.row, p.column) == ("Chips", None, "purchase_usd_per_chip")
    assert "('purchase_usd_per_chip') and" in p.message and "('price_usd') both hold" in p.message


def test_a_header_in_another_unit_is_pointed_at(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "mw.xlsx", _rename("Sites", {"power_cap_kw":
                                                                  "power_cap_MW"})))
    assert p.column == "power_cap_kw" and "is 'power_cap_MW' meant to be it?" in p.message


def test_synonyms_never_collide_on_a_sheet() -> None:
    for sheet in SHEETS:
        keys = [header_key(n) for c in sheet.columns for n in (c.name, *c.synonyms)]
        assert len(keys) == len(set(keys)), sheet.name
    columns = {c.name for s in SHEETS for c in s.columns}
    assert set(SYNONYMS) <= columns


def test_synonyms_are_documented() -> None:
    text = markdown()
    for names in SYNONYMS.values():
        for name in names:
            assert name in text
    assert "Header also accepted as: price_usd, purchase_price" in document()
    readme = new_workbook()["README"]
    meanings = [str(c.value) for row in readme.iter_rows() for c in row if c.value]
    assert any("Header also accepted as: tokens/day" in m for m in meanings)
