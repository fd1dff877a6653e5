"""The import graph (built with grimp): layers import only downwards and no two modules
import each other, directly or round a longer circle.

Layers, lowest first (docs: README "How the code is laid out"):
    domain < common < io, perf, forecast < optimize < pipeline < report
           < scenarios, ledger < api < cli
(``common`` holds neutral helpers such as atomic writes: it imports only the domain's
errors, and every layer above may use it.)
io, perf and forecast sit side by side on one layer, as do scenarios and ledger; the
modules of one layer may not import each other except where ``SIBLINGS`` says so.
Imports inside functions and under ``TYPE_CHECKING`` count: they are imports too.
"""

from __future__ import annotations

import grimp
import pytest

CLI = ("planner.cli", "planner.cli_forecast", "planner.cli_ledger", "planner.cli_perf",
       "planner.cli_scenarios", "planner.cli_options", "planner.cli_catalog", "planner.cli_checks",
       "planner.cli_offers", "planner.runtime", "planner.__main__")
LAYERS = [CLI, ("planner.api", "planner.api_commands"), ("planner.scenarios", "planner.ledger"),
          ("planner.report",),
          ("planner.pipeline",), ("planner.optimize",),
          ("planner.io", "planner.perf", "planner.forecast"), ("planner.common",),
          ("planner.domain",)]
#: Imports allowed between packages of one layer (importer, imported): the reader fits
#: the demand forecasts while reading (planner.io.parse_forecast); planner.api re-exports
#: the other commands' functions.
SIBLINGS = {("planner.io", "planner.forecast"), ("planner.api", "planner.api_commands")}
#: Circles still to break, each listed so that no new one slips in (none: the offline
#: calibration's entry point, fit, runs and document are separate modules).
KNOWN_CYCLES: list[list[str]] = []


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("planner", cache_dir=None)


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def _layer_of() -> dict[str, int]:
    return {m: i for i, layer in enumerate(LAYERS) for m in layer}


def test_every_top_level_module_has_a_layer(graph):
    top = {_package(m) for m in graph.modules} - {"planner"}
    assert top - set(_layer_of()) == set()


def upward_imports(graph) -> list[str]:
    """Imports from a module to one on a higher layer, or across a layer without leave."""
    layer = _layer_of()
    bad = []
    for importer in sorted(graph.modules):
        src = _package(importer)
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            dst = _package(imported)
            if src == dst or src not in layer or dst not in layer:
                continue
            if layer[dst] < layer[src] or (layer[dst] == layer[src] and (src, dst) not in SIBLINGS
                                           and LAYERS[layer[src]] is not CLI):
                bad.append(f"{importer} -> {imported}")
    return bad


def test_no_layer_imports_a_higher_one(graph):
    assert upward_imports(graph) == []


def cycles(graph) -> list[list[str]]:
    """Strongly connected sets of two or more modules (Tarjan), each a circle of imports."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_between_modules(graph):
    assert cycles(graph) == KNOWN_CYCLES


def test_the_checks_catch_a_cycle_and_an_upward_import(graph):
    """The checks can fail: an import from the domain up to the CLI is both."""
    graph.add_import(importer="planner.domain.errors", imported="planner.cli",
                     line_number=1, line_contents="import planner.cli")
    try:
        assert "planner.domain.errors -> planner.cli" in upward_imports(graph)
        assert any("planner.domain.errors" in c and "planner.cli" in c for c in cycles(graph))
    finally:
        graph.remove_import(importer="planner.domain.errors", imported="planner.cli")
