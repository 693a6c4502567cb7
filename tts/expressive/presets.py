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

import torch

from tts.document import Controls
from tts.engine import AcousticItem
from tts.expressive.voice_warp import warp_mel
from tts.expressive.voices import DERIVED as DERIVED  # the names of the presets, importable from here too
from tts.expressive.voices import EMOTIONS, VOICES, Voice
from tts.expressive.voices import Emotion as Emotion
from tts.frontend import Segment, Utterance
from tts.options import LIMITS, SEMITONES_PER_PITCH_UNIT, Prosody, RequestError, SynthesisOptions


def transform_mel(voice: Voice, mel: torch.Tensor) -> torch.Tensor:
    """A voice's spectral transform of a Baker mel (T, 80); identity for the Baker voice itself."""
    if voice.formant_shift == 1.0:
        return mel
    return warp_mel(mel, voice.formant_shift)


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
        assert not isinstance(prosody, list)  # a list was unpacked to its one Prosody above
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
