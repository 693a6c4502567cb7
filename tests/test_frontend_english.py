"""English words and mixed Latin/digit tokens inside Chinese text (issue 24, part 1).

Words are read as words (CMU dictionary -> tts/frontend/arpabet.py), initialisms with letter
names, mixed tokens split sensibly; the user's lexicon, inline overrides and SSML still win, and a
word's syllables all point at the whole word for timestamps.
"""

from __future__ import annotations

import pytest

from tts.frontend import Frontend
from tts.frontend.arpabet import mandarin, to_syllables
from tts.frontend.english import (
    entries,
    is_initialism,
    letter_to_sound,
    lookup,
    pronounceable,
    read_english,
    spell,
    terms,
)
from tts.frontend.syllables import is_valid
from tts.options import SynthesisOptions

# ---------------------------------------------------------------- the ARPAbet mapping table

ARPABET = [
    # stress -> tone: stressed vowels tone 1, unstressed (reduced) tone 5
    ("G UH1 D", "gu1 de5"),                      # a coda consonant is its own short syllable
    ("S P AO1 T AH0 F AY2", "si5 po1 te5 fa1"),  # cluster s-p: s alone; AY after f has no 'fai'
    ("W IH1 N D OW0 Z", "wen1 dou5 zi5"),        # i + n closes the syllable (win -> wen after w)
    ("M AO1 R N IH0 NG", "mo1 ning5"),           # r after a vowel is dropped, i + ng -> ing
    ("P AY1 TH AA0 N", "pai1 sen5"),             # TH -> s, reduced AA0 -> e, e + n -> en
    ("B IH1 L", "bi1 er5"),                      # l after a vowel -> er (比尔)
    ("B OY1", "bo1 yi5"),                        # OY adds yi
    ("P OY1 N T", "po1 yin5 te5"),               # ... and the n closes the added syllable
    ("S IY1", "xi1"),                            # s before i is palatal (see -> xi, not si)
    ("CH IY1 Z", "qi1 zi5"),
    ("ER1 TH", "er1 si5"),                       # a lone ER is er
    ("W AO1 T ER0", "wo1 te5"),                  # ER after a consonant: e
    ("M Y UW1 Z IH0 K", "miu1 ji5 ke5"),         # consonant + y + u -> miu where Mandarin has it
    ("D AW1 N L OW2 D", "dang1 lou1 de5"),
    ("CH AE1 T", "chai1 te5"),
    ("DH AH0", "de1"),                           # the only vowel keeps tone 1
    ("K L AW1 D", "ke5 lao1 de5"),
    ("T W IH1 T ER0", "te5 wei1 te5"),
]


@pytest.mark.parametrize(("phones", "expected"), ARPABET)
def test_arpabet_mapping(phones: str, expected: str) -> None:
    assert " ".join(to_syllables(phones.split())) == expected


def test_every_dictionary_word_maps_to_syllables_mandarin_has() -> None:
    """The whole CMU dictionary, not a sample: no syllable outside the voice's inventory."""
    known = mandarin()
    bad = []
    for word, phones in entries().items():
        out = to_syllables(phones.split())
        if not out or any(s[:-1] not in known or not is_valid(s) for s in out):
            bad.append((word, out))
    assert not bad, bad[:10]


def test_consonants_only_and_unknown_symbols() -> None:
    assert to_syllables(["S", "T"]) == ("si5", "te5")
    assert to_syllables([]) == ()
    assert to_syllables(["XX", "AA1"]) == ("a1",)


# ---------------------------------------------------------------- words read as words

WORDS = ["Android", "Spotify", "Windows", "Python", "Google", "Good", "morning", "Excel", "Zoom",
         "Photoshop", "Netflix", "Starbucks", "Office", "Word", "Chrome", "Safari", "Firefox", "Twitter",
         "Facebook", "Amazon", "Apple", "Microsoft", "Tesla", "Docker", "Kubernetes", "Slack", "Steam",
         "Nintendo", "Disney", "Uber", "Airbnb", "Instagram", "LinkedIn", "Reddit", "Discord", "Notion"]


