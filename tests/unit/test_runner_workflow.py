"""UI -> API conversion rules that need no server (the real-server run is tests/comfy/test_demo_runner.py).

The node definitions below are copied from ComfyUI 0.3.75's /object_info, trimmed to the keys the
converter reads.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from thinkdraw.host import comfyui_path
from thinkdraw.workflow import (Override, WorkflowError, check_choices, input_specs, is_api_prompt, load_workflow,
                                ui_to_api, widget_inputs)

INFO = {
    "KSampler": {"input": {"required": {
        "model": ["MODEL"], "seed": ["INT", {"control_after_generate": True}], "steps": ["INT", {}],
        "cfg": ["FLOAT", {}], "sampler_name": [["euler", "ddim"], {}], "scheduler": [["normal", "karras"], {}],
        "positive": ["CONDITIONING"], "negative": ["CONDITIONING"], "latent_image": ["LATENT"],
        "denoise": ["FLOAT", {}]}},
        "input_order": {"required": ["model", "seed", "steps", "cfg", "sampler_name", "scheduler", "positive",
                                     "negative", "latent_image", "denoise"]}},
    "LegacySeed": {"input": {"required": {"seed": ["INT", {}], "text": ["STRING", {}]}}},
    "V3Combo": {"input": {"required": {"mode": ["COMBO", {"options": ["a", "b"]}], "size": ["INT", {}]},
                          "optional": {"label": ["STRING", {"forceInput": True}], "note": ["STRING", {}]}},
                "input_order": {"required": ["mode", "size"], "optional": ["label", "note"]}},
    "IntChoice": {"input": {"required": {"n": [[1, 2, 4], {}]}}},
    "LoadImage": {"input": {"required": {"image": [["face.png"], {"image_upload": True}]}}},
    "Passthrough": {"input": {"required": {"image": ["IMAGE"], "mask": ["MASK"]}}},
    "Sink": {"input": {"required": {"images": ["IMAGE"], "prefix": ["STRING", {}]}}},
}


def node(nid, kind, inputs=(), outputs=(), widgets=None, mode=0, title=None):
    d = {"id": nid, "type": kind, "mode": mode, "inputs": list(inputs), "outputs": list(outputs)}
    if widgets is not None:
        d["widgets_values"] = widgets
    if title:
        d["title"] = title
    return d


def test_widget_values_follow_declaration_order_and_skip_control_values():
    ks = node(1, "KSampler", widgets=[42, "randomize", 20, 7.5, "euler", "karras", 1.0])
    assert widget_inputs(ks, INFO["KSampler"], "ks") == {
        "seed": 42, "steps": 20, "cfg": 7.5, "sampler_name": "euler", "scheduler": "karras", "denoise": 1.0}
    # the editor adds a control widget to any INT named seed, even without control_after_generate
    assert widget_inputs(node(2, "LegacySeed", widgets=[5, "fixed", "hi"]), INFO["LegacySeed"], "x") == {"seed": 5, "text": "hi"}
    # a workflow saved by an editor that did not add the control value still lines up
    assert widget_inputs(node(3, "LegacySeed", widgets=[5, "hi"]), INFO["LegacySeed"], "x") == {"seed": 5, "text": "hi"}
    # V3 combos, forceInput inputs (no widget) and optional widgets; trailing upload values ignored
    assert widget_inputs(node(4, "V3Combo", widgets=["b", 3, "n"]), INFO["V3Combo"], "x") == {"mode": "b", "size": 3, "note": "n"}
    assert widget_inputs(node(5, "LoadImage", widgets=["face.png", "image"]), INFO["LoadImage"], "x") == {"image": "face.png"}
    assert widget_inputs(node(6, "V3Combo", widgets={"size": 9}), INFO["V3Combo"], "x") == {"size": 9}
    assert [s.name for s in input_specs(INFO["V3Combo"]) if s.is_widget] == ["mode", "size", "note"]


def test_bypass_passes_the_matching_type_through_and_mute_drops_the_input():
    img = lambda link: {"name": "image", "type": "IMAGE", "link": link}  # noqa: E731
    wf = {"nodes": [
        node(1, "LoadImage", outputs=[{"type": "IMAGE", "links": [1]}, {"type": "MASK", "links": [2]}], widgets=["face.png"]),
        node(2, "Passthrough", mode=4, inputs=[img(1), {"name": "mask", "type": "MASK", "link": 2}],
             outputs=[{"type": "MASK", "links": [3]}, {"type": "IMAGE", "links": [4]}]),
        node(3, "Sink", inputs=[{"name": "images", "type": "IMAGE", "link": 4}], widgets=["via-bypass"]),
        node(4, "Passthrough", mode=2, inputs=[img(None)], outputs=[{"type": "IMAGE", "links": [5]}]),
        node(5, "Sink", inputs=[{"name": "images", "type": "IMAGE", "link": 5}], widgets=["from-muted"]),
    ], "links": [[1, 1, 0, 2, 0, "IMAGE"], [2, 1, 1, 2, 1, "MASK"], [3, 2, 0, 9, 0, "MASK"],
                 [4, 2, 1, 3, 0, "IMAGE"], [5, 4, 0, 5, 0, "IMAGE"]]}
    prompt = ui_to_api(wf, INFO)
    assert set(prompt) == {"1", "3", "5"}
    # output 1 of the bypassed node is IMAGE; input 1 is MASK, so the IMAGE input (0) passes through
    assert prompt["3"]["inputs"] == {"images": ["1", 0], "prefix": "via-bypass"}
    assert prompt["5"]["inputs"] == {"prefix": "from-muted"}  # the server then reports the missing input


def test_links_as_objects_and_api_prompts_are_accepted():
    wf = {"nodes": [node(1, "LoadImage", outputs=[{"type": "IMAGE", "links": [7]}], widgets=["face.png"]),
                    node(2, "Sink", inputs=[{"name": "images", "type": "IMAGE", "link": 7}], widgets=["p"], title="Out")],
          "links": [{"id": 7, "origin_id": 1, "origin_slot": 0, "target_id": 2, "target_slot": 0, "type": "IMAGE"}]}
    prompt = ui_to_api(wf, INFO, [Override.parse("Out.prefix=x=y")])
    assert prompt["2"] == {"class_type": "Sink", "inputs": {"images": ["1", 0], "prefix": "x=y"}, "_meta": {"title": "Out"}}
    assert is_api_prompt(prompt) and not is_api_prompt(wf)
    again = ui_to_api(prompt, INFO, [Override.parse("2.prefix=z")])
    assert again["2"]["inputs"]["prefix"] == "z" and prompt["2"]["inputs"]["prefix"] == "x=y"  # input not mutated


def test_override_types_and_errors():
    wf = {"nodes": [node(1, "KSampler", widgets=[1, "fixed", 20, 7.5, "euler", "normal", 1.0], title="Sampler"),
                    node(2, "IntChoice", widgets=[2]), node(3, "IntChoice", widgets=[4], title="Sampler")], "links": []}
    prompt = ui_to_api(wf, INFO, [Override.parse("1.seed=0x10"), Override.parse("KSampler.cfg=3"),
                                  Override.parse("2.n=4")])
    assert prompt["1"]["inputs"]["seed"] == 16 and prompt["1"]["inputs"]["cfg"] == 3.0
    assert prompt["2"]["inputs"]["n"] == 4  # an int combo keeps its type
    with pytest.raises(WorkflowError, match="ambiguous: 2 nodes have that title"):
        ui_to_api(wf, INFO, [Override.parse("Sampler.seed=1")])
    with pytest.raises(WorkflowError, match="ambiguous: 2 nodes have that type"):
        ui_to_api(wf, INFO, [Override.parse("IntChoice.n=1")])
    with pytest.raises(WorkflowError, match=r"matches no node .* nodes are 1:Sampler"):
        ui_to_api(wf, INFO, [Override.parse("Nope.seed=1")])
    with pytest.raises(WorkflowError, match="must look like NODE.input=value"):
        Override.parse("seed=1")
    with pytest.raises(WorkflowError, match=r"expects FLOAT, got 'high'"):
        ui_to_api(wf, INFO, [Override.parse("1.cfg=high")])
    with pytest.raises(WorkflowError, match=r"input 'n': '3' is not available.*offers: 1, 2, 4"):
        check_choices(ui_to_api(wf, INFO, [Override.parse("2.n=3")]), INFO)


def test_refuses_subgraphs_missing_links_and_bad_files(tmp_path):
    with pytest.raises(WorkflowError, match="subgraphs"):
        ui_to_api({"nodes": [], "links": [], "definitions": {"subgraphs": [{"id": "x"}]}}, INFO)
    wf = {"nodes": [node(2, "Sink", inputs=[{"name": "images", "type": "IMAGE", "link": 99}], widgets=["p"])], "links": []}
    with pytest.raises(WorkflowError, match="link 99, which it does not define"):
        ui_to_api(wf, INFO)
    group = {"nodes": [node(1, "workflow>Face pipeline", widgets=[])], "links": []}
    with pytest.raises(WorkflowError, match=r"(?s)node 1 \(workflow>Face pipeline\).*group nodes.*Convert to nodes"):
        ui_to_api(group, INFO)
    with pytest.raises(WorkflowError, match="does not exist"):
        load_workflow(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{\"nodes\": 3}")
    with pytest.raises(WorkflowError, match="neither a UI workflow"):
        load_workflow(tmp_path / "bad.json")


def test_missing_comfyui_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match=r"no ComfyUI at .*make setup.*--comfyui"):
        comfyui_path(tmp_path)
    wf = tmp_path / "wf.json"
    wf.write_text(json.dumps({"nodes": [], "links": []}))
    proc = subprocess.run([sys.executable, "-m", "thinkdraw", "run", str(wf), "--comfyui", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "no ComfyUI at" in proc.stderr and "Traceback" not in proc.stderr
