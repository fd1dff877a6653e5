"""After-tax cost terms: what tax and financing add to each quarter's cost (docs/model.md,
"After tax").

Every term is a change in tax paid (negative: tax saved) or a financing cash flow, in its
own category beside the pre-tax ones, so the pre-tax cash flow stays as it was and the
objective counts the categories of its cost basis (:func:`counted`).  With no tax rate
and no financing nothing is added: the model is the pre-tax one, unchanged.

Symbols: tau_t the tax rate of quarter t, D_j the share of a cost deducted j quarters
after delivery and B_k = 1 - sum_{j<k} D_j the tax book value after k quarters
(:mod:`planner.optimize.tax_params`), v = 1/(1+i) the plan's quarterly discount.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.optimize.variables import Variables, cohorts

if TYPE_CHECKING:
    from planner.optimize.parameters import Parameters

#: Tax and financing categories (costs; credits negative), in CashFlow's order.
TAX_CATEGORIES = ("tax_operating", "tax_depreciation_chips", "tax_depreciation_expansions",
                  "tax_resale", "financing", "tax_interest", "tax_end", "capital_charge_tax")
#: Taxed operating categories: rentals, power, API tokens and stack adoption.
TAXED = ("rental", "power", "api", "stack")
#: Not counted on the annuity basis, where the capital charge carries them.
_CASH_ONLY = ("tax_depreciation_chips", "financing", "tax_interest")


def counted(basis: str) -> tuple[str, ...]:
    """Tax categories the objective counts on ``basis``: on the annuity basis the chips'
    shields and loan flows are inside capital_charge_tax; on the cash bases they are
    counted when they occur and capital_charge_tax is empty."""
    if basis == "annuity":
        return tuple(c for c in TAX_CATEGORIES if c not in _CASH_ONLY)
    return tuple(c for c in TAX_CATEGORIES if c != "capital_charge_tax")


def operating_tax(p: Parameters, ct) -> None:
    """Operating costs are deductible: tax_operating_t = -tau_t x (rental + power + api +
    stack)_t, so they cost (1 - tau_t) of their price."""
    for (category, t), items in list(ct.terms.items()):
        if category in TAXED:
            for var, coef in items:
                ct.add("tax_operating", t, var, -p.tax.rate(t) * coef)
    for (category, t), value in list(ct.constant.items()):
        if category in TAXED:
            ct.constant["tax_operating", t] -= p.tax.rate(t) * value


def _pv(p: Parameters, flows: dict[int, float], at: int) -> float:
    """Present value at quarter ``at`` of {quarter: amount}."""
    v = 1.0 / (1.0 + p.rate_per_quarter)
    return sum(x * v ** (t - at) for t, x in flows.items())


def _shield_flows(p: Parameters, d: int, deductions: list[float], start: int) -> dict[int, float]:
    """{quarter: tau_t x D_{t-d}} for quarters from ``start`` on (any horizon)."""
    return {d + j: p.tax.rate(d + j) * share for j, share in enumerate(deductions)
            if d + j >= start}


def _cash_shields(p: Parameters, ct, c: str, d: int, price: float, var, sales,
                  deductions: list[float], new: bool) -> None:
    """Cash bases: -tau_t D_{t-d} P while held inside the horizon (purchases), +the same
    from a sale on (the shields a sale forfeits); at the end the chips still held are
    taxed as if sold at their end value rho P: tau (rho - B_end) P."""
    last, end_share = p.horizon - 1, p.residual_delivered(c, d)
    for t, shield in _shield_flows(p, d, deductions, 0).items():
        if t < p.horizon:
            if new:
                ct.add("tax_depreciation_chips", t, var, -shield * price)
            for tau, q in sales:
                if t >= tau:
                    ct.add("tax_depreciation_chips", t, q, shield * price)
    if p.cost_basis == "annuity":
        return  # no end credit, so no tax on it
    book_end = 1.0 - sum(deductions[:max(0, p.horizon - d)])
    gain_end = p.tax.rate(last) * (end_share - book_end) * price
    if new:
        ct.add("tax_end", last, var, gain_end)
    for _tau, q in sales:
        ct.add("tax_end", last, q, -gain_end)


def _sale_tax(p: Parameters, ct, c: str, d: int, price: float, sales,
              deductions: list[float]) -> None:
    """A sale at tau, k = tau - d quarters after delivery, pays tax on its gain over tax
    book value: tau_tau (P resale(k) - P B_k)."""
    for tau, q in sales:
        book = 1.0 - sum(deductions[:tau - d])
        ct.add("tax_resale", tau, q, p.tax.rate(tau) * price * (p.resale(c, tau - d) - book))


def _loan_flows(p: Parameters, c: str, o: int) -> list[tuple[int, float, float, float]]:
    """(quarter, payment, interest tax shield, balance after) of a dollar of price
    ordered in quarter o (the financed share applied)."""
    loan = p.tax.loans[c]
    return [(o + j, loan.share * pay, loan.share * p.tax.rate(o + j) * interest,
             loan.share * balance)
            for j, (pay, interest, balance) in enumerate(loan.schedule(), start=1)]


def _cash_loan(p: Parameters, ct, c: str, o: int, price: float, var, sales) -> None:
    """Cash bases: loan proceeds -phi P at the order, payments and interest shields when
    due; a sale at tau repays the balance then and drops the later flows; the balance
    still owed after the last quarter is a liability counted then."""
    last = p.horizon - 1
    flows = _loan_flows(p, c, o)
    ct.add("financing", o, var, -p.tax.loans[c].share * price)
    for t, pay, shield, _balance in flows:
        if t < p.horizon:
            ct.add("financing", t, var, pay * price)
            ct.add("tax_interest", t, var, -shield * price)
            for tau, q in sales:
                if t > tau:
                    ct.add("financing", t, q, -pay * price)
                    ct.add("tax_interest", t, q, shield * price)
    owed = {t: balance for t, _pay, _shield, balance in flows}
    for tau, q in sales:
        ct.add("financing", tau, q, owed.get(tau, 0.0) * price)
    if p.cost_basis == "annuity":
        return  # the annuity leaves the quarters after the horizon to later plans
    end = owed.get(last, p.tax.loans[c].share if last < o + 1 else 0.0)
    ct.add("tax_end", last, var, end * price)
    for _tau, q in sales:
        ct.add("tax_end", last, q, -end * price)


def financing_effect(p: Parameters, c: str, o: int) -> float:
    """f_fin: PV at the order of the loan's cash (down payment, payments less interest
    shields), per dollar of price, less the dollar paid in cash without it."""
    if c not in p.tax.loans:
        return 0.0
    flows = {t: pay - shield for t, pay, shield, _b in _loan_flows(p, c, o)}
    return (1.0 - p.tax.loans[c].share) + _pv(p, flows, o) - 1.0


def _loan_settlement(p: Parameters, c: str, o: int, tau: int) -> float:
    """At a sale in tau the balance is repaid instead of the later flows: balance - PV at
    tau of the payments less interest shields after tau (per dollar of price)."""
    if c not in p.tax.loans:
        return 0.0
    flows = _loan_flows(p, c, o)
    later = {t: pay - shield for t, pay, shield, _b in flows if t > tau}
    owed = next((b for t, _pay, _s, b in flows if t == tau), 0.0 if tau >= o + len(flows) else
                p.tax.loans[c].share)
    return owed - _pv(p, later, tau)


def _annuity_terms(p: Parameters, ct, c: str, kind: str, idx: int, d: int, price: float,
                   var, sales, deductions: list[float]) -> None:
    """Annuity basis: the charge becomes CRF_c x the after-tax net capital cost
    NC = P (1 - f_shield + f_fin), f_shield = sum_j tau_{d+j} D_j v^j; the adjustment
    CRF_c P (f_fin - f_shield) is charged each quarter in service.  A sale at tau (k
    quarters in) stops it and pays annuity_left(k) P (f_fin - f_shield), the shields it
    forfeits (PV at tau) and the loan settlement."""
    shields = _shield_flows(p, d, deductions, d)
    f_shield = _pv(p, shields, d)
    f_fin = financing_effect(p, c, idx) if kind == "new" else 0.0
    adjust = (f_fin - f_shield) if kind == "new" else 0.0
    charge = p.capital_recovery(c) * price * adjust
    for t in p.alive_range(c, d):
        if kind == "new":
            ct.add("capital_charge_tax", t, var, charge)
        for tau, q in sales:
            if t >= tau:
                ct.add("capital_charge_tax", t, q, -charge)
    for tau, q in sales:
        forfeited = _pv(p, {t: x for t, x in shields.items() if t >= tau}, tau)
        settle = _loan_settlement(p, c, idx, tau) if kind == "new" else 0.0
        ct.add("capital_charge_tax", tau, q,
               price * (p.annuity_left(c, tau - d) * adjust + forfeited + settle))


def _chip_terms(p: Parameters, v: Variables, ct, c: str, s: str) -> None:
    for kind, idx, d in cohorts(p, c, s):
        price = p.buy_price_usd[c, idx] if kind == "new" else p.ref_price_usd[c]
        var = v.buy[c, s, idx] if kind == "new" else None
        sales = [(t, v.retire[c, s, kind, idx, t]) for t in p.retirement_quarters(c, d)]
        deductions = p.tax.chip_deductions(c, d, p.life_quarters[c])
        _sale_tax(p, ct, c, d, price, sales, deductions)
        if p.cost_basis == "annuity":
            _annuity_terms(p, ct, c, kind, idx, d, price, var, sales, deductions)
        # the cash flows are kept on the annuity basis too (CashFlow shows them as cash)
        _cash_shields(p, ct, c, d, price, var, sales, deductions, kind == "new")
        if kind == "new" and c in p.tax.loans:
            _cash_loan(p, ct, c, idx, price, var, sales)


def expansion_tax(p: Parameters, v: Variables, ct) -> None:
    """Expansions are charged when paid on every basis, so every one of their shields is
    counted: -tau_t D^x_{t-a} C inside the horizon, the rest at its PV in the last
    quarter (category tax_end)."""
    last = p.horizon - 1
    for (x, t), var in v.expand.items():
        e = p.expansions[x]
        a = t + e.lead_quarters
        shields = _shield_flows(p, a, p.tax.expansion_deductions(a), a)
        for q, shield in shields.items():
            if q < p.horizon:
                ct.add("tax_depreciation_expansions", q, var, -shield * e.cost_usd)
        later = {q: x for q, x in shields.items() if q > last}
        if later:
            ct.add("tax_end", last, var, -_pv(p, later, last) * e.cost_usd)


def add_tax_terms(p: Parameters, v: Variables, ct) -> None:
    """Every after-tax and financing term (nothing without a tax rate or a loan)."""
    if not p.tax.applies:
        return
    if p.tax.active:
        operating_tax(p, ct)
        expansion_tax(p, v, ct)
    for c, s in sorted({(c, s) for (c, s, _t) in v.fleet}):
        _chip_terms(p, v, ct, c, s)
