"""The headless runner against a real ComfyUI: a UI-format workflow of core nodes converts, runs and
gives the pixels the graph defines; overrides and clear errors work on the real /object_info."""
from __future__ import annotations

import copy
import io
import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from thinkdraw.host import ComfyError
from thinkdraw.runner import brief, prepare, run_prompt
from thinkdraw.workflow import Override, WorkflowError, check_choices, ui_to_api
from sample_workflows import COLOR, core_workflow

pytestmark = pytest.mark.comfy



def expected_pixels(width: int, height: int, seed: int, strength: float) -> np.ndarray:
    """What the graph computes, written with torch directly (ComfyUI's ImageAddNoise maths)."""
    rgb = torch.tensor([(COLOR >> 16) & 0xFF, (COLOR >> 8) & 0xFF, COLOR & 0xFF], dtype=torch.float32) / 255.0
    image = (1.0 - rgb).expand(1, height, width, 3).clone()
    noise = torch.randn(image.size(), generator=torch.manual_seed(seed))
    image = torch.clip(image + strength * noise, 0.0, 1.0)
    return np.clip(image[0].numpy() * 255.0, 0, 255).astype(np.uint8)


def saved_image(comfy, result) -> np.ndarray:
    [f] = [f for f in result.files if f.type == "output"]
    return np.asarray(Image.open(io.BytesIO(comfy.view(f.filename, f.subfolder, f.type))).convert("RGB"))


def test_ui_workflow_converts_like_the_editor(comfy):
    prompt = ui_to_api(core_workflow(), comfy.object_info())
    assert sorted(prompt, key=int) == ["1", "3", "5", "6", "8"]  # no primitive, reroute, note, bypassed or muted node
    assert prompt["1"]["inputs"] == {"width": 40, "height": ["3", 0], "batch_size": 1, "color": COLOR}
    assert prompt["3"]["inputs"] == {"value": 32}
    assert prompt["5"]["inputs"] == {"image": ["1", 0]}  # through the reroute
    assert prompt["6"]["inputs"] == {"image": ["5", 0], "seed": 7, "strength": 0.25}  # control value skipped
    assert prompt["8"]["inputs"] == {"images": ["6", 0], "filename_prefix": "runner_test"}  # around the bypass
    assert prompt["8"]["_meta"]["title"] == "Result"


def test_converted_workflow_runs_and_gives_the_graphs_pixels(comfy, tmp_path):
    prompt, _ = prepare(comfy, core_workflow())
    result = run_prompt(comfy, prompt, out_dir=tmp_path, progress=True)
    assert set(result.outputs) == {"8"}, result.outputs  # the muted SaveImage did not run
    image = saved_image(comfy, result)
    assert image.shape == (32, 40, 3)  # width from the primitive, height from PrimitiveInt, no 2x scale
    diff = np.abs(image.astype(int) - expected_pixels(40, 32, seed=7, strength=0.25).astype(int))
    assert diff.max() <= 1
    [copy_] = [f.path for f in result.files]
    assert copy_.parent == tmp_path and copy_.read_bytes() == comfy.view(result.files[0].filename)


def test_headless_run_embeds_the_workflow_like_the_editor(comfy, tmp_path):
    wf = core_workflow()
    # a seed no other test uses: an identical graph would be answered from ComfyUI's cache
    prompt, _ = prepare(comfy, wf, ["ImageAddNoise.seed=4242"])
    result = run_prompt(comfy, prompt, out_dir=tmp_path, workflow=wf)
    [saved] = [f.path for f in result.files]
    info = Image.open(saved).info  # SaveImage writes extra_pnginfo and the prompt as PNG text chunks
    assert json.loads(info["workflow"]) == wf
    assert json.loads(info["prompt"]).keys() == prompt.keys()


def test_overrides_by_title_type_and_id(comfy, tmp_path):
    sets = ["Width.value=24", "ImageAddNoise.strength=0", "ImageAddNoise.seed=3", "8.filename_prefix=override"]
    prompt, _ = prepare(comfy, core_workflow(), sets)
    assert prompt["1"]["inputs"]["width"] == 24 and prompt["6"]["inputs"]["seed"] == 3
    result = run_prompt(comfy, prompt, out_dir=tmp_path)
    [f] = result.files
    assert f.filename.startswith("override")
    image = saved_image(comfy, result)
    assert image.shape == (32, 24, 3)
    assert np.abs(image.astype(int) - expected_pixels(24, 32, seed=3, strength=0.0).astype(int)).max() <= 1


