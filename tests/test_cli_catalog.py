"""planner models / catalog / chips --list, and new models in planner chips --model."""

from __future__ import annotations

import json

import pytest

from planner.cli import main

NEW = ["gpt-oss-120b", "gpt-oss-20b", "qwen3-235b-a22b", "qwen3-32b", "llama-3.3-70b",
       "llama-4-scout", "llama-4-maverick", "deepseek-r1"]


def test_models_lists_every_model_with_aliases(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in NEW:
        assert name in out
    assert "openai/gpt-oss-120b" in out


def test_catalog_json_has_models_and_chips(capsys):
    assert main(["catalog", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {m["model"] for m in data["models"]} >= set(NEW)
    h100 = next(c for c in data["chips"] if c["chip"] == "H100 SXM")
    assert "H100" in h100["aliases"] and h100["family"] == "nvidia-hopper"


def test_chips_list_and_chips_without_model(capsys):
    assert main(["chips", "--list"]) == 0
    assert "MI355X" in capsys.readouterr().out
    assert main(["chips"]) == 2
    assert "--model" in capsys.readouterr().err


@pytest.mark.parametrize("name", NEW)
def test_each_new_model_is_in_planner_chips(name, capsys):
    assert main(["chips", "--model", name, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    h200 = next(r for r in rows if r["chip"] == "H200 SXM")
    assert h200["feasible"] and h200["output_tokens_per_s_per_chip"] > 0


def test_throughput_takes_a_config_json_and_a_typed_chip_name(capsys):
    cfg = "tests/fixtures/hf/llama-3.3-70b/config.json"
    assert main(["throughput", "--chip", "Nvidia H100", "--model", cfg, "--input-tokens", "1000",
                 "--output-tokens", "250", "--json"]) == 0
    by_path = json.loads(capsys.readouterr().out)
    assert main(["throughput", "--chip", "H100", "--model", "llama-3.3-70b", "--input-tokens",
                 "1000", "--output-tokens", "250", "--json"]) == 0
    by_name = json.loads(capsys.readouterr().out)
    assert by_path["chip"] == "H100 SXM"
    assert by_path["output_tokens_per_s_per_chip"] == pytest.approx(
        by_name["output_tokens_per_s_per_chip"], rel=0.002)


def test_throughput_curve_text_and_json(capsys):
    args = ["throughput", "--chip", "H100", "--model", "llama-3.1-8b", "--input-tokens", "1000",
            "--output-tokens", "250", "--curve", "--points", "6"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "tok/s/user" in out and "frontier" in out
    assert main([*args, "--json"]) == 0
    points = json.loads(capsys.readouterr().out)["points"]
    speeds = [p["tokens_per_s_per_user"] for p in points]
    rates = [p["output_tokens_per_s_per_chip"] for p in points]
    assert speeds == sorted(speeds, reverse=True) and rates == sorted(rates)
