"""The draft's gain search (thinkdraw_core/draft/calibration.py) over fake measurers: each strategy finds what
it is for, and only where its sign shows. No face, picture or landmarker is involved: a fake `measure(gains)`
returns what a face would read."""
from __future__ import annotations

import pytest

from thinkdraw_core.draft import calibration
from thinkdraw_core.draft.calibration import GAIN_STEPS, GainSearch, Trial, trial_key


class Fake:
    """A measurer from a function gains -> (readings, moved), counting what it draws."""

    def __init__(self, read, beyond=None):
        self.read, self.beyond, self.calls = read, beyond, []

    def __call__(self, gains):
        self.calls.append(dict(gains))
        if self.beyond and self.beyond(gains):
            return Trial(beyond={"brow_raise": 0.2}, drawn=False)
        readings, moved = self.read(gains)
        return Trial(readings, moved)


def test_the_sweep_draws_each_au_as_strong_as_its_reading_asks_and_ties_keep_gain_1():
    # AU1 reads 0.3 per unit gain, requested at 0.6: only the top step reaches it. AU12 reads its request at
    # any gain from 1 up (the reader saturates): nothing to gain from drawing it stronger
    fake = Fake(lambda g: ({1: 0.3 * g[1], 12: min(0.5, 0.5 * g[12])}, {}))
    search = GainSearch(fake, {1: 0.6, 12: 0.5})
    gains = search.run({1: 1.0, 12: 1.0})
    assert gains == {1: GAIN_STEPS[-1], 12: 1.0}
    assert search.unseen() == [] and search.got[1] == pytest.approx(0.6)
    # every trial drawn once: a sweep revisits gains the one before tried, and looks them up
    keys = [trial_key(g) for g in fake.calls]
    assert len(keys) == len(set(keys)) == search.drawn
    assert [step.get("sweep") for step in search.history] == [0, 1]  # the second sweep found nothing better


def test_a_leak_costs_what_it_moves_past_the_free_band():
    search = GainSearch(Fake(lambda g: ({}, {})), {1: 0.5})
    quiet = search.cost(Trial({1: 0.5}, {14: 0.05}), {1: 1.0})[0]
    small = search.cost(Trial({1: 0.5}, {14: 0.12}), {1: 1.0})[0]
    past = search.cost(Trial({1: 0.5}, {14: 0.2}), {1: 1.0})
    assert quiet == pytest.approx(0.0) and small == pytest.approx(0.02)
    assert past[0] == pytest.approx(0.1 + calibration.LEAK_STEP) and past[2] == {14: 0.2}
    # unseen costs the penalty on top of its shortfall; a refused trial is never chosen
    assert search.cost(Trial({1: 0.05}), {1: 1.0})[0] == pytest.approx(0.45 + calibration.VISIBLE_PENALTY)
    assert search.cost(Trial(face_found=False), {1: 1.0})[0] == float("inf")


def test_a_refused_trial_is_never_chosen_and_an_au_unseen_inside_is_left_unseen():
    # AU2 would read only drawn at 2x, which the measurer refuses (beyond the envelope)
    fake = Fake(lambda g: ({2: 0.1 if g[2] >= 2.0 else 0.02}, {}), beyond=lambda g: g[2] > 1.5)
    search = GainSearch(fake, {2: 0.6})
    gains = search.run({2: 1.0})
    assert gains[2] <= 1.5 and search.unseen() == [2]
    assert search.drawn == len(search.trials) - 1  # the refused trial was not drawn


def test_a_trial_refused_on_a_second_look_is_never_chosen_again_and_the_best_left_is():
    # AU1 reads 0.3 per unit gain, requested at 0.6: the sweep settles on the top step
    fake = Fake(lambda g: ({1: 0.3 * g[1]}, {}))
    search = GainSearch(fake, {1: 0.6}, sweeps=1)
    assert search.run({1: 1.0}) == {1: 2.0}
    drawn = search.drawn
    # refused (a frame on the way to that apex shows a region past the envelope): the next step down is the best
    # left, with its own readings, and nothing is drawn again
    assert search.refuse({1: 2.0}, {"corner_drop": 0.09}) == {1: 1.4}
    assert search.got[1] == pytest.approx(0.42) and search.drawn == drawn
    assert search.trials[trial_key({1: 2.0})].beyond == {"corner_drop": 0.09}
    assert search.refuse({1: 1.4}, {"corner_drop": 0.09}) == {1: 1.0}
    assert search.best == pytest.approx(search.cost(Trial({1: 0.3}), {1: 1.0})[0])


def test_a_start_refused_as_drawn_is_drawn_weaker_before_the_search():
    # the picture shows the start beyond the limit until the held AU is drawn at 0.64 or less
    def read(g):
        return {1: 0.3 * g[1], 2: 0.3}, {}

    class SeenBeyond(Fake):
        def __call__(self, gains):
            self.calls.append(dict(gains))
            if gains[1] > 0.7:
                return Trial(beyond={"brow_raise": 0.1})  # drawn, then refused
            return Trial(*read(gains))

    fake = SeenBeyond(read)
    search = GainSearch(fake, {1: 0.3, 2: 0.3}, sweeps=0)
    gains = search.run({1: 1.0, 2: 1.0}, shrink_first=[1])
    assert gains == {1: 0.64, 2: 1.0}  # 1.0 -> 0.8 -> 0.64, the other AU untouched
    assert [c[1] for c in fake.calls] == [1.0, 0.8, 0.64]


