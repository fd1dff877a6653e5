"""One definition of a plan's money, used by every output (issue 14).

* **Cost of ownership** (``cost_of_ownership_usd``): real money, discounted to the plan's
  start on the plan's cost basis (``Settings.cost_basis``): purchases, rentals, power, API
  tokens, expansions and stacks, less resale proceeds and, on a cash basis, the value of
  chips still owned at the end.
* **Penalties** (``*_penalty_usd``): priced shortfalls the optimizer trades against cost,
  never cash: demand left unmet (inference), training runs left undone, spend over a budget.
  Each is priced by a Settings row.
* **Carbon cost** (``carbon_cost_usd``): the plan's emissions times the internal carbon
  price (Settings ``carbon_price_usd_per_tco2e``): a priced externality, kept apart from
  the cost of ownership like the penalties; not cash unless the company pays it as a tax.
* **Objective** = cost of ownership + penalties + carbon cost: what the optimizer
  minimises.

All figures are net present values in USD at the plan's discount rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: (attribute, label) of each penalty kind, in the order every output lists them.
PENALTY_KINDS = (
    ("unmet_inference_penalty_usd", "unmet inference demand"),
    ("unmet_training_penalty_usd", "unmet training"),
    ("budget_overrun_penalty_usd", "budget overrun"),
    ("emissions_overrun_penalty_usd", "emissions cap overrun"),
)

#: How every output names the carbon cost line.
CARBON_COST_LABEL = ("carbon cost at the internal carbon price (a priced externality, not "
                     "cash unless paid as a tax)")

#: The cost bases a finance team may choose (docs/model.md, "Cost basis").
COST_BASES = ("annuity", "cash", "cash_book")

BASIS_WORDS = {
    "annuity": "annuity basis: each owned chip charged its capital recovery (CRF x price) "
               "per quarter in service inside the horizon; no end-of-horizon credit",
    "cash": "cash basis: purchases when paid, chips still owned at the end credited at "
            "their market resale value",
    "cash_book": "cash basis: purchases when paid, chips still owned at the end credited "
                 "at straight-line book value",
}


@dataclass(frozen=True)
class CostBreakdown:
    """A plan's cost of ownership and its penalties by kind, all NPV in USD."""

    cost_of_ownership_usd: float
    unmet_inference_penalty_usd: float = 0.0
    unmet_training_penalty_usd: float = 0.0
    budget_overrun_penalty_usd: float = 0.0
    cost_basis: str = "annuity"
    emissions_overrun_penalty_usd: float = 0.0
    carbon_cost_usd: float = 0.0  # emissions x the internal carbon price, NPV (not cash)
    #: 'pre-tax' or 'after tax at 21%, chips depreciated by ...' (docs/model.md, After tax)
    tax_basis: str = "pre-tax"

    @property
    def penalties_usd(self) -> float:
        return (self.unmet_inference_penalty_usd + self.unmet_training_penalty_usd
                + self.budget_overrun_penalty_usd + self.emissions_overrun_penalty_usd)

    @property
    def objective_usd(self) -> float:
        """Cost of ownership plus penalties plus carbon cost: what the optimizer minimises."""
        return self.cost_of_ownership_usd + self.penalties_usd + self.carbon_cost_usd

    def penalties(self) -> list[tuple[str, float]]:
        """(label, NPV USD) of each penalty kind, zeros included."""
        return [(label, getattr(self, name)) for name, label in PENALTY_KINDS]

    def as_dict(self) -> dict[str, float | str]:
        """The JSON form every command prints."""
        out: dict[str, float | str] = {"cost_basis": self.cost_basis,
                                       "tax_basis": self.tax_basis,
                                       "cost_of_ownership_npv_usd": self.cost_of_ownership_usd}
        for name, _label in PENALTY_KINDS:
            out[name.replace("_usd", "_npv_usd")] = getattr(self, name)
        out["penalties_npv_usd"] = self.penalties_usd
        out["carbon_cost_npv_usd"] = self.carbon_cost_usd
        out["objective_npv_usd"] = self.objective_usd
        return out

    def basis_words(self, rate_per_year: float) -> str:
        """'NPV at 8.0%/yr, annuity basis, after tax at 21%': which money a figure is.

        >>> CostBreakdown(1.0, tax_basis="after tax at 21%, chips depreciated by MACRS").basis_words(0.08)
        'NPV at 8.0%/yr, annuity basis, after tax at 21%'
        """
        return f"NPV at {rate_per_year:.1%}/yr, {self.cost_basis} basis, {self.tax_basis.split(',')[0]}"

    def describe(self) -> str:
        """'$8,560,003 cost of ownership + $7,367,123 budget-overrun penalty' (penalties
        named only when there are any)."""
        text = f"${self.cost_of_ownership_usd:,.0f} cost of ownership"
        for label, value in self.penalties():
            if abs(value) >= 0.5:
                text += f" + ${value:,.0f} {label} penalty"
        if abs(self.carbon_cost_usd) >= 0.5:
            text += f" + ${self.carbon_cost_usd:,.0f} carbon cost (not cash)"
        return text

    @classmethod
    def total(cls, parts: Iterable[CostBreakdown], weights: Iterable[float]) -> CostBreakdown:
        """Probability-weighted sum (expected cost over scenarios)."""
        parts, weights = list(parts), list(weights)
        basis = parts[0].cost_basis if parts else "annuity"
        tax = parts[0].tax_basis if parts else "pre-tax"

        def s(name: str) -> float:
            return sum(w * getattr(p, name) for p, w in zip(parts, weights))

        return cls(s("cost_of_ownership_usd"), s("unmet_inference_penalty_usd"),
                   s("unmet_training_penalty_usd"), s("budget_overrun_penalty_usd"), basis,
                   s("emissions_overrun_penalty_usd"), s("carbon_cost_usd"),
                   tax_basis=tax)
