"""Apply a scenario's overrides to a plan's input: pure functions, inputs never mutated.

>>> from planner.domain.scenarios import Override
>>> combine(10.0, Override("demand", "multiply", 1.5))
15.0
>>> combine(1.0, Override("demand", "add", -3.0))
0.0
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from planner.domain.carbon import scale_by_year
from planner.domain.estimates import Estimates, ThroughputEstimate
from planner.domain.inputs import ApiOffer, ChipOffer, InferenceWorkload, PlanInput, Site
from planner.domain.periods import Quarter
from planner.domain.scenarios import PARAMETERS, Override, ScenarioSpec


def combine(old: float, ov: Override) -> float:
    """``old`` changed by ``ov`` (set, multiply or add), never below zero."""
    value = float(ov.value)  # type: ignore[arg-type]
    new = {"set": value, "multiply": old * value, "add": old + value}[ov.operation]
    new = max(new, 0.0)
    return float(round(new)) if PARAMETERS[ov.parameter].whole else new


def _hits(name: str, ov: Override) -> bool:
    return not ov.target or ov.target == name


def _demand(w: InferenceWorkload, ov: Override, periods: list[Quarter]) -> InferenceWorkload:
    if ov.parameter == "demand_growth":
        factor = 1.0 + float(ov.value)  # type: ignore[arg-type]
        tokens = tuple(d * factor ** t for t, d in enumerate(w.demand_tokens_per_day))
    else:
        tokens = tuple(combine(d, ov) if ov.in_range(q) else d
                       for q, d in zip(periods, w.demand_tokens_per_day))
    return dataclasses.replace(w, demand_tokens_per_day=tokens)


def _optional(old: float | None, ov: Override, what: str, chip: str) -> float | None:
    """A price or cap a chip may lack: a blank selector changes only chips that have it;
    naming the chip may set one (but not multiply or add to nothing)."""
    if old is None and not ov.target:
        return None
    if old is None and ov.operation != "set":
        raise ValueError(f"{ov.describe()}: chip {chip} has no {what} to {ov.operation}")
    return combine(old or 0.0, ov)


def _available(o: ChipOffer, ov: Override, start: Quarter) -> Quarter:
    if isinstance(ov.value, Quarter):
        return ov.value
    return (o.available_from or start).shift(round(float(ov.value)))


def _chip(o: ChipOffer, ov: Override, start: Quarter) -> ChipOffer:
    name = ov.parameter
    if name == "rent_price":
        return dataclasses.replace(o, rent_usd_per_chip_hour=_optional(
            o.rent_usd_per_chip_hour, ov, "rent price", o.chip))
    if name == "purchase_price":
        return dataclasses.replace(o, purchase_usd_per_chip=_optional(
            o.purchase_usd_per_chip, ov, "purchase price", o.chip))
    if name == "supply_cap_per_quarter":
        cap = _optional(o.supply_cap_per_quarter, ov, "supply cap", o.chip)
        return dataclasses.replace(o, supply_cap_per_quarter=None if cap is None else int(cap))
    if name == "lead_time_quarters":
        return dataclasses.replace(o, lead_time_quarters=int(combine(
            o.lead_time_quarters, ov)))
    if name == "available_from":
        return dataclasses.replace(o, available_from=_available(o, ov, start))
    if name == "financed_share" and o.purchase_usd_per_chip is not None:
        return dataclasses.replace(o, financed_share=min(combine(o.financed_share, ov), 1.0))
    if name == "loan_rate":
        return dataclasses.replace(o, loan_rate_per_year=min(combine(o.loan_rate_per_year, ov),
                                                             0.99))
    return o


def _site(site: Site, ov: Override, periods: list[Quarter]) -> Site:
    if ov.parameter == "power_cap_kw":
        caps = tuple(combine(site.cap_kw(t), ov) if ov.in_range(q)
                     else site.cap_kw(t) for t, q in enumerate(periods))
        return dataclasses.replace(site, power_cap_kw_by_quarter=caps)
    prices = tuple(combine(site.electricity_price(t), ov) if ov.in_range(q)
                   else site.electricity_price(t) for t, q in enumerate(periods))
    return dataclasses.replace(site, electricity_usd_per_kwh_by_quarter=prices)


def _carbon(inp: PlanInput, ov: Override) -> PlanInput:
    """The carbon price or the emissions cap of every year changed (``set`` gives every
    year the value); a cap to multiply or add to must exist, a missing price counts as 0."""
    s = inp.settings
    if ov.parameter == "carbon_price":
        old = s.carbon_price_usd_per_tco2e or ((0, 0.0),)
        new = ((0, combine(0.0, ov)),) if ov.operation == "set" else scale_by_year(
            old, lambda v: combine(v, ov))
        return dataclasses.replace(inp, settings=dataclasses.replace(
            s, carbon_price_usd_per_tco2e=new))
    if not s.emissions_cap_tco2e and ov.operation != "set":
        raise ValueError(f"{ov.describe()}: the Settings sheet sets no emissions_cap_tco2e "
                         f"to {ov.operation}: use set")
    new = ((0, combine(0.0, ov)),) if ov.operation == "set" else scale_by_year(
        s.emissions_cap_tco2e, lambda v: combine(v, ov))
    return dataclasses.replace(inp, settings=dataclasses.replace(s, emissions_cap_tco2e=new))
def _tax_rate(inp: PlanInput, ov: Override) -> PlanInput:
    """The tax rate of every year changed (a pre-tax plan starts from 0); the Budgets
    sheet's by-year rates give way to it."""
    rate = min(combine(inp.settings.tax_rate or 0.0, ov), 0.99)
    budgets = tuple(dataclasses.replace(b, tax_rate=None) for b in inp.budgets)
    return dataclasses.replace(inp, budgets=budgets, settings=dataclasses.replace(
        inp.settings, tax_rate=rate))


