"""The plan in plain sentences, and the warnings a reader must see first."""

from __future__ import annotations

from collections import defaultdict

from planner.domain import PlanInput, PlanResult, RentalRow
from planner.domain.status import Status, Termination
from planner.report.metrics import budget_overruns, training_shortfalls, unmet_by_year
from planner.report.tables import quarter_key, vintage_quarter

#: Below this share of unmet demand a plan counts as meeting all demand.
UNMET_TOLERANCE = PlanResult.UNMET_TOLERANCE


def money(usd: float) -> str:
    """$8.96 million, $1.20 billion, $640,000."""
    sign = "-" if usd < 0 else ""
    v = abs(usd)
    if v >= 1e9:
        return f"{sign}${v / 1e9:,.2f} billion"
    if v >= 1e6:
        return f"{sign}${v / 1e6:,.2f} million"
    return f"{sign}${v:,.0f}"


def share(value: float) -> str:
    """3.2%, or "less than 0.1%" for a tiny but real share."""
    text = f"{value:.1%}"
    return "less than 0.1%" if text == "0.0%" and value > 0 else text


def chips(n: float) -> str:
    return f"{n:,.0f}" if abs(n - round(n)) < 1e-9 else f"{n:,.1f}"


def span(first: str, last: str) -> str:
    return f"in {first}" if first == last else f"from {first} through {last}"


def is_time_limited(result: PlanResult) -> bool:
    return result.solver.termination == Termination.TIME_LIMIT or result.solver.status == Status.WARNING


def gap_words(result: PlanResult) -> str:
    """'within 0.36% of the best bound; 0.50% requested' (or why the gap is unknown)."""
    s = result.solver
    if s.gap is None:
        return f"distance from the best bound unknown; {s.mip_gap:.2%} requested"
    return f"within {s.gap:.2%} of the best bound; {s.mip_gap:.2%} requested"


def flattering(result: PlanResult) -> str:
    """Why the plan may not be called lowest-cost ('' when it may)."""
    s = result.solver
    if s.status == Status.ERROR:
        return "no plan"
    if s.status != Status.OK or s.termination != Termination.OPTIMAL:
        return f"not proven optimal ({s.termination})"
    if result.has_unmet_demand or result.costs.penalties_usd > 0.5:
        return "it pays penalties for shortfalls"
    if result.preface:
        return "a hedged plan: lowest expected cost over its scenarios, not this scenario's"
    return ""


def _shortfall_warnings(result: PlanResult, inp: PlanInput) -> list[str]:
    """One red line per year with unmet inference demand, per training run short, per
    budget overrun: each with its year and amount."""
    out = []
    days = inp.settings.hours_per_quarter / 24.0
    price = inp.settings.unmet_penalty_usd_per_million_tokens
    for year, (unmet, demand) in unmet_by_year(result).items():
        if demand > 0 and unmet / demand > UNMET_TOLERANCE:
            out.append(f"WARNING: {year}: {unmet * days / 1e6:,.0f} million tokens of inference "
                       f"demand not met ({share(unmet / demand)} of the year's demand), "
                       f"penalty {money(unmet * days / 1e6 * price)} undiscounted — see Capacity.")
    by_run = {r.name: r for r in inp.training}
    for run, done in training_shortfalls(result, inp):
        what = "is not scheduled" if done <= 0 else f"is only {share(done)} scheduled"
        deadline = by_run[run].deadline if run in by_run else "its deadline"
        out.append(f"WARNING: training run '{run}' {what} by {deadline} — see Training.")
    for overrun in budget_overruns(result, inp):
        out.append(f"WARNING: {overrun} — see CashFlow.")
    return out


def warnings(result: PlanResult, inp: PlanInput) -> list[str]:
    """Red lines for the top of the Summary; empty for a proven-optimal plan meeting all demand."""
    s = result.solver
    gap = gap_words(result)
    out = []
    if s.status == Status.ERROR:
        detail = f": {s.message}" if s.message else ""
        out.append(f"ERROR: the solver found no plan ({s.termination}){detail}. "
                   "The tables in this report are empty or partial.")
    elif s.termination == Termination.TIME_LIMIT:
        out.append(f"WARNING: solver stopped at its time limit ({s.time_limit_s:,.0f} s); "
                   f"plan is not proven optimal: {gap}.")
    elif s.status == Status.WARNING:
        out.append(f"WARNING: solver ended with '{s.termination}'; plan is not proven "
                   f"optimal: {gap}.")
    unmet = result.unmet_demand_share
    if unmet > UNMET_TOLERANCE:
        out.append(f"WARNING: {share(unmet)} of demand is not met — see Capacity.")
    return out + _shortfall_warnings(result, inp)


