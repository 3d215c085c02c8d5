"""The runner's UI -> API conversion equals the real ComfyUI frontend's own (app.graphToPrompt) in chromium.

Uses the browser suite's fixtures (one Playwright session per test run: a second sync session
inside the first one's event loop is refused).
"""
from __future__ import annotations

import copy
import json

import pytest

from sample_workflows import core_workflow
from thinkdraw.shipped import DRAFT_CPU
from thinkdraw.workflow import ui_to_api

pytestmark = [pytest.mark.comfy, pytest.mark.browser]

SHIPPED = DRAFT_CPU

GRAPH_TO_PROMPT = """async (graph) => {
    const app = window.comfyAPI.app.app;
    await app.loadGraphData(graph);
    const {output} = await app.graphToPrompt();
    return output;
}"""


def editor_ready(workflow: dict) -> dict:
    """Give a hand-written workflow the layout keys the editor always saves."""
    wf = copy.deepcopy(workflow)
    for i, node in enumerate(wf["nodes"]):
        node.setdefault("pos", [40 + 300 * (i % 4), 40 + 220 * (i // 4)])
        node.setdefault("size", [260, 120])
        node.setdefault("flags", {})
        node.setdefault("order", i)
        node.setdefault("properties", {"Node name for S&R": node["type"]})
    wf.setdefault("config", {})
    wf.setdefault("extra", {})
    return wf


def frontend_prompt(frontend, workflow: dict) -> dict:
    types = sorted({n["type"] for n in workflow["nodes"]} - {"Note", "PrimitiveNode", "Reroute"})
    # node definitions register after the extensions the fixture waits for
    frontend.page.wait_for_function("ts => ts.every(t => t in window.LiteGraph.registered_node_types)", arg=types,
                                    timeout=60_000)
    return frontend.evaluate(GRAPH_TO_PROMPT, workflow)


def comparable(prompt: dict, object_info: dict) -> dict:
    """class_type and inputs; the frontend also sends values of its display-only widgets (LoadAudio's
    player, PreviewAny's text box), which are no declared input and which the server ignores."""
    def declared(kind):
        spec = object_info[kind]["input"]
        return set(spec.get("required", {})) | set(spec.get("optional", {}))

    return {nid: {"class_type": n["class_type"],
                  "inputs": {k: v for k, v in n["inputs"].items() if k in declared(n["class_type"])}}
            for nid, n in prompt.items()}


def test_core_workflow_converts_exactly_like_the_frontend(frontend, comfy):
    wf = editor_ready(core_workflow())
    from_frontend = frontend_prompt(frontend, wf)
    info = comfy.object_info()
    ours = ui_to_api(wf, info)
    assert comparable(ours, info) == comparable(from_frontend, info), json.dumps(from_frontend, indent=1)
    assert set(ours) == set(from_frontend)


@pytest.mark.skipif(not SHIPPED.exists(), reason="the CPU draft template is not generated yet")
def test_shipped_workflow_converts_exactly_like_the_frontend(frontend, comfy):
    wf = json.loads(SHIPPED.read_text())
    from_frontend = frontend_prompt(frontend, wf)
    info = comfy.object_info()
    ours = ui_to_api(wf, info)
    assert comparable(ours, info) == comparable(from_frontend, info), json.dumps(from_frontend, indent=1)
    assert set(ours) == set(from_frontend)
