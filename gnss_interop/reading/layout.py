"""The layout of one RINEX navigation message, and what each of its fields may hold.

Registry entries (:mod:`gnss_interop.systems`) build their layouts from this; the
reader (:mod:`gnss_interop.reading.rinex_nav`) decodes any layout the same way and checks
every value against :data:`FIELD_RULES`.

**Form.** Every field is the fixed-width Fortran ``D19.12`` of the RINEX navigation
message tables (RINEX 2.11 ``3X,4D19.12``; 3.04 and 4.00 ``4X,4D19.12``): a sign, one
digit before the point (``d.`` in 3/4; ``0.``, ``d.`` or none in RINEX 2), the decimals, a
``D``/``E`` exponent letter and a **signed two-digit exponent**, right-justified in its 19
columns, or 19 blanks for a missing value. :data:`NUMBER_FORM` (:data:`NUMBER_FORM_V2`)
is that form; anything else (an exponent cut to one digit, a blank inside the number, a
digit turned into a sign, ``nan``, ``inf``, ``1_0``) is not a number.

**Content.** A broadcast value is an integer count of the ICD's scale factor, carried in a
field of a fixed number of bits (the ICD tables cited per rule). A :class:`FieldRule`
holds, in the units of the RINEX file:

* the range the bit width allows (two's complement: ``±2^(n−1)`` counts; unsigned
  ``0 … 2^n − 1``), narrowed where physics or the RINEX specification is tighter (seconds
  of week below 604,800; √A per system and orbit class; the GLONASS "effective range");
* the **resolution** (the ICD scale factor): a decoded broadcast value is a whole multiple
  of it, so a digit changed in a file almost never is (the printed 12 decimals are
  enough to tell, see :func:`off_resolution`). Group delays carry no resolution check:
  some receivers write them from single-precision floats (VILL00ESP 2018);
* integer-valued fields (health, issue of data, week, frequency channel).

Semicircle fields are converted to radians with the ICDs' π = 3.1415926535898.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from gnss_interop.systems.enums import System

__all__ = ["EPOCH_RESOLUTION_S", "FIELD_RULES", "ICD_PI", "KEPLER_ORBIT_LINES", "NUMBER_FORM",
           "NUMBER_FORM_V2", "PRN_RANGE", "RINEX4_MESSAGES", "FieldRule", "MessageLayout"]

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

#: One RINEX 3/4 floating-point field, right-justified: sign, one digit, the point, the
#: decimals, D/E and a signed two-digit exponent (``-7.05E-0``, `` .5E+00``, ``nan`` are not).
NUMBER_FORM = re.compile(r" *([-+]?)(\d)\.(\d+)[DdEe]([-+]\d\d)")
#: The same in RINEX 2, whose Fortran writers also print no digit before the point
#: (``-.931322574616D-09`` as well as ``-0.931322574616D-09``).
NUMBER_FORM_V2 = re.compile(r" *([-+]?)(\d?)\.(\d+)[DdEe]([-+]\d\d)")

#: π as the GPS, BeiDou and Galileo ICDs define it for semicircles (IS-GPS-200 §20.3.3.4.3;
#: BDS-SIS-ICD-B1I 3.0 §5.2.4.12; Galileo OS SIS ICD 2.0 §5.1.1).
ICD_PI = 3.1415926535898

#: Seconds in a week: the upper bound (excluded) of every seconds-of-week field.
_WEEK_S = 604_800.0


@dataclass(frozen=True)
class FieldRule:
    """What one broadcast field may hold, in the units of the RINEX file.

    ``lo``/``hi`` bound the value (inclusive unless ``hi_open``); ``resolution`` is the
    ICD scale factor the value is a whole multiple of (``None``: not checked);
    ``integer`` asks for a whole number; ``source`` cites the table the rule comes from.
    """

    lo: float
    hi: float
    unit: str
    source: str
    resolution: float | None = None
    integer: bool = False
    hi_open: bool = False
    #: Bit width of the broadcast field, where the range comes from it.
    bits: int | None = None

    def bounds_text(self) -> str:
        """The allowed range as users read it, e.g. ``"[-2048, 2048] m"``."""
        close = ")" if self.hi_open else "]"
        unit = f" {self.unit}" if self.unit else ""
        return f"[{self.lo:.6g}, {self.hi:.6g}{close}{unit}"

    def source_text(self) -> str:
        """The source with the bit width, e.g. ``"IS-GPS-200 Table 20-III, 16 bits"``."""
        return f"{self.source}, {self.bits} bits" if self.bits else self.source

    def narrowed(self, lo: float | None = None, hi: float | None = None, *,
                 hi_open: bool | None = None, source: str = "") -> "FieldRule":
        """This rule with a tighter range (physics, RINEX), its source appended."""
        return FieldRule(self.lo if lo is None else max(lo, self.lo),
                         self.hi if hi is None else min(hi, self.hi), self.unit,
                         f"{self.source}; {source}" if source else self.source,
                         self.resolution, self.integer,
                         self.hi_open if hi_open is None else hi_open, self.bits)


def _signed(bits: int, scale: float, unit: str, source: str, *, check_resolution: bool = True
            ) -> FieldRule:
    """A two's-complement (or sign-magnitude) field of ``bits`` bits and LSB ``scale``."""
    m = 2.0 ** (bits - 1) * scale
    return FieldRule(-m, m, unit, source, scale if check_resolution else None, bits=bits)


