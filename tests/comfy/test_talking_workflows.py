"""The three shipped talking workflows, end to end in a real ComfyUI on CPU, on tiny models.

Each test loads the shipped UI workflow, converts it with the runner's own conversion
(thinkdraw.workflow.ui_to_api) and runs it through /prompt. The tiny model files are named as the
workflows name them (tests/tiny_model.py write_talking_model_files), so the loader widgets are the
shipped ones; only sizes, window lengths (and the guider offsets that follow from them) and step
counts are made small. The stock loaders read them; the test-only plugin
tests/comfy_plugins/thinkdraw_tiny_loaders supplies the sizes ComfyUI takes from full-size tables, and
records what each diffusion-model call receives (audio, reference, face video, motion), per batch row,
and whether ThinkDraw's one-pass regions were composed in that call.

The speech is the shipped demo speech, cut short: for S2V and Animate longer than two tiny windows
(and reaching into S2V's third, which reads the speech from frame 16), so the output only covers it
if every chained window ran.
"""
from __future__ import annotations

import json
import sys
import wave
from pathlib import Path

import pytest

from comfy_host import ComfyServer
from thinkdraw.shipped import ANIMATE, HUMO, S2V

pytestmark = pytest.mark.comfy

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "tests" / "comfy_plugins" / "thinkdraw_tiny_loaders"
# each test's speech: longer than all windows but the last, so only every chained window covers it
HUMO_SPEECH, S2V_SPEECH, ANIMATE_SPEECH = 1.0, 1.2, 1.0
PORTRAIT = 192  # the face must stay findable for the region masks, the draft and the face track
VIDEO = 64  # video pixels: an 8x8 latent
STEPS = 2
S2V_LENGTH, ANIMATE_LENGTH = 5, 9  # frames a window draws (shipped: 77 and 77)
SHIPPED_LENGTH, ANIMATE_MOTION = 77, 5


def _wan_latent_frames(length: int) -> int:
    return (length - 1) // 4 + 1


def _write_short_speech(source: Path, dest: Path, seconds: float) -> None:
    with wave.open(str(source)) as w:
        params = w.getparams()
        frames = w.readframes(int(seconds * w.getframerate()))
    with wave.open(str(dest), "wb") as out:
        out.setparams(params)
        out.writeframes(frames)


@pytest.fixture(scope="module")
def talking(tmp_path_factory, comfy_on_path):
    import tiny_model

    folders = tiny_model.write_talking_model_files(tmp_path_factory.mktemp("talking-models"))
    workdir = tmp_path_factory.mktemp("comfyui-talking")
    (workdir / "custom_nodes").mkdir()
    (workdir / "custom_nodes" / PLUGIN.name).symlink_to(PLUGIN, target_is_directory=True)
    (workdir / "input").mkdir()
    # the name the workflows load; written before start so the pack's sample copy leaves it alone
    _write_short_speech(REPO / "example_inputs" / "thinkdraw_demo_speech.wav",
                        workdir / "input" / "thinkdraw_demo_speech.wav", HUMO_SPEECH)
    probe = workdir / "probe.jsonl"
    server = ComfyServer(workdir=workdir, models=dict(folders),
                         env={"THINKDRAW_TINY_PROBE": str(probe)})
    server.start()
    try:
        assert "tiny-model loaders active" in server.log_text(), server.log_tail()
        server.probe = probe
        yield server
    finally:
        server.stop()


def _prompt(server: ComfyServer, path: Path) -> tuple[dict, dict]:
    if str(REPO) not in sys.path:
        sys.path.append(str(REPO))
    from thinkdraw.workflow import ui_to_api

    workflow = json.loads(path.read_text())
    return ui_to_api(workflow, server.object_info(), []), workflow


def _set(prompt: dict, class_type: str, **values) -> list[str]:
    """Substitute widget values on every node of this type (each must exist and be a value, not a link)."""
    ids = sorted((nid for nid, n in prompt.items() if n["class_type"] == class_type), key=int)
    assert ids, f"the workflow has no {class_type}"
    for nid in ids:
        for key, value in values.items():
            assert key in prompt[nid]["inputs"] and not isinstance(prompt[nid]["inputs"][key], list), (nid, key)
            prompt[nid]["inputs"][key] = value
    return ids


def _shrink_common(prompt: dict) -> None:
    _set(prompt, "ImageScale", width=PORTRAIT, height=PORTRAIT)
    _set(prompt, "BasicScheduler", steps=STEPS)


