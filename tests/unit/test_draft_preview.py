"""The apex preview: one frame of a beat at its apex, from the last full draft's calibration of that portrait."""
from __future__ import annotations

import numpy as np
import pytest
import skimage.data

from thinkdraw_core.draft import preview as preview_module
from thinkdraw_core.draft import render_draft
from thinkdraw_core.draft.preview import ApexPreview
from thinkdraw_core.plan import ActionUnit, AUPlan, Beat, EmotionComponent, EmotionSummary, PlanError, Timeline


def smile(intensity=0.8) -> AUPlan:
    return AUPlan(text="smile", action_units=[ActionUnit(6, 0.5), ActionUnit(12, intensity)],
                  emotion=EmotionSummary([EmotionComponent("happiness", 1.0)]),
                  timeline=Timeline(start=0.0, onset=0.4, sustain=True))


@pytest.fixture(scope="module")
def astronaut():
    return skimage.data.astronaut()


@pytest.fixture(scope="module")
def drafted(astronaut):
    """A full calibrated draft of the smile (no blinks or sway, so its last frame is the bare apex)."""
    return render_draft(astronaut, smile(), seconds=1.0, fps=5.0, blinks=False, sway=False)


def test_the_preview_draws_the_full_drafts_apex(astronaut, drafted):
    cache = ApexPreview()
    cache.remember(astronaut, drafted, neutralize=0.8, face_index=None, crop_margin=0.6)
    shown = cache.frame(astronaut, smile())
    assert shown.calibrated and shown.note == "calibrated by the last full draft"
    apex = drafted.frame(drafted.n_frames - 1)
    rest = drafted.frame(0)
    # the same gains and relaxation (kept to 3 decimals), drawn by the same warp
    off_apex = np.abs(shown.frame.astype(int) - apex.astype(int)).mean()
    assert off_apex < 0.05 and np.abs(apex.astype(int) - rest.astype(int)).mean() > 20 * off_apex


def test_an_edit_changes_the_preview_without_preparing_the_face_again(astronaut, drafted, monkeypatch):
    cache = ApexPreview()
    cache.remember(astronaut, drafted, neutralize=0.8, face_index=None, crop_margin=0.6)
    calls = []
    monkeypatch.setattr(preview_module, "prepare_face", lambda *a, **k: calls.append(a) or None)
    strong, weak = cache.frame(astronaut, smile(0.9)), cache.frame(astronaut, smile(0.2))
    assert calls == []
    assert np.abs(strong.frame.astype(int) - weak.frame.astype(int)).max() > 40  # the mouth moved


def test_a_portrait_never_drafted_is_previewed_uncalibrated(astronaut):
    cache = ApexPreview()
    shown = cache.frame(astronaut, smile())
    assert not shown.calibrated and "press Run" in shown.note
    assert shown.frame.shape == astronaut.shape and not np.array_equal(shown.frame, astronaut)
    # an AU the full draft never calibrated is previewed uncalibrated too
    cache2 = ApexPreview()
    frown = AUPlan(text="frown", action_units=[ActionUnit(4, 0.8)])
    cache2.remember(astronaut, render_draft(astronaut, smile(), seconds=0.4, fps=5.0, calibrate=False),
                    neutralize=0.8, face_index=None, crop_margin=0.6)
    assert "AUs added" in cache2.frame(astronaut, frown).note


def test_each_beat_of_an_arc_is_previewed_on_its_own(astronaut):
    frown = Beat(action_units=[ActionUnit(4, 0.9)], timeline=Timeline(start=0.2))
    grin = Beat(action_units=[ActionUnit(12, 0.9), ActionUnit(25, 0.5)], timeline=Timeline(start=2.0))
    arc = AUPlan.from_beats("a frown, then a grin", [frown, grin])
    cache = ApexPreview()
    first, second = cache.frame(astronaut, arc, beat=0), cache.frame(astronaut, arc, beat=1)
    assert np.abs(first.frame.astype(int) - second.frame.astype(int)).max() > 40
    with pytest.raises(PlanError, match="beat 2 is not a beat of this plan; it has beats 0..1"):
        cache.frame(astronaut, arc, beat=2)


def test_the_cache_keeps_a_few_portraits(astronaut, drafted):
    cache = ApexPreview(portraits=2)
    flipped = np.ascontiguousarray(astronaut[:, ::-1])
    cache.remember(astronaut, drafted, neutralize=0.8, face_index=None, crop_margin=0.6)
    cache.frame(flipped, smile())
    cache.frame(np.ascontiguousarray(astronaut[::-1, ::-1][::-1]), smile())  # equal pixels to flipped: same key
    assert len(cache._faces) == 2
    cache.frame(astronaut, smile(), crop_margin=0.7)  # another crop of the first portrait: a third face
    assert len(cache._faces) == 2 and not any(k[0] not in cache._faces for k in cache._calibrated)
