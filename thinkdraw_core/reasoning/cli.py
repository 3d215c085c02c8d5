"""`python -m thinkdraw_core think "TEXT" [--backend ...] [--intensity X] [--json]`."""
from __future__ import annotations

import argparse
import sys

from . import BACKENDS, DEFAULT_BASE_URL, get_reasoner


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("think", help="plan facial Action Units for an emotion description",
                              description="Turn free-form emotion text into an AU plan (with its reasoning).")
    p.add_argument("text", help="the emotion, e.g. 'quiet pride, fighting back tears' or '悲愤交加'")
    p.add_argument("--backend", choices=BACKENDS, default="embedded")
    p.add_argument("--intensity", type=float, default=1.0, help="overall intensity 0..1 (default 1)")
    p.add_argument("--context", default="", help="optional speaking context")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--llm-model", default=None, help="transformers: model folder or .gguf (default: packaged SmolLM2)")
    p.add_argument("--max-new-tokens", type=int, default=384)
    p.add_argument("--base-url", default=DEFAULT_BASE_URL, help="openai: OpenAI-compatible /v1 URL")
    p.add_argument("--api-model", default="", help="openai: model name")
    p.add_argument("--api-key", default="", help="openai: API key (if the server needs one)")
    p.add_argument("--json", action="store_true", help="print exactly one plan as JSON on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = {}
    if args.backend == "transformers":
        settings = {"llm_model": args.llm_model, "max_new_tokens": args.max_new_tokens}
    elif args.backend == "openai":
        settings = {"base_url": args.base_url, "api_model": args.api_model, "api_key": args.api_key}
    reasoner = get_reasoner(args.backend, **settings)
    plan = reasoner.reason(args.text, intensity=args.intensity, context=args.context, seed=args.seed)
    for warning in plan.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(plan.to_json())
    else:
        print("\n".join(plan.reasoning))
    return 0
