"""`python -m thinkdraw_core think "TEXT" [--backend ...] [--intensity X] [--json]`."""
from __future__ import annotations

import argparse
import sys

from . import BACKENDS, DEFAULT_BASE_URL, get_reasoner
from .llm import fell_back
from .openai_backend import HOSTS_VARIABLE, KEY_VARIABLES

# A script must be able to tell "the LLM answered" from "the LLM failed and the embedded reasoner
# answered instead" without parsing stderr: the second exits with this code unless it was allowed.
EXIT_FALLBACK = 3


class _KeyOnCommandLine(argparse.Action):
    """--api-key is refused: a key on the command line lands in shell history and process lists."""

    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(f"{option_string} is not taken: put the key in the environment variable {KEY_VARIABLES[0]} "
                     f"(or {KEY_VARIABLES[1]})")


def add_backend_arguments(p: argparse.ArgumentParser) -> None:
    """The reasoner's backend options, shared by `think` and `draft`."""
    p.add_argument("--backend", choices=BACKENDS, default="embedded")
    p.add_argument("--llm-model", default=None, help="transformers: model folder or .gguf (default: packaged SmolLM2)")
    p.add_argument("--base-url", default=DEFAULT_BASE_URL,
                   help=f"openai: OpenAI-compatible /v1 URL (loopback hosts; others only if listed in {HOSTS_VARIABLE})")
    p.add_argument("--max-new-tokens", type=int, default=384, help="transformers: longest answer in tokens")
    p.add_argument("--api-model", default="", help="openai: model name")
    p.add_argument("--api-key", nargs="?", action=_KeyOnCommandLine, help=argparse.SUPPRESS)
    p.add_argument("--allow-fallback", action="store_true",
                   help="when the LLM backend fails, accept the embedded reasoner's plan (exit 0) instead of "
                        f"stopping with exit code {EXIT_FALLBACK}")


def backend_settings(args: argparse.Namespace) -> dict:
    if args.backend == "transformers":
        return {"llm_model": args.llm_model, "max_new_tokens": args.max_new_tokens}
    if args.backend == "openai":
        return {"base_url": args.base_url, "api_model": args.api_model}
    return {}


def refused_fallback(plan, args: argparse.Namespace) -> bool:
    """Says on stderr when the LLM backend failed; True when that must stop the command."""
    if not fell_back(plan):
        return False
    for warning in plan.warnings[:1]:
        print(f"warning: {warning}", file=sys.stderr)
    if args.allow_fallback:
        return False
    print(f"error: the {args.backend} backend did not answer, so the embedded reasoner wrote the plan; pass "
          f"--allow-fallback to accept that plan, or fix the backend (exit code {EXIT_FALLBACK})", file=sys.stderr)
    return True


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("think", help="plan facial Action Units for an emotion description",
                              description="Turn free-form emotion text into an AU plan (with its reasoning).")
    p.add_argument("text", help="the emotion, e.g. 'quiet pride, fighting back tears' or '悲愤交加'")
    p.add_argument("--intensity", type=float, default=1.0, help="overall intensity 0..1 (default 1)")
    p.add_argument("--context", default="", help="optional speaking context")
    p.add_argument("--seed", type=int, default=0)
    add_backend_arguments(p)
    p.add_argument("--json", action="store_true", help="print exactly one plan as JSON on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    reasoner = get_reasoner(args.backend, **backend_settings(args))
    plan = reasoner.reason(args.text, intensity=args.intensity, context=args.context, seed=args.seed)
    if refused_fallback(plan, args):
        return EXIT_FALLBACK
    for warning in plan.warnings[1 if fell_back(plan) else 0:]:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(plan.to_json())
    else:
        print("\n".join(plan.reasoning))
    return 0