@pytest.mark.parametrize("word", WORDS)
def test_words_are_read_as_words_not_letters(fe: Frontend, word: str) -> None:
    got = fe.pinyin(f"我用{word}。")[2:]
    letters = spell(word)
    assert len(got) < len(letters), (word, got)
    assert all(s[:-1] in mandarin() for s in got)
    assert got != list(letters)


def test_the_issue_sentence(fe: Frontend) -> None:
    got = fe.pinyin("用Android手机打开Spotify听歌")
    assert got == ["yong4", "an1", "de5", "ruo1", "yi5", "de5", "shou3", "ji1", "da3", "kai1",
                   "si5", "po1", "te5", "fa1", "ting1", "ge1"]


def test_two_english_words_stay_two_words(fe: Frontend) -> None:
    utt = fe.analyze("Good morning")
    assert utt.syllables == ("gu1", "de5", "mo1", "ning5")
    assert utt.normalized == "Good morning"


# ---------------------------------------------------------------- initialisms

INITIALISMS = ["AI", "CPU", "GPU", "USB", "NBA", "PDF", "GPT", "CEO", "HTTP", "HTML", "SQL", "IBM", "BMW",
               "SUV", "VIP", "DIY", "gpt", "pdf", "http", "www", "KTV", "TV"]


@pytest.mark.parametrize("token", INITIALISMS)
def test_initialisms_are_spelled_with_chinese_letter_names(fe: Frontend, token: str) -> None:
    assert is_initialism(token)
    assert fe.pinyin(f"{token}很好")[:-2] == list(spell(token))


@pytest.mark.parametrize(("token", "head"), [("APIs", "API"), ("CPUs", "CPU"), ("GPUs", "GPU")])
def test_plural_initialisms(token: str, head: str) -> None:
    assert read_english(token) == (*spell(head), "si5")


@pytest.mark.parametrize("word", ["NASA", "COVID", "NVIDIA", "JSON", "NATO"])
def test_acronyms_said_as_words_come_from_the_term_list(word: str) -> None:
    assert read_english(word) == terms()[word.lower()]
    assert read_english(word) != spell(word)


@pytest.mark.parametrize("word", ["Zoom", "Steam", "Office", "Tesla", "python", "hello"])
def test_words_are_not_initialisms(word: str) -> None:
    assert not is_initialism(word)


# ---------------------------------------------------------------- mixed tokens

@pytest.mark.parametrize(("token", "parts"), [
    ("iPhone", None),  # a term: ai4 feng1
    ("ChatGPT", ("Chat", "GPT")),
    ("GitHub", ("Git", "Hub")),
    ("PowerPoint", ("Power", "Point")),
    ("HTMLParser", ("HTML", "Parser")),
    ("JavaScript", ("Java", "Script")),
    ("OpenAI", ("Open", "AI")),
    ("DeepSeek", ("Deep", "Seek")),
    ("FaceTime", ("Face", "Time")),
    ("AirPods", ("Air", "Pods")),
    ("MacBook", ("Mac", "Book")),
    ("PlayStation", ("Play", "Station")),
])
def test_camel_case_is_read_part_by_part(token: str, parts: tuple[str, ...] | None) -> None:
    if parts is None:
        assert read_english(token) == terms()[token.lower()]
    else:
        assert read_english(token) == tuple(s for p in parts for s in read_english(p))


