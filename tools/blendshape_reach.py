"""Dev tool: can MediaPipe's blendshape model read these AUs together on any face-like shape nearby?

For one photo and basic emotion, drawn as the quality test draws it (tests/basic_emotions.py, calibrated
gains), this takes the landmarks the draft plans at the apex and searches nearby shapes of one feature
(both brows or both eye outlines) for the one where the weakest of --aus reads highest. The model is
MediaPipe's own blendshape stage run directly on the landmarks (tests/blendshape_stage.py), read as the
analyser reads it: change against the planned rest frame.

The shapes stay face-like: the two sides move as mirror images, and along each feature every point moves
by a quadratic in its position plus a term for the lower row (brow thickness, lower lid), at most --reach
inter-ocular distances. The iris stays where the plan puts it (--still-iris: where it was at rest, as an
eyeball would).

If even the best shape leaves an AU under the criterion's 0.08, the model does not see it in that company
on a face-like shape; if a shape reaches it, what loses the AU is the draft's muscle model or its drawing.

  .venv/bin/python tools/blendshape_reach.py --photo portrait --emotion anger --region eyes --aus 4,5,7
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from basic_emotions import BASIC_EMOTIONS, render_basic  # noqa: E402
from blendshape_stage import BlendshapeModel  # noqa: E402
from sample_photos import PHOTOS  # noqa: E402

from thinkdraw_core.draft.deform import INNER_BROW, MID_BROW, OUTER_BROW, FaceGeometry  # noqa: E402
from thinkdraw_core.face.analyzer import au_levels  # noqa: E402
from thinkdraw_core.face.landmarks import LEFT_EYE_RING, RIGHT_EYE_RING, get_landmarker  # noqa: E402

# subject's right side first, then its mirror image point for point (the draft's own brow groups)
REGIONS = {
    "brows": tuple(sum((group[side] for group in (INNER_BROW, MID_BROW, OUTER_BROW)), ()) for side in (0, 1)),
    "eyes": (RIGHT_EYE_RING, LEFT_EYE_RING),
}
IRIS = slice(468, 478)
TERMS = 5  # 1, t, t^2, lower row, lower row * t


def shape_basis(xy: np.ndarray, points: tuple[int, ...], geo: FaceGeometry) -> np.ndarray:
    """(n, TERMS): each point's position along the feature (0..1) and whether it is on the lower row."""
    p = xy[list(points)] - xy[list(points)].mean(axis=0)
    along, down = p @ geo.ex, p @ geo.ey
    t = (along - along.min()) / max(np.ptp(along), 1e-9)
    low = (down > np.median(down)).astype(float)
    return np.stack([np.ones_like(t), t, t * t, low, low * t], axis=1)


def search(score, rng: np.random.Generator, restarts: int, steps: int) -> tuple[float, np.ndarray]:
    """A (1+1) evolution strategy with step-size adaptation, from the plan and from random starts."""
    best_value, best = -np.inf, np.zeros(2 * TERMS)
    for r in range(restarts):
        c = rng.normal(0.0, 0.03, 2 * TERMS) if r else np.zeros(2 * TERMS)
        value, sigma = score(c), 0.02
        for _ in range(steps):
            trial = c + rng.normal(0.0, sigma, c.shape)
            v = score(trial)
            if v > value:
                c, value, sigma = trial, v, min(sigma * 1.2, 0.1)
            else:
                sigma = max(sigma * 0.99, 0.001)
        if value > best_value:
            best_value, best = value, c
    return best_value, best


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photo", choices=sorted(PHOTOS), default="astronaut")
    ap.add_argument("--emotion", choices=sorted(BASIC_EMOTIONS), required=True)
    ap.add_argument("--region", choices=sorted(REGIONS), required=True)
    ap.add_argument("--aus", required=True, help="the AUs that should all read, e.g. 4,5,7")
    ap.add_argument("--reach", type=float, default=0.1, help="largest move of any point, in inter-ocular units")
    ap.add_argument("--still-iris", action="store_true", help="hold the iris where it was at rest")
    ap.add_argument("--restarts", type=int, default=6)
    ap.add_argument("--steps", type=int, default=1500)
    args = ap.parse_args(argv)
    goal = [int(a) for a in args.aus.split(",")]

    landmarker = get_landmarker()
    image = PHOTOS[args.photo]()
    if image is None:
        raise SystemExit(f"the photo {args.photo!r} is not installed")
    result = render_basic(image, args.emotion)
    model = BlendshapeModel(landmarker.model_path, list(result.prepared.blendshapes))
    origin = np.array(result.prepared.box[:2], np.float64)
    rest = result.landmarks(0) - origin
    apex = result.landmarks(result.n_frames - 1) - origin
    if args.still_iris:
        apex[IRIS] = rest[IRIS]
    geo = FaceGeometry.from_landmarks(rest)
    right, left = (list(side) for side in REGIONS[args.region])
    basis = shape_basis(apex, tuple(right), geo)
    base = au_levels(model(rest))

    def reshape(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = basis @ c.reshape(TERMS, 2)  # (n, 2) in inter-ocular units along (ex, ey)
        largest = np.linalg.norm(d, axis=1).max()
        if largest > args.reach:
            d *= args.reach / largest
        xy = apex.copy()
        xy[right] += geo.size * (d[:, :1] * geo.ex + d[:, 1:] * geo.ey)
        xy[left] += geo.size * (-d[:, :1] * geo.ex + d[:, 1:] * geo.ey)
        return xy, d

    def reading(xy: np.ndarray) -> dict[int, float]:
        levels = au_levels(model(xy))
        return {au: levels[au] - base[au] for au in levels}

    def score(c: np.ndarray) -> float:
        raw = au_levels(model(reshape(c)[0]))
        got = {au: raw[au] - base[au] for au in goal}
        # capped so one AU cannot buy the others; the log term still climbs out of a score stuck at zero
        return sum(min(got[a], 0.15) for a in goal) + 0.01 * sum(np.log(max(raw[a], 1e-7)) for a in goal)

    _, c = search(score, np.random.default_rng(0), args.restarts, args.steps)
    xy, d = reshape(c)
    planned, reached = reading(apex), reading(xy)
    print(f"{args.photo} {args.emotion}, {args.region} within {args.reach} iod"
          f"{', iris still' if args.still_iris else ''}: change against the planned rest frame")
    print(f"{'AU':>4} {'planned':>8} {'reached':>8}")
    for au in sorted(set(goal) | {a for a in reached if abs(reached[a] - planned[a]) > 0.1}):
        print(f"{au:>4} {planned[au]:>+8.2f} {reached[au]:>+8.2f}{'  <' if au in goal and reached[au] < 0.08 else ''}")
    print("the shape (subject's right side; the left mirrors it), (across, down) in iod:")
    print("  " + " ".join(f"{i}:({x:+.3f},{y:+.3f})" for i, (x, y) in zip(right, d)))


if __name__ == "__main__":
    main()
