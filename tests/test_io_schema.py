"""The workbook schema: in step with the domain dataclasses and with docs/workbook.md."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from planner.domain.hardware import PRECISIONS, ChipSpec
from planner.domain.inputs import ChipOffer, Settings
from planner.domain.names import normalise
from planner.io.cells import parse_cell
from planner.io.schema import KINDS, PEAK_COLUMNS, SETTINGS, SHEETS, document, markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "workbook.md"


def test_settings_keys_are_exactly_the_settings_fields() -> None:
    assert [s.name for s in SETTINGS] == [f.name for f in dataclasses.fields(Settings)]


def test_settings_defaults_come_from_the_dataclass() -> None:
    defaults = Settings(start_quarter=None)  # type: ignore[arg-type]
    for spec in SETTINGS:
        if spec.name == "start_quarter":
            assert spec.required and spec.default is None
            continue
        value = getattr(defaults, spec.name)
        if isinstance(value, bool):
            assert spec.default == ("yes" if value else "no")
        elif isinstance(value, tuple) and value:  # shown as text, parsed back to the same shares
            assert parse_cell(spec.default, spec) == pytest.approx(value)
        elif spec.name == "hours_per_quarter":
            assert spec.default == round(value, 2)  # shown rounded; blank gives the exact value
        elif value == ():  # an empty by-year value (no carbon price, no cap): said in words
            assert spec.default is None and spec.blank.startswith("no ")
        else:
            assert spec.default == value


def test_every_column_has_a_known_kind_a_doc_and_a_unique_name() -> None:
    for sheet in SHEETS:
        keys = [normalise(c.name) for c in sheet.columns]
        assert len(keys) == len(set(keys)), sheet.name
        for col in sheet.columns:
            assert col.kind in KINDS, (sheet.name, col.name)
            assert col.doc, (sheet.name, col.name)
            assert (col.kind == "choice") == bool(col.choices), (sheet.name, col.name)


def test_sheet_order_and_required_sheets() -> None:
    assert [s.name for s in SHEETS] == ["Settings", "Chips", "Sites", "Workloads", "Demand",
                                        "Training", "Models", "Measured", "RequestMix", "Fleet", "SitePower",
                                        "Expansions", "Stacks", "APIs", "Budgets", "Carbon", "Drivers",
                                        "History", "Actuals", "Scenarios"]
    assert [s.name for s in SHEETS if s.required] == ["Settings", "Chips", "Sites",
                                                      "Workloads", "Demand"]


def test_chip_override_columns_map_onto_chipspec() -> None:
    chips = {c.name for c in next(s for s in SHEETS if s.name == "Chips").columns}
    fields = {f.name for f in dataclasses.fields(ChipSpec)}
    assert set(PEAK_COLUMNS) <= chips
    assert set(PEAK_COLUMNS.values()) <= set(PRECISIONS)
    for name in ("memory_gb", "memory_bw_tbs", "tdp_w", "scaleup_domain_chips",
                 "scaleup_gbs_per_chip"):
        assert name in chips and name in fields


def test_markdown_lists_every_sheet_column_and_setting() -> None:
    text = markdown()
    for sheet in SHEETS:
        assert f"### {sheet.name} (" in text
        for col in sheet.columns:
            assert f"| `{col.name}` |" in text
    for spec in SETTINGS:
        assert f"| `{spec.name}` |" in text


def test_docs_workbook_md_is_generated_from_the_schema() -> None:
    assert DOCS.read_text() == document() + "\n", (
        "docs/workbook.md is stale: run python -m planner.io.schema > docs/workbook.md")


def _columns(sheet: str) -> dict:
    return {c.name: c for c in next(s for s in SHEETS if s.name == sheet).columns}


def test_every_chip_offer_term_is_a_chips_column_with_the_dataclass_default() -> None:
    chips = _columns("Chips")
    for f in dataclasses.fields(ChipOffer):
        if f.name == "chip":
            continue
        assert f.name in chips, f.name
        col = chips[f.name]
        if f.default is not None and f.default is not dataclasses.MISSING:
            assert col.default == f.default, f.name
        else:
            assert col.default is None and col.blank, f.name


def test_new_columns_and_sheets_say_what_a_blank_means() -> None:
    assert _columns("Sites")["max_chips"].blank == "no limit"
    assert _columns("Workloads")["stacks"].kind == "names"
    assert _columns("Training")["stacks"].blank == "any stack"
    assert _columns("Stacks")["adopted"].default == "no"
    assert _columns("Expansions")["lead_time_quarters"].default == 0
    assert _columns("Budgets")["year"].kind == "year"
    for sheet in ("Fleet", "SitePower", "Expansions", "Stacks", "APIs", "Budgets"):
        for col in _columns(sheet).values():
            assert col.required or col.default is not None or col.blank, (sheet, col.name)
