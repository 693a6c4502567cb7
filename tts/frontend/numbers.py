"""Reading Arabic numerals as Chinese numerals.

Only string -> string functions live here; deciding *which* reading a number
in running text gets (digit by digit, cardinal, 两 or 二) is done by
:mod:`tts.frontend.normalize`.
"""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"
_SECTION_UNITS = ("", "万", "亿", "万亿")
_PLACE_UNITS = ("", "十", "百", "千")

#: Longest integer read as a cardinal; longer digit runs are read digit by digit.
MAX_CARDINAL_DIGITS = 16

#: Words after a lone "2" that take 两 (measure words and units).
LIANG_CLASSIFIERS: tuple[str, ...] = (
    "个", "位", "名", "人", "只", "头", "条", "本", "件", "张", "把", "辆", "台", "部",
    "架", "艘", "支", "枝", "根", "棵", "朵", "颗", "粒", "块", "片", "面", "匹", "双",
    "对", "副", "套", "群", "批", "种", "类", "样", "项", "份", "篇", "首", "句", "段",
    "封", "幅", "座", "栋", "所", "间", "家", "场", "次", "回", "遍", "趟", "顿", "下",
    "声", "步", "眼", "口", "天", "年", "周", "星期", "礼拜", "小时", "分钟", "秒", "刻",
    "点", "岁", "倍", "成", "元", "角", "毛", "分", "斤", "公斤", "千克", "克", "毫克",
    "吨", "米", "公里", "千米", "厘米", "毫米", "里", "尺", "寸", "升", "毫升", "瓦",
    "千瓦", "毫秒", "毫安", "伏", "赫兹", "纳米", "微米", "平方", "立方", "亩", "公顷",
    "杯", "碗", "盘", "瓶", "盒", "袋", "包", "箱",
    "桶", "壶", "罐", "节", "门", "笔", "滴", "道", "行", "排", "列", "队", "组", "轮",
    "集", "期", "辈", "代", "股", "户", "款", "枚", "剂", "盏", "顶", "扇", "届", "拨",
    "美元", "欧元", "英镑", "日元", "港元", "万", "亿", "千", "百", "G", "M", "K", "T",
)

#: Words after a lone "2" that keep 二 although they start like a classifier.
ER_CONTEXTS: tuple[str, ...] = ("年级", "月", "日", "号", "楼", "层", "班", "路", "等", "度")


def read_digits(digits: str, yao: bool = False) -> str:
    """Read a digit string digit by digit: ``"110"`` -> ``"一一零"`` (``"幺幺零"`` with ``yao``)."""
    out = "".join(DIGITS[int(d)] for d in digits if d.isdigit())
    return out.replace("一", "幺") if yao else out


def _read_section(section: str) -> str:
    """Read 1-4 digits (no leading-zero handling of the whole number) with 千百十."""
    out: list[str] = []
    pending_zero = False
    n = len(section)
    for i, d in enumerate(section):
        place = n - 1 - i
        if d == "0":
            if out:
                pending_zero = True
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[int(d)] + _PLACE_UNITS[place])
    return "".join(out)


def read_cardinal(number: str, liang: bool = True) -> str:
    """Read a non-negative integer string as a Chinese cardinal.

    ``liang`` selects 两 where a newsreader says it: a leading 2 before 百, any
    2 before 千, and a section that is exactly 2 before 万/亿 (两万, 两亿).

    >>> read_cardinal("100010")
    '十万零一十'
    >>> read_cardinal("12000")
    '一万两千'
    """
    number = number.lstrip("0")
    if not number:
        return "零"
    if len(number) > MAX_CARDINAL_DIGITS:
        return read_digits(number)
    sections: list[str] = []
    while number:
        sections.insert(0, number[-4:])
        number = number[:-4]
    out: list[str] = []
    zero_gap = False
    for idx, section in enumerate(sections):
        unit = _SECTION_UNITS[len(sections) - 1 - idx]
        value = int(section)
        if value == 0:
            zero_gap = bool(out)
            continue
        if out and (zero_gap or len(section.lstrip("0")) < 4):
            out.append("零")
        zero_gap = False
        text = _read_section(section.lstrip("0") if not out else section.lstrip("0"))
        if liang:
            stripped = section.lstrip("0")
            if stripped[0] == "2" and len(stripped) == 4:
                text = "两" + text[1:]
            elif stripped[0] == "2" and len(stripped) == 3 and not out:
                text = "两" + text[1:]
            elif value == 2 and unit:
                text = "两"
        out.append(text + unit)
    text = "".join(out)
    # 一十 is said 十 at the very beginning of a number (10 -> 十, 15 -> 十五).
    if text.startswith("一十"):
        text = text[1:]
    return text


def read_decimal(number: str) -> str:
    """Read ``"3.14"`` as ``"三点一四"``; the integer part is a cardinal without 两."""
    if "." not in number:
        return read_cardinal(number, liang=False)
    whole, frac = number.split(".", 1)
    return read_cardinal(whole or "0", liang=False) + "点" + read_digits(frac)


def wants_liang(following: str) -> bool:
    """Whether a lone 2 followed by ``following`` is read 两 (两个, 两点) rather than 二 (二月, 二楼)."""
    following = following.lstrip()
    if any(following.startswith(w) for w in ER_CONTEXTS):
        return False
    return any(following.startswith(w) for w in LIANG_CLASSIFIERS)


def read_number(number: str, following: str = "", ordinal: bool = False) -> str:
    """Read an integer or decimal string in running text.

    ``following`` is the text right after the number and decides 两/二 for a
    lone 2; ``ordinal`` (after 第) always keeps 二.
    """
    if "." in number:
        return read_decimal(number)
    if len(number) > 1 and number.startswith("0"):
        return read_digits(number)
    if len(number) > MAX_CARDINAL_DIGITS:
        return read_digits(number)
    if ordinal:
        return read_cardinal(number, liang=False)
    if number.lstrip("0") == "2":
        return "两" if wants_liang(following) else "二"
    return read_cardinal(number)
