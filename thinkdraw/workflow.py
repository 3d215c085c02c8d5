"""ComfyUI workflows: UI format (what the editor saves) -> API prompt (what /prompt runs).

The editor stores widget values positionally (`widgets_values`), so turning a saved workflow
into a prompt needs the node definitions the server publishes at /object_info: inputs in
declaration order (required, then optional), which of them are widgets, and which widgets
carry an extra "control after generate" value. This mirrors the frontend's graphToPrompt for
what shipped workflows use: links, widgets converted to inputs, Reroute, PrimitiveNode and
Note nodes, and muted / bypassed nodes. Group nodes and subgraphs are refused with a clear error.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thinkdraw_core.secrets import scrub_prompt, scrub_workflow

WIDGET_TYPES = frozenset({"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"})
CONTROL_VALUES = frozenset({"fixed", "increment", "decrement", "randomize"})
# the frontend adds the control widget to these INT inputs even when the definition does not ask
LEGACY_SEED_NAMES = frozenset({"seed", "noise_seed"})
UPLOAD_FLAGS = ("image_upload", "audio_upload", "video_upload", "animated_image_upload", "3d_upload")
NOTE_TYPES = frozenset({"Note", "MarkdownNote"})
MODE_NEVER, MODE_BYPASS = 2, 4


class WorkflowError(ValueError):
    """A workflow that cannot run as given; the message names the node, the input and the fix."""


@dataclass(frozen=True)
class InputSpec:
    name: str
    type: Any  # a type name, or a list of options for old-style combos
    options: dict[str, Any]
    required: bool

    @property
    def type_name(self) -> str:
        if isinstance(self.type, list):
            return "COMBO"
        return str(self.options.get("widgetType") or self.type)

    @property
    def is_widget(self) -> bool:
        return self.type_name in WIDGET_TYPES and not self.options.get("forceInput")

    @property
    def has_control(self) -> bool:
        control = self.options.get("control_after_generate")
        if control is None and self.type_name == "INT":
            return self.name in LEGACY_SEED_NAMES
        return bool(control) and self.type_name in ("INT", "FLOAT", "COMBO")

    @property
    def choices(self) -> list[Any] | None:
        if isinstance(self.type, list):
            return self.type
        if self.type_name == "COMBO":
            return list(self.options.get("options") or [])
        return None

    @property
    def is_upload(self) -> bool:
        return any(self.options.get(flag) for flag in UPLOAD_FLAGS)


def input_specs(info: dict[str, Any]) -> list[InputSpec]:
    """A node definition's inputs in the order the editor creates widgets (required, then optional)."""
    specs = []
    declared = info.get("input") or {}
    order = info.get("input_order") or {}
    for section in ("required", "optional"):
        entries = declared.get(section) or {}
        for name in order.get(section) or list(entries):
            raw = entries.get(name)
            if raw is None:
                continue
            spec_type = raw[0] if isinstance(raw, (list, tuple)) and raw else raw
            options = raw[1] if isinstance(raw, (list, tuple)) and len(raw) > 1 and isinstance(raw[1], dict) else {}
            specs.append(InputSpec(name, spec_type, options, section == "required"))
    return specs


def is_api_prompt(data: Any) -> bool:
    return isinstance(data, dict) and bool(data) and all(
        isinstance(v, dict) and "class_type" in v for v in data.values())


