"""ThinkDraw core: emotion reasoning, AU plans, draft rendering and video, with no ComfyUI import."""
