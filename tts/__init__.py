"""Offline Mandarin text-to-speech: text frontend, FastSpeech2 acoustic model, neural vocoders."""

__version__ = "0.1.0"
