"""Video output: frames (+ speech) into a real file with PyAV, streaming, in one pass.

write_video(frames, path, fps, *, audio=None, format="h264-mp4", crf=None, pix_fmt="yuv420p", loop=0,
pingpong=False, audio_mode="keep", metadata=None, progress=None, odd_size="pad") -> VideoResult

- frames: a float batch [N,H,W,3|4] in 0..1 (torch or numpy; converted a chunk at a time) or any
  iterable of uint8 HxWx3 RGB arrays (encoded as they arrive, so a renderer can stream into it).
- audio: (samples float32 [channels, n], sample_rate), mono or stereo, any rate; AAC in mp4,
  Opus in webm/mkv, interleaved with the video as it is encoded.
- audio_mode: "keep" both lengths, "trim_video" drops frames past the end of the audio,
  "pad_audio" makes the audio exactly as long as the video (silence added, or cut).
- loop: extra plays. Video formats repeat the frames; gif/webp write a loop count (0 = forever).
- metadata: name -> str or JSON-able value (an AUPlan is accepted and written as JSON); stored in
  the container tags (mp4/webm/mkv), WebP EXIF, or the first PNG's text chunks.
- The file appears only when complete: it is written under a hidden temp name in the same folder,
  then renamed; a failure removes it.
"""
from .formats import (AUDIO_MODES, FORMATS, FormatSpec, VideoError, available_formats, available_pix_fmts,
                      check_output_path, get_format)
from .probe import VideoInfo, read_metadata_json, read_plan, read_video_info
from .writer import PLAN_KEY, VideoResult, write_video

__all__ = [
    "AUDIO_MODES", "FORMATS", "FormatSpec", "PLAN_KEY", "VideoError", "VideoInfo", "VideoResult",
    "available_formats", "available_pix_fmts", "check_output_path", "get_format", "read_metadata_json", "read_plan",
    "read_video_info", "write_video",
]
