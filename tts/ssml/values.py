"""SSML attribute values (W3C, Azure and Alibaba dialects) as this service's controls.

Each function takes an attribute's text and returns a number in the units of SynthesisOptions
(speed multiplier, semitones, energy multiplier, seconds) or raises SSMLError naming what was
wrong. The tables here are what docs/ssml.md documents.
"""

from __future__ import annotations

import math
import re

from tts.options import LIMITS

MAX_BREAK_S = 10.0  # longest break accepted (W3C leaves it open; Azure and Alibaba stop near here)
BAKER_F0_HZ = 250.0  # the Baker voice's median F0: what relative Hz pitch values are taken against


class SSMLError(ValueError):
    """Markup that cannot be spoken as written; `line`/`column` locate it when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        where = f" (line {line}, column {column + 1})" if line is not None and column is not None else ""
        super().__init__(message + where)
        self.line, self.column = line, column


# <break strength>: W3C names; seconds as Azure speaks them (none .. x-strong).
BREAK_STRENGTHS = {"none": 0.0, "x-weak": 0.25, "weak": 0.5, "medium": 0.75, "strong": 1.0, "x-strong": 1.25}
# <prosody rate>: keyword -> speed multiplier (Azure's x-slow .. x-fast, rounded).
RATE_KEYWORDS = {"x-slow": 0.5, "slow": 0.65, "medium": 1.0, "default": 1.0, "fast": 1.5, "x-fast": 2.0}
# <prosody pitch>: keyword -> semitones.
PITCH_KEYWORDS = {"x-low": -6.0, "low": -3.0, "medium": 0.0, "default": 0.0, "high": 3.0, "x-high": 6.0}
# <prosody volume>: keyword -> energy multiplier (the model cannot be silent: "silent" is its softest).
VOLUME_KEYWORDS = {"silent": 0.5, "x-soft": 0.5, "soft": 0.7, "medium": 1.0, "default": 1.0, "loud": 1.4,
                   "x-loud": 2.0}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SSMLError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise SSMLError(f"{what}: {text!r} is not a finite number")
    return value


def break_seconds(time: str | None, strength: str | None) -> float:
    """<break time="500ms|1.5s" strength="none..x-strong"/>: time wins; neither means medium."""
    if time is not None:
        m = re.fullmatch(rf"\s*({_NUMBER})\s*(ms|s)\s*", time)
        if not m:
            raise SSMLError(f"break time {time!r}: write it as 500ms or 1.5s")
        seconds = _number(m.group(1), "break time") / (1000.0 if m.group(2) == "ms" else 1.0)
        if not 0 <= seconds <= MAX_BREAK_S:
            raise SSMLError(f"break time {time!r}: between 0 and {MAX_BREAK_S:g} s")
        return seconds
    if strength is not None:
        if strength not in BREAK_STRENGTHS:
            raise SSMLError(f"break strength {strength!r}: one of {', '.join(BREAK_STRENGTHS)}")
        return BREAK_STRENGTHS[strength]
    return BREAK_STRENGTHS["medium"]


def rate(value: str) -> float:
    """<prosody rate>: a keyword, "50%" (half speed), "+20%"/"-20%" (relative), or "0.8" (multiplier)."""
    v = value.strip()
    if v in RATE_KEYWORDS:
        return RATE_KEYWORDS[v]
    m = re.fullmatch(rf"({_NUMBER})%", v)
    if m:
        n = _number(m.group(1), "rate")
        factor = 1.0 + n / 100.0 if v[0] in "+-" else n / 100.0
    else:
        factor = _number(v, "rate")
    if factor <= 0:
        raise SSMLError(f"rate {value!r} must be above zero")
    return factor


def pitch(value: str) -> float:
    """<prosody pitch>: a keyword, "+2st", "+10%", "+50Hz" (relative), or "300Hz" (absolute): semitones."""
    v = value.strip()
    if v in PITCH_KEYWORDS:
        return PITCH_KEYWORDS[v]
    m = re.fullmatch(rf"({_NUMBER})\s*(st|%|Hz|hz)", v)
    if not m:
        raise SSMLError(f"pitch {value!r}: a keyword (x-low .. x-high), +2st, +10%, +50Hz or 300Hz")
    n, unit = _number(m.group(1), "pitch"), m.group(2).lower()
    relative = v[0] in "+-"
    if unit == "st":
        return n
    if unit == "%":
        ratio = 1.0 + n / 100.0 if relative else n / 100.0
    else:
        ratio = (BAKER_F0_HZ + n) / BAKER_F0_HZ if relative else n / BAKER_F0_HZ
    if ratio <= 0:
        raise SSMLError(f"pitch {value!r} leaves no pitch")
    return 12.0 * math.log2(ratio)


def volume(value: str) -> float:
    """<prosody volume>: a keyword, "+6dB" (6 dB per doubling), "+20%" (relative), or 0-100 (100 = as is)."""
    v = value.strip()
    if v in VOLUME_KEYWORDS:
        return VOLUME_KEYWORDS[v]
    m = re.fullmatch(rf"({_NUMBER})\s*dB", v)
    if m:
        return 2.0 ** (_number(m.group(1), "volume") / 6.0)
    m = re.fullmatch(rf"({_NUMBER})%", v)
    if m:
        n = _number(m.group(1), "volume")
        return 1.0 + n / 100.0 if v[0] in "+-" else n / 100.0
    n = _number(v, "volume")
    if v[0] in "+-":
        return 1.0 + n / 100.0
    if not 0 <= n <= 100:
        raise SSMLError(f"volume {value!r}: 0 to 100")
    return n / 100.0


def alibaba_rate(value: str) -> float:
    """Alibaba's <speak rate> from -500 (half speed) to 500 (double speed), 0 = as is."""
    n = _number(value, "rate")
    if not -500 <= n <= 500:
        raise SSMLError(f"rate {value!r}: -500 to 500")
    return 1.0 + n / 500.0 if n >= 0 else 1.0 + n / 1000.0


