"""Build inputs/example.xlsx: a realistic, cited three-year plan input.

Run from the repository root::

    python inputs/make_example.py            # writes inputs/example.xlsx
    python inputs/make_example.py out.xlsx   # or elsewhere

This script is the reviewable source of the example: every number below says where it
comes from.  The reference files are in /work/shared/reference (README.md,
accelerators.csv, market.csv, market.md); quotes give the row (topic, item, value).
"Assumption" marks a number with no row behind it.  Prices are the reference table's
2024-2026 figures, used unchanged for 2027-2029: a real plan would put in its own quotes.

The output is byte-for-byte deterministic (fixed timestamps inside the .xlsx), so
re-running the script leaves git clean unless a number changed.
"""

from __future__ import annotations

import io
import math
import re
import sys
import zipfile
from pathlib import Path

import numpy as np
from openpyxl.workbook.workbook import Workbook

from planner.common.atomic import atomic_path
from planner.io.schema import SETTINGS
from planner.io.template import HEADER_FILL, HEADER_FONT, new_workbook

OUT = Path(__file__).resolve().parent / "example.xlsx"
START_YEAR, QUARTERS = 2027, 12
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_XML_TIME = "2026-01-01T00:00:00Z"

# --- Settings ---------------------------------------------------------------------------
# (value, source) per setting; blank-valued settings keep the planner's default.
SETTING_VALUES: dict[str, tuple[object, str]] = {
    "start_quarter": ("2027Q1", "Plan window: three years from 2027Q1."),
    "quarters": (QUARTERS, "Three years."),
    "discount_rate_per_year": (0.08, "Assumption: a typical corporate cost of capital."),
    "pue": (1.3, (
        "market.md Power and facility: 'PUE 1.3 for a modern AI hall'; market.csv "
        "power_facility 'PUE of new large facilities', 1.3 or lower (Uptime 2024).")),
    "solver": ("highs", "HiGHS (highspy, a core dependency): the structured solve of docs/model.md "
                         "\"Solution method\"; cbc stays selectable."),
    "time_limit_s": (120, "Assumption: an upper limit; HiGHS proves this plan within its gap in seconds."),
    "mip_gap": (0.005, "Stop within 0.5% of the best bound: about one chip in two hundred."),
    "target_utilisation": (0.7, (
        "Judgement: market.md Utilization suggests 50-60% average for a managed inference "
        "fleet; capacity here is sized at peak demand (peak_to_average), where 70% of "
        "modelled peak leaves headroom for bursts. DeepSeek ran at 82% of peak nodes on "
        "average (market.csv utilization, 82).")),
    "server_power_overhead": (1.35, (
        "market.md Power and facility: 'server IT power = 1.35 x GPU TDP (non-GPU parts "
        "~25%; sources span 10-45%)'.")),
    "power_draw_fraction": (0.76, (
        "market.csv power_facility 'DGX H100 measured draw during intensive AI training, "
        "share of 10.2 kW rating', 76 % (Newkirk et al. 2025).")),
    "unmet_penalty_usd_per_million_tokens": (100, (
        "Assumption: far above what serving a million tokens costs, so unmet demand is a "
        "last resort.")),
    "unmet_training_penalty_usd_per_chip_hour": (50, (
        "Assumption: ten times or more the rental price of any chip offered.")),
    "budget_overrun_penalty_usd_per_usd": (10, (
        "Assumption: a dollar over a Budgets limit must save ten dollars elsewhere; still "
        "cheaper than leaving demand unmet at the price above.")),
    "cost_basis": (None, (
        "Default (annuity): owned chips charged their capital recovery per quarter in "
        "service, no end-of-horizon credit (docs/model.md, Cost basis).")),
    "hours_per_quarter": (None, "Default: 365.25 days / 4."),
    "allow_early_retirement": (None, "Default."),
    "hedge_first_stage_quarters": (None, "Default: a year of commitments shared by the "
                                         "scenarios of a hedged plan."),
    "software_maturity": (None, "Default: every chip's modelled throughput grows per quarter "
                                "with its family's software-maturity curve fitted to MLPerf "
                                "v4.0-v5.0 and published results (docs/calibration.md)."),
    "forecast_p10_probability": (None, (
        "Default 0.25: weight of the low forecast scenario (history forecasts at their "
        "P10); a simple three-point weighting, Swanson's rule would give 0.3/0.4/0.3.")),
    "forecast_p50_probability": (None, "Default 0.5: weight of the base forecast scenario (P50)."),
    "forecast_p90_probability": (None, "Default 0.25: weight of the high forecast scenario (P90)."),
    "carbon_price_usd_per_tco2e": (None, (
        "Blank: no internal carbon price in the base plan, so its cost of ownership is the "
        "plain TCO; planner sweep --param carbon_price shows what a price would change.")),
    "emissions_cap_tco2e": (None, "Blank: no emissions cap."),
    "emissions_basis": (None, (
        "Default (location): the grid's average intensity, the figure that does not "
        "depend on contracts (GHG Protocol Scope 2 reports both).")),
    "emissions_overrun_penalty_usd_per_tco2e": (None, (
        "Default $10,000 per tonne over a cap: about fifty times the carbon prices in use.")),
    "tax_rate": (0.21, (
        "US federal corporate income tax rate, 21% (26 U.S.C. 11(b), as amended by the Tax "
        "Cuts and Jobs Act of 2017). State income taxes are left out (they would add a few "
        "points); the plan is made after tax because a finance team decides after tax.")),
    "depreciation_method": (None, "Default (schedule): the depreciation_schedule below."),
    "depreciation_schedule": (None, (
        "Default: 5-year MACRS, 20/32/19.2/11.52/11.52/5.76 % (IRS Publication 946, Table "
        "A-1, half-year convention; computers and peripheral equipment are 5-year property, "
        "Table B-1 asset class 00.12).")),
    "declining_balance_factor": (None, "Default (used only by declining_balance)."),
    "bonus_depreciation_share": (None, (
        "Default 0: assumption, no bonus depreciation taken (26 U.S.C. 168(k) allows it and "
        "168(k)(7) lets a company elect out); set a share to see what it changes.")),
    "expansion_depreciation_years": (None, (
        "Default 15 years straight line: assumption (the MACRS class of qualified "
        "improvement property).")),
    "single_type_comparison": (None, (
        "Default auto: the plan is compared with single-chip-type plans when a workload "
        "has a request mix and two or more chip types may be bought or rented.")),
}

