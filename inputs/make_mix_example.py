"""Build inputs/mix-example.xlsx: one Llama 2 7B service with a 6 x 6 request-size mix,
served from a published serving profile on four rented GPU types.

Run from the repository root::

    python inputs/make_mix_example.py            # writes inputs/mix-example.xlsx
    python inputs/make_mix_example.py out.xlsx   # or elsewhere

Then ``planner plan inputs/mix-example.xlsx`` plans it in seconds.

Sources.  The throughputs are the Mélange paper's measurements (Griggs et al. 2024, "Mélange:
Cost Efficient Large Language Model Serving by Exploiting GPU Heterogeneity"), from its
public repository litone01/melange-release at commit 3d13f19 (eval/eval.ipynb,
gpu_info_llama7b): the most requests per second one L4, A10G, A100 80GB or H100 80GB
sustains serving Llama 2 7B on vLLM per bucket of prompt and output length.
``inputs/llama2-7b_profile.csv`` is that table as published (a copy of the reference
``melange/llama2-7b_profile.csv``), imported as is through the Measured sheet's
profile_csv column.  The hourly rents are the same profile's price_usd_per_hour column
(the paper's prices), typed on the Chips sheet because the planner never reads prices
from a profile.  The request mix and the demand are assumptions: no published histogram
of this service's requests was found, so the shares below are an illustrative chat-like
shape (most prompts and outputs short, a long tail), said so on every row.

The output is byte-for-byte deterministic (fixed timestamps inside the .xlsx).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from planner.io.template import new_workbook

HERE = Path(__file__).resolve().parent
OUT = HERE / "mix-example.xlsx"
PROFILE = "llama2-7b_profile.csv"
MELANGE = ("Melange (Griggs et al. 2024) profile, litone01/melange-release@3d13f19 "
           "eval/eval.ipynb gpu_info_llama7b; inputs/llama2-7b_profile.csv "
           "price_usd_per_hour")


def _load_make_example():
    spec = importlib.util.spec_from_file_location("make_example", HERE / "make_example.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


make_example = _load_make_example()

SETTINGS: dict[str, tuple[object, str]] = {
    "start_quarter": ("2027Q1", "Plan window: two quarters, to keep the example quick."),
    "quarters": (2, "Two quarters."),
    "solver": ("highs", "HiGHS; cbc gives the same plan (tests/test_api_request_mix.py)."),
    "time_limit_s": (60, "Assumption: an upper limit; this plan is proved optimal in seconds."),
    "mip_gap": (0, "Prove the optimum."),
    "target_utilisation": (1, (
        "The profile's rates are already the most each GPU sustains within the latency "
        "target it was measured under (Melange: a time-per-output-token target), so no "
        "further headroom is taken (assumption: lower it to keep room for bursts).")),
}

#: Rented only, at the profile's hourly prices (the paper's).
CHIPS = [
    {"chip": "L4", "rent_usd_per_chip_hour": 0.7, "source": MELANGE + " (L4: 0.7)"},
    {"chip": "A10G", "rent_usd_per_chip_hour": 1.01, "source": MELANGE + " (A10G: 1.01)"},
    {"chip": "A100-80GB", "rent_usd_per_chip_hour": 3.67,
     "source": MELANGE + " (A100-80GB: 3.67)"},
    {"chip": "H100-80GB", "rent_usd_per_chip_hour": 7.516,
     "source": MELANGE + " (H100-80GB: 7.516)"},
]

SITES = [{"site": "cloud", "power_cap_kw": 1000, "electricity_usd_per_kwh": 0.08,
          "source": "Required sheet; rented GPUs draw no site power (assumption: a "
                    "placeholder site the plan does not use)."}]

WORKLOADS = [{"workload": "llama2-chat", "model": "llama-2-7b", "precision": "fp16",
              "peak_to_average": 1,
              "source": "Assumption: a chat service on Llama 2 7B (the model Melange "
                        "profiled, served in FP16 on vLLM); prompt and output lengths come "
                        "from its request mix."}]

#: Mélange's bucket edges (tokens), both axes: the profile's input_range / output_range.
EDGES = (25, 100, 250, 500, 1000, 2000)
#: Assumed marginal shares of requests by prompt and by output bucket (most chat
#: requests short, a long tail); a bucket's share is the product of the two.
PROMPT_SHARES = (0.25, 0.30, 0.20, 0.12, 0.08, 0.05)
OUTPUT_SHARES = (0.20, 0.30, 0.25, 0.15, 0.07, 0.03)


def mix_rows() -> list[dict[str, object]]:
    """The 6 x 6 histogram: upper edges only (lower edges are the previous edge)."""
    return [{"workload": "llama2-chat", "prompt_tokens_max": p, "output_tokens_max": o,
             "share_of_requests": round(ps * os_, 6),
             "source": "Assumption: illustrative chat-like shares (prompt share x output "
                       "share); buckets are Melange's."}
            for p, ps in zip(EDGES, PROMPT_SHARES) for o, os_ in zip(EDGES, OUTPUT_SHARES)]


DEMAND = [{"workload": "llama2-chat", "quarter": q, "requests_per_s": r,
           "source": "Assumption: average requests per second."}
          for q, r in (("2027Q1", 40), ("2027Q2", 60))]

MEASURED = [{"model": "llama-2-7b", "precision": "fp16", "profile_csv": PROFILE,
             "source": MELANGE.split(";")[0] + " (vLLM, one GPU each; a missing bucket "
                       "means the GPU cannot serve it)"}]


def _fill_settings(wb: Workbook) -> None:
    ws = wb["Settings"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in SETTINGS:
            value, source = SETTINGS[row[0].value]
            row[1].value = value
            row[3].value = f"{row[3].value} Source: {source}"


def build() -> Workbook:
    wb = new_workbook()
    _fill_settings(wb)
    for sheet, rows in (("Chips", CHIPS), ("Sites", SITES), ("Workloads", WORKLOADS),
                        ("Demand", DEMAND), ("RequestMix", mix_rows()),
                        ("Measured", MEASURED)):
        make_example._append(wb, sheet, rows)
    return wb


def main(argv: list[str] | None = None) -> int:
    return make_example.write_example(build, OUT, argv)


if __name__ == "__main__":
    sys.exit(main())
