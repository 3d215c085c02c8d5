"""Progressive guidance on ComfyUI's talking-video models, built tiny from ComfyUI's own classes.

HuMo (WanHuMoImageToVideo, Whisper features), Wan 2.2 S2V (WanSoundImageToVideo + Extend, wav2vec2
features) and Wan 2.2 Animate (WanAnimateToVideo, face video): each model is instrumented with a
DIFFUSION_MODEL wrapper that records what every call receives, and a hook on a block's cross-attention
that records which region's words it attends to. The local stages must receive the audio, reference
and face extras the model's conditioning node attached, and the regions must be composed in the same
call (one pass), on the right latent frames.
"""
from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

from thinkdraw_core.plan import ActionUnit, AUPlan, EmotionComponent, EmotionSummary, Timeline

SIZE = 32  # video pixels (latent 4x4)


@pytest.fixture(scope="module")
def env(comfy_on_path, pack):
    import tiny_model

    import comfy.samplers
    from comfy_extras import nodes_wan
    from comfy_extras.nodes_custom_sampler import BasicScheduler, Noise_RandomNoise, SamplerCustomAdvanced

    class Env:
        pass

    e = Env()
    e.tiny, e.wan_nodes, e.samplers = tiny_model, nodes_wan, comfy.samplers
    e.G = importlib.import_module(f"{pack.__name__}.nodes.guidance")
    e.T = importlib.import_module(f"{pack.__name__}.nodes.text_encode")
    e.R = importlib.import_module(f"{pack.__name__}.nodes.regional_dit")
    e.BasicScheduler, e.Noise, e.SCA = BasicScheduler, Noise_RandomNoise, SamplerCustomAdvanced
    e.clip = tiny_model.tiny_clip()
    e.vae = tiny_model.tiny_wan_vae()
    e.plan = AUPlan(text="quietly delighted", action_units=[ActionUnit(6, 0.7), ActionUnit(12, 0.9)],
                    emotion=EmotionSummary([EmotionComponent("joy", 0.9)]),
                    timeline=Timeline(start=0.0, onset=0.05, apex=1.0, offset=0.2, sustain=False))
    mouth = torch.zeros(1, 64, 64)
    mouth[:, 40:] = 1.0
    glob, regions, *_ = e.T.ThinkDrawAUTextEncode.execute(e.clip, e.plan, mouth_mask=mouth, cheeks_mask=mouth).result
    e.glob, e.regions = glob, regions
    e.negative = e.clip.encode_from_tokens_scheduled(e.clip.tokenize("static, blurry"))
    gen = torch.Generator().manual_seed(1)
    e.portrait = torch.rand(1, SIZE, SIZE, 3, generator=gen)
    e.speech = {"waveform": torch.randn(1, 1, 16000, generator=gen) * 0.1, "sample_rate": 16000}  # 1 s
    return e


class Recorder:
    """What each diffusion-model call receives, and which region words its first block attends to."""

    def __init__(self, env, model, regions):
        from comfy.patcher_extension import WrappersMP

        self.calls: list[dict] = []
        self.model = model.clone()
        self.model.add_wrapper_with_key(WrappersMP.DIFFUSION_MODEL, "test_recorder", self._wrapper)
        dm = model.model.diffusion_model
        with torch.no_grad():
            self.region_words = {r.name: dm.text_embedding(r.conditioning[0][0].float()) for r in regions}
        self.hook = dm.blocks[0].cross_attn.k.register_forward_hook(self._k)

    def _wrapper(self, executor, x, timestep, context, *args, **kwargs):
        options = args[2] if len(args) > 2 else kwargs.get("transformer_options", {})
        self.current = {"sigma": float(options["sigmas"].flatten()[0]), "cond_or_uncond": list(options["cond_or_uncond"]),
                        "x": x.shape, "kwargs": {k: v for k, v in kwargs.items() if torch.is_tensor(v)},
                        "regions": set()}
        if args and torch.is_tensor(args[0]):  # WanModel.forward passes clip_fea by position
            self.current["kwargs"]["clip_fea"] = args[0]
        self.calls.append(self.current)
        return executor(x, timestep, context, *args, **kwargs)

    def _k(self, module, args, output):
        ctx = args[0]
        for name, words in self.region_words.items():
            if ctx.shape[-2:] == words.shape[-2:] and torch.equal(ctx[0], words[0].to(ctx)):
                self.current["regions"].add(name)

    def close(self):
        self.hook.remove()

    def rows(self, call, key, kind):
        """The rows of a call's extra `key` that belong to the positive (kind 0) or negative (1)."""
        value = call["kwargs"][key]
        n = len(call["cond_or_uncond"])
        assert value.shape[0] % n == 0, f"{key} rows {value.shape[0]} do not split into {n} conds"
        return [c for c, k in zip(value.chunk(n), call["cond_or_uncond"]) if k == kind]


