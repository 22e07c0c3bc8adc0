"""The house rules of DESIGN.md §2 as a checker: which package may import what, and no import circles.

`check(root)` parses every module under a package directory with `ast` (nothing is imported or run),
collects every import — module level, inside functions and classes, under `if TYPE_CHECKING:`,
relative ones resolved to absolute names — and returns one human-readable line per broken rule.

Names in the rule tables are relative to the checked package: `"platforms.x"` means
`socialbot.platforms.x` and everything below it; `"__init__"` means the bare package (`socialbot`
itself, which holds only the version). A rule about a package the tree does not have never fires.

How import circles are counted (kept simple on purpose):
- The graph has one node per module (a package is its `__init__`) and one edge per import statement,
  pointing at the module the statement names: `import a.b` and `from a.b import name` point at
  `a.b`; `from a import b` points at `a.b` when `a/b.py` (or `a/b/`) exists, else at `a` itself.
- Importing `a.b` also runs `a/__init__` first, but that implicit step is NOT an edge. So a package
  `__init__` re-exporting from its submodules is fine, and so is a submodule importing a sibling
  (`from . import sibling`); it is a circle only when the submodule takes a name from the package
  itself (`from . import helper` where `helper` is defined in `__init__`), or any other true loop.
- Imports inside functions count like any other: a circle hidden in a function is still a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

# --- the rules, as a spec ------------------------------------------------------------------------

#: Third-party libraries that mean I/O (network, database, terminal, files, scheduling); `domain` is pure.
DOMAIN_FORBIDDEN_LIBRARIES: frozenset[str] = frozenset(
    {
        "sqlmodel",
        "sqlalchemy",
        "alembic",
        "tweepy",
        "praw",
        "prawcore",
        "requests",
        "httpx",
        "click",
        "rich",
        "apscheduler",
        "procrastinate",
        "psycopg",
        "yaml",
        "starlette",
        "fastapi",
    }
)

#: Each of these libraries may be imported only inside the listed packages (and their submodules).
LIBRARY_OWNERS: Mapping[str, tuple[str, ...]] = {
    "tweepy": ("platforms.x",),
    "praw": ("platforms.reddit",),
    "prawcore": ("platforms.reddit",),
    "sqlmodel": ("storage",),
    "sqlalchemy": ("storage",),
    "alembic": ("storage",),
    "apscheduler": ("run", "cli"),
    "click": ("cli",),
}

#: Allow-lists: modules in the package on the left may import, of ours, only these packages.
#: Anything else of ours (a layer above, a sibling adapter layer, a package added later) is a violation.
MAY_IMPORT_ONLY: Mapping[str, tuple[str, ...]] = {
    "domain": ("domain", "errors"),
    "spec": ("spec", "domain", "errors", "settings", "__init__"),
    "platforms": ("platforms", "domain", "errors", "settings", "__init__"),
    "storage": ("storage", "domain", "errors", "settings", "__init__"),
}

#: Deny-lists: modules in the package on the left must not import these packages of ours.
MUST_NOT_IMPORT: Mapping[str, tuple[str, ...]] = {
    "app": ("run", "cli", "report", "web"),
    "report": ("cli", "run", "web"),
}

#: Packages of ours that only the listed packages/modules may import.
ONLY_IMPORTED_BY: Mapping[str, tuple[str, ...]] = {
    "cli": ("cli", "__main__"),
}

#: Directory names whose modules are not checked (Alembic migrations are generated, framework-shaped code).
SKIPPED_DIRECTORIES: frozenset[str] = frozenset({"migrations"})

#: DESIGN.md: "Modules stay small (split past ~400 lines)".
MAX_MODULE_LINES = 400

#: The only modules allowed loose at the top of the package; everything else lives in a package (a room).
TOP_LEVEL_MODULES: frozenset[str] = frozenset({"__init__", "__main__", "errors", "settings"})


# --- what is read from the source ----------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One import edge: `importer` (a module of ours) names `target` at `line` of `path`."""

    importer: str
    target: str
    path: str
    line: int
    function: str | None = None  # the enclosing function, when the import is not at module level

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def describe(self) -> str:
        inside = f" (inside {self.function}())" if self.function else ""
        return f"{self.where}: {self.importer} imports {self.target}{inside}"


