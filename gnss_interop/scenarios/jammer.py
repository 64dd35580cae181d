"""A ground or airborne jammer as a denial region, per system.

Model (all in dB; documented so that an analyst can change every number):

* received jamming power  J = EIRP + G_rx − FSPL(d, f),  FSPL = 20·log10(4π·d·f/c)
  (free space, the emitter's EIRP towards the receiver, receiver antenna gain
  ``G_rx`` towards the jammer, default 0 dBi);
* received signal power   S = the ICD's minimum received power of the band;
* a system is denied where J − S exceeds the receiver's J/S tolerance for the band
  the receiver uses for that system (:func:`receiver_bands_for`: the registry entry's
  default signal), *and* the receiver is within the radio
  horizon of the emitter, d_h = 4.12·(√h_tx + √h_rx) km with heights in metres
  (standard 4/3-Earth refraction; ITU-R P.526).

The J/S tolerance follows the standard tracking-threshold relation (Kaplan &
Hegarty, *Understanding GPS: Principles and Applications*, 2nd ed., 2006, §6.3.1):

    J/S = 10·log10( Q·R_c · (1/(C/N0)_thr − 1/(C/N0)_0) )

with spectral-separation factor Q = 2 (broadband noise jammer), chip rate R_c of
the signal, tracking threshold (C/N0)_thr = 28 dB-Hz and unjammed (C/N0)_0 =
45 dB-Hz. That gives ~38 dB for BeiDou B1I and ~32 dB for GLONASS G1 C/A (a
shorter code, hence less processing gain). Real receivers differ by ±10 dB:
set ``js_tolerance_db`` to override.

The denial region of an isotropic emitter in free space is a circle around it
(ground distance), so a jammer becomes one :class:`~gnss_interop.scenarios.regions.Circle`
per denied system.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from gnss_interop.constants import C_LIGHT_M_S
from gnss_interop.scenarios.regions import Circle
from gnss_interop.systems import PRIMARY_SYSTEMS, System, registered, spec

__all__ = ["Band", "Jammer", "RECEIVER_BANDS", "js_tolerance_db", "radio_horizon_km",
           "receiver_bands_for"]


class _BandEnum(Enum):
    """GNSS signal bands, one member per :class:`~gnss_interop.systems.Signal` of the registry."""

    @property
    def system(self) -> System:
        return self.value.system

    @property
    def freq_hz(self) -> float:
        return self.value.freq_hz

    @property
    def chip_rate(self) -> float:
        return self.value.chip_rate_cps

    @property
    def min_received_power_dbw(self) -> float:
        return self.value.min_received_power_dbw

    @classmethod
    def parse(cls, name: str) -> "Band":
        key = name.strip().upper()
        key = _ALIASES.get(key, key)
        try:
            return cls[key]
        except KeyError:
            known = ", ".join(b.name for b in cls)
            raise ValueError(f"unknown band {name!r}; known: {known}, or 'wideband'") from None


#: Other names users write for a band.
_ALIASES = {"B1": "B1I", "L1": "G1", "L2": "G2", "B2": "B2A", "L1C/A": "L1CA", "E1OS": "E1"}

#: Every signal of every registered system (``Band.B1I``, ``Band.G1``, ``Band.L1CA``, ...):
#: (system, centre frequency [Hz], chip rate [chip/s], minimum received power [dBW]).
Band = _BandEnum("Band", [(sig.name, sig) for entry in registered() for sig in entry.signals])


def receiver_bands_for(systems: Iterable[System]) -> dict[System, Band]:
    """The band a receiver tracks for each of ``systems``: each registry entry's default
    signal (the open legacy signals: B1I, G1 C/A, L1 C/A, E1)."""
    return {s: Band.parse(spec(s).default_band) for s in systems}


#: The bands of the default receiver, which tracks the primary systems (B1I and G1).
RECEIVER_BANDS: dict[System, Band] = receiver_bands_for(PRIMARY_SYSTEMS)

#: Defaults of the J/S tolerance relation (module docstring).
Q_BROADBAND_NOISE = 2.0
CN0_THRESHOLD_DBHZ = 28.0
CN0_NOMINAL_DBHZ = 45.0


def js_tolerance_db(band: Band, *, q: float = Q_BROADBAND_NOISE,
                    cn0_threshold_dbhz: float = CN0_THRESHOLD_DBHZ,
                    cn0_nominal_dbhz: float = CN0_NOMINAL_DBHZ) -> float:
    """Largest J/S [dB] at which the receiver still tracks ``band`` (Kaplan & Hegarty §6.3.1)."""
    inv = 10.0 ** (-cn0_threshold_dbhz / 10.0) - 10.0 ** (-cn0_nominal_dbhz / 10.0)
    if inv <= 0:
        raise ValueError("tracking threshold must be below the unjammed C/N0")
    return 10.0 * math.log10(q * band.chip_rate * inv)


def radio_horizon_km(h_tx_m: float, h_rx_m: float) -> float:
    """Radio horizon [km] between two antennas, 4/3-Earth refraction: 4.12(√h1 + √h2), h in m."""
    return 4.12 * (math.sqrt(max(h_tx_m, 0.0)) + math.sqrt(max(h_rx_m, 0.0)))


def free_space_range_km(eirp_dbw: float, band: Band, js_tolerance: float,
                        rx_gain_dbi: float = 0.0) -> float:
    """Distance [km] within which J/S exceeds ``js_tolerance`` in free space."""
    max_fspl_db = eirp_dbw + rx_gain_dbi - band.min_received_power_dbw - js_tolerance
    # FSPL = 20 log10(4π d f / c)  →  d = c / (4π f) · 10^(FSPL/20)
    return C_LIGHT_M_S / (4.0 * math.pi * band.freq_hz) * 10.0 ** (max_fspl_db / 20.0) / 1000.0


@dataclass(frozen=True)
class Jammer:
    """An emitter at (lat, lon, height) with an EIRP covering some bands (or 'wideband')."""

    lat_deg: float
    lon_deg: float
    height_m: float
    eirp_dbw: float
    bands: tuple[str, ...] = ("wideband",)
    js_tolerance_db: float | None = None
    rx_gain_dbi: float = 0.0
    receiver_bands: dict[System, Band] = field(default_factory=lambda: dict(RECEIVER_BANDS))

    def covered_bands(self) -> set[Band]:
        if any(b.strip().lower() == "wideband" for b in self.bands):
            return set(Band)
        return {Band.parse(b) for b in self.bands}

    def denial_radius_km(self, system: System, receiver_height_m: float) -> float:
        """Ground radius [km] of the region where ``system`` is denied (0 if its band is not covered)."""
        band = self.receiver_bands.get(system)
        if band is None or band not in self.covered_bands():
            return 0.0
        tol = js_tolerance_db(band) if self.js_tolerance_db is None else self.js_tolerance_db
        slant = free_space_range_km(self.eirp_dbw, band, tol, self.rx_gain_dbi)
        dh_km = abs(self.height_m - receiver_height_m) / 1000.0
        ground = math.sqrt(max(slant**2 - dh_km**2, 0.0))
        return min(ground, radio_horizon_km(self.height_m, receiver_height_m))

    def denial_regions(self, receiver_height_m: float) -> dict[System, Circle]:
        """One circle per system this jammer denies (systems with zero radius are left out)."""
        out = {}
        for system in self.receiver_bands:
            r = self.denial_radius_km(system, receiver_height_m)
            if r > 0.0:
                out[system] = Circle(self.lat_deg, self.lon_deg, r)
        return out

    def describe(self, receiver_height_m: float) -> str:
        parts = [f"{s.letter} {r.radius_km:,.0f} km" for s, r in
                 self.denial_regions(receiver_height_m).items()]
        bands = "wideband" if len(self.covered_bands()) == len(Band) else \
            "+".join(sorted(b.name for b in self.covered_bands()))
        return (f"jammer at {self.lat_deg:g}°, {self.lon_deg:g}°, {self.height_m:g} m, "
                f"EIRP {self.eirp_dbw:g} dBW, {bands}: denies {', '.join(parts) or 'nothing'}")