def _unsigned(bits: int, scale: float, unit: str, source: str) -> FieldRule:
    """An unsigned field of ``bits`` bits and LSB ``scale``."""
    return FieldRule(0.0, (2.0 ** bits - 1.0) * scale, unit, source, scale, bits=bits)


def _integer(lo: float, hi: float, source: str) -> FieldRule:
    return FieldRule(lo, hi, "", source, None, True)


def _finite(source: str, unit: str = "", lo: float = -math.inf, hi: float = math.inf) -> FieldRule:
    """A field the tool does not use: any finite number of the right form (in ``[lo, hi]``)."""
    return FieldRule(lo, hi, unit, source)


def _sc(power: int) -> float:
    """2^power semicircles in radians."""
    return 2.0 ** power * ICD_PI


_SOW = "seconds of week are below 604,800 s (RINEX 3.04 Table A6)"
_UNUSED = "not used by the tool: form only"

# --- BeiDou D1/D2 (BDS-SIS-ICD-B1I 3.0 §5.2.4: bit widths and scale factors) -----------
_B1I = "BDS-SIS-ICD-B1I 3.0 §5.2.4 (ephemeris parameters)"
_B1I_CLK = "BDS-SIS-ICD-B1I 3.0 §5.2.4 (clock correction parameters)"
_B1I_TGD = "BDS-SIS-ICD-B1I 3.0 §5.2.4 (TGD1, TGD2)"
#: √A of BeiDou orbits: MEO 5282.6 m^½ (a = 27,906 km), IGSO/GEO 6493 m^½ (42,164 km);
#: [5000, 6700] m^½ holds both with margin (a = 25,000-44,890 km); the orbit-class radius
#: screening (±3 %) then applies per class.
_BDS_SQRT_A = (5000.0, 6700.0,
               "physical: BeiDou MEO 5282.6, IGSO/GEO 6493 m^1/2 (docs/domain.md §4.1)")