def load_workflow(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise WorkflowError(f"workflow file {path} does not exist")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise WorkflowError(f"workflow {path} is not valid JSON: {exc}") from None
    if not (is_api_prompt(data) or (isinstance(data, dict) and isinstance(data.get("nodes"), list))):
        raise WorkflowError(f"workflow {path} is neither a UI workflow (with 'nodes' and 'links') nor an API prompt")
    return without_secrets(data, f"workflow {path}")


def without_secrets(data: dict[str, Any], where: str) -> dict[str, Any]:
    """The workflow or prompt without the key values older versions saved in it (see thinkdraw_core.secrets)."""
    return scrub_prompt(data, where) if is_api_prompt(data) else scrub_workflow(data, where)


# -- overrides ---------------------------------------------------------------------------------
@dataclass
class Override:
    node: str  # node id, title or class_type as the user wrote it
    input: str
    raw: str

    @classmethod
    def parse(cls, text: str) -> "Override":
        key, sep, raw = text.partition("=")
        node, dot, name = key.rpartition(".")
        if not sep or not dot or not node or not name:
            raise WorkflowError(f"--set {text!r} must look like NODE.input=value (NODE: a node id, title or type)")
        return cls(node.strip(), name.strip(), raw)


def _node_label(node_id: Any, title: str | None, class_type: str) -> str:
    return f"node {node_id} ({title!r}, {class_type})" if title and title != class_type else f"node {node_id} ({class_type})"


def _find_node(ref: str, candidates: list[tuple[str, str | None, str]]) -> str:
    """The id of the one node whose id, title or class_type is `ref`; candidates: (id, title, type)."""
    for key in (0, 1, 2):
        hits = [c[0] for c in candidates if c[key] is not None and str(c[key]) == ref]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            what = ("id", "title", "type")[key]
            raise WorkflowError(f"--set node {ref!r} is ambiguous: {len(hits)} nodes have that {what} "
                                f"(ids {', '.join(hits)}); use the node id instead")
    known = ", ".join(f"{c[0]}:{c[1] or c[2]}" for c in candidates)
    raise WorkflowError(f"--set node {ref!r} matches no node id, title or type in the workflow; nodes are {known}")


def coerce(value: Any, spec: InputSpec, where: str) -> Any:
    """A command-line string (or JSON value) as the type the input declares."""
    kind = spec.type_name
    text = value if isinstance(value, str) else None
    try:
        if kind == "INT":
            if isinstance(value, bool):
                raise ValueError
            result = int(text, 0) if text is not None else int(value)
            if text is None and float(value) != result:
                raise ValueError
            return result
        if kind == "FLOAT":
            return float(value)
        if kind == "BOOLEAN":
            if isinstance(value, bool):
                return value
            lowered = str(value).strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError
    except (TypeError, ValueError):
        raise WorkflowError(f"{where} expects {kind}, got {value!r}") from None
    if kind == "COMBO":
        choices = spec.choices or []
        if text is not None and choices and not isinstance(choices[0], str):
            for choice in choices:
                if str(choice) == text:
                    return choice
        return value
    if kind == "STRING":
        return value if isinstance(value, str) else json.dumps(value)
    return value


# -- conversion --------------------------------------------------------------------------------
@dataclass
class _Graph:
    nodes: dict[str, dict[str, Any]]
    links: dict[int, tuple[str, int, str, int, Any]]  # id -> origin id, origin slot, target id, slot, type
    object_info: dict[str, Any]
    prim_values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_ui(cls, workflow: dict[str, Any], object_info: dict[str, Any]) -> "_Graph":
        if (workflow.get("definitions") or {}).get("subgraphs"):
            raise WorkflowError("the workflow contains subgraphs; unpack them in the editor (right click -> "
                                "'Unpack subgraph') and save again, the headless runner does not expand them")
        nodes = {str(n["id"]): n for n in workflow["nodes"]}
        links: dict[int, tuple[str, int, str, int, Any]] = {}
        for link in workflow.get("links") or []:
            if isinstance(link, dict):
                links[int(link["id"])] = (str(link["origin_id"]), int(link["origin_slot"]), str(link["target_id"]),
                                          int(link["target_slot"]), link.get("type"))
            else:
                links[int(link[0])] = (str(link[1]), int(link[2]), str(link[3]), int(link[4]), link[5] if len(link) > 5 else None)
        return cls(nodes, links, object_info)

    def node_type(self, node: dict[str, Any]) -> str:
        return str(node.get("type") or node.get("class_type") or "")

    def source(self, link_id: int | None, seen: frozenset[str] = frozenset()) -> tuple[str, Any] | None:
        """Where a link's value really comes from: ('link', [id, slot]), ('value', v) or None (dropped)."""
        if link_id is None:
            return None
        if link_id not in self.links:
            raise WorkflowError(f"the workflow refers to link {link_id}, which it does not define; re-save it in the editor")
        origin_id, slot, _, _, link_type = self.links[link_id]
        origin = self.nodes.get(origin_id)
        if origin is None:
            raise WorkflowError(f"link {link_id} starts at node {origin_id}, which the workflow does not contain")
        if origin_id in seen:
            raise WorkflowError(f"node {origin_id} feeds itself through bypassed or reroute nodes")
        seen = seen | {origin_id}
        kind = self.node_type(origin)
        mode = origin.get("mode", 0)
        if kind == "Reroute":
            inputs = origin.get("inputs") or []
            return self.source(inputs[0].get("link") if inputs else None, seen)
        if kind == "PrimitiveNode":
            if origin_id in self.prim_values:
                return ("value", self.prim_values[origin_id])
            values = origin.get("widgets_values") or []
            if not values:
                raise WorkflowError(f"{_node_label(origin_id, origin.get('title'), kind)} has no value; set it in the editor")
            return ("value", values[0])
        if mode == MODE_NEVER:
            return None
        if mode == MODE_BYPASS:
            return self.source(self._bypass_input(origin, slot, link_type), seen)
        return ("link", [origin_id, slot])

    def _bypass_input(self, node: dict[str, Any], slot: int, link_type: Any) -> int | None:
        """The input a bypassed node passes through to output `slot`: same index and type first, else same type."""
        outputs = node.get("outputs") or []
        out_type = outputs[slot].get("type") if slot < len(outputs) else link_type
        inputs = node.get("inputs") or []

        def matches(inp: dict[str, Any]) -> bool:
            return inp.get("link") is not None and (inp.get("type") == out_type or "*" in (inp.get("type"), out_type))

        if slot < len(inputs) and matches(inputs[slot]):
            return inputs[slot]["link"]
        return next((inp["link"] for inp in inputs if matches(inp)), None)


def widget_inputs(node: dict[str, Any], info: dict[str, Any], label: str) -> dict[str, Any]:
    """A UI node's widget values by input name."""
    values = node.get("widgets_values")
    specs = [s for s in input_specs(info) if s.is_widget]
    if values is None:
        return {}
    if isinstance(values, dict):  # some packs save widgets by name
        return {s.name: values[s.name] for s in specs if s.name in values}
    if not isinstance(values, list):
        raise WorkflowError(f"{label}: widgets_values must be a list, got {type(values).__name__}")
    result: dict[str, Any] = {}
    i = 0
    for spec in specs:
        if i >= len(values):
            break
        result[spec.name] = values[i]
        i += 1
        if spec.has_control and i < len(values) and values[i] in CONTROL_VALUES:
            i += 1
    return result


def ui_to_api(workflow: dict[str, Any], object_info: dict[str, Any],
              overrides: list[Override] | None = None) -> dict[str, Any]:
    """Convert a UI-format workflow into an API prompt, applying `--set` overrides.

    An API-format prompt is accepted as is (overrides still apply). Raises WorkflowError naming
    the node when a node type is not installed or an override does not fit.
    """
    overrides = list(overrides or [])
    workflow = without_secrets(workflow, "the workflow")
    if is_api_prompt(workflow):
        prompt = json.loads(json.dumps(workflow))
        missing = {nid: n["class_type"] for nid, n in prompt.items() if n["class_type"] not in object_info}
        _raise_missing(missing, {nid: (n.get("_meta") or {}).get("title") for nid, n in prompt.items()})
        _apply_overrides(prompt, overrides, object_info, {})
        return prompt

    graph = _Graph.from_ui(workflow, object_info)
    candidates = [(nid, n.get("title"), graph.node_type(n)) for nid, n in graph.nodes.items()
                  if graph.node_type(n) not in NOTE_TYPES | {"Reroute"}]
    resolved: dict[str, list[Override]] = {}
    for ov in overrides:
        nid = _find_node(ov.node, candidates)
        if graph.node_type(graph.nodes[nid]) == "PrimitiveNode":
            if ov.input != "value":
                raise WorkflowError(f"--set {ov.node}.{ov.input}: a PrimitiveNode has one input, 'value'")
            graph.prim_values[nid] = ov.raw
            continue
        resolved.setdefault(nid, []).append(ov)

    prompt: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for nid, node in graph.nodes.items():
        kind = graph.node_type(node)
        if kind in NOTE_TYPES or kind in ("Reroute", "PrimitiveNode") or node.get("mode", 0) in (MODE_NEVER, MODE_BYPASS):
            continue
        if kind not in object_info:
            missing[nid] = kind
            continue
        info = object_info[kind]
        title = node.get("title") or info.get("display_name") or kind
        label = _node_label(nid, node.get("title"), kind)
        inputs = widget_inputs(node, info, label)
        for inp in node.get("inputs") or []:
            name = (inp.get("widget") or {}).get("name") or inp.get("name")
            if inp.get("link") is None:
                continue
            src = graph.source(inp["link"])
            if src is None:
                inputs.pop(name, None)
            else:
                inputs[name] = src[1]
        prompt[nid] = {"class_type": kind, "inputs": inputs, "_meta": {"title": title}}
    _raise_missing(missing, {nid: graph.nodes[nid].get("title") for nid in missing})

    # a primitive's value must still be typed as the input it feeds
    for nid, node in prompt.items():
        specs = {s.name: s for s in input_specs(object_info[node["class_type"]])}
        for inp in graph.nodes[nid].get("inputs") or []:
            name = (inp.get("widget") or {}).get("name") or inp.get("name")
            link = inp.get("link")
            if link is not None and link in graph.links and graph.links[link][0] in graph.prim_values and name in specs:
                node["inputs"][name] = coerce(node["inputs"][name], specs[name],
                                              f"--set {graph.links[link][0]}.value (feeds {nid}.{name})")
    _apply_overrides(prompt, [ov for ovs in resolved.values() for ov in ovs], object_info,
                     {ov.node: nid for nid, ovs in resolved.items() for ov in ovs})
    return prompt


def _raise_missing(missing: dict[str, str], titles: dict[str, str | None]) -> None:
    if not missing:
        return
    lines = [f"  {_node_label(nid, titles.get(nid), kind)}" for nid, kind in sorted(missing.items())]
    thinkdraw = sorted({k for k in missing.values() if k.startswith("ThinkDraw")})
    hint = (" ThinkDraw nodes missing: check the ComfyUI log for a '[ThinkDraw] ... disabled' warning naming a "
            "package to pip install." if thinkdraw else "")
    if any(k.startswith("workflow>") or k.startswith("workflow/") for k in missing.values()):
        hint += " 'workflow>...' types are group nodes: in the editor, right click them -> 'Convert to nodes', save again."
    raise WorkflowError("the workflow uses node types this ComfyUI does not have:\n" + "\n".join(lines)
                        + "\nInstall the custom node packs that provide them (ComfyUI-Manager: 'Install Missing "
                        "Custom Nodes'), then run again." + hint)


def _apply_overrides(prompt: dict[str, Any], overrides: list[Override], object_info: dict[str, Any],
                     ids: dict[str, str]) -> None:
    candidates = [(nid, (n.get("_meta") or {}).get("title"), n["class_type"]) for nid, n in prompt.items()]
    for ov in overrides:
        nid = ids.get(ov.node) or _find_node(ov.node, candidates)
        node = prompt[nid]
        specs = {s.name: s for s in input_specs(object_info[node["class_type"]])}
        where = f"--set {ov.node}.{ov.input}"
        spec = specs.get(ov.input)
        if spec is None:
            names = ", ".join(specs) or "none"
            raise WorkflowError(f"{where}: {_node_label(nid, (node.get('_meta') or {}).get('title'), node['class_type'])} "
                                f"has no input {ov.input!r}; its inputs are {names}")
        if not spec.is_widget:
            raise WorkflowError(f"{where}: {ov.input!r} is a {spec.type_name} socket, not a value; set the value "
                                "on the node that produces it (for a file, the loader's file name)")
        node["inputs"][ov.input] = coerce(ov.raw, spec, where)


def prompt_inputs(prompt: dict[str, Any], object_info: dict[str, Any]):
    """(node id, node, spec, value) for every declared input of every node the server knows."""
    for nid, node in prompt.items():
        info = object_info.get(node["class_type"])
        if info is None:
            continue
        for spec in input_specs(info):
            yield nid, node, spec, node["inputs"].get(spec.name)


def check_choices(prompt: dict[str, Any], object_info: dict[str, Any]) -> None:
    """Every literal COMBO value (model files, input files, modes) must be one the server offers."""
    problems = []
    for nid, node, spec, value in prompt_inputs(prompt, object_info):
        choices = spec.choices
        if spec.type_name != "COMBO" or value is None or isinstance(value, list) or choices is None:
            continue
        if value in choices:
            continue
        label = _node_label(nid, (node.get("_meta") or {}).get("title"), node["class_type"])
        shown = ", ".join(map(str, choices[:12])) + (" ..." if len(choices) > 12 else "") if choices else "nothing"
        if spec.is_upload:
            fix = ("it is not in ComfyUI's input folder: pass a local file path with "
                   f"--set {nid}.{spec.name}=/path/to/file (the runner copies it there)")
        elif isinstance(value, str) and "." in value:
            fix = ("if it is a model file, put it in the matching ComfyUI models/ folder (or point "
                   "--models FOLDER=PATH at it) and run again")
        else:
            fix = f"use one of the offered values with --set {nid}.{spec.name}=VALUE"
        problems.append(f"  {label} input {spec.name!r}: {value!r} is not available ({fix}); "
                        f"this ComfyUI offers: {shown}")
    if problems:
        raise WorkflowError("the workflow asks for values this ComfyUI does not have:\n" + "\n".join(problems))
