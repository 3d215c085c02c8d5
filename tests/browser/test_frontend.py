"""The real ComfyUI frontend, in Debian's chromium, with the pack: workflows load, the draft runs,
and the AU plan panel shows the reasoning and writes slider edits into the AUPlanEdit node."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser

WORKFLOWS = sorted((REPO / "workflows").glob("*.json"))
DRAFT_WORKFLOW = REPO / "workflows" / "thinkdraw_draft_cpu.json"
REASONER, PLAN_EDIT = "ThinkDrawEmotionCoTReasoner", "ThinkDrawAUPlanEdit"

LOAD_AND_CHECK = """async (graph) => {
    const app = window.comfyAPI.app.app;
    const known = window.LiteGraph.registered_node_types;
    const types = [...(graph.nodes || []), ...((graph.definitions?.subgraphs || []).flatMap(s => s.nodes || []))]
        .map(n => n.type);
    const subgraphIds = new Set((graph.definitions?.subgraphs || []).map(s => s.id));
    const unknown = types.filter(t => !(t in known) && !subgraphIds.has(t));
    await app.loadGraphData(graph);
    return {unknown, loaded: app.graph.nodes.length};
}"""


def _load(frontend, graph: dict) -> dict:
    result = frontend.evaluate(LOAD_AND_CHECK, graph)
    frontend.page.wait_for_timeout(300)  # the warning dialog mounts asynchronously
    result["dialog"] = frontend.missing_dialog_text()
    return result


def test_extension_loads_without_errors(frontend):
    served = frontend.evaluate("() => [...document.querySelectorAll('link')].map(l => l.href)")
    assert any(h.endswith("/thinkdraw.css") for h in served), served
    ours = [e for e in frontend.console_errors if "thinkdraw" in e.lower()]
    assert not ours, ours


def test_missing_node_detector_sees_an_unknown_node(frontend):
    """Negative control: the checks used on the shipped workflows do catch a missing node type."""
    graph = {"last_node_id": 1, "last_link_id": 0, "nodes": [
        {"id": 1, "type": "ThinkDrawNoSuchNode", "pos": [0, 0], "size": [200, 80], "flags": {}, "order": 0,
         "mode": 0, "inputs": [], "outputs": [], "properties": {}, "widgets_values": []}],
        "links": [], "groups": [], "config": {}, "extra": {}, "version": 0.4}
    result = _load(frontend, graph)
    assert result["unknown"] == ["ThinkDrawNoSuchNode"]
    assert "ThinkDrawNoSuchNode" in result["dialog"], result


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_shipped_workflow_loads_with_every_node_known(frontend, path):
    graph = json.loads(path.read_text())
    result = _load(frontend, graph)
    assert not result["unknown"], f"{path.name} uses node types the server does not know: {result['unknown']}"
    assert not result["dialog"], f"{path.name} raised the missing-node dialog:\n{result['dialog']}"
    assert result["loaded"] == len(graph["nodes"])
