"""Dev tool: does MediaPipe see a raised upper lid, and does the brows' position change that?

Anger's AU5 (eyeWide) has never read on a drawn frame where its AU4 and AU7 also read (docs/tuning-log.md,
2026-11-21, "anger's lid raise"). This takes the warp out of the question. On the relaxed rest frame, and on frames
where the warp has moved only the brows (up: AU1+2, down: AU4, down with the lower lid up: AU4+7), it raises
each upper lid by a plain pixel edit instead of the mesh: the lid, its lashes and the skin up to the brow
slide up by `--raise` inter-ocular distances (most at the lid's middle, none at the corners), the eyeball
stays where it is, and the strip the lid uncovers shows the eyeball: mirrored from below the iris centre (the
lower iris and white), or with --fill painted, the iris from its own visible sides and the white in the colour
of the eye's brightest white, shaded under the lid. It prints how far the detector sees the lid rise, and the
AU readings against the rest frame.

  .venv/bin/python tools/lid_raise_probe.py [--photo portrait] [--raise 0.06 0.1] [--fill painted] [--save DIR]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from basic_emotions import render_basic  # noqa: E402
from sample_photos import PHOTOS  # noqa: E402

from thinkdraw_core.draft import deform  # noqa: E402
from thinkdraw_core.draft.renderer import _render_frame  # noqa: E402
from thinkdraw_core.face.analyzer import FrameMeasurer, au_levels  # noqa: E402
from thinkdraw_core.face.landmarks import get_landmarker  # noqa: E402

BROWS = {"rest": {}, "brows up (AU1+2)": {1: 0.8, 2: 0.8}, "brows down (AU4)": {4: 0.9},
         "brows down, lower lid up (AU4+7)": {4: 0.9, 7: 0.7}}
# per eye: the corners, the upper and lower lid lines between them, the iris centre
EYES = (((33, 133), deform.UPPER_LID[0], deform.LOWER_LID[0], 468),
        ((263, 362), deform.UPPER_LID[1], deform.LOWER_LID[1], 473))
LID_MIDDLE = (159, 386)
SKIN_ABOVE = 0.35  # the lid and the skin this far above it (inter-ocular units) slide up, squeezed
READ = (1, 2, 4, 5, 7)


def _in_frame(face, measurer: FrameMeasurer) -> np.ndarray:
    """The landmarks of a face found on the measuring crop, in the frame's pixels."""
    return face.xy / measurer.scale + [measurer.box.x0, measurer.box.y0]


def _line(xy: np.ndarray, corners, lid, columns: np.ndarray) -> np.ndarray:
    pts = xy[list(corners) + list(lid)]
    pts = pts[np.argsort(pts[:, 0])]
    return np.interp(columns, pts[:, 0], pts[:, 1])


def raise_lids(image: np.ndarray, xy: np.ndarray, iod: float, amount: float, fill: str = "mirror") -> np.ndarray:
    """`image` with both upper lids raised by `amount` iod at their middles, the eyeballs left still.
    fill: "mirror" shows the eyeball mirrored from below the iris centre in the uncovered strip; "painted"
    paints it: the iris from its own visible sides (turned a quarter about its centre), the white in the
    colour of the eye's brightest visible white, shaded just under the lid."""
    h, w = image.shape[:2]
    map_x, map_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    strips = []
    for corners, upper, lower, iris in EYES:
        x0, x1 = sorted(xy[list(corners), 0])
        cols = np.arange(int(np.ceil(x0)), int(np.floor(x1)) + 1)
        lid, low = _line(xy, corners, upper, cols), _line(xy, corners, lower, cols)
        lift = amount * iod * np.sin(np.pi * (cols - x0) / (x1 - x0)) ** 0.7
        top = lid - SKIN_ABOVE * iod
        rows = np.arange(int(top.min()), int(np.ceil(lid.max())) + 1, dtype=np.float32)[:, None]
        new_lid = lid - lift
        # above the raised lid: the skin from `top` down to the old lid, squeezed into the shorter span
        skin = top + (rows - top) * (lid - top) / np.maximum(new_lid - top, 1e-3)
        # between the raised lid and the old one: the eyeball, mirrored about the iris centre's height
        ball = np.minimum(2 * xy[iris, 1] - rows, low - 1.5)
        band = (rows >= top) & (rows <= lid)
        ys = np.where(rows <= new_lid, skin, ball)
        r0, c0 = int(rows[0, 0]), cols[0]
        target = map_y[r0:r0 + len(rows), c0:c0 + len(cols)]
        target[band] = ys[band]
        strips.append((cols, new_lid, lid, low, iris))
    out = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if fill == "painted":
        for cols, new_lid, lid, low, iris in strips:
            _paint_eyeball(out, image, xy, cols, new_lid, lid, low, iris)
    return out


