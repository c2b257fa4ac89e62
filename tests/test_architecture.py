"""The shape of the code: layers import only downward, no cycles, one polib importer.

The import graph is computed from the sources with :mod:`ast`, counting imports inside
functions and the module names written in the two registries (the CLI's stage table and the
engine registry), which the code loads with :func:`importlib.import_module`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "localise"

LAYERS = {"cli": 4, "__main__": 4, "stages": 3, "project": 2, "config": 2, "model": 0,
          "errors": 0, "langs": 0, "": 0}
"""Layer of each top-level module (default 1, the libraries): cli → stages → project and
config → libraries → model, errors, language facts."""

LAZY_ALLOWED = {
    "rapidfuzz": "near matches, only when a translation memory has records to match",
    "defusedxml": "parses a TMX compendium, only in a project that has one",
    "xml": "likewise (the ElementTree errors defusedxml raises)",
    "ctranslate2": "heavy MT runtime, only when an argos engine translates",
    "sentencepiece": "tokeniser of argos packages, only when an argos engine translates",
    "argostranslate": "imports torch and stanza: only to find its folders or use the index",
    "tqdm": "progress bars, only on a terminal",
    "urllib": "the network, only for `models install --from-index`",
    "ctypes": "libunistring when the line-break tables are regenerated; prctl in worker "
              "processes; syncfs when a build commits its staged pages",
    "concurrent": "worker processes, only when a stage has enough jobs to use them",
    "shtab": "shell completion scripts, only for `localise completion`",
    "markdown": "Python-Markdown, only when an mkdocs article's emphasis is checked",
    "ray": "the optional cluster executor, only for `translate --executor ray`",
    "csv": "reads a glossary, only in a project that has one",
    "textwrap": "wraps a command's description, only when its help is shown",
    "shutil": "removes staging folders, only when a run writes (or finds a killed run's)",
    "tempfile": "temporary files beside the ones written, only when a run writes",
    "signal": "Ctrl-C and parent-death handling, only in worker processes",
    "decimal": "exchange rates, only for a [formatting.<lang>] currency policy",
    "babel": "CLDR data: for a language tag without a locale file of its own, a currency "
             "policy, formatting a value, or the plural rule of a new catalogue",
}
"""Third-party or rarely used modules a function may import lazily, and why."""

LAZY_LOCAL = {
    "localise.inline": "markdown-it's parsers: only to find an article's link reference "
                       "definitions, never on a warm run",
    "localise.segment": "Markdown segmentation (markdown-it, YAML, the dialects): only when an "
                        "article is segmented, never on a warm run",
    "localise.model": "units, documents and counts: only to segment an article or count its "
                      "catalogues, never on a warm run",
    "localise.project": "the CLI opens the project once the command line is parsed: --version, "
                        "--help and usage errors read no config",
    "localise.config": "likewise (and engine options for translate, the key name for init)",
    "localise.files": "likewise: the project lock, taken once the command line is parsed",
    "localise.sharding": "the CLI parses --shard K/N with it, only when given",
    "localise.choices": "the CLI parses --executor with it, only when given",
    "localise.checks": "translate loads the checks with the first draft it verifies: on a "
                       "first run after the engine has its sentences, not before its model",
    "localise.stages._checking": "likewise (the checks' context of an article)",
}
"""localise modules a function may import lazily, and why: what a warm run (nothing changed)
never needs, or what the CLI needs only once a command runs. They count in the import graph
like any other import (layers, cycles)."""

REGISTRY_RE = re.compile(r"""["'](localise(?:\.\w+)+):\w+["']""")
"""A ``"module:name"`` string: what the engine registry and the stage job tables load."""


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The localise module an imported name refers to (its package if not a module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module name, line, inside a function) for every import in the file."""
    tree = ast.parse(path.read_text("utf-8"))
    out: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue  # annotations only: never executed
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                out.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                out.append((child.module, child.lineno, in_function))
                out.extend((f"{child.module}.{alias.name}", child.lineno, in_function)
                           for alias in child.names)
            visit(child, nested)

    visit(tree, False)
    return out


def _registry_targets(path: Path) -> list[str]:
    """Modules named by ``"module:name"`` strings, and the CLI's ``STAGES`` table values."""
    text = path.read_text("utf-8")
    found = [match.group(1) for match in REGISTRY_RE.finditer(text)]
    for node in ast.walk(ast.parse(text)):
        if (isinstance(node, ast.AnnAssign | ast.Assign) and isinstance(node.value, ast.Dict)
                and "STAGES" in ast.unparse(node)[:20]):
            found += [v.value for v in node.value.values if isinstance(v, ast.Constant)]
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for imported, _, _ in _imports(path):
            target = _resolve(imported) if imported.startswith("localise") else None
            if target and target != name:
                graph[name].add(target)
        for loaded in _registry_targets(path):  # what the code loads with importlib
            target = _resolve(loaded)
            if target and target != name:
                graph[name].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a list of module names, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1] if len(parts) > 1 else "", 1)


def test_the_graph_is_read_from_the_real_sources() -> None:
    graph = _graph()
    assert "localise.stages.build" in graph["localise.cli"]  # through the stage registry
    assert "localise.engines.argos" in graph["localise.engines"]  # through the engine registry
    assert "localise.stages.jobs" in graph["localise.stages.update"]  # a job named by string
    assert "localise.catalogue" in graph["localise.stages.jobs"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycle_counting_imports_inside_functions() -> None:
    assert _cycle(_graph()) is None


def test_layers_import_only_downward() -> None:
    upward = [
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(module)
    ]
    assert upward == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_inside_functions_are_only_lazy_heavy_engines(module: str) -> None:
    lazy = [(name, line) for name, line, inside in _imports(MODULES[module]) if inside]
    internal = [f"line {line}: {name}" for name, line in lazy
                if name.startswith("localise") and _resolve(name) not in LAZY_LOCAL]
    assert internal == [], ("import localise modules at the top (registries use importlib), "
                            "or add the module to LAZY_LOCAL with a reason")
    other = [f"line {line}: {name}" for name, line in lazy
             if not name.startswith("localise") and name.split(".")[0] not in LAZY_ALLOWED]
    assert other == [], "import at the top, or add the module to LAZY_ALLOWED with a reason"


def test_every_lazy_local_module_is_imported_lazily() -> None:
    lazily = {_resolve(name) for path in MODULES.values()
              for name, _, inside in _imports(path) if inside and name.startswith("localise")}
    assert sorted(set(LAZY_LOCAL) - lazily) == [], "LAZY_LOCAL lists a module no one imports lazily"


def test_only_the_catalogue_module_imports_polib() -> None:
    importers = sorted(
        name for name, path in MODULES.items()
        if any(imported.split(".")[0] == "polib" for imported, _, _ in _imports(path))
    )
    assert importers == ["localise.catalogue"]
