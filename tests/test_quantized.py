"""Reduced-precision inference on the CPU: FastSpeech2's frame-level half in dynamic int8, HiFi-GAN in bf16.

Each path is checked against float32 on the same input with the bounds BENCHMARKS.md states:
int8 keeps every duration and the mel within the shipped int8 model's own noise; bf16 HiFi-GAN
renders the requested mel as well as float32 (log-spectral distance within 0.2 dB) and its
stream still matches whole decoding. The first tests use random weights (no weights needed).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from conftest import eval_sentences, needs_vnni, report, snr_db

from tts.engine import AcousticItem, Engine, half_precision_dtype, int8_acoustic_applies, vocoder_schedule
from tts.models.chunking import BlockSchedule, Chunk, depad
from tts.models.hifigan import HiFiGANConfig, HiFiGANGenerator
from tts.models.hifigan_bridge import BakerMelStats, HiFiGANVocoder
from tts.models.layers import TimeConv1d, cpu_has_vnni
from tts.serving.profiles import ProfileError, load_profile, profile_from_dict

SENTENCES = eval_sentences()[:8]


@pytest.mark.parametrize("pad_mode,kernel,dilation", [("zeros", 3, 1), ("zeros", 5, 1), ("reflect", 3, 9),
                                                       ("zeros", 1, 1)])
def test_int8_convolution_tracks_float_and_each_item_keeps_its_own_scale(pad_mode, kernel, dilation):
    torch.manual_seed(0)
    conv = TimeConv1d(64, 96, kernel, dilation=dilation, pad_mode=pad_mode).eval()
    x = torch.randn(3, 40, 64)
    x[1] *= 20.0  # a loud item must not coarsen its neighbours' quantization
    with torch.inference_mode():
        exact = conv(x)
        conv.use_int8(True)
        together = conv(x)
        alone = torch.cat([conv(x[b : b + 1]) for b in range(3)])
        out = torch.zeros_like(exact)
        conv.accumulate(out, x)
        conv.use_int8(False)
        restored = conv(x)
    assert together.shape == exact.shape and together.dtype == torch.float32
    assert torch.equal(together, alone)
    assert torch.equal(out, together)
    for b in range(3):
        assert snr_db(exact[b], together[b]) >= 30.0, b
    assert torch.equal(restored, exact)


def test_int8_profile_key_needs_the_acoustic_model_on_the_cpu():
    raw = dataclasses.asdict(load_profile("gpu-16gb"))
    raw["precision"]["acoustic_int8"] = True
    with pytest.raises(ProfileError, match="precision.acoustic_int8 needs devices.acoustic: cpu"):
        profile_from_dict(raw)
    raw["precision"]["acoustic_int8"] = "yes"
    with pytest.raises(ProfileError, match="precision.acoustic_int8: expected true or false"):
        profile_from_dict(raw)
    cpu = load_profile("cpu").precision
    assert cpu.acoustic_int8  # heard as well as float32, and batched == alone on one thread: adopted
    assert cpu.hifigan_bf16  # its stream equals whole decoding (fixed-shape blocks): adopted


@pytest.fixture(scope="module")
def items(pipeline) -> list[AcousticItem]:
    return [AcousticItem(seg.ids) for text in SENTENCES for seg in pipeline.prepare(text, max_chars=200)]


@pytest.fixture(scope="module")
def stats() -> BakerMelStats:
    return BakerMelStats.load()


@needs_vnni
def test_int8_acoustic_keeps_durations_and_stays_within_the_shipped_models_noise(engine, items, stats):
    """Float32 differs from the shipped int8 TFLite model by a median 23 dB mel SNR
    (docs/models.md); int8 here must stay well inside that, with every duration equal."""
    model = engine.acoustic_model
    assert not model.frame_level_int8
    with torch.inference_mode():
        exact = [engine.acoustic([it])[0] for it in items]
        model.use_int8(True)
        try:
            quantized = [engine.acoustic([it])[0] for it in items]
            batched = engine.acoustic(items[:4])
        finally:
            model.use_int8(False)
        restored = engine.acoustic([items[0]])[0]
    std = torch.tensor(stats.std, dtype=torch.float32)
    snrs, lsds = [], []
    for a, b in zip(exact, quantized):
        assert np.array_equal(a.durations, b.durations)
        assert a.mel.shape == b.mel.shape
        snrs.append(snr_db(a.mel, b.mel))
        lsds.append(float(torch.sqrt(((20.0 * (a.mel - b.mel) * std) ** 2).mean(dim=1)).mean()))
    # The same items batched: durations equal; the mel up to an occasional int8 rounding flip
    # (float attention in a batch differs from alone in the last bits).
    batch_snr = min(snr_db(a.mel, b.mel) for a, b in zip(quantized, batched))
    assert all(np.array_equal(a.durations, b.durations) for a, b in zip(quantized, batched))
    report(f"int8 frame-level vs float32, {len(items)} segments: mel SNR min {min(snrs):.1f} / median "
           f"{np.median(snrs):.1f} dB, mel log-spectral distance mean {np.mean(lsds):.2f} / max {max(lsds):.2f} dB; "
           f"batched vs alone worst SNR {batch_snr:.1f} dB")
    assert min(snrs) >= 25.0 and np.median(snrs) >= 30.0
    assert np.mean(lsds) <= 0.5
    assert batch_snr >= 40.0
    torch.testing.assert_close(restored.mel, exact[0].mel, rtol=0, atol=0)


def test_engine_for_profile_applies_the_precision_keys(weights_dir):
    cpu = load_profile("cpu")
    engine = Engine.for_profile(dataclasses.replace(cpu, precision=dataclasses.replace(
        cpu.precision, acoustic_int8=True, hifigan_bf16=True)), weights_dir)
    # int8 where the CPU has VNNI, float32 elsewhere (7-bit activations without it: see int8_acoustic_applies)
    assert engine.acoustic_model.frame_level_int8 == cpu_has_vnni() == int8_acoustic_applies(cpu)
    assert ("int8" in engine.precision()) == cpu_has_vnni()
    want = half_precision_dtype("cpu")
    if "hifigan" in engine.vocoders:
        hifigan = engine.vocoders["hifigan"]
        assert hifigan.compute_dtype == want
        blocks = cpu.vocoder  # the stream's layout, with HiFi-GAN's own pad, is the one bf16 decodes everything in
        assert (hifigan.schedule.first_block, hifigan.schedule.block, hifigan.schedule.pad) == (
            blocks.first_block_frames, blocks.block_frames, blocks.hifigan_pad_frames)
        assert blocks.hifigan_pad_frames == 16 < blocks.pad_frames
        assert hifigan.blocked == (want is not None)
        if want is not None:  # a pad below the receptive field could not make the stream exact
            with pytest.raises(ValueError, match="hifigan_pad_frames >= 15"):
                Engine(engine.acoustic_model, {"hifigan": hifigan}, vocoder_dtypes={"hifigan": want},
                       vocoder_schedule=BlockSchedule(8, 160, 8))
    plain = dataclasses.replace(load_profile("cpu"), precision=dataclasses.replace(
        load_profile("cpu").precision, acoustic_int8=False, hifigan_bf16=False))
    engine = Engine.for_profile(plain, weights_dir, vocoders=("mb_melgan",))
    assert not engine.acoustic_model.frame_level_int8 and "int8" not in engine.precision()


@pytest.mark.slow
def test_hifigan_bf16_renders_the_mel_as_well_as_float32_and_streams_exactly(engine, items, stats):
    """bf16 HiFi-GAN on a CPU decodes in the cpu profile's fixed-shape blocks (BlockSchedule, with
    HiFi-GAN's own pad and a segment's last call only as long as its context needs): its stream
    (each block the one call `decode_chunk` makes) and a batch give exactly what whole decoding
    gives, and it renders the requested mel within 0.2 dB of float32."""
    from bench.vocoder_compare import lsd_db

    if half_precision_dtype("cpu") != torch.bfloat16:
        pytest.skip("this CPU has no native bf16 units: HiFi-GAN stays float32 here")
    vocoder = engine.vocoder("hifigan")
    schedule, before = vocoder_schedule(load_profile("cpu")), vocoder.schedule
    with torch.inference_mode():
        mels = [r.mel for r in engine.acoustic(items[:4])]
        plain = [vocoder(m[None])[0].numpy() for m in mels]
        vocoder.compute_dtype, vocoder.schedule = torch.bfloat16, schedule
        try:
            assert vocoder.blocked
            half = [vocoder(m[None])[0].numpy() for m in mels]
            streamed = [torch.cat([depad(vocoder.decode_chunk(m[None, c.context_start : c.context_end], c, len(m)),
                                         c, 300) for c in schedule.chunks(len(m))], -1)[0].numpy() for m in mels]
            n = min(m.shape[0] for m in mels[:2])
            batched = vocoder(torch.stack([m[:n] for m in mels[:2]])).numpy()
            alone = [vocoder(m[None, :n])[0].numpy() for m in mels[:2]]
        finally:
            vocoder.compute_dtype, vocoder.schedule = None, before
    targets = [m.numpy().astype(np.float64) * stats.std + stats.mean for m in mels]
    lsd_plain = np.mean([lsd_db(a, t)[1] for a, t in zip(plain, targets)])
    lsd_half = np.mean([lsd_db(a, t)[1] for a, t in zip(half, targets)])
    report(f"HiFi-GAN bf16 ({schedule.first_block}/{schedule.block}/{schedule.pad}) vs float32, {len(mels)} "
           f"segments: LSD (speech frames) {lsd_half:.3f} vs {lsd_plain:.3f} dB; streamed == whole bit for bit")
    assert all(a.shape == b.shape and np.isfinite(b).all() for a, b in zip(plain, half))
    assert abs(lsd_half - lsd_plain) <= 0.2
    for whole, stream in zip(half, streamed):
        np.testing.assert_array_equal(stream, whole)
    for b in range(2):
        np.testing.assert_array_equal(batched[b], alone[b])


def test_a_bf16_block_decoded_alone_is_one_generator_call_equal_to_whole_decoding():
    """A stream's block, or a long-form block on a core of its own, is decoded in the one call
    whole decoding makes for that chunk (decoded as an input of its own it would take two or
    three), and its own frames are bit for bit the whole decoding's. Random small weights."""
    if half_precision_dtype("cpu") != torch.bfloat16:
        pytest.skip("this CPU has no native bf16 units: HiFi-GAN stays float32 here")
    torch.manual_seed(0)
    generator = HiFiGANGenerator(HiFiGANConfig(upsample_initial_channel=32)).eval()
    vocoder = HiFiGANVocoder(generator, BakerMelStats.load()).eval()
    vocoder.compute_dtype = torch.bfloat16
    vocoder.schedule = BlockSchedule(8, 40, 16)  # pad 16 >= the receptive field (15); several blocks
    calls: list[int] = []
    generator.register_forward_hook(lambda module, args, out: calls.append(args[0].shape[1]))
    frames = 130
    mel = torch.randn(1, frames, 80) * 0.5
    chunks = vocoder.schedule.chunks(frames)
    with torch.inference_mode():
        whole = vocoder(mel)
        assert calls == [vocoder.schedule.call_frames(c) for c in chunks]
        for chunk in chunks:
            calls.clear()
            block = vocoder.decode_chunk(mel[:, chunk.context_start : chunk.context_end], chunk, frames)
            assert calls == [vocoder.schedule.call_frames(chunk)]
            torch.testing.assert_close(depad(block, chunk, 300), whole[:, chunk.start * 300 : chunk.end * 300],
                                       rtol=0, atol=0)
        calls.clear()
        vocoder(mel[:, chunks[2].context_start : chunks[2].context_end])  # the same block as an input of its own
        assert len(calls) == 3
        with pytest.raises(ValueError, match="is not a chunk of"):  # another layout's chunk has no one call
            vocoder.decode_chunk(mel[:, :56], Chunk(0, 40, 0, 56), frames)
        vocoder.compute_dtype = None  # float32: no fixed-shape calls, the context decoded whole
        context = mel[:, chunks[2].context_start : chunks[2].context_end]
        torch.testing.assert_close(vocoder.decode_chunk(context, chunks[2], frames), vocoder(context), rtol=0, atol=0)


