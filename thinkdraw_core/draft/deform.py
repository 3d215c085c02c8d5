"""Per-AU displacement of the landmark mesh and the dense piecewise-affine warp that draws it.

Each AU pulls a few control landmarks in the direction its muscle pulls (in a face-local frame,
in units of the inter-ocular distance, so the same plan moves big and small faces alike), spread
to neighbouring landmarks with a Gaussian falloff. Left/right are the subject's own. The mesh
(landmarks + a fixed ring around the face + the crop border) is triangulated once; each frame
one backward map is built from the moved triangles and applied with a single cv2.remap over the
region that moves, so identity and background outside it stay bit-exact.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import Delaunay

from ..face.landmarks import LEFT_EYE_RING, RIGHT_EYE_RING, eye_centre
from ..face.masks import FACE_OVAL, LEFT_CHEEK, LIPS_INNER, RIGHT_CHEEK

# (right-side indices, left-side mirror indices); midline points appear in both with half weight.
INNER_BROW = ((107, 66, 55, 65), (336, 296, 285, 295))
MID_BROW = ((105, 52), (334, 282))
OUTER_BROW = ((70, 63, 46, 53), (300, 293, 276, 283))
UPPER_LID = ((246, 161, 160, 159, 158, 157, 173), (466, 388, 387, 386, 385, 384, 398))
LOWER_LID = ((7, 163, 144, 145, 153, 154, 155), (249, 390, 373, 374, 380, 381, 382))
UPPER_CREASE = ((247, 30, 29, 27, 28, 56, 190), (467, 260, 259, 257, 258, 286, 414))
LOWER_CREASE = ((25, 110, 24, 23, 22, 26, 112), (255, 339, 254, 253, 252, 256, 341))
CHEEK = ((205, 50, 117, 118, 101, 36, 187, 123), (425, 280, 346, 347, 330, 266, 411, 352))
ALAR = ((129, 98, 64, 48, 102), (358, 327, 294, 278, 331))
CORNER = ((61, 78, 62, 76), (291, 308, 292, 306))
UPPER_LIP = ((0, 37, 39, 40, 185, 13, 82, 81, 80, 191), (0, 267, 269, 270, 409, 13, 312, 311, 310, 415))
UPPER_LIP_LATERAL = ((40, 185, 39, 80, 191), (270, 409, 269, 310, 415))
UPPER_LIP_OUTER = ((0, 37, 39, 40, 185), (0, 267, 269, 270, 409))
LOWER_LIP_OUTER = ((17, 84, 181, 91, 146), (17, 314, 405, 321, 375))
LOWER_LIP_INNER = ((14, 87, 178, 88, 95), (14, 317, 402, 318, 324))
LOWER_LIP_LATERAL = ((146, 91, 95, 88), (375, 321, 324, 318))
UPPER_LIP_INNER = ((13, 82, 81, 80, 191), (13, 312, 311, 310, 415))
CHIN = ((152, 175, 199, 200, 18, 171, 148, 208), (152, 175, 199, 200, 18, 396, 377, 428))
JAW_SIDE = ((176, 149, 150, 136, 140, 170, 169), (400, 378, 379, 365, 369, 395, 394))
GLABELLA = ((9, 8, 168), (9, 8, 168))
NOSE_BRIDGE = ((6, 197), (6, 197))
NOSE_LOWER = ((195, 5, 4, 1), (195, 5, 4, 1))
UPPER_LIP_MID = ((0, 37, 13, 82), (0, 267, 13, 312))
LOWER_LIP_MID = ((17, 84, 14, 87, 181, 178), (17, 314, 14, 317, 405, 402))
# what the jaw carries: the lower lip rides on it, so a jaw drop moves lip and chin as one
LOWER_JAW = tuple(a + b + c for a, b, c in zip(LOWER_LIP_INNER, LOWER_LIP_OUTER, CHIN))

# An AU's pulls: (group, (lateral, down) in inter-ocular units, sigma in inter-ocular units).
# lateral > 0 pulls towards the subject's own outside of the face on that side.
Pull = tuple[tuple[tuple[int, ...], tuple[int, ...]], tuple[float, float], float]

AU_PULLS: dict[int, list[Pull]] = {
    1: [(INNER_BROW, (0.02, -0.16), 0.12), (MID_BROW, (0.0, -0.07), 0.1)],
    2: [(OUTER_BROW, (0.01, -0.16), 0.12), (MID_BROW, (0.0, -0.09), 0.1)],
    # corrugator + depressor: the whole brow comes down (the blendshape reads the outer part) and the
    # inner heads draw together; tight sigmas keep the lids from being pushed shut
    4: [(INNER_BROW, (-0.10, 0.07), 0.09), (MID_BROW, (-0.05, 0.10), 0.09), (OUTER_BROW, (-0.01, 0.08), 0.09),
        (GLABELLA, (0.0, 0.02), 0.08)],
    5: [(UPPER_LID, (0.0, -0.065), 0.035), (UPPER_CREASE, (0.0, -0.04), 0.04)],
    # orbicularis oculi, orbital part: the cheek rises and bunches the lower-lid skin from below
    6: [(CHEEK, (0.0, -0.07), 0.12), (LOWER_CREASE, (0.0, -0.015), 0.04)],
    # palpebral part: the lower lid rises and straightens; the upper lid stays (that is a blink)
    7: [(LOWER_LID, (0.0, -0.055), 0.035), (LOWER_CREASE, (0.0, -0.03), 0.05)],
    # levator labii alaeque nasi + procerus: alae and the lip above them rise, the bridge skin bunches
    # down towards the lowered inner brows
    9: [(ALAR, (-0.015, -0.08), 0.08), (NOSE_LOWER, (0.0, -0.03), 0.06), (UPPER_LIP_OUTER, (0.0, -0.03), 0.08),
        (NOSE_BRIDGE, (0.0, 0.03), 0.07), (GLABELLA, (0.0, 0.04), 0.08), (INNER_BROW, (-0.02, 0.04), 0.08)],
    10: [(UPPER_LIP, (0.0, -0.10), 0.1), (ALAR, (0.0, -0.03), 0.1)],
    11: [(UPPER_LIP_LATERAL, (0.03, -0.06), 0.1)],
    # zygomaticus major pulls the corner up and out along the cheek; the upper lip centre stays
    12: [(CORNER, (0.15, -0.12), 0.11), (UPPER_LIP_MID, (0.0, 0.02), 0.05)],
    13: [(CORNER, (0.05, -0.15), 0.12)],
    14: [(CORNER, (0.07, -0.01), 0.1)],
    # depressor anguli oris: corners down and a little out, the lower lip bends into an inverted U
    15: [(CORNER, (0.05, 0.15), 0.10), (LOWER_LIP_LATERAL, (0.02, 0.07), 0.07), (LOWER_LIP_MID, (0.0, -0.015), 0.05)],
    16: [(LOWER_LIP_OUTER, (0.01, 0.09), 0.12), (LOWER_LIP_INNER, (0.01, 0.08), 0.1)],
    # mentalis: the chin boss pushes up and the lower lip centre rides up with it
    17: [(CHIN, (0.0, -0.12), 0.16), (LOWER_LIP_MID, (0.0, -0.10), 0.06), (LOWER_LIP_OUTER, (0.0, -0.07), 0.08)],
    18: [(CORNER, (-0.16, 0.0), 0.12), (LOWER_LIP_LATERAL, (-0.08, 0.0), 0.08), (UPPER_LIP_LATERAL, (-0.08, 0.0), 0.08)],
    20: [(CORNER, (0.17, 0.03), 0.16), (LOWER_LIP_LATERAL, (0.06, 0.02), 0.1)],
    22: [(CORNER, (-0.10, 0.0), 0.1), (UPPER_LIP_INNER, (0.0, -0.04), 0.06), (LOWER_LIP_INNER, (0.0, 0.06), 0.06)],
    # orbicularis oris: the lip lines press in and the red thins (lip_thinning_field, by the red's own
    # height). A real AU23 narrows the mouth a little, but the corners drawn in read as the dimpler (AU14)
    # and lower mouthPress on a relaxed smile, so they stay
    23: [(UPPER_LIP_OUTER, (0.0, 0.03), 0.05), (LOWER_LIP_OUTER, (0.0, -0.05), 0.05),
         (LOWER_LIP_MID, (0.0, -0.03), 0.05)],
    24: [(UPPER_LIP_OUTER, (0.0, 0.04), 0.05), (LOWER_LIP_OUTER, (0.0, -0.04), 0.05), (CHIN, (0.0, -0.02), 0.15)],
    # lips part on a small jaw drop; the lower lip parts a little further than the jaw under it and the
    # upper lip stays (lifting it reads as the upper lip raiser, AU10)
    25: [(LOWER_JAW, (0.0, 0.14), 0.12), (LOWER_LIP_INNER, (0.0, 0.03), 0.06), (JAW_SIDE, (0.0, 0.09), 0.15)],
    # the jaw itself turns (JAW_TURN); the upper lip stretches down a little over the opening (less of it
    # over the teeth reads as the upper lip raiser, AU10), and the lip ring, stretched open, draws the
    # corners in: the mouth becomes an oval, not a wide slot (a wide, flat-bottomed opening reads as the
    # lower lip pulled down, AU16)
    26: [(UPPER_LIP, (0.0, 0.04), 0.08), (CORNER, (-0.10, 0.03), 0.06)],
    27: [(UPPER_LIP, (0.0, 0.045), 0.08), (CORNER, (-0.03, 0.04), 0.08)],
    28: [(UPPER_LIP_OUTER, (0.0, 0.045), 0.06), (LOWER_LIP_OUTER, (0.0, -0.045), 0.06)],
}
# A wide-open jaw turns about the jaw joints, so each point drops in proportion to how far in front of the
# joints it sits: the lower lip and chin most, the jaw angle hardly at all, and the jaw keeps its round
# outline (moving the chin further than the jaw's sides draws a V). Radians at intensity 1; the lower lip
# sits about one inter-ocular distance in front of the joints, so 26 drops it by about 0.4.
JAW_TURN = {26: 0.38, 27: 0.58}
JAW_JOINT_LEVEL = (234, 454, 93, 323)  # the outline beside the ears: about as deep as the joints
# the skin beside the mouth goes with the jaw from this far above the corners (in inter-ocular units)
# to fully this far below them
JAW_SKIN_RAMP = (-0.12, 0.20)
# Eye closure is relative to this face's own lids: the upper lid travels this share of the way to the lower.
CLOSURE_AUS = (43, 45, 46)
LID_TRAVEL = 0.92

# The lip tightener and pressor bring the lips together (orbicularis oris closes the mouth), fully from
# this intensity on; an opening AU (lips part, jaw drop) wins over them at OPEN_WINS times its intensity.
# The lips meet this share of the way from the upper lip, and the outer lip lines follow the inner ones
# this much, so the lips keep their fullness instead of stretching over the gap.
LIP_SEAL_AUS, LIP_OPENING_AUS = (23, 24), (25, 26, 27)
LIP_SEAL_FULL, OPEN_WINS = 0.5, 2.5
SEAL_UPPER_SHARE, SEAL_OUTER_FOLLOW, SEAL_SIGMA = 0.5, 0.6, 0.06
# inner lip line pairs (upper, lower) from the subject's right corner to the left, and the outer pairs
# above and below them
INNER_LIP_PAIRS = ((191, 95), (80, 88), (81, 178), (82, 87), (13, 14), (312, 317), (311, 402), (310, 318), (415, 324))
OUTER_LIP_PAIRS = ((185, 146), (40, 91), (39, 181), (37, 84), (0, 17), (267, 314), (269, 405), (270, 321), (409, 375))
INNER_LIPS = tuple(i for pair in INNER_LIP_PAIRS for i in pair)
# The same muscle thins the red of the lips: each outer lip line moves towards its inner line by up to
# LIP_THIN of the red's height as drawn (the lower lip LIP_THIN_LOWER as far), fully at an added (gained)
# intensity of 1; the inner lines stay, so closed lips stay closed. A fixed pull cannot do it: the same
# 0.05 iod is most of a thin lip and little of a full one, and the blendshape model reads mouthPress by
# how much red is left. A smile stretches both lips thinner too, by SMILE_THIN of their height at AU12 1
# (on the closed-mouthed photos the smile's lips stayed as full as at rest). Together they never thin a
# lip past LIP_THIN_MAX of its height.
LIP_THIN, LIP_THIN_LOWER, LIP_THIN_SIGMA = 0.85, 0.5, 0.04
SMILE_THIN, LIP_THIN_MAX = 0.3, 0.9
# where the lips meet: a shadowed line of the lip's own colour (also hides the photo's teeth that the
# inner lip landmarks, sitting a little inside the red, carry along)
SEAM_SHADE = 0.5

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

MOUTH_DARK = np.array([24, 9, 11], np.float32)
MOUTH_EDGE = np.array([92, 40, 42], np.float32)
# the photo's teeth, kept but in the shade of the opened lips (fully lit they read as a raised upper lip)
TEETH_KEEP, TEETH_SHADE = 0.6, 0.7
# A closed-mouthed photo has no teeth to carry, so opened lips show drawn upper teeth: they hang from the
# upper lip's inner line, TEETH_SHOW of the gap deep up to TEETH_MAX iod (an incisor's crown is about 0.16
# iod, partly behind the lip), their edge an arc that recedes into the mouth's shadow at TEETH_REACH of the
# way to the corners, with the gaps between the incisors (0.135 iod wide, the laterals 0.105) faintly drawn.
# Their colour is ivory (TEETH_TINT) at TEETH_LIGHT times the cheeks' brightness with TEETH_HUE of their hue,
# so they sit in the photo's own light and in the mouth's shade: the astronaut's own lit teeth measure 1.2x
# her skin, and drawn that bright they read as a raised upper lip (AU10).
TEETH_FROM, TEETH_SHOW, TEETH_MAX, TEETH_REACH = 0.04, 0.8, 0.11, 0.8
TEETH_TINT = np.array([1.065, 1.01, 0.924], np.float32)
TEETH_LIGHT, TEETH_HUE, TEETH_LEVELS, TEETH_GAP_SHADE = 0.7, 0.5, (80.0, 235.0), 0.25
INCISOR_EDGES = (0.0, 0.135, 0.24)
# the upper lip's inner line from the subject's right corner to the left
UPPER_INNER_LINE = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
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


UPPER_MOUTH = frozenset((185, 40, 39, 37, 0, 267, 269, 270, 409, 191, 80, 81, 82, 13, 312, 311, 310, 415))
LOWER_MOUTH = frozenset((146, 91, 181, 84, 17, 314, 405, 321, 375, 95, 88, 178, 87, 14, 317, 402, 318, 324))


# The brow raisers (frontalis: AU1, AU2) move the brows and the skin down to the lid's fold, not the lid
# margins: opening the eye is the lid raiser's (AU5). Their Gaussian falloff carried the margins along (AU1+AU2
# at 0.8 opened the eyes about 0.03 iod, a real face's whole range, issue #34), so the eye openings and irises
# take no pull of theirs. (A lowered brow, AU4, does push the lid skin down: deform.LidFloor keeps it there.)
BROW_RAISERS = (1, 2)
BROWS_SPARE_LIDS = True  # False: as before issue #34, for before/after comparisons only
EYE_MARGINS = frozenset((*LEFT_EYE_RING, *RIGHT_EYE_RING, *range(468, 478)))


def _excluded(groups) -> frozenset:
    """A pull on one lip must not leak across the mouth opening onto the other lip."""
    if any(groups is g for g in (LOWER_JAW, LOWER_LIP_OUTER, LOWER_LIP_INNER, LOWER_LIP_LATERAL, LOWER_LIP_MID,
                                  CHIN, JAW_SIDE)):
        return UPPER_MOUTH
    if any(groups is g for g in (UPPER_LIP, UPPER_LIP_OUTER, UPPER_LIP_INNER, UPPER_LIP_LATERAL, UPPER_LIP_MID)):
        return LOWER_MOUTH
    return frozenset()


def _spread(xy: np.ndarray, centres: np.ndarray, vectors: np.ndarray, sigma: float) -> np.ndarray:
    """(N, 2): the control vectors carried to every point, a weighted mean near the controls and a
    Gaussian-decaying pull away from them (sigma in pixels)."""
    d2 = ((xy[:, None, :] - centres[None]) ** 2).sum(-1)
    g = np.exp(-d2 / (2 * sigma ** 2))
    return (g @ vectors) / np.maximum(1.0, g.sum(1, keepdims=True))


def _spread_near(xy: np.ndarray, centres: np.ndarray, vectors: np.ndarray, sigma: float) -> np.ndarray:
    """_spread for the fields worked out every frame: only the points within 5 sigma of the controls' box
    are computed (beyond it a control's weight is under 4e-6), which halves the cost around the mouth."""
    lo, hi = centres.min(axis=0) - 5 * sigma, centres.max(axis=0) + 5 * sigma
    near = np.all((xy >= lo) & (xy <= hi), axis=1)
    out = np.zeros_like(xy)
    out[near] = _spread(xy[near], centres, vectors, sigma)
    return out


def _basis_for(pulls: list[Pull], xy: np.ndarray, geo: FaceGeometry) -> np.ndarray:
    """(2 sides [left, right], N, 2) displacement per unit intensity."""
    out = np.zeros((2, len(xy), 2), np.float64)
    for side_i, sign in ((0, 1.0), (1, -1.0)):
        for groups, (lat, down), sigma in pulls:
            idx = groups[0] if side_i == 1 else groups[1]
            centres, vectors = [], []
            for i in idx:
                c = xy[i]
                # midline points belong half to each side and take no lateral pull
                if geo.on_midline(c):
                    vec = 0.5 * down * geo.ey * geo.size
                else:
                    vec = (sign * lat * geo.ex + down * geo.ey) * geo.size
                centres.append(c)
                vectors.append(vec)
            field = _spread(xy, np.array(centres), np.array(vectors), sigma * geo.size)
            skip = [i for i in _excluded(groups) if i not in idx and i < len(xy)]
            field[skip] = 0.0
            out[side_i] += field
    return out


def _jaw_turn_basis(xy: np.ndarray, depth: np.ndarray, geo: FaceGeometry) -> np.ndarray:
    """(N, 2) displacement per radian of jaw opening. depth: the landmarks' z, camera-near negative."""
    forward = np.clip(depth[list(JAW_JOINT_LEVEL)].mean() - depth, 0.0, None)
    corners = (xy[CORNER[0][0]] + xy[CORNER[1][0]]) / 2
    below = ((xy - corners) @ geo.ey) / geo.size
    t = np.clip((below - JAW_SKIN_RAMP[0]) / (JAW_SKIN_RAMP[1] - JAW_SKIN_RAMP[0]), 0.0, 1.0)
    on_jaw = t * t * (3 - 2 * t)
    on_jaw[list(UPPER_MOUTH)] = 0.0
    on_jaw[list(LOWER_MOUTH)] = 1.0
    return (forward * on_jaw)[:, None] * geo.ey[None]


def _closure_basis(xy: np.ndarray) -> np.ndarray:
    out = np.zeros((2, len(xy), 2), np.float64)
    for side_i, k in ((0, 1), (1, 0)):
        upper, lower = np.array(UPPER_LID[k]), np.array(LOWER_LID[k])
        gap = xy[lower] - xy[upper]
        out[side_i, upper] = gap * LID_TRAVEL
        out[side_i, lower] = -gap * 0.05
        crease = np.array(UPPER_CREASE[k])
        out[side_i, crease] = gap * 0.35
        # the iris points sit between the lids: squash them with the lids so no triangle folds over
        ring = np.array(LEFT_EYE_RING if side_i == 0 else RIGHT_EYE_RING)
        centre = xy[ring].mean(axis=0)
        iris = [i for i in range(468, min(478, len(xy))) if np.linalg.norm(xy[i] - centre) < np.linalg.norm(gap, axis=1).max() * 2 + 1]
        for i in iris:
            j = int(np.argmin(np.abs(xy[upper, 0] - xy[i, 0])))
            span = xy[lower[j], 1] - xy[upper[j], 1]
            f = float(np.clip((xy[i, 1] - xy[upper[j], 1]) / span, 0.0, 1.0)) if abs(span) > 1e-6 else 0.5
            out[side_i, i] = out[side_i, upper[j]] * (1 - f) + out[side_i, lower[j]] * f
    return out


# The skin between brow and upper lid bunches up; it never passes through the eye. A strong AU4 (its brow
# fields add up under the brow) would otherwise carry the brow's lower edge below the lid: the triangles
# there turn over and the fold mend smears the eye into a swirl (seen on neutral portraits at gain 2). So
# every point above an upper lid, up to LID_FLOOR_REACH iod above it and LID_FLOOR_SIDE iod beyond its
# corners, keeps at least LID_FLOOR_KEEP of its rest height above the lid where it now lies.
LID_FLOOR_KEEP, LID_FLOOR_REACH, LID_FLOOR_SIDE = 0.2, 0.4, 0.15
_OFF_THE_EYES = np.array([i not in (*LEFT_EYE_RING, *RIGHT_EYE_RING) for i in range(468)])  # 468+: irises
_UPPER_LID_LINES = (((33, 133), UPPER_LID[0]), ((263, 362), UPPER_LID[1]))


def _line_at(u: np.ndarray, line_u: np.ndarray, line_v: np.ndarray) -> np.ndarray:
    """The height v of a landmark line (its points' face-frame coordinates, in any order) at each u."""
    order = np.argsort(line_u)
    return np.interp(u, line_u[order], line_v[order])


class LidFloor:
    """Holds the skin above each upper lid above it (LID_FLOOR_*) for one face; what depends only on the face
    at rest is worked out once, so a frame pays for the moved lid lines alone."""

    def __init__(self, xy: np.ndarray, geo: FaceGeometry):
        self.xy, self.n, self.geo = xy, min(len(xy), len(_OFF_THE_EYES)), geo
        rel0 = (xy[: self.n] - geo.origin) / geo.size
        u0, v0 = rel0 @ geo.ex, rel0 @ geo.ey
        self.lids = []  # per upper lid: its line's landmarks, every point's rest height above it, in reach
        for corners, lid in _UPPER_LID_LINES:
            line = list(corners) + list(lid)
            height0 = _line_at(u0, u0[line], v0[line]) - v0
            lo, hi = u0[line].min() - LID_FLOOR_SIDE, u0[line].max() + LID_FLOOR_SIDE
            reach = _OFF_THE_EYES[: self.n] & (u0 > lo) & (u0 < hi) & (height0 > 0) & (height0 < LID_FLOOR_REACH)
            self.lids.append((line, height0, reach))

    def heights(self, now: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per upper lid: (rest height, current height, in reach) over the mesh landmarks (not the irises): how
        far each point sits above the lid line at its own place across the face, in iod, at rest and at `now`."""
        geo = self.geo
        rel = (now[: self.n] - geo.origin) / geo.size
        u, v = rel @ geo.ex, rel @ geo.ey
        out = []
        for line, height0, reach in self.lids:
            out.append((height0, _line_at(u, u[line], v[line]) - v, reach))
        return out

    def __call__(self, disp: np.ndarray) -> np.ndarray:
        """disp (N, 2) with every point in reach moved up along the face's vertical
        where it would come within LID_FLOOR_KEEP of its rest height of the lid. Continuous in disp."""
        lift = np.zeros(self.n)
        for height0, height, reach in self.heights(self.xy + disp):
            short = LID_FLOOR_KEEP * height0 - height
            lift = np.where(reach & (short > lift), short, lift)
        if not lift.any():
            return disp
        out = disp.copy()
        out[: self.n] -= lift[:, None] * self.geo.ey * self.geo.size
        return out


def lip_seal_amount(values: dict[int, tuple[float, float]], rest: dict[int, tuple[float, float]] | None = None
                    ) -> float:
    """How far the lips are brought together (0..1) for one frame's AU intensities (left, right).

    `rest` is the part of `values` that relaxes the photo (a photo's own pressed lips relaxed is a negative
    AU24 there): only what the plan adds on top of it closes the lips."""
    rest = rest or {}

    def added(au: int) -> float:
        (left, right), (rest_l, rest_r) = values.get(au, (0.0, 0.0)), rest.get(au, (0.0, 0.0))
        return max(0.0, left - rest_l, right - rest_r)

    closing = sum(added(au) for au in LIP_SEAL_AUS)
    opening = sum(max(0.0, max(values.get(au, (0.0, 0.0)))) for au in LIP_OPENING_AUS)
    return float(np.clip(closing / LIP_SEAL_FULL - OPEN_WINS * opening, 0.0, 1.0))


def _lips_meet(xy: np.ndarray, geo: FaceGeometry, gaps: dict[int, np.ndarray], follow: float) -> np.ndarray:
    """(N, 2) displacement that closes each inner lip pair's gap (k -> lower minus upper, INNER_LIP_PAIRS[k]):
    the upper lip moves SEAL_UPPER_SHARE of it, the lower lip the rest, the outer lines `follow` as far
    and the skin around goes along."""
    controls, vectors = [], []
    for k, gap in gaps.items():
        (upper, lower), (upper_out, lower_out) = INNER_LIP_PAIRS[k], OUTER_LIP_PAIRS[k]
        down, up = gap * SEAL_UPPER_SHARE, -gap * (1 - SEAL_UPPER_SHARE)
        controls += [upper, lower, upper_out, lower_out]
        vectors += [down, up, down * follow, up * follow]
    if not controls:
        return np.zeros_like(xy)
    controls, vectors = np.array(controls), np.array(vectors)
    field = _spread_near(xy, xy[controls], vectors, SEAL_SIGMA * geo.size)
    field[controls] = vectors  # exact on the lips themselves, so the pairs meet
    return field


def lip_seal_field(xy: np.ndarray, current: np.ndarray, geo: FaceGeometry) -> np.ndarray:
    """(N, 2) displacement that closes the mouth as it is drawn now (`current` = the moved landmarks of
    the rest mesh `xy`): each inner lip pair meets, the outer lines follow, the skin around goes along.

    It closes the current gap rather than the photo's, so whatever the other AUs did to the lips they
    still meet; a pair already closed (or crossed) is left alone."""
    gaps = {}
    for k, (upper, lower) in enumerate(INNER_LIP_PAIRS):
        gap = current[lower] - current[upper]
        gaps[k] = gap if gap @ geo.ey > 0 else np.zeros(2)
    return _lips_meet(xy, geo, gaps, SEAL_OUTER_FOLLOW)


def lip_contact_field(xy: np.ndarray, current: np.ndarray, geo: FaceGeometry) -> np.ndarray:
    """(N, 2) displacement that keeps the lips from passing through each other as drawn now: where the
    lower lip's inner line has crossed above the upper one's (the chin raiser pushing the lower lip up
    against a closed mouth), the two lips meet halfway and each moves whole, so the mentalis push bows
    the closed mouth up instead of drawing the lower lip over the upper."""
    gaps = {}
    for k, (upper, lower) in enumerate(INNER_LIP_PAIRS):
        height = float((current[lower] - current[upper]) @ geo.ey)
        if height < 0:
            gaps[k] = height * geo.ey
    return _lips_meet(xy, geo, gaps, 1.0)


def lip_thinning_field(xy: np.ndarray, current: np.ndarray, geo: FaceGeometry, upper: tuple[float, float],
                       lower: tuple[float, float]) -> np.ndarray:
    """(N, 2) displacement that thins the red of the lips as drawn now (`current` = the moved landmarks of
    the rest mesh `xy`): each outer lip point moves towards its inner partner by `upper` or `lower`
    (subject left, right; 0..1) of their distance, the skin around goes along and the inner lines stay."""
    controls, vectors = [], []
    for (upper_in, lower_in), (upper_out, lower_out) in zip(INNER_LIP_PAIRS, OUTER_LIP_PAIRS):
        if geo.on_midline(xy[upper_out]):
            up, low = float(np.mean(upper)), float(np.mean(lower))
        else:
            side = 0 if geo.side_of(xy[upper_out]) > 0 else 1
            up, low = upper[side], lower[side]
        controls += [upper_out, lower_out]
        vectors += [(current[upper_in] - current[upper_out]) * up, (current[lower_in] - current[lower_out]) * low]
    controls, vectors = np.array(controls), np.array(vectors)
    field = _spread_near(xy, xy[controls], vectors, LIP_THIN_SIGMA * geo.size)
    field[controls] = vectors
    field[list(INNER_LIPS)] = 0.0
    return field


def au_basis(au: int, xy: np.ndarray, geo: FaceGeometry | None = None, depth: np.ndarray | None = None
             ) -> np.ndarray:
    """Displacement (2 sides [subject left, right], N, 2) in pixels for AU `au` at intensity 1.

    depth: the landmarks' z in the same pixel scale (MediaPipe's, nearer the camera = smaller); the jaw
    AUs in JAW_TURN need it."""
    geo = geo or FaceGeometry.from_landmarks(xy)
    if au in CLOSURE_AUS:
        return _closure_basis(xy)
    if au not in AU_PULLS:
        raise ValueError(f"AU{au} has no displacement model in the draft renderer")
    out = _basis_for(AU_PULLS[au], xy, geo)
    if au in BROW_RAISERS and BROWS_SPARE_LIDS:
        out[:, [i for i in sorted(EYE_MARGINS) if i < len(xy)]] = 0.0
    if au in JAW_TURN:
        if depth is None:
            raise ValueError(f"AU{au} turns the jaw and needs the landmarks' depth (the z of the face's landmarks)")
        # one bone: each side's basis carries half, so a sided AU26 opens the jaw half as far
        out += 0.5 * JAW_TURN[au] * _jaw_turn_basis(xy, np.asarray(depth, np.float64), geo)[None]
    return out


def supported_aus() -> list[int]:
    return sorted([*AU_PULLS, *CLOSURE_AUS])


def signed_areas(triangles: np.ndarray) -> np.ndarray:
    """(T,) twice the signed area of each triangle (T, 3, 2): the sign is its orientation, so a triangle
    whose sign differs between the rest pose and a frame has folded over."""
    edges = triangles[:, 1:] - triangles[:, :1]
    return edges[:, 0, 0] * edges[:, 1, 1] - edges[:, 0, 1] * edges[:, 1, 0]


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


class MeshWarper:
    """Warps one image (the face crop) by landmark displacements; build once per face, call per frame."""

    def __init__(self, image: np.ndarray, xy: np.ndarray, ring_scale: float = 1.45, map_max: int = 256):
        self.image = np.ascontiguousarray(image)
        h, w = image.shape[:2]
        self.xy = xy.astype(np.float64)
        self.geo = FaceGeometry.from_landmarks(self.xy)
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
        self.inner_lips = np.array(LIPS_INNER)
        self.upper_lid = (np.array(UPPER_LID[1]), np.array(UPPER_LID[0]))  # subject left, right
        self._src_gap = float(np.linalg.norm(self.xy[14] - self.xy[13]))
        self._teeth = self._source_teeth()
        # the red of the lips: halfway between each inner lip point and the outer one beside it
        red = [(self.xy[i] + self.xy[o]) / 2 for inner, outer in zip(INNER_LIP_PAIRS, OUTER_LIP_PAIRS)
               for i, o in zip(inner, outer)]
        self._lip_colour = self._median_colour(np.array(red))
        self._teeth_colour = self._drawn_teeth_colour()
        self._eyes = [eye for eye in (self._eyeball(*spec) for spec in EYEBALLS) if eye is not None]

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
        of the cheeks, with TEETH_HUE of the skin's own hue."""
        skin = self._median_colour(self.xy[list(LEFT_CHEEK + RIGHT_CHEEK)])
        light = float(np.clip(TEETH_LIGHT * skin.mean(), *TEETH_LEVELS))
        return np.clip(light * TEETH_TINT + TEETH_HUE * (skin - skin.mean()), 0, 255).astype(np.float32)

    def _source_teeth(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Soft masks (upper half, lower half) of the photo's own open-mouth interior, or None if closed."""
        if self._src_gap < 0.05 * self.geo.size:
            return None
        h, w = self.image.shape[:2]
        mask = _filled(self.xy[self.inner_lips], 0, 0, w, h)
        mask = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), 0.6)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        mid = (self.xy[13] + self.xy[14]) / 2
        along = (xx - mid[0]) * self.geo.ey[0] + (yy - mid[1]) * self.geo.ey[1]
        # a soft split at the lip line so the two halves part without a seam
        upper = np.clip(0.5 - along / max(1.0, 0.15 * self._src_gap), 0.0, 1.0)
        return (mask * upper).astype(np.float32), (mask * (1 - upper)).astype(np.float32)

    def warp(self, disp: np.ndarray, closure: tuple[float, float] = (0.0, 0.0), lips_sealed: float = 0.0,
             lid_raise: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
        """The image with the landmarks moved by disp (N, 2) pixels; closure = eyelid closure (left, right),
        lips_sealed = how far disp brings the lips together (lip_seal_amount), for the line where they meet,
        lid_raise = the lid raiser's (AU5) drawn intensity (left, right), for the eyeballs it uncovers."""
        out = self.image.copy()
        roi = self.warp_roi(disp)
        if roi is None:
            return out
        x0, y0, x1, y1, map_x, map_y = roi
        out[y0:y1, x0:x1] = cv2.remap(self.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        dst = self.xy + disp
        if max(lid_raise) > 0.0:
            self._paint_eyeballs(out, dst, lid_raise)
        self._paint_mouth(out, dst)
        self._paint_seam(out, dst, lips_sealed)
        self._paint_lashes(out, dst, closure)
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
        moved = np.abs(full).max(axis=1) > 0.02
        tri_moving = moved[self.tris].any(axis=1)
        if not tri_moving.any():
            return None
        tris = self.tris[tri_moving]
        in_opening = self.in_opening[tri_moving]
        src = self.points[tris]  # (T, 3, 2)
        dst = (self.points + full)[tris]
        both = np.concatenate([src.reshape(-1, 2), dst.reshape(-1, 2)])
        x0, y0 = np.floor(both.min(axis=0)).astype(int)
        x1, y1 = np.ceil(both.max(axis=0)).astype(int) + 1
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        rw, rh = x1 - x0, y1 - y0
        k = min(1.0, self.map_max / max(rw, rh))
        mw, mh = max(2, int(round(rw * k))), max(2, int(round(rh * k)))
        sx, sy = mw / rw, mh / rh
        # affine dst -> src per triangle, in closed form for all triangles at once (no 3x3 solves)
        m = np.stack([dst[:, 1] - dst[:, 0], dst[:, 2] - dst[:, 0]], axis=2)  # (T, 2, 2) columns
        p = np.stack([src[:, 1] - src[:, 0], src[:, 2] - src[:, 0]], axis=2)
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
        area_src, area_dst = signed_areas(src), signed_areas(dst)
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
        for k, fold in enumerate(level):
            for tri in corners[k]:  # where it came from and where it lies now
                cv2.fillConvexPoly(weight, tri, fold, lineType=cv2.LINE_8, shift=4)
        px = self.geo.size * float(np.mean(scale))  # one inter-ocular distance in map pixels
        # the blur spreads the weight over the reach and thins it, so the triangles themselves stay at full
        weight = np.clip(cv2.GaussianBlur(weight, (0, 0), FOLD_REACH * px) * 3.0, 0.0, 1.0)
        ys, xs = np.nonzero(weight > 1e-3)
        if len(xs) == 0:
            return map_x, map_y
        # only the mended patch and the smoothing's reach around it are worked on
        sigma = FOLD_SMOOTH * px
        pad = int(np.ceil(3 * sigma))
        h, w = weight.shape
        y0, y1, x0, x1 = max(0, ys.min() - pad), min(h, ys.max() + pad + 1), max(0, xs.min() - pad), min(w, xs.max() + pad + 1)
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
        # depth: distance from the lips, so the cavity darkens towards its middle like a real one
        depth = cv2.distanceTransform((mask > 127).astype(np.uint8), cv2.DIST_L2, 3)
        depth = np.clip(depth / max(1.0, 0.5 * min(gap, 0.5 * s)), 0.0, 1.0)[..., None]
        colour = MOUTH_EDGE * (1 - depth) + MOUTH_DARK * depth
        if self._teeth is not None:
            # the photo's own interior, split at its lip line: the upper half rides on the upper lip,
            # the lower half on the lower lip (the jaw), so shown teeth stay teeth instead of smearing
            for lip, half in ((13, self._teeth[0]), (14, self._teeth[1])):
                d = dst[lip] - self.xy[lip]
                m = np.float32([[1, 0, -d[0] + x0], [0, 1, -d[1] + y0]])
                layer = cv2.warpAffine(self.image, m, (rw, rh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                       borderMode=cv2.BORDER_REPLICATE)
                keep = cv2.warpAffine(half, m, (rw, rh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)[..., None]
                keep = keep * TEETH_KEEP
                colour = colour * (1 - keep) + layer.astype(np.float32) * TEETH_SHADE * keep
        elif gap > TEETH_FROM * s:
            yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
            teeth, shade = self._drawn_teeth(dst, xx, yy, min(TEETH_MAX * s, TEETH_SHOW * (gap - TEETH_FROM * s)))
            colour = colour * (1 - teeth) + self._teeth_colour * shade * teeth
        alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), max(0.6, 0.012 * s))[..., None] * alpha_max
        region = out[y0:y1, x0:x1].astype(np.float32)
        out[y0:y1, x0:x1] = np.clip(region * (1 - alpha) + colour * alpha, 0, 255).astype(np.uint8)

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
        below = (xx - centre[0]) * ey[0] + (yy - centre[1]) * ey[1] - _line_at(u, line @ ex, line @ ey)
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
        shifts = [dst[eye.iris[0]] - self.xy[eye.iris[0]] for eye in self._eyes]
        rise = max((float((eye.centre + m - dst[eye.lid_mid]) @ ey - (eye.centre - self.xy[eye.lid_mid]) @ ey) / s
                    for eye, m in zip(self._eyes, shifts)), default=0.0)
        risen = float(np.clip((rise - EYEBALL_FROM) / (EYEBALL_FULL - EYEBALL_FROM), 0.0, 1.0))
        for eye, moved in zip(self._eyes, shifts):
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
            yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
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
            below = yy - _line_at(xx, lid[:, 0], lid[:, 1])
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
