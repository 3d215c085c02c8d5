"""Workflows and prompts saved while the reasoner had an api_key widget still load, with the key dropped
(and one warning), and the widgets after it keep their values."""
from __future__ import annotations

import json
import logging

import pytest

from thinkdraw.workflow import load_workflow, ui_to_api
from thinkdraw_core import secrets

KEY = "sk-old-workflow-secret-42"
# /object_info of the reasoner as it is now (no api_key), trimmed to what the converter reads
INFO = {"ThinkDrawEmotionCoTReasoner": {
    "input": {"required": {"text": ["STRING", {}], "intensity": ["FLOAT", {}],
                           "backend": ["COMBO", {"options": ["embedded", "transformers", "openai"]}],
                           "llm_model": ["COMBO", {"options": ["none"]}], "base_url": ["STRING", {}],
                           "api_model": ["STRING", {}], "seed": ["INT", {"control_after_generate": False}]},
              "optional": {"context": ["STRING", {}]}},
    "input_order": {"required": ["text", "intensity", "backend", "llm_model", "base_url", "api_model", "seed"],
                    "optional": ["context"]}}}
OLD_VALUES = ["smug", 0.8, "openai", "none", "http://127.0.0.1:11434/v1", "llama3.2", KEY, 7, "a toast"]


def _old_workflow() -> dict:
    return {"nodes": [{"id": 3, "type": "ThinkDrawEmotionCoTReasoner", "mode": 0, "inputs": [], "outputs": [],
                       "widgets_values": list(OLD_VALUES)}], "links": [], "version": 0.4}


@pytest.fixture(autouse=True)
def fresh_warning(monkeypatch):
    monkeypatch.setattr(secrets, "_warned", False)


def test_an_old_workflow_loses_its_key_and_keeps_the_widgets_after_it(caplog):
    old = _old_workflow()
    with caplog.at_level(logging.WARNING, logger="ThinkDraw"):
        clean = secrets.scrub_workflow(old)
        secrets.scrub_workflow(_old_workflow())
    assert clean["nodes"][0]["widgets_values"] == ["smug", 0.8, "openai", "none", "http://127.0.0.1:11434/v1",
                                                   "llama3.2", 7, "a toast"]
    assert old["nodes"][0]["widgets_values"] == OLD_VALUES  # the caller's copy is left alone
    assert KEY not in json.dumps(clean)
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1  # warned once
    assert "THINKDRAW_OPENAI_API_KEY" in caplog.records[0].message and KEY not in caplog.text


def test_a_current_workflow_passes_untouched_and_silent(caplog):
    current = _old_workflow()
    del current["nodes"][0]["widgets_values"][6]
    with caplog.at_level(logging.WARNING, logger="ThinkDraw"):
        assert secrets.scrub_workflow(current) is current
    assert not caplog.records


def test_an_empty_old_key_is_dropped_without_a_warning(caplog):
    old = _old_workflow()
    old["nodes"][0]["widgets_values"][6] = ""
    with caplog.at_level(logging.WARNING, logger="ThinkDraw"):
        clean = secrets.scrub_workflow(old)
    assert clean["nodes"][0]["widgets_values"][6] == 7 and not caplog.records


def test_an_api_prompt_loses_every_api_key_input():
    prompt = {"1": {"class_type": "ThinkDrawEmotionCoTReasoner", "inputs": {"text": "smug", "api_key": KEY}},
              "2": {"class_type": "SomeOtherPackLLM", "inputs": {"api_key": "sk-other", "prompt": "hi"}}}
    clean = secrets.scrub_prompt(prompt)
    assert clean == {"1": {"class_type": "ThinkDrawEmotionCoTReasoner", "inputs": {"text": "smug"}},
                     "2": {"class_type": "SomeOtherPackLLM", "inputs": {"prompt": "hi"}}}


def test_the_runner_converts_an_old_workflow_file_without_the_key(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps(_old_workflow()))
    workflow = load_workflow(path)  # what the runner also embeds as extra_pnginfo
    assert KEY not in json.dumps(workflow)
    prompt = ui_to_api(workflow, INFO)
    assert prompt["3"]["inputs"] == {"text": "smug", "intensity": 0.8, "backend": "openai", "llm_model": "none",
                                     "base_url": "http://127.0.0.1:11434/v1", "api_model": "llama3.2", "seed": 7,
                                     "context": "a toast"}
    api = tmp_path / "old_api.json"
    api.write_text(json.dumps({"3": {"class_type": "ThinkDrawEmotionCoTReasoner",
                                     "inputs": {"text": "smug", "api_key": KEY}}}))
    assert KEY not in json.dumps(ui_to_api(load_workflow(api), INFO))