def test_the_page_marks_hifigan_slow_unless_the_profile_declares_it_real_time(engine, pipeline):
    from conftest import cpu_variant

    from tts.web.ui_handlers import SLOW_NOTE, quality_choices

    if "hifigan" not in engine.vocoders:
        pytest.fail("hifigan is not loaded: run `python -m tts fetch`")
    for declared, marked in ((None, True), (False, True), (True, False)):
        synth = cpu_variant(engine, pipeline, vocoder={"hifigan_realtime": declared})
        try:
            labels = dict((q, label) for label, q in quality_choices(synth))
        finally:
            synth.close()
        assert set(labels) == {"fast", "high"}
        assert labels["high"].endswith(SLOW_NOTE) == marked, declared
        assert not labels["fast"].endswith(SLOW_NOTE)


@pytest.mark.slow
def test_bf16_hifigan_streams_and_long_form_equal_whole_decoding_through_the_synthesizer(engine, pipeline):
    """Through the device worker (first block alone, later blocks one per core, whole segments
    side by side): every segment's audio is its mel decoded whole, streamed and long-form."""
    from conftest import cpu_synthesizer

    from tts.options import SynthesisOptions

    if half_precision_dtype("cpu") != torch.bfloat16:
        pytest.skip("this CPU has no native bf16 units: HiFi-GAN stays float32 here")
    vocoder = engine.vocoder("hifigan")
    text = "今天天气很好，我们一起去公园散步吧！公园里有很多花，红的黄的都有，非常漂亮。"
    before = vocoder.schedule
    vocoder.compute_dtype, vocoder.schedule = torch.bfloat16, vocoder_schedule(load_profile("cpu"))
    try:
        synth = next(cpu_synthesizer(engine, pipeline))
        mels: dict[tuple[int, ...], torch.Tensor] = {}
        original = synth.workers["cpu"].handlers["acoustic"]

        def spy(items):  # helper threads run a batch's items one call each: keyed by their ids
            out = original(items)
            mels.update((tuple(it.ids), r.mel) for it, r in zip(items, out))
            return out

        synth.workers["cpu"].handlers["acoustic"] = spy
        try:
            results = [synth.synthesize(SynthesisOptions(text, quality="high"), use_cache=False, long_form=long_form)
                       for long_form in (False, True)]
        finally:
            synth.close()
        worst = np.inf
        for result in results:
            spoken = [seg for seg in result.segments if seg.durations]
            assert len(spoken) >= 2
            for seg in spoken:
                mel = mels[tuple(pipeline.symbols.encode(seg.phonemes))]
                start = round(seg.start_s * 24000)
                got = result.audio[start : start + mel.shape[0] * 300]
                worst = min(worst, snr_db(engine.vocode(mel, "hifigan"), got))
    finally:
        vocoder.compute_dtype, vocoder.schedule = None, before
    report(f"bf16 HiFi-GAN through the synthesizer, streamed and long-form vs whole decoding: worst segment "
           f"SNR {worst:.1f} dB")
    assert worst >= 60.0
