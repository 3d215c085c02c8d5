"""Any OpenAI-compatible chat endpoint (Ollama, LM Studio, vLLM, llama.cpp server) over urllib."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from .llm import LLMBackend, answer_schema

DEFAULT_BASE_URL = "http://127.0.0.1:11434/v1"


class OpenAIBackend(LLMBackend):
    name = "openai"

    def __init__(self, base_url: str = DEFAULT_BASE_URL, model: str = "", api_key: str = "",
                 temperature: float = 0.0, max_tokens: int = 800, timeout: float = 120.0, retries: int = 1,
                 fallback=None):
        super().__init__(retries=retries, fallback=fallback)
        if not str(base_url).startswith(("http://", "https://")):
            raise ValueError(f"base_url {base_url!r} must start with http:// or https://, e.g. {DEFAULT_BASE_URL}")
        if not str(model).strip():
            raise ValueError("api_model is empty: name the served model, e.g. 'llama3.2' for Ollama")
        self.base_url = str(base_url).rstrip("/")
        self.model = str(model).strip()
        self.api_key = api_key
        self.temperature = float(temperature)
        self.max_tokens = int(max_tokens)
        self.timeout = float(timeout)

    def load(self) -> None:
        pass

    def generate(self, msgs: list[dict[str, str]], seed: int) -> str:
        body = {
            "model": self.model, "messages": msgs, "temperature": self.temperature, "seed": int(seed),
            "max_tokens": self.max_tokens,
            # Servers that know structured outputs constrain decoding to the schema; others ignore it.
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "au_plan", "schema": answer_schema(), "strict": True}},
        }
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(f"{self.base_url}/chat/completions", data=json.dumps(body).encode(),
                                     headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data = json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:200]
            raise RuntimeError(f"{self.base_url} answered HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise RuntimeError(f"cannot reach {self.base_url} ({getattr(exc, 'reason', exc)}); is the server "
                               "running and is base_url right?") from None
        except json.JSONDecodeError:
            raise RuntimeError(f"{self.base_url} did not answer JSON; is it an OpenAI-compatible /v1 URL?") from None
        try:
            return data["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise RuntimeError(f"{self.base_url} answered without choices[0].message.content") from None
