"""Command line: `python -m thinkdraw_core think|draft ...`.

Each subcommand lives with its feature (reasoning/cli.py, draft/cli.py) and registers itself here.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import sys

SUBCOMMANDS = {
    "think": "thinkdraw_core.reasoning.cli",
    "draft": "thinkdraw_core.draft.cli",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m thinkdraw_core", description="ThinkDraw core tools")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module in SUBCOMMANDS.items():
        importlib.import_module(module).add_parser(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _exit_fast(code: int) -> None:
    # Interpreter shutdown runs the cycle collector over every object the imports made (about 110k with
    # mediapipe, scipy and av loaded), several times over: 0.3-0.4 s of a 5 s draft. Frozen objects are
    # skipped by those passes; refcounting still frees the rest and atexit handlers still run.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    _exit_fast(main())
