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

from ..face.analyzer import (MEASURABLE, AnalysisReport, FrameMeasurer, analyze_frames, au_levels,
                             shares_blendshapes, unreadable_aus)
from ..face.landmarks import Face, FaceLandmarker, _as_rgb_uint8, detect_face, face_crop_box, get_landmarker
from ..plan import AUPlan
from .deform import (CLOSURE_AUS, LIP_SEAL_AUS, LIP_THIN, LIP_THIN_LOWER, LIP_THIN_MAX, SMILE_THIN, LidFloor,
                     MeshWarper, au_basis, lip_contact_field, lip_seal_amount, lip_seal_field, lip_thinning_field,
                     supported_aus)
from .dynamics import AUTrack, build_track
from .envelope import REGIONS, envelope as real_face_envelope, measures, motion
from .speech import check_audio

# The photo's own expression is relaxed through one representative AU per blendshape group; the
# jaw (mouths cannot be closed convincingly by a warp) and the lids (blinks) are left alone.
RELAXABLE = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 16, 17, 18, 20, 22, 24, 28)
REST_LEVEL = 0.08
DETECT_SIZE = 512
# The calibration's search space per AU, and what it weighs: a requested AU costs its shortfall against
# its intensity, plus VISIBLE_PENALTY while it rises less than VISIBLE_RISE (as much as a full request
# drawn at nothing: every requested AU seen comes before any one drawn large); an AU outside the plan may
# move LEAK_FREE for free and costs LEAK_WEIGHT per unit beyond, plus LEAK_STEP once it rises past
# LEAK_LIMIT (a little under the 0.15 anyone reads as a leak: a leak just under it should not flip with a
# few changed pixels); GAIN_PRIOR per |log gain| keeps ties at 1. The step is small next to
# VISIBLE_PENALTY, so the search still trades a leak for a requested AU coming into sight.
GAIN_STEPS = (0.5, 0.75, 1.0, 1.4, 2.0)
# Where a leak past LEAK_LIMIT outlives the sweeps, each requested AU is tried this weak to find the one
# that drives it (sad's lip corners on a mouth that parts as they pull read as a pucker until drawn at a
# quarter), and the search starts again from there.
REPAIR_GAIN = 0.25
# Where a requested AU stays unseen because the model reads it and another requested AU on one axis (sad's
# inner brow raise and brow lowerer), the gain that shows both can lie between two steps; so many trials
# look for it there.
BISECTIONS = 3
LEAK_FREE, LEAK_WEIGHT, GAIN_PRIOR = 0.10, 1.0, 0.05
LEAK_LIMIT, LEAK_STEP = 0.14, 0.3
VISIBLE_RISE, VISIBLE_PENALTY = 0.08, 1.0
# An unseen AU is tried stronger with another requested AU weaker only where there is a sign it is traded off:
# some trial read it rising OUT_OF_REACH, or that other AU drawn weaker alone let it read MASK_EVIDENCE more.
# Where neither shows, the pairs found nothing (furious' upper lip raiser beside its pressed lips reads below
# rest at every gain tried; 47 of its 121 trial frames went there).
OUT_OF_REACH, MASK_EVIDENCE = VISIBLE_RISE / 2, 0.01
CALIBRATION_ITERATIONS = 3  # sweeps of the gain search (and rounds of relaxing the photo harder)
MAX_RELAX_GAIN = 2.5
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
# the calibration's start, where its picture is still beyond the envelope: drawn ENVELOPE_SHRINK as strong, up
# to ENVELOPE_SHRINKS times
ENVELOPE_SHRINK, ENVELOPE_SHRINKS = 0.8, 4
# False draws as before issue #34 (no envelope, and the brows carry the lid margins): for before/after
# comparisons only (tools/contact_sheet.py --before)
NATURAL_FIRST = True
# the AUs that part the lips: every frame (speech included) draws them weaker where the inner lips would
# otherwise stand further apart than real lips do (PreparedFace.gap_limit)
OPENING_AUS = (25, 26, 27)


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

    @cached_property
    def lid_floor(self) -> LidFloor:
        return LidFloor(self.xy, self.warper.geo)

    def basis_for(self, au: int) -> np.ndarray:
        if au not in self.basis:
            self.basis[au] = au_basis(au, self.xy, self.warper.geo, self.depth)
        return self.basis[au]


