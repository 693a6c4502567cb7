"""Issue 24: symbols, units and numbers read by context; ``pinyin --explain``.

Each case is what a newsreader says for text pasted from the real world: the expected
``normalized`` text (numbers and symbols as Chinese words) or syllables.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import assert_syllables

from tts.frontend import Frontend
from tts.frontend.normalize import normalize_numbers


@pytest.fixture(scope="module")
def fe() -> Frontend:
    return Frontend()


# (input, normalized text)
SUPERSCRIPTS_AND_UNITS = [
    ("面积120m²", "面积一百二十平方米"),
    ("面积120㎡", "面积一百二十平方米"),
    ("土地5km²", "土地五平方公里"),
    ("截面5cm²", "截面五平方厘米"),
    ("体积3m³", "体积三立方米"),
    ("容积2dm³", "容积两立方分米"),
    ("约3.5万㎡", "约三点五万平方米"),
    ("约2万km²", "约两万平方公里"),
    ("全长15㎞", "全长十五公里"),
    ("重5㎏", "重五千克"),
    ("单价4500元/m²", "单价四千五百元每平方米"),
    ("x²", "x的平方"),
    ("x²+y²=z²", "x的平方加y的平方等于z的平方"),
    ("10³", "十的立方"),
    ("10⁻⁶米", "十的负六次方米"),
    ("2⁸", "二的八次方"),
    ("(a+b)²", "(a加b)的平方"),
    ("浓度3‰", "浓度千分之三"),
    ("含量0.8‰", "含量千分之零点八"),
    ("气温25℃", "气温二十五摄氏度"),
    ("零下3℃", "零下三摄氏度"),
    ("华氏77℉", "华氏七十七度"),
    ("摄氏25℃", "摄氏二十五度"),
    ("室温77℉", "室温七十七华氏度"),
    ("倾角30°", "倾角三十度"),
    ("东经116°23′", "东经一百一十六度二十三分"),
    ("误差±0.5", "误差正负零点五"),
    ("5.2±0.3毫米", "五点二正负零点三毫米"),
    ("x≥5", "x大于等于五"),
    ("y≤3", "y小于等于三"),
    ("3×4=12", "三乘以四等于十二"),
    ("12÷4=3", "十二除以四等于三"),
    ("北京→上海", "北京到上海"),
    ("北京→天津→济南", "北京到天津到济南"),
]

DECIMALS_FRACTIONS = [
    ("概率为.5", "概率为零点五"),
    ("只剩.75", "只剩零点七五"),
    ("-.5", "负零点五"),
    ("约.5公斤", "约零点五公斤"),
    ("命中率.450", "命中率零点四五零"),
    ("版本1.5", "版本一点五"),
    ("占3/4", "占四分之三"),
    ("½杯牛奶", "二分之一杯牛奶"),
    ("1½杯面粉", "一又二分之一杯面粉"),
    ("2¾小时", "二又四分之三小时"),
    ("¼", "四分之一"),
]

RANGES = [
    ("3~5天", "三到五天"),
    ("5~10人", "五到十人"),
    ("2~3次", "两到三次"),
    ("周一~周五", "周一到周五"),
    ("周一～周五营业", "周一到周五营业"),
    ("增长5%~8%", "增长百分之五到百分之八"),
    ("温度-5~3℃", "温度零下五到三摄氏度"),
    ("价格100-200元", "价格一百到两百元"),
    ("8:30-17:30", "八点三十分到十七点三十分"),
    ("9:00~18:00", "九点到十八点"),
    ("好的~", "好的~"),
]

IDENTIFIERS = [
    ("房间号8012", "房间号八零幺二"),
    ("我的房间号是1208", "我的房间号是幺二零八"),
    ("他住在1203房间", "他住在幺二零三房间"),
    ("请拨打110", "请拨打幺幺零"),
    ("拨打120叫救护车", "拨打幺二零叫救护车"),
    ("共有110人", "共有一百一十人"),
    ("订单号20240512001", "订单号二零二四零五幺二零零幺"),
    ("批次号是20230815", "批次号是二零二三零八幺五"),
    ("ID为12345", "ID为幺二三四五"),
    ("请输入ID12345678", "请输入ID幺二三四五六七八"),
    ("货号3021", "货号三零二幺"),
    ("案号2023", "案号二零二三"),
    ("航班号CA1234", "航班号CA幺二三四"),
    ("搭乘航班号MU5101", "搭乘航班号MU五幺零幺"),
    ("乘坐CA1501航班", "乘坐CA幺五零幺航班"),
    ("车次号G1234", "车次号G幺二三四"),
    ("公元前221年", "公元前二二一年"),
    ("公元618年", "公元六一八年"),
    ("1998年", "一九九八年"),
    ("2024款新车", "二零二四款新车"),
    ("2022届毕业生", "二零二二届毕业生"),
    ("2008奥运会", "二零零八奥运会"),
    ("2023赛季", "二零二三赛季"),
    ("2024个", "两千零二十四个"),
]

SCORES_AND_TIMES = [
    ("比分3:2", "比分三比二"),
    ("两队3:2", "两队三比二"),
    ("比分定格在3:15", "比分定格在三比十五"),
    ("总比分3:20", "总比分三比二十"),
    ("最终3:0获胜", "最终三比零获胜"),
    ("两队战成2:2平", "两队战成二比二平"),
    ("以3:1战胜客队", "以三比一战胜客队"),
    ("下午3:20开会", "下午三点二十分开会"),
    ("时间3:20", "时间三点二十分"),
    ("比分领先，下午3:20再赛", "比分领先,下午三点二十分再赛"),
    ("会议定于3:20召开", "会议定于三点二十分召开"),
]


@pytest.mark.parametrize(
    ("text", "expected"), SUPERSCRIPTS_AND_UNITS + DECIMALS_FRACTIONS + RANGES + IDENTIFIERS + SCORES_AND_TIMES
)
def test_normalized_by_context(fe: Frontend, text: str, expected: str) -> None:
    assert fe.analyze(text).normalized == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("面积120m²", "mian4 ji1 yi4 bai3 er4 shi2 ping2 fang1 mi3"),
        ("10³", "shi2 de5 li4 fang1"),
        ("只剩.75", "zhi3 sheng4 ling2 dian3 qi1 wu3"),
        ("北京→上海", "bei3 jing1 dao4 shang4 hai3"),
        ("公元前221年", "gong1 yuan2 qian2 er4 er4 yi1 nian2"),
        ("华氏95℉", "hua2 shi4 jiu3 shi2 wu3 du4"),
        ("1½杯", "yi1 you4 er4 fen1 zhi1 yi1 bei1"),
        ("2¾小时", "liang3|er4 you4 si4 fen1 zhi1 san1 xiao3 shi2"),
    ],
)
def test_syllables_by_context(fe: Frontend, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)


@pytest.mark.parametrize("text", ["x²", "面积120m²", "10⁻³米", "1½杯", "北京→上海", "约.5公斤", "周一~周五"])
def test_symbol_readings_keep_source_offsets(fe: Frontend, text: str) -> None:
    """Every syllable of a rewritten symbol still points into the input (timestamps need it)."""
    utt = fe.analyze(text)
    assert len(utt.syllable_spans) == len(utt.syllables)
    for start, end in utt.syllable_spans:
        assert 0 <= start < end <= len(text)


@pytest.mark.parametrize(("text", "expected"), [("²", "二"), ("第³", "第三"), ("⁻", "")])
def test_stray_superscripts_are_read_as_digits(text: str, expected: str) -> None:
    """A superscript with nothing to raise is its digit (a lone sign says nothing)."""
    assert normalize_numbers(text) == expected


_FUZZ_ALPHABET = "0123456789.,:/-~～+±×÷=≥≤<>%‰℃℉°′″²³⁻⁴¹⁰→½¾㎡㎞㎏mkgxyzIDCA元米年月日号比分 房间{|}（）"


@pytest.mark.parametrize("seed", range(20))
def test_symbol_heavy_fuzz_never_crashes(fe: Frontend, seed: int) -> None:
    """Random runs of symbols, units and digits give syllables or nothing, never an error."""
    rng = random.Random(seed)
    text = "".join(rng.choice(_FUZZ_ALPHABET) for _ in range(rng.randint(1, 120)))
    utt = fe.analyze(text)
    assert len(utt.syllable_spans) == len(utt.syllables)
    assert not any(ch.isdigit() for ch in utt.normalized), (text, utt.normalized)
    assert not any(ch in "²³⁻⁴¹⁰" for ch in utt.normalized), (text, utt.normalized)


# ---------------------------------------------------------------- pinyin --explain

# (text, index of a syllable, its syllable, words its source must name in this order)
EXPLAIN_CASES = [
    ("银行行长", 0, "yin2", ["phrase 银行"]),
    ("银行行长", 3, "zhang3", ["phrase 行长"]),
    ("{重|chong2}庆", 0, "chong2", ["inline override"]),
    ("NBA比赛", 0, "en1", ["letters"]),
    ("他很行", 2, "xing2", ["default reading", "context rule 行 (polyphones._xing)"]),
    ("为人民服务", 0, "wei4", ["context rule 为 (polyphones._wei)"]),
    ("他还没还钱", 1, "hai2", ["context rule 还"]),
    ("他还没还钱", 3, "huan2", ["context rule 还"]),
    ("跑得快", 1, "de5", ["context rule 得"]),
    ("长大了", 2, "le5", ["context rule 了"]),
    ("区志强说", 0, "ou1", ["surname in a name context"]),
    ("数了数", 0, "shu3", ["reduplicated verb"]),
    ("我们看看吧", 3, "kan5", ["phrase 看看", "neutral tone"]),
    ("不去", 0, "bu2", ["一/不 sandhi"]),
    ("你好", 0, "ni2", ["phrase 你好", "3-3 sandhi"]),
    ("他在这儿玩儿", 3, "wanr2", ["erhua"]),
    ("2个人", 0, "liang3", ["2 read as 两 (normalize.py)", "phrase 两个"]),
    ("面积120m²", 2, "yi4", ["120m² read as 一 (normalize.py)", "phrase 一百"]),
    ("北京→上海", 2, "dao4", ["→ read as 到"]),
    ("请拨打110", 3, "yao1", ["1 read as 幺"]),
    ("快", 0, "kuai4", ["character reading"]),
]


@pytest.mark.parametrize(("text", "index", "syllable", "names"), EXPLAIN_CASES)
def test_explain_names_the_source(fe: Frontend, text: str, index: int, syllable: str, names: list[str]) -> None:
    explained = fe.explain(text)
    got = explained[index]
    assert got.syllable == syllable, explained
    at = 0
    for name in names:
        found = got.source.find(name, at)
        assert found >= 0, (name, got.source)
        at = found + len(name)


def test_explain_credits_the_user_lexicon(tmp_path) -> None:
    lex = tmp_path / "lex.txt"
    lex.write_text("重庆\tchong2 qing4\niPhone\tai4 feng1\n", encoding="utf-8")
    fe = Frontend(lex)
    sources = {(s.text, s.syllable): s.source for s in fe.explain("买iPhone去重庆")}
    assert sources[("iPhone", "ai4")] == "user lexicon"
    assert sources[("重", "chong2")] == "user lexicon"


@pytest.mark.parametrize(
    "text",
    [line.split("\t")[0] for line in (Path(__file__).parent / "data" / "frontend_dev_realworld.tsv")
     .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")][:20]
    + ["", "。。。", "😀😀", "{坏", "好好儿玩儿", "a" * 300],
)
def test_explain_gives_the_syllables_pinyin_gives(fe: Frontend, text: str) -> None:
    explained = fe.explain(text)
    assert [s.syllable for s in explained] == fe.pinyin(text)
    assert all(s.source and "?" not in s.source.split(" -> ") for s in explained)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tts", "pinyin", *args],
        capture_output=True, text=True, timeout=120, check=False, encoding="utf-8",
        cwd=Path(__file__).resolve().parents[1],
    )


def test_cli_explain_prints_a_line_per_syllable() -> None:
    proc = _cli("--explain", "他还没还钱", "{重|chong2}庆")
    assert proc.returncode == 0, proc.stderr
    blocks = proc.stdout.split("\n\n")
    first = [line.split("\t") for line in blocks[0].splitlines()]
    assert [row[1] for row in first] == ["ta1", "hai2", "mei2", "huan2", "qian2"]
    assert "context rule 还" in first[3][2]
    assert blocks[1].splitlines()[0].split("\t") == ["重", "chong2", "inline override"]


def test_cli_explain_bad_override_is_a_clear_error() -> None:
    proc = _cli("--explain", "{坏|x}")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: bad inline pronunciation")
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- names in running text

NAMES_IN_RUNNING_TEXT = [
    ("明代画家仇英擅长人物画。", "仇英", "qiu2 ying1"),
    ("解缙主持编纂了永乐大典。", "解缙", "xie4 jin4"),
    ("网友纷纷为曾志伟点赞。", "曾志伟", "zeng1 zhi4 wei3"),
    ("昨天下午，区伟明在家中接受了采访。", "区伟明", "ou1 wei3 ming2"),
    ("这部小说的作者是查良镛。", "查良镛", "zha1 liang2 yong1"),
    ("单雄信被李世民所杀。", "单雄信", "shan4 xiong2 xin4"),
    ("尉迟恭与秦琼并称门神。", "尉迟恭", "yu4 chi2 gong1"),
    ("翟志刚成为中国第一个出舱的航天员。", "翟志刚", "zhai2 zhi4 gang1"),
    ("此次比赛的冠军是葛天明。", "葛", "ge3"),
]

# Words that start like a surname but are not names here: the tagger must not make them one.
NOT_NAMES = [
    ("他曾经去过北京。", "曾经", "ceng2 jing1"),
    ("请查老师的电话。", "查", "cha2"),
    ("他解开了绳子。", "解开", "jie3 kai1"),
    ("任何人都可以参加。", "任何", "ren4 he2"),
    ("华为发布了新手机。", "华为", "hua2 wei2"),
    ("他单手拿着书。", "单", "dan1"),
    ("曾几何时，这里还是荒地。", "曾", "ceng2"),
    ("这是解答问题的关键。", "解答", "jie3 da2"),
    ("请查天明的记录。", "查", "cha2"),
    ("他们葛藤缠绕。", "葛", "ge2"),
    ("任凭风吹雨打，他都不动摇。", "任凭", "ren4 ping2"),
    ("单位要求大家准时到岗。", "单位", "dan1 wei4"),
]


@pytest.mark.parametrize(("text", "word", "expected"), NAMES_IN_RUNNING_TEXT + NOT_NAMES)
def test_surnames_by_context(fe: Frontend, text: str, word: str, expected: str) -> None:
    """The syllables of ``word`` inside ``text`` (before 3-3 sandhi, as the rules decide them)."""
    pairs = fe.base_readings(text)
    chars = "".join(ch for ch, _ in pairs)
    at = chars.index(word)
    got = [syl for _, syl in pairs[at:at + len(word)]]
    assert got == expected.split(), (text, got)


def test_names_explain_the_tagger(fe: Frontend) -> None:
    explained = fe.explain("明代画家仇英擅长人物画。")
    assert "surname in a name context" in explained[4].source


# ---------------------------------------------------------------- polyphones by measure word

DIMENSIONS = [
    ("会议室长8米", "长", "chang2"),
    ("这条河长300公里", "长", "chang2"),
    ("桥长一千米", "长", "chang2"),
    ("这根绳子长两米", "长", "chang2"),
    ("船长十米", "长", "chang2"),
    ("隧道长约5公里", "长", "chang2"),
    ("重5㎏", "重", "zhong4"),
    ("这头猪重约200斤", "重", "zhong4"),
    ("行李重20公斤", "重", "zhong4"),
    # not an amount of what 长/重 measures: the reading the words give stays
    ("他当了局长三年", "长", "zhang3"),
    ("校长一人", "长", "zhang3"),
    ("队长两米高", "长", "zhang3"),
    ("端午节又叫重五", "重", "chong2"),
    ("他的个子长得很高", "长", "zhang3"),
]


@pytest.mark.parametrize(("text", "char", "expected"), DIMENSIONS)
def test_dimension_before_a_quantity(fe: Frontend, text: str, char: str, expected: str) -> None:
    pairs = fe.base_readings(text)
    got = [syl for ch, syl in pairs if ch == char]
    assert got == [expected], (text, pairs)


def test_symbol_heavy_long_line(fe: Frontend) -> None:
    """A 10,000-character line of symbols, units and digits is read to the end (no error)."""
    rng = random.Random(24)
    text = "".join(rng.choice(_FUZZ_ALPHABET) for _ in range(10_000))
    syllables = fe.pinyin(text)
    assert syllables
    assert all(s[-1] in "12345" for s in syllables)
