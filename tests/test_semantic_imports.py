"""The semantic model's data types and library knowledge import downward only.

Every import counts, also one inside a function or under ``TYPE_CHECKING``: a forward reference is an
import for the layers contract too.  Read from the source with ``ast`` so that the test sees exactly
what a reader of the module sees.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SEMANTIC = Path(__file__).resolve().parents[1] / "kerassniff" / "semantic"

# The model's plain data, bottom to top: each may import only those before it.
DATA_LAYERS = ["knowledge", "names", "pyvalues", "loops", "dataflow", "vocabulary", "layer_facts", "models", "keras_values", "values", "training", "architecture"]


def module_name(path: Path) -> str:
    parts = path.relative_to(SEMANTIC.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every kerassniff module ``path`` imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("kerassniff"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kerassniff"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)  # from package import module
    return found


def semantic_modules() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SEMANTIC.rglob("*.py"):
        graph[module_name(path)] = imports_of(path)
    known = set(graph)
    return {name: {target for target in targets if target in known} for name, targets in graph.items()}


def layer_of(module: str) -> str:
    """'kerassniff.semantic.knowledge.names' -> 'knowledge'; the package itself -> ''."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 else ""


def test_data_types_import_downward_only() -> None:
    graph = semantic_modules()
    for module, targets in graph.items():
        if layer_of(module) not in DATA_LAYERS:
            continue
        rank = DATA_LAYERS.index(layer_of(module))
        for target in targets:
            assert layer_of(target) in DATA_LAYERS[: rank + 1], f"{module} imports {target}, above it"


def test_knowledge_imports_nothing_of_kerassniff() -> None:
    for path in (SEMANTIC / "knowledge").glob("*.py"):
        assert imports_of(path) == set(), path.name


def test_library_handlers_never_import_the_interpreter() -> None:
    interpreter = {"kerassniff.semantic.builder"} | {
        f"kerassniff.semantic.{path.stem}" for path in SEMANTIC.glob("interpreter*.py")}
    handlers = [SEMANTIC / "effects.py", *(SEMANTIC / "library").glob("*.py")]
    for path in handlers:
        if path.exists():
            assert not imports_of(path) & interpreter, path.name


def test_no_import_cycle_among_semantic_modules() -> None:
    """No module of the model reaches itself through its imports (the package's ``__init__``, which gathers the
    public names, aside)."""
    graph = semantic_modules()
    top = {name for name in graph if layer_of(name) == ""}
    graph = {name: targets - top for name, targets in graph.items() if name not in top}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for target in graph.get(start, ()):
            if target == goal or (target not in seen and (seen.add(target) or reaches(target, goal, seen))):
                return True
        return False

    cyclic = sorted(name for name in graph if reaches(name, name, set()))
    assert cyclic == []


@pytest.mark.parametrize("layer", DATA_LAYERS)
def test_each_data_layer_exists(layer: str) -> None:
    assert (SEMANTIC / f"{layer}.py").exists() or (SEMANTIC / layer).is_dir()