# --- Chips ------------------------------------------------------------------------------
# Purchase prices are all-in per accelerator, as the Chips sheet defines them: the GPU with
# its share of the server, of the cluster network and of installation.  A bare-GPU street
# price (accelerators.csv purchase_usd_per_chip_approx) leaves out about a third of that.
#   server:  market.md System price 'Default: $280k per 8x H100 server' (market.csv
#            system_price '8-GPU H100 server', 199000-317000: DGX list ~199k, SemiAnalysis
#            ~270k, HGX quote with InfiniBand ~317k) = $35,000 per H100, 1.27 x the H100's
#            $27,500 street price.  No sourced 8-GPU server price is in the references for
#            H200, B200, MI300X or L40S (market.md: 'that figure should be flagged as an
#            assumption'), so theirs is assumed to carry the same 1.27 server factor over
#            their street price.  Cross-check for Blackwell: a GB200 NVL72 rack at ~$3M
#            (market.csv system_price, 2000000-3100000) is ~$41.7k per GPU before network.
#   network: market.csv system_price 'Networking share of AI cluster cost': $13.8M switches
#            + $21.0M cables against $307M of nodes in a public 8,192-GPU H100 cluster model
#            (Aug 2024) = 11.3% of the server price (market.md: 'default 10-15%').
#   install: assumption, 2% of the server price (racking, cabling and commissioning labour).
H100_SERVER_USD, GPUS_PER_SERVER, H100_STREET_USD = 280_000, 8, 27_500
SERVER_FACTOR = H100_SERVER_USD / GPUS_PER_SERVER / H100_STREET_USD
NETWORK_SHARE = (13.8 + 21.0) / 307.0
INSTALL_SHARE = 0.02


def all_in(street_usd: float) -> float:
    """An accelerator's all-in purchase price from its street price, to the $100."""
    return round(street_usd * SERVER_FACTOR * (1 + NETWORK_SHARE + INSTALL_SHARE), -2)


def all_in_source(street: str) -> str:
    return (f"purchase all-in = {street} x {SERVER_FACTOR:.3f} server factor (market.md System "
            f"price, $280k per 8x H100 server) x (1 + {NETWORK_SHARE:.3f} network, market.csv "
            f"system_price 'Networking share' + {INSTALL_SHARE:.2f} installation, assumption)")


# Rent: accelerators.csv cloud_usd_per_chip_hour_approx, checked against market.md
# 'Rental price' defaults.  Lifetime: market.md Depreciation
# 'Default: 5 years straight-line'.  Lead times: market.md Lead time 'Default: 8-12 weeks
# for Hopper-class, 26-52 weeks for the newest generation' -> 1 quarter / 2 quarters.
LIFETIME = 5
HOPPER_LEAD, BLACKWELL_LEAD = 1, 2
# Reserved rentals.  The rent prices above are neocloud on-demand prices, and market.md
# Rental price says commitments take 'only 20-40% off at neoclouds' (market.csv
# rental_price 'Neocloud 1-year reserved H100 vs on-demand', 20-40: CoreWeave -20%, Lambda
# -38%): 0.30 on H100's $2.50 gives $1.75/h, inside market.csv 'H100 1-year contract rate'
# 1.70-2.35.  No neocloud 3-year figure is in the references; hyperscalers give 50-55% for 3
# years against 35-40% for 1 (market.md; AWS P5 41% and 56%, market.csv), about 15 points
# more, so 0.45 here (assumption).
RESERVED_1Y, RESERVED_3Y = 0.30, 0.45
# Resale: market.md Resale 'Default: 60% residual after 1 year, 40% after 2, 25-30% after 3'
# (low confidence); 35% a year compounded gives 65%, 42%, 27%.
RESALE_DECLINE = 0.35
# Hopper purchase prices drift down as Blackwell ramps: assumption, 2% a quarter (about 8%
# a year).  market.csv resale rows show the direction: 'Clean used H100 SXM after B200 ramp
# (from a $40k+ peak)', 22000-25000.
HOPPER_DECLINE = 0.02
TERMS = {"reserved_1y_discount": RESERVED_1Y, "reserved_3y_discount": RESERVED_3Y,
         "resale_decline_per_year": RESALE_DECLINE}
