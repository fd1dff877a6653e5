import math
import re
from pathlib import Path

import numpy as np
import pytest

from planner.domain.errors import PlannerError
from planner.perf import calibration_fit as cal
from planner.perf.calibration_data import load_points
from planner.perf.efficiency import (
    DEFAULT_STACK,
    STACKS,
    calibrated_families,
    canonical_stack,
    efficiency_for,
    workload_efficiency,
)
from planner.perf.fit import nelder_mead
from planner.perf.maturity import decimal_year, factor, saturating_years

DOC = Path(__file__).resolve().parents[1] / "docs" / "calibration.md"


def test_points_resolve_to_catalog_and_cite_a_dated_source():
    rows = load_points()
    mlperf = [r for r in rows if r.kind == "mlperf"]
    published = [r for r in rows if r.kind == "published"]
    assert len(mlperf) == 96 and len(published) >= 40
    assert {r.round for r in mlperf} == {"v4.0", "v4.1", "v5.0"}  # never v5.1 or later
    assert all(r.source and r.measured > 0 and 2023 < r.year < 2027 for r in rows)
    assert {"nvidia-ampere", "google-tpu", "amd-cdna3", "nvidia-hopper"} <= {r.family for r in rows}
    assert [r.beams for r in rows if r.model == "gpt-j-6b"] == [4] * 21


def test_calibration_csv_has_every_family_and_stack_with_sane_values():
    table = calibrated_families()
    assert {"default", "nvidia-hopper", "nvidia-ampere", "amd-cdna3", "google-tpu"} <= set(table)
    for fam in table:
        for stack in STACKS:
            e = efficiency_for(fam, stack)
            assert 0.1 < e.compute <= 0.95 and 0.2 <= e.memory <= 0.95 and e.stack == stack
            assert 0.0 <= e.software_gain_per_year <= cal.MAX_RATE_PER_YEAR
    assert efficiency_for("unknown-family") == efficiency_for("default", DEFAULT_STACK)


def test_tuned_submissions_beat_the_default_stack_on_amd_by_far_more_than_on_nvidia():
    """The AMD factor was fitted to tuned MLPerf runs; vLLM results put MI300X far lower."""
    amd = efficiency_for("amd-cdna3", "mlperf").compute / efficiency_for("amd-cdna3", "vllm").compute
    nv = efficiency_for("nvidia-hopper", "mlperf").compute / efficiency_for("nvidia-hopper", "vllm").compute
    assert amd > 1.5 and 1.0 < nv < 1.5


def test_stack_names_resolve():
    assert canonical_stack("TensorRT-LLM") == "trt-llm"
    assert canonical_stack("SGLang") == "sglang"
    assert canonical_stack("") == DEFAULT_STACK
    with pytest.raises(PlannerError, match="unknown serving stack 'triton'"):
        canonical_stack("triton")


def _doc_points():
    out = {}
    for line in DOC.read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 6 and cells[2] in STACKS and cells[4].endswith("%"):
            out[cells[0]] = (float(cells[3].replace(",", "")), float(cells[4].rstrip("%")))
    return out


def test_doc_matches_the_shipped_calibration_in_sample():
    """The doc's in-sample error of a point equals the model run at the shipped efficiency
    times the maturity factor to the point's date."""
    doc = _doc_points()
    rows = load_points()
    assert len(doc) == len([r for r in rows if r.label in doc]) >= 140
    for r in rows[::12]:
        classes = cal.row_classes(r)
        eff = workload_efficiency(r.family, r.chip, "moe" in classes, r.beams, r.stack,
                                  "finemoe" in classes,
                                  "openmoe" in classes or r.stack not in ("vllm", "sglang"),
                                  "w4moe" in classes)
        eff = eff.scaled(factor(eff.software_gain_per_year, r.year, eff.as_of_year))
        modelled = cal.predict(r, eff)
        measured, err = doc[r.label]
        assert measured == pytest.approx(r.measured, abs=0.5)
        # the fit interpolates each point on a grid of F 7 % apart: within 3 points
        assert (modelled / r.measured - 1) * 100 == pytest.approx(err, abs=3.0), r.label


def _table(title: str) -> dict[str, tuple[int, float]]:
    text = DOC.read_text().split(f"| {title} | points |", 1)[1].split("\n\n", 1)[0]
    out = {}
    for line in text.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        out[cells[0]] = (int(cells[1]), float(cells[3].rstrip("%")))
    return out


