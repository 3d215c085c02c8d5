"""What the LLM backends share: the prompt, the answer's JSON schema, parsing with repair, validation,
retry, and the fall-back to the embedded reasoner with a visible warning."""
from __future__ import annotations

import json
import re
from typing import Any

from ..facs import AU_CATALOG, SIDES, au_info
from ..plan import AUPlan, Timeline
from . import knowledge as kb
from .compose import Component, Draft, catalog_summary, finish_plan, timeline_for


class LLMAnswerError(ValueError):
    """The model's answer is not a usable plan; the message says what is wrong (fed back on retry)."""


def answer_schema(max_steps: int = 4) -> dict[str, Any]:
    """The JSON the model must write; schema-constrained decoders enforce it token by token."""
    number01 = {"type": "number", "minimum": 0, "maximum": 1}
    seconds = {"type": "number", "minimum": 0, "maximum": 10}
    return {
        "type": "object",
        "properties": {
            "steps": {"type": "array", "items": {"type": "string", "maxLength": 160}, "minItems": 1,
                      "maxItems": max_steps},
            "emotions": {"type": "array", "minItems": 1, "maxItems": 3, "items": {
                "type": "object", "properties": {"name": {"type": "string", "enum": sorted(kb.PROTOTYPES)},
                                                 "weight": number01},
                "required": ["name", "weight"], "additionalProperties": False}},
            "valence": {"type": "number", "minimum": -1, "maximum": 1},
            "arousal": number01,
            "action_units": {"type": "array", "maxItems": 12, "items": {
                "type": "object", "properties": {"au": {"type": "integer", "enum": sorted(AU_CATALOG)},
                                                 "intensity": number01, "side": {"type": "string", "enum": list(SIDES)}},
                "required": ["au", "intensity", "side"], "additionalProperties": False}},
            "timeline": {"type": "object", "properties": {"onset": seconds, "apex": seconds, "offset": seconds,
                                                          "micro": {"type": "boolean"}},
                         "required": ["onset", "apex", "offset", "micro"], "additionalProperties": False},
        },
        "required": ["steps", "emotions", "valence", "arousal", "action_units", "timeline"],
        "additionalProperties": False,
    }


EXAMPLE = {
    "steps": ["'smug' is contempt with a hint of pleasure",
              "contempt shows as a one-sided lip corner: R12 + R14",
              "zygomaticus and buccinator on the right only; slow, held"],
    "emotions": [{"name": "contempt", "weight": 1.0}], "valence": -0.4, "arousal": 0.35,
    "action_units": [{"au": 12, "intensity": 0.35, "side": "right"}, {"au": 14, "intensity": 0.5, "side": "right"}],
    "timeline": {"onset": 0.5, "apex": 1.5, "offset": 0.8, "micro": False},
}


def messages(text: str, intensity: float, context: str, error: str = "") -> list[dict[str, str]]:
    system = (
        "You are a FACS expert who plans facial expressions for animators. Think step by step: "
        "semantics of the text -> emotion components -> Action Units (FACS AUs, intensity 0..1, side both|left|right, "
        "left/right are the subject's own) -> muscles -> timing (micro-expressions last under 0.5 s). "
        "Avoid contradictory AUs on the same side (AU12 with AU15, AU24 with AU25/26/27). "
        f"AUs you may use: {catalog_summary()}. "
        f"Emotion names you may use: {', '.join(sorted(kb.PROTOTYPES))}. "
        "Answer with one JSON object only, like this example for 'smug': " + json.dumps(EXAMPLE)
    )
    user = f"Emotion: {text.strip()}"
    if context.strip():
        user += f"\nSpeaking context: {context.strip()}"
    if intensity != 1.0:
        user += f"\n(Overall intensity {intensity:.2f} is applied afterwards; plan the full expression.)"
    msgs = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    if error:
        msgs.append({"role": "user", "content": f"Your previous answer was not usable: {error}. "
                                                "Answer again with valid JSON only."})
    return msgs


