"""Guidance over time: each beat of an arc conditions its own latent frames (tiny real Wan model, CPU)."""
from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

from thinkdraw_core.guidance.window import WindowLayout
from thinkdraw_core.plan import ActionUnit, AUPlan, Beat, EmotionComponent, EmotionSummary, PlanError, Timeline


def arc() -> AUPlan:
    calm = Beat(text="calm", timeline=Timeline(start=0.0, onset=0.01))
    anger = Beat(text="a flash of anger", action_units=[ActionUnit(4, 0.9), ActionUnit(23, 0.6)],
                 emotion=EmotionSummary([EmotionComponent("anger", 1.0)]), timeline=Timeline(start=1.0, onset=0.2))
    joy = Beat(text="then relief", action_units=[ActionUnit(12, 0.8), ActionUnit(6, 0.5)],
               emotion=EmotionSummary([EmotionComponent("happiness", 1.0)]), timeline=Timeline(start=2.0, onset=0.2))
    return AUPlan.from_beats("calm, then a flash of anger, then relief", [calm, anger, joy], beat_timing="fixed")


@pytest.fixture(scope="module")
def env(comfy_on_path, pack):
    import tiny_model

    class Env:
        pass

    e = Env()
    e.G = importlib.import_module(f"{pack.__name__}.nodes.guidance")
    e.T = importlib.import_module(f"{pack.__name__}.nodes.text_encode")
    e.clip = tiny_model.tiny_clip()
    e.wan = tiny_model.tiny_wan()
    e.negative = e.clip.encode_from_tokens_scheduled(e.clip.tokenize(""))
    mouth = torch.zeros(1, 64, 64)
    mouth[:, 40:] = 1.0
    e.mouth = mouth
    return e


def encode(env, plan, **kw):
    return env.T.ThinkDrawAUTextEncode.execute(env.clip, plan, mouth_mask=env.mouth, **kw).result


def test_every_beat_gets_its_global_entry_and_its_own_regions(env):
    glob, regions, _, text = encode(env, arc())
    assert [d[env.T.BEAT_KEY]["index"] for _, d in glob] == [0, 1, 2]
    assert {r.beat for r in regions} == {1, 2} and len({r.key for r in regions}) == len(regions)
    assert "anger" in text and "happiness" in text
    mouth_keys = sorted(r.key for r in regions if r.name == "mouth")
    assert mouth_keys == ["mouth@beat1", "mouth@beat2"]


def test_the_guider_masks_each_beat_on_its_frames(env):
    glob, regions, *_ = encode(env, arc())
    # 16 fps, 13 latent frames = 49 video frames (3 s): anger from 1.0 s, relief from 2.0 s
    guider = env.G.ProgressiveGuider(env.wan, env.G.StageSchedule(env.G.preset_stages(
        glob, tuple(regions), 5.0, 5.0, 0.0, 0.0, "constant", 1.0)), env.negative, "batched", WindowLayout(fps=16.0))
    guider.latent_shape = (1, 16, 13, 8, 8)
    timed = guider._beats_in_time(glob)
    share = np.stack([d["mask"][:, 0, 0].numpy() for _, d in timed])
    times = WindowLayout(fps=16.0).times(13)
    np.testing.assert_allclose(share.sum(axis=0), 1.0, atol=1e-6)  # every frame is conditioned
    assert np.all(share[0, times < 0.95] == 1.0)
    assert share[1, (times > 1.25) & (times < 1.95)].min() > 0.99
    assert share[2, times > 2.25].min() > 0.99 and share[2, times < 1.95].max() == 0
    masks = guider._fit_masks(guider.latent_shape)
    anger_mouth, joy_mouth = masks["mouth@beat1"], masks["mouth@beat2"]
    assert anger_mouth[times > 2.25].max() == 0 and joy_mouth[times < 1.95].max() == 0
    assert joy_mouth[-1, -1].min() > 0.99 and joy_mouth[-1, 0].max() < 0.01  # still the mouth mask in space


@pytest.mark.parametrize("mode", ["batched", "attention"])
def test_an_arc_samples_a_video_in_both_paths(env, mode):
    glob, regions, *_ = encode(env, arc())
    one_glob, one_regions, *_ = encode(env, arc(), beat=1)
    lat = {"samples": torch.zeros(1, 16, 13, 8, 8)}

    def run(g, r):
        return env.G.ThinkDrawProgressiveGuidanceSampler.execute(
            env.wan, seed=3, steps=2, sampler_name="euler", scheduler="simple", positive=g, negative=env.negative,
            latent_image=lat, regions=r, global_cfg=5.0, local_cfg=5.0, local_start=0.0, local_full=0.0,
            ramp="constant", local_weight=1.0, denoise=1.0, mode=mode).result[0]["samples"]

    whole, anger_only = run(glob, regions), run(one_glob, one_regions)
    assert torch.isfinite(whole).all()
    frames = WindowLayout(fps=16.0).times(13)
    # anger's own frames are (almost) what drawing anger alone gives; the relief frames are not
    inside, after = (frames > 1.25) & (frames < 1.95), frames > 2.25
    d_in = (whole[:, :, inside] - anger_only[:, :, inside]).norm() / anger_only[:, :, inside].norm()
    d_after = (whole[:, :, after] - anger_only[:, :, after]).norm() / anger_only[:, :, after].norm()
    assert d_after > 2 * d_in


def test_an_image_draws_one_chosen_beat(env):
    glob, regions, *_ = encode(env, arc())
    lat = {"samples": torch.zeros(1, 4, 8, 8)}
    with pytest.raises(ValueError, match="set AU Text Encode's 'beat'"):
        env.G.ProgressiveGuider(env.wan, env.G.StageSchedule(env.G.preset_stages(
            glob, tuple(regions), 5.0, 5.0, 0.0, 0.0, "constant", 1.0)), env.negative, "batched").sample(
            torch.zeros(1, 16, 8, 8), lat["samples"], None, torch.tensor([1.0, 0.0]))
    one, one_regions, _, text = encode(env, arc(), beat=2)
    assert env.T.BEAT_KEY not in one[0][1] and {r.beat for r in one_regions} == {2} and "happiness" in text
    with pytest.raises(PlanError, match="beat is 3 but the plan has 3 beat"):
        encode(env, arc(), beat=3)


def test_seconds_spread_an_arc_without_durations(env):
    shared = AUPlan.from_beats(arc().text, arc().beats)  # beat_timing "shared"
    glob, *_ = encode(env, shared, seconds=9.0)
    share = glob[2][1][env.T.BEAT_KEY]["envelope"](np.array([5.0, 7.5]))
    assert share.tolist() == [0.0, 1.0]  # the third beat now starts at 2/3 of 9 s