def prepare_face(image: np.ndarray, face_index: int | None = None, crop_margin: float = 0.6,
                 landmarker: FaceLandmarker | None = None, name: str = "image") -> PreparedFace:
    landmarker = landmarker or get_landmarker()
    image = _as_rgb_uint8(image, name)
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
    warper = MeshWarper(crop, xyz[:, :2])
    return PreparedFace(image, face, (box.x0, box.y0, box.x1, box.y1), xyz[:, :2].copy(), xyz[:, 2].copy(), shapes,
                        warper)


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

    def analyze(self, frames: Sequence[np.ndarray] | None = None) -> AnalysisReport:
        return analyze_frames(frames if frames is not None else iter(self), self.plan, self.fps)


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
    photo_gap = float(measures(prepared.xy, geo)["lip_gap"])
    for _ in range(4):
        gap = float(measures(prepared.xy + disp, geo)["lip_gap"])
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
        disp += (rest_l + g * (left - rest_l)) * b[0] + (rest_r + g * (right - rest_r)) * b[1]
    disp = prepared.lid_floor(disp)
    closure = (float(np.clip(close_l, -0.3, 1.0)), float(np.clip(close_r, -0.3, 1.0)))
    if closure != (0.0, 0.0):
        b = prepared.basis_for(45)
        disp += closure[0] * b[0] + closure[1] * b[1]
    sealed = lip_seal_amount(values, rest)
    if sealed > 0.0:
        disp += sealed * lip_seal_field(prepared.xy, prepared.xy + disp, prepared.warper.geo)
    upper, lower = _lip_thinning(values, gains, rest)
    if max(*upper, *lower) > 0.0:
        disp += lip_thinning_field(prepared.xy, prepared.xy + disp, prepared.warper.geo, upper, lower)
    disp += lip_contact_field(prepared.xy, prepared.xy + disp, prepared.warper.geo)
    if sway is not None and np.any(sway):
        geo = prepared.warper.geo
        pivot = prepared.xy[152] + geo.ey * geo.size * 0.8  # the head turns about the neck
        c, s = np.cos(sway[0]), np.sin(sway[0])
        rel = prepared.xy - pivot
        rotated = np.stack([c * rel[:, 0] - s * rel[:, 1], s * rel[:, 0] + c * rel[:, 1]], 1)
        disp += rotated - rel + (sway[1] * geo.ex + sway[2] * geo.ey) * geo.size
    return disp, closure


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
    right): the lip tightener and pressor (deform.LIP_THIN) and a smile's stretch (deform.SMILE_THIN)."""
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
                                lid_raise=_lid_raise(values, gains, rest))
    x0, y0, x1, y1 = prepared.box
    frame = prepared.image.copy()
    # the field is exactly zero on the crop's border (fixed anchors), so a plain paste is seamless
    frame[y0:y1, x0:x1] = crop
    return frame


def source_relaxation(blendshapes: dict[str, float], neutralize: float, relax_gain: dict[int, float] | None = None
                      ) -> dict[int, tuple[float, float]]:
    """The photo's own AUs to cancel (left, right intensities), scaled by `neutralize`."""
    if not 0.0 <= neutralize <= 1.0:
        raise ValueError(f"neutralize must be in 0..1 (0 keeps the photo's expression, 1 relaxes it fully), got {neutralize}")
    if neutralize == 0.0:
        return {}
    left, right = au_levels(blendshapes, "left"), au_levels(blendshapes, "right")
    relax = {}
    for au in RELAXABLE:
        g = (relax_gain or {}).get(au, 1.0)
        amt = (max(0.0, left[au] - REST_LEVEL) * neutralize * g, max(0.0, right[au] - REST_LEVEL) * neutralize * g)
        if max(amt) > 0.05:
            relax[au] = amt
    return relax


def rest_pose(relax: dict[int, tuple[float, float]]) -> dict[int, tuple[float, float]]:
    """The per-frame intensities that hold the photo relaxed: the relaxation's AUs, negated."""
    return {au: (-l, -r) for au, (l, r) in relax.items()}


