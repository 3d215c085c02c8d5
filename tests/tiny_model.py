"""Tiny real ComfyUI diffusion models for tests and small benchmarks (issue 2 item 7).

Everything is built through ComfyUI's own classes (supported_models -> BaseModel -> ModelPatcher,
comfy.sd.CLIP), so sampler tests run the real sampling code on CPU in seconds. Weights are random
but seeded: ComfyUI's ops skip weight init (torch.empty), so we fill every tensor deterministically
or results would differ run to run.

Needs ComfyUI on sys.path (the `comfy_on_path` fixture in tests/conftest.py).
"""
from __future__ import annotations

import torch

CONTEXT_DIM = 64  # tiny CLIP width == tiny UNet / Wan cross-attention width


def use_cpu_if_no_gpu() -> None:
    """ComfyUI's model_management probes CUDA at import; on a CPU-only host it must be told --cpu first."""
    import comfy.cli_args

    if not torch.cuda.is_available():
        comfy.cli_args.args.cpu = True


use_cpu_if_no_gpu()


def _seeded_init(module: torch.nn.Module, seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(module.named_parameters(), key=lambda kv: kv[0]):
            if name.endswith("bias"):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.01)
            elif "norm" in name and p.ndim == 1:
                p.copy_(1.0 + torch.randn(p.shape, generator=gen) * 0.01)
            else:
                fan_in = max(1, p[0].numel()) if p.ndim > 1 else max(1, p.numel())
                p.copy_(torch.randn(p.shape, generator=gen) / fan_in ** 0.5)


def sd15_unet_config(model_channels: int = 32, context_dim: int = CONTEXT_DIM, levels: int = 2) -> dict:
    """An SD1.5-shaped UNet config, shrunk (two levels, one res block, attention at every level)."""
    return {
        "use_checkpoint": False, "image_size": 32, "out_channels": 4, "use_spatial_transformer": True,
        "legacy": False, "adm_in_channels": None, "in_channels": 4, "model_channels": model_channels,
        "num_res_blocks": [1] * levels, "transformer_depth": [1] * levels, "transformer_depth_output": [1] * (levels * 2),
        "channel_mult": [1, 2, 4, 4][:levels], "transformer_depth_middle": 1, "use_linear_in_transformer": False,
        "context_dim": context_dim, "num_heads": 2, "num_head_channels": -1, "use_temporal_attention": False,
        "use_temporal_resblock": False
    }


def _seeded_patcher(model_config, seed: int):
    """A float32 model of this config with seeded random weights, in a ModelPatcher as loaders return it."""
    import comfy.model_management
    import comfy.model_patcher

    model_config.set_inference_dtype(torch.float32, None)
    model = model_config.get_model({})
    _seeded_init(model.diffusion_model, seed)
    model.diffusion_model.to(torch.float32)
    return comfy.model_patcher.ModelPatcher(model, load_device=comfy.model_management.get_torch_device(),
                                            offload_device=comfy.model_management.unet_offload_device())


def tiny_sd15(seed: int = 0, model_channels: int = 32, context_dim: int = CONTEXT_DIM):
    """A ModelPatcher around a real SD1.5-architecture UNet with seeded random weights."""
    import comfy.supported_models

    return _seeded_patcher(comfy.supported_models.SD15(sd15_unet_config(model_channels, context_dim)), seed)


def tiny_wan(seed: int = 0, dim: int = 64, text_dim: int = CONTEXT_DIM):
    """A ModelPatcher around a one-block Wan 2.1 text-to-video DiT (5-D video latents [B,16,T,H,W])."""
    import comfy.supported_models

    unet_config = {"image_model": "wan2.1", "model_type": "t2v", "patch_size": (1, 2, 2), "text_len": 512,
                   "in_dim": 16, "dim": dim, "ffn_dim": dim * 2, "freq_dim": 256, "text_dim": text_dim,
                   "out_dim": 16, "num_heads": 2, "num_layers": 1, "eps": 1e-6}
    return _seeded_patcher(comfy.supported_models.WAN21_T2V(unet_config), seed)


