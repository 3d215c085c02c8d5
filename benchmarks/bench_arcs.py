"""Embedded reasoner on the emotion-arc set (benchmarks/data/arcs_*.jsonl): per-beat AU-F1 and beat order.

    python benchmarks/bench_arcs.py [--quick] [--detail] [--misses]

The probe set (arcs_probe.jsonl, a tune-side set written after the held-out arcs were last studied) is
scored beside them and listed by --misses with the tune split.

Each text goes through `thinkdraw_core.reasoning.reason(text)`. A plan with a non-empty `beats` list
is scored beat by beat (beat i's `handover` is the border after it); a plan without beats counts as one
beat (its own `action_units`). Scoring is thinkdraw_core/reasoning/arc_scoring.py: the mean AU-F1 over
aligned beat positions (a missing or extra beat scores 0), beat order right (same number of beats, each
predicted beat closest to its own expected beat), and handover ("blend"/"cut") agreement at the borders
both sides have.

Rows: per split x language, per split (F1, order, handover), per category and per number of beats on the
heldout split with tune in the notes. --detail prints split x language x category; --misses lists the
TUNE split's imperfect cases (the heldout split is never listed: it is not to be tuned on, see
benchmarks/data/README.md).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import markdown_table, row  # noqa: E402

DATA = REPO / "benchmarks" / "data"
SPLITS = ("tune", "heldout")
LANGS = ("en", "zh")
CATEGORIES = ("plain", "event", "idiom", "calm", "sudden", "gradual", "masking", "duration", "control")
GOAL_F1 = 0.80


def load_splits() -> dict[str, list[dict]]:
    """The tune and heldout splits, and the probe set (arcs_probe.jsonl: a tune-side set written later)."""
    out = {}
    for split in (*SPLITS, "probe"):
        with open(DATA / f"arcs_{split}.jsonl", encoding="utf-8") as fh:
            out[split] = [json.loads(line) for line in fh if line.strip()]
    return out


def plan_beats(plan: Any) -> tuple[list[Any], list[Any]]:
    """(beats, handovers) of a plan: its `beats` when it has any, else the plan itself as one beat."""
    beats = list(getattr(plan, "beats", None) or [])
    if not beats:
        return [plan], []
    handovers = []
    for beat in beats[:-1]:
        value = getattr(beat, "handover", None)
        if value is None:  # a schema may keep it with the beat's timing
            value = getattr(getattr(beat, "timeline", None), "handover", None)
        handovers.append(value)
    return beats, handovers


def score(reason, splits: dict[str, list[dict]]) -> list[dict]:
    """score_arc's dict for every case of every split."""
    from thinkdraw_core.reasoning.arc_scoring import score_arc

    out = []
    for cases in splits.values():
        for case in cases:
            beats, handovers = plan_beats(reason(case["text"]))
            out.append(score_arc(case, beats, predicted_handover=handovers))
    return out


def _notes(summary: dict) -> str:
    hand = summary["handover_accuracy"]
    borders = summary["handover_borders"]
    hand_text = "no borders compared" if hand is None else f"handover {hand:.3f} over {borders} borders"
    return (f"{summary['n']} cases, order {summary['order_accuracy']:.3f}, beat count {summary['count_accuracy']:.3f}, "
            f"{hand_text}")