def _paint_eyeball(out, image, xy, cols, new_lid, lid, low, iris) -> None:
    centre = xy[iris]
    radius = float(np.mean(np.linalg.norm(xy[iris + 1:iris + 5] - centre, axis=1)))
    rows = np.arange(int(new_lid.min()), int(np.ceil(lid.max())) + 1)[:, None]
    strip = (rows > new_lid) & (rows <= lid)
    yy, xx = np.broadcast_arrays(rows, cols[None, :])
    vx, vy = xx - centre[0], yy - centre[1]
    in_iris = vx ** 2 + vy ** 2 < (0.95 * radius) ** 2
    # the white: the brightest half of the white this eye shows now, darker in the lid's shadow
    full_rows = np.arange(int(lid.min()), int(np.ceil(low.max())) + 1)[:, None]
    fy, fx = np.broadcast_arrays(full_rows, cols[None, :])
    seen = (full_rows > lid) & (full_rows < low) & ((fx - centre[0]) ** 2 + (fy - centre[1]) ** 2 > radius ** 2)
    white = image[fy[seen], fx[seen]].astype(np.float32)
    if len(white) == 0:
        return
    white = white[white.sum(1) >= np.median(white.sum(1))].mean(0)
    shade = 0.75 + 0.25 * np.clip((yy - new_lid) / 3.0, 0, 1)
    sel = strip & ~in_iris
    out[yy[sel], xx[sel]] = np.clip(white * shade[sel][:, None], 0, 255).astype(out.dtype)
    # the iris: a quarter turn about its centre brings the hidden top to its visible side
    sel = strip & in_iris
    side = np.where(vx[sel] >= 0, 1.0, -1.0)
    qx = np.clip(np.round(centre[0] - side * vy[sel]), 0, image.shape[1] - 1).astype(int)
    qy = np.clip(np.round(centre[1] + side * vx[sel]), 0, image.shape[0] - 1).astype(int)
    out[yy[sel], xx[sel]] = image[qy, qx]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photo", choices=list(PHOTOS), action="append")
    ap.add_argument("--raise", dest="amounts", type=float, nargs="+", default=[0.06, 0.1])
    ap.add_argument("--fill", choices=("mirror", "painted"), default="mirror",
                    help="what the raised lid uncovers (see raise_lids)")
    ap.add_argument("--save", type=Path, help="write each context's eyes, as drawn and raised, here")
    args = ap.parse_args()
    landmarker = get_landmarker()
    for name in args.photo or list(PHOTOS):
        photo = PHOTOS[name]()
        if photo is None:
            print(f"{name}: not installed")
            continue
        draft = render_basic(photo, "anger")  # for its prepared face and relaxed rest pose
        rest = draft.frame(0)
        measurer = FrameMeasurer(rest, landmarker)
        base = au_levels(measurer.blendshapes(rest))
        print(f"{name}: AU readings against the rest frame; lid rise in photo pixels")
        for label, brows in BROWS.items():
            pose = dict(draft.rest)
            for au, v in brows.items():
                left, right = pose.get(au, (0.0, 0.0))
                pose[au] = (left + v, right + v)
            drawn = _render_frame(draft.prepared, pose, {}, rest=draft.rest) if brows else rest
            xy = _in_frame(measurer.face(drawn), measurer)
            iod = float(np.linalg.norm(xy[468] - xy[473]))
            shots = [drawn]
            for amount in [0.0] + args.amounts:
                edited = raise_lids(drawn, xy, iod, amount, args.fill) if amount else drawn
                seen = measurer.face(edited)
                if seen is None:
                    print(f"  {label:34s} raise {amount:.2f}: face lost")
                    continue
                seen_xy = _in_frame(seen, measurer)
                rise = float(np.mean(xy[list(LID_MIDDLE), 1] - seen_xy[list(LID_MIDDLE), 1]))
                lv = au_levels(seen.blendshapes)
                print(f"  {label:34s} raise {amount:.2f} ({amount * iod:4.1f} px): seen {rise:+5.1f} px  "
                      + " ".join(f"AU{au} {lv[au] - base[au]:+.2f}" for au in READ))
                if amount:
                    shots.append(edited)
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                c = xy[[33, 263]].mean(0).astype(int)
                hw, hh = int(0.9 * iod), int(0.3 * iod)
                strip = np.concatenate([s[c[1] - hh:c[1] + hh, c[0] - hw:c[0] + hw] for s in shots], 0)
                strip = cv2.resize(strip, None, fx=600 / strip.shape[1], fy=600 / strip.shape[1],
                                   interpolation=cv2.INTER_CUBIC)
                path = args.save / f"{name}_{label.split(' (')[0].replace(', ', '_').replace(' ', '_')}.png"
                cv2.imwrite(str(path), cv2.cvtColor(strip, cv2.COLOR_RGB2BGR))


if __name__ == "__main__":
    main()
