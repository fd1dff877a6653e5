"""Chips, Models and Measured sheets: catalog resolution, overrides, new entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import both, catalogs, fill_rows, mutate, problems, read, set_cell


def add(sheet: str, *rows: dict):
    return lambda wb: fill_rows(wb, sheet, list(rows))


def test_alias_resolves_to_the_canonical_name_and_a_catalog_spec(tmp_path: Path) -> None:
    plan = read(mutate(tmp_path, "a.xlsx", set_cell("Chips", 2, "chip", "h100-sxm")))
    assert plan.chips[0].chip == "H100 SXM"
    assert plan.chip_specs["H100 SXM"] == catalogs()[0]["H100 SXM"]


def test_spec_override_columns_replace_catalog_values(tmp_path: Path) -> None:
    change = both(set_cell("Chips", 2, "memory_gb", 96), set_cell("Chips", 2, "fp4_tflops", 4000),
                  set_cell("Chips", 2, "scaleup_domain_chips", 16))
    spec = read(mutate(tmp_path, "o.xlsx", change)).chip_specs["H100 SXM"]
    assert spec.memory_gb == 96 and spec.scaleup_domain_chips == 16
    assert spec.peak_tflops == {"bf16": 989.4, "fp8": 1979, "int8": 1979, "fp4": 4000}
    assert catalogs()[0]["H100 SXM"].memory_gb == 80  # the catalog is not touched


def test_new_chip_with_full_spec_is_accepted(tmp_path: Path) -> None:
    row = {"chip": "Acme X1", "rent_usd_per_chip_hour": 2, "memory_gb": 128,
           "memory_bw_tbs": 4, "fp8_tflops": 2000, "power_kw_per_chip": 1.2}
    plan = read(mutate(tmp_path, "n.xlsx", add("Chips", row)))
    spec = plan.chip_specs["Acme X1"]
    assert (spec.memory_gb, spec.memory_bw_tbs, spec.peak_tflops) == (128, 4, {"fp8": 2000})
    assert spec.tdp_w is None and plan.chips[-1].power_kw_per_chip == 1.2


def test_new_chip_missing_spec_columns_names_each(tmp_path: Path) -> None:
    row = {"chip": "Acme X1", "rent_usd_per_chip_hour": 2, "memory_gb": 128}
    found = problems(mutate(tmp_path, "n.xlsx", add("Chips", row)))
    assert {(p.row, p.column) for p in found} == {(4, "memory_bw_tbs"), (4, "tdp_w"),
                                                  (4, "bf16_tflops")}
    assert "not in the chip catalog" in found[0].message


def test_misspelt_chip_with_power_given_is_still_called_unknown(tmp_path: Path) -> None:
    change = both(set_cell("Chips", 2, "chip", "H10"), set_cell("Chips", 2, "power_kw_per_chip", 1))
    (p,) = problems(mutate(tmp_path, "m.xlsx", change))
    assert p.column == "chip" and "closest: H100 SXM" in p.message


def test_cloud_only_chip_cannot_be_bought(tmp_path: Path) -> None:
    row = {"chip": "TPU v5e", "purchase_usd_per_chip": 10000, "rent_usd_per_chip_hour": 1.2}
    (p,) = problems(mutate(tmp_path, "c.xlsx", add("Chips", row)))
    assert (p.row, p.column) == (4, "purchase_usd_per_chip")
    assert "cloud-only: can only be rented" in p.message


def test_cloud_only_chip_can_be_rented(tmp_path: Path) -> None:
    row = {"chip": "TPU v5e", "rent_usd_per_chip_hour": 1.2}
    assert read(mutate(tmp_path, "c.xlsx", add("Chips", row))).chips[-1].chip == "TPU v5e"


def test_api_only_chip_is_not_procurable(tmp_path: Path) -> None:
    row = {"chip": "groq lpu", "rent_usd_per_chip_hour": 1}
    (p,) = problems(mutate(tmp_path, "g.xlsx", add("Chips", row)))
    assert (p.row, p.column) == (4, "chip") and "not procurable" in p.message


def test_buying_a_chip_without_published_power_needs_power(tmp_path: Path) -> None:
    row = {"chip": "Ascend 910C", "purchase_usd_per_chip": 20000}
    (p,) = problems(mutate(tmp_path, "p.xlsx", add("Chips", row)))
    assert p.column == "power_kw_per_chip"
    ok = dict(row, power_kw_per_chip=1.1)
    assert read(mutate(tmp_path, "p2.xlsx", add("Chips", ok))).chips[-1].chip == "Ascend 910C"


def test_neither_price_is_a_problem(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "np.xlsx", set_cell("Chips", 3, "rent_usd_per_chip_hour", None)))
    assert (p.row, p.column) == (3, "purchase_usd_per_chip") and "fill at least one" in p.message


def test_duplicate_chip_by_alias(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "d.xlsx", add("Chips", {"chip": "H100 SXM",
                                                             "rent_usd_per_chip_hour": 2})))
    assert (p.row, p.column) == (4, "chip") and "twice (also on row 2)" in p.message


def test_availability_window_must_be_ordered(tmp_path: Path) -> None:
    change = both(set_cell("Chips", 2, "available_from", "2028Q1"),
                  set_cell("Chips", 2, "available_until", "2027Q2"))
    (p,) = problems(mutate(tmp_path, "w.xlsx", change))
    assert p.column == "available_until" and "before available_from 2028Q1" in p.message


def test_missing_price_columns_are_reported(tmp_path: Path) -> None:
    def drop(wb) -> None:
        wb["Chips"].delete_cols(3)  # rent_usd_per_chip_hour
    found = problems(mutate(tmp_path, "r.xlsx", drop))
    assert ("Chips", None, "rent_usd_per_chip_hour") in {(p.sheet, p.row, p.column) for p in found}


CUSTOM = {"model": "acme-13b", "params_b": 13, "layers": 40, "hidden_size": 5120,
          "attention_heads": 40, "kv_heads": 8, "max_context": 8192, "source": "model card"}


def test_custom_model_on_models_sheet_is_used_by_a_workload(tmp_path: Path) -> None:
    change = both(add("Models", CUSTOM), set_cell("Workloads", 2, "model", "ACME 13B"))
    plan = read(mutate(tmp_path, "m.xlsx", change))
    spec = plan.model_specs["acme-13b"]
    assert plan.workloads[0].model == "acme-13b"
    assert (spec.active_params_b, spec.head_dim, spec.experts, spec.max_context) == \
        (13, 128, 1, 8192)


def test_model_override_keeps_blank_fields_from_the_catalog(tmp_path: Path) -> None:
    plan = read(mutate(tmp_path, "o.xlsx", add("Models", {"model": "Llama 3.1 8B",
                                                          "max_context": 8192})))
    spec = plan.model_specs["llama-3.1-8b"]
    assert spec.max_context == 8192 and spec.layers == 32 and spec.vocab_size == 128256


def test_custom_model_needs_its_architecture(tmp_path: Path) -> None:
    found = problems(mutate(tmp_path, "m.xlsx", add("Models", {"model": "acme", "params_b": 3})))
    assert {p.column for p in found} == {"layers", "hidden_size", "attention_heads"}


def test_inconsistent_model_is_a_problem(tmp_path: Path) -> None:
    row = dict(CUSTOM, active_params_b=20, experts=2, active_experts=4)
    found = problems(mutate(tmp_path, "m.xlsx", add("Models", row)))
    assert {p.column for p in found} == {"active_params_b", "active_experts"}


def test_measured_rows_resolve_names(tmp_path: Path) -> None:
    row = {"chip": "A100-80GB", "model": "llama-2-7b", "precision": "fp16",
           "output_tokens_per_s_per_chip": 1895, "prompt_tokens": 250, "output_tokens": 250,
           "source": "Melange"}
    plan = read(mutate(tmp_path, "me.xlsx", add("Measured", row)))
    (m,) = plan.measured
    assert (m.chip, m.model, m.output_tokens_per_s_per_chip) == ("A100 80GB SXM", "llama-2-7b",
                                                                 1895)
    assert "llama-2-7b" in plan.model_specs


def test_measured_unknown_chip(tmp_path: Path) -> None:
    row = {"chip": "H100-80GBX", "model": "llama-2-7b", "precision": "fp16",
           "output_tokens_per_s_per_chip": 1000}
    (p,) = problems(mutate(tmp_path, "me.xlsx", add("Measured", row)))
    assert (p.sheet, p.row, p.column) == ("Measured", 2, "chip")
    assert "unknown chip 'H100-80GBX' (closest: " in p.message and "H100 SXM" in p.message


def test_commercial_terms_reach_the_offer(tmp_path: Path) -> None:
    change = both(set_cell("Chips", 2, "price_decline_per_quarter", "2%"),
                  set_cell("Chips", 2, "supply_cap_per_quarter", 256),
                  set_cell("Chips", 2, "resale_decline_per_year", 0.4),
                  set_cell("Chips", 2, "reserved_1y_discount", 0.3),
                  set_cell("Chips", 2, "reserved_3y_discount", 0.45))
    h100, _ = read(mutate(tmp_path, "t.xlsx", change)).chips
    assert (h100.price_decline_per_quarter, h100.supply_cap_per_quarter,
            h100.resale_decline_per_year) == (pytest.approx(0.02), 256, 0.4)
    assert (h100.reserved_1y_discount, h100.reserved_3y_discount) == (0.3, 0.45)
    assert isinstance(h100.supply_cap_per_quarter, int)
    assert h100.purchase_price(2) == pytest.approx(27500 * 0.98 ** 2)


def test_blank_terms_take_the_offer_defaults(tmp_path: Path) -> None:
    l40s = read(mutate(tmp_path, "t.xlsx", lambda wb: None)).chips[1]
    assert (l40s.price_decline_per_quarter, l40s.supply_cap_per_quarter,
            l40s.resale_decline_per_year) == (0.0, None, 0.35)
    assert (l40s.reserved_1y_discount, l40s.reserved_3y_discount) == (None, None)


@pytest.mark.parametrize(("column", "value", "says"), [
    ("reserved_1y_discount", 1.2, "expected a fraction in [0, 1)"),
    ("reserved_3y_discount", -0.1, "got -0.1"),
    ("price_decline_per_quarter", 2, "0.08 means 8%"),
    ("resale_decline_per_year", "35", "got '35'"),
    ("supply_cap_per_quarter", 10.5, "whole number >= 0"),
])
def test_bad_terms_name_the_cell(tmp_path: Path, column: str, value: object, says: str) -> None:
    (p,) = problems(mutate(tmp_path, "t.xlsx", set_cell("Chips", 2, column, value)))
    assert (p.sheet, p.row, p.column) == ("Chips", 2, column) and says in p.message


def test_discount_without_rent_is_a_problem(tmp_path: Path) -> None:
    row = {"chip": "B200", "purchase_usd_per_chip": 40000, "reserved_1y_discount": 0.3,
           "reserved_3y_discount": 0.5}
    found = problems(mutate(tmp_path, "d.xlsx", add("Chips", row)))
    assert {(p.row, p.column) for p in found} == {(4, "reserved_1y_discount"),
                                                  (4, "reserved_3y_discount")}
    assert all("needs rent_usd_per_chip_hour" in p.message for p in found)


def test_purchase_terms_without_purchase_price_are_problems(tmp_path: Path) -> None:
    change = both(set_cell("Chips", 3, "supply_cap_per_quarter", 100),
                  set_cell("Chips", 3, "price_decline_per_quarter", 0.01))
    found = problems(mutate(tmp_path, "s.xlsx", change))
    assert {(p.row, p.column) for p in found} == {(3, "supply_cap_per_quarter"),
                                                  (3, "price_decline_per_quarter")}
    # A zero decline says nothing about a purchase, so it is fine without a price.
    plan = read(mutate(tmp_path, "z.xlsx", set_cell("Chips", 3, "price_decline_per_quarter", 0)))
    assert plan.chips[1].price_decline_per_quarter == 0


def test_software_stack_column_overrides_and_matches_the_catalog(tmp_path: Path) -> None:
    row = {"chip": "Acme X1", "rent_usd_per_chip_hour": 2, "memory_gb": 128,
           "memory_bw_tbs": 4, "fp8_tflops": 2000, "power_kw_per_chip": 1.2,
           "software_stack": "rocm"}
    change = both(add("Chips", row), set_cell("Chips", 2, "software_stack", "Triton"))
    plan = read(mutate(tmp_path, "s.xlsx", change))
    assert plan.chip_specs["Acme X1"].software_stack == "ROCm"  # the catalog's spelling
    assert plan.chip_specs["H100 SXM"].software_stack == "Triton"  # a new stack, as written
    assert plan.chip_specs["L40S"].software_stack == "CUDA"


def test_models_row_can_point_at_a_config_json(tmp_path: Path) -> None:
    fixture = Path(__file__).parent / "fixtures" / "hf" / "qwen3-32b" / "config.json"
    (tmp_path / "qwen").mkdir()
    (tmp_path / "qwen" / "config.json").write_bytes(fixture.read_bytes())
    row = {"model": "my-qwen", "config_json": "qwen/config.json", "max_context": 32768}
    change = both(add("Models", row), set_cell("Workloads", 2, "model", "my-qwen"))
    spec = read(mutate(tmp_path, "c.xlsx", change)).model_specs["my-qwen"]
    assert (spec.layers, spec.hidden_size, spec.kv_heads, spec.head_dim) == (64, 5120, 8, 128)
    assert spec.params_b == pytest.approx(32.76, abs=0.01)
    assert spec.max_context == 32768  # a typed cell overrides the config


def test_missing_config_json_is_a_problem_on_its_cell(tmp_path: Path) -> None:
    found = problems(mutate(tmp_path, "c.xlsx", add("Models", {"model": "x",
                                                               "config_json": "nope/config.json"})))
    assert [p.column for p in found] == ["config_json"]
