"""Hardware profiles: typed, validated load-time configuration, and choosing one for this machine.

A profile (tts/data/profiles/*.yaml) says where each model runs, in which precision, how text and
audio are chunked, how requests are batched, queued, timed out and cached. Unknown keys and
bad values are errors that name the key. At start-up `select_profile` detects the hardware
(CUDA device memory, RAM, cores) and picks the matching built-in profile, unless a name or a
path is given (argument, or $ZH_TTS_PROFILE).
"""

from __future__ import annotations

import dataclasses
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROFILE_DIR = Path(__file__).resolve().parents[1] / "data" / "profiles"
DEVICES = ("cpu", "cuda")
VOCODERS = ("mb_melgan", "hifigan")


class ProfileError(ValueError):
    """A profile file or value is invalid; the message names the key."""


def _range(lo=None, hi=None, choices=None):
    return {"lo": lo, "hi": hi, "choices": choices}


@dataclass(frozen=True)
class Devices:
    acoustic: str = field(default="cpu", metadata=_range(choices=DEVICES))
    vocoder: str = field(default="cpu", metadata=_range(choices=DEVICES))


@dataclass(frozen=True)
class Precision:
    # Half precision for FastSpeech2's frame-level half: fp16 on CUDA; on a CPU, bf16 when it has
    # native bf16 units (AVX512-BF16/AMX), else float32.
    fp16: bool = False
    # FastSpeech2's frame-level convolutions (decoder feed-forward, postnet) as dynamic int8
    # products (int8 weights per output channel, each item's input quantized on its own range):
    # the precision the shipped TFLite model computes in. Durations are unchanged (the symbol-
    # level half stays float32). CPU only. Figures in BENCHMARKS.md.
    acoustic_int8: bool = False
    # HiFi-GAN's generator in bf16 on a CPU vocoder device with native bf16 units (else, and on
    # CUDA, float32): log-spectral distance within 0.2 dB of float32. Every input is then decoded
    # in the vocoder.*_frames layout, in fixed-shape single-threaded calls, so a stream equals
    # whole decoding exactly (pad_frames must cover the receptive field). MB-MelGAN stays float32.
    hifigan_bf16: bool = False


@dataclass(frozen=True)
class TextLimits:
    # Longest piece of text sent to the acoustic model at once (memory-bound: one piece's mel
    # must stay under the model's 2048 frames). Longer sentences are split to fit.
    max_segment_chars: int = field(default=60, metadata=_range(4, 120))
    # Longest request accepted at all (policy); beyond it the API answers 413.
    max_request_chars: int = field(default=10000, metadata=_range(1, 1_000_000))


@dataclass(frozen=True)
class AcousticChunks:
    # The first piece of a request is cut this short (at a clause, else a word boundary), so
    # the first audio comes after a short acoustic call. FastSpeech2's decoder attends over
    # its whole input, so acoustic chunks are text pieces; they need no frame padding.
    first_chunk_chars: int = field(default=12, metadata=_range(2, 120))


@dataclass(frozen=True)
class VocoderChunks:
    default: str = field(default="mb_melgan", metadata=_range(choices=VOCODERS))
    first_block_frames: int = field(default=8, metadata=_range(1, 2048))  # first chunk: low latency
    block_frames: int = field(default=48, metadata=_range(1, 2048))
    # Context frames on each side of a block; at or above the vocoder's receptive field the
    # streamed audio equals whole-utterance decoding (MB-MelGAN needs 20, HiFi-GAN 16).
    pad_frames: int = field(default=24, metadata=_range(0, 256))
    # HiFi-GAN's own context frames where it decodes in fixed-shape blocks (bf16 on a CPU): its
    # receptive field is 15, so 16 makes block decoding the whole decoding's computation with
    # fewer frames computed and thrown away than MB-MelGAN's pad would cost (BENCHMARKS.md).
    # The engine refuses a value below the receptive field there.
    hifigan_pad_frames: int = field(default=24, metadata=_range(0, 256))
    # Whether HiFi-GAN keeps up with playback on this profile's vocoder device: a measured whole
    # response faster than real time with room to spare (BENCHMARKS.md). Left out (null): a CUDA
    # vocoder does, a CPU one does not. The page marks HiFi-GAN slow where it does not.
    hifigan_realtime: bool | None = None


@dataclass(frozen=True)
class Batching:
    max_batch_size: int = field(default=8, metadata=_range(1, 256))
    max_wait_ms: float = field(default=5.0, metadata=_range(0.0, 1000.0))
    # On a CPU device, run a batch's items side by side, one per core (each single-threaded),
    # instead of as one padded tensor with every core on each product: 1.4x the vocoder's
    # throughput on 2 cores, where a padded batch is no faster than one item at a time.
    cpu_items_per_core: bool = True
    # Long-form work (jobs, whole responses) keeps this many of its segments in flight at once,
    # so the worker can batch them (one per core on a CPU, one padded call on a GPU).
    long_form_segments: int = field(default=8, metadata=_range(1, 256))


