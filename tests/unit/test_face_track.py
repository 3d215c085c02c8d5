"""The face track for Wan Animate's face_video: model rate and length, crops that follow the face."""
import numpy as np
import pytest

from thinkdraw_core.face.track import face_track, model_frames, resample_indices, square_boxes


def test_model_frames_cover_the_speech_in_4k_plus_1():
    assert model_frames(3.0, 16) == 49  # 48 frames needed -> 49
    assert model_frames(4.8, 16) == 77 and model_frames(4.9, 16) == 81
    assert model_frames(0.0, 25) == 1
    assert resample_indices(75, 25.0, 16.0, 49).tolist()[:4] == [0, 2, 3, 5]  # 3 s at 25 fps -> 16 fps
    assert resample_indices(10, 25.0, 16.0, 49)[-1] == 9  # past the end: the last frame


def _frames(n, size=96):
    """A bright 20-pixel square (the 'face') moving right 2 px a frame over a dark picture."""
    out = []
    for i in range(n):
        f = np.zeros((size, size + 40, 3), np.uint8)
        f[30:50, 10 + 2 * i:30 + 2 * i] = 255
        out.append(f)
    return out


def _detect(frame):
    ys, xs = np.nonzero(frame[..., 0] > 128)
    return None if len(xs) == 0 else (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)


def test_crops_follow_the_face_at_the_model_rate():
    frames = _frames(25)  # 1 s at 25 fps
    crops = face_track(frames, _detect, 25.0, 16.0, size=64, margin=0.5, smooth_seconds=0.0)
    assert len(crops) == 17 and crops[0].shape == (64, 64, 3)
    for crop in (crops[0], crops[8], crops[16]):  # the face stays centred in every crop
        ys, xs = np.nonzero(crop[..., 0] > 128)
        assert abs(xs.mean() - 31.5) < 2 and abs(ys.mean() - 31.5) < 2


def test_missing_detections_hold_and_boxes_stay_inside():
    boxes = [None, (10, 10, 30, 30), None, (90, 10, 110, 30)]
    sq = square_boxes(boxes, (64, 100), margin=0.5, smooth_frames=0.0)
    assert sq[0].tolist() == sq[1].tolist() == sq[2].tolist() == [0, 0, 40, 40]  # held, shifted inside
    assert sq[3].tolist() == [60, 0, 100, 40]
    with pytest.raises(ValueError, match="no face was found"):
        square_boxes([None, None], (64, 64))
