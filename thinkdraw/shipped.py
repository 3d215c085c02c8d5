"""Builds workflows/thinkdraw_draft_cpu.json (UI format) from the live node definitions.

Widget values are laid out from the server's /object_info, the same way the editor lays them
out, so the shipped file always lines up with the nodes' schemas. tests/comfy/test_demo_workflow.py
fails when the shipped JSON drifts from what this produces; then regenerate it:

    python -m thinkdraw.shipped            # writes workflows/thinkdraw_draft_cpu.json
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .host import REPO, ComfyServer
from .workflow import input_specs

DRAFT_CPU = REPO / "workflows" / "thinkdraw_draft_cpu.json"
SAMPLE_IMAGE = "thinkdraw_sample_portrait.png"
SAMPLE_AUDIO = "thinkdraw_demo_speech.wav"
DEFAULT_EMOTION = "quiet pride, fighting back tears"


@dataclass
class N:
    id: int
    type: str
    pos: tuple[int, int]
    title: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    size: tuple[int, int] = (320, 160)
    raw_widgets: list[Any] | None = None  # for UI-only nodes (Note) that /object_info does not describe


NOTE = (
    "ThinkDraw CPU draft: think before drawing.\n\n"
    "1. Load a portrait (one clear face) and, optionally, speech audio.\n"
    "2. The Emotion CoT Reasoner turns your words into a plan of facial Action Units (FACS), with its "
    "reasoning; edit intensities, sides and timing in AU Plan Edit (or the plan panel).\n"
    "3. The Draft Renderer warps the portrait by the plan on CPU (no model weights) and lip-syncs the audio "
    "(seconds 0 = as long as the audio; set a length when you bypass the audio).\n"
    "4. Video Combine writes the mp4 with the plan in its metadata; the Analyzer measures what the face "
    "really does (requested vs measured AUs) and plots it.\n\n"
    "Headless: python -m thinkdraw run workflows/thinkdraw_draft_cpu.json --set 'Emotion.text=...'"
)

# (id, type, position, title, widget values that differ from the node's defaults). Laid out for the larger of the
# two renderers' node sizes (Nodes 2.0 draws the portrait, the plan panels and the video taller than the classic
# canvas) and for the growth a run brings (plan panels, the video preview), so nothing overlaps either way.
NODES = [
    N(1, "LoadImage", (40, 100), "Portrait", {"image": SAMPLE_IMAGE}, (320, 400)),
    N(2, "ThinkDrawEmotionCoTReasoner", (500, 100), "Emotion", {"text": DEFAULT_EMOTION}, (400, 560)),
    N(3, "ThinkDrawAUPlanEdit", (1000, 100), "AU Plan Edit", {}, (400, 560)),
    N(4, "LoadAudio", (40, 720), "Speech", {"audio": SAMPLE_AUDIO}, (320, 170)),
    N(5, "ThinkDrawExpressionDraftRenderer", (1500, 100), "Draft Renderer", {"seconds": 0.0, "seed": 0}, (340, 340)),
    N(6, "ThinkDrawVideoCombine", (1900, 100), "Video Combine",
      {"filename_prefix": "ThinkDraw/draft", "audio_mode": "pad_audio"}, (340, 560)),
    N(7, "ThinkDrawExpressionAnalyzer", (1900, 1060), "Expression Analyzer", {}, (340, 200)),
    N(8, "PreviewImage", (2300, 1060), "AU plot", {}, (520, 420)),
    N(9, "PreviewAny", (2300, 1580), "Requested vs measured AUs", {}, (520, 300)),
    N(10, "Note", (40, 960), "Read me", raw_widgets=[NOTE], size=(320, 380)),
]

# (from node, output slot, to node, input name). Slots, not names: /object_info names outputs by
# display name or type only, so the analyzer's two STRING outputs could not be told apart.
PLAN_OUT, IMAGES_OUT, FPS_OUT, REPORT_OUT, PLOT_OUT = 0, 0, 1, 0, 1
EDGES = [
    (1, 0, 5, "image"),
    (2, PLAN_OUT, 3, "plan"),
    (3, PLAN_OUT, 5, "plan"),
    (4, 0, 5, "audio"),
    (5, IMAGES_OUT, 6, "images"),
    (5, FPS_OUT, 6, "fps"),
    (4, 0, 6, "audio"),
    (3, PLAN_OUT, 6, "plan"),
    (5, IMAGES_OUT, 7, "images"),
    (3, PLAN_OUT, 7, "plan"),
    (5, FPS_OUT, 7, "fps"),
    (7, PLOT_OUT, 8, "images"),
    (7, REPORT_OUT, 9, "source"),
]


def _default(spec) -> Any:
    if "default" in spec.options:
        return spec.options["default"]
    if spec.choices:
        return spec.choices[0]
    return {"INT": 0, "FLOAT": 0.0, "STRING": "", "BOOLEAN": False}.get(spec.type_name)


def _output_slot(info: dict[str, Any], slot: int, where: str) -> tuple[int, str]:
    types = list(info.get("output") or [])
    if not 0 <= slot < len(types):
        raise ValueError(f"{where}: no output slot {slot}; outputs are {info.get('output_name')}")
    t = types[slot]
    return slot, t if isinstance(t, str) else "COMBO"


def build(object_info: dict[str, Any], nodes: list[N] = NODES, edges=EDGES) -> dict[str, Any]:
    """The UI-format workflow, laid out from `object_info`."""
    by_id = {n.id: n for n in nodes}
    missing = sorted({n.type for n in nodes if n.raw_widgets is None and n.type not in object_info})
    if missing:
        raise ValueError(f"the server has no node types {missing}; is every ThinkDraw module registered?")
    links = []
    inputs: dict[int, list[dict[str, Any]]] = {n.id: [] for n in nodes}
    outputs: dict[int, dict[int, dict[str, Any]]] = {n.id: {} for n in nodes}
    linked: dict[int, dict[str, int]] = {n.id: {} for n in nodes}
    for link_id, (src, out_slot, dst, in_name) in enumerate(edges, start=1):
        slot, out_type = _output_slot(object_info[by_id[src].type], out_slot, f"node {src} {by_id[src].type}")
        links.append([link_id, src, slot, dst, None, out_type])
        linked[dst][in_name] = link_id
        out = outputs[src].setdefault(slot, {"links": []})
        out["links"].append(link_id)
    for n in nodes:
        if n.raw_widgets is not None:
            continue
        info = object_info[n.type]
        specs = input_specs(info)
        unknown = (set(n.values) | set(linked[n.id])) - {s.name for s in specs}
        if unknown:
            raise ValueError(f"node {n.id} {n.type} has no inputs {sorted(unknown)}; it has {[s.name for s in specs]}")
        for spec in specs:
            if spec.is_widget and spec.name not in linked[n.id]:
                continue
            entry = {"name": spec.name, "type": spec.type_name, "link": linked[n.id].get(spec.name)}
            if spec.is_widget:
                entry["widget"] = {"name": spec.name}
            elif entry["link"] is None and spec.required:
                raise ValueError(f"node {n.id} {n.type}: required input {spec.name!r} is not connected")
            if not spec.required:
                entry["shape"] = 7  # the editor draws optional sockets hollow
            inputs[n.id].append(entry)
        by_link = {link[0]: link for link in links}
        for slot, entry in enumerate(inputs[n.id]):
            if entry["link"] is not None:
                by_link[entry["link"]][4] = slot
    ui_nodes = []
    for order, n in enumerate(nodes):
        node: dict[str, Any] = {"id": n.id, "type": n.type, "pos": list(n.pos), "size": list(n.size), "flags": {},
                                "order": order, "mode": 0}
        if n.title:
            node["title"] = n.title
        if n.raw_widgets is not None:
            node.update(inputs=[], outputs=[], properties={}, widgets_values=list(n.raw_widgets))
            ui_nodes.append(node)
            continue
        info = object_info[n.type]
        node["inputs"] = inputs[n.id]
        node["outputs"] = [
            {"name": name, "type": t if isinstance(t, str) else "COMBO", "links": outputs[n.id].get(i, {}).get("links", []),
             "slot_index": i}
            for i, (name, t) in enumerate(zip(info.get("output_name") or [], info.get("output") or []))]
        node["properties"] = {"Node name for S&R": n.type}
        widgets = []
        for spec in input_specs(info):
            if not spec.is_widget:
                continue
            widgets.append(n.values.get(spec.name, _default(spec)))
            if spec.has_control:
                widgets.append("fixed")  # headless runs must repeat: never re-randomise a seed
        if any(s.options.get("image_upload") for s in input_specs(info)):
            widgets.append("image")  # the editor's upload button keeps a value too
        node["widgets_values"] = widgets
        ui_nodes.append(node)
    return {"last_node_id": max(by_id), "last_link_id": len(links), "nodes": ui_nodes, "links": links,
            "groups": [], "config": {}, "extra": {"ds": {"scale": 0.8, "offset": [60, 110]}, "thinkdraw": {
                "generated_by": "python -m thinkdraw.shipped"}}, "version": 0.4}


def dumps(workflow: dict[str, Any]) -> str:
    return json.dumps(workflow, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="regenerate the shipped CPU workflow from the live node schemas")
    ap.add_argument("--out", type=Path, default=DRAFT_CPU)
    ap.add_argument("--comfyui", type=Path, default=None)
    args = ap.parse_args(argv)
    with ComfyServer(comfy=args.comfyui) as server:
        workflow = build(server.object_info())
    args.out.write_text(dumps(workflow))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
