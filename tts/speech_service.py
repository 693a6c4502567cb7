"""`SpeechService`: what the web page, the jobs and the Wyoming server need of a synthesizer.

Two things implement it: `tts.synthesizer.Synthesizer` (the models in this process) and
`tts.apps.cluster.RemoteSynthesizer` (the API replicas of a Ray cluster, through a deployment
handle). Code above the facade is typed against this Protocol, so a page that runs on either
is checked against what both provide. The HTTP API's health and metrics routes and the job
runner read more (admission, workers, metrics): they run only where the models are, and take a
`Synthesizer`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from tts.options import SynthesisOptions
    from tts.pipeline import PlannedSegment, PreparedSegment
    from tts.results import AudioChunk, Result
    from tts.serving.profiles import Profile
    from tts.synthesizer import Plan


@runtime_checkable
class SpeechStream(Protocol):
    """One request's audio: its notes before any audio, its chunks, then `result` once exhausted.
    Closing it early cancels the request's pending work."""

    notes: tuple[str, ...]

    @property
    def result(self) -> Result | None: ...

    def __iter__(self) -> Iterator[AudioChunk]: ...

    def __next__(self) -> AudioChunk: ...

    def close(self) -> None: ...

    def __enter__(self) -> SpeechStream: ...

    def __exit__(self, *exc: object) -> None: ...


@runtime_checkable
class SpeechService(Protocol):
    """A synthesizer as the page, the jobs and the Wyoming server use it."""

    @property
    def profile(self) -> Profile:
        """The hardware profile: its limits (text, jobs, serving) are the page's and the jobs'."""

    @property
    def sample_rate(self) -> int:
        """Samples per second of every chunk and result."""

    @property
    def hop_size(self) -> int:
        """Audio samples per mel frame: the unit of the models' durations (subtitles, timing)."""

    @property
    def vocoder_device(self) -> str:
        """Where the vocoder runs ("cpu", "cuda:0" …), for the System tab."""

    def available_qualities(self) -> list[str]:
        """The vocoder qualities whose weights are present ("fast", "high")."""

    def validate(self, options: SynthesisOptions, max_chars: int | None = None) -> SynthesisOptions:
        """`options` checked (RequestError if not valid), `max_chars` the text limit."""

    def plan(self, options: SynthesisOptions, long_form: bool = False, max_chars: int | None = None) -> Plan:
        """The input as the pipeline cuts it into segments (RequestError if it cannot be spoken)."""

    def prepare_segment(self, planned: PlannedSegment) -> PreparedSegment:
        """One planned segment's syllables, phonemes and ids."""

    def stream(self, options: SynthesisOptions) -> SpeechStream:
        """Start a request (RequestError or ServiceBusy before any audio)."""

    def synthesize(self, options: SynthesisOptions) -> Result:
        """A whole request's result."""

    def info(self) -> dict[str, Any]:
        """What the System tab shows: profile, devices, models, memory, queue, cache."""


def drain(stream: SpeechStream) -> Result:
    """Run `stream` to its end and return its Result; the stream is closed either way (the one
    place a whole result is taken from a stream: Synthesizer.synthesize, the remote replicas, the
    HTTP API's whole responses).

    Raises:
        RuntimeError: the stream ended without a Result (a bug in whoever made it).
    """
    with stream:
        for _ in stream:
            pass
        result = stream.result
    if result is None:
        raise RuntimeError("the synthesis stream ended without a result")
    return result
