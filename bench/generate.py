"""Synthetic, deterministic planning instances at sizes S, M, L and XL.

``generate(size, seed)`` returns ``(PlanInput, throughput, training)`` exactly as the
workbook reader and the performance core would hand them to ``solve_plan``.  Every
number comes from one ``numpy.random.Generator(PCG64(seed))``, so an instance is a pure
function of ``(size, seed)``.

Magnitudes follow the issue-5 brief (and the market figures in planner/data):

* chips: $8k-45k to buy, $1-6/h to rent, 0.4-1.6 kW IT power, 4-6 year life; a few are
  rent-only (cloud-only parts), a few buy-only, some have 1-4 quarter lead times, a few
  arrive later in the horizon (next generation: better per dollar and per kW), prices
  decline 0-3 %/quarter, rentable chips carry reserved 1y/3y discounts (~0.35/0.5), a
  few have per-quarter supply caps;
* workloads: 1-200 B tokens/day growing 3-15 %/quarter; 500-20,000 tokens/s per chip,
  depending on workload x chip, with some pairs infeasible (model does not fit);
* sites: facility power caps sized so the owned fleet hits them part way through the
  horizon, so the cheapest plan buys up to the caps and rents the rest;
* M and larger: an existing fleet, a capital/operating budget per calendar year (loose)
  and one or two training runs with per-chip gang sizes and hours.

Only fields that exist in ``planner.domain`` are set; the optimizer honours them as
they are implemented.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.domain import (
    Budget,
    ChipOffer,
    ChipSpec,
    ExistingChips,
    InferenceWorkload,
    PlanInput,
    Quarter,
    Settings,
    Site,
    ThroughputEstimate,
    TrainingEstimate,
    TrainingRun,
)
from planner.domain.inputs import HOURS_PER_QUARTER


@dataclass(frozen=True)
class SizeSpec:
    chips: int
    sites: int
    quarters: int
    workloads: int
    training_runs: int
    time_limit_s: float
    mip_gap: float
    extras: bool  # existing fleet and budgets
    competing: bool = False  # training runs share chips in overlapping windows
    base: str = ""           # the size whose instance this one extends (same random draws)


#: The benchmark sizes.  Time limits and gaps are the issue-5 targets.
SIZES: dict[str, SizeSpec] = {
    "S": SizeSpec(chips=5, sites=1, quarters=8, workloads=3, training_runs=0,
                  time_limit_s=60, mip_gap=0.001, extras=False),
    "M": SizeSpec(chips=20, sites=3, quarters=20, workloads=12, training_runs=1,
                  time_limit_s=60, mip_gap=0.001, extras=True),
    "L": SizeSpec(chips=30, sites=5, quarters=40, workloads=30, training_runs=2,
                  time_limit_s=120, mip_gap=0.01, extras=True),
    "XL": SizeSpec(chips=40, sites=8, quarters=40, workloads=60, training_runs=2,
                   time_limit_s=300, mip_gap=0.01, extras=True),
    # Bench M with 2, 4 and 8 training runs competing for the same chips: every window
    # overlaps the middle of the horizon, gangs of 1-4k chips (issue 17).
    **{f"M-T{k}": SizeSpec(chips=20, sites=3, quarters=20, workloads=12, training_runs=k,
                           time_limit_s=120, mip_gap=0.01, extras=True, competing=True, base="M")
       for k in (2, 4, 8)},
}

START = Quarter(2027, 1)
SECONDS_PER_DAY = 86400.0

# Model families: (name, throughput class multiplier, large model?)
_MODELS = (
    ("llama-3.1-8b", 6.0, False), ("mistral-small-24b", 3.0, False),
    ("qwen-2.5-32b", 2.2, False), ("llama-3.3-70b", 1.0, True),
    ("mixtral-8x22b", 1.3, True), ("deepseek-v3", 0.7, True),
    ("llama-3.1-405b", 0.35, True), ("gemma-2-9b", 5.5, False),
)
_VENDORS = ("nvidia", "amd", "intel", "aws", "google", "tenstorrent")


@dataclass(frozen=True)
class _Chip:
    name: str
    speed: float      # relative serving speed, 1 = a current-generation mid-range part
    memory_gb: float
    generation: int   # 0 old, 1 current, 2 next (arrives later)


def _round_sig(x: float, digits: int = 3) -> float:
    if x == 0:
        return 0.0
    return float(round(x, digits - 1 - math.floor(math.log10(abs(x)))))


def _chips(rng: np.random.Generator, spec: SizeSpec) -> tuple[list[ChipOffer], list[_Chip], dict]:
    n, T = spec.chips, spec.quarters
    gens = rng.choice([0, 1, 2], size=n, p=[0.3, 0.45, 0.25])
    gens[0], gens[1] = 1, 0                      # a current and an old part are always there
    if n >= 5:
        gens[2] = 2                              # and at least one next-generation part
    # Procurement mode: rent-only ~15 %, buy-only ~15 %, both otherwise; at least one each.
    modes = rng.choice(["both", "rent", "buy"], size=n, p=[0.7, 0.15, 0.15])
    modes[0], modes[1] = "both", "both"
    modes[3 % n], modes[4 % n] = "rent", "buy"
    offers, meta, specs = [], [], {}
    for i in range(n):
        g = int(gens[i])
        speed = float(np.exp(rng.normal([-0.6, 0.0, 0.6][g], 0.3)))
        memory = float(rng.choice([[48, 64, 80], [80, 96, 141], [141, 192, 288]][g]))
        # Next generation parts are better per dollar and per kW.
        per_dollar = [0.8, 1.0, 1.35][g] * rng.uniform(0.85, 1.15)
        price = float(np.clip(16000 * speed ** 0.85 / per_dollar, 8000, 45000))
        rent = float(np.clip(price / 10000 * rng.uniform(0.8, 1.3), 1.0, 6.0))
        per_kw = [0.8, 1.0, 1.3][g] * rng.uniform(0.85, 1.15)
        power = float(np.clip(0.25 + 0.6 * speed / per_kw, 0.4, 1.6))
        mode = str(modes[i])
        buy = _round_sig(price) if mode in ("both", "buy") else None
        rent_h = round(rent, 2) if mode in ("both", "rent") else None
        lead = 0
        if buy is not None and rng.random() < 0.35:
            lead = int(rng.integers(1, 5 if T > 12 else 3))
        available_from = None
        if g == 2 and i != 0:
            available_from = START.shift(int(rng.integers(2, max(3, T // 2))))
        reserved_1y = reserved_3y = None
        if rent_h is not None and rng.random() < 0.75:
            reserved_1y = round(float(rng.uniform(0.3, 0.4)), 2)
            reserved_3y = round(float(rng.uniform(0.45, 0.55)), 2)
        name = f"chip{i + 1:02d}"
        offers.append(ChipOffer(
            chip=name,
            purchase_usd_per_chip=buy,
            rent_usd_per_chip_hour=rent_h,
            lifetime_years=float(rng.choice([4.0, 4.5, 5.0, 5.5, 6.0])),
            power_kw_per_chip=round(power, 3),
            lead_time_quarters=lead,
            available_from=available_from,
            price_decline_per_quarter=round(float(rng.choice([0.0, rng.uniform(0.0, 0.03)])), 4),
            reserved_1y_discount=reserved_1y,
            reserved_3y_discount=reserved_3y,
        ))
        meta.append(_Chip(name, speed, memory, g))
        specs[name] = ChipSpec(name, vendor=str(rng.choice(_VENDORS)), memory_gb=memory,
                               tdp_w=round(power / 1.35 * 1000), purchase_usd_approx=buy,
                               rent_usd_per_hour_approx=rent_h,
                               purchasable="yes" if buy is not None else "cloud-only")
    return offers, meta, specs


def _workloads(rng: np.random.Generator, spec: SizeSpec, chips: list[_Chip],
               offers: list[ChipOffer]) -> tuple[list[InferenceWorkload], dict]:
    T = spec.quarters
    workloads, throughput = [], {}
    from_start = [o.available_from is None for o in offers]
    for j in range(spec.workloads):
        model, klass, large = _MODELS[int(rng.integers(len(_MODELS)))]
        prompt = float(rng.integers(200, 3000))
        output = float(rng.integers(100, 800))
        d0 = float(np.exp(rng.uniform(math.log(1e9), math.log(200e9))))
        growth = float(rng.uniform(0.03, 0.15))
        noise = rng.normal(0.0, 0.02, size=T)
        demand = tuple(_round_sig(d0 * (1 + growth) ** t * (1 + noise[t]), 4) for t in range(T))
        name = f"wl{j + 1:02d}"
        workloads.append(InferenceWorkload(
            name=name, model=model, precision=str(rng.choice(["fp8", "bf16"])),
            prompt_tokens=prompt, output_tokens=output,
            ttft_ms=float(rng.choice([500.0, 1000.0, 2000.0])),
            tpot_ms=float(rng.choice([30.0, 50.0, 100.0])),
            demand_tokens_per_day=demand,
            peak_to_average=round(float(rng.uniform(1.0, 1.5)), 2),
        ))
        affinity = rng.uniform(0.7, 1.3, size=len(chips))
        feasible = np.ones(len(chips), dtype=bool)
        for i, c in enumerate(chips):
            if large and c.memory_gb < 80:
                feasible[i] = False                    # the model does not fit
            elif rng.random() < 0.08:
                feasible[i] = False                    # latency target cannot be met
        # Each workload can be served from the start by a rented and by a bought chip.
        for need in ("rent", "buy"):
            ok = [i for i, o in enumerate(offers) if from_start[i] and feasible[i]
                  and (o.rent_usd_per_chip_hour if need == "rent" else o.purchase_usd_per_chip)
                  is not None]
            if not ok:
                cands = [i for i, o in enumerate(offers) if from_start[i]
                         and (o.rent_usd_per_chip_hour if need == "rent"
                              else o.purchase_usd_per_chip) is not None]
                feasible[max(cands, key=lambda i: chips[i].memory_gb)] = True
        for i, c in enumerate(chips):
            key = (name, c.name)
            if not feasible[i]:
                throughput[key] = ThroughputEstimate(
                    chip=c.name, model=model, precision=workloads[-1].precision,
                    precision_used=workloads[-1].precision, prompt_tokens=prompt,
                    output_tokens=output, feasible=False,
                    reason="model does not fit" if large and c.memory_gb < 80
                    else "latency target cannot be met")
                continue
            tps = float(np.clip(1500 * klass * c.speed * affinity[i], 500, 20000))
            out_tps = tps * output / (prompt + output)
            tp = 1 if not large else int(rng.choice([2, 4, 8]))
            throughput[key] = ThroughputEstimate(
                chip=c.name, model=model, precision=workloads[-1].precision,
                precision_used=workloads[-1].precision, prompt_tokens=prompt,
                output_tokens=output, feasible=True, output_tokens_per_s_per_chip=out_tps,
                chips_per_replica=tp, tensor_parallel=tp, pipeline_parallel=1,
                batch_size=int(rng.choice([16, 32, 64, 128])), bound="memory",
                source="modelled")
    return workloads, throughput


def _chips_needed(workloads, throughput, offers, settings) -> np.ndarray:
    """Chips needed per quarter if every workload ran on its median feasible buyable chip."""
    T = settings.quarters
    need = np.zeros(T)
    for w in workloads:
        rates = [throughput[(w.name, o.chip)].tokens_per_s_per_chip for o in offers
                 if o.purchase_usd_per_chip is not None and throughput[(w.name, o.chip)].feasible]
        per_chip = float(np.median(rates)) * SECONDS_PER_DAY * settings.target_utilisation \
            / w.peak_to_average
        need += np.array(w.demand_tokens_per_day) / per_chip
    return need


def _sites(rng, spec, offers, need, settings) -> list[Site]:
    """Facility caps that the owned fleet reaches 30-50 % of the way through the horizon."""
    T = spec.quarters
    p_med = float(np.median([o.power_kw_per_chip for o in offers if o.purchase_usd_per_chip]))
    pues = [round(float(rng.uniform(1.1, 1.45)), 2) for _ in range(spec.sites)]
    t_bind = round(T * rng.uniform(0.3, 0.5))
    total_kw = need[t_bind] * p_med * float(np.mean(pues))
    shares = rng.dirichlet(np.full(spec.sites, 3.0))
    return [Site(name=f"site-{chr(ord('A') + k)}",
                 power_cap_kw=float(max(100.0, round(total_kw * shares[k], -2))),
                 electricity_usd_per_kwh=round(float(rng.uniform(0.04, 0.14)), 3),
                 pue=pues[k])
            for k in range(spec.sites)]


def _existing(rng, offers, meta, sites) -> list[ExistingChips]:
    """Chips already owned: older buyable parts filling 10-30 % of some sites' power."""
    out = []
    candidates = [i for i, o in enumerate(offers)
                  if o.purchase_usd_per_chip is not None and o.available_from is None]
    candidates.sort(key=lambda i: meta[i].generation)
    for k, site in enumerate(sites):
        if k > 0 and rng.random() < 0.4:
            continue
        i = candidates[int(rng.integers(0, min(3, len(candidates))))]
        o = offers[i]
        kw = site.power_cap_kw * rng.uniform(0.1, 0.3)
        qty = int(kw / (o.power_kw_per_chip * site.pue))
        if qty > 0:
            out.append(ExistingChips(chip=o.chip, site=site.name, quantity=qty,
                                     bought=START.shift(-int(rng.integers(1, 9)))))
    return out


