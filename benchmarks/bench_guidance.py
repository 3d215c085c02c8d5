"""Seconds per sampling step: ProgressiveGuider with 6 face regions vs stock ComfyUI guidance.

Two models: a tiny SD1.5-architecture UNet, and a Wan 2.1 DiT (the block HuMo, Wan 2.2 S2V and
Animate share) sized so that attention and MLPs dominate a step as they do at real size: 1280
video tokens, 512-token umT5-length contexts, dim 512, 4 blocks. Baselines on the same model,
latent, sampler and seed:
  - stock CFGGuider with the global conditioning only (goal: ProgressiveGuider <= 1.25x of it);
  - stock masked conditionings: the global cond plus six ConditioningSetMask + ConditioningSetTimestepRange
    region conds in a CFGGuider (goal: ProgressiveGuider faster).
The progressive run is timed in its local stage at full strength (all six regions active every step),
its most expensive part. The model is the tiny SD1.5-architecture UNet from tests/tiny_model.py on the
CPU, so absolute numbers are small; the ratios are what carries over. On a GPU, pass --size to use
real latent sizes (e.g. 64 for 512x512).

    python benchmarks/bench_guidance.py [--quick] [--only unet|wan]
"""
from __future__ import annotations

import argparse
import statistics
import importlib
import importlib.util
import sys
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent
for p in (str(REPO), str(REPO / "tests")):
    if p not in sys.path:
        sys.path.insert(0, p)

from benchmarks.common import PeakRSS, markdown_table, median_time, row  # noqa: E402

NAME = "guidance"


