"""The dense piecewise-affine warp that draws the moved landmark mesh.

The mesh (landmarks + a fixed ring around the face + the crop border) is triangulated once; each frame one
backward map is built from the moved triangles and applied with a single cv2.remap over the region that
moves, so identity and background outside it stay bit-exact. Folded triangles are mended (skin bunches
instead of tearing); what a warp cannot draw is painted over it (paint.FacePainter).
"""
from __future__ import annotations

import cv2
import numpy as np
from scipy.spatial import Delaunay

from ..face.landmarks import LEFT_EYE_RING, RIGHT_EYE_RING
from ..face.masks import FACE_OVAL, LIPS_INNER
from .geometry import FaceGeometry
from .hold_still import StillLayer
from .paint import FacePainter

# Where strong pulls fold the mesh over, the backward map jumps from one patch of skin to another: a
# visible tear. There the map is blended towards its own Gaussian-smoothed self (FOLD_SMOOTH iod), fully
# where a triangle has folded FOLD_FULL of its area back over itself and in proportion below that (so the
# mend fades in as the fold deepens), over the folded triangle, the place it came from and FOLD_REACH
# iod around them. Inside the mouth and eye openings the lips and lids meet on purpose and are left alone.
FOLD_SMOOTH, FOLD_FULL, FOLD_REACH = 0.05, 0.3, 0.04
# A triangle squeezed almost flat (a fold passing through zero area, lips meeting) has an affine that
# magnifies: the few pixels its rasterised edge covers outside it would sample far away (1e10 px seen),
# speckling the frame and costing cv2.remap's border handling milliseconds. Where one map pixel spans more
# than SLIVER_STRETCH source pixels, the triangle's samples stay within its own source box.
SLIVER_STRETCH = 4.0
OPENINGS = frozenset((*LIPS_INNER, *LEFT_EYE_RING, *RIGHT_EYE_RING, *range(468, 478)))


def signed_areas(triangles: np.ndarray) -> np.ndarray:
    """(T,) twice the signed area of each triangle (T, 3, 2): the sign is its orientation, so a triangle
    whose sign differs between the rest pose and a frame has folded over."""
    edges = triangles[:, 1:] - triangles[:, :1]
    return edges[:, 0, 0] * edges[:, 1, 1] - edges[:, 0, 1] * edges[:, 1, 0]


def _keep_in_source_box(map_x: np.ndarray, map_y: np.ndarray, index: np.ndarray, src: np.ndarray,
                        chosen: np.ndarray) -> None:
    """Clamp in place the backward map's pixels drawn by the `chosen` triangles (index = 1 + triangle, 0 =
    none) to their source triangle's bounding box."""
    flagged = np.concatenate([[False], chosen])
    rows, cols = np.nonzero(np.take(flagged, index))
    if not len(rows):
        return
    tri = index[rows, cols] - 1
    lo, hi = src[tri].min(axis=1), src[tri].max(axis=1)
    map_x[rows, cols] = np.clip(map_x[rows, cols], lo[:, 0], hi[:, 0])
    map_y[rows, cols] = np.clip(map_y[rows, cols], lo[:, 1], hi[:, 1])


