"""What the performance core says about a chip serving a model."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ThroughputEstimate:
    """Steady-state serving throughput of one chip type for one workload shape.

    Rates are per chip (a replica's rate divided by ``chips_per_replica``).
    ``source`` is ``"modelled"`` or ``"measured"``.  When ``feasible`` is False the
    rates are 0 and ``reason`` says why (the model does not fit, a latency target cannot
    be met, the chip cannot be modelled); ``best_ttft_ms`` / ``best_tpot_ms`` then hold
    the best achievable values where that is the reason.
    """

    chip: str
    model: str
    precision: str
    precision_used: str
    prompt_tokens: float
    output_tokens: float
    feasible: bool
    output_tokens_per_s_per_chip: float = 0.0
    chips_per_replica: int = 0
    tensor_parallel: int = 0
    pipeline_parallel: int = 0
    batch_size: int = 0
    ttft_ms: float = 0.0
    tpot_ms: float = 0.0
    bound: str = ""
    source: str = "modelled"
    reason: str = ""
    best_ttft_ms: float | None = None
    best_tpot_ms: float | None = None
    phase: str = "both"  # "prefill" or "decode" for a chip doing only that phase
    data_parallel: int = 1  # attention groups sharing one expert-parallel pool (wide EP)
    expert_parallel: int = 1  # chips a stage's routed experts are spread over (MoE)
    dense_precision_used: str = ""  # attention / always-active weights when experts differ
    # Serving stack modelled and the software-maturity terms (planner.perf.maturity):
    # the family's yearly rate, the calibration date it applies from, and, once a plan
    # attaches them, the throughput multiplier of each planned quarter (empty = 1).
    stack: str = ""
    software_gain_per_year: float = 0.0
    as_of_year: float = 0.0
    speedup_by_quarter: tuple[float, ...] = ()

    # For a one-phase estimate, ``output_tokens_per_s_per_chip`` is request-equivalent:
    # requests/s served in that phase x output_tokens, so the properties below still
    # give requests/s and all tokens of the requests served.

    @property
    def tokens_per_s_per_chip(self) -> float:
        """All tokens (prompt plus output) processed per second per chip."""
        if self.output_tokens <= 0:
            return 0.0
        return self.output_tokens_per_s_per_chip * (self.prompt_tokens + self.output_tokens) / self.output_tokens

    def speedup(self, t: int) -> float:
        """Throughput multiplier of the plan's quarter ``t`` (1 when none is attached)."""
        return self.speedup_by_quarter[t] if t < len(self.speedup_by_quarter) else 1.0

    @property
    def requests_per_s_per_chip(self) -> float:
        return self.output_tokens_per_s_per_chip / self.output_tokens if self.output_tokens else 0.0


@dataclass(frozen=True)
class TrainingEstimate:
    """Time to train a model on a given number of chips."""

    chip: str
    model: str
    tokens: float
    chips: int
    precision_used: str
    feasible: bool
    mfu: float = 0.0
    hours: float = 0.0
    reason: str = ""
    method: str = "full"  # full, lora or qlora
    #: Bigger gangs the plan may use instead, as (chips, hours) from the performance core
    #: at that size (its MFU included): one per shorter duration in whole quarters, up to
    #: the run's ``max_gang_chips``.  Empty: only ``chips``.
    gang_options: tuple[tuple[int, float], ...] = ()

    @property
    def chip_hours(self) -> float:
        return self.hours * self.chips


@dataclass(frozen=True)
class Estimates:
    """Everything the performance core says about one plan's input, together.

    ``throughput`` per (workload, chip); ``training`` per (run, chip); ``phases`` the
    one-phase prefill and decode estimates per (workload, chip, phase) of workloads that
    allow disaggregated serving (empty when none does).
    """

    throughput: dict[tuple[str, str], ThroughputEstimate]
    training: dict[tuple[str, str], TrainingEstimate] = field(default_factory=dict)
    phases: dict[tuple[str, str, str], ThroughputEstimate] = field(default_factory=dict)
    #: Chips of the input left unestimated because the run's time limit came first
    #: (planner.pipeline): without estimates they can neither serve nor train in the plan.
    skipped_chips: tuple[str, ...] = ()
