"""Parity of the PyTorch port with the original TFLite models run under LiteRT.

The reference runs LiteRT's builtin kernels with every intermediate tensor preserved: its
dropout masks (pitch/energy embeddings, seeded) and the tensor between every pair of stages.

The shipped graph computes with int8 weights and re-quantizes each layer's input to int8 on
the fly. `emulate_hybrid_int8` gives the port the same arithmetic, and then each stage fed the
reference's own input reproduces the reference's output to float32 rounding (~130 dB): that is
the exact comparison this file asserts, stage by stage, for 20 sentences:
encoder layers -> variance predictors (durations must be equal) -> variance embeddings and
length regulator -> decoder layers -> mel projection -> postnet (the mel), and MB-MelGAN on
the same mel.

Chained end to end, a 1e-7 float difference eventually flips one int8 rounding and the flip
grows to the int8 noise floor, so whole-utterance figures are reported, not asserted
exactly: with emulation (same arithmetic) and in plain float32 (what the service runs).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import eval_sentences, report, snr_db

from tts.weights.litert_reference import LiteRTReference, emulate_hybrid_int8
from tts.models.fastspeech2 import regulate_length
from tts.weights.fetch import reference_files

SENTENCES = eval_sentences()[:20]
STAGE_SNR_DB = 60.0  # stage-wise parity: far above any quantization noise, far below float rounding


@pytest.fixture(scope="module")
def reference(weights_dir):
    fs2, mb = reference_files(weights_dir)
    return LiteRTReference(fs2, mb, num_threads=2, preserve_all_tensors=True, builtin_kernels=True)


def _block_stages(block, x, mask, t, tf: str, name: str) -> dict[str, float]:
    """One FFT block in four stages, each fed the reference's input: attention, the two
    int8 convolutions of the feed-forward part, and the residual layer norm."""
    ffn = f"{tf}/intermediate"
    return {
        f"{name}.attention": snr_db(t[f"{tf}/attention/mul"], block.attention(x, mask)),
        f"{name}.conv1": snr_db(t[f"{ffn}/conv1d_1/BiasAdd"], block.conv1(t[f"{tf}/attention/mul"], mask)),
        f"{name}.conv2": snr_db(t[f"{ffn}/conv1d_2/BiasAdd"], block.conv2(t[f"{ffn}/activation_5/mul"], mask)),
        f"{name}.norm": snr_db(t[f"{tf}/mul"],
                               block.norm(t[f"{ffn}/conv1d_2/BiasAdd"] * mask + t[f"{tf}/attention/mul"]) * mask),
    }


def _stages(fs, ids, ref) -> dict[str, float]:
    """SNR of each stage of the port, fed the reference's input to that stage."""
    t = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in ref.tensors.items()
         if k in ref.tensors and np.asarray(v).dtype.kind == "f"}
    x = torch.tensor([ids])
    mask = torch.ones(1, len(ids), 1)
    out: dict[str, float] = {}
    prev = fs.symbol_embedding(x) + fs.positions[1 : len(ids) + 1]
    out["embedding"] = snr_db(t["embeddings/add_1"], prev)
    prev = t["embeddings/add_1"]
    for i, block in enumerate(fs.encoder):
        out.update(_block_stages(block, prev, mask, t, f"encoder/layer_._{i}", f"encoder.{i}"))
        prev = t[f"encoder/layer_._{i}/mul"]
    log_d, pitch, energy = fs.predict_variances(prev, mask)
    durations = torch.round(torch.relu(torch.exp(log_d) - 1.0)).long()[0].numpy()
    out["durations_equal"] = float(np.array_equal(durations, ref.durations))
    out["pitch"] = snr_db(ref.f0, pitch[0])
    out["energy"] = snr_db(ref.energy, energy[0])
    pe = fs.pitch_embedding(torch.from_numpy(ref.f0)[None, :, None], mask) * torch.from_numpy(ref.f0_mask) * 2
    ee = fs.energy_embedding(torch.from_numpy(ref.energy)[None, :, None], mask) * torch.from_numpy(ref.energy_mask) * 2
    frames, _ = regulate_length(prev + (pe + ee), torch.from_numpy(ref.durations)[None])
    n = frames.shape[1]
    out["length_regulator"] = snr_db(t["decoder/add"], frames + fs.positions[1 : n + 1])
    prev, frame_mask = t["decoder/add"], torch.ones(1, n, 1)
    for i, block in enumerate(fs.decoder):
        out.update(_block_stages(block, prev, frame_mask, t, f"decoder/layer_._{i}", f"decoder.{i}"))
        prev = t[f"decoder/layer_._{i}/mul"]
    out["mel_before"] = snr_db(ref.mel_before, fs.mel_linear(prev))
    residual = torch.from_numpy(ref.mel_before)[None]
    for i, conv in enumerate(fs.postnet):
        residual = conv(residual, frame_mask)
        residual = torch.tanh(residual) if i < len(fs.postnet) - 1 else residual
    out["mel"] = snr_db(ref.mel, residual + torch.from_numpy(ref.mel_before)[None])
    return out


