"""The CPU draft: a real talking, emoting video from one portrait and an AUPlan.

Steps: find the face (largest or picked), crop around it, re-detect on the upscaled crop for
precise landmarks and the photo's own blendshapes, build the per-AU displacement basis, relax the
photo's own expression (`neutralize`), calibrate per-AU gains in a closed loop against the
blendshape measurement, then render frame by frame (lazily, deterministic for the same inputs).
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterator, Sequence

import cv2
import numpy as np

from ..face.analyzer import (BLIND_AUS, MEASURABLE, AnalysisReport, FrameMeasurer, analyze_frames, au_levels,
                             shares_blendshapes, unreadable_aus)
from ..face.landmarks import (Face, FaceLandmarker, _as_rgb_uint8, detect_face, face_crop_box, find_faces,
                              get_landmarker)
from ..plan import AUPlan
from .calibration import GAIN_STEPS, STRATEGIES, SWEEPS, VISIBLE_RISE, GainSearch, Trial
from .deform import BROW_HOLD, CLOSURE_AUS, au_basis, brow_hold_basis, supported_aus
from .lips_lids import (LIP_SEAL_AUS, LIP_THIN, LIP_THIN_LOWER, LIP_THIN_MAX, SMILE_THIN, LidFloor, LipBend,
                        lip_contact_field, lip_fullness_field, lip_opening_field, lip_seal_amount, lip_seal_field,
                        lip_thinning_field)
from .dynamics import AUTrack, build_track, fit_plan
from .envelope import (REGIONS, beyond as regions_beyond, envelope as real_face_envelope, lip_bend_limits, lip_gap,
                       lip_red_floor, measures, motion, with_rest)
from .hold_still import check_mask
from .speech import check_audio
from .warp import MeshWarper

# The photo's own expression is relaxed through one representative AU per blendshape group; the
# jaw (mouths cannot be closed convincingly by a warp) and the lids (blinks) are left alone.
RELAXABLE = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 16, 17, 18, 20, 22, 24, 28)
REST_LEVEL = 0.08
DETECT_SIZE = 512
# rounds of relaxing the photo harder (and the calibration's sweeps: calibration.SWEEPS)
CALIBRATION_ITERATIONS = SWEEPS
MAX_RELAX_GAIN = 2.5
# A smile the plan contradicts falls fully, whatever share of the photo's expression `neutralize` keeps: a plan
# that asks for no smile (AU12 under SMILE_ASKED) and for an AU a felt smile never comes with (NEGATIVE_AUS, at
# NEGATIVE_ASKED or more: the brow lowerer, nose wrinkler, upper lip raiser, lip corner depressor, lip
# stretcher, lip tightener and pressor; EMFACS' sadness, fear, anger, disgust) relaxes the photo's smile
# (SMILE_AUS) as if neutralize were 1, and its calibration takes a smile rising at apex as the worst leak
# (calibration.GainSearch's `opposite`). A fifth of a grin kept under anger reads as a grin.
SMILE_AUS = (6, 12)
NEGATIVE_AUS = (4, 9, 10, 15, 20, 23, 24)
SMILE_ASKED, NEGATIVE_ASKED = 0.2, 0.3
# Natural first (issue #34): at the plan's apex no face region moves further than real faces do
# (envelope.py, data/motion_envelope.json), measured on the drawn mesh against the rest pose. Where the plan
# drawn at gain 1 would pass it, the AUs that move the region are drawn weaker (fit_to_envelope, by ENVELOPE_FITS
# bisections, each AU in proportion to its share of the motion); the calibration then lowers gains freely
# but raises one only as far as the apex stays inside. A requested AU the model still cannot read is reported
# "not readable" (calibration["not_readable"]), never drawn beyond the envelope. ENVELOPE_SLACK (iod) is the
# fit's tolerance, well under the landmarks' jitter; a region an AU moves by less than ENVELOPE_SHARE of its
# limit is not that AU's.
ENVELOPE_FITS, ENVELOPE_SLACK, ENVELOPE_SHARE, ENVELOPE_PASSES = 8, 0.002, 0.05, 3
# see_through: a region whose mesh moves less than SEEN_FROM (iod) keeps its limit; the share of the mesh's
# motion the picture shows is taken inside SEEN_SHARE
SEEN_FROM, SEEN_SHARE = 0.02, (0.4, 2.5)
# a drawn frame is refused for what its found landmarks show only past the landmarks' own jitter, SEEN_JITTER_PX
# pixels of the photo (in iod: more on a small face) up to SEEN_JITTER_MAX iod (half the margin the held-out
# benchmark allows for it): on a face 40 px between the eyes the lid opening's limit (0.024 iod, about a pixel)
# was otherwise passed by noise, refusing a third of a search's trials at random (the group face's fear)
SEEN_JITTER_PX, SEEN_JITTER_MAX = 0.5, 0.01
# The landmarks found on a drawn face do not follow the drawing in proportion: a corner pulled far down read
# 0.066 iod below the lower lip at the apex but 0.081 three quarters of the way there (the detector's face model
# gives way less at the extreme). So the gains the search chooses are drawn again at these shares of the way from
# the rest pose to the apex, and where one of those frames shows a region past the envelope the trial is refused
# and the best one left is taken (GainSearch.refuse)
ONSET_SHARES = (0.25, 0.5, 0.75)
# False draws as before issue #34 (no envelope, and the brows carry the lid margins): for before/after
# comparisons only (tools/contact_sheet.py --before)
NATURAL_FIRST = True
# the AUs that part the lips: every frame (speech included) draws them weaker where the inner lips would
# otherwise stand further apart than real lips do (PreparedFace.gap_limit)
OPENING_AUS = (25, 26, 27)
# a face found in a frame is the drawn one where its centre is within this share of the drawn face's size of
# where the draft found it
DRAWN_FACE_NEAR = 0.5


@dataclass
class PreparedFace:
    image: np.ndarray  # the full input image
    face: Face  # in full-image coordinates
    box: tuple[int, int, int, int]  # crop x0, y0, x1, y1
    xy: np.ndarray  # landmarks in crop coordinates
    depth: np.ndarray  # the landmarks' z at the same pixel scale
    blendshapes: dict[str, float]
    warper: MeshWarper
    basis: dict[int, np.ndarray] = field(default_factory=dict)
    # the widest the inner lips may stand apart in any frame (iod; None: unbounded): the real-face limit, or
    # the photo's own gap where it is wider (render_draft sets it)
    gap_limit: float | None = None
    # the face's index among the faces detect_face finds in `image` (largest first)
    face_index: int = 0

    @cached_property
    def brow_hold(self) -> np.ndarray:
        return brow_hold_basis(self.xy, self.warper.geo)

    @cached_property
    def lid_floor(self) -> LidFloor:
        return LidFloor(self.xy, self.warper.geo)

    @cached_property
    def lip_bend(self) -> LipBend:
        return LipBend(self.xy, self.warper.geo, lip_bend_limits())

    @cached_property
    def photo_lip_gap(self) -> float:
        """The photo's own inner lips apart (iod): every frame that parts the lips is checked against it."""
        return lip_gap(self.xy, self.warper.geo)

    def basis_for(self, au: int) -> np.ndarray:
        if au not in self.basis:
            self.basis[au] = au_basis(au, self.xy, self.warper.geo, self.depth)
        return self.basis[au]


