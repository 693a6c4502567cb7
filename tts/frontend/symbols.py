"""The phoneme inventory of the Baker (标贝) FastSpeech2 acoustic model.

Every phoneme sequence the frontend produces uses only the symbols listed
here.  Finals always carry a tone digit 1-5 (5 = neutral tone).
"""

from __future__ import annotations

PAD = "pad"
SIL = "sil"

#: Prosodic break symbols, weakest to strongest.
BREAKS: tuple[str, ...] = ("#0", "#1", "#2", "#3")

#: Initials; "^" is the zero initial (syllables such as "an", "wen", "yu").
INITIALS: tuple[str, ...] = (
    "^", "b", "c", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "q",
    "r", "s", "sh", "t", "x", "z", "zh",
)

#: Finals without tone.  "ii" is the vowel of zi/ci/si, "iii" that of zhi/chi/shi/ri.
FINALS: tuple[str, ...] = (
    "a", "ai", "an", "ang", "ao", "e", "ei", "en", "eng", "er", "i", "ia", "ian",
    "iang", "iao", "ie", "ii", "iii", "in", "ing", "iong", "iou", "o", "ong", "ou",
    "u", "ua", "uai", "uan", "uang", "uei", "uen", "ueng", "uo", "v", "van", "ve", "vn",
)

TONES: tuple[str, ...] = ("1", "2", "3", "4", "5")

#: Finals with their tone digit appended, e.g. "ong1".
TONED_FINALS: tuple[str, ...] = tuple(f + t for f in FINALS for t in TONES)

#: The complete symbol set of the acoustic model.
SYMBOLS: frozenset[str] = frozenset((PAD, SIL, *BREAKS, *INITIALS, *TONED_FINALS))
