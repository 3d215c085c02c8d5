"""all-MiniLM-L6-v2 sentence embeddings with numpy: the packaged weights (safetensors) and tokenizer
(HF tokenizers), no torch.

The embedded reasoner needs a few short clauses embedded per plan. Through sentence-transformers that
costs about 7 s of imports (torch, transformers) in a fresh process, longer than the whole draft it
feeds; this forward pass is the BERT encoder the model card describes (6 layers, mean pooling,
L2 normalisation) and agrees with sentence-transformers to float32 rounding
(tests/unit/test_reasoning.py compares them on the whole lexicon).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger("ThinkDraw")

# Batches up to this many texts run the BLAS on one thread. A plan encodes one or two short clauses:
# each matrix product is tiny, and OpenBLAS's worker threads spin waiting for work, so on a loaded
# machine several threads made one sentence take 100-700 ms instead of about 20 ms on one.
SINGLE_THREAD_BATCH = 8

# sentence-transformers' max_seq_length for this model (sentence_bert_config.json); longer text is cut
MAX_TOKENS = 256
# part of every cache key: bump it when the forward pass changes what it returns
ENCODER_VERSION = "numpy-bert-1"


def default_cache_dir() -> Path:
    """THINKDRAW_CACHE_DIR, else $XDG_CACHE_HOME/thinkdraw, else ~/.cache/thinkdraw."""
    if os.environ.get("THINKDRAW_CACHE_DIR"):
        return Path(os.environ["THINKDRAW_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "thinkdraw"


@lru_cache(maxsize=1)
def _blas_controller():
    """threadpoolctl's view of the loaded BLAS libraries, found once (about 1 ms), or None without it."""
    try:
        from threadpoolctl import ThreadpoolController
    except ModuleNotFoundError:
        return None
    return ThreadpoolController()


def one_blas_thread():
    controller = _blas_controller()
    return controller.limit(limits=1, user_api="blas") if controller is not None else contextlib.nullcontext()


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # BERT's exact GELU (not the tanh approximation)

    return x * (erf(x * np.float32(0.5 ** 0.5)) + 1) * np.float32(0.5)


class MiniLMEncoder:
    """Sentence embeddings (N, 384), unit length, from a sentence-transformers MiniLM folder."""

    def __init__(self, model_dir: str | Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = self.model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text())
        if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
            raise ValueError(f"{model_dir} is not a BERT model with GELU; this encoder reads only MiniLM-style BERT")
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{model_dir} pools other than by the tokens' mean; this encoder only mean-pools")
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.weights = load_file(str(model_dir / "model.safetensors"))
        self._transposed: dict[str, np.ndarray] = {}  # dense layers' weights as (in, out), made on first use
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def identity(self) -> str:
        """What the embeddings depend on besides the texts: this code's version, the model's config and
        tokenizer, and the weights file (by size and modification time, not read again)."""
        digest = hashlib.sha256(ENCODER_VERSION.encode())
        for name in ("config.json", "tokenizer.json"):
            digest.update((self.model_dir / name).read_bytes())
        weights = (self.model_dir / "model.safetensors").stat()
        digest.update(f"{weights.st_size}:{weights.st_mtime_ns}".encode())
        return digest.hexdigest()

    def encode_cached(self, texts: list[str], cache_dir: str | Path | None = None) -> np.ndarray:
        """encode(texts), kept on disk for a fixed list (the lexicon): a later process loads it instead
        of running the model over every phrase again. A cache that cannot be written only costs time."""
        digest = hashlib.sha256(self.identity().encode())
        digest.update("\n".join(texts).encode())
        path = Path(cache_dir or default_cache_dir()) / f"minilm-{digest.hexdigest()[:32]}.npy"
        try:
            cached = np.load(path)
            if cached.shape == (len(texts), self._dim) and cached.dtype == np.float32:
                return cached
        except (OSError, ValueError, EOFError):  # absent, unreadable or cut short: compute it again
            pass
        out = self.encode(texts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                np.save(f, out)
            os.replace(tmp, path)  # whole or not at all, whoever else writes it meanwhile
        except OSError as exc:
            log.info("[ThinkDraw] could not keep the lexicon embeddings in %s (%s); they are computed per process",
                     path.parent, exc)
        return out

    @property
    def _dim(self) -> int:
        return self._w("embeddings.word_embeddings.weight").shape[1]

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        # one (tokens, in) @ (in, out) product for the whole batch: a single large BLAS call, against the weight
        # transposed once into (in, out) row-major order: OpenBLAS multiplies a sentence's few rows by a
        # transposed view about half as fast (1.9 against 1.0 ms for the 384x1536 layer, one thread)
        weight = self._transposed.get(name)
        if weight is None:
            weight = self._transposed[name] = np.ascontiguousarray(self._w(f"{name}.weight").T)
        flat = x.reshape(-1, x.shape[-1]) @ weight + self._w(f"{name}.bias")
        return flat.reshape(*x.shape[:-1], -1)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if len(texts) <= SINGLE_THREAD_BATCH:
            with one_blas_thread():
                return self._encode(texts, batch_size)
        return self._encode(texts, batch_size)

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(encodings), self._dim), np.float32)
        # batches of similar length waste little on padding
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), np.int64)
            mask = np.zeros((len(chunk), length), np.float32)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n], mask[row, :n] = encodings[i].ids, 1.0
            out[chunk] = self._forward(ids, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, n = ids.shape
        x = (self._w("embeddings.word_embeddings.weight")[ids] + self._w("embeddings.position_embeddings.weight")[:n]
             + self._w("embeddings.token_type_embeddings.weight")[0])
        x = _layer_norm(x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"), self.eps)
        d = x.shape[-1]
        hd = d // self.heads
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # padding gets no attention
        for k in range(self.layers):
            p = f"encoder.layer.{k}"

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(b, n, self.heads, hd).transpose(0, 2, 1, 3)

            q = split(self._dense(x, f"{p}.attention.self.query"))
            kk = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ kk.transpose(0, 1, 3, 2) / np.float32(np.sqrt(hd)) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attended = (scores / scores.sum(-1, keepdims=True)) @ v
            attended = attended.transpose(0, 2, 1, 3).reshape(b, n, d)
            x = _layer_norm(x + self._dense(attended, f"{p}.attention.output.dense"),
                            self._w(f"{p}.attention.output.LayerNorm.weight"),
                            self._w(f"{p}.attention.output.LayerNorm.bias"), self.eps)
            hidden = _gelu(self._dense(x, f"{p}.intermediate.dense"))
            x = _layer_norm(x + self._dense(hidden, f"{p}.output.dense"), self._w(f"{p}.output.LayerNorm.weight"),
                            self._w(f"{p}.output.LayerNorm.bias"), self.eps)
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
