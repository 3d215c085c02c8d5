"""AU Mesh Render in a real ComfyUI server: the plan moves the drawn mesh where its muscles act."""
from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

pytestmark = pytest.mark.comfy


def _graph(image: str, text: str) -> dict:
    return {
        "1": {"class_type": "LoadImage", "inputs": {"image": image}},
        "2": {"class_type": "ThinkDrawEmotionCoTReasoner",
              "inputs": {"text": text, "intensity": 1.0, "backend": "embedded", "llm_model": "none",
                         "base_url": "http://127.0.0.1:11434/v1", "api_model": "", "seed": 0}},
        "3": {"class_type": "ThinkDrawAUMeshRender",
              "inputs": {"image": ["1", 0], "plan": ["2", 0], "seconds": 1.6, "fps": 5.0, "seed": 0,
                         "neutralize": 0.0, "face_index": -1, "thickness": 2}},
        "4": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": "ThinkDraw/mesh"}},
    }


def _frames(comfy, entry) -> list[np.ndarray]:
    items = entry["outputs"]["4"]["images"]
    return [np.array(Image.open(io.BytesIO(comfy.view(i["filename"], i["subfolder"], i["type"])))) for i in items]


def _centroid_y(img: np.ndarray, colour: tuple[int, int, int]) -> float:
    ys, _ = np.nonzero(np.all(np.abs(img.astype(int) - colour) <= 30, axis=2))
    return float(ys.mean())


def test_surprise_raises_the_brows_in_the_mesh(comfy):
    name = "thinkdraw_mesh_astronaut.png"
    cv2.imwrite(str(comfy.workdir / "input" / name), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    frames = _frames(comfy, comfy.run(_graph(name, "completely surprised"), timeout=240))
    assert len(frames) == 8 and frames[0].shape == (512, 512, 3)
    first, last = frames[0], frames[-1]
    # line art on black, in the annotator's feature colours
    assert (first.any(axis=2)).mean() < 0.05
    brow_l, brow_r = (10, 220, 180), (180, 220, 10)
    for colour in (brow_l, brow_r):
        assert _centroid_y(last, colour) < _centroid_y(first, colour) - 1.5  # brows go up (AU1+2)
    lips = (10, 180, 10)
    lips_first = np.nonzero(np.all(np.abs(first.astype(int) - lips) <= 30, axis=2))[0]
    lips_last = np.nonzero(np.all(np.abs(last.astype(int) - lips) <= 30, axis=2))[0]
    assert np.ptp(lips_last) > np.ptp(lips_first) + 3  # the jaw drops (AU26): the lip outline grows taller