TERMS_SOURCE = ("; reserved 1y/3y discounts 0.30/0.45 (market.md Rental price: 20-40% off at "
                "neoclouds; 3-year an assumption) and resale decline 0.35/year (market.md "
                "Resale: ~60/40/25-30% residual after 1/2/3 years)")
DECLINE_SOURCE = "; purchase price -2%/quarter as Blackwell ramps: assumption"
DGX_KW_PER_GPU = 10.2 / 8  # market.csv power_facility 'DGX H100 maximum system power', 10.2 kW per 8-GPU system
CHIPS = [
    {"chip": "H100", "purchase_usd_per_chip": all_in(27500), "rent_usd_per_chip_hour": 2.5,
     "lifetime_years": LIFETIME, "power_kw_per_chip": DGX_KW_PER_GPU,
     "lead_time_quarters": HOPPER_LEAD, "price_decline_per_quarter": HOPPER_DECLINE, **TERMS,
     "source": all_in_source("accelerators.csv H100 SXM street 27500 ('~$25-30k')")
               + "; cloud 2.5/h (accelerators.csv); market.md 'H100 on-demand $2.5-3.0/h at "
               "GPU clouds'; power = DGX "
               "H100 10.2 kW / 8 GPUs (market.csv power_facility, NVIDIA user guide)"
               + DECLINE_SOURCE + TERMS_SOURCE},
    {"chip": "H200", "purchase_usd_per_chip": all_in(35000), "rent_usd_per_chip_hour": 3.5,
     "lifetime_years": LIFETIME, "power_kw_per_chip": DGX_KW_PER_GPU,
     "lead_time_quarters": HOPPER_LEAD, "price_decline_per_quarter": HOPPER_DECLINE, **TERMS,
     "source": all_in_source("accelerators.csv H200 SXM street 35000 ('~$35k'); server "
                             "factor: assumption, as H100")
               + "; cloud 3.5/h (accelerators.csv); market.md 'H200 ~$3-5'; power = DGX "
               "H100/H200 10.2 kW / 8 GPUs"
               + DECLINE_SOURCE + TERMS_SOURCE},
    {"chip": "B200", "purchase_usd_per_chip": all_in(40000), "rent_usd_per_chip_hour": 4.5,
     "lifetime_years": LIFETIME, "lead_time_quarters": BLACKWELL_LEAD,
     "available_from": "2027Q2", **TERMS,
     "source": all_in_source("accelerators.csv B200 street 40000 ('~$40k'); server factor: "
                             "assumption, as H100")
               + "; cloud 4.5/h (accelerators.csv); market.md 'B200 ~$4.5-6'; lead: market.csv lead_time 'B200 delivery lead "
               "time', 4-10 months; available from 2027Q2: assumption, a new buyer's first "
               "allocation (market.csv 'Blackwell new orders booked out', 12 months); "
               "power blank = 1000 W TDP x 1.35"
               + TERMS_SOURCE},
    {"chip": "MI300X", "purchase_usd_per_chip": all_in(15000), "rent_usd_per_chip_hour": 1.8,
     "lifetime_years": LIFETIME, "lead_time_quarters": HOPPER_LEAD, **TERMS,
     "source": all_in_source("accelerators.csv MI300X street 15000 (market.csv system_price "
                             "'MI300X GPU street price', 10000-15000, low confidence); server "
                             "factor: assumption, as H100 (no sourced MI300X server price)")
               + "; cloud 1.8/h ('cloud $1.71-1.85/h', accelerators.csv); lead time: "
               "assumption, as Hopper"
               + TERMS_SOURCE},
    {"chip": "L40S", "purchase_usd_per_chip": all_in(8000), "rent_usd_per_chip_hour": 1.0,
     "lifetime_years": LIFETIME, "lead_time_quarters": HOPPER_LEAD, **TERMS,
     "source": all_in_source("accelerators.csv L40S street 8000; server factor: assumption, "
                             "as H100")
               + "; cloud 1.0/h (accelerators.csv); lead time: assumption, as Hopper"
               + TERMS_SOURCE},
]