MIXED = [
    ("5G网络", "wu3 ji4 wang3 luo4"),
    ("4K电视", "si4 kei4 dian4 shi4"),
    ("1080P视频", "yi1 ling2 ba1 ling2 pi1 shi4 pin2"),
    ("720p", "qi1 er4 ling2 pi1"),
    ("H2O", "ai4 qi1 er4 ou1"),
    ("CO2浓度", "xi1 ou1 er4 nong2 du4"),
    ("COVID-19", "kou1 wei2 de5 shi2 jiu3"),
    ("Python 3.11", "pai1 sen5 san1 dian3 yi1 yi1"),
    ("v2.1.3", "wei1 er4 dian3 yi1 dian3 san1"),
    ("x86架构", "ai4 ke4 si1 ba1 liu4 jia4 gou4"),
    ("x64", "ai4 ke4 si1 liu4 si4"),
    ("Wi-Fi 6", "wai1 fei1 liu4"),
    ("的Wi-Fi密码", "de5 wai1 fei1 mi4 ma3"),
    ("连WIFI了", "lian2 wai1 fei1 le5"),
    ("iPhone 15", "ai4 feng1 shi2 wu3"),
    ("Windows 11", "wen1 dou5 zi5 shi2 yi1"),
    ("A380", "ei1 san1 ba1 ling2"),
    ("MP3", "ai4 mu5 pi1 san1"),
    ("华为Mate 60", "hua2 wei2 mei1 te5 liu4 shi2"),
    ("i7-13700K处理器", "ai4 qi1 yi1 san1 qi1 ling2 ling2 kei4 chu2 li3 qi4"),  # a model code, not 七到一万…
    ("酷睿i5-1240P", "ku4 rui4 ai4 wu3 yi1 er4 si4 ling2 pi1"),
    ("i9-14900HX", "ai4 jiu3 yi1 si4 jiu3 ling2 ling2 ai4 qi1 ai4 ke4 si1"),
    ("3-5天", "san1 dao4 wu3 tian1"),  # a range without letters stays a range
]


@pytest.mark.parametrize(("text", "expected"), MIXED)
def test_mixed_tokens(fe: Frontend, text: str, expected: str) -> None:
    assert " ".join(fe.pinyin(text)) == expected


DOTS_AND_SIGNS = [  # (text, normalized, pinyin)
    ("学C#", "学C sharp", "xue2 xi1 sha1 pu5"),
    ("F#和C#", "F sharp和C sharp", "ai4 fu5 sha1 pu5 he2 xi1 sha1 pu5"),
    ("用.NET开发", "用点NET开发", "yong4 dian3 en1 yi4 ti4 kai1 fa1"),
    ("ASP.NET", "ASP点NET", "ei1 ai4 si1 pi1 dian3 en1 yi4 ti4"),
    ("Node.js很快", "Node点js很快", "nu1 de5 dian3 zhei4 ai4 si1 hen3 kuai4"),
    ("打开.py文件", "打开点py文件", "da3 kai1 dian3 pi1 wai4 wen2 jian4"),
    ("H.264编码", "H点二六四编码", "ai4 qi1 dian3 er4 liu4 si4 bian1 ma3"),
    ("G.711", "G点七一一", "ji4 dian3 qi1 yi1 yi1"),
]


@pytest.mark.parametrize(("text", "normalized", "pinyin"), DOTS_AND_SIGNS)
def test_dots_in_names_codecs_and_sharp(fe: Frontend, text: str, normalized: str, pinyin: str) -> None:
    utt = fe.analyze(text)
    assert (utt.normalized, " ".join(utt.syllables)) == (normalized, pinyin)


@pytest.mark.parametrize("text", ["e.g.例如", "U.S.军队", "Ph.D.学位", "Mr.Smith", "St.Louis", "我很好.Thanks",
                                  "a.m.八点", "#话题#"])
def test_abbreviations_titles_and_a_full_stop_are_not_read_as_dot(fe: Frontend, text: str) -> None:
    utt = fe.analyze(text)
    assert utt.normalized.count("点") == text.count("点") and "sharp" not in utt.normalized


@pytest.mark.parametrize(("text", "word"), [("Node.js很快", "Node.js"), ("学C#", "C#")])
def test_a_rewritten_sign_points_at_its_own_character(fe: Frontend, text: str, word: str) -> None:
    utt = fe.analyze(text)
    at = text.index(word)
    spans = [span for span in utt.syllable_spans if at <= span[0] and span[1] <= at + len(word)]
    sign = at + max(word.index(c) for c in ".#" if c in word)
    assert (sign, sign + 1) in spans  # 点 / sharp: the dot or the hash itself, for timestamps