def _relax_gains(prepared: PreparedFace, neutralize: float, measurer: FrameMeasurer, iterations: int
                 ) -> tuple[dict[int, float], list[dict]]:
    """Relax harder (bounded) where the photo's own expression survives the first relaxation."""
    relax_gain: dict[int, float] = {}
    src_l, src_r = au_levels(prepared.blendshapes, "left"), au_levels(prepared.blendshapes, "right")
    history = []
    for it in range(iterations + 1):
        relax = source_relaxation(prepared.blendshapes, neutralize, relax_gain)
        shapes = measurer.blendshapes(_render_frame(prepared, rest_pose(relax), {}))
        if shapes is None:
            history.append({"iteration": it, "face_lost": True})
            break
        level = au_levels(shapes)
        survived = [au for au in relax
                    if level[au] > max(src_l[au], src_r[au]) * (1 - neutralize) + REST_LEVEL + 0.1
                    and relax_gain.get(au, 1.0) < MAX_RELAX_GAIN]
        history.append({"iteration": it, "survived": survived, "relax_gains": dict(relax_gain)})
        if not survived or it == iterations:
            break
        for au in survived:
            relax_gain[au] = min(MAX_RELAX_GAIN, relax_gain.get(au, 1.0) * 1.5)
    return relax_gain, history


