"""SSML input, Alibaba and Azure dialects: parsed safely into the document model (tts.document)."""

from tts.ssml.parser import ParsedSSML, is_ssml, parse
from tts.ssml.values import SSMLError

__all__ = ["ParsedSSML", "SSMLError", "is_ssml", "parse"]
