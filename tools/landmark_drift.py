"""Dev tool: where does the drawn face part from the planned one, feature by feature?

For one photo and basic emotion, drawn as the quality test draws it (tests/basic_emotions.py, calibrated
gains), this detects the landmarks again on the rest and apex frames, on the upscaled crop the analyser
measures, and prints per landmark group how far the plan moves it from rest to apex and how far the
detector sees it move, along the face's vertical and across it (inter-ocular units; up and towards the
subject's left are negative and positive as in deform.FaceGeometry). A group the detector sees move
much less than planned is where the drawing loses an AU; blendshape_probe.py says whether that matters
to the blendshape model.

--save DIR writes the apex crop around each eye and the mouth, 8x, with the planned landmarks (red),
the detected ones (green) and the triangles the warp finds folded (outlined red, the ones it mends).

  .venv/bin/python tools/landmark_drift.py --photo portrait --emotion anger [--save /tmp/drift]
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

from thinkdraw_core.draft import deform  # noqa: E402
from thinkdraw_core.face.analyzer import FrameMeasurer  # noqa: E402
from thinkdraw_core.face.landmarks import get_landmarker  # noqa: E402

GROUPS = {name: getattr(deform, name) for name in (
    "OUTER_BROW", "MID_BROW", "INNER_BROW", "UPPER_CREASE", "UPPER_LID", "LOWER_LID", "LOWER_CREASE", "CHEEK",
    "CORNER", "UPPER_LIP_OUTER", "UPPER_LIP_INNER", "LOWER_LIP_INNER", "LOWER_LIP_OUTER", "CHIN")}
IRIS = ((468, 469, 470, 471, 472), (473, 474, 475, 476, 477))  # subject's right, left
VIEWS = {"right eye": deform.UPPER_LID[0] + deform.LOWER_LID[0], "left eye": deform.UPPER_LID[1] + deform.LOWER_LID[1],
         "mouth": deform.CORNER[0] + deform.CORNER[1] + deform.UPPER_LIP_OUTER[0] + deform.LOWER_LIP_OUTER[1]}


def detector(first_frame: np.ndarray, landmarker):
    """Landmarks in frame pixels, found as the analyser finds them (FrameMeasurer's upscaled crop)."""
    measurer = FrameMeasurer(first_frame, landmarker)
    corner = np.array([measurer.box.x0, measurer.box.y0], np.float64)

    def detect(frame: np.ndarray) -> np.ndarray:
        face = measurer.face(frame)
        if face is None:
            raise SystemExit("the detector lost the face")
        return face.xy / measurer.scale + corner

    return detect


def save_views(out: Path, frame: np.ndarray, planned: np.ndarray, detected: np.ndarray, folded: np.ndarray,
               result, name: str) -> None:
    warper = result.prepared.warper
    origin = np.array(result.prepared.box[:2], np.float64)
    moved = warper.points.copy()
    moved[: warper.n_moving] = planned - origin
    size = warper.geo.size
    for view, points in VIEWS.items():
        centre = planned[list(points)].mean(axis=0)
        x0, y0 = np.round(centre - (0.5 * size, 0.45 * size)).astype(int)
        x1, y1 = np.round(centre + (0.5 * size, 0.3 * size)).astype(int)
        scale = 8
        crop = cv2.resize(cv2.cvtColor(frame[y0:y1, x0:x1], cv2.COLOR_RGB2BGR), None, fx=scale, fy=scale,
                          interpolation=cv2.INTER_NEAREST)
        for tri in warper.tris[folded]:
            corners = np.round((moved[tri] + origin - (x0, y0)) * scale).astype(np.int32)
            cv2.polylines(crop, [corners], True, (0, 0, 255), 1)
        for xy, colour in ((planned, (0, 0, 255)), (detected, (0, 200, 0))):
            for p in np.round((xy - (x0, y0)) * scale).astype(int):
                if 0 <= p[0] < crop.shape[1] and 0 <= p[1] < crop.shape[0]:
                    cv2.circle(crop, (int(p[0]), int(p[1])), 3, colour, -1)
        path = out / f"{name}_{view.replace(' ', '_')}.png"
        cv2.imwrite(str(path), crop)
        print(f"wrote {path}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photo", choices=sorted(PHOTOS), default="astronaut")
    ap.add_argument("--emotion", choices=sorted(BASIC_EMOTIONS), required=True)
    ap.add_argument("--save", type=Path, help="folder for the zoomed apex views")
    args = ap.parse_args(argv)

    landmarker = get_landmarker()
    image = PHOTOS[args.photo]()
    if image is None:
        raise SystemExit(f"the photo {args.photo!r} is not installed")
    result = render_basic(image, args.emotion)
    last = result.n_frames - 1
    rest_frame, apex_frame = result.frame(0), result.frame(last)
    detect = detector(rest_frame, landmarker)
    planned0, planned = result.landmarks(0), result.landmarks(last)
    found0, found = detect(rest_frame), detect(apex_frame)
    geo = result.prepared.warper.geo

    def move(a: np.ndarray, b: np.ndarray, idx) -> tuple[float, float]:
        d = (b[list(idx)] - a[list(idx)]).mean(axis=0) / geo.size
        return float(d @ geo.ey), float(d @ geo.ex)

    print(f"{args.photo} {args.emotion}, gains {result.gains}: rest -> apex, inter-ocular units")
    print(f"{'group':16s} {'side':5s} {'planned down':>12s} {'seen down':>10s} {'planned across':>15s} {'seen across':>12s}")
    for name, sides in [*GROUPS.items(), ("IRIS", IRIS)]:
        for side, idx in zip(("right", "left"), sides):
            pd, pa = move(planned0, planned, idx)
            sd, sa = move(found0, found, idx)
            flag = "  <" if abs(pd) > 0.02 and abs(sd) < 0.6 * abs(pd) else ""
            print(f"{name:16s} {side:5s} {pd:>+12.3f} {sd:>+10.3f} {pa:>+15.3f} {sa:>+12.3f}{flag}")
    print("< : the detector sees under 60% of a planned move over 0.02 iod")
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        disp = planned - result.prepared.xy - result.prepared.box[:2]
        folded = result.prepared.warper.folded_skin(disp)
        save_views(args.save, apex_frame, planned, found, folded, result, f"{args.photo}_{args.emotion}")


if __name__ == "__main__":
    main()