def alibaba_pitch(value: str) -> float:
    """Alibaba's <speak pitch> from -500 to 500 -> the whole pitch range (±6 semitones)."""
    n = _number(value, "pitch")
    if not -500 <= n <= 500:
        raise SSMLError(f"pitch {value!r}: -500 to 500")
    return n / 500.0 * LIMITS["pitch"].hi


def alibaba_volume(value: str) -> float:
    """Alibaba's <speak volume> from 0 to 100, 50 = as is."""
    n = _number(value, "volume")
    if not 0 <= n <= 100:
        raise SSMLError(f"volume {value!r}: 0 to 100")
    return n / 50.0


def intensity(value: str, what: str) -> float:
    n = _number(value, what)
    limit = LIMITS["emotion_intensity"]
    if not 0 < n <= limit.hi:
        raise SSMLError(f"{what} {value!r}: above 0, at most {limit.hi:g}")
    return n


# Emotion names of both dialects -> (preset, intensity factor, note when it is only the nearest).
# Alibaba's <emotion category>: happy, sad, angry, surprise, fear, hate, neutral (and this
# service's own names); Azure's zh-CN <mstts:express-as style>.
EMOTIONS: dict[str, tuple[str, float, str]] = {
    "neutral": ("neutral", 1.0, ""), "happy": ("happy", 1.0, ""), "sad": ("sad", 1.0, ""),
    "angry": ("angry", 1.0, ""), "gentle": ("gentle", 1.0, ""), "surprised": ("surprised", 1.0, ""),
    "surprise": ("surprised", 1.0, ""),
    "fear": ("surprised", 0.8, "nearest: surprised (raised, tense pitch)"),
    "hate": ("angry", 0.8, "nearest: angry"),
    # Azure styles
    "cheerful": ("happy", 1.0, ""), "excited": ("happy", 1.5, ""), "hopeful": ("happy", 0.7, ""),
    "friendly": ("happy", 0.6, ""), "advertisement_upbeat": ("happy", 1.2, ""),
    "sports_commentary": ("happy", 1.0, "nearest: happy"), "sports_commentary_excited": ("happy", 1.5, "nearest: happy"),
    "depressed": ("sad", 1.3, ""), "sorry": ("sad", 0.7, ""), "embarrassed": ("sad", 0.5, "nearest: sad"),
    "disgruntled": ("angry", 0.7, ""), "unfriendly": ("angry", 0.6, "nearest: angry"), "shouting": ("angry", 1.5, ""),
    "envious": ("angry", 0.5, "nearest: angry"),
    "affectionate": ("gentle", 1.2, ""), "calm": ("gentle", 0.6, ""), "empathetic": ("gentle", 1.0, ""),
    "lyrical": ("gentle", 1.0, "nearest: gentle"), "poetry-reading": ("gentle", 0.8, "nearest: gentle"),
    "whispering": ("gentle", 1.5, "nearest: gentle, softer (no whisper voice)"),
    "narration-relaxed": ("gentle", 0.5, "nearest: gentle"),
    "fearful": ("surprised", 0.8, "nearest: surprised"), "terrified": ("surprised", 1.3, "nearest: surprised"),
    "assistant": ("neutral", 1.0, ""), "chat": ("neutral", 1.0, ""), "customerservice": ("neutral", 1.0, ""),
    "newscast": ("neutral", 1.0, ""), "narration-professional": ("neutral", 1.0, ""),
    "documentary-narration": ("neutral", 1.0, ""), "serious": ("neutral", 1.0, "nearest: neutral"),
}


