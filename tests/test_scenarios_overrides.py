"""apply_scenario: each parameter changes what it says, where it says, and nothing else."""

from __future__ import annotations

import dataclasses

import pytest
from optimize_fixtures import chip_a, chip_b, estimate, instance

from planner.domain import Budget, Quarter
from planner.domain.scenarios import Override, ScenarioSpec
from planner.scenarios.overrides import apply_override, apply_scenario, scale_throughput

Q = Quarter.parse


def base():
    inp, throughput = instance(chips=[chip_a(), chip_b(reserved_1y_discount=0.3)],
                               demand=(100.0, 200.0, 300.0, 400.0))
    return inp, throughput


def spec(*overrides: Override) -> ScenarioSpec:
    return ScenarioSpec("s", tuple(overrides))


def test_demand_override_in_a_quarter_range_only():
    inp, _ = base()
    out = apply_scenario(inp, spec(Override("demand", "multiply", 2.0, "chat", Q("2027Q2"),
                                            Q("2027Q3"))))
    assert out.workloads[0].demand_tokens_per_day == (100.0, 400.0, 600.0, 400.0)
    assert inp.workloads[0].demand_tokens_per_day == (100.0, 200.0, 300.0, 400.0)  # untouched


@pytest.mark.parametrize("op,value,expected", [("set", 50.0, (50.0,) * 4),
                                               ("add", -150.0, (0.0, 50.0, 150.0, 250.0))])
def test_demand_set_and_add_never_below_zero(op, value, expected):
    inp, _ = base()
    out = apply_scenario(inp, spec(Override("demand", op, value)))
    assert out.workloads[0].demand_tokens_per_day == expected


def test_demand_growth_compounds_from_the_start():
    inp, _ = base()
    out = apply_scenario(inp, spec(Override("demand_growth", "multiply", 0.1)))
    assert out.workloads[0].demand_tokens_per_day == pytest.approx((100, 220, 363, 532.4))


def test_overrides_apply_in_order():
    inp, _ = base()
    out = apply_scenario(inp, spec(Override("rent_price", "multiply", 3.0),
                                   Override("rent_price", "set", 8.0, "B")))
    assert out.chips[1].rent_usd_per_chip_hour == 8.0
    out = apply_scenario(inp, spec(Override("rent_price", "set", 8.0, "B"),
                                   Override("rent_price", "multiply", 3.0)))
    assert out.chips[1].rent_usd_per_chip_hour == 24.0


def test_a_blank_chip_selector_changes_only_chips_that_have_the_price():
    inp, _ = base()
    out = apply_scenario(inp, spec(Override("rent_price", "multiply", 2.0)))
    assert out.chips[0].rent_usd_per_chip_hour is None  # A cannot be rented
    assert out.chips[1].rent_usd_per_chip_hour == 4.0
    out = apply_scenario(inp, spec(Override("purchase_price", "add", 500.0)))
    assert out.chips[0].purchase_usd_per_chip == 10_500 and out.chips[1].purchase_usd_per_chip is None


def test_site_power_and_electricity_become_per_quarter():
    inp, _ = base()
    out = apply_scenario(inp, spec(
        Override("power_cap_kw", "multiply", 0.5, "S", None, Q("2027Q2")),
        Override("electricity_price", "set", 0.3, "S", Q("2027Q4"))))
    site = out.sites[0]
    assert site.power_cap_kw_by_quarter == (6.0, 6.0, 12.0, 12.0)
    assert site.electricity_usd_per_kwh_by_quarter == (0.1, 0.1, 0.1, 0.3)


def test_chip_availability_lead_time_supply_and_discount_rate():
    inp, _ = base()
    out = apply_scenario(inp, spec(
        Override("available_from", "add", 2.0, "A"),
        Override("lead_time_quarters", "add", 1.0, "A"),
        Override("supply_cap_per_quarter", "set", 3.0, "A"),
        Override("discount_rate", "set", 0.1)))
    a = out.chips[0]
    assert (a.available_from, a.lead_time_quarters, a.supply_cap_per_quarter) == (Q("2027Q3"), 1, 3)
    assert out.settings.discount_rate_per_year == 0.1
    later = apply_scenario(out, spec(Override("available_from", "set", Q("2028Q1"), "A")))
    assert later.chips[0].available_from == Q("2028Q1")


