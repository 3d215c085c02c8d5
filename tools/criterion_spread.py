"""Dev tool: how much of the quality criterion is luck?

The warp draws its mesh triangles one after another, and where two of them cover the same pixel (the
rims cv2.fillConvexPoly gives each triangle, lids and lips meeting, folds) the later one wins. The
triangles' order is whatever qhull returns: it means nothing, yet it decides those pixels, and the
calibration's search, which reads the blendshape model on every trial frame, can settle on other gains
for a few changed pixels. This renders the criterion matrix (tests/basic_emotions.py, as
tests/unit/test_draft_quality.py does) with the shipped order and with SHUFFLES random orders of the
same triangles, and prints each order's failures and their spread. Read a tuning change by the spread,
not by the shipped order's count alone.

  .venv/bin/python tools/criterion_spread.py [--shuffles 4] [--photo astronaut] [--emotion anger]
  .venv/bin/python tools/criterion_spread.py --shuffles 0 --photo blonde --photo curls  (neutral, closed lips)

About 10 s per order for both photos and all six emotions on a 2-core machine (30-60 s before the sliver clamp,
deform.SLIVER_STRETCH).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from basic_emotions import BASIC_EMOTIONS, criterion_failures, render_basic  # noqa: E402
from sample_photos import ALL_PHOTOS, PHOTOS  # noqa: E402

from thinkdraw_core.draft import renderer  # noqa: E402

_shipped_prepare = renderer.prepare_face


def draw_order(seed: int | None) -> None:
    """From now on every prepared face draws its triangles in the shipped order (None) or a random one."""
    def prepare_face(*args, **kwargs):
        prepared = _shipped_prepare(*args, **kwargs)
        if seed is not None:
            warper = prepared.warper
            order = np.random.default_rng(seed).permutation(len(warper.tris))
            warper.tris, warper.in_opening = warper.tris[order], warper.in_opening[order]
        return prepared

    renderer.prepare_face = prepare_face


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shuffles", type=int, default=4, help="random orders besides the shipped one")
    ap.add_argument("--photo", choices=list(ALL_PHOTOS), action="append",
                    help="default: the criterion's photos (tests/sample_photos.py; the neutral ones on request)")
    ap.add_argument("--emotion", choices=list(BASIC_EMOTIONS), action="append", help="default: all six")
    args = ap.parse_args()
    photos = {name: ALL_PHOTOS[name]() for name in args.photo or PHOTOS}
    photos = {name: image for name, image in photos.items() if image is not None}
    emotions = args.emotion or list(BASIC_EMOTIONS)
    counts = []
    for seed in [None, *range(1, args.shuffles + 1)]:
        draw_order(seed)
        t0, failures = time.perf_counter(), []
        for photo, image in photos.items():
            for name in emotions:
                result = render_basic(image, name)
                failures += [f"{photo}/{f}" for f in criterion_failures(name, result.analyze(result.to_array()))]
        counts.append(len(failures))
        label = "shipped order" if seed is None else f"shuffle {seed}"
        print(f"{label:14s} {len(failures):2d} failures ({time.perf_counter() - t0:.0f} s): {'; '.join(failures)}",
              flush=True)
    print(f"spread over {len(counts)} orders: min {min(counts)}, median {statistics.median(counts):g}, "
          f"max {max(counts)} (shipped order {counts[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
