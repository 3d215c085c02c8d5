"""MediaPipe's blendshape stage on its own: face_blendshapes.tflite from a face_landmarker.task, run on
landmark arrays instead of on a picture. It tells what the model can read from a shape apart from what
a drawing lets the landmark detector see (tests/unit/test_blendshape_model.py, tools/blendshape_*.py).

The stage reads 146 of the 478 landmarks in image pixels (kLandmarksSubsetIdxs in MediaPipe's
face_blendshapes_graph.cc) and matches MediaPipe's own output exactly. It runs on ai-edge-litert, a
test dependency only.
"""
from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

SUBSET = (
    0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67, 70, 78, 80,
    81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133, 136, 144, 145, 146, 148, 149, 150, 152, 153,
    154, 155, 157, 158, 159, 160, 161, 162, 163, 168, 172, 173, 176, 178, 181, 185, 191, 195, 197, 234, 246, 249, 251,
    263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295, 296, 297, 300, 308, 310, 311, 312, 314, 317, 318,
    321, 323, 324, 332, 334, 336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382, 384, 385, 386,
    387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454, 466, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477,
)


class BlendshapeModel:
    """Call with (478, 2+) landmarks in pixels for the 52 blendshape scores, named as MediaPipe names them."""

    def __init__(self, task_path: str | Path, names: list[str]):
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
