"""Every third-party module the pack imports is declared, so an install (pip, or ComfyUI-Manager reading
requirements.txt) brings it instead of relying on another package happening to depend on it."""
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from python_imports import absolute_imports

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [ROOT / "thinkdraw_core", ROOT / "nodes", ROOT / "__init__.py"]
# What ComfyUI itself is or ships with the pack's host: its own modules, torch (installed with it) and aiohttp
# (its web server, which the preview route is added to).
FROM_COMFYUI = {"aiohttp", "comfy", "comfy_api", "comfy_extras", "comfy_execution", "folder_paths", "node_helpers",
                "server", "torch"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required = {_name(r) for r in project["dependencies"]}
    # the test extra is this repository's own environment, not something a user's install brings
    optional = {_name(r) for name, extra in project.get("optional-dependencies", {}).items() if name != "test"
                for r in extra}
    return required, optional


def _imported_top_levels() -> dict[str, str]:
    """Top-level module -> the first place the shipped code imports it."""
    found = {}
    for path, line, module in absolute_imports(SHIPPED):
        found.setdefault(module.split(".")[0], f"{path.relative_to(ROOT)}:{line}")
    return found


def test_every_third_party_import_is_declared():
    required, optional = _declared()
    dists = packages_distributions()
    ours = {"thinkdraw_core", "nodes", "thinkdraw"}
    undeclared = []
    for module, where in sorted(_imported_top_levels().items()):
        if module in sys.stdlib_module_names or module in ours or module in FROM_COMFYUI or module == "__future__":
            continue
        names = {_name(d) for d in dists.get(module, [])}
        assert names, f"{module} ({where}) is imported but not installed in the test environment"
        if not names & (required | optional):
            undeclared.append(f"{module} ({where}) from {sorted(names)}")
    assert not undeclared, f"declare these in pyproject.toml [project] dependencies and requirements.txt: {undeclared}"


def test_requirements_txt_matches_pyproject():
    required, _ = _declared()
    listed = {_name(line) for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.lstrip().startswith("#")}
    assert listed == required, (f"requirements.txt (what ComfyUI-Manager installs) and pyproject's dependencies differ: "
                                f"only in requirements.txt {sorted(listed - required)}, "
                                f"only in pyproject {sorted(required - listed)}")


def test_every_declared_runtime_dependency_is_imported():
    """The other direction: a runtime dependency nothing imports is weight an install carries for nothing
    (and a version conflict it can cause in someone's ComfyUI)."""
    required, _ = _declared()
    dists = packages_distributions()
    provided = {_name(d) for module in _imported_top_levels() for d in dists.get(module, [])}
    assert not required - provided, (f"declared in pyproject.toml and requirements.txt but imported nowhere in "
                                     f"the pack: {sorted(required - provided)}; use them or drop them")