# Embodied emissions: Chien et al., 'Reducing the Carbon Impact of Generative AI Inference
# (today and in 2035)', HotCarbon '23, estimate 318 kgCO2e per A100 GPU including 1/8 of
# its 8-GPU server (CPUs, DRAM, SSD, packaging).  No published per-GPU figure with the
# server share is in hand for the chips offered here, so each takes the A100's:
# assumption (NVIDIA's HGX H100 and B200 product carbon footprints are summarised only as
# gCO2e per exaflop).  Rented chip-hours: assumption, derived as each chip's power x draw
# 0.76 x a hyperscale PUE of 1.2 (assumption) x the US average grid, 390 gCO2e/kWh (EIA,
# below), plus the embodied 318 kg over 5 years of hours.
EMBODIED_KG = 318.0
EMBODIED_SOURCE = ("; embodied 318 kgCO2e per GPU with 1/8 of its server: Chien et al., "
                   "HotCarbon '23, for the A100 (used for this chip: assumption)")
US_GRID_G_PER_KWH = 390.0  # EIA FAQ 74, 2022: 0.86 lb CO2 per kWh x 453.6 g/lb
CLOUD_PUE = 1.2  # assumption: a hyperscale cloud hall
_CHIP_KW = {"H100": DGX_KW_PER_GPU, "H200": DGX_KW_PER_GPU, "B200": 1.0 * 1.35,
            "MI300X": 0.75 * 1.35, "L40S": 0.35 * 1.35}  # accelerators.csv TDP x 1.35


def rent_kg_per_hour(chip: str) -> float:
    """kgCO2e of one rented chip-hour: energy at the US average grid plus embodied."""
    energy = _CHIP_KW[chip] * 0.76 * CLOUD_PUE * US_GRID_G_PER_KWH / 1e3
    return round(energy + EMBODIED_KG / (LIFETIME * 8766), 3)


for _row in CHIPS:
    _chip = str(_row["chip"])
    _row["embodied_kgco2e_per_chip"] = EMBODIED_KG
    _row["rent_kgco2e_per_chip_hour"] = rent_kg_per_hour(_chip)
    _row["source"] = str(_row["source"]) + EMBODIED_SOURCE + (
        f"; rented {rent_kg_per_hour(_chip)} kgCO2e per chip-hour: assumption, {_CHIP_KW[_chip]:.3f} kW "
        f"x 0.76 x PUE {CLOUD_PUE} x {US_GRID_G_PER_KWH:g} g/kWh (EIA 2022 US average) + "
        f"{EMBODIED_KG:g} kg / {LIFETIME:g} years")

# --- Sites ------------------------------------------------------------------------------
# Power caps are this (fictional) company's halls.  us-east is a colocation cage of the size
# market.csv prices ('Wholesale colocation asking rate, 250-500 kW requirement', CBRE H2
# 2024): 500 kW of facility power.  eu-west's 800 kW is an assumption.  With these caps the
# cheap US power runs out during the plan and the EU hall is needed too.
EUR_TO_USD = 1.10  # Assumption: exchange rate.
SITES = [
    {"site": "us-east", "power_cap_kw": 500, "electricity_usd_per_kwh": 0.0806,
     "source": "market.csv power_facility 'US industrial electricity average retail price', "
               "8.06 US cents per kWh (EIA 2023); PUE blank = the 1.3 setting (new build)"},
    {"site": "eu-west", "power_cap_kw": 800,
     "electricity_usd_per_kwh": round(0.20 * EUR_TO_USD, 3), "pue": 1.58,
     "source": "market.csv power_facility 'EU non-household electricity price excl. VAT', "
               "0.20 EUR per kWh (Eurostat H2 2023) x 1.10 USD/EUR; an older colocation "
               "hall at the industry average PUE 1.58 (market.csv 'Industry average PUE', "
               "Uptime 2023)"},
]

# --- Carbon -----------------------------------------------------------------------------
# Grid carbon intensity for each site's region, matching its electricity price's region:
# us-east pays the US industrial average (EIA), so it takes the US average intensity;
# eu-west pays the EU average (Eurostat), so it takes the EU-27 average.  Both are held
# flat over the plan (the references give no trend): conservative, since both grids are
# decarbonising.  eu-west's 50% clean-energy contract is an assumption (a PPA), which sets
# its market-based factor; us-east has none (market = location).
CARBON = [
    {"site": "us-east", "grid_gco2e_per_kwh": US_GRID_G_PER_KWH,
     "source": "EIA FAQ 'How much carbon dioxide is produced per kilowatthour of U.S. "
               "electricity generation?' (2022): 0.86 lb CO2 per kWh = 390 g/kWh, US "
               "average of utility-scale generation"},
    {"site": "eu-west", "grid_gco2e_per_kwh": 281.0, "clean_energy_share": 0.5,
     "source": "EEA indicator 'Greenhouse gas emission intensity of electricity "
               "generation' (ENER 038): EU-27 281 gCO2e/kWh in 2018 (EEA reports 2023 19% "
               "below 2022); clean_energy_share 0.5: assumption, a PPA covering half"},
]

