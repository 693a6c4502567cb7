"""Erhua (儿化): merging a suffix 儿 into the syllable before it (哪儿 -> nar3).

儿 is a suffix when it ends a word of two or more characters (哪儿, 一会儿,
小孩儿) or is cut by jieba as a word of its own right after another word
(玩 / 儿).  It stays a full syllable er2 at the start of a word (儿子) and in
words where it means "child/son" (女儿, 婴儿, 幼儿园, 孤儿 …).
"""

from __future__ import annotations

from tts.frontend.words import Word

#: Two-character words whose 儿 is a real syllable, not the erhua suffix.
NOT_ERHUA = frozenset(
    "女儿 婴儿 幼儿 孤儿 健儿 男儿 胎儿 患儿 少儿 宠儿 妻儿 孙儿 弃儿 产儿 托儿 乞儿 育儿 "
    "侄儿 犬儿 龙儿 凤儿 新儿 混血儿 新生儿 早产儿 幸运儿 低能儿 弄潮儿".split()
)


def _is_suffix(text: str, pos: int) -> bool:
    if pos == 0 or text[pos] != "儿":
        return False
    head = text[: pos + 1]
    return not any(head.endswith(w) for w in NOT_ERHUA)


def attach_er_words(words: list[Word]) -> list[Word]:
    """Join a standalone 儿 word to the Chinese word right before it (same clause)."""
    out: list[Word] = []
    for w in words:
        if (
            w.text == "儿" and w.han and not w.frozen and w.break_before < 3 and out
            and out[-1].han and not out[-1].frozen and _is_suffix(out[-1].text + "儿", len(out[-1].text))
        ):
            prev = out[-1]
            prev.text += "儿"
            prev.syllables.append(w.syllables[0])
            prev.sure.append(True)
            continue
        out.append(w)
    return out


def merge(word: Word) -> None:
    """Replace ``X 儿`` syllable pairs inside ``word`` by one r-syllable (in place)."""
    if not word.han or word.frozen or "儿" not in word.text[1:] or len(word.text) != len(word.syllables):
        return
    merged: list[str] = []
    for pos, (ch, syl) in enumerate(zip(word.text, word.syllables)):
        if pos > 0 and _is_suffix(word.text, pos) and merged and not merged[-1][:-1].endswith("r"):
            merged[-1] = merged[-1][:-1] + "r" + merged[-1][-1]
            continue
        merged.append(syl)
    word.syllables = merged
