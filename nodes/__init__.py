"""ThinkDraw's ComfyUI nodes: thin V3 adapters around thinkdraw_core.

One module per feature; each exports NODES. A module that cannot import because a third-party
package is missing is skipped with a single warning naming the package and its nodes.
"""
from __future__ import annotations

import importlib
import logging

from comfy_api.latest import ComfyExtension, io

log = logging.getLogger("ThinkDraw")

# module name -> the node ids it provides (named here so a warning can list what is disabled,
# and so tests can check that every declared node registers). Add a module here when it exists.
NODE_MODULES: dict[str, tuple[str, ...]] = {
    "reasoner": ("ThinkDrawEmotionCoTReasoner",),
    "plan_edit": ("ThinkDrawAUPlanEdit",),
    "face_masks": ("ThinkDrawFaceRegionMasks",),
    "draft": ("ThinkDrawExpressionDraftRenderer",),
    "analyzer": ("ThinkDrawExpressionAnalyzer",),
    "text_encode": ("ThinkDrawAUTextEncode",),
    "guidance": ("ThinkDrawGuidanceStage", "ThinkDrawProgressiveGuider", "ThinkDrawProgressiveGuidanceSampler"),
    "mesh_render": ("ThinkDrawAUMeshRender",),
    "video": ("ThinkDrawVideoCombine",),
    "face_track": ("ThinkDrawFaceTrack",),
    "speech_length": ("ThinkDrawSpeechLength",),
}


def _missing_third_party(exc: BaseException) -> str | None:
    """The missing third-party package's name, or None when the failure is in ThinkDraw itself."""
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    top = exc.name.split(".")[0]
    return None if top in ("thinkdraw_core", __name__.split(".")[0]) else top


def load_node_classes() -> list[type[io.ComfyNode]]:
    classes: list[type[io.ComfyNode]] = []
    for module_name, node_ids in NODE_MODULES.items():
        try:
            module = importlib.import_module(f".{module_name}", __name__)
        except Exception as exc:  # noqa: BLE001 - one module must not take the other nodes down
            missing = _missing_third_party(exc)
            if missing:
                log.warning(
                    "[ThinkDraw] %s disabled: Python package '%s' is missing. Fix: pip install -r requirements.txt "
                    "in ComfyUI's environment (the other ThinkDraw nodes still work).",
                    ", ".join(node_ids), missing,
                )
            else:
                log.exception("[ThinkDraw] %s failed to load; this is a ThinkDraw bug, please report it",
                              ", ".join(node_ids))
            continue
        for cls in module.NODES:
            try:
                cls.GET_SCHEMA()  # ComfyUI validates schemas while loading; one bad node must not sink the pack
            except Exception:  # noqa: BLE001
                log.exception("[ThinkDraw] node %s has an invalid schema and is disabled; this is a ThinkDraw bug",
                              getattr(cls, "__name__", cls))
                continue
            classes.append(cls)
    return classes


class ThinkDrawExtension(ComfyExtension):
    async def get_node_list(self) -> list[type[io.ComfyNode]]:
        # ComfyUI 0.3.75 calls this once at start-up and never on_load, so start-up work goes here.
        try:
            import folder_paths

            from .sample_inputs import place_sample_inputs

            place_sample_inputs(folder_paths.get_input_directory())
        except Exception:  # noqa: BLE001 - a read-only input folder must not keep the nodes from loading
            log.warning("[ThinkDraw] could not put the sample portrait and speech in ComfyUI's input folder; the "
                        "CPU template then needs a portrait and speech of your own", exc_info=True)
        try:
            from .preview_route import register_preview_route

            register_preview_route()
        except Exception:  # noqa: BLE001 - the panel then has no live preview; the nodes still work
            log.warning("[ThinkDraw] the apex preview route could not be added; edits render on Run only",
                        exc_info=True)
        return load_node_classes()
