"""Emotion CoT Reasoner: free-form emotion text -> AU plan and its reasoning."""
from __future__ import annotations

import os

import folder_paths
from comfy.utils import ProgressBar
from comfy_api.latest import io

from thinkdraw_core.reasoning import BACKENDS, DEFAULT_BASE_URL, get_reasoner
from thinkdraw_core.reasoning.arcs import beat_lines
from thinkdraw_core.reasoning.openai_backend import HOSTS_VARIABLE, KEY_VARIABLES

from .types import CATEGORY, Plan, plan_ui

LLM_FOLDER = "LLM"
NO_MODEL = "none"


def _llm_folders() -> list[str]:
    if LLM_FOLDER not in folder_paths.folder_names_and_paths:
        folder_paths.add_model_folder_path(LLM_FOLDER, os.path.join(folder_paths.models_dir, LLM_FOLDER))
    return folder_paths.get_folder_paths(LLM_FOLDER)


def llm_choices() -> list[str]:
    """.gguf files and model folders (with config.json) under models/LLM."""
    found: set[str] = set()
    for root in _llm_folders():
        if not os.path.isdir(root):
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            rel = os.path.relpath(dirpath, root)
            if "config.json" in filenames and rel != ".":
                found.add(rel.replace(os.sep, "/"))
                dirnames.clear()
                continue
            found.update(os.path.normpath(os.path.join(rel, f)).replace(os.sep, "/")
                         for f in filenames if f.endswith(".gguf"))
    return [NO_MODEL, *sorted(found)]


def llm_path(choice: str) -> str | None:
    if not choice or choice == NO_MODEL:
        return None
    for root in _llm_folders():
        path = os.path.join(root, choice)
        if os.path.exists(path):
            return path
    raise ValueError(f"llm_model {choice!r} is not in models/{LLM_FOLDER}; refresh the node or pick another")


class ThinkDrawEmotionCoTReasoner(io.ComfyNode):
    """Plans facial Action Units for an emotion description, step by step."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawEmotionCoTReasoner",
            display_name="Emotion CoT Reasoner (ThinkDraw)",
            category=f"{CATEGORY}/think",
            description="Reads a free-form emotion in English or Chinese ('smug, looking down on his rival') and "
                        "plans FACS Action Units with sides, region notes and timing; the reasoning says why. "
                        "Its panel is read-only: edit the plan in AU Plan Edit.",
            inputs=[
                io.String.Input("text", multiline=True, default="quiet pride, fighting back tears",
                                tooltip="The feeling in your own words: an emotion, an idiom, a situation ('a "
                                        "stranger pays for her coffee') or a face ('one brow raised'), English "
                                        "or Chinese."),
                io.Float.Input("intensity", default=1.0, min=0.0, max=1.0, step=0.01,
                               tooltip="Overall strength, applied to every AU after planning."),
                io.String.Input("context", multiline=True, default="", optional=True,
                                tooltip="Optional: what the person is saying (keeps the jaw free for speech)."),
                io.Combo.Input("backend", options=list(BACKENDS), default="embedded",
                               tooltip="embedded: offline rules + sentence embeddings (fast). transformers: a local "
                                       "LLM from models/LLM. openai: an OpenAI-compatible server."),
                io.Combo.Input("llm_model", options=llm_choices(), default=NO_MODEL,
                               tooltip="transformers backend: a .gguf file or model folder in models/LLM "
                                       "('none' = the packaged SmolLM2-135M if installed)."),
                io.String.Input("base_url", default=DEFAULT_BASE_URL,
                                tooltip="openai backend: the /v1 base URL. Loopback hosts only, unless the "
                                        f"ComfyUI process's environment lists others in {HOSTS_VARIABLE}."),
                io.String.Input("api_model", default="",
                                tooltip="openai backend: the model name. A key, if the server needs one, comes "
                                        f"from the environment variable {KEY_VARIABLES[0]} (or "
                                        f"{KEY_VARIABLES[1]}), never from the workflow."),
                io.Int.Input("seed", default=0, min=0, max=2**31 - 1, control_after_generate=False,
                             tooltip="Makes LLM backends repeatable (fixed, so a slider edit downstream does "
                                     "not re-run the reasoning)."),
            ],
            outputs=[Plan.Output("plan"), io.String.Output("reasoning")],
            is_output_node=True,  # shows its plan in the UI even with nothing connected
        )

    @classmethod
    def execute(cls, text, intensity, backend, llm_model, base_url, api_model, seed, context="") -> io.NodeOutput:
        settings = {}
        if backend == "transformers":
            settings = {"llm_model": llm_path(llm_model)}
        elif backend == "openai":
            settings = {"base_url": base_url, "api_model": api_model}
        bar = ProgressBar(2)
        reasoner = get_reasoner(backend, **settings)
        reasoner.load()
        bar.update_absolute(1)
        plan = reasoner.reason(text, intensity=intensity, context=context or "", seed=seed)
        bar.update_absolute(2)
        lines = plan.reasoning
        if len(plan.beats) > 1:  # an arc: one line per beat first (AU Plan Edit addresses them by index)
            lines = ["Beats:", *beat_lines(plan), "", *lines]
        return io.NodeOutput(plan, "\n".join(lines), ui=plan_ui(plan))


NODES = [ThinkDrawEmotionCoTReasoner]
