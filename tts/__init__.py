"""Offline Mandarin text-to-speech: text frontend, FastSpeech2 acoustic model, neural vocoders.

    from tts import Synthesizer, SynthesisOptions

    synth = Synthesizer.from_profile()          # picks a hardware profile, loads the models
    result = synth.synthesize(SynthesisOptions("今天天气很好。", emotion="happy"))

Importing the package is cheap: the names below are loaded on first use (torch only comes with
the Synthesizer).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Synthesizer": "tts.synthesizer",
    "SynthesisOptions": "tts.options",
    "RequestError": "tts.options",
    "LIMITS": "tts.options",
    "RequestInput": "tts.request",
    "build_request": "tts.request",
    "Result": "tts.results",
    "ServiceBusy": "tts.serving.admission",
    "RequestTimeout": "tts.serving.admission",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tts' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
