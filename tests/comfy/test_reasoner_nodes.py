"""Emotion CoT Reasoner -> AU Plan Edit in a real ComfyUI server through /prompt."""
from __future__ import annotations

import json

import pytest

from comfy_host import ComfyError

pytestmark = pytest.mark.comfy


def _graph(text: str, overrides: dict | str, intensity: float = 1.0) -> dict:
    return {
        "1": {"class_type": "ThinkDrawEmotionCoTReasoner",
              "inputs": {"text": text, "intensity": intensity, "context": "", "backend": "embedded",
                         "llm_model": "none", "base_url": "http://127.0.0.1:11434/v1", "api_model": "",
                         "seed": 0}},
        "2": {"class_type": "ThinkDrawAUPlanEdit",
              "inputs": {"plan": ["1", 0],
                         "overrides": overrides if isinstance(overrides, str) else json.dumps(overrides)}},
    }


def test_reasoner_then_plan_edit_shows_edited_plan_and_reasoning(comfy):
    info = comfy.object_info()
    spec = info["ThinkDrawEmotionCoTReasoner"]
    assert spec["display_name"] == "Emotion CoT Reasoner (ThinkDraw)" and spec["category"] == "ThinkDraw/think"
    assert spec["input"]["required"]["backend"][1]["options"] == ["embedded", "transformers", "openai"]
    assert "none" in spec["input"]["required"]["llm_model"][1]["options"]
    assert spec["output"] == ["THINKDRAW_PLAN", "STRING"]
    assert info["ThinkDrawAUPlanEdit"]["input"]["required"]["overrides"][1]["default"] == "{}"

    overrides = {"aus": {"12": {"intensity": 0.9, "side": "left"}, "14": 0}, "timeline": {"onset": 0.3}}
    entry = comfy.run(_graph("smug, looking down on his rival", overrides, intensity=0.8))
    original = entry["outputs"]["1"]["thinkdraw_plan"][0]
    edited = entry["outputs"]["2"]["thinkdraw_plan"][0]
    assert original["emotion"]["components"][0]["name"] == "contempt" and original["intensity"] == 0.8
    assert {a["au"]: a["side"] for a in original["action_units"]} == {12: "right", 14: "right"}
    units = {a["au"]: a for a in edited["action_units"]}
    assert set(units) == {12} and units[12]["intensity"] == 0.9 and units[12]["side"] == "left"
    assert edited["timeline"]["onset"] == 0.3
    assert any(step.startswith("Semantics") for step in edited["reasoning"])
    assert edited["reasoning"][-1].startswith("Edited by hand")


def test_bad_overrides_fail_with_a_message_naming_the_widget(comfy):
    with pytest.raises(ComfyError, match="overrides is not valid JSON"):
        comfy.run(_graph("happy", "{aus: 12}"))
    with pytest.raises(ComfyError, match=r"overrides.aus\['12'\].intensity must be in 0..1"):
        comfy.run(_graph("happy", {"aus": {"12": 4}}))
