"""The AU plan: JSON round trip, editing, timeline, and clear errors on bad data."""
import json

import numpy as np
import pytest

from thinkdraw_core.plan import ActionUnit, AUPlan, EmotionComponent, EmotionSummary, PlanError, Timeline


def sample_plan() -> AUPlan:
    return AUPlan(
        text="smug",
        action_units=[ActionUnit(12, 0.5, "right"), ActionUnit(14, 0.4, "right")],
        emotion=EmotionSummary([EmotionComponent("contempt", 1.0)], valence=-0.3, arousal=0.3),
        regions={"mouth": "the right lip corner pulls up and back (R12+R14)"},
        reasoning=["smug reads as contempt"],
    )


def test_json_round_trip_keeps_everything():
    plan = sample_plan()
    again = AUPlan.from_json(plan.to_json())
    assert again == plan
    data = json.loads(plan.to_json())
    assert data["schema_version"] == 2
    assert len(data["beats"]) == 1 and data["beats"][0]["action_units"] == data["action_units"]
    assert data["action_units"][0] == {"au": 12, "intensity": 0.5, "side": "right", "name": "lip corner puller",
                                       "region": "mouth", "muscle": "zygomaticus major"}
    assert data["emotion"]["label"] == "contempt 1.00"


def test_overrides_change_add_and_remove_aus_and_timing():
    plan = sample_plan().with_overrides({"aus": {"12": {"side": "both"}, "AU6": 0.3, "14": 0},
                                         "timeline": {"onset": 0.25}})
    assert plan.au_intensity(12) == 0.5 and plan.get(12).side == "both"
    assert plan.au_intensity(6) == 0.3 and plan.get(6).region == "cheeks"
    assert plan.get(14) is None
    assert plan.timeline.onset == 0.25
    assert plan.reasoning[-1].startswith("Edited by hand")


@pytest.mark.parametrize("overrides, fragment", [
    ({"aus": {"99": 0.5}}, "unknown Action Unit"),
    ({"aus": {"12": 1.5}}, "must be in 0..1"),
    ({"aus": {"12": {"side": "up"}}}, "side must be one of"),
    ({"timeline": {"onset": -1}}, "timeline.onset must be a number >= 0"),
    ({"timeline": {"speed": 2}}, "unknown keys ['speed']"),
    ({"colour": 1}, "unknown keys ['colour']"),
    # the wrong JSON shapes (a list of AUs, a word for the timing) raised AttributeError/TypeError tracebacks
    ({"aus": [12, 6]}, 'overrides.aus must be an object of AU number -> intensity'),
    ({"aus": {"12": True}}, "overrides.aus['12'] must be a number"),
    ({"timeline": "fast"}, 'overrides.timeline must be an object of seconds by name, got "fast"'),
    ({"timeline": {"onset": float("inf")}}, "timeline.onset must be a number >= 0 and finite"),
])
def test_bad_overrides_name_the_field(overrides, fragment):
    with pytest.raises(PlanError, match=None) as err:
        sample_plan().with_overrides(overrides)
    assert fragment in str(err.value)


def test_bad_plan_json_is_a_clear_error():
    with pytest.raises(PlanError, match="does not parse"):
        AUPlan.from_json("{not json")
    with pytest.raises(PlanError, match="schema_version 7"):
        AUPlan.from_dict({"schema_version": 7})
    with pytest.raises(PlanError, match=r"action_units\[0\].intensity"):
        AUPlan.from_dict({"action_units": [{"au": 12, "intensity": "lots"}]})


def test_timeline_envelope_rises_holds_and_decays_smoothly():
    tl = Timeline(start=0.5, onset=1.0, apex=1.0, offset=1.0, sustain=False)
    t = np.linspace(0, 5, 501)
    env = tl.envelope(t)
    assert env[t < 0.5].max() == 0.0
    assert np.allclose(env[(t >= 1.5) & (t <= 2.5)], 1.0)
    assert env[t >= 3.5].max() == 0.0
    assert np.abs(np.diff(env)).max() < 0.02  # no jumps
    assert np.allclose(Timeline(sustain=True).envelope([10.0, 100.0]), 1.0)


def test_au_vector_and_region_strength():
    plan = sample_plan()
    vec = plan.au_vector([12, 14, 15])
    assert vec.tolist() == pytest.approx([0.5, 0.4, 0.0])
    assert plan.region_strength("mouth") == 0.5 and plan.region_strength("brows") == 0.0
    assert plan.active_aus() == [12, 14]