def parse_answer(raw: str) -> tuple[dict[str, Any], list[str]]:
    """The first JSON object in the model's text, repaired if it was cut off; and the repairs made."""
    repairs: list[str] = []
    text = re.sub(r"```(?:json)?", "", raw or "").strip()
    start = text.find("{")
    if start < 0:
        raise LLMAnswerError("no JSON object in the answer")
    text = text[start:]
    try:
        obj, _end = json.JSONDecoder().raw_decode(text)
        return obj, repairs
    except json.JSONDecodeError:
        pass
    fixed = _close_json(re.sub(r",\s*([}\]])", r"\1", text))
    try:
        obj = json.loads(fixed)
    except json.JSONDecodeError as exc:
        raise LLMAnswerError(f"the JSON does not parse even after repair ({exc.msg} at char {exc.pos})") from None
    repairs.append("closed a cut-off JSON answer")
    return obj, repairs


def _close_json(text: str) -> str:
    """Close open strings, arrays and objects of a truncated JSON text (drops a dangling key or comma)."""
    stack, in_str, esc = [], False, False
    for ch in text:
        if in_str:
            esc, in_str = (False, in_str) if esc else (ch == "\\", ch != '"')
            continue
        if ch == '"':
            in_str = True
        elif ch in "[{":
            stack.append("]" if ch == "[" else "}")
        elif ch in "]}" and stack:
            stack.pop()
    if in_str:
        text += '"'
    text = re.sub(r'(,\s*"[^"]*"\s*:?\s*|,\s*|:\s*)$', "", text.rstrip())
    return text + "".join(reversed(stack))


def plan_from_answer(text: str, answer: Any, *, intensity: float, context: str, backend: str,
                     repairs: list[str] | None = None) -> AUPlan:
    """Validate the model's answer and complete it into a plan (regions, conflicts, muscle notes)."""
    if not isinstance(answer, dict):
        raise LLMAnswerError("the answer must be a JSON object")
    missing = [k for k in ("emotions", "action_units") if k not in answer]
    if missing:
        raise LLMAnswerError(f"missing fields {missing}")
    repairs = list(repairs or [])
    components: list[Component] = []
    for i, e in enumerate(answer.get("emotions") or []):
        if not isinstance(e, dict) or not isinstance(e.get("name"), str):
            raise LLMAnswerError(f"emotions[{i}] must be {{'name': str, 'weight': number}}")
        name = e["name"].strip().lower()
        if name not in kb.PROTOTYPES:
            raise LLMAnswerError(f"emotions[{i}].name {e['name']!r} is not one of {sorted(kb.PROTOTYPES)}")
        components.append(Component(name, _number(e.get("weight", 1.0), f"emotions[{i}].weight", 0, 1, repairs)))
    if not components:
        raise LLMAnswerError("emotions is empty; name at least one (use 'neutral' for none)")
    draft = Draft()
    for i, a in enumerate(answer.get("action_units") or []):
        if not isinstance(a, dict) or "au" not in a:
            raise LLMAnswerError(f"action_units[{i}] must be {{'au': int, 'intensity': number, 'side': str}}")
        try:
            au = au_info(int(str(a["au"]).upper().removeprefix("AU"))).au
        except ValueError as exc:
            raise LLMAnswerError(f"action_units[{i}].au: {exc}") from None
        side = str(a.get("side", "both")).lower()
        if side not in SIDES:
            raise LLMAnswerError(f"action_units[{i}].side must be one of {list(SIDES)}")
        value = _number(a.get("intensity", 0.5), f"action_units[{i}].intensity", 0, 1, repairs)
        draft.put(au, value, side, components[0].name)
    non_neutral = [c for c in components if c.name != "neutral" and c.weight > 0]
    if non_neutral and not draft.aus:
        raise LLMAnswerError(f"emotions {[c.name for c in non_neutral]} but no action_units")
    tl_raw = answer.get("timeline") or {}
    if tl_raw and not isinstance(tl_raw, dict):
        raise LLMAnswerError("timeline must be an object")
    timeline, timing_step = timeline_for(components, {}, context)
    if tl_raw:
        onset, apex, offset = (_number(tl_raw.get(k, getattr(timeline, k)), f"timeline.{k}", 0, 10, repairs)
                               for k in ("onset", "apex", "offset"))
        micro = bool(tl_raw.get("micro", False))
        timeline = Timeline(start=0.6 if micro else 0.2, onset=onset, apex=apex, offset=offset, micro=micro,
                            sustain=not micro, blink_rate=timeline.blink_rate)
        timing_step = (f"Timing (from the model): onset {onset:.2f} s, apex {apex:.2f} s, offset {offset:.2f} s"
                       f"{', micro-expression' if micro else ''}; {timeline.blink_rate:.0f} blinks/min.")
    steps = [str(s) for s in answer.get("steps") or [] if str(s).strip()]
    semantics = [f"the model reasoned: {' / '.join(steps)}." if steps else "the model gave no steps."]
    if repairs:
        semantics.append(f"Repaired: {'; '.join(repairs)}.")
    valence = answer.get("valence")
    arousal = answer.get("arousal")
    valence = None if valence is None else _number(valence, "valence", -1, 1, repairs)
    arousal = None if arousal is None else _number(arousal, "arousal", 0, 1, repairs)
    return finish_plan(text, draft, components, intensity=intensity, context=context, semantics=semantics,
                       timeline=timeline, timing_step=timing_step, backend=backend, valence=valence,
                       arousal=arousal)


