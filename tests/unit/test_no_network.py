"""No network at run time, proven: a whole draft (reasoning, face landmarks, calibration, rendering,
speech, encoding, the closing measurement) runs under strace, and every socket address the process and
its threads connect or send to is a local socket or loopback.

MediaPipe's native library tries to post usage logs to a Google host (google-ai-edge/mediapipe#6291);
thinkdraw_core/face/offline.py confines its threads. Without that this test sees the DNS query."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import wave

import cv2
import numpy as np
import pytest
import skimage.data
from system_packages import apt_install

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]
LOCAL_FAMILIES = {"AF_UNIX", "AF_NETLINK", "AF_UNSPEC"}
ADDRESS = re.compile(r"(connect|sendto|sendmsg|sendmmsg)\(\d+, .*?sa_family=(AF_\w+)(.*?)\}")
LOOPBACK = re.compile(r'inet_addr\("127\.|inet_pton\(AF_INET6, "(::1|::ffff:127\.)')


@pytest.fixture(scope="module")
def strace() -> str:
    path = shutil.which("strace")
    if path:
        return path
    reason = apt_install("strace")
    if reason:
        pytest.skip(f"!!! NETWORK TEST SKIPPED: strace is missing and cannot be installed ({reason}). !!!")
    return shutil.which("strace")


def remote_addresses(trace: str) -> list[str]:
    """The traced calls that address something other than a local socket or loopback."""
    bad = []
    for line in trace.splitlines():
        for call, family, rest in ADDRESS.findall(line):
            if family in LOCAL_FAMILIES or LOOPBACK.search(rest):
                continue
            bad.append(line.strip()[:300])
    return bad


def test_the_address_filter_itself():
    seen = ('123 connect(7, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0\n'
            '123 connect(7, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT\n'
            '124 connect(3, {sa_family=AF_INET, sin_port=htons(8188), sin_addr=inet_addr("127.0.0.1")}, 16) = 0\n'
            '125 connect(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
            'inet_pton(AF_INET6, "2607:f8b0::200e", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH\n'
            '126 connect(3, {sa_family=AF_INET6, sin6_port=htons(80), inet_pton(AF_INET6, "::1", &sin6_addr)}, 28)\n')
    assert [line.split()[0] for line in remote_addresses(seen)] == ["123", "125"]


@pytest.mark.slow
def test_a_whole_draft_opens_no_connection_off_this_machine(strace, tmp_path):
    image = tmp_path / "face.png"
    cv2.imwrite(str(image), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    speech = tmp_path / "speech.wav"
    t = np.arange(2 * 16000) / 16000
    voice = 0.3 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 3 * t) > 0)  # syllable-like bursts
    with wave.open(str(speech), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes((voice * 32767).astype(np.int16).tobytes())
    log, out = tmp_path / "trace.txt", tmp_path / "clip.mp4"
    run = subprocess.run([strace, "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-o", str(log),
                          sys.executable, "-m", "thinkdraw_core", "draft", "--image", str(image),
                          "--emotion", "terrified", "--audio", str(speech), "--out", str(out)],
                         cwd=REPO, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert out.stat().st_size > 1000 and '"lost_frames": []' in run.stdout  # it did the whole job, measured too
    assert remote_addresses(log.read_text()) == []
