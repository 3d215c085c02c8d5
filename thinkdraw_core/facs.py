"""FACS knowledge: the Action Units the project uses, their muscles, regions and blendshapes.

Data from ../shared/reference/facs.md (FACS manual summaries, EMFACS, Du et al. 2014, the
ARKit/MediaPipe blendshape set), written as code so every stage shares one source.
"""
from __future__ import annotations

from dataclasses import dataclass

REGIONS: tuple[str, ...] = ("brows", "eyes", "cheeks", "nose", "mouth", "jaw")
SIDES: tuple[str, ...] = ("both", "left", "right")


@dataclass(frozen=True)
class ActionUnitInfo:
    au: int
    name: str
    muscle: str
    region: str
    blendshapes: tuple[str, ...] = ()
    # Bilateral AUs can be scored per side; a few (AU17 chin, AU18 pucker) are midline.
    lateral: bool = True


AU_CATALOG: dict[int, ActionUnitInfo] = {
    info.au: info
    for info in (
        ActionUnitInfo(1, "inner brow raiser", "frontalis, pars medialis", "brows", ("browInnerUp",)),
        ActionUnitInfo(2, "outer brow raiser", "frontalis, pars lateralis", "brows", ("browOuterUpLeft", "browOuterUpRight")),
        ActionUnitInfo(4, "brow lowerer", "corrugator supercilii, depressor supercilii, procerus", "brows", ("browDownLeft", "browDownRight")),
        ActionUnitInfo(5, "upper lid raiser", "levator palpebrae superioris", "eyes", ("eyeWideLeft", "eyeWideRight")),
        ActionUnitInfo(6, "cheek raiser", "orbicularis oculi, pars orbitalis", "cheeks", ("cheekSquintLeft", "cheekSquintRight")),
        ActionUnitInfo(7, "lid tightener", "orbicularis oculi, pars palpebralis", "eyes", ("eyeSquintLeft", "eyeSquintRight")),
        ActionUnitInfo(9, "nose wrinkler", "levator labii superioris alaeque nasi", "nose", ("noseSneerLeft", "noseSneerRight")),
        ActionUnitInfo(10, "upper lip raiser", "levator labii superioris", "mouth", ("mouthUpperUpLeft", "mouthUpperUpRight")),
        ActionUnitInfo(11, "nasolabial deepener", "zygomaticus minor", "cheeks"),
        ActionUnitInfo(12, "lip corner puller", "zygomaticus major", "mouth", ("mouthSmileLeft", "mouthSmileRight")),
        ActionUnitInfo(13, "sharp lip puller", "levator anguli oris (caninus)", "mouth"),
        ActionUnitInfo(14, "dimpler", "buccinator", "mouth", ("mouthDimpleLeft", "mouthDimpleRight")),
        ActionUnitInfo(15, "lip corner depressor", "depressor anguli oris (triangularis)", "mouth", ("mouthFrownLeft", "mouthFrownRight")),
        ActionUnitInfo(16, "lower lip depressor", "depressor labii inferioris", "mouth", ("mouthLowerDownLeft", "mouthLowerDownRight")),
        ActionUnitInfo(17, "chin raiser", "mentalis", "jaw", ("mouthShrugLower",), lateral=False),
        ActionUnitInfo(18, "lip pucker", "incisivii labii superioris and inferioris", "mouth", ("mouthPucker",), lateral=False),
        ActionUnitInfo(20, "lip stretcher", "risorius with platysma", "mouth", ("mouthStretchLeft", "mouthStretchRight")),
        ActionUnitInfo(22, "lip funneler", "orbicularis oris", "mouth", ("mouthFunnel",), lateral=False),
        ActionUnitInfo(23, "lip tightener", "orbicularis oris", "mouth", ("mouthPressLeft", "mouthPressRight")),
        ActionUnitInfo(24, "lip pressor", "orbicularis oris", "mouth", ("mouthPressLeft", "mouthPressRight")),
        ActionUnitInfo(25, "lips part", "depressor labii, relaxed mentalis and orbicularis oris", "mouth", ("jawOpen",), lateral=False),
        ActionUnitInfo(26, "jaw drop", "masseter, temporalis and internal pterygoid relaxed", "jaw", ("jawOpen",), lateral=False),
        ActionUnitInfo(27, "mouth stretch", "pterygoids, digastric", "jaw", ("jawOpen",), lateral=False),
        ActionUnitInfo(28, "lip suck", "orbicularis oris", "mouth", ("mouthRollLower", "mouthRollUpper"), lateral=False),
        ActionUnitInfo(43, "eyes closed", "levator palpebrae superioris relaxed", "eyes", ("eyeBlinkLeft", "eyeBlinkRight")),
        ActionUnitInfo(45, "blink", "levator relaxes, orbicularis oculi pars palpebralis contracts", "eyes", ("eyeBlinkLeft", "eyeBlinkRight")),
        ActionUnitInfo(46, "wink", "levator relaxes on one side, orbicularis oculi contracts", "eyes", ("eyeBlinkLeft", "eyeBlinkRight")),
    )
}

# What an artist calls each movement, shown first with the code after ("Smile (AU12)"); the FACS names above
# stay the reference (muscle-level words such as "lip corner puller" mean little outside FACS).
DISPLAY_NAMES: dict[int, str] = {
    1: "Inner brow raise", 2: "Outer brow raise", 4: "Brow lowerer", 5: "Eyes widen", 6: "Cheek raise",
    7: "Lid tighten", 9: "Nose wrinkle", 10: "Upper lip raise", 11: "Nasolabial deepen", 12: "Smile",
    13: "Sharp smile", 14: "Dimple", 15: "Mouth corners down", 16: "Lower lip down", 17: "Chin raise",
    18: "Pucker", 20: "Lip stretch", 22: "Lip funnel", 23: "Lip tighten", 24: "Lip press", 25: "Lips part",
    26: "Jaw drop", 27: "Mouth stretch", 28: "Lip suck", 43: "Eyes closed", 45: "Blink", 46: "Wink",
}


def au_label(au: int) -> str:
    """The artist's name for an AU with its code after it: 'Smile (AU12)'."""
    au = int(au)
    name = DISPLAY_NAMES.get(au) or (AU_CATALOG[au].name.capitalize() if au in AU_CATALOG else "")
    return f"{name} (AU{au})" if name else f"AU{au}"


# FACS letter grades mapped uniformly onto 0..1.
INTENSITY_GRADES: dict[str, float] = {"A": 0.2, "B": 0.4, "C": 0.6, "D": 0.8, "E": 1.0}

# Pairs that cannot both act fully on the same side; the reasoner must resolve them explicitly.
AU_CONFLICTS: tuple[tuple[int, int, str], ...] = (
    (12, 15, "zygomaticus major pulls the lip corners up while triangularis pulls them down"),
    (26, 24, "a dropped jaw cannot press the lips together"),
    (27, 24, "a stretched mouth cannot press the lips together"),
    (25, 24, "parted lips cannot be pressed together"),
    (5, 43, "the upper lid cannot be raised and closed at once"),
    (18, 20, "a pucker draws the corners in while the stretcher pulls them out"),
    (22, 23, "funnelling pushes the lips out while the tightener narrows them"),
)


def au_info(au: int) -> ActionUnitInfo:
    try:
        return AU_CATALOG[int(au)]
    except (KeyError, ValueError, TypeError):
        known = ", ".join(str(k) for k in sorted(AU_CATALOG))
        raise ValueError(f"unknown Action Unit {au!r}; use one of AU {known}") from None