# --- Workloads and demand ---------------------------------------------------------------
# Scale: Microsoft processed 100 trillion tokens in Jan-Mar 2025 (market.csv demand), about
# 1.1 trillion a day; DeepSeek served 776 billion tokens a day on ~227 H800 nodes (market.csv
# demand).  This company is a few percent of that: about 25 + 5 + 35 = 65 billion tokens a
# day in 2027Q1.  Growth is an assumption, well below the hyperscalers' (Microsoft 'up 5x
# y/y').  Each workload states its demand one way (demand_method, docs/forecast.md): chat
# directly per quarter (Demand sheet), the reasoning agent from users and requests (Drivers
# sheet), batch summarisation from two years of monthly history (History sheet).
WORKLOADS = [
    {"workload": "chat-assistant", "model": "llama-3.1-70b", "precision": "fp8",
     "prompt_tokens": 1000, "output_tokens": 300, "ttft_ms": 500, "tpot_ms": 50,
     "peak_to_average": 1.6, "demand_method": "direct",
     "source": "Interactive chat: latency targets close to MLPerf 'interactive' (450 ms / 40 "
               "ms, reference README); peak/average: assumption (daytime peak)"},
    {"workload": "reasoning-agent", "model": "deepseek-v3", "precision": "fp8",
     "prompt_tokens": 2000, "output_tokens": 1000, "ttft_ms": 2000, "tpot_ms": 100,
     "peak_to_average": 1.3, "demand_method": "drivers",
     "source": "Long-output reasoning (DeepSeek-R1 shares the V3 architecture); targets "
               "close to MLPerf 'server' (2 s TTFT, reference README); peak/average: "
               "assumption (agents run around the clock); output_tokens is the answer "
               "before reasoning, which the Drivers sheet multiplies (about 4.7x on "
               "average over the plan, so chips are sized for ~4,700 output tokens)"},
    {"workload": "batch-summarisation", "model": "llama-3.1-8b", "precision": "fp8",
     "prompt_tokens": 3000, "output_tokens": 300, "peak_to_average": 1.0,
     "demand_method": "history",
     "source": "Offline summarisation: long prompts, short outputs (like MLPerf GPT-J "
               "CNN/DailyMail, reference README); no latency targets, runs flat out"},
]
#: Direct workloads -> (tokens per day in the first quarter, growth per quarter); assumptions.
DEMAND = {
    "chat-assistant": (25e9, 0.12),
}
#: The reasoning agent's drivers in 2027Q1 (assumptions): 200k active users growing 18% a
#: quarter, 4 requests each a day growing 3%, and a reasoning model that writes 4x the
#: answer's tokens, 3% more each quarter as agents think longer.  2027Q1 demand is
#: 200k x 4 x (2,000 + 1,000 x 4) = 4.8 billion tokens a day.
DRIVERS = [
    {"workload": "reasoning-agent", "active_users": 200_000, "users_growth_per_quarter": 0.18,
     "requests_per_user_per_day": 4, "requests_growth_per_quarter": 0.03,
     "reasoning_multiplier": 4.0, "reasoning_growth_per_quarter": 0.03,
     "source": "Assumption: a product of a few hundred thousand users (ChatGPT has 800M "
               "weekly users, market.csv demand); reasoning multiplier: assumption"},
]
#: Batch summarisation's history: 24 months (2025-01 to 2026-12) of monthly average tokens
#: per day, synthetic: 10 billion a day in 2025-01 growing 5% a month (about 80% a year,
#: far below Google's 9.7T -> 480T tokens a month from May 2024 to May 2025, market.csv
#: demand), +-5% seasonality peaking in November, 3% noise from a fixed seed.
HISTORY_FIRST_YEAR, HISTORY_MONTHS = 2025, 24
HISTORY_LEVEL, HISTORY_GROWTH = 10e9, 0.05
HISTORY_SEASON, HISTORY_PEAK_MONTH, HISTORY_NOISE, HISTORY_SEED = 0.05, 11, 0.03, 2025
HISTORY_SOURCE = ("Synthetic (inputs/make_example.py): 5%/month growth, +-5% seasonality "
                  "peaking in November, 3% noise, seed 2025")

# --- Training ---------------------------------------------------------------------------
TRAINING = [
    {"run": "pretrain-8b", "model": "llama-3.1-8b", "tokens": 2e12, "precision": "bf16",
     "earliest_quarter": "2028Q1", "deadline_quarter": "2028Q2", "mfu": 0.40,
     "stacks": "CUDA",
     "source": "A 2T-token (continued) pre-training of an 8B model in the first half of "
               "year 2; MFU: market.md Utilization 'Default: 40% MFU for training' "
               "(Llama 3 405B 38-43%, market.csv utilization); CUDA only: assumption, "
               "the training code's fused kernels are written for CUDA"},
    {"run": "finetune-70b", "model": "llama-3.1-70b", "tokens": 1e11, "precision": "bf16",
     "earliest_quarter": "2028Q3", "deadline_quarter": "2028Q4",
     "source": "A 100B-token fine-tune of the chat model; MFU blank = the performance "
               "core's estimate"},
]

