import csv
from pathlib import Path

import pytest

from planner.domain import PlannerError
from planner.domain.hardware import SALE_MODES
from planner.perf.catalog import DATA_DIR, chip_family, get_chip, get_model, load_chips, load_models

REFERENCE_CHIPS = [
    "A100 80GB SXM", "H100 SXM", "H200 SXM", "B200", "GB200 (NVL72 GPU)", "L40S", "MI300X",
    "MI325X", "MI355X", "Gaudi 2", "Gaudi 3", "TPU v5e", "TPU v5p", "TPU v6e (Trillium)",
    "Inferentia2", "Trainium2", "Groq LPU", "Ascend 910C", "Cerebras CS-3 (WSE-3)",
    "SambaNova SN40L", "Tenstorrent Blackhole p150b", "Tenstorrent Wormhole n300 (card)",
    "MTIA v2", "Edge TPU",
]
#: Variants of reference chips that MLPerf submissions ran on (calibration points).
MLPERF_VARIANTS = ["H100 PCIe", "H100 NVL", "H200 NVL", "GH200 144GB", "GH200 96GB"]
#: The GPUs of the Melange serving profile (reference melange/llama2-7b_profile.csv) that
#: the reference accelerators.csv lacks.
PROFILE_GPUS = ["L4", "A10G"]


def test_every_reference_chip_is_in_the_catalog():
    chips = load_chips()
    assert sorted(chips) == sorted(REFERENCE_CHIPS + MLPERF_VARIANTS + PROFILE_GPUS)


@pytest.mark.parametrize("alias,name", [
    ("H100", "H100 SXM"), ("h100", "H100 SXM"), ("MI300X", "MI300X"), ("GB200", "GB200 (NVL72 GPU)"),
    ("A100", "A100 80GB SXM"), ("TPU v5e", "TPU v5e"), ("tpu-v5e", "TPU v5e"), ("Gaudi3", "Gaudi 3"),
    ("gaudi2", "Gaudi 2"), ("Trillium", "TPU v6e (Trillium)"), ("groq", "Groq LPU"),
    ("h100 sxm", "H100 SXM"),
])
def test_chip_aliases(alias, name):
    assert get_chip(alias).name == name