def _run(server: ComfyServer, prompt: dict, speech_seconds: float) -> tuple[list[dict], object]:
    from thinkdraw_core.video.probe import read_video_info

    # LoadAudio re-reads its file when the file's hash changes
    _write_short_speech(REPO / "example_inputs" / "thinkdraw_demo_speech.wav",
                        server.input_dir / "thinkdraw_demo_speech.wav", speech_seconds)
    server.probe.write_text("")
    before = set(server.output_dir.rglob("*.mp4"))
    server.run(prompt, timeout=900)
    calls = [json.loads(line) for line in server.probe.read_text().splitlines()]
    videos = sorted(set(server.output_dir.rglob("*.mp4")) - before)
    assert len(videos) == 1, videos
    return calls, read_video_info(videos[0])


def _positive_rows(call: dict) -> list[int]:
    return [r for r, kind in enumerate(call["cond_or_uncond"]) if kind == 0]


def _negative_rows(call: dict) -> list[int]:
    return [r for r, kind in enumerate(call["cond_or_uncond"]) if kind == 1]


def _assert_regional_calls_carry(calls: list[dict], family: str, extras: tuple[str, ...]) -> list[dict]:
    """Local stages ran (regions composed in the call) and each positive row there had these extras, non-zero."""
    mine = [c for c in calls if c["family"] == family]
    regional = [c for c in mine if c["regional"]]
    assert mine and regional, f"no {family} call composed regions: {len(mine)} calls"
    assert len(regional) < len(mine), "the global-only first stage must run without regions"
    for call in regional:
        rows = _positive_rows(call)
        assert rows, call
        for name in extras:
            values = call["extras"].get(name)
            assert isinstance(values, list), f"{family}: a regional call got no {name}: {call['extras'].keys()}"
            assert all(values[r]["absmax"] > 0 for r in rows), f"{family}: {name} is empty on a positive row: {values}"
    return regional


def _assert_each_window_ran_local_stages(calls: list[dict], family: str, windows: int) -> None:
    """Windows sample one after another with the same steps: each run's share of the calls composed regions."""
    mine = [c for c in calls if c["family"] == family]
    assert mine and len(mine) % windows == 0, (len(mine), windows)
    per_run = len(mine) // windows
    for w in range(windows):
        assert any(c["regional"] for c in mine[w * per_run:(w + 1) * per_run]), f"window {w + 1} ran no local stage"


def _assert_video_covers_speech(video, fps: float, drawn_frames: int, seconds: float) -> None:
    speech_frames = seconds * fps
    assert drawn_frames >= speech_frames, f"the windows draw {drawn_frames} frames, the speech needs {speech_frames}"
    assert abs(video.frames - speech_frames) <= 1, (video.frames, speech_frames)
    assert video.fps == pytest.approx(fps)
    assert video.audio_duration == pytest.approx(seconds, abs=0.05)
    assert (video.width, video.height) == (VIDEO, VIDEO)


