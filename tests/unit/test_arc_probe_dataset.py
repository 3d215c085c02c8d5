"""The arc probe set (benchmarks/data/arcs_probe.jsonl) is what make_arc_probe.py writes, well formed, all 'probe'."""
from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from arc_data import CATEGORIES, LANGS, check_case

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "benchmarks" / "data"
PROBE = DATA / "arcs_probe.jsonl"
SEQUENCE_WORDS = ("then", "first", "finally", "until", "before", "先", "然后", "最后", "后来", "接着", "首先", "当时",
                  "从头到尾")
# restated on purpose (the README's list), so a change to the generator's list shows up here
CUT_WORDS = ("suddenly", "all of a sudden", "abruptly", "instantly", "in an instant", "snaps", "突然", "忽然", "猛地",
             "一下子", "顿时", "瞬间")


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, DATA / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def items() -> list[dict]:
    with open(PROBE, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_file_is_what_the_generator_writes(items):
    module = _module("make_arc_probe")
    assert items == json.loads(json.dumps(module.CASES, ensure_ascii=False))


def test_schema_and_labels(items):
    for item in items:
        check_case(item, ("probe",))


def test_a_cut_is_where_the_text_says_sudden(items):
    for item in items:
        says_sudden = any(w in item["text"].lower() for w in CUT_WORDS)
        assert ("cut" in item["handover"]) == says_sudden, item["text"]
        if item["category"] == "sudden":
            assert says_sudden, item["text"]


def test_controls_are_one_beat_with_a_sequence_word_and_arcs_have_several(items):
    for item in items:
        if item["category"] == "control":
            assert len(item["beats"]) == 1, item["text"]
            assert any(w in item["text"].lower() for w in SEQUENCE_WORDS), item["text"]
        else:
            assert len(item["beats"]) >= 2, item["text"]


def test_categories_languages_and_counts(items):
    langs = Counter(item["lang"] for item in items)
    assert len(items) >= 120 and langs["en"] >= 65 and langs["zh"] >= 50, langs
    cats = Counter(item["category"] for item in items)
    assert set(cats) == set(CATEGORIES), cats
    for lang in LANGS:
        assert {item["category"] for item in items if item["lang"] == lang} == set(CATEGORIES), lang
    # weighted toward the known-hard kinds
    assert cats["event"] >= 25 and cats["sudden"] >= 18 and cats["idiom"] >= 18 and cats["masking"] >= 10, cats
    assert sum(len(item["beats"]) >= 3 for item in items) >= 20
    assert any(not beat["core"] for item in items for beat in item["beats"])


def test_texts_unique_and_new(items):
    texts = Counter(item["text"] for item in items)
    assert not [t for t, n in texts.items() if n > 1]
    arc_set = {case["text"] for case in _module("make_arc_set").CASES}
    assert not arc_set & set(texts)
    single = {json.loads(line)["text"] for split in ("tune", "heldout")
              for line in open(DATA / f"think_{split}.jsonl", encoding="utf-8") if line.strip()}
    assert not single & set(texts)
