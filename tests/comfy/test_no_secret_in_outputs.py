"""A key given the only way ThinkDraw takes one (the server's environment) reaches the LLM endpoint and
nothing else: a whole openai-reasoned draft, rendered and encoded by a real ComfyUI with an older
workflow and an older API client's prompt that still carry api_key values, leaves none of the keys in
any file the server wrote (outputs, temp, user data, its log)."""
from __future__ import annotations

import json
import os

import cv2
import pytest
import skimage.data
from fake_openai import FakeOpenAI

from comfy_host import ComfyServer
from thinkdraw_core.video import read_video_info

pytestmark = pytest.mark.comfy

ENV_KEY = "sk-thinkdraw-environment-key-7f3a9c"
PROMPT_KEY = "sk-old-api-client-key-51d2"  # an API client written for the old api_key input
WORKFLOW_KEY = "sk-old-saved-workflow-key-c04e"  # in an old workflow's widgets_values
ANSWER = {"steps": ["pleased"], "emotions": [{"name": "happiness", "weight": 1.0}], "valence": 0.6, "arousal": 0.4,
          "action_units": [{"au": 12, "intensity": 0.7, "side": "both"}, {"au": 6, "intensity": 0.5, "side": "both"}],
          "timeline": {"onset": 0.3, "apex": 0.6, "offset": 0.3, "micro": False}}


@pytest.fixture(scope="module")
def keyed_comfy(tmp_path_factory):
    server = ComfyServer(workdir=tmp_path_factory.mktemp("keyed-comfyui"), env={"THINKDRAW_OPENAI_API_KEY": ENV_KEY})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _files_holding(root, *needles: str) -> list[str]:
    hits = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "custom_nodes"]  # the pack's own source, linked in
        for name in files:
            data = open(os.path.join(folder, name), "rb").read()
            hits += [f"{os.path.relpath(os.path.join(folder, name), root)}: {n}" for n in needles if n.encode() in data]
    return hits


def test_a_keyed_openai_draft_writes_the_key_nowhere(keyed_comfy):
    llm = FakeOpenAI([json.dumps(ANSWER)])
    try:
        cv2.imwrite(str(keyed_comfy.input_dir / "face.png"), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
        reasoner = {"text": "pleased", "intensity": 1.0, "context": "", "backend": "openai", "llm_model": "none",
                    "base_url": llm.url, "api_model": "m", "seed": 0, "api_key": PROMPT_KEY}
        graph = {
            "1": {"class_type": "LoadImage", "inputs": {"image": "face.png"}},
            "2": {"class_type": "ThinkDrawEmotionCoTReasoner", "inputs": reasoner},
            "3": {"class_type": "ThinkDrawExpressionDraftRenderer",
                  "inputs": {"image": ["1", 0], "plan": ["2", 0], "seconds": 0.6, "fps": 10.0, "seed": 0,
                             "neutralize": 0.8, "face_index": -1, "crop_margin": 0.6}},
            "4": {"class_type": "ThinkDrawVideoCombine",
                  "inputs": {"images": ["3", 0], "fps": 10.0, "format": "h264-mp4", "crf": -1, "pix_fmt": "yuv420p",
                             "loop_count": 0, "pingpong": False, "audio_mode": "keep",
                             "filename_prefix": "ThinkDraw/keyed", "save_output": True, "plan": ["2", 0]}},
        }
        old_widgets = ["pleased", 1.0, "openai", "none", llm.url, "m", WORKFLOW_KEY, 0, ""]
        workflow = {"nodes": [{"id": 2, "type": "ThinkDrawEmotionCoTReasoner", "widgets_values": old_widgets}],
                    "links": [], "version": 0.4}
        entry = keyed_comfy.run(graph, extra_data={"extra_pnginfo": {"workflow": workflow}}, timeout=600)
    finally:
        llm.close()

    assert [r["auth"] for r in llm.requests] == [f"Bearer {ENV_KEY}"]  # the environment's key, not the prompt's
    plan = entry["outputs"]["2"]["thinkdraw_plan"][0]
    assert plan["backend"] == "openai" and plan["warnings"] == []
    video = entry["outputs"]["4"]["images"][0]
    saved = keyed_comfy.output_dir / video["subfolder"] / video["filename"]
    assert saved.stat().st_size > 1000
    meta = read_video_info(saved).metadata
    assert json.loads(meta["prompt"])["2"]["inputs"]["base_url"] == llm.url
    assert json.loads(meta["workflow"])["nodes"][0]["widgets_values"] == [*old_widgets[:6], *old_widgets[7:]]
    assert json.loads(meta["thinkdraw_plan"])["backend"] == "openai"
    # the metadata is plain text in the file, so the byte search below would find a key in it
    assert b"ThinkDrawEmotionCoTReasoner" in saved.read_bytes()
    assert _files_holding(keyed_comfy.workdir, ENV_KEY, PROMPT_KEY, WORKFLOW_KEY) == []