_D1D2_RULES: dict[str, FieldRule] = {
    "af0": _signed(24, 2.0**-33, "s", _B1I_CLK),
    "af1": _signed(22, 2.0**-50, "s/s", _B1I_CLK),
    "af2": _signed(11, 2.0**-66, "s/s2", _B1I_CLK),
    "aode": _integer(0, 255, "RINEX 3.04 Table A14 (AODE 0-31; some writers put an IODE)"),
    "crs": _signed(18, 2.0**-6, "m", _B1I),
    "delta_n": _signed(16, _sc(-43), "rad/s", _B1I),
    "m0": _signed(32, _sc(-31), "rad", _B1I),
    "cuc": _signed(18, 2.0**-31, "rad", _B1I),
    "e": _unsigned(32, 2.0**-33, "", _B1I),
    "cus": _signed(18, 2.0**-31, "rad", _B1I),
    "sqrt_a": _unsigned(32, 2.0**-19, "m^1/2", _B1I).narrowed(*_BDS_SQRT_A[:2],
                                                              source=_BDS_SQRT_A[2]),
    "toe": _unsigned(17, 8.0, "s", _B1I).narrowed(0.0, _WEEK_S, hi_open=True, source=_SOW),
    "cic": _signed(18, 2.0**-31, "rad", _B1I),
    "omega0": _signed(32, _sc(-31), "rad", _B1I),
    "cis": _signed(18, 2.0**-31, "rad", _B1I),
    "i0": _signed(32, _sc(-31), "rad", _B1I),
    "crc": _signed(18, 2.0**-6, "m", _B1I),
    "omega": _signed(32, _sc(-31), "rad", _B1I),
    "omega_dot": _signed(24, _sc(-43), "rad/s", _B1I),
    "idot": _signed(14, _sc(-43), "rad/s", _B1I),
    "week": _integer(0, 8191, "BDS-SIS-ICD-B1I 3.0 §5.2.4: WN 13 bits"),
    "sv_accuracy": _finite(_UNUSED, "m", 0.0),
    "health": _integer(0, 1, "BDS-SIS-ICD-B1I 3.0 §5.2.4: SatH1 1 bit (RINEX 3.04 Table A14)"),
    "tgd1": _signed(10, 1e-10, "s", _B1I_TGD, check_resolution=False),
    "tgd2": _signed(10, 1e-10, "s", _B1I_TGD, check_resolution=False),
    "t_tm": _finite(_UNUSED, "s", -_WEEK_S, 2 * _WEEK_S),
    "aodc": _integer(0, 255, "RINEX 3.04 Table A14 (AODC 0-31; some writers put an IODC)"),
}

# --- BeiDou B-CNAV1/B-CNAV2 (BDS-SIS-ICD-B1C 1.0 and -B2a 1.0 §7: same parameters) -------
_B1C = "BDS-SIS-ICD-B1C 1.0 §7 (ephemeris parameters)"
_B1C_CLK = "BDS-SIS-ICD-B1C 1.0 §7 (clock correction parameters)"
_B1C_TGD = "BDS-SIS-ICD-B1C 1.0 §7 (group delay parameters)"
_CNAV_RULES: dict[str, FieldRule] = {
    "af0": _signed(25, 2.0**-34, "s", _B1C_CLK),
    "af1": _signed(22, 2.0**-50, "s/s", _B1C_CLK),
    "af2": _signed(11, 2.0**-66, "s/s2", _B1C_CLK),
    "a_dot": _signed(25, 2.0**-21, "m/s", _B1C),
    "crs": _signed(24, 2.0**-8, "m", _B1C),
    "delta_n": _signed(17, _sc(-44), "rad/s", _B1C),
    "m0": _signed(33, _sc(-32), "rad", _B1C),
    "cuc": _signed(21, 2.0**-30, "rad", _B1C),
    "e": _unsigned(33, 2.0**-34, "", _B1C),
    "cus": _signed(21, 2.0**-30, "rad", _B1C),
    # RINEX 4 writes sqrt(A_ref + ΔA): not a multiple of anything, range only
    "sqrt_a": FieldRule(*_BDS_SQRT_A[:2], "m^1/2", "RINEX 4.00 Table A33 (sqrt(A0)); "
                        + _BDS_SQRT_A[2]),
    "toe": _unsigned(11, 300.0, "s", _B1C).narrowed(0.0, _WEEK_S, hi_open=True, source=_SOW),
    "cic": _signed(16, 2.0**-30, "rad", _B1C),
    "omega0": _signed(33, _sc(-32), "rad", _B1C),
    "cis": _signed(16, 2.0**-30, "rad", _B1C),
    "i0": _signed(33, _sc(-32), "rad", _B1C),
    "crc": _signed(24, 2.0**-8, "m", _B1C),
    "omega": _signed(33, _sc(-32), "rad", _B1C),
    "omega_dot": _signed(19, _sc(-44), "rad/s", _B1C),
    "idot": _signed(15, _sc(-44), "rad/s", _B1C),
    "delta_n_dot": _signed(23, _sc(-57), "rad/s2", _B1C),
    "sat_type": _integer(1, 3, "RINEX 4.00 Table A33: SatType 1 GEO, 2 IGSO, 3 MEO"),
    "t_op": _finite(_UNUSED, "s", 0.0, _WEEK_S),
    "sisai_oe": _finite(_UNUSED), "sisai_ocb": _finite(_UNUSED),
    "sisai_oc1": _finite(_UNUSED), "sisai_oc2": _finite(_UNUSED),
    "isc_b1cd": _signed(12, 2.0**-34, "s", _B1C_TGD, check_resolution=False),
    "isc_b2ad": _signed(12, 2.0**-34, "s", "BDS-SIS-ICD-B2a 1.0 §7 (ISC_B2ad)",
                        check_resolution=False),
    "tgd_b1cp": _signed(12, 2.0**-34, "s", _B1C_TGD, check_resolution=False),
    "tgd_b2ap": _signed(12, 2.0**-34, "s", _B1C_TGD, check_resolution=False),
    "sismai": _finite(_UNUSED),
    "health": _integer(0, 3, "BDS-SIS-ICD-B1C 1.0 §7: HS 2 bits (RINEX 4.00 Table A33)"),
    "integrity": _finite(_UNUSED),
    "iodc": _integer(0, 1023, "BDS-SIS-ICD-B1C 1.0 §7: IODC 10 bits"),
    "t_tm": _finite(_UNUSED, "s", -_WEEK_S, 2 * _WEEK_S),
    "iode": _integer(0, 255, "BDS-SIS-ICD-B1C 1.0 §7: IODE 8 bits"),
}