def test_clear_errors_for_missing_nodes_values_and_inputs(comfy, tmp_path):
    info = comfy.object_info()
    wf = core_workflow()
    wf["nodes"].append(dict(id=11, type="NoSuchNodeType", title="Mystery", mode=0, inputs=[], outputs=[], widgets_values=[]))
    with pytest.raises(WorkflowError, match=r"(?s)node 11 \('Mystery', NoSuchNodeType\).*Install"):
        ui_to_api(wf, info)

    wf = core_workflow()
    wf["nodes"][6]["mode"] = 0
    wf["nodes"][6]["widgets_values"] = ["no-such-method", 1.0]
    with pytest.raises(WorkflowError, match=r"(?s)node 7 \('Upscale Image By', ImageScaleBy\) input 'upscale_method': 'no-such-method'.*nearest-exact"):
        check_choices(ui_to_api(wf, info), info)

    ckpt = {"1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "missing_model.safetensors"}}}
    with pytest.raises(WorkflowError, match=r"(?s)missing_model.safetensors.*models/ folder"):
        check_choices(ckpt, info)

    load = {"1": {"class_type": "LoadImage", "inputs": {"image": "not_uploaded.png"}}}
    with pytest.raises(WorkflowError, match=r"(?s)not_uploaded.png.*input folder"):
        check_choices(load, info)

    with pytest.raises(WorkflowError, match=r"has no input 'strenght'; its inputs are image, seed, strength"):
        ui_to_api(core_workflow(), info, [Override.parse("ImageAddNoise.strenght=1")])
    with pytest.raises(WorkflowError, match=r"IMAGE socket"):
        ui_to_api(core_workflow(), info, [Override.parse("Result.images=1")])
    with pytest.raises(WorkflowError, match=r"expects INT, got 'wide'"):
        ui_to_api(core_workflow(), info, [Override.parse("EmptyImage.batch_size=wide")])


def test_local_file_override_is_staged_into_the_input_folder(comfy, tmp_path):
    portrait = tmp_path / "face.png"
    Image.fromarray(np.full((8, 6, 3), 200, np.uint8)).save(portrait)
    api = {"1": {"class_type": "LoadImage", "inputs": {"image": "placeholder.png"}},
           "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "staged"}}}
    prompt, _ = prepare(comfy, api, [f"LoadImage.image={portrait}"])
    assert prompt["1"]["inputs"]["image"] == "face.png"
    image = saved_image(comfy, run_prompt(comfy, prompt))
    assert image.shape == (8, 6, 3) and (image == 200).all()


def test_cli_runs_a_workflow_file_on_its_own_server(tmp_path):
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(core_workflow()))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "thinkdraw", "run", str(path), "--set", "Height.value=16",
                           "--set", "Result.filename_prefix=cli", "--out", str(out), "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    [png] = list(out.glob("cli*.png"))
    assert Image.open(png).size == (40, 16)
    assert "Result" in proc.stdout and str(png) in proc.stdout

    bad = copy.deepcopy(core_workflow())
    bad["nodes"][0]["type"] = "NotInstalledNode"
    path.write_text(json.dumps(bad))
    proc = subprocess.run([sys.executable, "-m", "thinkdraw", "run", str(path), "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "NotInstalledNode" in proc.stderr and "Traceback" not in proc.stderr


def test_progress_events_arrive_over_the_websocket(comfy):
    prompt, _ = prepare(comfy, core_workflow(), ["ImageAddNoise.seed=11"])
    events = []
    entry = comfy.run(prompt, progress=lambda kind, data: events.append((kind, data)))
    prompt_id = entry["prompt"][1]
    executed = {d["node"] for k, d in events if k == "executed"}
    assert executed == {"8"}, events  # the only node with a ui output
    assert all(d.get("prompt_id") in (None, prompt_id) for _, d in events)
    assert any(k == "executing" and d.get("node") == "6" for k, d in events)


def test_wrong_file_kind_and_node_failures_read_clearly(comfy, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    api = {"1": {"class_type": "LoadImage", "inputs": {"image": "x.png"}},
           "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "bad"}}}
    with pytest.raises(WorkflowError, match=r"notes.txt was copied .* node 1 LoadImage.image does not list it"):
        prepare(comfy, api, [f"1.image={notes}"])
    with pytest.raises(WorkflowError, match=r"input file /no/such/face.png .* does not exist"):
        prepare(comfy, api, ["1.image=/no/such/face.png"])

    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG but not really")
    prompt, _ = prepare(comfy, api, [f"1.image={broken}"])
    with pytest.raises(ComfyError) as failure:
        run_prompt(comfy, prompt)
    short = str(brief(failure.value, comfy.log_path))
    assert short.splitlines()[0].endswith("failed: node 1 (LoadImage) raised PIL.UnidentifiedImageError: "
                                           f"cannot identify image file '{comfy.input_dir / 'broken.png'}'")
    assert short.splitlines()[1] == f"(traceback and details: {comfy.log_path})"


def test_a_refused_graph_is_reported_per_node(comfy):
    wf = core_workflow()
    wf["nodes"][4]["mode"] = 2  # muting ImageInvert leaves ImageAddNoise without its image
    prompt, _ = prepare(comfy, wf)
    assert "image" not in prompt["6"]["inputs"]
    with pytest.raises(ComfyError) as refused:
        run_prompt(comfy, prompt)
    lines = str(refused.value).splitlines()
    assert lines[0].startswith("ComfyUI refused the graph: ")
    assert any(line.startswith("  node 6 (ImageAddNoise): ") and "image" in line for line in lines[1:]), lines
