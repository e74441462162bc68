"""Scope and guards have one home (core/scoping.py, core/access.py): no page or endpoint module
writes its own visibility helper, admin guard, or 404-fetch of a `visible_to` queryset."""

import ast
import re
from pathlib import Path

QNWMH = Path(__file__).resolve().parents[2] / "qnwmh"
OWN_GUARD = re.compile(r"^_visible|^_require_.*admin|^_require_role")


def _edge_modules() -> list[Path]:
    """views.py, views_*.py, views/*.py, api.py and api_*.py of every app."""
    found = set(QNWMH.glob("*/views*.py")) | set(QNWMH.glob("*/views/*.py"))
    found |= set(QNWMH.glob("*/api*.py")) | set(QNWMH.glob("api/*.py"))
    return sorted(found)


def _calls_visible_to(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "visible_to"
        for n in ast.walk(node)
    )


def _findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    where = f"{path.parent.name}/{path.name}"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and OWN_GUARD.match(node.name):
            found.append(f"{where}:{node.lineno} defines {node.name}")
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "get_object_or_404"
            and any(_calls_visible_to(arg) for arg in node.args)
        ):
            found.append(f"{where}:{node.lineno} get_object_or_404 on a visible_to queryset")
    return found


def test_the_scan_reads_every_edge_module():
    names = {str(p.relative_to(QNWMH)) for p in _edge_modules()}
    assert {"units/views.py", "collectives/api.py", "registrations/views/review.py"} <= names


def test_no_edge_module_writes_its_own_visibility_or_admin_guard():
    assert [finding for path in _edge_modules() for finding in _findings(path)] == []


def test_the_scan_finds_a_private_guard(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text(
        "def _require_admin(request):\n    pass\n\n"
        "def _visible(request, pk):\n"
        "    return get_object_or_404(Thing.objects.visible_to(request.user), pk=pk)\n"
    )
    assert [f.split(" ", 1)[1] for f in _findings(sample)] == [
        "defines _require_admin",
        "defines _visible",
        "get_object_or_404 on a visible_to queryset",
    ]
