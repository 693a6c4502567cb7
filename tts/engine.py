"""The neural half of synthesis, language-blind: symbol ids -> mel -> waveform on chosen devices.

Models are loaded once and stay resident. Faults degrade instead of failing: a CUDA
out-of-memory error in a vocoder call is retried in smaller chunks (exact, thanks to the
chunk padding), then on a CPU copy of the vocoder; each fallback is logged and counted.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from tts.models.chunking import BlockSchedule, Chunk, get_chunks, run_chunked
from tts.models.fastspeech2 import FastSpeech2, VarianceControl
from tts.models.hifigan_bridge import HiFiGANVocoder
from tts.models.layers import cpu_has_vnni
from tts.models.loading import load_fastspeech2, load_mb_melgan
from tts.models.threads import one_thread
from tts.serving.profiles import Profile
from tts.weights.fetch import WeightsError

log = logging.getLogger(__name__)

SAMPLE_RATE = 24000
HOP_SIZE = 300
OOM_RETRY_PAD = 24  # context frames kept when an out-of-memory retry splits a vocoder call
OOM_MIN_BLOCK = 4  # smallest block tried before giving up on the device
# oneDNN (PyTorch's CPU convolutions; here only HiFi-GAN uses them) compiles and keeps a kernel
# for every input shape it meets, up to a large default count: a server that sees ever new
# lengths would keep growing. The bound is read once, at oneDNN's first use, so it is set before
# any model runs; a smaller cache only means an evicted kernel is rebuilt now and then (the
# figures: BENCHMARKS.md, "Figures behind constants").
ONEDNN_CACHE_ENV = "ONEDNN_PRIMITIVE_CACHE_CAPACITY"
ONEDNN_CACHE_CAPACITY = 128


def is_out_of_memory(exc: BaseException) -> bool:
    return isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower()


@dataclass
class AcousticItem:
    """One utterance for the acoustic model."""

    ids: list[int]  # symbol ids, eos included
    duration_scale: float | list[float] = 1.0  # per utterance or per symbol (len(ids))
    pitch_scale: float | list[float] = 1.0
    pitch_shift: float | list[float] = 0.0
    energy_scale: float | list[float] = 1.0
    energy_shift: float | list[float] = 0.0


@dataclass
class AcousticResult:
    mel: torch.Tensor  # (T, 80) float32 on the CPU
    durations: np.ndarray  # (N,) frames per symbol
    pitch: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) controlled, normalized units
    energy: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _per_symbol(values: list, n_max: int, default: float) -> torch.Tensor:
    """Stack per-item controls (float or per-symbol list) into (B, n_max)."""
    rows = []
    for v in values:
        if isinstance(v, (int, float)):
            rows.append(torch.full((n_max,), float(v)))
        else:
            row = torch.full((n_max,), default)
            row[: len(v)] = torch.as_tensor(v, dtype=torch.float32)
            rows.append(row)
    return torch.stack(rows)


def vocoder_schedule(profile: Profile) -> BlockSchedule:
    """The fixed-shape block layout a reduced-precision vocoder decodes every input in: the
    stream's first block and block lengths, with HiFi-GAN's own context (`hifigan_pad_frames`)."""
    blocks = profile.vocoder
    return BlockSchedule(blocks.first_block_frames, blocks.block_frames, blocks.hifigan_pad_frames)


def half_precision_dtype(device: torch.device | str) -> torch.dtype | None:
    """The half precision worth using on a device: fp16 on CUDA, bf16 on CPUs with native bf16."""
    if torch.device(device).type == "cuda":
        return torch.float16
    try:
        return torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else None
    except (AttributeError, RuntimeError):
        return None


def int8_acoustic_applies(profile: Profile) -> bool:
    """Whether a profile's `precision.acoustic_int8` takes effect here: only where the CPU sums
    int8 products in 32 bits (VNNI). Without it fbgemm quantizes activations to 7 bits to avoid
    16-bit saturation, which costs the mel several dB against float32 and makes an item batched
    with others differ from it alone (BENCHMARKS.md, "int8 without VNNI"): float32 there."""
    return profile.precision.acoustic_int8 and profile.devices.acoustic == "cpu" and cpu_has_vnni()


class Engine:
    """FastSpeech2 + vocoders kept resident on their devices, with batched inference."""

    sample_rate = SAMPLE_RATE
    hop_size = HOP_SIZE

    def __init__(self, acoustic: FastSpeech2, vocoders: dict[str, torch.nn.Module],
                 acoustic_device: str = "cpu", vocoder_device: str = "cpu",
                 acoustic_dtype: torch.dtype | None = None,
                 on_fallback: Callable[[str], None] | None = None, acoustic_int8: bool = False,
                 vocoder_dtypes: dict[str, torch.dtype | None] | None = None,
                 vocoder_schedule: BlockSchedule | None = None):
        """`acoustic_int8`: FastSpeech2's frame-level convolutions as dynamic int8 products (CPU
        only). `vocoder_dtypes`: a compute dtype per vocoder name, for vocoders that have one
        (`compute_dtype`: HiFi-GAN's generator; None = float32). `vocoder_schedule`: the
        stream's block layout, which such a vocoder in reduced precision decodes every input
        in (so its stream equals whole decoding); its pad must cover the receptive field."""
        self.acoustic_device = torch.device(acoustic_device)
        self.vocoder_device = torch.device(vocoder_device)
        self.acoustic_model = acoustic.to(self.acoustic_device).eval()
        self.acoustic_model.decoder_dtype = acoustic_dtype  # fp16 on CUDA, bf16 on CPU, or None
        if acoustic_int8:
            if self.acoustic_device.type != "cpu":
                raise ValueError("int8 acoustic inference runs on the CPU only (fbgemm)")
            self.acoustic_model.use_int8(True)
        self.vocoders = {name: v.to(self.vocoder_device).eval() for name, v in vocoders.items()}
        for name, v in self.vocoders.items():
            if v.hop_size != self.hop_size:
                raise ValueError(f"vocoder {name} has hop {v.hop_size}, the engine needs {self.hop_size}")
        for name, dtype in (vocoder_dtypes or {}).items():
            if name in self.vocoders:
                if not hasattr(self.vocoders[name], "compute_dtype"):
                    raise ValueError(f"vocoder {name} runs in float32 only")
                setattr(self.vocoders[name], "compute_dtype", dtype)  # noqa: B010 - nn.Module's typed __setattr__
        for name, v in self.vocoders.items():
            if vocoder_schedule is not None and hasattr(v, "schedule"):
                reach = int(getattr(v, "receptive_field_frames"))  # noqa: B009 - nn.Module's typed __getattr__
                if getattr(v, "compute_dtype", None) is not None and vocoder_schedule.pad < reach:
                    raise ValueError(f"vocoder {name} in reduced precision needs hifigan_pad_frames >= {reach} "
                                     f"(its receptive field), got {vocoder_schedule.pad}")
                setattr(v, "schedule", vocoder_schedule)  # noqa: B010 - nn.Module's typed __setattr__
        self.on_fallback = on_fallback or (lambda kind: None)
        self._cpu_vocoders: dict[str, torch.nn.Module] = {}

    @classmethod
    def load(cls, data_dir: str | os.PathLike | None = None, acoustic_device: str = "cpu",
             vocoder_device: str = "cpu", acoustic_dtype: torch.dtype | None = None,
             vocoders: tuple[str, ...] = ("mb_melgan", "hifigan"), **kwargs) -> Engine:
        """Load FastSpeech2 and the vocoders; HiFi-GAN is skipped (logged) if its weights are absent."""
        os.environ.setdefault(ONEDNN_CACHE_ENV, str(ONEDNN_CACHE_CAPACITY))
        loaded: dict[str, torch.nn.Module] = {}
        if "mb_melgan" in vocoders:
            loaded["mb_melgan"] = load_mb_melgan(data_dir)
        if "hifigan" in vocoders:
            try:
                from tts.models.hifigan_bridge import load_hifigan_vocoder

                loaded["hifigan"] = load_hifigan_vocoder(data_dir)
            except WeightsError as exc:
                log.warning("high-fidelity vocoder unavailable: %s", exc)
        return cls(load_fastspeech2(data_dir), loaded, acoustic_device, vocoder_device, acoustic_dtype, **kwargs)

    @classmethod
    def for_profile(cls, profile: Profile, data_dir: str | os.PathLike | None = None, **kwargs) -> Engine:
        """`load` with a hardware profile's devices and precision (the `precision` section)."""
        precision = profile.precision
        acoustic = profile.devices.acoustic
        vocoder = profile.devices.vocoder
        dtype = half_precision_dtype(acoustic) if precision.fp16 else None
        hifigan = half_precision_dtype(vocoder) if precision.hifigan_bf16 and vocoder == "cpu" else None
        return cls.load(data_dir, acoustic, vocoder, dtype, acoustic_int8=int8_acoustic_applies(profile),
                        vocoder_dtypes={"hifigan": hifigan}, vocoder_schedule=vocoder_schedule(profile), **kwargs)

    def precision(self) -> str:
        """How the models compute, in words (the System tab, logs)."""
        model = self.acoustic_model
        acoustic = str(model.decoder_dtype or torch.float32).replace("torch.", "")
        if model.frame_level_int8:
            acoustic += ", int8 convolutions"
        parts = [f"acoustic {acoustic}"]
        for name, v in self.vocoders.items():
            dtype = getattr(v, "compute_dtype", None) or torch.float32
            parts.append(f"{name} {str(dtype).replace('torch.', '')}")
        return "; ".join(parts)

    @property
    def max_frames(self) -> int:
        return self.acoustic_model.max_frames

    def vocoder(self, name: str) -> torch.nn.Module:
        if name not in self.vocoders:
            raise KeyError(f"vocoder {name!r} is not loaded (available: {', '.join(self.vocoders)})")
        return self.vocoders[name]

    def receptive_pad(self, name: str) -> int:
        """Context frames that make chunked decoding equal whole decoding for this vocoder."""
        return int(getattr(self.vocoder(name), "recommended_pad", 20))

    @torch.inference_mode()
    def acoustic(self, items: list[AcousticItem]) -> list[AcousticResult]:
        """FastSpeech2 for a batch: the symbol-level half item by item, the frame-level half batched.

        Running the cheap symbol-level half (encoder, variance predictors) alone per item makes
        every item's durations, pitch and energy exactly what it gets alone, whatever it is
        batched with; the heavy frame-level half (decoder, postnet) runs as one padded batch.
        Results are per item, unpadded, on the CPU.

        With the frame-level half in int8 the symbol-level half runs on one thread: some of its
        float results round differently on one thread than on several, and a last-bit difference
        in its output moves an int8 rounding downstream, so an item batched with others' (one
        thread per item on the CPU workers) would otherwise differ from the same item alone (all
        cores) by the int8 noise itself. The int8 frame-level half gives the same bits on any
        thread count (integer products; its float steps split work by rows), so it keeps them.
        """
        if not items:
            return []
        if self.acoustic_model.frame_level_int8:
            with one_thread():
                parts = self._symbol_level(items)
        else:
            parts = self._symbol_level(items)
        return self._frame_level(items, parts)

    def _symbol_level(self, items: list[AcousticItem]) -> list[tuple[torch.Tensor, ...]]:
        """Encoder and variance predictors, one item at a time, on the calling thread's thread count."""
        dev = self.acoustic_device
        model = self.acoustic_model
        parts = []
        for it in items:
            n = len(it.ids)
            control = VarianceControl(
                duration_scale=_per_symbol([it.duration_scale], n, 1.0).to(dev),
                pitch_scale=_per_symbol([it.pitch_scale], n, 1.0).to(dev),
                pitch_shift=_per_symbol([it.pitch_shift], n, 0.0).to(dev),
                energy_scale=_per_symbol([it.energy_scale], n, 1.0).to(dev),
                energy_shift=_per_symbol([it.energy_shift], n, 0.0).to(dev))
            ids = torch.as_tensor(it.ids, dtype=torch.long)[None].to(dev, non_blocking=True)
            parts.append(model.symbol_level(ids, control))
        return parts

    def _frame_level(self, items: list[AcousticItem], parts: list[tuple[torch.Tensor, ...]]) -> list[AcousticResult]:
        """Decoder and postnet for the batch, padded to its longest item; results unpadded."""
        model = self.acoustic_model
        n_max = max(len(it.ids) for it in items)

        def stack(k: int) -> torch.Tensor:
            tensors = [p[k][0] for p in parts]
            out = tensors[0].new_zeros((len(tensors), n_max, *tensors[0].shape[1:]))
            for b, t in enumerate(tensors):
                out[b, : t.shape[0]] = t
            return out

        hidden, mask, durations, pitch, energy = (stack(k) for k in range(5))
        mel, _, lengths = model.frame_level(hidden, mask, durations, pitch, energy)
        mel = mel.cpu()
        results = []
        for b, it in enumerate(items):
            n = len(it.ids)
            results.append(AcousticResult(
                mel=mel[b, : int(lengths[b])].contiguous(),
                durations=durations[b, :n].cpu().numpy(),
                pitch=pitch[b, :n].float().cpu().numpy(),
                energy=energy[b, :n].float().cpu().numpy()))
        return results

    def _cpu_copy(self, name: str) -> torch.nn.Module:
        if name not in self._cpu_vocoders:
            self._cpu_vocoders[name] = copy.deepcopy(self.vocoders[name]).to("cpu")
        return self._cpu_vocoders[name]

    def stream_chunks(self, name: str, frames: int, block: int, pad: int,
                      first_block: int | None = None) -> tuple[list[Chunk], bool]:
        """How a stream cuts a `frames`-frame mel for vocoder `name`, and whether each chunk is then
        decoded in one call of its own (`vocode_batch`'s `span`).

        A vocoder that decodes every input in a fixed-shape schedule (HiFi-GAN in bf16 on a CPU)
        is cut in that schedule's chunks, so each block is the one call whole decoding makes
        for it (decoded as an input of its own, a block would take two or three); any other
        vocoder in the given layout.
        """
        model = self.vocoder(name)
        if isinstance(model, HiFiGANVocoder) and model.blocked:
            return model.schedule.chunks(frames), True
        return get_chunks(frames, block, pad, first_block), False

    @torch.inference_mode()
    def vocode_batch(self, mels: list[torch.Tensor], name: str = "mb_melgan",
                     span: tuple[Chunk, int] | None = None) -> list[np.ndarray]:
        """Equal-length mels [(T, 80)] -> waveforms [(T * hop,)] in one batched call.

        `span` (chunk, frames): the mels are that chunk's context in `frames`-frame inputs cut by
        `stream_chunks`, decoded in the chunk's one call where the vocoder has such calls (the
        chunk's own frames are then exact, the context frames are not meant to be used).
        On CUDA out-of-memory: retry in halves (exact: chunks keep their context), then on the CPU.
        """
        model = self.vocoder(name)
        x = torch.stack(mels)
        if span is not None and isinstance(model, HiFiGANVocoder) and model.blocked:
            return list(model.decode_chunk(x, *span).numpy())
        try:
            audio = model(x.to(self.vocoder_device, non_blocking=True))
        except Exception as exc:  # noqa: BLE001
            if not is_out_of_memory(exc):
                raise
            audio = self._vocode_after_oom(x, name)
        return list(audio.float().cpu().numpy())

    def _vocode_after_oom(self, x: torch.Tensor, name: str) -> torch.Tensor:
        """Redo a vocoder call that ran out of memory: in ever smaller blocks, then on the CPU."""
        cuda = self.vocoder_device.type == "cuda"
        model = self.vocoders[name]
        block = x.shape[1] // 2
        while block >= OOM_MIN_BLOCK:
            if cuda:
                torch.cuda.empty_cache()
            self.on_fallback("vocoder_smaller_chunks")
            log.warning("vocoder %s ran out of memory on %s frames: retrying in blocks of %d",
                        name, tuple(x.shape[:2]), block)
            try:
                parts = [p.cpu() for p in run_chunked(model, x.to(self.vocoder_device), block, OOM_RETRY_PAD,
                                                      scale=self.hop_size)]
                return torch.cat(parts, dim=-1)
            except Exception as exc:  # noqa: BLE001
                if not is_out_of_memory(exc):
                    raise
                block //= 2
        if not cuda:
            raise MemoryError(f"vocoder {name} ran out of memory even in blocks of {OOM_MIN_BLOCK} frames")
        torch.cuda.empty_cache()
        self.on_fallback("vocoder_cpu")
        log.warning("vocoder %s still out of GPU memory: running this call on the CPU", name)
        return self._cpu_copy(name)(x.cpu())

    def vocode(self, mel: torch.Tensor, name: str = "mb_melgan") -> np.ndarray:
        """mel (T, 80) -> waveform (T * hop,) float32 in [-1, 1]."""
        return self.vocode_batch([mel], name)[0]

    @torch.inference_mode()
    def vocode_stream(self, mel: torch.Tensor, block: int, pad: int, first_block: int | None = None,
                      name: str = "mb_melgan") -> Iterator[np.ndarray]:
        """mel (T, 80) -> waveform pieces; joined they equal `vocode(mel)` (pad >= receptive field)."""
        x = mel[None].to(self.vocoder_device)
        for piece in run_chunked(self.vocoder(name), x, block, pad, scale=self.hop_size, first_block=first_block):
            yield piece[0].float().cpu().numpy()

    def device_memory(self) -> dict[str, float]:
        """Bytes in use: CUDA allocated per device, and this process's resident memory."""
        import psutil

        used = {"cpu_rss": float(psutil.Process().memory_info().rss)}
        for dev in {self.acoustic_device, self.vocoder_device}:
            if dev.type == "cuda":
                used[str(dev)] = float(torch.cuda.memory_allocated(dev))
        return used