def test_a_model_codes_digits_keep_their_own_characters(fe: Frontend) -> None:
    text = "i7-13700K"
    utt = fe.analyze(text)
    digits = [span for span in utt.syllable_spans if span[0] >= text.index("-")][:5]
    assert digits == [(i, i + 1) for i in range(3, 8)]  # 1 3 7 0 0, each its own timestamp


ADDRESSES = [
    ("访问https://www.example.com", "访问www点example点com"),
    ("打开github.com/openai", "打开github点com斜杠openai"),
    ("发邮件到foo.bar@gmail.com", "发邮件到foo点bar艾特gmail点com"),
    ("联系support@qq.com", "联系support艾特qq点com"),
    ("http://example.org:8080/a_b", "example点org冒号八零八零斜杠a下划线b"),
    ("网址baidu.com", "网址baidu点com"),
    ("见www.gov.cn", "见www点gov点cn"),
    ("user-1@mail.ru", "user杠一艾特mail点ru"),
]


@pytest.mark.parametrize(("text", "normalized"), ADDRESSES)
def test_web_and_mail_addresses(fe: Frontend, text: str, normalized: str) -> None:
    utt = fe.analyze(text)
    assert utt.normalized == normalized
    assert "dian3" in utt.syllables
    assert all(is_valid(s) for s in utt.syllables)


# ---------------------------------------------------------------- term list, fallback

@pytest.mark.parametrize("term", sorted(terms()))
def test_term_list_entries_are_read_as_listed(fe: Frontend, term: str) -> None:
    assert all(s[:-1] in mandarin() or s in ("ei1",) for s in terms()[term]), term
    assert fe.pinyin(term) == list(terms()[term])


@pytest.mark.parametrize("word", ["tiktok", "blorp", "snapchatty", "grokking", "fintech", "vibecode"])
def test_words_no_dictionary_has_go_through_letter_to_sound(word: str) -> None:
    phones = letter_to_sound(word)
    assert phones and any(p[-1].isdigit() for p in phones)
    out = read_english(word)
    assert out and all(s[:-1] in mandarin() for s in out)


@pytest.mark.parametrize("word", ["abcdefghijklmnopqrstuvwxyz", "qwrtzpsdfg", "xxxyyyzzz", "a" * 30])
def test_unpronounceable_tokens_are_spelled(word: str) -> None:
    assert not pronounceable(word)
    assert read_english(word) == spell(word)


def test_lookup_agrees_with_the_whole_file() -> None:
    """The binary search finds what a full parse finds (first pronunciation), for a spread of words."""
    table = entries()
    words = sorted(table)[::997] + ["android", "spotify", "windows", "a", "zywicki", "read", "live"]
    for word in words:
        assert lookup(word) == table[word], word
    assert lookup("zzzzqx") is None and lookup("") is None and lookup("a b") is None


def test_magic_e_and_soft_c() -> None:
    assert letter_to_sound("bike") == ("B", "AY1", "K")
    assert letter_to_sound("cell")[0] == "S"


# ---------------------------------------------------------------- overrides keep winning

@pytest.fixture(scope="module")
def lexicon_fe(tmp_path_factory: pytest.TempPathFactory) -> Frontend:
    path = tmp_path_factory.mktemp("lex") / "lexicon.tsv"
    path.write_text("Android\tan1 zhuo2\nSpotify\tsi1 ba1 di4\nGPT\tji1 pi1 ti1\n", encoding="utf-8")
    return Frontend(path)


@pytest.mark.parametrize(("text", "expected"), [
    ("用Android手机", "yong4 an1 zhuo2 shou3 ji1"),
    ("打开Spotify", "da3 kai1 si1 ba1 di4"),
    ("ChatGPT", "chai1 te5 ji1 pi1 ti1"),
])
def test_user_lexicon_wins_over_english_readings(lexicon_fe: Frontend, text: str, expected: str) -> None:
    assert " ".join(lexicon_fe.pinyin(text)) == expected


@pytest.fixture(scope="module")
def latin_lexicon_fe(tmp_path_factory: pytest.TempPathFactory) -> Frontend:
    path = tmp_path_factory.mktemp("lex") / "lexicon.tsv"
    path.write_text("Go\tgou3\nAI\tai4 ai4\nandroid\tan1 zhuo2\nPython\tpai4 tong2\nC++\txi1 jia1 jia1\n",
                    encoding="utf-8")
    return Frontend(path)


