"""Dev tool: where does the draft's mesh fold over itself?

A triangle folds when the warp turns it inside out (its orientation flips against the rest pose).
Where two unfolded neighbours then overlap, the plain map would show a crack (skin from one place
drawn over skin from another), so the warp smooths its map over every fold (deform.FOLD_*) and the
skin bunches up instead; the folds counted here are the ones being mended. For each sample photo and
basic emotion (tests/basic_emotions.py) this renders the draft as the quality test does and prints,
at the apex, the folded triangles outside the mouth and eye openings (inside them the lids and lips
meet on purpose), their area in 1e-3 inter-ocular units squared, and the worst triangle by its
landmark indices.

  .venv/bin/python tools/mesh_folds.py [--photo portrait] [--emotion sad] [--save DIR]

--save writes each apex face crop with the folded triangles outlined in red, next to the rest frame.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from basic_emotions import BASIC_EMOTIONS, render_basic  # noqa: E402
from sample_photos import PHOTOS  # noqa: E402

from thinkdraw_core.draft.deform import signed_areas  # noqa: E402


def apex_folds(result) -> tuple[np.ndarray, np.ndarray, float]:
    """(folded triangles as landmark-index triples, the moved mesh points, their area in iod^2)."""
    warper = result.prepared.warper
    x0, y0 = result.prepared.box[:2]
    moved = warper.points.copy()
    moved[: warper.n_moving] = result.landmarks(len(result) - 1) - (x0, y0)
    folded = warper.folded_skin(moved[: warper.n_moving] - warper.points[: warper.n_moving])
    rest = np.abs(signed_areas(warper.points[warper.tris[folded]]))
    order = np.argsort(-rest)
    return warper.tris[folded][order], moved, 0.5 * float(rest.sum()) / warper.geo.size ** 2


def picture(result, folded: np.ndarray, moved: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = result.prepared.box
    first, apex = result.frame(0)[y0:y1, x0:x1], result.frame(len(result) - 1)[y0:y1, x0:x1].copy()
    for tri in folded:
        cv2.polylines(apex, [np.round(moved[tri] * 16).astype(np.int32)], True, (255, 0, 0), 1, cv2.LINE_AA, shift=4)
    return cv2.cvtColor(np.concatenate([first, apex], axis=1), cv2.COLOR_RGB2BGR)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photo", choices=list(PHOTOS), action="append", help="default: every sample photo")
    ap.add_argument("--emotion", choices=list(BASIC_EMOTIONS), action="append", help="default: every basic emotion")
    ap.add_argument("--save", type=Path, help="folder for the apex pictures with the folds outlined")
    args = ap.parse_args(argv)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    total_n, total_area = 0, 0.0
    print(f"{'photo':10s} {'emotion':9s} {'folds':>5s} {'area':>7s}  worst (landmarks)")
    for photo_name in args.photo or list(PHOTOS):
        photo = PHOTOS[photo_name]()
        if photo is None:
            print(f"{photo_name}: not installed, skipped")
            continue
        for name in args.emotion or list(BASIC_EMOTIONS):
            result = render_basic(photo, name)
            folded, moved, area = apex_folds(result)
            total_n, total_area = total_n + len(folded), total_area + area
            worst = tuple(int(v) for v in folded[0]) if len(folded) else "-"
            print(f"{photo_name:10s} {name:9s} {len(folded):5d} {area * 1e3:7.1f}  {worst}", flush=True)
            if args.save:
                cv2.imwrite(str(args.save / f"{photo_name}_{name}.png"), picture(result, folded, moved))
    print(f"{'total':20s} {total_n:5d} {total_area * 1e3:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
