"""Overlapping chunks along time: split, run a model on each chunk with context, crop the context.

One utility for every chunked model call (the idea of PaddleSpeech's get_chunks/depadding):
a chunk owns frames [start, end) and is computed from [context_start, context_end), i.e. with
up to `pad` frames of real neighbouring input on each side. When `pad` covers the model's
receptive field, cropping each output back to its own frames and concatenating gives exactly
what one call on the whole input gives: the context frames absorb the chunk-edge effects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch

Signal = TypeVar("Signal", torch.Tensor, np.ndarray)  # cropping keeps the kind of array it was given


@dataclass(frozen=True)
class Chunk:
    start: int  # first frame this chunk contributes
    end: int  # one past its last frame
    context_start: int  # first frame fed to the model (start - pad, clipped at 0)
    context_end: int  # one past the last frame fed (end + pad, clipped at the length)

    @property
    def left(self) -> int:
        """Context frames before `start` that the output must lose."""
        return self.start - self.context_start

    @property
    def right(self) -> int:
        """Context frames after `end` that the output must lose."""
        return self.context_end - self.end


def get_chunks(length: int, block: int, pad: int, first_block: int | None = None) -> list[Chunk]:
    """Cover frames [0, length) with chunks of `block` frames (the first may be `first_block`)."""
    if block <= 0 or pad < 0 or (first_block is not None and first_block <= 0):
        raise ValueError("block and first_block must be positive and pad non-negative")
    chunks = []
    start = 0
    size = first_block or block
    while start < length:
        end = min(length, start + size)
        chunks.append(Chunk(start, end, max(0, start - pad), min(length, end + pad)))
        start, size = end, block
    return chunks


def depad(output: Signal, chunk: Chunk, scale: int = 1) -> Signal:
    """Crop a chunk's output (..., (context_end - context_start) * scale) to its own frames."""
    return output[..., chunk.left * scale : (chunk.context_end - chunk.context_start - chunk.right) * scale]


def run_chunked(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, block: int, pad: int,
                scale: int = 1, first_block: int | None = None, dim: int = 1) -> Iterator[torch.Tensor]:
    """Yield model outputs chunk by chunk along `dim` of x, each cropped to its own frames.

    x (..., T, ...) with time on `dim`; the model maps n frames to (..., n * scale) outputs with
    time last (e.g. a vocoder: mel (B, T, 80) -> audio (B, T * hop)).
    """
    for chunk in get_chunks(x.shape[dim], block, pad, first_block):
        piece = x.narrow(dim, chunk.context_start, chunk.context_end - chunk.context_start)
        yield depad(model(piece), chunk, scale)


@dataclass(frozen=True)
class BlockSchedule:
    """A stream's block layout, used as a fixed-shape computation: every model call sees the
    first chunk (`first_block + pad` frames) or a later one (`block + 2 * pad` frames), except
    where the input ends sooner: then the call gets the chunk's context and at least one more
    frame, rounded up to a multiple of `quantum` frames (at most the full size).

    Why fixed shapes: a reduced-precision model (bf16) rounds every layer's output, so the
    one-ulp float differences between two calls of different shapes (oneDNN picks kernels per
    shape) grow to bf16 noise. Each chunk's output comes from its own call, and a stream and
    whole decoding make the same call for a chunk (the same context, padded to the same size),
    so the stream equals whole decoding by construction. Why a chunk that ends the input is
    not padded to the full size: its padding is computed and thrown away (a segment's last block
    is on average half empty); rounding its size to `quantum` keeps the shapes, and the kernels
    oneDNN caches for them, to a few.
    """

    first_block: int
    block: int
    pad: int
    quantum: int = 16

    def __post_init__(self) -> None:
        if (self.block <= 0 or self.first_block <= 0 or self.pad < 0 or self.first_block > self.block
                or self.quantum <= 0):
            raise ValueError(f"need 0 < first_block <= block, pad >= 0 and quantum > 0, got {self}")

    def chunks(self, length: int) -> list[Chunk]:
        """The schedule's chunks over frames [0, length), anchored at frame 0."""
        return get_chunks(length, self.block, self.pad, self.first_block)

    def call_frames(self, chunk: Chunk) -> int:
        """The number of frames one call on `chunk` gets (its context, padded up to it).

        A full chunk's context fills its fixed size; one clipped by the input's end gets its
        context plus at least one more frame (a vocoder's half-frame shift reads past the end),
        rounded up to `quantum`, at most the fixed size.
        """
        full = self.first_block + self.pad if chunk.start == 0 else self.block + 2 * self.pad
        needed = chunk.context_end - chunk.context_start + 1
        return min(full, -(-needed // self.quantum) * self.quantum)
