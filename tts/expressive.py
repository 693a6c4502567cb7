"""How a request's options become prosody controls for the variance adaptor (language-aware)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from tts.engine import AcousticItem
from tts.frontend import Segment, Utterance
from tts.options import SEMITONES_PER_PITCH_UNIT, Prosody, RequestError, SynthesisOptions


@dataclass(frozen=True)
class Voice:
    name: str
    label: str  # shown to users
    description: str
    prosody: Prosody = Prosody()
    formant_shift: float = 1.0  # frequency warping of the mel (> 1 brighter / smaller vocal tract)


def transform_mel(voice: Voice, mel: torch.Tensor) -> torch.Tensor:
    """A voice's spectral transform of a Baker mel (T, 80); identity for the Baker voice itself."""
    if voice.formant_shift == 1.0:
        return mel
    raise NotImplementedError("formant shifting is not implemented yet")


VOICES: dict[str, Voice] = {
    "baker": Voice("baker", "标贝 Baker (女声 female)", "The Baker corpus speaker: standard Mandarin, female"),
}
EMOTIONS: dict[str, Prosody] = {"neutral": Prosody()}


def resolve(options: SynthesisOptions) -> tuple[Voice, Prosody]:
    """The voice and the total prosody offsets of a request (voice, emotion, controls, extras)."""
    voice = VOICES.get(options.voice)
    if voice is None:
        raise RequestError(f"unknown voice {options.voice!r} (available: {', '.join(VOICES)})", "voice")
    emotion = EMOTIONS.get(options.emotion)
    if emotion is None:
        raise RequestError(f"unknown emotion {options.emotion!r} (available: {', '.join(EMOTIONS)})", "emotion")
    k = options.emotion_intensity
    scaled = Prosody(duration_scale=emotion.duration_scale ** k, pitch_shift=emotion.pitch_shift * k,
                     pitch_range=emotion.pitch_range ** k, energy_shift=emotion.energy_shift * k,
                     energy_scale=emotion.energy_scale ** k, pause_scale=emotion.pause_scale ** k,
                     final_pitch=emotion.final_pitch * k)
    controls = Prosody(duration_scale=1.0 / options.speed, pitch_shift=options.pitch / SEMITONES_PER_PITCH_UNIT,
                       energy_shift=math.log2(options.energy))
    return voice, voice.prosody.combine(scaled).combine(options.prosody).combine(controls)


def acoustic_item(ids: list[int], utterance: Utterance, prosody: Prosody) -> AcousticItem:
    """Variance-adaptor controls for one utterance; `final_pitch` bends its last two syllables."""
    pitch_shift: float | list[float] = prosody.pitch_shift
    n_syl = len(utterance.syllables)
    if prosody.final_pitch and n_syl:
        shifts = []
        for s in utterance.phoneme_syllable:
            if s >= n_syl - 2 and s >= 0:
                shifts.append(prosody.pitch_shift + prosody.final_pitch * (0.5 if s == n_syl - 2 else 1.0))
            else:
                shifts.append(prosody.pitch_shift)
        pitch_shift = shifts + [prosody.pitch_shift]  # eos
    return AcousticItem(ids, duration_scale=prosody.duration_scale, pitch_scale=prosody.pitch_range,
                        pitch_shift=pitch_shift, energy_scale=prosody.energy_scale,
                        energy_shift=prosody.energy_shift)


def pause_seconds(segment: Segment, prosody: Prosody) -> float:
    return max(0.0, segment.pause_after * prosody.pause_scale * prosody.duration_scale)
