"""One definition of each token unit: labels, column names and conversions."""

import pytest

from planner.domain import units


def test_the_issue_example_converts_by_prompt_plus_output_over_output():
    """1,043 output tokens/s at 1,000 prompt / 300 output tokens is 1,043 x 1,300 / 300
    = 4,519.67 prompt+output tokens/s; $0.193 per million output tokens is 0.193 x 300 /
    1,300 = $0.0445 per million prompt+output tokens."""
    assert units.tokens_per_s(1043, units.PROMPT_OUTPUT, 1000, 300) == pytest.approx(4519.67, abs=0.01)
    assert units.tokens_per_s(1043, units.OUTPUT_ONLY, 1000, 300) == 1043
    assert units.convert_tokens(1.3e9, units.OUTPUT_ONLY, 1000, 300) == pytest.approx(3e8)
    assert units.convert_tokens(1.3e9, units.PROMPT_OUTPUT, 1000, 300) == 1.3e9


def test_price_per_million_from_an_hourly_cost():
    """$2.50 an hour at 1,000 tokens/s, busy 50%: 2.5 / (1,000 x 3,600 x 0.5) x 1e6 = $1.389."""
    assert units.usd_per_mtok_hourly(2.5, 1000, 0.5) == pytest.approx(1.3889, abs=1e-4)
    assert units.usd_per_mtok_hourly(None, 1000) is None
    assert units.usd_per_mtok_hourly(2.5, 0.0) is None
    assert units.usd_per_mtok(10.0, 2e6) == 5.0 and units.usd_per_mtok(1.0, 0) is None


def test_every_label_and_column_names_its_tokens():
    assert units.tokens_per_s_label(units.PROMPT_OUTPUT) == "tokens/s (prompt+output)"
    assert units.usd_per_mtok_label(units.OUTPUT_ONLY) == "$/Mtok (output only)"
    assert units.tokens_per_s_column(units.PROMPT_OUTPUT, "chip") == "prompt_output_tokens_per_s_per_chip"
    assert units.usd_per_mtok_column(units.OUTPUT_ONLY) == "usd_per_million_output_tokens"
    assert units.usd_per_mtok_column(units.PROMPT_OUTPUT, "rented") == \
        "usd_per_million_prompt_output_tokens_rented"
    with pytest.raises(ValueError, match="token basis"):
        units.usd_per_mtok_label("input")
    with pytest.raises(ValueError, match="output tokens"):
        units.output_share(100, 0)
