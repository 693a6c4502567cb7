"""The chunk/pad utility, and chunked vocoding equal to whole-utterance vocoding."""

from __future__ import annotations

import pytest
import torch
from conftest import snr_db
from hypothesis import given
from hypothesis import strategies as st

from tts.models.chunking import BlockSchedule, Chunk, depad, get_chunks, run_chunked


@given(length=st.integers(0, 500), block=st.integers(1, 64), pad=st.integers(0, 40),
       first=st.one_of(st.none(), st.integers(1, 64)))
def test_chunks_cover_every_frame_once(length, block, pad, first):
    chunks = get_chunks(length, block, pad, first)
    owned = [f for c in chunks for f in range(c.start, c.end)]
    assert owned == list(range(length))
    for c in chunks:
        assert c.context_start == max(0, c.start - pad)
        assert c.context_end == min(length, c.end + pad)
    if chunks and first:
        assert chunks[0].end == min(length, first)


@given(length=st.integers(1, 700), first=st.integers(1, 16), block=st.integers(16, 200), pad=st.integers(0, 30),
       quantum=st.sampled_from([1, 8, 16]))
def test_a_schedules_calls_hold_their_context_in_a_few_sizes(length, first, block, pad, quantum):
    """A call holds its chunk's context; a full chunk's call is the fixed size; a chunk the
    input's end clips gets at least one frame beyond the context, in a multiple of `quantum`."""
    schedule = BlockSchedule(first, block, pad, quantum)
    for chunk in schedule.chunks(length):
        full = first + pad if chunk.start == 0 else block + 2 * pad
        context = chunk.context_end - chunk.context_start
        size = schedule.call_frames(chunk)
        assert context <= size <= full
        if context == full:
            assert size == full  # a chunk with all its context: the one fixed shape
        else:  # the input ends inside its reach: one frame to read past the end, then rounded
            assert size > context and (size == full or size % quantum == 0)
            assert size - context <= quantum


def test_a_fixed_size_schedule_pads_a_last_chunk_to_the_full_size():
    """quantum >= the full size gives the fixed-shape calls of before (`bench/hifigan_cpu.py` times it)."""
    schedule = BlockSchedule(8, 160, 24, quantum=10**6)
    assert [schedule.call_frames(c) for c in schedule.chunks(250)] == [32, 208, 208]
    assert [BlockSchedule(8, 160, 24).call_frames(c) for c in schedule.chunks(250)] == [32, 208, 112]


def test_bad_chunk_sizes_are_rejected():
    with pytest.raises(ValueError):
        get_chunks(10, 0, 2)
    with pytest.raises(ValueError):
        get_chunks(10, 4, -1)
    with pytest.raises(ValueError, match="quantum > 0"):
        BlockSchedule(8, 160, 16, quantum=0)


def test_depad_crops_scaled_context():
    chunk = Chunk(start=10, end=20, context_start=6, context_end=23)
    out = torch.arange((23 - 6) * 3)
    assert depad(out, chunk, scale=3).tolist() == list(range(4 * 3, 14 * 3))


def test_run_chunked_matches_a_pointwise_model():
    x = torch.randn(1, 37, 4)

    def model(piece):  # (1, n, 4) -> (1, n * 2): frame-local, so any pad is exact
        return piece.sum(-1).repeat_interleave(2, dim=-1)

    joined = torch.cat(list(run_chunked(model, x, block=5, pad=0, scale=2, first_block=3)), dim=-1)
    torch.testing.assert_close(joined, model(x))


@pytest.mark.parametrize("block,first_block", [(10, None), (32, 8), (64, 16)])
def test_streamed_mb_melgan_equals_whole(engine, weights_dir, block, first_block):
    from tts.engine import AcousticItem
    from tts.models.vocabulary import SymbolTable

    phonemes = "sil j in1 #0 t ian1 #1 t ian1 #0 q i4 #2 h en3 #0 h ao3 sil".split()
    mel = engine.acoustic([AcousticItem(SymbolTable.load(weights_dir).encode(phonemes))])[0].mel
    whole = engine.vocode(mel)
    streamed = torch.cat([torch.from_numpy(p) for p in engine.vocode_stream(mel, block, 24, first_block)])
    assert streamed.shape[0] == whole.shape[0] == mel.shape[0] * 300
    assert snr_db(whole, streamed) >= 60.0
