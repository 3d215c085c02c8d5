"""What MediaPipe's blendshape model reports on real, unwarped smiles: the evidence behind
analyzer.BLIND_AUS and behind reading the draft's smiles with their coupled blendshapes.

Both photos are broad, teeth-showing smiles with raised cheeks (AU6+AU12+AU25). If a future model
starts to see cheekSquint, this test fails and BLIND_AUS must shrink."""
from __future__ import annotations

import pytest
from sample_photos import PHOTOS
from thinkdraw_core.draft import prepare_face
from thinkdraw_core.face.analyzer import BLIND_AUS, au_levels


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
