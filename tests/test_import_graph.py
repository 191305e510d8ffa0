"""The portal's modules import one another in one direction only, and never another module's private names.

The graph is read from the source with `ast`, imports inside functions included, so an import moved into a function
to dodge a cycle still counts as the cycle it is. Migrations are left out: they are snapshots of history.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "partners", "proposals")


def _modules():
    """Every module of the portal's packages: dotted name → (path, whether it is a package's __init__)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if "migrations" in parts:
                continue
            is_package = parts[-1] == "__init__"
            modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


MODULES = _modules()


def _base(module, is_package, node):
    """The module an ImportFrom node names, relative imports resolved."""
    if not node.level:
        return node.module
    parts = module.split(".") if is_package else module.split(".")[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _own(name):
    """The portal's module that `name` (a dotted name, maybe of something inside a module) lives in, or None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_private(name):
    return name.startswith("_") and not name.startswith("__")


def _read(module):
    """A module's imports of the portal's modules, (imported module, line), and its uses of their private names,
    (imported module, name, line)."""
    path, is_package = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imports, private = [], []
    bound = {}  # local name → the portal's module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _own(alias.name)
                if target:
                    imports.append((target, node.lineno))
                    if alias.asname:
                        bound[alias.asname] = target
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, is_package, node)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in MODULES:
                    imports.append((submodule, node.lineno))
                    bound[alias.asname or alias.name] = submodule
                elif _own(base):
                    imports.append((_own(base), node.lineno))
                    if _is_private(alias.name):
                        private.append((_own(base), alias.name, node.lineno))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _is_private(node.attr):
            target = bound.get(node.value.id)
            if target and target != module:
                private.append((target, node.attr, node.lineno))
    return [(target, line) for target, line in imports if target != module], private


GRAPH = {module: _read(module) for module in MODULES}


def _cycles():
    """The groups of modules that reach one another through imports (Tarjan's strongly connected components)."""
    edges = {module: {target for target, _line in imports} for module, (imports, _private) in GRAPH.items()}
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(edges[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return groups


def _imported_by(module):
    return {target for target, _line in GRAPH[module][0]}


def test_the_graph_is_read_with_the_imports_inside_functions():
    assert {"proposals.models", "proposals.review.selectors", "portal.audit.services"} <= _imported_by(
        "proposals.review.services"
    )
    assert "proposals.review.affinity" in _imported_by("proposals.tasks"), "imported inside the task functions"
    assert {"proposals.models.call", "proposals.models.proposal"} <= _imported_by("proposals.models")
    assert len(MODULES) > 100


def test_no_module_imports_one_that_imports_it_back():
    problems = []
    for group in _cycles():
        lines = [
            f"  {module}:{line} imports {target}"
            for module in group
            for target, line in GRAPH[module][0]
            if target in group
        ]
        problems.append("A cycle between " + ", ".join(group) + ":\n" + "\n".join(sorted(set(lines))))
    assert not problems, (
        "\n".join(problems) + "\nTasks call services and services queue tasks by name (portal.task_queue); "
        "a helper both sides need moves to a module of its own."
    )


def test_no_module_uses_another_modules_private_names():
    found = {
        (module, target, name): line for module, (_imports, private) in GRAPH.items() for target, name, line in private
    }
    problems = [f"  {module}:{line} uses {target}.{name}" for (module, target, name), line in sorted(found.items())]
    assert not problems, (
        "Private names used outside their module; make them public in a shared place or keep them home:\n"
        + "\n".join(problems)
    )
