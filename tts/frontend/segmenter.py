"""Chinese word segmentation with jieba, loaded lazily and without global side effects.

The jieba dictionary is loaded once per process into a private
``jieba.Tokenizer`` (never ``jieba.dt``, the library's global default), under
a lock.  A frontend with a user lexicon gets its own tokenizer whose frequency
table is a copy of the shared one plus the user's words, so user words never
leak into other frontends and no shared state is mutated per call.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterable

from tts.frontend import erhua
from tts.frontend.textclasses import is_han

#: Longest text given to jieba's HMM in one piece.
_HMM_WINDOW = 200

_base_lock = threading.Lock()
_base_tokenizer = None


def _shared_tokenizer():
    """The process-wide jieba tokenizer with the stock dictionary (thread-safe lazy init)."""
    global _base_tokenizer
    if _base_tokenizer is None:
        with _base_lock:
            if _base_tokenizer is None:
                with warnings.catch_warnings():  # jieba 0.42 imports the deprecated pkg_resources
                    warnings.simplefilter("ignore")
                    import jieba

                logging.getLogger("jieba").setLevel(logging.WARNING)
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _base_tokenizer = tokenizer
    return _base_tokenizer


class Segmenter:
    """Splits a run of Chinese characters into words.

    ``user_words`` are added with a frequency high enough that jieba cuts them
    as one word.  Instances are safe to share between threads: after
    construction they are only read.
    """

    def __init__(self, user_words: Iterable[str] = ()):
        self._user_words = tuple(dict.fromkeys(w for w in user_words if w))
        self._tokenizer = None
        self._lock = threading.Lock()

    def _get(self):
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    base = _shared_tokenizer()
                    if not self._user_words:
                        self._tokenizer = base
                    else:
                        import jieba

                        own = jieba.Tokenizer()
                        own.FREQ = dict(base.FREQ)
                        own.total = base.total
                        own.initialized = True
                        for word in self._user_words:
                            own.add_word(word, freq=max(own.suggest_freq(word, False), 10))
                        self._tokenizer = own
        return self._tokenizer

    def cut(self, text: str, hmm: bool = True) -> list[str]:
        """Words of ``text`` in order; their concatenation is ``text``.

        ``hmm`` lets jieba's HMM join unknown characters into new words; the
        splitter turns it off, as dictionary words are enough to find safe
        cut points and the HMM is slow on very long runs.
        """
        if not text:
            return []
        tokenizer = self._get()
        if not hmm or len(text) <= _HMM_WINDOW:
            return self._split_glued_er(list(tokenizer.cut(text, HMM=hmm)))
        # jieba's HMM is quadratic in the length of a run of unknown
        # characters, so long texts are cut at dictionary-word boundaries into
        # windows first and the HMM runs inside each window.
        words: list[str] = []
        window: list[str] = []
        size = 0
        for token in tokenizer.cut(text, HMM=False):
            if size + len(token) > _HMM_WINDOW and window:
                words.extend(tokenizer.cut("".join(window), HMM=True))
                window, size = [], 0
            window.append(token)
            size += len(token)
        if window:
            words.extend(tokenizer.cut("".join(window), HMM=True))
        return self._split_glued_er(words)

    def _split_glued_er(self, words: list[str]) -> list[str]:
        """Cut the erhua suffix 儿 off a word jieba's HMM built from it and the next characters
        (赔本|儿卖|给 -> 赔本|儿|卖给): no dictionary lists such a word, and read as one it keeps 儿
        a syllable er2 and hides the next word's start.  The lone 儿 then joins the word before it
        (:func:`tts.frontend.erhua.attach_er_words`); dictionary words (儿子, 儿童) stay whole, and
        so does 儿 after a word where it means "child" (女|儿…, :data:`erhua.NOT_ERHUA`) and 儿 before
        particles only (远远|儿地), which that function splits itself."""
        out: list[str] = []
        for token in words:
            if (len(token) > 1 and token[0] == "儿" and out and is_han(out[-1][-1:])
                    and self.freq(token) == 0 and not erhua.er_with_particles(token)
                    and erhua.is_suffix(out[-1] + "儿", len(out[-1]))):
                out.append("儿")
                out.extend(self._get().cut(token[1:], HMM=False))
                continue
            out.append(token)
        return out

    def tag_person_names(self, text: str) -> frozenset[tuple[int, int]]:
        """[start, end) of the words of ``text`` that jieba's part-of-speech tagger calls a
        person's name (``nr``) or a given name (``nrfg``), in context: 画家仇英擅长 -> {(2, 4)}."""
        return person_spans(text)

    def freq(self, text: str) -> int:
        """Frequency of ``text`` in the jieba dictionary (0 when it is not a word)."""
        return self._get().FREQ.get(text, 0)


_pos_lock = threading.Lock()
_pos_tokenizer = None


def _tagger():
    """The shared ``jieba.posseg`` tagger, loaded on first use."""
    global _pos_tokenizer
    if _pos_tokenizer is None:
        with _pos_lock:
            if _pos_tokenizer is None:
                import jieba.posseg

                _pos_tokenizer = jieba.posseg.POSTokenizer(_shared_tokenizer())
    return _pos_tokenizer


def context_tags(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech tag) of ``text`` as jieba's tagger (``jieba.posseg``, on the shared
    tokenizer) cuts it in context.  The tagger loads on first use; it is slower than cutting, so
    callers ask only about clauses where a tag is in doubt."""
    tagger = _tagger()
    with _pos_lock:  # the tagger keeps per-call state on the instance
        pairs = list(tagger.cut(text))
    return [(pair.word, pair.flag) for pair in pairs]


def dictionary_tag(word: str) -> str | None:
    """The part-of-speech tag jieba's dictionary gives ``word`` out of context (``v`` verb,
    ``a`` adjective, ``d`` adverb, ``z`` descriptive ...), or ``None`` when it lists no tag."""
    tag = _tagger().word_tag_tab.get(word)
    return str(tag) if tag is not None else None


def leading_word(text: str) -> str:
    """The first word jieba's stock dictionary cuts from ``text`` ('' for an empty text); callers
    pass a few characters after a symbol or a number to ask what kind of word follows it."""
    if not text:
        return ""
    return next(iter(_shared_tokenizer().cut(text, HMM=False)), "")


def person_spans(text: str) -> frozenset[tuple[int, int]]:
    """[start, end) of the words of ``text`` that jieba's tagger (:func:`context_tags`) tags ``nr``,
    a person's name, or ``nrfg``, a given name (志强)."""
    out: set[tuple[int, int]] = set()
    at = 0
    for word, flag in context_tags(text):
        end = at + len(word)
        if flag in ("nr", "nrfg"):
            out.add((at, end))
        at = end
    return frozenset(out)
