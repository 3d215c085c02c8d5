"""Arc scoring (thinkdraw_core/reasoning/arc_scoring.py) on hand-made predictions."""
from __future__ import annotations

import math
import random
from types import SimpleNamespace

import pytest

from thinkdraw_core.plan import ActionUnit
from thinkdraw_core.reasoning.arc_scoring import beat_f1, normalise_handover, score_arc, summarise

HAPPY = {"emotion": "happiness", "core": [6, 12], "variant": [25, 26], "forbidden": [15]}
SAD = {"emotion": "sadness", "core": [1, 4, 15], "variant": [6, 11, 17, 25, 43], "forbidden": [12]}
FEAR = {"emotion": "fear", "core": [1, 2, 4, 5, 20, 26], "variant": [7, 25, 27], "forbidden": [12]}
NEUTRAL = {"emotion": "neutral", "core": [], "variant": [45], "forbidden": []}
SURPRISE = {"emotion": "surprise", "core": [1, 2, 5, 26], "variant": [25, 27], "forbidden": []}


def case(beats, handover=None, **meta):
    out = {"text": meta.pop("text", "t"), "lang": "en", "split": "tune", "category": "plain", "beats": beats,
           "handover": handover if handover is not None else ["blend"] * (len(beats) - 1)}
    out.update(meta)
    return out


def dense(beat, level=0.6):
    """A prediction of exactly the beat's core AUs."""
    return {au: level for au in beat["core"]}


def obj(aus: dict, handover=None):
    return SimpleNamespace(action_units=[ActionUnit(au=a, intensity=v) for a, v in aus.items()], handover=handover)


def test_perfect_prediction_scores_one():
    c = case([HAPPY, SAD, FEAR], handover=["blend", "cut"])
    s = score_arc(c, [dense(HAPPY), dense(SAD), dense(FEAR)], predicted_handover=["blend", "cut"])
    assert s["f1"] == 1.0 and s["beat_f1"] == [1.0, 1.0, 1.0]
    assert s["order_correct"] and s["count_correct"]
    assert s["handover_accuracy"] == 1.0 and s["handover_total"] == 2


def test_objects_with_action_units_and_their_handover_are_read():
    c = case([HAPPY, SAD], handover=["cut"])
    s = score_arc(c, [obj(dense(HAPPY), handover="cut"), obj(dense(SAD))])
    assert s["f1"] == 1.0 and s["order_correct"] and s["handover_accuracy"] == 1.0
    wrong = score_arc(c, [obj(dense(HAPPY), handover="blend"), obj(dense(SAD))])
    assert wrong["handover_accuracy"] == 0.0 and wrong["f1"] == 1.0
    # a mapping holding an action_units list (the plan's JSON form) is read the same way
    as_json = [{"action_units": [{"au": a, "intensity": v} for a, v in dense(b).items()]} for b in (HAPPY, SAD)]
    assert score_arc(c, as_json)["f1"] == 1.0


def test_reversed_order_is_not_order_correct():
    c = case([HAPPY, SAD])
    s = score_arc(c, [dense(SAD), dense(HAPPY)])
    assert not s["order_correct"]
    assert s["count_correct"]
    assert s["f1"] < 0.2


def test_extra_split_on_a_one_feeling_control_is_penalised():
    control = case([HAPPY], category="control")
    assert score_arc(control, [dense(HAPPY)])["f1"] == 1.0
    split = score_arc(control, [dense(HAPPY), dense(HAPPY)], predicted_handover=["blend"])
    assert split["f1"] == pytest.approx(0.5)
    assert not split["order_correct"] and not split["count_correct"]
    assert split["handover_total"] == 0  # the expected side has no border to compare


def test_one_blended_beat_for_an_arc_scores_at_most_half():
    c = case([HAPPY, SAD])
    blended = {**dense(HAPPY), **dense(SAD)}
    s = score_arc(c, [blended])
    assert s["beat_f1"][1] == 0.0 and s["f1"] <= 0.5
    assert not s["order_correct"] and s["n_predicted"] == 1


def test_forbidden_and_unlisted_aus_count_as_false_positives_variants_do_not():
    pred = {1: 0.5, 4: 0.5, 15: 0.5}
    assert beat_f1(SAD, set(pred)) == 1.0
    assert beat_f1(SAD, set(pred) | {6, 17}) == 1.0  # variants
    assert beat_f1(SAD, set(pred) | {12}) == pytest.approx(6 / 7)  # forbidden
    assert beat_f1(SAD, set(pred) | {9}) == pytest.approx(6 / 7)  # outside every list
    c = case([SAD])
    assert score_arc(c, [{**pred, 12: 0.5}])["f1"] == pytest.approx(6 / 7)


def test_threshold_is_inclusive_at_015():
    c = case([SAD])
    assert score_arc(c, [{1: 0.5, 4: 0.15, 15: 0.5}])["f1"] == 1.0
    assert score_arc(c, [{1: 0.5, 4: 0.14, 15: 0.5}])["f1"] == pytest.approx(0.8)
    assert score_arc(c, [{1: 0.5, 4: 0.5, 15: 0.5, 12: 0.149}])["f1"] == 1.0


