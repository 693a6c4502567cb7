"""Text normalization: numbers, dates, times, money, units and symbols -> Chinese words.

:func:`normalize_numbers` rewrites a (NFKC-normalized) string so that no ASCII
digit and no readable symbol is left; everything else (Chinese, Latin letters,
punctuation, unknown characters) passes through unchanged.  The rules run in a
fixed order, most specific first:

1. thousands separators are removed (``1,234`` -> ``1234``);
2. digit-by-digit strings: mobile/landline/service numbers, numbers after
   words like 电话/房间/编号, room numbers, and digits right after letters
   (``A380``).  In phone-like strings 1 is read 幺;
3. dates: ``2024-11-21``, ``2024/11/21``, ``2024.11.21``, ``2024年`` (year
   digit by digit), ``11月21日``, ``21号``;
4. times ``10:30`` -> 十点三十分, ``08:05`` -> 八点零五分, ``10:30:15``
   (always "X点Y分", never 半: unambiguous and what clocks say); ``3:2`` and
   any colon pair that is not a valid time, or that follows 比分/以, is a score
   (三比二);
5. arithmetic (``1+1=2``), percentages (``-2.5%`` -> 负百分之二点五, ranges
   ``10%-20%``), money (``¥100``, ``$5.5`` -> 五点五美元), fractions
   (``3/4`` -> 四分之三), versions and addresses with several dots;
6. numbers with units (``5kg`` -> 五千克, ``-5°C`` -> 零下五摄氏度) and ranges
   (``3-5天`` -> 三到五天);
7. signs, ordinals (第2 -> 第二), and all remaining integers/decimals.  A lone
   2 before a measure word is 两 (两个, 两点), otherwise 二; in bigger numbers
   2 before 千/万/亿 and a leading 2 before 百 are 两 (两千, 一万两千, 两百).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol, TypeVar, overload

from tts.frontend.alignment import Aligned
from tts.frontend.alignment import sub as aligned_sub
from tts.frontend.numbers import (
    LIANG_CLASSIFIERS,
    read_cardinal,
    read_digits,
    read_number,
)
from tts.frontend.segmenter import dictionary_tag, leading_word
from tts.frontend.units import CURRENCY_PREFIXES, SYMBOL_WORDS, TEMPERATURE_UNITS, UNITS

Text = str | Aligned  # what the rules rewrite: a plain string, or one that keeps its source offsets
T = TypeVar("T", str, Aligned)  # a rule gives back the kind of text it was given


class _Rule(Protocol):
    """One rewrite rule: a plain string in, a plain string out; an Aligned text in, one out."""

    @overload
    def __call__(self, text: str) -> str: ...

    @overload
    def __call__(self, text: Aligned) -> Aligned: ...

_NUM = r"[0-9]+(?:\.[0-9]+)?"
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_CUR_ALT = "|".join(re.escape(c) for c in sorted(CURRENCY_PREFIXES, key=len, reverse=True))
_RANGE_SEP = r"[-~～—–至到]"

# Words before a number that make it a code read digit by digit.
_CODE_KEYWORDS = (
    "端口号|端口|错误码|错误代码|状态码|返回码|电话号码|手机号码|电话|手机|号码|拨打|致电|热线|传真|尾号|编号|工号|学号|账号|帐号|卡号|"
    "单号|订单号|邮编|房间号|房间|房号|宿舍|寝室|车牌|车次|航班|代码|密码|验证码|分机|QQ|qq|微信|"
    "邮政编码|运单号|座位号|座号|身份证号|身份证|证件号|会员号|序列号|流水号|取件码|取餐号|门牌号|发票号|"
    "准考证号|考号|航班号|股票代码|客服电话|热线电话|ID|id|编码|条码|条形码|货号|批号|批次号|案号|工单号|"
    "票号|桌号|柜号|车架号|识别码|激活码|邀请码|口令"
)
# Short numbers that are phone numbers when dialed/called.
_EMERGENCY = r"110|119|120|122|114|999|911|112"
_SERVICE = r"10086|10010|12306|12315|12345|12110|12121|12358|95588|95533|95555|95566|95599|95559|96110"

# A following measure word/unit means the number is an amount, not a code.
_AMOUNT_AFTER = re.compile(
    r"\s*(?:[%‰]|\.[0-9]|" + "|".join(w for w in LIANG_CLASSIFIERS if not w.isascii()) + r"|月|日|号|楼|层|度)"
)


def _plain(text: Text) -> str:
    return text.text if isinstance(text, Aligned) else text


def _sub(pattern: str, fn: Callable[[re.Match[str]], str], text: T, flags: int = 0) -> T:
    """Every rewrite goes through here: on a plain str it is re.sub; on an Aligned text it also
    keeps, for each character, where in the input it came from (timestamps need that)."""
    if isinstance(text, Aligned):
        return aligned_sub(pattern, fn, text, flags)
    return re.sub(pattern, fn, text, flags=flags)


def _after(m: re.Match[str], n: int = 6) -> str:
    return m.string[m.end(): m.end() + n]


def _before(m: re.Match[str], n: int = 6) -> str:
    return m.string[max(0, m.start() - n): m.start()]


# ---------------------------------------------------------------- rule 0: superscripts, .5

_SUPER_DIGITS = {sup: str(d) for d, sup in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}
_SUPER_RUN = "[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+"


def _power(run: str) -> str:
    """``²`` -> 的平方, ``³`` -> 的立方, ``⁻³`` -> 的负三次方."""
    sign = "负" if run.startswith("⁻") else ""
    digits = "".join(_SUPER_DIGITS[c] for c in run if c in _SUPER_DIGITS)
    if not sign and digits in ("2", "3"):
        return "的平方" if digits == "2" else "的立方"
    return "的" + sign + read_cardinal(digits, liang=False) + "次方"


def _superscripts(text: T) -> T:
    """Squared and cubed units become the units table's ``m2``/``km3``; any other superscript
    after a number, a letter or a bracket is a power (``10³`` -> 10的立方, ``x²`` -> x的平方).

    :func:`tts.frontend.alignment.nfkc` keeps superscripts for this rule; a stray one is read
    as its digit.
    """
    if not any(c in _SUPER_CHARS for c in _plain(text)):
        return text
    # A squared/cubed length unit after a quantity (120m², 3.5万km², 元/m²).
    text = _sub(
        r"(?<=[0-9万亿/\s])(km|cm|mm|dm|m)([²³])",
        lambda m: m.group(1) + _SUPER_DIGITS[m.group(2)],
        text,
    )
    # ... and a Chinese length unit squared or cubed (45米², 元/米², 3厘米³): 平方米, 立方厘米.
    text = _sub(
        r"(?<=[0-9万亿/每\s])(千米|公里|厘米|毫米|分米|米)([²³])",
        lambda m: ("平方" if m.group(2) == "²" else "立方") + m.group(1),
        text,
    )
    text = _sub(rf"(?<=[0-9A-Za-z)）\]])\s*{_SUPER_RUN}", lambda m: _power(m.group(0).strip()), text)
    return _sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]", lambda m: _SUPER_DIGITS.get(m.group(0), ""), text)


def _leading_dot(text: T) -> T:
    """A decimal written without its leading zero (``.5``, ``-.25``) gets it back: 零点五."""
    if "." not in text:
        return text
    return _sub(r"(?<![0-9A-Za-z.)\]）])\.(?=[0-9])", lambda m: "0.", text)


# ---------------------------------------------------------------- rule 1-2


def _strip_thousands(text: T) -> T:
    return _sub(r"(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]|,[0-9])", lambda m: m.group(0).replace(",", ""), text)


def _room_before_word(m: re.Match[str]) -> str:
    """Digits before a word that names a room (会议室, 教室, 实验室) are its number, read one by one."""
    word = leading_word(m.string[m.end(): m.end() + 4])
    if len(word) >= 2 and word.endswith("室"):
        return read_digits(m.group(0), yao=True)
    return m.group(0)


# What names a 4xx/5xx number an HTTP status: an error word or the status's English name after
# it, or a verb of responding before it with nothing after it in its clause.
_HTTP_AFTER = re.compile(r"\s*(?:错误|报错|状态码|页面|异常|[Ee]rror)|\s+[A-Z][a-z]")
_HTTP_BEFORE = re.compile(r"(?:返回|报|提示|响应|出现|状态码)了?[为是:：\s]*$")


def _http_status(m: re.Match[str]) -> str:
    """An HTTP status code (``404错误``, ``返回429。``) digit by digit; an amount (返回400元) stays."""
    if _AMOUNT_AFTER.match(m.string, m.end()):
        return m.group(0)
    after = _HTTP_AFTER.match(m.string, m.end())
    if after or (_HTTP_BEFORE.search(_before(m, 6)) and _CLAUSE_END.match(m.string, m.end())):
        return read_digits(m.group(0))
    return m.group(0)


def _codes(text: T) -> T:
    def digits_yao(m: re.Match[str]) -> str:
        return read_digits(m.group(0), yao=True)

    # +86 country code.
    text = _sub(r"\+\s?86[-\s]?(?=1[3-9][0-9])", lambda m: "加八六", text)
    # Mobile numbers, optionally grouped 3-4-4.
    text = _sub(r"(?<![0-9])1[3-9][0-9][-\s]?[0-9]{4}[-\s]?[0-9]{4}(?![0-9])", digits_yao, text)
    # Landlines with area code, 400/800 numbers.
    text = _sub(r"(?<![0-9])(?:\(0[0-9]{2,3}\)\s?|0[0-9]{2,3}[-\s])[0-9]{7,8}(?![0-9])", digits_yao, text)
    text = _sub(r"(?<![0-9])[48]00[-\s]?[0-9]{3}[-\s]?[0-9]{4}(?![0-9])", digits_yao, text)

    # Service numbers (10086 …), unless used as an amount.
    def service(m: re.Match[str]) -> str:
        if _AMOUNT_AFTER.match(m.string, m.end()):
            return m.group(0)
        return read_digits(m.group(0), yao=True)

    text = _sub(rf"(?<![0-9.])(?:{_SERVICE})(?![0-9.])", service, text)

    # Emergency numbers only when dialled/called.
    def emergency(m: re.Match[str]) -> str:
        before, after = _before(m, 4), _after(m, 4)
        if _AMOUNT_AFTER.match(m.string, m.end()):
            return m.group(0)
        if re.search(r"拨打|打|拨|报警|呼叫|急救|求助|致电|电话|call", before) or re.match(
            r"报警|急救|电话|热线|求助|指挥|查号|火警|救护", after
        ):
            return read_digits(m.group(0), yao=True)
        return m.group(0)

    text = _sub(rf"(?<![0-9.])(?:{_EMERGENCY})(?![0-9.])", emergency, text)

    # Numbers right after a keyword such as 电话/房间/编号.
    def keyword(m: re.Match[str]) -> str:
        if _AMOUNT_AFTER.match(m.string, m.end()) and not m.group("num").startswith("0"):
            return m.group(0)
        if m.group("kw").isascii() and m.start() and m.string[m.start() - 1].isascii() and m.string[m.start() - 1].isalpha():
            return m.group(0)  # the end of a longer Latin word (Android 14), not the keyword ID
        return m.group("kw") + m.group("mid") + read_digits(m.group("num"), yao=True)

    text = _sub(
        rf"(?P<kw>{_CODE_KEYWORDS})(?P<mid>[\s:：是为号码的]{{0,4}})(?P<num>[0-9](?:[0-9]|[-\s](?=[0-9]))*)",
        keyword,
        text,
    )
    # HTTP status codes (404错误, 返回502, 403 Forbidden), read digit by digit as developers say them.
    text = _sub(r"(?<![0-9.])[45][0-9]{2}(?![0-9.])", _http_status, text)
    # Room numbers: 301室, 1208房间.
    text = _sub(r"(?<![0-9.])[0-9]{3,4}(?=室|房间|号房|房(?!子|价|租|贷|产))", digits_yao, text)
    # ... and before a room named by a word ending in 室 (302会议室, 405教室), but not a count
    # before one (120人教室: the first word after the digits is 人).
    text = _sub(r"(?<![0-9.])[0-9]{3,4}(?=[\u4e00-\u9fff]{1,3}室)", _room_before_word, text)
    # Digits right after letters (A380, CR400): digit by digit when 3 or more.
    text = _sub(r"(?<=[A-Za-z])[0-9]{3,}(?![0-9.])", lambda m: read_digits(m.group(0)), text)
    return text


# ---------------------------------------------------------------- rule 3: dates


# Words after a four-digit year that make it a name, not an amount: 2024款 (a model year),
# 2022届 (a graduating class), 2008奥运会.
_YEAR_NAMES = "款|届|赛季|财年|学年|年度|春晚|奥运|冬奥|世界杯|亚运|世博"


def _year_span(m: re.Match[str]) -> str:
    """A year before 年, or a span of two (groups: first year, its 年, the dash, the second year)."""
    last = read_digits(m.group(4))
    if not m.group(1):
        return last
    dash = m.group(3) if m.group(3) in "至到" else "到"
    return read_digits(m.group(1)) + (m.group(2) or "") + dash + last


def _valid_md(month: str, day: str | None = None) -> bool:
    if not 1 <= int(month) <= 12:
        return False
    return day is None or 1 <= int(day) <= 31


def _dates(text: T) -> T:
    def ymd(m: re.Match[str]) -> str:
        y, mo, d = m.group(1), m.group(3), m.group(4)
        if not _valid_md(mo, d):
            return m.group(0)
        return f"{read_digits(y)}年{read_cardinal(mo, liang=False)}月{read_cardinal(d, liang=False)}日"

    text = _sub(r"(?<![0-9.])([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})(?![0-9]|\.[0-9])", ymd, text)
    # Year-month without day: 2024-11, 2024/11.
    text = _sub(
        r"(?<![0-9.])((?:1[0-9]|20)[0-9]{2})[-/.](0?[1-9]|1[0-2])(?![0-9]|\.[0-9])(?!\s*[-~～至到])",
        lambda m: f"{read_digits(m.group(1))}年{read_cardinal(m.group(2), liang=False)}月",
        text,
    )
    # Years: 2024年 (and 98年 when a month follows); a span of years reads both ends and the dash
    # as 到 (2025-2027年, 2025年-2027年 -> 二零二五到二零二七年): once the second year is read
    # here, the range rule would no longer see the dash and "2025-" would be read as a number.
    text = _sub(
        r"(?<![0-9.])(?:((?:1[5-9]|20)[0-9]{2})(\s*年)?\s*([-~～—–至到])\s*)?([0-9]{4})(?=\s*年(?!级|纪|龄))",
        _year_span,
        text,
    )
    text = _sub(r"(?<![0-9.])([0-9]{2})(?=年[0-9]{1,2}月)", lambda m: read_digits(m.group(1)), text)
    # Any year of an era (公元前221年) and a year that names an event or a model (2024款, 2022届).
    text = _sub(r"(?<=公元)(前?\s*)([0-9]{1,4})(?=\s*年)", lambda m: m.group(1) + read_digits(m.group(2)), text)
    # ... also both ends of a span of them (2024-2025赛季 -> 二零二四到二零二五赛季), which the range
    # rule would otherwise never see once the second year is read.
    text = _sub(
        rf"(?<![0-9.])(?:((?:19|20)[0-9]{{2}})\s*([-~～—–至到])\s*)?((?:19|20)[0-9]{{2}})(?=\s*(?:{_YEAR_NAMES}))",
        lambda m: (read_digits(m.group(1)) + (m.group(2) if m.group(2) in "至到" else "到") if m.group(1) else "")
        + read_digits(m.group(3)),
        text,
    )

    def month_day(m: re.Match[str]) -> str:
        mo, d = m.group(1), m.group(2)
        if not _valid_md(mo, d):
            return m.group(0)
        return f"{read_cardinal(mo, liang=False)}月{read_cardinal(d, liang=False)}{m.group(3)}"

    text = _sub(r"(?<![0-9.])([0-9]{1,2})月([0-9]{1,2})(日|号)", month_day, text)
    # Month and day ranges: 1-10月 -> 一到十月, 5-7日 -> 五到七日.
    text = _sub(
        r"(?<![0-9.])([0-9]{1,2})\s*[-~～—–至到]\s*([0-9]{1,2})(?=[月日号])",
        lambda m: read_cardinal(m.group(1), liang=False) + "到" + read_cardinal(m.group(2), liang=False),
        text,
    )
    text = _sub(
        r"(?<![0-9.])([0-9]{1,2})(?=月)",
        lambda m: read_cardinal(m.group(1), liang=False) if _valid_md(m.group(1)) else m.group(0),
        text,
    )
    text = _sub(r"(?<![0-9.])([0-9]{1,2})(?=[日号])", lambda m: read_cardinal(m.group(1), liang=False), text)
    return text


# ---------------------------------------------------------------- rule 4: times and scores

# Verbs that bring a match to a score (战至21-19, 追成3:3): what follows them is a score, never a
# clock time or a range.  Shared by the colon rule and the dash rule.
_SCORE_VERBS = "战至|战到|追至|追到|追成|扳成|扳至|扳平至"
_SCORE_BEFORE = re.compile(
    rf"(比分[^，。；！？,;!?]{{0,8}}|比赛|以|战绩|成绩|战成|打成|踢成|战平|总比分|{_SCORE_VERBS})\s*$"
)
_SCORE_AFTER = re.compile(
    r"\s*(战胜|击败|获胜|胜|负|落败|输|赢|大胜|险胜|力克|逆转|绝杀|的比分|的成绩|领先|落后|告负|取胜)"
)


# A ratio written like a clock time (按1:10的比例缩股, 配比为1:2, 1:5兑换): read 一比十, not 一点十分.
_RATIO_BEFORE = re.compile(r"(按|按照|比例为|比例是|比例|配比为|配比|之比为|之比是)\s*$")
_RATIO_AFTER = re.compile(r"\s*(的?比例|的?比率|的?配比|的?比值|兑换|换股|拆股|缩股)")


def _hour(h: str) -> str:
    return "两" if int(h) == 2 else read_cardinal(h, liang=False)


def _minsec(v: str, unit: str) -> str:
    n = int(v)
    if n == 0:
        return "零" + unit
    if len(v) == 2 and v.startswith("0"):
        return "零" + read_cardinal(v[1], liang=False) + unit
    return read_cardinal(v, liang=False) + unit


# Before an h:mm:ss, words that make it a duration (a race time), not a clock time.
_DURATION_BEFORE = re.compile(r"(?:跑出|游出|骑出|用时|耗时|历时|成绩|以|完赛|跑进|时间为|纪录)了?[为是:：\s]*$")
_DURATION_AFTER = re.compile(r"\s*(?:的成绩|的个人|完赛|夺冠|冲线|撞线|获得|打破|刷新|的赛会|的世界|的全国)")


def _race_times(text: T) -> T:
    """A time with a decimal after its seconds is minutes:seconds (1:29.708 -> 一分二十九秒七零八,
    a lap or race time, never a clock time or a ratio); an h:mm:ss named a race time by what
    stands around it (跑出1:59:40, 以2:05:42的成绩) is hours, minutes and seconds."""
    if ":" not in _plain(text):
        return text

    def lap(m: re.Match[str]) -> str:
        return _minsec(m.group(1), "分").lstrip("零") + _minsec(m.group(2), "秒") + read_digits(m.group(3))

    text = _sub(r"(?<![0-9:.])([1-9][0-9]?):([0-5][0-9])\.([0-9]{1,3})(?![0-9:.])", lap, text)

    def duration(m: re.Match[str]) -> str:
        if not (_DURATION_BEFORE.search(_before(m, 6)) or _DURATION_AFTER.match(m.string, m.end())):
            return m.group(0)
        return _hour(m.group(1)) + "小时" + _minsec(m.group(2), "分") + _minsec(m.group(3), "秒")

    return _sub(r"(?<![0-9:.])([0-9]):([0-5][0-9]):([0-5][0-9])(?![0-9:.])", duration, text)


def _times(text: T) -> T:
    def time(m: re.Match[str]) -> str:
        h, mi, s = m.group(1), m.group(2), m.group(3)
        if _SCORE_BEFORE.search(_before(m, 12)) or _SCORE_AFTER.match(m.string, m.end()):
            return m.group(0)
        if _RATIO_BEFORE.search(_before(m, 6)) or _RATIO_AFTER.match(m.string, m.end()):
            return m.group(0)  # left to the ratio rule below
        if int(h) > 24 or int(mi) > 59 or (s is not None and int(s) > 59):
            return m.group(0)
        out = _hour(h) + "点"
        if s is not None:
            out += _minsec(mi, "分") + _minsec(s, "秒")
        elif int(mi) != 0:
            out += _minsec(mi, "分")
        return out

    text = _sub(r"(?<![0-9:.])([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?(?![0-9:]|\.[0-9])", time, text)
    # Everything else with a colon between numbers is a ratio or score.
    text = _sub(
        r"(?<![0-9:.])([0-9]+):([0-9]+)(?![0-9:]|\.[0-9])",
        lambda m: read_cardinal(m.group(1), liang=False) + "比" + read_cardinal(m.group(2), liang=False),
        text,
    )
    return text


# ---------------------------------------------------------------- rule 5: arithmetic, %, money, fractions


def _signed(sign: str | None, body: str, temperature: bool = False) -> str:
    if sign in ("-", "−"):
        return ("零下" if temperature else "负") + body
    if sign == "+":
        return "正" + body
    if sign == "±":
        return "正负" + body
    return body


def _arithmetic(text: T) -> T:
    # "Times" in an equation (3×4=12) is 乘以; × outside one (4×100米接力, 60cm×90cm, 7×24小时)
    # is said 乘.  A * between numbers is always arithmetic.
    text = _sub(
        r"(?<=[0-9A-Za-z²³)）])\s*×\s*(?=[0-9])",
        lambda m: "乘以" if re.match(r"[^，。；！？,;!?]*[=＝]", m.string[m.end():]) else "乘",
        text,
    )
    text = _sub(r"(?<=[0-9])\s*\*\s*(?=[0-9])", lambda m: "乘以", text)
    text = _sub(r"(?<=[0-9])\s*÷\s*(?=[0-9])", lambda m: "除以", text)
    text = _sub(r"(?<=[0-9])\s*\+\s*(?=[0-9])", lambda m: "加", text)
    text = _sub(r"(?<=[0-9])\s*-\s*(?=[0-9.]+\s*=)", lambda m: "减", text)
    text = _sub(r"\s*=\s*", lambda m: "等于", text)
    return text


def _percent(text: T) -> T:
    def rng(m: re.Match[str]) -> str:
        a = _signed(m.group("s1"), "百分之" + read_number(m.group("a"), ordinal=True))
        b = _signed(m.group("s2"), "百分之" + read_number(m.group("b"), ordinal=True))
        if m.group("p") == "‰":
            a, b = a.replace("百分", "千分"), b.replace("百分", "千分")
        return f"{a}到{b}"

    text = _sub(
        rf"(?:(?<![0-9A-Za-z.])(?P<s1>[-+±]))?(?<![0-9.])(?P<a>{_NUM})\s*[%‰]?\s*{_RANGE_SEP}\s*(?P<s2>[-+])?(?P<b>{_NUM})\s*(?P<p>[%‰])",
        rng,
        text,
    )

    def one(m: re.Match[str]) -> str:
        word = "百分之" if m.group("p") == "%" else "千分之"
        return _signed(m.group("s"), word + read_number(m.group("a"), ordinal=True))

    return _sub(rf"(?:(?<![0-9A-Za-z.])(?P<s>[-+±]))?(?<![0-9.])(?P<a>{_NUM})\s*(?P<p>[%‰])", one, text)


def _money(text: T) -> T:
    def money(m: re.Match[str]) -> str:
        name = CURRENCY_PREFIXES[m.group("cur")]
        mag = m.group("mag") or ""
        following = mag or name
        out = _signed(m.group("s"), read_number(m.group("a"), following=following))
        if m.group("b"):
            out += "到" + read_number(m.group("b"), following=following)
        return out + mag + name

    return _sub(
        rf"(?:(?<![0-9A-Za-z.])(?P<s>-))?(?P<cur>{_CUR_ALT})\s*(?P<a>{_NUM})"
        rf"(?:\s*{_RANGE_SEP}\s*(?:{_CUR_ALT})?\s*(?P<b>{_NUM}))?(?P<mag>[万亿]+|千万|百万)?",
        money,
        text,
    )


def _fractions(text: T) -> T:
    def frac(m: re.Match[str]) -> str:
        num, den = m.group(1), m.group(2)
        if int(den) == 0:
            return m.group(0)
        return read_cardinal(den, liang=False) + "分之" + read_cardinal(num, liang=False)

    return _sub(r"(?<![0-9/.])([0-9]+)\s*/\s*([0-9]+)(?![0-9/]|\.[0-9])", frac, text)


def _dotted(text: T) -> T:
    """Versions and addresses with two or more dots: 1.2.3, 192.168.1.1."""

    def group(g: str) -> str:
        if len(g) <= 2 and not (len(g) == 2 and g.startswith("0")):
            return read_cardinal(g, liang=False)
        return read_digits(g)

    return _sub(
        r"(?<![0-9.])[0-9]+(?:\.[0-9]+){2,}(?![0-9])",
        lambda m: "点".join(group(g) for g in m.group(0).split(".")),
        text,
    )


# ---------------------------------------------------------------- rule 6: units and ranges


def _units(text: T) -> T:
    # A whole number after a Latin word and a space is the word's own (a version or a model, iOS
    # 18, Mate 60), not a quantity; a decimal there is a quantity (称取NaCl 5.85g).
    def unit(m: re.Match[str]) -> str:
        sym = m.group("u")
        word = UNITS[sym]
        temp = sym in TEMPERATURE_UNITS
        if temp and re.search(r"[华摄]氏\s*[-+]?$", _before(m, 4)):
            word = "度"  # 华氏77℉: the scale is already named
        mag = m.group("mag") or ""
        following = mag or word
        out = _signed(m.group("s1"), read_number(m.group("a"), following=following), temperature=temp)
        if m.group("b"):
            out += "到" + _signed(m.group("s2"), read_number(m.group("b"), following=following), temperature=temp)
        return out + mag + word

    # Per hundred kilometres, as car specs say it: 5.8L/100km, 15kWh/100km -> 每百公里.
    text = _sub(r"(?<=[A-Za-z\u4e00-\u9fff])/100\s*(?:km|公里)(?![A-Za-z0-9])", lambda m: "每百公里", text)
    text = _sub(
        rf"(?:(?<![A-Za-z]\s)|(?=[0-9]+\.[0-9]))(?<![A-Za-z])(?:(?<![0-9A-Za-z.])(?P<s1>[-+±]))?(?<![0-9.])(?P<a>{_NUM})"
        rf"(?:\s*{_RANGE_SEP}\s*(?P<s2>-)?(?P<b>{_NUM}))?(?P<mag>万|亿|千万|百万)?\s*(?P<u>{_UNIT_ALT})(?![A-Za-z0-9])",
        unit,
        text,
    )
    # A unit after a power of ten is that quantity's unit: 3×10⁸m/s -> 三乘十的八次方米每秒.
    text = _sub(rf"(?<=次方)(?P<u>{_UNIT_ALT})(?![A-Za-z0-9])", lambda m: UNITS[m.group("u")], text)
    # Units after "/" mean "per": 5元/kg -> 五元每千克; so after a data size left in Latin letters
    # (7000MB/s, 1TB/s, 100Mb/s -> MB每秒), which the units table does not read.
    text = _sub(
        rf"(?:(?<=[\u4e00-\u9fff])|(?<=[0-9\s][KMGTP][Bb])|(?<=[0-9\s][KMGTP]iB))/(?P<u>{_UNIT_ALT})(?![A-Za-z0-9])",
        lambda m: "每" + UNITS[m.group("u")],
        text,
    )
    text = _sub(r"(?<=[\u4e00-\u9fff])/(?=[\u4e00-\u9fff])", lambda m: "每", text)
    return text


def _is_year(v: str) -> bool:
    return len(v) == 4 and "." not in v and 1000 <= int(v) <= 2999


def _ranges(text: T) -> T:
    def rng(m: re.Match[str]) -> str:
        a, b = m.group("a"), m.group("b")
        after = m.string[m.end(): m.end() + 3]
        if _is_year(a) and _is_year(b) and re.match(r"(\s|$|年|赛季|学年|财年|年度|[，。,.;；、)）])", after or " "):
            return read_digits(a) + "到" + read_digits(b)
        return (
            _signed(m.group("s1"), read_number(a, following=after))
            + "到"
            + _signed(m.group("s2"), read_number(b, following=after))
        )

    return _sub(
        rf"(?:(?<![0-9A-Za-z.])(?P<s1>-))?(?<![0-9.])(?P<a>{_NUM})\s*[-~～—–]\s*(?P<s2>-)?(?P<b>{_NUM})(?![0-9]|\.[0-9])",
        rng,
        text,
    )


# ---------------------------------------------------------------- rule 7: remaining numbers


def _remaining(text: T) -> T:
    text = _sub(r"第\s*([0-9]+)", lambda m: "第" + read_number(m.group(1), ordinal=True), text)

    def num(m: re.Match[str]) -> str:
        # Digits glued to letters are part of a name or formula (CO2, MP3), never 两 of an amount.
        glued = m.start() > 0 and m.string[m.start() - 1].isascii() and m.string[m.start() - 1].isalpha()
        body = read_number(m.group("a"), following=m.string[m.end(): m.end() + 4], ordinal=glued)
        return _signed(m.group("s"), body)

    return _sub(r"(?:(?<![0-9A-Za-z.)\]])(?P<s>[-+±]))?(?P<a>[0-9]+(?:\.[0-9]+)?)", num, text)


# 折 after a number is a discount unless it starts a word of its own (折合 converts, 折算, 折旧 …).
_DISCOUNT = r"(?<![0-9.])[1-9][1-9](?=\s*折(?![合算旧叠射腾返线中服扣价]))"


def _discounts(text: T) -> T:
    """A two-digit discount is said digit by digit: 85折 -> 八五折 (85% of the price), never
    八十五折; one digit (8折) and decimals (8.5折) are left to the number rules."""
    if "折" not in text:
        return text
    return _sub(_DISCOUNT, lambda m: read_digits(m.group(0)), text)


def _before_action(s: str, end: int) -> bool:
    """Whether the word after an arrow ending at ``end`` is a verb or an adverb (jieba's tags)."""
    tag = dictionary_tag(leading_word(s[end: end + 6].lstrip()))
    return tag is not None and tag[0] in "vd"


def _arrows(text: T) -> T:
    """Arrows that chain steps of a procedure (离心10min→弃上清→加入, 调到50%→再调回来) are not read
    but mark a pause (a comma): so are all arrows of a clause when one of them comes before a verb
    or an adverb (设置→通用→关于本机, a menu path).  Elsewhere (北京→上海, 5→10) the symbol table
    reads an arrow 到."""
    if "→" not in text:
        return text

    chained: dict[int, bool] = {}  # clause start -> its arrows chain steps (decided once per clause)

    def arrow(m: re.Match[str]) -> str:
        s = m.string
        start = max(s.rfind(p, 0, m.start()) for p in "，。；！？,;!?\n") + 1
        if start not in chained:
            ends = [i for i in (s.find(p, m.end()) for p in "，。；！？,;!?\n") if i >= 0]
            clause_end = min(ends) if ends else len(s)
            arrows = (i for i in range(start, clause_end) if s[i] == "→")
            chained[start] = any(_before_action(s, i + 1) for i in arrows)
        return "，" if chained[start] else m.group(0)

    return _sub(r"\s*→\s*(?=[\u4e00-\u9fff])", arrow, text)


_SYMBOL_ALT = "|".join(re.escape(sym) for sym in sorted(SYMBOL_WORDS, key=len, reverse=True))


def _symbols(text: T) -> T:
    return _sub(_SYMBOL_ALT, lambda m: SYMBOL_WORDS[m.group(0)], text)


def _word_ranges(text: T) -> T:
    """A tilde left between two words after numbers were read is a range: 周一~周五 -> 周一到周五."""
    if "~" not in text and "～" not in text:
        return text
    return _sub(r"(?<=[\u4e00-\u9fff0-9A-Za-z])\s*[~～]\s*(?=[\u4e00-\u9fff0-9A-Za-z])", lambda m: "到", text)


def _letter_words(text: T) -> T:
    # Bounded by non-letters, not \b: a Han character is a word character to \b, so "的Wi-Fi"
    # would never match and the hyphenated halves would be spelled.
    return _sub(r"(?<![A-Za-z])[Ww]i-?[Ff]i(?![A-Za-z])", lambda m: "wifi", text)


# ---------------------------------------------------------------- issue 16: codes, prices, keypad

_KEYPAD = {"*": "星号", "#": "井号"}


def _keypad(text: T) -> T:
    """Keypad symbols: ``*100#`` -> 星号幺零零井号, ``#号键``/``#键`` -> 井号键, ``按*`` -> 按星号.

    A ``*`` between two numbers is left to the arithmetic rule (3*5 -> 三乘以五).  The ``*`` of a
    delisting-risk stock name (*ST康美) is read 星 as brokers and newsreaders say it.
    """

    if "*" not in text and "#" not in text:
        return text
    text = _sub(r"\*(?=ST)", lambda m: "星", text)

    def code(m: re.Match[str]) -> str:
        return "".join(_KEYPAD.get(ch) or read_digits(ch, yao=True) for ch in m.group(0))

    text = _sub(r"(?<![0-9A-Za-z])[*#](?=[0-9*#]*[0-9])[0-9*#]+", code, text)
    text = _sub(r"[*#](?=\s*号键)", lambda m: _KEYPAD[m.group(0)][0], text)
    text = _sub(r"[*#](?=\s*键)", lambda m: _KEYPAD[m.group(0)], text)
    return _sub(r"(?<=按)\s*[*#](?![0-9])", lambda m: _KEYPAD[m.group(0).strip()], text)


# Train and flight numbers (G1234次, CA1831航班) are read digit by digit with 幺.
_TRAVEL_BEFORE = re.compile(r"(乘坐|搭乘|乘|坐|航班号?|车次号?|列车|高铁|动车|班机|航空)\s*[A-Z]{0,2}$")
_TRAVEL_AFTER = re.compile(r"\s*(次|航班|号航班|列车|班次|趟)")
_CAPITAL = re.compile("[A-Z]")
# Chinese licence plates: province character, a letter, then five or six letters and digits.
_PLATE = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"


def _vehicle_codes(text: T) -> T:
    if not _CAPITAL.search(_plain(text)):
        return text

    def travel(m: re.Match[str]) -> str:
        if _TRAVEL_AFTER.match(m.string, m.end()) or _TRAVEL_BEFORE.search(_before(m, 8)):
            return read_digits(m.group(0), yao=True)
        return m.group(0)

    text = _sub(r"(?<=[A-Z])[0-9]{3,5}(?![0-9.])", travel, text)
    return _sub(
        rf"(?<=[{_PLATE}][A-Z])[A-Z0-9]{{4,6}}(?![A-Za-z0-9])",
        lambda m: _sub(r"[0-9]+", lambda d: read_digits(d.group(0), yao=True), m.group(0)),
        text,
    )


# Prices in yuan are read as a cashier says them (12.35元 -> 十二元三角五分), except in
# market and statistics reports, which read the decimal (收于12.35元 -> 十二点三五元).
_DECIMAL_PRICE_BEFORE = re.compile(
    r"(股|收于|收报|报收|开盘|收盘|净值|汇率|涨|跌|上调|下调|降低|提高|报|人均|平均|均价|同比|环比|指数)"
    r"[^，。；,;]{0,6}$"
)


def _yuan_jiao_fen(whole: str, frac: str, unit: str, mao: bool = False) -> str:
    """``12``, ``35``, ``元`` -> 十二元三角五分; with ``块``: 十二块三毛五 (3.5块 -> 三块五,
    三块五毛 with ``mao``, as before 钱)."""
    frac = (frac + "0")[:2]
    jiao, fen = int(frac[0]), int(frac[1])
    whole = whole.lstrip("0")
    out = read_number(whole, following=unit) + unit if whole else ""
    if unit == "块":
        if jiao:
            out += ("两" if jiao == 2 else read_cardinal(frac[0], liang=False)) + ("毛" if fen or mao or not out else "")
        if fen:
            out += ("零" if out and not jiao else "") + read_cardinal(frac[1], liang=False) + ("" if jiao else "分")
        return out or "零块"
    if jiao:
        out += read_cardinal(frac[0], liang=False) + "角"
    if fen:
        out += ("零" if out and not jiao else "") + read_cardinal(frac[1], liang=False) + "分"
    return out or "零元"


def _cashier(text: T) -> T:
    if "." not in text:
        return text

    def price(m: re.Match[str]) -> str:
        if _DECIMAL_PRICE_BEFORE.search(_before(m, 10)):
            return m.group(0)
        unit = m.groupdict().get("u") or "元"
        return _yuan_jiao_fen(m.group("a"), m.group("b"), unit, mao=m.string.startswith("钱", m.end()))

    text = _sub(
        r"(?:[¥]|RMB|CNY)\s*(?P<a>[0-9]+)\.(?P<b>[0-9]{1,2})(?![0-9]|\s*(?:[万亿千百]|元|块))",
        price,
        text,
    )
    return _sub(r"(?<![0-9.])(?P<a>[0-9]+)\.(?P<b>[0-9]{1,2})\s*(?P<u>元|块)", price, text)


def _trailing_digits(text: T) -> T:
    """Hundredths after seconds and centimetres after metres: 9秒83 -> 九秒八三, 1米65 -> 一米六五."""
    if "秒" not in text and "米" not in text:
        return text
    return _sub(r"(?<=[0-9][秒米])[0-9]{2}(?![0-9.])", lambda m: read_digits(m.group(0)), text)


# A lone 1 naming a route, floor, unit, carriage, platform or class keeps tone 1 (1路 yi1 lu4,
# never the yi2 of 一路 "all the way"); it is written 壹, which no 一 sandhi rule touches.
_IDENTIFIER_AFTER = r"路|楼|层|栋|幢|单元|车厢|站台|班(?!次|机|车)"


def _identifier_one(text: T) -> T:
    if "1" not in text:
        return text
    return _sub(rf"(?<![0-9.第])1(?![0-9.])(?=\s*(?:{_IDENTIFIER_AFTER}))", lambda m: "壹", text)


def _time_ranges(text: T) -> T:
    """A dash or tilde between two clock times is read 到: 8:30-17:30 -> 八点三十分到十七点三十分."""
    if ":" not in text:
        return text
    return _sub(r"(?<=:[0-9]{2})\s*[-~～—–]\s*(?=[0-9]{1,2}:[0-9]{2}(?![0-9]))", lambda m: "到", text)


def _room_numbers(text: T) -> T:
    """Three or four digits right after a floor or building are a room: 12层1208 -> 十二层幺二零八."""
    if not any(ch in text for ch in "楼层座栋元"):
        return text

    def room(m: re.Match[str]) -> str:
        if _AMOUNT_AFTER.match(m.string, m.end()):
            return m.group(0)
        return read_digits(m.group(0), yao=True)

    return _sub(r"(?:(?<=[楼层座栋])|(?<=单元))[0-9]{3,4}(?![0-9.])", room, text)


_SCORE_DASH_BEFORE = re.compile(rf"(比分|比分为|比分是|以|战成|打成|踢成|战平|{_SCORE_VERBS})\s*$")


_CLAUSE_END = re.compile(r"\s*(?:[，。；！？,;!?、）)]|$)")


def _score_dash(text: T) -> T:
    """A score written with a dash: 比分3-1, 以2-0战胜 -> 三比一, 二比零 (else it is a range)."""
    if not any(ch in text for ch in "-–—"):
        return text

    last_score_end = [-1]

    def score(m: re.Match[str]) -> str:
        # A range runs upwards; a pair that does not (25-20, 7-6, 2-2) with nothing measured after
        # it, closing its clause, can only be a score.
        closing = int(m.group(1)) >= int(m.group(2)) and _CLAUSE_END.match(m.string, m.end())
        # The next set of a list of set scores (6-4、3-6、7-5) is a score as the first one was.
        listed = last_score_end[0] >= 0 and re.fullmatch(r"\s*[、，,]\s*", m.string[last_score_end[0]: m.start()])
        if closing or listed or _SCORE_DASH_BEFORE.search(_before(m, 4)) or _SCORE_AFTER.match(m.string, m.end()):
            last_score_end[0] = m.end()
            return read_cardinal(m.group(1), liang=False) + "比" + read_cardinal(m.group(2), liang=False)
        return m.group(0)

    return _sub(r"(?<![0-9.:第])([0-9]{1,3})\s*[-–—]\s*([0-9]{1,3})(?![0-9.:])", score, text)


# ---------------------------------------------------------------- issue 24 round 3: what names a number
# A digit string is read by what names it: the brackets after a company's name, the exchange
# suffix, the 年底/上半年 after a short year, the ratio colons around it, the product line before it.

# A security code: in brackets right after a name, six digits opening as the mainland exchanges'
# codes do (00/30/60/68: 贵州茅台（600519）) or five from 0 as Hong Kong's (腾讯（00700）), which
# an amount in brackets (销量（12000）) never does; or any five or six digits before an exchange
# suffix (600519.SH, 00700.HK).
_SECURITY_CODE = (
    r"(?:(?<=[\u4e00-\u9fff][（(])(?:(?:00|30|60|68)[0-9]{4}|0[0-9]{4})(?=[)）]))"
    r"|(?:(?<![0-9.])[0-9]{5,6}(?=\.(?:SH|SZ|BJ|HK|sh|sz|bj|hk)(?![A-Za-z])))"
)


def _security_codes(text: T) -> T:
    """Stock and fund codes named by their brackets or exchange suffix are read digit by digit."""
    return _sub(_SECURITY_CODE, lambda m: read_digits(m.group(0), yao=True), text)


# After 年, words that make a two-digit number a year (25年底, 24年上半年, 23年第三季度), where
# a count of years (25年来, 用了25年) never stands.
_SHORT_YEAR_AFTER = r"年(?:底|初|末|上半年|下半年|前三季度|第?[一二三四1-4]季度|[一二三四1-4]季度|[Qq][1-4]|春节|全年)"


def _short_years(text: T) -> T:
    """``25年底`` -> 二五年底, ``2025Q3``/``25Q3`` -> 二零二五Q3, ``95后`` -> 九五后: a year named by
    what follows it (a part of the year, a quarter or half, the generation born then) is read
    digit by digit, as with a month after it."""
    if "年" in text:
        text = _sub(rf"(?<![0-9.])[0-9]{{2}}(?={_SHORT_YEAR_AFTER})", lambda m: read_digits(m.group(0)), text)
    text = _sub(
        r"(?<![0-9.])(?:(?:19|20)[0-9]{2}|[0-9]{2})(?=\s*(?:[Qq][1-4]|H[12])(?![0-9A-Za-z]))",
        lambda m: read_digits(m.group(0)),
        text,
    )
    # A generation is named by the decade or half-decade of birth: 80后, 95后, 00后; never after
    # a clock time or an ordinal (3点15后, 第15后).
    return _sub(r"(?<![0-9.:第点])[0-9][05](?=后(?![面边头]))", lambda m: read_digits(m.group(0)), text)


# Words after a day written as digits that make it the name of that day's event or holiday
# (618大促, 5.1假期, 10.1国庆, 911事件): read as its month and the day's digits (六一八, 五一).
_DAY_NAMES = "假期|长假|小长假|黄金周|国庆|劳动节|妇女节|儿童节|青年节|晚会|大促|购物节|狂欢节|促销|事件|纪念日"


def _day_names(text: T) -> T:
    """A day that names an event: ``3·15`` (a middle dot only ever joins a month and a day),
    ``5.1假期``, ``618大促`` -> 三一五, 五一假期, 六一八大促."""

    def day(m: re.Match[str]) -> str:
        month, d = m.group("m"), m.group("d")
        if not _valid_md(month, d):
            return m.group(0)
        return read_cardinal(month, liang=False) + read_digits(d)

    text = _sub(r"(?<![0-9.·])(?P<m>[0-9]{1,2})·(?P<d>[0-9]{1,2})(?![0-9.·])", day, text)
    return _sub(
        rf"(?<![0-9.第])(?:(?P<m>[0-9]{{1,2}})\.(?P<d>[0-9]{{1,2}})|(?P<m2>[1-9])(?P<d2>[0-3][0-9]))(?=\s*(?:{_DAY_NAMES}))",
        lambda m: day(m) if m.group("m") else (
            read_digits(m.group(0)) if _valid_md(m.group("m2"), m.group("d2")) else m.group(0)
        ),
        text,
    )


def _chained_ratios(text: T) -> T:
    """Three or more numbers joined by colons that are not a clock time are a ratio: 1:2:3 -> 一比二比三."""
    if ":" not in text:
        return text

    def ratio(m: re.Match[str]) -> str:
        parts = m.group(0).split(":")
        if len(parts) == 3 and len(parts[0]) <= 2 and all(len(p) == 2 for p in parts[1:]):
            return m.group(0)  # 10:30:15 is a time; the time rule reads it
        return "比".join(read_cardinal(p, liang=False) for p in parts)

    return _sub(r"(?<![0-9:.])[0-9]+(?::[0-9]+){2,}(?![0-9:]|\.[0-9])", ratio, text)


# A product line written in capitals, a space, then the model's number (RTX 4090, ISO 9001, GTX
# 1080): four or five digits read digit by digit; so is a year after any product name (Office
# 2019, Visual Studio 2022).  A round number (TOP 100, Windows 2000) is an amount, three digits
# are as often an index's value (AQI 150), and two (iPhone 15, Windows 11) are read as a number,
# as speakers do.
_MODEL_NUMBER = (
    r"(?:(?<![A-Za-z])(?<=[A-Z]{2} )[0-9]{4,5}|(?<=[A-Za-z] )(?:19|20)[0-9]{2})(?![0-9.,:%‰/A-Za-z]|\s*[-~～—–至到]\s*[0-9])"
)


# A processor or GPU model after its product line (and tier): four or five digits closed by a
# capital suffix (Ryzen 9 7950X, Ryzen 7 9800X3D, RTX 4090D, Core Ultra 9 285K is three digits and
# left alone).  The suffix makes it a name even when round (7900X); a unit (2000W) is an amount.
_SUFFIXED_MODEL = (
    r"(?:(?<=[A-Za-z] )|(?<=[A-Za-z] [0-9] ))[0-9]{4,5}(?=(?P<suffix>[A-Z](?:[A-Z]{0,2}|[0-9][A-Z]))(?![A-Za-z0-9.]))"
)


def _model_numbers(text: T) -> T:
    if not _CAPITAL.search(_plain(text)):
        return text
    text = _sub(
        _SUFFIXED_MODEL,
        lambda m: m.group(0) if m.group("suffix") in UNITS else read_digits(m.group(0)),
        text,
    )

    def model(m: re.Match[str]) -> str:
        digits = m.group(0)
        if digits.endswith("00") or _AMOUNT_AFTER.match(m.string, m.end()):
            return digits
        return read_digits(digits)

    return _sub(_MODEL_NUMBER, model, text)


_RULES: tuple[_Rule, ...] = (
    _superscripts,
    _leading_dot,
    _letter_words,
    _keypad,
    _strip_thousands,
    _vehicle_codes,
    _codes,
    _security_codes,
    _day_names,
    _dates,
    _short_years,
    _time_ranges,
    _race_times,
    _chained_ratios,
    _times,
    _arithmetic,
    _percent,
    _cashier,
    _money,
    _model_numbers,
    _fractions,
    _dotted,
    _trailing_digits,
    _room_numbers,
    _units,
    _score_dash,
    _ranges,
    _identifier_one,
    _discounts,
    _remaining,
    _word_ranges,
    _arrows,
    _symbols,
)


# What `pinyin --explain` calls the rules of round 3 (issue 24, item 4); every other rule is
# named by its function.
_RULE_NAMES: dict[str, str] = {
    "_security_codes": "security code named by its brackets or exchange suffix",
    "_short_years": "year named by 年底/上半年/季度, a quarter, or a generation (95后)",
    "_day_names": "day that names an event or holiday (618, 5.1, 3·15)",
    "_codes": "code read digit by digit",
    "_chained_ratios": "ratio of three or more numbers",
    "_model_numbers": "model number after a product line in capitals",
    "_score_dash": "score written with a dash",
    "_times": "clock time or score",
    "_room_numbers": "room number after a floor, building or 单元",
}


def rules_reading(text: Aligned, start: int, end: int) -> list[str]:
    """The rules of :func:`normalize_numbers` that rewrote the characters of ``text``'s source
    range [start, end), in the order they ran, each as ``rule normalize.NAME`` with what it
    reads (for ``pinyin --explain``; runs the rules one by one, so only explain pays for it)."""

    def touched(t: Aligned) -> list[tuple[str, int, int]]:
        return [(c, s, e) for c, s, e in zip(t.text, t.starts, t.ends) if s < end and e > start]

    names: list[str] = []
    if not any(ch.isdigit() or ch in _TRIGGERS for ch in text.text):
        return names
    before = touched(text)
    for rule in _RULES:
        text = rule(text)
        after = touched(text)
        if after != before:
            name = getattr(rule, "__name__", "rule")
            said = _RULE_NAMES.get(name)
            names.append(f"rule normalize.{name}" + (f" ({said})" if said else ""))
            before = after
    return names


def normalize_numbers(text: T) -> T:
    """Rewrite digits and readable symbols in ``text`` as Chinese words (see the module docstring).

    Given an :class:`~tts.frontend.alignment.Aligned` text, returns one whose characters keep
    their source ranges.
    """
    if not any(ch.isdigit() or ch in _TRIGGERS for ch in _plain(text)):
        return text
    for rule in _RULES:
        text = rule(text)
    return text


_SUPER_CHARS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_TRIGGERS = frozenset(
    "".join(SYMBOL_WORDS) + "".join(CURRENCY_PREFIXES) + "Wwi" + "".join(_KEYPAD) + "~～" + "".join(_SUPER_CHARS)
)
