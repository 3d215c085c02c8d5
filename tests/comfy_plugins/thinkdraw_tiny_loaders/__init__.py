"""TEST-ONLY ComfyUI plugin: lets the stock loaders load the tiny talking-model files the tests write.

Loaded only by the test server (tests/comfy/test_talking_workflows.py links this folder into that
server's private custom_nodes/); never part of the pack. Why it exists: ComfyUI reads a model's family
and most of its sizes from the weights' shapes (the Wan DiTs' width, depth and FFN; the Wan VAE), so
those tiny files load through the stock UNETLoader and VAELoader untouched. But some sizes come from a
fixed table keyed on full-size shapes (umT5-XXL's heads, depth and vocabulary from a json; wav2vec2
"large" = 1024 wide and 24 layers; CLIP-H vision's 32 layers) or are not in the weights at all
(Wan 2.2 S2V's audio width, a constructor default), and a tiny file cannot match them.

A tiny file therefore carries one extra state-dict entry, MARKER: a uint8 tensor holding JSON that
states the shrunk sizes (the way ComfyUI itself stores umT5's tokenizer in its checkpoint, as the
`spiece_model` tensor). For a file with MARKER, and only for such a file, the wrappers below pass those
sizes to the same ComfyUI code: the config override ComfyUI's text encoders read from model_options
(`<name>_model_config`), extra keys on top of the stock DiT detection, and ComfyUI's own audio and
vision encoder classes built with the stated config. File reading, key conversion, model-family
detection, the model classes, their weights loading and the ModelPatcher all stay ComfyUI's.

One exception, said plainly: HuMo reads 33 hidden states of 1280 channels from Whisper-large-v3, and
ComfyUI's WhisperLargeV3 at that width and depth is 630M parameters over 1500 tokens (minutes on a
2-core CPU). A file whose MARKER says {"stand_in": "whisper_features"} is answered with
tests/tiny_model.py's TinyWhisperFeatures (ComfyUI's own Whisper mel front end, then 33 seeded
projections to 1280 channels, as encode_audio returns them), its projections read from the file.

With THINKDRAW_TINY_PROBE set to a file path, every call of a tiny DiT appends one JSON line there:
which extras (audio, reference, face video, clip vision, motion) each batch row received, whether
ThinkDraw's one-pass regional cross-attention was active in that call, and the latent's frames.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import threading
from pathlib import Path

import torch

import comfy.audio_encoders.audio_encoders as audio_encoders
import comfy.clip_vision
import comfy.model_detection
import comfy.sd
import comfy.utils

MARKER = "thinkdraw_tiny"
PROBE_ENV = "THINKDRAW_TINY_PROBE"
log = logging.getLogger("thinkdraw_tiny_loaders")

NODE_CLASS_MAPPINGS: dict = {}  # ComfyUI loads a custom_nodes module only if it has this; no nodes here


def _pop_marker(sd: dict):
    raw = sd.pop(MARKER, None)
    if raw is None:
        return None
    return json.loads(bytes(raw.to(torch.uint8).flatten().tolist()).decode())


# -- text encoders: ComfyUI's own `<model_name>_model_config` override ------------------------------------
_stock_load_te = comfy.sd.load_text_encoder_state_dicts


def _load_te(state_dicts=[], embedding_directory=None, clip_type=comfy.sd.CLIPType.STABLE_DIFFUSION, model_options={}):
    state_dicts = [dict(sd) for sd in state_dicts]
    markers = [m for m in (_pop_marker(sd) for sd in state_dicts) if m]
    if markers:
        model_options = dict(model_options)
        for m in markers:
            model_options.update(m.get("model_options", {}))
    return _stock_load_te(state_dicts, embedding_directory=embedding_directory, clip_type=clip_type,
                          model_options=model_options)


# -- diffusion models: stock detection, plus the sizes the weights do not hold --------------------------
_stock_detect_unet = comfy.model_detection.detect_unet_config
_stock_load_unet = comfy.sd.load_diffusion_model_state_dict
_unet_extra = threading.local()


def _detect_unet(state_dict, key_prefix, metadata=None):
    config = _stock_detect_unet(state_dict, key_prefix, metadata=metadata)
    extra = getattr(_unet_extra, "config", None)
    if config is not None and extra:
        config = {**config, **extra}
    return config


def _load_unet(sd, model_options={}, metadata=None):
    marker = _pop_marker(sd)
    _unet_extra.config = (marker or {}).get("unet_config")
    try:
        patcher = _stock_load_unet(sd, model_options=model_options, metadata=metadata)
    finally:
        _unet_extra.config = None
    if marker and patcher is not None and marker.get("family") == "animate":
        _memoize_motion_encoder(patcher.model.diffusion_model.motion_encoder)
    if marker and patcher is not None and os.environ.get(PROBE_ENV):
        _Probe(patcher.model.diffusion_model, marker.get("family", "?"), os.environ[PROBE_ENV])
    return patcher


def _memoize_motion_encoder(motion_encoder) -> None:
    """Wan Animate's motion encoder (fixed size: a StyleGAN-style encoder over 512x512 face crops, about 7 s a
    crop on a loaded 2-core CPU) is most of a tiny Animate step, and it sees the same crops at every step of a
    window. Each crop's motion is a pure function of the crop, so it is computed once per distinct crop
    (keyed by its bytes) and reused: the same numbers, a fraction of the time."""
    import hashlib

    compute = motion_encoder.get_motion
    cache: dict[bytes, torch.Tensor] = {}

    def get_motion(img):
        rows = []
        for one in img:
            key = hashlib.blake2b(one.detach().float().cpu().numpy().tobytes(), digest_size=16).digest()
            if key not in cache:
                cache[key] = compute(one.unsqueeze(0))
            rows.append(cache[key])
        return torch.cat(rows)

    motion_encoder.get_motion = get_motion


# -- audio encoders: ComfyUI's AudioEncoderModel with the stated config (or the Whisper stand-in) -------
_stock_load_audio = audio_encoders.load_audio_encoder_from_sd


def _tiny_model_module():
    path = Path(__file__).resolve().parents[2] / "tiny_model.py"
    spec = importlib.util.spec_from_file_location("thinkdraw_tests_tiny_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_audio(sd, prefix=""):
    sd = dict(sd)
    marker = _pop_marker(sd)
    if not marker:
        return _stock_load_audio(sd, prefix)
    if marker.get("stand_in") == "whisper_features":
        features = _tiny_model_module().TinyWhisperFeatures(seconds=float(marker.get("seconds", 30.0)))
        features.layers = sd["layers"].float()
        return features
    sd = comfy.utils.state_dict_prefix_replace(sd, {"wav2vec2.": ""})
    encoder = audio_encoders.AudioEncoderModel(dict(marker["config"]))
    missing, unexpected = encoder.load_sd(sd)
    if missing or unexpected:
        raise RuntimeError(f"tiny audio encoder does not match its stated config: missing {missing}, "
                           f"unexpected {unexpected}")
    return encoder


# -- clip vision: ComfyUI's ClipVisionModel from the stated json config -------------------------------
_stock_load_vision = comfy.clip_vision.load_clipvision_from_sd


def _load_vision(sd, prefix="", convert_keys=False):
    sd = dict(sd)
    marker = _pop_marker(sd)
    if not marker:
        return _stock_load_vision(sd, prefix, convert_keys)
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(marker["config"], f)
    try:
        vision = comfy.clip_vision.ClipVisionModel(f.name)
    finally:
        os.unlink(f.name)
    missing, unexpected = vision.load_sd(sd)
    if missing or unexpected:
        raise RuntimeError(f"tiny clip vision does not match its stated config: missing {missing}, "
                           f"unexpected {unexpected}")
    return vision


# -- the probe ----------------------------------------------------------------------------------------
EXTRAS = ("audio_embed", "reference_latent", "reference_motion", "face_pixel_values", "pose_latents", "clip_fea")


class _Probe:
    """Records what each call of the diffusion model receives, per batch row.

    A forward pre-hook sees the call's inputs; ThinkDraw's one-pass regions patch the blocks'
    cross-attention only inside the call (a DIFFUSION_MODEL wrapper), so a pre-hook on the first
    block's cross-attention sees whether that call composes regions; the forward hook writes the line.
    """

    def __init__(self, diffusion_model, family: str, path: str):
        self.family, self.path, self.call = family, path, None
        diffusion_model.register_forward_pre_hook(self.before, with_kwargs=True)
        diffusion_model.register_forward_hook(self.after)
        diffusion_model.blocks[0].cross_attn.register_forward_pre_hook(self.cross_attention)

    def before(self, module, args, kwargs):
        x = args[0] if args else kwargs["x"]
        options = kwargs.get("transformer_options") or {}
        rows = int(x.shape[0])
        extras = {}
        for name in EXTRAS:
            value = kwargs.get(name)
            if isinstance(value, torch.Tensor) and value.ndim > 0 and value.shape[0] == rows:
                extras[name] = [{"absmax": float(value[r].float().abs().amax()), "std": float(value[r].float().std())}
                                for r in range(rows)]
            elif value is not None:
                extras[name] = "present"
        self.call = {"family": self.family, "latent_shape": list(x.shape), "rows": rows,
                     "cond_or_uncond": list(options.get("cond_or_uncond") or []), "extras": extras,
                     "regional": False}

    def cross_attention(self, module, args):
        if self.call is not None and "forward" in module.__dict__:  # patched for this call: regions composed
            self.call["regional"] = True

    def after(self, module, args, output):
        if self.call is not None:
            with open(self.path, "a") as f:
                f.write(json.dumps(self.call) + "\n")
        self.call = None


comfy.sd.load_text_encoder_state_dicts = _load_te
comfy.model_detection.detect_unet_config = _detect_unet
comfy.sd.load_diffusion_model_state_dict = _load_unet
audio_encoders.load_audio_encoder_from_sd = _load_audio
comfy.clip_vision.load_clipvision_from_sd = _load_vision
log.warning("[thinkdraw tests] tiny-model loaders active (test server only)")
