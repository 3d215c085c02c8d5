"""A real ComfyUI server on loopback with this pack loaded the way users load it.

The pack is linked into a private custom_nodes/ folder that an extra_model_paths.yaml names,
so the ComfyUI tree itself is never modified and several servers can share it. Output, input,
temp and user folders are private too. Used by the tests (session fixture, via
tests/comfy_host.py) and by the headless runner and `make demo`.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
PACK_LINK_NAME = "ComfyUI-ThinkDraw"

# A progress callback gets ComfyUI's websocket events as (type, data) for one prompt.
ProgressFn = Callable[[str, dict[str, Any]], None]


def comfyui_path(path: str | os.PathLike | None = None) -> Path:
    """The ComfyUI tree to run: `path`, else $COMFYUI_PATH, else the one `make setup` unpacked."""
    env = os.environ.get("COMFYUI_PATH")
    chosen = Path(path) if path else Path(env) if env else REPO / ".cache" / "comfyui"
    if not (chosen / "main.py").is_file():
        raise RuntimeError(
            f"no ComfyUI at {chosen} (main.py is missing): run `make setup`, or pass --comfyui / set "
            "COMFYUI_PATH to a ComfyUI checkout"
        )
    return chosen.resolve()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ComfyError(RuntimeError):
    pass


class ComfyServer:
    def __init__(self, comfy: Path | None = None, workdir: Path | None = None, extra_args: list[str] | None = None,
                 models: dict[str, Path] | None = None, env: dict[str, str] | None = None):
        self.comfy = comfyui_path(comfy)
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="thinkdraw-comfy-"))
        self.extra_args = extra_args or []
        self.models = models or {}
        self.env = env or {}  # on top of this process's environment (e.g. a key for the openai backend)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "comfyui.log"
        self.client_id = uuid.uuid4().hex

    @property
    def input_dir(self) -> Path:
        return self.workdir / "input"

    @property
    def output_dir(self) -> Path:
        return self.workdir / "output"

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
        env = dict(os.environ, PYTHONUNBUFFERED="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", **self.env)
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

    # -- files -----------------------------------------------------------------------------
    def put_input(self, source: str | os.PathLike, name: str | None = None) -> str:
        """Copy a file into the server's input folder; returns the name LoadImage/LoadAudio accept."""
        source = Path(source)
        if not source.is_file():
            raise FileNotFoundError(f"input file {source} does not exist")
        name = name or source.name
        self.input_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, self.input_dir / name)
        return name

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
                    headline = ""
                    if errors:
                        e = errors[0][1]
                        headline = (f" node {e.get('node_id')} ({e.get('node_type')}) raised "
                                    f"{e.get('exception_type')}: {e.get('exception_message', '').strip()}")
                    raise ComfyError(f"prompt {prompt_id} failed:{headline}\n{detail}")
                return entry
            if self.proc and self.proc.poll() is not None:
                raise ComfyError(f"ComfyUI died while running {prompt_id}:\n{self.log_tail()}")
            time.sleep(0.25)
        raise ComfyError(f"prompt {prompt_id} did not finish within {timeout:.0f}s:\n{self.log_tail()}")

    def run(self, prompt: dict[str, Any], timeout: float = 300.0, progress: ProgressFn | None = None,
            **kw) -> dict[str, Any]:
        """Queue an API-format prompt and return its /history entry (raises on execution errors).

        With `progress`, ComfyUI's websocket events for this prompt are passed to it while it runs.
        """
        if progress is None:
            return self.wait(self.queue(prompt, **kw), timeout=timeout)
        watcher = _EventWatcher(self, progress)
        watcher.start()
        try:
            prompt_id = self.queue(prompt, **kw)
            watcher.prompt_id = prompt_id
            entry = self.wait(prompt_id, timeout=timeout)
            # /history can report completion before the socket has delivered the last events
            watcher.finished.wait(timeout=5)
            return entry
        finally:
            watcher.stop()

    def view(self, filename: str, subfolder: str = "", folder_type: str = "output") -> bytes:
        query = urllib.parse.urlencode({"filename": filename, "subfolder": subfolder, "type": folder_type})
        return self._request(f"/view?{query}")

    def import_failures(self) -> list[str]:
        return [line for line in self.log_text().splitlines() if "IMPORT FAILED" in line]


class _EventWatcher:
    """Listens on ComfyUI's /ws in a thread and forwards one prompt's events.

    Progress is a nicety: if the socket cannot be opened the run still completes through
    /history polling, so every failure here is swallowed.
    """

    def __init__(self, server: ComfyServer, callback: ProgressFn):
        self.server, self.callback = server, callback
        self.prompt_id: str | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True)
        self._early: list[tuple[str, dict]] = []
        self.finished = threading.Event()

    def start(self) -> None:
        self._thread.start()
        # events are only sent to sockets open before the prompt is queued
        self._ready.wait(timeout=5)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _main(self) -> None:
        try:
            asyncio.run(self._listen())
        except Exception:  # noqa: BLE001 - see class docstring
            pass
        finally:
            self._ready.set()
            self.finished.set()  # the socket is gone: nothing more will come

    def _deliver(self, kind: str, data: dict) -> None:
        if self.prompt_id is None:
            self._early.append((kind, data))
            return
        pending, self._early = self._early, []
        for k, d in [*pending, (kind, data)]:
            if d.get("prompt_id") in (None, self.prompt_id):
                self.callback(k, d)
                if k in ("execution_success", "execution_error", "execution_interrupted") and d.get("prompt_id"):
                    self.finished.set()

    async def _listen(self) -> None:
        import aiohttp

        url = self.server.url.replace("http", "ws", 1) + f"/ws?clientId={self.server.client_id}"
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(url, heartbeat=20) as ws:
                self._ready.set()
                while not self._stop.is_set():
                    try:
                        msg = await ws.receive(timeout=0.2)
                    except asyncio.TimeoutError:
                        continue
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        if msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                            return
                        continue  # binary frames are latent previews
                    event = json.loads(msg.data)
                    if isinstance(event, dict) and isinstance(event.get("data"), dict):
                        self._deliver(str(event.get("type")), event["data"])