@dataclass(frozen=True)
class Serving:
    queue_size: int = field(default=32, metadata=_range(1, 100_000))  # waiting requests beyond the running ones
    concurrency: int = field(default=4, metadata=_range(1, 1024))  # requests synthesized at once
    # The longest a request waits for a free synthesis slot before it is answered 504.
    queue_timeout_s: float = field(default=120.0, metadata=_range(1.0, 86_400.0))
    # A running request fails (504, or an aborted stream) when none of its work (an acoustic
    # call, a vocoder block) has finished for this long. Progress, not total time: a 10,000-
    # character chapter may take minutes on a busy CPU and must still complete, while a wedged
    # device or worker is still noticed.
    stall_timeout_s: float = field(default=60.0, metadata=_range(1.0, 86_400.0))


@dataclass(frozen=True)
class Jobs:
    # Share of serving.concurrency's synthesis slots that jobs may hold at once (at least one
    # slot); the rest stay for interactive requests, whose work the device workers also run first.
    share: float = field(default=0.5, metadata=_range(0.01, 1.0))
    max_chars: int = field(default=2_000_000, metadata=_range(1, 50_000_000))  # longest job input
    max_upload_mb: int = field(default=32, metadata=_range(1, 4096))  # largest .txt/.epub upload
    max_active_per_client: int = field(default=10, metadata=_range(1, 100_000))  # queued + running jobs
    # A worker holds its job under a lease it renews while working; a job whose lease ran out
    # (its server was killed) is claimed again and resumes from its last finished segment.
    lease_s: float = field(default=30.0, metadata=_range(2.0, 86_400.0))


@dataclass(frozen=True)
class Cluster:
    # Ray Serve (tts/serving/cluster.py, docs/cluster.md): each API replica holds its own models
    # and batching workers; Serve adds replicas while the requests in progress per replica stay
    # above the target, and removes them (down to the minimum) when they fall below it. A
    # replica takes seconds to load and warm up, so the minimum is at least one: no scale-to-zero.
    min_replicas: int = field(default=1, metadata=_range(1, 1000))
    max_replicas: int = field(default=2, metadata=_range(1, 1000))
    target_ongoing_requests: float = field(default=2.0, metadata=_range(0.1, 1024.0))
    # CPUs Ray reserves for each replica (it places replicas where they fit); on a CPU profile
    # with cpu.threads 0 the replica's torch threads follow this instead of every core of its node.
    replica_cpus: float = field(default=1.0, metadata=_range(0.0, 1024.0))


@dataclass(frozen=True)
class Cache:
    max_entries: int = field(default=256, metadata=_range(0, 1_000_000))
    max_mb: int = field(default=256, metadata=_range(0, 1_000_000))


@dataclass(frozen=True)
class CPU:
    threads: int = field(default=0, metadata=_range(0, 1024))  # torch intra-op threads; 0 = all cores


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    devices: Devices = Devices()
    precision: Precision = Precision()
    text: TextLimits = TextLimits()
    acoustic: AcousticChunks = AcousticChunks()
    vocoder: VocoderChunks = VocoderChunks()
    batching: Batching = Batching()
    serving: Serving = Serving()
    jobs: Jobs = Jobs()
    cluster: Cluster = Cluster()
    cache: Cache = Cache()
    cpu: CPU = CPU()

    @property
    def uses_cuda(self) -> bool:
        return "cuda" in (self.devices.acoustic, self.devices.vocoder)

    @property
    def hifigan_realtime(self) -> bool:
        """Whether HiFi-GAN is faster than playback here: as declared, else on a CUDA vocoder only."""
        declared = self.vocoder.hifigan_realtime
        return self.devices.vocoder == "cuda" if declared is None else declared


