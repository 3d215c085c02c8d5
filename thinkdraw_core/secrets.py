"""Keys never travel in workflows, prompts or the files made from them.

The reasoner once had an `api_key` widget, so workflows saved before it went hold a key in the
reasoner's `widgets_values` (by position) and API prompts hold it in the node's inputs; ComfyUI copies
both into every output's metadata. A key now comes only from the environment (see
reasoning/openai_backend.py), and these helpers drop the old value wherever a workflow or prompt
passes through ThinkDraw: the headless runner, Video Combine's metadata, and (mirrored in
web/thinkdraw.js) the editor when it loads a workflow.
"""
from __future__ import annotations

import copy
import logging
from typing import Any

log = logging.getLogger("ThinkDraw")

# Input names that hold a credential. A prompt's node input of one of these names is dropped, whatever
# the node: another pack's key has no more business in our video's metadata than ours.
SECRET_INPUTS = frozenset({"api_key"})

# Widget order of node types while they still had a secret widget: a saved workflow whose
# widgets_values has exactly this many entries is from that time.
LEGACY_WIDGETS: dict[str, tuple[str, ...]] = {
    "ThinkDrawEmotionCoTReasoner": ("text", "intensity", "backend", "llm_model", "base_url", "api_model", "api_key",
                                    "seed", "context"),
}

_warned = False


def _warn_once(where: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning("[ThinkDraw] %s carried an api_key value from an older version; it was ignored and dropped. "
                    "Keys now come from the environment (THINKDRAW_OPENAI_API_KEY or OPENAI_API_KEY).", where)


def retired_widget_positions(node_type: str, values: Any) -> list[int]:
    """Indices of secret widget values in an older save of this node type's widgets_values."""
    legacy = LEGACY_WIDGETS.get(node_type)
    if legacy is None or not isinstance(values, list) or len(values) != len(legacy):
        return []
    return [i for i, name in enumerate(legacy) if name in SECRET_INPUTS]


def scrub_workflow(workflow: Any, where: str = "a workflow") -> Any:
    """A UI workflow (editor format) without retired secret widget values; the input is not changed."""
    if not isinstance(workflow, dict) or not isinstance(workflow.get("nodes"), list):
        return workflow
    found = {i: positions for i, n in enumerate(workflow["nodes"]) if isinstance(n, dict)
             and (positions := retired_widget_positions(n.get("type", ""), n.get("widgets_values")))}
    if not found:
        return workflow
    clean = copy.deepcopy(workflow)
    keys = 0
    for i, positions in found.items():
        values = clean["nodes"][i]["widgets_values"]
        for pos in reversed(positions):
            keys += bool(values.pop(pos))
    if keys:  # an empty value needs the fix, not the warning
        _warn_once(where)
    return clean


def scrub_prompt(prompt: Any, where: str = "a prompt") -> Any:
    """An API prompt without secret inputs; the input is not changed."""
    if not isinstance(prompt, dict):
        return prompt
    hits = [nid for nid, node in prompt.items() if isinstance(node, dict)
            and isinstance(node.get("inputs"), dict) and SECRET_INPUTS & set(node["inputs"])]
    if not hits:
        return prompt
    clean = copy.deepcopy(prompt)
    keys = 0
    for nid in hits:
        for name in SECRET_INPUTS:
            keys += bool(clean[nid]["inputs"].pop(name, None))
    if keys:
        _warn_once(where)
    return clean
