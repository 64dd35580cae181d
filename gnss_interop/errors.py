"""Exceptions and warnings raised by gnss_interop.

Errors about input files carry the file and, where known, the 1-based line
number, so a user can open the file at the offending record.
"""

from __future__ import annotations

from pathlib import Path


class GnssDataWarning(UserWarning):
    """A problem in the input data that was handled (record skipped, satellite excluded)."""


class EphemerisRangeWarning(GnssDataWarning):
    """Positions were requested outside every ephemeris validity window (NaN returned)."""


class GnssInputError(ValueError):
    """Input that cannot be used; the message names the file and line."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.path = None if path is None else str(path)
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)


class RinexError(GnssInputError):
    """A RINEX navigation file that cannot be read."""


class Sp3Error(GnssInputError):
    """An SP3 precise-orbit file that cannot be read."""