def all_clear(result: PlanResult) -> str:
    return f"Plan is proven optimal ({gap_words(result)}) and meets all demand."


def _consecutive(keys: list[int]) -> list[list[int]]:
    """Split sorted quarter indices into runs of consecutive quarters."""
    runs: list[list[int]] = []
    for k in keys:
        if runs and k - runs[-1][-1] == 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _lead_text(lags: set[int]) -> str:
    if lags == {0}:
        return ""
    if len(lags) == 1:
        lag = lags.pop()
        return f", each in service {lag} quarter{'s' if lag != 1 else ''} after ordering"
    return ""


def _purchase_sentences(result: PlanResult) -> list[str]:
    """One sentence per order; an unbroken run of 3 or more quarterly orders of the same chip
    for the same site becomes one sentence listing the quantities."""
    groups: dict[tuple, list[float]] = defaultdict(lambda: [0, 0.0])
    for p in result.purchases:
        g = groups[(p.chip, p.site, p.quarter_ordered, p.quarter_delivered)]
        g[0] += p.quantity
        g[1] += p.total_usd
    by_place: dict[tuple[str, str], dict[int, tuple]] = defaultdict(dict)
    loose: list[tuple[tuple, str]] = []
    for (chip, site, ordered, delivered), (qty, total) in groups.items():
        k, lag = quarter_key(ordered), quarter_key(delivered)[0] - quarter_key(ordered)[0]
        if k[1] or k[0] in by_place[(chip, site)]:
            when = f"in {ordered}" + (f" (in service {delivered})" if delivered != ordered else "")
            loose.append(((k, chip), f"Buy {chips(qty)} {chip} at {site} {when}: {money(total)}."))
        else:
            by_place[(chip, site)][k[0]] = (ordered, delivered, qty, total, lag)
    out = list(loose)
    for (chip, site), orders in by_place.items():
        for run in _consecutive(sorted(orders)):
            rows = [orders[k] for k in run]
            if len(rows) < 3:
                for ordered, delivered, qty, total, _ in rows:
                    when = f"in {ordered}" + (
                        f" (in service {delivered})" if delivered != ordered else "")
                    out.append(((quarter_key(ordered), chip),
                                f"Buy {chips(qty)} {chip} at {site} {when}: {money(total)}."))
                continue
            qtys = ", ".join(chips(r[2]) for r in rows)
            out.append(((quarter_key(rows[0][0]), chip),
                        (f"Buy {chip} at {site} every quarter {span(rows[0][0], rows[-1][0])}, "
                        f"{chips(sum(r[2] for r in rows))} in all ({qtys})"
                        f"{_lead_text({r[4] for r in rows})}: "
                        f"{money(sum(r[3] for r in rows))}.")))
    return [text for _, text in sorted(out)] or ["Buy no chips."]


def _on_demand_runs(rows: list[RentalRow]) -> list[list[RentalRow]]:
    """Consecutive quarters renting the same number of the same chip on demand."""
    merged: dict[tuple, RentalRow] = {}
    for r in rows:
        key = (r.chip, r.quarter)
        if key in merged:
            m = merged[key]
            r = RentalRow(r.chip, r.quarter, r.kind, r.term_quarters, m.quantity + r.quantity,
                          r.price_usd_per_chip_hour, m.total_usd + r.total_usd)
        merged[key] = r
    runs: list[list[RentalRow]] = []
    for r in sorted(merged.values(), key=lambda r: (r.chip, quarter_key(r.quarter))):
        last = runs[-1][-1] if runs else None
        if (last is not None and (last.chip, last.quantity) == (r.chip, r.quantity)
                and quarter_key(r.quarter)[0] - quarter_key(last.quarter)[0] == 1):
            runs[-1].append(r)
        else:
            runs.append([r])
    return runs


def _term_end(start: str, quarters: int) -> str:
    key = quarter_key(start)
    if key[1] or quarters < 1:
        return start
    end = key[0] + quarters - 1
    return f"{end // 4}Q{end % 4 + 1}"


