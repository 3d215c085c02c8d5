"""Embedded reasoner: load time, per-plan latency (uncached and cached; words, idioms, retrieval and event
descriptions apart) and dev-set AU-F1.

    python benchmarks/bench_reasoning.py [--quick]
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import PeakRSS, markdown_table, row  # noqa: E402

DEV = REPO.parent / "shared" / "eval" / "emotion_dev.jsonl"
LEXICAL = ["happy", "deeply sad", "not scared at all, just mildly annoyed", "a fleeting flash of disgust",
           "悲愤交加", "quiet pride, fighting back tears", "bittersweet nostalgia", "smug"]
IDIOMS = ["over the moon", "bored stiff", "he blew his top", "心花怒放", "down in the dumps", "walking on air",
          "at her wits' end", "a face like thunder"]
RETRIEVAL = ["looking down on his rival", "jaw on the floor", "that smells awful", "rolling her eyes at him",
             "ick, gross", "boiling over", "can't stop grinning", "a heavy kind of quiet"]
# event descriptions naming no feeling, written for this benchmark (not from benchmarks/data): each goes
# through the sentence encoder, the event frames and appraisal, the slowest path a plan can take
EVENTS = ["a courier throws her parcel over the fence and it lands in a puddle",
          "the night nurse brings him an extra blanket without being asked",
          "his landlord raises the rent for the second time this year",
          "she opens the lunchbox she left in her locker over the holidays",
          "the phone rings at three in the morning and it is the hospital",
          "he walks out of the exam hall knowing he got every answer",
          "a seagull snatches the chips right out of his hand",
          "her old teacher recognises her in the supermarket and hugs her"]


CPU: list[float] = []  # process CPU seconds per plan: what the wall time would be on an idle core


def _per_plan(reasoner, texts, repeats) -> list[float]:
    times = []
    for _ in range(repeats):
        for text in texts:
            c0, t0 = time.process_time(), time.perf_counter()
            reasoner.reason(text)
            times.append(time.perf_counter() - t0)
            CPU.append(time.process_time() - c0)
    return times


def _fresh_process(text: str, repeats: int) -> dict:
    """A whole `python -c` process that plans one text needing retrieval: what a CLI run pays for thinking."""
    code = f"from thinkdraw_core.reasoning import reason; reason({text!r})"
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True, timeout=300)
        times.append(time.perf_counter() - t0)
    return row("reasoning", "first plan in a fresh process, an event description", statistics.median(times), "s",
               notes=f"{text!r}: interpreter start, imports, MiniLM load, the lexicon from the disk cache, one plan")


def run(quick: bool = False) -> list[dict]:
    from thinkdraw_core.reasoning import EmotionCoTReasoner
    from thinkdraw_core.reasoning.embedded import Embedder
    from thinkdraw_core.reasoning.evaluate import load_jsonl, score_items

    repeats = 2 if quick else 10
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        with PeakRSS() as mem:
            t0 = time.perf_counter()
            n = len(Embedder(cache_dir=cache).phrases)
            cold_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        Embedder(cache_dir=cache)
        warm_s = time.perf_counter() - t0
    rows.append(row("reasoning", "load MiniLM + embed the lexicon (first run)", cold_s, "s", peak_mb=mem.extra_mb,
                    notes=f"{n} lexicon phrases embedded, then kept on disk"))
    rows.append(row("reasoning", "load MiniLM + the lexicon's embeddings from disk", warm_s, "s",
                    baseline="first run", ratio=warm_s / cold_s, notes="every later process"))
    rows.append(_fresh_process(EVENTS[0], 1 if quick else 3))
    uncached = EmotionCoTReasoner("embedded", cache_size=0)
    uncached.reason("warm up")
    lex = _per_plan(uncached, LEXICAL, repeats)
    idi = _per_plan(uncached, IDIOMS, repeats)
    CPU.clear()
    ret = _per_plan(uncached, RETRIEVAL, repeats)
    ret_cpu = statistics.median(CPU)
    CPU.clear()
    ev = _per_plan(uncached, EVENTS, repeats)
    ev_cpu = statistics.median(CPU)
    every = lex + idi + ret + ev
    rows.append(row("reasoning", "plan, uncached, lexicon words", statistics.median(lex) * 1e3, "ms",
                    goal="< 20 ms", notes=f"{len(lex)} plans"))
    rows.append(row("reasoning", "plan, uncached, idioms and set phrases", statistics.median(idi) * 1e3, "ms",
                    goal="< 20 ms", notes=f"{len(idi)} plans"))
    rows.append(row("reasoning", "plan, uncached, needs retrieval", statistics.median(ret) * 1e3, "ms",
                    goal="< 20 ms", notes=f"{len(ret)} plans, short phrases (most now read as lexicon or idiom phrases); CPU time "
                                          f"{ret_cpu * 1e3:.1f} ms"))
    rows.append(row("reasoning", "plan, uncached, event descriptions", statistics.median(ev) * 1e3, "ms",
                    goal="< 20 ms", notes=f"{len(ev)} plans: MiniLM, event frames, appraisal; CPU time "
                                          f"{ev_cpu * 1e3:.1f} ms; p90 {sorted(ev)[int(0.9 * len(ev))] * 1e3:.1f} ms"))
    rows.append(row("reasoning", "plan, uncached, all", statistics.median(every) * 1e3, "ms", goal="< 20 ms",
                    notes=f"p90 {sorted(every)[int(0.9 * len(every))] * 1e3:.1f} ms"))
    cached = EmotionCoTReasoner("embedded")
    _per_plan(cached, RETRIEVAL + EVENTS, 1)
    hit = statistics.median(_per_plan(cached, RETRIEVAL + EVENTS, repeats))
    rows.append(row("reasoning", "plan, cache hit", hit * 1e3, "ms", baseline="uncached retrieval",
                    ratio=statistics.median(ret) / hit if hit else None))
    if DEV.exists():
        scored = score_items(load_jsonl(DEV), uncached.reason)
        rows.append(row("reasoning", "dev-set mean AU-F1", statistics.mean(s.f1 for s in scored), "F1",
                        goal=">= 0.85", notes=f"{len(scored)} items, emotion_dev.jsonl"))
    return rows


if __name__ == "__main__":
    print(markdown_table(run(quick="--quick" in sys.argv)))