def masked_pair(evidence: bool):
    """AU4 hides AU1 (the model reads both brows on one axis): AU1 reads only drawn stronger while AU4 gives
    way. With `evidence`, AU4 drawn weaker alone lets AU1 stir a little."""

    def read(g):
        if g[1] >= 1.4 and g[4] <= 0.75:
            r1 = 0.2
        elif g[4] <= 0.75 and evidence:
            r1 = 0.05
        else:
            r1 = 0.0
        return {1: r1, 4: 0.3 * g[4]}, {}
    return Fake(read)


def test_trade_off_draws_an_unseen_au_stronger_while_its_masker_gives_way():
    fake = masked_pair(evidence=True)
    search = GainSearch(fake, {1: 0.5, 4: 0.5})
    gains = search.run({1: 1.0, 4: 1.0})
    assert gains[1] >= 1.4 and gains[4] <= 0.75 and search.unseen() == []
    # without the strategy the sweep alone cannot find it: one AU at a time, AU1 stays hidden
    alone = GainSearch(masked_pair(evidence=True), {1: 0.5, 4: 0.5}, strategies=())
    alone.run({1: 1.0, 4: 1.0})
    assert alone.unseen() == [1]


def test_trade_off_costs_no_pair_trials_without_a_sign_of_a_masker():
    # nothing reads AU1 stirring: the pairs would find nothing, and are not tried (the same trials as the
    # sweep alone draws)
    fake, alone = masked_pair(evidence=False), masked_pair(evidence=False)
    search = GainSearch(fake, {1: 0.5, 4: 0.5})
    search.run({1: 1.0, 4: 1.0})
    GainSearch(alone, {1: 0.5, 4: 0.5}, strategies=()).run({1: 1.0, 4: 1.0})
    assert fake.calls == alone.calls and search.unseen() == [1]


def leak_driven_by_15(stays_seen: bool):
    """AU15 drives a leak on AU20 (watched) unless drawn at a quarter; drawn that weak it still reads where
    `stays_seen`."""

    def read(g):
        r15 = 0.3 if g[15] > calibration.REPAIR_GAIN or stays_seen else 0.0
        return {15: r15, 17: 0.3 * g[17]}, {20: 0.3 if g[15] > calibration.REPAIR_GAIN else 0.0}
    return Fake(read)


def test_repair_leak_restarts_from_the_au_driving_a_leak_the_sweeps_kept():
    search = GainSearch(leak_driven_by_15(stays_seen=True), {15: 0.3, 17: 0.3})
    gains = search.run({15: 1.0, 17: 1.0})
    assert gains[15] == calibration.REPAIR_GAIN and search.measured[trial_key(gains)][2] == {}
    restart = [step for step in search.history if "restarted_from" in step]
    assert restart == [{"restarted_from": 15, "leaks": {20: 0.3}, "better": True}]
    # without the strategy the sweeps keep the leak
    kept = GainSearch(leak_driven_by_15(stays_seen=True), {15: 0.3, 17: 0.3}, strategies=())
    assert kept.measured.get(trial_key(kept.run({15: 1.0, 17: 1.0})))[2] == {20: 0.3}


def test_a_restart_that_falls_behind_gives_up_after_one_sweep_and_the_better_optimum_stays():
    # ending the leak hides AU15: the restart's first sweep climbs back to the leak and stays behind
    search = GainSearch(leak_driven_by_15(stays_seen=False), {15: 0.3, 17: 0.3})
    before = None

    def note_best(*args, **kwargs):
        nonlocal before
        before = dict(search.gains)
        return original(*args, **kwargs)

    original, search._restart = search._restart, note_best
    gains = search.run({15: 1.0, 17: 1.0})
    assert gains == before and gains[15] > calibration.REPAIR_GAIN
    assert [step["better"] for step in search.history if "restarted_from" in step] == [False]
    assert len([step for step in search.history if "restart" in step]) == 1


def test_an_unknown_strategy_is_named():
    with pytest.raises(ValueError, match="unknown calibration strategies"):
        GainSearch(Fake(lambda g: ({}, {})), {1: 0.5}, strategies={"anneal"})


def test_nothing_to_read_searches_nothing():
    fake = Fake(lambda g: ({}, {}))
    search = GainSearch(fake, {}, free=[6])
    assert search.run({6: 1.0}) == {6: 1.0} and len(fake.calls) == 1 and search.history == []



def smile_with_the_stretch(g):
    """Fear's lip stretcher reads, and a smile rises with it (a mouth stretched along a smile's line)."""
    return {20: 0.3 * g[20], 1: 0.2}, {12: 0.14 * g[20]}


def test_an_opposite_au_rising_costs_more_than_every_target_unseen():
    # a smile where the plan asks for a negative emotion: the search gives the stretcher's reading up before
    # it keeps the smile
    search = GainSearch(Fake(smile_with_the_stretch), {20: 0.6, 1: 0.2}, opposite=[12])
    gains = search.run({20: 1.0, 1: 1.0})
    assert search.trials[trial_key(gains)].moved[12] < calibration.OPPOSITE_RISE
    assert gains[20] == 0.5 and search.got[20] == pytest.approx(0.15)
    # as an ordinary leak, the smile is kept where it is cheaper than the reading it would cost
    plain = GainSearch(Fake(smile_with_the_stretch), {20: 0.6, 1: 0.2})
    assert plain.trials[trial_key(plain.run({20: 1.0, 1: 1.0}))].moved[12] >= calibration.OPPOSITE_RISE
    # and it counts as a leak, so repair_leak looks for the AU driving it
    assert search.cost(Trial({20: 0.3, 1: 0.2}, {12: 0.11}), {20: 1.0})[2] == {12: 0.11}