# --- Measured ---------------------------------------------------------------------------
# Left with its header only: the Mélange profile (reference melange/llama2-7b_profile.csv)
# measures Llama 2 7B at FP16 on vLLM, and no workload here serves that model.
MEASURED: list[dict[str, object]] = []

# --- Fleet ------------------------------------------------------------------------------
FLEET = [
    {"chip": "H100", "site": "us-east", "quantity": 64, "quarter_bought": "2025Q3",
     "source": "Assumption: the company's current cluster, 8 DGX H100 servers of 8 GPUs "
               "bought in 2025Q3; it draws 64 x 1.275 kW x PUE 1.3 = 106 kW of us-east's "
               "500 kW and serves until 2030Q2 (5-year life)"},
]

# --- SitePower --------------------------------------------------------------------------
# Left with its header only: the references give no trend for either site's power or
# price (market.csv: EU prices 'H2 2024 broadly stable').
SITE_POWER: list[dict[str, object]] = []

# --- Expansions -------------------------------------------------------------------------
# $2M ~ 400 kW x $184/kW-month (market.csv power_facility 'Wholesale colocation asking
# rate, 250-500 kW requirement', 184.06, CBRE H2 2024) x 27 months: the colocation lease of
# the added power over most of the plan, paid up front with the fit-out (assumption).
EXPANSIONS = [
    {"site": "eu-west", "expansion": "hall-b", "extra_kw": 400, "cost_usd": 2_000_000,
     "lead_time_quarters": 2,
     "source": "Assumption: a second 400 kW colocation hall at eu-west; cost ~ 400 kW x "
               "$184/kW-month (market.csv 'Wholesale colocation asking rate', CBRE H2 "
               "2024) x 27 months, paid up front with the fit-out; lead time: 2 quarters "
               "(assumption, fit-out and power contract)"},
]

# --- Stacks -----------------------------------------------------------------------------
STACKS = [
    {"stack": "CUDA", "adopted": "yes",
     "source": "In use: the company's H100s (Fleet sheet) run CUDA (accelerators.csv "
               "software_stack)"},
    {"stack": "ROCm", "adoption_usd": 250_000, "adopted": "no",
     "source": "Assumption: porting and validating the serving code for MI300X (ROCm in "
               "accelerators.csv), about two engineers for half a year"},
]

# --- APIs -------------------------------------------------------------------------------
# Published per-token prices for each workload's model (the references quote none).  The
# APIs sheet takes one price per million prompt+output tokens, so each is the provider's
# input and output prices blended at the workload's request shape:
# (P x input + O x output) / (P + O).  The planner may buy these tokens when they are
# cheaper than serving them, and the Summary sets each workload's cost beside them.
#: (offering, model, USD per million input tokens, per million output tokens, source)
API_PRICES = [
    ("DeepSeek API (deepseek-chat)", "deepseek-v3", 0.56, 1.68,
     ("api-docs.deepseek.com 'Models & Pricing' (from 5 Sep 2025): $0.56 per million input "
     "tokens (cache miss), $1.68 per million output tokens")),
    ("Llama 3.1 70B (aigateway.sh)", "llama-3.1-70b", 0.29, 0.60,
     ("aigateway.sh model page meta/llama-3.1-70b-instruct (2026): $0.29 input, $0.60 "
     "output per million tokens, pass-through price (low confidence: a reseller's page)")),
    ("Llama 3.1 8B (Amazon Bedrock)", "llama-3.1-8b", 0.22, 0.22,
     ("cloudprice.net Llama 3.1 8B Instruct provider table (2026): Amazon Bedrock "
     "meta.llama3-1-8b-instruct-v1:0, $0.22 input and output per million tokens")),
    ("Llama 3.1 8B (DeepInfra)", "llama-3.1-8b", 0.03, 0.05,
     ("cloudprice.net Llama 3.1 8B Instruct provider table (2026): DeepInfra, $0.03 input, "
     "$0.05 output per million tokens (the cheapest listed)")),
]


#: Emissions of API tokens: no provider publishes them, so each is an assumption: the
#: tokens served on H100s at 70% utilisation (the target_utilisation setting) on a
#: hyperscale hall (PUE 1.2) on the US average grid.  H100 prompt+output tokens/s per chip
#: from this planner's performance core (`planner throughput --chip H100 --precision fp8`
#: at each workload's request shape): llama-3.1-70b 1000/300 5,724; deepseek-v3 2000/1000
#: 2,859; llama-3.1-8b 3000/300 46,397.
H100_TOKENS_PER_S = {"llama-3.1-70b": 5724.0, "deepseek-v3": 2859.0, "llama-3.1-8b": 46397.0}


def api_g_per_million_tokens(model: str) -> float:
    """gCO2e per million prompt+output tokens served on H100 as H100_TOKENS_PER_S says."""
    hours = 1e6 / (H100_TOKENS_PER_S[model] * 0.7) / 3600
    return round(hours * DGX_KW_PER_GPU * 0.76 * CLOUD_PUE * US_GRID_G_PER_KWH, 1)


