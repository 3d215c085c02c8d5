"""Embedded reasoner on the development set (benchmarks/data/think_*.jsonl): mean AU-F1 per split.

    python benchmarks/bench_think.py [--quick] [--detail] [--misses]
    python benchmarks/bench_think.py --probe [--misses]

Rows: mean AU-F1 per split x language, per split, per category (heldout, with tune in the notes), and on
../shared/eval/emotion_dev.jsonl. --detail also prints split x language x category; --misses lists the
TUNE split's imperfect cases (the heldout split is never listed: it is not to be tuned on, see
benchmarks/data/README.md). --probe scores only the tune split and the probe phrasings
(think_probe_*.jsonl, written to find ideas the tune set no longer shows) and never loads the heldout
file, so it can be run as often as a change needs; --misses then lists the probe misses too.
"""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import markdown_table, row  # noqa: E402

DATA = REPO / "benchmarks" / "data"
DEV = REPO.parent / "shared" / "eval" / "emotion_dev.jsonl"
SPLITS = ("tune", "heldout")
LANGS = ("en", "zh")
CATEGORIES = ("situation", "idiom", "masking", "negation", "intensity", "asymmetry", "micro", "word_form", "plain",
              "compound")


def load_splits() -> dict[str, list[dict]]:
    from thinkdraw_core.reasoning.evaluate import load_jsonl

    return {split: load_jsonl(DATA / f"think_{split}.jsonl") for split in SPLITS}


def score(reasoner, splits: dict[str, list[dict]]) -> list[tuple[dict, object]]:
    """(item, Scored) for every item of every split."""
    from thinkdraw_core.reasoning.evaluate import score_items

    out = []
    for items in splits.values():
        out.extend(zip(items, score_items(items, reasoner.reason)))
    return out


def _mean(pairs) -> float:
    return statistics.mean(s.f1 for _, s in pairs) if pairs else float("nan")


def _checks(pairs) -> str:
    capped = [s.ok_intensity for it, s in pairs if "max_intensity" in it]
    micro = [s.ok_micro for it, s in pairs if "micro" in it]
    parts = [f"{len(pairs)} items"]
    if capped:
        parts.append(f"max_intensity kept {sum(capped)}/{len(capped)}")
    if micro:
        parts.append(f"micro flag right {sum(micro)}/{len(micro)}")
    return ", ".join(parts)


def rows_for(scored: list[tuple[dict, object]]) -> list[dict]:
    def pick(split=None, lang=None, cat=None):
        return [(it, s) for it, s in scored if (split is None or it["split"] == split)
                and (lang is None or it["lang"] == lang) and (cat is None or it["category"] == cat)]

    rows = []
    for split in SPLITS:
        for lang in LANGS:
            part = pick(split, lang)
            rows.append(row("think", f"{split} {lang}: mean AU-F1", _mean(part), "F1", notes=_checks(part)))
        part = pick(split)
        rows.append(row("think", f"{split} all: mean AU-F1", _mean(part), "F1", notes=_checks(part)))
    for cat in CATEGORIES:
        held, tune = pick("heldout", cat=cat), pick("tune", cat=cat)
        by_lang = ", ".join(f"{lang} {_mean(pick('heldout', lang, cat)):.3f}" for lang in LANGS)
        rows.append(row("think", f"heldout {cat}: mean AU-F1", _mean(held), "F1",
                        notes=f"{len(held)} items ({by_lang}); tune {_mean(tune):.3f} over {len(tune)}"))
    return rows