@pytest.fixture(scope="module")
def measured(reference, engine, pipeline):
    """Run every comparison once per sentence; the tests assert on the collected numbers."""
    fs, vocoder = engine.acoustic_model, engine.vocoders["mb_melgan"]
    rows = []
    for text in SENTENCES:
        segments = pipeline.prepare(text, max_chars=200)
        assert len(segments) == 1, text
        ids = segments[0].ids
        ref = reference.text_to_mel(ids, keep_tensors=True)
        ref_wave = reference.mel_to_wave(ref.mel)
        row = {"text": text, "symbols": len(ids)}
        x = torch.tensor([ids])
        masks = dict(pitch_dropout_mask=torch.from_numpy(ref.f0_mask)[None],
                     energy_dropout_mask=torch.from_numpy(ref.energy_mask)[None])
        for mode in ("emulated", "float"):
            handles = emulate_hybrid_int8(fs, vocoder) if mode == "emulated" else []
            try:
                with torch.inference_mode():
                    if mode == "emulated":
                        row["stages"] = _stages(fs, ids, ref)
                    predicted = fs(x).durations[0].numpy()
                    mel = fs(x, durations=torch.from_numpy(ref.durations)[None], **masks).mel[0]
                    wave = vocoder(torch.from_numpy(ref.mel)[None])[0]
            finally:
                for h in handles:
                    h.remove()
            row[mode] = {"duration_mismatches": int((predicted != ref.durations).sum()),
                         "mel_snr": snr_db(ref.mel, mel), "wave_snr": snr_db(ref_wave, wave)}
        rows.append(row)
    stage_names = [k for k in rows[0]["stages"] if k != "durations_equal"]
    worst = {k: min(r["stages"][k] for r in rows) for k in stage_names}
    report(f"parity stage-wise (int8-emulated, reference inputs), worst SNR over {len(rows)} sentences: "
           + ", ".join(f"{k} {v:.0f} dB" for k, v in worst.items())
           + f"; durations equal in {sum(int(r['stages']['durations_equal']) for r in rows)}/{len(rows)}")
    symbols = sum(r["symbols"] for r in rows)
    for mode in ("emulated", "float"):
        mel = [r[mode]["mel_snr"] for r in rows]
        wave = [r[mode]["wave_snr"] for r in rows]
        report(f"parity end-to-end ({mode}): {len(rows)} sentences, {symbols} symbols, durations differing "
               f"{sum(r[mode]['duration_mismatches'] for r in rows)}; mel SNR min {min(mel):.1f} / median "
               f"{np.median(mel):.1f} dB; MB-MelGAN wave SNR min {min(wave):.1f} / median {np.median(wave):.1f} dB")
    return rows


def test_twenty_varied_sentences(measured):
    assert len(measured) == 20
    assert len({r["text"] for r in measured}) == 20


def test_durations_equal_the_reference(measured):
    unequal = [r["text"] for r in measured if not r["stages"]["durations_equal"]]
    assert not unequal


@pytest.mark.parametrize("stage", ["embedding", "pitch", "energy", "length_regulator", "mel_before"] + [
    f"{part}.{i}.{sub}" for part in ("encoder", "decoder") for i in range(3)
    for sub in ("attention", "conv1", "conv2", "norm")])
def test_every_stage_matches(measured, stage):
    worst = min(measured, key=lambda r: r["stages"][stage])
    assert worst["stages"][stage] >= STAGE_SNR_DB, (stage, worst["text"], worst["stages"][stage])


def test_mel_snr_at_least_30_db(measured):
    worst = min(measured, key=lambda r: r["stages"]["mel"])
    assert worst["stages"]["mel"] >= 30.0, (worst["text"], worst["stages"]["mel"])


def test_mb_melgan_wave_snr_at_least_30_db(measured):
    worst = min(measured, key=lambda r: r["emulated"]["wave_snr"])
    assert worst["emulated"]["wave_snr"] >= 30.0, (worst["text"], worst["emulated"]["wave_snr"])


def test_float_port_stays_within_the_references_int8_noise(measured):
    """Plain float32 differs from the reference by the reference's own int8 noise, no more."""
    assert np.median([r["float"]["mel_snr"] for r in measured]) >= 15.0
    assert np.median([r["float"]["wave_snr"] for r in measured]) >= 20.0
    mismatches = sum(r["float"]["duration_mismatches"] for r in measured)
    assert mismatches <= 0.1 * sum(r["symbols"] for r in measured)
