"""A real ComfyUI server on loopback with this pack loaded the way users load it.

The pack is linked into a private custom_nodes/ folder that an extra_model_paths.yaml names,
so the ComfyUI tree itself is never modified and several servers can share it. Output, input,
temp and user folders are private too. Used by tests (session fixture) and by the demo runner.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PACK_LINK_NAME = "ComfyUI-ThinkDraw"


def comfyui_path() -> Path:
    env = os.environ.get("COMFYUI_PATH")
    path = Path(env) if env else REPO / ".cache" / "comfyui"
    if not (path / "main.py").is_file():
        raise RuntimeError(
            f"no ComfyUI at {path}: run `make setup` (or set COMFYUI_PATH to a ComfyUI checkout)"
        )
    return path.resolve()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ComfyError(RuntimeError):
    pass


class ComfyServer:
    def __init__(self, comfy: Path | None = None, workdir: Path | None = None, extra_args: list[str] | None = None,
                 models: dict[str, Path] | None = None):
        self.comfy = comfy or comfyui_path()
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="thinkdraw-comfy-"))
        self.extra_args = extra_args or []
        self.models = models or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "comfyui.log"
        self.client_id = uuid.uuid4().hex

    # -- lifecycle -------------------------------------------------------------------------
    def _layout(self) -> Path:
        for sub in ("custom_nodes", "output", "input", "temp", "user", "models"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        link = self.workdir / "custom_nodes" / PACK_LINK_NAME
        if not link.exists():
            link.symlink_to(REPO, target_is_directory=True)
        lines = ["thinkdraw_test:", f"    base_path: {self.workdir}", "    custom_nodes: custom_nodes/"]
        for folder, path in self.models.items():
            lines.append(f"    {folder}: {path}")
        yaml = self.workdir / "extra_model_paths.yaml"
        yaml.write_text("\n".join(lines) + "\n")
        return yaml

    def start(self, timeout: float = 240.0) -> "ComfyServer":
        yaml = self._layout()
        cmd = [
            sys.executable, "main.py", "--cpu", "--listen", "127.0.0.1", "--port", str(self.port),
            "--extra-model-paths-config", str(yaml),
            "--output-directory", str(self.workdir / "output"),
            "--input-directory", str(self.workdir / "input"),
            "--temp-directory", str(self.workdir / "temp"),
            "--user-directory", str(self.workdir / "user"),
            "--database-url", "sqlite:///:memory:",
            "--disable-auto-launch", *self.extra_args,
        ]
        env = dict(os.environ, PYTHONUNBUFFERED="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.comfy, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ComfyError(f"ComfyUI exited with {self.proc.returncode} during start-up:\n{self.log_tail()}")
            try:
                self.get_json("/system_stats", timeout=2)
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.5)
        self.stop()
        raise ComfyError(f"ComfyUI did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self) -> "ComfyServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, n: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-n:])

    # -- HTTP ------------------------------------------------------------------------------
    def _request(self, path: str, data: Any = None, timeout: float = 30) -> bytes:
        body = None if data is None else json.dumps(data).encode()
        req = urllib.request.Request(self.url + path, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read()

    def get_json(self, path: str, timeout: float = 30) -> Any:
        return json.loads(self._request(path, timeout=timeout))

    def object_info(self) -> dict[str, Any]:
        return self.get_json("/object_info")

    def queue(self, prompt: dict[str, Any], extra_data: dict[str, Any] | None = None) -> str:
        payload = {"prompt": prompt, "client_id": self.client_id}
        if extra_data:
            payload["extra_data"] = extra_data
        try:
            answer = json.loads(self._request("/prompt", payload))
        except urllib.error.HTTPError as exc:
            raise ComfyError(f"/prompt refused the graph: {exc.read().decode(errors='replace')}") from None
        return answer["prompt_id"]

    def wait(self, prompt_id: str, timeout: float = 300.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            history = self.get_json(f"/history/{prompt_id}")
            entry = history.get(prompt_id)
            if entry and entry.get("status", {}).get("completed") is not None:
                status = entry["status"]
                if status.get("status_str") == "error":
                    errors = [m for m in status.get("messages", []) if m[0] == "execution_error"]
                    detail = json.dumps(errors[0][1], indent=1) if errors else json.dumps(status)
                    raise ComfyError(f"prompt {prompt_id} failed:\n{detail}")
                return entry
            if self.proc and self.proc.poll() is not None:
                raise ComfyError(f"ComfyUI died while running {prompt_id}:\n{self.log_tail()}")
            time.sleep(0.25)
        raise ComfyError(f"prompt {prompt_id} did not finish within {timeout:.0f}s:\n{self.log_tail()}")

    def run(self, prompt: dict[str, Any], timeout: float = 300.0, **kw) -> dict[str, Any]:
        """Queue an API-format prompt and return its /history entry (raises on execution errors)."""
        return self.wait(self.queue(prompt, **kw), timeout=timeout)

    def view(self, filename: str, subfolder: str = "", folder_type: str = "output") -> bytes:
        query = urllib.parse.urlencode({"filename": filename, "subfolder": subfolder, "type": folder_type})
        return self._request(f"/view?{query}")

    def import_failures(self) -> list[str]:
        return [line for line in self.log_text().splitlines() if "IMPORT FAILED" in line]