def tiny_clip(seed: int = 0, width: int = CONTEXT_DIM):
    """A real comfy.sd.CLIP (SD1 tokenizer and CLIP-L code) with a 2-layer, `width`-wide text model."""
    import comfy.sd
    import comfy.supported_models

    target = comfy.supported_models.SD15(sd15_unet_config()).clip_target()
    config = {"hidden_size": width, "intermediate_size": width * 2, "num_attention_heads": 2,
              "num_hidden_layers": 2, "projection_dim": width}
    clip = comfy.sd.CLIP(target=target, model_options={"clip_l_model_config": config, "dtype": torch.float32})
    _seeded_init(clip.cond_stage_model, seed)
    return clip


def sd20_shaped_unet_state_dict(seed: int = 0) -> dict[str, torch.Tensor]:
    """UNet weights ComfyUI's loader detects as SD2.x (320 channels, 1024-wide context), shrunk to one level.

    For real-server tests: UNETLoader accepts it from a diffusion_models folder and LotusConditioning
    provides matching 1024-wide conditioning without any text encoder.
    """
    import comfy.supported_models

    cfg = {
        "use_checkpoint": False, "image_size": 32, "out_channels": 4, "use_spatial_transformer": True,
        "legacy": False, "adm_in_channels": None, "in_channels": 4, "model_channels": 320,
        "num_res_blocks": [1], "transformer_depth": [1], "transformer_depth_output": [1, 1],
        "channel_mult": [1], "transformer_depth_middle": 1, "use_linear_in_transformer": True,
        "context_dim": 1024, "num_heads": -1, "num_head_channels": 64, "use_temporal_attention": False,
        "use_temporal_resblock": False,
    }
    model_config = comfy.supported_models.SD20(cfg)
    model_config.set_inference_dtype(torch.float32, None)
    model = model_config.get_model({})
    _seeded_init(model.diffusion_model, seed)
    return {k: v.detach().to(torch.float16).contiguous() for k, v in model.diffusion_model.state_dict().items()}


# -- the talking-video model families (issue 35): HuMo, Wan 2.2 S2V, Wan 2.2 Animate -------------------

def _wan_family_config(model_type: str, dim: int, layers: int, text_dim: int, in_dim: int = 16, **extra) -> dict:
    config = {"image_model": "wan2.1", "model_type": model_type, "patch_size": (1, 2, 2), "text_len": 512,
              "in_dim": in_dim, "dim": dim, "ffn_dim": dim * 2, "freq_dim": 256, "text_dim": text_dim, "out_dim": 16,
              "num_heads": 2, "num_layers": layers, "eps": 1e-6, "window_size": (-1, -1), "qk_norm": True,
              "cross_attn_norm": True}
    config.update(extra)
    return config


def tiny_humo(seed: int = 0, dim: int = 64, text_dim: int = CONTEXT_DIM):
    """HuMo (HumoWanModel, the 1.7B layout: 16 latent channels, reference latents appended as tokens and
    Whisper features through its audio projection) with two blocks."""
    import comfy.supported_models

    return _seeded_patcher(comfy.supported_models.WAN21_HuMo(_wan_family_config("humo", dim, 2, text_dim)), seed)


def tiny_s2v(seed: int = 0, dim: int = 64, text_dim: int = CONTEXT_DIM, audio_dim: int = 32):
    """Wan 2.2 S2V (WanModel_S2V: wav2vec2 features of 25 hidden states, reference and motion tokens,
    audio injected after blocks 0 and 1) with two blocks; audio_dim is the wav2vec2 width."""
    import comfy.supported_models

    config = _wan_family_config("s2v", dim, 2, text_dim, audio_dim=audio_dim, audio_inject_layers=[0, 1])
    return _seeded_patcher(comfy.supported_models.WAN22_S2V(config), seed)


