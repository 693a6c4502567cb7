"""The stream pump and the streamed WAV encoding: the first block is the first audio, and the
pump asks for the second only once the first has been passed on (issue 27, first audio)."""

from __future__ import annotations

import anyio
import numpy as np

from tts.audio.formats import encode_stream, streaming_wav_header
from tts.audio.wav import to_int16
from tts.serving.pump import PumpedStream


def test_the_pump_asks_for_the_second_block_only_after_the_first_is_passed_on():
    events: list[str] = []

    def blocks():
        for i in range(3):
            events.append(f"made {i}")
            yield i

    async def consume() -> list[int]:
        got = []
        async for block in PumpedStream(blocks()):
            got.append(block)
            if block == 0:
                await anyio.sleep(0.3)  # the first block still on its way out: nothing else is made
            events.append(f"sent {block}")
        return got

    assert anyio.run(consume) == [0, 1, 2]
    assert events.index("made 1") > events.index("sent 0"), events


def test_a_streamed_wav_header_leaves_with_the_first_audio():
    rng = np.random.default_rng(0)
    chunks = [rng.uniform(-0.5, 0.5, n).astype(np.float32) for n in (2400, 48000, 300)]
    blocks = list(encode_stream(iter(chunks), 24000, "wav"))
    header = streaming_wav_header(24000)
    assert len(blocks) == len(chunks)
    assert blocks[0] == header + to_int16(chunks[0]).tobytes()
    assert b"".join(blocks[1:]) == b"".join(to_int16(c).tobytes() for c in chunks[1:])
    assert list(encode_stream(iter([]), 24000, "wav")) == [header]  # no audio: still a well-formed stream
    assert list(encode_stream(iter(chunks[:1]), 24000, "pcm")) == [to_int16(chunks[0]).tobytes()]
