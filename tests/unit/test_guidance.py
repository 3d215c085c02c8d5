"""Progressive guidance maths in thinkdraw_core.guidance (no ComfyUI needed)."""
import math

import pytest
import torch

from thinkdraw_core.guidance import (
    RegionCond, Stage, StageSchedule, compose_regional, fit_mask_to_latent, global_prompt, preset_stages, ramp_value,
    region_prompts, token_grid,
)
from thinkdraw_core.guidance.schedule import SigmaPercentMap
from thinkdraw_core.plan import ActionUnit, AUPlan, EmotionComponent, EmotionSummary, PlanError

COND = object()  # the core treats conditionings as opaque


def p2s(percent: float) -> float:
    """A Karras-like percent -> sigma map (sigma_max 14.6, sigma_min 0.03) with ComfyUI's end conventions."""
    if percent <= 0:
        return 1e9
    if percent >= 1:
        return 0.0
    return math.exp(math.log(0.03) + (math.log(14.6) - math.log(0.03)) * (1 - percent))


def region(name="mouth", strength=0.8, mask=None):
    return RegionCond(name, f"{name} sentence", strength, mask, COND)


def test_ramps_shape_and_bounds():
    assert ramp_value("constant", 0.0) == 1.0
    assert ramp_value("linear", 0.25) == 0.25
    assert ramp_value("smoothstep", 0.5) == pytest.approx(0.5)
    assert ramp_value("cosine", 0.0) == pytest.approx(0.0) and ramp_value("cosine", 1.0) == pytest.approx(1.0)
    assert ramp_value("linear", 2.0) == 1.0 and ramp_value("linear", -1.0) == 0.0
    with pytest.raises(ValueError, match="ramp must be one of"):
        ramp_value("zigzag", 0.5)


def test_stage_rejects_out_of_order_switch_points_with_a_fix():
    with pytest.raises(ValueError, match="switch points out of order.*start_percent 0.7.*end_percent 0.3"):
        Stage(0.7, 0.3, 7.0, positive=COND)
    with pytest.raises(ValueError, match="conditioning is missing"):
        Stage(0.0, 1.0, 7.0)
    with pytest.raises(ValueError, match="cfg must be >= 0"):
        Stage(0.0, 1.0, -1.0, positive=COND)


def test_schedule_rejects_overlaps_gaps_and_partial_cover():
    a, b = Stage(0.0, 0.5, 7, positive=COND), Stage(0.4, 1.0, 5, positive=COND)
    with pytest.raises(ValueError, match="overlaps.*start_percent to 0.5"):
        StageSchedule([a, b])
    with pytest.raises(ValueError, match="gap in the schedule between 0.5 and 0.6"):
        StageSchedule([a, Stage(0.6, 1.0, 5, positive=COND)])
    with pytest.raises(ValueError, match="must start at 0.0"):
        StageSchedule([Stage(0.2, 1.0, 5, positive=COND)])
    with pytest.raises(ValueError, match="must end at 1.0"):
        StageSchedule([a])
    with pytest.raises(ValueError, match="no guidance stages"):
        StageSchedule([])


def test_sigma_percent_map_round_trips():
    m = SigmaPercentMap(p2s)
    for p in (0.05, 0.3, 0.5, 0.77, 0.95):
        assert m.percent(m.sigma(p)) == pytest.approx(p, abs=1e-3)
    assert m.percent(0.0) == 1.0


def test_schedule_picks_stage_by_sigma_and_ramps_regions():
    mouth, brows = region("mouth", 0.8), region("brows", 0.5)
    stages = preset_stages(COND, (mouth, brows), 7.0, 4.0, 0.3, 0.6, "linear", 1.0)
    sched = StageSchedule(list(reversed(stages)), {"brows": 0.0}).bind(p2s)  # chain order does not matter
    early = sched.at(p2s(0.1))
    assert early.stage_index == 0 and early.stage.cfg == 7.0 and early.regions == []
    mid = sched.at(p2s(0.45))
    assert mid.stage_index == 1 and mid.stage.cfg == 4.0
    # linear ramp half way through the window; brows weighted 0 -> not active at all (costs nothing)
    assert [r.name for r, _ in mid.regions] == ["mouth"]
    assert mid.regions[0][1] == pytest.approx(0.8 * 0.5, abs=5e-3)
    late = sched.at(p2s(0.9))
    assert late.stage_index == 2 and late.regions[0][1] == pytest.approx(0.8)
    # exactly on a switch point belongs to the later stage, and the last sigma (0) to the last stage
    assert sched.at(p2s(0.3)).stage_index == 1 and sched.at(0.0).stage_index == 2


