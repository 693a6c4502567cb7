"""ARPAbet (CMU Pronouncing Dictionary phones) -> Mandarin syllables, the way a Chinese speaker
says an English loanword.

The Baker voice knows only Mandarin initials, finals and tones, so an English word is re-syllabified
into syllables it has.  The mapping is three tables and four rules:

* :data:`VOWELS` — each English vowel becomes a Mandarin final (``AE`` -> ``ai`` as in 'app' ai pu,
  ``AO`` -> ``o``, ``ER`` -> ``e``/``er``, ...).  A diphthong that Mandarin lacks adds a syllable
  (``OY`` -> ``uo`` + ``yi``).
* :data:`ONSETS` — the consonant right before a vowel becomes that syllable's initial
  (``TH`` -> ``s``, ``V`` -> ``w``, ``R`` -> ``r``, ``JH`` -> ``zh``); ``W`` and ``Y`` become the
  glides of ``w…``/``y…`` syllables.
* :data:`ALONE` — a consonant that cannot be an initial (the first consonants of a cluster, a
  coda) is said as its own short syllable with a neutral tone, the epenthetic vowel Mandarin
  speakers add: ``S`` -> ``si5``, ``T`` -> ``te5``, ``P`` -> ``pu5``, so 'Spotify' is
  si5 po1 te5 fai1.
* Codas: ``N`` and ``NG`` after a vowel close the syllable (``a`` + ``N`` -> ``an``, see
  :data:`NASAL_FINALS`); ``R`` after a vowel is dropped (non-rhotic, as in 卡特 'Carter') except
  that a lone ``ER`` is ``er``; ``L`` after a vowel is ``er5`` ('Bill' bi1 er5, the 比尔 of loans).
* Tones (stress -> tone): a stressed vowel (stress 1 or 2) is tone 1, the high level tone that
  loanwords take (哈喽 aside, 'Google' gu1 ge5); an unstressed vowel (stress 0) is neutral tone 5,
  short like the English reduced vowel — except when it is the word's only vowel.

Every syllable the functions return is in :func:`mandarin` (so
:func:`tts.frontend.syllables.is_valid` accepts it): an initial + final pair Mandarin lacks is
repaired by :data:`_FINAL_FALLBACKS` and, as a last resort, by dropping the initial.
"""

from __future__ import annotations

from functools import lru_cache

from tts.frontend.dictionary import known_syllables

#: English vowel -> Mandarin final (spelled as after a consonant) and, for diphthongs Mandarin
#: lacks, an extra toneless syllable said after it.
VOWELS: dict[str, tuple[str, str]] = {
    "AA": ("a", ""),      # father -> fa; reduced AA0 -> e (python -> pai sen)
    "AE": ("ai", ""),     # app -> ai pu, apple
    "AH": ("a", ""),      # cup -> ka pu; reduced AH0 -> e (see REDUCED)
    "AO": ("o", ""),      # morning -> mo ning
    "AW": ("ao", ""),     # now -> nao
    "AY": ("ai", ""),     # time -> tai mu
    "EH": ("ai", ""),     # set -> sai te (Ted 泰德)
    "ER": ("e", ""),      # server -> se wo; alone -> er
    "EY": ("ei", ""),     # day -> dei
    "IH": ("i", ""),      # sit -> si te (written as 'i' after a consonant)
    "IY": ("i", ""),      # see -> xi
    "OW": ("ou", ""),     # go -> gou
    "OY": ("uo", "yi"),   # boy -> bo yi
    "UH": ("u", ""),      # good -> gu de
    "UW": ("u", ""),      # two -> tu
}

#: Unstressed vowels that English reduces: their Mandarin final when the stress digit is 0.
REDUCED: dict[str, str] = {"AH": "e", "IH": "i", "ER": "e", "AA": "e", "EH": "e"}

#: Consonant before a vowel -> Mandarin initial ("" = none; "w"/"y" = the glide spellings).
ONSETS: dict[str, str] = {
    "B": "b", "P": "p", "M": "m", "F": "f", "V": "w", "D": "d", "T": "t", "N": "n", "L": "l",
    "G": "g", "K": "k", "HH": "h", "JH": "zh", "CH": "ch", "SH": "sh", "ZH": "r", "R": "r",
    "Z": "z", "S": "s", "TH": "s", "DH": "d", "W": "w", "Y": "y", "NG": "n",
}

