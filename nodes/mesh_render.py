"""AU Mesh Render: the plan's deformed face mesh per frame, drawn for a MediaPipe-face ControlNet."""
from __future__ import annotations

import numpy as np
import torch
from comfy.utils import ProgressBar
from comfy_api.latest import io

from thinkdraw_core.draft import render_draft
from thinkdraw_core.face import get_landmarker
from thinkdraw_core.mesh_render import draw_face_mesh

from .draft import audio_tuple
from .face_masks import image_to_uint8, mediapipe_dirs
from .types import CATEGORY, Plan


class ThinkDrawAUMeshRender(io.ComfyNode):
    """Moves the portrait's landmark mesh by the plan over time and draws it as ControlNet line art."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawAUMeshRender",
            display_name="AU Mesh Render (ThinkDraw)",
            category=f"{CATEGORY}/guidance",
            description="Face oval, eyes, brows, lips and pupils on black, per frame, in the MediaPipe-face "
                        "ControlNet style, moved by the AU plan with the same dynamics as the draft renderer.",
            inputs=[
                io.Image.Input("image", tooltip="The portrait whose face mesh is animated."),
                Plan.Input("plan"),
                io.Audio.Input("audio", optional=True, tooltip="Speech moves the jaw and lips as in the draft."),
                io.Float.Input("seconds", default=4.0, min=0.0, max=600.0, step=0.1,
                               tooltip="Clip length; 0 with audio = the audio's length."),
                io.Float.Input("fps", default=25.0, min=1.0, max=120.0, step=1.0),
                io.Int.Input("seed", default=0, min=0, max=2**31 - 1),
                io.Float.Input("neutralize", default=0.8, min=0.0, max=1.0, step=0.05),
                io.Int.Input("face_index", default=-1, min=-1, max=31, tooltip="-1 = the largest face."),
                io.Int.Input("thickness", default=2, min=1, max=8, tooltip="Line width in pixels (2 matches the "
                                                                           "annotator the ControlNets were trained on)."),
            ],
            outputs=[io.Image.Output("mesh"), io.Float.Output("frame_rate", display_name="fps")],
        )

    @classmethod
    def execute(cls, image, plan, seconds, fps, seed, neutralize, face_index, thickness, audio=None) -> io.NodeOutput:
        core_audio = audio_tuple(audio)
        if seconds <= 0 and core_audio is None:
            raise ValueError("seconds must be > 0 when no audio is connected (0 means: as long as the audio)")
        portrait = image_to_uint8(image, 0)
        # No closed-loop calibration: the mesh shows the plan's own amplitudes, not gains tuned to a warp.
        result = render_draft(
            portrait, plan, audio=core_audio, seconds=None if seconds <= 0 else seconds, fps=fps, seed=seed,
            neutralize=neutralize, face_index=None if face_index < 0 else face_index, calibrate=False,
            landmarker=get_landmarker(None, mediapipe_dirs()),
        )
        h, w = portrait.shape[:2]
        out = torch.empty((result.n_frames, h, w, 3), dtype=torch.float32)
        bar = ProgressBar(result.n_frames)
        for i in range(result.n_frames):
            frame = draw_face_mesh(result.landmarks(i), h, w, thickness=thickness)
            out[i] = torch.from_numpy(frame).float().div_(255.0)
            bar.update_absolute(i + 1, result.n_frames)
        return io.NodeOutput(out, float(result.fps))


NODES = [ThinkDrawAUMeshRender]
