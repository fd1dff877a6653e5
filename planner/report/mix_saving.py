"""What mixing chip types saves, as the report shows it: the Summary's section on the
single-type comparison (planner.optimize.single_type) and the cost attribution its
per-workload rows use (the Summary's, :data:`planner.report.metrics.COST_METHOD`)."""

from __future__ import annotations

from planner.domain import PlanInput, PlanResult
from planner.report import metrics


def cost_attribution(inp: PlanInput):
    """Workload -> USD per million prompt+output tokens served in a plan of ``inp``
    (allocated as on the Summary; None where the workload is served by nothing)."""

    def usd_per_mtok(result: PlanResult) -> dict[str, float | None]:
        users, _unallocated = metrics.cost_per_user(result, inp)
        return {u.user: u.usd_per_million_tokens for u in users if u.kind == "inference"}

    return usd_per_mtok