def _number(value: Any, where: str, lo: float, hi: float, repairs: list[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise LLMAnswerError(f"{where} must be a number in {lo}..{hi}")
    try:
        x = float(value)
    except ValueError:
        raise LLMAnswerError(f"{where} must be a number in {lo}..{hi}, got {value!r}") from None
    if x != x:
        raise LLMAnswerError(f"{where} is NaN")
    if not lo <= x <= hi:
        clipped = min(hi, max(lo, x))
        repairs.append(f"{where} {x:g} clipped to {clipped:g}")
        x = clipped
    return x


FALLBACK_BACKEND = "embedded (fallback from {})"


def fell_back(plan: AUPlan) -> bool:
    """Whether an LLM backend failed and the embedded reasoner wrote this plan instead."""
    return plan.backend.startswith(FALLBACK_BACKEND.split("{")[0])


class LLMBackend:
    """Generate -> parse/repair -> validate, retrying with the error fed back; then fall back."""

    name = "llm"

    def __init__(self, retries: int = 1, fallback=None):
        self.retries = retries
        self._fallback = fallback

    def generate(self, msgs: list[dict[str, str]], seed: int) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def fallback(self):
        if self._fallback is None:
            from .embedded import EmbeddedBackend

            self._fallback = EmbeddedBackend()
        return self._fallback

    def reason(self, text: str, intensity: float = 1.0, context: str = "", seed: int = 0) -> AUPlan:
        errors: list[str] = []
        error = ""
        for attempt in range(1 + max(0, self.retries)):
            try:
                raw = self.generate(messages(text, intensity, context, error), seed + attempt)
            except (OSError, RuntimeError, ValueError) as exc:
                errors.append(f"attempt {attempt + 1}: {exc}")
                break  # a dead endpoint or a broken model does not get better by asking again
            try:
                answer, repairs = parse_answer(raw)
                plan = plan_from_answer(text, answer, intensity=intensity, context=context, backend=self.name,
                                        repairs=repairs)
                if attempt:
                    plan.reasoning.insert(0, f"Note: the first answer was unusable ({errors[0]}); the retry worked.")
                return plan
            except LLMAnswerError as exc:
                error = str(exc)
                errors.append(f"attempt {attempt + 1}: {exc} (answer began {raw[:80]!r})")
        warning = (f"{self.name} backend failed ({'; '.join(errors)}); used the embedded reasoner instead")
        plan = self.fallback().reason(text, intensity=intensity, context=context)
        plan.backend = FALLBACK_BACKEND.format(self.name)
        plan.warnings.insert(0, warning)
        plan.reasoning.insert(0, f"Warning: {warning}.")
        return plan