def tiny_animate(seed: int = 0, dim: int = 64, text_dim: int = CONTEXT_DIM):
    """Wan 2.2 Animate (AnimateWanModel: i2v cross-attention with clip-vision tokens, a face adapter every
    fifth block fed by the face video's motion encoder, pose latents) with five blocks, one face block."""
    import comfy.supported_models

    config = _wan_family_config("animate", dim, 5, text_dim, in_dim=36)
    return _seeded_patcher(comfy.supported_models.WAN22_Animate(config), seed)


def wan_vae_state_dict(seed: int = 0, dim: int = 8) -> dict[str, torch.Tensor]:
    """Weights of the Wan 2.1 video VAE architecture, `dim` channels wide (ComfyUI reads the width from them)."""
    import comfy.ldm.wan.vae

    vae = comfy.ldm.wan.vae.WanVAE(dim=dim, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, attn_scales=[],
                                   temperal_downsample=[False, True, True], dropout=0.0)
    _seeded_init(vae, seed)
    return {k: v.detach().float().contiguous() for k, v in vae.state_dict().items()}


def tiny_wan_vae(seed: int = 0, dim: int = 8):
    """A real comfy.sd.VAE around the Wan 2.1 video VAE architecture, `dim` channels wide."""
    import comfy.sd

    return comfy.sd.VAE(sd=wan_vae_state_dict(seed, dim))


def tiny_wav2vec2(seed: int = 0, width: int = 32):
    """A real ComfyUI AudioEncoderModel around Wav2Vec2Model with 24 layers (the 25 hidden states Wan 2.2
    S2V weighs) of `width` channels: the shape of wav2vec2-large, shrunk."""
    import comfy.audio_encoders.audio_encoders as audio_encoders

    encoder = audio_encoders.AudioEncoderModel({
        "model_type": "wav2vec2", "embed_dim": width, "num_heads": 2, "num_layers": 24, "conv_norm": True,
        "conv_bias": True, "do_normalize": True, "do_stable_layer_norm": True})
    _seeded_init(encoder.model, seed)
    encoder.model.to(torch.float32)
    return encoder


class TinyWhisperFeatures:
    """Stands in for Whisper-large-v3 where HuMo needs it: ComfyUI's WhisperLargeV3 adds its positional
    table as weight[:, :tokens], which only fits when a clip has at least as many tokens (2 per 40 ms) as
    the model has channels (1280), i.e. 25.6 s of audio through 32 full-width layers: far from tiny.
    This keeps what HuMo reads: ComfyUI's own Whisper mel front end (WhisperFeatureExtractor, 50 frames
    a second), then 33 seeded projections to 1280 channels (the 33 hidden states), as encode_audio
    returns them."""

    def __init__(self, seed: int = 0, seconds: float = 30.0):
        from comfy.audio_encoders.whisper import WhisperFeatureExtractor

        self.frontend = WhisperFeatureExtractor(n_mels=128)
        self.frontend.n_samples = int(seconds * 16000)
        gen = torch.Generator().manual_seed(seed)
        self.layers = torch.randn(33, 128, 1280, generator=gen) / 128 ** 0.5

    def encode_audio(self, audio, sample_rate):
        import torchaudio

        audio = torchaudio.functional.resample(audio, sample_rate, 16000)
        mel = self.frontend(audio)[:, :, ::2].transpose(1, 2)  # 50 frames a second, as Whisper's conv2 strides
        states = tuple(mel @ w for w in self.layers)
        return {"encoded_audio": states[-1], "encoded_audio_all_layers": states, "audio_samples": audio.shape[2]}


def tiny_whisper(seed: int = 0, seconds: float = 30.0) -> TinyWhisperFeatures:
    return TinyWhisperFeatures(seed, seconds)


# -- tiny model FILES for the real server (tests/comfy/test_talking_workflows.py) -------------------------
# Named as the shipped talking workflows name them, so the graphs run with their own loader widgets. The
# stock loaders read the DiTs' and the VAE's sizes from the weights; where ComfyUI takes sizes from a
# full-size table instead, the file says its shrunk config in a MARKER entry that the test-only plugin
# tests/comfy_plugins/thinkdraw_tiny_loaders hands to the same ComfyUI code (see its docstring).