def test_humo_workflow_runs_end_to_end_and_local_stages_hear_the_speech(talking):
    prompt, _ = _prompt(talking, HUMO)
    _shrink_common(prompt)
    _set(prompt, "WanHuMoImageToVideo", width=VIDEO, height=VIDEO)
    calls, video = _run(talking, prompt, HUMO_SPEECH)

    regional = _assert_regional_calls_carry(calls, "humo", ("audio_embed", "reference_latent"))
    for call in regional:  # the negative keeps its own extras: HuMo's silent audio
        assert all(call["extras"]["audio_embed"][r]["absmax"] == 0 for r in _negative_rows(call))
    # Speech Length: 25 fps x 1 s -> 25 frames (4k+1) -> 7 latent frames; Video Combine trims to the speech
    length = 1 + 4 * -(-round(HUMO_SPEECH * 25 - 1) // 4)
    assert {c["latent_shape"][2] for c in regional} == {_wan_latent_frames(length)}
    _assert_video_covers_speech(video, 25.0, length, HUMO_SPEECH)


def test_s2v_workflow_extends_over_the_speech_and_every_window_hears_it(talking):
    prompt, _ = _prompt(talking, S2V)
    _shrink_common(prompt)
    _set(prompt, "WanSoundImageToVideo", width=VIDEO, height=VIDEO, length=S2V_LENGTH)
    _set(prompt, "WanSoundImageToVideoExtend", length=S2V_LENGTH)
    guiders = sorted((nid for nid, n in prompt.items() if n["class_type"] == "ThinkDrawProgressiveGuider"), key=int)
    # each window starts where the Extend node reads the speech: 4 x the latent frames drawn before it
    shipped = [prompt[g]["inputs"]["video_frame_offset"] for g in guiders]
    assert shipped == [4 * _wan_latent_frames(SHIPPED_LENGTH) * w for w in range(len(guiders))]
    for w, g in enumerate(guiders):
        prompt[g]["inputs"]["video_frame_offset"] = 4 * _wan_latent_frames(S2V_LENGTH) * w
    calls, video = _run(talking, prompt, S2V_SPEECH)

    regional = _assert_regional_calls_carry(calls, "s2v", ("audio_embed", "reference_latent"))
    _assert_each_window_ran_local_stages(calls, "s2v", len(guiders))
    for call in regional:  # S2V's negative keeps its own silent audio
        assert all(call["extras"]["audio_embed"][r]["absmax"] == 0 for r in _negative_rows(call))
    # windows after the first continue from the frames drawn so far: their local stages get the motion too
    with_motion = [c for c in regional if "reference_motion" in c["extras"]]
    assert with_motion, "no regional call of a continued window received the motion latents"
    runs = {c["latent_shape"][2] for c in calls if c["family"] == "s2v"}
    assert runs == {_wan_latent_frames(S2V_LENGTH)}
    windows = len(guiders)
    drawn = 4 * _wan_latent_frames(S2V_LENGTH) * windows - 3  # LatentConcat of the windows, decoded once
    assert 4 * _wan_latent_frames(S2V_LENGTH) * (windows - 1) < S2V_SPEECH * 16, "the last window hears speech"
    _assert_video_covers_speech(video, 16.0, drawn, S2V_SPEECH)


def test_animate_workflow_chains_windows_over_the_speech_with_the_face_track(talking):
    prompt, _ = _prompt(talking, ANIMATE)
    _shrink_common(prompt)
    _set(prompt, "ThinkDrawFaceTrack", size=VIDEO)
    windows = _set(prompt, "WanAnimateToVideo", width=VIDEO, height=VIDEO, length=ANIMATE_LENGTH)
    assert len(windows) >= 2
    for later in windows[1:]:  # chained as ComfyUI's template extends: frames so far + the previous offset
        inputs = prompt[later]["inputs"]
        assert isinstance(inputs["continue_motion"], list) and isinstance(inputs["video_frame_offset"], list)
        assert inputs["video_frame_offset"][0] in windows and inputs["video_frame_offset"][1] == 5
    guiders = sorted((nid for nid, n in prompt.items() if n["class_type"] == "ThinkDrawProgressiveGuider"), key=int)
    assert len(guiders) == len(windows)
    # window w starts ANIMATE_MOTION frames before the previous one ended: w x (length - motion)
    shipped = [prompt[g]["inputs"]["video_frame_offset"] for g in guiders]
    assert shipped == [(SHIPPED_LENGTH - ANIMATE_MOTION) * w for w in range(len(guiders))]
    for w, g in enumerate(guiders):
        prompt[g]["inputs"]["video_frame_offset"] = (ANIMATE_LENGTH - ANIMATE_MOTION) * w
    calls, video = _run(talking, prompt, ANIMATE_SPEECH)

    regional = _assert_regional_calls_carry(calls, "animate", ("face_pixel_values", "clip_fea"))
    _assert_each_window_ran_local_stages(calls, "animate", len(windows))
    for call in regional:  # the positive has the face video's pixels, the negative WanAnimate's blank (-1) one
        face = call["extras"]["face_pixel_values"]
        assert all(face[r]["std"] > 0 for r in _positive_rows(call))
        assert all(face[r]["std"] == 0 for r in _negative_rows(call))
    # one reference frame + the window's latent frames, in every window
    assert {c["latent_shape"][2] for c in calls if c["family"] == "animate"} == {1 + _wan_latent_frames(ANIMATE_LENGTH)}
    step = ANIMATE_LENGTH - ANIMATE_MOTION
    drawn = ANIMATE_LENGTH + step * (len(windows) - 1)
    assert ANIMATE_LENGTH + step * (len(windows) - 2) < ANIMATE_SPEECH * 16, "the last window is needed"
    _assert_video_covers_speech(video, 16.0, drawn, ANIMATE_SPEECH)
