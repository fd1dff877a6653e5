"""Costs: one place that says what every decision costs in every quarter.

The objective, the budgets and the report's cash flow all read :func:`cost_terms`, so
they cannot disagree (docs/model.md, "Objective" and "Budgets").
"""

from __future__ import annotations

from collections import defaultdict

import pulp

from planner.optimize.parameters import Parameters
from planner.optimize.tax import TAX_CATEGORIES, add_tax_terms
from planner.optimize.tax import counted as counted_tax
from planner.optimize.variables import Variables, cohorts

PENALTIES = ("unmet_inference", "unmet_training", "overrun", "emissions_overrun")
CATEGORIES = ("capital", "rental", "power", "api", "expansion", "stack",
              "resale", "capital_charge", "residual", "carbon") + PENALTIES + TAX_CATEGORIES


def objective_categories(basis: str) -> tuple[str, ...]:
    """What the objective counts on each cost basis: the purchases when paid and the end
    credit (cash bases), or the capital charge (annuity), plus operating costs, resale
    and the penalties, and the carbon cost (emissions x the internal carbon price,
    planner/optimize/emissions.py)."""
    common = ("rental", "power", "api", "expansion", "stack", "resale", "carbon") + PENALTIES
    if basis == "annuity":
        return ("capital_charge",) + common
    return ("capital", "residual") + common
CAPEX = ("capital", "expansion")
OPEX = ("rental", "power", "api", "stack")


class CostTerms:
    """Undiscounted cost per category and quarter: linear terms plus a constant.

    Credits (resale, residual) are negative costs.
    """

    def __init__(self, horizon: int) -> None:
        self.terms: dict[tuple[str, int], list] = defaultdict(list)
        self.constant: dict[tuple[str, int], float] = defaultdict(float)
        self.horizon = horizon

    def add(self, category: str, t: int, var, coef: float) -> None:
        self.terms[category, t].append((var, coef))

    def value(self, category: str, t: int, read) -> float:
        """Evaluate with ``read(var) -> float``."""
        return (sum(coef * read(var) for var, coef in self.terms.get((category, t), []))
                + self.constant.get((category, t), 0.0))


def _annuity(p: Parameters, ct: CostTerms, c: str, delivered: int, price: float,
             buy, sales: list[tuple[int, object]]) -> None:
    """Annuity basis: CRF_c x price in each quarter a bought chip serves inside the
    horizon; a chip sold at quarter tau stops being charged and pays the capital still to
    recover, annuity_left(c, tau - delivered) x price, at tau."""
    charge = p.capital_recovery(c) * price
    for t in p.alive_range(c, delivered):
        ct.add("capital_charge", t, buy, charge)
    for tau, var in sales:
        for t in p.alive_range(c, delivered):
            if t >= tau:
                ct.add("capital_charge", t, var, -charge)
        ct.add("capital_charge", tau, var, p.annuity_left(c, tau - delivered) * price)


def _cohort_costs(p: Parameters, v: Variables, ct: CostTerms, c: str, s: str) -> None:
    last = p.horizon - 1
    for kind, idx, delivered in cohorts(p, c, s):
        price = p.buy_price_usd[c, idx] if kind == "new" else p.ref_price_usd[c]
        end = price * p.residual_delivered(c, delivered)  # 0 on the annuity basis
        sales = [(t, v.retire[c, s, kind, idx, t]) for t in p.retirement_quarters(c, delivered)]
        if kind == "new":
            ct.add("residual", last, v.buy[c, s, idx], -end)
            if p.cost_basis == "annuity":
                _annuity(p, ct, c, delivered, price, v.buy[c, s, idx], sales)
        # existing chips are sunk: no opening or closing value, but selling one
        # early forfeits its end-of-horizon credit (the +end term below)
        for t, var in sales:
            ct.add("resale", t, var, -price * p.resale(c, t - delivered))
            ct.add("residual", last, var, end)


def _fleet_costs(p: Parameters, v: Variables, ct: CostTerms) -> None:
    H = p.hours_per_quarter
    for (c, s, o), var in v.buy.items():
        ct.add("capital", o, var, p.buy_price_usd[c, o])
    for (c, s, t), var in v.fleet.items():
        per_chip = p.site_usd_per_kwh[s, t] * H * p.power_draw_fraction * p.site_pue[s] * p.power_kw[c]
        ct.add("power", t, var, per_chip)
    for (c, s) in sorted({(c, s) for (c, s, _t) in v.fleet}):
        _cohort_costs(p, v, ct, c, s)