def _comfy_and_pack():
    sys.path.insert(0, str(__import__("comfy_host").comfyui_path()))
    import tiny_model  # noqa: F401  (CPU selection before ComfyUI's model_management loads)

    name = "thinkdraw_pack"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "__init__.py", submodule_search_locations=[str(REPO)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return tiny_model, importlib.import_module(f"{name}.nodes.guidance"), importlib.import_module(f"{name}.nodes.text_encode")


def _six_regions(T, clip, size, tokens=None):
    """The global cond and six face-region conds (one band of the picture each), as AU Text Encode makes them."""
    from thinkdraw_core.plan import ActionUnit, AUPlan, EmotionComponent, EmotionSummary

    plan = AUPlan(text="bitter, contemptuous amusement",
                  action_units=[ActionUnit(au, 0.8) for au in (4, 7, 6, 9, 12, 26)],  # one per region
                  emotion=EmotionSummary([EmotionComponent("contempt", 0.8)]))
    bands = {}
    for i, region in enumerate(("brows", "eyes", "cheeks", "nose", "mouth", "jaw")):
        m = torch.zeros(1, size * 8, size * 8)
        m[:, i * size * 8 // 6:(i + 1) * size * 8 // 6] = 1.0
        bands[f"{region}_mask"] = m
    glob, regions, *_ = T.ThinkDrawAUTextEncode.execute(clip, plan, **bands).result
    negative = clip.encode_from_tokens_scheduled(clip.tokenize(""))
    if tokens:  # umT5 pads every prompt to 512 tokens: give every context that length
        def pad(cond):
            return [[c[0].repeat(1, -(-tokens // c[0].shape[1]), 1)[:, :tokens], c[1]] for c in cond]
        glob, negative = pad(glob), pad(negative)
        for r in regions:
            r.conditioning = pad(r.conditioning)
    assert len(regions) == 6
    return glob, regions, negative


def _cases(G, model, glob, regions, negative):
    import comfy.samplers
    import node_helpers

    stock = comfy.samplers.CFGGuider(model)
    stock.set_conds(glob, negative)
    stock.set_cfg(5.0)
    # What an artist builds by hand today: ConditioningSetMask + ConditioningSetTimestepRange per region.
    masked = list(glob)
    for r in regions:
        c = node_helpers.conditioning_set_values(r.conditioning, {"mask": r.mask, "set_area_to_bounds": False,
                                                                  "mask_strength": r.strength})
        masked += node_helpers.conditioning_set_values(c, {"start_percent": 0.0, "end_percent": 1.0})
    stock_masked = comfy.samplers.CFGGuider(model)
    stock_masked.set_conds(masked, negative)
    stock_masked.set_cfg(5.0)

    def progressive(mode):
        stages = G.preset_stages(glob, tuple(regions), 5.0, 5.0, 0.0, 0.0, "constant", 1.0)
        return G.ProgressiveGuider(model, G.StageSchedule(stages), negative, mode, follow_timeline=False)

    return [("stock CFGGuider, global cond only", stock), ("stock masked conds (SetMask+TimestepRange)", stock_masked),
            ("ProgressiveGuider 6 regions, one-pass attention", progressive("attention")),
            ("ProgressiveGuider 6 regions, batched", progressive("batched"))]


def _run_wan(quick: bool = False) -> list[dict]:
    tiny, G, T = _comfy_and_pack()
    import comfy.samplers
    from comfy_extras.nodes_custom_sampler import BasicScheduler, Noise_RandomNoise, SamplerCustomAdvanced

    dim, layers, frames, side = (256, 2, 3, 16) if quick else (512, 4, 5, 32)
    steps, repeats = (2, 2) if quick else (4, 3)  # the words are projected in the first step: 4 amortise it a little (real runs: 20-30)
    import comfy.supported_models

    config = {"image_model": "wan2.1", "model_type": "t2v", "patch_size": (1, 2, 2), "text_len": 512, "in_dim": 16,
              "dim": dim, "ffn_dim": dim * 4, "freq_dim": 256, "text_dim": tiny.CONTEXT_DIM, "out_dim": 16,
              "num_heads": dim // 128, "num_layers": layers, "eps": 1e-6}
    model = tiny._seeded_patcher(comfy.supported_models.WAN21_T2V(config), 0)
    clip = tiny.tiny_clip()
    glob, regions, negative = _six_regions(T, clip, side, tokens=512)
    latent = {"samples": torch.zeros(1, 16, frames, side, side)}
    sigmas = BasicScheduler.execute(model, "simple", steps, 1.0).result[0]
    sampler = comfy.samplers.sampler_object("euler")

    def sample(guider):
        return lambda: SamplerCustomAdvanced.execute(Noise_RandomNoise(0), guider, sampler, sigmas, latent)

    cases = _cases(G, model, glob, regions, negative)
    cases = [(f"Wan DiT: {label}", guider) for label, guider in cases]
    times, peaks = _time_cases(cases, sample, steps, repeats, warm_each=True)
    tokens = frames * (side // 2) ** 2
    note = (f"Wan 2.1 DiT dim {dim}, {layers} blocks, ffn {dim * 4}, {tokens} video tokens ({frames}x{side}x{side} "
            f"latent), 512-token contexts, {steps} euler steps, CPU")
    return _rows(cases, times, peaks, note)


def run(quick: bool = False, size: int | None = None, channels: int | None = None, only: str | None = None) -> list[dict]:
    rows = []
    if only in (None, "unet"):
        rows += _run_unet(quick, size, channels)
    if only in (None, "wan"):
        rows += _run_wan(quick)
    return rows


def _run_unet(quick: bool = False, size: int | None = None, channels: int | None = None) -> list[dict]:
    tiny, G, T = _comfy_and_pack()
    import comfy.samplers
    from comfy_extras.nodes_custom_sampler import BasicScheduler, Noise_RandomNoise, SamplerCustomAdvanced

    size = size or (24 if quick else 48)
    channels = channels or (32 if quick else 64)
    steps, repeats = (3, 3) if quick else (6, 5)

    model = tiny.tiny_sd15(model_channels=channels)
    clip = tiny.tiny_clip()
    glob, regions, negative = _six_regions(T, clip, size)
    latent = {"samples": torch.zeros(1, 4, size, size)}
    sigmas = BasicScheduler.execute(model, "normal", steps, 1.0).result[0]
    sampler = comfy.samplers.sampler_object("euler")

    def sample(guider):
        return lambda: SamplerCustomAdvanced.execute(Noise_RandomNoise(0), guider, sampler, sigmas, latent)

    cases = _cases(G, model, glob, regions, negative)
    times, peaks = _time_cases(cases, sample, steps, repeats)
    note = f"tiny SD1.5 UNet ({channels} ch), latent {size}x{size}, {steps} euler steps, CPU"
    return _rows(cases, times, peaks, note)


def _time_cases(cases, sample, steps, repeats, warm_each: bool = False):
    """Median seconds per step of each case, with round-robin repeats so load changes on a shared machine hit
    every case alike (ratios stay fair). warm_each: an untimed run right before every timed one, because
    ComfyUI may unload the model after a memory-hungry case and reload it inside the next case's run."""
    samples, peaks = {label: [] for label, _ in cases}, {}
    for label, guider in cases:
        with PeakRSS() as peak:
            samples[label].append(median_time(sample(guider), repeats=1, warmup=1) / steps)
        peaks[label] = peak.extra_mb
    for _ in range(repeats - 1):
        for label, guider in cases:
            samples[label].append(median_time(sample(guider), repeats=1, warmup=int(warm_each)) / steps)
    return {label: statistics.median(v) for label, v in samples.items()}, peaks


def _rows(cases, times, peaks, note):
    base, masked_t = times[cases[0][0]], times[cases[1][0]]
    rows = [row(NAME, cases[0][0], base, "s/step", peak_mb=peaks[cases[0][0]], notes=note),
            row(NAME, cases[1][0], masked_t, "s/step", cases[0][0], masked_t / base, peak_mb=peaks[cases[1][0]],
                notes=note)]
    for label, _ in cases[2:]:
        t = times[label]
        rows.append(row(NAME, label, t, "s/step", cases[0][0], t / base, "<= 1.25x", peaks[label], note))
        rows.append(row(NAME, label, t, "s/step", cases[1][0], t / masked_t, "< 1.00x", peaks[label], note))
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--size", type=int, help="latent side (pixels / 8)")
    ap.add_argument("--channels", type=int, help="UNet model_channels")
    ap.add_argument("--only", choices=("unet", "wan"), help="run one model's cases")
    a = ap.parse_args()
    print(markdown_table(run(quick=a.quick, size=a.size, channels=a.channels, only=a.only)))
