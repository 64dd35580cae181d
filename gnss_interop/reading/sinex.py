"""IGS satellite metadata SINEX: which satellite, of which block, holds which PRN when.

Format: Steigenberger P., Montenbruck O. (2024), *IGS Satellite Metadata File Description*
v1.10, doi 10.57677/metadata-sinex. Fixed-column blocks; this reader uses four:

* ``SATELLITE/IDENTIFIER``: SVN, COSPAR id, NORAD SatCat number, block (``BDS-3M-CAST``,
  ``GLO-M+``, ``GPS-IIF``, ``GAL-2``, ...);
* ``SATELLITE/PRN``: which SVN held which PRN, from when to when;
* ``SATELLITE/PLANE``: orbital plane and slot, from when to when;
* ``SATELLITE/FREQUENCY_CHANNEL``: GLONASS FDMA channel, from when to when.

Epochs are ``YYYY:DDD:SSSSS`` (year, day of year, seconds of day); ``0000:000:00000`` as an
end means "still valid". The package ships a copy (``gnss_interop/_data/``,
:data:`~gnss_interop.resources.SATELLITE_METADATA`); the IGS publishes new releases as
satellites launch or PRNs move (refresh: README, "Satellite metadata").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from gnss_interop.errors import SinexError

__all__ = ["Assignment", "Satellite", "SatelliteMetadata", "read_satellite_metadata"]

#: An open end ("0000:000:00000") as a time: valid for as long as the file knows.
_OPEN_END = np.datetime64("9999-12-31T00:00:00", "s")


@dataclass(frozen=True)
class Satellite:
    """One satellite by its space-vehicle number: ``"C201"``, ``"R851"``, ``"E210"``."""

    svn: str
    cospar_id: str
    satcat: int | None
    block: str
    comment: str


@dataclass(frozen=True)
class Assignment:
    """A value (PRN, plane/slot, frequency channel) an SVN held from ``start`` to ``end``."""

    svn: str
    start: np.datetime64
    end: np.datetime64
    value: str | int


def _epoch(text: str, path: Path, line: int, *, end: bool) -> np.datetime64:
    t = text.strip()
    try:
        year, doy, sod = (int(x) for x in t.split(":"))
    except ValueError:
        raise SinexError(f"unreadable epoch {t!r} (expected YYYY:DDD:SSSSS)", path, line) from None
    if year == 0 and doy == 0 and sod == 0:
        if not end:
            raise SinexError("an assignment cannot start at 0000:000:00000", path, line)
        return _OPEN_END
    if year < 100:  # SINEX 2-digit years: 00-49 are 20xx, 50-99 are 19xx
        year += 2000 if year < 50 else 1900
    if not (1 <= doy <= 366 and 0 <= sod <= 86400):
        raise SinexError(f"epoch {t!r} out of range (day 1-366, seconds 0-86400)", path, line)
    return (np.datetime64(f"{year:04d}-01-01", "s") + np.timedelta64(doy - 1, "D")
            + np.timedelta64(sod, "s"))


def _blocks(lines: list[str], path: Path) -> dict[str, list[tuple[int, str]]]:
    """Data lines of each ``+NAME`` ... ``-NAME`` block, with their 1-based line numbers."""
    out: dict[str, list[tuple[int, str]]] = {}
    current = None
    for n, line in enumerate(lines, 1):
        if line.startswith("+"):
            if current is not None:
                raise SinexError(f"block {line[1:].strip()!r} opens inside {current!r}", path, n)
            current = line[1:].strip()
            out.setdefault(current, [])
        elif line.startswith("-"):
            if current != line[1:].strip():
                raise SinexError(f"block end {line.strip()!r} does not close {current!r}", path, n)
            current = None
        elif current is not None and line.strip() and not line.startswith("*"):
            out[current].append((n, line))
    if current is not None:
        raise SinexError(f"block {current!r} is not closed: truncated file", path, len(lines))
    return out


def _assignments(rows: list[tuple[int, str]], path: Path, value_cols: slice, kind: str,
                 as_int: bool = False, fallback_cols: slice | None = None) -> list[Assignment]:
    out = []
    for n, line in rows:
        svn = line[1:5].strip()
        raw = line[value_cols].strip() or (line[fallback_cols].strip() if fallback_cols else "")
        if not svn or not raw:
            raise SinexError(f"{kind}: missing SVN or value", path, n)
        start = _epoch(line[6:20], path, n, end=False)
        end = _epoch(line[21:35], path, n, end=True)
        if end < start:
            raise SinexError(f"{kind} of {svn}: ends before it starts", path, n)
        try:
            value = int(raw) if as_int else raw
        except ValueError:
            raise SinexError(f"{kind} of {svn}: {raw!r} is not a number", path, n) from None
        out.append(Assignment(svn, start, end, value))
    return out


@dataclass
class SatelliteMetadata:
    """The contents of an IGS satellite metadata SINEX file."""

    path: str
    satellites: dict[str, Satellite]
    prns: list[Assignment]
    slots: list[Assignment]
    channels: list[Assignment]

    def _at(self, table: list[Assignment], key: str, time: np.datetime64, by_value: bool
            ) -> Assignment | None:
        t = np.datetime64(time, "s")
        hits = [a for a in table if (a.value if by_value else a.svn) == key and a.start <= t <= a.end]
        return hits[-1] if hits else None

    def svn(self, prn: str, time: ArrayLike) -> str | None:
        """SVN that held ``prn`` (``"C19"``) at ``time`` (UTC/GPST at day resolution), or ``None``."""
        hit = self._at(self.prns, prn, time, by_value=True)
        return None if hit is None else hit.svn

    def satellite(self, prn: str, time: ArrayLike) -> Satellite | None:
        """The satellite that held ``prn`` at ``time``, or ``None`` if the file knows none."""
        svn = self.svn(prn, time)
        return None if svn is None else self.satellites.get(svn)

    def block(self, prn: str, time: ArrayLike) -> str | None:
        """Block of the satellite holding ``prn`` at ``time``: ``"BDS-3M-CAST"``, ``"GLO-M+"``..."""
        sat = self.satellite(prn, time)
        return None if sat is None else sat.block

    def plane_slot(self, prn: str, time: ArrayLike) -> str | None:
        """Orbital slot (``"A1"``, ``"B3"``; ``"REPOS"`` while it moves; the plane alone where
        the file gives no slot) of the satellite holding ``prn``."""
        svn = self.svn(prn, time)
        hit = None if svn is None else self._at(self.slots, svn, time, by_value=False)
        return None if hit is None else str(hit.value)

    def frequency_channel(self, prn: str, time: ArrayLike) -> int | None:
        """GLONASS FDMA frequency channel of the satellite holding ``prn``."""
        svn = self.svn(prn, time)
        hit = None if svn is None else self._at(self.channels, svn, time, by_value=False)
        return None if hit is None else int(hit.value)


def read_satellite_metadata(path: str | Path) -> SatelliteMetadata:
    """Read an IGS satellite metadata SINEX file; errors name the file and line."""
    path = Path(path)
    raw = SinexError.read_bytes(path)
    try:
        lines = raw.decode("ascii").splitlines()
    except UnicodeDecodeError as exc:
        raise SinexError(f"not an ASCII text file (byte {exc.start})", path) from None
    if not lines or not lines[0].startswith("%=SNX"):
        raise SinexError("not a SINEX file: the first line must start with '%=SNX'", path, 1)
    blocks = _blocks(lines, path)
    for name in ("SATELLITE/IDENTIFIER", "SATELLITE/PRN"):
        if name not in blocks:
            raise SinexError(f"no {name} block", path)
    sats = {}
    for n, line in blocks["SATELLITE/IDENTIFIER"]:
        svn = line[1:5].strip()
        block = line[22:37].strip()
        if not svn or not block:
            raise SinexError("SATELLITE/IDENTIFIER: missing SVN or block", path, n)
        satcat = line[16:21].strip()
        sats[svn] = Satellite(svn, line[6:15].strip(), int(satcat) if satcat.isdigit() else None,
                              block, line[38:].strip())
    prn = _assignments(blocks["SATELLITE/PRN"], path, slice(36, 39), "SATELLITE/PRN")
    unknown = sorted({a.svn for a in prn} - set(sats))
    if unknown:
        raise SinexError(f"SATELLITE/PRN names SVNs without an identifier: {', '.join(unknown[:5])}",
                         path)
    # the slot (A1, D2F, ...), or the plane alone where the file gives no slot
    slots = _assignments(blocks.get("SATELLITE/PLANE", []), path, slice(38, 44), "SATELLITE/PLANE",
                         fallback_cols=slice(36, 37))
    chan = _assignments(blocks.get("SATELLITE/FREQUENCY_CHANNEL", []), path, slice(36, 39),
                        "SATELLITE/FREQUENCY_CHANNEL", as_int=True)
    return SatelliteMetadata(str(path), sats, prn, slots, chan)
