"""Stage schedules in sigma/percent space (never step index), so a stage covers the same part of the
trajectory whatever the sampler, scheduler, step count or denoise.

percent 0 is the start of denoising (highest sigma), 1 the end, as in ComfyUI's timestep ranges.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

RAMPS: tuple[str, ...] = ("constant", "linear", "smoothstep", "cosine")
_EPS = 1e-6


def ramp_value(ramp: str, f: float) -> float:
    """Ramp shape at fraction f (0..1) of a stage's window; 'constant' is full strength throughout."""
    f = min(1.0, max(0.0, float(f)))
    if ramp == "constant":
        return 1.0
    if ramp == "linear":
        return f
    if ramp == "smoothstep":
        return f * f * (3.0 - 2.0 * f)
    if ramp == "cosine":
        return 0.5 - 0.5 * math.cos(math.pi * f)
    raise ValueError(f"ramp must be one of {list(RAMPS)}, got {ramp!r}")


@dataclass(frozen=True)
class Stage:
    """One guidance stage: its own positive conditioning (opaque here), a window, a CFG scale, and
    optional local regions whose strength is weight * ramp(progress through the window)."""

    start: float
    end: float
    cfg: float
    ramp: str = "constant"
    weight: float = 1.0
    positive: Any = None
    negative: Any = None
    regions: tuple = ()
    label: str = ""

    def __post_init__(self) -> None:
        name = self.label or "stage"
        for key in ("start", "end", "cfg", "weight"):
            v = getattr(self, key)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
                raise ValueError(f"{name}: {key} must be a finite number, got {v!r}")
        if not (0.0 <= self.start < self.end <= 1.0):
            raise ValueError(
                f"{name}: switch points out of order: start_percent {self.start} must be < end_percent {self.end}, "
                "both in 0..1 (0 = first step, 1 = last). Fix: swap or correct them.")
        if self.cfg < 0:
            raise ValueError(f"{name}: cfg must be >= 0, got {self.cfg}")
        if self.weight < 0:
            raise ValueError(f"{name}: weight must be >= 0, got {self.weight}")
        if self.ramp not in RAMPS:
            raise ValueError(f"{name}: ramp must be one of {list(RAMPS)}, got {self.ramp!r}")
        if self.positive is None:
            raise ValueError(f"{name}: conditioning is missing; connect a CONDITIONING to the stage")

    def local_scale(self, fraction: float) -> float:
        """Multiplier of every region's strength at this fraction of the window."""
        return self.weight * ramp_value(self.ramp, fraction)


class SigmaPercentMap:
    """percent <-> sigma for one model, from its percent_to_sigma; the inverse by interpolation in log-sigma."""

    def __init__(self, percent_to_sigma: Callable[[float], float], samples: int = 1001):
        self._p2s = percent_to_sigma
        p = np.linspace(1e-4, 1 - 1e-4, samples)
        s = np.array([float(percent_to_sigma(float(x))) for x in p])
        if not np.all(np.diff(s) < 0):
            raise ValueError("the model's percent_to_sigma is not strictly decreasing; cannot schedule in percent")
        # np.interp wants increasing x: log-sigma goes down as percent goes up, so reverse.
        self._logs = np.log(s)[::-1].copy()
        self._p = p[::-1].copy()

    def sigma(self, percent: float) -> float:
        return float(self._p2s(float(percent)))

    def percent(self, sigma: float) -> float:
        sigma = float(sigma)
        if sigma <= 0:
            return 1.0
        return float(np.clip(np.interp(math.log(sigma), self._logs, self._p), 0.0, 1.0))


@dataclass
class StepGuidance:
    """What one model evaluation needs: which stage, its cfg, and the regions active with their weights."""

    stage_index: int
    stage: Stage
    percent: float
    regions: list[tuple[Any, float]] = field(default_factory=list)  # (region object, weight > 0)


