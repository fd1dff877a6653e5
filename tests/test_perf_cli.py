import argparse
import json
import time

import pytest

from planner.cli_perf import register
from planner.domain import PlannerError
from planner.perf.catalog import load_chips


def run(argv, capsys):
    parser = argparse.ArgumentParser(prog="planner")
    register(parser.add_subparsers(dest="cmd", required=True))
    args = parser.parse_args(argv)
    code = args.func(args)
    out = capsys.readouterr()
    return code, out.out, out.err


BASE = ["throughput", "--chip", "H100", "--model", "llama-2-70b", "--precision", "fp8",
        "--input-tokens", "300", "--output-tokens", "300"]


def test_throughput_json_has_required_keys(capsys):
    code, out, _ = run(BASE + ["--json"], capsys)
    data = json.loads(out)
    assert code == 0
    for key in ("output_tokens_per_s_per_chip", "chips_per_replica", "batch_size", "ttft_ms", "tpot_ms",
                "bound", "precision_used", "tensor_parallel", "pipeline_parallel", "source"):
        assert key in data
    assert abs(data["output_tokens_per_s_per_chip"] / 3066 - 1) < 0.15
    # 300 prompt + 300 output tokens: prompt+output tokens/s is twice the output rate
    assert data["prompt_output_tokens_per_s_per_chip"] == pytest.approx(
        2 * data["output_tokens_per_s_per_chip"])
    assert data["units"]["usd_per_million_prompt_output_tokens_rented"] == \
        "$/Mtok (prompt+output), rented"
    assert data["usd_per_million_output_tokens_rented"] == pytest.approx(
        2 * data["usd_per_million_prompt_output_tokens_rented"])


def test_throughput_text(capsys):
    code, out, _ = run(BASE, capsys)
    assert code == 0
    for label in ("tokens/s (prompt+output) per chip", "tokens/s (output only) per chip",
                  "$/Mtok (prompt+output), rented", "$/Mtok (output only), owned"):
        assert label in out


def test_unmeetable_target_exits_1_naming_target(capsys):
    code, out, _ = run(BASE + ["--tpot-ms", "2"], capsys)
    assert code == 1 and "TPOT target 2 ms" in out and "best achievable" in out


def test_non_modelable_chip_exits_1_without_figure(capsys):
    code, out, _ = run(["throughput", "--chip", "groq", "--model", "llama-2-70b", "--input-tokens",
                        "300", "--output-tokens", "300"], capsys)
    assert code == 1 and "cannot be modelled" in out and "tokens/s" not in out


def test_unknown_chip_raises_planner_error(capsys):
    with pytest.raises(PlannerError, match="known chips"):
        run(["throughput", "--chip", "H900", "--model", "llama-2-70b", "--input-tokens", "1",
             "--output-tokens", "1"], capsys)
    with pytest.raises(PlannerError, match="known models"):
        run(["chips", "--model", "gpt-9"], capsys)


def test_chips_table_is_fast_and_aligned(capsys):
    start = time.perf_counter()
    code, out, _ = run(["chips", "--model", "llama-3.1-70b"], capsys)
    assert time.perf_counter() - start < 2.0
    lines = out.splitlines()
    assert code == 0 and lines[2].startswith("chip") and set(lines[3]) <= {"-", " "}
    assert "tokens/s per chip" in lines[1] and "$/Mtok rented" in lines[1]
    assert lines[2].count("prompt+output") == 3 and lines[2].count("output only") == 5
    assert any(line.startswith("H100 SXM") for line in lines)
    note = 4 + len(load_chips())
    assert "prompt+output = " in lines[note] and lines[note + 2].startswith("Token-sold offers")


def test_chips_json(capsys):
    code, out, _ = run(["chips", "--model", "mixtral", "--precision", "fp8", "--input-tokens", "500",
                        "--output-tokens", "200", "--tpot-ms", "50", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0 and len(rows) == len(load_chips())
    assert "usd_per_million_prompt_output_tokens_rented" in rows[0]
    assert "usd_per_million_output_tokens_rented" in rows[0]


def test_train_time(capsys):
    code, out, _ = run(["train-time", "--chip", "H100", "--model", "llama-3.1-405b", "--tokens", "15.6e12",
                        "--chips", "16384", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["chips"] == 16384 and 0.38 <= data["mfu"] <= 0.43
    assert 1000 < data["hours"] < 3000
    code, out, _ = run(["train-time", "--chip", "H100", "--model", "llama-3.1-405b", "--tokens", "1e12",
                        "--chips", "8"], capsys)
    assert code == 1 and "does not fit" in out