def api_rows() -> list[dict[str, object]]:
    """One APIs row per offering, its price blended at its workload's request shape (for
    the reasoning agent, the output length the planner serves: the answer x the mean
    reasoning multiplier of the Drivers sheet, planner.forecast)."""
    from planner.forecast import Drivers
    from planner.forecast.drivers import served_output_tokens

    shapes = {str(w["model"]): (float(w["prompt_tokens"]), float(w["output_tokens"]))
              for w in WORKLOADS}
    drivers = {str(d["workload"]): d for d in DRIVERS}
    for w in WORKLOADS:
        if w["workload"] in drivers:
            values = {k: float(v) for k, v in drivers[str(w["workload"])].items()
                      if k not in ("workload", "source")}
            shapes[str(w["model"])] = (float(w["prompt_tokens"]), served_output_tokens(
                Drivers(**values), float(w["output_tokens"]), QUARTERS))
    rows = []
    for name, model, usd_in, usd_out, source in API_PRICES:
        prompt, output = shapes[model]
        price = (prompt * usd_in + output * usd_out) / (prompt + output)
        grams = api_g_per_million_tokens(model)
        rows.append({"offering": name, "model": model,
                     "usd_per_million_tokens": round(price, 4),
                     "gco2e_per_million_tokens": grams,
                     "source": f"{source}; blended at {prompt:,.0f} prompt / {output:,.0f} "
                               f"output tokens: ({prompt:,.0f} x {usd_in} + {output:,.0f} x "
                               f"{usd_out}) / {prompt + output:,.0f} = {price:.4f}; "
                               f"{grams:g} gCO2e per million tokens: assumption, served on "
                               f"H100 at {H100_TOKENS_PER_S[model]:,.0f} tokens/s x 70%, "
                               f"PUE {CLOUD_PUE}, {US_GRID_G_PER_KWH:g} g/kWh"})
    return rows

# --- Budgets ----------------------------------------------------------------------------
# Assumption: the yearly envelope the board approves, set above what this plan spends each
# year when planned with the Budgets sheet emptied (all-in prices, 2027-2029, after tax:
# capex up to $10.6M and opex $5.38M in 2029), so these limits do not bind (all demand is
# met); they would stop a re-plan that front-loads spending.
BUDGET_SOURCE = ("Assumption: board-approved yearly envelope, above the capex and opex a "
                 "year the plan spends without limits (plan it with this sheet emptied)")
