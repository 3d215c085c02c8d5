"""The AU plan: the one typed object every stage reads (text -> plan -> conditioning | deformation).

It is JSON-serialisable and schema-versioned. Nothing downstream re-parses the emotion text;
stages read `action_units`, `regions` and `timeline` from here.

Schema 2 adds beats: an arc ("calm at first, then a flash of anger, finally tears") is an ordered list of
beats, each with its own emotion, AUs and timing. The top-level fields are the first beat, so a reader
that knows only one expression (schema 1) still sees a sensible plan; `later_beats` holds the rest and
`beats` gives all of them. How beats turn into intensities over time is thinkdraw_core/beats.py.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Iterable

import numpy as np

from .facs import AU_CATALOG, REGIONS, SIDES, au_info

SCHEMA_VERSION = 2
READABLE_SCHEMAS = (1, 2)
HANDOVERS = ("blend", "cut")  # how a beat hands over to the next: eased, or a sudden switch


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
class Beat:
    """One feeling of an arc: what the face does, and when (timeline.start is seconds from the clip's start).

    handover says how this beat gives way to the next one: "blend" eases each muscle over its own onset or
    offset, "cut" switches within a few frames (a flash of anger, a sudden fright).
    """

    text: str = ""
    action_units: list[ActionUnit] = field(default_factory=list)
    emotion: EmotionSummary = field(default_factory=EmotionSummary)
    regions: dict[str, str] = field(default_factory=dict)
    timeline: Timeline = field(default_factory=Timeline)
    handover: str = "blend"

    def au_intensity(self, au: int) -> float:
        return next((a.intensity for a in self.action_units if a.au == au), 0.0)

    def active_aus(self, threshold: float = 0.15) -> list[int]:
        return sorted(a.au for a in self.action_units if a.intensity >= threshold)


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
    # the first beat's handover to the second, and the beats after the first (empty: one expression)
    handover: str = "blend"
    later_beats: list[Beat] = field(default_factory=list)
    first_beat_text: str = ""  # the part of `text` the first beat reads, where the text is an arc
    # "shared": the text gave no durations, so the renderer spreads the beats over its clip (and may snap
    # the borders to pauses in the speech: beats.fit_to_clip); "fixed": the beats' starts are as written
    beat_timing: str = "shared"
    schema_version: int = SCHEMA_VERSION

    @property
    def beats(self) -> list[Beat]:
        """Every beat in order; the first is a view of the top-level fields."""
        first = Beat(text=self.first_beat_text or self.text, action_units=self.action_units, emotion=self.emotion, regions=self.regions,
                     timeline=self.timeline, handover=self.handover)
        return [first, *self.later_beats]

    def beat_view(self, index: int) -> "AUPlan":
        """Beat `index` alone as a one-beat plan (for stages that draw one feeling: a prompt, a still)."""
        beats = self.beats
        if not 0 <= index < len(beats):
            raise PlanError(f"beat {index} is not a beat of this plan; it has beats 0..{len(beats) - 1}")
        beat = beats[index]
        if len(beats) == 1:
            return self
        return AUPlan(text=beat.text or self.text, action_units=beat.action_units, emotion=beat.emotion,
                      regions=beat.regions, timeline=beat.timeline, reasoning=list(self.reasoning),
                      intensity=self.intensity, backend=self.backend, warnings=list(self.warnings))

    @classmethod
    def from_beats(cls, text: str, beats: list[Beat], **fields: Any) -> "AUPlan":
        """A plan whose first beat becomes the top-level fields. `text` is the whole description."""
        if not beats:
            raise PlanError("a plan needs at least one beat")
        first, *later = beats
        fields.setdefault("first_beat_text", first.text if later and first.text != text else "")
        return cls(text=text, action_units=first.action_units, emotion=first.emotion, regions=first.regions,
                   timeline=first.timeline, handover=first.handover, later_beats=list(later), **fields)

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
        """A copy with AU intensities/sides, timing and handovers replaced.

        overrides = {"aus": {"12": {"intensity": 0.4, "side": "left"}, "6": 0.0},
                     "timeline": {"onset": 0.3}, "handover": "cut",
                     "beats": {"1": {"aus": {"4": 0.7}, "timeline": {"start": 2.5}}}, "note": "why"}.
        The top-level "aus"/"timeline"/"handover" edit the first beat, "beats" edits any beat by its index
        (0 is the first). An AU set to 0 is removed; one not in the plan is added.
        """
        if not isinstance(overrides, dict):
            raise PlanError("overrides must be a JSON object like {\"aus\": {\"12\": 0.5}}")
        unknown = set(overrides) - {"aus", "timeline", "handover", "beats", "note"}
        if unknown:
            raise PlanError(f"overrides has unknown keys {sorted(unknown)}; "
                            "use 'aus', 'timeline', 'handover', 'beats' or 'note'")
        per_beat = overrides.get("beats") or {}
        if not isinstance(per_beat, dict):
            raise PlanError(f"overrides.beats must be an object of beat index -> edits, got {json.dumps(per_beat)}; "
                            'write e.g. {"beats": {"1": {"aus": {"4": 0.7}}}}')
        beats = self.beats
        edits: dict[int, dict[str, Any]] = {0: {k: overrides[k] for k in ("aus", "timeline", "handover")
                                                if k in overrides}}
        for key, edit in per_beat.items():
            try:
                index = int(key)
            except (TypeError, ValueError):
                index = -1
            if not 0 <= index < len(beats):
                raise PlanError(f"overrides.beats key {key!r} is not a beat of this plan; it has beats "
                                f"0..{len(beats) - 1}")
            if not isinstance(edit, dict) or set(edit) - {"aus", "timeline", "handover"}:
                raise PlanError(f"overrides.beats[{key!r}] must be an object with 'aus', 'timeline' or 'handover', "
                                f"got {json.dumps(edit)}")
            edits[index] = {**edits.get(index, {}), **edit}
        edited = [_edited_beat(beat, edits.get(i, {}), "overrides" if i == 0 else f"overrides.beats[{i}]")
                  for i, beat in enumerate(beats)]
        note = f"Edited by hand: {json.dumps(overrides, sort_keys=True)}"
        return AUPlan.from_beats(self.text, edited, reasoning=[*self.reasoning, note], intensity=self.intensity,
                                 backend=self.backend, warnings=list(self.warnings),
                                 beat_timing="fixed" if any("timeline" in e for e in edits.values()) else self.beat_timing)

    # -- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON data: the first beat's fields at the top level and every beat under "beats"."""
        d = asdict(self)
        d.pop("later_beats")
        d.pop("first_beat_text")
        d["emotion"]["label"] = self.emotion.label
        d["beats"] = []
        for beat in self.beats:
            b = asdict(beat)
            b["emotion"]["label"] = beat.emotion.label
            d["beats"].append(b)
        return d

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AUPlan":
        """Reads schema 2, and schema 1 plans (one expression) as one beat.

        Where "beats" is given, its first entry is the first beat (the top-level fields are a copy of it).
        """
        if not isinstance(data, dict):
            raise PlanError("a plan must be a JSON object")
        version = data.get("schema_version", SCHEMA_VERSION)
        if version not in READABLE_SCHEMAS:
            raise PlanError(f"plan schema_version {version} is not supported; this ThinkDraw reads versions "
                            f"{list(READABLE_SCHEMAS)}")
        raw_beats = data.get("beats") if version >= 2 else None
        if raw_beats is None:
            raw_beats = [data]
        if not isinstance(raw_beats, list) or not raw_beats:
            raise PlanError("plan.beats must be a non-empty list of beats (each with action_units and timeline)")
        beats = [_beat_from(raw, "" if raw is data else f"beats[{i}].") for i, raw in enumerate(raw_beats)]
        return cls.from_beats(
            str(data.get("text", "")), beats,
            reasoning=[str(s) for s in data.get("reasoning") or []],
            intensity=float(data.get("intensity", 1.0)),
            backend=str(data.get("backend", "embedded")),
            warnings=[str(s) for s in data.get("warnings") or []],
            beat_timing=_check_beat_timing(data.get("beat_timing", "shared")),
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


def _check_handover(value: Any, where: str) -> str:
    handover = str(value).lower()
    if handover not in HANDOVERS:
        raise PlanError(f"{where} must be one of {list(HANDOVERS)}, got {value!r}")
    return handover


def _check_beat_timing(value: Any) -> str:
    timing = str(value).lower()
    if timing not in ("shared", "fixed"):
        raise PlanError(f"beat_timing must be 'shared' (beats spread over the clip) or 'fixed' (starts as written), "
                        f"got {value!r}")
    return timing


def _au_number(key: Any, where: str) -> int:
    try:
        return au_info(int(str(key).upper().removeprefix("AU"))).au
    except ValueError as exc:
        raise PlanError(f"{where}: {exc}") from None


def _edited_beat(beat: Beat, edit: dict[str, Any], where: str) -> Beat:
    """A beat with the AU, timing and handover edits of one override entry applied."""
    aus = edit.get("aus") or {}
    if not isinstance(aus, dict):
        raise PlanError(f"{where}.aus must be an object of AU number -> intensity or "
                        f"{{'intensity': x, 'side': s}}, got {json.dumps(aus)}; write e.g. "
                        '{"aus": {"12": 0.5, "6": {"intensity": 0.3, "side": "left"}}}')
    raw_timeline = edit.get("timeline") or {}
    if not isinstance(raw_timeline, dict):
        raise PlanError(f"{where}.timeline must be an object of seconds by name, got {json.dumps(raw_timeline)}; "
                        f'write e.g. {{"timeline": {{"onset": 0.3, "apex": 2.0}}}} (names: '
                        f"{sorted(Timeline.__dataclass_fields__)})")
    units = {a.au: replace(a) for a in beat.action_units}
    for key, value in aus.items():
        au = _au_number(key, f"{where}.aus key {key!r}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = {"intensity": float(value)}
        if not isinstance(value, dict):
            raise PlanError(f"{where}.aus[{key!r}] must be a number or {{'intensity': x, 'side': s}}")
        current = units.get(au) or ActionUnit(au=au, intensity=0.0)
        intensity = _check_intensity(value.get("intensity", current.intensity), f"{where}.aus[{key!r}].intensity")
        side = _check_side(value.get("side", current.side), f"{where}.aus[{key!r}].side")
        if intensity <= 0.0:
            units.pop(au, None)
        else:
            units[au] = replace(current, intensity=intensity, side=side)
    timeline = beat.timeline
    if raw_timeline:
        timeline = _timeline_from(dict(asdict(beat.timeline), **raw_timeline), f"{where}.timeline")
    handover = _check_handover(edit.get("handover", beat.handover), f"{where}.handover")
    return replace(beat, action_units=sorted(units.values(), key=lambda a: a.au), timeline=timeline,
                   handover=handover)


def _beat_from(raw: Any, where: str) -> Beat:
    """One beat from JSON data (a schema 2 beat, or a whole schema 1 plan)."""
    if not isinstance(raw, dict):
        raise PlanError(f"{where or 'plan'} must be an object with action_units and timeline")
    units = []
    for i, unit in enumerate(raw.get("action_units") or []):
        if not isinstance(unit, dict) or "au" not in unit:
            raise PlanError(f"{where}action_units[{i}] must be an object with 'au' and 'intensity'")
        units.append(ActionUnit(
            au=_au_number(unit["au"], f"{where}action_units[{i}].au"),
            intensity=_check_intensity(unit.get("intensity", 0.0), f"{where}action_units[{i}].intensity"),
            side=_check_side(unit.get("side", "both"), f"{where}action_units[{i}].side"),
            name=str(unit.get("name") or ""),
            region=str(unit.get("region") or ""),
            muscle=str(unit.get("muscle") or ""),
        ))
    emo = raw.get("emotion") or {}
    emotion = EmotionSummary(
        components=[EmotionComponent(str(c["name"]), float(c["weight"]), str(c.get("role") or ""))
                    for c in emo.get("components", [])],
        valence=float(emo.get("valence", 0.0)),
        arousal=float(emo.get("arousal", 0.0)),
    )
    regions = {str(k): str(v) for k, v in (raw.get("regions") or {}).items()}
    bad = set(regions) - set(REGIONS)
    if bad:
        raise PlanError(f"{where}regions has unknown names {sorted(bad)}; use {list(REGIONS)}")
    return Beat(text=str(raw.get("text", "")), action_units=units, emotion=emotion, regions=regions,
                timeline=_timeline_from(raw.get("timeline") or {}, f"{where}timeline"),
                handover=_check_handover(raw.get("handover", "blend"), f"{where}handover"))
