"""Fast unit tests of the model code with tiny random-weight models (no pretrained weights)."""

from __future__ import annotations

import pytest
import torch

from tts.models.fastspeech2 import FastSpeech2, FastSpeech2Config, VarianceControl, regulate_length
from tts.models.mb_melgan import MBMelGAN, MBMelGANConfig, pqmf_synthesis_filters

TINY_FS2 = FastSpeech2Config(vocab_size=20, hidden_size=16, num_heads=2, head_size=4, intermediate_size=32,
                             encoder_layers=1, decoder_layers=2, predictor_filters=16, num_mels=8,
                             max_positions=64, postnet_filters=16)
TINY_MB = MBMelGANConfig(num_mels=8, filters=16, upsample_scales=(3, 5, 5), stacks=2)


@pytest.fixture()
def tiny_fs2() -> FastSpeech2:
    torch.manual_seed(0)
    return FastSpeech2(TINY_FS2).eval()


@pytest.fixture()
def tiny_mb() -> MBMelGAN:
    torch.manual_seed(0)
    return MBMelGAN(TINY_MB).eval()


def test_regulate_length_repeats_each_symbol_by_its_duration():
    hidden = torch.arange(2 * 3 * 2, dtype=torch.float32).view(2, 3, 2)
    durations = torch.tensor([[2, 0, 3], [1, 1, 0]])
    frames, lengths = regulate_length(hidden, durations)
    assert lengths.tolist() == [5, 2]
    assert frames.shape == (2, 5, 2)
    expected0 = torch.repeat_interleave(hidden[0], durations[0], dim=0)
    assert torch.equal(frames[0], expected0)
    assert torch.equal(frames[1, :2], torch.repeat_interleave(hidden[1], durations[1], dim=0))
    assert torch.count_nonzero(frames[1, 2:]) == 0


