"""Command line: `python -m tts {fetch,pinyin,say} ...`."""

from __future__ import annotations

import argparse
import sys


def _cmd_pinyin(args: argparse.Namespace) -> int:
    from tts.frontend import Frontend

    frontend = Frontend(lexicon_path=args.lexicon)
    texts = args.text if args.text else (line.rstrip("\n") for line in sys.stdin)
    for text in texts:
        print(" ".join(frontend.pinyin(text)))
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