def test_preset_drops_empty_windows_and_checks_order():
    assert len(preset_stages(COND, (), 7, 5, 0.0, 0.0, "linear", 1)) == 1
    assert [s.start for s in preset_stages(COND, (), 7, 5, 0.3, 1.0, "linear", 1)] == [0.0, 0.3]
    with pytest.raises(ValueError, match="local_start 0.8 must be <= local_full 0.4"):
        preset_stages(COND, (), 7, 5, 0.8, 0.4, "linear", 1)


def test_fit_mask_to_image_and_video_latents():
    mask = torch.zeros(1, 64, 48)
    mask[:, 32:] = 1.0
    img = fit_mask_to_latent(mask, (2, 4, 8, 6))
    assert img.shape == (1, 8, 6) and img[0, :3].max() == 0 and img[0, 5:].min() == 1
    frames = torch.stack([torch.full((64, 48), float(i)) for i in range(9)]) / 8
    vid = fit_mask_to_latent(frames, (1, 16, 3, 8, 6))
    assert vid.shape == (3, 8, 6)
    assert vid[:, 0, 0].tolist() == pytest.approx([0.0, 0.5, 1.0])  # first, middle, last frame
    one = fit_mask_to_latent(mask[0], (1, 16, 5, 8, 6))
    assert one.shape == (5, 8, 6)


def test_fit_mask_errors_name_the_mask_and_the_fix():
    with pytest.raises(ValueError, match="mouth_mask is 100x30 .*aspect ratios differ.*same image"):
        fit_mask_to_latent(torch.ones(1, 30, 100), (1, 4, 8, 8), "mouth_mask")
    with pytest.raises(ValueError, match="3 frames but the latent batch has 2"):
        fit_mask_to_latent(torch.ones(3, 64, 64), (2, 4, 8, 8), "eyes_mask")
    with pytest.raises(ValueError, match="4-D .* or 5-D"):
        fit_mask_to_latent(torch.ones(1, 64, 64), (4, 8, 8))


def test_token_grid_follows_unet_downsampling():
    assert token_grid((8, 6), 48) == (8, 6)
    assert token_grid((9, 7), 5 * 4) == (5, 4)  # ceil at odd sizes
    assert token_grid((64, 64), 16 * 16) == (16, 16)
    with pytest.raises(ValueError, match="cannot map 7 attention tokens"):
        token_grid((8, 8), 7)


def test_compose_regional_matches_masked_conditioning_average():
    g = torch.zeros(1, 4, 2)
    r = torch.ones(2, 1, 4, 2)
    r[1] *= 3
    alphas = torch.tensor([[[1.0, 0.0, 1.0, 0.0]], [[0.0, 0.0, 1.0, 0.0]]])
    out = compose_regional(g, r, alphas)
    assert out[0, 0].tolist() == [0.5, 0.5]  # (0 + 1*1) / (1 + 1)
    assert out[0, 1].tolist() == [0.0, 0.0]  # outside every mask: global exactly
    assert out[0, 2].tolist() == [pytest.approx(4 / 3)] * 2  # (0 + 1 + 3) / 3


def test_prompts_read_plan_fields_and_refuse_an_empty_plan():
    plan = AUPlan(text="quietly delighted", action_units=[ActionUnit(12, 0.9), ActionUnit(6, 0.7), ActionUnit(4, 0.2, "left")],
                  emotion=EmotionSummary([EmotionComponent("joy", 0.9), EmotionComponent("surprise", 0.2)]),
                  regions={"mouth": "lip corners pulled up and back"})
    assert global_prompt(plan) == "a face showing strong joy and slight surprise, quietly delighted"
    regions = region_prompts(plan)
    assert [r[0] for r in regions] == ["brows", "cheeks", "mouth"]
    assert regions[2] == ("mouth", "lip corners pulled up and back", 0.9)
    assert "brow lowerer on the left side" in regions[0][1] and regions[0][2] == 0.2
    with pytest.raises(PlanError, match="plan is empty"):
        global_prompt(AUPlan(text=""))
    with pytest.raises(ValueError, match="strength must be in 0..1"):
        RegionCond("mouth", "x", 1.5, None, COND)


def test_sparse_composition_equals_dense():
    from thinkdraw_core.guidance.regions import compose_regional_sparse

    gen = torch.Generator().manual_seed(0)
    g = torch.randn(2, 12, 3, generator=gen)
    outs = torch.randn(2, 2, 12, 3, generator=gen)
    alphas = torch.zeros(2, 1, 12)
    alphas[0, 0, :4] = torch.tensor([0.2, 1.0, 1.0, 0.5])
    alphas[1, 0, 3:7] = 0.8
    parts = []
    for r in range(2):
        idx = torch.nonzero(alphas[r, 0] > 0).squeeze(1)
        parts.append((idx, outs[r][:, idx], alphas[r][:, idx]))
    assert torch.allclose(compose_regional_sparse(g, parts), compose_regional(g, outs, alphas), atol=1e-6)
    assert torch.equal(compose_regional_sparse(g, parts)[:, 7:], g[:, 7:])