def test_batched_output_equals_unbatched(tiny_fs2):
    a = torch.tensor([[3, 4, 5, 6, 7, 19]])
    b = torch.tensor([[8, 9, 19]])
    da = torch.tensor([[2, 3, 1, 4, 2, 1]])
    db = torch.tensor([[5, 2, 1]])
    with torch.inference_mode():
        alone_a = tiny_fs2(a, durations=da)
        alone_b = tiny_fs2(b, durations=db)
        batch = tiny_fs2(torch.tensor([[3, 4, 5, 6, 7, 19], [8, 9, 19, 0, 0, 0]]),
                         durations=torch.tensor([[2, 3, 1, 4, 2, 1], [5, 2, 1, 0, 0, 0]]))
    assert batch.mel_lengths.tolist() == [13, 8]
    torch.testing.assert_close(batch.mel[0, :13], alone_a.mel[0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(batch.mel[1, :8], alone_b.mel[0], rtol=1e-5, atol=1e-5)
    assert torch.count_nonzero(batch.mel[1, 8:]) == 0


def test_predicted_variances_equal_in_batch(tiny_fs2):
    with torch.inference_mode():
        alone = tiny_fs2(torch.tensor([[8, 9, 19]]))
        batch = tiny_fs2(torch.tensor([[3, 4, 5, 6, 7, 19], [8, 9, 19, 0, 0, 0]]))
    torch.testing.assert_close(batch.pitch[1, :3], alone.pitch[0], rtol=1e-5, atol=1e-5)
    assert torch.equal(batch.durations[1, :3], alone.durations[0])
    assert torch.count_nonzero(batch.durations[1, 3:]) == 0


def test_variance_control_scales_and_shifts(tiny_fs2):
    ids = torch.tensor([[3, 4, 5, 19]])
    tiny_fs2.energy_floor = None  # the arithmetic alone (the floor: test_energy_floor_holds_in_the_model)
    with torch.inference_mode():
        base = tiny_fs2(ids)
        ctl = tiny_fs2(ids, VarianceControl(pitch_scale=2.0, pitch_shift=torch.tensor([[0.5, 0, 0, 0]]),
                                            energy_shift=-1.0))
    torch.testing.assert_close(ctl.pitch, base.pitch * 2 + torch.tensor([[0.5, 0, 0, 0]]))
    torch.testing.assert_close(ctl.energy, base.energy - 1.0)


def test_energy_floor_holds_in_the_model(tiny_fs2):
    """An energy control lowers every symbol but none predicted above the floor goes below it."""
    ids = torch.tensor([[3, 4, 5, 6, 7, 19]])
    with torch.inference_mode():
        base = tiny_fs2(ids)
        quiet = tiny_fs2(ids, VarianceControl(energy_scale=0.7, energy_shift=-1.0 - float(base.energy.max())))
    floor = tiny_fs2.energy_floor
    assert floor is not None
    torch.testing.assert_close(quiet.energy, torch.maximum(base.energy * 0.7 - 1.0 - base.energy.max(),
                                                           torch.clamp(base.energy, max=floor)))
    assert bool((quiet.energy >= torch.clamp(base.energy, max=floor) - 1e-6).all())
    assert bool((quiet.energy <= base.energy + 1e-6).all())


def test_duration_scale_stretches_the_mel(tiny_fs2):
    ids = torch.tensor([[3, 4, 5, 6, 19]])
    durations = torch.tensor([[2, 2, 2, 2, 2]])
    with torch.inference_mode():
        one = tiny_fs2(ids, durations=durations)
        two = tiny_fs2(ids, durations=durations * 2)
    assert int(two.mel_lengths[0]) == 2 * int(one.mel_lengths[0])


def test_empty_item_in_batch_stays_finite(tiny_fs2):
    ids = torch.tensor([[3, 4, 19], [5, 19, 0]])
    with torch.inference_mode():
        out = tiny_fs2(ids, durations=torch.tensor([[3, 3, 1], [0, 0, 0]]))
    assert torch.isfinite(out.mel).all()
    assert out.mel_lengths.tolist() == [7, 1]  # an all-zero item is given one frame


def test_too_many_frames_is_a_clear_error(tiny_fs2):
    with pytest.raises(ValueError, match="mel frames exceed"):
        tiny_fs2(torch.tensor([[3, 19]]), durations=torch.tensor([[60, 10]]))


def test_dropout_masks_follow_the_tflite_graph(tiny_fs2):
    """Feeding all-ones masks doubles the variance embeddings (dropout scales kept units by 2)."""
    ids = torch.tensor([[3, 4, 19]])
    d = torch.tensor([[2, 2, 1]])
    with torch.inference_mode():
        plain = tiny_fs2(ids, durations=d)
        ones = torch.ones(1, 3, TINY_FS2.hidden_size)
        doubled = tiny_fs2(ids, durations=d, pitch_dropout_mask=ones, energy_dropout_mask=ones)
        zeros = torch.zeros_like(ones)
        dropped = tiny_fs2(ids, durations=d, pitch_dropout_mask=zeros, energy_dropout_mask=zeros)
    assert not torch.allclose(plain.mel, doubled.mel)
    assert not torch.allclose(plain.mel, dropped.mel)


def test_pqmf_filters_are_a_cosine_modulated_bank():
    h = pqmf_synthesis_filters(4, 62, 0.142, 9.0)
    assert h.shape == (4, 63)
    spectra = abs(torch.fft.rfft(torch.from_numpy(h), n=1024))
    peaks = spectra.argmax(dim=1).tolist()
    assert peaks == sorted(peaks)  # band k peaks at higher frequency than band k-1


@pytest.mark.parametrize("frames", [1, 3, 9, 10, 25])
def test_vocoder_output_length_is_frames_times_hop(tiny_mb, frames):
    with torch.inference_mode():
        audio = tiny_mb(torch.randn(2, frames, 8))
    assert audio.shape == (2, frames * 300)
    assert torch.isfinite(audio).all()


def test_vocoder_batch_equals_items_alone(tiny_mb):
    torch.manual_seed(3)
    mels = torch.randn(3, 40, 8)
    with torch.inference_mode():
        together = tiny_mb(mels)
        alone = torch.cat([tiny_mb(mels[i : i + 1]) for i in range(3)])
    torch.testing.assert_close(together, alone, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("length", [1, 2, 17, 300])
def test_pqmf_polyphase_product_equals_the_transposed_convolution(length):
    import torch.nn.functional as F

    from tts.models.mb_melgan import PQMFSynthesis

    pqmf = PQMFSynthesis(4, 62, 0.142, 9.0)
    x = torch.randn(3, 4, length)
    reference = F.conv_transpose1d(x, pqmf.weight, stride=4)[:, 0, 31 : 31 + 4 * length]
    out = pqmf(x)
    assert out.shape == (3, 4 * length)
    assert torch.allclose(out, reference, atol=1e-5)


def _torch_conv(conv, x: torch.Tensor) -> torch.Tensor:
    """torch's own Conv1d arithmetic for a TimeConv1d: x (B, L, Cin) -> (B, L, Cout)."""
    import torch.nn.functional as F

    reach = conv.reach
    padded = F.pad(x.transpose(1, 2), (reach, reach), mode="reflect" if conv.pad_mode == "reflect" else "constant")
    return F.conv1d(padded, conv.weight, conv.bias, dilation=conv.dilation).transpose(1, 2)


# (kernel, dilation, padding) as the models use them: pointwise, MB-MelGAN's reflected and dilated
# taps, FastSpeech2's zero-padded ones; 2100 rows with 3 items runs the items one by one (unfolded).
@pytest.mark.parametrize("kernel,dilation,pad_mode", [(1, 1, "zeros"), (3, 1, "reflect"), (3, 9, "reflect"),
                                                      (7, 1, "reflect"), (5, 1, "zeros"), (3, 2, "zeros")])
@pytest.mark.parametrize("batch,length", [(1, 40), (3, 40), (3, 2100)])
def test_time_conv_computes_what_torch_conv1d_computes(kernel, dilation, pad_mode, batch, length):
    from tts.models.layers import TimeConv1d

    torch.manual_seed(1)
    conv = TimeConv1d(16, 24, kernel, dilation=dilation, pad_mode=pad_mode).eval()
    x = torch.randn(batch, length, 16)
    reference = _torch_conv(conv, x)
    with torch.inference_mode():
        out = conv(x)
        accumulated = conv.accumulate(torch.ones(batch, length, 24), x)
    assert out.shape == (batch, length, 24)
    torch.testing.assert_close(out, reference, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(accumulated, reference + 1, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("stride", [3, 5])
@pytest.mark.parametrize("batch", [1, 3])
def test_time_upsample_computes_what_torch_conv_transpose1d_computes(stride, batch):
    import torch.nn.functional as F

    from tts.models.layers import TimeUpsample

    torch.manual_seed(2)
    up = TimeUpsample(16, 8, stride).eval()
    x = torch.randn(batch, 30, 16)
    full = F.conv_transpose1d(x.transpose(1, 2), up.weight, up.bias, stride=stride).transpose(1, 2)
    with torch.inference_mode():
        out = up(x)
    assert out.shape == (batch, 30 * stride, 8)
    torch.testing.assert_close(out, full[:, up.crop : up.crop + 30 * stride], rtol=1e-5, atol=1e-5)


def test_residual_stack_computes_its_definition(tiny_mb):
    import torch.nn.functional as F

    stack = tiny_mb.stacks[1][1]  # dilation 3
    x = torch.randn(1, 50, stack.conv1.in_channels)
    h = F.leaky_relu(_torch_conv(stack.conv1, F.leaky_relu(x, 0.2)), 0.2)
    reference = _torch_conv(stack.conv2, h) + _torch_conv(stack.shortcut, x)
    with torch.inference_mode():
        out = stack(x)
    torch.testing.assert_close(out, reference, rtol=1e-5, atol=1e-5)
