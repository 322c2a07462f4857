"""The layers between apps hold by themselves (import-linter checks them in `make lint`, decision
0013); this test keeps the other half of that promise: no import of Guichet's code hides inside a
function to dodge a cycle. Django's `AppConfig.ready()` is the one place for such imports, and a
lazy import on purpose says why (`# noqa: PLC0415 (…)`)."""

import ast
from pathlib import Path

import guichet

ROOT = Path(guichet.__file__).parent


def _imports_in_functions(path: Path) -> list[str]:
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source, str(path))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name == "ready":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                local = node.level > 0 or (node.module or "").startswith("guichet")
            elif isinstance(node, ast.Import):
                local = any(alias.name.startswith("guichet") for alias in node.names)
            else:
                continue
            if local and "noqa: PLC0415 (" not in lines[node.lineno - 1]:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_import_of_guichet_hides_in_a_function():
    offending = [
        place
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
        for place in _imports_in_functions(path)
    ]
    assert offending == []
