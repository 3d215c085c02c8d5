"""Shared benchmark helpers: repeated timing, peak memory, and markdown tables.

Every benchmark module exposes `run(quick: bool = False) -> list[dict]` returning rows with the
keys of ROW_KEYS, and prints its own table when run as a script. run_all.py collects them.
Ratios are measured side by side in one process run, since absolute times here are noisy.
"""
from __future__ import annotations

import gc
import statistics
import threading
import time
from typing import Any, Callable

import psutil

ROW_KEYS = ("benchmark", "case", "median", "unit", "baseline", "ratio", "goal", "peak_mb", "notes")


def median_time(fn: Callable[[], Any], repeats: int = 5, warmup: int = 1) -> float:
    """Median wall seconds of fn() over repeats, after warm-up calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


class PeakRSS:
    """Peak extra resident memory (MiB) while the block runs, sampled every 5 ms.

    With children=True the child processes' memory counts too (an ffmpeg pipe, say).
    """

    def __init__(self, children: bool = False):
        self.children = children

    def __enter__(self) -> "PeakRSS":
        gc.collect()
        self._proc = psutil.Process()
        self.base = self._rss()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _rss(self) -> int:
        total = self._proc.memory_info().rss
        if self.children:
            for child in self._proc.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:  # it ended between listing and reading
                    pass
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.005)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def extra_mb(self) -> float:
        return (self.peak - self.base) / 2**20


def row(benchmark: str, case: str, median: float, unit: str = "s", baseline: str = "", ratio: float | None = None,
        goal: str = "", peak_mb: float | None = None, notes: str = "") -> dict[str, Any]:
    return dict(benchmark=benchmark, case=case, median=median, unit=unit, baseline=baseline, ratio=ratio,
                goal=goal, peak_mb=peak_mb, notes=notes)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    head = "| benchmark | case | median | baseline | ratio | goal | peak extra MiB | notes |"
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        med = f"{r['median']:.4g} {r['unit']}"
        ratio = "" if r.get("ratio") is None else f"{r['ratio']:.2f}x"
        peak = "" if r.get("peak_mb") is None else f"{r['peak_mb']:.0f}"
        lines.append(f"| {r['benchmark']} | {r['case']} | {med} | {r.get('baseline', '')} | {ratio} | "
                     f"{r.get('goal', '')} | {peak} | {r.get('notes', '')} |")
    return "\n".join(lines)
