"""Dev tool: where does a requested AU get lost, in the drawing or in the measurement?

For one photo and plan it prints, per AU, the blendshape reading of
  planned  the landmark geometry the draft intends (MediaPipe's own blendshape model run directly on
           the moved landmarks), and
  drawn    the rendered frame, measured as the analyser measures it (landmarks detected again).
A high `planned` with a low `drawn` means the landmark detector does not see the warp as the planned
shape; a low `planned` means the muscle model (deform.AU_PULLS) moves the wrong landmarks.

The blendshape stage runs on ai-edge-litert (tests/blendshape_stage.py), a test dependency.

  .venv/bin/python tools/blendshape_probe.py --photo astronaut --aus 1:0.7,4:0.6,15:0.8,17:0.4
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from blendshape_stage import BlendshapeModel  # noqa: E402

from thinkdraw_core.draft import renderer  # noqa: E402
from thinkdraw_core.face.analyzer import FrameMeasurer, au_levels, shares_blendshapes  # noqa: E402
from thinkdraw_core.face.landmarks import get_landmarker  # noqa: E402


def main(argv=None) -> None:
    from sample_photos import PHOTOS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photo", choices=sorted(PHOTOS), default="astronaut")
    ap.add_argument("--aus", required=True, help="AU:intensity pairs, e.g. 1:0.7,4:0.6")
    ap.add_argument("--neutralize", type=float, default=0.8)
    args = ap.parse_args(argv)
    aus = {int(k): float(v) for k, v in (pair.split(":") for pair in args.aus.split(","))}

    landmarker = get_landmarker()
    image = PHOTOS[args.photo]()
    if image is None:
        raise SystemExit(f"the photo {args.photo!r} is not installed")
    prepared = renderer.prepare_face(image, landmarker=landmarker)
    model = BlendshapeModel(landmarker.model_path, list(prepared.blendshapes))

    rest = renderer.rest_pose(renderer.source_relaxation(prepared.blendshapes, args.neutralize))
    apex = dict(rest)
    for au, v in aus.items():
        left, right = apex.get(au, (0.0, 0.0))
        apex[au] = (left + v, right + v)
    d_rest, _ = renderer._displacement(prepared, rest, {}, None)
    d_apex, _ = renderer._displacement(prepared, apex, {}, None, rest)
    planned0, planned = au_levels(model(prepared.xy + d_rest)), au_levels(model(prepared.xy + d_apex))

    first = renderer._render_frame(prepared, rest, {})
    measurer = FrameMeasurer(first, landmarker)
    drawn0 = au_levels(measurer.blendshapes(first))
    shapes = measurer.blendshapes(renderer._render_frame(prepared, apex, {}, rest=rest))
    if shapes is None:
        raise SystemExit("the face was lost in the drawn apex frame")
    drawn = au_levels(shapes)

    print(f"{args.photo}: change at apex against the relaxed rest pose (gains 1)")
    print(f"{'AU':>4} {'asked':>6} {'planned':>8} {'drawn':>7}")
    for au in sorted(drawn):
        p, d = planned[au] - planned0[au], drawn[au] - drawn0[au]
        if au in aus or (max(abs(p), abs(d)) > 0.1 and not shares_blendshapes(au, aus)):
            print(f"{au:>4} {aus.get(au, 0.0):>6.2f} {p:>+8.2f} {d:>+7.2f}")


if __name__ == "__main__":
    main()
