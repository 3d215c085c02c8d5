"""thinkdraw_core is a library of its own: it never imports ComfyUI."""
import subprocess
import sys
from pathlib import Path

from python_imports import absolute_imports

CORE = Path(__file__).resolve().parents[2] / "thinkdraw_core"
COMFY_MODULES = {"comfy", "comfy_api", "comfy_extras", "comfy_execution", "folder_paths", "server", "nodes",
                 "execution", "node_helpers", "latent_preview"}


def test_no_comfy_import_statements():
    offenders = [f"{path.relative_to(CORE)}:{line} {module}" for path, line, module in absolute_imports([CORE])
                 if module.split(".")[0] in COMFY_MODULES]
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