def prepare_face(image: np.ndarray, face_index: int | None = None, crop_margin: float = 0.6,
                 landmarker: FaceLandmarker | None = None, name: str = "image",
                 hold_still: np.ndarray | None = None) -> PreparedFace:
    """hold_still: a mask over the image (float HxW, 1 = hold still) of the parts that move only with the head."""
    landmarker = landmarker or get_landmarker()
    image = _as_rgb_uint8(image, name)
    hold_still = None if hold_still is None else check_mask(hold_still, image.shape)
    face = detect_face(image, face_index, name=name, landmarker=landmarker)
    box = face_crop_box(face, image.shape[:2], crop_margin)
    crop = image[box.y0:box.y1, box.x0:box.x1]
    scale = DETECT_SIZE / max(crop.shape[:2])
    big = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    found = landmarker.detect(big)
    if found:
        # the crop holds the chosen face near its centre: take the closest detection to it
        centre = np.array(big.shape[1::-1]) / 2
        close = min(found, key=lambda f: np.linalg.norm(f.xy.mean(axis=0) - centre))
        xyz, shapes = close.landmarks / scale, close.blendshapes
    else:
        xyz, shapes = face.landmarks - [box.x0, box.y0, 0.0], face.blendshapes
    xyz = xyz.astype(np.float64)
    warper = MeshWarper(crop, xyz, hold_still=None if hold_still is None else hold_still[box.y0:box.y1, box.x0:box.x1])
    return PreparedFace(image, face, (box.x0, box.y0, box.x1, box.y1), xyz[:, :2].copy(), xyz[:, 2].copy(), shapes,
                        warper, face_index=face_index if face_index is not None and face_index >= 0 else 0)


