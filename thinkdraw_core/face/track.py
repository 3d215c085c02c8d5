"""A face track: square crops that follow the face, at a video model's frame rate and length.

Wan 2.2 Animate reads the expression from `face_video`: one face crop per output frame (it scales
them to 512x512). The CPU draft renders at its own rate (25 fps) and length (the speech's); the model
runs at 16 fps in windows of 4k+1 frames. So the draft's frames are resampled in time, each frame's
face box found (a missing detection holds the last box), the boxes smoothed over time (a crop that
jitters with the detector would read as head shake), and the crops cut and resized.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

# (x0, y0, x1, y1) of the face in a frame's pixels, or None when the detector found none
Detector = Callable[[np.ndarray], "tuple[float, float, float, float] | None"]


def model_frames(seconds: float, fps: float, stride: int = 4) -> int:
    """The fewest frames 4k+1 (the Wan VAE's packing) that cover `seconds` at `fps`; at least 1."""
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"seconds must be >= 0, got {seconds}")
    if fps <= 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    need = max(1, math.ceil(seconds * fps - 1e-9))
    return 1 + stride * math.ceil((need - 1) / stride)


def resample_indices(n_in: int, fps_in: float, fps_out: float, length: int) -> np.ndarray:
    """For each output frame, the input frame showing the same moment (the last one past the end)."""
    if n_in < 1:
        raise ValueError("the face track needs at least one frame")
    t = np.arange(int(length)) / float(fps_out)
    return np.clip(np.round(t * float(fps_in)).astype(int), 0, n_in - 1)


def square_boxes(boxes: Sequence["tuple[float, float, float, float] | None"], image_size: tuple[int, int],
                 margin: float = 0.3, smooth_frames: float = 3.0) -> np.ndarray:
    """[N, 4] integer square boxes (x0, y0, x1, y1) around each frame's face, smoothed over time.

    margin: the face's extent added on every side, as a fraction of it; smooth_frames: the Gaussian's
    sigma in frames for the centre and size (0 = none). A frame without a face takes the nearest earlier
    box (the first found box before any). Boxes are shifted, not cut, to stay inside the picture.
    """
    h, w = image_size
    known = [b for b in boxes if b is not None]
    if not known:
        raise ValueError("no face was found in any frame of the track. Fix: give frames with a clearly visible face")
    params, last = [], known[0]
    for b in boxes:
        last = b if b is not None else last
        x0, y0, x1, y1 = last
        params.append(((x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) * (1 + 2 * margin)))
    p = np.asarray(params, dtype=np.float64)
    if smooth_frames > 0 and len(p) > 1:
        radius = int(math.ceil(3 * smooth_frames))
        k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / smooth_frames) ** 2)
        k /= k.sum()
        padded = np.pad(p, ((radius, radius), (0, 0)), mode="edge")
        p = np.stack([np.convolve(padded[:, c], k, mode="valid") for c in range(3)], axis=1)
    out = np.zeros((len(p), 4), dtype=int)
    for i, (cx, cy, side) in enumerate(p):
        side = int(round(min(side, h, w)))
        x0 = int(round(min(max(cx - side / 2, 0), w - side)))
        y0 = int(round(min(max(cy - side / 2, 0), h - side)))
        out[i] = (x0, y0, x0 + side, y0 + side)
    return out


def face_track(frames: Sequence[np.ndarray], detect: Detector, fps_in: float, fps_out: float, length: int = 0,
               size: int = 512, margin: float = 0.3, smooth_seconds: float = 0.2) -> list[np.ndarray]:
    """Square face crops (uint8 size x size x 3) following the face, `length` frames at `fps_out`
    (0 = the whole clip, as model_frames counts it)."""
    import cv2

    if not frames:
        raise ValueError("the face track needs at least one frame")
    if length <= 0:
        length = model_frames(len(frames) / float(fps_in), fps_out)
    idx = resample_indices(len(frames), fps_in, fps_out, length)
    picked = [frames[i] for i in idx]
    found: dict[int, object] = {}
    boxes = []
    for i in idx:  # the same source frame twice (slowed down) is detected once
        if int(i) not in found:
            found[int(i)] = detect(frames[int(i)])
        boxes.append(found[int(i)])
    squares = square_boxes(boxes, picked[0].shape[:2], margin, smooth_seconds * fps_out)
    crops = []
    for frame, (x0, y0, x1, y1) in zip(picked, squares):
        crop = frame[y0:y1, x0:x1]
        interp = cv2.INTER_AREA if crop.shape[0] > size else cv2.INTER_CUBIC
        crops.append(cv2.resize(crop, (size, size), interpolation=interp))
    return crops
