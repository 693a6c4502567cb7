"""A minimal reader for TensorFlow Lite flatbuffers: tensors, constant buffers and operators.

Only what weight conversion needs, with no dependency beyond numpy. Field numbers follow
the public TFLite schema (tensorflow/lite/schema/schema.fbs):

- Model: 1 operator_codes, 2 subgraphs, 4 buffers
- SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators
- Tensor: 0 shape, 1 type, 2 buffer, 3 name, 4 quantization
- QuantizationParameters: 2 scale, 3 zero_point, 6 quantized_dimension
- Buffer: 0 data
- Operator: 0 opcode_index, 1 inputs, 2 outputs
- OperatorCode: 0 deprecated_builtin_code, 1 custom_code, 3 builtin_code
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# TensorType enum values of the schema that weights use.
_DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 9: np.int8}


class TFLiteFormatError(ValueError):
    """The file is not a TFLite flatbuffer this reader understands."""


class _Table:
    """One flatbuffer table: fields are looked up through its vtable."""

    def __init__(self, buf: bytes, pos: int):
        self.buf = buf
        self.pos = pos
        vtable = pos - struct.unpack_from("<i", buf, pos)[0]
        vt_size = struct.unpack_from("<H", buf, vtable)[0]
        self._offsets = struct.unpack_from(f"<{(vt_size - 4) // 2}H", buf, vtable + 4)

    def _field(self, index: int) -> int | None:
        if index >= len(self._offsets) or self._offsets[index] == 0:
            return None
        return self.pos + self._offsets[index]

    def scalar(self, index: int, fmt: str, default=0):
        at = self._field(index)
        return default if at is None else struct.unpack_from("<" + fmt, self.buf, at)[0]

    def _indirect(self, index: int) -> int | None:
        at = self._field(index)
        return None if at is None else at + struct.unpack_from("<I", self.buf, at)[0]

    def string(self, index: int) -> str | None:
        at = self._indirect(index)
        if at is None:
            return None
        n = struct.unpack_from("<I", self.buf, at)[0]
        return self.buf[at + 4 : at + 4 + n].decode("utf-8", "replace")

    def vector(self, index: int, dtype) -> np.ndarray:
        at = self._indirect(index)
        if at is None:
            return np.zeros(0, dtype=dtype)
        n = struct.unpack_from("<I", self.buf, at)[0]
        return np.frombuffer(self.buf, dtype=dtype, count=n, offset=at + 4)

    def tables(self, index: int) -> list[_Table]:
        at = self._indirect(index)
        if at is None:
            return []
        n = struct.unpack_from("<I", self.buf, at)[0]
        out = []
        for i in range(n):
            elem = at + 4 + 4 * i
            out.append(_Table(self.buf, elem + struct.unpack_from("<I", self.buf, elem)[0]))
        return out

    def table(self, index: int) -> _Table | None:
        at = self._indirect(index)
        return None if at is None else _Table(self.buf, at)


@dataclass(frozen=True)
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    data: np.ndarray | None  # constant value (dequantized to float32 if quantized), else None
    quantized: bool


@dataclass(frozen=True)
class Operator:
    code: str  # builtin op code number as text, or the custom code (e.g. "FlexRandomUniform")
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]


@dataclass(frozen=True)
class TFLiteGraph:
    tensors: list[Tensor]
    operators: list[Operator]

    def by_name(self) -> dict[str, Tensor]:
        return {t.name: t for t in self.tensors}


def read_tflite(path: str | Path) -> TFLiteGraph:
    """Read the first subgraph of a .tflite file into tensors (with constants) and operators."""
    buf = Path(path).read_bytes()
    if len(buf) < 8 or buf[4:8] != b"TFL3":
        raise TFLiteFormatError(f"{path} is not a TFLite model (missing TFL3 identifier)")
    try:
        model = _Table(buf, struct.unpack_from("<I", buf, 0)[0])
        buffers = model.tables(4)
        codes = []
        for oc in model.tables(1):
            custom = oc.string(1)
            builtin = max(oc.scalar(0, "b"), oc.scalar(3, "i"))
            codes.append(custom if custom is not None else str(builtin))
        graph = model.tables(2)[0]
        tensors = []
        for i, t in enumerate(graph.tables(0)):
            shape = tuple(int(x) for x in t.vector(0, np.int32))
            ttype = t.scalar(1, "b")
            data_vec = buffers[t.scalar(2, "I")].vector(0, np.uint8)
            data = None
            quantized = False
            if data_vec.size:
                if ttype not in _DTYPES:
                    raise TFLiteFormatError(f"tensor {t.string(3)!r} has unsupported type {ttype}")
                data = np.frombuffer(data_vec.tobytes(), dtype=_DTYPES[ttype]).reshape(shape)
                q = t.table(4)
                scale = q.vector(2, np.float32) if q is not None else np.zeros(0, np.float32)
                if q is not None and scale.size and ttype in (3, 9):
                    zero = q.vector(3, np.int64)
                    axis = q.scalar(6, "i")
                    bshape = [1] * len(shape)
                    if scale.size > 1:
                        bshape[axis] = scale.size
                    zero = zero if zero.size else np.zeros(1, np.int64)
                    data = (data.astype(np.float32) - zero.reshape(bshape).astype(np.float32)) * scale.reshape(bshape)
                    quantized = True
            tensors.append(Tensor(i, t.string(3) or "", shape, data, quantized))
        operators = [
            Operator(codes[op.scalar(0, "I")], tuple(int(x) for x in op.vector(1, np.int32)),
                     tuple(int(x) for x in op.vector(2, np.int32)))
            for op in graph.tables(3)
        ]
    except (struct.error, IndexError) as exc:
        raise TFLiteFormatError(f"{path} is truncated or corrupt: {exc}") from exc
    return TFLiteGraph(tensors, operators)
