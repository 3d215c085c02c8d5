"""The test host's server: the logic lives in thinkdraw/host.py (the demo and runner use it too).

Kept as a re-export so tests can keep `from comfy_host import ComfyServer, ...`.
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# appended, not prepended: the repo's nodes/ folder must never shadow ComfyUI's `nodes` module
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))

from thinkdraw.host import PACK_LINK_NAME, ComfyError, ComfyServer, comfyui_path, free_port  # noqa: E402

__all__ = ["PACK_LINK_NAME", "REPO", "ComfyError", "ComfyServer", "comfyui_path", "free_port"]