#: Consonant said on its own (cluster member or coda) -> a short neutral-tone syllable.
ALONE: dict[str, str] = {
    "B": "bu5", "P": "pu5", "M": "mu5", "F": "fu5", "V": "fu5", "D": "de5", "T": "te5",
    "N": "en5", "L": "le5", "G": "ge5", "K": "ke5", "HH": "he5", "JH": "zhi5", "CH": "qi5",
    "SH": "shi5", "ZH": "ri5", "R": "er5", "Z": "zi5", "S": "si5", "TH": "si5", "DH": "de5",
    "W": "wu5", "Y": "yi5", "NG": "en5",
}

#: (final, nasal coda) -> the nasal final that closes the syllable.
NASAL_FINALS: dict[tuple[str, str], str] = {
    ("a", "N"): "an", ("a", "NG"): "ang", ("ai", "N"): "an", ("ai", "NG"): "ang",
    ("ao", "N"): "ang", ("ao", "NG"): "ang", ("e", "N"): "en", ("e", "NG"): "eng",
    ("ei", "N"): "en", ("ei", "NG"): "eng", ("i", "N"): "in", ("i", "NG"): "ing",
    ("o", "N"): "ong", ("o", "NG"): "ong", ("ou", "N"): "ong", ("ou", "NG"): "ong",
    ("u", "N"): "un", ("u", "NG"): "ong", ("uo", "N"): "uan", ("uo", "NG"): "uang",
}

#: Finals tried in turn when an initial + final pair does not exist in Mandarin.
_FINAL_FALLBACKS: dict[str, tuple[str, ...]] = {
    "o": ("uo", "ou", "e"), "uo": ("o", "ou"), "e": ("o", "ei", "a"), "ai": ("a", "ei"), "ei": ("ai", "i"),
    "ou": ("o", "u"), "ong": ("eng", "ang"), "eng": ("en", "ong"), "un": ("en", "an"),
    "i": ("ei", "e"), "in": ("en",), "ing": ("eng",), "u": ("ou", "o"), "a": ("ai", "e"),
    "an": ("en",), "ang": ("eng",), "en": ("eng", "an"), "ao": ("ou",), "uang": ("ang",),
    "uan": ("an",), "er": ("e",),
}

#: Zero-initial spellings of each final (what is written when no consonant precedes it).
_ZERO: dict[str, str] = {
    "i": "yi", "in": "yin", "ing": "ying", "u": "wu", "un": "wen", "uo": "wo", "uan": "wan",
    "uang": "wang", "ong": "weng", "e": "e", "o": "o",
}

#: Glide initial + final -> the y/w spelling of the syllable.
_GLIDES: dict[tuple[str, str], str] = {
    ("w", "a"): "wa", ("w", "ai"): "wai", ("w", "ei"): "wei", ("w", "an"): "wan", ("w", "en"): "wen",
    ("w", "ang"): "wang", ("w", "eng"): "weng", ("w", "o"): "wo", ("w", "uo"): "wo", ("w", "u"): "wu",
    ("w", "i"): "wei", ("w", "in"): "wen", ("w", "ing"): "weng", ("w", "e"): "wo", ("w", "ou"): "wo",
    ("w", "ao"): "wa", ("w", "un"): "wen", ("w", "ong"): "weng",
    ("y", "a"): "ya", ("y", "ai"): "yai", ("y", "e"): "ye", ("y", "ei"): "ye", ("y", "an"): "yan",
    ("y", "ang"): "yang", ("y", "ao"): "yao", ("y", "ou"): "you", ("y", "u"): "you", ("y", "i"): "yi",
    ("y", "in"): "yin", ("y", "ing"): "ying", ("y", "ong"): "yong", ("y", "un"): "yun",
    ("y", "en"): "yin", ("y", "eng"): "ying", ("y", "o"): "yo", ("y", "uo"): "yo",
}

#: Syllables of the character table that an English word is never said with: interjections and
#: syllables of one rare character each, which the voice has hardly heard.
RARE: frozenset[str] = frozenset(
    ["biang", "bong", "cei", "den", "dia", "din", "fiao", "hm", "hng", "len", "lia",
     "lo", "m", "n", "ng", "nou", "nun", "o", "rua", "tei", "yo", "ê"]
)


@lru_cache(maxsize=1)
def mandarin() -> frozenset[str]:
    """The toneless syllables an English word may be said with: those of the character table
    (:func:`tts.frontend.dictionary.known_syllables`) less :data:`RARE`."""
    return known_syllables() - RARE


_VOWEL_SET = frozenset(VOWELS)


#: Before the i-finals, a retroflex or dental initial would make the apical vowel of si/zhi (not
#: English 'see'): it becomes the palatal one (see -> xi, cheese -> qi si), and r becomes l.
_BEFORE_I: dict[str, str] = {"s": "x", "z": "j", "c": "q", "zh": "j", "ch": "q", "sh": "x", "r": "l"}


