"""How a plan's beats become intensities over time: one curve per AU, and each beat's share of the clip.

An arc is a sequence of poses (the AU intensities of each beat, with a rest pose of all zeros before the
first and after a beat that does not sustain). Going from one pose to the next is a sum of eased steps, one
per AU, each with its own speed: a muscle that contracts follows the incoming beat's onset, a muscle that
relaxes the outgoing beat's offset (people let go of one feeling at its own pace while the next one
arrives). A "cut" handover caps both at CUT_SECONDS. A single-beat plan gives exactly the old one-expression
envelope: intensity x smoothstep rise from timeline.start over onset, and, where it does not sustain,
a smoothstep fall after the apex.

Every renderer reads these curves (the CPU draft, AU Mesh Render, the guidance's temporal masks), so a
change of feeling lands at the same frame everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .plan import AUPlan, Beat

CUT_SECONDS = 0.12  # a sudden switch still takes ~3 frames at 25 fps: an instant jump reads as a glitch


@dataclass(frozen=True)
class Step:
    """At `time`, move from pose `before` to pose `after`; each AU over its own duration."""

    time: float
    before: dict[int, tuple[float, float]]
    after: dict[int, tuple[float, float]]
    rise_seconds: float  # for AUs that grow (the incoming beat's onset)
    fall_seconds: float  # for AUs that shrink (the outgoing beat's offset)
    beat_before: int  # index of the beat left (-1: rest)
    beat_after: int  # index of the beat entered (-1: rest)


def pose(beat: Beat) -> dict[int, tuple[float, float]]:
    """A beat's AU intensities as (left, right) after its sides."""
    return {a.au: tuple(a.intensity * g for g in a.side_gains()) for a in beat.action_units}


def _ends(beat: Beat) -> float | None:
    """When a beat that does not sustain starts to relax (None: it holds until the next beat or the end)."""
    tl = beat.timeline
    return None if tl.sustain else tl.start + tl.onset + tl.apex


def steps(plan: AUPlan) -> list[Step]:
    """The plan's pose changes in time order."""
    beats = plan.beats
    rest: dict[int, tuple[float, float]] = {}
    out: list[Step] = []
    current, current_index, current_beat = rest, -1, None
    for i, beat in enumerate(beats):
        start = beat.timeline.start
        cut = current_beat is not None and current_beat.handover == "cut"
        # a beat that ended before this one starts has relaxed to rest already
        if current_beat is not None:
            end = _ends(current_beat)
            if end is not None and end < start:
                out.append(Step(end, current, rest, current_beat.timeline.onset, current_beat.timeline.offset,
                                current_index, -1))
                current, current_index = rest, -1
        rise = beat.timeline.onset
        fall = current_beat.timeline.offset if current_beat is not None else beat.timeline.onset
        if cut:
            rise, fall = min(rise, CUT_SECONDS), min(fall, CUT_SECONDS)
        target = pose(beat)
        out.append(Step(start, current, target, rise, fall, current_index, i))
        current, current_index, current_beat = target, i, beat
    end = _ends(current_beat) if current_beat is not None else None
    if end is not None and current_index >= 0:
        out.append(Step(end, current, rest, current_beat.timeline.onset, current_beat.timeline.offset,
                        current_index, -1))
    return out