def test_doc_reports_leave_one_out_within_the_issue_targets():
    summary = re.search(r"\| leave-one-out \| (\d+) \| ([\d.]+)% \|", DOC.read_text())
    assert summary and int(summary.group(1)) >= 140 and float(summary.group(2)) <= 10.0
    for title in ("Family", "Model"):
        for name, (n, med) in _table(title).items():
            if n >= 3:
                assert med <= 20.0, (title, name, med)


def test_doc_reports_the_maturity_forecast_check():
    text = DOC.read_text()
    grown = re.search(r"\| with the maturity curve \| (\d+) \| ([\d.]+)% \|", text)
    frozen = re.search(r"\| frozen at v4.1 \| (\d+) \| ([\d.]+)% \|", text)
    assert grown and frozen and int(grown.group(1)) == 32


def test_maturity_curve_known_answer_and_cap():
    """r = 0.25/yr, tau = 1.5 yr, 1.5 years on: g = 0.25 x 1.5 x (1 - e^-1) = 0.23704,
    factor e^0.23704 = 1.2675; never above the cap e^(0.25 x 1.5) = 1.4550."""
    t0 = decimal_year("2025-01-01")
    assert factor(0.25, t0 + 1.5, t0) == pytest.approx(1.2675, abs=1e-4)
    assert factor(0.25, t0 + 50, t0) == pytest.approx(math.exp(0.375), rel=1e-6)
    assert factor(0.25, t0, t0) == 1.0 and factor(0.25, t0 - 1, t0) < 1.0
    assert saturating_years(t0 + 1, t0) < saturating_years(t0 + 2, t0) < 1.5


def test_gauss_newton_recovers_a_known_linear_factor():
    """Curves log(pred/measured) = z - c_i (prediction proportional to F): with a level
    and one 0/1 column and no ridge, theta solves c exactly: level = 0.2, col = 0.3."""
    c = np.array([0.2, 0.2, 0.5, 0.5])
    lg = np.log(cal.GRID)
    curves = lg[None, :] - c[:, None]
    X = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    d = cal.Design(["level", "x"], X, np.zeros(2), 2025.0)
    theta = cal.fit(curves, d)
    assert theta == pytest.approx([0.2, 0.3], abs=1e-6)


def test_nelder_mead_finds_minimum():
    x, v = nelder_mead(lambda p: (p[0] - 1.5) ** 2 + 3 * (p[1] + 0.5) ** 2, [0.0, 0.0])
    assert x[0] == pytest.approx(1.5, abs=1e-3) and x[1] == pytest.approx(-0.5, abs=1e-3)
    assert v < 1e-6


def test_gauss_newton_recovers_a_known_routed_expert_factor():
    """Surfaces log(pred/measured) = zf + w_i·zg − c_i (a dense point, w = 0, does not
    depend on the routed factor G; a MoE point's routed half does, w = 0.5).  Columns
    level (log F) and class:moe (log G): the dense points give level = c = 0.2; the MoE
    points then need 0.2 + 0.5·zg = 0.3, so class:moe = 0.2.  Bilinear interpolation is
    exact on these planes, so the fit recovers both."""
    lf, lg = np.log(cal.GRID), np.log(cal.ROUTED_GRID)
    c = np.array([0.2, 0.2, 0.3, 0.3])
    w = np.array([0.0, 0.0, 0.5, 0.5])
    curves = lf[None, :, None] + w[:, None, None] * lg[None, None, :] - c[:, None, None]
    X = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    d = cal.Design(["level", "class:moe"], X, np.zeros(2), 2025.0)
    theta = cal.fit(curves, d)
    assert theta == pytest.approx([0.2, 0.2], abs=1e-6)
    zf, zg = cal.split(d, theta)
    assert zf == pytest.approx([0.2] * 4) and zg == pytest.approx([0, 0, 0.2, 0.2])


def test_nvidia_open_engines_are_pinned_to_tensorrt_llm_by_the_same_machine_ratio():
    """NVIDIA vLLM and SGLang points take TensorRT-LLM's terms plus log(1850/2100) and
    log(1920/2100) (Spheron, one H100), so their fine-grained-MoE gap lands on
    class:openmoe; AMD's vLLM keeps its own fitted terms."""
    assert cal.pinned_stack("nvidia-hopper", "vllm") == ("trt-llm", pytest.approx(math.log(1850 / 2100)))
    assert cal.pinned_stack("nvidia-blackwell", "sglang") == ("trt-llm", pytest.approx(math.log(1920 / 2100)))
    assert cal.pinned_stack("amd-cdna3", "vllm") == ("vllm", 0.0)
    r = next(r for r in load_points() if r.model == "deepseek-r1" and r.stack == "sglang")
    assert cal.row_classes(r) == ("moe", "finemoe", "openmoe")
