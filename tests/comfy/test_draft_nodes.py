"""Face masks, expression analyser and draft renderer nodes in a real ComfyUI server (graphs via /prompt)."""
from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

pytestmark = pytest.mark.comfy

PLAN_NODES = ("ThinkDrawAUPlanEdit", "ThinkDrawEmotionCoTReasoner")


@pytest.fixture(scope="module")
def portrait(comfy) -> str:
    name = "thinkdraw_astronaut.png"
    cv2.imwrite(str(comfy.workdir / "input" / name), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    return name


def _image(comfy, entry, node) -> np.ndarray:
    item = entry["outputs"][node]["images"][0]
    return np.array(Image.open(io.BytesIO(comfy.view(item["filename"], item["subfolder"], item["type"]))))


def test_region_masks_node(comfy, portrait):
    graph = {
        "1": {"class_type": "LoadImage", "inputs": {"image": portrait}},
        "2": {"class_type": "ThinkDrawFaceRegionMasks", "inputs": {"image": ["1", 0], "face_index": -1, "feather": 0.08}},
        "3": {"class_type": "MaskToImage", "inputs": {"mask": ["2", 4]}},  # mouth
        "4": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": "ThinkDraw/mouth"}},
        "5": {"class_type": "MaskToImage", "inputs": {"mask": ["2", 6]}},  # whole face
        "6": {"class_type": "SaveImage", "inputs": {"images": ["5", 0], "filename_prefix": "ThinkDraw/face"}},
    }
    entry = comfy.run(graph)
    mouth, face = _image(comfy, entry, "4")[..., 0], _image(comfy, entry, "6")[..., 0]
    assert mouth.shape == (512, 512) and mouth.max() > 200
    ys, xs = np.nonzero(mouth > 128)
    assert 200 < xs.mean() < 250 and 140 < ys.mean() < 175  # the astronaut's mouth
    assert (face > 128).sum() > 3 * (mouth > 128).sum()


def test_analyzer_node_on_a_still_clip(comfy, portrait):
    graph = {
        "1": {"class_type": "LoadImage", "inputs": {"image": portrait}},
        "2": {"class_type": "RepeatImageBatch", "inputs": {"image": ["1", 0], "amount": 3}},
        "3": {"class_type": "ThinkDrawExpressionAnalyzer",
              "inputs": {"images": ["2", 0], "fps": 10.0, "face_index": -1}},
        "4": {"class_type": "PreviewAny", "inputs": {"source": ["3", 2]}},
        "5": {"class_type": "SaveImage", "inputs": {"images": ["3", 1], "filename_prefix": "ThinkDraw/plot"}},
    }
    entry = comfy.run(graph)
    report = json.loads(entry["outputs"]["4"]["text"][0])
    assert report["frames"] == 3 and report["lost_frames"] == []
    assert all(abs(r["measured"]) < 0.02 for r in report["aus"])
    plot = _image(comfy, entry, "5")
    assert plot.shape[:2] == (450, 800)


def test_no_face_error_names_the_input(comfy):
    graph = {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 128, "height": 128, "batch_size": 1, "color": 0}},
        "2": {"class_type": "ThinkDrawFaceRegionMasks", "inputs": {"image": ["1", 0], "face_index": -1, "feather": 0.1}},
        "3": {"class_type": "MaskToImage", "inputs": {"mask": ["2", 0]}},
        "4": {"class_type": "PreviewImage", "inputs": {"images": ["3", 0]}},
    }
    from comfy_host import ComfyError

    with pytest.raises(ComfyError, match="no face found in image 0 of the batch"):
        comfy.run(graph)


def _plan_node(info: dict) -> tuple[str, dict] | None:
    """A plan-producing node of the pack with its required inputs filled (text inputs say 'surprised')."""
    for nid in PLAN_NODES:
        if nid not in info:
            continue
        inputs = {}
        for name, spec in info[nid]["input"].get("required", {}).items():
            kind, opts = spec[0], (spec[1] if len(spec) > 1 else {})
            if kind == "STRING":
                inputs[name] = "surprised" if name in ("text", "emotion", "prompt") else opts.get("default", "")
            elif isinstance(kind, list):
                inputs[name] = opts.get("default", kind[0])
            elif "default" in opts:
                inputs[name] = opts["default"]
            else:
                break
        else:
            return nid, inputs
    return None


