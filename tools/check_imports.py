"""The import rules of chipguard's layers, checked over the AST (run by ``make lint``).

Rules (docs/ARCHITECTURE.md):
1. The core — sources, names, match, hardware, geo, policy, ownership, monitor — imports nothing from storage
   (store, audit), the service layer or a face (cli, api, batch).
2. ``match`` imports only ``names``, ``match`` itself and the shared base modules.
3. A face imports no other face: the REST API and web UI (``api``) import neither the CLI nor the batch
   runners, the batch runners import neither the CLI nor ``api``, and the CLI imports nothing from ``api``.
   What faces share (reading a file of names, customer files, jobs) lives in the service layer. The CLI
   may start the batch runners (``chipguard batch screen``): it is their command line, not a peer.
4. No import cycle between modules, counting module-level, function-level and ``TYPE_CHECKING`` imports
   alike: an import moved into a function to dodge a cycle is still a cycle.

Exit 1 with one line per violation; 0 and a one-line summary otherwise.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "chipguard"
CORE = ("sources", "names", "match", "hardware", "geo", "policy", "ownership", "monitor")
OUTSIDE_CORE = ("store", "audit", "service", "cli", "api", "batch")
# Modules every layer may use: the package root (version), settings, errors, the data model, dates, the
# input limits and the reference-data readers.
BASE = ("", "config", "settings", "native", "errors", "model", "dates", "datafiles", "refdata", "limits")
MATCH_MAY_IMPORT = ("names", "match", *BASE)
# Face → the faces it must not import (rule 3).
FACES_APART = {"api": ("cli", "batch"), "batch": ("api", "cli"), "cli": ("api",)}
FACE_NAMES = {"api": "REST face", "batch": "batch face", "cli": "CLI"}


def modules(root: Path) -> dict[str, Path]:
    """Module name → file, for every module of the package (Alembic revisions left out)."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported module of the package, line) for every import in the file, wherever it stands (module
    level, inside a function, under ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                targets.append(candidate if candidate in known else base)
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target, node.lineno


def layer(module: str) -> str:
    """``chipguard.match.screener`` → ``match``; the root → ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def check(root: Path) -> list[str]:
    known = modules(root)
    graph: dict[str, set[str]] = {name: set() for name in known}
    problems: list[str] = []
    for name, path in known.items():
        source, where = layer(name), path.as_posix()
        for target, line in imports_of(name, path, known):
            graph[name].add(target)
            dest = layer(target)
            if source in CORE and dest in OUTSIDE_CORE:
                problems.append(f"{where}:{line}: core module {name} imports {target} ({dest})")
            elif source == "match" and dest not in MATCH_MAY_IMPORT:
                problems.append(f"{where}:{line}: {name} imports {target}; match may import only names")
            elif dest in FACES_APART.get(source, ()):
                problems.append(
                    f"{where}:{line}: the {FACE_NAMES[source]} module {name} imports the "
                    f"{FACE_NAMES[dest]} ({target}); what faces share belongs in chipguard.service"
                )
    for component in cycles(graph):
        problems.append("import cycle: " + " ↔ ".join(component))
    return problems


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / PACKAGE
    problems = check(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} import rule violation(s); see docs/ARCHITECTURE.md", file=sys.stderr)
        return 1
    print(f"imports: {len(modules(root))} modules, layers respected, no cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
