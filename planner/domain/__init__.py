"""The domain layer: plain dataclasses shared by every other layer.

The workbook reader produces a :class:`PlanInput`; the performance core produces
:class:`ThroughputEstimate` and :class:`TrainingEstimate`; the optimizer turns those
into a :class:`PlanResult`; the report writes it.  None of those layers imports another:
they only share what is defined here.
"""

from planner.domain.actuals import ACTUAL_KINDS, Actual
from planner.domain.costs import CARBON_COST_LABEL, COST_BASES, PENALTY_KINDS, CostBreakdown
from planner.domain.decisions import ALL_KINDS, FIRST_STAGE, FixedDecisions
from planner.domain.errors import InputError, PlannerError, Problem
from planner.domain.estimates import Estimates, ThroughputEstimate, TrainingEstimate
from planner.domain.hardware import PRECISIONS, ChipSpec, ModelSpec
from planner.domain.inputs import (
    ApiOffer,
    Budget,
    ChipOffer,
    CompleteMeasuredSet,
    ExistingChips,
    Expansion,
    InferenceWorkload,
    MeasuredThroughput,
    PlanInput,
    Settings,
    Site,
    SoftwareStack,
    TrainingRun,
)
from planner.domain.mixes import DEMAND_UNITS, RequestMix, SizeSlice
from planner.domain.periods import Quarter
from planner.domain.results import (
    AllocationRow,
    ApiRow,
    CapacityRow,
    CashFlowRow,
    DiagnosticRow,
    EmissionRow,
    ExpansionRow,
    FleetRow,
    PlanResult,
    PowerRow,
    PurchaseRow,
    RentalRow,
    RetirementRow,
    SingleTypeComparison,
    SingleTypeOption,
    SliceRow,
    SolverInfo,
    StackRow,
    TrainingRow,
    WorkloadMixSaving,
)
from planner.domain.status import Status, Termination, has_plan

__all__ = [
    "ACTUAL_KINDS",
    "ALL_KINDS",
    "CARBON_COST_LABEL",
    "COST_BASES",
    "DEMAND_UNITS",
    "FIRST_STAGE",
    "PENALTY_KINDS",
    "PRECISIONS",
    "Actual",
    "AllocationRow",
    "ApiOffer",
    "ApiRow",
    "Budget",
    "CapacityRow",
    "CashFlowRow",
    "ChipOffer",
    "ChipSpec",
    "CompleteMeasuredSet",
    "CostBreakdown",
    "DiagnosticRow",
    "EmissionRow",
    "Estimates",
    "ExistingChips",
    "Expansion",
    "ExpansionRow",
    "FixedDecisions",
    "FleetRow",
    "InferenceWorkload",
    "InputError",
    "MeasuredThroughput",
    "ModelSpec",
    "PlanInput",
    "PlanResult",
    "PlannerError",
    "PowerRow",
    "Problem",
    "PurchaseRow",
    "Quarter",
    "RentalRow",
    "RequestMix",
    "RetirementRow",
    "Settings",
    "SingleTypeComparison",
    "SingleTypeOption",
    "Site",
    "SizeSlice",
    "SliceRow",
    "SoftwareStack",
    "SolverInfo",
    "StackRow",
    "Status",
    "Termination",
    "ThroughputEstimate",
    "TrainingEstimate",
    "TrainingRow",
    "TrainingRun",
    "WorkloadMixSaving",
    "has_plan",
]
