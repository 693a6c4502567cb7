"""Prosodic structure: which break (#0-#3) goes between two words.

The heuristic, documented in README.md:

* ``#3`` wherever punctuation stood between two words;
* prosodic words (``#1``): jieba words, with monosyllables attached to a
  neighbour the way speakers group them — particles and suffixes (的 了 着
  过 吗 们 …) and locatives (上 里 …) join the word before; another monosyllable
  joins the word after it when that word has at most two syllables
  (陪|外孙 -> 陪外孙), else the word before when that one is short;
  inside a prosodic word every syllable boundary is ``#0``;
* prosodic phrases (``#2``): prosodic words are collected left to right;
  a new phrase starts before a word that opens a phrase (conjunctions and
  prepositions such as 和 但是 因为 在 把 被 对) once the current phrase has at
  least 3 syllables, or when adding the word would make the phrase longer
  than 8 syllables (phrases shorter than 3 syllables are never closed).
"""

from __future__ import annotations

from tts.frontend import erhua
from tts.frontend.words import Word

ATTACH_LEFT = frozenset("的了着过地得吗呢吧啊呀啦嘛哇呗们么儿上下里中内外似般")
PHRASE_OPENERS = frozenset(
    """
    和 与 及 以及 或 或者 而 而且 并 并且 但 但是 可是 然而 不过 因为 所以 因此 如果 虽然 即使 尽管 于是
    然后 还是 只要 只有 除了 在 把 被 对 从 向 给 跟 比 为了 关于 由于 通过 按照 根据 随着 对于 自从
    """.split()
)
MIN_PHRASE = 3
MAX_PHRASE = 8
_MAX_PROSODIC_WORD = 4


def _spoken_length(word: Word) -> int:
    """Syllables of ``word`` as spoken: a suffix 儿 merges into the syllable before (好玩儿 = 2)."""
    n = len(word.syllables)
    if n > 1 and word.han and word.text.endswith("儿") and erhua.is_suffix(word.text, len(word.text) - 1):
        return n - 1
    return n


def word_breaks(words: list[Word]) -> list[int]:
    """Break level before each word (index 0 gets 0): 0 = same prosodic word, 1, 2 or 3."""
    n = len(words)
    levels = [0] * n
    if n == 0:
        return levels
    # Start: every boundary is a word boundary, punctuation is #3.
    for k in range(1, n):
        levels[k] = 3 if words[k].break_before >= 3 else 1
    # Group size (syllables) of the prosodic word each word currently belongs to.

    def group_of(k: int) -> tuple[int, int]:
        lo = k
        while lo > 0 and levels[lo] == 0:
            lo -= 1
        hi = k
        while hi + 1 < n and levels[hi + 1] == 0:
            hi += 1
        return lo, hi

    lengths = [_spoken_length(w) for w in words]

    def size(lo: int, hi: int) -> int:
        return sum(lengths[lo:hi + 1])

    # Particles and suffixes join the word on their left.
    for k in range(1, n):
        w = words[k]
        if levels[k] == 1 and len(w.syllables) == 1 and w.text in ATTACH_LEFT and words[k - 1].han:
            lo, hi = group_of(k - 1)
            if size(lo, hi) + 1 <= _MAX_PROSODIC_WORD + 1:
                levels[k] = 0
    # Other monosyllables join a short neighbour.
    for k in range(n):
        w = words[k]
        if len(w.syllables) != 1 or not w.han:
            continue
        lo, hi = group_of(k)
        if lo != hi:
            continue
        if k + 1 < n and levels[k + 1] == 1 and words[k + 1].han:
            nlo, nhi = group_of(k + 1)
            if size(nlo, nhi) <= 2:
                levels[k + 1] = 0
                continue
        if k > 0 and levels[k] == 1 and words[k - 1].han:
            plo, phi = group_of(k - 1)
            if size(plo, phi) <= 2:
                levels[k] = 0
    # Prosodic phrases.
    phrase_len = 0
    k = 0
    while k < n:
        lo, hi = group_of(k)
        pw_len = size(lo, hi)
        if lo > 0 and levels[lo] == 1:
            opener = words[lo].text in PHRASE_OPENERS
            if phrase_len >= MIN_PHRASE and (opener or phrase_len + pw_len > MAX_PHRASE):
                levels[lo] = 2
                phrase_len = 0
        elif lo > 0 and levels[lo] == 3:
            phrase_len = 0
        phrase_len += pw_len
        k = hi + 1
    return levels
