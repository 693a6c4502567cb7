"""`zh-tts`'s commands live in tts/apps/cli.py; these names stay importable from here."""

from tts.apps.cli import build_parser, main

__all__ = ["build_parser", "main"]
