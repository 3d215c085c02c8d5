"""Run a saved workflow headless against a real ComfyUI and collect what it produced."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .host import ComfyError, ComfyServer
from .workflow import (Override, WorkflowError, check_choices, input_specs, load_workflow, prompt_inputs,
                       ui_to_api)


@dataclass
class OutputFile:
    node: str
    title: str
    filename: str
    subfolder: str
    type: str  # output | temp | input
    path: Path | None = None  # the local copy under the run's out dir


@dataclass
class RunResult:
    prompt_id: str
    prompt: dict[str, Any]
    outputs: dict[str, dict[str, Any]]  # node id -> that node's `ui` payload
    files: list[OutputFile] = field(default_factory=list)
    seconds: float = 0.0

    def title(self, node_id: str) -> str:
        node = self.prompt.get(node_id) or {}
        return (node.get("_meta") or {}).get("title") or node.get("class_type", node_id)

    def node_ids(self, class_type: str) -> list[str]:
        return [nid for nid, n in self.prompt.items() if n["class_type"] == class_type]

    def files_of(self, class_type: str) -> list[OutputFile]:
        ids = set(self.node_ids(class_type))
        return [f for f in self.files if f.node in ids]

    def ui_of(self, class_type: str) -> dict[str, Any]:
        """The first ui payload of a node of this type (empty when it reported nothing)."""
        for nid in self.node_ids(class_type):
            if nid in self.outputs:
                return self.outputs[nid]
        return {}


def _file_entries(ui: dict[str, Any]):
    for value in ui.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and isinstance(item.get("filename"), str):
                    yield item


class TqdmProgress:
    """A tqdm bar on stderr fed by ComfyUI's websocket events: nodes done, and the current node's steps."""

    def __init__(self, prompt: dict[str, Any]):
        from tqdm import tqdm

        self.prompt = prompt
        self.bar = tqdm(total=len(prompt), unit="node", file=sys.stderr, dynamic_ncols=True, leave=True,
                        mininterval=0.5)
        self.done: set[str] = set()
        self._shown = 0.0

    def _title(self, nid: str) -> str:
        node = self.prompt.get(nid) or {}
        return (node.get("_meta") or {}).get("title") or node.get("class_type", nid)

    def _due(self) -> bool:
        now = time.monotonic()
        if now - self._shown < 0.5:
            return False
        self._shown = now
        return True

    def _finish(self, nid: str) -> None:
        if nid in self.prompt and nid not in self.done:
            self.done.add(nid)
            self.bar.update(1)

    def __call__(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "execution_cached":
            for nid in data.get("nodes") or []:
                self._finish(str(nid))
        elif kind == "executing" and data.get("node") is not None:
            self.bar.set_description(self._title(str(data["node"]))[:40], refresh=False)
            self.bar.set_postfix_str("", refresh=self._due())
        elif kind == "executed":
            self._finish(str(data.get("node")))
        elif kind == "progress" and data.get("max"):
            # per-frame events would print a line each where stderr is not a terminal (make, CI logs)
            self.bar.set_postfix_str(f"step {data['value']}/{data['max']}", refresh=self._due())
        elif kind == "progress_state":
            for nid, state in (data.get("nodes") or {}).items():
                if state.get("state") == "finished":
                    self._finish(str(nid))

    def close(self) -> None:
        # nodes the server never reached (not needed by any output) still count as settled
        self.bar.update(self.bar.total - self.bar.n)
        self.bar.set_description("done")
        self.bar.close()


def stage_uploads(server: ComfyServer, prompt: dict[str, Any], object_info: dict[str, Any]) -> dict[tuple[str, str], Path]:
    """Copy local files named in upload inputs (LoadImage.image, LoadAudio.audio) into the input folder.

    Returns {(node id, input): local path} of what was staged.
    """
    staged: dict[tuple[str, str], Path] = {}
    for nid, node, spec, value in prompt_inputs(prompt, object_info):
        if not spec.is_upload or not isinstance(value, str):
            continue
        offered = bool(spec.choices) and value in spec.choices
        local = Path(value).expanduser()
        if local.is_file() and (not offered or "/" in value or "\\" in value):
            node["inputs"][spec.name] = server.put_input(local)
            staged[(nid, spec.name)] = local
        elif ("/" in value or "\\" in value) and not offered:
            raise WorkflowError(f"input file {value} (for node {nid} {node['class_type']}.{spec.name}) does not exist")
    return staged


def prepare(server: ComfyServer, workflow: dict[str, Any] | str | Path,
            sets: list[str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The API prompt for a workflow on this server, overrides applied and checked; and /object_info."""
    if not isinstance(workflow, dict):
        workflow = load_workflow(workflow)
    object_info = server.object_info()
    prompt = ui_to_api(workflow, object_info, [Override.parse(s) for s in sets or []])
    staged = stage_uploads(server, prompt, object_info)
    if staged:
        object_info = server.object_info()  # the input folder's listing changed
        for (nid, name), local in staged.items():
            spec = next(s for s in input_specs(object_info[prompt[nid]["class_type"]]) if s.name == name)
            if prompt[nid]["inputs"][name] not in (spec.choices or []):
                raise WorkflowError(f"{local} was copied into ComfyUI's input folder, but node {nid} "
                                    f"{prompt[nid]['class_type']}.{name} does not list it, so ComfyUI does not "
                                    f"read that kind of file there; give an {name} file (png/jpg/webp for images, "
                                    "wav/mp3/flac for audio)")
    check_choices(prompt, object_info)
    return prompt, object_info


