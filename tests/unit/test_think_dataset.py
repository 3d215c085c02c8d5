"""The reasoner's development set (benchmarks/data/think_*.jsonl) is well formed and its split never moves."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from thinkdraw_core.facs import AU_CATALOG

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "benchmarks" / "data"
SEED = REPO.parent / "shared" / "eval" / "emotion_dev.jsonl"
SPLITS = ("tune", "heldout")
LANGS = ("en", "zh")
CATEGORIES = ("situation", "idiom", "masking", "negation", "intensity", "asymmetry", "micro", "word_form", "plain",
              "compound")
REQUIRED = {"text", "core", "variant", "lang", "category", "emotion", "split"}
OPTIONAL = {"forbidden", "max_intensity", "micro"}


def split_rule(text: str) -> str:
    """The split rule, restated here on purpose: the first byte of sha256('thinkdraw-think-v1|' + text), even = tune."""
    return "tune" if hashlib.sha256(("thinkdraw-think-v1|" + text).encode("utf-8")).digest()[0] % 2 == 0 else "heldout"


def load(split: str) -> list[dict]:
    with open(DATA / f"think_{split}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return [item for split in SPLITS for item in load(split)]


def test_schema_and_labels(items):
    for item in items:
        keys = set(item)
        assert REQUIRED <= keys, (item["text"], REQUIRED - keys)
        assert keys <= REQUIRED | OPTIONAL, (item["text"], keys - REQUIRED - OPTIONAL)
        assert isinstance(item["text"], str) and item["text"].strip() == item["text"] and item["text"]
        assert item["lang"] in LANGS and item["category"] in CATEGORIES and item["split"] in SPLITS
        assert isinstance(item["emotion"], str) and item["emotion"]
        groups = {name: item.get(name, []) for name in ("core", "variant", "forbidden")}
        for name, aus in groups.items():
            assert isinstance(aus, list) and all(type(au) is int for au in aus), (item["text"], name)
            assert aus == sorted(set(aus)), (item["text"], name, "sorted, no repeats")
            assert set(aus) <= set(AU_CATALOG), (item["text"], name, set(aus) - set(AU_CATALOG))
        core, variant, forbidden = (set(groups[n]) for n in ("core", "variant", "forbidden"))
        assert not core & forbidden, (item["text"], core & forbidden)
        assert not core & variant, (item["text"], core & variant)
        assert not variant & forbidden, (item["text"], variant & forbidden)
        if "forbidden" in item:
            assert item["forbidden"], (item["text"], "an empty forbidden list is left out")
        if "max_intensity" in item:
            assert isinstance(item["max_intensity"], float) and 0.0 < item["max_intensity"] <= 1.0, item["text"]
        if "micro" in item:
            assert isinstance(item["micro"], bool), item["text"]
        has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in item["text"])
        assert has_cjk == (item["lang"] == "zh"), (item["text"], item["lang"])


def test_texts_unique_and_apart_from_the_seed_set(items):
    texts = Counter(item["text"] for item in items)
    assert not [t for t, n in texts.items() if n > 1]
    if SEED.exists():
        with open(SEED, encoding="utf-8") as fh:
            seed = {json.loads(line)["text"] for line in fh if line.strip()}
        assert not seed & set(texts)


def test_counts(items):
    langs = Counter(item["lang"] for item in items)
    assert langs["en"] >= 300 and langs["zh"] >= 100, langs


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
