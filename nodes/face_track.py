"""Face Track: the draft's frames -> square face crops following the face, as Wan Animate's face_video."""
from __future__ import annotations

import numpy as np
import torch
from comfy_api.latest import io

from thinkdraw_core.face import detect_face, get_landmarker
from thinkdraw_core.face.landmarks import NoFaceError
from thinkdraw_core.face.track import face_track, model_frames

from .face_masks import image_to_uint8, mediapipe_dirs
from .types import CATEGORY


class ThinkDrawFaceTrack(io.ComfyNode):
    """Crops the face out of every frame at the video model's frame rate and length."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawFaceTrack",
            display_name="Face Track (ThinkDraw)",
            category=f"{CATEGORY}/face",
            description="Square face crops that follow the face (MediaPipe boxes, smoothed over time), resampled "
                        "from the frames' rate to the model's: connect the Expression Draft Renderer's images and "
                        "fps, and face_video to WanAnimateToVideo's face_video, length to its length.",
            inputs=[
                io.Image.Input("images", tooltip="Frames with one face (the Expression Draft Renderer's)."),
                io.Float.Input("frames_fps", default=25.0, min=1.0, max=120.0, step=1.0,
                               tooltip="The frames' rate (the draft renderer's fps output)."),
                io.Float.Input("fps", default=16.0, min=1.0, max=120.0, step=1.0,
                               tooltip="The model's frame rate (Wan 2.2 Animate: 16)."),
                io.Int.Input("length", default=0, min=0, max=100_000,
                             tooltip="Frames to make; 0 = the whole clip, rounded up to 4k+1 as Wan's VAE packs them."),
                io.Int.Input("size", default=512, min=64, max=2048, step=8,
                             tooltip="Crop side in pixels (Wan Animate reads its faces at 512)."),
                io.Float.Input("margin", default=0.3, min=0.0, max=2.0, step=0.05,
                               tooltip="Room around the face on every side, as a fraction of its size."),
                io.Float.Input("smooth_seconds", default=0.2, min=0.0, max=2.0, step=0.05,
                               tooltip="How long the crop takes to follow the face (0 = follow every frame)."),
                io.Int.Input("face_index", default=-1, min=-1, max=31, tooltip="-1 = the largest face."),
            ],
            outputs=[io.Image.Output("face_video", display_name="face_video"),
                     io.Int.Output("frames", display_name="length")],
        )

    @classmethod
    def execute(cls, images, frames_fps, fps, length, size, margin, smooth_seconds, face_index) -> io.NodeOutput:
        landmarker = get_landmarker(None, mediapipe_dirs())
        frames = [image_to_uint8(images, b) for b in range(images.shape[0])]

        def detect(rgb: np.ndarray):
            try:
                return detect_face(rgb, None if face_index < 0 else face_index, landmarker=landmarker).bbox
            except NoFaceError:
                return None  # held from the neighbouring frames

        n = length or model_frames(len(frames) / frames_fps, fps)
        crops = face_track(frames, detect, frames_fps, fps, n, size, margin, smooth_seconds)
        video = torch.from_numpy(np.stack(crops)).float() / 255.0
        return io.NodeOutput(video, n)


NODES = [ThinkDrawFaceTrack]