def _gps_like_kepler_rules(source: str) -> dict[str, FieldRule]:
    """The Keplerian orbit fields that GPS LNAV (IS-GPS-200 Table 20-III) and Galileo I/NAV
    and F/NAV (OS SIS ICD 2.0 §5.1.1) broadcast with the same bit widths and scale factors."""
    return {
        "crs": _signed(16, 2.0**-5, "m", source),
        "delta_n": _signed(16, _sc(-43), "rad/s", source),
        "m0": _signed(32, _sc(-31), "rad", source),
        "cuc": _signed(16, 2.0**-29, "rad", source),
        "e": _unsigned(32, 2.0**-33, "", source),
        "cus": _signed(16, 2.0**-29, "rad", source),
        "cic": _signed(16, 2.0**-29, "rad", source),
        "omega0": _signed(32, _sc(-31), "rad", source),
        "cis": _signed(16, 2.0**-29, "rad", source),
        "i0": _signed(32, _sc(-31), "rad", source),
        "crc": _signed(16, 2.0**-5, "m", source),
        "omega": _signed(32, _sc(-31), "rad", source),
        "omega_dot": _signed(24, _sc(-43), "rad/s", source),
        "idot": _signed(14, _sc(-43), "rad/s", source),
    }


# --- GPS LNAV (IS-GPS-200 Tables 20-I clock and 20-III ephemeris) ---------------------------
_LNAV = "IS-GPS-200 Table 20-III"
_LNAV_CLK = "IS-GPS-200 Table 20-I"
_LNAV_RULES: dict[str, FieldRule] = {
    **_gps_like_kepler_rules(_LNAV),
    "af0": _signed(22, 2.0**-31, "s", _LNAV_CLK),
    "af1": _signed(16, 2.0**-43, "s/s", _LNAV_CLK),
    "af2": _signed(8, 2.0**-55, "s/s2", _LNAV_CLK),
    "iode": _integer(0, 255, "IS-GPS-200 Table 20-III: IODE 8 bits"),
    "sqrt_a": _unsigned(32, 2.0**-19, "m^1/2", _LNAV).narrowed(
        5000.0, 5300.0, source="physical: GPS a = 26,560 km, sqrt 5153.7 m^1/2"),
    "toe": _unsigned(16, 16.0, "s", _LNAV).narrowed(0.0, _WEEK_S, hi_open=True, source=_SOW),
    "l2_codes": _finite(_UNUSED),
    "week": _integer(0, 9999, "RINEX 3.04 Table A6: continuous GPS week"),
    "l2p_flag": _finite(_UNUSED),
    "sv_accuracy": _finite(_UNUSED, "m", 0.0),
    "health": _integer(0, 63, "IS-GPS-200 Table 20-I: SV health 6 bits"),
    "tgd": _signed(8, 2.0**-31, "s", _LNAV_CLK, check_resolution=False),
    "iodc": _integer(0, 1023, "IS-GPS-200 Table 20-I: IODC 10 bits"),
    "t_tm": _finite(_UNUSED, "s", -_WEEK_S, 2 * _WEEK_S),
    "fit_interval": _finite(_UNUSED, "h", 0.0),
}

