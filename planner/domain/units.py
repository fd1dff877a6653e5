"""The units a reader sees, defined once: which tokens a rate or a price counts.

A request of P prompt tokens and O output tokens can be counted two ways, and published
figures use both:

* **prompt+output**: every token the request processes, P + O.  Demand (the Demand,
  Drivers and History sheets), capacity, the APIs sheet's price and public token volumes
  count these.
* **output only**: the O generated tokens.  MLPerf and most published serving benchmarks
  report these, and the performance core computes them first.

For one request shape the two differ by the factor (P + O) / O: 1,043 output tokens/s is
1,043 x 1,300 / 300 = 4,519 prompt+output tokens/s at 1,000 prompt and 300 output tokens,
and a dollar per million prompt+output tokens is 4.33 dollars per million output tokens.
Every tokens/s and $/Mtok the planner prints, writes to a sheet or returns in JSON is
named with one of the labels and column names below, and converted with the functions
below, so that ``planner throughput``, ``planner chips``, the UnitEconomics sheet and the
Summary agree when computed on the same basis.
"""

from __future__ import annotations

PROMPT_OUTPUT = "prompt+output"
OUTPUT_ONLY = "output only"
#: Both bases, in the order they are shown: prompt+output first (what demand counts).
BASES = (PROMPT_OUTPUT, OUTPUT_ONLY)
_KEY = {PROMPT_OUTPUT: "prompt_output", OUTPUT_ONLY: "output"}

#: What a Chips-sheet purchase price covers: an all-in price per accelerator.
PURCHASE_PRICE_INCLUDES = ("all-in per accelerator: the chip with its share of the server "
                           "(CPUs, memory, NICs, chassis), of the cluster network (switches, "
                           "cables) and of installation")

MILLION = 1e6
SECONDS_PER_HOUR = 3600.0

#: One sentence per basis, for notes under tables and the CLI's footers.
DEFINITIONS = {
    PROMPT_OUTPUT: "prompt+output = every token a request processes (prompt plus output), "
                   "as demand and API prices count them",
    OUTPUT_ONLY: "output only = generated tokens, as MLPerf counts them",
}


def _check(basis: str) -> str:
    if basis not in _KEY:
        raise ValueError(f"token basis must be one of {BASES}, not {basis!r}")
    return _KEY[basis]


def tokens_per_s_label(basis: str) -> str:
    """'tokens/s (prompt+output)' or 'tokens/s (output only)'."""
    _check(basis)
    return f"tokens/s ({basis})"


def usd_per_mtok_label(basis: str) -> str:
    """'$/Mtok (prompt+output)' or '$/Mtok (output only)'."""
    _check(basis)
    return f"$/Mtok ({basis})"


def tokens_per_s_column(basis: str, per: str = "") -> str:
    """A column or JSON key: ``prompt_output_tokens_per_s`` or ``output_tokens_per_s``,
    with ``_per_<per>`` appended when given (``..._per_chip``)."""
    name = f"{_check(basis)}_tokens_per_s"
    return f"{name}_per_{per}" if per else name


def usd_per_mtok_column(basis: str, suffix: str = "") -> str:
    """A column or JSON key: ``usd_per_million_prompt_output_tokens`` or
    ``usd_per_million_output_tokens``, with ``_<suffix>`` appended when given."""
    name = f"usd_per_million_{_check(basis)}_tokens"
    return f"{name}_{suffix}" if suffix else name


def output_share(prompt_tokens: float, output_tokens: float) -> float:
    """O / (P + O): the share of a request's tokens that are output."""
    total = prompt_tokens + output_tokens
    if output_tokens <= 0 or total <= 0:
        raise ValueError("a request needs output tokens to convert between token bases")
    return output_tokens / total


def convert_tokens(count: float, basis: str, prompt_tokens: float, output_tokens: float) -> float:
    """A count (or rate) of prompt+output tokens expressed in ``basis``."""
    _check(basis)
    return count if basis == PROMPT_OUTPUT else count * output_share(prompt_tokens, output_tokens)


def tokens_per_s(output_tokens_per_s: float, basis: str, prompt_tokens: float,
                 output_tokens: float) -> float:
    """A rate of output tokens/s expressed in ``basis``: x (P + O) / O for prompt+output."""
    _check(basis)
    if basis == OUTPUT_ONLY:
        return output_tokens_per_s
    return output_tokens_per_s / output_share(prompt_tokens, output_tokens)


def usd_per_mtok(usd: float, tokens: float) -> float | None:
    """Dollars per million tokens (None when no token was made)."""
    return usd / tokens * MILLION if tokens > 0 else None


def usd_per_mtok_hourly(usd_per_hour: float | None, tokens_per_s: float,
                        utilisation: float = 1.0) -> float | None:
    """Dollars per million tokens of a chip costing ``usd_per_hour`` that makes
    ``tokens_per_s`` flat out and is busy ``utilisation`` of the time."""
    if usd_per_hour is None or tokens_per_s <= 0 or utilisation <= 0:
        return None
    return usd_per_mtok(usd_per_hour, tokens_per_s * SECONDS_PER_HOUR * utilisation)
