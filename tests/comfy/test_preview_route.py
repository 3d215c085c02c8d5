"""The apex preview route in a real ComfyUI: a JPEG of the face for a plan and its overrides, clear errors,
and the calibration of the last full draft of the same portrait reused."""
from __future__ import annotations

import io
import json
import urllib.error
import urllib.request

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

from thinkdraw_core.plan import ActionUnit, AUPlan

pytestmark = pytest.mark.comfy


@pytest.fixture(scope="module")
def portrait(comfy) -> str:
    name = "thinkdraw_preview_astronaut.png"
    cv2.imwrite(str(comfy.workdir / "input" / name), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    return name


def post(comfy, body) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(comfy.url + "/thinkdraw/preview", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def smile() -> dict:
    return AUPlan(text="smile", action_units=[ActionUnit(6, 0.4), ActionUnit(12, 0.8)]).to_dict()


def test_the_preview_answers_with_the_face_and_follows_the_overrides(comfy, portrait):
    status, headers, body = post(comfy, {"image": portrait, "plan": smile(), "overrides": ""})
    assert status == 200 and headers["Content-Type"] == "image/jpeg", body[:300]
    face = np.array(Image.open(io.BytesIO(body)))
    assert max(face.shape[:2]) <= 320 and face.shape[2] == 3
    status, headers, edited = post(comfy, {"image": portrait, "plan": smile(),
                                           "overrides": json.dumps({"aus": {"12": 0.1, "6": 0}})})
    assert status == 200
    assert np.abs(np.array(Image.open(io.BytesIO(edited))).astype(int) - face).max() > 40


@pytest.mark.parametrize("body, fragment", [
    ({"image": "no_such_portrait.png", "plan": smile()}, "'no_such_portrait.png' is not in ComfyUI's input folder"),
    ({"image": "PORTRAIT", "plan": {"action_units": [{"au": 12, "intensity": 3}]}},
     "action_units[0].intensity must be in 0..1"),
    ({"image": "PORTRAIT", "plan": smile(), "overrides": "{oops"}, "overrides is not valid JSON"),
    ({"image": "PORTRAIT", "plan": smile(), "beat": 4}, "beat 4 is not a beat of this plan"),
    ({"image": "PORTRAIT", "plan": smile(), "neutralize": "lots"}, "neutralize must be a number"),
])
def test_bad_requests_get_a_message_naming_the_field(comfy, portrait, body, fragment):
    body = dict(body, image=portrait if body["image"] == "PORTRAIT" else body["image"])
    status, _, answer = post(comfy, body)
    assert status == 400 and fragment in json.loads(answer)["error"]


def test_a_full_draft_calibrates_the_later_previews(comfy, portrait):
    spec = comfy.object_info()["ThinkDrawEmotionCoTReasoner"]["input"]["required"]
    reasoner = {name: (opts[1].get("default", opts[0][0] if isinstance(opts[0], list) else None))
                for name, opts in spec.items()}
    graph = {
        "1": {"class_type": "LoadImage", "inputs": {"image": portrait}},
        "2": {"class_type": "ThinkDrawEmotionCoTReasoner", "inputs": dict(reasoner, text="a warm smile")},
        "3": {"class_type": "ThinkDrawExpressionDraftRenderer",
              "inputs": {"image": ["1", 0], "plan": ["2", 0], "seconds": 0.5, "fps": 4.0, "seed": 0,
                         "neutralize": 0.7, "face_index": -1, "crop_margin": 0.6}},
        "4": {"class_type": "PreviewAny", "inputs": {"source": ["3", 2]}},
    }
    entry = comfy.run(graph, timeout=300)
    plan = entry["outputs"]["2"]["thinkdraw_plan"][0]  # what the panel received
    status, headers, _ = post(comfy, {"image": portrait, "plan": plan, "neutralize": 0.7})
    assert status == 200 and headers["X-ThinkDraw-Calibrated"] == "1", headers
    # another neutralize was never drafted: uncalibrated, and the note says what to do
    status, headers, _ = post(comfy, {"image": portrait, "plan": plan, "neutralize": 0.2})
    assert status == 200 and headers["X-ThinkDraw-Calibrated"] == "0" and "press Run" in headers["X-ThinkDraw-Note"]
