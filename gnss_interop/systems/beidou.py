"""BeiDou (BDS-2 and BDS-3): registry entry.

Records: D1 (MEO/IGSO) and D2 (GEO) on B1I, same body (RINEX 3.04 Table A14; RINEX 4.00
Table A32); BDS-3 CNAV on B1C (CNV1, RINEX 4.00 Table A33) and B2a (CNV2, Table A34).
Orbits: Keplerian with CGCS2000 constants (BDS-SIS-ICD-B1I 3.0 §5.2.4), the GEO rotation
R_Z·R_X(−5°), and the CNAV terms Ȧ and Δṅ₀ (BDS-SIS-ICD-B1C 1.0 §7.8). Time: BDT, whose
RINEX epochs are BDT; toe is seconds of the BDT week.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from gnss_interop.constants import (
    SISRE_BDS2_M,
    SISRE_BDS3_GEO_M,
    SISRE_BDS3_M,
    SISRE_BDS3S_M,
    BDS_FIT_HALF_WINDOW_S,
    BDS_GM_M3_S2,
    BDS_OMEGA_E_RAD_S,
    BDT_WEEK0_IN_GPS_WEEKS,
    ORBIT_RADIUS_M,
    ORBIT_RADIUS_REL_TOL,
    SWITCHOVER_JUMP_MAX_M,
)
from gnss_interop.orbits.kepler import KeplerOrbitModel
from gnss_interop.reading.layout import KEPLER_ORBIT_LINES, MessageLayout
from gnss_interop.systems.enums import OrbitClass, System, TimeScale
from gnss_interop.systems.registry import Generation, LayoutRule, Signal, SystemSpec

_CLOCK = ("af0", "af1", "af2")
_ORBIT = KEPLER_ORBIT_LINES  # its first line is preceded by AODE (D1/D2) or A-dot (CNAV)

#: BDS D1/D2 (RINEX 3.04 Table A14; RINEX 4.00 Table A32: same body).
D1D2 = MessageLayout(
    System.BEIDOU, "D1D2",
    (
        _CLOCK,
        ("aode",) + _ORBIT[0],
        _ORBIT[1], _ORBIT[2], _ORBIT[3],
        ("idot", None, "week", None),
        ("sv_accuracy", "health", "tgd1", "tgd2"),
        ("t_tm", "aodc"),
    ),
    optional=frozenset({"aodc", "t_tm", "tgd1", "tgd2", "sv_accuracy", "aode"}),
)
#: BDS-3 CNAV on B1C (RINEX 4.00 Table A33). SatType: 1 GEO, 2 IGSO, 3 MEO.
CNV1 = MessageLayout(
    System.BEIDOU, "CNV1",
    (
        _CLOCK,
        ("a_dot",) + _ORBIT[0],
        _ORBIT[1], _ORBIT[2], _ORBIT[3],
        ("idot", "delta_n_dot", "sat_type", "t_op"),
        ("sisai_oe", "sisai_ocb", "sisai_oc1", "sisai_oc2"),
        ("isc_b1cd", None, "tgd_b1cp", "tgd_b2ap"),
        ("sismai", "health", "integrity", "iodc"),
        ("t_tm", None, None, "iode"),
    ),
    optional=frozenset({"isc_b1cd", "tgd_b1cp", "tgd_b2ap", "t_op", "sisai_oe", "sisai_ocb",
                        "sisai_oc1", "sisai_oc2", "sismai", "integrity", "iodc", "t_tm", "iode"}),
)
#: BDS-3 CNAV on B2a (RINEX 4.00 Table A34): as CNV1, ISC in the second field.
CNV2 = MessageLayout(
    System.BEIDOU, "CNV2",
    CNV1.fields[:7] + ((None, "isc_b2ad", "tgd_b1cp", "tgd_b2ap"),) + CNV1.fields[8:],
    optional=(CNV1.optional - {"isc_b1cd"}) | {"isc_b2ad"},
)


def classify(values: Mapping[str, NDArray[np.float64]]) -> NDArray[np.int64]:
    """OrbitClass per record, from the elements (the CNAV SatType field is not used).

    Broadcast GEO elements have √A ≈ 6493 m^½ and i0 ≈ 0.07–0.12 rad (the
    reference plane is tilted by 5°), IGSO √A ≈ 6493 and i0 ≈ 0.96–1.0 rad,
    MEO √A ≈ 5282.6. The PRN is not used: PRNs are reassigned over time.
    SatType is not used because it is not reliable: in BRD400DLR
    2023-03-12, 289 of the 926 CNV2 records (the later of two transmissions of one toe,
    e.g. C19 CNV2 toe 12:00 BDT, file line 117477) say SatType = 1 (GEO) for MEO and
    IGSO satellites whose orbit elements are those of the earlier, SatType = 3/2 record.
    """
    sqrt_a = values["sqrt_a"]
    return np.where(sqrt_a > 6000.0,
                    np.where(np.abs(values["i0"]) < 0.35, OrbitClass.GEO, OrbitClass.IGSO),
                    OrbitClass.MEO).astype(np.int64)


def _range(nominal_m: float) -> tuple[float, float]:
    return (nominal_m * (1.0 - ORBIT_RADIUS_REL_TOL), nominal_m * (1.0 + ORBIT_RADIUS_REL_TOL))


SPEC = SystemSpec(
    system=System.BEIDOU,
    frame="CGCS2000",
    time_scale=TimeScale.BDT,
    rinex_epoch_scale=TimeScale.BDT,
    reference_time="toe",
    layouts=(LayoutRule("D1", 0.0, D1D2), LayoutRule("D2", 0.0, D1D2),
             LayoutRule("CNV1", 4.0, CNV1), LayoutRule("CNV2", 4.0, CNV2),
             LayoutRule("RINEX3", 0.0, D1D2)),
    rinex3_message=lambda values: "D1D2",
    # D1/D2 (B1I) first: every BeiDou satellite broadcasts it hourly; CNAV only where no
    # D1/D2 record covers an epoch (receiver files that carry only CNAV).
    message_priority={"D1": 0, "D2": 0, "D1D2": 0, "CNV1": 1, "CNV2": 2},
    orbit_model=KeplerOrbitModel(BDS_GM_M3_S2, BDS_OMEGA_E_RAD_S),
    fit_window_s=(BDS_FIT_HALF_WINDOW_S, BDS_FIT_HALF_WINDOW_S),
    orbit_radius_range_m={OrbitClass.MEO: _range(ORBIT_RADIUS_M["MEO"]),
                          OrbitClass.IGSO: _range(ORBIT_RADIUS_M["IGSO"]),
                          OrbitClass.GEO: _range(ORBIT_RADIUS_M["GEO"])},
    switchover_jump_max_m=SWITCHOVER_JUMP_MAX_M,
    signals=(
        # BDS-SIS-ICD-B1I 3.0 §4.2 (1561.098 MHz, 2.046 Mcps, −163 dBW for MEO/IGSO)
        Signal("B1I", System.BEIDOU, 1561.098e6, 2.046e6, -163.0, "BDS-SIS-ICD-B1I 3.0 §4.2"),
        # BDS-SIS-ICD-B1C 1.0 §4.2 (1575.42 MHz, data+pilot 1.023 Mcps BOC, −159 dBW)
        Signal("B1C", System.BEIDOU, 1575.42e6, 1.023e6, -159.0, "BDS-SIS-ICD-B1C 1.0 §4.2"),
        # BDS-SIS-ICD-B2a 1.0 §4.2 (1176.45 MHz, 10.23 Mcps, −156 dBW)
        Signal("B2A", System.BEIDOU, 1176.45e6, 10.23e6, -156.0, "BDS-SIS-ICD-B2a 1.0 §4.2"),
        # BDS-SIS-ICD-B3I 1.0 §4.2 (1268.52 MHz, 10.23 Mcps, −163 dBW)
        Signal("B3I", System.BEIDOU, 1268.52e6, 10.23e6, -163.0, "BDS-SIS-ICD-B3I 1.0 §4.2"),
        # BDS-SIS-ICD 2.1 (2016) §4.2 (BDS-2 B2I: 1207.14 MHz, 2.046 Mcps, −163 dBW)
        Signal("B2I", System.BEIDOU, 1207.14e6, 2.046e6, -163.0, "BDS-SIS-ICD 2.1 §4.2"),
        # BDS-SIS-ICD-B2b 1.0 (2020) §4 (BDS-3 B2b: 1207.14 MHz, 10.23 Mcps, −160 dBW)
        Signal("B2B", System.BEIDOU, 1207.14e6, 10.23e6, -160.0, "BDS-SIS-ICD-B2b 1.0 §4"),
    ),
    default_band="B1I",
    sto_code="BD",
    week_origin_gps_weeks=BDT_WEEK0_IN_GPS_WEEKS,
    classify=classify,
    # Blocks: IGS satellite metadata SINEX (SATELLITE/IDENTIFIER). Signals: BDS-2 broadcasts
    # B1I, B2I, B3I (BDS-SIS-ICD 2.1 §3); BDS-3 MEO/IGSO add B1C, B2a, B2b and drop B2I
    # (BDS-SIS-ICD-B1C 1.0 §3, -B2a 1.0 §3, -B2b 1.0 §3: "broadcast by the MEO and IGSO
    # satellites"); BDS-3 GEO broadcast B1I and B3I for positioning (B2b on the GEOs is the
    # PPP service, B2a/B1C are not broadcast: no CNV1/CNV2 records from C59–C62 in RINEX 4
    # files); the experimental BDS-3S satellites are counted on B1I/B3I only.
    generations=(
        Generation("BDS-3", ("BDS-3M", "BDS-3I"),
                   frozenset({"B1I", "B3I", "B1C", "B2A", "B2B"}), SISRE_BDS3_M,
                   "Yang, Mao & Sun (2020), Satellite Navigation 1:1",
                   "BDS-SIS-ICD-B1C 1.0, -B2a 1.0, -B2b 1.0 §3"),
        Generation("BDS-3 GEO", ("BDS-3G",), frozenset({"B1I", "B3I"}), SISRE_BDS3_GEO_M,
                   "assumption: the BDS-2 value (no published BDS-3 GEO figure found)",
                   "BDS-SIS-ICD-B1I 3.0 §3; no CNAV from BDS-3 GEO"),
        Generation("BDS-3S", ("BDS-3SM", "BDS-3SI"), frozenset({"B1I", "B3I"}), SISRE_BDS3S_M,
                   "assumption: the BDS-2 value (experimental satellites)",
                   "experimental satellites: legacy signals only assumed"),
        Generation("BDS-2", ("BDS-2G", "BDS-2I", "BDS-2M"), frozenset({"B1I", "B2I", "B3I"}),
                   SISRE_BDS2_M, "Montenbruck et al. (2018), Adv. Space Res. 61(12)",
                   "BDS-SIS-ICD 2.1 §3"),
    ),
    unknown_generation="BDS-2",
    generation_evidence={"CNV1": "BDS-3", "CNV2": "BDS-3"},
)
