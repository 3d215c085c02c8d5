"""Guidance nodes in a real ComfyUI through /prompt, and the shipped guidance workflows."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from comfy_host import ComfyError, ComfyServer
from thinkdraw.shipped import ANIMATE, HUMO, S2V, SD15

pytestmark = pytest.mark.comfy

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = [SD15, HUMO, S2V, ANIMATE]
FRONTEND_ONLY = {"Note", "MarkdownNote", "Reroute", "PrimitiveNode"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_workflow_loads_with_no_missing_nodes(comfy, path):
    sys.path.insert(0, str(REPO))
    from thinkdraw.workflow import ui_to_api

    workflow = json.loads(path.read_text())
    name = path.name
    info = comfy.object_info()
    types = {n["type"] for n in workflow["nodes"]}
    missing = sorted(types - set(info) - FRONTEND_ONLY)
    assert not missing, f"{name} uses nodes this ComfyUI lacks: {missing}"
    assert {"ThinkDrawProgressiveGuider", "ThinkDrawGuidanceStage", "ThinkDrawAUTextEncode"} <= types
    notes = [n["widgets_values"][0] for n in workflow["nodes"] if n["type"] == "Note"]
    assert notes and "models/" in notes[0] and ".safetensors" in notes[0]
    api = ui_to_api(workflow, info, [])
    assert len(api) == len(workflow["nodes"]) - len(notes)


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory, comfy_on_path):
    """A server of our own with a tiny SD2-shaped UNet the stock UNETLoader accepts (~50 MB, fp16)."""
    import tiny_model
    from safetensors.torch import save_file

    models = tmp_path_factory.mktemp("diffusion_models")
    save_file(tiny_model.sd20_shaped_unet_state_dict(), str(models / "thinkdraw_tiny_sd2.safetensors"))
    server = ComfyServer(workdir=tmp_path_factory.mktemp("comfyui-guidance"), models={"diffusion_models": models})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _graph(stages: list[tuple[float, float, float, str]], one_node: bool = False) -> dict:
    g = {
        "unet": {"class_type": "UNETLoader", "inputs": {"unet_name": "thinkdraw_tiny_sd2.safetensors", "weight_dtype": "default"}},
        "pos": {"class_type": "LotusConditioning", "inputs": {}},  # 1024-wide conditioning, no text encoder needed
        "neg": {"class_type": "ConditioningZeroOut", "inputs": {"conditioning": ["pos", 0]}},
        "lat": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
    }
    if one_node:
        g["out"] = {"class_type": "ThinkDrawProgressiveGuidanceSampler", "inputs": {
            "model": ["unet", 0], "seed": 7, "steps": 4, "sampler_name": "euler", "scheduler": "normal",
            "positive": ["pos", 0], "negative": ["neg", 0], "latent_image": ["lat", 0], "global_cfg": 6.0,
            "local_cfg": 3.0, "local_start": 0.3, "local_full": 0.6, "ramp": "smoothstep", "local_weight": 1.0,
            "denoise": 1.0}}
        g["save"] = {"class_type": "SaveLatent", "inputs": {"samples": ["out", 0], "filename_prefix": "one_node"}}
        return g
    prev = None
    for i, (start, end, cfg, ramp) in enumerate(stages):
        inputs = {"conditioning": ["pos", 0], "start_percent": start, "end_percent": end, "cfg": cfg, "ramp": ramp,
                  "weight": 1.0}
        if prev:
            inputs["previous"] = [prev, 0]
        prev = f"stage{i}"
        g[prev] = {"class_type": "ThinkDrawGuidanceStage", "inputs": inputs}
    g.update({
        "guider": {"class_type": "ThinkDrawProgressiveGuider", "inputs": {"model": ["unet", 0], "stages": [prev, 0],
                                                                          "negative": ["neg", 0]}},
        "noise": {"class_type": "RandomNoise", "inputs": {"noise_seed": 7}},
        "sampler": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler"}},
        "sigmas": {"class_type": "BasicScheduler", "inputs": {"model": ["unet", 0], "scheduler": "normal", "steps": 4,
                                                               "denoise": 1.0}},
        "sca": {"class_type": "SamplerCustomAdvanced", "inputs": {"noise": ["noise", 0], "guider": ["guider", 0],
                                                                  "sampler": ["sampler", 0], "sigmas": ["sigmas", 0],
                                                                  "latent_image": ["lat", 0]}},
        "save": {"class_type": "SaveLatent", "inputs": {"samples": ["sca", 0], "filename_prefix": "chained"}},
    })
    return g


def _latent(server: ComfyServer, entry: dict):
    from safetensors.torch import load_file

    info = entry["outputs"]["save"]["latents"][0]
    return load_file(str(server.workdir / "output" / info["subfolder"] / info["filename"]))["latent_tensor"]


def test_chained_stages_and_one_node_sampler_agree_in_a_real_server(tiny_server):
    import torch

    preset = [(0.0, 0.3, 6.0, "constant"), (0.3, 0.6, 3.0, "smoothstep"), (0.6, 1.0, 3.0, "constant")]
    chained = _latent(tiny_server, tiny_server.run(_graph(preset), timeout=240))
    one = _latent(tiny_server, tiny_server.run(_graph([], one_node=True), timeout=240))
    assert chained.shape == (1, 4, 8, 8) and torch.isfinite(chained).all()
    assert torch.equal(chained, one)
    # reordered chain (same windows, wired in another order) is the same schedule
    again = _latent(tiny_server, tiny_server.run(_graph(list(reversed(preset))), timeout=240))
    assert torch.equal(again, chained)


def test_bad_switch_points_are_reported_through_prompt(tiny_server):
    with pytest.raises(ComfyError, match="switch points out of order"):
        tiny_server.run(_graph([(0.0, 0.5, 6.0, "constant"), (0.4, 1.0, 3.0, "linear")]), timeout=240)
