"""What every line of an arc data file (benchmarks/data/arcs_*.jsonl) must be, shared by the tests of the
arc set and of the arc probe set."""
from __future__ import annotations

from thinkdraw_core.facs import AU_CATALOG

LANGS = ("en", "zh")
CATEGORIES = ("plain", "event", "idiom", "calm", "sudden", "gradual", "masking", "duration", "control")
REQUIRED = {"text", "lang", "split", "category", "beats", "handover"}
OPTIONAL = {"durations"}


def check_case(item: dict, splits: tuple[str, ...]) -> None:
    """Assert one line's schema and labels: keys, language by script, beats with sorted, disjoint catalog AUs,
    one handover per border, durations where given."""
    text = item["text"]
    keys = set(item)
    assert REQUIRED <= keys and keys <= REQUIRED | OPTIONAL, (text, keys ^ REQUIRED)
    assert isinstance(text, str) and text and text.strip() == text
    assert item["lang"] in LANGS and item["category"] in CATEGORIES and item["split"] in splits, text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text) == (item["lang"] == "zh"), text
    beats = item["beats"]
    assert isinstance(beats, list) and len(beats) >= 1, text
    for beat in beats:
        assert set(beat) == {"emotion", "core", "variant", "forbidden"}, (text, set(beat))
        assert isinstance(beat["emotion"], str) and beat["emotion"], text
        for name in ("core", "variant", "forbidden"):
            aus = beat[name]
            assert isinstance(aus, list) and all(type(au) is int for au in aus), (text, name)
            assert aus == sorted(set(aus)), (text, name, "sorted, no repeats")
            assert set(aus) <= set(AU_CATALOG), (text, name, set(aus) - set(AU_CATALOG))
        core, variant, forbidden = (set(beat[n]) for n in ("core", "variant", "forbidden"))
        assert not core & variant and not core & forbidden and not variant & forbidden, text
    assert len(item["handover"]) == len(beats) - 1, text
    assert all(h in ("blend", "cut") for h in item["handover"]), text
    if "durations" in item:
        assert len(item["durations"]) == len(beats), text
        assert all(d is None or (isinstance(d, float) and d > 0) for d in item["durations"]), text
        assert any(d is not None for d in item["durations"]), text
