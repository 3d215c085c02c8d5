"""Expression Draft Renderer: a real talking video from a portrait and an AU plan, on CPU."""
from __future__ import annotations

import json

import numpy as np
import torch
from comfy.utils import ProgressBar
from comfy_api.latest import io

from thinkdraw_core.draft import DraftResult, render_draft
from thinkdraw_core.face import get_landmarker

from .face_masks import image_to_uint8, mediapipe_dirs
from .types import CATEGORY, Plan


def audio_tuple(audio: dict | None) -> tuple[np.ndarray, int] | None:
    """ComfyUI AUDIO -> the core's (samples [C, N], sample_rate); the first clip of a batch."""
    if audio is None:
        return None
    try:
        waveform, rate = audio["waveform"], int(audio["sample_rate"])
    except (TypeError, KeyError):
        raise ValueError("audio must be a ComfyUI AUDIO {'waveform': [batch, channels, samples], 'sample_rate'}") from None
    if waveform.ndim != 3 or waveform.shape[0] == 0 or waveform.shape[-1] == 0:
        raise ValueError(f"audio waveform must be [batch, channels, samples] and not empty, got {list(waveform.shape)}")
    return waveform[0].detach().float().cpu().numpy(), rate


def clip_inputs(image_tip: str, audio_tip: str) -> list:
    """The inputs every node that animates a portrait by a plan shares (draft renderer, mesh render)."""
    return [
        io.Image.Input("image", tooltip=image_tip),
        Plan.Input("plan"),
        io.Audio.Input("audio", optional=True, tooltip=audio_tip),
        io.Float.Input("seconds", default=4.0, min=0.0, max=600.0, step=0.1,
                       tooltip="Clip length; 0 with audio = the audio's length."),
        io.Float.Input("fps", default=25.0, min=1.0, max=120.0, step=1.0),
        io.Int.Input("seed", default=0, min=0, max=2**31 - 1, control_after_generate=False,
                     tooltip="Blinks and head sway (fixed, so an unchanged draft is cached)."),
        io.Float.Input("neutralize", default=0.8, min=0.0, max=1.0, step=0.05,
                       tooltip="How much of the photo's own expression to relax first (a smiling photo "
                               "can then look sad)."),
        io.Int.Input("face_index", default=-1, min=-1, max=31, tooltip="-1 = the largest face."),
    ]


def run_draft(image, plan, seconds, fps, seed, neutralize, face_index, audio, **options) -> DraftResult:
    """ComfyUI inputs -> the core renderer (first image of the batch, -1 = largest face, 0 s = audio length)."""
    core_audio = audio_tuple(audio)
    if seconds <= 0 and core_audio is None:
        raise ValueError("seconds must be > 0 when no audio is connected (0 means: as long as the audio)")
    return render_draft(
        image_to_uint8(image, 0), plan, audio=core_audio, seconds=None if seconds <= 0 else seconds, fps=fps,
        seed=seed, neutralize=neutralize, face_index=None if face_index < 0 else face_index,
        landmarker=get_landmarker(None, mediapipe_dirs()), **options,
    )


class ThinkDrawExpressionDraftRenderer(io.ComfyNode):
    """Warps the portrait by the plan's Action Units over time (and speaks the audio); no GPU, no weights."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawExpressionDraftRenderer",
            display_name="Expression Draft Renderer (ThinkDraw)",
            category=f"{CATEGORY}/draw",
            description="CPU draft: animates the face in the image by the AU plan (onset, apex, blinks, head sway) "
                        "and moves the jaw and lips with the audio. Calibrates itself against blendshape measurements.",
            inputs=[
                *clip_inputs("The portrait (the first image of a batch is used).",
                             "Speech to lip-sync; without it the face emotes silently."),
                io.Float.Input("crop_margin", default=0.6, min=0.1, max=3.0, step=0.05,
                               tooltip="Space around the face that is animated, as a fraction of the face size."),
            ],
            outputs=[io.Image.Output("frames", display_name="images"), io.Float.Output("frame_rate", display_name="fps"),
                     io.String.Output("calibration")],
        )

    @classmethod
    def execute(cls, image, plan, seconds, fps, seed, neutralize, face_index, crop_margin, audio=None) -> io.NodeOutput:
        result = run_draft(image, plan, seconds, fps, seed, neutralize, face_index, audio, crop_margin=crop_margin)
        bar = ProgressBar(result.n_frames)
        frames = result.to_array(progress=lambda i, n: bar.update_absolute(i, n))
        images = torch.from_numpy(frames).float().div_(255.0)
        calibration = json.dumps({k: v for k, v in result.calibration.items() if k != "iterations"})
        return io.NodeOutput(images, float(result.fps), calibration)


NODES = [ThinkDrawExpressionDraftRenderer]
