"""Any OpenAI-compatible chat endpoint (Ollama, LM Studio, vLLM, llama.cpp server) over urllib.

Two rules keep a workflow from turning a shared ComfyUI into a way to send data or keys elsewhere:
- the key comes from the environment of the process (THINKDRAW_OPENAI_API_KEY, else OPENAI_API_KEY),
  never from a widget, a workflow or a command-line argument, and no message ever repeats it;
- requests go to loopback hosts only, unless whoever runs the process lists other hosts in
  THINKDRAW_LLM_HOSTS ("api.example.com,llm.lan:8000", or "*" for any). A workflow may name any
  base_url, but only the environment can widen where it points; redirects are never followed, so an
  allowed server cannot bounce the request (and its key) on to another host.
"""
from __future__ import annotations

import ipaddress
import json
import os
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .llm import LLMBackend, answer_schema

DEFAULT_BASE_URL = "http://127.0.0.1:11434/v1"
KEY_VARIABLES = ("THINKDRAW_OPENAI_API_KEY", "OPENAI_API_KEY")
HOSTS_VARIABLE = "THINKDRAW_LLM_HOSTS"


def api_key_from_env() -> str:
    """The first non-empty key variable, or '' (local servers such as Ollama need none)."""
    return next((os.environ[v].strip() for v in KEY_VARIABLES if os.environ.get(v, "").strip()), "")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name other than localhost: deciding would need a DNS look-up, which is traffic
        return False


def _allowed_hosts() -> list[str]:
    return [h.strip().lower() for h in os.environ.get(HOSTS_VARIABLE, "").split(",") if h.strip()]


def check_base_url(base_url: str) -> str:
    """base_url without a trailing slash, or ValueError naming what is wrong and how to allow it."""
    url = str(base_url).strip()
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"base_url {url!r} must start with http:// or https://, e.g. {DEFAULT_BASE_URL}")
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValueError(f"base_url must not carry credentials (user:password@); put the key in the environment "
                         f"variable {KEY_VARIABLES[0]} of the process that runs ThinkDraw")
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"base_url {url!r} names no host, e.g. {DEFAULT_BASE_URL}")
    if is_loopback(host):
        return url.rstrip("/")
    allowed = _allowed_hosts()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if "*" in allowed or host in allowed or f"{host}:{port}" in allowed:
        return url.rstrip("/")
    raise ValueError(f"base_url host {host!r} is not on this machine, and ThinkDraw only sends requests to loopback "
                     f"hosts unless allowed: whoever runs ComfyUI can set {HOSTS_VARIABLE}={host} (a comma-separated "
                     f"list, or *) in its environment, or serve the model locally, e.g. {DEFAULT_BASE_URL}")


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, "redirect refused", headers, fp)


class OpenAIBackend(LLMBackend):
    name = "openai"

    def __init__(self, base_url: str = DEFAULT_BASE_URL, model: str = "", temperature: float = 0.0,
                 max_tokens: int = 800, timeout: float = 120.0, retries: int = 1, fallback=None):
        super().__init__(retries=retries, fallback=fallback)
        self.base_url = check_base_url(base_url)
        if not str(model).strip():
            raise ValueError("api_model is empty: name the served model, e.g. 'llama3.2' for Ollama")
        self.model = str(model).strip()
        self.temperature = float(temperature)
        self.max_tokens = int(max_tokens)
        self.timeout = float(timeout)
        host = urlsplit(self.base_url).hostname or ""
        # No proxy for loopback: a proxy from the environment would carry a local request off the machine.
        proxies = urllib.request.ProxyHandler({} if is_loopback(host) else None)
        self._opener = urllib.request.build_opener(proxies, _RefuseRedirects())

    def load(self) -> None:
        pass

    def generate(self, msgs: list[dict[str, str]], seed: int) -> str:
        key = api_key_from_env()  # read per request, so the key lives in no attribute of a cached object
        try:
            return self._post(msgs, seed, key)
        except RuntimeError as exc:
            if key and key in str(exc):  # a server that echoes the key in its error text
                raise RuntimeError(str(exc).replace(key, "[key]")) from None
            raise

    def _post(self, msgs: list[dict[str, str]], seed: int, key: str) -> str:
        body = {
            "model": self.model, "messages": msgs, "temperature": self.temperature, "seed": int(seed),
            "max_tokens": self.max_tokens,
            # Servers that know structured outputs constrain decoding to the schema; others ignore it.
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "au_plan", "schema": answer_schema(), "strict": True}},
        }
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        req = urllib.request.Request(f"{self.base_url}/chat/completions", data=json.dumps(body).encode(),
                                     headers=headers, method="POST")
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                data = json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                raise RuntimeError(f"{self.base_url} answered with a redirect (HTTP {exc.code}); redirects are not "
                                   "followed: point base_url at the server itself") from None
            detail = exc.read().decode(errors="replace")[:200] if exc.fp else ""
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
