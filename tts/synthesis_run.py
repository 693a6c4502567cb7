"""One request's run through the device workers (`_Run`), behind Synthesizer.stream and
Synthesizer.segment_stream: its plan, its per-request state, and the audio it assembles."""

from __future__ import annotations

import functools
import logging
import time
from collections import deque
from collections.abc import Callable, Generator, Hashable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch

from tts.audio.wav import silence
from tts.document import Controls, Mark
from tts.engine import AcousticResult
from tts.expressive.presets import Voice, acoustic_item, pause_seconds, resolve, transform_mel, transform_mel_by_frames
from tts.models.chunking import Chunk, depad
from tts.models.fastspeech2 import TooManyFramesError
from tts.options import Prosody, RequestError, SynthesisOptions
from tts.pipeline import PlannedSegment, PreparedSegment
from tts.results import AudioChunk, Result, SegmentInfo, Timings
from tts.serving.admission import RequestTimeout
from tts.serving.batching import INTERACTIVE
from tts.timing.alignment import Aligner, Piece, Timed, due

log = logging.getLogger(__name__)
# A vocoder work item: (vocoder name, mel (T, 80)), or a stream's block that the vocoder decodes
# in one call of its own: (name, the chunk's context mel, (chunk, frames of the whole mel)).
VocoderPayload = tuple[str, torch.Tensor] | tuple[str, torch.Tensor, tuple[Chunk, int]]

if TYPE_CHECKING:
    from tts.synthesizer import Synthesizer

NOTHING_TO_SPEAK = "the text has nothing to speak (no Chinese, letters or digits)"


@dataclass(frozen=True)
class Plan:
    segments: list[PlannedSegment]
    notes: tuple[str, ...] = ()  # what the caller should know about how the input was read
    marks: tuple[Mark, ...] = ()  # the input's named points (SSML bookmarks)
    ignored: tuple[str, ...] = ()  # markup left out (X-SSML-Ignored)


@dataclass
class _Cached:
    audio: np.ndarray
    segments: list[SegmentInfo]
    vocoder: str
    alignment: list[Timed]
    notes: tuple[str, ...]


@dataclass
class SegmentAudio:
    """One planned segment of long-form work, whole: its speech, then `pause` samples of silence."""

    index: int  # the planned segment's index
    speech: np.ndarray  # float32 mono
    pause: int  # samples of silence after it (none after the document's last segment)
    infos: list[SegmentInfo]  # what it spoke; start_s counts from the start of this run's audio
    timing: list[Piece]  # what the aligner needs for its timestamps, timed likewise


@dataclass(frozen=True)
class _Vocoding:
    """A whole mel's queued vocoder work: one item (chunk None: the whole audio), or one per
    chunk of a vocoder's fixed-shape calls (each item's audio spans its chunk's context)."""

    parts: list[tuple[Future, Chunk | None]]

    def done(self) -> bool:
        return all(future.done() for future, _ in self.parts)