def emotion(name: str) -> tuple[str, float, str]:
    key = name.strip().lower()
    if key not in EMOTIONS:
        raise SSMLError(f"emotion or style {name!r} is not supported (supported: {', '.join(sorted(EMOTIONS))})")
    return EMOTIONS[key]


def syllables(alphabet: str | None, ph: str) -> tuple[str, ...]:
    """<phoneme ph>: tone-numbered pinyin ("chong2 qing4", alphabet py/pinyin) or Azure's zh-CN
    SAPI form ("chong 2 qing 4", alphabet sapi): syllables with their tone digits."""
    from tts.frontend.syllables import is_valid

    kind = (alphabet or "py").strip().lower()
    if kind in ("py", "pinyin"):
        out = ph.lower().replace("ü", "v").replace("u:", "v").split()
    elif kind in ("sapi", "x-microsoft-sapi"):
        tokens = [t for t in re.split(r"[\s&-]+", ph.lower()) if t]
        out, i = [], 0
        while i < len(tokens):
            if i + 1 < len(tokens) and tokens[i + 1] in ("1", "2", "3", "4", "5"):
                out.append(tokens[i] + tokens[i + 1])
                i += 2
            else:
                out.append(tokens[i])
                i += 1
    else:
        raise SSMLError(f"phoneme alphabet {alphabet!r}: use py (pinyin with tone numbers) or sapi")
    bad = [s for s in out if not is_valid(s)]
    if not out or bad:
        raise SSMLError(f"phoneme ph {ph!r}: not pinyin with tone numbers 1-5 ({bad[0] if bad else 'empty'})")
    return tuple(out)


# <emphasis level>: what this engine can do for a stressed word is say it louder and a little
# slower (W3C leaves the means to the processor); "none" reads it plainly.
EMPHASIS = {"strong": (1.25, 0.9), "moderate": (1.12, 0.95), "reduced": (0.85, 1.05), "none": (1.0, 1.0)}


def emphasis(level: str | None) -> tuple[float, float]:
    """<emphasis level>: (energy factor, speed factor); W3C's default level is moderate."""
    key = (level or "moderate").strip().lower()
    if key not in EMPHASIS:
        raise SSMLError(f"emphasis level {level!r}: one of {', '.join(EMPHASIS)}")
    return EMPHASIS[key]


# Azure's <mstts:express-as role>: the age and sex the style imitates, onto the voices here.
ROLE_VOICES = {"girl": "baker-child", "boy": "baker-child", "youngadultfemale": "baker-bright",
               "youngadultmale": "baker-low", "olderadultfemale": "baker", "olderadultmale": "baker-low",
               "seniorfemale": "baker-low", "seniormale": "baker-low"}

# Azure's <mstts:silence type>: where the silence goes. Leading/Tailing: before the first and
# after the last word; Sentenceboundary: after every sentence. "-exact" forms mean the same here
# (this engine's silences are always exact). Azure's comma and semicolon types have no place
# to go in this engine's plan (pauses inside a sentence come from the acoustic model).
SILENCE_PLACES = {"leading": "leading", "tailing": "tailing", "trailing": "tailing",
                  "sentenceboundary": "sentence"}
SILENCE_UNPLACED = ("comma", "semicolon", "enumerationcomma")
