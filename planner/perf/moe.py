"""Mixture-of-experts costs derived from the routing, with no fitted factor.

A round's routed-expert work is a grouped multiply: every expert sees only the tokens
routed to it, about ``tokens · k / E``.  The routed experts of a stage are spread
expert-parallel over its ``tp`` chips (whole experts per chip; an expert is sliced when
there are more chips than experts), and the chip with the most routed tokens sets the
pace.  Three costs follow, all from counting (equations in ``docs/perf.md``):

* per-expert multiply efficiency: each expert's multiply runs at the small-multiply
  efficiency of its own token count (the same curve the dense layers use);
* load imbalance: with uniform routing the busiest chip's load is the maximum of ``tp``
  bins under a balls-in-bins draw, above the mean by the expected maximum of ``tp``
  standard normal deviates (1.42 standard deviations for 8 chips);
* token permutation: dispatch copies each token's hidden state to its ``k`` experts and
  combine reads the ``k`` outputs back and writes their sum, a memory-bound pass per
  MoE layer;
* idle experts: an expert no token of the micro-batch picks is neither read nor
  multiplied, so only the expected number of touched experts pays the small-multiply
  fixed cost;
* all-to-all (wide expert parallelism with data-parallel attention): each chip sends
  its tokens' hidden states to the chips holding their ``k`` experts and receives the
  outputs back, over the scale-up links inside the domain and the scale-out network
  past it.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from planner.domain.hardware import ModelSpec
from planner.perf import modelmath as mm
from planner.perf.efficiency import Efficiency


def expert_bins(model: ModelSpec, tp: int) -> int:
    """How many chips share the routed experts of one stage (at most one bin per expert)."""
    return max(1, min(int(tp), int(model.experts)))


def busiest_load_factor(mean_per_bin: float, bins: int) -> float:
    """Expected load of the busiest of ``bins`` bins over the mean load (1 for one bin).

    Uniform routing puts each token-expert assignment in a bin with probability
    1/bins, so a bin's load is binomial with mean ``mean_per_bin`` and variance
    ``mean_per_bin · (1 - 1/bins)``; the expected maximum of ``bins`` such loads is the
    mean plus ``z`` standard deviations, ``z`` the expected maximum of ``bins`` standard
    normal deviates (Blom's approximation ``Phi^-1((n - 0.375) / (n + 0.25))``, within
    a few per cent).  Capped at ``bins``: no bin holds more than every assignment.
    """
    if bins <= 1 or mean_per_bin <= 0:
        return 1.0
    z = NormalDist().inv_cdf((bins - 0.375) / (bins + 0.25))
    spread = z * math.sqrt((1.0 - 1.0 / bins) / mean_per_bin)
    return min(1.0 + spread, float(bins))


def routed_flop_seconds(model: ModelSpec, eff: Efficiency, micro_tokens: float, micro_batches: int,
                        tp: int, pp: int) -> float:
    """FLOP-time (divide by peak FLOP/s) of the routed experts for one round, per chip.

    Each of ``micro_batches`` micro-batches of ``micro_tokens`` tokens (the whole
    replica's, spread over the ``tp`` expert-parallel chips) sends
    ``micro_tokens · k / E`` tokens to an average expert.  A multiply over ``m > 0``
    tokens costs the time of ``m / (g · e_c)`` tokens plus a fixed tile of
    ``m_half / e_c`` (``e_c`` the large-multiply efficiency, ``g`` the routed-expert
    factor :attr:`planner.perf.efficiency.Efficiency.routed`: grouped block-scaled
    expert kernels lose against a dense multiply in proportion to the tokens they
    process, while the fixed tile of a nearly empty expert is the small-multiply cost
    every multiply pays); an expert that receives no token costs nothing,
    so a chip holding ``E / bins`` experts, of which a fraction
    ``f = 1 − (1 − k/E)^micro_tokens`` is touched, and whose busiest expert group
    receives ``lambda`` times the mean load, spends
    ``2 · e · (lambda · load / g + f · (E / bins) · m_half) / e_c`` per micro-batch and
    stage, with ``e`` the parameters of one expert.  With ``g = 1`` this is the dense
    small-multiply curve ``e_c · m / (m + m_half)`` of each expert's own tokens.
    """
    _, per_expert = mm.expert_split(model)
    if per_expert <= 0 or micro_tokens <= 0 or eff.routed_compute <= 0:
        return 0.0
    bins = expert_bins(model, tp)
    slices = max(tp // bins, 1)  # chips that split one expert's columns when tp > E
    load = micro_tokens * model.active_experts / bins
    factor = busiest_load_factor(load, bins)
    touched = mm.expert_fraction_touched(model, micro_tokens) * model.experts / bins
    token_time = factor * load / eff.routed + touched * eff.gemm_half_tokens
    per_stage = 2.0 * per_expert * token_time / (eff.compute * slices)
    return micro_batches * per_stage / pp


def permute_bytes(model: ModelSpec, tokens: float, tp: int, pp: int) -> float:
    """Bytes one chip moves per round to dispatch tokens to experts and combine them.

    Per token and MoE layer: read the hidden state and write ``k`` copies for dispatch,
    read the ``k`` expert outputs and write their weighted sum for combine, so
    ``(3k + 1) · h`` activation values (every layer counted as a MoE layer).  A chip
    permutes the tokens routed to its share of the experts.
    """
    if not model.is_moe or model.experts <= model.active_experts:
        return 0.0
    per_token = (3.0 * model.active_experts + 1.0) * model.hidden_size * mm.ACTIVATION_BYTES
    return tokens * per_token * model.routed_layers / (expert_bins(model, tp) * pp)


def dispatch_bytes_per_token(model: ModelSpec, experts_bytes: float) -> float:
    """Bytes a token sends out and gets back per round over all MoE layers.

    Dispatch sends its hidden state to each of its ``k`` experts (in FP8 when the
    experts run at 8 bits or narrower, as DeepEP does; else BF16) and combine returns
    ``k`` BF16 outputs: ``L_moe · k · h · (b_dispatch + 2)``.
    """
    dispatch = 1.0 if experts_bytes <= 1.0 else mm.ACTIVATION_BYTES
    return (model.routed_layers * model.active_experts * model.hidden_size
            * (dispatch + mm.ACTIVATION_BYTES))


def all_to_all_seconds(model: ModelSpec, experts_bytes: float, tokens: float, ep: int,
                       domain: int, scaleup_bps: float, scaleout_bps: float) -> float:
    """Per-chip time of a round's dispatch and combine over ``ep`` expert-parallel chips.

    Each chip sends its ``tokens / ep`` tokens' traffic; a fraction ``1 − 1/ep`` leaves
    the chip (uniform routing), of which the destinations beyond the scale-up domain,
    ``(ep − min(ep, domain)) / (ep − 1)``, go over the scale-out network
    (``scaleout_bps``) and the rest over the scale-up links (``scaleup_bps``), both
    one-direction bytes/s.  Latency per collective is added by the caller.
    """
    if ep <= 1 or not model.is_moe:
        return 0.0
    volume = tokens / ep * dispatch_bytes_per_token(model, experts_bytes) * (1.0 - 1.0 / ep)
    cross = (ep - min(ep, max(domain, 1))) / (ep - 1)
    return volume * ((1.0 - cross) / scaleup_bps + cross / scaleout_bps)
