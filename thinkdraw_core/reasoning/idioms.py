"""Idioms and set phrases as data: thinkdraw_core/data/idioms_en.tsv and idioms_zh.tsv.

A figurative phrase means something its words do not ('see red' is rage, not a colour; 心花怒放 is
delight although 怒 alone is anger), so each one is read as a whole, before any word inside it, and
maps straight onto emotion components. The files are plain tables an editor can extend; this module
checks every row against the prototypes when it loads them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import knowledge as kb

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Sense:
    """What a phrase means: prototype shares, the role of each (a mask's shown and hidden face) and how
    strongly it is felt."""

    name: str
    components: dict[str, float]
    level: float = 1.0
    gloss: str = ""
    roles: dict[str, str] = field(default_factory=dict)

    @property
    def is_mask(self) -> bool:
        return bool(self.roles)


def _expand(name: str, share: float, where: str) -> dict[str, float]:
    """A prototype, or a named blend (bittersweet, jealousy) spread over its prototypes."""
    name = name.strip()
    if name in kb.PROTOTYPES:
        return {name: share}
    concept = kb.CONCEPTS.get(name)
    if concept is None:
        raise ValueError(f"{where}: '{name}' is neither a prototype nor a named blend in knowledge.py")
    return {proto: share * w for proto, w in concept.components.items()}


def parse_reading(text: str, where: str = "reading") -> tuple[dict[str, float], dict[str, str]]:
    """'anger', 'sadness+surprise', 'sadness:0.7,surprise:0.3' or 'shown=polite smile;hidden=sadness'."""
    components: dict[str, float] = {}
    roles: dict[str, str] = {}
    if "=" in text:
        for part in text.split(";"):
            role, _, name = part.partition("=")
            role = role.strip()
            if role not in ("shown", "hidden"):
                raise ValueError(f"{where}: role '{role}' must be 'shown' or 'hidden'")
            for proto, share in _expand(name, 1.0, where).items():
                components[proto] = components.get(proto, 0.0) + share
                roles[proto] = role
        return components, roles
    parts = text.split(",") if ":" in text else text.split("+")
    for part in parts:
        name, _, share = part.partition(":")
        for proto, w in _expand(name, float(share) if share else 1.0 / len(parts), where).items():
            components[proto] = components.get(proto, 0.0) + w
    return components, roles


@lru_cache(maxsize=2)
def load(lang: str) -> tuple[tuple[str, Sense], ...]:
    """(phrase, sense) rows of idioms_<lang>.tsv."""
    path = DATA / f"idioms_{lang}.tsv"
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 3:
            raise ValueError(f"{path.name}:{n}: expected phrase, reading, level and gloss separated by tabs")
        phrase, reading, level = cols[0].strip().lower(), cols[1].strip(), float(cols[2])
        gloss = cols[3].strip() if len(cols) > 3 else ""
        components, roles = parse_reading(reading, f"{path.name}:{n}")
        rows.append((phrase, Sense(reading, components, level, gloss, roles)))
    return tuple(rows)


@lru_cache(maxsize=2)
def load_actions(lang: str) -> tuple[tuple[str, dict[int, tuple[float, str]], str], ...]:
    """(phrase, {AU: (intensity, 'both' | 'one')}, gloss) rows of face_actions[_zh].tsv."""
    from ..facs import au_info

    path = DATA / ("face_actions.tsv" if lang == "en" else f"face_actions_{lang}.tsv")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        aus: dict[int, tuple[float, str]] = {}
        for item in cols[1].split():
            au, _, value = item.partition(":")
            side = "one" if au.startswith("R") else "both"
            number = au_info(int(au.lstrip("R"))).au  # raises on an AU the catalogue does not have
            aus[number] = (float(value or 0.6), side)
        rows.append((cols[0].strip().lower(), aus, cols[2].strip() if len(cols) > 2 else ""))
    return tuple(rows)
