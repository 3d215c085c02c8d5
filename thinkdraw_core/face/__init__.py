"""Faces: MediaPipe landmarks and blendshapes, soft region masks, and the expression analyser."""
from .landmarks import CropBox, Face, FaceLandmarker, NoFaceError, detect_face, face_crop_box, get_landmarker, resolve_model_path
from .masks import region_masks

__all__ = ["CropBox", "Face", "FaceLandmarker", "NoFaceError", "detect_face", "face_crop_box", "get_landmarker",
           "resolve_model_path", "region_masks"]
