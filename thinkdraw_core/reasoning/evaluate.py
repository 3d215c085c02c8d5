"""AU-F1 scoring of plans against labelled emotion texts (../shared/eval/emotion_dev.jsonl format).

An AU counts as predicted at intensity >= 0.15. Variant AUs are neither rewarded nor penalised,
forbidden AUs count as false positives, and an empty core predicted empty scores 1.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..plan import AUPlan

THRESHOLD = 0.15


def au_f1(predicted: Iterable[int], core: Iterable[int], variant: Iterable[int] = (),
          forbidden: Iterable[int] = ()) -> float:
    core, variant, forbidden = set(core), set(variant), set(forbidden)
    pred = set(predicted) - (variant - forbidden)
    if not core and not pred:
        return 1.0
    tp = len(pred & core)
    fp = len(pred - core)
    fn = len(core - pred)
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


@dataclass
class Scored:
    text: str
    f1: float
    predicted: list[int]
    core: list[int]
    ok_intensity: bool
    ok_micro: bool


def score_items(items: list[dict], plan_for: Callable[[str], AUPlan]) -> list[Scored]:
    out = []
    for item in items:
        plan = plan_for(item["text"])
        pred = plan.active_aus(THRESHOLD)
        f1 = au_f1(pred, item.get("core", []), item.get("variant", []), item.get("forbidden", []))
        top = max((a.intensity for a in plan.action_units), default=0.0)
        ok_int = top <= item.get("max_intensity", 1.0) + 1e-9
        ok_micro = plan.timeline.micro == item["micro"] if "micro" in item else True
        out.append(Scored(item["text"], f1, pred, sorted(item.get("core", [])), ok_int, ok_micro))
    return out


def load_jsonl(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
