"""The token-sold offers as text: under ``planner chips --model`` (the offers serving the
model) and in ``planner catalog`` (all of them); see ``planner/data/token_offers.csv``."""

from __future__ import annotations

from planner.perf.token_offers import load_token_offers, offer_row, offers_for_model

_HEADER = ["offer", "provider", "chip", "$/Mtok input", "$/Mtok output",
           "$/Mtok prompt+output", "tokens/s per user (output)", "meets TPOT", "price date",
           "speed date"]


def _money(value: float | None) -> str:
    return "not found" if value is None else f"{value:.3f}"


def _meets(row: dict) -> str:
    if row["tpot_ms"] is None:
        return "no target"
    return {True: "yes", False: "no", None: "unknown"}[row["meets_tpot"]]


def _cells(row: dict) -> list[str]:
    speed = row["output_tokens_per_s_per_user"]
    return [row["offer"], row["provider"], row["chip"],
            _money(row["usd_per_million_input_tokens"]),
            _money(row["usd_per_million_output_tokens"]),
            _money(row["usd_per_million_prompt_output_tokens"]),
            "not found" if speed is None else f"{speed:,.0f}", _meets(row),
            row["price_date"] or "-", row["speed_date"] or "-"]


def table(rows: list[dict]) -> str:
    """An aligned text table of :func:`offer_row` rows."""
    body = [_cells(r) for r in rows]
    widths = [max(len(x) for x in col) for col in zip(_HEADER, *body)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [_HEADER, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def model_offers(model: str, prompt_tokens: float, output_tokens: float,
                 tpot_ms: float | None) -> list[dict]:
    """The catalog token offers serving ``model``, at the command's request shape."""
    return [offer_row(o, prompt_tokens, output_tokens, tpot_ms) for o in offers_for_model(model)]


def all_offers() -> list[dict]:
    """Every catalog token offer (prices mixed at 1000 prompt / 250 output tokens, the
    ``planner chips`` default shape)."""
    return [offer_row(o, 1000.0, 250.0, None) for o in load_token_offers().values()]


def offers_text(model: str, rows: list[dict], prompt_tokens: float, output_tokens: float) -> str:
    """The block printed under the chips table: the offers, or a line saying there are none."""
    if not rows:
        return f"No catalog token offer serves {model}."
    return (f"Token-sold offers serving {model} (published prices and speeds; switch one on "
            f"with an APIs row naming it in catalog_offer)\n{table(rows)}\n"
            f"$/Mtok input / output: the provider's published price per million prompt / "
            f"generated tokens; $/Mtok prompt+output: their mix at {prompt_tokens:g} prompt / "
            f"{output_tokens:g} output tokens, as a workload pays it; tokens/s per user: "
            f"output tokens one request streams per second (meets TPOT: 1000 / speed <= "
            f"--tpot-ms). Sources per row: planner catalog --json.")
