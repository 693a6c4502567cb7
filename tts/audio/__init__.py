"""Audio in and out: WAV helpers, encoding to mp3/opus/aac/flac/pcm, decoding uploads, spectral DSP."""
