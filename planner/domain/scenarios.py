"""What-if scenarios: named sets of overrides of a plan's inputs (the Scenarios sheet).

An :class:`Override` changes one parameter (see :data:`PARAMETERS`), optionally for one
chip, site or workload and a range of quarters, by setting, multiplying or adding a value.
A :class:`ScenarioSpec` is a name, its overrides (applied in order) and a probability.
:func:`planner.scenarios.overrides.apply_scenario` turns an input and a spec into the
scenario's input.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.periods import Quarter

OPERATIONS = ("set", "multiply", "add")
ALL_OPERATIONS = OPERATIONS
SET_ADD = ("set", "add")
MULTIPLY = ("multiply",)
SET = ("set",)


@dataclass(frozen=True)
class Parameter:
    """A parameter a scenario may override.

    ``target`` is what the selector may name (``workload``, ``chip``, ``site``, ``api``
    (an APIs row's offering) or ``""``
    for nothing); a blank selector means every one.  ``quarters`` says whether a quarter
    range may narrow it; ``whole`` that its values are whole numbers.
    """

    name: str
    unit: str
    target: str
    quarters: bool
    operations: tuple[str, ...]
    doc: str
    whole: bool = False


PARAMETERS: dict[str, Parameter] = {p.name: p for p in (
    Parameter("demand", "tokens per day", "workload", True, ALL_OPERATIONS,
              "demand of the workload in the quarters selected"),
    Parameter("demand_growth", "fraction per quarter", "workload", False, MULTIPLY,
              "extra compound growth: demand t quarters after the start is multiplied by "
              "(1 + value)^t"),
    Parameter("rent_price", "USD per chip-hour", "chip", False, ALL_OPERATIONS,
              "on-demand rent (reserved prices keep their discount); one price for the "
              "whole horizon, as the Chips sheet has, so no quarter range"),
    Parameter("purchase_price", "USD per chip", "chip", False, ALL_OPERATIONS,
              "list purchase price (the price decline still applies)"),
    Parameter("power_cap_kw", "kW", "site", True, ALL_OPERATIONS,
              "facility power cap of the site in the quarters selected"),
    Parameter("electricity_price", "USD per kWh", "site", True, ALL_OPERATIONS,
              "electricity price of the site in the quarters selected"),
    Parameter("available_from", "quarter (set) or quarters (add)", "chip", False, SET_ADD,
              "first quarter the chip can be bought: set a quarter like 2027Q3, or add "
              "quarters of delay (rentals are not restricted by availability)"),
    Parameter("lead_time_quarters", "quarters", "chip", False, SET_ADD,
              "quarters from order to delivery", whole=True),
    Parameter("supply_cap_per_quarter", "chips per quarter", "chip", False, ALL_OPERATIONS,
              "most chips delivered per quarter (multiply and add need a cap to start "
              "from)", whole=True),
    Parameter("discount_rate", "fraction per year", "", False, ALL_OPERATIONS,
              "annual discount rate"),
    Parameter("throughput", "ratio", "chip", False, MULTIPLY,
              "the performance core's tokens/s per chip for every workload"),
    Parameter("carbon_price", "USD per tCO2e", "", False, ALL_OPERATIONS,
              "internal carbon price of every year (Settings carbon_price_usd_per_tco2e; "
              "multiply and add change each year's price, none counting as 0)"),
    Parameter("emissions_cap", "tCO2e per year", "", False, ALL_OPERATIONS,
              "emissions cap of every year (Settings emissions_cap_tco2e; set gives every "
              "year the value, multiply and add change each year's cap and need one)"),
    Parameter("tax_rate", "fraction per year", "", False, SET,
              "corporate income tax rate, every year (the Budgets sheet's by-year rates "
              "are replaced); set on a pre-tax plan makes it after tax (docs/model.md, "
              "After tax); below 1"),
    Parameter("financed_share", "fraction", "chip", False, SET,
              "share of the purchase price borrowed (the chip's financing offer), at most 1"),
    Parameter("loan_rate", "fraction per year", "chip", False, SET,
              "interest rate of the chip's purchase loan, below 1"),
    Parameter("api_price", "USD per million tokens", "api", False, ALL_OPERATIONS,
              "price of an API offering (an APIs row, e.g. a catalog token offer): multiply "
              "and add change its input and output prices alike; set gives one price for "
              "every token (prompt and output)"),
)}


@dataclass(frozen=True)
class Override:
    """One change to a plan's input.

    ``target`` is the canonical name of the chip, site or workload changed ("" for every
    one); ``first``/``last`` bound the quarters changed (None: from the start, to the
    end).  ``value`` is a number, or a :class:`Quarter` for ``available_from`` set.
    ``row`` is the Scenarios sheet row it came from, if any.
    """

    parameter: str
    operation: str
    value: float | Quarter
    target: str = ""
    first: Quarter | None = None
    last: Quarter | None = None
    row: int | None = None

    def describe(self) -> str:
        """'demand[chat 2028Q1..2029Q4] x 1.2', as the reports show it."""
        where = " ".join(x for x in (self.target, self.quarter_text()) if x)
        sign = {"set": "=", "multiply": "x", "add": "+"}[self.operation]
        value = self.value if isinstance(self.value, Quarter) else f"{self.value:g}"
        if self.parameter == "demand_growth":
            sign, value = "x", f"(1 + {value})^quarters"
        return f"{self.parameter}{f'[{where}]' if where else ''} {sign} {value}"

    def quarter_text(self) -> str:
        if self.first is None and self.last is None:
            return ""
        return f"{self.first or ''}..{self.last or ''}"

    def in_range(self, q: Quarter) -> bool:
        return (self.first is None or q >= self.first) and (self.last is None or q <= self.last)


@dataclass(frozen=True)
class ScenarioSpec:
    """A named scenario.  ``probability`` is its weight in a hedged plan (the given one,
    or an equal share of what the given ones leave); ``row`` its first sheet row."""

    name: str
    overrides: tuple[Override, ...] = ()
    probability: float = 1.0
    row: int | None = None

    def describe(self) -> str:
        return "; ".join(o.describe() for o in self.overrides) or "the workbook as it is"


BASE = ScenarioSpec("base")
