"""Expression Analyzer: measures the AUs a clip shows, requested vs measured, with a plot."""
from __future__ import annotations

import math

import torch
from comfy.utils import ProgressBar
from comfy_api.latest import io

from thinkdraw_core.face import get_landmarker
from thinkdraw_core.face.analyzer import analyze_frames

from .face_masks import image_to_uint8, mediapipe_dirs
from .types import CATEGORY, Plan


def finite(value):
    """NaN (an AU read in no frame: the face was lost) as None: the ui payload travels as JSON, and a NaN there
    would break the browser's parsing of the whole message."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


class ThinkDrawExpressionAnalyzer(io.ComfyNode):
    """Blendshape-measured AUs per frame (change against the first frame) against the plan."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawExpressionAnalyzer",
            display_name="Expression Analyzer (ThinkDraw)",
            category=f"{CATEGORY}/face",
            description="Measures Action Units on frames with MediaPipe blendshapes, as change from the first "
                        "(neutral) frame, and reports requested vs measured per AU plus a plot of the curves.",
            inputs=[
                io.Image.Input("images", tooltip="The clip; its first frame is the neutral reference."),
                Plan.Input("plan", optional=True, tooltip="The AU plan the clip was made from: the report sets "
                                                          "what it asked for beside what the clip shows."),
                io.Float.Input("fps", default=25.0, min=0.1, max=240.0, step=0.1,
                               tooltip="The clip's frame rate, for the plot's time axis and the plan's timing "
                                       "(connect the renderer's fps)."),
                io.Int.Input("face_index", default=-1, min=-1, max=31,
                             tooltip="Which face to measure when the clip shows several: -1 = the largest, "
                                     "0 = the first found, 1 = the second..."),
            ],
            outputs=[io.String.Output("report", tooltip="Requested vs seen per AU in plain words, misses and "
                                                         "side effects flagged."),
                     io.Image.Output("plot", tooltip="The requested AUs' curves and any that leaked, over time."),
                     io.String.Output("report_json", tooltip="The same report as JSON, for scripts.")],
        )

    @classmethod
    def execute(cls, images, fps, face_index, plan=None) -> io.NodeOutput:
        n = images.shape[0]
        bar = ProgressBar(n)
        frames = (image_to_uint8(images, i) for i in range(n))
        report = analyze_frames(frames, plan, fps, face_index=None if face_index < 0 else face_index,
                                landmarker=get_landmarker(None, mediapipe_dirs()),
                                progress=lambda i: bar.update_absolute(i, n))
        plot = torch.from_numpy(report.plot()).float().div(255.0)[None]
        # the web extension shows the rows in the AU panel of the plan node this clip was made from
        return io.NodeOutput(report.to_text(), plot, report.to_json(),
                             ui={"thinkdraw_report": [finite(report.to_dict())]})


NODES = [ThinkDrawExpressionAnalyzer]
