"""Connectors sit just above `core`: they import no other app of Guichet, so that any domain app
can use them and none of them can be pulled into a loop."""

import ast
from pathlib import Path

import guichet.connectors

ALLOWED = ("guichet.core", "guichet.connectors")


def test_connectors_import_only_core():
    root = Path(guichet.connectors.__file__).parent
    offending = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            offending += [
                f"{path.relative_to(root)}: {name}"
                for name in names
                if name.split(".")[0] == "guichet" and not any(name == a or name.startswith(f"{a}.") for a in ALLOWED)
            ]
    assert not offending