def test_throughput_scales_the_estimates_not_the_input():
    inp, throughput = base()
    s = spec(Override("throughput", "multiply", 1.5, "A"), Override("throughput", "multiply", 2.0))
    assert apply_scenario(inp, s) == inp
    scaled = scale_throughput(throughput, s)
    assert scaled["chat", "A"].output_tokens_per_s_per_chip == 500 * 3.0
    assert scaled["chat", "B"].output_tokens_per_s_per_chip == 250 * 2.0
    assert throughput["chat", "A"] == estimate("A", "chat", 500)


def test_multiplying_a_price_a_named_chip_lacks_is_an_error():
    inp, _ = base()
    with pytest.raises(ValueError, match="has no rent price"):
        apply_scenario(inp, spec(Override("rent_price", "multiply", 2.0, "A")))


def test_plan_input_carries_scenarios_and_stays_hashable():
    inp, _ = base()
    s = spec(Override("demand", "set", 1.0))
    with_scenarios = dataclasses.replace(inp, scenarios=(s,))
    assert with_scenarios.scenarios == (s,)
    hash(s)


def test_tax_rate_and_financing_overrides():
    """tax_rate set makes every year's rate the value (Budgets rates give way);
    financed_share and loan_rate set a chip's financing offer (issue 21)."""
    inp, _tp = instance(chips=[chip_a()], budgets=(Budget(2027, tax_rate=0.3),))
    taxed = apply_override(inp, Override("tax_rate", "set", 0.21))
    assert taxed.settings.tax_rate == 0.21 and taxed.budgets[0].tax_rate is None
    loan = apply_override(inp, Override("financed_share", "set", 0.6, target="A"))
    loan = apply_override(loan, Override("loan_rate", "set", 0.07, target="A"))
    assert (loan.chips[0].financed_share, loan.chips[0].loan_rate_per_year) == (0.6, 0.07)


def test_api_price_multiplies_both_token_prices_and_set_gives_one_flat_price():
    """A catalog-priced offering ($0.59 in / $0.79 out): x2 gives $1.18 / $1.58 (and a
    100/100 mix of $1.38); set 0.3 gives $0.30 for every token."""
    from planner.domain import ApiOffer

    inp, _ = base()
    groq = ApiOffer("groq", "m", 0.79, usd_per_million_input_tokens=0.59,
                    usd_per_million_output_tokens=0.79)
    inp = dataclasses.replace(inp, apis=(groq, ApiOffer("other", "m", 1.0)))
    out = apply_scenario(inp, spec(Override("api_price", "multiply", 2.0, "groq")))
    assert (out.apis[0].usd_per_million_input_tokens,
            out.apis[0].usd_per_million_output_tokens) == pytest.approx((1.18, 1.58))
    assert out.apis[0].usd_per_million_tokens_for(100, 100) == pytest.approx(1.38)
    assert out.apis[1] == inp.apis[1]  # not selected
    flat = apply_scenario(inp, spec(Override("api_price", "set", 0.3))).apis[0]
    assert flat.usd_per_million_tokens_for(100, 250) == pytest.approx(0.3)


def test_a_sweep_names_an_api_offering_by_its_apis_row():
    """The sweep's selector resolves against the APIs rows; an unknown name says which
    offerings there are."""
    from planner.domain import ApiOffer, PlannerError
    from planner.scenarios.sweep import override_for

    inp, _ = base()
    inp = dataclasses.replace(inp, apis=(ApiOffer("cerebras/llama3.1-70b", "m", 0.6),))
    ov = override_for(inp, "api_price", "Cerebras/llama3.1-70b", "multiply", "1.5")
    assert (ov.target, ov.value) == ("cerebras/llama3.1-70b", 1.5)
    with pytest.raises(PlannerError, match="cerebras/llama3.1-70b"):
        override_for(inp, "api_price", "groq", "multiply", "1.5")
