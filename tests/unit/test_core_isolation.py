"""thinkdraw_core is a library of its own: it never imports ComfyUI."""
import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "thinkdraw_core"
COMFY_MODULES = {"comfy", "comfy_api", "comfy_extras", "comfy_execution", "folder_paths", "server", "nodes",
                 "execution", "node_helpers", "latent_preview"}


def test_no_comfy_import_statements():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(CORE)}:{node.lineno} {n}" for n in names if n.split(".")[0] in COMFY_MODULES]
    assert not offenders, f"thinkdraw_core must not import ComfyUI: {offenders}"


def test_every_core_module_imports_without_comfy():
    """Import every module in a fresh interpreter and check no ComfyUI module got loaded."""
    modules = sorted(
        "thinkdraw_core." + ".".join(p.relative_to(CORE).with_suffix("").parts).removesuffix(".__init__")
        for p in CORE.rglob("*.py") if p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.removesuffix('.'))\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(COMFY_MODULES)!r})\n"
        "assert not bad, bad\nprint(len(sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=CORE.parent.parent)
    assert out.returncode == 0, out.stderr