# --- Galileo I/NAV and F/NAV (Galileo OS SIS ICD 2.0 §5.1: ephemeris, clock, group delay) ---
_GAL = "Galileo OS SIS ICD 2.0 §5.1.1 (ephemeris)"
_GAL_CLK = "Galileo OS SIS ICD 2.0 §5.1.3-5.1.5 (clock, BGD)"
_GAL_RULES: dict[str, FieldRule] = {
    **_gps_like_kepler_rules(_GAL),
    "af0": _signed(31, 2.0**-34, "s", _GAL_CLK),
    "af1": _signed(21, 2.0**-46, "s/s", _GAL_CLK),
    "af2": _signed(6, 2.0**-59, "s/s2", _GAL_CLK),
    "iodnav": _integer(0, 1023, "Galileo OS SIS ICD 2.0 §5.1.1: IODnav 10 bits"),
    # nominal a = 29,600 km (sqrt 5440.6); E14/E18 a = 27,978 km, e = 0.16 (sqrt 5289.4)
    "sqrt_a": _unsigned(32, 2.0**-19, "m^1/2", _GAL).narrowed(
        5000.0, 5700.0, source="physical: Galileo sqrt(A) 5289-5441 m^1/2"),
    "toe": _unsigned(14, 60.0, "s", _GAL).narrowed(0.0, _WEEK_S, hi_open=True, source=_SOW),
    "data_sources": _integer(0, 1023, "RINEX 3.04 Table A8: data sources, bits 0-9"),
    "week": _integer(0, 9999, "RINEX 3.04 Table A8: GAL week aligned to GPS"),
    "sisa": _finite(_UNUSED, "m", 0.0),
    "health": _integer(0, 511, "RINEX 3.04 Table A8: SV health bits 0-8"),
    "bgd_e5a_e1": _signed(10, 2.0**-32, "s", _GAL_CLK, check_resolution=False),
    "bgd_e5b_e1": _signed(10, 2.0**-32, "s", _GAL_CLK, check_resolution=False),
    "t_tm": _finite(_UNUSED, "s", -_WEEK_S, 2 * _WEEK_S),
}

# --- GLONASS FDMA (GLONASS ICD L1/L2 ed. 5.1 Table 4.5; RINEX 3.04 Table A10) ------------------
_GLO = "GLONASS ICD ed. 5.1 Table 4.5"
_GLO_X = "effective range ±2.7e4 km (GLONASS ICD ed. 5.1 Table 4.5)"
_GLO_V = "effective range ±4.3 km/s (GLONASS ICD ed. 5.1 Table 4.5)"
_GLO_A = "effective range ±6.2e-9 km/s2 (GLONASS ICD ed. 5.1 Table 4.5)"
_pos = _signed(27, 2.0**-11, "km", _GLO).narrowed(-2.7e4, 2.7e4, source=_GLO_X)
_vel = _signed(24, 2.0**-20, "km/s", _GLO).narrowed(-4.3, 4.3, source=_GLO_V)
_acc = _signed(5, 2.0**-30, "km/s2", _GLO).narrowed(-6.2e-9, 6.2e-9, source=_GLO_A)
_FDMA_RULES: dict[str, FieldRule] = {
    "minus_tau_n": _signed(22, 2.0**-30, "s", _GLO),
    "gamma_n": _signed(11, 2.0**-40, "", _GLO),
    # seconds of the UTC day (RINEX 2) or week (RINEX 3/4); not always on the 30 s grid
    "t_k": _finite("RINEX 3.04 Table A10: message frame time, s of week", "s", 0.0, _WEEK_S),
    "x": _pos, "y": _pos, "z": _pos,
    "vx": _vel, "vy": _vel, "vz": _vel,
    "ax": _acc, "ay": _acc, "az": _acc,
    "health": _integer(0, 7, "RINEX 3.04 Table A10: health (0 = OK), Bn 3 bits"),
    "freq_num": _integer(-7, 13, "RINEX 3.04 Table A10: frequency number -7...+13"),
    "age": _integer(0, 31, "GLONASS ICD ed. 5.1 Table 4.5: En 5 bits, days"),
    "status_flags": _finite(_UNUSED),
    "l1l2_delay": _finite(_UNUSED, "s"),      # 9.999e8 marks "unknown" in real files
    "urai": _finite(_UNUSED),
    "health_flags": _finite(_UNUSED),
}

