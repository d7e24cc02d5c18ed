"""The packages build on each other in one direction: values and models below search, search
below services, services below web. An import against that direction fails here."""

from __future__ import annotations

import ast

import pytest

from kb import PACKAGE_DIR

# package -> the kb packages it must never import (at module level or inside a function)
FORBIDDEN = {
    "values": ("kb.models", "kb.search", "kb.services", "kb.web", "kb.extensions"),
    "models": ("kb.search", "kb.services", "kb.web"),
    "search": ("kb.services", "kb.web"),
    "services": ("kb.web",),
}


def imported_modules(path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_package_imports_a_layer_above_it(package):
    wrong = [
        f"{path.relative_to(PACKAGE_DIR.parent)}:{line}: imports {module}"
        for path in sorted((PACKAGE_DIR / package).rglob("*.py"))
        for line, module in imported_modules(path)
        if module.startswith(FORBIDDEN[package])
    ]
    assert wrong == []


def test_the_rule_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from kb.services.search import search_practices\n")
    assert imported_modules(module) == [(2, "kb.services.search")]
