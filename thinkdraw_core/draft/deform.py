"""The muscle model: per-AU displacement of the landmark mesh.

Each AU pulls a few control landmarks in the direction its muscle pulls (in a face-local frame, in units of
the inter-ocular distance, so the same plan moves big and small faces alike), spread to neighbouring
landmarks with a Gaussian falloff. Left/right are the subject's own. Some AUs are not plain pulls: the jaw
(AU26/27) turns about the jaw joints, the closure AUs (43/45/46) bring the upper lid down. What keeps the
lips and lids anatomical after the pulls is lips_lids.py; the warp that draws the moved mesh is warp.py.
"""
from __future__ import annotations

import numpy as np

from ..face.landmarks import LEFT_EYE_RING, RIGHT_EYE_RING
from .geometry import FaceGeometry, spread

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

UPPER_MOUTH = frozenset((185, 40, 39, 37, 0, 267, 269, 270, 409, 191, 80, 81, 82, 13, 312, 311, 310, 415))
LOWER_MOUTH = frozenset((146, 91, 181, 84, 17, 314, 405, 321, 375, 95, 88, 178, 87, 14, 317, 402, 318, 324))


# The brow raisers (frontalis: AU1, AU2) move the brows and the skin down to the lid's fold, not the lid
# margins: opening the eye is the lid raiser's (AU5). Their Gaussian falloff carried the margins along (AU1+AU2
# at 0.8 opened the eyes about 0.03 iod, a real face's whole range, issue #34), so the eye openings and irises
# take no pull of theirs. (A lowered brow, AU4, does push the lid skin down: deform.LidFloor keeps it there.)
BROW_RAISERS = (1, 2)
# Antagonists on the inner brow heads: the inner brow raiser (AU1, the frontalis' inner part) pulls them up, the
# brow lowerer (AU4, corrugator and depressor) down and together. In FACS' 1+4 (sadness; fear's 1+2+4) the inner
# corners stay raised and drawn together while the middle and outer brow come down: the oblique brow. Summed, the
# two pulls cancelled on the inner heads and the brow drew, and read as, neither (the calibration could show one
# only by drawing the other weaker). So where both act, the raiser holds the inner heads up: the lowerer's
# downward pull on them gives way by as much as the weaker of the two draws (brow_hold_basis); its inward pull,
# and its pull on the middle and outer brow, stay.
BROW_HOLD = (1, 4)
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
                    vec = 0.5 * down * geo.ey * geo.height
                else:
                    vec = sign * lat * geo.ex * geo.size + down * geo.ey * geo.height
                centres.append(c)
                vectors.append(vec)
            field = spread(xy, np.array(centres), np.array(vectors), sigma * geo.size)
            skip = [i for i in _excluded(groups) if i not in idx and i < len(xy)]
            field[skip] = 0.0
            out[side_i] += field
    return out


def _jaw_turn_basis(xy: np.ndarray, depth: np.ndarray, geo: FaceGeometry) -> np.ndarray:
    """(N, 2) displacement per radian of jaw opening. depth: the landmarks' z, camera-near negative."""
    forward = np.clip(depth[list(JAW_JOINT_LEVEL)].mean() - depth, 0.0, None)
    corners = (xy[CORNER[0][0]] + xy[CORNER[1][0]]) / 2
    below = ((xy - corners) @ geo.ey) / geo.height
    t = np.clip((below - JAW_SKIN_RAMP[0]) / (JAW_SKIN_RAMP[1] - JAW_SKIN_RAMP[0]), 0.0, 1.0)
    on_jaw = t * t * (3 - 2 * t)
    on_jaw[list(UPPER_MOUTH)] = 0.0
    on_jaw[list(LOWER_MOUTH)] = 1.0
    # a head turned aside shows the jaw's depth shortened as it shows the eye distance
    return (forward * on_jaw * geo.tall)[:, None] * geo.ey[None]


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
    if au in BROW_RAISERS:
        _spare_lids(out)
    if au in JAW_TURN:
        if depth is None:
            raise ValueError(f"AU{au} turns the jaw and needs the landmarks' depth (the z of the face's landmarks)")
        # one bone: each side's basis carries half, so a sided AU26 opens the jaw half as far
        out += 0.5 * JAW_TURN[au] * _jaw_turn_basis(xy, np.asarray(depth, np.float64), geo)[None]
    return out


def brow_hold_basis(xy: np.ndarray, geo: FaceGeometry | None = None) -> np.ndarray:
    """Displacement (2 sides [subject left, right], N, 2) in pixels that gives back the brow lowerer's (AU4)
    downward pull on the inner brow heads, per unit the inner brow raiser (AU1) holds them up (BROW_HOLD)."""
    geo = geo or FaceGeometry.from_landmarks(xy)
    lowerer = BROW_HOLD[1]
    pulls = [(groups, (0.0, -down), sigma) for groups, (_, down), sigma in AU_PULLS[lowerer] if groups == INNER_BROW]
    # it raises what the raiser raises, and spares the lids alike
    return _spare_lids(_basis_for(pulls, xy, geo))


def _spare_lids(basis: np.ndarray) -> np.ndarray:
    """`basis` (sides, N, 2) with the eye openings and irises left where they are (BROWS_SPARE_LIDS), in place."""
    if BROWS_SPARE_LIDS:
        basis[:, [i for i in sorted(EYE_MARGINS) if i < basis.shape[1]]] = 0.0
    return basis


def supported_aus() -> list[int]:
    return sorted([*AU_PULLS, *CLOSURE_AUS])
