"""A floor under the controlled energy: the variance adaptor's energy embedding was trained on the
Baker voice's own range, and an energy control that pushes speech below the training data's
silence level decodes into speech a listener (and a recognizer) understands much less well.

A symbol whose predicted energy is above `floor` is not pushed below it by an energy control: a
quieter preset still lowers every louder symbol, so the speech level still drops as asked; a
symbol predicted below the floor (silences, the quietest consonants) keeps its prediction, or its
control where that is higher. Without it, sad and gentle at intensity 2 (energy scale 0.72, shift
-1.0) push consonants below the silence level of the training data. Measured by ablation with the
listening instrument (bench/expressive_ablation.py, BENCHMARKS.md).

Values are in the model's normalized units (standard deviations of the Baker speaker's
per-phoneme energy). Language-blind: the same floor for every symbol.
"""

from __future__ import annotations

import torch

# About where the voice's own consonants sit (the median initial is near -0.7, silences near
# -1.3 on the held-out sentences): quieter than nearly all of its speech, louder than its silence.
ENERGY_FLOOR = -1.0


def floor_energy(predicted: torch.Tensor, controlled: torch.Tensor, floor: float | None) -> torch.Tensor:
    """Controlled energy kept at or above min(predicted, floor), symbol by symbol.

    Args:
        predicted: (B, N) energy the model predicts.
        controlled: (B, N) energy after the request's scale and shift.
        floor: normalized energy below which a control may not push a symbol; None: no floor.
    Returns:
        (B, N) energy.
    """
    if floor is None:
        return controlled
    return torch.maximum(controlled, torch.clamp(predicted, max=floor))