@pytest.mark.parametrize(("text", "word", "expected"), [
    ("用Go写", "Go", "gou3"), ("GoPro相机", "Go", "gou3"), ("Go语言", "Go", "gou3"),  # a word or a camelCase part
    ("OpenAI公司", "AI", "ai4 ai4"), ("AI芯片", "AI", "ai4 ai4"), ("iOS和AI", "AI", "ai4 ai4"),
    ("用Android", "Android", "an1 zhuo2"), ("用ANDROID", "ANDROID", "an1 zhuo2"),  # lowercase entry: any case
    ("android手机", "android", "an1 zhuo2"), ("PythonParser", "Python", "pai4 tong2"),
    ("学C++", "C++", "xi1 jia1 jia1"),
])
def test_a_latin_lexicon_word_matches_whole_word_parts(latin_lexicon_fe: Frontend, text: str, word: str,
                                                       expected: str) -> None:
    at = text.index(word)
    utt = latin_lexicon_fe.analyze(text)
    said = [s for s, (a, b) in zip(utt.syllables, utt.syllable_spans, strict=True)
            if at <= a and b <= at + len(word)]
    assert " ".join(said) == expected


@pytest.mark.parametrize(("text", "word"), [
    ("Google搜索", "Google"), ("Golang", "Golang"), ("EMAIL地址", "EMAIL"), ("DAILY", "DAILY"),
    ("MAIN函数", "MAIN"), ("python脚本", "python"), ("PYTHON", "PYTHON"),  # capitals in the entry: exact case
])
def test_a_latin_lexicon_word_does_not_take_part_of_another_word(latin_lexicon_fe: Frontend, fe: Frontend,
                                                                 text: str, word: str) -> None:
    assert latin_lexicon_fe.pinyin(text) == fe.pinyin(text)  # read as without the lexicon


@pytest.mark.parametrize(("text", "expected"), [
    ("{Android|an1 zhuo2}手机", "an1 zhuo2 shou3 ji1"),
    ("{Huawei|hua2 wei4}", "hua2 wei4"),
    ("{NBA|nai4 ba1}", "nai4 ba1"),
    ("打开{Spotify|si1 bo1 di4 fei1}", "da3 kai1 si1 bo1 di4 fei1"),
])
def test_inline_overrides_win_over_english_readings(fe: Frontend, text: str, expected: str) -> None:
    assert " ".join(fe.pinyin(text)) == expected


# ---------------------------------------------------------------- one span per word

@pytest.mark.parametrize(("text", "word"), [
    ("用Spotify听歌", "Spotify"), ("打开Windows", "Windows"), ("我的iPhone", "iPhone"),
    ("ChatGPT很火", "ChatGPT"), ("Good morning", "morning"), ("坐Uber", "Uber"), ("用Java", "Java"),
    ("砍axe", "axe"),  # three letters, three syllables: still one span
])
def test_an_english_word_has_one_source_span(fe: Frontend, text: str, word: str) -> None:
    utt = fe.analyze(text)
    at = text.index(word)
    spans = [span for span in utt.syllable_spans if span[0] >= at and span[1] <= at + len(word)]
    assert len(spans) == len(read_english(word)) > 1
    assert set(spans) == {(at, at + len(word))}


@pytest.mark.parametrize("text", ["CPU占用", "用AI", "NBA比赛"])
def test_a_spelled_initialism_gives_each_letter_its_syllables(fe: Frontend, text: str) -> None:
    utt = fe.analyze(text)
    token = "".join(ch for ch in text if ch.isascii())
    at = text.index(token)
    spans = [span for span in utt.syllable_spans if span[0] >= at and span[1] <= at + len(token)]
    assert spans[0] == (at, at + 1) and spans[-1][1] == at + len(token)


