"""GLONASS (FDMA): registry entry.

Records: FDMA state vectors, 4 lines in RINEX 2.x and 3.00–3.04, 5 lines (a status line)
in RINEX 3.05 and 4.0x; positions in km, converted to metres on reading. Orbits: RK4 in
PZ-90.11 with J2 and the broadcast lunisolar acceleration (GLONASS ICD ed. 5.1 App.
A.3.1.2). Time: RINEX epochs are UTC(SU) (RINEX 3.04 §8.1); the reference time is the
epoch itself (t_b).
"""

from __future__ import annotations

from gnss_interop.constants import (
    SISRE_GLONASS_M,
    GLO_FIT_HALF_WINDOW_S,
    ORBIT_RADIUS_M,
    ORBIT_RADIUS_REL_TOL,
    SWITCHOVER_JUMP_MAX_M,
)
from gnss_interop.orbits.glonass import GlonassOrbitModel
from gnss_interop.reading.layout import MessageLayout
from gnss_interop.systems.enums import OrbitClass, System, TimeScale
from gnss_interop.systems.registry import Generation, LayoutRule, Signal, SystemSpec

_BODY = (
    ("minus_tau_n", "gamma_n", "t_k"),
    ("x", "vx", "ax", "health"),
    ("y", "vy", "ay", "freq_num"),
    ("z", "vz", "az", "age"),
)
#: GLONASS FDMA, RINEX 2.x and 3.00-3.04 (4 lines).
FDMA4 = MessageLayout(System.GLONASS, "FDMA", _BODY, optional=frozenset({"t_k", "freq_num", "age"}))
#: GLONASS FDMA, RINEX 3.05 and 4.0x (a fifth line of status flags).
FDMA5 = MessageLayout(
    System.GLONASS, "FDMA",
    _BODY + (("status_flags", "l1l2_delay", "urai", "health_flags"),),
    optional=FDMA4.optional | {"status_flags", "l1l2_delay", "urai", "health_flags"},
)

SPEC = SystemSpec(
    system=System.GLONASS,
    frame="PZ-90.11",
    time_scale=TimeScale.GLONASST,
    rinex_epoch_scale=TimeScale.UTC,
    reference_time="epoch",
    layouts=(LayoutRule("FDMA", 0.0, FDMA4), LayoutRule("FDMA", 3.05, FDMA5),
             LayoutRule("RINEX3", 0.0, FDMA4), LayoutRule("RINEX3", 3.05, FDMA5)),
    rinex3_message=lambda values: "FDMA",
    message_priority={"FDMA": 0},
    orbit_model=GlonassOrbitModel(),
    fit_window_s=(GLO_FIT_HALF_WINDOW_S, GLO_FIT_HALF_WINDOW_S),
    orbit_radius_range_m={OrbitClass.MEO: (ORBIT_RADIUS_M["GLONASS"] * (1 - ORBIT_RADIUS_REL_TOL),
                                           ORBIT_RADIUS_M["GLONASS"] * (1 + ORBIT_RADIUS_REL_TOL))},
    switchover_jump_max_m=SWITCHOVER_JUMP_MAX_M,
    signals=(
        # GLONASS ICD ed. 5.1 §3.3.1 (L1 FDMA 1598.0625–1605.375 MHz, C/A 0.511 Mcps, −161 dBW)
        Signal("G1", System.GLONASS, 1602.0e6, 0.511e6, -161.0, "GLONASS ICD ed. 5.1 §3.3.1"),
        # GLONASS ICD ed. 5.1 §3.3.1 (L2 FDMA ~1246 MHz, C/A 0.511 Mcps, −167 dBW)
        Signal("G2", System.GLONASS, 1246.0e6, 0.511e6, -167.0, "GLONASS ICD ed. 5.1 §3.3.1"),
        # GLONASS ICD CDMA L1 ed. 1.0 (2016) (L1OC 1600.995 MHz, 0.5115 Mcps data, −161 dBW)
        Signal("L1OC", System.GLONASS, 1600.995e6, 0.5115e6, -161.0,
               "GLONASS ICD CDMA L1 ed. 1.0 (2016)"),
        # GLONASS ICD CDMA L3 ed. 1.0 (2016) (L3OC 1202.025 MHz, 10.23 Mcps, −158 dBW)
        Signal("L3OC", System.GLONASS, 1202.025e6, 10.23e6, -158.0,
               "GLONASS ICD CDMA L3 ed. 1.0 (2016)"),
    ),
    default_band="G1",
    sto_code="GL",
    week_origin_gps_weeks=None,
    km_fields=("x", "y", "z", "vx", "vy", "vz", "ax", "ay", "az"),
    reference_time_name="t_b",
    # Blocks: IGS satellite metadata SINEX. Every GLONASS satellite broadcasts the FDMA G1/G2
    # signals; L3OC is broadcast by GLONASS-M+ (M satellites from SVN 755 on, tagged GLO-M+ in
    # the metadata) and GLONASS-K1; L1OC and L3OC by GLONASS-K2 (GLONASS ICD CDMA L1/L3 2016,
    # introductions). The CDMA ephemerides are not in the shared RINEX files: positions come
    # from the FDMA records of the same satellite.
    generations=(
        Generation("GLONASS-K2", ("GLO-K2",), frozenset({"G1", "G2", "L1OC", "L3OC"}),
                   SISRE_GLONASS_M, "Montenbruck et al. (2015), GPS Solutions 19:321",
                   "GLONASS ICD CDMA L1/L3 ed. 1.0 (2016)"),
        Generation("GLONASS-K1", ("GLO-K1A", "GLO-K1B", "GLO-K1+", "GLO-K1"),
                   frozenset({"G1", "G2", "L3OC"}), SISRE_GLONASS_M,
                   "Montenbruck et al. (2015), GPS Solutions 19:321",
                   "GLONASS ICD CDMA L3 ed. 1.0 (2016)"),
        Generation("GLONASS-M+", ("GLO-M+",), frozenset({"G1", "G2", "L3OC"}), SISRE_GLONASS_M,
                   "Montenbruck et al. (2015), GPS Solutions 19:321",
                   "GLONASS ICD CDMA L3 ed. 1.0 (2016)"),
        Generation("GLONASS-M", ("GLO-M", "GLO"), frozenset({"G1", "G2"}), SISRE_GLONASS_M,
                   "Montenbruck et al. (2015), GPS Solutions 19:321",
                   "GLONASS ICD ed. 5.1 §3.3.1"),
    ),
    unknown_generation="GLONASS-M",
)
