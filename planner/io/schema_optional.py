"""The optional sheets about request-size mixes, what is already owned, site changes,
stacks, APIs, money and demand forecasts (Drivers, History).

Part of the schema (see :mod:`planner.io.schema`, which lists these after the others).
"""

from __future__ import annotations

from planner.io.schema_spec import SheetSpec
from planner.io.schema_spec import col as _c

#: Bucket edges (tokens) a CSV of request lengths is binned on when its workload has no
#: rows giving edges: Mélange's (Griggs et al. 2024) 25/100/250/.../2000 grid, extended
#: by doubling past 2000 until the longest request fits.
DEFAULT_LENGTH_EDGES = (25, 100, 250, 500, 1000, 2000)

REQUEST_MIX = SheetSpec(
    "RequestMix", False,
    "Request-size mixes (docs/workbook.md, Request mixes): a workload listed here is "
    "planned as one slice per bucket of request sizes, each served by whichever chip is "
    "cheapest for it. Either histogram rows (prompt_tokens_max, output_tokens_max and "
    "share_of_requests; the shares of a workload add up to 1), or one row naming a CSV of "
    "request lengths in lengths_csv that the planner bins itself: on the edges of that "
    "workload's other rows (prompt_tokens_max and output_tokens_max, share blank) or, "
    "with none, on the default edges "
    + "/".join(str(e) for e in DEFAULT_LENGTH_EDGES) + " doubled on as far as the "
    "longest request (Mélange's grid). A request of a bucket goes from just above its "
    "lower edge up to its upper edge. The workload's prompt_tokens and output_tokens "
    "become the mix's means (the Workloads cells may be blank).", [
        _c("workload", "", "name", True, doc="A workload of the Workloads sheet."),
        _c("prompt_tokens_max", "tokens per request", "positive",
           doc="Upper edge of the bucket's prompt (input) length.",
           blank="needed unless lengths_csv is given"),
        _c("output_tokens_max", "tokens per request", "positive",
           doc="Upper edge of the bucket's output length.",
           blank="needed unless lengths_csv is given"),
        _c("share_of_requests", "fraction of requests", "fraction",
           doc="Share of the workload's requests in the bucket (0.25 or 25%).",
           blank="needed on a histogram row; blank on an edges row of a lengths_csv "
                 "workload"),
        _c("prompt_tokens_min", "tokens per request", "number",
           doc="Lower edge of the bucket's prompt length (excluded).",
           blank="the next smaller prompt_tokens_max of the workload, else 0"),
        _c("output_tokens_min", "tokens per request", "number",
           doc="Lower edge of the bucket's output length (excluded).",
           blank="the next smaller output_tokens_max of the workload, else 0"),
        _c("prompt_tokens_mean", "tokens per request", "number",
           doc="Mean prompt length of the bucket's requests: the size its throughput is "
               "estimated at and its tokens counted with.",
           blank="prompt_tokens_max (as published profiles measure a bucket)"),
        _c("output_tokens_mean", "tokens per request", "positive",
           doc="Mean output length of the bucket's requests.",
           blank="output_tokens_max"),
        _c("lengths_csv", "", "text",
           doc="Path (relative to the workbook's folder) of a CSV of request lengths "
               "sampled from logs, one request per line, with a prompt column "
               "(prompt_tokens, input_tokens, prompt_len, input_len) and an output column "
               "(output_tokens, completion_tokens, output_len, generated_tokens); other "
               "columns are ignored. Each non-empty bucket becomes a slice with its share "
               "of the requests and their mean lengths.",
           blank="a histogram row"),
        _c("source", "", "text", doc="Where the mix comes from."),
    ])

FLEET = SheetSpec(
    "Fleet", False,
    "Chips already owned, one cohort per row: it serves from quarter_bought for the chip's "
    "lifetime_years (Chips sheet) unless sold. The chip must be on the Chips sheet for its "
    "lifetime and power, but its prices there may be blank. A quarter inside the plan "
    "means chips already ordered, delivered then.", [
        _c("chip", "", "name", True, doc="A chip of the Chips sheet."),
        _c("site", "", "name", True, doc="A site of the Sites sheet where the chips are."),
        _c("quantity", "chips", "count1", True, doc="Chips in the cohort."),
        _c("quarter_bought", "quarter", "quarter", True,
           doc="Quarter the chips were delivered (may be before the plan)."),
    ])