def format_refusal(exc: ComfyError, prompt: dict[str, Any]) -> str:
    """/prompt's validation answer as one line per node and input."""
    text = str(exc)
    start = text.find("{")
    try:
        answer = json.loads(text[start:])
    except (ValueError, TypeError):
        return text
    lines = [f"ComfyUI refused the graph: {answer.get('error', {}).get('message', '')}"]
    for nid, info in (answer.get("node_errors") or {}).items():
        title = ((prompt.get(nid) or {}).get("_meta") or {}).get("title") or info.get("class_type")
        for err in info.get("errors") or []:
            detail = err.get("details") or err.get("message")
            lines.append(f"  node {nid} ({title}): {detail}")
    return "\n".join(lines)


def run_prompt(server: ComfyServer, prompt: dict[str, Any], out_dir: str | Path | None = None,
               timeout: float = 600.0, progress: bool = False, workflow: dict[str, Any] | None = None) -> RunResult:
    """Run an API prompt, copy every file it reports into out_dir, and return what it produced.

    With the UI `workflow` it came from, the run carries it as the editor does (extra_pnginfo), so
    saved files embed the workflow as well as the prompt and open again in the editor.
    """
    bar = TqdmProgress(prompt) if progress else None
    extra = {"extra_pnginfo": {"workflow": workflow}} if workflow is not None else None
    t0 = time.perf_counter()
    try:
        entry = server.run(prompt, timeout=timeout, progress=bar, extra_data=extra)
    except ComfyError as exc:
        if str(exc).startswith("/prompt refused"):
            raise ComfyError(format_refusal(exc, prompt)) from None
        raise
    finally:
        if bar is not None:
            bar.close()
    # a /history entry's "prompt" is [number, prompt_id, prompt, extra_data, outputs_to_execute]
    prompt_id = str(entry["prompt"][1]) if isinstance(entry.get("prompt"), list) else ""
    result = RunResult(prompt_id, prompt, dict(entry.get("outputs") or {}), seconds=time.perf_counter() - t0)
    out = Path(out_dir) if out_dir else None
    for nid, ui in result.outputs.items():
        for item in _file_entries(ui):
            f = OutputFile(nid, result.title(nid), item["filename"], item.get("subfolder", ""), item.get("type", "output"))
            if out is not None:
                target = out / f.subfolder / f.filename if f.subfolder else out / f.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(server.view(f.filename, f.subfolder, f.type))
                f.path = target
            result.files.append(f)
    return result


def brief(exc: ComfyError, log: Path) -> ComfyError:
    """A node's failure as its one-line message; the traceback stays in ComfyUI's log."""
    text = str(exc)
    if text.startswith("prompt ") and " failed:" in text:
        return ComfyError(f"{text.splitlines()[0]}\n(traceback and details: {log})")
    return exc


def describe(result: RunResult) -> str:
    """A short human report of a run's outputs."""
    lines = [f"ran {len(result.prompt)} nodes in {result.seconds:.1f}s"]
    for nid, ui in result.outputs.items():
        lines.append(f"- node {nid} {result.title(nid)}:")
        files = [f for f in result.files if f.node == nid]
        for f in files:
            lines.append(f"    {f.type}: {f.path or f.filename}")
        for key, value in ui.items():
            if any(isinstance(v, dict) and "filename" in v for v in (value if isinstance(value, list) else [])):
                continue
            text = json.dumps(value, ensure_ascii=False)
            lines.append(f"    {key}: {text[:200]}{'...' if len(text) > 200 else ''}")
    return "\n".join(lines)


def run_workflow(workflow: dict[str, Any] | str | Path, sets: list[str] | None = None, *, comfyui: str | Path | None = None,
                 out_dir: str | Path | None = "output", server: ComfyServer | None = None, timeout: float = 600.0,
                 progress: bool = False, models: dict[str, Path] | None = None) -> RunResult:
    """Convert, check and run a workflow; starts (and stops) a private server unless one is given."""
    own = server is None
    if own:
        server = ComfyServer(comfy=comfyui, models=models).start()
    try:
        prompt, _ = prepare(server, workflow, sets)
        return run_prompt(server, prompt, out_dir=out_dir, timeout=timeout, progress=progress)
    finally:
        if own:
            server.stop()
