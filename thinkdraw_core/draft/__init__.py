"""The CPU draft renderer: warp a portrait by an AU plan into a real talking video."""
from .renderer import DraftResult, prepare_face, render_draft

__all__ = ["DraftResult", "prepare_face", "render_draft"]
