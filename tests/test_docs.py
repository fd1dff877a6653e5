"""The README documents the CLI (as sqlite-utils' test_docs.py does): every subcommand has
a row in the README's command table and every option of it appears in a row that names
the command, so a new flag cannot ship undocumented."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from planner.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands() -> dict[str, argparse.ArgumentParser]:
    """Every ``planner`` subcommand and its parser."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def long_options(parser: argparse.ArgumentParser) -> list[str]:
    return [o for a in parser._actions for o in a.option_strings
            if o.startswith("--") and o != "--help"]


def command_rows(readme: str, name: str) -> list[str]:
    """Rows of the README's command table that name ``planner NAME`` in code."""
    table = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    pattern = re.compile(r"`planner " + re.escape(name) + r"[ `]")
    return [line for line in table.splitlines() if line.startswith("|") and pattern.search(line)]


def undocumented(readme: str) -> list[str]:
    """``planner NAME`` for a command without a row, ``planner NAME --opt`` for an option
    that no row naming its command mentions."""
    out = []
    for name, parser in commands().items():
        rows = command_rows(readme, name)
        if not rows:
            out.append(f"planner {name}")
            continue
        out += [f"planner {name} {o}" for o in long_options(parser)
                if not any(re.search(re.escape(o) + r"(?![\w-])", r) for r in rows)]
    return out


def test_every_command_and_option_is_in_the_readme():
    assert undocumented(README) == []


def test_the_cli_has_the_commands_the_readme_table_lists():
    """The table lists nothing the CLI lacks either."""
    table = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `planner ([a-z-]+)", table, flags=re.MULTILINE))
    assert listed == set(commands())


@pytest.mark.parametrize("name", ["whatif", "replan", "train-time"])
def test_a_command_removed_from_the_readme_is_reported(name):
    rows = command_rows(README, name)
    assert rows
    cut = README
    for row in rows:
        cut = cut.replace(row + "\n", "")
    assert f"planner {name}" in undocumented(cut)


def test_an_option_removed_from_the_readme_is_reported():
    cut = README.replace("[--scheduler ADDRESS]", "")
    assert {"planner whatif --scheduler", "planner sweep --scheduler"} <= set(undocumented(cut))


OPTIMIZE = Path(__file__).resolve().parents[1] / "planner" / "optimize"
MODEL_DOC = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text(encoding="utf-8")

#: Each constraint family (a ``define_*`` function of planner/optimize) and a test that
#: exercises it, as ``file::test``.
FAMILY_TESTS = {
    "fleet_balance": "test_optimize_features.py::test_existing_fleet_serves_without_capital",
    "retirement_limit": "test_optimize_features.py::test_idle_chips_are_sold_at_their_anniversary",
    "power_cap": "test_optimize.py::test_power_cap_respected_and_rentals_fill_the_gap",
    "site_space": "test_optimize_fleet.py::test_site_space_caps_the_chips_a_site_holds",
    "supply_cap": "test_optimize_features.py::test_supply_cap_limits_purchases_per_quarter",
    "expansion_once": "test_optimize_features.py::test_power_expansion_built_when_it_pays",
    "demand_balance": "test_optimize.py::test_unmet_demand_is_priced_not_infeasible",
    "chip_capacity": "test_optimize.py::test_known_answer_two_chips_two_quarters",
    "training_placement": "test_optimize_features.py::test_training_gang_is_never_split",
    "training_choice": "test_optimize_features.py::test_training_without_room_is_priced_as_undone",
    "api_cap": "test_optimize_features.py::test_api_offer_serves_up_to_its_cap",
    "stack_adoption": "test_optimize_features.py::test_stack_adoption_is_paid_once",
    "budgets": "test_optimize_features.py::test_capex_budget_shifts_buying_to_renting",
    "emissions_cap": "test_optimize_emissions.py::test_a_binding_cap_reports_its_shadow_price_equal_to_the_marginal_abatement_cost",
    "fixed_decisions": "test_optimize_fixing.py::test_fixed_past_purchases_are_kept_and_the_rest_reoptimised",
    "whole_units": "test_optimize_units.py::test_order_units_force_buying_a_whole_server",
    "nonanticipativity": "test_optimize_stochastic.py::test_first_stage_is_shared_and_later_decisions_differ",
    "cvar": "test_optimize_stochastic.py::test_cvar_weight_never_lowers_the_worst_case_less_than_expected_only",
}


def families_in_code() -> set[str]:
    """Every ``define_*`` of planner/optimize but ``define_variables``."""
    found = set()
    for path in OPTIMIZE.glob("*.py"):
        found |= set(re.findall(r"^def define_(\w+)\(", path.read_text(encoding="utf-8"), re.MULTILINE))
    return found - {"variables"}


def test_every_constraint_family_is_in_the_model_doc_and_has_a_test():
    families = families_in_code()
    assert families == set(FAMILY_TESTS)
    assert sorted(f for f in families if f"`define_{f}`" not in MODEL_DOC) == []
    for family, where in FAMILY_TESTS.items():
        file, test = where.split("::")
        source = (Path(__file__).parent / file).read_text(encoding="utf-8")
        assert f"def {test}(" in source, (family, where)


def test_the_registry_holds_the_families_the_model_defines():
    """planner.optimize.model.Rows registers every row under its family: the model built
    for the two-chip instance holds exactly the families with rows there."""
    from optimize_fixtures import two_chip_instance

    from planner.optimize.model import build_model
    from planner.optimize.parameters import prepare
    from planner.optimize.solver import constraint_items

    inp, throughput = two_chip_instance()
    model = build_model(prepare(inp, throughput))
    assert set(model.rows) <= families_in_code()
    assert {"fleet_balance", "power_cap", "demand_balance", "chip_capacity"} <= set(model.rows)
    assert model.rows["power_cap"] == {("S", 0): "power_0_0", ("S", 1): "power_0_1"}
    names = {name for rows in model.rows.values() for name in rows.values()}
    assert names == {name for name, _ in constraint_items(model.prob)}