MARKER = "thinkdraw_tiny"
UMT5_WIDTH = 4096  # ComfyUI recognises umT5-XXL by this width (block 23's wi_1); Wan's text_dim default
TALKING_DIT_WIDTH = 128  # ComfyUI detects Wan heads as width // 128: one head


def _marker(info: dict) -> torch.Tensor:
    import json

    return torch.tensor(list(json.dumps(info).encode()), dtype=torch.uint8)


def _dit_state_dict(supported_model, config: dict, seed: int) -> dict[str, torch.Tensor]:
    model_config = supported_model(config)
    model_config.set_inference_dtype(torch.float32, None)
    model = model_config.get_model({})
    _seeded_init(model.diffusion_model, seed)
    return {k: v.detach().to(torch.float16).contiguous() for k, v in model.diffusion_model.state_dict().items()}


def talking_dit_state_dict(family: str, seed: int = 0) -> dict[str, torch.Tensor]:
    """A HuMo / Wan 2.2 S2V / Wan 2.2 Animate DiT, 128 wide, that the stock UNETLoader detects as its family.

    Sizes ComfyUI does not read from weights keep its defaults (text width 4096, HuMo's 1280-channel
    audio projection, Animate's motion encoder), except S2V's audio width, which the marker states."""
    import comfy.supported_models as sm

    dim = TALKING_DIT_WIDTH
    common = dict(num_heads=dim // 128, ffn_dim=dim)
    if family == "humo":
        sd = _dit_state_dict(sm.WAN21_HuMo, _wan_family_config("humo", dim, 2, UMT5_WIDTH, **common), seed)
        marker = {"family": "humo"}
    elif family == "s2v":
        extra = {"audio_dim": 32, "audio_inject_layers": [0, 1]}  # a 32-wide wav2vec2, not 1024 x 24 layers
        sd = _dit_state_dict(sm.WAN22_S2V, _wan_family_config("s2v", dim, 2, UMT5_WIDTH, **common, **extra), seed)
        marker = {"family": "s2v", "unet_config": extra}
    elif family == "animate":
        sd = _dit_state_dict(sm.WAN22_Animate, _wan_family_config("animate", dim, 5, UMT5_WIDTH, in_dim=36, **common),
                             seed)
        marker = {"family": "animate"}
    else:
        raise ValueError(f"family must be humo, s2v or animate, got {family!r}")
    sd[MARKER] = _marker(marker)
    return sd


def _tiny_spiece_model(vocab: int = 160) -> bytes:
    """A SentencePiece model trained on a few sentences, as umT5's tokenizer (ComfyUI reads it from the file)."""
    import io

    import sentencepiece

    words = ("quiet pride fighting back tears the brows lift inner corners eyes narrow cheeks raise lip corners "
             "pull up mouth opens jaw drops nose wrinkles static blurry deformed face distorted flicker extra "
             "teeth joy sadness anger fear surprise disgust contempt delighted neutral relaxed tense smile").split()
    sentences = [" ".join(words[i:] + words[:i]) for i in range(len(words))]
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=model, vocab_size=vocab, model_type="unigram",
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, hard_vocab_limit=False, minloglevel=2)
    return model.getvalue()


def umt5_state_dict(seed: int = 0) -> dict[str, torch.Tensor]:
    """umT5-XXL as ComfyUI recognises it (24 blocks, 4096 wide), everything else shrunk: 2 heads of 8,
    a 16-wide FFN and a 160-piece vocabulary (the tokenizer stored in the file, as ComfyUI's own is)."""
    import comfy.ops
    import comfy.text_encoders.t5

    spiece = _tiny_spiece_model()
    import sentencepiece

    vocab = sentencepiece.SentencePieceProcessor(model_proto=spiece).get_piece_size()
    shrunk = {"num_heads": 2, "d_kv": 8, "d_ff": 16, "vocab_size": vocab}
    config = {"d_ff": 16, "d_kv": 8, "d_model": UMT5_WIDTH, "dense_act_fn": "gelu_pytorch_tanh", "is_gated_act": True,
              "layer_norm_epsilon": 1e-6, "model_type": "umt5", "num_heads": 2, "num_layers": 24,
              "relative_attention_num_buckets": 32, "vocab_size": vocab}
    model = comfy.text_encoders.t5.T5(config, torch.float32, "cpu", comfy.ops.disable_weight_init)
    _seeded_init(model, seed)
    sd = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()}
    sd["spiece_model"] = torch.tensor(list(spiece), dtype=torch.uint8)
    sd[MARKER] = _marker({"model_options": {"umt5xxl_model_config": shrunk}})
    return sd


