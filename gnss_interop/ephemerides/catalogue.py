"""Which satellite, of which generation, broadcasting which signals, holds a PRN on a date.

Sources, in order:

1. the IGS satellite metadata SINEX (:mod:`gnss_interop.reading.sinex`; the package ships a
   copy, :data:`~gnss_interop.resources.SATELLITE_METADATA`): PRN → SVN → block, and the
   registry maps the block to a :class:`~gnss_interop.systems.Generation`;
2. the broadcast file itself, as corroboration: a BeiDou satellite with CNV1/CNV2 (B1C/B2a
   CNAV) records transmits B1C/B2a, so it is a BDS-3 MEO/IGSO satellite.

When they disagree the broadcast evidence wins for what the satellite transmits (a satellite
that sends CNAV on B1C does broadcast B1C; the usual cause is a PRN moved to a new satellite
after the metadata release) and a :class:`~gnss_interop.errors.CatalogueWarning` names the
satellite, the block the metadata gives and the evidence. A PRN the metadata does not know
on that date and that has no evidence gets the system's ``unknown_generation`` (the
generation with the legacy signals only), also with a warning: nothing is assumed that the
satellite may not broadcast.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from gnss_interop.errors import CatalogueWarning
from gnss_interop.reading.sinex import SatelliteMetadata, read_satellite_metadata
from gnss_interop.resources import SATELLITE_METADATA
from gnss_interop.systems import Generation, System, spec, sv_system

__all__ = ["SatelliteInfo", "SatelliteCatalogue", "satellite_catalogue", "shipped_metadata",
           "broadcast_evidence"]


@dataclass(frozen=True)
class SatelliteInfo:
    """One satellite of the catalogue on the catalogue's date."""

    sv: str                 # PRN / slot identifier, e.g. "C19"
    system: System
    generation: Generation
    svn: str | None         # IGS space-vehicle number ("C201"), None if unknown
    block: str | None       # IGS metadata block ("BDS-3M-CAST"), None if unknown
    source: str             # "metadata", "broadcast", "metadata+broadcast", "assumed"

    @property
    def signals(self) -> frozenset[str]:
        return self.generation.signals

    def transmits(self, signals: Iterable[str]) -> bool:
        return all(s.upper() in self.generation.signals for s in signals)


@dataclass(frozen=True)
class SatelliteCatalogue:
    """Satellites of a day: ``catalogue["C19"]`` → :class:`SatelliteInfo`."""

    date: np.datetime64
    satellites: Mapping[str, SatelliteInfo]
    metadata_file: str
    #: What the broadcast screening found, carried to coverage provenance: keys
    #: ``excluded_records`` and ``unverified_records``
    #: (:meth:`~gnss_interop.ephemerides.store.Ephemerides.screening_summary`); empty when the
    #: catalogue was not built from an :class:`~gnss_interop.ephemerides.store.Ephemerides`.
    ephemeris_screening: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, sv: str) -> SatelliteInfo:
        return self.satellites[sv]

    def __contains__(self, sv: object) -> bool:
        return sv in self.satellites

    def get(self, sv: str) -> SatelliteInfo | None:
        return self.satellites.get(sv)

    def count_by_generation(self, system: System | None = None) -> dict[str, int]:
        """Number of satellites per generation name (of ``system`` only if given)."""
        out: dict[str, int] = {}
        for info in self.satellites.values():
            if system is None or info.system == system:
                out[info.generation.name] = out.get(info.generation.name, 0) + 1
        return out

    def describe(self) -> str:
        """One line per system: ``BeiDou: 29 BDS-3, 15 BDS-2 (metadata 2023-03-12)``."""
        lines = []
        for system in dict.fromkeys(i.system for i in self.satellites.values()):
            counts = self.count_by_generation(system)
            lines.append(f"{system.display_name}: " + ", ".join(
                f"{n} {g}" for g, n in sorted(counts.items(), key=lambda kv: -kv[1])))
        return "; ".join(lines) + f" (IGS metadata {Path(self.metadata_file).name}, " \
                                  f"{str(self.date)[:10]})"


@lru_cache(maxsize=4)
def _read(path: str) -> SatelliteMetadata:
    return read_satellite_metadata(path)


def shipped_metadata() -> SatelliteMetadata:
    """The IGS satellite metadata the package ships (read once per process)."""
    return _read(str(SATELLITE_METADATA))


def broadcast_evidence(messages_by_sv: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Generation proved by the broadcast messages of each satellite (``{"C19": "BDS-3"}``)."""
    out = {}
    for sv, messages in messages_by_sv.items():
        try:
            evidence = spec(sv_system(sv)).generation_evidence
        except ValueError:
            continue
        for m in messages:
            if str(m) in evidence:
                out[sv] = evidence[str(m)]
    return out


def satellite_catalogue(svs: Iterable[str], date: np.datetime64 | str, *,
                        metadata: SatelliteMetadata | str | Path | None = None,
                        evidence: Mapping[str, str] | None = None,
                        warn: bool = True) -> SatelliteCatalogue:
    """The catalogue of ``svs`` on ``date`` (see the module docstring for the rules).

    ``evidence`` maps satellites to the generation their broadcast messages prove
    (:func:`broadcast_evidence`, or :meth:`Ephemerides.generation_evidence`).
    Satellites of systems without a registry entry are left out.
    """
    if metadata is None:
        meta = shipped_metadata()
    elif isinstance(metadata, SatelliteMetadata):
        meta = metadata
    else:
        meta = _read(str(metadata))
    t = np.datetime64(date, "s")
    evidence = dict(evidence or {})
    out: dict[str, SatelliteInfo] = {}
    unknown, conflicts = [], []
    for sv in svs:
        try:
            system = sv_system(sv)
            entry = spec(system)
        except ValueError:
            continue
        sat = meta.satellite(sv, t)
        by_meta = None if sat is None else entry.generation_of_block(sat.block)
        by_brdc = evidence.get(sv)
        if by_brdc is not None:
            gen = entry.generation(by_brdc)
            if by_meta is None:
                source = "broadcast"
            elif not gen.signals <= by_meta.signals:
                conflicts.append(f"{sv} (metadata: {sat.block}, {by_meta.name}; broadcast: "
                                 f"{by_brdc} messages)")
                source = "broadcast"
            else:
                gen, source = by_meta, "metadata+broadcast"
        elif by_meta is not None:
            gen, source = by_meta, "metadata"
        else:
            gen, source = entry.generation(entry.unknown_generation), "assumed"
            unknown.append(sv if sat is None else f"{sv} (block {sat.block})")
        out[sv] = SatelliteInfo(sv, system, gen, None if sat is None else sat.svn,
                                None if sat is None else sat.block, source)
    if warn and conflicts:
        warnings.warn("satellite metadata and broadcast disagree; the broadcast wins for the "
                      f"signals transmitted: {'; '.join(conflicts)}", CatalogueWarning,
                      stacklevel=2)
    if warn and unknown:
        warnings.warn(f"{len(unknown)} satellite(s) not in the IGS metadata on "
                      f"{str(t)[:10]} ({Path(meta.path).name}): {', '.join(unknown)}; taken as "
                      f"the legacy generation of their system (legacy signals only)",
                      CatalogueWarning, stacklevel=2)
    return SatelliteCatalogue(t, out, meta.path)
