"""Erhua (儿化): merging a suffix 儿 into the syllable before it (哪儿 -> nar3).

儿 is a suffix when it ends a word of two or more characters (哪儿, 一会儿,
小孩儿) or is cut by jieba as a word of its own right after another word
(玩 / 儿).  A reduplicated adjective with 儿 has tone 1 on its second
syllable (好好儿 hao3 haor1, 慢慢儿 man4 manr1).  儿 stays a full syllable er2
at the start of a word (儿子) and in words where it means "child/son" (女儿,
婴儿, 幼儿园, 孤儿 …).
"""

from __future__ import annotations

from tts.frontend.syllables import with_tone
from tts.frontend.words import Word

#: Two-character words whose 儿 is a real syllable, not the erhua suffix.
NOT_ERHUA = frozenset(
    "女儿 婴儿 幼儿 孤儿 健儿 男儿 胎儿 患儿 少儿 宠儿 妻儿 孙儿 弃儿 产儿 托儿 乞儿 育儿 "
    "侄儿 犬儿 龙儿 凤儿 新儿 混血儿 新生儿 早产儿 幸运儿 低能儿 弄潮儿".split()
)


def is_suffix(text: str, pos: int) -> bool:
    """Whether the 儿 at ``pos`` of ``text`` is the erhua suffix (not 女儿, 儿子)."""
    return _is_suffix(text, pos)


def _is_suffix(text: str, pos: int) -> bool:
    if pos == 0 or text[pos] != "儿":
        return False
    head = text[: pos + 1]
    return not any(head.endswith(w) for w in NOT_ERHUA)


#: Particles jieba glues to a preceding 儿 (远远 / 儿地): their neutral readings.
_PARTICLES = {"地": "de5", "的": "de5", "得": "de5", "了": "le5", "着": "zhe5", "啊": "a5", "呀": "ya5",
              "吧": "ba5", "呢": "ne5", "吗": "ma5", "嘛": "ma5", "啦": "la5"}


def er_with_particles(token: str) -> bool:
    """Whether ``token`` is 儿 followed by particles only (jieba's 远远 / 儿地), which
    :func:`attach_er_words` splits itself, reading the particles neutral."""
    return token[:1] == "儿" and len(token) > 1 and all(ch in _PARTICLES for ch in token[1:])


def attach_er_words(words: list[Word]) -> list[Word]:
    """Join a standalone 儿 word to the Chinese word right before it (same clause).

    A word made of 儿 and particles only (jieba's 远远 / 儿地) gives its 儿 to the word
    before and keeps the particles, read neutral.
    """
    out: list[Word] = []
    for w in words:
        if (
            w.text[:1] == "儿" and w.han and not w.frozen and w.break_before < 3 and out
            and out[-1].han and not out[-1].frozen and _is_suffix(out[-1].text + "儿", len(out[-1].text))
            and len(w.text) == len(w.syllables) and all(ch in _PARTICLES for ch in w.text[1:])
        ):
            prev = out[-1]
            prev.text += "儿"
            prev.syllables.append(w.syllables[0])
            prev.sure.append(True)
            if len(w.text) == 1:
                continue
            rest = w.text[1:]
            w = Word(rest, [_PARTICLES[ch] for ch in rest], han=True, sure=[True] * len(rest),
                     break_before=1)
        out.append(w)
    return out


#: Monosyllabic adjectives whose reduplicated erhua form AA儿 has tone 1 on the second A
#: (好好儿 hao3 haor1, 慢慢儿 man4 manr1, 远远儿 yuan3 yuanr1).
AA_ADJECTIVES = frozenset("好慢快早远近轻悄稳静细满饱紧热暖高长短圆匀直弯白红黑亮胖瘦厚薄深浅干甜酸香软硬")


def merge(word: Word) -> None:
    """Replace ``X 儿`` syllable pairs inside ``word`` by one r-syllable (in place)."""
    if not word.han or word.frozen or "儿" not in word.text[1:] or len(word.text) != len(word.syllables):
        return
    text = word.text
    if len(text) == 3 and text[0] == text[1] and text[2] == "儿" and text[0] in AA_ADJECTIVES:
        # The first A keeps its own tone (no 3-3 sandhi before a tone 1), the second is tone 1.
        word.syllables[0] = word.syllables[1]
        word.syllables[1] = with_tone(word.syllables[1], 1)
    merged: list[str] = []
    for pos, (_ch, syl) in enumerate(zip(word.text, word.syllables)):
        if pos > 0 and _is_suffix(word.text, pos) and merged and not merged[-1][:-1].endswith("r"):
            merged[-1] = merged[-1][:-1] + "r" + merged[-1][-1]
            continue
        merged.append(syl)
    word.syllables = merged
