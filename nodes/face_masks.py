"""Face Region Masks: soft ComfyUI MASKs per FACS region from MediaPipe landmarks."""
from __future__ import annotations

import folder_paths
import numpy as np
import torch
from comfy_api.latest import io

from thinkdraw_core.face import detect_face, get_landmarker, region_masks
from thinkdraw_core.facs import REGIONS

from .types import CATEGORY


def mediapipe_dirs() -> list[str]:
    """ComfyUI's models/mediapipe/ folders (registered here if ComfyUI does not know the name yet)."""
    if "mediapipe" not in folder_paths.folder_names_and_paths:
        folder_paths.add_model_folder_path("mediapipe", f"{folder_paths.models_dir}/mediapipe")
    return list(folder_paths.get_folder_paths("mediapipe"))


def image_to_uint8(image: torch.Tensor, index: int = 0) -> np.ndarray:
    return (image[index, ..., :3].clamp(0, 1).cpu().numpy() * 255.0 + 0.5).astype(np.uint8)


class ThinkDrawFaceRegionMasks(io.ComfyNode):
    """One soft mask per face region (brows, eyes, cheeks, nose, mouth, jaw) plus the whole face."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawFaceRegionMasks",
            display_name="Face Region Masks (ThinkDraw)",
            category=f"{CATEGORY}/face",
            description="Soft masks for the FACS regions from MediaPipe face landmarks, for local guidance.",
            inputs=[
                io.Image.Input("image", tooltip="The portrait or frames to find the face in (a batch gives "
                                                "one mask per frame)."),
                io.Int.Input("face_index", default=-1, min=-1, max=31,
                             tooltip="-1 = the largest face; otherwise faces are numbered largest first from 0."),
                io.Float.Input("feather", default=0.08, min=0.0, max=1.0, step=0.01,
                               tooltip="Edge softness as a fraction of the inter-ocular distance."),
            ],
            outputs=[io.Mask.Output(region, display_name=region) for region in REGIONS]
            + [io.Mask.Output("face", display_name="face")],
        )

    @classmethod
    def execute(cls, image, face_index, feather) -> io.NodeOutput:
        landmarker = get_landmarker(None, mediapipe_dirs())
        per_region: dict[str, list[torch.Tensor]] = {name: [] for name in (*REGIONS, "face")}
        for b in range(image.shape[0]):
            rgb = image_to_uint8(image, b)
            face = detect_face(rgb, None if face_index < 0 else face_index, name=f"image {b} of the batch",
                               landmarker=landmarker)
            masks = region_masks(face, rgb.shape[:2], feather=feather)
            for name in per_region:
                per_region[name].append(torch.from_numpy(masks[name]))
        return io.NodeOutput(*[torch.stack(per_region[name]) for name in (*REGIONS, "face")])


NODES = [ThinkDrawFaceRegionMasks]