def _draft_and_analyse(portrait: str, plan_node: str, plan_inputs: dict, seconds: float) -> dict:
    """A graph: the portrait (node 1) and a plan (2) drawn by the draft renderer (3) at 8 fps, its frames read by the
    analyser (4), whose report is shown (5)."""
    return {
        "1": {"class_type": "LoadImage", "inputs": {"image": portrait}},
        "2": {"class_type": plan_node, "inputs": plan_inputs},
        "3": {"class_type": "ThinkDrawExpressionDraftRenderer",
              "inputs": {"image": ["1", 0], "plan": ["2", 0], "seconds": seconds, "fps": 8.0, "seed": 0,
                         "neutralize": 0.8, "face_index": -1, "crop_margin": 0.6}},
        "4": {"class_type": "ThinkDrawExpressionAnalyzer",
              "inputs": {"images": ["3", 0], "plan": ["2", 0], "fps": ["3", 1], "face_index": -1}},
        "5": {"class_type": "PreviewAny", "inputs": {"source": ["4", 2]}},
    }


def test_draft_renderer_graph(comfy, portrait):
    info = comfy.object_info()
    found = _plan_node(info)
    if found is None:
        pytest.skip(f"no plan-producing node ({', '.join(PLAN_NODES)}) is registered yet; the renderer graph needs one")
    nid, inputs = found
    graph = _draft_and_analyse(portrait, nid, inputs, seconds=1.0)
    graph["6"] = {"class_type": "PreviewAny", "inputs": {"source": ["3", 2]}}
    entry = comfy.run(graph, timeout=300)
    report = json.loads(entry["outputs"]["5"]["text"][0])
    assert report["frames"] == 8 and report["lost_frames"] == []
    assert "gains" in json.loads(entry["outputs"]["6"]["text"][0])



def _write_speech(path, seconds: float, rate: int = 16000) -> None:
    import wave

    t = np.arange(int(seconds * rate)) / rate
    sig = sum(np.sin(2 * np.pi * 130 * k * t) / k for k in range(1, 6)) * (np.sin(2 * np.pi * 3.5 * t) > 0)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1), wf.setsampwidth(2), wf.setframerate(rate)
        wf.writeframes((0.3 * sig * 32767).astype("<i2").tobytes())


def test_draft_video_output_through_core_save_video(comfy, portrait, tmp_path):
    """The draft's VIDEO output (appended after images, fps, calibration) into ComfyUI's own Save Video: an mp4
    as long as the speech, with its sound, the plan and the workflow in its metadata; nothing reads the images,
    so none are held."""
    from thinkdraw_core.video import read_metadata_json, read_plan, read_video_info

    found = _plan_node(comfy.object_info())
    if found is None:
        pytest.skip("no plan-producing node is registered yet; the renderer graph needs one")
    nid, inputs = found
    _write_speech(comfy.workdir / "input" / "thinkdraw_speech.wav", seconds=1.5)
    graph = {
        "1": {"class_type": "LoadImage", "inputs": {"image": portrait}},
        "2": {"class_type": nid, "inputs": inputs},
        "3": {"class_type": "ThinkDrawExpressionDraftRenderer",
              "inputs": {"image": ["1", 0], "plan": ["2", 0], "audio": ["4", 0], "seconds": 0.0, "fps": 8.0,
                         "seed": 0, "neutralize": 0.8, "face_index": -1, "crop_margin": 0.6}},
        "4": {"class_type": "LoadAudio", "inputs": {"audio": "thinkdraw_speech.wav"}},
        "5": {"class_type": "SaveVideo", "inputs": {"video": ["3", 3], "filename_prefix": "ThinkDraw/draft_video",
                                                    "format": "auto", "codec": "auto"}},
    }
    workflow = {"nodes": [{"id": 3, "type": "ThinkDrawExpressionDraftRenderer"}], "links": [], "version": 0.4}
    entry = comfy.run(graph, timeout=300, extra_data={"extra_pnginfo": {"workflow": workflow}})
    item = entry["outputs"]["5"]["images"][0]
    assert item["filename"].endswith(".mp4") and entry["outputs"]["5"].get("animated") == [True]
    local = tmp_path / item["filename"]
    local.write_bytes(comfy.view(item["filename"], item["subfolder"], item["type"]))
    info = read_video_info(local)
    assert (info.frames, info.fps, info.width, info.height, info.codec) == (12, 8.0, 512, 512, "h264")
    assert info.audio_codec == "aac" and info.audio_duration == pytest.approx(1.5, abs=0.05)
    assert read_plan(local).action_units
    assert read_metadata_json(local, "workflow") == workflow


