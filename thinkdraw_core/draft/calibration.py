"""The draft's per-face gain search: which gain per AU draws the plan so that the reader sees it.

The same pull reads differently on different faces, and the blendshape model is coupled and not monotonic
(browInnerUp and browDown trade off; a corner pulled further can read as less of a frown), so a gain cannot be
solved for AU by AU. `GainSearch` searches it in a closed loop over one interface: `measure(gains) -> Trial`,
what the apex drawn at those gains reads (renderer.ApexTrials draws and measures it; tests use fakes). It
knows nothing of faces, pictures or the envelope: a measurer refuses a trial it must never choose
(`Trial.beyond`, `Trial.face_found`).

What it weighs (`GainSearch.cost`): each requested AU's shortfall against its intensity, plus VISIBLE_PENALTY
while it rises less than VISIBLE_RISE (as much as a full request drawn at nothing: every requested AU seen
comes before any one drawn large); an AU outside the plan may move LEAK_FREE for free and costs LEAK_WEIGHT
per unit beyond, plus LEAK_STEP once it rises past LEAK_LIMIT (a little under the 0.15 anyone reads as a leak:
a leak just under it should not flip with a few changed pixels); an `opposite` AU (a smile the plan
contradicts) rising OPPOSITE_RISE costs more than every target unseen together; GAIN_PRIOR per |log gain|
keeps ties at 1.
The step is small next to VISIBLE_PENALTY, so the search still trades a leak for a requested AU coming into
sight.

The strategies, in the order they run:
  sweep        each searched AU's gain over GAIN_STEPS, one AU at a time, up to `sweeps` times until a sweep
               finds nothing better;
  trade_off    (within each sweep, once the one-at-a-time steps find nothing) an unseen AU drawn stronger with
               another requested AU weaker: the model reads some pairs on one axis (sad's inner brow raise and
               brow lowerer), so one shows only while the other gives way. Tried only where a trial shows a
               sign of it (OUT_OF_REACH, MASK_EVIDENCE); where none shows, the pairs found nothing;
  repair_leak  a leak past LEAK_LIMIT that outlived the sweeps (they move one AU at a time, and the AU driving
               the leak may hold up another requested AU): each searched AU drawn at REPAIR_GAIN in turn, and
               where that ends the leak the search starts again from there. A restart gives up once a sweep
               leaves it behind the optimum it would replace; the better optimum stays.
Two more restarts, for an AU still unseen beside another requested AU (a bisection between two gain steps
where both might show, and the other AU drawn stronger instead of weaker), were dropped: on the held-out
portraits they changed no reading and cost 4 % more trial frames (docs/tuning-log.md, 2026-12-07).
Trials already measured are looked up, never drawn again (the measurement is deterministic). A trial the
measurer refuses on a second look after the search (`GainSearch.refuse`: renderer.ApexTrials draws the chosen
gains again on the way to the apex) is never chosen again, and the best trial left is.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

GAIN_STEPS = (0.5, 0.75, 1.0, 1.4, 2.0)
# sad's lip corners on a mouth that parts as they pull read as a pucker until drawn at a quarter
REPAIR_GAIN = 0.25
LEAK_FREE, LEAK_WEIGHT, GAIN_PRIOR = 0.10, 1.0, 0.05
LEAK_LIMIT, LEAK_STEP = 0.14, 0.3
VISIBLE_RISE, VISIBLE_PENALTY = 0.08, 1.0
# An unseen AU is tried stronger with another requested AU weaker only where some trial read it rising
# OUT_OF_REACH, or that other AU drawn weaker alone let it read MASK_EVIDENCE more (furious' upper lip raiser
# beside its pressed lips reads below rest at every gain tried: 47 of its 121 trial frames went to its pairs).
OUT_OF_REACH, MASK_EVIDENCE = VISIBLE_RISE / 2, 0.01
SWEEPS = 3
# An `opposite` AU (a smile where the plan asks for a negative emotion and none) rising OPPOSITE_RISE makes the
# face say the opposite of the plan: that costs more than every target unseen together, so the search gives
# up any reading before it keeps the smile, and counts as a leak for repair_leak. (A little under the 0.10 that
# reads as a smile coming, so one just under it does not flip with a few changed pixels.)
OPPOSITE_RISE = 0.08
# a start that is refused (beyond the envelope as drawn) is drawn START_SHRINK as strong, up to START_SHRINKS
# times
START_SHRINK, START_SHRINKS = 0.8, 4
STRATEGIES = frozenset({"trade_off", "repair_leak"})


@dataclass(frozen=True)
class Trial:
    """What the apex drawn at one set of gains reads: each target AU's rise against the rest frame
    (`readings`), each watched AU's (outside the plan) change (`moved`). A trial whose drawing is beyond what
    the measurer allows (`beyond`: why, non-empty) or where no face was found is never chosen; `drawn` is
    False for one refused before it was drawn (it cost no frame)."""

    readings: Mapping[int, float] = field(default_factory=dict)
    moved: Mapping[int, float] = field(default_factory=dict)
    beyond: Mapping[str, float] | None = None
    face_found: bool = True
    drawn: bool = True

    @property
    def acceptable(self) -> bool:
        return self.face_found and not self.beyond


Gains = dict[int, float]
Measure = Callable[..., Trial]


def trial_key(gains: Mapping[int, float]) -> tuple:
    return tuple(sorted(gains.items()))


def serial_map(fn: Measure, trials: list[Gains]) -> list[Trial]:
    return [fn(t) for t in trials]


class GainSearch:
    """The closed-loop gain search (see the module's doc) over `measure(gains) -> Trial`.

    targets: AU -> requested intensity, the AUs whose readings are chased. free: more AUs whose gains are
    searched for the leaks they cause alone (the model cannot read them). opposite: watched AUs that must not
    rise OPPOSITE_RISE (see there). map_trials(measure, trials) measures a batch (by default one after the other;
    renderer._TrialPool measures two at a time). strategies: the names from STRATEGIES to use besides the
    sweep."""

    def __init__(self, measure: Measure, targets: Mapping[int, float], free: Sequence[int] = (), *,
                 steps: Sequence[float] = GAIN_STEPS, sweeps: int = SWEEPS,
                 map_trials: Callable[[Measure, list[Gains]], list[Trial]] = serial_map,
                 strategies: Iterable[str] = STRATEGIES, opposite: Sequence[int] = ()):
        unknown = set(strategies) - STRATEGIES
        if unknown:
            raise ValueError(f"unknown calibration strategies {sorted(unknown)}; known: {sorted(STRATEGIES)}")
        self.measure, self.targets, self.free = measure, dict(targets), list(free)
        self.steps, self.sweeps, self.map_trials = tuple(steps), sweeps, map_trials
        self.strategies = frozenset(strategies)
        self.opposite = tuple(opposite)
        # every target unseen and drawn at nothing: what an opposite AU costs beyond it
        self.opposite_cost = sum(want + VISIBLE_PENALTY for want in self.targets.values()) + VISIBLE_PENALTY
        # trial key -> (cost, target readings, leaks past LEAK_LIMIT), and the trial itself
        self.measured: dict[tuple, tuple[float, dict[int, float], dict[int, float]]] = {}
        self.trials: dict[tuple, Trial] = {}
        self.history: list[dict] = []
        self.gains: Gains = {}
        self.best, self.got = float("inf"), {}

    # --- what a trial costs -------------------------------------------------------------------------------
    def cost(self, trial: Trial, gains: Mapping[int, float]) -> tuple[float, dict[int, float], dict[int, float]]:
        """(cost, target readings, leaks past LEAK_LIMIT) of one measured trial; inf where it is refused."""
        if not trial.acceptable:
            return float("inf"), {}, {}
        got = {au: float(trial.readings.get(au, 0.0)) for au in self.targets}
        # the reading should approach the requested intensity (so where the model trades two AUs off, as
        # browInnerUp and browDown, the stronger request weighs more), and a reading under the visibility
        # floor costs extra: an AU nobody can see is worse than two drawn a little short
        short = sum(max(0.0, want - got[au]) + (VISIBLE_PENALTY if got[au] < VISIBLE_RISE else 0.0)
                    for au, want in self.targets.items())
        moved = list(trial.moved.values())
        leak = sum(max(0.0, abs(m) - LEAK_FREE) for m in moved) + LEAK_STEP * sum(m > LEAK_LIMIT for m in moved)
        # a small pull towards the drawn amplitudes the plan asked for, so ties keep gain 1
        prior = GAIN_PRIOR * sum(abs(np.log(g)) for g in gains.values())
        opposite = [au for au in self.opposite if trial.moved.get(au, 0.0) >= OPPOSITE_RISE]
        leaks = {au: m for au, m in trial.moved.items() if m > LEAK_LIMIT or au in opposite}
        return short + LEAK_WEIGHT * leak + prior + self.opposite_cost * len(opposite), got, leaks

    def costs(self, batch: list[Gains]) -> list[tuple[float, dict[int, float], dict[int, float]]]:
        keys = [trial_key(trial) for trial in batch]
        new, seen = [], set()
        for trial, key in zip(batch, keys):
            if key not in self.measured and key not in seen:
                new.append((trial, key))
                seen.add(key)
        for (trial, key), result in zip(new, self.map_trials(self.measure, [trial for trial, _ in new])):
            self.trials[key] = result
            self.measured[key] = self.cost(result, trial)
        return [self.measured[key] for key in keys]

    # --- the search ---------------------------------------------------------------------------------------
    def run(self, start: Gains, shrink_first: Iterable[int] = ()) -> Gains:
        """The best gains found from `start`. Where the start itself is refused as drawn (`Trial.beyond`), the
        AUs in `shrink_first` (all where empty) are drawn START_SHRINK as strong together until it is not."""
        gains = dict(start)
        self.costs([gains])
        for _ in range(START_SHRINKS):
            if not self.trials[trial_key(gains)].beyond:
                break
            weaker = set(shrink_first) or set(gains)
            gains = {au: round(g * START_SHRINK, 4) if au in weaker else g for au, g in gains.items()}
            self.costs([gains])
        self.gains = gains
        self.best, self.got, _ = self.measured[trial_key(gains)]
        self._search("sweep")
        if self.targets and self.sweeps:
            if "repair_leak" in self.strategies and self.measured[trial_key(self.gains)][2]:
                self._repair_leak()
        return self.gains

    def refuse(self, gains: Mapping[int, float], beyond: Mapping[str, float]) -> Gains:
        """Take back a trial the measurer refuses on a second look (`beyond`: why): it is never chosen again,
        and the best trial left is (the start, where none is left). Returns the gains now chosen."""
        key = trial_key(gains)
        self.trials[key] = replace(self.trials[key], beyond=dict(beyond))
        self.measured[key] = (float("inf"), {}, {})
        best = min(self.measured, key=lambda k: self.measured[k][0])  # all refused: the first measured, the start
        self.best, self.got, _ = self.measured[best]
        self.gains = dict(best)
        return self.gains

    def unseen(self) -> list[int]:
        return [au for au in self.targets if self.got.get(au, 0.0) < VISIBLE_RISE]

    @property
    def drawn(self) -> int:
        """How many trials were drawn and measured (a trial refused undrawn costs nothing)."""
        return sum(t.drawn for t in self.trials.values())

    def _sweep_each(self, batches: Iterable[list[Gains]]) -> bool:
        """Each batch's trials are measured at once; they are accepted in order, as if one by one."""
        improved = False
        for batch in batches:
            for trial, (c, m, _) in zip(batch, self.costs(batch)):
                if c < self.best - 1e-6:
                    self.best, self.got, self.gains, improved = c, m, trial, True
        return improved

    def _search(self, label: str, to_beat: float = float("inf")) -> None:
        """Sweeps until one finds nothing better; a restart gives up once a sweep leaves it behind `to_beat`,
        the optimum it would replace."""
        for sweep in range(self.sweeps if self.targets else 0):
            improved = self._sweep_each(self._one_at_a_time())
            if not improved and "trade_off" in self.strategies:
                improved = self._sweep_each(self._unseen_with_a_masker_giving_way())
            self.history.append({label: sweep, "gains": dict(self.gains), "cost": round(float(self.best), 4),
                                 "measured": {au: round(float(v), 3) for au, v in self.got.items()}})
            if not improved or self.best >= to_beat:
                break

    def _restart(self, trial: Gains, result, why: dict) -> None:
        """Search again from `trial` (its measured result); the better of the two optima stays."""
        kept = self.best, self.got, self.gains
        (self.best, self.got, _), self.gains = result, trial
        self._search("restart", to_beat=kept[0])
        self.history.append({**why, "better": bool(self.best < kept[0])})
        if kept[0] <= self.best:
            self.best, self.got, self.gains = kept

    def _one_at_a_time(self):
        # one AU's steps differ from each other only in that AU, so accepting one of them changes none of its
        # siblings: they make one batch
        for au in [*self.targets, *self.free]:
            yield [{**self.gains, au: g} for g in self.steps if g != self.gains[au]]

    # --- trade off two AUs --------------------------------------------------------------------------------
    def _best_reading(self, au: int) -> float:
        return max((result[1][au] for result in self.measured.values() if au in result[1]), default=0.0)

    def _may_give_way_for(self, other: int, au: int) -> bool:
        """Whether drawing `other` weaker is worth a batch for the unseen `au`: some trial has read `au` at least
        OUT_OF_REACH, or `other` drawn weaker alone (the sweep before measured it) let `au` read more."""
        if self._best_reading(au) >= OUT_OF_REACH:
            return True
        weaker = [self.measured.get(trial_key({**self.gains, other: g})) for g in self.steps if g < self.gains[other]]
        return any(result is None or result[1].get(au, 0.0) > self.got.get(au, 0.0) + MASK_EVIDENCE
                   for result in weaker)

    def _unseen_with_a_masker_giving_way(self):
        for au in self.unseen():
            for other in (o for o in self.targets if o != au and self._may_give_way_for(o, au)):
                for up in [g for g in self.steps if g > self.gains[au]]:
                    # the steps down for one step up differ only in the two AUs every one of them sets
                    yield [{**self.gains, au: up, other: down} for down in self.steps if down < self.gains[other]]

    # --- repair a leak ------------------------------------------------------------------------------------
    def _repair_leak(self) -> None:
        """Draw each searched AU at REPAIR_GAIN in turn, and where that ends the leak (the most of it), search
        again from there."""
        leaks = self.measured[trial_key(self.gains)][2]
        trials = [{**self.gains, au: REPAIR_GAIN} for au in [*self.targets, *self.free]
                  if self.gains[au] > REPAIR_GAIN]
        results = self.costs(trials)
        size = sum(leaks.values())
        fixes = [(sum(lk.values()), i) for i, (c, _, lk) in enumerate(results)
                 if np.isfinite(c) and sum(lk.values()) < size - 1e-6]
        if fixes:
            i = min(fixes)[1]
            driver = next(au for au in self.gains if self.gains[au] != trials[i][au])
            self._restart(trials[i], results[i], {"restarted_from": driver,
                                                  "leaks": {au: round(float(v), 3) for au, v in leaks.items()}})