def _eased(t: np.ndarray, start: float, seconds: float) -> np.ndarray:
    x = np.clip((t - start) / max(seconds, 1e-6), 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def au_curves(plan: AUPlan, t: np.ndarray) -> dict[int, np.ndarray]:
    """Per AU, its (len(t), 2) left/right intensity over times t (seconds)."""
    t = np.asarray(t, dtype=np.float64)
    curves: dict[int, np.ndarray] = {}
    for step in steps(plan):
        for au in set(step.before) | set(step.after):
            a = np.array(step.before.get(au, (0.0, 0.0)))
            b = np.array(step.after.get(au, (0.0, 0.0)))
            if np.allclose(a, b):
                continue
            curve = curves.setdefault(au, np.zeros((t.size, 2)))
            for side in (0, 1):
                delta = b[side] - a[side]
                seconds = step.rise_seconds if delta > 0 else step.fall_seconds
                curve[:, side] += delta * _eased(t, step.time, seconds)
    return {au: np.clip(c, 0.0, 1.0) for au, c in curves.items()}


def beat_weights(plan: AUPlan, t: np.ndarray) -> np.ndarray:
    """(n_beats, len(t)): how much each beat owns each moment, eased at the borders by the incoming onset.

    The rest of the clip (before the first beat, after a beat that does not sustain) belongs to no beat,
    so columns sum to 1 inside beats and to 0 at rest. The guidance applies each beat's conditioning with
    these weights on its latent frames.
    """
    t = np.asarray(t, dtype=np.float64)
    n = len(plan.beats)
    weights = np.zeros((n, t.size))
    for step in steps(plan):
        # entering a beat takes its onset; relaxing to rest takes the leaving beat's offset (as au_curves)
        seconds = step.rise_seconds if step.beat_after >= 0 else step.fall_seconds
        ease = _eased(t, step.time, seconds)
        if step.beat_before >= 0:
            weights[step.beat_before] -= ease
        if step.beat_after >= 0:
            weights[step.beat_after] += ease
    return np.clip(weights, 0.0, 1.0)


def beat_windows(plan: AUPlan, duration: float) -> list[tuple[float, float]]:
    """Each beat's (start, end) in seconds within a clip of `duration`: from its start to the next beat's
    start, or to its own relaxation, or to the end of the clip. The analyzer reports each beat over it."""
    beats = plan.beats
    out = []
    for i, beat in enumerate(beats):
        start = min(beat.timeline.start, duration)
        end = beats[i + 1].timeline.start if i + 1 < len(beats) else duration
        own_end = _ends(beat)
        if own_end is not None:
            end = min(end, own_end + beat.timeline.offset)
        out.append((start, max(start, min(end, duration))))
    return out


def spread_over(beats: list[Beat], duration: float, lead: float = 0.2) -> list[Beat]:
    """Beats without explicit starts share the clip equally: beat k starts at lead + k x share.

    Used by the reasoner when the text gives no durations; a speech input may move the borders to pauses
    (snap_to_pauses).
    """
    if not beats:
        return []
    share = max(duration - lead, 0.0) / len(beats)
    out = []
    for k, beat in enumerate(beats):
        start = lead + k * share
        onset = min(beat.timeline.onset, max(share * 0.4, CUT_SECONDS))
        out.append(replace(beat, timeline=replace(beat.timeline, start=start, onset=onset)))
    return out


def snap_to_pauses(beats: list[Beat], pauses: list[tuple[float, float]], max_shift: float = 1.5) -> list[Beat]:
    """Move each border between beats to the middle of the nearest pause between phrases (within max_shift
    seconds), so a change of feeling lands on a new sentence. pauses: (start, end) seconds of silences."""
    if len(beats) < 2 or not pauses:
        return list(beats)
    middles = np.array([(a + b) / 2 for a, b in pauses], dtype=np.float64)
    out = [beats[0]]
    for beat in beats[1:]:
        start = beat.timeline.start
        nearest = float(middles[np.argmin(np.abs(middles - start))])
        if abs(nearest - start) <= max_shift and nearest > out[-1].timeline.start:
            beat = replace(beat, timeline=replace(beat.timeline, start=nearest))
        out.append(beat)
    return out


def fit_to_clip(plan: AUPlan, duration: float, pauses: list[tuple[float, float]] | None = None) -> AUPlan:
    """The plan a renderer draws over a clip of `duration` seconds.

    One-beat plans and plans whose timing is "fixed" come back unchanged. Otherwise the beats share the
    clip (spread_over), and where the speech's pauses are known, each border moves to the nearest pause.
    """
    if len(plan.beats) < 2 or plan.beat_timing == "fixed" or duration <= 0:
        return plan
    lead = plan.beats[0].timeline.start
    beats = spread_over(plan.beats, duration, lead=lead)
    if pauses:
        beats = snap_to_pauses(beats, pauses)
    return AUPlan.from_beats(plan.text, beats, reasoning=list(plan.reasoning), intensity=plan.intensity,
                             backend=plan.backend, warnings=list(plan.warnings), beat_timing="fixed")
