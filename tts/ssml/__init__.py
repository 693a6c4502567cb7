"""SSML input, Alibaba and Azure dialects: parsed safely into the document model (tts.document)."""

from tts.options import is_ssml
from tts.ssml.parser import ParsedSSML, parse
from tts.ssml.values import SSMLError

__all__ = ["ParsedSSML", "SSMLError", "is_ssml", "parse"]