def _spell(initial: str, final: str) -> str:
    """Pinyin spelling of ``initial`` + ``final`` (no tone), before validation."""
    if initial in ("w", "y"):
        return _GLIDES.get((initial, final), initial + final)
    if not initial:
        return _ZERO.get(final, final)
    if final in ("i", "in", "ing") and initial in _BEFORE_I:
        initial = _BEFORE_I[initial]
    return initial + final


@lru_cache(maxsize=4096)
def syllable(initial: str, final: str, tone: int) -> str:
    """One valid Mandarin syllable for ``initial`` + ``final`` at ``tone`` (1-5).

    Tries the pair as spelled, then the finals of :data:`_FINAL_FALLBACKS`, then the final alone.
    """
    # Mandarin r has few finals (no rei, rai): English r is then said l, as loans do (radio -> lei di ou).
    initials = (initial, "l") if initial == "r" else (initial,)
    for f in (final, *_FINAL_FALLBACKS.get(final, ())):
        for i in initials:
            spelled = _spell(i, f)
            if spelled in mandarin():
                return f"{spelled}{tone}"
    for f in (final, *_FINAL_FALLBACKS.get(final, ())):
        spelled = _spell("", f)
        if spelled in mandarin():
            return f"{spelled}{tone}"
    return f"e{tone}"


def split_phone(phone: str) -> tuple[str, int | None]:
    """``"AH0"`` -> ``("AH", 0)``; a consonant -> ``(phone, None)``."""
    if phone[-1].isdigit():
        return phone[:-1], int(phone[-1])
    return phone, None


def to_syllables(phones: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Mandarin syllables for one English word's ARPAbet ``phones`` (see the module docstring).

    Args:
        phones: ARPAbet phones with stress digits on vowels, e.g. ``("S", "P", "AO1", "T", ...)``;
            unknown symbols are skipped.
    Returns:
        Numbered pinyin syllables, each in :func:`mandarin`; empty for no phones.
    """
    parsed = [split_phone(p.upper()) for p in phones if p]
    parsed = [(p, s) for p, s in parsed if p in _VOWEL_SET or p in ONSETS]
    vowels = [i for i, (p, _) in enumerate(parsed) if p in _VOWEL_SET]
    if not vowels:
        return tuple(ALONE[p] for p, _ in parsed)
    out: list[str] = []
    n = len(parsed)
    only_vowel = len(vowels) == 1
    start = 0  # first phone not yet said
    for k, v in enumerate(vowels):
        # Consonants before this vowel: the last is its initial, the others are said alone.
        consonants = [p for p, _ in parsed[start:v]]
        onset = ONSETS[consonants[-1]] if consonants else ""
        alone = consonants[:-1]
        vowel, stress = parsed[v][0], parsed[v][1] or 0
        final, extra = VOWELS[vowel]
        if stress == 0:
            final = REDUCED.get(vowel, final)
        tone = 1 if stress > 0 or only_vowel else 5
        if onset == "y" and alone and vowel in ("UW", "UH"):
            # music, computer: consonant + y + u is one syllable where Mandarin has it (miu, niu)
            glided = ONSETS[alone[-1]] + "iu"
            if glided in mandarin():
                alone, onset, final = alone[:-1], "", glided
        out.extend(ALONE[p] for p in alone)
        # Codas: the consonants after the vowel, up to (not including) the next vowel's initial.
        nxt = vowels[k + 1] if k + 1 < len(vowels) else n
        end = nxt - 1 if nxt < n and nxt - 1 > v else nxt
        j = v + 1
        if j < end and parsed[j][0] in ("N", "NG") and extra:
            extra = _spell("", NASAL_FINALS[("i", parsed[j][0])])  # point -> po yin te
            j += 1
        elif j < end and parsed[j][0] in ("N", "NG") and (final, parsed[j][0]) in NASAL_FINALS:
            final = NASAL_FINALS[(final, parsed[j][0])]
            j += 1
        elif j < end and parsed[j][0] == "R":
            j += 1  # non-rhotic: the r colours nothing
        if vowel == "ER" and not onset:
            said = f"er{tone}"  # ER with no consonant before it is Mandarin er; after one, e ('water' wo te)
        else:
            said = syllable(onset, final, tone)
        out.append(said)
        if extra:
            out.append(f"{extra}5")
        out.extend("er5" if p == "L" else ALONE[p] for p, _ in parsed[j:end])
        start = end
    return tuple(out)