SITE_POWER = SheetSpec(
    "SitePower", False,
    "Changes over time to a site's power cap or electricity price, one row per site and "
    "quarter; quarters not listed keep the Sites sheet's values (a change does not carry "
    "on to later quarters).", [
        _c("site", "", "name", True, doc="A site of the Sites sheet."),
        _c("quarter", "quarter", "quarter", True, doc="A quarter of the plan."),
        _c("power_cap_kw", "kW", "number",
           doc="Facility power available that quarter (0 for a hall not yet open).",
           blank="the Sites value"),
        _c("electricity_usd_per_kwh", "USD per kWh", "number",
           doc="Electricity price that quarter.", blank="the Sites value"),
    ])

EXPANSIONS = SheetSpec(
    "Expansions", False,
    "Optional power expansions of a site, each built at most once if the plan chooses "
    "to: extra facility power from lead_time_quarters after the order, for a one-time "
    "cost.", [
        _c("site", "", "name", True, doc="A site of the Sites sheet."),
        _c("expansion", "", "name", True, doc="Name of the expansion (unique per site)."),
        _c("extra_kw", "kW", "positive", True, doc="Facility power added."),
        _c("cost_usd", "USD", "number", True, doc="One-time cost, paid when ordered."),
        _c("lead_time_quarters", "quarters", "count", default=0,
           doc="Quarters between ordering and the power being available."),
        _c("earliest_quarter", "quarter", "quarter",
           doc="First quarter it may be ordered.", blank="the first quarter of the plan"),
    ])

STACKS = SheetSpec(
    "Stacks", False,
    "Software stacks (the chips' catalog software_stack: CUDA, ROCm, XLA, Neuron, "
    "SynapseAI, ...) and the one-time cost of adopting one (porting, tooling, training). "
    "A stack not listed costs nothing to adopt; a stack of an owned chip (Fleet sheet) "
    "counts as adopted.", [
        _c("stack", "", "name", True, doc="Stack name, matched ignoring case."),
        _c("adoption_usd", "USD", "number",
           doc="One-time cost of adopting the stack, paid in the first quarter a chip "
               "on it is used.", blank="0, allowed only for an adopted stack",
           header_required=True),
        _c("adopted", "", "bool", default="no",
           doc="Whether the stack is already in use (then it costs nothing)."),
    ])

APIS = SheetSpec(
    "APIs", False,
    "Tokens bought from an inference API (for example GroqCloud, Cerebras Inference or "
    "SambaNova Cloud, which sell their chips' output as tokens). Any workload serving the "
    "offering's model may use it, up to its daily limit, if the offering's per-user output "
    "speed meets the workload's TPOT target (1000 / speed <= tpot_ms; no check when the "
    "speed is unknown). Name a catalog token offer (planner catalog lists them) in "
    "catalog_offer to take its model, published prices and speed; any column filled in "
    "overrides the catalog's.", [
        _c("offering", "", "name", True, doc="Name of the offering (provider and plan)."),
        _c("catalog_offer", "", "name",
           doc="A catalog token offer (e.g. cerebras/llama3.1-70b; `planner catalog` lists "
               "them) whose model, prices and per-user speed this row takes.",
           blank="none: the row gives its own model and price"),
        _c("model", "", "name",
           doc="Model served (catalog name or a model of the Models sheet).",
           blank="the catalog offer's (required without one)"),
        _c("usd_per_million_tokens", "USD per million tokens", "positive",
           doc="One price for a million tokens of any kind (prompt plus output, as Demand "
               "counts them); replaces the input and output prices.",
           blank="priced by the input and output prices"),
        _c("usd_per_million_input_tokens", "USD per million input tokens", "positive",
           doc="Price of a million prompt (input) tokens; a workload pays "
               "(input x prompt + output x output) / (prompt + output) per million tokens.",
           blank="the catalog offer's"),
        _c("usd_per_million_output_tokens", "USD per million output tokens", "positive",
           doc="Price of a million generated (output) tokens.", blank="the catalog offer's"),
        _c("output_tokens_per_s_per_user", "output tokens/s per user", "positive",
           doc="Output tokens per second one request streams at (the provider's published "
               "speed); the offering serves a workload only if 1000 / this <= its tpot_ms.",
           blank="the catalog offer's; no latency check if unknown"),
        _c("max_tokens_per_day", "tokens per day", "positive",
           doc="Most tokens per day the offering supplies, over all workloads (the catalog's "
               "published limits are for free and developer tiers and are not applied: put "
               "the contracted limit here).",
           blank="no limit"),
        _c("gco2e_per_million_tokens", "gCO2e per million tokens", "number",
           doc="Emissions of a million tokens (prompt plus output) bought from the "
               "offering, from the provider or an estimate.", blank="not counted"),
    ])

