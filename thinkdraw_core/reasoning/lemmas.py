"""Word forms: English words reduced to their dictionary form, so 'terrifies', 'terrifying' and
'terrified' all read like 'terrified', and 'infuriating' like 'infuriated'.

The lemmatiser is simplemma (a zero-dependency package that ships its dictionaries); nothing here
lists suffixes by hand. Inflection is its job (terrifies -> terrify, angrier -> angry). English
adverbs in -ly are derivation, not inflection, so the dictionary leaves most of them as they are
('furiously'); `adjective_of` offers the adjectives the dictionary knows ('furiously' -> 'furious'),
and the lexicon keeps one only when it is an emotion word.
"""
from __future__ import annotations

import re
from functools import lru_cache

TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@lru_cache(maxsize=1)
def _simplemma():
    try:
        import simplemma
    except ModuleNotFoundError:  # reading still works, only word forms fall back to the literal word
        return None
    return simplemma


def available() -> bool:
    return _simplemma() is not None


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of one lower-case English word (the word itself if none is known)."""
    sm = _simplemma()
    if sm is None or not word.isascii() or not word.isalpha():
        return word
    current = word
    for _ in range(3):  # 'disgustedly' -> 'disgusted' -> 'disgust'
        nxt = sm.lemmatize(current, lang="en", low_memory=True)
        if nxt == current:
            break
        current = nxt
    return current


@lru_cache(maxsize=4096)
def adjective_of(adverb: str) -> tuple[str, ...]:
    """Lemmas of the adjectives an English -ly adverb may come from ('angrily' -> 'angry'), only those
    the dictionary knows. The caller keeps the one its vocabulary has: 'early' offers 'ear', which no
    emotion vocabulary holds."""
    sm = _simplemma()
    if sm is None or len(adverb) < 5 or not adverb.endswith("ly") or lemma(adverb) != adverb:
        return ()
    stems = (adverb[:-2], adverb[:-3] + "y", adverb[:-1] + "e")
    return tuple(lemma(s) for s in stems if len(s) > 2 and sm.is_known(s, lang="en", low_memory=True))


def tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(word, lemma, start, end) for each word of lower-case text; hyphens and spaces both separate."""
    out = []
    for m in TOKEN.finditer(text):
        word = m.group(0)
        out.append((word, word if "'" in word else lemma(word), m.start(), m.end()))
    return out


def lemma_key(phrase: str) -> tuple[str, ...]:
    """A phrase as the tuple of its words' lemmas: the key both the lexicon and the text are matched on."""
    return tuple(t[1] for t in tokens(phrase))
