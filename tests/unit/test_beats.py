"""Plans with several beats: schema 2 round trip, v1 plans as one beat, per-beat edits, and the curves over time."""
import json

import numpy as np
import pytest

from thinkdraw_core.beats import (CUT_SECONDS, au_curves, beat_weights, beat_windows, fit_to_clip, snap_to_pauses,
                                   spread_over)
from thinkdraw_core.plan import ActionUnit, AUPlan, Beat, EmotionComponent, EmotionSummary, PlanError, Timeline


def three_beats() -> AUPlan:
    calm = Beat(text="calm at first", timeline=Timeline(start=0.2, onset=0.5))
    anger = Beat(text="then a flash of anger", action_units=[ActionUnit(4, 0.8), ActionUnit(7, 0.6)],
                 emotion=EmotionSummary([EmotionComponent("anger", 1.0)], valence=-0.7, arousal=0.8),
                 timeline=Timeline(start=2.0, onset=0.3, offset=0.6), handover="blend")
    tears = Beat(text="and finally tears", action_units=[ActionUnit(1, 0.7), ActionUnit(4, 0.5), ActionUnit(15, 0.6)],
                 emotion=EmotionSummary([EmotionComponent("sadness", 1.0)], valence=-0.8, arousal=0.3),
                 timeline=Timeline(start=4.0, onset=0.8))
    return AUPlan.from_beats("calm at first, then a flash of anger, and finally tears", [calm, anger, tears],
                             reasoning=["three beats"])


def test_schema_2_round_trip_keeps_the_beats_and_the_first_beat_is_the_top_level():
    plan = three_beats()
    data = json.loads(plan.to_json())
    assert data["schema_version"] == 2 and [b["text"] for b in data["beats"]] == [
        "calm at first", "then a flash of anger", "and finally tears"]
    assert data["action_units"] == [] and data["timeline"] == data["beats"][0]["timeline"]
    again = AUPlan.from_json(plan.to_json())
    assert again == plan
    assert [b.active_aus() for b in again.beats] == [[], [4, 7], [1, 4, 15]]
    assert again.beats[1].emotion.label == "anger 1.00"


def test_a_schema_1_plan_loads_as_one_beat():
    v1 = {"schema_version": 1, "text": "smile", "action_units": [{"au": 12, "intensity": 0.6}],
          "timeline": {"start": 0.1}}
    plan = AUPlan.from_dict(v1)
    assert len(plan.beats) == 1 and plan.beats[0].active_aus() == [12] and plan.beats[0].timeline.start == 0.1
    assert plan.beats[0].handover == "blend"


def test_overrides_address_a_beat_by_index():
    plan = three_beats().with_overrides({"beats": {"1": {"aus": {"4": 0.3, "23": 0.5}, "handover": "cut"},
                                                   "2": {"timeline": {"start": 4.5}}}})
    assert plan.beats[1].au_intensity(4) == 0.3 and plan.beats[1].au_intensity(23) == 0.5
    assert plan.beats[1].handover == "cut" and plan.beats[2].timeline.start == 4.5
    assert plan.beats[0].active_aus() == [] and plan.reasoning[-1].startswith("Edited by hand")


@pytest.mark.parametrize("overrides, fragment", [
    ({"beats": {"5": {"aus": {"4": 0.3}}}}, "overrides.beats key '5' is not a beat of this plan; it has beats 0..2"),
    ({"beats": [1, 2]}, "overrides.beats must be an object of beat index -> edits"),
    ({"beats": {"1": {"colour": 1}}}, "overrides.beats['1'] must be an object with 'aus', 'timeline' or 'handover'"),
    ({"beats": {"1": {"handover": "fade"}}}, "overrides.beats[1].handover must be one of ['blend', 'cut']"),
    ({"beats": {"2": {"aus": {"4": 2}}}}, "overrides.beats[2].aus['4'].intensity must be in 0..1"),
])
def test_bad_beat_overrides_name_the_field(overrides, fragment):
    with pytest.raises(PlanError) as err:
        three_beats().with_overrides(overrides)
    assert fragment in str(err.value)


def test_bad_beats_in_json_name_the_field():
    data = json.loads(three_beats().to_json())
    data["beats"][2]["action_units"][0]["intensity"] = 3
    with pytest.raises(PlanError, match=r"beats\[2\].action_units\[0\].intensity must be in 0..1"):
        AUPlan.from_dict(data)
    data["beats"] = []
    with pytest.raises(PlanError, match="plan.beats must be a non-empty list"):
        AUPlan.from_dict(data)


def test_one_beat_curves_are_the_one_expression_envelope():
    tl = Timeline(start=0.5, onset=1.0, apex=1.0, offset=1.0, sustain=False)
    plan = AUPlan(text="smirk", action_units=[ActionUnit(12, 0.8, "right")], timeline=tl)
    t = np.linspace(0, 5, 101)
    curve = au_curves(plan, t)[12]
    np.testing.assert_allclose(curve[:, 1], 0.8 * tl.envelope(t), atol=1e-9)
    np.testing.assert_allclose(curve[:, 0], 0.0)


