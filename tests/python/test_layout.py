"""The package's layout stays readable: no import cycles in python/admsim, no module over 400 lines.

The import graph is read from the source with ``ast`` (nothing is imported), counting every
import that can run: at module level and inside functions (a cycle hidden in a function is still
a cycle). Imports under ``if TYPE_CHECKING:`` never run and are not edges: they only name types
for annotations. ``from .pkg import name`` is an edge to the submodule ``pkg.name`` where there is
one, else to ``pkg`` itself. The implicit import of a parent package's ``__init__`` is not an
edge (every submodule would have it).
"""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "python" / "admsim"
MAX_LINES = 400
# Modules allowed over MAX_LINES, each with the reason it cannot be split sensibly (none today).
LONG_MODULES: dict[str, str] = {}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["admsim", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _runnable(tree: ast.AST):
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            test = child.test if isinstance(child, ast.If) else None
            if test is not None and "TYPE_CHECKING" in ast.unparse(test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _runnable(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
    return {m for m in found if m in known and m != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    # The compiled extension (admsim._core, described by its .pyi stub) imports nothing of ours.
    known = set(modules) | {f"admsim.{p.stem}" for p in PACKAGE.glob("*.pyi")}
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
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
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_graph_reads_relative_and_function_level_imports():
    graph = _graph()
    assert "admsim.calibration.data" in graph["admsim.calibration.fit"]  # from .data import ...
    assert "admsim.profiles" in graph["admsim.scenario"]  # from . import profiles
    assert "admsim.plot" in graph["admsim.results"]  # inside Results.plot
    assert "admsim.results" not in graph["admsim.plot"]  # only under TYPE_CHECKING
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_no_long_modules():
    lines = {name: len(path.read_text(encoding="utf-8").splitlines())
             for name, path in _modules().items()}
    assert {n: c for n, c in lines.items() if c > MAX_LINES and n not in LONG_MODULES} == {}
    assert set(LONG_MODULES) <= set(lines), "an allowed long module no longer exists"
