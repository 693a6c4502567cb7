"""How a duration scale becomes frames per symbol: faster speech shrinks long symbols most.

Natural fast speech does not shrink every phone equally: pauses and long vowels give up most of
their length, short consonants and short vowels hardly any (each has a minimum a listener needs).
A uniform scale halves a 3-frame consonant at twice the rate as it halves a 30-frame pause, and
a recognizer, like a listener, loses the consonants first (docs/expressive.md, "Intelligibility").

So a scale below 1 here shrinks only the excess of each symbol's duration over a floor of
`floor` frames: every symbol keeps min(duration, floor) frames and the excesses are scaled by
one common factor chosen so that the run still lasts `scale` times its predicted length. Pauses
and long vowels, having the largest excess, give up the most frames. Only when even the floors
do not fit the requested length are the floors themselves shrunk (uniformly, to exactly fit).
A scale of 1 or more (slower speech) stretches every symbol uniformly, as before.

A per-symbol scale (spans of a request read at their own rate) is applied run by run: each
maximal run of consecutive symbols with the same scale keeps its own requested length.
Language-blind: the floor is in frames, the same for every symbol.
"""

from __future__ import annotations

import torch

# Frames (12.5 ms each at hop 300 / 24 kHz) every symbol keeps before faster speech shrinks it.
# Chosen with the listening instrument among 2, 3 and 4 frames (bench/duration_floor.py,
# BENCHMARKS.md): a larger floor leaves so little excess at speed 2.0 that vowels and pauses are
# squeezed down to consonant length, which the recognizer understands less well.
DURATION_FLOOR = 2.0


def scale_durations(durations: torch.Tensor, scale: torch.Tensor | float, mask: torch.Tensor,
                    floor: float = DURATION_FLOOR) -> torch.Tensor:
    """Predicted durations scaled to a speaking rate, in whole frames.

    Args:
        durations: (B, N) float predicted frames per symbol (>= 0, before rounding).
        scale: the duration scale, a float or a tensor broadcastable to (B, N) (per utterance
            or per symbol); below 1 is faster speech.
        mask: (B, N) 1 for real symbols, 0 for padding.
        floor: frames each symbol keeps before a scale below 1 shrinks it; 0 scales uniformly.
    Returns:
        (B, N) int64 frames per symbol, 0 on padding. Each run of equal scale lasts its scale
        times its predicted length: within one frame for a run that speeds up (its boundaries
        are rounded cumulatively), within half a frame per symbol for one that does not (each
        symbol is rounded on its own, as the model always did).
    """
    scales = torch.as_tensor(scale, dtype=durations.dtype, device=durations.device).expand_as(durations)
    uniform = torch.round(durations * scales)
    if floor <= 0 or not bool((scales < 1.0).any()):
        return uniform.long() * mask.long()
    out = uniform.clone()
    for b in range(durations.shape[0]):
        n = int(mask[b].sum())
        row, row_scales = durations[b, :n], scales[b, :n]
        start = 0
        while start < n:
            end = start + 1
            while end < n and row_scales[end] == row_scales[start]:
                end += 1
            s = float(row_scales[start])
            if s < 1.0:
                out[b, start:end] = _shrink_run(row[start:end], s, floor)
            start = end
    return out.long() * mask.long()


def _shrink_run(durations: torch.Tensor, scale: float, floor: float) -> torch.Tensor:
    """One run of symbols (n,) float frames at one scale < 1 -> (n,) whole frames, excess first."""
    target = scale * float(durations.sum())
    kept = torch.clamp(durations, max=floor)
    excess = durations - kept
    kept_total, excess_total = float(kept.sum()), float(excess.sum())
    if kept_total <= target and excess_total > 0:
        frames = kept + excess * ((target - kept_total) / excess_total)
    elif kept_total > 0:
        frames = kept * (target / kept_total)
    else:
        return torch.zeros_like(durations)
    # Round the run's cumulative boundaries, not each symbol: the run's total is then within a
    # frame of its target however many short symbols it holds.
    ends = torch.round(torch.cumsum(frames, dim=0))
    return torch.diff(ends, prepend=ends.new_zeros(1))
