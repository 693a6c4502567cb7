"""The voice and emotion presets by name: what each one is, for users and for the model's
prosody offsets. Free of torch, so naming a voice (SSML, the API, the page) loads no model code;
tts.expressive.presets applies them."""

from __future__ import annotations

from dataclasses import dataclass

from tts.options import Prosody


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


@dataclass(frozen=True)
class VoiceAlias:
    """Another service's voice name, spoken here by the first of `voices` that is installed."""

    dialect: str  # where the name is accepted: "openai" (the HTTP API's voice), "ssml" (<voice name>)
    voices: tuple[str, ...]  # this service's voices, tried in order (a derived voice may be missing)


def _aliases(dialect: str, table: dict[str, tuple[str, ...]]) -> dict[str, VoiceAlias]:
    return {name: VoiceAlias(dialect, voices) for name, voices in table.items()}


# The one table of other services' voice names (keys lower-case). OpenAI's: its lighter voices to
# Baker, its deeper ones to baker-low, the bright ones to baker-bright. Azure's zh-CN neural voices
# and Alibaba's (SSML <voice name> / <speak voice>): one real speaker, female, so the nearest preset.
VOICE_ALIASES: dict[str, VoiceAlias] = {
    **_aliases("openai", {
        "alloy": ("baker",), "nova": ("baker",), "shimmer": ("baker",), "coral": ("baker",), "sage": ("baker",),
        "onyx": ("baker-low", "baker"), "echo": ("baker-low", "baker"), "ash": ("baker-low", "baker"),
        "fable": ("baker-bright", "baker"), "ballad": ("baker-bright", "baker"), "verse": ("baker-bright", "baker"),
    }),
    **_aliases("ssml", {
        "zh-cn-xiaoxiaoneural": ("baker",), "zh-cn-xiaoyineural": ("baker",), "zh-cn-xiaochenneural": ("baker",),
        "zh-cn-xiaohanneural": ("baker-low",), "zh-cn-xiaomoneural": ("baker-bright",),
        "zh-cn-xiaoyouneural": ("baker-child",), "zh-cn-yunxineural": ("baker-low",),
        "zh-cn-yunjianneural": ("baker-low",), "zh-cn-yunyangneural": ("baker-low",),
        "zhixiaobai": ("baker",), "zhixiaoxia": ("baker",), "zhiyan": ("baker",), "zhibei": ("baker-bright",),
        "xiaoyun": ("baker",), "xiaogang": ("baker-low",), "aitong": ("baker-child",),
    }),
}


def aliased_voice(name: str, dialect: str) -> str | None:
    """The voice here that speaks another service's voice `name` in `dialect`, or None."""
    alias = VOICE_ALIASES.get(name.strip().lower())
    if alias is None or alias.dialect != dialect:
        return None
    return next((voice for voice in alias.voices if voice in VOICES), None)


def alias_names(dialect: str) -> dict[str, tuple[str, ...]]:
    """Every alias of `dialect`: its name and the voices it is tried as, in order."""
    return {name: alias.voices for name, alias in VOICE_ALIASES.items() if alias.dialect == dialect}
