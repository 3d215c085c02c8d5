"""POST /thinkdraw/preview: the apex of a plan on a portrait from ComfyUI's input folder, as a JPEG.

The web panel calls it on every slider edit, so the artist sees the face change in a fraction of a second
(thinkdraw_core/draft/preview.py) and renders the whole clip only on Run. The request names the portrait
as the Load Image widget does (a file in the input folder), and carries the plan the panel shows with the
overrides the sliders wrote; nothing is queued and nothing is written.
"""
from __future__ import annotations

import asyncio
import json
import logging
from functools import partial

import cv2
import numpy as np

from thinkdraw_core.draft.preview import PREVIEW
from thinkdraw_core.face import get_landmarker
from thinkdraw_core.plan import AUPlan, PlanError

from .face_masks import mediapipe_dirs

log = logging.getLogger("ThinkDraw")
ROUTE = "/thinkdraw/preview"
PREVIEW_SIZE = 320  # the panel shows the face at about this size; a small JPEG answers faster


class PreviewRequestError(ValueError):
    """A preview request that cannot be drawn; the message names the field and the fix."""


def load_portrait(name: str) -> np.ndarray:
    """The picture Load Image would give for `name` (EXIF rotation applied, RGB), as uint8 HxWx3."""
    import folder_paths
    import node_helpers
    from PIL import Image, ImageOps

    if not isinstance(name, str) or not name.strip():
        raise PreviewRequestError("image must be the portrait's file name in ComfyUI's input folder (as Load Image "
                                  "shows it)")
    if not folder_paths.exists_annotated_filepath(name):
        raise PreviewRequestError(f"image {name!r} is not in ComfyUI's input folder; pick or upload it in Load Image")
    path = folder_paths.get_annotated_filepath(name)
    with node_helpers.pillow(Image.open, path) as img:
        img = node_helpers.pillow(ImageOps.exif_transpose, img)
        return np.array(img.convert("RGB"), dtype=np.uint8)


def _number(body: dict, name: str, default, kind=float, low=None, high=None):
    value = body.get(name, default)
    try:
        value = kind(value)
    except (TypeError, ValueError):
        raise PreviewRequestError(f"{name} must be a number, got {value!r}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise PreviewRequestError(f"{name} must be in {low}..{high}, got {value}")
    return value


def render_preview(body: dict) -> tuple[bytes, dict[str, str]]:
    """The request's JSON body -> (JPEG bytes of the face at the apex, headers describing it)."""
    if not isinstance(body, dict):
        raise PreviewRequestError("the request must be a JSON object with image, plan and overrides")
    image = load_portrait(body.get("image"))
    plan = AUPlan.from_dict(body.get("plan"))
    overrides = body.get("overrides") or {}
    if isinstance(overrides, str):
        try:
            overrides = json.loads(overrides) if overrides.strip() else {}
        except json.JSONDecodeError as exc:
            raise PreviewRequestError(f"overrides is not valid JSON ({exc}); it is what AU Plan Edit holds") from None
    if overrides:
        plan = plan.with_overrides(overrides)
    face_index = _number(body, "face_index", -1, int, -1, 63)
    face_index = None if face_index < 0 else face_index
    crop_margin = _number(body, "crop_margin", 0.6, float, 0.0, 3.0)
    shown = PREVIEW.frame(image, plan, beat=_number(body, "beat", 0, int, 0, 63),
                          neutralize=_number(body, "neutralize", 0.8, float, 0.0, 1.0), face_index=face_index,
                          crop_margin=crop_margin, landmarker=get_landmarker(None, mediapipe_dirs()))
    x0, y0, x1, y1 = shown.box
    face = shown.frame[y0:y1, x0:x1]
    scale = PREVIEW_SIZE / max(face.shape[:2])
    if scale < 1:
        face = cv2.resize(face, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(face, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 88])
    if not ok:
        raise RuntimeError("the preview could not be encoded as JPEG")
    return jpeg.tobytes(), {"X-ThinkDraw-Calibrated": "1" if shown.calibrated else "0",
                            "X-ThinkDraw-Note": shown.note, "Cache-Control": "no-store"}


def register_preview_route() -> bool:
    """Add the route to ComfyUI's server (once); False where there is no server (tests in-process)."""
    try:
        from aiohttp import web
        from server import PromptServer
    except ImportError:
        return False
    server = getattr(PromptServer, "instance", None)
    if server is None or getattr(server, "_thinkdraw_preview", False):
        return server is not None
    lock = asyncio.Lock()  # one preview at a time: the panel only wants the newest edit's picture

    @server.routes.post(ROUTE)
    async def preview(request):
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"error": "the request body must be JSON"}, status=400)
        try:
            async with lock:
                jpeg, headers = await asyncio.get_running_loop().run_in_executor(None, partial(render_preview, body))
        except (PreviewRequestError, PlanError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        except Exception:  # noqa: BLE001 - the panel shows a message; the log has the details
            log.exception("[ThinkDraw] the apex preview failed")
            return web.json_response({"error": "the preview failed; see ComfyUI's log"}, status=500)
        return web.Response(body=jpeg, content_type="image/jpeg", headers=headers)

    server._thinkdraw_preview = True
    return True
