"""What the pack declares, read from its source without importing ComfyUI (shared by tests)."""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def declared_node_ids() -> list[str]:
    """Node ids the pack declares in nodes/__init__.py (read without importing ComfyUI)."""
    tree = ast.parse((REPO / "nodes" / "__init__.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "NODE_MODULES":
            mapping = ast.literal_eval(node.value)
            return [nid for ids in mapping.values() for nid in ids]
    raise AssertionError("nodes/__init__.py has no NODE_MODULES")
