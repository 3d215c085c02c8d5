"""Closed-loop quality on real photos (tests/sample_photos.py): the draft is measured with the
blendshape analyser, against the issue's criterion."""
from __future__ import annotations

import numpy as np
import pytest
from basic_emotions import BASIC_EMOTIONS, criterion_failures, render_basic
from sample_photos import NEUTRAL_PHOTOS, PHOTOS

EMOTIONS = BASIC_EMOTIONS
# What the blendshapes demonstrably see on warped photos, per emotion (checked hard below). AU1 and AU4 in
# sad are both seen only since the calibration searches gains against the coupled model, AU15 only
# since folds below the corners bunch up instead of tearing (deform.FOLD_*), and AU23 only since the red of
# the lips thins by its own height (deform.lip_thinning_field).
SEEN = {"happy": {12}, "sad": {1, 4, 15, 17}, "surprise": {1, 2, 26}, "fear": {1, 2, 20, 26}, "anger": {4, 7, 23},
        "disgust": {10, 15}}

@pytest.fixture(scope="module", params=list(PHOTOS))
def renders(request):
    photo = PHOTOS[request.param]()
    if photo is None:
        pytest.skip("the second photo ships with comfyui-workflow-templates-media-image, which is not installed")
    out = {}
    for name in EMOTIONS:
        result = render_basic(photo, name)
        frames = result.to_array()
        out[name] = (result, result.analyze(frames), frames)
    return request.param, out


def unseen(label, result, report, seen) -> list[str]:
    """The AUs of `seen` that rose less than 0.08 at apex in one draft, after checking no frame lost the face."""
    assert not report.lost_frames, f"{label}: the face was lost in frames {report.lost_frames}"
    apex = report.apex()
    return [f"{label}: AU{au} rose {apex[au]:+.2f} (< 0.08), gains {result.gains}" for au in seen if apex[au] < 0.08]


def test_requested_aus_rise_at_apex(renders):
    photo, out = renders
    failures = [f for name, (result, report, _) in out.items()
                for f in unseen(f"{photo}/{name}", result, report, SEEN[name])]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", list(NEUTRAL_PHOTOS))
def test_full_issue_criterion_on_closed_lips(name):
    photo = NEUTRAL_PHOTOS[name]()
    if photo is None:
        pytest.skip("the workflow templates' pictures are not installed")
    failures = []
    for emotion in EMOTIONS:
        result = render_basic(photo, emotion)
        report = result.analyze(result.to_array())
        assert not report.lost_frames, f"{name}/{emotion}: the face was lost in frames {report.lost_frames}"
        failures += criterion_failures(emotion, report)
    assert not failures, f"{name}: " + "; ".join(failures)


def test_first_frame_is_the_relaxed_photo(renders):
    photo, out = renders
    result, _, frames = out["sad"]
    # the photo's smile is relaxed from the first frame on and the rest of the picture is untouched
    assert result.calibration["relaxed"].get(12, (0, 0))[0] > 0.3
    x0, y0, x1, y1 = result.prepared.box
    outside = np.ones(frames.shape[1:3], bool)
    outside[y0:y1, x0:x1] = False
    assert np.array_equal(frames[0][outside], result.prepared.image[outside])


# The issue's whole criterion on the smiling photos, as shipped. Excluded by the criterion's own words: what
# the blendshapes cannot see (analyzer.unreadable_aus: AU5/AU6/AU9 always, AU4 beside AU2, AU25 beside AU12;
# tests/unit/test_blendshape_model.py). It holds in the shipped draw order of the mesh triangles, with the
# smallest margins 0.026 (portrait disgust AU17 +0.106, portrait happy's unrequested AU7 +0.124); six shuffled
# orders fail 0-1 knife edges each (tools/criterion_spread.py: the portrait's sad AU4, the astronaut's sad
# AU18/AU28 leaks), so a change that fails it may have moved a knife edge rather than broken a muscle: read it
# by the spread. The closed-mouthed photos (tests/sample_photos.NEUTRAL_PHOTOS) meet it too, in the shipped
# order (test_full_issue_criterion_on_closed_lips); shuffled orders fail 0-3 each there.
def test_full_issue_criterion(renders):
    photo, out = renders
    failures = [f for name, (_, report, _) in out.items() for f in criterion_failures(name, report)]
    assert not failures, f"{photo}: " + "; ".join(failures)