def _api(a: ApiOffer, ov: Override) -> ApiOffer:
    """An API offering's price changed: set gives one price for every token; multiply and
    add change the single price and the input and output prices alike."""
    if ov.operation == "set":
        return dataclasses.replace(a, usd_per_million_tokens=combine(0.0, ov),
                                   usd_per_million_input_tokens=None,
                                   usd_per_million_output_tokens=None)
    p_in, p_out = a.usd_per_million_input_tokens, a.usd_per_million_output_tokens
    return dataclasses.replace(
        a, usd_per_million_tokens=combine(a.usd_per_million_tokens, ov),
        usd_per_million_input_tokens=None if p_in is None else combine(p_in, ov),
        usd_per_million_output_tokens=None if p_out is None else combine(p_out, ov))


def _each(items: tuple, ov: Override, name: Callable, change: Callable) -> tuple:
    return tuple(change(x) if _hits(name(x), ov) else x for x in items)


def apply_override(inp: PlanInput, ov: Override) -> PlanInput:
    """``inp`` with one override applied (``throughput`` is applied to the estimates, by
    :func:`scale_throughput`, so it leaves the input as it is)."""
    target = PARAMETERS[ov.parameter].target
    periods = inp.periods
    if target == "workload":
        return dataclasses.replace(inp, workloads=_each(
            inp.workloads, ov, lambda w: w.name, lambda w: _demand(w, ov, periods)))
    if target == "api":
        return dataclasses.replace(inp, apis=_each(
            inp.apis, ov, lambda a: a.name, lambda a: _api(a, ov)))
    if target == "site":
        return dataclasses.replace(inp, sites=_each(
            inp.sites, ov, lambda s: s.name, lambda s: _site(s, ov, periods)))
    if ov.parameter == "discount_rate":
        rate = min(combine(inp.settings.discount_rate_per_year, ov), 0.99)
        return dataclasses.replace(inp, settings=dataclasses.replace(
            inp.settings, discount_rate_per_year=rate))
    if ov.parameter == "throughput":
        return inp
    if ov.parameter in ("carbon_price", "emissions_cap"):
        return _carbon(inp, ov)
    if ov.parameter == "tax_rate":
        return _tax_rate(inp, ov)
    start = periods[0]
    return dataclasses.replace(inp, chips=_each(
        inp.chips, ov, lambda o: o.chip, lambda o: _chip(o, ov, start)))


def apply_scenario(inp: PlanInput, spec: ScenarioSpec) -> PlanInput:
    """The input of scenario ``spec``: its overrides applied in order.

    Raises ValueError when an override cannot apply (multiplying a rent price a chip
    does not have); the workbook reader checks for that before any solve.
    """
    for ov in spec.overrides:
        inp = apply_override(inp, ov)
    return inp


def throughput_factors(spec: ScenarioSpec, chips: list[str]) -> dict[str, float]:
    """Chip -> the product of the scenario's ``throughput`` multipliers."""
    factors = {c: 1.0 for c in chips}
    for ov in spec.overrides:
        if ov.parameter == "throughput":
            for c in chips:
                if _hits(c, ov):
                    factors[c] *= float(ov.value)  # type: ignore[arg-type]
    return factors


def scale_throughput(throughput: Mapping[tuple, ThroughputEstimate],
                     spec: ScenarioSpec) -> dict[tuple, ThroughputEstimate]:
    """The performance core's estimates with the scenario's throughput multipliers, output
    tokens/s per chip scaled; keyed (workload, chip) or (workload, chip, phase)."""
    factors = throughput_factors(spec, sorted({key[1] for key in throughput}))
    out = {}
    for key, est in throughput.items():
        f = factors[key[1]]
        out[key] = est if f == 1.0 else dataclasses.replace(
            est, output_tokens_per_s_per_chip=est.output_tokens_per_s_per_chip * f)
    return out


def scale_estimates(estimates: Estimates, spec: ScenarioSpec) -> Estimates:
    """``estimates`` with the scenario's throughput multipliers applied to the serving
    estimates of both kinds (colocated and one-phase); training is left as it is."""
    return dataclasses.replace(estimates, throughput=scale_throughput(estimates.throughput, spec),
                               phases=scale_throughput(estimates.phases, spec))
