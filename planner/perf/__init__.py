"""The performance core: how fast each chip serves or trains each model.

Entry points: :func:`planner.perf.inference.estimate_throughput`,
:func:`planner.perf.training.estimate_training`, :func:`planner.perf.plan.estimate` (every estimate a plan needs),
:func:`planner.perf.compare.compare_chips` and the catalogs in
:mod:`planner.perf.catalog`.  Equations and sources: ``docs/perf.md``.
"""

from planner.perf.plan import estimate

__all__ = ["estimate"]