class StageSchedule:
    """Validated, time-ordered stages; answers 'what guidance at this sigma'."""

    def __init__(self, stages: Sequence[Stage], region_weights: Mapping[str, float] | None = None):
        if not stages:
            raise ValueError("no guidance stages: connect at least one ThinkDrawGuidanceStage")
        ordered = sorted(stages, key=lambda s: s.start)
        if ordered[0].start > _EPS:
            raise ValueError(f"the first stage starts at {ordered[0].start}; one stage must start at 0.0 so the first "
                             "steps are guided. Fix: set its start_percent to 0.")
        for a, b in zip(ordered, ordered[1:]):
            if b.start < a.end - _EPS:
                raise ValueError(f"switch points out of order: stage {a.start}-{a.end} overlaps stage {b.start}-{b.end}; "
                                 f"set the later stage's start_percent to {a.end}")
            if b.start > a.end + _EPS:
                raise ValueError(f"gap in the schedule between {a.end} and {b.start}: no stage guides those steps; "
                                 f"set the later stage's start_percent to {a.end}")
        if ordered[-1].end < 1.0 - _EPS:
            raise ValueError(f"the last stage ends at {ordered[-1].end}; it must end at 1.0. Fix: set its end_percent to 1")
        weights = dict(region_weights or {})
        for name, w in weights.items():
            if not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
                raise ValueError(f"region weight for {name!r} must be a number >= 0, got {w!r}")
        self.stages = ordered
        self.region_weights = weights
        self._sigma_ends: list[float] | None = None
        self._map: SigmaPercentMap | None = None

    def bind(self, percent_to_sigma: Callable[[float], float]) -> "StageSchedule":
        """Resolve the windows to sigmas for one model (its model_sampling.percent_to_sigma)."""
        self._map = SigmaPercentMap(percent_to_sigma)
        self._sigma_ends = [float(percent_to_sigma(s.end)) for s in self.stages]
        return self

    def index_at(self, sigma: float) -> int:
        if self._sigma_ends is None:
            raise RuntimeError("StageSchedule.bind(percent_to_sigma) must be called before sampling")
        # Decide in sigma space so a step landing exactly on a switch point is unambiguous.
        for i, lo in enumerate(self._sigma_ends):
            if sigma > lo:
                return i
        return len(self.stages) - 1

    def at(self, sigma: float) -> StepGuidance:
        i = self.index_at(sigma)
        stage = self.stages[i]
        percent = self._map.percent(sigma)
        fraction = (percent - stage.start) / max(stage.end - stage.start, _EPS)
        scale = stage.local_scale(fraction)
        active = []
        if scale > 0:
            for region in stage.regions:
                w = scale * float(region.strength) * self.region_weights.get(region.name, 1.0)
                if w > 0:  # a region at zero weight is never evaluated: it costs nothing
                    active.append((region, w))
        return StepGuidance(i, stage, percent, active)

    def needs_regions(self) -> bool:
        return any(s.regions for s in self.stages)


def preset_stages(positive: Any, regions: tuple, global_cfg: float, local_cfg: float, local_start: float,
                  local_full: float, ramp: str, local_weight: float) -> list[Stage]:
    """The three-stage preset: global only, local ramping in, local at full strength (empty windows dropped)."""
    for name, v in (("local_start", local_start), ("local_full", local_full)):
        if not (0.0 <= v <= 1.0):
            raise ValueError(f"{name} must be in 0..1, got {v}")
    if local_start > local_full:
        raise ValueError(f"switch points out of order: local_start {local_start} must be <= local_full {local_full}; "
                         "swap them")
    stages = []
    if local_start > 0:
        stages.append(Stage(0.0, local_start, global_cfg, "constant", local_weight, positive, None, (), "global stage"))
    if local_full > local_start:
        stages.append(Stage(local_start, local_full, local_cfg, ramp, local_weight, positive, None, tuple(regions),
                            "ramp stage"))
    if local_full < 1.0:
        stages.append(Stage(local_full, 1.0, local_cfg, "constant", local_weight, positive, None, tuple(regions),
                            "local stage"))
    return stages
