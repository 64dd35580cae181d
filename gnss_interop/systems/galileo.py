"""Galileo (I/NAV and F/NAV): registry entry.

Records: I/NAV (E1-B/E5b) and F/NAV (E5a), one body (RINEX 3.04 Table A8; RINEX 4.00
``> EPH E.. INAV|FNAV``). RINEX 3 tells them apart by the "data sources" field: bit 0 I/NAV
E1-B, bit 1 F/NAV E5a-I, bit 2 I/NAV E5b-I. Orbits: Keplerian with the Galileo constants
(Galileo OS SIS ICD 2.0 §5.1.1). Time: GST, which RINEX counts in weeks aligned with GPS
weeks (RINEX 3.04 Table A8, "GAL week ... aligned to GPS"); GST − GPST (GGTO) is a few
nanoseconds, below a millimetre of orbit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from gnss_interop.constants import (
    SISRE_GALILEO_M,
    GAL_FIT_WINDOW_S,
    GAL_GM_M3_S2,
    GAL_OMEGA_E_RAD_S,
    GAL_RADIUS_RANGE_M,
    SWITCHOVER_JUMP_MAX_M,
)
from gnss_interop.orbits.kepler import KeplerOrbitModel
from gnss_interop.reading.layout import KEPLER_ORBIT_LINES, MessageLayout
from gnss_interop.systems.enums import OrbitClass, System, TimeScale
from gnss_interop.systems.registry import Generation, LayoutRule, Signal, SystemSpec

#: Galileo I/NAV and F/NAV (RINEX 3.04 Table A8; RINEX 4.00 Tables A8/A9: same body).
INAV_FNAV = MessageLayout(
    System.GALILEO, "INAV_FNAV",
    (
        ("af0", "af1", "af2"),
        ("iodnav",) + KEPLER_ORBIT_LINES[0],
        *KEPLER_ORBIT_LINES[1:],
        ("idot", "data_sources", "week", None),
        ("sisa", "health", "bgd_e5a_e1", "bgd_e5b_e1"),
        ("t_tm",),
    ),
    optional=frozenset({"iodnav", "data_sources", "sisa", "bgd_e5a_e1", "bgd_e5b_e1", "t_tm"}),
)

#: Bits of the RINEX "SV health" field that concern each message (RINEX 3.04 Table A8:
#: bit 0 E1-B DVS, 1-2 E1-B HS, 3 E5a DVS, 4-5 E5a HS, 6 E5b DVS, 7-8 E5b HS).
HEALTH_BITS = {"INAV": 0b111000111, "FNAV": 0b000111000}
_DATA_SOURCE_FNAV = 0b010


def rinex3_message(values: Mapping[str, float]) -> str:
    """``"FNAV"`` for a record whose data sources name F/NAV E5a-I only, else ``"INAV"``."""
    ds = values.get("data_sources", float("nan"))
    if ds == ds and int(ds) & 0b111 == _DATA_SOURCE_FNAV:
        return "FNAV"
    return "INAV"


def healthy(messages: NDArray[np.str_], values: Mapping[str, NDArray[np.float64]]
            ) -> NDArray[np.bool_]:
    """A record is healthy when the health bits of its own signals are all zero."""
    health = np.asarray(values["health"], dtype=np.float64)
    ok = np.isfinite(health) & (health >= 0) & (health < 2**9) & (health == np.floor(health))
    bits = np.where(ok, health, 0).astype(np.int64)
    mask = np.where(np.asarray(messages) == "FNAV", HEALTH_BITS["FNAV"], HEALTH_BITS["INAV"])
    return ok & ((bits & mask) == 0)


SPEC = SystemSpec(
    system=System.GALILEO,
    frame="GTRF",
    time_scale=TimeScale.GST,
    rinex_epoch_scale=TimeScale.GST,
    reference_time="toe",
    layouts=(LayoutRule("INAV", 0.0, INAV_FNAV), LayoutRule("FNAV", 0.0, INAV_FNAV),
             LayoutRule("RINEX3", 0.0, INAV_FNAV)),
    rinex3_message=rinex3_message,
    # I/NAV (E1-B/E5b, the open-service dual-frequency pair) first; F/NAV (E5a) where no
    # I/NAV covers an epoch. Both describe the same orbit.
    message_priority={"INAV": 0, "FNAV": 1},
    orbit_model=KeplerOrbitModel(GAL_GM_M3_S2, GAL_OMEGA_E_RAD_S),
    fit_window_s=GAL_FIT_WINDOW_S,
    orbit_radius_range_m={OrbitClass.MEO: GAL_RADIUS_RANGE_M},
    switchover_jump_max_m=SWITCHOVER_JUMP_MAX_M,
    signals=(
        # Galileo OS SIS ICD 2.0 §2.4.1 (E1 OS 1575.42 MHz, 1.023 Mcps CBOC, −157 dBW)
        Signal("E1", System.GALILEO, 1575.42e6, 1.023e6, -157.0, "Galileo OS SIS ICD 2.0 §2.4.1"),
    ),
    default_band="E1",
    sto_code="GA",
    week_origin_gps_weeks=0,
    generations=(Generation("Galileo", ("GAL",), frozenset({"E1"}), SISRE_GALILEO_M,
                            "Montenbruck et al. (2018), Adv. Space Res. 61(12)",
                            "Galileo OS SIS ICD 2.0 §2"),),
    unknown_generation="Galileo",
    healthy=healthy,
)