def iter_module_files(root: Path) -> Iterator[Path]:
    """Every `*.py` file under `root`, sorted, outside the skipped directories."""
    for path in sorted(root.rglob("*.py")):
        if not SKIPPED_DIRECTORIES.intersection(path.relative_to(root).parts[:-1]):
            yield path


def module_name(path: Path, root: Path, package: str) -> str:
    """`root/a/b.py` → `package.a.b`; `root/a/__init__.py` → `package.a`."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def is_within(name: str, prefix: str) -> bool:
    """True when dotted `name` is `prefix` or below it (`a.b.c` is within `a.b`, `a.bc` is not)."""
    return name == prefix or name.startswith(prefix + ".")


def resolve_relative(module: str, *, is_package: bool, level: int, target: str | None) -> str | None:
    """The absolute name `from <level dots><target> import …` means inside `module`, or None if it climbs out."""
    if level == 0:
        return target
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, target] if target else base)


def collect_imports(
    source: str, *, module: str, is_package: bool, path: str, known_modules: frozenset[str] = frozenset()
) -> list[Import]:
    """Every import in `source` (any depth), with relative names resolved and submodule names preferred.

    Raises SyntaxError when `source` does not parse, and ValueError for a relative import that climbs
    above the top-level package.
    """
    tree = ast.parse(source, filename=path)
    found: list[Import] = []

    def visit(node: ast.AST, function: str | None) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(module, alias.name, path, node.lineno, function))
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(module, is_package=is_package, level=node.level, target=node.module)
            if base is None:
                raise ValueError(f"{path}:{node.lineno}: relative import climbs above the top-level package")
            targets = dict.fromkeys(
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known_modules else base for alias in node.names
            )
            found.extend(Import(module, target, path, node.lineno, function) for target in targets)
        inner = node.name if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else function
        if isinstance(node, ast.Lambda):
            inner = function or "<lambda>"
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, None)
    return found


# --- the rules, as code --------------------------------------------------------------------------


def layer_of(name: str, package: str) -> str | None:
    """The first name below `package` (`socialbot.storage.db` → `storage`), `__init__` for the bare package."""
    if name == package:
        return "__init__"
    if is_within(name, package):
        return name[len(package) + 1 :].split(".")[0]
    return None


def _owned_by(name: str, owners: Iterable[str], package: str) -> bool:
    return any(name == package if owner == "__init__" else is_within(name, f"{package}.{owner}") for owner in owners)


def rule_violations(imp: Import, package: str) -> list[str]:
    """The house rules one import breaks (empty when it breaks none)."""
    problems: list[str] = []
    importer_layer = layer_of(imp.importer, package)
    target_layer = layer_of(imp.target, package)
    if target_layer is None:  # a third-party or standard library
        library = imp.target.split(".")[0]
        if importer_layer == "domain" and library in DOMAIN_FORBIDDEN_LIBRARIES:
            problems.append(f"{imp.describe()}: domain is pure and must not import the I/O library {library}")
        owners = LIBRARY_OWNERS.get(library)
        if owners and not _owned_by(imp.importer, owners, package):
            allowed = " and ".join(f"{package}.{owner}" for owner in owners)
            problems.append(f"{imp.describe()}: only {allowed} may import {library}")
        return problems
    allowed_targets = MAY_IMPORT_ONLY.get(importer_layer or "")
    if allowed_targets is not None and target_layer not in allowed_targets:
        listed = ", ".join(allowed_targets)
        problems.append(
            f"{imp.describe()}: {package}.{importer_layer} may import only {listed} of {package}, not {target_layer}"
        )
    if target_layer in MUST_NOT_IMPORT.get(importer_layer or "", ()):
        problems.append(f"{imp.describe()}: {package}.{importer_layer} must not import {package}.{target_layer}")
    importers = ONLY_IMPORTED_BY.get(target_layer)
    if importers and not _owned_by(imp.importer, importers, package):
        allowed = " and ".join(f"{package}.{name}" for name in importers)
        problems.append(f"{imp.describe()}: nothing but {allowed} may import {package}.{target_layer}")
    return problems


def strongly_connected_components(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the graph's strongly connected components, each sorted, in a stable order."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                connect(successor)
                lowlink[node] = min(lowlink[node], lowlink[successor])
            elif successor in on_stack:
                lowlink[node] = min(lowlink[node], index[successor])
        if lowlink[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(components)


def shortest_cycle(start: str, members: set[str], graph: Mapping[str, Iterable[str]]) -> list[str]:
    """A shortest path start → … → start staying inside `members` (a strongly connected component)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for successor in sorted(graph.get(node, ())):
                if successor not in members:
                    continue
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if successor not in previous:
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    return [start]


