"""ComfyUI entry point for ThinkDraw: think before drawing, then draw like a painter.

Loading must never break ComfyUI's start-up: a node module whose optional dependency is missing
is skipped with one warning, and the rest of the pack still registers.
"""
import logging
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
# thinkdraw_core is a library of its own; appended (not prepended) so ComfyUI's `nodes` module
# keeps precedence over this pack's nodes/ folder.
if _HERE not in sys.path:
    sys.path.append(_HERE)

WEB_DIRECTORY = "./web"

try:
    from .nodes import ThinkDrawExtension
except Exception:  # noqa: BLE001 - an import error here must not take ComfyUI down
    logging.getLogger("ThinkDraw").exception("[ThinkDraw] the node pack could not load; ComfyUI continues without it")
    ThinkDrawExtension = None


async def comfy_entrypoint():
    if ThinkDrawExtension is None:
        from comfy_api.latest import ComfyExtension

        class _Empty(ComfyExtension):
            async def get_node_list(self):
                return []

        return _Empty()
    return ThinkDrawExtension()