def wav2vec2_state_dict(seed: int = 0, width: int = 32) -> dict[str, torch.Tensor]:
    import comfy.model_patcher  # noqa: F401 - AudioEncoderModel uses it without importing it

    encoder = tiny_wav2vec2(seed, width)
    sd = {k: v.detach().float().contiguous() for k, v in encoder.model.state_dict().items()}
    sd[MARKER] = _marker({"config": {"model_type": "wav2vec2", "embed_dim": width, "num_heads": 2, "num_layers": 24,
                                     "conv_norm": True, "conv_bias": True, "do_normalize": True,
                                     "do_stable_layer_norm": True}})
    return sd


def whisper_stand_in_state_dict(seed: int = 0) -> dict[str, torch.Tensor]:
    return {"layers": TinyWhisperFeatures(seed).layers.contiguous(),
            MARKER: _marker({"stand_in": "whisper_features", "seconds": 30.0})}


CLIP_VISION_H_TINY = {"hidden_size": 1280, "image_size": 224, "intermediate_size": 64, "num_attention_heads": 2,
                      "num_hidden_layers": 2, "patch_size": 14, "projection_dim": 64, "num_channels": 3,
                      "layer_norm_eps": 1e-5, "hidden_act": "gelu", "model_type": "clip_vision_model"}


def clip_vision_state_dict(seed: int = 0) -> dict[str, torch.Tensor]:
    """CLIP-H vision's width (1280: Wan's image projection reads that), two 64-FFN layers."""
    import json
    import os
    import tempfile

    import comfy.clip_vision

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(CLIP_VISION_H_TINY, f)
    try:
        vision = comfy.clip_vision.ClipVisionModel(f.name)
    finally:
        os.unlink(f.name)
    _seeded_init(vision.model, seed)
    sd = {k: v.detach().float().contiguous() for k, v in vision.model.state_dict().items()}
    sd[MARKER] = _marker({"config": CLIP_VISION_H_TINY})
    return sd


TALKING_MODEL_FILES = {
    ("diffusion_models", "humo_1.7B_fp16.safetensors"): lambda: talking_dit_state_dict("humo"),
    ("diffusion_models", "wan2.2_s2v_14B_fp8_scaled.safetensors"): lambda: talking_dit_state_dict("s2v"),
    ("diffusion_models", "wan2.2_animate_14B_bf16.safetensors"): lambda: talking_dit_state_dict("animate"),
    ("text_encoders", "umt5_xxl_fp8_e4m3fn_scaled.safetensors"): umt5_state_dict,
    ("vae", "wan_2.1_vae.safetensors"): wan_vae_state_dict,
    ("audio_encoders", "whisper_large_v3_fp16.safetensors"): whisper_stand_in_state_dict,
    ("audio_encoders", "wav2vec2_large_english_fp16.safetensors"): wav2vec2_state_dict,
    ("clip_vision", "clip_vision_h.safetensors"): clip_vision_state_dict,
}


def write_talking_model_files(root, names=None) -> dict[str, "Path"]:
    """Write the tiny talking-model files under root/<folder>/<name>; returns {folder: root/folder}.

    names: only these file names (default all)."""
    from pathlib import Path

    from safetensors.torch import save_file

    root = Path(root)
    folders = {}
    for (folder, name), build in TALKING_MODEL_FILES.items():
        folders[folder] = root / folder
        if names is not None and name not in names:
            continue
        folders[folder].mkdir(parents=True, exist_ok=True)
        save_file(build(), str(folders[folder] / name))
    return folders
