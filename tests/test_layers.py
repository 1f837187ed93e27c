"""The import graph of weaklabel, read from the source with ``ast`` (nothing is imported): acyclic and layered.

Every module belongs to the layer of the longest prefix below that names it; a module may import modules of its
own layer or lower ones, never higher. Function-level imports count as much as top-level ones (they run too);
imports under ``if TYPE_CHECKING:`` do not (they never run). A new module inside an existing package needs no
entry here; a new top-level package or module does, and the test says so.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: low → high; each layer may import itself and the layers before it
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundations", ("weaklabel.exceptions", "weaklabel._version", "weaklabel.catalogue")),
    ("process: files written safely; device, seeds, ranks", ("weaklabel.fileio", "weaklabel.runtime")),
    ("data: readers, labels, sources, neighbours, distances; the shipped data sets", ("weaklabel.data", "weaklabel.datasets")),
    ("networks, metrics, the model format, losses", ("weaklabel.nn", "weaklabel.metrics", "weaklabel.persistence", "weaklabel.losses")),
    ("the training loop; figures", ("weaklabel.training", "weaklabel.plots")),
    ("algorithms, peer methods; report writing", ("weaklabel.algorithms", "weaklabel.peers", "weaklabel.report")),
    ("estimators", ("weaklabel.estimators",)),
    ("command-line tasks", ("weaklabel.tasks",)),
    ("demo scenarios, benchmark suites", ("weaklabel.report.demo", "weaklabel.report.scenarios", "weaklabel.bench")),
    ("entry points: the command line and the package root", ("weaklabel.cli", "weaklabel.cli_args", "weaklabel.__main__", "weaklabel")),
]


def _modules() -> dict[str, Path]:
    """Every module's dotted name (a package by its own name) and file."""
    out = {}
    for path in (SRC / "weaklabel").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def layer_of(module: str) -> int:
    """The layer of the longest matching prefix (``weaklabel`` itself only as the package root)."""
    best, depth = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            exact_root = prefix == "weaklabel" and module == "weaklabel"
            if (exact_root or (prefix != "weaklabel" and (module == prefix or module.startswith(prefix + ".")))) and len(prefix) > depth:
                best, depth = index, len(prefix)
    if best is None:
        raise AssertionError(f"{module} is in no layer; add its package to LAYERS in {Path(__file__).name}")
    return best


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except those under ``if TYPE_CHECKING:``."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def imports_of(module: str) -> set[str]:
    """The weaklabel modules ``module`` imports (``from pkg import name`` counts as ``pkg.name`` when that is a module)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            source = ".".join(base + ([node.module] if node.module else []))
            names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source for alias in node.names]
        targets.update(name for name in names if name == "weaklabel" or name.startswith("weaklabel."))
    targets.discard(module)
    return targets


GRAPH = {module: imports_of(module) for module in MODULES}


def test_every_import_names_a_module_of_the_package():
    unknown = sorted((m, t) for m, ts in GRAPH.items() for t in ts if t not in MODULES)
    assert not unknown, f"imports of modules that do not exist: {unknown}"


def test_no_module_imports_a_higher_layer():
    upward = sorted(
        f"{module} (layer {LAYERS[layer_of(module)][0]!r}) imports {target} (layer {LAYERS[layer_of(target)][0]!r})"
        for module, targets in GRAPH.items()
        for target in targets
        if layer_of(target) > layer_of(module)
    )
    assert not upward, "imports from a lower layer into a higher one:\n" + "\n".join(upward)


def test_the_import_graph_has_no_cycle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target] if target in path else [module, target]
            if target not in state:
                cycle = visit(target, path + [target])
                if cycle:
                    return cycle
        state[module] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state:
            cycle = visit(module, [module])
            assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from ..losses import Loss\n", "weaklabel.losses"),
        ("from ..runtime import distributed\n", "weaklabel.runtime.distributed"),
        ("def f():\n    from ..training import Trainer\n", "weaklabel.training"),
    ],
)
def test_the_reader_sees_relative_and_function_level_imports(tmp_path, monkeypatch, source, expected):
    """The checks above can fail: a relative import, a submodule named in ``from pkg import mod``, and an import
    inside a function are all edges."""
    path = tmp_path / "probe.py"
    path.write_text(source)
    monkeypatch.setitem(MODULES, "weaklabel.estimators.probe", path)
    assert imports_of("weaklabel.estimators.probe") == {expected}


def test_type_checking_imports_are_not_edges(tmp_path, monkeypatch):
    path = tmp_path / "probe.py"
    path.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..cli import main\n")
    monkeypatch.setitem(MODULES, "weaklabel.losses.probe", path)
    assert imports_of("weaklabel.losses.probe") == set()


def test_an_upward_import_is_named(monkeypatch):
    monkeypatch.setitem(GRAPH, "weaklabel.losses.multilabel", GRAPH["weaklabel.losses.multilabel"] | {"weaklabel.training.engine"})
    with pytest.raises(AssertionError, match=r"weaklabel.losses.multilabel .* imports weaklabel.training.engine"):
        test_no_module_imports_a_higher_layer()


def test_a_cycle_is_named(monkeypatch):
    monkeypatch.setitem(GRAPH, "weaklabel.exceptions", GRAPH["weaklabel.exceptions"] | {"weaklabel.fileio"})
    with pytest.raises(AssertionError, match=r"import cycle: .*weaklabel.exceptions.*weaklabel.fileio"):
        test_the_import_graph_has_no_cycle()