def detail_table(scored) -> str:
    lines = ["| split | lang | " + " | ".join(CATEGORIES) + " | all |", "|" + "---|" * (len(CATEGORIES) + 3)]
    for split in SPLITS:
        for lang in LANGS:
            cells = []
            for cat in CATEGORIES + (None,):
                part = [s.f1 for it, s in scored if it["split"] == split and it["lang"] == lang
                        and (cat is None or it["category"] == cat)]
                cells.append(f"{statistics.mean(part):.3f} ({len(part)})" if part else "")
            lines.append(f"| {split} | {lang} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def tune_misses(scored) -> str:
    lines = []
    for it, s in sorted(((it, s) for it, s in scored if it["split"] == "tune" and s.f1 < 1.0), key=lambda p: p[1].f1):
        lines.append(f"{s.f1:.2f}  [{it['lang']}/{it['category']}] {it['text']!r}: predicted {s.predicted}, "
                     f"core {it['core']}, variant {it['variant']}, forbidden {it.get('forbidden', [])}")
    return "\n".join(lines)


def probe_report(reasoner, misses: bool = False) -> str:
    """Tune and probe F1 per language x category, without touching the heldout split."""
    from thinkdraw_core.reasoning.evaluate import load_jsonl

    parts = {"tune": load_jsonl(DATA / "think_tune.jsonl")}
    for path in sorted(DATA.glob("think_probe_*.jsonl")):
        parts[path.stem.removeprefix("think_")] = load_jsonl(path)
    scored = score(reasoner, parts)
    lines = []
    for name, items in parts.items():
        for lang in LANGS:
            part = [(it, s) for it, s in scored if it in items and it["lang"] == lang]
            if not part:
                continue
            cats = ", ".join(f"{cat} {_mean([p for p in part if p[0]['category'] == cat]):.3f}"
                             for cat in CATEGORIES if any(p[0]["category"] == cat for p in part))
            lines.append(f"{name} {lang}: mean AU-F1 {_mean(part):.3f} ({_checks(part)}); {cats}")
            batches = sorted({it["batch"] for it, _ in part if "batch" in it})
            if len(batches) > 1:  # probe phrasings are written in batches, each labelled before it was run
                lines.append("  by batch: " + ", ".join(
                    f"{b} {_mean([p for p in part if p[0].get('batch') == b]):.3f}" for b in batches))
    if misses:
        for it, s in sorted(((it, s) for it, s in scored if s.f1 < 1.0 or not (s.ok_micro and s.ok_intensity)),
                            key=lambda p: (p[0]["split"], p[1].f1)):
            flags = ("" if s.ok_micro else " [micro flag wrong]") + ("" if s.ok_intensity else " [too intense]")
            lines.append(f"{s.f1:.2f}  [{it['split']}/{it['lang']}/{it['category']}] {it['text']!r}: predicted "
                         f"{s.predicted}, core {it['core']}, forbidden {it.get('forbidden', [])}{flags}")
    return "\n".join(lines)


def run(quick: bool = False, reasoner=None) -> list[dict]:
    from thinkdraw_core.reasoning import EmotionCoTReasoner
    from thinkdraw_core.reasoning.evaluate import load_jsonl, score_items

    reasoner = reasoner or EmotionCoTReasoner("embedded", cache_size=0)
    rows = rows_for(score(reasoner, load_splits()))
    if DEV.exists():
        dev = score_items(load_jsonl(DEV), reasoner.reason)
        rows.append(row("think", "emotion_dev.jsonl: mean AU-F1", statistics.mean(s.f1 for s in dev), "F1",
                        notes=f"{len(dev)} items, ../shared/eval"))
    return rows


if __name__ == "__main__":
    from thinkdraw_core.reasoning import EmotionCoTReasoner

    shared = EmotionCoTReasoner("embedded", cache_size=0)
    if "--probe" in sys.argv:
        print(probe_report(shared, misses="--misses" in sys.argv))
        sys.exit(0)
    print(markdown_table(run(quick="--quick" in sys.argv, reasoner=shared)))
    if "--detail" in sys.argv or "--misses" in sys.argv:
        scored = score(shared, load_splits())
        if "--detail" in sys.argv:
            print()
            print(detail_table(scored))
        if "--misses" in sys.argv:
            print()
            print(tune_misses(scored))