def test_images_batch_too_big_is_refused_with_the_estimate(comfy):
    """The node's own maximums (600 s at 120 fps) on a 2048x2048 image ask for 3.6 TB as an IMAGE batch: refused
    before drawing, and the message with the size and the fix reaches the user."""
    from comfy_host import ComfyError

    found = _plan_node(comfy.object_info())
    if found is None:
        pytest.skip("no plan-producing node is registered yet; the renderer graph needs one")
    nid, inputs = found
    graph = {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 2048, "height": 2048, "batch_size": 1, "color": 0}},
        "2": {"class_type": nid, "inputs": inputs},
        "3": {"class_type": "ThinkDrawExpressionDraftRenderer",
              "inputs": {"image": ["1", 0], "plan": ["2", 0], "seconds": 600.0, "fps": 120.0, "seed": 0,
                         "neutralize": 0.8, "face_index": -1, "crop_margin": 0.6}},
        "4": {"class_type": "PreviewImage", "inputs": {"images": ["3", 0]}},
    }
    with pytest.raises(ComfyError) as err:
        comfy.run(graph, timeout=120)
    message = str(err.value)
    assert "ThinkDrawExpressionDraftRenderer" in message, message
    assert "an IMAGE batch of this clip would need 3623.9 GB (72000 frames of 2048x2048" in message, message
    assert "take the draft's video output instead (connect it to Save Video)" in message, message


def test_what_is_painted_on_the_portrait_holds_still_and_a_mask_of_another_size_is_refused(comfy):
    """The mask editor's painting (Load Image's MASK: the picture's alpha, 0 where painted) wired to the draft's
    hold_still, as the CPU template does: with the upper face painted, the analyser reads none of the surprise's
    brow raise while the jaw still drops; a mask of another size is refused naming the input and the fix."""
    from comfy_host import ComfyError

    found = _plan_node(comfy.object_info())
    if found is None:
        pytest.skip("no plan-producing node is registered yet; the renderer graph needs one")
    nid, inputs = found
    # a portrait of its own (the panel's preview keeps each portrait's last draft, mask and all), painted from
    # the top down to below the eyes, as the mask editor saves it
    portrait = "thinkdraw_astronaut_painted.png"
    rgba = cv2.cvtColor(skimage.data.astronaut()[:, ::-1], cv2.COLOR_RGB2BGRA)
    rgba[:135, :, 3] = 0
    cv2.imwrite(str(comfy.workdir / "input" / portrait), rgba)

    def shown(mask_from: str | None) -> dict[int, float]:
        """What the analyser reads for each AU the plan asks for."""
        graph = _draft_and_analyse(portrait, nid, inputs, seconds=1.5)
        graph["6"] = {"class_type": "SolidMask", "inputs": {"value": 1.0, "width": 256, "height": 256}}
        if mask_from == "painting":
            graph["3"]["inputs"]["hold_still"] = ["1", 1]
        elif mask_from == "another size":
            graph["3"]["inputs"]["hold_still"] = ["6", 0]
        report = json.loads(comfy.run(graph, timeout=300)["outputs"]["5"]["text"][0])
        return {r["au"]: r["measured"] for r in report["aus"] if r["requested"] > 0}

    free, held = shown(None), shown("painting")
    brows = [au for au in (1, 2) if au in free]
    assert brows and all(free[au] > 0.15 and held[au] < 0.05 for au in brows), (free, held)
    assert held[26] > 0.5 * free[26] > 0.05, (free, held)  # below the painting the jaw still drops
    with pytest.raises(ComfyError, match=r"hold_still is 256x256 but the image is 512x512: paint the mask on this image"):
        shown("another size")
