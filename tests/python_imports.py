"""The absolute imports a tree of Python files makes, read from the source (nothing is imported)."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterable, Iterator


def absolute_imports(paths: Iterable[Path]) -> Iterator[tuple[Path, int, str]]:
    """(file, line, dotted module) for each `import x` / `from x import y` in the files, or in the .py
    files under the folders, given."""
    for root in paths:
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        yield path, node.lineno, alias.name
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    yield path, node.lineno, node.module
