"""Masking, pretending and suppression: which feeling the face shows and which one it covers.

People put a face over a feeling: a polite smile over hurt, a calm face over fear. Ekman's account of
such masks is the rule here: the shown face is deliberate, so a put-on smile lacks the cheek raise
(AU6) that only a felt smile brings, and it is drawn at full strength; the hidden feeling is held
down, and what escapes control leaks mostly in the upper face (brows, lids) at reduced strength.
A micro-expression is that leak itself, shown whole for a fraction of a second, so a masked feeling
marked as fleeting keeps its full face.

`assign_roles` decides, mention by mention, what is shown and what is hidden, from (in order):
a set phrase that is a mask in itself (put on a brave face, 强颜欢笑); the clause's cue words
('pretending', 'forced', 'for the kids', 表面上 shown; 'inside', 'deep down', 心里 hidden; 'hides X
behind a smile' both); and, with no cue, a smile or a calm face in one clause set against a painful
feeling in another ('he grins while his heart pounds').
"""
from __future__ import annotations

from . import knowledge as kb
from .rules import Mention, Reading

# what escapes control in a hidden feeling: the brows, the lids and the nose, not the mouth
LEAK_AUS = frozenset((1, 2, 4, 5, 7, 9, 43))
LEAK = 0.5  # the share of a hidden feeling's upper-face AUs that shows
CONTRAST = {"but", "yet", "though", "although", "even though", "while", "whilst", "whereas", "and yet",
            "但是", "但", "却", "可是", "其实"}
ONE_SIDED_SMILE = ("one side", "side of the mouth", "one-sided", "one sided", "lopsided", "crooked", "one corner",
                   "歪嘴", "嘴角一歪", "一侧嘴角", "一边嘴角", "半边嘴")


def _valence(m: Mention) -> float:
    comps = m.components or kb.CONCEPTS[m.concept].components
    total = sum(comps.values()) or 1.0
    return sum(kb.PROTOTYPES[p].valence * w for p, w in comps.items()) / total


def assign_roles(mentions: list[Mention], reading: Reading) -> list[str]:
    """Set `role` on the mentions that are a mask or what it covers; return the reasoning notes."""
    notes: list[str] = []
    live = [m for m in mentions if not m.negated and not m.aus]
    if any(m.roles for m in live):
        m = next(m for m in live if m.roles)
        shown = [p for p, r in m.roles.items() if r == "shown"]
        hidden = [p for p, r in m.roles.items() if r == "hidden"]
        # the feeling a set phrase hides by default (a brave face over sorrow) yields to the one the text
        # names beside it: 'terrified, he puts on a brave face' hides the fear
        named = [o for o in live if o is not m and not o.roles and not o.display and not o.role
                 and o.concept != "neutral"]
        if hidden and shown and named:
            for p in hidden:
                m.roles.pop(p, None)
                if m.components:
                    m.components.pop(p, None)
            for o in named:
                o.role = "hidden"
            notes.append(f"'{m.phrase}' is a mask in itself: it shows {', '.join(shown)} over what the text names, "
                         f"{', '.join(o.phrase for o in named)}, rather than over the {', '.join(hidden)} it "
                         "covers when nothing is named.")
        else:
            notes.append(f"'{m.phrase}' is a mask in itself: it shows {', '.join(shown)} over {', '.join(hidden)}.")
    clauses = {c.index: c for c in reading.clauses}
    for clause in reading.clauses:
        after = clauses.get(clause.index + 1)
        if clause.role == "shown" and not any(m.clause_index == clause.index for m in live) and after is not None \
                and not after.role and after.joined_by in ("and", "then", "and then") and \
                any(m.clause_index == after.index and m.display for m in live):
            # 'catches herself and smiles sweetly': the cue stands in its own clause, the face it puts on
            # in the next one
            after.role, after.role_cue = "shown", clause.role_cue
            continue
        # 'pretending not to care', 装作不在乎: a face put on that names no feeling is a composed one
        if clause.role == "shown" and not any(m.clause_index == clause.index for m in live):
            face = Mention("neutral", 1.0, clause.text, clause.role_cue, "masking cue", clause_index=clause.index,
                           display="calm", role="shown")
            mentions.append(face)
            live.append(face)
            notes.append(f"'{clause.role_cue}' puts on a face that names no feeling: a composed one.")
    for m in live:
        clause = clauses.get(m.clause_index)
        if clause is not None and clause.role and not m.roles:
            m.role = clause.role
            notes.append(f"'{clause.role_cue}' marks '{m.phrase}' as {'the face shown' if m.role == 'shown' else 'the feeling hidden'}.")
    roles = {m.role for m in live if m.role} | {r for m in live for r in m.roles.values()}
    if roles == {"shown"}:
        # something is put on: the painful feelings elsewhere are what it covers
        for m in live:
            if not m.role and not m.roles and _valence(m) < -0.2:
                m.role = "hidden"
                notes.append(f"'{m.phrase}' is felt behind the put-on face, so it is the hidden feeling.")
    elif roles == {"hidden"}:
        # something is hidden: a smile or a calm face elsewhere is the mask over it
        for m in live:
            if not m.role and not m.roles and m.display:
                m.role = "shown"
                notes.append(f"'{m.phrase}' is the face shown over the hidden feeling.")
    elif not roles:
        # no cue word: a smile or a calm face set against a painful feeling in another clause is a mask
        faces = [m for m in live if m.display]
        # a smile or a laugh beside a denial of the feeling it would show ('laughs at a joke he doesn't find
        # funny', 'smiles, though she isn't happy') is put on
        denied = next((m for m in mentions if m.negated and not m.aus and not m.display and _valence(m) > 0.2), None)
        if denied is not None:
            for face in faces:
                if face.display in ("smile", "laugh") and _valence(face) > 0:
                    face.role = "shown"
                    notes.append(f"'{face.phrase}' comes with '{denied.phrase}' denied, so it is put on: the face shown.")
        for face in faces:
            for m in live:
                if m is face or m.display or _valence(m) >= -0.2 or m.clause_index == face.clause_index:
                    continue
                later = max(face.clause_index, m.clause_index)
                joiner = clauses[later].joined_by if later in clauses else ""
                if joiner in CONTRAST or m.suppressed:
                    face.role, m.role = "shown", "hidden"
                    notes.append(f"'{face.phrase}' set against '{m.phrase}' ({joiner or 'held back'}) reads as a "
                                 f"face put on over a hidden feeling.")
    if reading.asymmetry_word and any(w in reading.asymmetry_word for w in ONE_SIDED_SMILE):
        for m in live:
            if m.display == "smile" and m.concept == "happiness" and not m.role:
                m.concept, m.components = "contempt", {"contempt": 1.0}
                notes.append(f"a smile on one side of the mouth ('{reading.asymmetry_word}') is the contempt "
                             "display, a one-sided AU12 with AU14, not a felt smile.")
    return notes


def shown_name(proto: str, m: Mention) -> str:
    """The prototype a shown face uses: a put-on smile is a social smile (no AU6), a put-on laugh a posed one."""
    if proto != "happiness":
        return proto
    return "posed laugh" if m.display == "laugh" or "laugh" in m.phrase else "polite smile"
