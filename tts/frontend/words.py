"""The word list the pronunciation rules work on, and a flat per-syllable view of it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Word:
    """One word of an utterance while its pronunciation is being worked out.

    For a Chinese word (``han``) there is one syllable per character (erhua is
    merged only at the very end).  ``frozen`` words (user lexicon, inline
    overrides, letter readings) keep their syllables: no rule changes them,
    although rules for neighbouring words may look at them.
    """

    text: str
    syllables: list[str]
    han: bool = True
    frozen: bool = False
    #: Per syllable: True when the reading came from a word entry (phrase
    #: dictionary, lexicon) rather than a single-character guess.
    sure: list[bool] = field(default_factory=list)
    #: Break level before this word: 1 = plain word boundary, 3 = punctuation.
    break_before: int = 1
    #: The punctuation right after this word ("" when none): an interjection standing alone
    #: is read by the mark that closes it (嗯？ n2, 嗯， n4).
    pause_after: str = ""
    #: Per character of ``text``, the [start, end) range of the analysed input it came from.
    sources: list[tuple[int, int]] = field(default_factory=list)
    #: Per syllable: where its reading came from before any rule ("user lexicon", "phrase 银行",
    #: "character reading", ...); ``Frontend.explain`` reports it.
    origin: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.sure:
            self.sure = [self.frozen] * len(self.syllables)


class Flat:
    """Per-syllable view across words: index i -> (word, position in word).

    ``char(i)`` is the Chinese character of syllable ``i`` (``""`` for
    syllables of non-Chinese words) and ``clause(i)`` counts punctuation
    breaks, so rules can look at neighbours without crossing a pause.
    """

    def __init__(self, words: list[Word]):
        self.words = words
        self.refs: list[tuple[int, int]] = []
        self._clause: list[int] = []
        self._chars: list[str] = []
        clause = 0
        for wi, w in enumerate(words):
            if w.break_before >= 3 and self.refs:
                clause += 1
            n = len(w.syllables)
            self.refs.extend((wi, pi) for pi in range(n))
            self._clause.extend([clause] * n)
            if w.han and len(w.text) == n:
                self._chars.extend(w.text)
            else:
                self._chars.extend(w.text[pi] if w.han and pi < len(w.text) else "" for pi in range(n))
        #: The characters of all syllables joined, ``"\0"`` standing for a syllable
        #: without one, so ``text[i]`` belongs to syllable ``i``.
        self.text = "".join(c or "\0" for c in self._chars)
        #: Syllables of classical verse or 文言 (set by ``classical.apply``): they have no neutral
        #: tone, so the 一/不 stage does not make 不 neutral there (食不饱, 关不住 in a poem).
        self.literary: set[int] = set()

    def __len__(self) -> int:
        return len(self.refs)

    def word(self, i: int) -> Word:
        return self.words[self.refs[i][0]]

    def word_index(self, i: int) -> int:
        return self.refs[i][0]

    def pos(self, i: int) -> int:
        return self.refs[i][1]

    def char(self, i: int) -> str:
        if not 0 <= i < len(self._chars):
            return ""
        return self._chars[i]

    def syllable(self, i: int) -> str:
        wi, pi = self.refs[i]
        return self.words[wi].syllables[pi]

    def set(self, i: int, syllable: str) -> None:
        wi, pi = self.refs[i]
        if not self.words[wi].frozen:
            self.words[wi].syllables[pi] = syllable

    def frozen(self, i: int) -> bool:
        return self.word(i).frozen

    def same_clause(self, i: int, j: int) -> bool:
        return 0 <= i < len(self.refs) and 0 <= j < len(self.refs) and self._clause[i] == self._clause[j]

    def prev_char(self, i: int, n: int = 1) -> str:
        """The ``n`` characters before syllable ``i`` within its clause ("" where there are none)."""
        out = []
        for j in range(i - 1, i - 1 - n, -1):
            if not self.same_clause(i, j):
                break
            out.append(self.char(j))
        return "".join(reversed(out))

    def next_char(self, i: int, n: int = 1) -> str:
        """The ``n`` characters after syllable ``i`` within its clause."""
        out = []
        for j in range(i + 1, i + 1 + n):
            if not self.same_clause(i, j):
                break
            out.append(self.char(j))
        return "".join(out)

    def prev_word(self, i: int) -> Word | None:
        """The word before the word of syllable ``i``, if in the same clause."""
        wi = self.word_index(i)
        start = i - self.pos(i)
        if wi == 0 or not self.same_clause(i, start - 1):
            return None
        return self.words[wi - 1]

    def pause_after(self, i: int) -> str:
        """The punctuation right after syllable ``i`` ("" inside a word or before no punctuation)."""
        w = self.word(i)
        return w.pause_after if self.pos(i) == len(w.syllables) - 1 else ""

    def next_word(self, i: int) -> Word | None:
        """The word after the word of syllable ``i``, if in the same clause."""
        wi = self.word_index(i)
        end = i - self.pos(i) + len(self.word(i).syllables)
        if wi + 1 >= len(self.words) or not self.same_clause(i, end):
            return None
        return self.words[wi + 1]
