"""Expressive control over the one real voice: voice and emotion presets, style instructions,
reference-clip prosody, formant warping. Everything here becomes prosody offsets for FastSpeech2's
variance adaptor or a spectral transform of its mel."""