class MeshWarper:
    """Warps one image (the face crop) by landmark displacements; build once per face, call per frame."""

    def __init__(self, image: np.ndarray, xy: np.ndarray, ring_scale: float = 1.45, map_max: int = 256,
                 hold_still: np.ndarray | None = None):
        """xy: the landmarks (N, 2) in the image's pixels, or (N, 3) with their depth (FaceGeometry.tall).
        hold_still: float HxW in 0..1 over the image, the parts that move only with the head (hold_still.py)."""
        self.photo = np.ascontiguousarray(image)
        self.still = StillLayer.of(self.photo, hold_still)
        # what the warp and the painting sample: the photo, with any held part filled in from around it
        self.image = self.still.behind if self.still else self.photo
        h, w = image.shape[:2]
        self.geo = FaceGeometry.from_landmarks(xy)
        self.xy = np.asarray(xy, np.float64)[:, :2]
        self.map_max = map_max
        oval = self.xy[list(FACE_OVAL)]
        centre = oval.mean(axis=0)
        ring = centre + (oval - centre) * ring_scale
        ring = np.clip(ring, 1, [w - 2, h - 2])
        n_border = 6
        t = np.linspace(0, 1, n_border, endpoint=False)
        border = np.concatenate([
            np.stack([t * (w - 1), np.zeros_like(t)], 1), np.stack([np.full_like(t, w - 1), t * (h - 1)], 1),
            np.stack([(1 - t) * (w - 1), np.full_like(t, h - 1)], 1), np.stack([np.zeros_like(t), (1 - t) * (h - 1)], 1),
        ])
        self.points = np.concatenate([self.xy, ring, border])
        self.n_moving = len(self.xy)
        self.tris = Delaunay(self.points).simplices.astype(np.int32)
        self.in_opening = np.array([all(int(v) in OPENINGS for v in t) for t in self.tris])
        # what the rest mesh gives every frame alike, worked out once: each triangle's corners, its two edges
        # from the first corner (as columns) and its signed area; a frame takes the rows of its moving ones
        self._src = self.points[self.tris]
        self._src_edges = np.stack([self._src[:, 1] - self._src[:, 0], self._src[:, 2] - self._src[:, 0]], axis=2)
        self._src_areas = signed_areas(self._src)
        self.painter = FacePainter(self.image, self.xy, self.geo)

    def warp(self, disp: np.ndarray, closure: tuple[float, float] = (0.0, 0.0), lips_sealed: float = 0.0,
             lid_raise: tuple[float, float] = (0.0, 0.0), head: np.ndarray | None = None) -> np.ndarray:
        """The image with the landmarks moved by disp (N, 2) pixels; closure = eyelid closure (left, right),
        lips_sealed = how far disp brings the lips together (lip_seal_amount), for the line where they meet,
        lid_raise = the lid raiser's (AU5) drawn intensity (left, right), for the eyeballs it uncovers,
        head = the head's rigid motion in disp (2x3 affine), which alone moves the held-still parts."""
        roi = self.warp_roi(disp)
        if roi is None:
            return self.photo.copy()
        out = self.image.copy()
        x0, y0, x1, y1, map_x, map_y = roi
        out[y0:y1, x0:x1] = cv2.remap(self.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        self.painter.paint(out, self.xy + disp, closure, lips_sealed, lid_raise)
        if self.still:
            self.still.over(out, head)
        return out

    def folded_skin(self, disp: np.ndarray) -> np.ndarray:
        """(T,) bool over self.tris: the triangles outside the mouth and eye openings that disp (N, 2) turns
        inside out, the ones the warp mends."""
        full = np.zeros_like(self.points)
        full[: self.n_moving] = disp
        rest, now = signed_areas(self.points[self.tris]), signed_areas((self.points + full)[self.tris])
        return (np.sign(rest) != np.sign(now)) & ~self.in_opening

    def warp_roi(self, disp: np.ndarray):
        """(x0, y0, x1, y1, map_x, map_y): the backward map over the box the moving triangles cover."""
        h, w = self.image.shape[:2]
        full = np.zeros_like(self.points)
        full[: self.n_moving] = disp
        # per column and per corner: numpy reduces over a short last axis several times slower
        shift = np.abs(full)
        moved = np.maximum(shift[:, 0], shift[:, 1]) > 0.02
        corner_moved = moved[self.tris]
        tri_moving = corner_moved[:, 0] | corner_moved[:, 1] | corner_moved[:, 2]
        if not tri_moving.any():
            return None
        tris = self.tris[tri_moving]
        in_opening = self.in_opening[tri_moving]
        src = self._src[tri_moving]  # (T, 3, 2)
        dst = (self.points + full)[tris]
        both = np.concatenate([src.reshape(-1, 2), dst.reshape(-1, 2)])
        # x and y apart: numpy reduces an (M, 2) array over its first axis some eight times slower
        xs, ys = both[:, 0], both[:, 1]
        x0, y0 = np.floor([xs.min(), ys.min()]).astype(int)
        x1, y1 = np.ceil([xs.max(), ys.max()]).astype(int) + 1
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        rw, rh = x1 - x0, y1 - y0
        k = min(1.0, self.map_max / max(rw, rh))
        mw, mh = max(2, int(round(rw * k))), max(2, int(round(rh * k)))
        sx, sy = mw / rw, mh / rh
        # affine dst -> src per triangle, in closed form for all triangles at once (no 3x3 solves)
        m = np.stack([dst[:, 1] - dst[:, 0], dst[:, 2] - dst[:, 0]], axis=2)  # (T, 2, 2) columns
        p = self._src_edges[tri_moving]
        det = m[:, 0, 0] * m[:, 1, 1] - m[:, 0, 1] * m[:, 1, 0]
        det = np.where(np.abs(det) < 1e-9, 1e-9, det)  # a collapsed triangle covers no pixel anyway
        minv = np.stack([np.stack([m[:, 1, 1], -m[:, 0, 1]], 1), np.stack([-m[:, 1, 0], m[:, 0, 0]], 1)], 1) / det[:, None, None]
        lin = p @ minv  # (T, 2, 2): src = lin @ x + off
        off = src[:, 0] - np.einsum("tij,tj->ti", lin, dst[:, 0])
        affine = np.concatenate([lin.transpose(0, 2, 1), off[:, None, :]], axis=1)  # [x y 1] @ A = src
        ident = np.array([[[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]])
        affine = np.concatenate([ident, affine]).astype(np.float32)
        index = np.zeros((mh, mw), np.int32)
        # triangle corners in map pixels (cv2 draws with 4 fractional bits)
        pts = np.round(((dst - [x0, y0]) * [sx, sy] - 0.5 + 0.5) * 16).astype(np.int32)
        # a triangle that folded over (strong pulls on a fine mesh) is drawn first, so the unfolded
        # neighbours it overlaps win and the fold leaves no specks sampled from the wrong place
        area_src, area_dst = self._src_areas[tri_moving], signed_areas(dst)
        folded = np.sign(area_src) != np.sign(area_dst)
        order = np.argsort(~folded, kind="stable")
        fill = cv2.fillConvexPoly  # about a thousand calls a frame: positional arguments, no lookups
        for tri, value in zip(list(pts[order]), (order + 1).tolist()):
            fill(index, tri, value, cv2.LINE_8, 4)
        gx = (np.arange(mw, dtype=np.float32) + 0.5) / sx - 0.5 + x0
        gy = (np.arange(mh, dtype=np.float32) + 0.5) / sy - 0.5 + y0
        # one coefficient at a time: six small gathers into contiguous planes cost half of one gather of
        # the (mh, mw, 3, 2) block and strided arithmetic on it, for the same sums in the same order
        coef = np.ascontiguousarray(affine.reshape(len(affine), 6).T)  # rows: a00 a01 a10 a11 a20 a21
        map_x = np.take(coef[0], index) * gx[None, :]
        map_x += np.take(coef[2], index) * gy[:, None]
        map_x += np.take(coef[4], index)
        map_y = np.take(coef[1], index) * gx[None, :]
        map_y += np.take(coef[3], index) * gy[:, None]
        map_y += np.take(coef[5], index)
        sliver = np.abs(lin).max(axis=(1, 2)) > SLIVER_STRETCH
        if sliver.any():
            _keep_in_source_box(map_x, map_y, index, src, sliver)
        depth = np.where(folded & ~in_opening, np.abs(area_dst) / np.maximum(np.abs(area_src), 1e-9), 0.0)
        if depth.any():
            map_x, map_y = self._mend_folds(map_x, map_y, gx, gy, src, dst, depth, (x0, y0), (sx, sy))
        if (mw, mh) != (rw, rh):
            # resize samples map pixel centres onto ROI pixel centres, matching gx/gy above
            map_x = cv2.resize(map_x, (rw, rh), interpolation=cv2.INTER_LINEAR)
            map_y = cv2.resize(map_y, (rw, rh), interpolation=cv2.INTER_LINEAR)
        return x0, y0, x1, y1, map_x.astype(np.float32), map_y.astype(np.float32)

    def _mend_folds(self, map_x: np.ndarray, map_y: np.ndarray, gx: np.ndarray, gy: np.ndarray, src: np.ndarray,
                    dst: np.ndarray, depth: np.ndarray, origin: tuple[int, int], scale: tuple[float, float]
                    ) -> tuple[np.ndarray, np.ndarray]:
        """The backward map (map pixels) blended towards its smoothed self over the folds (see FOLD_SMOOTH),
        so a fold reads as skin bunching up instead of a tear. depth: (T,) how far each triangle folded."""
        weight = np.zeros(map_x.shape, np.float32)
        folds = np.nonzero(depth)[0]
        folds = folds[np.argsort(depth[folds])]  # the deepest fold is drawn last and wins where they meet
        level = np.minimum(1.0, depth[folds] / FOLD_FULL).tolist()
        corners = np.round((np.stack([src[folds], dst[folds]], axis=1) - origin) * scale * 16).astype(np.int32)
        fill = cv2.fillConvexPoly  # a hundred calls a frame or so: positional arguments, no lookups
        # each fold twice, where it came from and where it lies now
        for tri, fold in zip(list(corners.reshape(-1, 3, 2)), np.repeat(level, 2).tolist()):
            fill(weight, tri, fold, cv2.LINE_8, 4)
        px = self.geo.size * ((scale[0] + scale[1]) / 2)  # one inter-ocular distance in map pixels
        # the blur spreads the weight over the reach and thins it, so the triangles themselves stay at full
        weight = np.clip(cv2.GaussianBlur(weight, (0, 0), FOLD_REACH * px) * 3.0, 0.0, 1.0)
        mended = weight > 1e-3
        ys, xs = np.flatnonzero(mended.any(axis=1)), np.flatnonzero(mended.any(axis=0))  # its rows and columns
        if len(xs) == 0:
            return map_x, map_y
        # only the mended patch and the smoothing's reach around it are worked on
        sigma = FOLD_SMOOTH * px
        pad = int(np.ceil(3 * sigma))
        h, w = weight.shape
        y0, y1, x0, x1 = max(0, ys[0] - pad), min(h, ys[-1] + pad + 1), max(0, xs[0] - pad), min(w, xs[-1] + pad + 1)
        mx, my, wt = map_x[y0:y1, x0:x1], map_y[y0:y1, x0:x1], weight[y0:y1, x0:x1]
        dx, dy = mx - gx[None, x0:x1], my - gy[y0:y1, None]
        # a triangle squashed flat maps its few pixels anywhere: leave those out of the average
        valid = (np.hypot(dx, dy) < self.geo.size).astype(np.float32)
        norm = np.maximum(cv2.GaussianBlur(valid, (0, 0), sigma), 1e-6)
        smooth_x = cv2.GaussianBlur(dx * valid, (0, 0), sigma) / norm
        smooth_y = cv2.GaussianBlur(dy * valid, (0, 0), sigma) / norm
        map_x, map_y = map_x.copy(), map_y.copy()
        map_x[y0:y1, x0:x1] = mx * (1.0 - wt) + (gx[None, x0:x1] + smooth_x) * wt
        map_y[y0:y1, x0:x1] = my * (1.0 - wt) + (gy[y0:y1, None] + smooth_y) * wt
        return map_x, map_y
