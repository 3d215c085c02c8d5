"""The apex preview: one frame of a beat at its apex, fast enough to answer every slider edit.

A full draft spends its seconds on finding the face, the calibration (dozens of trial frames measured
by MediaPipe) and drawing every frame. An artist tuning a slider wants to see the face change at once and
the whole clip only when they press Run. So the preview keeps, per portrait, the prepared face (landmarks,
mesh, warper) and the gains and relaxation the last full draft of that portrait calibrated, and draws one
frame at the apex: no calibration, no clip. Where no full draft of that portrait has run yet, the gains
start at 1 and are held inside the real-face envelope, as an uncalibrated draft would draw them, and the
preview says it is uncalibrated.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

from ..face.landmarks import FaceLandmarker
from ..plan import AUPlan, Timeline
from .dynamics import build_track
from .renderer import (DraftResult, PreparedFace, contradicted, fit_to_envelope, prepare_face, rest_pose,
                       source_relaxation)


@dataclass
class Calibrated:
    """What a full draft of a portrait found: its gains and the relaxation of the photo's own expression."""

    gains: dict[int, float]
    relax: dict[int, tuple[float, float]]


@dataclass
class PreviewFrame:
    frame: np.ndarray  # uint8 RGB, the whole portrait
    box: tuple[int, int, int, int]  # the face's crop in it (x0, y0, x1, y1)
    beat: int
    calibrated: bool  # the gains came from a full draft of this portrait (else 1, held in the envelope)
    note: str


def image_key(image: np.ndarray, face_index: int | None, crop_margin: float) -> str:
    """A portrait and the face chosen in it: equal keys prepare the same face."""
    digest = hashlib.blake2b(np.ascontiguousarray(image).view(np.uint8).data, digest_size=16)
    digest.update(repr((image.shape, face_index, round(float(crop_margin), 4))).encode())
    return digest.hexdigest()


class ApexPreview:
    """Per-portrait caches (a few portraits, least recently used first out) and the one-frame render."""

    def __init__(self, portraits: int = 4):
        self.portraits = portraits
        self._faces: OrderedDict[str, PreparedFace] = OrderedDict()
        self._calibrated: dict[tuple[str, float], Calibrated] = {}
        self._lock = threading.Lock()

    def remember(self, image: np.ndarray, result: DraftResult, *, neutralize: float, face_index: int | None,
                 crop_margin: float) -> None:
        """Keep a full draft's prepared face and calibration for later previews of the same portrait."""
        key = image_key(image, face_index, crop_margin)
        relax = {int(au): (float(l), float(r)) for au, (l, r) in result.calibration.get("relaxed", {}).items()}
        with self._lock:
            self._store_face(key, result.prepared)
            self._calibrated[(key, round(float(neutralize), 4))] = Calibrated(dict(result.gains), relax)

    def _store_face(self, key: str, prepared: PreparedFace) -> None:
        self._faces[key] = prepared
        self._faces.move_to_end(key)
        while len(self._faces) > self.portraits:
            old, _ = self._faces.popitem(last=False)
            self._calibrated = {k: v for k, v in self._calibrated.items() if k[0] != old}

    def frame(self, image: np.ndarray, plan: AUPlan, *, beat: int = 0, neutralize: float = 0.8,
              face_index: int | None = None, crop_margin: float = 0.6,
              landmarker: FaceLandmarker | None = None) -> PreviewFrame:
        """Beat `beat` of the plan at its apex on this portrait (uint8 RGB frame of the whole picture)."""
        if not isinstance(plan, AUPlan):
            raise ValueError(f"plan must be a thinkdraw_core.plan.AUPlan, got {type(plan).__name__}")
        view = plan.beat_view(beat)  # raises PlanError naming the beats there are
        # the apex from the first frame (the rise ended before the clip began), no blink, no sway
        held = replace(view, timeline=Timeline(start=-1.0, onset=0.5, apex=1.0, sustain=True,
                                               blink_rate=view.timeline.blink_rate))
        key = image_key(image, face_index, crop_margin)
        with self._lock:
            prepared = self._faces.get(key)
            calibrated = self._calibrated.get((key, round(float(neutralize), 4)))
        if prepared is None:
            prepared = prepare_face(image, face_index, crop_margin, landmarker)
            with self._lock:
                self._store_face(key, prepared)
        wanted = {a.au for a in held.action_units}
        use_calibration = calibrated is not None and wanted <= set(calibrated.gains)
        if use_calibration:
            gains, relax, note = dict(calibrated.gains), calibrated.relax, "calibrated by the last full draft"
        else:
            relax = source_relaxation(prepared.blendshapes, neutralize, None, contradicted(held))
            gains, note = None, ("uncalibrated: press Run once for the calibrated look" if calibrated is None else
                                 "uncalibrated for the AUs added since the last full draft")
        rest = rest_pose(relax)
        gains, _, env = fit_to_envelope(prepared, held, rest, gains)
        prepared.gap_limit = env.limits["lip_gap"]
        track = build_track(held, 1, 25.0, relax=relax, blinks=False, sway=False)
        result = DraftResult(prepared, track, gains, 25.0, plan=held, rest=rest)
        return PreviewFrame(result.frame(0), prepared.box, beat, use_calibration, note)


PREVIEW = ApexPreview()  # one per process: the draft nodes remember into it, the preview route reads it