BUDGETS = SheetSpec(
    "Budgets", False,
    "Spending limits per calendar year, in nominal USD, and the year's tax rate and "
    "bonus-depreciation share where they differ from the Settings: capex is chip "
    "purchases and site "
    "expansions; opex is rentals, electricity, API tokens and stack adoption. For a year "
    "only partly in the plan the limit covers its quarters in the plan. Spending over a "
    "limit is allowed at a heavy penalty (docs/model.md, Budgets), so a tight budget shows "
    "what it costs instead of making the plan infeasible.", [
        _c("year", "", "year", True, doc="A calendar year of the plan."),
        _c("capex_usd", "USD", "number", doc="Capital spending limit.", blank="no limit"),
        _c("opex_usd", "USD", "number", doc="Operating spending limit.", blank="no limit"),
        _c("tax_rate", "fraction", "rate", doc="Corporate income tax rate in this year "
           "(a change of law); quarters after the plan keep the last year's rate.",
           blank="the tax_rate setting"),
        _c("bonus_depreciation_share", "fraction", "share",
           doc="Bonus-depreciation share for chips and expansions entering service this "
               "year (a phase-down).", blank="the bonus_depreciation_share setting"),
    ])

DRIVERS = SheetSpec(
    "Drivers", False,
    "Demand from drivers, one row per workload whose demand_method is drivers: tokens per "
    "day = active_users x requests_per_user_per_day x (prompt_tokens + output_tokens x "
    "reasoning_multiplier), with prompt and output tokens from the Workloads sheet. Each "
    "driver is its value in the plan's first quarter and grows by its own rate each "
    "quarter, compounded. Chips are sized for outputs of output_tokens x the multiplier "
    "averaged over the plan (docs/forecast.md).", [
        _c("workload", "", "name", True, doc="A workload of the Workloads sheet."),
        _c("active_users", "users", "positive", True,
           doc="Active users in the plan's first quarter."),
        _c("users_growth_per_quarter", "fraction per quarter", "number", True,
           doc="Growth of active users each quarter (0.15 = 15%)."),
        _c("requests_per_user_per_day", "requests per user per day", "positive", True,
           doc="Requests each active user makes per day, in the first quarter."),
        _c("requests_growth_per_quarter", "fraction per quarter", "number", True,
           doc="Growth of requests per user each quarter."),
        _c("reasoning_multiplier", "ratio", "ratio", True,
           doc="Output tokens per request / the Workloads sheet's output_tokens, in the "
               "first quarter (reasoning models think before they answer; 1 = none)."),
        _c("reasoning_growth_per_quarter", "fraction per quarter", "number", default=0,
           doc="Growth of the reasoning multiplier each quarter."),
    ])

HISTORY = SheetSpec(
    "History", False,
    "Monthly demand actually served, one row per workload (demand_method history) and "
    "month. The planner fits log-linear growth (with month-of-year seasonality from 24 "
    "months covering every month of the year), projects it onto the plan's quarters and "
    "plans for the median (P50); P10 and P90 are the low and high scenarios "
    "(docs/forecast.md). At least 6 months per workload.", [
        _c("workload", "", "name", True, doc="A workload of the Workloads sheet."),
        _c("month", "month", "text", True,
           doc="The month: text like 2025-07, or an Excel date (its month is used)."),
        _c("tokens_per_day", "tokens per day", "positive", True,
           doc="All tokens processed per day (prompt plus output), averaged over the "
               "month."),
    ])

CARBON = SheetSpec(
    "Carbon", False,
    "Grid carbon intensity of each site's electricity (docs/model.md, Emissions): one row "
    "per site with a blank quarter for every quarter, and rows with a quarter for the "
    "quarters that differ (a grid that decarbonises). Once the sheet is used every site "
    "needs an intensity for every quarter. Emissions of a site = facility energy (IT "
    "power x draw fraction x PUE x hours) x intensity.", [
        _c("site", "", "name", True, doc="A site of the Sites sheet."),
        _c("quarter", "quarter", "quarter", doc="The quarter the row is for.",
           blank="every quarter without a row of its own"),
        _c("grid_gco2e_per_kwh", "gCO2e per kWh", "number", True,
           doc="Location-based intensity: the grid's average emissions per kWh (EPA eGRID, "
               "EEA, Ember or IEA figures for the site's region)."),
        _c("market_gco2e_per_kwh", "gCO2e per kWh", "number",
           doc="Market-based factor: emissions per kWh after the site's contracts "
               "(renewable PPAs, certificates, the supplier's mix).",
           blank="grid x (1 - clean_energy_share)"),
        _c("clean_energy_share", "fraction", "fraction",
           doc="Share of the site's electricity covered by contracted zero-carbon supply; "
               "gives market_gco2e_per_kwh = grid_gco2e_per_kwh x (1 - share) when that is "
               "blank (give one or the other).", blank="0 (market = location)"),
        _c("source", "", "text", doc="Where the figures come from."),
    ])