def relaxed_rest(prepared: PreparedFace, neutralize: float, landmarker: FaceLandmarker, iterations: int
                 ) -> tuple[FrameMeasurer, dict[int, tuple[float, float]], dict[int, float], list[dict]]:
    """The rest pose the calibration measures against: the photo relaxed, harder where its own expression
    survives (_relax_gains). Returns (the measurer set up on the first relaxed frame, the rest pose's
    intensities, the relaxation gains, their search history)."""
    f_first = _render_frame(prepared, rest_pose(source_relaxation(prepared.blendshapes, neutralize)), {})
    measurer = FrameMeasurer(f_first, landmarker, name="the relaxed portrait")
    relax_gain, history = _relax_gains(prepared, neutralize, measurer, iterations)
    return measurer, rest_pose(source_relaxation(prepared.blendshapes, neutralize, relax_gain)), relax_gain, history


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
        self.limits = dict(limits or self.real)
        self.limits["lip_gap"] = max(self.limits["lip_gap"], float(self.at_rest["lip_gap"]))

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
        moved = motion(measures(landmarks), self.rest_seen)
        limits = {**self.real, "lip_gap": max(self.real["lip_gap"], float(self.rest_seen["lip_gap"]))}
        return {r: round(moved[r], 3) for r in REGIONS if moved[r] > limits[r] + ENVELOPE_SLACK}

    def moved(self, gains: dict[int, float]) -> dict[str, float]:
        disp = _displacement_unbounded(self.prepared, self.apex, gains, None, self.rest)[0]
        return motion(measures(self.prepared.xy + disp, self.geo), self.at_rest)

    def beyond(self, gains: dict[int, float]) -> dict[str, float]:
        """The regions the apex moves past their limit at these gains, with how far (iod)."""
        if not NATURAL_FIRST:
            return {}
        moved = self.moved(gains)
        return {r: round(moved[r], 3) for r in REGIONS if moved[r] > self.limits[r] + ENVELOPE_SLACK}

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

    The blendshape model is strongly coupled and not monotonic (a corner pulled twice as far can read
    as less of a frown, a lowered brow cancels a raised inner brow), so raising each gain on its own
    overshoots into other AUs. Instead each measurable AU's gain is searched over GAIN_STEPS, one AU
    at a time and sweeping `iterations` times, for the least cost: the shortfall of every requested AU
    against its target plus what AUs outside the plan move beyond LEAK_FREE (and a step past
    LEAK_LIMIT). An AU the model cannot read here (analyzer.unreadable_aus) is searched too, for its leaks
    alone. A sweep that finds nothing better tries each still unseen AU stronger with one other
    requested AU weaker, where the trials so far show a sign the two trade off (OUT_OF_REACH). A leak
    past LEAK_LIMIT that outlives the sweeps starts the search again from the requested AU that drives
    it drawn at REPAIR_GAIN, and an AU still unseen starts it again from between two steps of its
    masker where both show (BISECTIONS), or failing that from where both show with the masker drawn
    stronger; the better optimum stays."""
    measurer, rest, relax_gain, relax_history = relaxed_rest(prepared, neutralize, landmarker, iterations)
    base = measurer.blendshapes(_render_frame(prepared, rest, {}))
    # natural first: the plan's apex inside the real-face envelope before anything else is measured. The
    # envelope holds for what the picture shows, measured as on the real faces (landmarks found on the drawn
    # frame); the drawn mesh moves further than the picture shows (about twice, for the brows), so each
    # region's limit on the mesh is scaled by how much of the mesh's motion one drawn apex shows here
    env = ApexEnvelope(prepared, _apex_values(plan, rest), rest)
    env.see_through(measurer, {a.au: 1.0 for a in plan.action_units})
    gains, held = env.fit({a.au: 1.0 for a in plan.action_units})
    # what the model cannot read (always, or beside another requested AU) is no target: its gain starts at 1
    # and moves only for what it makes other AUs read (a cheek raise the model reads as a lid tightener)
    unreadable = unreadable_aus({a.au: a.intensity for a in plan.action_units})
    info = {"iterations": relax_history, "relax_gains": relax_gain, "blendshape_blind": sorted(unreadable),
            "envelope_held": {au: regions for au, regions in held.items()}, "not_readable": {},
            "envelope_limits": {r: round(v, 4) for r, v in env.limits.items()}}
    if base is None:
        info["gains"] = gains
        info["trial_frames"] = len(relax_history) + 1 + env.frames_measured
        return gains, relax_gain, info
    lv0 = {s: au_levels(base, s) for s in ("both", "left", "right")}
    targets = {a.au: (a.side, a.intensity) for a in plan.action_units
               if MEASURABLE.get(a.au) and a.au not in unreadable and a.au not in CLOSURE_AUS and a.intensity >= 0.25}
    requested = {a.au for a in plan.action_units if a.intensity > 0}
    leak_only = [au for au in sorted(unreadable) if au in requested and MEASURABLE.get(au)]
    watched = [au for au in MEASURABLE if au not in requested and not shares_blendshapes(au, requested)]

    apex = env.apex
    refused: dict[tuple, dict[str, float]] = {}

    def cost(trial: dict[int, float], measure: FrameMeasurer = measurer
             ) -> tuple[float, dict[int, float], dict[int, float]]:
        # a trial that would move a region further than real faces do is never drawn nor chosen
        outside = env.beyond(trial)
        if outside:
            refused[trial_key(trial)] = outside
            return float("inf"), {}, {}
        face = measure.face(_render_frame(prepared, apex, trial, rest=rest))
        if face is None:
            return float("inf"), {}, {}
        # and one whose picture shows a region moved further than real faces do (found as theirs were)
        outside = env.seen_beyond(face.landmarks)
        if outside:
            refused[trial_key(trial)] = {**outside, "drawn": True}
            return float("inf"), {}, {}
        shapes = face.blendshapes
        lv = {s: au_levels(shapes, s) for s in ("both", "left", "right")}
        got = {au: lv[side][au] - lv0[side][au] for au, (side, _) in targets.items()}
        # the reading should approach the requested intensity (so where the model trades two AUs off,
        # as browInnerUp and browDown, the stronger request weighs more), and a reading under the
        # visibility floor costs extra: an AU nobody can see is worse than two drawn a little short
        short = sum(max(0.0, want - got[au]) + (VISIBLE_PENALTY if got[au] < VISIBLE_RISE else 0.0)
                    for au, (_, want) in targets.items())
        moved = [lv["both"][au] - lv0["both"][au] for au in watched]
        leak = sum(max(0.0, abs(m) - LEAK_FREE) for m in moved) + LEAK_STEP * sum(m > LEAK_LIMIT for m in moved)
        # a small pull towards the drawn amplitudes the plan asked for, so ties keep gain 1
        prior = GAIN_PRIOR * sum(abs(np.log(g)) for g in trial.values())
        leaks = {au: m for au, m in zip(watched, moved) if m > LEAK_LIMIT}
        return short + LEAK_WEIGHT * leak + prior, got, leaks

    def trial_key(trial: dict[int, float]) -> tuple:
        return tuple(sorted(trial.items()))

    searched: list[dict] = []
    # a sweep revisits the gains the previous one tried after its last change; the measurement is
    # deterministic, so those are looked up, not drawn and measured again. Each holds (cost, readings of
    # the targets, unrequested AUs past LEAK_LIMIT).
    measured: dict[tuple, tuple[float, dict[int, float], dict[int, float]]] = {trial_key(gains): cost(gains)}
    for _ in range(ENVELOPE_SHRINKS):
        # where the picture still shows the start beyond the envelope, the AUs the fit held back (all of the
        # plan's where it held none) are drawn weaker together until it does not
        if trial_key(gains) not in refused:
            break
        weaker = set(held) or set(gains)
        gains = {au: round(g * ENVELOPE_SHRINK, 4) if au in weaker else g for au, g in gains.items()}
        measured[trial_key(gains)] = cost(gains)
    best, got, _ = measured[trial_key(gains)]

    def costs(batch: list[dict[int, float]], pool: _TrialPool
              ) -> list[tuple[float, dict[int, float], dict[int, float]]]:
        keys = [trial_key(trial) for trial in batch]
        new = [(trial, key) for trial, key in zip(batch, keys) if key not in measured]
        for (_, key), result in zip(new, pool.map(cost, [trial for trial, _ in new])):
            measured[key] = result
        return [measured[key] for key in keys]

    def sweep_each(batches, pool: _TrialPool) -> bool:
        """Each batch's trials are measured at once; they are accepted in order, as if one by one."""
        nonlocal best, got, gains
        improved = False
        for batch in batches:
            for trial, (c, m, _) in zip(batch, costs(batch, pool)):
                if c < best - 1e-6:
                    best, got, gains, improved = c, m, trial, True
        return improved

    def unseen() -> list[int]:
        return [au for au in targets if got.get(au, 0.0) < VISIBLE_RISE]

    def search(pool: _TrialPool, label: str, to_beat: float = float("inf")) -> None:
        """Sweeps until one finds nothing better; a restart gives up once a sweep leaves it behind `to_beat`,
        the optimum it would replace."""
        for sweep in range(iterations if targets else 0):
            improved = sweep_each(one_at_a_time(), pool) or sweep_each(unseen_with_a_masker_giving_way(), pool)
            searched.append({label: sweep, "gains": dict(gains), "cost": round(float(best), 4),
                             "measured": {au: round(float(v), 3) for au, v in got.items()}})
            if not improved or best >= to_beat:
                break

    def restart(pool: _TrialPool, trial: dict[int, float], result, why: dict, hold: tuple[int, ...] = ()) -> None:
        """Search again from `trial` (its measured result), the AUs in `hold` fixed for a first sweep over
        the others; the better of the two optima stays."""
        nonlocal best, got, gains
        kept = best, got, gains
        (best, got, _), gains = result, trial
        if hold:
            sweep_each(one_at_a_time(skip=hold), pool)
        search(pool, "restart", to_beat=kept[0])
        searched.append({**why, "better": bool(best < kept[0])})
        if kept[0] <= best:
            best, got, gains = kept

    def restart_without_the_leak(pool: _TrialPool) -> None:
        """A leak the sweeps kept (they move one AU at a time, and the AU that drives it may hold up another
        requested AU): draw each requested AU at REPAIR_GAIN in turn, and where that ends the leak, search
        again from there."""
        leaks = measured[trial_key(gains)][2]
        trials = [{**gains, au: REPAIR_GAIN} for au in [*targets, *leak_only] if gains[au] > REPAIR_GAIN]
        results = costs(trials, pool)
        size = sum(leaks.values())
        fixes = [(sum(lk.values()), i) for i, (c, _, lk) in enumerate(results)
                 if np.isfinite(c) and sum(lk.values()) < size - 1e-6]
        if fixes:
            i = min(fixes)[1]
            driver = next(au for au in gains if gains[au] != trials[i][au])
            restart(pool, trials[i], results[i], {"restarted_from": driver,
                                                  "leaks": {au: round(float(v), 3) for au, v in leaks.items()}})

    def shows(result, au: int) -> bool:
        return result[1].get(au, 0.0) >= VISIBLE_RISE

    def bisected(pool: _TrialPool, au: int, other: int, up: float, g_lo: float, g_hi: float) -> list:
        """BISECTIONS trials of `other` between g_lo and g_hi (by ratio) with `au` at `up`, each time towards
        the weaker of the two; those where both read, as (the weaker reading, trial, result)."""
        both = []
        for _ in range(BISECTIONS):
            trial = {**gains, au: up, other: round(float(np.sqrt(g_lo * g_hi)), 3)}
            result = costs([trial], pool)[0]
            if shows(result, au) and shows(result, other):
                both.append((min(result[1][au], result[1][other]), trial, result))
            if result[1].get(au, 0.0) < result[1].get(other, 0.0):
                g_hi = trial[other]
            else:
                g_lo = trial[other]
        return both

    def between_two_steps(pool: _TrialPool) -> bool:
        """An AU still unseen where the model trades it off against another requested AU (sad's brows on one
        axis): with the unseen AU a step stronger, one of the other's steps shows it and hides the other, the
        next step up the reverse. Both may show between the two; bisect there and search again from the
        trial where the weaker of the two reads most."""
        for au in unseen():
            for other in (o for o in targets if o != au):
                for up in [g for g in GAIN_STEPS if g > gains[au]]:
                    steps = [g for g in GAIN_STEPS if g <= gains[other]]
                    seen = [measured.get(trial_key({**gains, au: up, other: g})) for g in steps]
                    for k in range(len(steps) - 1):
                        lo, hi = seen[k], seen[k + 1]
                        if not (lo and hi and shows(lo, au) and not shows(lo, other)
                                and shows(hi, other) and not shows(hi, au)):
                            continue
                        both = bisected(pool, au, other, up, steps[k], steps[k + 1])
                        if both:
                            _, trial, result = max(both, key=lambda b: b[0])
                            restart(pool, trial, result, {"restarted_between": [au, other]}, hold=(au, other))
                            return True
        return False

    def beside_a_stronger_masker(pool: _TrialPool) -> None:
        """between_two_steps with the other drawn stronger instead of weaker: on a closed mouth the upper lip
        raiser reads with the lips apart and the chin raiser with them together. With the unseen AU at the
        top step, the other's steps above its gain are measured too; the search starts again from the
        cheapest trial that shows both, a step or a bisection between a step that shows the unseen AU and
        a stronger one that shows the other (the steps between showing neither). Only for an AU some trial
        has read rising OUT_OF_REACH: one that never stirs has nothing to bracket."""
        top = GAIN_STEPS[-1]
        for au in unseen():
            if gains[au] >= top or best_reading(au) < OUT_OF_REACH:
                continue
            both = []
            for other in (o for o in targets if o != au):
                costs([{**gains, au: top, other: g} for g in GAIN_STEPS if g > gains[other]], pool)
                seen = [(g, measured.get(trial_key({**gains, au: top, other: g}))) for g in GAIN_STEPS]
                seen = [(g, r) for g, r in seen if r and (shows(r, au) or shows(r, other))]
                both += [({**gains, au: top, other: g}, r, other) for g, r in seen if shows(r, au) and shows(r, other)]
                for (g_lo, lo), (g_hi, hi) in zip(seen, seen[1:]):
                    if shows(lo, au) and not shows(lo, other) and shows(hi, other) and not shows(hi, au):
                        between = bisected(pool, au, other, top, g_lo, g_hi)
                        both += [(trial, result, other) for _, trial, result in between]
            if both:
                # these trials move the other requested AUs too: the cost weighs them all
                trial, result, other = min(both, key=lambda b: b[1][0])
                restart(pool, trial, result, {"restarted_between": [au, other]}, hold=(au, other))
                return

    def one_at_a_time(skip: tuple[int, ...] = ()):
        # one AU's steps differ from each other only in that AU, so accepting one of them changes none
        # of its siblings: they make one batch
        for au in [a for a in [*targets, *leak_only] if a not in skip]:
            yield [{**gains, au: g} for g in GAIN_STEPS if g != gains[au]]

    def best_reading(au: int) -> float:
        return max((result[1][au] for result in measured.values() if au in result[1]), default=0.0)

    def may_give_way_for(other: int, au: int) -> bool:
        """Whether drawing `other` weaker is worth a batch for the unseen `au`: some trial has read `au` at
        least OUT_OF_REACH, or `other` drawn weaker alone (the sweep before measured it) let `au` read more."""
        if best_reading(au) >= OUT_OF_REACH:
            return True
        weaker = [measured.get(trial_key({**gains, other: g})) for g in GAIN_STEPS if g < gains[other]]
        return any(result is None or result[1].get(au, 0.0) > got.get(au, 0.0) + MASK_EVIDENCE for result in weaker)

    def unseen_with_a_masker_giving_way():
        # the model trades some requested AUs off against each other (browInnerUp against browDown), so
        # an unseen AU may show only when it is drawn stronger while another requested AU gives way
        for au in unseen():
            for other in (o for o in targets if o != au and may_give_way_for(o, au)):
                for up in [g for g in GAIN_STEPS if g > gains[au]]:
                    # the steps down for one step up differ only in the two AUs every one of them sets
                    yield [{**gains, au: up, other: down} for down in GAIN_STEPS if down < gains[other]]

    with _TrialPool(measurer, landmarker if targets and iterations else None) as pool:
        search(pool, "sweep")
        if targets and iterations:
            if measured[trial_key(gains)][2]:
                restart_without_the_leak(pool)
            if not between_two_steps(pool):
                beside_a_stronger_masker(pool)
    info["iterations"] = relax_history + searched
    info["gains"] = gains
    info["envelope_refused"] = len(refused)
    for au in unseen():
        # what drawing it a step stronger would do to the face, where that step was refused
        stronger = {**gains, au: gains[au] * GAIN_STEPS[-1] / GAIN_STEPS[-2]}
        regions = env.beyond(stronger)
        info["not_readable"][au] = (f"reads {got.get(au, 0.0):+.2f} at most inside the real-face envelope"
                                    + (f" (drawn stronger it would pass it: {regions})" if regions else ""))
    # what the calibration cost: every frame it drew and measured (relaxing the photo, its rest, the trials)
    # (a trial the mesh already shows beyond the envelope is refused undrawn; one the picture shows beyond was
    # drawn and measured)
    info["trial_frames"] = (len(relax_history) + 1 + env.frames_measured + len(measured)
                            - sum(1 for key, why in refused.items() if why.get("drawn") is None))
    info["measured_at_apex"] = {au: round(float(v), 3) for au, v in got.items()}
    return gains, relax_gain, info


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
                 landmarker: FaceLandmarker | None = None) -> DraftResult:
    """Animate the portrait by the plan (and speak the audio). Same inputs -> same frames.

    image: uint8 RGB HxWx3. audio: (samples float32 [C, N], sample_rate) or None. seconds: clip
    length; None with audio = the audio's length. neutralize: 0..1, how much of the photo's own
    expression to relax first. face_index: None = largest face.
    """
    if not isinstance(plan, AUPlan):
        raise ValueError(f"plan must be a thinkdraw_core.plan.AUPlan, got {type(plan).__name__}")
    n_frames = clip_frames(seconds, fps, audio)
    unsupported = [a.au for a in plan.action_units if a.au not in supported_aus()]
    if unsupported:
        raise ValueError(f"the draft renderer has no displacement model for AU {unsupported}; remove them from the plan")
    landmarker = landmarker or get_landmarker(model_path, model_dirs)
    prepared = prepare_face(image, face_index, crop_margin, landmarker)
    if calibrate:
        gains, relax_gain, calib = _calibrate(prepared, plan, neutralize, landmarker, calibration_iterations)
    else:
        gains, relax_gain, calib = {a.au: 1.0 for a in plan.action_units}, {}, {"trial_frames": 0}
    relax = source_relaxation(prepared.blendshapes, neutralize, relax_gain)
    # natural first, calibrated or not: the calibration's gains are inside the envelope already (a no-op then)
    gains, held, env = fit_to_envelope(prepared, plan, rest_pose(relax), gains, calib.get("envelope_limits"))
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
