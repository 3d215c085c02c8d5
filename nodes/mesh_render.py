"""AU Mesh Render: the plan's deformed face mesh per frame, drawn for a MediaPipe-face ControlNet."""
from __future__ import annotations

import torch
from comfy.utils import ProgressBar
from comfy_api.latest import io

from thinkdraw_core.mesh_render import mesh_frames

from .draft import clip_inputs, run_draft
from .types import CATEGORY


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
                *clip_inputs("The portrait whose face mesh is animated.",
                             "Speech moves the jaw and lips as in the draft."),
                io.Int.Input("thickness", default=2, min=1, max=8, tooltip="Line width in pixels (2 matches the "
                                                                           "annotator the ControlNets were trained on)."),
            ],
            outputs=[io.Image.Output("mesh"), io.Float.Output("frame_rate", display_name="fps")],
        )

    @classmethod
    def execute(cls, image, plan, seconds, fps, seed, neutralize, face_index, thickness, audio=None) -> io.NodeOutput:
        # No closed-loop calibration: the mesh shows the plan's own amplitudes, not gains tuned to a warp.
        result = run_draft(image, plan, seconds, fps, seed, neutralize, face_index, audio, calibrate=False)
        h, w = result.prepared.image.shape[:2]
        out = torch.empty((result.n_frames, h, w, 3), dtype=torch.float32)
        bar = ProgressBar(result.n_frames)
        # an arc's beats as render_draft fitted them to the clip (and the speech's pauses), as the draft draws them
        for i, frame in enumerate(mesh_frames(result, thickness)):
            out[i] = torch.from_numpy(frame).float().div_(255.0)
            bar.update_absolute(i + 1, result.n_frames)
        return io.NodeOutput(out, float(result.fps))


NODES = [ThinkDrawAUMeshRender]
