"""Known-answer tests, one per procurement feature (issue 5).

Common numbers (see tests/optimize_fixtures.py): zero discount, PUE 1, 2000 h/quarter.
Chip A: buy $10,000, 1 kW ($200 of power a quarter), 86.4M tokens/day.
Chip B: rent $2/h = $4,000 a quarter, 43.2M tokens/day (two B = one A).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import pytest
from optimize_fixtures import chip_a, chip_b, instance

from planner import optimize
from planner.domain import (
    ApiOffer,
    Budget,
    ExistingChips,
    Expansion,
    Quarter,
    SoftwareStack,
    TrainingEstimate,
    TrainingRun,
)
from planner.optimize import solve_plan


@pytest.fixture(params=["cbc", "highs"], autouse=True)
def solver(request, monkeypatch):
    """Every known answer holds for CBC and for the structured HiGHS solve."""
    monkeypatch.setitem(globals(), "solve_plan", partial(optimize.solve_plan, solver=request.param))
    return request.param


def cost(inp, throughput, training=None):
    result = solve_plan(inp, throughput, training)
    assert result.solver.termination == "optimal"
    return result


def test_lead_time_delays_capacity():
    """A ordered in Q1 arrives in Q2 (lead 1), so Q1 is rented: 20 B x $4,000 = $80,000.
    Q2: each A bought in Q1 costs $10,000 + $200 - $5,000 residual (half its life left)
    = $5,200 < $8,000 for two B.  Total $80,000 + 10 x $5,200 = $132,000."""
    inp, tp = instance(chips=[chip_a(lead_time_quarters=1), chip_b()], demand=(864e6, 864e6))
    r = cost(inp, tp)
    assert r.solver.objective_usd == pytest.approx(132_000)
    assert [(p.quarter_ordered, p.quarter_delivered, p.quantity) for p in r.purchases] == [
        ("2027Q1", "2027Q2", 10)]
    assert {(x.quarter, x.quantity) for x in r.rentals} == {("2027Q1", 20)}


@pytest.mark.parametrize("rent_per_hour, buys", [(0.70, True), (0.65, False)])
def test_residual_credit_makes_buying_late_pay_exactly_when_arithmetic_says(rent_per_hour, buys):
    """One quarter left; A has a one-year life.  Buying: $10,000 + $200 power - $7,500
    residual (3 of 4 quarters left) = $2,700 per A-equivalent.  Renting two B: 2 x h x
    2000 h, which equals $2,700 at h = $0.675/h.  At $0.70 buying wins, at $0.65 renting."""
    inp, tp = instance(chips=[chip_a(lifetime_years=1), chip_b(rent_usd_per_chip_hour=rent_per_hour)],
                       demand=(864e6,))
    r = cost(inp, tp)
    assert bool(r.purchases) is buys
    expected = 10 * 2_700 if buys else 20 * rent_per_hour * 2000
    assert r.solver.objective_usd == pytest.approx(expected)


@pytest.mark.parametrize("adoption, adopts", [(10_000, True), (45_000, False)])
def test_stack_adoption_is_paid_once(adoption, adopts):
    """Ten chips a quarter for two quarters.  B (CUDA, in use) rents at $2/h: $80,000.
    R (ROCm) rents at $1/h: $40,000 plus adoption once.  $10,000 -> R for $50,000
    (paying per quarter would make it $60,000); $45,000 -> B stays cheaper."""
    r_chip = replace(chip_b(rent_usd_per_chip_hour=1.0), chip="R")
    inp, tp = instance(chips=[chip_b(), r_chip], demand=(432e6, 432e6),
                       stacks={"B": "CUDA", "R": "ROCm"})
    inp = replace(inp, stacks=(SoftwareStack("ROCm", adoption), SoftwareStack("CUDA", 0, adopted=True)))
    r = cost(inp, tp)
    if adopts:
        assert r.solver.objective_usd == pytest.approx(50_000)
        assert [s.stack for s in r.stacks_adopted] == ["ROCm"]
        assert sum(c.stack_usd for c in r.cashflow) == pytest.approx(adoption)
    else:
        assert r.solver.objective_usd == pytest.approx(80_000)
        assert r.stacks_adopted == []


def test_workload_limited_to_its_stacks():
    """A workload that may only run on CUDA never uses the cheaper ROCm chip."""
    r_chip = replace(chip_b(rent_usd_per_chip_hour=1.0), chip="R")
    inp, tp = instance(chips=[chip_b(), r_chip], demand=(432e6,), stacks={"B": "CUDA", "R": "ROCm"})
    inp = replace(inp, workloads=(replace(inp.workloads[0], stacks=("CUDA",)),))
    r = cost(inp, tp)
    assert {x.chip for x in r.allocation} == {"B"}


def _training_instance(rentable: bool):
    """One run needs a gang of 8 chips for one quarter.  Two sites with power for 5 A each;
    A is cheap, so a split gang (4 + 4) would be cheapest if it were allowed."""
    chips = [chip_a(purchase_usd_per_chip=1_000)] + ([chip_b()] if rentable else [])
    inp, tp = instance(chips=chips, demand=(0.0,), power_cap_kw=5)
    site2 = replace(inp.sites[0], name="T")
    run = TrainingRun("pretrain", "m", 1e12, Quarter(2027, 1), Quarter(2027, 1))
    inp = replace(inp, sites=inp.sites + (site2,), training=(run,))
    training = {("pretrain", c.chip): TrainingEstimate(c.chip, "m", 1e12, 8, "bf16", True, 0.4, 2000.0)
                for c in chips}
    return inp, tp, training


def test_training_gang_is_never_split():
    inp, tp, training = _training_instance(rentable=True)
    r = cost(inp, tp, training)
    assert len({(t.chip, t.site) for t in r.training}) == 1
    (row,) = r.training
    assert (row.chip, row.site, row.chips) == ("B", "cloud", 8)
    assert r.purchases == []
    assert r.solver.objective_usd == pytest.approx(8 * 4_000)


def test_training_without_room_is_priced_as_undone():
    inp, tp, training = _training_instance(rentable=False)
    r = cost(inp, tp, training)
    assert r.training == []
    # penalty: $50 per chip-hour x 16,000 chip-hours
    assert r.solver.objective_usd == pytest.approx(50 * 8 * 2000)


def _gang_choice(options):
    """Rent-only chip B ($2/h, 2,000 h a quarter, no discounting), no demand, one run in
    Q1-Q2 whose smallest gang is 8 B for 2,400 h: 1.2 quarters, so it holds 8 chips for
    2 whole quarters."""
    inp, tp = instance(chips=[chip_b()], demand=(0.0, 0.0))
    run = TrainingRun("pretrain", "m", 1e12, Quarter(2027, 1), Quarter(2027, 2), max_gang_chips=24)
    est = TrainingEstimate("B", "m", 1e12, 8, "bf16", True, 0.4, 2400.0, gang_options=options)
    return replace(inp, training=(run,)), tp, {("pretrain", "B"): est}


def test_a_bigger_shorter_gang_is_chosen_when_it_is_cheaper():
    """Smallest gang: 8 chips x 2 quarters x 2,000 h x $2 = $64,000.  Bigger gang offered
    by the performance core: 12 chips for 1,700 h (20,400 chip-hours, more than the
    smallest gang's 19,200 because MFU falls with size), which fits in one quarter:
    12 x 1 x 2,000 x $2 = $48,000.  The plan trains on 12 chips for one quarter."""
    r = cost(*_gang_choice(((12, 1700.0),)))
    (row,) = r.training
    assert (row.chip, row.site, row.chips) == ("B", "cloud", 12)
    assert r.solver.objective_usd == pytest.approx(48_000)


def test_the_smallest_gang_is_kept_when_no_bigger_one_is_offered():
    """The same run without gang options: 8 chips over both quarters, $64,000."""
    r = cost(*_gang_choice(()))
    assert [(row.chips, str(row.quarter)) for row in r.training] == [(8, "2027Q1"), (8, "2027Q2")]
    assert r.solver.objective_usd == pytest.approx(64_000)


@pytest.mark.parametrize("quarters_with_demand, reserves", [(4, True), (2, False)])
def test_reserved_term_taken_only_when_used_enough(quarters_with_demand, reserves):
    """B on demand $2/h; 1-year reserved at 40% off = $1.2/h for 4 quarters = $9,600/chip.
    Ten chips all year: reserved $96,000 < on demand $160,000.  Ten chips in two
    quarters only: on demand $80,000 < reserved $96,000."""
    demand = tuple(432e6 if t < quarters_with_demand else 0.0 for t in range(4))
    inp, tp = instance(chips=[chip_b(reserved_1y_discount=0.4)], demand=demand)
    r = cost(inp, tp)
    kinds = {x.kind for x in r.rentals}
    assert kinds == ({"reserved"} if reserves else {"on-demand"})
    assert r.solver.objective_usd == pytest.approx(96_000 if reserves else 80_000)


def test_existing_fleet_serves_without_capital():
    """Ten A already owned (bought before the horizon, two-year life) meet Q1 and Q2
    demand; only their power is paid: 10 x $200 x 2 = $4,000.  Sunk chips carry no
    opening or closing value."""
    inp, tp = instance(chips=[chip_a(lifetime_years=2), chip_b()], demand=(864e6, 864e6))
    inp = replace(inp, existing=(ExistingChips("A", "S", 10, Quarter(2026, 3)),))
    r = cost(inp, tp)
    assert r.purchases == [] and r.rentals == []
    assert r.solver.objective_usd == pytest.approx(4_000)


def test_capex_budget_shifts_buying_to_renting():
    """$50,000 of capital in 2027 buys five A.  Each A bought in Q1 saves $16,000 -
    $10,400 = $5,600, in Q2 only $8,000 - $5,200 = $2,800: all five in Q1.  Rent the rest:
    10 B in Q1, 20 B in Q2.  5 x 10,400 + 30 x 4,000 = $172,000."""
    inp, tp = instance(budgets=(Budget(2027, capex_usd=50_000),))
    r = cost(inp, tp)
    assert r.solver.objective_usd == pytest.approx(172_000)
    assert sum(p.total_usd for p in r.purchases) <= 50_000


def test_supply_cap_limits_purchases_per_quarter():
    """At most 4 A a quarter: Q1 4 A + 12 B, Q2 4 more A + 14 B.
    4 x 10,400 + 4 x 5,200 + 26 x 4,000 = $166,400."""
    inp, tp = instance(chips=[chip_a(supply_cap_per_quarter=4), chip_b()])
    r = cost(inp, tp)
    assert r.solver.objective_usd == pytest.approx(166_400)
    assert all(p.quantity <= 4 for p in r.purchases)


def test_idle_chips_are_sold_at_their_anniversary():
    """Demand for a year, then none.  Ten A (two-year life) bought in Q1: $100,000 +
    4 quarters x $2,000 power; at the first anniversary they resell for 65% ($6,500 each)
    rather than idle for a year with no value left at the horizon end.
    $100,000 + $8,000 - $65,000 = $43,000."""
    demand = (864e6,) * 4 + (0.0,) * 4
    inp, tp = instance(chips=[chip_a(lifetime_years=2), chip_b()], demand=demand)
    r = cost(inp, tp)
    assert [(x.quarter, x.quantity) for x in r.retirements] == [("2028Q1", 10)]
    assert r.solver.objective_usd == pytest.approx(43_000)


def test_api_offer_serves_up_to_its_cap():
    """API at $0.5 per million tokens, up to 432M tokens/day: 432M x 83.33 days x 0.5e-6
    = $18,000; the other 432M tokens/day on 10 B = $40,000.  Total $58,000."""
    inp, tp = instance(chips=[chip_b()], demand=(864e6,))
    inp = replace(inp, apis=(ApiOffer("fast-api", "m", 0.5, 432e6),))
    r = cost(inp, tp)
    assert r.solver.objective_usd == pytest.approx(58_000)
    assert sum(a.tokens_per_day for a in r.api_usage) == pytest.approx(432e6)


def test_power_expansion_built_when_it_pays():
    """5 kW site plus an optional +10 kW for $3,000.  With it: the base plan with a 15 kW
    cap, 10 A in Q1 and 5 in Q2 = 104,000 + 26,000 + 3,000 = $133,000; without it:
    $172,000 (5 A and the rest rented)."""
    inp, tp = instance(power_cap_kw=5)
    inp = replace(inp, expansions=(Expansion("S", "hall 2", 10, 3_000),))
    r = cost(inp, tp)
    assert r.solver.objective_usd == pytest.approx(133_000)
    assert [(x.name, x.quarter_ordered) for x in r.expansions] == [("hall 2", "2027Q1")]
    assert max(p.cap_kw for p in r.power) == pytest.approx(15)


@pytest.mark.parametrize("disaggregated, expected", [(True, 40_000), (False, 80_000)])
def test_disaggregated_serving_splits_prefill_and_decode(disaggregated, expected):
    """Colocated, B serves 43.2M tokens/day for $4,000 a quarter: 20 B = $80,000 for
    864M tokens/day.  P does only prefill and D only decode, each for 86.4M tokens/day
    of requests at $1/h ($2,000 a quarter): 10 P + 10 D = $40,000, when the workload
    allows prefill and decode on different chips."""
    from optimize_fixtures import estimate

    p_chip = replace(chip_b(rent_usd_per_chip_hour=1.0), chip="P")
    d_chip = replace(chip_b(rent_usd_per_chip_hour=1.0), chip="D")
    inp, tp = instance(chips=[chip_b()], demand=(864e6,))
    inp = replace(inp, chips=inp.chips + (p_chip, d_chip),
                  workloads=(replace(inp.workloads[0], disaggregated=disaggregated),))
    phases = {("chat", "P", "prefill"): replace(estimate("P", "chat", 500), phase="prefill"),
              ("chat", "D", "decode"): replace(estimate("D", "chat", 500), phase="decode")}
    r = solve_plan(inp, tp, phases=phases)
    assert r.solver.objective_usd == pytest.approx(expected)
    if disaggregated:
        assert {(a.chip, a.phase, round(a.chips)) for a in r.allocation} == {
            ("P", "prefill", 10), ("D", "decode", 10)}
        assert r.unmet_demand_share == 0
