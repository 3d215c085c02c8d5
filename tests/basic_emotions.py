"""The basic emotions as AU plans (EMFACS prototypes, ../shared/reference/facs.md), shared by the draft's
quality test and the dev tools that measure the same cases."""
from __future__ import annotations

BASIC_EMOTIONS = {
    "happy": {6: 0.7, 12: 0.9, 25: 0.4},
    "sad": {1: 0.7, 4: 0.6, 15: 0.8, 17: 0.4},
    "surprise": {1: 0.8, 2: 0.8, 5: 0.5, 26: 0.7},
    "fear": {1: 0.7, 2: 0.6, 4: 0.5, 5: 0.7, 20: 0.6, 26: 0.5},
    "anger": {4: 0.9, 5: 0.5, 7: 0.7, 23: 0.6},
    "disgust": {9: 0.8, 10: 0.6, 15: 0.5, 17: 0.5},
}