def test_every_chip_row_is_complete_and_sourced():
    with open(DATA_DIR / "chips.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        assert None not in row, row["name"]
        assert row["confidence"] in ("high", "medium", "low"), row["name"]
        assert row["sources"].strip(), row["name"]
        assert row["modelable"] in ("yes", "no"), row["name"]
    for chip in load_chips().values():
        assert chip.purchasable in SALE_MODES
        assert chip.peak_tflops, chip.name


def test_thin_spec_chips_are_not_modelable_and_say_why():
    for name in ("Groq LPU", "Cerebras CS-3 (WSE-3)", "SambaNova SN40L", "Edge TPU"):
        chip = get_chip(name)
        assert not chip.modelable
        assert len(chip.note) > 20
    assert get_chip("H100").modelable


def test_sale_modes_travel_in_the_spec():
    assert get_chip("TPU v5p").purchasable == "cloud-only"
    assert get_chip("Groq").purchasable == "api-only"
    assert get_chip("MTIA v2").purchasable == "internal"
    assert get_chip("Edge TPU").purchasable == "edge-device"


def test_chip_figures_match_reference_values():
    h100 = get_chip("H100")
    assert h100.peak_tflops == {"bf16": 989.4, "fp8": 1979.0, "int8": 1979.0}
    assert (h100.memory_gb, h100.memory_bw_tbs, h100.tdp_w) == (80, 3.35, 700)
    assert (h100.scaleup_domain_chips, h100.scaleup_gbs_per_chip) == (8, 900)
    l40s = get_chip("L40S")
    assert l40s.scaleup_domain_chips == 1 and l40s.scaleup_gbs_per_chip == 64
    assert "fp4" in get_chip("B200").peak_tflops and "fp4" not in h100.peak_tflops


REQUIRED_MODELS = ["llama-2-70b", "llama-2-7b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b",
                   "mixtral-8x7b", "gpt-j-6b", "deepseek-v3"]


def test_required_models_present_with_sources():
    models = load_models()
    for name in REQUIRED_MODELS:
        m = models[name]
        assert m.source and m.layers > 0 and m.hidden_size > 0 and m.head_dim > 0
        assert m.active_params_b <= m.params_b


@pytest.mark.parametrize("alias", ["llama2-70b", "llama-2-70b-99", "Llama-2-70B", "llama2-70b-99.9"])
def test_model_aliases(alias):
    assert get_model(alias).name == "llama-2-70b"


def test_deepseek_v3_architecture():
    m = get_model("deepseek-v3")
    assert (m.params_b, m.active_params_b, m.layers) == (671, 37, 61)
    assert (m.attention, m.kv_lora_rank, m.rope_head_dim) == ("mla", 512, 64)
    assert (m.experts, m.active_experts) == (256, 8)
    assert m.kv_values_per_token() == 61 * 576


def test_mixtral_is_moe_and_llama_dense():
    assert get_model("mixtral").is_moe and get_model("mixtral").active_experts == 2
    assert not get_model("llama-3.1-70b").is_moe


def test_unknown_names_raise_planner_error_listing_known():
    with pytest.raises(PlannerError, match="H100 SXM"):
        get_chip("H900")
    with pytest.raises(PlannerError, match="llama-2-70b"):
        get_model("gpt-5")


def test_loaders_return_fresh_dicts():
    chips = load_chips()
    chips.pop("H100 SXM")
    assert "H100 SXM" in load_chips()


def test_families():
    assert chip_family(get_chip("H200")) == "nvidia-hopper"
    assert chip_family("B200") == "nvidia-blackwell"
    assert chip_family("MI300X") == "amd-cdna3"
    assert chip_family("unknown-chip") == "default"


def test_catalog_does_not_read_shared_reference():
    for path in Path(DATA_DIR.parent / "perf").glob("*.py"):
        assert "shared/reference" not in path.read_text(), path


@pytest.mark.parametrize("typed,name", [
    ("Nvidia H100", "H100 SXM"), ("NVIDIA B200 HGX", "B200"), ("AMD Instinct MI300X", "MI300X"),
    ("nvidia h200 sxm", "H200 SXM"), ("GB200 NVL72", "GB200 (NVL72 GPU)"), ("Google TPU v6e", "TPU v6e (Trillium)")])
def test_chip_names_people_type_resolve(typed, name):
    assert get_chip(typed).name == name


def test_unknown_chip_gets_a_suggestion():
    with pytest.raises(PlannerError, match="did you mean H200 SXM"):
        get_chip("Nvidia H20")


@pytest.mark.parametrize("name,alias", [
    ("gpt-oss-120b", "gpt-oss"), ("gpt-oss-20b", "openai/gpt-oss-20b"),
    ("qwen3-235b-a22b", "Qwen3-235B"), ("qwen3-32b", "Qwen/Qwen3-32B"), ("llama-3.3-70b", "llama3.3-70b"),
    ("llama-4-scout", "Llama-4-Scout-17B-16E-Instruct"), ("llama-4-maverick", "llama4-maverick"),
    ("deepseek-r1", "DeepSeek-R1-0528")])
def test_new_models_and_aliases(name, alias):
    m = get_model(alias)
    assert m.name == name and "config.json" in m.source and m.active_params_b <= m.params_b


def test_deepseek_r1_is_the_v3_architecture():
    r1, v3 = get_model("deepseek-r1"), get_model("deepseek-v3")
    fields = ("params_b", "active_params_b", "layers", "hidden_size", "experts", "active_experts",
              "kv_lora_rank", "rope_head_dim", "moe_layers", "mtp_layers")
    assert all(getattr(r1, f) == getattr(v3, f) for f in fields)
