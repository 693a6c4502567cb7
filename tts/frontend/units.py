"""Measurement units and currency symbols, with their Chinese readings."""

from __future__ import annotations

#: Unit symbols written after a number -> Chinese reading.  Matched
#: case-sensitively, longest first, and only when no letter follows.
UNITS: dict[str, str] = {
    "km/h": "公里每小时",
    "m/s": "米每秒",
    "kWh": "千瓦时",
    "kwh": "千瓦时",
    "mAh": "毫安时",
    "km2": "平方公里",
    "km3": "立方公里",
    "dm2": "平方分米",
    "dm3": "立方分米",
    "cm2": "平方厘米",
    "mm2": "平方毫米",
    "m2": "平方米",
    "cm3": "立方厘米",
    "m3": "立方米",
    "kg": "千克",
    "mg": "毫克",
    "g": "克",
    "t": "吨",
    "km": "公里",
    "cm": "厘米",
    "mm": "毫米",
    "nm": "纳米",
    "μm": "微米",
    "μg": "微克",
    "m": "米",
    "mL": "毫升",
    "ml": "毫升",
    "L": "升",
    "kW": "千瓦",
    "kw": "千瓦",
    "W": "瓦",
    "kV": "千伏",
    "V": "伏",
    "mA": "毫安",
    "kΩ": "千欧",
    "MΩ": "兆欧",
    "Ω": "欧",
    "dB": "分贝",
    # Basis points of finance (降息25bp, 上行10bps): the classifier comes with the unit.
    "bps": "个基点",
    "bp": "个基点",
    "kHz": "千赫兹",
    "MHz": "兆赫兹",
    "GHz": "吉赫兹",
    "Hz": "赫兹",
    "min": "分钟",
    "ms": "毫秒",
    "h": "小时",
    "s": "秒",
    "°C": "摄氏度",
    "°F": "华氏度",
    "°": "度",
}

#: Units after which a negative number is read 零下 ("-5℃" -> 零下五摄氏度).
TEMPERATURE_UNITS = frozenset({"°C", "°F"})

#: Currency written before the amount -> Chinese name said after it.
CURRENCY_PREFIXES: dict[str, str] = {
    "HK$": "港元",
    "US$": "美元",
    "RMB": "元",
    "CNY": "元",
    "USD": "美元",
    "¥": "元",
    "$": "美元",
    "€": "欧元",
    "£": "英镑",
    "₩": "韩元",
}

#: Symbols read as words wherever they stand (after numbers were read).
SYMBOL_WORDS: dict[str, str] = {
    "±": "正负",
    "×": "乘以",
    "÷": "除以",
    "=": "等于",
    "≠": "不等于",
    "≈": "约等于",
    "≤": "小于等于",
    "≥": "大于等于",
    "<": "小于",
    ">": "大于",
    "+": "加",
    "&": "和",
    "@": "艾特",
    "%": "百分号",
    "‰": "千分号",
    "°C": "摄氏度",
    "°F": "华氏度",
    "°": "度",
    "℉": "华氏度",
    "→": "到",
    "π": "派",
    "′": "分",
    "″": "秒",
}
