"""Pinyin: polyphones, neutral tone, 一/不 and 3-3 sandhi, erhua.

Expected syllables are the reading after sandhi.  ``a|b`` accepts either
syllable where both are standard (e.g. 3-3 sandhi across a subject in 我很好).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import assert_syllables

from tts.frontend import Frontend

DATA = Path(__file__).resolve().parent / "data"


POLYPHONES = [
    ("他是银行的行长", "ta1 shi4 yin2 hang2 de5 hang2 zhang3"),
    ("我们步行去学校", "wo3 men5 bu4 xing2 qu4 xue2 xiao4"),
    ("这条河很长", "zhe4 tiao2 he2 hen3 chang2"),
    ("孩子长高了", "hai2 zi5 zhang3 gao1 le5"),
    ("请你重新说一遍", "qing2|qing3 ni3 chong2 xin1 shuo1 yi2 bian4"),
    ("这个箱子很重", "zhe4 ge4|ge5 xiang1 zi5 hen3 zhong4"),
    ("他还没有回家", "ta1 hai2 mei2 you3 hui2 jia1"),
    ("借书要按时归还", "jie4 shu1 yao4 an4 shi2 gui1 huan2"),
    ("他跑得很快", "ta1 pao3 de5 hen3 kuai4"),
    ("他得到了奖励", "ta1 de2 dao4 le5 jiang3 li4"),
    ("他睡着了", "ta1 shui4 zhao2 le5"),
    ("他笑着说", "ta1 xiao4 zhe5 shuo1"),
    ("我了解他", "wo3 liao2 jie3 ta1"),
    ("他们都来了", "ta1 men5 dou1 lai2 le5"),
    ("北京是首都", "bei3 jing1 shi4 shou3 du1"),
    ("我为你感到高兴", "wo3 wei4 ni2|ni3 gan3 dao4 gao1 xing4"),
    ("他被选为班长", "ta1 bei4 xuan3 wei2 ban1 zhang3"),
    ("公司发工资了", "gong1 si1 fa1 gong1 zi1 le5"),
    ("理发店", "li3 fa4 dian4"),
    ("音乐让人快乐", "yin1 yue4 rang4 ren2 kuai4 le4"),
    ("他高兴地跳了起来", "ta1 gao1 xing4 de5 tiao4 le5 qi3 lai5|lai2"),
    ("地上有落叶", "di4 shang4 you3 luo4 ye4"),
    ("他的确很努力", "ta1 di2 que4 hen2|hen3 nu3 li4"),
    ("我们的目的", "wo3 men5 de5 mu4 di4"),
    ("他很好客", "ta1 hen3 hao4 ke4"),
    ("人太少了", "ren2 tai4 shao3 le5"),
    ("少年", "shao4 nian2"),
    ("交通很方便", "jiao1 tong1 hen3 fang1 bian4"),
    ("这件衣服很便宜", "zhe4 jian4 yi1 fu5 hen3 pian2 yi5"),
    ("把空调调低", "ba3 kong1 tiao2 tiao2 di1"),
    ("调查", "diao4 cha2"),
    ("这个数字", "zhe4 ge4|ge5 shu4 zi4"),
    ("西藏", "xi1 zang4"),
    ("捉迷藏", "zhuo1 mi2 cang2"),
    ("人物传记", "ren2 wu4 zhuan4 ji4"),
    ("我觉得有点冷", "wo3 jue2 de5 you2 dian2 leng3"),
    ("他睡了一觉", "ta1 shui4 le5 yi2 jiao4"),
    ("这种花", "zhe4 zhong3 hua1"),
    ("种地", "zhong4 di4"),
]

NEUTRAL = [
    ("妈妈", "ma1 ma5"),
    ("爸爸", "ba4 ba5"),
    ("哥哥", "ge1 ge5"),
    ("姐姐", "jie3 jie5"),
    ("奶奶", "nai3 nai5"),
    ("我们", "wo3 men5"),
    ("孩子们", "hai2 zi5 men5"),
    ("桌子", "zhuo1 zi5"),
    ("石头", "shi2 tou5"),
    ("木头", "mu4 tou5"),
    ("东西很贵", "dong1 xi5 hen3 gui4"),
    ("东西方文化", "dong1 xi1 fang1 wen2 hua4"),
    ("你好吗", "ni2 hao3 ma5"),
    ("走吧", "zou3 ba5"),
    ("他呢", "ta1 ne5"),
    ("吃了", "chi1 le5"),
    ("看着", "kan4 zhe5"),
    ("我去过", "wo3 qu4 guo5"),
    ("我的书", "wo3 de5 shu1"),
    ("慢慢地走", "man4 man4 de5 zou3"),
    ("看看", "kan4 kan5"),
    ("谢谢", "xie4 xie5"),
    ("什么", "shen2 me5"),
    ("衣服", "yi1 fu5"),
    ("漂亮", "piao4 liang5"),
    ("朋友", "peng2 you5"),
    ("月亮", "yue4 liang5"),
    ("很漂亮", "hen3 piao4 liang5"),
    ("这个地方", "zhe4 ge4|ge5 di4 fang5"),
    ("地方政府", "di4 fang1 zheng4 fu3"),
    ("啊，真美啊", "a1 zhen1 mei3 a5"),
]

THIRD_TONE = [
    ("你好", "ni2 hao3"),
    ("展览馆", "zhan2 lan2 guan3"),
    ("小老虎", "xiao3 lao2 hu3"),
    ("老虎", "lao2 hu3"),
    ("手表厂", "shou2 biao2 chang3"),
    ("我很好", "wo2|wo3 hen2 hao3"),
    ("水果", "shui2 guo3"),
    ("雨伞", "yu2 san3"),
    ("很冷", "hen2 leng3"),
    ("岂有此理", "qi2 you3 ci2 li3"),
    ("洗脸水", "xi2 lian2 shui3"),
    ("买米", "mai2 mi3"),
    ("好，好", "hao3 hao3"),
]

YI = [
    ("一", "yi1"),
    ("一个", "yi2 ge4"),
    ("一天", "yi4 tian1"),
    ("一年", "yi4 nian2"),
    ("一起", "yi4 qi3"),
    ("一样", "yi2 yang4"),
    ("一共", "yi2 gong4"),
    ("一直", "yi4 zhi2"),
    ("第一", "di4 yi1"),
    ("统一", "tong3 yi1"),
    ("十一", "shi2 yi1"),
    ("一百", "yi4 bai3"),
    ("一万", "yi2 wan4"),
    ("一月", "yi1 yue4"),
    ("星期一", "xing1 qi1 yi1"),
    ("一九九八年", "yi1 jiu2|jiu3 jiu3 ba1 nian2"),
    ("看一看", "kan4 yi5 kan4"),
    ("试一试", "shi4 yi5 shi4"),
    ("一点五", "yi1 dian2|dian3 wu3"),
]

BU = [
    ("不", "bu4"),
    ("不是", "bu2 shi4"),
    ("不对", "bu2 dui4"),
    ("不好", "bu4 hao3"),
    ("不来", "bu4 lai2"),
    ("不吃", "bu4 chi1"),
    ("我不", "wo3 bu4"),
    ("对不起", "dui4 bu5 qi3"),
    ("说不定", "shuo1 bu5 ding4"),
    ("来不及", "lai2 bu5 ji2"),
    ("差不多", "cha4 bu5 duo1"),
    ("是不是", "shi4 bu5 shi4"),
    ("好不好", "hao3 bu5 hao3"),
]

ERHUA = [
    ("哪儿", "nar3"),
    ("一会儿", "yi2 huir4"),
    ("花儿", "huar1"),
    ("一点儿", "yi4 dianr3"),
    ("小孩儿", "xiao3 hair2"),
    ("女儿", "nv3 er2"),
    ("儿子", "er2 zi5"),
    ("你去哪儿了", "ni3 qu4 nar3 le5"),
]


@pytest.mark.parametrize(("text", "expected"), POLYPHONES + NEUTRAL + THIRD_TONE + YI + BU + ERHUA)
def test_reading(fe: Frontend, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)


def test_erhua_phonemes(fe: Frontend) -> None:
    utt = fe.analyze("花儿")
    assert utt.phonemes == ("sil", "h", "ua1", "er5", "sil")
    assert utt.phoneme_syllable == (-1, 0, 0, 0, -1)


@pytest.mark.parametrize(
    ("path", "minimum"),
    [("frontend_polyphones.tsv", 0.97), ("frontend_polyphones_holdout.tsv", 0.95)],
)
def test_polyphone_accuracy_does_not_regress(path: str, minimum: float) -> None:
    from bench.polyphone_eval import _frontend, evaluate, load_cases

    cases = load_cases(DATA / path)
    assert len(cases) >= 60
    correct, total, errors = evaluate(_frontend(), cases)
    assert correct / total >= minimum, "\n".join(errors)
