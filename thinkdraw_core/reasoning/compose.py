"""From weighted emotion components (or an LLM's AU list) to a complete AUPlan.

Shared by every backend so each plan gets the same conflict resolution, region sentences,
muscle notes and timing, and the reasoning states every decision.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..facs import AU_CATALOG, AU_CONFLICTS, REGIONS, au_info
from ..plan import ActionUnit, AUPlan, EmotionComponent, EmotionSummary, Timeline
from . import knowledge as kb

BASIC = ("happiness", "sadness", "surprise", "fear", "anger", "disgust")


@dataclass
class Component:
    """One prototype in the blend: how much of the feeling (weight) and how strongly felt (level)."""

    name: str
    weight: float
    level: float = 1.0
    suppressed: bool = False
    sources: list[str] = field(default_factory=list)
    role: str = ""  # "shown" (a face put on) or "hidden" (the feeling under it); "" for a felt feeling


@dataclass
class Draft:
    """AUs on their way into a plan: intensity, side and which component asked for each."""

    aus: dict[int, tuple[float, str, str]] = field(default_factory=dict)  # au -> (intensity, side, source)
    steps: list[str] = field(default_factory=list)

    def put(self, au: int, intensity: float, side: str, source: str) -> None:
        old = self.aus.get(au)
        if old is None or intensity > old[0]:
            self.aus[au] = (min(1.0, intensity), side, source)


def grade(x: float) -> str:
    """FACS letter for an intensity, for compact artist-facing notes."""
    return "ABCDE"[min(4, max(0, int(round(x * 5 + 0.0001)) - 1))] if x > 0 else "-"


def side_tag(au: int, side: str) -> str:
    return {"both": f"AU{au}", "left": f"L{au}", "right": f"R{au}"}[side]


def merge_compounds(components: list[Component]) -> tuple[list[Component], str]:
    """Two basic feelings at similar weight become the Du et al. compound that people actually show."""
    basics = sorted((c for c in components if c.name in BASIC and not c.suppressed and not c.role),
                    key=lambda c: -c.weight)
    if len(basics) < 2:
        return components, ""
    a, b = basics[:2]
    compound = kb.COMPOUNDS.get(frozenset((a.name, b.name)))
    if not compound or b.weight < 0.5 * a.weight:
        return components, ""
    weight = a.weight + b.weight
    level = (a.level * a.weight + b.level * b.weight) / weight
    merged = Component(compound, weight, level, sources=a.sources + b.sources)
    rest = [c for c in components if c is not a and c is not b]
    proto = kb.PROTOTYPES[compound]
    au_list = "+".join(str(au) for au in proto.aus)
    note = (f"{a.name} and {b.name} at similar weight form Du et al.'s compound '{compound}' "
            f"(AU {au_list}: {proto.note}) rather than two faces laid over each other")
    return [merged, *rest], note


def aus_from_components(components: list[Component], asym_side: str = "", asym_word: str = "",
                        mask_no_au6: str = "", micro: bool = False, actions=()) -> Draft:
    from .masking import LEAK, LEAK_AUS

    draft = Draft()
    for m in actions:  # a movement the text names is drawn as named
        for au, (x, side) in m.aus.items():
            draft.put(au, x, (asym_side or "right") if side == "one" else "both", f"'{m.phrase}'")
    if any(m.aus for m in actions):
        named = ", ".join(f"AU{au}" for m in actions for au in m.aus)
        draft.steps.append(f"the text names the movement itself ({named}), so it is drawn as described")
    if not components:
        return draft
    # a movement the text names replaces the feeling's own in that part of the face: 'one side of the
    # upper lip curls up' with disgust is that lip, not disgust's whole mouth and chin as well
    named_parts = {_PART[au_info(au).region] for m in actions for au in m.aus}
    felt = [c.weight for c in components if c.role != "hidden"] or [c.weight for c in components]
    top = max(felt)
    shown = [c for c in components if c.role == "shown"]
    replaced: set[int] = set()
    for comp in components:
        proto = kb.PROTOTYPES[comp.name]
        share = 0.5 + 0.5 * min(1.0, comp.weight / top)  # a secondary feeling shows, but less
        if comp.role == "shown":
            share = 1.0  # the face put on is held deliberately, at full strength
        leaked = []
        for au, base in proto.aus.items():
            gate = proto.gates.get(au)
            if gate is not None and comp.level < gate:
                continue
            value = base * comp.level * share
            if comp.role == "hidden":
                if micro:
                    leaked.append(au)  # a micro-expression is the leak itself, whole but brief
                elif au in LEAK_AUS:
                    value *= LEAK
                    leaked.append(au)
                else:
                    continue
            elif comp.suppressed:
                # the lower face is controlled; a held-in smile still pulls against the pressed lips
                if au in kb.LOWER_FACE_CONTROLLED and not (au == 12 and comp.name == "happiness"):
                    continue
                value *= 0.7
            if not comp.role and _PART[au_info(au).region] in named_parts:  # a face put on stays whole
                replaced.add(au)
                continue
            draft.put(au, value, proto.sides.get(au, "both"), comp.name)
        if comp.role == "hidden" and proto.aus:
            face = " and ".join(f"'{c.name}'" for c in shown) or "a composed face"
            draft.steps.append(
                f"masking: the face shows {face} (shown, at full strength) while '{comp.name}' is felt underneath "
                f"(hidden): " + (f"as a fleeting leak it flashes whole ({', '.join(f'AU{a}' for a in leaked)})" if micro
                                 else f"it leaks only in the brows and lids, at {LEAK:.0%} "
                                      f"({', '.join(f'AU{a}' for a in leaked) or 'nothing visible'})"))
        if comp.role == "shown" and comp.name in ("polite smile", "posed laugh", "tight smile"):
            draft.steps.append(f"'{comp.name}' is put on, so it has no cheek raise (AU6): only a felt smile brings "
                               "AU6, and it cannot be produced at will")
        if comp.suppressed and proto.aus and proto.valence > 0:
            hold = 0.4 * min(comp.level, 1.2) * share
            draft.put(24, hold, "both", f"holding back {comp.name}")
            draft.steps.append(
                f"'{comp.name}' is held back: the smile still pulls (AU12, at 70%) against pressed lips (AU24)")
        elif comp.suppressed and proto.aus:
            hold = 0.4 * min(comp.level, 1.2) * share
            draft.put(24, hold, "both", f"holding back {comp.name}")
            draft.put(17, hold, "both", f"holding back {comp.name}")
            draft.steps.append(
                f"'{comp.name}' is held back: its lower-face AUs are controlled away and replaced by pressed "
                f"lips and a raised chin (AU24+AU17), while the upper face still leaks it at 70%")
    if replaced:
        draft.steps.append(f"the named movement stands for the feeling's own in the {' and '.join(sorted(named_parts))}, "
                           f"so {', '.join(f'AU{a}' for a in sorted(replaced))} of the feeling are left out there")
    if asym_word:
        for au in (12, 14, 10):
            if au in draft.aus:
                val, _side, src = draft.aus[au]
                draft.aus[au] = (val, asym_side or "right", src)
        draft.steps.append(f"'{asym_word}' makes the mouth one-sided: lip-corner AUs act on the subject's "
                           f"{asym_side or 'right'} side only")
    if mask_no_au6 and 6 in draft.aus:
        del draft.aus[6]
        draft.steps.append(f"'{mask_no_au6}' means the smile stays on the mouth: AU6 (cheek raiser, the "
                           "Duchenne marker) is left out, so AU12 reads as a social smile")
    elif mask_no_au6:
        draft.steps.append(f"'{mask_no_au6}': no cheek raise (AU6) anywhere, the eyes stay uninvolved")
    return draft


# parts of the face for replacing a feeling's AUs by a named movement: the mouth and the jaw move as one
_PART = {"brows": "brows", "eyes": "eyes", "cheeks": "cheeks", "nose": "nose", "mouth": "lower face",
         "jaw": "lower face"}


def resolve_conflicts(draft: Draft, weights: dict[str, float]) -> list[str]:
    """Pairs from facs.AU_CONFLICTS acting on the same side: the weaker one goes, and we say why."""
    notes = []
    for a, b, why in AU_CONFLICTS:
        if a not in draft.aus or b not in draft.aus:
            continue
        (va, sa, fa), (vb, sb, fb) = draft.aus[a], draft.aus[b]
        if sa != "both" and sb != "both" and sa != sb:
            notes.append(f"AU{a} ({sa}) and AU{b} ({sb}) act on opposite sides, so both stay: {why} only on one side")
            continue
        key_a, key_b = (weights.get(fa, 0.0), va), (weights.get(fb, 0.0), vb)
        keep, drop = (a, b) if key_a >= key_b else (b, a)
        kv, _, kf = draft.aus[keep]
        dv, _, df = draft.aus[drop]
        del draft.aus[drop]
        reason = "the stronger component" if weights.get(kf, 0) != weights.get(df, 0) else "the stronger pull"
        notes.append(f"AU{a} vs AU{b}: {why}. Kept AU{keep} {kv:.2f} from {kf} ({reason}); dropped AU{drop} "
                     f"{dv:.2f} from {df}" + (f", so {df} has to read through the other regions" if df != kf else ""))
    return notes


def region_sentences(units: list[ActionUnit]) -> dict[str, str]:
    by_region: dict[str, list[ActionUnit]] = {r: [] for r in REGIONS}
    for u in units:
        by_region[u.region].append(u)
    out = {}
    for region, group in by_region.items():
        if not group:
            out[region] = "at rest (no Action Unit)"
            continue
        group = sorted(group, key=lambda u: u.au)
        phrases = []
        left = {u.au: u for u in group}
        for combo, phrase in sorted(kb.COMBO_PHRASES.items(), key=lambda kv: -len(kv[0])):
            if combo <= set(left) and len({left[a].side for a in combo}) == 1:
                strength = max(left[a].intensity for a in combo)
                phrases.append(_qualify(phrase, strength, left[next(iter(combo))].side))
                for a in combo:
                    left.pop(a)
        for u in left.values():
            action, _, muscle = kb.AU_PHRASES.get(u.au, u.name).partition(" (")
            tag = side_tag(u.au, u.side)
            phrases.append(_qualify(f"{action} ({tag}, {muscle}" if muscle else f"{action} ({tag})", u.intensity, u.side))
        out[region] = "; ".join(phrases)
    return out


def _qualify(phrase: str, strength: float, side: str) -> str:
    adverb = ", slightly" if strength < 0.3 else ", strongly" if strength >= 0.8 else ""
    where = "" if side == "both" else f"on the {side} side only: "
    return f"{where}{phrase}{adverb}"


def timeline_for(components: list[Component], reading_flags: dict[str, str], context: str) -> tuple[Timeline, str]:
    weights = sum(c.weight for c in components) or 1.0
    if components:
        mix = [sum(kb.PROTOTYPES[c.name].timing[i] * c.weight for c in components) / weights for i in range(4)]
    else:
        mix = list(kb.PROTOTYPES["neutral"].timing)
    onset, apex, offset, blink = mix
    why = ["mixed from the components' typical dynamics" if len(components) > 1 else
           f"typical for {components[0].name}" if components else "a resting face"]
    tl = Timeline(start=0.2, onset=onset, apex=apex, offset=offset, micro=False, sustain=True, blink_rate=blink)
    if reading_flags.get("micro"):
        tl.start, tl.onset, tl.apex, tl.offset, tl.micro, tl.sustain = 0.6, 0.07, 0.12, 0.15, True, False
        why.append(f"'{reading_flags['micro']}' makes it a micro-expression: under 0.5 s in all, then gone")
    else:
        if reading_flags.get("fast"):
            tl.onset = min(tl.onset, 0.15)
            why.append(f"'{reading_flags['fast']}' gives a fast onset")
        if reading_flags.get("slow"):
            tl.onset, tl.offset = max(tl.onset, 1.8), tl.offset * 1.5
            why.append(f"'{reading_flags['slow']}' gives a slow, spreading onset")
        if reading_flags.get("hold"):
            tl.apex = max(tl.apex, 4.0)
            why.append(f"'{reading_flags['hold']}' holds the apex longer")
    if context:
        tl.blink_rate *= 0.8
        why.append("speaking lowers the blink rate by a fifth")
    tl.onset, tl.apex, tl.offset, tl.blink_rate = (round(x, 3) for x in (tl.onset, tl.apex, tl.offset, tl.blink_rate))
    text = (f"Timing: start {tl.start:.2f} s, onset {tl.onset:.2f} s, apex {tl.apex:.2f} s, offset {tl.offset:.2f} s"
            f"{', micro-expression' if tl.micro else ', held to the end of the clip'}; "
            f"{tl.blink_rate:.0f} blinks/min ({'; '.join(why)}).")
    return tl, text


def finish_plan(text: str, draft: Draft, components: list[Component], *, intensity: float, context: str,
                semantics: list[str], timeline: Timeline, timing_step: str, backend: str,
                valence: float | None = None, arousal: float | None = None,
                warnings: list[str] | None = None, extra_steps: list[str] | None = None) -> AUPlan:
    """Resolve conflicts, apply the overall intensity, write regions and the reasoning steps."""
    weights = {c.name: c.weight for c in components}
    conflict_notes = resolve_conflicts(draft, weights)
    context_notes = []
    if context:
        for au in (26, 27):
            if au in draft.aus and draft.aus[au][0] > 0.4:
                v, s, f = draft.aus[au]
                draft.aus[au] = (0.4, s, f)
                context_notes.append(f"AU{au} capped at 0.40 so speech can still move the jaw")
    units = []
    for au, (value, side, _src) in sorted(draft.aus.items()):
        value = round(min(1.0, value * intensity), 3)
        if value < 0.01:
            continue
        if not au_info(au).lateral:
            side = "both"
        units.append(ActionUnit(au=au, intensity=value, side=side))
    total = sum(weights.values()) or 1.0
    comps = [EmotionComponent(c.name, round(c.weight / total, 3), c.role)
             for c in sorted(components, key=lambda c: -c.weight)]
    if valence is None or arousal is None:
        valence = sum(kb.PROTOTYPES[c.name].valence * c.weight for c in components) / total if components else 0.0
        arousal = (sum(kb.PROTOTYPES[c.name].arousal * min(1.0, c.level) * c.weight for c in components) / total
                   if components else 0.1)
    emotion = EmotionSummary(components=comps, valence=round(float(valence), 3), arousal=round(float(arousal), 3))
    regions = region_sentences(units)

    steps = [f"Semantics: {' '.join(semantics)}"]
    steps += list(extra_steps or [])
    steps.append(f"Emotion components: {emotion.label} -> valence {emotion.valence:+.2f}, arousal {emotion.arousal:.2f}."
                 if comps else "Emotion components: none, a neutral face.")
    steps += [f"Rule: {s}." for s in draft.steps]
    au_text = ", ".join(f"{side_tag(u.au, u.side)} {u.name} {u.intensity:.2f} ({grade(u.intensity)})" for u in units)
    scale = f" after the overall intensity x{intensity:.2f}" if intensity != 1.0 else ""
    steps.append(f"Action Units{scale}: {au_text or 'none'}.")
    steps.append("Conflicts: " + (" | ".join(conflict_notes) if conflict_notes else
                                  "none among the chosen AUs (checked AU12/AU15, AU24/AU25-27, AU5/AU43, AU18/AU20, AU22/AU23)") + ".")
    if context_notes:
        steps.append(f"Speaking context '{context}': " + "; ".join(context_notes) + ".")
    active = [f"{r}: {s}" for r, s in regions.items() if not s.startswith("at rest")]
    steps.append("Muscles: " + (" | ".join(active) if active else "all regions at rest") + ".")
    steps.append(timing_step)
    return AUPlan(text=text, action_units=units, emotion=emotion, regions=regions, timeline=timeline,
                  reasoning=steps, intensity=float(intensity), backend=backend, warnings=list(warnings or []))


def catalog_summary() -> str:
    return ", ".join(f"{au} {info.name}" for au, info in sorted(AU_CATALOG.items()))
