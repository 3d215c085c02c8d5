"""Held-still parts (hold_still.py): a spectacle frame the artist marks stays round while the brows rise behind it."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from thinkdraw_core.draft import prepare_face, render_draft
from thinkdraw_core.draft.deform import au_basis
from thinkdraw_core.draft.hold_still import StillLayer, check_mask
from thinkdraw_core.draft.warp import MeshWarper
from thinkdraw_core.plan import ActionUnit, AUPlan, Timeline

from sample_photos import NEUTRAL_PHOTOS, SPECTACLE_COLOUR, with_drawn_spectacles

@pytest.fixture(scope="module")
def worn():
    """The blonde tune photo in drawn spectacles, their mask, and the photo without them."""
    photo = NEUTRAL_PHOTOS["blonde"]()
    image, mask = with_drawn_spectacles(photo)
    return image, mask, photo


def _surprised_brows(prepared) -> np.ndarray:
    geo = prepared.warper.geo
    return sum(au_basis(au, prepared.xy, geo, prepared.depth).sum(axis=0) for au in (1, 2))


def _dark(image: np.ndarray) -> np.ndarray:
    return (np.abs(image.astype(int) - SPECTACLE_COLOUR).max(axis=2) < 30)


def test_check_mask_names_the_input_and_the_fix():
    with pytest.raises(ValueError, match=r"hold_still is 256x128 but the image is 512x512: paint the mask on this image"):
        check_mask(np.ones((128, 256)), (512, 512, 3))
    with pytest.raises(ValueError, match="hold_still must be one mask"):
        check_mask(np.ones((2, 512, 512)), (512, 512, 3))
    with pytest.raises(ValueError, match="not numbers"):
        check_mask(np.full((4, 4), np.nan), (4, 4, 3))
    assert check_mask(np.full((1, 4, 4), 2.0), (4, 4, 3)).shape == (4, 4)  # a batch of one; clipped to 0..1
    assert check_mask(np.full((1, 4, 4), 2.0), (4, 4, 3)).max() == 1.0


def test_an_empty_mask_draws_as_no_mask_whatever_its_size(worn):
    """Load Image gives a 64x64 empty MASK for a portrait nobody painted on: wired to hold_still, it marks nothing."""
    image, mask, _ = worn
    assert StillLayer.of(image, np.zeros_like(mask)) is None
    assert check_mask(np.zeros((1, 64, 64)), image.shape) is None
    a, b = prepare_face(image), prepare_face(image, hold_still=np.zeros((1, 64, 64), np.float32))
    assert b.warper.still is None
    disp = _surprised_brows(a)
    assert np.array_equal(a.warper.warp(disp), b.warper.warp(disp))


def test_the_marked_frame_stays_put_while_the_brows_rise_behind_it(worn):
    image, mask, bare = worn
    bent, held = prepare_face(image), prepare_face(image, hold_still=mask)
    x0, y0, x1, y1 = held.box
    crop_mask = mask[y0:y1, x0:x1]
    disp = _surprised_brows(held)
    free, still = bent.warper.warp(disp), held.warper.warp(disp)
    photo = image[y0:y1, x0:x1]
    # the same face without spectacles, moved alike: its lashes and pupils are dark too
    face_alone = MeshWarper(bare[y0:y1, x0:x1], np.column_stack([held.xy, held.depth])).warp(disp)
    full = crop_mask >= 1.0
    assert np.array_equal(still[full], photo[full])  # the frame's own pixels, untouched
    # the brows did rise: the picture changed around the frame
    assert np.abs(still.astype(int) - photo).max(axis=2)[~(crop_mask > 0)].mean() > 0.5
    # beside the frame (a band a fifth of the eyes' distance wide, the frame's own edge left out)
    marked = (crop_mask > 0).astype(np.uint8)
    reach = round(0.2 * held.warper.geo.size)
    beside = (cv2.dilate(marked, np.ones((2 * reach + 1,) * 2, np.uint8)) > 0) & ~(cv2.dilate(marked, np.ones((5, 5), np.uint8)) > 0)
    alone, bent_dark, held_dark = ((_dark(im) & beside).sum() for im in (face_alone, free, still))
    # unmarked, the frame bends with the brows: dark frame pixels land beside where it was
    assert bent_dark > alone + 100, (alone, bent_dark)
    # marked, no copy of it is dragged along: what was under it is filled in from the skin around
    assert held_dark <= alone + 10, (alone, held_dark)


def test_the_held_layer_moves_with_the_head(worn):
    image, mask, _ = worn
    held = prepare_face(image, hold_still=mask)
    x0, y0, x1, y1 = held.box
    crop_mask, photo = mask[y0:y1, x0:x1], image[y0:y1, x0:x1]
    shift = np.array([[1.0, 0.0, 3.0], [0.0, 1.0, -2.0]])  # the head 3 px right, 2 px up
    disp = held.xy @ shift[:, :2].T + shift[:, 2] - held.xy
    frame = held.warper.warp(disp, head=shift)
    ys, xs = np.nonzero(crop_mask >= 1.0)
    inside = (ys - 2 >= 0) & (xs + 3 < frame.shape[1])
    assert np.array_equal(frame[ys[inside] - 2, xs[inside] + 3], photo[ys[inside], xs[inside]])


def test_render_draft_takes_the_mask_and_refuses_one_of_another_size(worn):
    image, mask, _ = worn
    plan = AUPlan(text="test", action_units=[ActionUnit(au=1, intensity=1.0), ActionUnit(au=2, intensity=1.0)],
                  timeline=Timeline(start=0.0, onset=0.2, apex=1.0, blink_rate=0.0))
    with pytest.raises(ValueError, match="hold_still is 100x100 but the image is"):
        render_draft(image, plan, seconds=0.4, fps=10, hold_still=np.ones((100, 100), np.float32))
    result = render_draft(image, plan, seconds=0.4, fps=10, calibrate=False, sway=False, hold_still=mask)
    last = result.frame(result.n_frames - 1)
    full = mask >= 1.0
    assert np.array_equal(last[full], image[full])