def test_timestamps_give_an_english_word_one_span(tiny_synth) -> None:  # type: ignore[no-untyped-def]
    text = "用Spotify听歌"
    result = tiny_synth.synthesize(SynthesisOptions(text, quality="fast"), use_cache=False)
    chars = [c for c in result.timed("character") if 1 <= c.offset < 8]
    assert [c.text for c in chars] == list("Spotify")
    assert len({(c.start, c.end) for c in chars}) == 1  # every letter: the whole word's time
    syllables = [s for s in result.timed("syllable") if s.offset == 1]
    assert len(syllables) == 4 and all(s.length == 7 for s in syllables)
    assert chars[0].start == syllables[0].start and chars[0].end == syllables[-1].end


@pytest.mark.parametrize(("text", "word"), [("用Spotify听歌", "Spotify"), ("连Wi-Fi了", "Wi-Fi"),
                                          ("打开ChatGPT", "ChatGPT"), ("Good morning", "morning")])
def test_the_timestamps_endpoint_gives_an_english_word_one_span(tiny_url, text: str, word: str) -> None:  # type: ignore[no-untyped-def]
    import httpx

    r = httpx.post(f"{tiny_url}/v1/audio/speech/timestamps", json={"input": text, "quality": "fast"}, timeout=120)
    assert r.status_code == 200, r.text
    body = r.json()
    at = text.index(word)
    letters = [c for c in body["characters"] if at <= c["offset"] < at + len(word)]
    assert "".join(c["text"] for c in letters) == word
    syllables = [s for s in body["syllables"] if s["offset"] == at]
    assert len(syllables) > 1  # every syllable of the word points at its first character
    assert {(c["start"], c["end"]) for c in letters} == {(syllables[0]["start"], syllables[-1]["end"])}


@pytest.mark.parametrize(("text", "expected"), [
    ("用Spotify听歌", ["用", "Spotify", "听", "歌"]),
    ("连Wi-Fi了", ["连", "Wi-Fi", "了"]),
    ("Good morning", ["Good", "morning"]),
    ("用CPU", ["用", "C", "P", "U"]),  # an initialism is spelled: each letter its own word
    ("iPhone 15", ["iPhone", "1", "5"]),  # 十五: each digit has its own syllable, so its own word
])
def test_dashscope_word_timestamps_give_an_english_word_one_entry(tiny_synth, text: str,  # type: ignore[no-untyped-def]
                                                                  expected: list[str]) -> None:
    from tts.web.dashscope_protocol import words

    result = tiny_synth.synthesize(SynthesisOptions(text, quality="fast"), use_cache=False)
    said = words(result.alignment, 0.0)
    assert [w["text"] for w in said] == expected
    assert all(text[w["begin_index"]:w["end_index"]] == w["text"] for w in said)
    times = [(w["begin_time"], w["end_time"]) for w in said]
    assert times == sorted(times) and all(b < e for b, e in times)


# ---------------------------------------------------------------- SSML on English words

def test_ssml_phoneme_and_sub_on_english_words(tiny_synth) -> None:  # type: ignore[no-untyped-def]
    source = ('<speak>用<phoneme alphabet="py" ph="an1 zhuo2">Android</phoneme>手机，'
              '<sub alias="声田">Spotify</sub>听歌。</speak>')
    result = tiny_synth.synthesize(SynthesisOptions(source, quality="fast"), use_cache=False)
    pinyin = result.pinyin.split()
    assert pinyin[:4] == ["yong4", "an1", "zhuo2", "shou3"]
    assert "sheng1" in pinyin and "tian2" in pinyin and "si5" not in pinyin
    at = source.index("Android")
    android = [c for c in result.timed("character") if at <= c.offset < at + 7]
    assert "".join(c.text for c in android) == "Android"
    assert len({(c.start, c.end) for c in android}) == 1


def test_ssml_w_reads_an_english_word_as_one_word(tiny_synth) -> None:  # type: ignore[no-untyped-def]
    result = tiny_synth.synthesize(SynthesisOptions("<speak><w>Spotify</w></speak>", quality="fast"),
                                   use_cache=False)
    assert result.pinyin.split() == list(read_english("Spotify"))
