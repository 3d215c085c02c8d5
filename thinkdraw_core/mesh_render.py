"""Draw a face mesh in the MediaPipe-face ControlNet style (outlines on black).

The face ControlNets (e.g. CrucibleAI's ControlNetMediaPipeFace) were trained on annotations drawn
with fixed colours per feature: face oval, eyes, brows and lips as 2-px polylines and the two pupils
as small squares. Matching that convention lets the AU plan drive a face ControlNet directly.

The mesh moves as the CPU draft moves it (`mesh_frames`): the plan's AUs over time come from
beats.au_curves, so an arc's change of feeling lands on the same frame in the mesh, the draft and the
guidance, with blinks, head sway and speech running on across the beats.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import cv2
import numpy as np

# RGB colours of the annotator convention (it drew BGR tuples and flipped the finished image).
_COLOURS_RGB = {
    "FACE_OVAL": (10, 200, 10),
    "LIPS": (10, 180, 10),
    "LEFT_EYE": (10, 200, 180),
    "LEFT_EYEBROW": (10, 220, 180),
    "RIGHT_EYE": (180, 200, 10),
    "RIGHT_EYEBROW": (180, 220, 10),
}
# MediaPipe's "LEFT" is the subject's left; the annotator's colours were keyed the same way.
_PUPILS_RGB = {468: (250, 200, 10), 473: (10, 200, 250)}
N_LANDMARKS = 478


@lru_cache(maxsize=1)
def _feature_edges() -> tuple[tuple[np.ndarray, tuple[int, int, int]], ...]:
    from mediapipe.tasks.python.vision import FaceLandmarksConnections as conn

    out = []
    for feature, colour in _COLOURS_RGB.items():
        edges = getattr(conn, f"FACE_LANDMARKS_{feature}")
        out.append((np.array([(e.start, e.end) for e in edges], dtype=np.int64), colour))
    return tuple(out)


def draw_face_mesh(landmarks_px: np.ndarray, height: int, width: int, thickness: int = 2,
                   canvas: np.ndarray | None = None) -> np.ndarray:
    """Render one face: landmarks_px is (478, 2) pixel coordinates (x, y). Returns uint8 RGB HxWx3."""
    pts = np.asarray(landmarks_px, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[0] < N_LANDMARKS or pts.shape[1] < 2:
        raise ValueError(f"landmarks must be ({N_LANDMARKS}, 2) pixel coordinates with irises, got {pts.shape}")
    img = np.zeros((height, width, 3), np.uint8) if canvas is None else canvas
    # cv2 draws with sub-pixel precision through fixed-point shifts; that keeps small AU motion visible.
    shift = 4
    fixed = np.round(pts[:, :2] * (1 << shift)).astype(np.int32)
    for edges, colour in _feature_edges():
        segments = fixed[edges]  # (E, 2, 2)
        cv2.polylines(img, list(segments), isClosed=False, color=colour, thickness=thickness,
                      lineType=cv2.LINE_AA, shift=shift)
    half = max(1, thickness)
    for idx, colour in _PUPILS_RGB.items():
        x, y = np.round(pts[idx, :2]).astype(int)
        img[max(0, y - half):max(0, y + half), max(0, x - half):max(0, x + half)] = colour
    return img


def mesh_frames(draft, thickness: int = 2) -> Iterator[np.ndarray]:
    """The draft's moving face mesh, one uint8 RGB frame at a time, at the size of its image. `draft` is a
    draft.DraftResult (drawn uncalibrated for a ControlNet: the mesh shows the plan's own amplitudes): each
    frame's landmarks are where the draft's warp moves them."""
    h, w = draft.prepared.image.shape[:2]
    for i in range(draft.n_frames):
        yield draw_face_mesh(draft.landmarks(i), h, w, thickness=thickness)
