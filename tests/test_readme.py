"""README.md stays true: its first code block and its copy of the workbook schema."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _sync_module():
    spec = importlib.util.spec_from_file_location("sync_readme", REPO / "scripts" / "sync_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_workbook_section_matches_the_schema():
    sync = _sync_module()
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert sync.START in text, "run python scripts/sync_readme.py"
    assert sync.synced(text) == text, "README's workbook section is stale: run python scripts/sync_readme.py"


def test_readme_opens_with_install_and_test_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("```", 2)[1].splitlines()[1:]
    commands = [line for line in block if line.strip()]
    assert len(commands) == 2
    assert "planner plan inputs/example.xlsx" in commands[0]
    assert commands[1].rstrip().endswith("pytest")


def test_command_outputs_in_readme_and_docs_are_generated():
    """Every ``<!-- output: planner ... -->`` block holds what the command prints now, so no
    figure in them is typed by hand or stale."""
    sync = _sync_module()
    for path in sync.OUTPUT_FILES:
        text = path.read_text(encoding="utf-8")
        assert sync.OUTPUT_BLOCK.search(text), path
        assert sync.synced_outputs(text) == text, (
            f"{path.name}: a command's output is stale: run python scripts/sync_readme.py")


def test_walkthrough_blocks_are_the_generators():
    """The walk-throughs' figures come from ``scripts/sync_readme.py --walkthrough`` (which
    plans the examples, too slow for a test); here: the blocks are found and their commands
    are the mix example's plan, then the plan, re-plan and history the text describes."""
    sync = _sync_module()
    blocks = list(sync.WALKTHROUGH.finditer((REPO / "README.md").read_text(encoding="utf-8")))
    assert len(blocks) == 2, "README lost a walk-through block"
    mix, replan = (sync.walkthrough_commands(b.group("body")) for b in blocks)
    assert mix == ["planner plan inputs/mix-example.xlsx --quiet --no-ledger"]
    assert replan[:3] == ["planner plan inputs/example.xlsx --quiet",
                          "planner replan inputs/example-2027Q2.xlsx --as-of 2027Q2 --quiet",
                          "planner history"]
