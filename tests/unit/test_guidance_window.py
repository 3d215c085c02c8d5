"""Window layout, per-frame region weights, DiT token weights and carried extras (core, no ComfyUI)."""
import numpy as np
import pytest
import torch

from thinkdraw_core.guidance.dit import dit_token_alphas, token_grid_3d
from thinkdraw_core.guidance.extras import merged_extras, model_extras, with_extras
from thinkdraw_core.guidance.window import WindowLayout, fit_mask_to_window, timeline_weights
from thinkdraw_core.plan import Timeline


def test_latent_frames_map_to_the_clip_frames_they_encode():
    # Wan VAE: latent 0 = frame 0, latent i = frames 4i-3..4i (centre 4i-1.5); a window 80 frames in
    assert WindowLayout().video_frames(3).tolist() == [0.0, 2.5, 6.5]
    assert WindowLayout(video_frame_offset=80).video_frames(2).tolist() == [80.0, 82.5]
    lead = WindowLayout(fps=16, lead_latent_frames=1).times(3)
    assert np.isnan(lead[0]) and lead[1:].tolist() == [0.0, 2.5 / 16]  # Animate: the reference frame is no time
    with pytest.raises(ValueError, match="fps must be"):
        WindowLayout(fps=0)


def test_masks_fit_each_window_and_leave_lead_frames_out():
    track = torch.stack([torch.full((16, 16), float(i)) for i in range(12)]) / 11  # a 12-frame face track
    fitted = fit_mask_to_window(track, (1, 16, 3, 4, 4), WindowLayout(video_frame_offset=4))
    assert fitted.shape == (3, 4, 4)
    assert fitted[:, 0, 0].tolist() == pytest.approx([4 / 11, 6 / 11, 10 / 11])  # frames 4, 4+2.5, 4+6.5 (floor)
    late = fit_mask_to_window(track, (1, 16, 3, 4, 4), WindowLayout(video_frame_offset=40))
    assert late[:, 0, 0].tolist() == pytest.approx([1.0] * 3)  # past the track's end: its last frame
    animate = fit_mask_to_window(torch.ones(1, 16, 16), (1, 16, 3, 4, 4), WindowLayout(lead_latent_frames=1))
    assert animate[0].max() == 0 and animate[1:].min() == 1
    with pytest.raises(ValueError, match="aspect ratios differ"):
        fit_mask_to_window(torch.ones(5, 16, 40), (1, 16, 3, 4, 4), WindowLayout())


def test_timeline_weights_follow_the_plan_in_each_window():
    tl = Timeline(start=0.5, onset=1.0, apex=1.0, offset=0.5, sustain=False)  # rises 0.5-1.5 s, gone at 3 s
    first = timeline_weights(tl.envelope, 3, WindowLayout(fps=16))
    assert first.tolist() == [0.0, 0.0, 0.0]  # the first 0.4 s: before the onset
    mid = timeline_weights(tl.envelope, 3, WindowLayout(fps=16, video_frame_offset=32))  # 2.0-2.4 s: apex
    assert mid.tolist() == pytest.approx([1.0, 1.0, 1.0])
    late = timeline_weights(tl.envelope, 2, WindowLayout(fps=16, video_frame_offset=80))
    assert late.tolist() == [0.0, 0.0]
    assert timeline_weights(None, 3, WindowLayout(lead_latent_frames=1)).tolist() == [0.0, 1.0, 1.0]


def test_dit_token_weights_cover_only_the_video_tokens():
    masks = torch.zeros(1, 2, 8, 8)
    masks[:, :, 4:] = 1.0
    grid = token_grid_3d((2, 8, 8), (1, 2, 2))
    assert grid == (2, 4, 4)
    a = dit_token_alphas(masks, torch.tensor([[0.5, 1.0]]), grid, n_tokens=2 * 16 + 16, video_start=16)
    assert a.shape == (1, 48)
    assert a[0, :16].sum() == 0 and a[0, 48 - 16:].reshape(4, 4)[:1].sum() == 0  # reference tokens first: none
    frame0, frame1 = a[0, 16:32].reshape(4, 4), a[0, 32:48].reshape(4, 4)
    assert frame0[3].tolist() == [0.5] * 4 and frame1[3].tolist() == [1.0] * 4 and frame1[0].sum() == 0
    with pytest.raises(ValueError, match="cannot hold"):
        dit_token_alphas(masks, torch.ones(1, 2), grid, n_tokens=20)


def test_extras_are_carried_and_own_values_win():
    audio, ref = torch.ones(1), torch.zeros(1)
    model_pos = [["words", {"audio_embed": audio, "reference_latents": [ref], "pooled_output": "p"}]]
    assert set(model_extras(model_pos)) == {"audio_embed", "reference_latents"}  # words stay with their text
    plain = [["other words", {"pooled_output": "q"}]]
    carried = with_extras(plain, model_extras(model_pos), mask="m")
    assert carried[0][0] == "other words" and carried[0][1]["audio_embed"] is audio
    assert carried[0][1]["pooled_output"] == "q" and carried[0][1]["mask"] == "m"
    own = with_extras([["w", {"audio_embed": ref}]], model_extras(model_pos))
    assert own[0][1]["audio_embed"] is ref
    assert merged_extras([plain, model_pos])["audio_embed"] is audio
