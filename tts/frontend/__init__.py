"""Chinese text frontend: text -> segments -> pinyin syllables -> Baker phonemes.

Importing this package is cheap: jieba, the phrase tables and g2pM are loaded
on first use.  It never imports torch.
"""

from tts.frontend.frontend import Frontend
from tts.frontend.lexicon import LexiconError
from tts.frontend.symbols import SYMBOLS
from tts.frontend.textclasses import normalize_unicode
from tts.frontend.utterance import Segment, Utterance

__all__ = ["Frontend", "LexiconError", "SYMBOLS", "Segment", "Utterance", "normalize_unicode"]