def rows_for(scores: list[dict]) -> list[dict]:
    from thinkdraw_core.reasoning.arc_scoring import summarise

    def part(**where) -> dict:
        return summarise([s for s in scores if all(s[k] == v for k, v in where.items())])["all"]

    rows = []
    for split in SPLITS:
        for lang in LANGS:
            s = part(split=split, lang=lang)
            rows.append(row("arcs", f"{split} {lang}: mean per-beat AU-F1", s["f1"], "F1", notes=_notes(s)))
        s = part(split=split)
        goal = f">= {GOAL_F1:.2f}" if split == "heldout" else ""
        rows.append(row("arcs", f"{split} all: mean per-beat AU-F1", s["f1"], "F1", goal=goal, notes=_notes(s)))
        rows.append(row("arcs", f"{split} all: beat-order accuracy", s["order_accuracy"], "acc",
                        notes=f"{s['n']} cases; beat count right {s['count_accuracy']:.3f}"))
        hand = s["handover_accuracy"]
        rows.append(row("arcs", f"{split} all: handover accuracy", float("nan") if hand is None else hand, "acc",
                        notes=f"{s['handover_borders']} borders compared (where both have one)"))
    probe = part(split="probe")
    by_lang = ", ".join(f"{lang} {part(split='probe', lang=lang)['f1']:.3f}" for lang in LANGS)
    rows.append(row("arcs", "probe all: mean per-beat AU-F1", probe["f1"], "F1",
                    notes=f"tune-side set for finding ideas ({by_lang}); " + _notes(probe)))
    for cat in CATEGORIES:
        held, tune = part(split="heldout", category=cat), part(split="tune", category=cat)
        by_lang = ", ".join(f"{lang} {part(split='heldout', lang=lang, category=cat)['f1']:.3f}" for lang in LANGS)
        rows.append(row("arcs", f"heldout {cat}: mean per-beat AU-F1", held["f1"], "F1",
                        notes=f"{held['n']} cases ({by_lang}), order {held['order_accuracy']:.3f}; "
                              f"tune {tune['f1']:.3f} over {tune['n']}, order {tune['order_accuracy']:.3f}"))
    for n in sorted({s["n_expected"] for s in scores}):
        held, tune = part(split="heldout", n_expected=n), part(split="tune", n_expected=n)
        rows.append(row("arcs", f"heldout {n}-beat: mean per-beat AU-F1", held["f1"], "F1",
                        notes=f"{held['n']} cases, order {held['order_accuracy']:.3f}; "
                              f"tune {tune['f1']:.3f} over {tune['n']}, order {tune['order_accuracy']:.3f}"))
    return rows


def detail_table(scores: list[dict]) -> str:
    lines = ["| split | lang | " + " | ".join(CATEGORIES) + " | all |", "|" + "---|" * (len(CATEGORIES) + 3)]
    for split in SPLITS:
        for lang in LANGS:
            cells = []
            for cat in CATEGORIES + (None,):
                part = [s for s in scores if s["split"] == split and s["lang"] == lang
                        and (cat is None or s["category"] == cat)]
                if part:
                    f1 = sum(s["f1"] for s in part) / len(part)
                    order = sum(s["order_correct"] for s in part) / len(part)
                    cells.append(f"{f1:.3f} / {order:.2f} ({len(part)})")
                else:
                    cells.append("")
            lines.append(f"| {split} | {lang} | " + " | ".join(cells) + " |")
    return "cells: mean per-beat AU-F1 / beat-order accuracy (cases)\n\n" + "\n".join(lines)


def tune_misses(scores: list[dict], splits: dict[str, list[dict]]) -> str:
    expected = {case["text"]: case for split in ("tune", "probe") for case in splits[split]}
    lines = []
    listed = (s for s in scores if s["split"] in ("tune", "probe") and (s["f1"] < 1.0 or not s["order_correct"]))
    for s in sorted(listed, key=lambda s: s["f1"]):
        case = expected[s["text"]]
        want = " | ".join(f"{b['emotion']} {b['core']}" for b in case["beats"])
        lines.append(f"{s['f1']:.2f} order {'ok' if s['order_correct'] else 'no'}  [{s['lang']}/{s['category']}] "
                     f"{s['text']!r}: predicted {s['predicted']}, expected {want}")
    return "\n".join(lines)


def _reason():
    from thinkdraw_core.reasoning import reason

    return lambda text: reason(text)


def run(quick: bool = False, reason=None) -> list[dict]:
    # the whole set is small and the embedded reasoner fast, so quick mode scores it all too
    return rows_for(score(reason or _reason(), load_splits()))


if __name__ == "__main__":
    splits = load_splits()
    scores = score(_reason(), splits)
    print(markdown_table(rows_for(scores)))
    if "--detail" in sys.argv:
        print()
        print(detail_table(scores))
    if "--misses" in sys.argv:
        print()
        print(tune_misses(scores, splits))
