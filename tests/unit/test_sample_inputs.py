"""The CPU template's sample portrait and speech ship with the pack and land in ComfyUI's input folder."""
from __future__ import annotations

import importlib
import json
import wave

from thinkdraw.shipped import DRAFT_CPU

TEMPLATE = DRAFT_CPU


def _module(pack):
    return importlib.import_module(f"{pack.__name__}.nodes.sample_inputs")


def test_the_template_names_exactly_the_shipped_samples(comfy_on_path, pack):
    samples = _module(pack).SAMPLES
    named = {n["widgets_values"][0] for n in json.loads(TEMPLATE.read_text())["nodes"]
             if n["type"] in ("LoadImage", "LoadAudio")}
    assert named == {p.name for p in samples.glob("thinkdraw_*")}
    with wave.open(str(samples / "thinkdraw_demo_speech.wav")) as speech:
        assert speech.getnframes() / speech.getframerate() > 3.0  # a spoken line, not a stub


def test_samples_fill_an_empty_input_folder_and_never_replace_the_artists_files(comfy_on_path, pack, tmp_path):
    place = _module(pack).place_sample_inputs
    samples = _module(pack).SAMPLES
    placed = place(tmp_path / "input")
    assert sorted(p.name for p in placed) == ["thinkdraw_demo_speech.wav", "thinkdraw_sample_portrait.png"]
    for p in placed:
        assert p.read_bytes() == (samples / p.name).read_bytes()
    mine = tmp_path / "input" / "thinkdraw_sample_portrait.png"
    mine.write_bytes(b"the artist's own picture")
    assert place(tmp_path / "input") == [] and mine.read_bytes() == b"the artist's own picture"
    assert sorted(p.name for p in (tmp_path / "input").iterdir()) == [
        "thinkdraw_demo_speech.wav", "thinkdraw_sample_portrait.png"]  # no partial files left


def test_a_fresh_server_put_the_samples_in_its_input_folder_at_start(comfy):
    # read from the start-up log: other tests stage their own inputs under these names later in the session
    placed = [line for line in comfy.log_text().splitlines() if "put the template's sample inputs in" in line]
    assert len(placed) == 1 and str(comfy.input_dir) in placed[0], comfy.log_tail()
    assert "thinkdraw_demo_speech.wav" in placed[0] and "thinkdraw_sample_portrait.png" in placed[0]