def _supply_caps(rng, offers, need) -> list[ChipOffer]:
    """Per-quarter supply caps on a few buyable chips, a few % of the fleet per quarter."""
    from dataclasses import replace
    out = []
    growth = float(np.max(np.diff(need))) if len(need) > 1 else float(need[0])
    buyable = [i for i, o in enumerate(offers) if o.purchase_usd_per_chip is not None]
    capped = set(rng.choice(buyable, size=max(1, len(buyable) // 5), replace=False).tolist())
    for i, o in enumerate(offers):
        if i in capped:
            cap = int(max(10, round(growth * rng.uniform(0.1, 0.5), -1)))
            o = replace(o, supply_cap_per_quarter=cap)
        out.append(o)
    return out


def _budgets(spec, offers, need, sites, settings) -> list[Budget]:
    """Loose yearly budgets: capital for 70 % of the power-capped fleet, operating
    twice what renting every chip needed would cost."""
    p_med = float(np.median([o.power_kw_per_chip for o in offers if o.purchase_usd_per_chip]))
    price_med = float(np.median([o.purchase_usd_per_chip for o in offers
                                 if o.purchase_usd_per_chip]))
    rent_med = float(np.median([o.rent_usd_per_chip_hour for o in offers
                                if o.rent_usd_per_chip_hour]))
    max_owned = sum(s.power_cap_kw / (p_med * s.pue) for s in sites)
    capex = _round_sig(0.7 * max_owned * price_med, 3)
    out = []
    periods = settings.periods
    for year in sorted({q.year for q in periods}):
        idx = [t for t, q in enumerate(periods) if q.year == year]
        opex = _round_sig(2.0 * sum(need[t] for t in idx) * rent_med * settings.hours_per_quarter, 3)
        out.append(Budget(year=year, capex_usd=capex, opex_usd=opex))
    return out


def _window(rng, spec) -> tuple[int, int]:
    """(earliest quarter, window length) of a run: anywhere, or, for competing runs,
    overlapping the middle of the horizon."""
    T = spec.quarters
    if spec.competing:
        return int(rng.integers(T // 2 - 3, T // 2)), int(rng.integers(3, 6))
    return int(rng.integers(1, max(2, T - 6))), int(rng.integers(3, 6))


def _training(rng, spec, meta, offers, settings) -> tuple[list[TrainingRun], dict]:
    T, H = spec.quarters, settings.hours_per_quarter
    runs, estimates = [], {}
    for k in range(spec.training_runs):
        model, _, _ = _MODELS[int(rng.integers(len(_MODELS)))]
        earliest, window = _window(rng, spec)
        deadline = min(T - 1, earliest + window - 1)
        window = deadline - earliest + 1
        name = f"train{k + 1}"
        runs.append(TrainingRun(name=name, model=model, tokens=float(rng.uniform(5e12, 20e12)),
                                earliest=START.shift(earliest), deadline=START.shift(deadline)))
        gang = int(rng.choice([1024, 2048, 4096] if spec.competing else [512, 1024, 2048]))
        hours_at_speed_1 = H * rng.uniform(0.8, 1.6)   # wall-clock hours on the gang
        for i, c in enumerate(meta):
            hours = hours_at_speed_1 / c.speed ** 0.9
            ok = c.memory_gb >= 80 and hours <= 0.9 * window * H
            estimates[(name, c.name)] = TrainingEstimate(
                chip=c.name, model=model, tokens=runs[-1].tokens, chips=gang if ok else 0,
                precision_used="bf16", feasible=ok, mfu=round(float(rng.uniform(0.3, 0.45)), 3),
                hours=round(hours, 1) if ok else 0.0,
                reason="" if ok else ("training state does not fit" if c.memory_gb < 80
                                      else "cannot finish within the window"))
        if not any(e.feasible and offers[i].rent_usd_per_chip_hour is not None
                   for i, e in enumerate(estimates[(name, c.chip)] for c in offers)):
            # Make the fastest rentable chip feasible so the run can always be done.
            i = max((i for i, o in enumerate(offers) if o.rent_usd_per_chip_hour is not None
                     and o.available_from is None), key=lambda i: meta[i].speed)
            c = meta[i]
            estimates[(name, c.name)] = TrainingEstimate(
                chip=c.name, model=model, tokens=runs[-1].tokens, chips=gang,
                precision_used="bf16", feasible=True, mfu=0.4,
                hours=round(min(hours_at_speed_1 / c.speed ** 0.9, 0.9 * window * H), 1))
    return runs, estimates


def generate(size: str, seed: int = 0):
    """A planning instance: ``(PlanInput, throughput, training)``.

    ``throughput`` is keyed ``(workload, chip)`` and ``training`` ``(run, chip)``, as
    ``solve_plan`` expects.  Deterministic in ``(size, seed)``.
    """
    size = size.upper()
    size = {s.upper(): s for s in SIZES}.get(size, size)
    if size not in SIZES:
        raise ValueError(f"unknown size '{size}': choose one of {', '.join(SIZES)}")
    spec = SIZES[size]
    # a size that extends another draws its chips, workloads and sites like that one
    rng = np.random.Generator(np.random.PCG64([seed, list(SIZES).index(spec.base or size)]))
    settings = Settings(start_quarter=START, quarters=spec.quarters,
                        time_limit_s=spec.time_limit_s, mip_gap=spec.mip_gap,
                        hours_per_quarter=HOURS_PER_QUARTER)
    offers, meta, specs = _chips(rng, spec)
    workloads, throughput = _workloads(rng, spec, meta, offers)
    need = _chips_needed(workloads, throughput, offers, settings)
    sites = _sites(rng, spec, offers, need, settings)
    offers = _supply_caps(rng, offers, need)
    existing, budgets = [], []
    if spec.extras:
        existing = _existing(rng, offers, meta, sites)
        budgets = _budgets(spec, offers, need, sites, settings)
    runs, training = _training(rng, spec, meta, offers, settings)
    inp = PlanInput(
        settings=settings, chips=tuple(offers), sites=tuple(sites), workloads=tuple(workloads),
        training=tuple(runs), existing=tuple(existing), budgets=tuple(budgets),
        chip_specs=specs, source_name=f"bench:{size}:seed{seed}",
    )
    return inp, throughput, training


def describe(inp: PlanInput) -> str:
    """A one-line summary of an instance (for progress lines and RESULTS.md)."""
    n_buy = sum(o.purchase_usd_per_chip is not None for o in inp.chips)
    n_rent = sum(o.rent_usd_per_chip_hour is not None for o in inp.chips)
    return (f"{len(inp.chips)} chips ({n_buy} buyable, {n_rent} rentable), {len(inp.sites)} sites, "
            f"{inp.settings.quarters} quarters, {len(inp.workloads)} workloads, "
            f"{len(inp.training)} training runs, {len(inp.existing)} existing cohorts, "
            f"{len(inp.budgets)} budgets")
