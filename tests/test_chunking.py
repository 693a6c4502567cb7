"""The chunk/pad utility, and chunked vocoding equal to whole-utterance vocoding."""

from __future__ import annotations

import pytest
import torch
from conftest import snr_db
from hypothesis import given
from hypothesis import strategies as st

from tts.models.chunking import Chunk, depad, get_chunks, run_chunked


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


def test_bad_chunk_sizes_are_rejected():
    with pytest.raises(ValueError):
        get_chunks(10, 0, 2)
    with pytest.raises(ValueError):
        get_chunks(10, 4, -1)


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