class DraftResult:
    """The rendered clip: iterate for uint8 RGB frames (lazily), or `to_array()` for all of them."""

    def __init__(self, prepared: PreparedFace, track: AUTrack, gains: dict[int, float], fps: float,
                 audio=None, calibration: dict | None = None, plan: AUPlan | None = None,
                 rest: dict[int, tuple[float, float]] | None = None):
        self.prepared = prepared
        self.track = track
        self.gains = gains
        self.rest = rest or {}
        self.fps = float(fps)
        self.audio = audio
        self.calibration = calibration or {}
        self.plan = plan

    def __len__(self) -> int:
        return self.track.n_frames

    @property
    def n_frames(self) -> int:
        return self.track.n_frames

    @property
    def size(self) -> tuple[int, int]:
        h, w = self.prepared.image.shape[:2]
        return w, h

    def frame(self, i: int) -> np.ndarray:
        return _render_frame(self.prepared, self.track.frame(i), self.gains, self.track.sway[i], self.rest)

    def __iter__(self) -> Iterator[np.ndarray]:
        for i in range(self.n_frames):
            yield self.frame(i)

    frames = __iter__

    def landmarks(self, i: int) -> np.ndarray:
        """Frame i's deformed landmarks (478, 2) in full-image pixels: what the warp moves the mesh to."""
        disp, _ = _displacement(self.prepared, self.track.frame(i), self.gains, self.track.sway[i], self.rest)
        x0, y0 = self.prepared.box[:2]
        return self.prepared.xy + disp + (x0, y0)

    def to_array(self, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        w, h = self.size
        out = np.empty((self.n_frames, h, w, 3), np.uint8)
        for i in range(self.n_frames):
            out[i] = self.frame(i)
            if progress:
                progress(i + 1, self.n_frames)
        return out

    @cached_property
    def face_index(self) -> int | None:
        """Which face the analyser should measure (faces numbered largest first, as detect_face does): the one
        drawn. In a group photo the relaxed or moving face need not stay the largest; None where the detector
        does not find it in frame 0 (draft_measurer then measures it on a crop set up on the photo)."""
        return drawn_face_index(self.frame(0), self.prepared, get_landmarker())

    def measurer(self, landmarker: FaceLandmarker | None = None) -> FrameMeasurer:
        """A measurer of this clip's frames on the crop the calibration measured on (draft_measurer)."""
        return draft_measurer(self.frame(0), self.prepared, landmarker or get_landmarker())

    def analyze(self, frames: Sequence[np.ndarray] | None = None) -> AnalysisReport:
        return analyze_frames(frames if frames is not None else iter(self), self.plan, self.fps,
                              face_index=self.face_index)


def drawn_face_index(frame: np.ndarray, prepared: PreparedFace, landmarker: FaceLandmarker) -> int | None:
    """The index among the faces found in `frame` (largest first, as detect_face numbers them) of the face the
    draft draws: the one nearest where the prepared face was found, within half its size. None where the
    detector finds no face there."""
    faces = find_faces(frame, landmarker)
    centre = prepared.face.xy.mean(axis=0)
    near = [(float(np.linalg.norm(f.xy.mean(axis=0) - centre)), k) for k, f in enumerate(faces)]
    near = [(d, k) for d, k in near if d < DRAWN_FACE_NEAR * prepared.face.size]
    return min(near)[1] if near else None


def _displacement(prepared: PreparedFace, values: dict[int, tuple[float, float]], gains: dict[int, float],
                  sway: np.ndarray | None, rest: dict[int, tuple[float, float]] | None = None
                  ) -> tuple[np.ndarray, tuple[float, float]]:
    """Landmark displacement for one frame's intensities. `rest` is the part of `values` that relaxes the
    photo (constant over the clip): the calibrated gains scale only what the plan adds on top of it. Where the
    inner lips would stand further apart than prepared.gap_limit, the opening AUs are drawn weaker until
    they do not (speech on top of a surprised jaw, say)."""
    disp, closure = _displacement_unbounded(prepared, values, gains, sway, rest)
    limit = prepared.gap_limit
    if limit is None or not NATURAL_FIRST or not any(max(values.get(au, (0.0, 0.0))) > 0.0 for au in OPENING_AUS):
        return disp, closure
    geo = prepared.warper.geo
    photo_gap = prepared.photo_lip_gap
    for _ in range(4):
        gap = lip_gap(prepared.xy + disp, geo)
        if gap <= limit + ENVELOPE_SLACK:
            break
        # the opening AUs draw about in proportion the part of the gap beyond the photo's own
        f = max(0.0, limit - photo_gap) / max(gap - photo_gap, 1e-6) if gap > photo_gap else limit / gap
        values = {au: ((v[0] * f, v[1] * f) if au in OPENING_AUS and max(v) > 0.0 else v) for au, v in values.items()}
        disp, closure = _displacement_unbounded(prepared, values, gains, sway, rest)
    return disp, closure


def _displacement_unbounded(prepared: PreparedFace, values: dict[int, tuple[float, float]], gains: dict[int, float],
                            sway: np.ndarray | None, rest: dict[int, tuple[float, float]] | None = None
                            ) -> tuple[np.ndarray, tuple[float, float]]:
    disp = np.zeros_like(prepared.xy)
    rest = rest or {}
    drawn: dict[int, tuple[float, float]] = {}
    close_l = close_r = 0.0
    for au, (left, right) in values.items():
        if au in CLOSURE_AUS:
            close_l += left
            close_r += right
            continue
        if left == 0.0 and right == 0.0:
            continue
        b = prepared.basis_for(au)
        g = gains.get(au, 1.0)
        rest_l, rest_r = rest.get(au, (0.0, 0.0))
        drawn[au] = (rest_l + g * (left - rest_l), rest_r + g * (right - rest_r))
        disp += drawn[au][0] * b[0] + drawn[au][1] * b[1]
    held = [max(0.0, min(drawn.get(au, (0.0, 0.0))[side] for au in BROW_HOLD)) for side in (0, 1)]
    if max(held) > 0.0:
        disp += held[0] * prepared.brow_hold[0] + held[1] * prepared.brow_hold[1]
    disp = prepared.lid_floor(disp)
    closure = (float(np.clip(close_l, -0.3, 1.0)), float(np.clip(close_r, -0.3, 1.0)))
    if closure != (0.0, 0.0):
        b = prepared.basis_for(45)
        disp += closure[0] * b[0] + closure[1] * b[1]
    if NATURAL_FIRST:
        disp += lip_fullness_field(prepared.xy, prepared.xy + disp, prepared.warper.geo, lip_red_floor())
    sealed = lip_seal_amount(values, rest)
    if sealed > 0.0:
        disp += sealed * lip_seal_field(prepared.xy, prepared.xy + disp, prepared.warper.geo)
    disp += lip_opening_field(prepared.xy, prepared.xy + disp, prepared.warper.geo)
    upper, lower = _lip_thinning(values, gains, rest)
    if max(*upper, *lower) > 0.0:
        disp += lip_thinning_field(prepared.xy, prepared.xy + disp, prepared.warper.geo, upper, lower)
    if NATURAL_FIRST:
        disp += prepared.lip_bend(prepared.xy + disp)
    disp += lip_contact_field(prepared.xy, prepared.xy + disp, prepared.warper.geo)
    head = head_motion(prepared, sway)
    if head is not None:
        disp += prepared.xy @ head[:, :2].T + head[:, 2] - prepared.xy
    return disp, closure


def head_motion(prepared: PreparedFace, sway: np.ndarray | None) -> np.ndarray | None:
    """The head's rigid motion this frame as a 2x3 affine in crop pixels (p -> A @ [p, 1]): the sway's turn
    about the neck and its shift; None when the head holds still."""
    if sway is None or not np.any(sway):
        return None
    geo = prepared.warper.geo
    pivot = prepared.xy[152] + geo.ey * geo.size * 0.8  # the head turns about the neck
    c, s = np.cos(sway[0]), np.sin(sway[0])
    turn = np.array([[c, -s], [s, c]])
    shift = pivot - turn @ pivot + (sway[1] * geo.ex + sway[2] * geo.ey) * geo.size
    return np.column_stack([turn, shift])


def _added(au: int, values: dict[int, tuple[float, float]], gains: dict[int, float],
           rest: dict[int, tuple[float, float]] | None) -> tuple[float, float]:
    """How strongly the plan draws `au` in this frame on top of the photo's relaxation, gain applied, per
    side (left, right)."""
    left, right = values.get(au, (0.0, 0.0))
    rest_l, rest_r = (rest or {}).get(au, (0.0, 0.0))
    g = gains.get(au, 1.0)
    return max(0.0, g * (left - rest_l)), max(0.0, g * (right - rest_r))


def _lid_raise(values: dict[int, tuple[float, float]], gains: dict[int, float],
               rest: dict[int, tuple[float, float]] | None) -> tuple[float, float]:
    """How strongly the plan's lid raiser (AU5) is drawn in this frame, per side (left, right)."""
    return _added(5, values, gains, rest)


def _lip_thinning(values: dict[int, tuple[float, float]], gains: dict[int, float],
                  rest: dict[int, tuple[float, float]] | None
                  ) -> tuple[tuple[float, float], tuple[float, float]]:
    """How much of the red of each lip the frame's muscles thin away, as (upper, lower), each (left,
    right): the lip tightener and pressor (lips_lids.LIP_THIN) and a smile's stretch (lips_lids.SMILE_THIN)."""
    pressed = [_added(au, values, gains, rest) for au in LIP_SEAL_AUS]
    smile = _added(12, values, gains, rest)
    press = [min(1.0, sum(p[side] for p in pressed)) for side in (0, 1)]
    stretch = [min(1.0, smile[side]) * SMILE_THIN for side in (0, 1)]
    upper = tuple(min(LIP_THIN_MAX, press[side] * LIP_THIN + stretch[side]) for side in (0, 1))
    lower = tuple(min(LIP_THIN_MAX, press[side] * LIP_THIN * LIP_THIN_LOWER + stretch[side]) for side in (0, 1))
    return upper, lower


def _render_frame(prepared: PreparedFace, values: dict[int, tuple[float, float]], gains: dict[int, float],
                  sway: np.ndarray | None = None, rest: dict[int, tuple[float, float]] | None = None) -> np.ndarray:
    disp, closure = _displacement(prepared, values, gains, sway, rest)
    crop = prepared.warper.warp(disp, closure=closure, lips_sealed=lip_seal_amount(values, rest),
                                lid_raise=_lid_raise(values, gains, rest), head=head_motion(prepared, sway))
    x0, y0, x1, y1 = prepared.box
    frame = prepared.image.copy()
    # the field is exactly zero on the crop's border (fixed anchors), so a plain paste is seamless
    frame[y0:y1, x0:x1] = crop
    return frame


def source_relaxation(blendshapes: dict[str, float], neutralize: float, relax_gain: dict[int, float] | None = None,
                      full: Sequence[int] = ()) -> dict[int, tuple[float, float]]:
    """The photo's own AUs to cancel (left, right intensities), scaled by `neutralize` (those in `full`, the
    ones the plan contradicts, fully unless neutralize is 0)."""
    if not 0.0 <= neutralize <= 1.0:
        raise ValueError(f"neutralize must be in 0..1 (0 keeps the photo's expression, 1 relaxes it fully), got {neutralize}")
    if neutralize == 0.0:
        return {}
    left, right = au_levels(blendshapes, "left"), au_levels(blendshapes, "right")
    relax = {}
    for au in RELAXABLE:
        g, n = (relax_gain or {}).get(au, 1.0), 1.0 if au in full else neutralize
        amt = (max(0.0, left[au] - REST_LEVEL) * n * g, max(0.0, right[au] - REST_LEVEL) * n * g)
        if max(amt) > 0.05:
            relax[au] = amt
    return relax


def contradicted(plan: AUPlan) -> tuple[int, ...]:
    """The photo's AUs the plan contradicts (see SMILE_AUS), which its relaxation takes away fully."""
    asks = {a.au: a.intensity for a in plan.action_units}
    if asks.get(12, 0.0) < SMILE_ASKED and any(asks.get(au, 0.0) >= NEGATIVE_ASKED for au in NEGATIVE_AUS):
        return SMILE_AUS
    return ()


def rest_pose(relax: dict[int, tuple[float, float]]) -> dict[int, tuple[float, float]]:
    """The per-frame intensities that hold the photo relaxed: the relaxation's AUs, negated."""
    return {au: (-l, -r) for au, (l, r) in relax.items()}


def _relax_gains(prepared: PreparedFace, neutralize: float, measurer: FrameMeasurer, iterations: int,
                 start: dict[int, float] | None = None, full: Sequence[int] = ()) -> tuple[dict[int, float], list[dict]]:
    """Relax harder (bounded) where the photo's own expression survives the first relaxation (from `start`'s
    gains); gains that lose the face are taken back."""
    relax_gain: dict[int, float] = dict(start or {})
    src_l, src_r = au_levels(prepared.blendshapes, "left"), au_levels(prepared.blendshapes, "right")
    history, kept = [], dict(relax_gain)
    for it in range(iterations + 1):
        relax = source_relaxation(prepared.blendshapes, neutralize, relax_gain, full)
        shapes = measurer.blendshapes(_render_frame(prepared, rest_pose(relax), {}))
        if shapes is None:
            history.append({"iteration": it, "face_lost": True})
            relax_gain = kept
            break
        level = au_levels(shapes)
        survived = [au for au in relax
                    if level[au] > max(src_l[au], src_r[au]) * (0.0 if au in full else 1 - neutralize) + REST_LEVEL + 0.1
                    and relax_gain.get(au, 1.0) < MAX_RELAX_GAIN]
        history.append({"iteration": it, "survived": survived, "relax_gains": dict(relax_gain)})
        if not survived or it == iterations:
            break
        kept = dict(relax_gain)
        for au in survived:
            relax_gain[au] = min(MAX_RELAX_GAIN, relax_gain.get(au, 1.0) * 1.5)
    return relax_gain, history


def relaxed_rest(prepared: PreparedFace, neutralize: float, landmarker: FaceLandmarker, iterations: int,
                 full: Sequence[int] = ()
                 ) -> tuple[FrameMeasurer, dict[int, tuple[float, float]], np.ndarray, dict[int, float], list[dict]]:
    """The rest pose the calibration measures against: the photo relaxed, harder where its own expression
    survives (_relax_gains). Returns (the measurer set up on the rest frame (draft_measurer), the rest pose's
    intensities, the rest frame drawn (the clip's first), the relaxation gains, their search history)."""
    first = _render_frame(prepared, rest_pose(source_relaxation(prepared.blendshapes, neutralize, None, full)), {})
    measurer = draft_measurer(first, prepared, landmarker)
    relax_gain, history = _relax_gains(prepared, neutralize, measurer, iterations, None, full)
    rest = rest_pose(source_relaxation(prepared.blendshapes, neutralize, relax_gain, full))
    if relax_gain:
        # relaxed harder, the clip starts from another frame, and the report measures on a crop set up there:
        # the calibration measures on the same one, or it reads the apex a few hundredths off what the report
        # reads (a smile at +0.079 in the search was +0.101 in the clip)
        first = _render_frame(prepared, rest, {})
        measurer = draft_measurer(first, prepared, landmarker)
    return measurer, rest, first, relax_gain, history


def draft_measurer(first: np.ndarray, prepared: PreparedFace, landmarker: FaceLandmarker) -> FrameMeasurer:
    """The measurer for a draft whose first frame is `first`: set up on that frame as the analyser sets up, so
    the calibration reads what the report will, on the drawn face (drawn_face_index: in a group photo another
    face can be the largest, and measuring that one read the relaxation as failing and the plan as drawing
    nothing). Where the detector finds the drawn face nowhere in the whole frame (a small relaxed face in a
    group, a dark face looking down), the crop is set up around it on the photo itself, where it was found."""
    index = drawn_face_index(first, prepared, landmarker)
    if index is not None:
        return FrameMeasurer(first, landmarker, face_index=index, name="the relaxed portrait")
    return FrameMeasurer(prepared.image, landmarker, face_index=prepared.face_index, name="the portrait")


class ApexEnvelope:
    """How far the plan's apex moves each face region (envelope.REGIONS) on the drawn mesh against the rest
    pose, for given gains, and the limits it must stay inside: the real-face envelope, the lip gap no less
    than the rest pose's own (a photo's open mouth is not the draft's doing)."""

    def __init__(self, prepared: PreparedFace, apex: dict[int, tuple[float, float]],
                 rest: dict[int, tuple[float, float]], limits: dict[str, float] | None = None):
        self.prepared, self.apex, self.rest = prepared, apex, rest
        self.geo = prepared.warper.geo
        self.at_rest = measures(prepared.xy + _displacement_unbounded(prepared, rest, {}, None, rest)[0], self.geo)
        self.real = real_face_envelope()
        self.rest_seen, self.frames_measured = None, 0
        self.limits = with_rest(limits or self.real, self.at_rest)

    def see_through(self, measurer: FrameMeasurer, gains: dict[int, float]) -> dict[str, float]:
        """Scale the limits to the drawn mesh by what the picture shows: draw the apex at `gains`, find its
        landmarks as the real faces' were found, and divide each region's limit by the share of the mesh's
        motion the picture shows (SEEN_SHARE bounds it; a region the mesh hardly moves keeps its limit).
        Returns the shares."""
        if not NATURAL_FIRST:
            return {}
        rest_face = measurer.face(_render_frame(self.prepared, self.rest, {}))
        apex_face = measurer.face(_render_frame(self.prepared, self.apex, gains, rest=self.rest))
        self.frames_measured += 2
        if rest_face is None or apex_face is None:
            return {}
        self.rest_seen = measures(rest_face.landmarks)
        seen = motion(measures(apex_face.landmarks), self.rest_seen)
        mesh = self.moved(gains)
        shares = {}
        for r in REGIONS:
            if mesh[r] > SEEN_FROM:
                shares[r] = float(np.clip(seen[r] / mesh[r], *SEEN_SHARE))
                self.limits[r] /= shares[r]
        return shares

    def seen_beyond(self, landmarks: np.ndarray) -> dict[str, float]:
        """The regions a drawn frame's found landmarks show moved past the real-face envelope itself (the lip
        gap past the rest frame's own where wider), against the rest frame found the same way (see_through)."""
        if not NATURAL_FIRST or self.rest_seen is None:
            return {}
        jitter = float(np.clip(SEEN_JITTER_PX / self.prepared.face.size, ENVELOPE_SLACK, SEEN_JITTER_MAX))
        return regions_beyond(motion(measures(landmarks), self.rest_seen),
                              with_rest(self.real, self.rest_seen), jitter)

    def moved(self, gains: dict[int, float]) -> dict[str, float]:
        disp = _displacement_unbounded(self.prepared, self.apex, gains, None, self.rest)[0]
        return motion(measures(self.prepared.xy + disp, self.geo), self.at_rest)

    def beyond(self, gains: dict[int, float]) -> dict[str, float]:
        """The regions the apex moves past their limit at these gains, with how far (iod)."""
        if not NATURAL_FIRST:
            return {}
        return regions_beyond(self.moved(gains), self.limits, ENVELOPE_SLACK)

    def fit(self, gains: dict[int, float]) -> tuple[dict[int, float], dict[int, list[str]]]:
        """`gains` with the AUs that move a region past its limit drawn weaker until none does: (the gains,
        AU -> the regions that held it back). Per region, each AU that moves it gives way in proportion to
        how much of the motion is its own (the main mover by a factor s, one moving it half as far by
        s ** 0.5), s the largest that brings the region inside (ENVELOPE_FITS bisections)."""
        gains, held = dict(gains), {}
        if not NATURAL_FIRST:
            return gains, held
        # one region's fit can move another a little (a weaker lid raiser lets the brow's skin sit higher):
        # the regions are fitted again until none is beyond
        for region in [r for _ in range(ENVELOPE_PASSES) for r in REGIONS]:
            moved = self.moved(gains)[region]
            if moved <= self.limits[region] + ENVELOPE_SLACK:
                continue
            share = {au: moved - self.moved({**gains, au: 0.0})[region] for au in gains if gains[au] > 0}
            movers = {au: c for au, c in share.items() if c > ENVELOPE_SHARE * self.limits[region]}
            if not movers:
                continue
            top = max(movers.values())
            weight = {au: c / top for au, c in movers.items()}

            def scaled(s: float) -> dict[int, float]:
                return {**gains, **{au: round(gains[au] * s ** w, 4) for au, w in weight.items()}}

            lo, hi = 0.0, 1.0  # s = lo keeps the region inside, s = hi does not
            for _ in range(ENVELOPE_FITS):
                mid = (lo + hi) / 2
                if self.moved(scaled(mid))[region] <= self.limits[region]:
                    lo = mid
                else:
                    hi = mid
            gains = scaled(lo)
            for au in movers:
                held.setdefault(au, []).append(region)
        return gains, held


def fit_to_envelope(prepared: PreparedFace, plan: AUPlan, rest: dict[int, tuple[float, float]],
                    gains: dict[int, float] | None = None, limits: dict[str, float] | None = None
                    ) -> tuple[dict[int, float], dict[int, list[str]], ApexEnvelope]:
    """The plan's gains (by default 1) held inside the real-face envelope at its apex: (gains, AU -> the
    regions that held it back, the envelope measure)."""
    env = ApexEnvelope(prepared, _apex_values(plan, rest), rest, limits)
    fitted, held = env.fit(gains or {a.au: 1.0 for a in plan.action_units})
    return fitted, held, env


def _apex_values(plan: AUPlan, rest: dict[int, tuple[float, float]]) -> dict[int, tuple[float, float]]:
    apex = dict(rest)
    for a in plan.action_units:
        gl, gr = a.side_gains()
        l0, r0 = apex.get(a.au, (0.0, 0.0))
        apex[a.au] = (l0 + a.intensity * gl, r0 + a.intensity * gr)
    return apex


def _calibrate(prepared: PreparedFace, plan: AUPlan, neutralize: float, landmarker: FaceLandmarker,
               iterations: int) -> tuple[dict[int, float], dict[int, tuple[float, float]], dict]:
    """Per-face gains from the analyser's own measurement of the apex against the relaxed rest frame.

    The photo is relaxed first (relaxed_rest), the plan's apex is held inside the real-face envelope
    (ApexEnvelope), then calibration.GainSearch searches the gains over `ApexTrials`: each trial draws the apex
    and measures what it reads. What the model cannot read here (analyzer.unreadable_aus) is no target: its
    gain starts at 1 and moves only for the leaks it causes (a cheek raise the model reads as a lid
    tightener)."""
    full = contradicted(plan)
    measurer, rest, rest_frame, relax_gain, relax_history = relaxed_rest(prepared, neutralize, landmarker,
                                                                         iterations, full)
    base = measurer.blendshapes(rest_frame)
    # natural first: the plan's apex inside the real-face envelope before anything else is measured. The
    # envelope holds for what the picture shows, measured as on the real faces (landmarks found on the drawn
    # frame); the drawn mesh moves further than the picture shows (about twice, for the brows), so each
    # region's limit on the mesh is scaled by how much of the mesh's motion one drawn apex shows here
    env = ApexEnvelope(prepared, _apex_values(plan, rest), rest)
    env.see_through(measurer, {a.au: 1.0 for a in plan.action_units})
    gains, held = env.fit({a.au: 1.0 for a in plan.action_units})
    unreadable = unreadable_aus({a.au: a.intensity for a in plan.action_units})
    info = {"iterations": relax_history, "relax_gains": relax_gain, "blendshape_blind": sorted(unreadable),
            "envelope_held": {au: regions for au, regions in held.items()}, "not_readable": {},
            "envelope_limits": {r: round(v, 4) for r, v in env.limits.items()}}
    if base is None:
        info["gains"] = gains
        info["trial_frames"] = len(relax_history) + 1 + env.frames_measured
        return gains, relax_gain, info
    trials = ApexTrials(prepared, plan, env, measurer, base, unreadable)
    free = [au for au in sorted(unreadable) if au in trials.requested and MEASURABLE.get(au)]
    with _TrialPool(measurer, landmarker if trials.targets and iterations else None) as pool:
        search = GainSearch(trials, {au: want for au, (_, want) in trials.targets.items()}, free, sweeps=iterations,
                            map_trials=pool.map, strategies=STRATEGIES,
                            opposite=[au for au in full if au in trials.watched and au not in BLIND_AUS])
        gains = search.run(gains, shrink_first=held)
        # the apex is not the only frame the envelope holds for: see ONSET_SHARES
        onset_refused = 0
        while np.isfinite(search.best) and (outside := trials.onset_beyond(gains)):
            gains = search.refuse(gains, outside)
            onset_refused += 1
    got = search.got
    info["iterations"] = relax_history + search.history
    info["gains"] = gains
    info["envelope_refused"] = sum(1 for t in search.trials.values() if t.beyond)
    info["onset_refused"] = onset_refused
    inside = [t for t in search.trials.values() if t.acceptable]
    for au in search.unseen():
        best = max(inside, key=lambda t: t.readings.get(au, -1.0), default=None)
        shown = best.readings.get(au, 0.0) if best is not None else got.get(au, 0.0)
        if shown >= VISIBLE_RISE:
            # it reads, but only where others the plan asks for do not: the model reads them as one, and the
            # search kept the drawing where more of the plan reads
            gone = [f"AU{a}" for a in search.targets if a != au and got.get(a, 0.0) >= VISIBLE_RISE
                    and best.readings.get(a, 0.0) < VISIBLE_RISE]
            where = (f"only where {', '.join(gone)} did not" if gone
                     else "only in a drawing the search weighed worse (a leak, or less of the plan read)")
            info["not_readable"][au] = (f"reads {got.get(au, 0.0):+.2f} here; inside the real-face envelope it read "
                                        f"{shown:+.2f} {where}")
            continue
        # what drawing it a step stronger would do to the face, where that step was refused
        stronger = {**gains, au: gains[au] * GAIN_STEPS[-1] / GAIN_STEPS[-2]}
        regions = env.beyond(stronger)
        info["not_readable"][au] = (f"reads {shown:+.2f} at most inside the real-face envelope"
                                    + (f" (drawn stronger it would pass it: {regions})" if regions else ""))
    # what the calibration cost: every frame it drew and measured (relaxing the photo, its rest, the trials; a
    # trial the mesh already shows beyond the envelope is refused undrawn)
    info["trial_frames"] = len(relax_history) + 1 + env.frames_measured + search.drawn + trials.onset_frames
    info["measured_at_apex"] = {au: round(float(v), 3) for au, v in got.items()}
    return gains, relax_gain, info


class ApexTrials:
    """calibration's `measure`: the plan's apex drawn at given gains and measured against the rest frame.
    A trial the mesh shows moving a region further than real faces do is refused undrawn; one whose picture
    shows it (landmarks found as on the real faces) is refused after measuring."""

    def __init__(self, prepared: PreparedFace, plan: AUPlan, env: "ApexEnvelope", measurer: FrameMeasurer,
                 base: dict[str, float], unreadable: Sequence[int]):
        self.prepared, self.env, self.measurer = prepared, env, measurer
        self.base = {s: au_levels(base, s) for s in ("both", "left", "right")}
        # target AU -> (side, intensity): what the plan asks for that the model can read
        self.targets = {a.au: (a.side, a.intensity) for a in plan.action_units
                        if MEASURABLE.get(a.au) and a.au not in unreadable and a.au not in CLOSURE_AUS
                        and a.intensity >= 0.25}
        self.requested = {a.au for a in plan.action_units if a.intensity > 0}
        # the AUs a leak is read on: outside the plan and sharing none of its blendshapes
        self.watched = [au for au in MEASURABLE if au not in self.requested
                        and not shares_blendshapes(au, self.requested)]
        self.onset_frames = 0

    def onset_beyond(self, gains: dict[int, float]) -> dict[str, float]:
        """The regions a frame on the way to the apex drawn at `gains` shows moved past the real-face envelope
        (ONSET_SHARES of the way), the first such frame's; {} where none does."""
        for share in ONSET_SHARES:
            values = {au: tuple(r + share * (a - r) for a, r in zip(apex, self.env.rest.get(au, (0.0, 0.0))))
                      for au, apex in self.env.apex.items()}
            self.onset_frames += 1
            face = self.measurer.face(_render_frame(self.prepared, values, gains, rest=self.env.rest))
            outside = self.env.seen_beyond(face.landmarks) if face is not None else {}
            if outside:
                return outside
        return {}

    def __call__(self, gains: dict[int, float], measurer: FrameMeasurer | None = None) -> Trial:
        outside = self.env.beyond(gains)
        if outside:
            return Trial(beyond=outside, drawn=False)
        face = (measurer or self.measurer).face(_render_frame(self.prepared, self.env.apex, gains, rest=self.env.rest))
        if face is None:
            return Trial(face_found=False)
        outside = self.env.seen_beyond(face.landmarks)
        if outside:
            return Trial(beyond=outside)
        lv = {s: au_levels(face.blendshapes, s) for s in ("both", "left", "right")}
        lv0 = self.base
        readings = {au: lv[side][au] - lv0[side][au] for au, (side, _) in self.targets.items()}
        moved = {au: lv["both"][au] - lv0["both"][au] for au in self.watched}
        return Trial(readings, moved)


class _TrialPool:
    """Measures calibration trials two at a time where there are two cores: a second FaceLandmarker
    (about 30 ms to set up once MediaPipe is loaded) works beside the first, each on its own trials.
    MediaPipe leaves the GIL while it runs and gives the same readings from either instance."""

    def __init__(self, measurer: FrameMeasurer, landmarker: FaceLandmarker | None):
        self.measurers = [measurer]
        self._executor = self._twin = None
        if landmarker is not None and (os.cpu_count() or 1) > 1:
            self._twin = FaceLandmarker(landmarker.model_path)
            self.measurers.append(measurer.with_landmarker(self._twin))
            self._executor = ThreadPoolExecutor(len(self.measurers), thread_name_prefix="ThinkDraw-calibration")

    def map(self, fn, trials: list) -> list:
        if self._executor is None or len(trials) < 2:
            return [fn(t) for t in trials]
        futures = [self._executor.submit(fn, t, self.measurers[i % len(self.measurers)]) for i, t in enumerate(trials)]
        return [f.result() for f in futures]

    def __enter__(self) -> "_TrialPool":
        return self

    def __exit__(self, *exc) -> None:
        if self._executor is not None:
            self._executor.shutdown()
        if self._twin is not None:
            self._twin.close()


def render_draft(image: np.ndarray, plan: AUPlan, audio=None, seconds: float | None = 4.0, fps: float = 25.0,
                 seed: int = 0, neutralize: float = 0.8, face_index: int | None = None, crop_margin: float = 0.6,
                 calibrate: bool = True, calibration_iterations: int = CALIBRATION_ITERATIONS, blinks: bool = True,
                 sway: bool = True, model_path: str | None = None, model_dirs: Sequence[str] = (),
                 landmarker: FaceLandmarker | None = None, hold_still: np.ndarray | None = None) -> DraftResult:
    """Animate the portrait by the plan (and speak the audio). Same inputs -> same frames.

    image: uint8 RGB HxWx3. audio: (samples float32 [C, N], sample_rate) or None. seconds: clip
    length; None with audio = the audio's length. neutralize: 0..1, how much of the photo's own
    expression to relax first. face_index: None = largest face. hold_still: float HxW mask (1 = hold
    still) of what moves only with the head, glasses say (hold_still.py).
    """
    if not isinstance(plan, AUPlan):
        raise ValueError(f"plan must be a thinkdraw_core.plan.AUPlan, got {type(plan).__name__}")
    n_frames = clip_frames(seconds, fps, audio)
    plan = fit_plan(plan, n_frames / fps, audio)  # an arc's shared beats spread over the clip, on the speech's pauses
    unsupported = sorted({a.au for beat in plan.beats for a in beat.action_units if a.au not in supported_aus()})
    if unsupported:
        raise ValueError(f"the draft renderer has no displacement model for AU {unsupported}; remove them from the plan")
    landmarker = landmarker or get_landmarker(model_path, model_dirs)
    prepared = prepare_face(image, face_index, crop_margin, landmarker, hold_still=hold_still)
    if calibrate:
        calibrate_plan = _calibrate if len(plan.beats) == 1 else _calibrate_arc  # an arc: every beat's apex
        gains, relax_gain, calib = calibrate_plan(prepared, plan, neutralize, landmarker, calibration_iterations)
    else:
        gains, relax_gain, calib = {a.au: 1.0 for a in plan.action_units}, {}, {"trial_frames": 0}
    relax = source_relaxation(prepared.blendshapes, neutralize, relax_gain, contradicted(plan))
    # natural first, calibrated or not: the calibration's gains are inside the envelope already (a no-op then)
    fit_apex = fit_to_envelope if len(plan.beats) == 1 else _fit_arc_to_envelope  # an arc: every beat's apex
    gains, held, env = fit_apex(prepared, plan, rest_pose(relax), gains, calib.get("envelope_limits"))
    if held and not calibrate:
        calib["envelope_held"] = held
    prepared.gap_limit = env.limits["lip_gap"]
    if audio is not None:
        audio = _fit_audio(audio, n_frames / fps)
    track = build_track(plan, n_frames, fps, seed=seed, audio=audio, relax=relax, blinks=blinks, sway=sway)
    calib["relaxed"] = {au: [round(l, 3), round(r, 3)] for au, (l, r) in relax.items()}
    calib["source_blendshapes"] = {k: round(v, 3) for k, v in prepared.blendshapes.items() if v >= 0.1}
    rest = rest_pose(relax)
    return DraftResult(prepared, track, gains, fps, audio=audio, calibration=calib, plan=plan, rest=rest)


def clip_frames(seconds: float | None, fps: float, audio=None) -> int:
    """How many frames render_draft draws for these inputs (seconds None = the audio's length); raises
    ValueError naming the input at fault, before anything is drawn."""
    if not _finite(fps) or not 0 < float(fps) <= 120:
        raise ValueError(f"fps must be a number in (0, 120], got {fps}")
    if seconds is not None and (not _finite(seconds) or float(seconds) <= 0):
        raise ValueError(f"seconds must be a finite number > 0, got {seconds}")
    if audio is not None:
        samples, rate = check_audio(audio)
        if seconds is None:
            seconds = samples.shape[-1] / rate
    elif seconds is None:
        raise ValueError("seconds is required when there is no audio to take the length from")
    return max(1, int(round(float(seconds) * float(fps))))


def _finite(x) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _fit_audio(audio, seconds: float):
    samples, sr = audio
    samples = np.asarray(samples, np.float32)
    if samples.ndim == 1:
        samples = samples[None]
    n = int(round(seconds * sr))
    if samples.shape[1] >= n:
        return samples[:, :n], int(sr)
    return np.pad(samples, ((0, 0), (0, n - samples.shape[1]))), int(sr)


# -- arcs: plans of several beats (issue 37) ---------------------------------------------------------------------
# The calibration and the envelope work on one apex frame. An arc holds one pose per beat, so each beat's apex is
# calibrated and held inside the envelope on its own; the clip draws one gain per AU, the one found where the
# plan asks the most of that AU (a brow lowerer shared by anger and sadness takes the angrier beat's gain), no
# stronger than any beat's envelope allows.

def _beat_plans(plan: AUPlan) -> list[tuple[int, AUPlan]]:
    """(index, a one-beat plan of it) for each beat that asks for any AU."""
    return [(i, AUPlan.from_beats(beat.text or plan.text, [beat], intensity=plan.intensity))
            for i, beat in enumerate(plan.beats) if any(a.intensity > 0 for a in beat.action_units)]


def _calibrate_arc(prepared: PreparedFace, plan: AUPlan, neutralize: float, landmarker: FaceLandmarker,
                   iterations: int) -> tuple[dict[int, float], dict[int, float], dict]:
    """_calibrate for each beat's apex; the beats' findings merged, each beat's own under info["beats"] and its
    envelope limits as info["envelope_limits"][beat index] (None for a beat that asks for nothing)."""
    beat_plans = _beat_plans(plan)
    if not beat_plans:  # an arc of calm beats: the photo relaxed, nothing to calibrate
        return _calibrate(prepared, AUPlan.from_beats(plan.text, plan.beats[:1]), neutralize, landmarker, iterations)
    found = {i: _calibrate(prepared, beat_plan, neutralize, landmarker, iterations) for i, beat_plan in beat_plans}
    first = found[beat_plans[0][0]]
    strongest: dict[int, tuple[float, int]] = {}  # AU -> (intensity, beat) where the plan asks the most of it
    for i, beat_plan in beat_plans:
        for a in beat_plan.action_units:
            if a.intensity > strongest.get(a.au, (0.0, -1))[0]:
                strongest[a.au] = (a.intensity, i)
    gains = {au: found[i][0][au] for au, (_, i) in strongest.items()}
    infos = {i: info for i, (_, _, info) in found.items()}
    info = {"iterations": first[2].get("iterations", []), "relax_gains": first[1], "gains": gains,
            "blendshape_blind": sorted({au for x in infos.values() for au in x.get("blendshape_blind", [])}),
            "envelope_held": {}, "not_readable": {},
            "envelope_limits": [infos[i].get("envelope_limits") if i in infos else None for i in range(len(plan.beats))],
            "trial_frames": sum(x.get("trial_frames", 0) for x in infos.values()),
            "measured_at_apex": {au: infos[i]["measured_at_apex"][au] for au, (_, i) in strongest.items()
                                 if au in infos[i].get("measured_at_apex", {})},
            "beats": [{"beat": i, "text": plan.beats[i].text, "gains": x.get("gains", {}),
                       "measured_at_apex": x.get("measured_at_apex", {}), "not_readable": x.get("not_readable", {}),
                       "trial_frames": x.get("trial_frames", 0)} for i, x in infos.items()]}
    for i, x in infos.items():
        for au, regions in x.get("envelope_held", {}).items():
            info["envelope_held"].setdefault(au, []).extend(r for r in regions if r not in info["envelope_held"][au])
        for au, why in x.get("not_readable", {}).items():
            info["not_readable"].setdefault(au, f"beat {i}: {why}")
    return gains, first[1], info


def _fit_arc_to_envelope(prepared: PreparedFace, plan: AUPlan, rest: dict[int, tuple[float, float]],
                         gains: dict[int, float] | None = None, limits: list | None = None
                         ) -> tuple[dict[int, float], dict[int, list[str]], ApexEnvelope]:
    """fit_to_envelope for each beat's apex (limits: each beat's, as _calibrate_arc measured them): each AU at
    the weakest gain any beat's envelope allows. The envelope returned is the one whose lip gap limit is the
    widest (the beat that parts the lips measured it on the picture)."""
    gains = dict(gains or {})
    beat_plans = _beat_plans(plan)
    if not beat_plans:
        return fit_to_envelope(prepared, AUPlan.from_beats(plan.text, plan.beats[:1]), rest, gains)
    fitted: dict[int, float] = {}
    held: dict[int, list[str]] = {}
    envs = []
    for i, beat_plan in beat_plans:
        own = {a.au: gains.get(a.au, 1.0) for a in beat_plan.action_units}
        g, h, env = fit_to_envelope(prepared, beat_plan, rest, own, limits[i] if limits and i < len(limits) else None)
        for au, value in g.items():
            fitted[au] = min(fitted.get(au, value), value)
        for au, regions in h.items():
            held.setdefault(au, []).extend(r for r in regions if r not in held[au])
        envs.append(env)
    return {**gains, **fitted}, held, max(envs, key=lambda e: e.limits["lip_gap"])
