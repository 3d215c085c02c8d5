"""Shared fixtures: a real ComfyUI server (session-scoped) and ComfyUI on sys.path for in-process tests."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from comfy_host import ComfyServer, comfyui_path  # noqa: E402
from pack_manifest import declared_node_ids  # noqa: E402

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def comfy(tmp_path_factory) -> ComfyServer:
    """One real ComfyUI server for the session, with the pack loaded and every node registered."""
    server = ComfyServer(workdir=tmp_path_factory.mktemp("comfyui"))
    server.start()
    try:
        failures = [line for line in server.import_failures() if "ThinkDraw" in line]
        assert not failures, f"ComfyUI could not import the pack: {failures}\n{server.log_tail()}"
        info = server.object_info()
        missing = [nid for nid in declared_node_ids() if nid not in info]
        assert not missing, f"ThinkDraw nodes absent from /object_info: {missing}\n{server.log_tail()}"
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def comfy_on_path():
    """Put ComfyUI's tree on sys.path so tests can use its modules in-process (CPU)."""
    path = str(comfyui_path())
    if path not in sys.path:
        sys.path.insert(0, path)
    import torch

    if not torch.cuda.is_available():
        # model_management probes CUDA when first imported; choose the CPU first, as `main.py --cpu` does
        import comfy.cli_args

        comfy.cli_args.args.cpu = True
    return Path(path)


@pytest.fixture(scope="session")
def pack(comfy_on_path):
    """The pack imported in-process as ComfyUI imports it (a package from the repo's __init__.py)."""
    import importlib.util

    name = "thinkdraw_pack"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "__init__.py", submodule_search_locations=[str(REPO)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
