"""Soft region masks (facs.REGIONS) from the 478 MediaPipe landmarks, float32 HxW in 0..1."""
from __future__ import annotations

import cv2
import numpy as np

from ..facs import REGIONS
from .landmarks import LEFT_EYE_RING, RIGHT_EYE_RING, Face

FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
             148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
LEFT_BROW = (276, 283, 282, 295, 285, 300, 293, 334, 296, 336)
RIGHT_BROW = (46, 53, 52, 65, 55, 70, 63, 105, 66, 107)
LIPS_OUTER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185)
LIPS_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191)
NOSE = (168, 6, 197, 195, 5, 4, 1, 19, 94, 2, 98, 97, 326, 327, 294, 278, 344, 440, 275, 45, 220, 115, 48, 64,
        129, 358, 279, 331, 102, 49, 209, 429)
# Cheek centres (subject's left / right) on the zygomatic area below the eyes.
LEFT_CHEEK = (425, 411, 427, 280, 346, 352, 376, 433, 416, 266, 330, 347)
RIGHT_CHEEK = (205, 187, 207, 50, 117, 123, 147, 213, 192, 36, 101, 118)
# Lower face below the mouth: chin and jaw line between the mouth corners' verticals and the oval.
JAW = (57, 43, 106, 182, 83, 18, 313, 406, 335, 273, 287, 410, 432, 434, 364, 394, 395, 369, 396, 175, 171,
       140, 170, 169, 135, 214, 212, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58)


def _hull_mask(shape: tuple[int, int], pts: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    hull = cv2.convexHull(np.round(pts).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 255, lineType=cv2.LINE_AA)
    return mask


def _grow(pts: np.ndarray, factor: float, shift: np.ndarray | None = None) -> np.ndarray:
    centre = pts.mean(axis=0)
    out = centre + (pts - centre) * factor
    return out + shift if shift is not None else out


def region_masks(face: Face, image_size: tuple[int, int] | None = None, feather: float = 0.08) -> dict[str, np.ndarray]:
    """Soft masks for brows, eyes, cheeks, nose, mouth, jaw and the whole face.

    feather: blur radius as a fraction of the face size (inter-ocular distance).
    """
    h, w = image_size or face.image_size
    if h <= 0 or w <= 0:
        raise ValueError("region_masks needs the image size (height, width)")
    xy = face.xy.astype(np.float64)
    s = max(face.size, 1.0)
    up = _up_vector(xy)

    def pts(idx):
        return xy[list(idx)]

    raw: dict[str, np.ndarray] = {}
    # Brows: the brow band grown a little and pushed up, where the brow skin moves.
    raw["brows"] = np.maximum(_hull_mask((h, w), _grow(pts(LEFT_BROW), 1.35, up * 0.06 * s)),
                              _hull_mask((h, w), _grow(pts(RIGHT_BROW), 1.35, up * 0.06 * s)))
    raw["eyes"] = np.maximum(_hull_mask((h, w), _grow(pts(LEFT_EYE_RING), 1.5)),
                             _hull_mask((h, w), _grow(pts(RIGHT_EYE_RING), 1.5)))
    raw["cheeks"] = np.maximum(_hull_mask((h, w), _grow(pts(LEFT_CHEEK), 1.1)),
                               _hull_mask((h, w), _grow(pts(RIGHT_CHEEK), 1.1)))
    raw["nose"] = _hull_mask((h, w), _grow(pts(NOSE), 1.05))
    raw["mouth"] = _hull_mask((h, w), _grow(pts(LIPS_OUTER), 1.25))
    jaw = _hull_mask((h, w), pts(JAW)).astype(np.float32)
    raw["jaw"] = np.clip(jaw - raw["mouth"].astype(np.float32), 0, 255).astype(np.uint8)
    raw["face"] = _hull_mask((h, w), pts(FACE_OVAL))

    sigma = max(0.5, feather * s)
    out = {}
    for name, m in raw.items():
        soft = cv2.GaussianBlur(m.astype(np.float32) / 255.0, (0, 0), sigma)
        out[name] = np.clip(soft, 0.0, 1.0).astype(np.float32)
    assert set(REGIONS) <= set(out)
    return out


def _up_vector(xy: np.ndarray) -> np.ndarray:
    """Unit vector pointing from the chin towards the forehead (the face's own 'up')."""
    v = xy[10] - xy[152]
    n = np.linalg.norm(v)
    return v / n if n > 0 else np.array([0.0, -1.0])
