"""What mixing chip types saves, as the report shows it: the plan against the best plan
restricted to one chip type (planner.optimize.single_type; the Summary's section, the
single_type_comparison and mix_saving_by_workload tables) and the cost attribution its
per-workload rows use (the Summary's, :data:`planner.report.metrics.COST_METHOD`)."""

from __future__ import annotations

from planner.domain import PlanInput, PlanResult, units
from planner.domain.results import SingleTypeComparison
from planner.optimize.single_type import SCOPE_WORDS
from planner.report import metrics
from planner.report.recommend import money, share
from planner.report.styles import PCT, PCT2, USD
from planner.report.tables import Column, TableData
from planner.report.usage import USD_PER_MTOK

#: What the single-type plans may do, said wherever the comparison is shown.
SCOPE = SCOPE_WORDS
PO = units.PROMPT_OUTPUT
PER_WORKLOAD_METHOD = (
    "Per workload: cost allocated as in the cost-per-million-tokens table (undiscounted, "
    "each chip type's cost split by the chips of that type allocated) / tokens served, in "
    "the plan and in each single-type plan that serves all of the workload's demand; its "
    "best single type is the cheapest of those for it. Each workload alone may save "
    "nothing while the plan saves: the saving can come from serving different workloads "
    "(or slices) on different types together.")


def cost_attribution(inp: PlanInput):
    """Workload -> USD per million prompt+output tokens served in a plan of ``inp``
    (allocated as on the Summary; None where the workload is served by nothing)."""

    def usd_per_mtok(result: PlanResult) -> dict[str, float | None]:
        users, _unallocated = metrics.cost_per_user(result, inp)
        return {u.user: u.usd_per_million_tokens for u in users if u.kind == "inference"}

    return usd_per_mtok


def headline(c: SingleTypeComparison) -> str:
    """'The plan costs $1.20 million against $1.50 million for the best single chip type
    (H100, new chips of one type, owned fleet kept): mixing saves 20.0% ($300,000).'"""
    best = c.single_type_best_usd
    if best is None or c.best_chip is None:
        return (f"The plan costs {money(c.plan_cost_usd)}; no saving from mixing chip types "
                "is stated (see the note below).")
    saving = best - c.plan_cost_usd
    verb = "saves" if saving >= 0 else "costs"
    return (f"The plan costs {money(c.plan_cost_usd)} against {money(best)} for the best "
            f"plan with a single chip type ({c.best_chip}; {SCOPE}): mixing chip types "
            f"{verb} {share(abs(c.mix_saving_share or 0.0))} ({money(abs(saving))}), "
            f"cost of ownership, {c.basis}.")


def options_table(result: PlanResult) -> TableData:
    """One row per chip type: its single-type plan (empty when not compared)."""
    c = result.single_type
    rows = [] if c is None else [
        (o.chip, o.termination, o.cost_of_ownership_usd, o.objective_usd,
         o.unmet_demand_share if o.cost_of_ownership_usd is not None else None, o.gap,
         "yes" if o.chip == c.best_chip else "no", o.message)
        for o in c.options]
    return TableData(
        "single_type_comparison",
        [Column("chip"), Column("termination"), Column("cost_of_ownership_npv_usd", USD),
         Column("objective_npv_usd", USD), Column("unmet_demand_share", PCT2),
         Column("gap", PCT2), Column("best"), Column("note", max_width=80)],
        rows, "The plan was not compared with single-chip-type plans.")


def per_workload_table(result: PlanResult) -> TableData:
    c = result.single_type
    rows = [] if c is None else [
        (r.workload, r.plan_usd_per_mtok, r.best_chip or "none serves it all",
         r.single_type_usd_per_mtok, r.saving_share) for r in c.per_workload]
    return TableData(
        "mix_saving_by_workload",
        [Column("workload"), Column("plan_" + units.usd_per_mtok_column(PO), USD_PER_MTOK),
         Column("best_single_chip"),
         Column("single_type_" + units.usd_per_mtok_column(PO), USD_PER_MTOK),
         Column("saving_share", PCT)],
        rows, "No per-workload comparison.")


def section_lines(result: PlanResult) -> list[str]:
    """The Summary's sentences, or none when the plan was not compared."""
    c = result.single_type
    if c is None:
        return []
    return [headline(c)]


def notes(result: PlanResult) -> list[str]:
    c = result.single_type
    if c is None:
        return []
    out = [c.note] if c.note else []
    if c.per_workload:
        out.append(PER_WORKLOAD_METHOD)
    return out
