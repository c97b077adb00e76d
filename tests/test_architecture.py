"""The structure stays as docs/architecture.md draws it: layers, no cycles, no CLI in the library.

Imports are read from the source (grimp, as import-linter does), so an import inside a
function counts as much as one at the top of a module.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("agglomap", cache_dir=None)


def test_layering_contract_of_pyproject_is_kept(monkeypatch):
    """`lint-imports` with the contracts in pyproject.toml (the layers, and the library
    never importing the CLI) passes."""
    monkeypatch.chdir(REPO)
    assert lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True) == 0


def test_a_broken_layering_is_reported(tmp_path, monkeypatch):
    """The same check fails for layers that contradict the code (errors above the CLI):
    the contract test can fail."""
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "agglomap"\n\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "upside down"\ntype = "layers"\n'
        'layers = ["agglomap.errors", "agglomap.cli"]\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert lint_imports(config_filename=str(config), no_cache=True) == 1


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_counting_imports_inside_functions(graph):
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle(graph):
    graph.add_import(importer="agglomap.errors", imported="agglomap.names")  # names → errors
    try:
        assert any({"agglomap.errors", "agglomap.names"} <= set(c) for c in _cycles(graph))
    finally:
        graph.remove_import(importer="agglomap.errors", imported="agglomap.names")
    assert _cycles(graph) == []


def test_no_module_outside_the_cli_imports_it(graph):
    cli = {m for m in graph.modules if m == "agglomap.cli" or m.startswith("agglomap.cli.")}
    library = set(graph.modules) - cli - {"agglomap.__main__"}
    offenders = {
        (m, i) for m in library for i in graph.find_modules_directly_imported_by(m) if i in cli
    }
    assert offenders == set()


def test_import_agglomap_loads_no_heavy_library():
    """``import agglomap`` (and the CLI's parser) must not pull in the scientific stack;
    run in a fresh interpreter so the test suite's own imports do not count."""
    heavy = ("pandas", "geopandas", "numpy", "shapely", "folium", "matplotlib", "scipy")
    code = (
        "import sys, agglomap, agglomap.cli as cli\n"
        "cli.build_parser()\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == "[]", done.stdout
