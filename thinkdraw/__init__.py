"""Headless runner for ThinkDraw workflows against a real ComfyUI."""
