"""Faster speech shrinks long symbols most (tts/models/duration_scaling.py): the excess of each
duration over a floor is scaled, the requested length is kept, slower speech stays uniform."""

from __future__ import annotations

import pytest
import torch

from tts.engine import AcousticItem
from tts.models.duration_scaling import DURATION_FLOOR, scale_durations
from tts.models.variance_limits import floor_energy

PREDICTED = torch.tensor([[2.0, 3.0, 10.0, 30.0, 5.0, 1.2, 7.4, 0.0, 0.0]])  # last two: padding
MASK = torch.tensor([[1, 1, 1, 1, 1, 1, 1, 0, 0]])
TEXT = "人工智能正在改变我们的生活方式，周末的时候我喜欢在家里读书。"


@pytest.mark.parametrize("scale", [1.0, 1.25, 2.0])
def test_slower_speech_is_stretched_uniformly_as_before(scale):
    got = scale_durations(PREDICTED, scale, MASK)
    assert torch.equal(got, (torch.round(PREDICTED * scale) * MASK).long())


@pytest.mark.parametrize("scale", [0.8, 2 / 3, 0.5, 0.3, 0.1])
def test_faster_speech_keeps_the_requested_length_within_a_frame(scale):
    got = scale_durations(PREDICTED, scale, MASK)
    assert abs(int(got.sum()) - scale * float(PREDICTED.sum())) <= 1.0, got
    assert int(got[0, 7:].abs().sum()) == 0  # padding stays empty
    assert bool((got >= 0).all())


@pytest.mark.parametrize("scale", [0.8, 2 / 3, 0.5])
def test_long_symbols_give_up_more_of_their_length_than_short_ones(scale):
    got = scale_durations(PREDICTED, scale, MASK)[0].float()
    kept = got[:7] / PREDICTED[0, :7]
    short, long_ = PREDICTED[0, :7] <= DURATION_FLOOR, PREDICTED[0, :7] >= 20
    # short symbols keep their length (to the frame); long ones shrink by more than the scale
    assert torch.all(torch.abs(got[:7][short] - PREDICTED[0, :7][short]) <= 1.0), got
    assert bool((kept[long_] < scale).all()), kept


def test_floor_zero_is_the_uniform_scale():
    assert torch.equal(scale_durations(PREDICTED, 0.5, MASK, floor=0.0),
                       (torch.round(PREDICTED * 0.5) * MASK).long())


def test_when_the_floors_do_not_fit_they_shrink_together():
    """Ten 3-frame symbols at a fifth of their length: 6 frames in all, spread evenly."""
    predicted = torch.full((1, 10), 3.0)
    got = scale_durations(predicted, 0.2, torch.ones(1, 10))
    assert int(got.sum()) == 6 and int(got.max()) <= 1


def test_each_run_of_a_per_symbol_scale_keeps_its_own_length():
    """A span read at its own rate (SSML prosody rate, spans with controls): each run of equal
    scale lasts its own scale times its predicted length."""
    scale = torch.tensor([[1.0, 1.0, 0.5, 0.5, 0.5, 2.0, 2.0, 1.0, 1.0]])
    got = scale_durations(PREDICTED, scale, MASK)[0]
    assert got[:2].tolist() == [2, 3]
    assert abs(int(got[2:5].sum()) - 0.5 * float(PREDICTED[0, 2:5].sum())) <= 1.0
    assert got[5:7].tolist() == [2, 15]


@pytest.mark.real_weights
def test_the_engine_speaks_faster_by_shrinking_long_symbols(engine, pipeline):
    """Speed 2.0 through the engine (every path's acoustic call): the utterance lasts half its
    predicted length within a frame, short symbols keep theirs, the longest give up most."""
    seg = pipeline.prepare(TEXT, max_chars=60)[0]
    model = engine.acoustic_model
    with torch.inference_mode():
        ids = torch.as_tensor(seg.ids)[None]
        log_durations = model.predict_variances(*model.encode(ids))[0]
    predicted = float(torch.relu(torch.exp(log_durations) - 1.0).sum())
    normal, fast, slow = engine.acoustic([AcousticItem(seg.ids, duration_scale=s) for s in (1.0, 0.5, 2.0)])
    assert abs(int(fast.durations.sum()) - 0.5 * predicted) <= 1.0
    assert abs(int(slow.durations.sum()) - 2.0 * predicted) <= 0.5 * len(seg.ids)  # each symbol rounded
    short = (normal.durations > 0) & (normal.durations <= DURATION_FLOOR)
    long_ = normal.durations >= 3 * DURATION_FLOOR
    assert short.any() and long_.any()
    assert (fast.durations[short] >= normal.durations[short] - 1).all()
    assert fast.durations[long_].sum() < 0.5 * normal.durations[long_].sum()


# ---- the floor under the controlled energy (tts/models/variance_limits.py)


def test_an_energy_control_does_not_push_a_symbol_below_the_floor():
    predicted = torch.tensor([[-1.3, -0.8, 0.2, 1.5]])  # a silence, a consonant, two vowels
    controlled = predicted * 0.7 - 1.0
    got = floor_energy(predicted, controlled, -1.0)
    # the silence keeps its prediction (below the floor already), the consonant stops at the
    # floor, the louder symbols are still lowered as asked
    torch.testing.assert_close(got, torch.tensor([[-1.3, -1.0, -0.86, 0.05]]))
    assert torch.equal(floor_energy(predicted, controlled, None), controlled)
    assert torch.equal(floor_energy(predicted, predicted + 0.5, -1.0), predicted + 0.5)  # louder: untouched

