"""What the name table changes: each name read in a sentence of its own, with and without the table.

Usage: .venv/bin/python bench/name_table_check.py

Every name of ``tts/frontend/proper_names.py``'s table (CC-CEDICT proper nouns the division
list confirms, places below county level that the gloss names, persons with life dates, and
the decision tables) is read in a sentence of its
own — a place in its full division name (他出生在中牟县，今年二十岁。), a person opening the
sentence — once with the table and once without it.  Each name whose reading changes is
printed with both readings, for checking by hand after a new CC-CEDICT or division release:
a wrong new reading goes into ``PLACE_READINGS`` / ``PERSON_READINGS`` with its citation.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tts.frontend import Frontend  # noqa: E402
from tts.frontend import proper_names as pn  # noqa: E402


def _sentence(entry: pn.NameEntry, divisions: frozenset[str]) -> str:
    if entry.kind == "person":
        return f"{entry.text}的事迹记载在史书里。"
    if entry.local:  # a place below county level is read so only in a place context
        return f"他住在{entry.text}附近，今年二十岁。"
    full = entry.text if entry.text in divisions else next(
        (entry.text + s for s in pn.ADMIN_SUFFIXES if entry.text + s in divisions), entry.text)
    return f"他出生在{full}，今年二十岁。"


def _name_readings(pairs: list[tuple[str, str]], name: str) -> list[str]:
    at = "".join(ch for ch, _ in pairs).index(name)
    return [syl for _, syl in pairs[at:at + len(name)]]


def main() -> int:
    table = pn.name_table()
    divisions = pn.division_names()
    entries = sorted(table.entries.values(), key=lambda e: (e.kind, e.text))
    texts = [_sentence(e, divisions) for e in entries]
    with_table = [Frontend().base_readings(t) for t in texts]
    real_apply = pn.apply
    pn.apply = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        without = [Frontend().base_readings(t) for t in texts]
    finally:
        pn.apply = real_apply
    changed = {"place": 0, "person": 0}
    for entry, a, b in zip(entries, with_table, without):
        got, was = _name_readings(a, entry.text), _name_readings(b, entry.text)
        if got != was:
            changed[entry.kind] += 1
            print(f"{entry.kind}\t{entry.text}\t{' '.join(got)}\twas {' '.join(was)}\t{entry.source}")
    counts = {k: sum(e.kind == k for e in entries) for k in changed}
    print(f"changed: {changed['place']} of {counts['place']} places, {changed['person']} of {counts['person']} persons")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