#: In the order the template lays them out, after the Measured sheet.
OPTIONAL_SHEETS = [REQUEST_MIX, FLEET, SITE_POWER, EXPANSIONS, STACKS, APIS, BUDGETS, CARBON, DRIVERS,
                   HISTORY]


#: docs/workbook.md's sections on request mixes, demand in requests and serving profiles.
MIX_NOTES: list[str] = [
    "## Request mixes", "",
    ("A workload on the RequestMix sheet is planned as one internal workload per bucket "
     "(slice) of its request sizes, each with its own throughput per chip (measured or "
     "modelled), so the optimizer may serve short requests on one chip type and long ones "
     "on another (Mélange, Griggs et al. 2024). The report folds the slices back into the "
     "workload and lists them on the Slices sheet. A bucket holds requests with a prompt in "
     "(prompt_tokens_min, prompt_tokens_max] and an output in (output_tokens_min, "
     "output_tokens_max] tokens; a blank lower edge is the next smaller upper edge of the "
     "same workload (so a grid needs only its upper edges), else 0. Its representative "
     "request, at which its throughput is estimated and its tokens counted, is the typed "
     "means, else the upper edges (as published profiles measure a bucket). Buckets of a "
     "workload may not overlap; their shares of requests must add up to 1 within "
     "0.001 (and are then scaled to add up to exactly 1)."),
    "",
    ("The workload's prompt_tokens and output_tokens become the mix's means (the Workloads "
     "cells may be blank, and a typed value gives way), and its tokens per request are "
     "sum over buckets of share x (prompt + output). A slice's demand is its share of the "
     "workload's tokens, share x (prompt + output) / tokens per request. Drivers and "
     "History forecasts work for a mixed workload as for any other; a Drivers "
     "reasoning_multiplier must then be 1 with no growth, since the mix fixes the request "
     "sizes."),
    "",
    ("**Request lengths from logs.** A row with lengths_csv names a CSV file (relative to "
     "the workbook's folder) with one line per request and a prompt and an output column "
     "(any of the names in lengths_csv's meaning below). The planner bins it on the upper "
     "edges of the workload's other rows (prompt_tokens_max and output_tokens_max, share "
     "blank), or on the default edges " + "/".join(str(e) for e in DEFAULT_LENGTH_EDGES)
     + " tokens doubled on as far as the longest request. Each non-empty bucket becomes a "
     "slice with its share of the requests and the mean prompt and output of the requests "
     "in it; the mix's source says the file and how many requests it held. Bad cells are "
     "reported by file, line and column; a request past the largest given edge is a "
     "problem (add an edge)."),
    "",
    "## Demand in requests", "",
    ("Each Demand row gives one of tokens_per_day, requests_per_s and requests_per_day, "
     "and a workload uses one unit on all its rows. Requests become tokens per day at the "
     "workload's tokens per request: requests_per_s x 86,400 x tokens per request, or "
     "requests_per_day x tokens per request. The plan and the report count tokens per day "
     "(prompt plus output) throughout."),
    "",
    "## Serving profiles", "",
    ("A Measured row with profile_csv imports a serving profile as published, in the shape "
     "of Mélange's (`inputs/llama2-7b_profile.csv`, from litone01/melange-release): one line "
     "per GPU and bucket with gpu, input_tokens, output_tokens (the bucket's upper edges) "
     "and max_requests_per_s, the most requests per second one GPU sustains within the "
     "latency target it was measured under. Each line becomes a measurement for the row's "
     "model and precision. The profile's price column is ignored: prices are the Chips "
     "sheet's. GPU names are matched like chip names (A100-80GB is the catalog's A100 80GB "
     "SXM); a GPU that is not on the Chips sheet is skipped, since the plan cannot use it, "
     "and a name no chip matches is a problem naming the line. A blank or 0 "
     "max_requests_per_s, or a bucket with no line, means the GPU cannot serve that bucket: "
     "a profile row declares its GPUs' measurements complete unless its complete cell says "
     "no, so the optimizer does not serve those buckets on that GPU instead of estimating "
     "them with the performance model."),
    "",
]