def _cloud_costs(p: Parameters, v: Variables, ct: CostTerms) -> None:
    H = p.hours_per_quarter
    for (c, t), var in v.rent.items():
        ct.add("rental", t, var, p.rent_usd_per_hour[c] * H)
    for (c, k, start), var in v.reserve.items():
        for t in range(start, min(p.horizon, start + k)):
            ct.add("rental", t, var, p.reserved_usd_per_hour[c, k] * H)
    days = H / 24.0
    for (w, a, t), var in v.api.items():
        ct.add("api", t, var, p.api_usd_per_mtok(w, a) * days / 1e6 * p.scale(w))


def _other_costs(p: Parameters, v: Variables, ct: CostTerms) -> None:
    for (x, t), var in v.expand.items():
        ct.add("expansion", t, var, p.expansions[x].cost_usd)
    for (k, t), var in v.stack.items():
        ct.add("stack", t, var, p.stack_cost_usd[k])
        if t + 1 < p.horizon:
            ct.add("stack", t + 1, var, -p.stack_cost_usd[k])  # paid once, on first use
    for (w, t), var in v.unmet.items():
        ct.add("unmet_inference", t, var, p.unmet_usd_per_token_day * p.scale(w))
    for r, var in v.unmet_train.items():
        ct.add("unmet_training", p.train_window[r][-1], var, p.train_penalty_usd[r])
    for (kind, year), var in v.overrun.items():
        last_q = max(t for t in range(p.horizon) if p.years[t] == year)
        ct.add("overrun", last_q, var, p.overrun_usd_per_usd)


def cost_terms(p: Parameters, v: Variables) -> CostTerms:
    ct = CostTerms(p.horizon)
    _fleet_costs(p, v, ct)
    _cloud_costs(p, v, ct)
    _other_costs(p, v, ct)
    add_tax_terms(p, v, ct)  # after tax and financing (planner/optimize/tax.py)
    return ct


def combine(terms, constant: float = 0.0) -> pulp.LpAffineExpression:
    """An expression from (variable, coefficient) pairs, adding repeated variables.

    ``LpAffineExpression`` built from a list keeps only the last coefficient of a
    repeated variable, so coefficients are summed in a dict first.
    """
    coefficients: dict[pulp.LpVariable, float] = {}
    for var, coef in terms:
        coefficients[var] = coefficients.get(var, 0.0) + coef
    return pulp.LpAffineExpression(coefficients, constant=constant)


def objective(p: Parameters, ct: CostTerms) -> pulp.LpAffineExpression:
    """sum_t d_t sum_categories cost_{t} over the cost basis's categories (credits
    negative, penalties included)."""
    counted = objective_categories(p.cost_basis)
    if p.tax.applies:
        counted += counted_tax(p.cost_basis)
    terms, constant = [], 0.0
    for (category, t), items in ct.terms.items():
        if category in counted:
            terms += [(var, p.discount[t] * coef) for var, coef in items]
    for (category, t), value in ct.constant.items():
        if category in counted:
            constant += p.discount[t] * value
    return combine(terms, constant)


def define_budgets(prob: pulp.LpProblem, p: Parameters, v: Variables, ct: CostTerms) -> None:
    """Nominal spend per calendar year within budget, any overrun priced:
    sum_{t in y} (capital + expansion) - o_{capex,y} <= B^cap_y;
    sum_{t in y} (rental + power + api + stack) - o_{opex,y} <= B^op_y."""
    for kind, budget, categories in (("capex", p.capex_budget, CAPEX), ("opex", p.opex_budget, OPEX)):
        for year, limit in budget.items():
            quarters = [t for t in range(p.horizon) if p.years[t] == year]
            terms = [item for cat in categories for t in quarters for item in ct.terms.get((cat, t), [])]
            constant = sum(ct.constant.get((cat, t), 0.0) for cat in categories for t in quarters)
            terms.append((v.overrun[kind, year], -1))
            prob += (combine(terms) <= limit - constant, f"budget_{kind}_{year}", (kind, year))
