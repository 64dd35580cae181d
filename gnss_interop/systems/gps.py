"""GPS (LNAV): registry entry.

Records: LNAV (RINEX 3.04 Table A6; RINEX 4.00 ``> EPH G.. LNAV``, same body). CNAV records
of RINEX 4 are not decoded (LNAV is broadcast by every GPS satellite). Orbits: Keplerian
with the WGS 84 values of IS-GPS-200 §20.3.3.4.3. Time: GPST; toe is seconds of the GPS week.
"""

from __future__ import annotations

from gnss_interop.constants import (
    SISRE_GPS_M,
    GPS_FIT_HALF_WINDOW_S,
    GPS_GM_M3_S2,
    GPS_OMEGA_E_RAD_S,
    ORBIT_RADIUS_M,
    ORBIT_RADIUS_REL_TOL,
    SWITCHOVER_JUMP_MAX_M,
)
from gnss_interop.orbits.kepler import KeplerOrbitModel
from gnss_interop.reading.layout import KEPLER_ORBIT_LINES, MessageLayout
from gnss_interop.systems.enums import OrbitClass, System, TimeScale
from gnss_interop.systems.registry import Generation, LayoutRule, Signal, SystemSpec

#: GPS LNAV (RINEX 3.04 Table A6; RINEX 4.00 Table A6).
LNAV = MessageLayout(
    System.GPS, "LNAV",
    (
        ("af0", "af1", "af2"),
        ("iode",) + KEPLER_ORBIT_LINES[0],
        *KEPLER_ORBIT_LINES[1:],
        ("idot", "l2_codes", "week", "l2p_flag"),
        ("sv_accuracy", "health", "tgd", "iodc"),
        ("t_tm", "fit_interval"),
    ),
    optional=frozenset({"iode", "l2_codes", "l2p_flag", "sv_accuracy", "tgd", "iodc", "t_tm",
                        "fit_interval"}),
)

SPEC = SystemSpec(
    system=System.GPS,
    frame="WGS 84",
    time_scale=TimeScale.GPST,
    rinex_epoch_scale=TimeScale.GPST,
    reference_time="toe",
    layouts=(LayoutRule("LNAV", 0.0, LNAV), LayoutRule("RINEX3", 0.0, LNAV)),
    rinex3_message=lambda values: "LNAV",
    message_priority={"LNAV": 0},
    orbit_model=KeplerOrbitModel(GPS_GM_M3_S2, GPS_OMEGA_E_RAD_S),
    fit_window_s=(GPS_FIT_HALF_WINDOW_S, GPS_FIT_HALF_WINDOW_S),
    orbit_radius_range_m={OrbitClass.MEO: (ORBIT_RADIUS_M["GPS"] * (1 - ORBIT_RADIUS_REL_TOL),
                                           ORBIT_RADIUS_M["GPS"] * (1 + ORBIT_RADIUS_REL_TOL))},
    switchover_jump_max_m=SWITCHOVER_JUMP_MAX_M,
    signals=(
        # IS-GPS-200 §3.3.1.6 (L1 C/A 1575.42 MHz, 1.023 Mcps, −158.5 dBW minimum received)
        Signal("L1CA", System.GPS, 1575.42e6, 1.023e6, -158.5, "IS-GPS-200 §3.3.1.6"),
    ),
    default_band="L1CA",
    sto_code="GP",
    week_origin_gps_weeks=0,
    generations=(Generation("GPS", ("GPS",), frozenset({"L1CA"}), SISRE_GPS_M,
                            "Montenbruck et al. (2018), Adv. Space Res. 61(12)",
                            "IS-GPS-200 §3.3.1"),),
    unknown_generation="GPS",
)
