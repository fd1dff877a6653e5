"""Assemble the MIP from its families (docs/model.md).

One ``define_*`` function per constraint family, each in the module named for what it
constrains: ``fleet`` (owned chips and sites), ``serving`` (demand, capacity, training,
APIs, software stacks) and ``cost_terms`` (objective and budgets); each registers its rows
by family (:class:`Rows`).  Expressions are built with
``LpAffineExpression`` from dictionaries keyed by index tuples (PuLP's fast idioms).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pulp

from planner.domain import FixedDecisions
from planner.optimize import cost_terms as terms
from planner.optimize import emissions, fleet, serving
from planner.optimize.fixing import define_fixed_decisions
from planner.optimize.parameters import Parameters
from planner.optimize.rounding import Choice, Group
from planner.optimize.units import define_whole_units
from planner.optimize.variables import Variables, define_variables

FAMILIES = (
    fleet.define_fleet_balance,
    fleet.define_retirement_limit,
    fleet.define_power_cap,
    fleet.define_site_space,
    fleet.define_supply_cap,
    fleet.define_expansion_once,
    serving.define_demand_balance,
    serving.define_chip_capacity,
    serving.define_training_placement,
    serving.define_training_choice,
    serving.define_api_cap,
    serving.define_stack_adoption,
)


@dataclass
class Model:
    prob: pulp.LpProblem
    variables: Variables
    costs: terms.CostTerms
    objective: pulp.LpAffineExpression
    groups: list[Group]
    rows: dict[str, dict]       # family -> {key: constraint name}, see Rows
    emissions: emissions.EmissionTerms | None = None  # None: no carbon input


def rounding_groups(p: Parameters, v: Variables) -> list[Group]:
    """The integer decisions in the order the structured solve rounds them
    (:mod:`planner.optimize.rounding`): discrete choices first, then purchases and
    retirements to the nearest chip, then stacks and rentals upwards."""
    runs = tuple(Choice(r, tuple(var for (r2, *_), var in sorted(v.gang.items()) if r2 == r),
                        v.unmet_train.get(r)) for r in p.runs)
    expansions = tuple(Choice(x, tuple(var for (x2, _t), var in sorted(v.expand.items()) if x2 == x))
                       for x in p.expansions)
    return [
        Group("training runs", "choose", choices=tuple(c for c in runs if c.options)),
        Group("site expansions", "choose", choices=tuple(c for c in expansions if c.options)),
        Group("software stacks", "up", tuple(v.stack[k] for k in sorted(v.stack))),
        Group("purchases", "nearest", _whole(v, "buy", v.buy)),
        Group("retirements", "nearest", _whole(v, "retire", v.retire)),
        Group("reserved rentals", "up", _whole(v, "reserve", v.reserve)),
        Group("on-demand rentals", "up", _whole(v, "rent", v.rent)),
    ]


def _whole(v: Variables, family: str, variables: dict) -> tuple:
    """A family's integer decisions: the unit count where the chip comes in whole units of
    several chips (:mod:`planner.optimize.units`), else the chip count."""
    return tuple(v.units.get((family, k), variables[k]) for k in sorted(variables))


class Rows:
    """Constraints registered by family as they are added (linopy keeps constraints in
    named containers): ``families[family][key]`` is the name of a row in the problem.

    The ``define_*`` functions add rows with ``rows += (constraint, name)`` or, where a
    reader needs the row's index, ``rows += (constraint, name, key)``; the family is the
    function's name without ``define_``.  ``prefix`` goes before every name, so several
    scenario copies of the model can live in one problem (the hedged plan).
    """

    def __init__(self, prob: pulp.LpProblem, prefix: str = "") -> None:
        self.prob, self.prefix, self.family = prob, prefix, ""
        self.families: dict[str, dict] = {}

    def define(self, family, *args) -> None:
        """Run ``family`` (a ``define_*`` function) with its rows registered under its name."""
        self.family = family.__name__.removeprefix("define_")
        family(self, *args)

    def __iadd__(self, item):
        constraint, name, *key = item
        self.prob += (constraint, self.prefix + name)
        self.families.setdefault(self.family, {})[key[0] if key else name] = self.prefix + name
        return self


def merged_groups(models: list[Model], labels: list[str]) -> list[Group]:
    """The rounding groups of several scenario copies of the model held in one problem
    (the hedged plan), group by group; choices are named after their scenario."""
    merged = []
    for i, first in enumerate(models[0].groups):
        parts = [m.groups[i] for m in models]
        merged.append(Group(
            first.name, first.rule, tuple(var for g in parts for var in g.variables),
            tuple(replace(c, name=f"{label}:{c.name}") for label, g in zip(labels, parts)
                  for c in g.choices)))
    return merged


def build_model(p: Parameters, fixed: FixedDecisions | None = None, *,
                prob: pulp.LpProblem | None = None, prefix: str = "") -> Model:
    """Minimise discounted total cost subject to every constraint family.

    With ``prob`` given, the families are added to it (names prefixed) and the objective
    is returned but not set: the caller combines scenario copies.
    """
    own = prob is None
    prob = prob if prob is not None else pulp.LpProblem("fleet_plan", pulp.LpMinimize)
    rows = Rows(prob, prefix)
    v = define_variables(prob, p, prefix)
    costs = terms.cost_terms(p, v)
    emitted = emissions.add_emissions(prob, p, v, costs, prefix)  # carbon cost, cap overrun
    objective = terms.objective(p, costs)
    if own:
        prob += objective
    for define in FAMILIES:
        rows.define(define, p, v)
    rows.define(terms.define_budgets, p, v, costs)
    rows.define(emissions.define_emissions_cap, p, v, emitted)
    define_fixed_decisions(p, v, fixed)
    rows.define(define_whole_units, p, v)  # after fixing: decisions taken stay as they were
    return Model(prob, v, costs, objective, rounding_groups(p, v), rows.families, emitted)
