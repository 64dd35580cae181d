"""Every exception and warning class of gnss_interop, in one place.

Errors about input files carry the file and, where known, the 1-based line
number, so a user can open the file at the offending record. The command line
turns every :class:`GnssInputError` into a one-line message (no traceback) and
every :class:`GnssDataWarning` into a ``warning:`` line.

Hierarchy::

    GnssInputError (ValueError)       input that cannot be used
        RinexError, Sp3Error          unreadable navigation / precise-orbit file
        LeapSecondRangeError          an epoch the leap-second table does not cover
        SinexError                    unreadable satellite metadata
        FetchError                    a broadcast file that cannot be had
        OutputExistsError             the output folder holds another run's results
        NoCommonDataError             broadcast and precise orbits share nothing to compare
    PropagationError (ValueError)     path-loss inputs outside the model (height <= 0, ...)
    CoverageError (RuntimeError)      a coverage tile failed (names the tile)
    GnssDataWarning (UserWarning)     a problem in the data that was handled
        RinexRecordWarning            navigation records skipped, or a file that looks cut
        EphemerisRangeWarning         positions asked for outside every validity window
        UnverifiedEphemerisWarning    healthy records nothing independent could cross-check
    InteropUnavailableWarning         a single-clock configuration was left out
    ScenarioWarning                   a scenario that runs, but perhaps not as meant
    OptionalDependencyWarning         an output skipped for want of a package
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CatalogueWarning",
    "CoverageError",
    "EphemerisRangeWarning",
    "FetchError",
    "GnssDataWarning",
    "GnssInputError",
    "InteropUnavailableWarning",
    "LeapSecondRangeError",
    "NoCommonDataError",
    "OptionalDependencyWarning",
    "OutputExistsError",
    "PropagationError",
    "RinexError",
    "RinexRecordWarning",
    "ScenarioWarning",
    "SinexError",
    "Sp3Error",
    "UnverifiedEphemerisWarning",
]


class GnssDataWarning(UserWarning):
    """A problem in the input data that was handled (record skipped, satellite excluded)."""


class RinexRecordWarning(GnssDataWarning):
    """Records of a navigation file were skipped (each named by file, line, satellite and
    field), or the file looks truncated, or a satellite is gone from it."""


class EphemerisRangeWarning(GnssDataWarning):
    """Positions were requested outside every ephemeris validity window (NaN returned)."""


class UnverifiedEphemerisWarning(GnssDataWarning):
    """Healthy records that neither another record of the satellite nor a constellation slot
    could cross-check (e.g. the only record of an IGSO or GEO satellite): used, but listed."""


class CatalogueWarning(GnssDataWarning):
    """The satellite catalogue had to assume a generation, or its sources disagree."""


class InteropUnavailableWarning(UserWarning):
    """A single-clock ("/interop") configuration was left out: no broadcast offset."""


class ScenarioWarning(UserWarning):
    """A scenario definition that runs, but perhaps not as meant (the message says why)."""


class OptionalDependencyWarning(UserWarning):
    """An output was skipped because a package it needs is not installed."""


class GnssInputError(ValueError):
    """Input that cannot be used; the message names the file and line."""

    @classmethod
    def read_bytes(cls, path: str | Path) -> bytes:
        """The bytes of ``path``; an OS error becomes this class of error, naming the file."""
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise cls(f"cannot read file: {exc.strerror or exc}", path) from None

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


class LeapSecondRangeError(GnssInputError):
    """An epoch outside the leap-second table (GPST − UTC is tabulated from 1980-01-06)."""


class Sp3Error(GnssInputError):
    """An SP3 precise-orbit file that cannot be read."""


class SinexError(GnssInputError):
    """A SINEX (satellite metadata) file that cannot be read."""


class FetchError(GnssInputError):
    """A broadcast navigation file could not be fetched or validated."""


class OutputExistsError(GnssInputError):
    """The output folder holds another run's results."""


class NoCommonDataError(GnssInputError):
    """Broadcast and precise orbits share no satellite and epoch: nothing to compare."""


class PropagationError(ValueError):
    """Inputs outside the jammer propagation model: an antenna height or frequency <= 0, a
    negative or non-finite distance, an unknown polarisation
    (:mod:`gnss_interop.scenarios.propagation`)."""


class CoverageError(RuntimeError):
    """A coverage tile failed; the message names the tile (lat range, time range) and cause."""


# --- internal control flow of gnss_interop.reading.fetch (never reach a user) ---------------

class TransientFetchError(Exception):
    """Worth another try: timeout, connection trouble, 5xx/429, body cut short."""


class UnreachableHostError(TransientFetchError):
    """No connection to the host at all."""


class MissingRemoteFileError(Exception):
    """The server answered 404/410: try the next product."""