def test_empty_core():
    c = case([NEUTRAL, HAPPY])
    assert score_arc(c, [{}, dense(HAPPY)])["f1"] == 1.0
    assert score_arc(c, [{45: 0.8}, dense(HAPPY)])["f1"] == 1.0  # a blink is a variant
    s = score_arc(c, [{12: 0.3}, dense(HAPPY)])
    assert s["beat_f1"] == [0.0, 1.0]


def test_missing_beats_and_empty_prediction():
    c = case([HAPPY, SAD, FEAR])
    s = score_arc(c, [dense(HAPPY), dense(SAD)])
    assert s["f1"] == pytest.approx(2 / 3) and not s["order_correct"]
    empty = score_arc(c, [])
    assert empty["f1"] == 0.0 and not empty["order_correct"]


def test_ties_are_allowed_for_order():
    c = case([NEUTRAL, SURPRISE, NEUTRAL])
    s = score_arc(c, [{}, dense(SURPRISE), {}])
    assert s["order_correct"] and s["f1"] == 1.0
    # a beat that matches no expected beat at all is not in order, though every row ties at 0
    nothing = score_arc(case([HAPPY, SAD]), [{9: 0.6}, {9: 0.6}])
    assert not nothing["order_correct"]


def test_order_uses_best_match_not_exact_match():
    c = case([HAPPY, SAD])
    # imperfect beats, each still closest to its own position
    s = score_arc(c, [{12: 0.6}, {1: 0.6, 4: 0.6}])
    assert s["order_correct"] and 0.5 < s["f1"] < 1.0


def test_handover_only_where_both_have_a_border():
    c = case([HAPPY, SAD, FEAR], handover=["cut", "blend"])
    s = score_arc(c, [dense(HAPPY), dense(SAD)], predicted_handover=["cut"])
    assert (s["handover_correct"], s["handover_total"]) == (1, 1)
    none = score_arc(c, [dense(HAPPY)])
    assert none["handover_total"] == 0 and none["handover_accuracy"] is None


def test_handover_spellings():
    assert normalise_handover("Sudden") == "cut" and normalise_handover("ease") == "blend"
    assert normalise_handover(SimpleNamespace(value="cut")) == "cut"
    assert normalise_handover(None) is None


def test_rejects_an_unreadable_beat():
    with pytest.raises(TypeError):
        score_arc(case([HAPPY]), [42])


def test_beat_f1_matches_the_single_expression_scoring():
    """Per-beat F1 is the score the single-expression set uses (thinkdraw_core.reasoning.evaluate)."""
    from thinkdraw_core.plan import AUPlan
    from thinkdraw_core.reasoning.evaluate import score_items

    rng = random.Random(7)
    pool = [1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26, 43, 45]
    beats = [HAPPY, SAD, FEAR, NEUTRAL, SURPRISE]
    for trial in range(200):
        beat = beats[trial % len(beats)]
        pred = {au: rng.choice([0.0, 0.1, 0.149, 0.15, 0.4, 0.9]) for au in rng.sample(pool, rng.randint(0, 7))}
        item = {"text": f"t{trial}", "core": beat["core"], "variant": beat["variant"], "forbidden": beat["forbidden"]}
        plan = AUPlan(text=item["text"], action_units=[ActionUnit(au=a, intensity=v) for a, v in pred.items()])
        reference = score_items([item], lambda _text, plan=plan: plan)[0].f1
        assert score_arc(case([beat]), [pred])["f1"] == pytest.approx(reference), (beat["emotion"], pred)


def test_summarise_groups():
    a = score_arc(case([HAPPY, SAD], lang="en", category="plain"), [dense(HAPPY), dense(SAD)],
                  predicted_handover=["blend"])
    b = score_arc(case([HAPPY, SAD], handover=["cut"], lang="zh", split="heldout", category="sudden"),
                  [dense(SAD), dense(HAPPY)], predicted_handover=["blend"])
    c = score_arc(case([HAPPY], lang="zh", split="heldout", category="control"), [dense(HAPPY), dense(HAPPY)])
    out = summarise([a, b, c])
    assert out["all"]["n"] == 3
    assert out["all"]["order_accuracy"] == pytest.approx(1 / 3)
    assert out["lang"]["en"]["f1"] == 1.0
    assert out["lang"]["zh"]["f1"] == pytest.approx((b["f1"] + 0.5) / 2)
    assert out["category"]["control"]["count_accuracy"] == 0.0
    assert out["split"]["heldout"]["n"] == 2
    assert out["all"]["handover_accuracy"] == pytest.approx(1 / 2) and out["all"]["handover_borders"] == 2
    assert out["beats"][1]["n"] == 1 and out["beats"][2]["n"] == 2
    assert out["split_lang"][("heldout", "zh")]["n"] == 2 and out["split_lang"][("heldout", "en")]["n"] == 0
    assert math.isnan(out["split_lang"][("heldout", "en")]["f1"])
