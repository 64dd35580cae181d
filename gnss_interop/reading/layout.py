"""The layout of one RINEX navigation message: field names, four per line.

Registry entries (:mod:`gnss_interop.systems`) build their layouts from this; the
reader (:mod:`gnss_interop.reading.rinex_nav`) decodes any layout the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from gnss_interop.systems.enums import System

__all__ = ["KEPLER_ORBIT_LINES", "MessageLayout"]

#: The Keplerian part of a RINEX 3/4 navigation record, shared by GPS LNAV, Galileo
#: I/NAV/F/NAV, BeiDou D1/D2/CNAV and QZSS (RINEX 3.04 Tables A6, A8, A14): the three last
#: fields of broadcast orbit 1 (its first field is the issue of data, or A-dot for CNAV)
#: and broadcast orbits 2 to 4.
KEPLER_ORBIT_LINES: tuple[tuple[str, ...], ...] = (
    ("crs", "delta_n", "m0"),
    ("cuc", "e", "cus", "sqrt_a"),
    ("toe", "cic", "omega0", "cis"),
    ("i0", "crc", "omega", "omega_dot"),
)


@dataclass(frozen=True)
class MessageLayout:
    """Field names of one navigation message type, 4 per line after the epoch line.

    ``fields[0]`` holds the three values on the epoch line; each following
    tuple holds up to four values of one continuation line. ``None`` marks a
    spare field. ``optional`` names fields that may be blank (blank → NaN);
    any other blank field rejects the record. ``message`` names the table the
    records go to (``"D1D2"`` holds both D1 and D2 records, which share a body).
    """

    system: System
    message: str
    fields: tuple[tuple[str | None, ...], ...]
    optional: frozenset[str] = frozenset()

    @property
    def n_lines(self) -> int:
        return len(self.fields)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f for line in self.fields for f in line if f is not None)

    @property
    def table_key(self) -> str:
        """Key of the decoded table in :attr:`NavFile.tables`, e.g. ``"C:D1D2"``."""
        return f"{self.system.letter}:{self.message}"
