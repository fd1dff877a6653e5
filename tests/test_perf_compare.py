import pytest

from planner.domain import units
from planner.perf.catalog import get_model, load_chips
from planner.perf.compare import HOURS_PER_YEAR, compare_chips

UNIT_KEYS = tuple(key for basis in units.BASES for key in (
    units.tokens_per_s_column(basis, "chip"), units.tokens_per_s_column(basis, "kw"),
    units.tokens_per_s_column(basis, "kusd_purchase"), units.usd_per_mtok_column(basis, "rented"),
    units.usd_per_mtok_column(basis, "owned"))) + ("note",)


@pytest.fixture(scope="module")
def rows():
    return compare_chips(get_model("llama-3.1-70b"), load_chips(), "fp8", 1000, 250)


def test_one_row_per_chip_with_unit_keys(rows):
    assert len(rows) == len(load_chips())
    for r in rows:
        for key in UNIT_KEYS:
            assert key in r


def test_rented_cost_is_rent_over_tokens_per_hour(rows):
    """Output-only rates are the model's; prompt+output = output x (1000 + 250) / 250 = x5,
    so a dollar per million prompt+output tokens is a fifth of one per output token."""
    h100 = next(r for r in rows if r["chip"] == "H100 SXM")
    tps = h100["output_tokens_per_s_per_chip"]
    assert h100["prompt_output_tokens_per_s_per_chip"] == pytest.approx(5 * tps)
    assert h100["usd_per_million_output_tokens_rented"] == pytest.approx(2.5 / (tps * 3600) * 1e6)
    assert h100["usd_per_million_prompt_output_tokens_rented"] == pytest.approx(
        2.5 / (5 * tps * 3600) * 1e6)
    owned = 27500 / (5 * HOURS_PER_YEAR) + 0.7 * 1.35 * 1.3 * 0.08
    assert h100["usd_per_million_output_tokens_owned"] == pytest.approx(owned / (tps * 3600) * 1e6)
    assert h100["usd_per_million_prompt_output_tokens_owned"] == pytest.approx(
        owned / (5 * tps * 3600) * 1e6)
    assert h100["output_tokens_per_s_per_kw"] == pytest.approx(tps / (0.7 * 1.35))
    assert h100["output_tokens_per_s_per_kusd_purchase"] == pytest.approx(tps / 27.5)
    assert h100["prompt_output_tokens_per_s_per_kw"] == pytest.approx(5 * tps / (0.7 * 1.35))


def test_unmodelable_and_unsold_chips_have_notes(rows):
    by = {r["chip"]: r for r in rows}
    assert not by["Groq LPU"]["feasible"] and "cannot be modelled" in by["Groq LPU"]["note"]
    assert by["Groq LPU"]["usd_per_million_output_tokens_rented"] is None
    assert by["Groq LPU"]["usd_per_million_prompt_output_tokens_rented"] is None
    assert "not for sale" in by["MTIA v2"]["note"]
    assert by["TPU v5e"]["usd_per_million_prompt_output_tokens_owned"] is None  # cannot be bought


def test_feasible_rows_first_by_throughput(rows):
    feasible = [r["feasible"] for r in rows]
    assert feasible == sorted(feasible, reverse=True)
    rates = [r["output_tokens_per_s_per_chip"] for r in rows if r["feasible"]]
    assert rates == sorted(rates, reverse=True)


def test_utilisation_scales_cost():
    chips = {k: v for k, v in load_chips().items() if k == "H100 SXM"}
    full = compare_chips(get_model("llama-2-7b"), chips, "fp8", 500, 500)[0]
    half = compare_chips(get_model("llama-2-7b"), chips, "fp8", 500, 500, utilisation=0.5)[0]
    for basis in units.BASES:
        key = units.usd_per_mtok_column(basis, "rented")
        assert half[key] == pytest.approx(2 * full[key])
