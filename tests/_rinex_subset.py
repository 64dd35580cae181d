"""Test files cut from the real RINEX 4 merged file: keep, edit or drop whole records.

``subset(tmp_path, edit)`` writes BRD400DLR's header and every record for which
``edit(sv, message, lines)`` returns lines (``> EPH`` records only; the others are kept) (the record's own, edited, or several records'
worth); ``None`` drops the record. Lines keep their newlines. Fields of a record body are
19 characters wide from column 4 (column 23 on the epoch line).
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from conftest import BRD4


@lru_cache(maxsize=1)
def _brd4_lines() -> tuple[str, ...]:
    return tuple(gzip.decompress(BRD4.read_bytes()).decode().splitlines(keepends=True))


def subset(tmp_path: Path, edit: Callable[[str, str, list[str]], list[str] | None],
           name: str = "subset.rnx") -> Path:
    lines = _brd4_lines()
    head = next(i for i, l in enumerate(lines) if "END OF HEADER" in l)
    out = list(lines[:head + 1])
    i = head + 1
    while i < len(lines):
        j = i + 1
        while j < len(lines) and not lines[j].startswith(">"):
            j += 1
        rec = list(lines[i:j])
        parts = rec[0].split()
        is_eph = len(parts) >= 4 and parts[1] == "EPH"
        kept = edit(parts[2], parts[3], rec) if is_eph else rec
        if kept is not None:
            out += kept
        i = j
    p = tmp_path / name
    p.write_text("".join(out))
    return p


def field(line: str, k: int, first: bool = False) -> float:
    start = (23 if first else 4) + 19 * k
    return float(line[start:start + 19])


def set_field(line: str, k: int, value: float, first: bool = False) -> str:
    start = (23 if first else 4) + 19 * k
    return line[:start] + f"{value:19.12e}" + line[start + 19:]


def shift_m0(rec: list[str], deg: float) -> list[str]:
    """A Keplerian record with M0 moved by ``deg``: same radius and plane, moved along track.
    The new M0 is a whole multiple of the ICD resolution (2^-31 semicircles), as a real
    corrupt message would be: the reader rejects any other value as a damaged digit."""
    rec = list(rec)
    lsb = math.pi * 2.0 ** -31
    m0 = round((field(rec[2], 3) + math.radians(deg)) / lsb) * lsb
    rec[2] = set_field(rec[2], 3, m0)
    return rec