@dataclass
class _State:
    started: float = field(default_factory=time.perf_counter)
    result: Result | None = None
    futures: list[Future] = field(default_factory=list)
    progress_at: float = field(default_factory=time.perf_counter)  # when a piece of its work last finished

    def watch(self, future: Future) -> Future:
        """Track a submitted work item: cancelled with the request, and progress when it is done."""
        self.futures.append(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.progress_at = time.perf_counter()


class _Assembly:
    """What one run has made so far, for streamed and whole results alike: every chunk it hands
    out carries the timing items its audio completes; the audio pieces, segment infos and
    timing items are kept for the Result."""

    def __init__(self, run: _Run):
        self._run = run
        self.rate = run.rate
        self.aligner = Aligner(run.options.text, run.synth.engine.hop_size / run.rate)
        self.pieces: list[np.ndarray] = []
        self.infos: list[SegmentInfo] = []
        self.alignment: list[Timed] = []
        self.pending: list[Timed] = []  # the current piece's timing items not yet handed out
        self.produced = 0  # samples so far, speech and pauses
        self.spoken = 0  # samples of speech so far

    def chunk(self, audio: np.ndarray, segment: int, kind: str = "speech") -> AudioChunk:
        """The next chunk (float32 mono samples) of planned segment `segment`, with the timing
        items its end completes; the run's first speech also times its first chunk."""
        if kind == "speech":
            if not self.spoken and len(audio):
                self._run.first_chunk()
            self.spoken += len(audio)
        self.produced += len(audio)
        self.pieces.append(audio)
        ready, self.pending = due(self.pending, self.produced / self.rate)
        self.alignment.extend(ready)
        return AudioChunk(audio, self.rate, segment, kind, tuple(ready))

    def flush(self) -> None:
        """Keep the items no chunk handed out (a piece with nothing to speak, or rounding)."""
        self.alignment.extend(self.pending)
        self.pending = []


class _Run:
    """One request in flight: its segments through the device workers, chunk by chunk."""

    def __init__(self, synth: Synthesizer, options: SynthesisOptions, state: _State, timings: Timings,
                 priority: int = INTERACTIVE):
        self.synth = synth
        self.options = options
        self.state = state
        self.timings = timings
        self.priority = priority
        self.vocoder = synth.vocoder_for(options)
        self.rate = synth.sample_rate
        self._resolutions: dict[Controls, tuple[Voice, Prosody]] = {}
        self._started: list[tuple[PreparedSegment, Future | None]] = []  # the first segment, queued by `start`

    def replay(self, cached: _Cached) -> Generator[AudioChunk, None, None]:
        """A cached result, in blocks of the profile's size, each with the timing items it completes."""
        try:
            block = self.synth.profile.vocoder.block_frames * self.synth.engine.hop_size
            pending = list(cached.alignment)
            for start in range(0, len(cached.audio), block):
                if start == 0:
                    self.timings.first_chunk_s = time.perf_counter() - self.state.started
                audio = cached.audio[start : start + block]
                ready, pending = due(pending, (start + len(audio)) / self.rate)
                yield AudioChunk(audio, self.rate, 0, alignment=tuple(ready))
            self._finish(cached.audio, cached.segments, cached.vocoder, cached.alignment, cached.notes, cached=True)
        finally:
            self._cancel_pending()

    def synthesize(self, planned: Plan, cache_key: str | None) -> Generator[AudioChunk, None, None]:
        """Each planned segment: acoustic model (the next one queued meanwhile), voice transform,
        vocoder blocks, then its pause. Every chunk carries the timing items its audio completes."""
        plan = planned.segments
        try:
            out = _Assembly(self)
            prepared: list[PreparedSegment] = [seg for seg, _ in self._started]
            futures: list[Future | None] = [future for _, future in self._started]

            def queue(i: int) -> None:
                """Prepare segment i and queue its acoustic call, once: one segment ahead at most."""
                if i < len(plan) and len(prepared) == i:
                    prepared.append(self.synth.pipeline.prepare_segment(plan[i]))
                    futures.append(self._submit_acoustic(prepared[i]))

            queue(0)  # unless `start` has
            for i in range(len(plan)):
                seg = prepared[i]
                future = futures[i]
                done = self._acoustic_results(seg, future) if future is not None else []
                if not done:  # nothing to speak in it (punctuation only): still accounted for
                    out.infos.append(_segment_info(i, seg, None, out.produced, 0, self.rate))
                    out.pending = out.aligner.piece(_timing_piece(seg, (), out.produced / self.rate))
                for piece, acoustic in done:
                    start = out.produced
                    out.pending = out.aligner.piece(_timing_piece(piece, acoustic.durations, start / self.rate))
                    mel = self._voiced(piece, acoustic)
                    for audio in self._vocode_stream(mel, functools.partial(queue, i + 1), first=not out.spoken):
                        yield out.chunk(audio, i)
                    out.infos.append(_segment_info(i, piece, acoustic, start, out.produced - start, self.rate))
                queue(i + 1)
                out.flush()  # a piece's items not yet handed out (nothing to speak, or rounding)
                pause = silence(self._pause_after(seg, last=i + 1 == len(plan)), self.rate)
                if len(pause):
                    out.infos[-1].pause_s = len(pause) / self.rate
                    yield out.chunk(pause, i, "pause")
            self._complete(out, planned.notes, cache_key)
        finally:
            self._cancel_pending()

    def start(self, planned: Plan) -> None:
        """Prepare the first segment and queue its acoustic call now, before `synthesize` is
        iterated: the acoustic model then runs while the caller sets up its response (an HTTP
        route builds its streaming response and starts the thread that reads the chunks)."""
        if planned.segments and not self._started:
            first = self.synth.pipeline.prepare_segment(planned.segments[0])
            self._started.append((first, self._submit_acoustic(first)))

    def first_chunk(self) -> None:
        """The run's first speech is out: the time to it, for the result and the metrics."""
        self.timings.first_chunk_s = time.perf_counter() - self.state.started
        self.synth.metrics.first_chunk.observe(self.timings.first_chunk_s)

    def _resolved(self, controls: Controls) -> tuple[Voice, Prosody]:
        """The voice and prosody of a span's controls (once per distinct controls)."""
        if controls not in self._resolutions:
            self._resolutions[controls] = resolve(self.options, controls)
        return self._resolutions[controls]

    def _syllable_prosody(self, seg: PreparedSegment) -> Prosody | list[Prosody]:
        if not seg.syllable_controls:
            return self._resolved(Controls())[1]
        return [self._resolved(c)[1] for c in seg.syllable_controls]

    def _voiced(self, seg: PreparedSegment, acoustic: AcousticResult) -> torch.Tensor:
        """The mel with each span's voice transform on the frames of its syllables."""
        if not seg.syllable_controls:
            return transform_mel(self._resolved(Controls())[0], acoustic.mel)
        voices, frame, owner = [], 0, 0
        for s, d in zip((*seg.utterance.phoneme_syllable, -1), acoustic.durations):
            owner = s if s >= 0 else owner
            voices.append((frame, frame + int(d), self._resolved(seg.syllable_controls[owner])[0]))
            frame += int(d)
        return transform_mel_by_frames(acoustic.mel, voices)

    def _pause_after(self, seg: PreparedSegment, last: bool) -> float:
        """An exact break where the markup puts one; else, between segments, the pause its
        punctuation calls for, scaled like its last syllable's speech."""
        if seg.break_s is not None:
            return seg.break_s
        if last:
            return 0.0
        controls = seg.syllable_controls[-1] if seg.syllable_controls else Controls()
        return pause_seconds(seg.segment, self._resolved(controls)[1])

    def whole(self, planned: Plan, cache_key: str | None) -> Generator[AudioChunk, None, None]:
        """Long-form: each segment of `segments` as chunks (its speech, then its pause), each with
        the timing items its audio completes, then the Result."""
        try:
            out = _Assembly(self)
            for done in self.segments(planned.segments, len(planned.segments)):
                out.infos.extend(done.infos)
                out.pending = [item for piece in done.timing for item in out.aligner.piece(piece)]
                for audio, kind in ((done.speech, "speech"), (np.zeros(done.pause, np.float32), "pause")):
                    if len(audio):
                        yield out.chunk(audio, done.index, kind)
                out.flush()  # items not yet handed out (nothing to speak, or rounding)
            self._complete(out, planned.notes, cache_key)
        finally:
            self._cancel_pending()

    def segments(self, plan: list[PlannedSegment], total: int) -> Generator[SegmentAudio, None, None]:
        """Long-form core: each planned segment whole, in order, with up to the profile's
        `long_form_segments` of them in flight (prepared, in the acoustic model, or in the
        vocoder). A segment's mel is vocoded in one call: no small first block and no overlap
        padding, which only streaming needs; the audio is whole-segment decoding itself. (A
        vocoder that decodes every input in fixed-shape calls anyway, HiFi-GAN in bf16 on a CPU,
        gets those calls as items of their own, which a CPU worker runs side by side.)

        Work is handed to the device workers in groups, never one item at a time: the window is
        topped up once half of it is free, and the mels of every acoustic result already there
        go to the vocoder together. A CPU worker then runs a group's items side by side, one per
        core, which is what gets the most out of the cores (BENCHMARKS.md)."""
        window = self.synth.profile.batching.long_form_segments
        acoustic: deque[tuple[PreparedSegment, Future | None]] = deque()
        vocoding: deque[tuple[PreparedSegment, list[tuple[PreparedSegment, AcousticResult, _Vocoding]]]] = deque()
        upcoming = iter(plan)
        produced = 0

        def fill() -> None:
            """When half the window is free: prepare segments up to it, queue their acoustic calls together."""
            if len(acoustic) + len(vocoding) > window // 2:
                return
            ready: list[PreparedSegment] = []
            while len(acoustic) + len(vocoding) + len(ready) < window:
                planned = next(upcoming, None)
                if planned is None:
                    break
                ready.append(self.synth.pipeline.prepare_segment(planned))
            acoustic.extend(zip(ready, self._submit_acoustic_many(ready)))

        def to_vocoder() -> None:
            """The oldest segment's acoustic result (waiting for it), and every later one already
            there, on to the vocoder in one group."""
            taken = [acoustic.popleft()]
            while acoustic and (acoustic[0][1] is None or acoustic[0][1].done()):
                taken.append(acoustic.popleft())
            parts = []
            for seg, future in taken:
                done = self._acoustic_results(seg, future) if future is not None else []
                parts.append((seg, [(piece, result, self._voiced(piece, result)) for piece, result in done]))
            futures = iter(self._submit_vocoder_many([mel for _, pieces in parts for _, _, mel in pieces]))
            for seg, pieces in parts:
                vocoding.append((seg, [(piece, result, next(futures)) for piece, result, _ in pieces]))

        def finish() -> SegmentAudio:
            nonlocal produced
            seg, parts = vocoding.popleft()
            infos, audio, timing = [], [], []
            hop = self.synth.engine.hop_size
            for piece, result, work in parts:
                audio.append(np.concatenate([self._wait(f) if chunk is None else depad(self._wait(f), chunk, hop)
                                             for f, chunk in work.parts]))
                infos.append(_segment_info(seg.index, piece, result, produced, len(audio[-1]), self.rate))
                timing.append(_timing_piece(piece, result.durations, produced / self.rate))
                produced += len(audio[-1])
            if not parts:  # nothing to speak in it (punctuation only): still accounted for
                infos.append(_segment_info(seg.index, seg, None, produced, 0, self.rate))
                timing.append(_timing_piece(seg, (), produced / self.rate))
            pause = len(silence(self._pause_after(seg, last=seg.index + 1 == total), self.rate))
            infos[-1].pause_s = pause / self.rate
            produced += pause
            speech = np.concatenate(audio) if audio else np.zeros(0, np.float32)
            return SegmentAudio(seg.index, speech, pause, infos, timing)

        try:
            fill()
            while acoustic or vocoding:
                if acoustic:
                    to_vocoder()
                    fill()
                # Hand out finished segments in order; wait for the oldest only when nothing
                # else can move (no acoustic result left to collect, or the window is full).
                while vocoding and (not acoustic or len(vocoding) >= window
                                    or all(v.done() for _, _, v in vocoding[0][1])):
                    yield finish()
                    fill()
        finally:
            self._cancel_pending()

    def _submit_vocoder_many(self, mels: list[torch.Tensor]) -> list[_Vocoding]:
        """Queue the vocoder work of whole mels, together: one item per mel, or, for a vocoder
        that decodes in fixed-shape calls anyway (Engine.stream_chunks), one item per call, so
        a CPU worker decodes a segment's blocks side by side (the same calls, the same audio)."""
        cfg = self.synth.profile.vocoder
        items: list[tuple[object, Hashable]] = []
        layouts: list[list[Chunk | None]] = []
        for mel in mels:
            frames = mel.shape[0]
            chunks, one_call = self.synth.engine.stream_chunks(self.vocoder, frames, cfg.block_frames, cfg.pad_frames,
                                                               cfg.first_block_frames)
            layouts.append(list(chunks) if one_call else [None])
            items.extend(self._vocoder_item(mel, None if chunk is None else (chunk, frames)) for chunk in layouts[-1])
        futures = iter([self.state.watch(f) for f in self.synth._vocoder_worker.submit_many(
            "vocoder", items, self.priority)] if items else [])
        return [_Vocoding([(next(futures), chunk) for chunk in chunks]) for chunks in layouts]

    def _vocoder_item(self, mel: torch.Tensor, span: tuple[Chunk, int] | None) -> tuple[VocoderPayload, Hashable]:
        """A vocoder work item and its batching key: the whole mel (span None), or the context of
        chunk `span[0]` of it (`span[1]` frames), which the vocoder decodes in that chunk's one call."""
        if span is None:
            return (self.vocoder, mel), (self.vocoder, mel.shape[0])
        chunk = span[0]
        piece = mel[chunk.context_start : chunk.context_end]
        return (self.vocoder, piece, span), (self.vocoder, piece.shape[0], span)

    def _complete(self, out: _Assembly, notes: tuple[str, ...], cache_key: str | None) -> None:
        """The whole result of a synthesized request (an error if nothing in it was spoken), its
        last sentence's timing closed, kept in the cache when it has a key."""
        if not out.spoken:
            raise RequestError(NOTHING_TO_SPEAK, "text")
        audio = np.concatenate(out.pieces)
        out.alignment.extend(out.aligner.finish(len(audio) / self.rate))
        self._finish(audio, out.infos, self.vocoder, out.alignment, notes)
        if cache_key is not None:
            self.synth.cache.put(cache_key, _Cached(audio, out.infos, self.vocoder, out.alignment, notes), audio.nbytes)

    def _finish(self, audio: np.ndarray, infos: list[SegmentInfo], vocoder: str, alignment: list[Timed],
                notes: tuple[str, ...], cached: bool = False) -> None:
        t = self.timings
        t.total_s = time.perf_counter() - self.state.started
        t.audio_s = len(audio) / self.rate
        self.state.result = Result(audio, self.rate, infos, t, vocoder, cached, alignment, list(notes))
        if not cached:
            metrics = self.synth.metrics
            metrics.audio_seconds.inc(t.audio_s)
            metrics.total.observe(t.total_s)
            metrics.rtf.observe(t.rtf)

    def _cancel_pending(self) -> None:
        for future in self.state.futures:
            future.cancel()

    def _wait(self, future: Future):
        """The future's result, unless the request stalls: none of its work finishes for the
        profile's `stall_timeout_s`. Time spent while the caller was not waiting (a slow client
        reading a stream) does not count: the clock restarts when the wait begins."""
        stall = self.synth.profile.serving.stall_timeout_s
        began = time.perf_counter()
        while True:
            left = max(self.state.progress_at, began) + stall - time.perf_counter()
            try:
                return future.result(timeout=max(0.0, left))
            except FutureTimeout:
                if time.perf_counter() - max(self.state.progress_at, began) >= stall:
                    raise RequestTimeout(f"synthesis made no progress for {stall:.0f} s and was stopped") from None

    def _submit_acoustic(self, seg: PreparedSegment) -> Future | None:
        return self._submit_acoustic_many([seg])[0]

    def _submit_acoustic_many(self, segs: list[PreparedSegment]) -> list[Future | None]:
        """Queue the acoustic calls of segments (None for one with nothing to speak), together."""
        items: list[tuple[object, Hashable]] = [(acoustic_item(seg.ids, seg.utterance, self._syllable_prosody(seg)), None)
                                                for seg in segs if seg.ids]
        futures = iter(self.synth._acoustic_worker.submit_many("acoustic", items, self.priority) if items else [])
        return [self.state.watch(next(futures)) if seg.ids else None for seg in segs]

    def _acoustic_results(self, seg: PreparedSegment, future: Future) -> list[tuple[PreparedSegment, AcousticResult]]:
        """The segment's mel; one whose mel would exceed the model's frames is cut smaller by the
        pipeline and each piece is done in turn."""
        try:
            return [(seg, self._wait(future))]
        except TooManyFramesError:
            out = []
            for piece in self.synth.pipeline.resplit(seg):
                piece_future = self._submit_acoustic(piece)
                if piece_future is not None:
                    out.extend(self._acoustic_results(piece, piece_future))
            return out

    def _vocode_stream(self, mel: torch.Tensor, after_first: Callable[[], None], first: bool) -> Iterator[np.ndarray]:
        """Audio blocks of one mel (T, 80): the first block alone (latency), the rest submitted together.

        The request's very first block is `first_block_frames` long, so audio starts early; later
        blocks are `block_frames` long. (A vocoder with fixed-shape calls, HiFi-GAN in bf16 on a
        CPU, is cut in its own schedule, which starts every mel with the short block, and each
        block is its one call: Engine.stream_chunks.) `after_first` (the caller then prepares its
        next segment and queues its acoustic call) runs once the first block is queued. For the request's very
        first block, the segment's other blocks and then `after_first` are queued only once that
        block has been handed out: until the first audio leaves, nothing else of the request
        competes with it for the cores and the interpreter (the rest of the vocoder, the next
        segment's frontend and acoustic model would run beside the first block's way out).
        """
        cfg = self.synth.profile.vocoder
        frames = mel.shape[0]
        chunks, one_call = self.synth.engine.stream_chunks(self.vocoder, frames, cfg.block_frames, cfg.pad_frames,
                                                           cfg.first_block_frames if first else None)
        worker = self.synth._vocoder_worker

        def submit(chunk: Chunk) -> Future:
            if one_call:
                payload, key = self._vocoder_item(mel, (chunk, frames))
            else:
                payload, key = self._vocoder_item(mel[chunk.context_start : chunk.context_end], None)
            return self.state.watch(worker.submit("vocoder", payload, key=key))

        futures = [submit(chunks[0])]
        if not first:
            after_first()
        for n, chunk in enumerate(chunks):
            audio = self._wait(futures[n])
            if n == 0 and not first:
                futures += [submit(c) for c in chunks[1:]]
            yield depad(audio, chunk, self.synth.engine.hop_size)
            if n == 0 and first:
                futures += [submit(c) for c in chunks[1:]]
                after_first()


def _segment_info(index: int, seg: PreparedSegment, acoustic: AcousticResult | None, start: int, length: int,
                  rate: int) -> SegmentInfo:
    """What one acoustic call spoke (or a segment with nothing to speak), `start`/`length` in samples."""
    utt = seg.utterance
    durations = [int(d) for d in acoustic.durations] if acoustic is not None else []
    return SegmentInfo(index, seg.segment.text, utt.normalized, list(utt.syllables), list(utt.phonemes),
                       durations, start / rate, length / rate, 0.0, list(utt.unknown),
                       seg.source, list(seg.syllable_sources), list(utt.phoneme_syllable), seg.segment.ends_sentence)


def _timing_piece(seg: PreparedSegment, durations, start_s: float) -> Piece:
    utt = seg.utterance
    chars = seg.segment.source
    return Piece(utt.syllables, utt.phoneme_syllable, tuple(int(d) for d in durations), seg.syllable_sources,
                 tuple(zip(chars.starts, chars.ends)) if chars else (), start_s, seg.segment.ends_sentence)
