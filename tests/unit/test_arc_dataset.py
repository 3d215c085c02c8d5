"""The emotion-arc set (benchmarks/data/arcs_*.jsonl) is what make_arc_set.py writes, well formed, split by hash."""
from __future__ import annotations

import hashlib
import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from arc_data import CATEGORIES, LANGS, check_case

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "benchmarks" / "data"
SPLITS = ("tune", "heldout")
# a control case holds one feeling although its text has a word a splitter would cut on
SEQUENCE_WORDS = ("then", "first", "finally", "until", "before", "先", "然后", "最后", "后来", "接着", "首先", "当时",
                  "从头到尾")
CUT_WORDS = ("suddenly", "all of a sudden", "abruptly", "instantly", "in an instant", "snaps", "突然", "忽然", "猛地",
             "一下子", "顿时", "瞬间")


def split_rule(text: str) -> str:
    """Restated on purpose: the first byte of sha256('thinkdraw-arcs-v1|' + text), even = tune."""
    return "tune" if hashlib.sha256(("thinkdraw-arcs-v1|" + text).encode("utf-8")).digest()[0] % 2 == 0 else "heldout"


def load(split: str) -> list[dict]:
    with open(DATA / f"arcs_{split}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return [item for split in SPLITS for item in load(split)]


def test_files_are_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("make_arc_set", DATA / "make_arc_set.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generated = json.loads(json.dumps(module.CASES, ensure_ascii=False))  # the JSON form of each case
    for split in SPLITS:
        assert load(split) == [case for case in generated if case["split"] == split], split


def test_schema_and_labels(items):
    for item in items:
        check_case(item, SPLITS)


def test_controls_are_one_beat_with_a_sequence_word_and_arcs_have_several(items):
    for item in items:
        if item["category"] == "control":
            assert len(item["beats"]) == 1, item["text"]
            assert any(w in item["text"].lower() for w in SEQUENCE_WORDS), item["text"]
        else:
            assert len(item["beats"]) >= 2, item["text"]
    share = sum(item["category"] == "control" for item in items) / len(items)
    assert 0.10 <= share <= 0.20, share


def test_a_cut_is_where_the_text_says_sudden(items):
    for item in items:
        says_sudden = any(w in item["text"].lower() for w in CUT_WORDS)
        assert ("cut" in item["handover"]) == says_sudden, item["text"]


def test_counts_and_variety(items):
    langs = Counter(item["lang"] for item in items)
    assert len(items) >= 160 and langs["en"] >= 100 and langs["zh"] >= 60, langs
    for lang in LANGS:
        part = [item for item in items if item["lang"] == lang]
        n_beats = Counter(len(item["beats"]) for item in part)
        assert n_beats[2] and n_beats[3] and n_beats[4], (lang, n_beats)
        assert any("cut" in item["handover"] for item in part) and any("blend" in item["handover"] for item in part)
        assert any(not beat["core"] for item in part for beat in item["beats"]), lang
        assert any("durations" in item for item in part), lang


def test_texts_unique_and_apart_from_the_single_expression_set(items):
    texts = Counter(item["text"] for item in items)
    assert not [t for t, n in texts.items() if n > 1]
    single = {json.loads(line)["text"] for split in SPLITS
              for line in open(DATA / f"think_{split}.jsonl", encoding="utf-8") if line.strip()}
    assert not single & set(texts)


def test_every_language_and_category_in_both_splits(items):
    seen = Counter((item["lang"], item["category"], item["split"]) for item in items)
    missing = [(lang, cat, split) for lang in LANGS for cat in CATEGORIES for split in SPLITS
               if not seen[(lang, cat, split)]]
    assert not missing


def test_split_is_the_hash_rule_and_each_file_holds_its_split():
    for split in SPLITS:
        for item in load(split):
            assert item["split"] == split, item["text"]
            assert split_rule(item["text"]) == split, item["text"]


def test_split_is_roughly_even(items):
    tune = sum(item["split"] == "tune" for item in items)
    assert 0.4 <= tune / len(items) <= 0.6
