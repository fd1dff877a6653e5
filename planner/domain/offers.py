"""Token-sold offers: a provider's API selling a model's tokens from its own silicon
(GroqCloud on Groq LPUs, Cerebras Inference on CS-3, SambaNova Cloud on SN40L).

The catalog (``planner/data/token_offers.csv``) carries, per offer, the published price
per million input and per million output tokens, the published output speed per user
(output tokens/s a single request streams at) and the published rate or volume limits,
each with its source and date; a figure not found is blank and its source says so.
A workbook switches an offer on with an APIs row naming it (``catalog_offer``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TokenOffer:
    """One catalog token offer (a row of ``token_offers.csv``)."""

    name: str
    provider: str
    chip: str
    model: str
    provider_model_id: str
    usd_per_million_input_tokens: float | None
    usd_per_million_output_tokens: float | None
    price_date: str
    price_source: str
    output_tokens_per_s_per_user: float | None
    speed_date: str
    speed_source: str
    limits: str
    limits_tokens_per_day: float | None
    limits_date: str
    limits_source: str
    note: str = ""

    @property
    def priced(self) -> bool:
        """Whether both token prices were found."""
        return (self.usd_per_million_input_tokens is not None
                and self.usd_per_million_output_tokens is not None)

    def usd_per_million_tokens_for(self, prompt_tokens: float, output_tokens: float) -> float | None:
        """USD per million tokens (prompt+output) at a request shape:
        (P_in x prompt + P_out x output) / (prompt + output); None if unpriced."""
        if not self.priced or prompt_tokens + output_tokens <= 0:
            return None
        return ((self.usd_per_million_input_tokens * prompt_tokens  # type: ignore[operator]
                 + self.usd_per_million_output_tokens * output_tokens)  # type: ignore[operator]
                / (prompt_tokens + output_tokens))

    def meets_tpot(self, tpot_ms: float | None) -> bool | None:
        """Whether the published per-user speed meets a TPOT target (1000 / speed <=
        TPOT); None when the speed is not published, True with no target."""
        if tpot_ms is None:
            return True
        if self.output_tokens_per_s_per_user is None:
            return None
        return 1000.0 / self.output_tokens_per_s_per_user <= tpot_ms
