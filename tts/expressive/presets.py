"""How a request's options become prosody controls for the variance adaptor (language-aware).

Emotions are prosody presets applied through FastSpeech2's variance adaptor: pitch level
(`pitch_shift`) and range (`pitch_range`), energy (`energy_shift`, `energy_scale`), durations
(`duration_scale`), pauses between sentences (`pause_scale`) and the sentence-final contour
(`final_pitch`, added to the last two syllables). `emotion_intensity` k scales a preset: shifts
are multiplied by k, scales raised to the power k (0 = neutral, 1 = the preset, 2 = exaggerated).
Each preset's measured effect (bench/expressive_tables.py) is in the README.

Voices are the Baker voice and voices derived from it: a pitch offset through the variance
adaptor plus a formant shift (frequency warping of the mel's spectral envelope,
tts.expressive.voice_warp). They are the same speaker, transformed; their labels say so.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch

from tts.engine import AcousticItem
from tts.frontend import Segment, Utterance
from tts.document import Controls
from tts.options import LIMITS, SEMITONES_PER_PITCH_UNIT, Prosody, RequestError, SynthesisOptions
from tts.expressive.voice_warp import warp_mel


@dataclass(frozen=True)
class Voice:
    name: str
    label: str  # shown to users
    description: str
    prosody: Prosody = Prosody()
    formant_shift: float = 1.0  # frequency warping of the mel envelope (> 1 brighter / smaller vocal tract)
    derived_from: str | None = None  # the voice this one transforms (None for a recorded speaker)


@dataclass(frozen=True)
class Emotion(Prosody):
    """A prosody preset (a Prosody) with a label for users and what it is meant to do."""

    label: str = ""
    description: str = ""

    def prosody(self) -> Prosody:
        return Prosody(self.duration_scale, self.pitch_shift, self.pitch_range, self.energy_shift,
                       self.energy_scale, self.pause_scale, self.final_pitch)


def transform_mel(voice: Voice, mel: torch.Tensor) -> torch.Tensor:
    """A voice's spectral transform of a Baker mel (T, 80); identity for the Baker voice itself."""
    if voice.formant_shift == 1.0:
        return mel
    return warp_mel(mel, voice.formant_shift)


DERIVED = "派生 derived"

VOICES: dict[str, Voice] = {
    "baker": Voice("baker", "标贝 Baker (女声 female)", "The Baker corpus speaker: standard Mandarin, female"),
    "baker-low": Voice(
        "baker-low", f"标贝·低沉 Baker low ({DERIVED})",
        "Derived from the Baker voice: about 2 semitones lower, formants shifted down 8 % (darker, larger)",
        Prosody(pitch_shift=-0.85, pitch_range=0.9), formant_shift=0.92, derived_from="baker"),
    "baker-bright": Voice(
        "baker-bright", f"标贝·明亮 Baker bright ({DERIVED})",
        "Derived from the Baker voice: about 1 semitone higher, formants shifted up 8 % (brighter)",
        Prosody(pitch_shift=0.4, pitch_range=1.05), formant_shift=1.08, derived_from="baker"),
    "baker-child": Voice(
        "baker-child", f"标贝·童声 Baker child-like ({DERIVED})",
        "Derived from the Baker voice: about 3.5 semitones higher, formants shifted up 18 % "
        "(a smaller vocal tract); an imitation, not a child's recording",
        Prosody(pitch_shift=1.45, pitch_range=1.1, duration_scale=1.04), formant_shift=1.18, derived_from="baker"),
}

# Tuned by measurement over 20 eval sentences (README table, bench/expressive_tables.py); all
# values stay inside the range where the model's output stays clean (|pitch_shift| <= 1.5,
# pitch_range 0.6-1.5, duration_scale 0.75-1.35).
EMOTIONS: dict[str, Emotion] = {
    "neutral": Emotion(label="中性 neutral", description="the Baker voice as trained"),
    "happy": Emotion(duration_scale=0.9, pitch_shift=0.7, pitch_range=1.4, energy_shift=0.3, energy_scale=1.1,
                     pause_scale=0.85, final_pitch=0.2, label="开心 happy",
                     description="higher, livelier pitch, a little faster and louder"),
    "sad": Emotion(duration_scale=1.22, pitch_shift=-0.6, pitch_range=0.7, energy_shift=-0.5, energy_scale=0.85,
                   pause_scale=1.4, final_pitch=-0.3, label="难过 sad",
                   description="lower, flatter, slower and quieter, with longer pauses"),
    "angry": Emotion(duration_scale=0.88, pitch_shift=0.3, pitch_range=1.35, energy_shift=0.8, energy_scale=1.25,
                     pause_scale=0.8, final_pitch=-0.4, label="生气 angry",
                     description="louder, faster, wider pitch range, falling sentence ends"),
    "gentle": Emotion(duration_scale=1.12, pitch_shift=-0.1, pitch_range=0.75, energy_shift=-0.5, energy_scale=0.85,
                      pause_scale=1.2, final_pitch=-0.15, label="温柔 gentle",
                      description="softer, slower and smoother (narrower pitch range)"),
    "surprised": Emotion(duration_scale=0.95, pitch_shift=1.0, pitch_range=1.3, energy_shift=0.3,
                         energy_scale=1.1, pause_scale=1.0, final_pitch=1.3, label="惊讶 surprised",
                         description="high, lively pitch with a rising sentence end"),
}


def scaled_emotion(emotion: Prosody, intensity: float) -> Prosody:
    """An emotion preset at `intensity` (shifts times k, scales to the power k)."""
    k = intensity
    return Prosody(duration_scale=emotion.duration_scale ** k, pitch_shift=emotion.pitch_shift * k,
                   pitch_range=emotion.pitch_range ** k, energy_shift=emotion.energy_shift * k,
                   energy_scale=emotion.energy_scale ** k, pause_scale=emotion.pause_scale ** k,
                   final_pitch=emotion.final_pitch * k)


