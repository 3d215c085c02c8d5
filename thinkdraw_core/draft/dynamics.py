"""Per-frame AU intensities: the plan's beats, blinks, head sway and speech.

The plan's own AUs follow beats.au_curves: one expression rises and falls by its timeline, an arc of
several beats moves from pose to pose, each muscle at its own onset or offset speed, so a change of feeling
lands at the same frame as in AU Mesh Render and the guidance. Blinks, sway and speech are drawn once over
the whole clip and run on across the beats.

Everything random is drawn once from a seeded generator when the track is built, so the same
inputs give the same frames. Intensities are per side (subject's left, right) and may be
negative for the relaxation of the photo's own expression.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..beats import au_curves, beat_weights, fit_to_clip, pose
from ..plan import AUPlan
from .speech import SPEECH_AUS, pauses, speech_tracks

BLINK_AU = 45
# Speaking lips cannot stay pressed or sucked in; these fade while the jaw works.
PRESS_AUS = (23, 24, 28)


@dataclass
class AUTrack:
    """Intensities (frames, aus, 2 sides) in catalog AU order, plus head sway per frame."""

    fps: float
    aus: list[int]
    values: np.ndarray  # (T, A, 2) float32: [..., 0] subject's left, [..., 1] right
    sway: np.ndarray  # (T, 3): rotation (radians), dx, dy (face-size units)
    # (T,) the plan's expression strength: one expression's timeline envelope; for an arc, how fully the most
    # present beat owns each frame (beats.beat_weights): 1 where a beat holds, less at the borders, 0 at rest
    envelope: np.ndarray
    blink: np.ndarray  # (T,) blink closure 0..1
    speech: np.ndarray  # (T,) speech envelope 0..1 (zeros without audio)
    # (left, right) per AU the plan asks for; for an arc, the most any beat asks for on each side
    requested: dict[int, tuple[float, float]] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.values.shape[0])

    def frame(self, i: int) -> dict[int, tuple[float, float]]:
        return {au: (float(self.values[i, a, 0]), float(self.values[i, a, 1])) for a, au in enumerate(self.aus)}

    def times(self) -> np.ndarray:
        return np.arange(self.n_frames) / self.fps


def _smooth_noise(rng: np.random.Generator, t: np.ndarray, periods: tuple[float, ...]) -> np.ndarray:
    """A sum of a few slow sines with random phases: smooth, bounded by 1, deterministic."""
    out = np.zeros_like(t)
    for p in periods:
        out += np.sin(2 * np.pi * t / p + rng.uniform(0, 2 * np.pi))
    return out / len(periods)


def blink_curve(t: np.ndarray, rate_per_min: float, rng: np.random.Generator, first_after: float = 0.6) -> np.ndarray:
    """Eyelid closure 0..1: blinks at random (Poisson) times, a fast close and a slower open."""
    closure = np.zeros_like(t)
    if rate_per_min <= 0 or len(t) == 0:
        return closure
    mean_gap = 60.0 / rate_per_min
    when = first_after + rng.uniform(0.2, 1.0) * mean_gap * 0.5
    end = float(t[-1])
    while when < end:
        dur = rng.uniform(0.15, 0.3)
        close, hold = dur * 0.35, dur * 0.15
        x = t - when
        rise = np.clip(x / close, 0, 1)
        fall = 1 - np.clip((x - close - hold) / (dur - close - hold), 0, 1)
        shape = np.where(x < 0, 0.0, np.where(x < close, rise, np.where(x < close + hold, 1.0, fall)))
        closure = np.maximum(closure, shape * shape * (3 - 2 * shape))
        # gaps between blinks are roughly exponential but never shorter than a second
        when += max(1.0, rng.exponential(mean_gap))
    return closure


def build_track(plan: AUPlan, n_frames: int, fps: float, seed: int = 0, audio=None,
                relax: dict[int, tuple[float, float]] | None = None, blinks: bool = True, sway: bool = True,
                gains: dict[int, float] | None = None) -> AUTrack:
    """All per-frame intensities for a clip of n_frames at fps.

    relax: the photo's own AUs to cancel, as (left, right) intensities subtracted from every frame.
    gains: per-AU displacement gains (the closed-loop calibration); applied by the renderer, kept here
    only so the track is self-describing.

    A held apex (each beat's, in an arc) draws the plan's intensities exactly, the frame the calibration
    measured. (A per-AU wobble of 4% moved no landmark by more than 0.7 px on a 512 px portrait, nothing to
    see beside the sway, yet it moved knife-edge readings by up to 0.1: docs/tuning-log.md, 2026-11-22, the
    held apex.)
    """
    if n_frames < 1:
        raise ValueError(f"a draft needs at least one frame, got {n_frames} (seconds x fps too small)")
    if fps <= 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    rng = np.random.default_rng(seed)
    t = np.arange(n_frames, dtype=np.float64) / fps
    beats = plan.beats
    curves = au_curves(plan, t)
    if len(beats) == 1:
        env = np.asarray(plan.timeline.envelope(t), dtype=np.float64)
    else:
        env = beat_weights(plan, t).max(axis=0)

    speech = speech_tracks(audio, n_frames, fps) if audio is not None else None
    requested: dict[int, tuple[float, float]] = {}
    for beat in beats:
        for au, (left, right) in pose(beat).items():
            was = requested.get(au, (0.0, 0.0))
            requested[au] = (max(was[0], left), max(was[1], right))
    aus = sorted(set(requested) | set(relax or {}) | ({BLINK_AU} if blinks else set())
                 | (set(SPEECH_AUS) if speech is not None else set()))
    values = np.zeros((n_frames, len(aus), 2), np.float64)
    col = {au: i for i, au in enumerate(aus)}

    # one expression: exactly intensity x its timeline envelope (beats.au_curves); an arc: pose to pose
    for au, curve in curves.items():
        values[:, col[au], :] += curve

    speech_env = np.zeros(n_frames)
    if speech is not None:
        speech_env = speech["envelope"]
        for au in SPEECH_AUS:
            drive = speech[au]
            # speech adds to the emotion's own mouth AUs, saturating at 1
            values[:, col[au], 0] = np.maximum(values[:, col[au], 0], np.clip(values[:, col[au], 0] + drive, 0, 1))
            values[:, col[au], 1] = np.maximum(values[:, col[au], 1], np.clip(values[:, col[au], 1] + drive, 0, 1))
        for au in PRESS_AUS:
            if au in col:
                values[:, col[au], :] *= (1.0 - 0.8 * speech_env)[:, None]

    blink = np.zeros(n_frames)
    if blinks:
        rate = _blink_rate(plan, t) * (0.7 if speech is not None else 1.0)  # people blink less while talking
        blink = blink_curve(t, rate, rng)
        held = values[:, col[BLINK_AU], :].copy()
        values[:, col[BLINK_AU], :] = np.maximum(held, blink[:, None])

    for au, (left, right) in (relax or {}).items():
        values[:, col[au], 0] -= left
        values[:, col[au], 1] -= right

    sway_arr = np.zeros((n_frames, 3))
    if sway:
        ramp = np.clip(t / 0.5, 0, 1)  # frame 0 stays the still reference the analyser compares against
        sway_arr[:, 0] = np.deg2rad(1.2) * _smooth_noise(rng, t, (3.1, 5.3)) * ramp
        sway_arr[:, 1] = 0.025 * _smooth_noise(rng, t, (2.7, 4.1)) * ramp
        sway_arr[:, 2] = 0.015 * _smooth_noise(rng, t, (3.7, 6.1)) * ramp
        sway_arr -= sway_arr[0]
    return AUTrack(fps=fps, aus=aus, values=values.astype(np.float32), sway=sway_arr, envelope=env,
                   blink=blink, speech=speech_env, requested=requested)


def _blink_rate(plan: AUPlan, t: np.ndarray) -> float:
    """Blinks per minute over the clip: one expression's own rate; for an arc, each beat's rate weighted by how
    much of the clip it owns (the rest of the clip blinks at the first beat's rate). One blink process runs
    through the whole clip, so a blink may fall across a change of feeling as it would on a real face."""
    beats = plan.beats
    if len(beats) == 1 or len(t) == 0:
        return plan.timeline.blink_rate
    owned = beat_weights(plan, t).sum(axis=1)
    at_rest = max(0.0, len(t) - float(owned.sum()))
    rates = np.array([b.timeline.blink_rate for b in beats])
    return float((owned @ rates + at_rest * rates[0]) / len(t))


def fit_plan(plan: AUPlan, seconds: float, audio=None) -> AUPlan:
    """The plan a renderer draws over a clip of `seconds` with this speech (or none): beats that share the clip
    (plan.beat_timing "shared") are spread over it, and with speech each border between beats moves to the
    nearest pause between phrases inside the clip (beats.fit_to_clip), so a change of feeling lands on a new
    sentence. A one-beat plan, or one whose beats keep their starts, comes back as it is."""
    if not isinstance(plan, AUPlan) or len(plan.beats) < 2 or plan.beat_timing == "fixed":
        return plan  # (what is no plan is the caller's to refuse: render_draft names the fix)
    quiet = [p for p in pauses(audio) if p[1] <= seconds] if audio is not None else None
    return fit_to_clip(plan, seconds, quiet)
