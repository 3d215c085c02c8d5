"""Builds the CPU draft template, example_workflows/1 CPU draft, no GPU needed.json (UI format), from
the live node definitions.

Widget values are laid out from the server's /object_info, the same way the editor lays them
out, so the shipped file always lines up with the nodes' schemas. tests/comfy/test_demo_workflow.py
fails when the shipped JSON drifts from what this produces; then regenerate it:

    python -m thinkdraw.shipped                 # writes the CPU draft template
    python -m thinkdraw.shipped --thumbnails    # writes every template's thumbnail, <name>.jpg

ComfyUI serves a custom node's example_workflows/ folder as templates: the template browser titles each by its file
name and shows <name>.jpg beside it as its thumbnail. The names below are those titles; the leading number keeps
the CPU draft, the one that runs without model weights, first.
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

TEMPLATES = REPO / "example_workflows"
DRAFT_CPU = TEMPLATES / "1 CPU draft, no GPU needed.json"
HUMO = TEMPLATES / "2 HuMo talking video.json"
S2V = TEMPLATES / "3 Wan 2.2 S2V talking video.json"
ANIMATE = TEMPLATES / "4 Wan 2.2 Animate from draft.json"
SD15 = TEMPLATES / "5 SD1.5 emotion stills.json"
ALL = (DRAFT_CPU, HUMO, S2V, ANIMATE, SD15)
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
    "ThinkDraw CPU draft: portrait + emotion text + speech -> a talking video of that emotion, on CPU with no "
    "model weights.\n\n"
    "1. Load a portrait (one clear face) and, optionally, speech audio.\n"
    "2. The Emotion CoT Reasoner turns your words into a plan of facial Action Units (FACS), with its "
    "reasoning; edit intensities, sides and timing in AU Plan Edit (or the plan panel).\n"
    "3. The Draft Renderer warps the portrait by the plan on CPU (no model weights) and lip-syncs the audio "
    "(seconds 0 = as long as the audio; set a length when you bypass the audio). Paint glasses or a hand on the "
    "portrait (right-click > Open in MaskEditor) to hold them still.\n"
    "4. Video Combine writes the mp4 with the plan in its metadata; the Analyzer measures what the face "
    "really does (requested vs measured AUs) and plots it.\n\n"
    "Headless: python -m thinkdraw run 'example_workflows/1 CPU draft, no GPU needed.json' "
    "--set 'Emotion.text=...'"
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
PORTRAIT_MASK = 1  # Load Image's MASK: what is painted on the portrait in the mask editor (64x64 empty if nothing)
EDGES = [
    (1, 0, 5, "image"),
    (1, PORTRAIT_MASK, 5, "hold_still"),
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


# -- template thumbnails ---------------------------------------------------------------------------------------------

THUMB = 400  # px, square, as ComfyUI's own template thumbnails
THUMB_MAX_BYTES = 60_000
REGION_COLOURS = {"brows": (255, 170, 40), "eyes": (60, 160, 255), "cheeks": (255, 90, 150), "nose": (170, 255, 90),
                  "mouth": (255, 60, 60), "jaw": (150, 110, 255)}


def _font(size: int, bold: bool = False):
    from matplotlib import font_manager
    from PIL import ImageFont

    return ImageFont.truetype(font_manager.findfont("DejaVu Sans:bold" if bold else "DejaVu Sans"), size)


def _tile(rgb, box, size: int):
    import cv2

    x0, y0, x1, y1 = (int(v) for v in box)
    side = min(max(x1 - x0, y1 - y0), *rgb.shape[:2])  # square around the box's centre, inside the image
    x0 = min(max((x0 + x1 - side) // 2, 0), rgb.shape[1] - side)
    y0 = min(max((y0 + y1 - side) // 2, 0), rgb.shape[0] - side)
    return cv2.resize(rgb[y0:y0 + side, x0:x0 + side], (size, size), interpolation=cv2.INTER_AREA)


def _card(tiles, labels, title: str, line: str):
    """A THUMB x THUMB card: the tiles in a grid (1, 2 or 4 of them), each with a small label, over a band with
    the template's name and what it makes."""
    import numpy as np
    from PIL import Image, ImageDraw

    band = 84
    img = Image.new("RGB", (THUMB, THUMB), (24, 26, 30))
    area = THUMB - band
    n = len(tiles)
    cols, rows = (1, 1) if n == 1 else (2, 1) if n == 2 else (2, 2)
    side = min(THUMB // cols, area // rows)
    x_pad, y_pad = (THUMB - cols * side) // 2, (area - rows * side) // 2
    draw = ImageDraw.Draw(img)
    small = _font(13)
    for k, (tile, label) in enumerate(zip(tiles, labels)):
        x, y = x_pad + (k % cols) * side, y_pad + (k // cols) * side
        img.paste(Image.fromarray(np.ascontiguousarray(tile)).resize((side, side), Image.LANCZOS), (x, y))
        if label:
            w = draw.textlength(label, font=small)
            draw.rectangle((x + 4, y + side - 22, x + 12 + w, y + side - 4), fill=(0, 0, 0))
            draw.text((x + 8, y + side - 21), label, font=small, fill=(240, 240, 240))
    draw.text((12, area + 10), title, font=_font(19, bold=True), fill=(250, 250, 250))
    draw.text((12, area + 40), line, font=_font(13), fill=(200, 205, 215))
    return img


def _save(img, path: Path) -> None:
    for quality in (88, 80, 70, 60, 50):
        img.save(path, "JPEG", quality=quality, optimize=True, progressive=True)
        if path.stat().st_size < THUMB_MAX_BYTES:
            return
    raise RuntimeError(f"{path.name}: {path.stat().st_size} bytes even at quality {quality}")


def thumbnails(out: Path = TEMPLATES, emotion: str = DEFAULT_EMOTION) -> list[Path]:
    """Write <template>.jpg beside each template, from what the pack itself makes of the sample portrait: the CPU
    draft's frames; for the GPU templates the parts the pack gives the model (the face regions AU Text Encode
    guides, the speech, the draft's face track, the AU mesh for the ControlNet), never a model's output."""
    import cv2
    import numpy as np

    from thinkdraw_core.draft import render_draft
    from thinkdraw_core.draft.speech import load_audio
    from thinkdraw_core.face import detect_face, get_landmarker
    from thinkdraw_core.face.masks import region_masks
    from thinkdraw_core.face.track import face_track
    from thinkdraw_core.mesh_render import draw_face_mesh
    from thinkdraw_core.reasoning import reason

    samples = REPO / "example_inputs"
    image = cv2.cvtColor(cv2.imread(str(samples / SAMPLE_IMAGE)), cv2.COLOR_BGR2RGB)
    plan = reason(emotion)
    landmarker = get_landmarker()
    draft = render_draft(image, plan, seconds=2.4, fps=10, seed=0, blinks=False, landmarker=landmarker)
    box = draft.prepared.box
    n = draft.n_frames
    picks = {"start": 0, "onset": n // 4, "rising": n // 2, "apex": n - 1}
    frames = {k: draft.frame(i) for k, i in picks.items()}

    face = detect_face(image, landmarker=landmarker)
    masks = region_masks(face)
    tint = image.astype(np.float32) * 0.55
    for region, colour in REGION_COLOURS.items():
        m = masks[region][..., None]
        tint = tint * (1 - 0.55 * m) + np.array(colour, np.float32) * (0.55 * m)
    regions = _tile(np.clip(tint, 0, 255).astype(np.uint8), box, 256)

    samples_audio, rate = load_audio(samples / SAMPLE_AUDIO)
    wave_img = np.full((256, 256, 3), 30, np.uint8)
    mono = np.abs(samples_audio.mean(axis=0))
    cols = np.array_split(mono, 256)
    for x, chunk in enumerate(cols):
        h = int(min(1.0, float(chunk.max()) / max(float(mono.max()), 1e-6)) * 100)
        cv2.line(wave_img, (x, 118 - h), (x, 118 + h), (90, 170, 255), 1)

    def detect(rgb):
        return detect_face(rgb, landmarker=landmarker).bbox

    track = face_track([draft.frame(i) for i in range(n)], detect, 10.0, 16.0, size=256)

    mesh_draft = render_draft(image, plan, seconds=2.4, fps=10, seed=0, blinks=False, calibrate=False,
                              landmarker=landmarker)
    h, w = image.shape[:2]
    fx0, fy0, fx1, fy1 = face.bbox
    grow = 0.2 * max(fx1 - fx0, fy1 - fy0)
    tight = (fx0 - grow, fy0 - grow, fx1 + grow, fy1 + grow)
    mesh = {k: _tile(draw_face_mesh(mesh_draft.landmarks(i), h, w, thickness=3), tight, 256)
            for k, i in (("start", 0), ("apex", n - 1))}

    name = {p: p.stem for p in ALL}
    cards = {
        DRAFT_CPU: _card([_tile(frames[k], box, 256) for k in picks], list(picks),
                         "CPU draft, no GPU", f'"{emotion}": the draft\'s own frames'),
        HUMO: _card([_tile(image, box, 256), regions], ["the portrait", "AU regions"],
                    "HuMo talking video", "GPU: it hears the speech; the AU regions guide it"),
        S2V: _card([regions, wave_img], ["AU regions", "the speech"],
                   "Wan 2.2 S2V talking video", "GPU: long speech, drawn window by window"),
        ANIMATE: _card([track[0], track[len(track) // 3], track[2 * len(track) // 3], track[-1]],
                       ["face track", "", "", ""], "Wan 2.2 Animate", "GPU: the CPU draft's face track drives it"),
        SD15: _card([mesh["start"], mesh["apex"]], ["AU mesh, start", "AU mesh, apex"],
                    "SD1.5 ControlNet stills", "GPU: the plan's moving mesh as ControlNet"),
    }
    written = []
    for path, img in cards.items():
        target = out / f"{name[path]}.jpg"
        _save(img, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="regenerate the shipped CPU workflow from the live node schemas")
    ap.add_argument("--out", type=Path, default=DRAFT_CPU)
    ap.add_argument("--comfyui", type=Path, default=None)
    ap.add_argument("--thumbnails", action="store_true",
                    help="write each template's thumbnail (<name>.jpg beside it) instead, from the sample portrait")
    args = ap.parse_args(argv)
    if args.thumbnails:
        for path in thumbnails():
            print(f"wrote {path} ({path.stat().st_size} bytes)", file=sys.stderr)
        return 0
    with ComfyServer(comfy=args.comfyui) as server:
        workflow = build(server.object_info())
    args.out.write_text(dumps(workflow))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