def for_span(options: SynthesisOptions, controls: Controls | None) -> SynthesisOptions:
    """The request's options as a span with its own controls reads them: voice, emotion and
    intensity replace; speed and energy multiply; pitch adds (each kept within LIMITS)."""
    if not controls:
        return options
    return dataclasses.replace(
        options, voice=controls.voice or options.voice, emotion=controls.emotion or options.emotion,
        emotion_intensity=(controls.emotion_intensity if controls.emotion_intensity is not None
                           else options.emotion_intensity),
        speed=LIMITS["speed"].clamp(options.speed * (controls.speed or 1.0)),
        pitch=LIMITS["pitch"].clamp(options.pitch + (controls.pitch or 0.0)),
        energy=LIMITS["energy"].clamp(options.energy * (controls.energy or 1.0)))


def resolve(options: SynthesisOptions, controls: Controls | None = None) -> tuple[Voice, Prosody]:
    """The voice and the total prosody offsets of a request, or of one span of it with its own
    controls (voice, emotion, settings, extras)."""
    options = for_span(options, controls)
    voice = VOICES.get(options.voice)
    if voice is None:
        raise RequestError(f"unknown voice {options.voice!r} (available: {', '.join(VOICES)})", "voice")
    emotion = EMOTIONS.get(options.emotion)
    if emotion is None:
        raise RequestError(f"unknown emotion {options.emotion!r} (available: {', '.join(EMOTIONS)})", "emotion")
    scaled = scaled_emotion(emotion, options.emotion_intensity)
    settings = Prosody(duration_scale=1.0 / options.speed, pitch_shift=options.pitch / SEMITONES_PER_PITCH_UNIT,
                       energy_shift=math.log2(options.energy))
    return voice, voice.prosody.combine(scaled).combine(options.prosody).combine(settings)


FINAL_WEIGHTS = (0.5, 1.0)  # share of `final_pitch` on the penultimate and the last syllable


def acoustic_item(ids: list[int], utterance: Utterance, prosody: Prosody | list[Prosody]) -> AcousticItem:
    """Variance-adaptor controls for one utterance: one Prosody for all of it, or one per syllable
    (spans of the input with their own controls); `final_pitch` bends its last two syllables.

    Each symbol takes the prosody of its syllable; a prosodic-boundary token after a syllable
    (#0..#4) takes that syllable's, including its bend (the model spends its frames on the end of
    the syllable, so leaving it unbent halves the audible effect); the silences take their
    neighbour's. With one Prosody the controls stay scalars, as the model was always driven.
    """
    n_syl = len(utterance.syllables)
    per_syllable = prosody if isinstance(prosody, list) else None
    if per_syllable is not None and len(set(per_syllable)) <= 1:
        prosody, per_syllable = (per_syllable[0] if per_syllable else Prosody()), None
    owners, owner = [], -1
    for phoneme, s in zip(utterance.phonemes, utterance.phoneme_syllable):
        if s >= 0:
            owner = s
        elif not phoneme.startswith("#"):
            owner = -1  # a silence
        owners.append(owner)
    if per_syllable is None:
        return _uniform_item(ids, owners, n_syl, prosody)
    symbols = [per_syllable[o] if o >= 0 else per_syllable[0 if i == 0 else -1] for i, o in enumerate(owners)]
    symbols.append(symbols[-1] if symbols else Prosody())  # eos
    bends = _final_bends(owners, n_syl) + [0.0]
    return AcousticItem(ids, duration_scale=[p.duration_scale for p in symbols],
                        pitch_scale=[p.pitch_range for p in symbols],
                        pitch_shift=[p.pitch_shift + p.final_pitch * w for p, w in zip(symbols, bends)],
                        energy_scale=[p.energy_scale for p in symbols],
                        energy_shift=[p.energy_shift for p in symbols])


def _final_bends(owners: list[int], n_syl: int) -> list[float]:
    """Per symbol, the share of the sentence-final bend it takes (0 for all but the last two)."""
    first = n_syl - len(FINAL_WEIGHTS)
    return [FINAL_WEIGHTS[o - first] if o >= max(first, 0) else 0.0 for o in owners]


def _uniform_item(ids: list[int], owners: list[int], n_syl: int, prosody: Prosody) -> AcousticItem:
    pitch_shift: float | list[float] = prosody.pitch_shift
    if prosody.final_pitch and n_syl:
        pitch_shift = [prosody.pitch_shift + prosody.final_pitch * w for w in _final_bends(owners, n_syl)]
        pitch_shift.append(prosody.pitch_shift)  # eos
    return AcousticItem(ids, duration_scale=prosody.duration_scale, pitch_scale=prosody.pitch_range,
                        pitch_shift=pitch_shift, energy_scale=prosody.energy_scale,
                        energy_shift=prosody.energy_shift)


def transform_mel_by_frames(mel: torch.Tensor, voices: list[tuple[int, int, Voice]]) -> torch.Tensor:
    """Each voice's spectral transform on its own frames [start, end) of a Baker mel (T, 80): spans
    of the input read with different voices inside one utterance (the warp is frame by frame)."""
    if len({v.name for _, _, v in voices}) <= 1:
        return transform_mel(voices[0][2], mel) if voices else mel
    out = mel.clone()
    for start, end, voice in voices:
        if end > start and voice.formant_shift != 1.0:
            out[start:end] = warp_mel(mel[start:end], voice.formant_shift)
    return out


def pause_seconds(segment: Segment, prosody: Prosody) -> float:
    return max(0.0, segment.pause_after * prosody.pause_scale * prosody.duration_scale)