def _build(cls, data, path: str):
    """Dataclass `cls` from a mapping, with type and range checks; errors name `path.key`."""
    if not isinstance(data, dict):
        raise ProfileError(f"{path or 'profile'}: expected a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    unknown = sorted(set(data) - set(fields))
    if unknown:
        where = f"{path}." if path else ""
        raise ProfileError(f"unknown key '{where}{unknown[0]}' (known: {', '.join(fields)})")
    values = {}
    for name, value in data.items():
        key = f"{path}.{name}" if path else name
        kind = hints[name]
        if dataclasses.is_dataclass(kind):
            values[name] = _build(kind, value if value is not None else {}, key)
            continue
        values[name] = _check(key, kind, value, fields[name].metadata)
    missing = [f.name for f in fields.values()
               if f.name not in values and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ProfileError(f"missing key '{(path + '.') if path else ''}{missing[0]}'")
    return cls(**values)


def _check(key: str, kind, value, meta):
    if kind == bool | None:
        if value is not None and not isinstance(value, bool):
            raise ProfileError(f"{key}: expected true, false or null, got {value!r}")
    elif kind is bool:
        if not isinstance(value, bool):
            raise ProfileError(f"{key}: expected true or false, got {value!r}")
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProfileError(f"{key}: expected an integer, got {value!r}")
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProfileError(f"{key}: expected a number, got {value!r}")
        value = float(value)
    elif kind is str:
        if not isinstance(value, str):
            raise ProfileError(f"{key}: expected text, got {value!r}")
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    if choices is not None and value not in choices:
        raise ProfileError(f"{key}: {value!r} is not one of {', '.join(choices)}")
    if lo is not None and value < lo:
        raise ProfileError(f"{key}: {value!r} is below the minimum {lo}")
    if hi is not None and value > hi:
        raise ProfileError(f"{key}: {value!r} is above the maximum {hi}")
    return value


def profile_from_dict(data: dict, source: str = "profile") -> Profile:
    try:
        profile = _build(Profile, data, "")
    except ProfileError as exc:
        raise ProfileError(f"{source}: {exc}") from None
    if profile.vocoder.first_block_frames > profile.vocoder.block_frames:
        raise ProfileError(f"{source}: vocoder.first_block_frames must not exceed vocoder.block_frames")
    if profile.acoustic.first_chunk_chars > profile.text.max_segment_chars:
        raise ProfileError(f"{source}: acoustic.first_chunk_chars must not exceed text.max_segment_chars")
    if profile.precision.acoustic_int8 and profile.devices.acoustic != "cpu":
        raise ProfileError(f"{source}: precision.acoustic_int8 needs devices.acoustic: cpu")
    if profile.cluster.min_replicas > profile.cluster.max_replicas:
        raise ProfileError(f"{source}: cluster.min_replicas must not exceed cluster.max_replicas")
    return profile


def load_profile(name_or_path: str | os.PathLike) -> Profile:
    """A built-in profile by name (profiles/NAME.yaml) or a YAML file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILE_DIR / f"{name_or_path}.yaml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in PROFILE_DIR.glob("*.yaml")))
            raise ProfileError(f"no built-in profile {str(name_or_path)!r} (built-in: {known})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"cannot read profile {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc})") from None
    return profile_from_dict(data, str(path))


@dataclass(frozen=True)
class Hardware:
    cuda: bool
    gpu_name: str = ""
    vram_gb: float = 0.0
    ram_gb: float = 0.0
    cores: int = 1
    cpu_bf16: bool = False


def detect_hardware() -> Hardware:
    """What this machine has: the first CUDA device's memory, RAM, cores, native bf16."""
    import psutil
    import torch

    cuda = torch.cuda.is_available()
    name, vram = "", 0.0
    if cuda:
        props = torch.cuda.get_device_properties(0)
        name, vram = props.name, props.total_memory / 2**30
    try:
        bf16 = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        bf16 = False
    return Hardware(cuda=cuda, gpu_name=name, vram_gb=round(vram, 2),
                    ram_gb=round(psutil.virtual_memory().total / 2**30, 2),
                    cores=psutil.cpu_count(logical=False) or os.cpu_count() or 1, cpu_bf16=bf16)


def choose_profile_name(hw: Hardware) -> tuple[str, str]:
    """(built-in profile name, the reason) for the detected hardware."""
    if not hw.cuda:
        return "cpu", f"no CUDA device; CPU with {hw.cores} cores, {hw.ram_gb:.0f} GiB RAM"
    gpu = f"{hw.gpu_name or 'CUDA device'} with {hw.vram_gb:.1f} GiB"
    if hw.vram_gb >= 12:
        return "gpu-16gb", f"{gpu} (>= 12 GiB)"
    if hw.vram_gb >= 8:
        return "gpu-8gb", f"{gpu} (8-12 GiB)"
    return "gpu-small", f"{gpu} (< 8 GiB: vocoder on the CPU)"


def select_profile(requested: str | os.PathLike | None = None,
                   hardware: Hardware | None = None) -> tuple[Profile, str, Hardware]:
    """The profile to run with, why, and the hardware seen.

    `requested` (a built-in name or a YAML path) or $ZH_TTS_PROFILE overrides detection.
    """
    hw = hardware or detect_hardware()
    requested = requested or os.environ.get("ZH_TTS_PROFILE") or None
    if requested:
        profile = load_profile(requested)
        if profile.uses_cuda and not hw.cuda:
            raise ProfileError(f"profile {profile.name!r} needs CUDA, but no CUDA device is available")
        return profile, f"requested ({requested})", hw
    name, reason = choose_profile_name(hw)
    return load_profile(name), f"detected: {reason}", hw