#: Rules per table (:attr:`MessageLayout.table_key`) and field, in the units of the file.
FIELD_RULES: dict[str, dict[str, FieldRule]] = {
    "C:D1D2": _D1D2_RULES,
    "C:CNV1": _CNAV_RULES,
    "C:CNV2": _CNAV_RULES,
    "G:LNAV": _LNAV_RULES,
    "E:INAV_FNAV": _GAL_RULES,
    "R:FDMA": _FDMA_RULES,
}

#: Resolution of the record epoch [s]: the clock reference time toc (the epoch of BeiDou,
#: GPS and Galileo records, in seconds of the system week) is broadcast as a count of
#: this many seconds (BDS-SIS-ICD-B1I 3.0 §5.2.4: 17 bits × 8 s; B-CNAV 11 bits × 300 s;
#: IS-GPS-200 Table 20-I: 16 bits × 16 s; Galileo OS SIS ICD 2.0 §5.1.3: 14 bits × 60 s);
#: the GLONASS epoch is t_b, a count of 15 min in the day (GLONASS ICD ed. 5.1 Table 4.5,
#: t_b 7 bits; GLONASST = UTC + 3 h keeps the grid).
EPOCH_RESOLUTION_S: dict[str, float] = {
    "C:D1D2": 8.0, "C:CNV1": 300.0, "C:CNV2": 300.0, "G:LNAV": 16.0, "E:INAV_FNAV": 60.0,
    "R:FDMA": 900.0,
}

#: Satellite numbers each system letter may carry (RINEX 3.04 satellite numbers, the ICDs'
#: PRN assignments): GPS PRN 1-32, GLONASS slot 1-31 (GLONASS ICD ed. 5.1 Table 4.5, n: 5
#: bits), Galileo 1-50 (OS SIS ICD 2.0: 50 E1 primary codes), BeiDou 1-63 (BDS-SIS-ICD-B1I
#: 3.0: 63 ranging codes), QZSS PRN 193-202 → J01-J10, NavIC 1-14, SBAS PRN 120-158 →
#: S20-S58.
PRN_RANGE: dict[str, tuple[int, int]] = {
    "G": (1, 32), "R": (1, 31), "E": (1, 50), "C": (1, 63), "J": (1, 10), "I": (1, 14),
    "S": (20, 58),
}

#: Message names of ``> EPH`` records per system letter (RINEX 4.00 record types; 4.01 and
#: 4.02 add GLONASS L1OC/L3OC and NavIC L1NV; BeiDou CNV3 is B-CNAV3 on B2b). A name
#: outside this list is a damaged record header.
RINEX4_MESSAGES: dict[str, frozenset[str]] = {
    "G": frozenset({"LNAV", "CNAV", "CNV2"}),
    "R": frozenset({"FDMA", "L1OC", "L3OC"}),
    "E": frozenset({"INAV", "FNAV"}),
    "C": frozenset({"D1", "D2", "CNV1", "CNV2", "CNV3"}),
    "J": frozenset({"LNAV", "CNAV", "CNV2"}),
    "I": frozenset({"LNAV", "L1NV"}),
    "S": frozenset({"SBAS"}),
}


@dataclass(frozen=True)
class MessageLayout:
    """Field names of one navigation message type, 4 per line after the epoch line.

    ``fields[0]`` holds the three values on the epoch line; each following
    tuple holds up to four values of one continuation line. ``None`` marks a
    spare field (blank or any number). ``optional`` names fields that may be blank
    (blank → NaN); any other blank field rejects the record. ``message`` names the table
    the records go to (``"D1D2"`` holds both D1 and D2 records, which share a body).
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

    @property
    def rules(self) -> dict[str, FieldRule]:
        """The :class:`FieldRule` of every field (:data:`FIELD_RULES`)."""
        return FIELD_RULES.get(self.table_key, {})

    def line_of(self, name: str) -> int:
        """Index (0 = epoch line) of the record line that holds field ``name``."""
        for k, line in enumerate(self.fields):
            if name in line:
                return k
        raise KeyError(name)
