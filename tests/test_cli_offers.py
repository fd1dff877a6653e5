"""Token-sold offers in `planner chips --model` and `planner catalog` (issue 22)."""

from __future__ import annotations

import csv
import json

from planner.cli import main
from planner.perf.catalog import DATA_DIR, load_chips
from planner.perf.token_offers import load_token_offers, offers_for_model


def test_chips_shows_each_token_offer_of_the_model_with_prices_speed_and_dates(capsys):
    """llama-3.1-70b is sold by GroqCloud, Cerebras Inference and SambaNova Cloud; each
    line has the input and output price per million tokens, their mix at 1000 prompt /
    250 output tokens (Groq: (0.59 x 1000 + 0.79 x 250) / 1250 = 0.630), the per-user
    output speed and the dates of both figures; a price not found says so."""
    assert main(["chips", "--model", "llama-3.1-70b", "--tpot-ms", "3"]) == 0
    out = capsys.readouterr().out
    block = out[out.index("Token-sold offers serving llama-3.1-70b"):]
    lines = {line.split()[0]: line for line in block.splitlines()[3:]
             if line.split() and "/" in line.split()[0] and not line.startswith("$")}
    assert set(lines) == {o.name for o in offers_for_model("llama-3.1-70b")}
    assert len({o.provider for o in offers_for_model("llama-3.1-70b")}) == 3
    groq = lines["groqcloud/llama-3.1-70b-versatile"].split()
    assert groq[-7:] == ["0.590", "0.790", "0.630", "250", "no", "2026-07", "2024-09-10"]
    # TPOT 3 ms: Groq streams a token every 1000 / 250 = 4 ms (no), Cerebras 2.2 ms (yes)
    assert lines["cerebras/llama3.1-70b"].split()[-4:] == ["450", "yes", "2024-08-27",
                                                           "2024-08-27"]
    assert "not found" in lines["sambanova/Meta-Llama-3.1-70B-Instruct"]
    assert "per million prompt / generated tokens" in block and "1000 / speed" in block


def test_tpot_decides_meets_and_json_attaches_offers_to_their_chip(capsys):
    """At TPOT 5 ms Groq's 250 tokens/s (4 ms per token) meets the target."""
    assert main(["chips", "--model", "llama-3.1-70b", "--tpot-ms", "5", "--json"]) == 0
    rows = {r["chip"]: r for r in json.loads(capsys.readouterr().out)}
    assert len(rows) == len(load_chips())
    groq = rows["Groq LPU"]["token_offers"]
    assert [o["offer"] for o in groq] == ["groqcloud/llama-3.1-70b-versatile"]
    assert groq[0]["meets_tpot"] is True and groq[0]["price_source"]
    assert rows["H100 SXM"]["token_offers"] == []


def test_no_seed_chip_says_cannot_be_modelled_without_what_makes_it_plannable(capsys):
    assert main(["chips", "--model", "llama-3.1-70b", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    unmodelled = [r for r in rows if "cannot be modelled" in r["note"]]
    assert {r["chip"] for r in unmodelled} == {c.name for c in load_chips().values()
                                                if not c.modelable}
    for r in unmodelled:
        assert "plannable" in r["note"] and "Measured row" in r["note"]


def test_catalog_lists_every_offer_with_its_sources(capsys):
    assert main(["catalog", "--json"]) == 0
    offers = json.loads(capsys.readouterr().out)["token_offers"]
    assert [o["offer"] for o in offers] == list(load_token_offers())
    for o in offers:
        assert o["price_source"] and o["speed_source"] and o["limits_source"]
        priced = o["usd_per_million_input_tokens"] is not None
        assert priced == (o["price_date"] != "") or "not found" in o["price_source"]


def test_every_offer_names_a_catalog_model_and_chip_and_every_figure_a_source():
    from planner.perf.catalog import load_models

    with open(DATA_DIR / "token_offers.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        assert r["model"] in load_models() and r["chip"] in load_chips()
        for figure, source in (("usd_per_million_input_tokens", "price_source"),
                               ("output_tokens_per_s_per_user", "speed_source")):
            assert r[source], r["offer"]
            if not r[figure]:
                assert r[source].startswith("not found"), r["offer"]
