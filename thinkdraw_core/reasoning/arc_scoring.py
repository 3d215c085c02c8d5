"""Scoring of emotion arcs (multi-beat plans) against the arc development set (benchmarks/data/arcs_*.jsonl).

Pure: no reasoner imports, so a plan from any source can be scored.

    score_arc(case, predicted_beats) -> dict       # one case
    summarise(scores) -> dict                       # means per language, split, category, number of beats

Per beat, the AU-F1 of the single-expression scoring (benchmarks/data/README.md): an AU counts as
predicted at intensity >= 0.15; F1 is taken against `core`; `variant` AUs are neither rewarded nor
penalised; `forbidden` AUs (like any other AU outside core and variant) count as false positives; an
empty core predicted empty scores 1. Beats are aligned by position (predicted i against expected i);
a missing or an extra beat scores 0 at its position, and the case's F1 is the mean over
max(len(expected), len(predicted)) positions, so splitting a one-feeling text into two beats costs half.

Beat order is correct when the number of beats matches and every predicted beat's best-F1 expected
beat is its own position (ties allowed; a predicted beat that scores 0 against every expected beat has
no place, so it does not count as in order). Handovers ("blend" or "cut", one per border) are compared at
the borders both sides have.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

THRESHOLD = 0.15
HANDOVERS = ("blend", "cut")
# spellings a plan may use for the two kinds of border
_HANDOVER_ALIASES = {
    "blend": "blend", "ease": "blend", "eased": "blend", "smooth": "blend", "gradual": "blend", "crossfade": "blend",
    "cut": "cut", "sudden": "cut", "switch": "cut", "snap": "cut", "hard": "cut", "instant": "cut",
}
GROUPS = ("lang", "split", "category")


def _au_pairs(beat: Any) -> Iterable[tuple[Any, Any]]:
    """(au, intensity) pairs of one predicted beat, whichever of the accepted shapes it has."""
    if isinstance(beat, Mapping):
        if "action_units" in beat:
            return _unit_pairs(beat["action_units"])
        return beat.items()
    if hasattr(beat, "action_units"):
        return _unit_pairs(beat.action_units)
    if isinstance(beat, Sequence) and not isinstance(beat, (str, bytes)):
        return _unit_pairs(beat)  # a bare list of action units
    raise TypeError(f"a predicted beat must have action_units or be a mapping of AU to intensity, got {type(beat)!r}")


def _unit_pairs(units: Iterable[Any]) -> list[tuple[Any, Any]]:
    pairs = []
    for unit in units:
        if isinstance(unit, Mapping):
            pairs.append((unit["au"], unit.get("intensity", 1.0)))
        else:
            pairs.append((unit.au, unit.intensity))
    return pairs


def beat_intensities(beat: Any) -> dict[int, float]:
    """{AU: intensity} of one predicted beat (the largest intensity where an AU appears twice, e.g. per side)."""
    out: dict[int, float] = {}
    for au, intensity in _au_pairs(beat):
        au, intensity = int(au), float(intensity)
        out[au] = max(out.get(au, 0.0), intensity)
    return out


def predicted_aus(beat: Any, threshold: float = THRESHOLD) -> set[int]:
    """The AUs a beat counts as predicting: intensity >= threshold."""
    return {au for au, intensity in beat_intensities(beat).items() if intensity >= threshold}


def beat_f1(expected: Mapping[str, Any], predicted: set[int]) -> float:
    """AU-F1 of one predicted AU set against one expected beat (core / variant / forbidden)."""
    core = {int(a) for a in expected.get("core", [])}
    variant = {int(a) for a in expected.get("variant", [])} - core
    forbidden = {int(a) for a in expected.get("forbidden", [])} - core
    counted = (set(predicted) - variant) | (set(predicted) & forbidden)
    if not core and not counted:
        return 1.0
    tp = len(counted & core)
    return 2.0 * tp / (len(counted) + len(core))


def normalise_handover(value: Any) -> str | None:
    """'blend' or 'cut' from a string or an enum-like value; None when absent; other spellings kept lower-cased."""
    if value is None:
        return None
    value = getattr(value, "value", value)
    text = str(value).strip().lower()
    return _HANDOVER_ALIASES.get(text, text)


def _handover_of(beat: Any) -> Any:
    if isinstance(beat, Mapping):
        return beat.get("handover")
    return getattr(beat, "handover", None)


def score_arc(expected_case: Mapping[str, Any], predicted_beats: Sequence[Any],
              predicted_handover: Sequence[Any] | None = None, threshold: float = THRESHOLD) -> dict[str, Any]:
    """Score one case of the arc set.

    predicted_beats: beats in order, each an object with `.action_units` (items with `.au` and
    `.intensity`), a mapping {au: intensity}, or a mapping with an "action_units" list.
    predicted_handover: one per border ("blend"/"cut"); when None, beat i's `handover` (attribute or
    key) is taken as the border after beat i.
    """
    expected = list(expected_case["beats"])
    predicted = [predicted_aus(beat, threshold) for beat in predicted_beats]
    positions = max(len(expected), len(predicted))
    f1s = [beat_f1(expected[i], predicted[i]) if i < len(expected) and i < len(predicted) else 0.0
           for i in range(positions)]
    f1 = statistics.fmean(f1s) if f1s else 1.0

    order_correct = len(expected) == len(predicted) and len(expected) > 0
    if order_correct:
        for i, pred in enumerate(predicted):
            row = [beat_f1(exp, pred) for exp in expected]
            if max(row) <= 0.0 or row[i] < max(row) - 1e-12:  # a beat that matches nothing has no place
                order_correct = False
                break

    exp_handover = [normalise_handover(h) for h in expected_case.get("handover", [])]
    if predicted_handover is None:
        pred_handover = [normalise_handover(_handover_of(beat)) for beat in list(predicted_beats)[:-1]]
    else:
        pred_handover = [normalise_handover(h) for h in predicted_handover]
    borders = min(len(exp_handover), len(pred_handover), max(len(predicted) - 1, 0))
    handover_correct = sum(exp_handover[k] == pred_handover[k] for k in range(borders))

    return {
        "text": expected_case.get("text", ""),
        "lang": expected_case.get("lang", ""),
        "split": expected_case.get("split", ""),
        "category": expected_case.get("category", ""),
        "f1": f1,
        "beat_f1": f1s,
        "n_expected": len(expected),
        "n_predicted": len(predicted),
        "count_correct": len(expected) == len(predicted),
        "order_correct": order_correct,
        "handover_correct": handover_correct,
        "handover_total": borders,
        "handover_accuracy": handover_correct / borders if borders else None,
        "predicted": [sorted(p) for p in predicted],
    }


def _summary(scores: list[Mapping[str, Any]]) -> dict[str, Any]:
    if not scores:
        return {"n": 0, "f1": math.nan, "order_accuracy": math.nan, "count_accuracy": math.nan,
                "handover_accuracy": None, "handover_borders": 0}
    borders = sum(s["handover_total"] for s in scores)
    return {
        "n": len(scores),
        "f1": statistics.fmean(s["f1"] for s in scores),
        "order_accuracy": statistics.fmean(1.0 if s["order_correct"] else 0.0 for s in scores),
        "count_accuracy": statistics.fmean(1.0 if s["count_correct"] else 0.0 for s in scores),
        # pooled over the borders both sides have
        "handover_accuracy": sum(s["handover_correct"] for s in scores) / borders if borders else None,
        "handover_borders": borders,
    }


def summarise(scores: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Means over all cases and per lang, split, category, number of expected beats, and split x lang.

    Each summary: n, f1 (mean case F1), order_accuracy, count_accuracy (right number of beats),
    handover_accuracy (pooled over compared borders; None when there were none), handover_borders.
    """
    scores = list(scores)
    out: dict[str, Any] = {"all": _summary(scores)}
    for key in GROUPS:
        values = sorted({s[key] for s in scores})
        out[key] = {v: _summary([s for s in scores if s[key] == v]) for v in values}
    out["beats"] = {n: _summary([s for s in scores if s["n_expected"] == n])
                    for n in sorted({s["n_expected"] for s in scores})}
    out["split_lang"] = {(sp, lang): _summary([s for s in scores if s["split"] == sp and s["lang"] == lang])
                         for sp in sorted({s["split"] for s in scores})
                         for lang in sorted({s["lang"] for s in scores})}
    return out