def stages(env, positive, local_positive=None, regions=None):
    S = env.G.ThinkDrawGuidanceStage
    first = S.execute(positive, 0.0, 0.5, 5.0, "constant", 1.0).result[0]
    return S.execute(local_positive if local_positive is not None else positive, 0.5, 1.0, 4.0, "constant", 1.0,
                     regions=env.regions if regions is None else regions, previous=first).result[0]


def sample(env, model, chain, negative, latent, steps=3, **guider_kw):
    guider = env.G.ThinkDrawProgressiveGuider.execute(model, chain, negative, **guider_kw).result[0]
    sigmas = env.BasicScheduler.execute(model, "simple", steps, 1.0).result[0]
    out = env.SCA.execute(env.Noise(5), guider, env.samplers.sampler_object("euler"), sigmas, latent).result[0]
    return out["samples"]


def split(calls, model, percent=0.5):
    """(global-stage calls, local-stage calls) by the stage switch's sigma."""
    switch = model.get_model_object("model_sampling").percent_to_sigma(percent)
    return [c for c in calls if c["sigma"] > switch], [c for c in calls if c["sigma"] <= switch]


def test_humo_local_stages_receive_audio_and_reference_with_regions_in_the_same_pass(env):
    model = env.tiny.tiny_humo()
    audio = env.tiny.tiny_whisper().encode_audio(env.speech["waveform"], 16000)
    pos, neg, latent = env.wan_nodes.WanHuMoImageToVideo.execute(
        env.glob, env.negative, env.vae, SIZE, SIZE, 9, 1, ref_image=env.portrait, audio_encoder_output=audio).result
    # the local stage's positive comes straight from the text encode: it must take HuMo's extras from stage 1
    rec = Recorder(env, model, env.regions)
    try:
        out = sample(env, rec.model, stages(env, pos, local_positive=env.glob), neg, latent, fps=25.0)
    finally:
        rec.close()
    assert out.shape == (1, 16, 3, SIZE // 8, SIZE // 8) and torch.isfinite(out).all()
    global_calls, local_calls = split(rec.calls, model)
    assert global_calls and local_calls
    assert all(not c["regions"] for c in global_calls), "regions evaluated in the global stage"
    for call in local_calls:
        assert call["regions"] == {"cheeks", "mouth"}, "the local stage must compose its regions in this call"
        assert {"audio_embed", "reference_latent"} <= set(call["kwargs"]), call["kwargs"].keys()
        [p_audio] = rec.rows(call, "audio_embed", 0)
        [n_audio] = rec.rows(call, "audio_embed", 1)
        assert p_audio.abs().sum() > 0 and n_audio.abs().sum() == 0  # speech on the positive, silence on the negative
        [p_ref] = rec.rows(call, "reference_latent", 0)
        [n_ref] = rec.rows(call, "reference_latent", 1)
        # the portrait on the positive; HuMo gives the negative a zero latent (constant after the latent format)
        assert not torch.equal(p_ref, n_ref) and (n_ref - n_ref[..., :1, :1]).abs().max() == 0


def test_humo_batched_region_conds_carry_the_audio(env):
    model = env.tiny.tiny_humo()
    audio = env.tiny.tiny_whisper().encode_audio(env.speech["waveform"], 16000)
    pos, neg, latent = env.wan_nodes.WanHuMoImageToVideo.execute(
        env.glob, env.negative, env.vae, SIZE, SIZE, 5, 1, ref_image=env.portrait, audio_encoder_output=audio).result
    rec = Recorder(env, model, [])
    try:
        sample(env, rec.model, stages(env, pos), neg, latent, mode="batched", fps=25.0)
    finally:
        rec.close()
    _, local_calls = split(rec.calls, model)
    positives = [row for call in local_calls for row in rec.rows(call, "audio_embed", 0)]
    # the global cond and the two region conds, every one with the speech
    assert len(positives) >= 3 and all(row.abs().sum() > 0 for row in positives)


def test_s2v_extend_window_keeps_audio_motion_and_maps_the_timeline(env):
    model = env.tiny.tiny_s2v()
    audio = env.tiny.tiny_wav2vec2().encode_audio(env.speech["waveform"], 16000)
    W = env.wan_nodes
    # 64 pixels: S2V packs its motion frames with 8x8 latent kernels
    pos, neg, first = W.WanSoundImageToVideo.execute(env.glob, env.negative, env.vae, 64, 64, 5, 1,
                                                     ref_image=env.portrait, audio_encoder_output=audio).result
    rec = Recorder(env, model, env.regions)
    try:
        sample(env, rec.model, stages(env, pos), neg, first)
        first_window = list(rec.calls)
        rec.calls.clear()
        # the next window continues the clip 8 video frames later (2 latent frames x 4); the plan's apex
        # (0.05 s..1.05 s, then 0.2 s of offset) still covers it at 16 fps, so regions act
        pos2, neg2, second = W.WanSoundImageToVideoExtend.execute(env.glob, env.negative, env.vae, 5, first,
                                                                  ref_image=env.portrait, audio_encoder_output=audio).result
        sample(env, rec.model, stages(env, pos2), neg2, second, video_frame_offset=8)
        second_window = list(rec.calls)
        rec.calls.clear()
        # the same window placed 2 s into the clip: the plan's expression is over there, so no region acts
        sample(env, rec.model, stages(env, pos2), neg2, second, video_frame_offset=32)
        late_window = list(rec.calls)
    finally:
        rec.close()
    for calls in (first_window, second_window):
        global_calls, local = split(calls, model)
        assert local and not any(c["regions"] for c in global_calls)
        assert all(c["regions"] == {"cheeks", "mouth"} for c in local)
        for call in local:
            assert {"audio_embed", "reference_latent", "control_video"} <= set(call["kwargs"])
            [p_audio] = rec.rows(call, "audio_embed", 0)
            assert p_audio.abs().sum() > 0
    # Extend attaches the first window's latent as motion frames, on the positive and the negative
    assert all("reference_motion" in c["kwargs"] for c in second_window)
    assert not any(c["regions"] for c in late_window), "the timeline must place each window in the clip"


def test_animate_face_video_reaches_local_stages_and_the_reference_frame_gets_no_region(env, monkeypatch):
    from comfy.clip_vision import Output

    model = env.tiny.tiny_animate()
    clip_vision = Output()
    clip_vision.penultimate_hidden_states = torch.randn(1, 257, 1280, generator=torch.Generator().manual_seed(2))
    face = torch.rand(5, 64, 64, 3, generator=torch.Generator().manual_seed(3))
    pos, neg, latent, trim_latent, _, _ = env.wan_nodes.WanAnimateToVideo.execute(
        env.glob, env.negative, env.vae, SIZE, SIZE, 1, 1, 5, 0, reference_image=env.portrait,
        clip_vision_output=clip_vision, face_video=face).result
    assert trim_latent == 1 and latent["samples"].shape[2] == 2
    seen = []
    real = env.R.dit_token_alphas

    def recording(*args, **kwargs):
        seen.append(real(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(env.R, "dit_token_alphas", recording)
    rec = Recorder(env, model, env.regions)
    try:
        # a window half a second into the clip, inside the plan's apex
        sample(env, rec.model, stages(env, pos), neg, latent, lead_latent_frames=trim_latent, video_frame_offset=8)
    finally:
        rec.close()
    _, local_calls = split(rec.calls, model)
    assert local_calls and all(c["regions"] == {"cheeks", "mouth"} for c in local_calls)
    for call in local_calls:
        assert {"face_pixel_values", "clip_fea"} <= set(call["kwargs"])
        [p_face] = rec.rows(call, "face_pixel_values", 0)
        [n_face] = rec.rows(call, "face_pixel_values", 1)
        assert (p_face > -1).any() and (n_face == -1).all()  # the face drives the positive only
    per_frame = (SIZE // 16) ** 2  # tokens per latent frame under the 2x2 patch
    assert seen
    for alphas in seen:
        assert alphas[:, :per_frame].abs().sum() == 0, "the reference frame (trim_latent) must get no region"
        assert alphas[:, per_frame:2 * per_frame].sum() > 0


def test_chained_animate_windows_map_the_timeline_onto_the_face_frames_each_window_reads(env):
    """The shipped Animate graph chains windows as ComfyUI's template does (continue_motion + the previous
    window's video_frame_offset) and gives window w's guider video_frame_offset = w x (length - motion).
    WanAnimateToVideo then reads the face video from that same clip frame, so WindowLayout puts each latent
    frame of every window on the face frames that latent is drawn from."""
    from thinkdraw_core.guidance.window import WindowLayout

    length, motion, frames = 9, 5, 40
    index = torch.arange(frames, dtype=torch.float32) / (frames - 1)  # face frame k holds the value k / 39
    face = index[:, None, None, None].expand(frames, 16, 16, 3).contiguous()
    offset_in, made = 0, torch.rand(length, SIZE, SIZE, 3, generator=torch.Generator().manual_seed(4))
    for w in range(3):
        kwargs = {"continue_motion": made} if w else {}
        pos, _, latent, trim_latent, trim_image, offset_in = env.wan_nodes.WanAnimateToVideo.execute(
            env.glob, env.negative, env.vae, SIZE, SIZE, length, 1, motion, offset_in, reference_image=env.portrait,
            face_video=face, **kwargs).result
        assert trim_image == (motion if w else 0)
        pixels = pos[0][1]["face_video_pixels"][0, 0, :, 0, 0]  # [frames of this window], in -1..1
        read = torch.round((pixels + 1) / 2 * (frames - 1))  # the clip frame each window frame was cut from
        layout = WindowLayout(fps=16, video_frame_offset=(length - motion) * w, lead_latent_frames=trim_latent)
        where = layout.video_frames(latent["samples"].shape[2])
        assert np.isnan(where[0])  # the reference frame
        for i, centre in enumerate(where[1:]):
            # latent 0 draws frame 0 of the window; latent i draws frames 4i-3..4i
            group = read[0:1] if i == 0 else read[4 * i - 3:4 * i + 1]
            assert float(group.mean()) == pytest.approx(centre), (w, i)
