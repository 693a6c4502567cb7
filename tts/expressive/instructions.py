"""Free-text style instructions ("语速很慢，声音低沉温柔", "excited, fast") -> synthesis settings.

A small, transparent rule table, no model. How a text is read:

1. The text (NFKC, lower-cased; only its first `MAX_CHARS` characters) is scanned for the
   phrases of `RULES`, longest phrase first, Chinese as substrings and English as whole words.
   Each rule sets one dimension: speed, pitch, loudness, emotion, voice, pitch range
   (expressiveness), pauses or the sentence-final contour.
2. A degree word just before a phrase (within its clause: up to 4 characters / 3 words) scales
   it: 非常/特别/十分/极其/超级/太, very/really/extremely/super/so/too -> x1.6; 很/挺/蛮,
   quite/pretty/rather/much -> x1.3; 有点/有些/稍微/略/一点, slightly/a bit/a little/somewhat
   -> x0.5. In Chinese a following 一点/一些/点/些 ("慢一点") also means x0.5, 极了/得很 x1.6.
3. A negation just before a phrase (不/不要/别/不用/没有, not/don't/no/never/without) turns
   it into a mild move the other way (x0.4 of the opposite: "不要太快" / "not too fast" reads
   as a little slower), or, for an emotion or a voice, into nothing ("不要生气" does not
   choose an emotion). Two negated opposites of one dimension ("不快不慢") mean neutral.
4. Conflicts: within a dimension the last mention wins ("快一点……还是慢一点吧" -> slower);
   different dimensions combine ("开心又大声" -> happy and louder). Emotion words that also
   carry a degree ("兴奋" excited = happy x1.5) multiply with their degree word; an emotion's
   intensity is capped at 2.
5. Words that match nothing are ignored and listed in `ignored` (at most 20), and `matched`
   lists what was understood; `summary` says both in Chinese and English.

`apply_to_options(parsed, options, explicit)` puts the result onto a request. Precedence:
settings the caller gave explicitly win (the API's own `speed`, `pitch`, `energy`, `voice`,
`emotion`, `emotion_intensity` fields); instructions set only what the caller left at its
default. Pitch range, pauses and the final contour have no field of their own and are always
added (to `options.prosody`).
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from tts.options import LIMITS, MAX_INSTRUCTION_CHARS, SEMITONES_PER_PITCH_UNIT, Prosody, SynthesisOptions

MAX_CHARS = MAX_INSTRUCTION_CHARS  # longer instructions are read up to here
MAX_IGNORED = 20

# Values at degree 1 (a plain "慢"/"slow"); a degree d scales them: multipliers m -> m ** d, offsets x -> x * d.
SLOW, FAST = 0.8, 1.25  # speed multipliers
LOW_ST, HIGH_ST = -2.0, 2.0  # pitch, semitones
LOUD, SOFT, WHISPER = 1.4, 0.7, 0.55  # energy multipliers
WIDE, NARROW = 1.25, 0.75  # pitch range
LONG_PAUSES, SHORT_PAUSES = 1.5, 0.65
RISING, FALLING = 1.0, -0.4  # final contour, model units
NEGATED = 0.4  # a negated phrase moves this much (degree) the other way
MAX_INTENSITY = LIMITS["emotion_intensity"].hi


@dataclass(frozen=True)
class Rule:
    dimension: str  # speed | pitch | energy | range | pauses | final | emotion | voice | intensity
    value: float | str  # multiplier / semitones / units, or the emotion / voice name
    label_zh: str
    label_en: str
    degree: float = 1.0  # built-in degree (兴奋 = happy x1.5, 耳语 = very soft)
    opposite: float | str | None = None  # what a negation moves towards (numeric dimensions)


def _rules() -> dict[str, Rule]:
    table: dict[str, Rule] = {}

    def add(phrases: str, rule: Rule) -> None:
        for phrase in phrases.split("|"):
            table[phrase] = rule

    slow = Rule("speed", SLOW, "语速慢", "slower", opposite=FAST)
    fast = Rule("speed", FAST, "语速快", "faster", opposite=SLOW)
    add("慢|缓慢|慢慢|慢速|放慢|慢悠悠|慢吞吞|不紧不慢|slow|slowly|slower|unhurried|leisurely|slow down|"
        "slow-paced|slow pace", slow)
    add("很慢", dataclasses.replace(slow, degree=1.3))
    add("快|快速|加快|语速快|急促|急切|fast|quick|quickly|faster|quicker|rapid|rapidly|hurried|brisk|"
        "speed up|fast-paced|fast pace", fast)
    add("飞快|极快", dataclasses.replace(fast, degree=1.6))
    add("语速慢", slow)

    low = Rule("pitch", LOW_ST, "音调低", "lower pitch", opposite=HIGH_ST)
    high = Rule("pitch", HIGH_ST, "音调高", "higher pitch", opposite=LOW_ST)
    add("低沉|低音|低一点的音|音调低|声调低|音调低一点|深沉|deep|deeper|low-pitched|low pitch|lower pitch|"
        "lower-pitched|bass", low)
    add("高亢|高音|尖|尖细|音调高|声调高|高一点的音|high-pitched|high pitch|higher pitch|higher-pitched|"
        "squeaky|shrill", high)

    loud = Rule("energy", LOUD, "大声", "louder", opposite=SOFT)
    soft = Rule("energy", SOFT, "小声", "softer", opposite=LOUD)
    add("大声|响亮|洪亮|高声|大嗓门|喊|loud|louder|loudly|shouting|booming|forceful", loud)
    add("小声|轻声|低声|轻轻|轻柔|细声|soft|softer|softly|quiet|quieter|quietly|hushed", soft)
    add("耳语|悄悄|悄悄话|低语|whisper|whispering|whispered|whispery", Rule("energy", WHISPER, "耳语般轻", "whisper-soft",
                                                                         opposite=LOUD))

    add("抑扬顿挫|有感情|富有感情|声情并茂|生动|起伏大|expressive|lively|animated|dynamic|melodic",
        Rule("range", WIDE, "起伏大", "livelier intonation", opposite=NARROW))
    add("单调|平淡|没有感情|没感情|面无表情|机械|平铺直叙|monotone|monotonous|flat|robotic|deadpan",
        Rule("range", NARROW, "起伏小", "flatter intonation", opposite=WIDE))

    add("停顿长|多停顿|停顿多|多一些停顿|一字一顿|一字一句|long pauses|longer pauses|more pauses|pause more|pauses",
        Rule("pauses", LONG_PAUSES, "停顿长", "longer pauses", opposite=SHORT_PAUSES))
    add("少停顿|停顿短|不要停顿|别停顿|连贯|一口气|short pauses|shorter pauses|fewer pauses|no pauses|"
        "without pauses|fluent|flowing", Rule("pauses", SHORT_PAUSES, "停顿短", "shorter pauses", opposite=LONG_PAUSES))

    add("疑问|问句|提问|上扬|上扬的语调|question|questioning|rising|inquisitive",
        Rule("final", RISING, "句尾上扬", "rising sentence ends", opposite=FALLING))
    add("坚定|肯定|果断|斩钉截铁|firm|assertive|decisive|falling",
        Rule("final", FALLING, "句尾下降", "falling sentence ends", opposite=RISING))

    add("开心|高兴|快乐|愉快|欢快|喜悦|愉悦|欢乐|happy|cheerful|joyful|glad|joyous|upbeat",
        Rule("emotion", "happy", "开心", "happy"))
    add("兴奋|激动|热情|excited|exciting|enthusiastic|thrilled|energetic",
        Rule("emotion", "happy", "兴奋", "excited", degree=1.5))
    add("难过|伤心|悲伤|沮丧|忧伤|哀伤|失落|悲痛|sad|sadly|sorrowful|unhappy|melancholy|gloomy|depressed|mournful",
        Rule("emotion", "sad", "难过", "sad"))
    add("生气|愤怒|恼火|气愤|发火|暴躁|angry|angrily|furious|mad|annoyed|irritated|outraged",
        Rule("emotion", "angry", "生气", "angry"))
    add("温柔|柔和|亲切|温和|温暖|体贴|gentle|gently|tender|warm|warmly|soothing|caring",
        Rule("emotion", "gentle", "温柔", "gentle"))
    add("惊讶|吃惊|惊奇|震惊|惊喜|诧异|surprised|amazed|astonished|shocked|astounded",
        Rule("emotion", "surprised", "惊讶", "surprised"))
    add("平静|冷静|平稳|淡定|中性|正常|自然|calm|calmly|neutral|normal|plain|natural|relaxed",
        Rule("emotion", "neutral", "平静", "calm / neutral"))

    add("孩子|小孩|儿童|童声|童音|小朋友|奶声奶气|孩子般|child|childlike|child-like|kid|kids|childish|"
        "little girl|little boy", Rule("voice", "baker-child", "童声（派生）", "child-like (derived)"))
    add("明亮|清亮|清脆|清澈|bright|brighter|crisp", Rule("voice", "baker-bright", "明亮（派生）", "bright (derived)"))
    add("浑厚|厚重|磁性|男声|男生|男人|dark|darker|husky|male|man's voice",
        Rule("voice", "baker-low", "低沉（派生；没有男声）", "low (derived; there is no male voice)"))
    add("标贝|女声|女生|baker|female|woman's voice", Rule("voice", "baker", "标贝", "Baker"))

    add("夸张|强烈|戏剧化|dramatic|dramatically|exaggerated|intense|strongly",
        Rule("intensity", 1.5, "更强烈", "stronger"))
    add("含蓄|克制|微微|淡淡|subtle|subtly|restrained|understated|mild|mildly",
        Rule("intensity", 0.6, "更含蓄", "subtler"))
    return table


RULES: dict[str, Rule] = _rules()

DEGREES: dict[str, float] = {
    "非常": 1.6, "特别": 1.6, "十分": 1.6, "极其": 1.6, "极为": 1.6, "超级": 1.6, "超": 1.6, "太": 1.6, "相当": 1.6,
    "格外": 1.6, "很": 1.3, "挺": 1.3, "蛮": 1.3, "比较": 1.3, "更": 1.3, "更加": 1.3,
    "有点": 0.5, "有点儿": 0.5, "有些": 0.5, "稍微": 0.5, "稍稍": 0.5, "稍": 0.5, "略": 0.5, "略微": 0.5,
    "一点": 0.5, "一些": 0.5, "一点点": 0.5, "些许": 0.5,
    "very": 1.6, "really": 1.6, "extremely": 1.6, "super": 1.6, "so": 1.6, "too": 1.6, "incredibly": 1.6,
    "quite": 1.3, "pretty": 1.3, "rather": 1.3, "much": 1.3, "more": 1.3, "fairly": 1.3,
    "slightly": 0.5, "a bit": 0.5, "a little": 0.5, "somewhat": 0.5, "kind of": 0.5, "kinda": 0.5,
    "a tad": 0.5, "a touch": 0.5, "bit": 0.5, "little": 0.5,
}
POST_DEGREES: dict[str, float] = {"一点儿": 0.5, "一点": 0.5, "一些": 0.5, "点儿": 0.5, "点": 0.5, "些": 0.5,
                                  "极了": 1.6, "得很": 1.6, "得多": 1.3}
NEGATIONS = ("不要", "不用", "不必", "不能", "别", "不", "没有", "无需", "勿",
             "not", "don't", "dont", "do not", "no", "never", "without", "avoid", "isn't", "shouldn't")
STOPWORDS = set(
    "的 地 得 了 和 与 跟 又 也 还 但 但是 而且 并且 同时 要 请 用 以 一种 一个 地说 说 说话 "
    "读 念 朗读 讲 声音 嗓音 语速 语气 "
    "语调 音调 声调 音色 感觉 风格 像 像是 一样 般 些 点 吧 呢 啊 吗 就 是 把 给 让 我 你 他 她 它 这 那 这样 那样 可以 能 "
    "a an the and or but with in on at of to for as be is are was it its this that please voice tone style speak "
    "speaking spoken say read reading talk talking like sound sounding way manner pace speed pitch volume bit "
    "little i want it me my make should would could can let thanks thank you we our just some 我想 希望 需要 一下 来 "
    "语速 一点 这段话 这段 这句话 这句 出来 一遍 一些 内容 文字 文本".split())
# Stopwords of two or more Chinese characters, longest first: taken out of a run of unmatched
# characters before it is reported, so "用开心的语气读" does not report "语气读" as not understood.
_HAN_STOPWORDS = sorted((w for w in STOPWORDS if len(w) > 1 and not w.isascii()), key=len, reverse=True)
CLAUSE_BREAK = re.compile(r"[，。,.;；!！?？、\n:：]")


@dataclass(frozen=True)
class ParsedInstructions:
    """What a style instruction asks for. Multipliers are 1.0 and offsets 0.0 when not mentioned."""

    voice: str | None = None
    emotion: str | None = None
    intensity: float = 1.0  # emotion intensity (0-2)
    speed: float = 1.0  # multiplier, as SynthesisOptions.speed
    pitch: float = 0.0  # semitones, as SynthesisOptions.pitch
    energy: float = 1.0  # multiplier, as SynthesisOptions.energy
    extra: Prosody = field(default_factory=Prosody)  # pitch range, pauses, final contour
    prosody: Prosody = field(default_factory=Prosody)  # speed, pitch, energy and extra as one Prosody
    matched: list[str] = field(default_factory=list)  # phrases understood, in order (with their modifiers)
    ignored: list[str] = field(default_factory=list)  # words that matched nothing
    summary: str = ""  # Chinese line, then English line

    @property
    def empty(self) -> bool:
        return not self.matched


def _compile() -> re.Pattern:
    parts = []
    for phrase in sorted(RULES, key=len, reverse=True):
        escaped = re.escape(phrase)
        parts.append(rf"(?<![a-z']){escaped}(?![a-z'])" if phrase[0].isascii() else escaped)
    return re.compile("|".join(parts))


_PATTERN = _compile()
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def _normalize(text: object) -> str:
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text)[:MAX_CHARS].lower()
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in text)


def _before(text: str, start: int, floor: int) -> tuple[str, int]:
    """The clause text just before a match (at most 4 Han characters or 3 English words, not
    before `floor`) and where it starts."""
    lo = max(floor, start - 24)
    window = text[lo:start]
    cut = [m.end() for m in CLAUSE_BREAK.finditer(window)]
    if cut:
        lo += cut[-1]
        window = text[lo:start]
    if window.strip() and window.strip()[-1].isascii():
        words = list(re.finditer(r"\S+", window))[-3:]
        return (window[words[0].start():], lo + words[0].start()) if words else ("", start)
    return window[-4:], max(lo, start - 4)


def _degree_before(window: str) -> tuple[float | None, bool, str]:
    """(degree, negated, the words used) found in the text before a match."""
    degree, negated, used = None, False, []
    ascii_window = window.strip()
    for word in sorted(DEGREES, key=len, reverse=True):
        if word.isascii():
            if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", ascii_window):
                degree = DEGREES[word]
                used.append(word)
                break
        elif word in window:
            degree = DEGREES[word]
            used.append(word)
            break
    for neg in NEGATIONS:
        hit = (re.search(rf"(?<![a-z']){re.escape(neg)}(?![a-z'])", ascii_window) if neg.isascii() else neg in window)
        if hit:
            negated = True
            used.insert(0, neg)
            break
    return degree, negated, " ".join(used)


def _degree_after(text: str, end: int) -> tuple[float | None, int]:
    for word in sorted(POST_DEGREES, key=len, reverse=True):
        if text.startswith(word, end):
            return POST_DEGREES[word], end + len(word)
    return None, end


def _scaled(value: float, degree: float, multiplicative: bool) -> float:
    return value ** degree if multiplicative else value * degree


MULTIPLICATIVE = {"speed": True, "pitch": False, "energy": True, "range": True, "pauses": True, "final": False}


def parse_instructions(text: object) -> ParsedInstructions:
    """Read a style instruction (any string; anything else reads as empty). Never raises."""
    norm = _normalize(text)
    values: dict[str, float] = {}
    negated_pole: dict[str, float] = {}  # dimension -> the rule value of its last negated mention
    voice = emotion = None
    emotion_degree = 1.0
    intensity_factor = 1.0
    matched: list[str] = []
    spans: list[tuple[int, int]] = []
    last_end = 0
    for m in _PATTERN.finditer(norm):
        phrase = m.group(0)
        rule = RULES[phrase]
        window, window_start = _before(norm, m.start(), last_end)
        degree, negated, words = _degree_before(window)
        post, end = _degree_after(norm, m.end()) if not phrase.isascii() else (None, m.end())
        if degree is None:
            degree = post
        d = (degree if degree is not None else 1.0) * rule.degree
        used = (f"{words} " if words else "") + norm[m.start() : end]
        spans.append((window_start if words else m.start(), end))
        last_end = end
        dim = rule.dimension
        if dim in ("emotion", "voice"):
            if negated:
                matched.append(f"{used.strip()} (否定，忽略 negated, ignored)")
                continue
            if dim == "emotion":
                emotion, emotion_degree = str(rule.value), d
            else:
                voice = str(rule.value)
            matched.append(used.strip())
            continue
        if dim == "intensity":
            if not negated:
                intensity_factor = float(rule.value) ** (degree if degree is not None else 1.0)
            matched.append(used.strip() + (" (否定，忽略 negated, ignored)" if negated else ""))
            continue
        mult = MULTIPLICATIVE[dim]
        if negated:
            previous = negated_pole.get(dim)
            if previous is not None and previous == rule.opposite:
                values[dim] = 1.0 if mult else 0.0  # "不快不慢": neither -> neutral
            else:
                assert rule.opposite is not None  # every numeric rule names its opposite (_rules)
                values[dim] = _scaled(float(rule.opposite), NEGATED, mult)
            negated_pole[dim] = float(rule.value)
        else:
            values[dim] = _scaled(float(rule.value), d, mult)
            negated_pole.pop(dim, None)
        matched.append(used.strip())

    intensity = 1.0
    if emotion is not None:
        intensity = min(MAX_INTENSITY, max(0.0, emotion_degree * intensity_factor))
    elif intensity_factor != 1.0:
        intensity = min(MAX_INTENSITY, intensity_factor)
    speed = round(LIMITS["speed"].clamp(values.get("speed", 1.0)), 3)
    pitch = round(LIMITS["pitch"].clamp(values.get("pitch", 0.0)), 3)
    energy = round(LIMITS["energy"].clamp(values.get("energy", 1.0)), 3)
    extra = Prosody(pitch_range=round(values.get("range", 1.0), 3), pause_scale=round(values.get("pauses", 1.0), 3),
                    final_pitch=round(values.get("final", 0.0), 3))
    prosody = Prosody(duration_scale=1.0 / speed, pitch_shift=pitch / SEMITONES_PER_PITCH_UNIT,
                      energy_shift=math.log2(energy)).combine(extra)
    ignored = _ignored(norm, spans)
    parsed = ParsedInstructions(voice, emotion, round(intensity, 3), speed, pitch, energy, extra, prosody, matched,
                                ignored)
    return dataclasses.replace(parsed, summary=summarize(parsed))


def _ignored(norm: str, spans: list[tuple[int, int]]) -> list[str]:
    chars = list(norm)
    for a, b in spans:
        for i in range(max(0, a), min(len(chars), b)):
            chars[i] = " "
    rest = "".join(chars)
    for word in sorted(list(DEGREES) + list(NEGATIONS) + list(POST_DEGREES), key=len, reverse=True):
        if not word.isascii():
            rest = rest.replace(word, " ")
    for word in _HAN_STOPWORDS:
        rest = rest.replace(word, " ")
    out: list[str] = []
    for token in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z][a-z'\-]*", rest):
        if token in STOPWORDS or token in DEGREES or token in NEGATIONS or token in out:
            continue
        if _HAN_RUN.fullmatch(token):
            # drop stopword characters at the edges of a Han run ("的", "地", "了", "读"...)
            token = token.strip("的地得了和又也还要请用把给让吧呢啊吗就是读念说讲像")
            if not token or token in STOPWORDS or token in out:
                continue
        out.append(token)
        if len(out) >= MAX_IGNORED:
            break
    return out


def summarize(p: ParsedInstructions) -> str:
    """Chinese line, then English line: what the instruction was understood to ask for."""
    from tts.expressive.presets import EMOTIONS, VOICES

    zh, en = [], []
    if p.voice:
        label = VOICES[p.voice].label if p.voice in VOICES else p.voice
        zh.append(f"音色 {label}")
        en.append(f"voice {p.voice}")
    if p.emotion:
        label = getattr(EMOTIONS.get(p.emotion), "label", p.emotion)
        zh.append(f"情感 {label}（强度 {p.intensity:.1f}）")
        en.append(f"emotion {p.emotion} (intensity {p.intensity:.1f})")
    elif p.intensity != 1.0:
        zh.append(f"情感强度 ×{p.intensity:.1f}")
        en.append(f"emotion intensity x{p.intensity:.1f}")
    if p.speed != 1.0:
        zh.append(f"语速 ×{p.speed:.2f}")
        en.append(f"speed x{p.speed:.2f}")
    if p.pitch:
        zh.append(f"音高 {p.pitch:+.1f} 半音")
        en.append(f"pitch {p.pitch:+.1f} semitones")
    if p.energy != 1.0:
        zh.append(f"音量 ×{p.energy:.2f}")
        en.append(f"loudness x{p.energy:.2f}")
    if p.extra.pitch_range != 1.0:
        zh.append(f"语调起伏 ×{p.extra.pitch_range:.2f}")
        en.append(f"intonation range x{p.extra.pitch_range:.2f}")
    if p.extra.pause_scale != 1.0:
        zh.append(f"停顿 ×{p.extra.pause_scale:.2f}")
        en.append(f"pauses x{p.extra.pause_scale:.2f}")
    if p.extra.final_pitch:
        zh.append("句尾上扬" if p.extra.final_pitch > 0 else "句尾下降")
        en.append("rising sentence ends" if p.extra.final_pitch > 0 else "falling sentence ends")
    if zh:
        line_zh = "风格：" + "，".join(zh) + "。"
        line_en = "Style: " + ", ".join(en) + "."
    elif p.matched:
        line_zh = "风格：保持默认设置（" + "、".join(p.matched) + "）。"
        line_en = "Style: keep the defaults (" + ", ".join(p.matched) + ")."
    else:
        line_zh = "风格描述中没有识别到可用的设置。"
        line_en = "No usable setting was recognized in the style instructions."
    if p.ignored:
        line_zh += " 未识别（已忽略）：" + "、".join(p.ignored) + "。"
        line_en += " Not understood (ignored): " + ", ".join(p.ignored) + "."
    return line_zh + "\n" + line_en


CONTROLS = ("voice", "emotion", "emotion_intensity", "speed", "pitch", "energy")  # settable by instructions


def _explicit_fields(options: SynthesisOptions) -> set[str]:
    defaults = {f.name: f.default for f in dataclasses.fields(SynthesisOptions)
                if f.default is not dataclasses.MISSING}
    return {name for name in CONTROLS if getattr(options, name) != defaults.get(name)}


def wanted_settings(parsed: ParsedInstructions) -> dict[str, Any]:
    """The options an instruction asks to set (only what it mentions), by option name."""
    wanted: dict[str, Any] = {}
    if parsed.voice:
        wanted["voice"] = parsed.voice
    if parsed.emotion:
        wanted["emotion"] = parsed.emotion
    if parsed.emotion or parsed.intensity != 1.0:
        wanted["emotion_intensity"] = parsed.intensity
    if parsed.speed != 1.0:
        wanted["speed"] = parsed.speed
    if parsed.pitch != 0.0:
        wanted["pitch"] = parsed.pitch
    if parsed.energy != 1.0:
        wanted["energy"] = parsed.energy
    return wanted


def apply_to_options(parsed: ParsedInstructions, options: SynthesisOptions,
                     explicit: Collection[str] | None = None) -> SynthesisOptions:
    """New options with the instructions applied; the caller's explicit settings win.

    `explicit`: names of the options the caller set on purpose (e.g. the fields present in an API
    request). None means: every option that differs from its default counts as explicit.
    Instructions fill voice, emotion, emotion_intensity, speed, pitch and energy only where not
    explicit; their pitch range, pause and final-contour offsets are always added to
    `options.prosody` (no option of its own to conflict with).
    """
    explicit = set(_explicit_fields(options) if explicit is None else explicit)
    changes = {k: v for k, v in wanted_settings(parsed).items() if k not in explicit}
    if parsed.extra != Prosody():
        changes["prosody"] = options.prosody.combine(parsed.extra)
    return dataclasses.replace(options, **changes) if changes else options
