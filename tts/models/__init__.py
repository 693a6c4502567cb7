"""Language-blind neural models: symbol ids -> mel (FastSpeech2), mel -> waveform (vocoders)."""

from tts.models.fastspeech2 import AcousticOutput, FastSpeech2, FastSpeech2Config, VarianceControl
from tts.models.mb_melgan import MBMelGAN, MBMelGANConfig

__all__ = ["AcousticOutput", "FastSpeech2", "FastSpeech2Config", "VarianceControl", "MBMelGAN", "MBMelGANConfig"]