BUDGETS = [{"year": START_YEAR + i, "capex_usd": 14_000_000, "opex_usd": 6_000_000,
            "source": BUDGET_SOURCE} for i in range(QUARTERS // 4)]


# --- Scenarios --------------------------------------------------------------------------
# What-if cases for planner whatif and plan --hedge; probabilities are judgement.
SCENARIOS = [
    {"scenario": "base", "probability": 0.4,
     "source": "The workbook as it is, weighted as the most likely case."},
    {"scenario": "fast-growth", "parameter": "demand_growth", "operation": "multiply",
     "value": 0.05, "probability": 0.15,
     "source": "5% a quarter more growth on every workload (chat 12% -> 17.6% a quarter), "
               "still below Microsoft's 'up 5x y/y' token growth (market.csv demand)"},
    {"scenario": "rent-spike", "parameter": "rent_price", "operation": "multiply",
     "value": 3.2, "probability": 0.1,
     "source": "Every rental price x 3.2, the H100's jump from $2.5/h to $8/h"},
    {"scenario": "rent-spike", "parameter": "rent_price", "selector": "H100",
     "operation": "set", "value": 8,
     "source": "market.csv rental_price 'H100 rental at 2023 scarcity peak', 8-12 USD per "
               "GPU-hour (Latent Space, Oct 2024)"},
    {"scenario": "power-late", "parameter": "power_cap_kw",
     "selector": "us-east, 2027Q1..2027Q4", "operation": "multiply", "value": 0.5,
     "probability": 0.1,
     "source": "Half of us-east's 500 kW arrives a year late (assumption: utility "
               "interconnection delays)"},
    {"scenario": "b200-slips", "parameter": "available_from", "selector": "B200",
     "operation": "add", "value": 2, "probability": 0.15,
     "source": "B200 orders open two quarters later; market.csv lead_time 'Blackwell "
               "(B100/B200/GB200) new orders booked out', 12 months (Morgan Stanley, Oct 2024)"},
    {"scenario": "power-price", "parameter": "electricity_price", "operation": "multiply",
     "value": 1.5, "probability": 0.1,
     "source": "Electricity 50% dearer at every site; the EU's spread runs from 0.089 to "
               "0.276 EUR/kWh (market.csv power_facility, Eurostat H2 2023)"},
]


def quarter(i: int) -> str:
    return f"{START_YEAR + i // 4}Q{i % 4 + 1}"


def demand_rows() -> list[dict[str, object]]:
    """One row per direct workload and quarter, each workload's quarters in order."""
    rows = []
    for name, (start, growth) in DEMAND.items():
        for i in range(QUARTERS):
            tokens = round(start * (1 + growth) ** i, -6)  # to the million tokens
            rows.append({"workload": name, "quarter": quarter(i), "tokens_per_day": tokens})
    return rows


def history_rows() -> list[dict[str, object]]:
    """Batch summarisation's monthly history, to the million tokens per day."""
    noise = np.random.default_rng(HISTORY_SEED).normal(0.0, HISTORY_NOISE, HISTORY_MONTHS)
    rows = []
    for i in range(HISTORY_MONTHS):
        month = i % 12 + 1
        season = HISTORY_SEASON * math.cos(2 * math.pi * (month - HISTORY_PEAK_MONTH) / 12)
        tokens = HISTORY_LEVEL * (1 + HISTORY_GROWTH) ** i * math.exp(season + noise[i])
        rows.append({"workload": "batch-summarisation",
                     "month": f"{HISTORY_FIRST_YEAR + i // 12}-{month:02d}",
                     "tokens_per_day": round(tokens, -6), "source": HISTORY_SOURCE})
    return rows


def planned_demand() -> dict[str, tuple[float, ...]]:
    """Each workload's tokens per day per quarter as the planner computes them from the
    Demand, Drivers and History rows above (planner.forecast; the P50 for history)."""
    from planner.domain.periods import Quarter, horizon
    from planner.forecast import Drivers, History, demand_path, forecast_history
    from planner.forecast.months import parse_month

    periods = horizon(Quarter(START_YEAR, 1), QUARTERS)
    out = {name: tuple(float(r["tokens_per_day"]) for r in demand_rows()
                       if r["workload"] == name) for name in DEMAND}
    shapes = {w["workload"]: w for w in WORKLOADS}
    for row in DRIVERS:
        values = {k: float(v) for k, v in row.items() if k not in ("workload", "source")}
        w = shapes[str(row["workload"])]
        out[str(row["workload"])] = demand_path(
            Drivers(**values), float(w["prompt_tokens"]), float(w["output_tokens"]),
            QUARTERS).tokens_per_day
    history = History.of([(parse_month(r["month"]), float(r["tokens_per_day"]))
                          for r in history_rows()])
    out["batch-summarisation"] = forecast_history(history, periods).quarterly.p50
    return out


#: Columns shown with thousands separators (token counts read badly as 2E+12).
THOUSANDS = ("tokens_per_day", "tokens", "purchase_usd_per_chip", "power_cap_kw", "cost_usd",
             "adoption_usd", "capex_usd", "opex_usd")


def _append(wb: Workbook, sheet: str, rows: list[dict[str, object]]) -> None:
    """Write ``rows`` below the header; a key not in the header becomes a new column
    (the reader ignores it: here, the 'source' column citing each row)."""
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    for values in rows:
        r = ws.max_row + 1
        for key, value in values.items():
            if key not in header:
                header.append(key)
                cell = ws.cell(row=1, column=len(header), value=key)
                cell.font, cell.fill = HEADER_FONT, HEADER_FILL
                ws.column_dimensions[cell.column_letter].width = 60
            cell = ws.cell(row=r, column=header.index(key) + 1, value=value)
            if key in THOUSANDS:
                cell.number_format = "#,##0"


def _fill_settings(wb: Workbook) -> None:
    ws = wb["Settings"]
    names = [s.name for s in SETTINGS]
    for row in ws.iter_rows(min_row=2, max_row=len(names) + 1):
        value, source = SETTING_VALUES[row[0].value]
        if value is not None:  # else keep the template's default
            row[1].value = value
        row[3].value = f"{row[3].value} Source: {source}"


def build() -> Workbook:
    wb = new_workbook()
    _fill_settings(wb)
    _append(wb, "Chips", CHIPS)
    _append(wb, "Sites", SITES)
    _append(wb, "Workloads", WORKLOADS)
    _append(wb, "Demand", demand_rows())
    _append(wb, "Drivers", DRIVERS)
    _append(wb, "History", history_rows())
    _append(wb, "Training", TRAINING)
    _append(wb, "Measured", MEASURED)
    _append(wb, "Scenarios", SCENARIOS)
    _append(wb, "Fleet", FLEET)
    _append(wb, "SitePower", SITE_POWER)
    _append(wb, "Expansions", EXPANSIONS)
    _append(wb, "Stacks", STACKS)
    _append(wb, "APIs", api_rows())
    _append(wb, "Budgets", BUDGETS)
    _append(wb, "Carbon", CARBON)
    return wb


def deterministic_bytes(wb: Workbook) -> bytes:
    """The saved workbook with fixed timestamps, so the same input gives the same bytes."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", FIXED_XML_TIME.encode(), data)
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_example(build_workbook, default: Path, argv: list[str] | None = None) -> int:
    """Build a workbook and write it, byte for byte the same every time, to the path in
    ``argv`` (default: the command line) or ``default``: every example script's main."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else default
    data = deterministic_bytes(build_workbook())
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    print(f"wrote {target}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return write_example(build, OUT, argv)


if __name__ == "__main__":
    sys.exit(main())