def _rental_sentences(result: PlanResult) -> list[tuple[tuple, str]]:
    """(sort key, sentence): on-demand rentals grouped into ranges, reserved contracts
    one by one (a reserved row is a contract starting in its quarter)."""
    out = []
    on_demand = [r for r in result.rentals if r.kind.lower().startswith("on")]
    for run in _on_demand_runs(on_demand):
        r, total = run[0], sum(x.total_usd for x in run)
        out.append(((quarter_key(r.quarter), r.chip),
                    (f"Rent {chips(r.quantity)} {r.chip} on demand "
                    f"{span(r.quarter, run[-1].quarter)}: {money(total)}.")))
    for r in result.rentals:
        if r in on_demand:
            continue
        end = _term_end(r.quarter, r.term_quarters)
        term = f"{r.term_quarters} quarter" + ("s" if r.term_quarters != 1 else "")
        kind = "" if r.kind.lower() == "reserved" else f" ({r.kind})"
        out.append(((quarter_key(r.quarter), r.chip),
                    (f"Reserve {chips(r.quantity)} {r.chip} for {term} "
                    f"{span(r.quarter, end)}{kind}: {money(r.total_usd)}.")))
    return sorted(out)


def _other_sentences(result: PlanResult) -> list[tuple[tuple, str]]:
    """Retirements, site expansions and API purchases as (sort key, sentence)."""
    out = []
    start = result.periods[0] if result.periods else None
    for r in result.retirements:
        bought = vintage_quarter(r.vintage, start)
        before = start and quarter_key(bought) < quarter_key(start)
        out.append(((quarter_key(r.quarter), r.chip),
                    (f"Sell {chips(r.quantity)} {r.chip} bought in {bought}"
                     f"{' (before the plan)' if before else ''} from {r.site} in {r.quarter}: "
                     f"{money(r.total_usd)} back.")))
    for x in result.expansions:
        out.append(((quarter_key(x.quarter_ordered), x.site),
                    (f"Expand {x.site} by {x.extra_kw:,.0f} kW ({x.name}), ordered in "
                    f"{x.quarter_ordered}, available {x.quarter_available}: "
                    f"{money(x.cost_usd)}.")))
    api: dict[tuple[str, str], list] = defaultdict(list)
    for a in result.api_usage:
        api[(a.workload, a.offering)].append(a)
    for (workload, offering), rows in api.items():
        rows.sort(key=lambda a: quarter_key(a.quarter))
        peak = max(a.tokens_per_day for a in rows)
        out.append(((quarter_key(rows[0].quarter), workload),
                    (f"Buy up to {peak / 1e6:,.0f} million tokens a day of '{workload}' from "
                    f"{offering} {span(rows[0].quarter, rows[-1].quarter)}: "
                    f"{money(sum(a.total_usd for a in rows))}.")))
    return sorted(out)


def _training_sentences(result: PlanResult) -> list[str]:
    out = []
    by_run: dict[tuple[str, str], list] = defaultdict(list)
    for t in result.training:
        by_run[(t.run, t.chip)].append(t)
    for (run, chip), rows in sorted(by_run.items()):
        rows.sort(key=lambda t: quarter_key(t.quarter))
        most = max(t.chips for t in rows)
        out.append(f"Train '{run}' on up to {chips(most)} {chip} "
                   f"{span(rows[0].quarter, rows[-1].quarter)}.")
    return out


def sentences(result: PlanResult, inp: PlanInput) -> list[str]:
    """The recommendation, one sentence per line, in the order a reader acts on it."""
    periods = result.periods or [str(q) for q in inp.periods]
    horizon = f"{periods[0]}–{periods[-1]}" if periods else "the horizon"
    rate = inp.settings.discount_rate_per_year
    if result.solver.status == Status.ERROR:
        return [f"No plan: the solver found none for {horizon}. See the Solver sheet."]
    costs, why = result.costs, flattering(result)
    npv = f"net present value at {rate:.1%} a year, {costs.cost_basis} basis"
    if costs.tax_basis != "pre-tax":
        npv += ", after tax"
    if not why:
        head = (f"Lowest-cost plan for {horizon}: total cost of ownership "
                f"{money(costs.cost_of_ownership_usd)} ({npv}).")
    else:
        head = (f"Plan for {horizon} (not the proven lowest-cost plan: {why}): total cost of "
                f"ownership {money(costs.cost_of_ownership_usd)} ({npv}) plus "
                f"{money(costs.penalties_usd)} of penalties; objective "
                f"{money(costs.objective_usd)}.")
    out = [head] + _purchase_sentences(result)
    out += [text for _, text in _rental_sentences(result)] or ["Rent no chips."]
    out += [text for _, text in _other_sentences(result)]
    out += [f"Adopt the {st.stack} software stack: {money(st.adoption_usd)}."
            for st in result.stacks_adopted]
    out += _training_sentences(result)
    unmet = result.unmet_demand_share
    if unmet > UNMET_TOLERANCE:
        out.append(f"Serves {share(1 - unmet)} of inference demand; {share(unmet)} is not met "
                   "(see Capacity).")
    elif result.capacity:
        out.append("Serves all inference demand.")
    return out
