"""LLM backends without a big model: answer parsing/repair/validation, and the OpenAI-compatible backend
against a real HTTP server on loopback (canned answers), including retry and fall-back."""
from __future__ import annotations

import json

import pytest
from fake_openai import FakeOpenAI

from thinkdraw_core.reasoning import EmotionCoTReasoner
from thinkdraw_core.reasoning.llm import EXAMPLE, LLMAnswerError, answer_schema, parse_answer, plan_from_answer

GOOD = {
    "steps": ["'quiet pride' is pride held in", "tears held back show in the brows and chin",
              "zygomaticus lifts a little, mentalis pushes the chin up"],
    "emotions": [{"name": "pride", "weight": 0.6}, {"name": "sadness", "weight": 0.4}],
    "valence": 0.2, "arousal": 0.4,
    "action_units": [{"au": 12, "intensity": 0.4, "side": "both"}, {"au": 1, "intensity": 0.35, "side": "both"},
                     {"au": 15, "intensity": 0.3, "side": "both"}, {"au": 17, "intensity": 0.4, "side": "both"}],
    "timeline": {"onset": 0.8, "apex": 2.5, "offset": 1.0, "micro": False},
}


def test_parse_answer_reads_fenced_json_and_repairs_cut_off_json():
    obj, repairs = parse_answer("Sure!\n```json\n" + json.dumps(GOOD) + "\n```")
    assert obj == GOOD and repairs == []
    cut = json.dumps(GOOD)[:-40]
    obj, repairs = parse_answer(cut)
    assert obj["emotions"] == GOOD["emotions"] and repairs == ["closed a cut-off JSON answer"]
    with pytest.raises(LLMAnswerError, match="no JSON object"):
        parse_answer("I think the person is happy.")


def test_plan_from_answer_validates_and_completes_the_plan():
    plan = plan_from_answer("quiet pride", GOOD, intensity=1.0, context="", backend="openai")
    # AU12 and AU15 on the same side: the conflict is resolved and stated
    assert plan.au_intensity(12) == 0.4 and plan.au_intensity(15) == 0.0
    assert any("AU12 vs AU15" in s for s in plan.reasoning)
    assert plan.regions["jaw"].startswith("chin boss") and plan.timeline.onset == 0.8
    assert plan.emotion.valence == 0.2 and plan.backend == "openai"
    clipped = dict(GOOD, action_units=[{"au": 12, "intensity": 1.7, "side": "left"}])
    plan = plan_from_answer("x", clipped, intensity=0.5, context="", backend="openai")
    assert plan.au_intensity(12) == 0.5 and plan.get(12).side == "left"
    assert "clipped" in plan.reasoning[0]
    for bad, fragment in (({**GOOD, "emotions": [{"name": "glee", "weight": 1}]}, "is not one of"),
                          ({**GOOD, "action_units": [{"au": 99, "intensity": 1, "side": "both"}]}, "unknown Action"),
                          ({**GOOD, "action_units": [{"au": 4, "intensity": 1, "side": "up"}]}, "side must be"),
                          ({**GOOD, "action_units": []}, "no action_units"),
                          ({"steps": ["x"]}, "missing fields")):
        with pytest.raises(LLMAnswerError, match=fragment):
            plan_from_answer("x", bad, intensity=1.0, context="", backend="openai")


def test_schema_example_is_itself_a_valid_answer():
    schema = answer_schema()
    assert set(schema["required"]) <= set(EXAMPLE)
    plan = plan_from_answer("smug", EXAMPLE, intensity=1.0, context="", backend="openai")
    assert {a.side for a in plan.action_units} == {"right"}


@pytest.fixture
def fake_server():
    servers = []

    def make(answers):
        servers.append(FakeOpenAI(answers))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def test_openai_backend_sends_a_proper_request_and_builds_the_plan(fake_server, monkeypatch):
    monkeypatch.setenv("THINKDRAW_OPENAI_API_KEY", "sk-test")
    server = fake_server(["Here is the plan:\n" + json.dumps(GOOD)])
    reasoner = EmotionCoTReasoner("openai", base_url=server.url, api_model="llama3.2")
    plan = reasoner.reason("quiet pride, fighting back tears", intensity=0.5, context="a toast", seed=7)
    assert len(server.requests) == 1
    req = server.requests[0]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer sk-test"
    body = req["body"]
    assert body["model"] == "llama3.2" and body["seed"] == 7 and body["temperature"] == 0.0
    assert body["response_format"]["json_schema"]["schema"]["required"][0] == "steps"
    assert body["messages"][0]["role"] == "system" and "step by step" in body["messages"][0]["content"]
    assert "quiet pride, fighting back tears" in body["messages"][1]["content"]
    assert "a toast" in body["messages"][1]["content"]
    assert plan.backend == "openai" and plan.warnings == []
    assert plan.au_intensity(12) == pytest.approx(0.2) and plan.intensity == 0.5
    assert "the model reasoned" in plan.reasoning[0]
    again = reasoner.reason("quiet pride, fighting back tears", intensity=0.5, context="a toast", seed=7)
    assert again == plan and len(server.requests) == 1  # identical inputs come from the cache


def test_openai_backend_retries_with_the_error_then_succeeds(fake_server):
    server = fake_server(['{"steps": ["x"], "emotions": [{"name": "glee", "weight": 1}], "action_units": []}',
                          json.dumps(GOOD)])
    plan = EmotionCoTReasoner("openai", base_url=server.url, api_model="m").reason("proud", seed=3)
    assert len(server.requests) == 2
    assert server.requests[1]["body"]["seed"] == 4
    assert "not usable" in server.requests[1]["body"]["messages"][-1]["content"]
    assert plan.backend == "openai" and "retry worked" in plan.reasoning[0]


def test_openai_backend_falls_back_to_embedded_with_a_visible_warning(fake_server):
    server = fake_server(["I cannot help with that.", "Still no JSON."])
    plan = EmotionCoTReasoner("openai", base_url=server.url, api_model="m").reason("a flicker of irritation")
    assert plan.backend == "embedded (fallback from openai)"
    assert "openai backend failed" in plan.warnings[0] and plan.reasoning[0].startswith("Warning")
    assert plan.active_aus() and plan.timeline.micro
    down = EmotionCoTReasoner("openai", base_url="http://127.0.0.1:9/v1", api_model="m").reason("happy")
    assert "cannot reach" in down.warnings[0] and down.au_intensity(12) > 0


def test_openai_settings_errors_name_the_input():
    with pytest.raises(ValueError, match="api_model is empty"):
        EmotionCoTReasoner("openai", api_model="")
    with pytest.raises(ValueError, match="base_url 'localhost:11434' must start with http"):
        EmotionCoTReasoner("openai", base_url="localhost:11434", api_model="m")