def cycle_violations(imports: Iterable[Import], known_modules: frozenset[str]) -> list[str]:
    """One line per import circle (a strongly connected component of more than one module)."""
    evidence: dict[tuple[str, str], Import] = {}
    for imp in imports:
        target = imp.target
        while target and target not in known_modules:
            target = target.rpartition(".")[0]
        if target and target != imp.importer:
            edge = (imp.importer, target)
            # Prefer module-level evidence: it is the edge that bites at import time.
            if edge not in evidence or (evidence[edge].function and not imp.function):
                evidence[edge] = imp
    graph: dict[str, set[str]] = {module: set() for module in known_modules}
    for importer, target in evidence:
        graph[importer].add(target)
    problems = []
    for component in strongly_connected_components(graph):
        if len(component) < 2:
            continue
        cycle = shortest_cycle(component[0], set(component), graph)
        steps = "; ".join(evidence[(a, b)].describe() for a, b in pairwise(cycle))
        others = sorted(set(component) - set(cycle))
        also = f" [the circle also takes in: {', '.join(others)}]" if others else ""
        problems.append(f"import cycle: {' -> '.join(cycle)} ({steps}){also}")
    return problems


def check(root: Path, package: str = "socialbot") -> list[str]:
    """Every house-rule violation in the package at directory `root`, one readable line each."""
    root = Path(root)
    files = {module_name(path, root, package): path for path in iter_module_files(root)}
    known = frozenset(files)
    problems: list[str] = []
    imports: list[Import] = []
    for module, path in files.items():
        shown = path.relative_to(root.parent).as_posix()
        try:
            imports += collect_imports(
                path.read_text(encoding="utf-8"),
                module=module,
                is_package=path.name == "__init__.py",
                path=shown,
                known_modules=known,
            )
        except SyntaxError as exc:
            problems.append(f"{shown}:{exc.lineno}: cannot parse {module}: {exc.msg}")
        except ValueError as exc:
            problems.append(str(exc))
    for imp in imports:
        problems += rule_violations(imp, package)
    problems += cycle_violations(imports, known)
    return problems


# --- size and shape ------------------------------------------------------------------------------


def oversized_modules(root: Path, limit: int = MAX_MODULE_LINES) -> list[str]:
    """Modules longer than `limit` lines, as `path: N lines`."""
    found = []
    for path in iter_module_files(root):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(root.parent).as_posix()}: {lines} lines (limit {limit})")
    return found


def loose_top_level_modules(root: Path) -> list[str]:
    """Modules at the top of the package that should live inside one of its packages."""
    return [
        path.relative_to(root.parent).as_posix()
        for path in sorted(root.glob("*.py"))
        if path.stem not in TOP_LEVEL_MODULES
    ]
