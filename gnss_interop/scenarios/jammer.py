"""A ground or airborne jammer as denial (and single-frequency) regions, per system.

Model (all in dB; documented so that an analyst can change every number):

* **RF bands.** The registry's signals are grouped into RF bands by centre frequency:
  signals within :data:`~gnss_interop.constants.RF_BAND_GROUPING_HZ` (10 MHz) of a
  neighbour share a band (:data:`RF_BANDS`; the seven bands and the reasoning are given with
  the constant): B2a | L3OC/B2I/B2b | G2 | B3I | B1I | B1C/L1CA/E1 | L1OC/G1.
  A jammer **named by one signal** (``bands = ["B1C"]``) radiates over that signal's RF
  band, so it jams every signal of the band (a B1C jammer also jams GPS L1 C/A and Galileo
  E1, not B1I 14 MHz away). Several names cover several bands, **each with the full EIRP**
  (one emitter per band). A ``wideband`` jammer covers all ``n`` RF bands and **shares** its
  EIRP across them: ``EIRP − 10·log10(n)`` dB per band (n = 7: −8.45 dB). The radius scales
  as 10^(ΔEIRP/20) where free space decides (a wideband jammer reaches 1/√n = 0.378 of the
  radius of a single-band jammer of the same EIRP), as 10^(ΔEIRP/40) where the plane-earth
  loss does (0.615), and hardly at all beyond the horizon.
* **Per signal**, received jamming power J = EIRP_band + G_rx − L(d, h_tx, h_rx, f), L the
  path loss over a smooth Earth of :mod:`~gnss_interop.scenarios.propagation` (free space
  plus ITU-R P.526 smooth-Earth diffraction, or the two-ray plane-earth loss, whichever is
  larger; 4/3-Earth refraction), at the signal's centre frequency, with the emitter's EIRP
  towards the receiver and receiver antenna gain ``G_rx`` towards the jammer (default
  0 dBi); received signal power S = the ICD's minimum received power of the signal. The
  signal is jammed where J − S exceeds the receiver's J/S tolerance for it. Its ground
  radius (:meth:`Jammer.band_radius_km`) is the root of L(d) = EIRP_band + G_rx − S − J/S
  on that monotone curve: it grows with power on the ground (no horizon cap), and for an
  airborne receiver it reaches about the radio horizon 4.12·(√h_tx + √h_rx) km, plus the
  diffraction tail beyond it for a strong jammer. Heights are above the smooth ground (no
  terrain model yet): the jammer's ``height_m`` and the receiver's height (the grid's
  receiver height, :class:`~gnss_interop.scenarios.schema.GridModel`); antennas lower than
  :data:`~gnss_interop.constants.MIN_ANTENNA_HEIGHT_M` (1.5 m) are taken at 1.5 m.
* **Per system**, from the receiver profile
  (:class:`~gnss_interop.receivers.profiles.ReceiverProfile`, default ``dual-bds3-glo``):
  the system is **denied** where every signal the profile tracks for it is jammed, or where
  one is jammed and no signal of the profile's ``fallback`` for that system survives
  (:meth:`Jammer.denial_radius_km`). Where one is jammed and a fallback signal survives, the
  system stays usable on that one signal: a **single-frequency ring**
  (:meth:`Jammer.degraded_regions`) in which the ionosphere-free accuracy budget the engine
  applies is optimistic; :func:`~gnss_interop.scenarios.degradations.resolve_degradations`
  issues a :class:`~gnss_interop.errors.ScenarioWarning` for each ring.

The J/S tolerance follows the standard tracking-threshold relation (Kaplan &
Hegarty, *Understanding GPS: Principles and Applications*, 2nd ed., 2006, §6.3.1):

    J/S = 10·log10( Q·R_c · (1/(C/N0)_thr − 1/(C/N0)_0) )

with spectral-separation factor Q = 2 (broadband noise jammer), chip rate R_c of
the signal, tracking threshold (C/N0)_thr = 28 dB-Hz and unjammed (C/N0)_0 =
45 dB-Hz (:data:`~gnss_interop.constants.JS_Q_BROADBAND_NOISE` and the constants after it,
with their sources). That gives ~38 dB for BeiDou B1I and ~32 dB for GLONASS G1 C/A (a
shorter code, hence less processing gain), ~45 dB for the 10.23 Mcps B2a. Real receivers
differ by ±10 dB: set ``js_tolerance_db`` to override (for every signal).

The regions of an isotropic emitter over a smooth Earth are concentric around it (ground
distance): a jammer becomes one :class:`~gnss_interop.scenarios.regions.Circle` per denied
system and one :class:`~gnss_interop.scenarios.regions.Annulus` per system that runs single
frequency.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from gnss_interop.constants import (
    C_LIGHT_M_S,
    JS_CN0_NOMINAL_DBHZ,
    JS_CN0_TRACKING_THRESHOLD_DBHZ,
    JS_Q_BROADBAND_NOISE,
    MIN_ANTENNA_HEIGHT_M,
    RF_BAND_GROUPING_HZ,
)
from gnss_interop.receivers.profiles import ReceiverProfile, Tracking, receiver_profile
from gnss_interop.scenarios import propagation
from gnss_interop.scenarios.regions import Annulus, Circle
from gnss_interop.systems import PRIMARY_SYSTEMS, System, registered

__all__ = ["Band", "Jammer", "RF_BANDS", "RfBand", "SystemEffect", "antenna_height_m",
           "free_space_range_km", "js_tolerance_db", "km_text", "radio_horizon_km",
           "rf_band_of"]


class _BandEnum(Enum):
    """GNSS signals, one member per :class:`~gnss_interop.systems.Signal` of the registry."""

    @property
    def system(self) -> System:
        return self.value.system

    @property
    def freq_hz(self) -> float:
        return self.value.freq_hz

    @property
    def chip_rate(self) -> float:
        """Chip rate [chip/s]."""
        return self.value.chip_rate_cps

    @property
    def min_received_power_dbw(self) -> float:
        return self.value.min_received_power_dbw

    @property
    def rf_band(self) -> "RfBand":
        """The RF band this signal belongs to (:data:`RF_BANDS`)."""
        return rf_band_of(self)

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


@dataclass(frozen=True)
class RfBand:
    """Signals that share one RF band (centre frequencies within
    :data:`~gnss_interop.constants.RF_BAND_GROUPING_HZ` of a neighbour), by frequency."""

    signals: tuple[Band, ...]

    @property
    def low_hz(self) -> float:
        return min(b.freq_hz for b in self.signals)

    @property
    def high_hz(self) -> float:
        return max(b.freq_hz for b in self.signals)

    @property
    def name(self) -> str:
        """The signals joined by ``/``, e.g. ``"B1C/L1CA/E1"``."""
        return "/".join(b.name for b in self.signals)

    def describe(self) -> str:
        """``"L1OC/G1 1601.0–1602.0 MHz"``, ``"B1I 1561.1 MHz"``."""
        lo, hi = self.low_hz / 1e6, self.high_hz / 1e6
        span = f"{lo:.1f} MHz" if hi - lo < 0.05 else f"{lo:.1f}–{hi:.1f} MHz"
        return f"{self.name} {span}"


def _group_rf_bands(grouping_hz: float = RF_BAND_GROUPING_HZ) -> tuple[RfBand, ...]:
    """Single-linkage grouping of every signal by centre frequency, in frequency order."""
    ordered = sorted(Band, key=lambda b: (b.freq_hz, b.name))
    groups: list[list[Band]] = []
    for b in ordered:
        if groups and b.freq_hz - groups[-1][-1].freq_hz <= grouping_hz:
            groups[-1].append(b)
        else:
            groups.append([b])
    return tuple(RfBand(tuple(g)) for g in groups)


#: The RF bands of the registry's signals, lowest frequency first (see the module docstring).
RF_BANDS: tuple[RfBand, ...] = _group_rf_bands()
_RF_BAND_OF: dict[Band, RfBand] = {b: rf for rf in RF_BANDS for b in rf.signals}


def rf_band_of(band: Band | str) -> RfBand:
    """The RF band of a signal (``Band`` or name such as ``"B2a"``)."""
    return _RF_BAND_OF[Band.parse(band) if isinstance(band, str) else band]


def js_tolerance_db(band: Band, *, q: float = JS_Q_BROADBAND_NOISE,
                    cn0_threshold_dbhz: float = JS_CN0_TRACKING_THRESHOLD_DBHZ,
                    cn0_nominal_dbhz: float = JS_CN0_NOMINAL_DBHZ) -> float:
    """Largest J/S [dB] at which the receiver still tracks ``band`` (Kaplan & Hegarty §6.3.1;
    the default Q and C/N0 values, with their sources, are in :mod:`gnss_interop.constants`)."""
    inv = 10.0 ** (-cn0_threshold_dbhz / 10.0) - 10.0 ** (-cn0_nominal_dbhz / 10.0)
    if inv <= 0:
        raise ValueError("tracking threshold must be below the unjammed C/N0")
    return 10.0 * math.log10(q * band.chip_rate * inv)


def antenna_height_m(height_m: float) -> float:
    """The antenna height [m] the propagation model uses for a given height above the ground:
    at least :data:`~gnss_interop.constants.MIN_ANTENNA_HEIGHT_M` (1.5 m)."""
    return max(float(height_m), MIN_ANTENNA_HEIGHT_M)


def radio_horizon_km(h_tx_m: float, h_rx_m: float) -> float:
    """Radio horizon [km] between two antennas, 4/3-Earth refraction: 4.12(√h1 + √h2), h in m
    (:func:`gnss_interop.scenarios.propagation.radio_horizon_km`)."""
    return float(propagation.radio_horizon_km(h_tx_m, h_rx_m))


def free_space_range_km(eirp_dbw: float, band: Band, js_tolerance: float,
                        rx_gain_dbi: float = 0.0) -> float:
    """Distance [km] within which J/S exceeds ``js_tolerance`` [dB] in free space (no ground:
    the model before the smooth Earth, kept for comparison)."""
    max_fspl_db = eirp_dbw + rx_gain_dbi - band.min_received_power_dbw - js_tolerance
    # FSPL = 20 log10(4π d f / c)  →  d = c / (4π f) · 10^(FSPL/20)
    return C_LIGHT_M_S / (4.0 * math.pi * band.freq_hz) * 10.0 ** (max_fspl_db / 20.0) / 1000.0


@lru_cache(maxsize=4096)
def _ground_radius_km(max_loss_db: float, h_tx_m: float, h_rx_m: float, freq_hz: float) -> float:
    """Root of the smooth-Earth loss curve (cached: a scenario asks for the same radii often)."""
    return float(propagation.max_distance_km(max_loss_db, h_tx_m, h_rx_m, freq_hz))


@dataclass(frozen=True)
class SystemEffect:
    """What one jammer does to one system of the receiver profile.

    ``signal_radius_km``: ground radius within which each tracked signal is jammed (0: its
    band is not covered). ``denial_radius_km``: the system is unusable within it.
    Between ``denial_radius_km`` and ``jammed_radius_km`` (the farthest any tracked signal is
    jammed) the receiver runs single frequency on ``surviving`` (``None``: no ring).
    """

    system: System
    tracking: Tracking
    signal_radius_km: dict[str, float]
    denial_radius_km: float
    jammed_radius_km: float
    surviving: str | None

    @property
    def single_frequency(self) -> bool:
        """Whether a single-frequency ring exists (some signal jammed beyond the denial)."""
        return self.surviving is not None and self.jammed_radius_km > self.denial_radius_km

    @property
    def jammed(self) -> tuple[str, ...]:
        """Tracked signals this jammer reaches at all."""
        return tuple(s for s, r in self.signal_radius_km.items() if r > 0.0)


@dataclass(frozen=True)
class Jammer:
    """An emitter at (lat, lon, height) with an EIRP on some bands (or ``wideband``),
    acting on the signals a receiver profile tracks.

    ``bands``: signal names (each covers that signal's RF band, full EIRP in each) or
    ``"wideband"`` (every RF band, EIRP shared). ``receiver``: a profile, preset name or
    ``None`` (the default profile). ``systems``: the systems whose effect is evaluated (those
    the configurations use).
    """

    lat_deg: float
    lon_deg: float
    height_m: float
    eirp_dbw: float
    bands: tuple[str, ...] = ("wideband",)
    js_tolerance_db: float | None = None
    rx_gain_dbi: float = 0.0
    receiver: ReceiverProfile | str | None = None
    systems: tuple[System, ...] = PRIMARY_SYSTEMS

    def __post_init__(self) -> None:
        object.__setattr__(self, "bands", tuple(self.bands))
        object.__setattr__(self, "receiver", receiver_profile(self.receiver))
        object.__setattr__(self, "systems", tuple(self.systems))

    @property
    def profile(self) -> ReceiverProfile:
        """The receiver profile (``receiver`` resolved)."""
        assert isinstance(self.receiver, ReceiverProfile)
        return self.receiver

    # ---------------------------------------------------------------- bands
    @property
    def wideband(self) -> bool:
        return any(b.strip().lower() == "wideband" for b in self.bands)

    def rf_bands(self) -> tuple[RfBand, ...]:
        """The RF bands this jammer covers, lowest frequency first."""
        if self.wideband:
            return RF_BANDS
        covered = {rf_band_of(Band.parse(b)) for b in self.bands}
        return tuple(rf for rf in RF_BANDS if rf in covered)

    def covered_bands(self) -> set[Band]:
        """Every signal this jammer jams somewhere (all signals of its RF bands)."""
        return {b for rf in self.rf_bands() for b in rf.signals}

    @property
    def eirp_per_band_dbw(self) -> float:
        """EIRP in each covered RF band [dBW]: the full EIRP for named bands,
        EIRP − 10·log10(n) for a wideband jammer over n bands."""
        if self.wideband:
            return self.eirp_dbw - 10.0 * math.log10(len(RF_BANDS))
        return self.eirp_dbw

    # ---------------------------------------------------------------- radii
    def max_loss_db(self, band: Band | str) -> float:
        """Largest path loss [dB] at which ``band`` is still jammed: EIRP per band + G_rx −
        S_min − J/S tolerance."""
        band = Band.parse(band) if isinstance(band, str) else band
        tol = js_tolerance_db(band) if self.js_tolerance_db is None else self.js_tolerance_db
        return self.eirp_per_band_dbw + self.rx_gain_dbi - band.min_received_power_dbw - tol

    def band_radius_km(self, band: Band | str, receiver_height_m: float) -> float:
        """Ground radius [km] within which the signal ``band`` is jammed (0 if not covered),
        for a receiver at ``receiver_height_m`` [m] above the ground: where the smooth-Earth
        path loss (:func:`~gnss_interop.scenarios.propagation.path_loss_db`) reaches
        :meth:`max_loss_db`."""
        band = Band.parse(band) if isinstance(band, str) else band
        if band not in self.covered_bands():
            return 0.0
        return _ground_radius_km(self.max_loss_db(band), antenna_height_m(self.height_m),
                                 antenna_height_m(receiver_height_m), band.freq_hz)

    def band_radii_km(self, receiver_height_m: float) -> dict[System, dict[str, float]]:
        """Per system of :attr:`systems`, the ground radius [km] of each tracked signal."""
        return {s: self.effect(s, receiver_height_m).signal_radius_km for s in self.systems}

    def effect(self, system: System, receiver_height_m: float) -> SystemEffect:
        """Denial radius and single-frequency ring of ``system`` (module docstring)."""
        tracking = self.profile.tracks(system)
        radius = {s: self.band_radius_km(s, receiver_height_m) for s in tracking.signals}
        jammed_km = max(radius.values())
        if not tracking.fallback:
            return SystemEffect(system, tracking, radius, jammed_km, jammed_km, None)
        # fallback signals may lie outside the pair: they have radii of their own
        fb = {s: radius.get(s, self.band_radius_km(s, receiver_height_m))
              for s in tracking.fallback}
        # denied where a tracked signal is jammed and every fallback signal is jammed too
        denial_km = min(jammed_km, min(fb.values()))
        surviving = next((s for s in tracking.fallback if fb[s] <= denial_km), None)
        if jammed_km <= denial_km:
            surviving = None
        return SystemEffect(system, tracking, radius, denial_km, jammed_km, surviving)

    def denial_radius_km(self, system: System, receiver_height_m: float) -> float:
        """Ground radius [km] within which ``system`` is denied for the receiver profile."""
        return self.effect(system, receiver_height_m).denial_radius_km

    def denial_regions(self, receiver_height_m: float) -> dict[System, Circle]:
        """One circle per system this jammer denies (systems with zero radius are left out)."""
        out = {}
        for system in self.systems:
            r = self.denial_radius_km(system, receiver_height_m)
            if r > 0.0:
                out[system] = Circle(self.lat_deg, self.lon_deg, r)
        return out

    def degraded_regions(self, receiver_height_m: float) -> dict[System, Annulus]:
        """One ring per system that runs single frequency (a tracked signal jammed, a
        fallback signal surviving): from the denial radius to the farthest jammed radius."""
        out = {}
        for system in self.systems:
            e = self.effect(system, receiver_height_m)
            if e.single_frequency:
                out[system] = Annulus(self.lat_deg, self.lon_deg, e.denial_radius_km,
                                      e.jammed_radius_km)
        return out

    # ---------------------------------------------------------------- text
    def name(self) -> str:
        """``"jammer at 43°, 34°, 10000 m"`` (``"0 m (antenna taken at 1.5 m)"`` below the
        model's lowest antenna)."""
        height = f"{self.height_m:g} m"
        if antenna_height_m(self.height_m) != self.height_m:
            height += f" (antenna taken at {antenna_height_m(self.height_m):g} m)"
        return f"jammer at {self.lat_deg:g}°, {self.lon_deg:g}°, {height}"

    def bands_text(self) -> str:
        """The covered RF bands and the EIRP per band."""
        if self.wideband:
            return (f"wideband over {len(RF_BANDS)} RF bands "
                    f"({RF_BANDS[0].low_hz / 1e6:.0f}–{RF_BANDS[-1].high_hz / 1e6:.0f} MHz), "
                    f"{self.eirp_per_band_dbw:.1f} dBW per band")
        return " + ".join(rf.describe() for rf in self.rf_bands())

    def single_frequency_warnings(self, receiver_height_m: float, where: str = "") -> list[str]:
        """One message per single-frequency ring (for a :class:`ScenarioWarning`)."""
        out = []
        for system in self.systems:
            e = self.effect(system, receiver_height_m)
            if not e.single_frequency:
                continue
            lost = "/".join(s for s in e.jammed if s != e.surviving)
            out.append(
                f"{where}{self.name()} ({self.bands_text()}) jams {system.display_name} "
                f"{lost} out to {km_text(e.jammed_radius_km)} km; receiver profile "
                f"{self.profile.name} falls back to {e.surviving} alone from "
                f"{km_text(e.denial_radius_km)} to {km_text(e.jammed_radius_km)} km, where the "
                f"dual-frequency ({'+'.join(e.tracking.signals)}) accuracy budget of the "
                f"outputs is optimistic (single-frequency ionosphere error not modelled there)")
        return out

    def footprints(self, heights_m: Sequence[float]) -> list[tuple[float, dict[System,
                                                                                SystemEffect]]]:
        """Per receiver height [m] above the ground, the effect on each system (one footprint
        per height, e.g. ground, FL100 and FL350: ``[1.5, 3048, 10668]``)."""
        return [(float(h), {s: self.effect(s, h) for s in self.systems}) for h in heights_m]

    def effects_text(self, receiver_height_m: float) -> str:
        """``"denies C 12 km, R 9.6 km; single frequency R (G2) 9.6–14 km"``."""
        denies, single = [], []
        for system in self.systems:
            e = self.effect(system, receiver_height_m)
            if e.denial_radius_km > 0.0:
                denies.append(f"{system.letter} {km_text(e.denial_radius_km)} km")
            if e.single_frequency:
                single.append(f"{system.letter} ({e.surviving}) {km_text(e.denial_radius_km)}–"
                              f"{km_text(e.jammed_radius_km)} km")
        text = f"denies {', '.join(denies) or 'nothing'}"
        if single:
            text += "; single frequency " + ", ".join(single)
        return text

    def describe(self, receiver_height_m: float, heights_m: Sequence[float] = ()) -> str:
        """What the jammer does, naming its bands, the receiver profile and height, e.g.
        ``"jammer at 43°, 34°, 10000 m, EIRP 30 dBW on L1OC/G1 1601.0–1602.0 MHz, receiver
        dual-bds3-glo at 1.5 m over a smooth Earth: denies nothing; single frequency R (G2)
        0–475 km"``; with ``heights_m``, the footprint at each of those receiver heights
        follows (``"; at receiver height 3048 m: denies ...; at 10668 m: ..."``)."""
        rx = antenna_height_m(receiver_height_m)
        text = (f"{self.name()}, EIRP {self.eirp_dbw:g} dBW on {self.bands_text()}, receiver "
                f"{self.profile.name} at {rx:g} m over a smooth Earth: "
                f"{self.effects_text(receiver_height_m)}")
        for k, h in enumerate(heights_m):
            at = "at receiver height" if k == 0 else "at"
            text += f"; {at} {antenna_height_m(h):g} m: {self.effects_text(h)}"
        return text


def km_text(radius_km: float) -> str:
    """A radius [km] to two or three significant figures: ``"412"``, ``"23"``, ``"9.6"``,
    ``"0.63"``, ``"1,234"``; ``"0"`` for none."""
    if radius_km <= 0.0:
        return "0"
    if radius_km >= 100.0:
        return f"{radius_km:,.0f}"
    if radius_km >= 10.0:
        return f"{radius_km:.0f}"
    if radius_km >= 1.0:
        return f"{radius_km:.1f}"
    return f"{radius_km:.2f}"
