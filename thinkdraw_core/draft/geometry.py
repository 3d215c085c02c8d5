"""The face-local frame every part of the draft works in, and the Gaussian spread its fields share.

FaceGeometry: origin between the eyes, x towards the subject's left, y towards the chin, in units of the
inter-ocular distance (iod), so the same numbers move big and small faces alike.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..face.landmarks import eye_centre


@dataclass
class FaceGeometry:
    """The face-local frame: origin between the eyes, x towards the subject's left, y towards the chin."""

    origin: np.ndarray
    ex: np.ndarray
    ey: np.ndarray
    size: float  # inter-ocular distance in pixels

    @classmethod
    def from_landmarks(cls, xy: np.ndarray) -> "FaceGeometry":
        left, right = eye_centre(xy, "left"), eye_centre(xy, "right")
        ex = left - right
        size = float(np.linalg.norm(ex))
        if size < 2.0:
            raise ValueError("the face is too small to animate (eyes less than 2 pixels apart)")
        ex = ex / size
        ey = np.array([-ex[1], ex[0]])
        if np.dot(ey, xy[152] - xy[10]) < 0:  # keep y pointing at the chin even for mirrored meshes
            ey = -ey
        return cls((left + right) / 2, ex, ey, size)

    def side_of(self, xy: np.ndarray) -> np.ndarray:
        """+1 on the subject's left, -1 on the right, for each point."""
        return np.sign((xy - self.origin) @ self.ex)

    def on_midline(self, point: np.ndarray) -> bool:
        """Whether a point sits on the face's midline (it then belongs half to each side)."""
        return abs(float((point - self.origin) @ self.ex)) < 0.04 * self.size


def spread(xy: np.ndarray, centres: np.ndarray, vectors: np.ndarray, sigma: float) -> np.ndarray:
    """(N, 2): the control vectors carried to every point, a weighted mean near the controls and a
    Gaussian-decaying pull away from them (sigma in pixels)."""
    # x and y apart, not one (N, K, 2) block summed over its last axis: the same sums, a third of the time
    dx = xy[:, None, 0] - centres[None, :, 0]
    dy = xy[:, None, 1] - centres[None, :, 1]
    d2 = dx * dx + dy * dy
    g = np.exp(-d2 / (2 * sigma ** 2))
    return (g @ vectors) / np.maximum(1.0, g.sum(1, keepdims=True))


def spread_near(xy: np.ndarray, centres: np.ndarray, vectors: np.ndarray, sigma: float) -> np.ndarray:
    """spread for the fields worked out every frame: only the points within 5 sigma of the controls' box
    are computed (beyond it a control's weight is under 4e-6), which halves the cost around the mouth."""
    lo, hi = centres.min(axis=0) - 5 * sigma, centres.max(axis=0) + 5 * sigma
    x, y = xy[:, 0], xy[:, 1]  # a column at a time: numpy reduces (N, 2) over its short axis slowly
    near = (x >= lo[0]) & (x <= hi[0]) & (y >= lo[1]) & (y <= hi[1])
    out = np.zeros_like(xy)
    out[near] = spread(xy[near], centres, vectors, sigma)
    return out


def line_at(u: np.ndarray, line_u: np.ndarray, line_v: np.ndarray) -> np.ndarray:
    """The height v of a landmark line (its points' face-frame coordinates, in any order) at each u."""
    order = np.argsort(line_u)
    return np.interp(u, line_u[order], line_v[order])