def test_each_beat_holds_its_aus_in_its_window_and_shared_aus_do_not_dip():
    plan = three_beats()
    t = np.arange(0, 6.0, 0.04)
    curves = au_curves(plan, t)
    at = lambda sec: int(round(sec / 0.04))  # noqa: E731
    assert curves[7][at(1.5)].max() == 0 and curves[7][at(3.5)].min() == pytest.approx(0.6)
    assert curves[7][at(5.5)].max() == pytest.approx(0.0)  # anger's lid tightener relaxes into tears
    assert curves[15][at(3.5)].max() == 0 and curves[15][at(5.5)].min() == pytest.approx(0.6)
    # AU4 goes 0.8 -> 0.5 from anger to tears: it only ever decreases across the border, never dips below
    border = curves[4][at(3.9):at(5.0), 0]
    assert np.all(np.diff(border) <= 1e-12) and border.min() == pytest.approx(0.5)


def test_a_cut_switches_within_a_few_frames_and_a_blend_takes_the_onset():
    plan = three_beats().with_overrides({"beats": {"1": {"handover": "cut"}}})
    t = np.arange(0, 6.0, 0.01)
    for p, expect in ((three_beats(), 0.8), (plan, CUT_SECONDS)):
        rising = au_curves(p, t)[15][:, 0]
        start, done = np.argmax(rising > 0.001), np.argmax(rising >= 0.599)
        assert (done - start) * 0.01 == pytest.approx(expect, abs=0.05)  # the thresholds clip the ease's ends


def test_beat_weights_share_the_clip_and_windows_follow_the_starts():
    plan = three_beats()
    t = np.arange(0, 6.0, 0.04)
    w = beat_weights(plan, t)
    assert w.shape == (3, t.size)
    assert w[:, 0].sum() == 0  # before the first beat rises: rest
    inside = t > 0.8
    np.testing.assert_allclose(w[:, inside].sum(axis=0), 1.0, atol=1e-9)
    assert np.argmax(w[:, 55]) == 1 and np.argmax(w[:, 140]) == 2  # 2.2 s and 5.6 s
    assert beat_windows(plan, 6.0) == [(0.2, 2.0), (2.0, 4.0), (4.0, 6.0)]


def test_a_beat_that_does_not_sustain_relaxes_before_the_next_one():
    micro = Beat(action_units=[ActionUnit(9, 0.6)], timeline=Timeline(start=1.0, onset=0.1, apex=0.1, offset=0.1,
                                                                      micro=True, sustain=False))
    smile = Beat(action_units=[ActionUnit(12, 0.7)], timeline=Timeline(start=2.0, onset=0.4))
    plan = AUPlan.from_beats("a flicker of disgust, then a polite smile", [micro, smile])
    t = np.arange(0, 3.0, 0.02)
    curves = au_curves(plan, t)
    assert curves[9][55, 0] == pytest.approx(0.6) and curves[9][80:, 0].max() == 0
    assert beat_windows(plan, 3.0)[0] == (1.0, pytest.approx(1.3))
    assert beat_weights(plan, t)[:, 75].sum() == 0  # between the flicker and the smile: rest


def test_spread_and_snap_place_the_borders():
    beats = [Beat(timeline=Timeline(onset=0.6)) for _ in range(3)]
    spread = spread_over(beats, 6.2)
    assert [b.timeline.start for b in spread] == pytest.approx([0.2, 2.2, 4.2])
    snapped = snap_to_pauses(spread, [(1.0, 1.2), (2.5, 2.9), (5.9, 6.1)])
    assert [b.timeline.start for b in snapped] == pytest.approx([0.2, 2.7, 4.2])  # 6.0 is 1.8 s away: stays


def test_fit_to_clip_spreads_shared_beats_and_leaves_fixed_ones():
    plan = three_beats()
    fitted = fit_to_clip(plan, 9.2, pauses=[(3.0, 3.4)])
    assert [b.timeline.start for b in fitted.beats] == pytest.approx([0.2, 3.2, 6.2])
    assert fitted.beat_timing == "fixed" and fit_to_clip(fitted, 30.0) == fitted
    one = AUPlan(text="smile", action_units=[ActionUnit(12, 0.6)])
    assert fit_to_clip(one, 30.0) == one
    edited = plan.with_overrides({"beats": {"2": {"timeline": {"start": 5.0}}}})
    assert edited.beat_timing == "fixed" and fit_to_clip(edited, 30.0).beats[2].timeline.start == 5.0


def test_one_beat_weights_are_the_timeline_envelope():
    tl = Timeline(start=0.5, onset=1.0, apex=1.0, offset=1.5, sustain=False)
    plan = AUPlan(text="smirk", action_units=[ActionUnit(12, 0.8)], timeline=tl)
    t = np.linspace(0, 6, 121)
    np.testing.assert_allclose(beat_weights(plan, t)[0], tl.envelope(t), atol=1e-9)
