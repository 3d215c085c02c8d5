"""Text -> AUPlan: the EmotionCoTReasoner and its backends (embedded, transformers, openai).

    from thinkdraw_core.reasoning import reason
    plan = reason("quiet pride, fighting back tears", intensity=0.8)

Reasoners are shared per configuration (`get_reasoner`), so models load once per process and
identical requests come from a cache.
"""
from __future__ import annotations

import copy
import math
import threading
from collections import OrderedDict
from pathlib import Path

from ..plan import AUPlan
from .arcs import reason_arc
from .openai_backend import DEFAULT_BASE_URL

BACKENDS = ("embedded", "transformers", "openai")
EXAMPLE_TEXT = "quiet pride, fighting back tears"


class EmotionCoTReasoner:
    """One backend with its settings, plus an LRU cache of finished plans."""

    def __init__(self, backend: str = "embedded", *, llm_model: str | Path | None = None,
                 base_url: str = DEFAULT_BASE_URL, api_model: str = "",
                 max_new_tokens: int = 384, temperature: float = 0.0, retries: int = 1, cache_size: int = 256):
        if backend not in BACKENDS:
            raise ValueError(f"backend {backend!r} is unknown; use one of {list(BACKENDS)}")
        self.backend_name = backend
        if backend == "embedded":
            from .embedded import EmbeddedBackend

            self.backend = EmbeddedBackend()
        elif backend == "transformers":
            from .transformers_backend import TransformersBackend

            self.backend = TransformersBackend(llm_model, max_new_tokens=max_new_tokens, temperature=temperature,
                                               retries=retries)
        else:
            from .openai_backend import OpenAIBackend

            self.backend = OpenAIBackend(base_url, api_model, temperature=temperature, retries=retries)
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple, AUPlan] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def load(self) -> None:
        """Load models now (otherwise the first plan does it)."""
        self.backend.load()

    def reason(self, text: str, intensity: float = 1.0, context: str = "", seed: int = 0) -> AUPlan:
        text, intensity, context, seed = check_inputs(text, intensity, context, seed)
        key = (text, intensity, context, seed)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return copy.deepcopy(cached)
            self.misses += 1
        # an arc ('calm at first, then a flash of anger') is reasoned part by part, each part by this backend
        plan = reason_arc(text, lambda part: self._reason_part(part, intensity, context, seed, part == text), intensity)
        self._remember(key, plan)
        return plan

    def _reason_part(self, text: str, intensity: float, context: str, seed: int, whole: bool) -> AUPlan:
        """One expression from the backend; parts of an arc are cached apart from whole texts (a part is never
        an arc), the whole text only as the finished plan."""
        if whole:
            return self.backend.reason(text, intensity=intensity, context=context, seed=seed)
        key = ("part", text, intensity, context, seed)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return copy.deepcopy(cached)
        plan = self.backend.reason(text, intensity=intensity, context=context, seed=seed)
        self._remember(key, plan)
        return plan

    def _remember(self, key: tuple, plan: AUPlan) -> None:
        with self._lock:
            self._cache[key] = copy.deepcopy(plan)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()


def check_inputs(text, intensity, context, seed) -> tuple[str, float, str, int]:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text is empty: describe an emotion in words, e.g. {EXAMPLE_TEXT!r} or '悲愤交加'")
    if len(text) > 2000:
        raise ValueError(f"text is {len(text)} characters long; describe the emotion in under 2000")
    try:
        intensity = float(intensity)
    except (TypeError, ValueError):
        raise ValueError(f"intensity must be a number in 0..1, got {intensity!r}") from None
    if math.isnan(intensity) or not 0.0 <= intensity <= 1.0:
        raise ValueError(f"intensity must be in 0..1 (1 = as strong as the text says), got {intensity}")
    if context is None:
        context = ""
    if not isinstance(context, str):
        raise ValueError(f"context must be text (what is being said), got {type(context).__name__}")
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise ValueError(f"seed must be an integer, got {seed!r}") from None
    return text.strip(), intensity, context.strip(), seed


_REASONERS: dict[tuple, EmotionCoTReasoner] = {}
_REASONERS_LOCK = threading.Lock()


def get_reasoner(backend: str = "embedded", **settings) -> EmotionCoTReasoner:
    """The shared reasoner for these settings (models and caches live as long as the process)."""
    key = (backend, tuple(sorted((k, str(v)) for k, v in settings.items())))
    with _REASONERS_LOCK:
        if key not in _REASONERS:
            _REASONERS[key] = EmotionCoTReasoner(backend, **settings)
        return _REASONERS[key]


def reason(text: str, intensity: float = 1.0, context: str = "", backend: str = "embedded", seed: int = 0,
           **settings) -> AUPlan:
    return get_reasoner(backend, **settings).reason(text, intensity=intensity, context=context, seed=seed)


__all__ = ["BACKENDS", "DEFAULT_BASE_URL", "EmotionCoTReasoner", "check_inputs", "get_reasoner", "reason"]
