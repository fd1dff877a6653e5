"""The procurement mixed-integer program (PuLP).

``prepare`` turns a validated :class:`~planner.domain.PlanInput` and the performance
core's estimates into numeric parameters; ``build_model`` writes the MIP with one
``define_*`` function per constraint family; ``solve_plan`` solves it and returns a
:class:`~planner.domain.PlanResult`.  The formulation is documented in docs/model.md.
"""

from planner.optimize.deterministic import solve_plan
from planner.optimize.parameters import Parameters, prepare

__all__ = ["Parameters", "prepare", "solve_plan"]
