"""The openai backend as a hostile workflow or a careless user would meet it: the key comes from the
environment and never comes back out, requests stay on loopback unless the machine's owner allows a
host, redirects and proxies cannot carry a request elsewhere, and the CLIs make a fallback visible."""
from __future__ import annotations

import json
import urllib.request

import cv2
import numpy as np
import pytest
from fake_openai import FakeOpenAI

from thinkdraw_core.__main__ import main as cli
from thinkdraw_core.reasoning import EmotionCoTReasoner
from thinkdraw_core.reasoning.openai_backend import api_key_from_env, check_base_url

GOOD = {"steps": ["a calm face"], "emotions": [{"name": "happiness", "weight": 1.0}], "valence": 0.6, "arousal": 0.4,
        "action_units": [{"au": 12, "intensity": 0.6, "side": "both"}, {"au": 6, "intensity": 0.4, "side": "both"}],
        "timeline": {"onset": 0.5, "apex": 1.5, "offset": 0.8, "micro": False}}
KEY = "sk-thinkdraw-test-0123456789abcdef"


@pytest.fixture
def servers():
    made: list[FakeOpenAI] = []

    def make(answers=(), reply=None):
        made.append(FakeOpenAI(list(answers), reply))
        return made[-1]

    yield make
    for s in made:
        s.close()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("THINKDRAW_OPENAI_API_KEY", "OPENAI_API_KEY", "THINKDRAW_LLM_HOSTS", "http_proxy", "HTTP_PROXY",
                 "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_the_key_comes_from_the_environment_and_no_setting_takes_one(servers, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-generic")
    assert api_key_from_env() == "sk-generic"
    monkeypatch.setenv("THINKDRAW_OPENAI_API_KEY", KEY)
    assert api_key_from_env() == KEY  # the pack's own variable wins
    server = servers([json.dumps(GOOD)])
    plan = EmotionCoTReasoner("openai", base_url=server.url, api_model="m").reason("content")
    assert server.requests[0]["auth"] == f"Bearer {KEY}" and plan.backend == "openai"
    with pytest.raises(TypeError):
        EmotionCoTReasoner("openai", base_url=server.url, api_model="m", api_key=KEY)


def test_a_server_that_echoes_the_key_does_not_get_it_into_the_plan(servers, monkeypatch):
    monkeypatch.setenv("THINKDRAW_OPENAI_API_KEY", KEY)
    echo = servers(reply=lambda req: (401, {"Content-Type": "application/json"},
                                      json.dumps({"error": f"invalid key {req['auth']}"}).encode()))
    plan = EmotionCoTReasoner("openai", base_url=echo.url, api_model="m").reason("a flicker of irritation")
    assert echo.requests and plan.backend == "embedded (fallback from openai)"
    assert "HTTP 401" in plan.warnings[0] and "[key]" in plan.warnings[0]
    assert KEY not in plan.to_json()


@pytest.mark.parametrize("url", ["http://127.0.0.1:11434/v1", "http://localhost:1234/v1", "http://[::1]:8080/v1",
                                 "http://127.8.9.10/v1"])
def test_loopback_hosts_are_allowed_as_they_are(url):
    assert check_base_url(url + "/") == url


def test_other_hosts_only_when_the_environment_lists_them(monkeypatch):
    for url in ("https://api.example.com/v1", "http://192.168.1.20:11434/v1", "http://10.0.0.5/v1",
                "http://localhost.example.com/v1"):
        with pytest.raises(ValueError, match="THINKDRAW_LLM_HOSTS"):
            EmotionCoTReasoner("openai", base_url=url, api_model="m")
    monkeypatch.setenv("THINKDRAW_LLM_HOSTS", "api.example.com, llm.lan:8000")
    assert check_base_url("https://api.example.com/v1") == "https://api.example.com/v1"
    assert check_base_url("http://llm.lan:8000/v1") == "http://llm.lan:8000/v1"
    with pytest.raises(ValueError, match="llm.lan"):
        check_base_url("http://llm.lan:9000/v1")  # the port was part of what was allowed
    monkeypatch.setenv("THINKDRAW_LLM_HOSTS", "*")
    assert check_base_url("http://10.0.0.5/v1") == "http://10.0.0.5/v1"
    with pytest.raises(ValueError, match="must not carry credentials"):
        check_base_url("http://user:secret@127.0.0.1:11434/v1")


def test_a_redirect_is_not_followed(servers):
    elsewhere = servers([json.dumps(GOOD)])
    bouncer = servers(reply=lambda req: (307, {"Location": elsewhere.url + "/chat/completions"}, b""))
    plan = EmotionCoTReasoner("openai", base_url=bouncer.url, api_model="m").reason("content")
    assert len(bouncer.requests) == 1 and elsewhere.requests == []
    assert plan.backend == "embedded (fallback from openai)" and "redirect" in plan.warnings[0]


def test_a_loopback_request_ignores_proxy_settings(servers, monkeypatch):
    proxy = servers([json.dumps(GOOD)])
    server = servers([json.dumps(GOOD)])
    monkeypatch.setenv("http_proxy", proxy.url.removesuffix("/v1"))
    monkeypatch.setattr(urllib.request, "_opener", None)  # urlopen's shared opener reads proxies once, when made
    plan = EmotionCoTReasoner("openai", base_url=server.url, api_model="m").reason("content")
    assert proxy.requests == [] and len(server.requests) == 1 and plan.backend == "openai"


def test_the_cli_takes_no_key_argument(capsys):
    with pytest.raises(SystemExit) as stop:
        cli(["think", "happy", "--backend", "openai", "--api-model", "m", "--api-key", KEY])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--api-key is not taken" in err and "THINKDRAW_OPENAI_API_KEY" in err


def test_think_cli_makes_a_fallback_visible(capsys):
    dead = ["--backend", "openai", "--base-url", "http://127.0.0.1:9/v1", "--api-model", "m"]
    assert cli(["think", "happy", *dead, "--json"]) == 3
    out, err = capsys.readouterr()
    assert out == "" and "cannot reach" in err and "--allow-fallback" in err
    assert cli(["think", "happy", *dead, "--json", "--allow-fallback"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["backend"] == "embedded (fallback from openai)" and "cannot reach" in err


def test_draft_cli_stops_on_a_fallback_before_writing_anything(tmp_path, capsys):
    image = tmp_path / "face.png"
    cv2.imwrite(str(image), np.full((64, 64, 3), 128, np.uint8))
    out = tmp_path / "clip.mp4"
    code = cli(["draft", "--image", str(image), "--emotion", "happy", "--backend", "openai", "--base-url",
                "http://127.0.0.1:9/v1", "--api-model", "m", "--out", str(out)])
    assert code == 3 and not out.exists() and list(tmp_path.iterdir()) == [image]
    assert "--allow-fallback" in capsys.readouterr().err