def closed_lips_draft(name: str, emotion: str):
    photo = NEUTRAL_PHOTOS[name]()
    if photo is None:
        pytest.skip("the workflow templates' pictures are not installed")
    return render_basic(photo, emotion)


def restarts_between(calib: dict) -> list[dict]:
    return [step for step in calib["iterations"] if "restarted_between" in step]


def test_a_leak_the_sweeps_keep_is_searched_away():
    """Sad on the curly-haired portrait: its lips part as the corners pull down, and the model reads that as a
    pucker (AU18 about +0.4) at every gain of AU15 the sweeps try, while lowering AU15 alone hides AU4 behind
    AU1. The calibration starts again from AU15 drawn at REPAIR_GAIN and settles where nothing leaks."""
    result = closed_lips_draft("curls", "sad")
    restarts = [step for step in result.calibration["iterations"] if "restarted_from" in step]
    assert len(restarts) == 1 and restarts[0]["restarted_from"] == 15 and restarts[0]["better"], restarts
    assert restarts[0]["leaks"].get(18, 0.0) > 0.15  # what the sweeps had kept
    report = result.analyze()
    assert report.apex()[18] < 0.15 and criterion_failures("sad", report) == []


def test_two_aus_on_one_axis_are_found_between_the_gain_steps():
    """Sad on the blonde portrait: the model reads the inner brow raise (AU1) and the brow lowerer (AU4) on one
    axis, and no pair of gain steps shows both (AU4 -0.03 beside AU1 +0.58 as the sweeps left it). Between
    AU1's steps 1.0 and 1.4, with AU4 a step stronger, both read; the calibration bisects there and searches
    again from it."""
    result = closed_lips_draft("blonde", "sad")
    calib = result.calibration
    restarts = restarts_between(calib)
    assert restarts == [{"restarted_between": [4, 1], "better": True}], restarts
    assert 1.0 < calib["gains"][1] < 1.4 and calib["gains"][4] == 2.0
    assert min(calib["measured_at_apex"][1], calib["measured_at_apex"][4]) >= 0.08
    assert criterion_failures("sad", result.analyze()) == []


def test_an_unseen_au_is_found_beside_a_stronger_masker():
    """Disgust on the blonde portrait's closed mouth: the model reads the upper lip raiser (AU10, mouthUpperUp)
    with the lips apart and the chin raiser (AU17, mouthShrugLower) with them together, and the sweeps leave
    AU10 at +0.01 beside AU17 at gain 1. No weaker step of AU17 brackets both, so with AU10 at the top step
    the calibration measures AU17 stronger as well: 1.0 shows AU10 alone, 2.0 AU17 alone, and bisecting
    between them (above AU17's own gain) shows both."""
    result = closed_lips_draft("blonde", "disgust")
    calib = result.calibration
    sweeps = [step for step in calib["iterations"] if "sweep" in step]
    assert sweeps[-1]["measured"][10] < 0.08 and sweeps[-1]["gains"][17] <= 1.0  # where the sweeps left it
    restarts = restarts_between(calib)
    assert restarts == [{"restarted_between": [10, 17], "better": True}], restarts
    assert calib["gains"][10] == 2.0 and 1.4 < calib["gains"][17] < 2.0
    assert min(calib["measured_at_apex"][10], calib["measured_at_apex"][17]) >= 0.08
    assert criterion_failures("disgust", result.analyze()) == []
