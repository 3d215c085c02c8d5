"""The face-local frame every part of the draft works in, and the Gaussian spread its fields share.

FaceGeometry: origin between the eyes, x towards the subject's left, y towards the chin, in units of the
inter-ocular distance (iod), so the same numbers move big and small faces alike.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..face.landmarks import eye_centre


# False: every face as if seen from the front (tall 1), for before/after comparisons only
POSED = True
# past a turn of about 60 degrees the landmarker's depth says little; a face that turned is not drawn taller
TALL_MAX = 2.0


@dataclass
class FaceGeometry:
    """The face-local frame: origin between the eyes, x towards the subject's left, y towards the chin."""

    origin: np.ndarray
    ex: np.ndarray
    ey: np.ndarray
    size: float  # inter-ocular distance in pixels
    # A head turned aside shows its eye distance shortened (by the cosine of the turn) but its height in full,
    # so an inter-ocular unit up and down the face is `tall` times `size` pixels: the eyes' distance in 3-D
    # (MediaPipe's z is on x's scale) over their distance in the picture; 1 where no depth is known.
    tall: float = 1.0

    @property
    def height(self) -> float:
        """Pixels per inter-ocular distance up and down the face (`size` across it)."""
        return self.size * self.tall

    @classmethod
    def from_landmarks(cls, xy: np.ndarray) -> "FaceGeometry":
        """The frame of a face's landmarks: (N, 2) pixels, or (N, 3) with their depth, which sets `tall`."""
        xy = np.asarray(xy, np.float64)
        left, right = eye_centre(xy, "left"), eye_centre(xy, "right")  # (x, y) or (x, y, z)
        apart = left - right
        size = float(np.linalg.norm(apart[:2]))
        if size < 2.0:
            raise ValueError("the face is too small to animate (eyes less than 2 pixels apart)")
        tall = float(np.clip(np.linalg.norm(apart) / size, 1.0, TALL_MAX)) if POSED else 1.0
        ex = apart[:2] / size
        ey = np.array([-ex[1], ex[0]])
        if np.dot(ey, xy[152, :2] - xy[10, :2]) < 0:  # keep y pointing at the chin even for mirrored meshes
            ey = -ey
        return cls((left[:2] + right[:2]) / 2, ex, ey, size, tall)

    def side_of(self, xy: np.ndarray) -> np.ndarray:
        """+1 on the subject's left, -1 on the right, for each point."""
        return np.sign((xy - self.origin) @ self.ex)

    def on_midline(self, point: np.ndarray) -> bool:
        """Whether a point sits on the face's midline (it then belongs half to each side)."""
        return abs(float((point - self.origin) @ self.ex)) < 0.04 * self.size


def spread(xy: np.ndarray, centres: np.ndarray, vectors: np.ndarray, sigma: float) -> np.ndarray:
    """(N, 2): the control vectors carried to every point, a weighted mean near the controls and a
    Gaussian-decaying pull away from them (sigma in pixels)."""
    g = _gaussian(xy, centres, sigma)
    return (g @ vectors) / np.maximum(1.0, g.sum(1, keepdims=True))


def spread_near(xy: np.ndarray, centres: np.ndarray, vectors: np.ndarray, sigma: float) -> np.ndarray:
    """spread for the fields worked out every frame: only the points within 5 sigma of the controls' box
    are computed (beyond it a control's weight is under 4e-6), which halves the cost around the mouth."""
    near = _near(xy, centres, sigma)
    out = np.zeros_like(xy)
    out[near] = spread(xy[near], centres, vectors, sigma)
    return out


def spread_weights(xy: np.ndarray, centres: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """spread_near for controls that stay where they are while their vectors change frame by frame: (the indices
    of the points near them, the weights that carry the vectors there), so a frame's field is one product."""
    near = np.flatnonzero(_near(xy, centres, sigma))
    g = _gaussian(xy[near], centres, sigma)
    return near, g / np.maximum(1.0, g.sum(1, keepdims=True))


def _gaussian(xy: np.ndarray, centres: np.ndarray, sigma: float) -> np.ndarray:
    """(N, K): each control's Gaussian weight at each point."""
    # x and y apart, not one (N, K, 2) block summed over its last axis: the same sums, a third of the time
    dx = xy[:, None, 0] - centres[None, :, 0]
    dy = xy[:, None, 1] - centres[None, :, 1]
    return np.exp(-(dx * dx + dy * dy) / (2 * sigma ** 2))


def _near(xy: np.ndarray, centres: np.ndarray, sigma: float) -> np.ndarray:
    """Which points lie within 5 sigma of the controls' box."""
    lo, hi = centres.min(axis=0) - 5 * sigma, centres.max(axis=0) + 5 * sigma
    x, y = xy[:, 0], xy[:, 1]  # a column at a time: numpy reduces (N, 2) over its short axis slowly
    return (x >= lo[0]) & (x <= hi[0]) & (y >= lo[1]) & (y <= hi[1])


def line_at(u: np.ndarray, line_u: np.ndarray, line_v: np.ndarray) -> np.ndarray:
    """The height v of a landmark line (its points' face-frame coordinates, in any order) at each u."""
    order = np.argsort(line_u)
    return np.interp(u, line_u[order], line_v[order])
