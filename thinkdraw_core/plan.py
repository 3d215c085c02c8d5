"""The AU plan: the one typed object every stage reads (text -> plan -> conditioning | deformation).

It is JSON-serialisable and schema-versioned. Nothing downstream re-parses the emotion text;
stages read `action_units`, `regions` and `timeline` from here.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Iterable

import numpy as np

from .facs import AU_CATALOG, REGIONS, SIDES, au_info

SCHEMA_VERSION = 1


class PlanError(ValueError):
    """A plan (or an edit of one) that cannot be used; the message names the field and the fix."""


@dataclass
class EmotionComponent:
    name: str
    weight: float
    # "" for a felt feeling; "shown" for a face put on (a social smile) and "hidden" for the feeling it
    # covers, which only leaks. Plans written before roles existed load with "".
    role: str = ""


@dataclass
class EmotionSummary:
    components: list[EmotionComponent] = field(default_factory=list)
    valence: float = 0.0  # -1 unpleasant .. +1 pleasant
    arousal: float = 0.0  # 0 calm .. 1 excited

    @property
    def label(self) -> str:
        if not self.components:
            return "neutral"
        return " + ".join(f"{c.name} {c.weight:.2f}" + (f" ({c.role})" if c.role else "") for c in self.components)


@dataclass
class ActionUnit:
    au: int
    intensity: float
    side: str = "both"
    name: str = ""
    region: str = ""
    muscle: str = ""

    def __post_init__(self) -> None:
        info = au_info(self.au)
        self.au = info.au
        self.name = self.name or info.name
        self.region = self.region or info.region
        self.muscle = self.muscle or info.muscle

    def side_gains(self) -> tuple[float, float]:
        """(left, right) multipliers of this AU's intensity; left/right are the subject's own."""
        return {"both": (1.0, 1.0), "left": (1.0, 0.0), "right": (0.0, 1.0)}[self.side]


@dataclass
class Timeline:
    """When the expression happens, in seconds from the start of the clip.

    start: delay before the onset; onset/apex/offset: durations of the rise, the hold and the
    decay. `sustain` keeps the apex to the end of the clip (a portrait that stays in the mood)
    and then offset is not played. Micro-expressions are shorter than 0.5 s in total.
    """

    start: float = 0.2
    onset: float = 0.6
    apex: float = 2.0
    offset: float = 0.8
    micro: bool = False
    sustain: bool = True
    blink_rate: float = 17.0  # blinks per minute at rest

    @property
    def duration(self) -> float:
        return self.onset + self.apex + (0.0 if self.sustain else self.offset)

    def envelope(self, t: np.ndarray | float) -> np.ndarray:
        """Expression strength 0..1 at times t (eased with a smoothstep, so no velocity jumps)."""
        t = np.asarray(t, dtype=np.float64)
        rise = _smoothstep((t - self.start) / max(self.onset, 1e-6))
        if self.sustain:
            return rise
        decay_start = self.start + self.onset + self.apex
        fall = 1.0 - _smoothstep((t - decay_start) / max(self.offset, 1e-6))
        return np.minimum(rise, fall)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


@dataclass
class AUPlan:
    text: str
    action_units: list[ActionUnit] = field(default_factory=list)
    emotion: EmotionSummary = field(default_factory=EmotionSummary)
    regions: dict[str, str] = field(default_factory=dict)
    timeline: Timeline = field(default_factory=Timeline)
    reasoning: list[str] = field(default_factory=list)
    intensity: float = 1.0  # the overall intensity the user asked for, already applied to the AUs
    backend: str = "embedded"
    warnings: list[str] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION

    # -- reading ---------------------------------------------------------------------------
    def get(self, au: int) -> ActionUnit | None:
        return next((a for a in self.action_units if a.au == au), None)

    def au_intensity(self, au: int) -> float:
        found = self.get(au)
        return found.intensity if found else 0.0

    def active_aus(self, threshold: float = 0.15) -> list[int]:
        return sorted(a.au for a in self.action_units if a.intensity >= threshold)

    def au_vector(self, aus: Iterable[int] | None = None) -> np.ndarray:
        """Intensities in catalog order (or the given order); a fixed-length feature for models."""
        order = list(aus) if aus is not None else sorted(AU_CATALOG)
        return np.array([self.au_intensity(au) for au in order], dtype=np.float32)

    def region_strength(self, region: str) -> float:
        """How hard a face region works: the strongest AU acting in it."""
        vals = [a.intensity for a in self.action_units if a.region == region]
        return max(vals, default=0.0)

    # -- editing ---------------------------------------------------------------------------
    def with_overrides(self, overrides: dict[str, Any]) -> "AUPlan":
        """A copy with AU intensities/sides and timing replaced.

        overrides = {"aus": {"12": {"intensity": 0.4, "side": "left"}, "6": 0.0},
                     "timeline": {"onset": 0.3}, "note": "why"}.
        An AU set to 0 is removed; one not in the plan is added.
        """
        if not isinstance(overrides, dict):
            raise PlanError("overrides must be a JSON object like {\"aus\": {\"12\": 0.5}}")
        unknown = set(overrides) - {"aus", "timeline", "note"}
        if unknown:
            raise PlanError(f"overrides has unknown keys {sorted(unknown)}; use 'aus', 'timeline' or 'note'")
        aus = overrides.get("aus") or {}
        if not isinstance(aus, dict):
            raise PlanError(f"overrides.aus must be an object of AU number -> intensity or "
                            f"{{'intensity': x, 'side': s}}, got {json.dumps(aus)}; write e.g. "
                            '{"aus": {"12": 0.5, "6": {"intensity": 0.3, "side": "left"}}}')
        raw_timeline = overrides.get("timeline") or {}
        if not isinstance(raw_timeline, dict):
            raise PlanError(f"overrides.timeline must be an object of seconds by name, got {json.dumps(raw_timeline)}; "
                            f'write e.g. {{"timeline": {{"onset": 0.3, "apex": 2.0}}}} (names: '
                            f"{sorted(Timeline.__dataclass_fields__)})")
        units = {a.au: replace(a) for a in self.action_units}
        for key, value in aus.items():
            try:
                au = au_info(int(str(key).upper().removeprefix("AU"))).au
            except ValueError as exc:
                raise PlanError(f"overrides.aus key {key!r}: {exc}") from None
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = {"intensity": float(value)}
            if not isinstance(value, dict):
                raise PlanError(f"overrides.aus[{key!r}] must be a number or {{'intensity': x, 'side': s}}")
            current = units.get(au) or ActionUnit(au=au, intensity=0.0)
            intensity = _check_intensity(value.get("intensity", current.intensity), f"overrides.aus[{key!r}].intensity")
            side = _check_side(value.get("side", current.side), f"overrides.aus[{key!r}].side")
            if intensity <= 0.0:
                units.pop(au, None)
            else:
                units[au] = replace(current, intensity=intensity, side=side)
        timeline = self.timeline
        if raw_timeline:
            timeline = _timeline_from(dict(asdict(self.timeline), **raw_timeline), "overrides.timeline")
        note = f"Edited by hand: {json.dumps(overrides, sort_keys=True)}"
        return replace(
            self,
            action_units=sorted(units.values(), key=lambda a: a.au),
            timeline=timeline,
            reasoning=[*self.reasoning, note],
        )

    # -- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["emotion"]["label"] = self.emotion.label
        return d

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AUPlan":
        if not isinstance(data, dict):
            raise PlanError("a plan must be a JSON object")
        version = data.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise PlanError(f"plan schema_version {version} is not supported; this ThinkDraw reads version {SCHEMA_VERSION}")
        units = []
        for i, raw in enumerate(data.get("action_units") or []):
            if not isinstance(raw, dict) or "au" not in raw:
                raise PlanError(f"action_units[{i}] must be an object with 'au' and 'intensity'")
            try:
                au = au_info(int(str(raw["au"]).upper().removeprefix("AU"))).au
            except ValueError as exc:
                raise PlanError(f"action_units[{i}].au: {exc}") from None
            units.append(ActionUnit(
                au=au,
                intensity=_check_intensity(raw.get("intensity", 0.0), f"action_units[{i}].intensity"),
                side=_check_side(raw.get("side", "both"), f"action_units[{i}].side"),
                name=str(raw.get("name") or ""),
                region=str(raw.get("region") or ""),
                muscle=str(raw.get("muscle") or ""),
            ))
        emo = data.get("emotion") or {}
        emotion = EmotionSummary(
            components=[EmotionComponent(str(c["name"]), float(c["weight"]), str(c.get("role") or ""))
                        for c in emo.get("components", [])],
            valence=float(emo.get("valence", 0.0)),
            arousal=float(emo.get("arousal", 0.0)),
        )
        regions = {str(k): str(v) for k, v in (data.get("regions") or {}).items()}
        bad = set(regions) - set(REGIONS)
        if bad:
            raise PlanError(f"regions has unknown names {sorted(bad)}; use {list(REGIONS)}")
        return cls(
            text=str(data.get("text", "")),
            action_units=units,
            emotion=emotion,
            regions=regions,
            timeline=_timeline_from(data.get("timeline") or {}, "timeline"),
            reasoning=[str(s) for s in data.get("reasoning") or []],
            intensity=float(data.get("intensity", 1.0)),
            backend=str(data.get("backend", "embedded")),
            warnings=[str(s) for s in data.get("warnings") or []],
        )

    @classmethod
    def from_json(cls, text: str) -> "AUPlan":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanError(f"plan JSON does not parse: {exc}") from None
        return cls.from_dict(data)


def _check_intensity(value: Any, where: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise PlanError(f"{where} must be a number in 0..1, got {value!r}") from None
    if not (0.0 <= x <= 1.0) or math.isnan(x):
        raise PlanError(f"{where} must be in 0..1, got {x}")
    return x


def _check_side(value: Any, where: str) -> str:
    side = str(value).lower()
    if side not in SIDES:
        raise PlanError(f"{where} must be one of {list(SIDES)}, got {value!r}")
    return side


def _timeline_from(raw: dict[str, Any], where: str) -> Timeline:
    known = set(Timeline.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise PlanError(f"{where} has unknown keys {sorted(unknown)}; use {sorted(known)}")
    tl = Timeline(**raw)
    for name in ("start", "onset", "apex", "offset", "blink_rate"):
        v = getattr(tl, name)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
            raise PlanError(f"{where}.{name} must be a number >= 0 and finite (seconds, or blinks per minute), "
                            f"got {v!r}")
        setattr(tl, name, float(v))
    tl.micro, tl.sustain = bool(tl.micro), bool(tl.sustain)
    return tl
