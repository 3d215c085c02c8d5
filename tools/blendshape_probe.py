"""Dev tool: where does a requested AU get lost, in the drawing or in the measurement?

For one photo and plan it prints, per AU, the blendshape reading of
  planned  the landmark geometry the draft intends (MediaPipe's own blendshape model run directly on
           the moved landmarks), and
  drawn    the rendered frame, measured as the analyser measures it (landmarks detected again).
A high `planned` with a low `drawn` means the landmark detector does not see the warp as the planned
shape; a low `planned` means the muscle model (deform.AU_PULLS) moves the wrong landmarks.

Needs ai-edge-litert (`pip install ai-edge-litert`), which is not a runtime or test dependency. The
blendshape stage it replicates reads 146 of the 478 landmarks in image pixels (kLandmarksSubsetIdxs
in MediaPipe's face_blendshapes_graph.cc) and matches MediaPipe's output exactly.

  .venv/bin/python tools/blendshape_probe.py --photo astronaut --aus 1:0.7,4:0.6,15:0.8,17:0.4
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from thinkdraw_core.draft import renderer  # noqa: E402
from thinkdraw_core.face.analyzer import FrameMeasurer, au_levels, shares_blendshapes  # noqa: E402
from thinkdraw_core.face.landmarks import get_landmarker  # noqa: E402

SUBSET = (
    0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67, 70, 78, 80,
    81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133, 136, 144, 145, 146, 148, 149, 150, 152, 153,
    154, 155, 157, 158, 159, 160, 161, 162, 163, 168, 172, 173, 176, 178, 181, 185, 191, 195, 197, 234, 246, 249, 251,
    263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295, 296, 297, 300, 308, 310, 311, 312, 314, 317, 318,
    321, 323, 324, 332, 334, 336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382, 384, 385, 386,
    387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454, 466, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477,
)


class BlendshapeModel:
    """MediaPipe's face_blendshapes.tflite from a face_landmarker.task, run on landmark arrays."""

    def __init__(self, task_path: Path, names: list[str]):
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:
            raise SystemExit("this tool needs ai-edge-litert: pip install ai-edge-litert") from exc
        with zipfile.ZipFile(task_path) as z, tempfile.TemporaryDirectory() as tmp:
            z.extract("face_blendshapes.tflite", tmp)
            self._it = Interpreter(str(Path(tmp) / "face_blendshapes.tflite"))
        self._it.allocate_tensors()
        self._in = self._it.get_input_details()[0]["index"]
        self._out = self._it.get_output_details()[0]["index"]
        self.names = names  # the model's output order, as MediaPipe reports its categories

    def __call__(self, xy: np.ndarray) -> dict[str, float]:
        self._it.set_tensor(self._in, np.ascontiguousarray(np.asarray(xy, np.float32)[list(SUBSET), :2][None]))
        self._it.invoke()
        return dict(zip(self.names, self._it.get_tensor(self._out).tolist()))


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
