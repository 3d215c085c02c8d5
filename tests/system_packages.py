"""Debian packages the tests need (chromium for the browser tests, strace for the network test), installed
with apt when missing, so a clean machine gets them from the project's own files. Only where apt cannot
be used (no apt-get, no root and no passwordless sudo) do the tests that need them skip, loudly."""
from __future__ import annotations

import os
import shutil
import subprocess


def apt_install(package: str) -> str | None:
    """Install a Debian package; the reason it could not be, or None when it worked."""
    apt = shutil.which("apt-get")
    if not apt:
        return "apt-get is not available on this machine"
    cmd = [apt, "install", "-y", "--no-install-recommends", package]
    if os.geteuid() != 0:
        sudo = shutil.which("sudo")
        if not sudo or subprocess.run([sudo, "-n", "true"], capture_output=True).returncode != 0:
            return "apt-get needs root and passwordless sudo is not available"
        cmd = [sudo, "-n", *cmd]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        # stale package lists are the usual cause; refresh once and retry
        subprocess.run([*cmd[:-4], "update"], capture_output=True, text=True, env=env, timeout=600)
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return None
