"""Real photographic portraits that ship in installed packages, resized to 512x512 RGB uint8.

astronaut: skimage's (a broad, teeth-showing smile). portrait: a photo that ships with ComfyUI's
workflow templates (a wide, open smile). Both are far from neutral, so neutralisation is exercised.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import skimage.data


def second_photo() -> np.ndarray | None:
    spec = importlib.util.find_spec("comfyui_workflow_templates_media_image")
    if not spec or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "templates" / "flux_dev_checkpoint_example-1.webp"
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        return None
    return cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), (512, 512), interpolation=cv2.INTER_AREA)


PHOTOS = {"astronaut": skimage.data.astronaut, "portrait": second_photo}
