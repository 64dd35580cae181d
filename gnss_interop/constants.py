"""Physical and system constants, each with its source.

Units are SI (metres, seconds, radians) unless the name says otherwise.
Every system has its own gravitational parameter and Earth rotation rate:
reusing the GPS values for BeiDou or GLONASS is a classic source of
metre-level errors (see docs/domain.md, pitfall 1).
"""

from __future__ import annotations

import math

# --- Speed of light ---------------------------------------------------------
#: Speed of light in vacuum [m/s] (IS-GPS-200, BDS-SIS-ICD, GLONASS ICD all use it).
C_LIGHT_M_S = 299_792_458.0

# --- BeiDou (CGCS2000), BDS-SIS-ICD-B1I 3.0 §5.2.4.1 and -B1C 1.0 §7.8 ----------
#: Earth gravitational constant for BeiDou users [m^3/s^2] (BDS-SIS-ICD-B1I 3.0, Table 5-11).
BDS_GM_M3_S2 = 3.986004418e14
#: Earth rotation rate of CGCS2000 [rad/s] (BDS-SIS-ICD-B1I 3.0, Table 5-11).
BDS_OMEGA_E_RAD_S = 7.2921150e-5
#: Semi-major axis of the CGCS2000 ellipsoid [m].
CGCS2000_A_M = 6_378_137.0
#: Flattening of the CGCS2000 ellipsoid.
CGCS2000_F = 1.0 / 298.257222101
#: Inclination of the GEO orbit reference plane, used in the BDS GEO rotation
#: R_X(-5 deg) (BDS-SIS-ICD-B1I 3.0 §5.2.4.12, Table 5-12) [rad].
BDS_GEO_TILT_RAD = math.radians(-5.0)
#: Reference semi-major axis of BDS-3 CNAV messages (A_ref for MEO / IGSO+GEO),
#: BDS-SIS-ICD-B1C 1.0 §7.8 [m]. RINEX 4 stores sqrt(A0) directly, so these
#: serve only the sanity screening of orbit radii.
BDS_AREF_MEO_M = 27_906_100.0
BDS_AREF_IGSO_GEO_M = 42_162_200.0

# --- GPS / Galileo (for the system-agnostic Keplerian path) -----------------
#: GPS Earth gravitational constant [m^3/s^2] (IS-GPS-200 §20.3.3.4.3.1).
GPS_GM_M3_S2 = 3.986005e14
#: WGS-84 Earth rotation rate [rad/s] (IS-GPS-200 §20.3.3.4.3.1).
GPS_OMEGA_E_RAD_S = 7.2921151467e-5
#: Galileo Earth gravitational constant [m^3/s^2] (Galileo OS SIS ICD 2.0 §5.1.1).
GAL_GM_M3_S2 = 3.986004418e14
#: Galileo Earth rotation rate [rad/s] (Galileo OS SIS ICD 2.0 §5.1.1).
GAL_OMEGA_E_RAD_S = 7.2921151467e-5

# --- GLONASS (PZ-90.11), GLONASS ICD L1/L2 ed. 5.1 (2008) §3.1.3, App. A.3.1.2 -
#: Earth gravitational constant in PZ-90.11 [m^3/s^2].
GLO_GM_M3_S2 = 3.986004418e14
#: Semi-major axis of the PZ-90.11 ellipsoid [m].
GLO_AE_M = 6_378_136.0
#: Second zonal harmonic of the geopotential, J2 (PZ-90.11).
GLO_J2 = 1.08262575e-3
#: Earth rotation rate in PZ-90.11 [rad/s].
GLO_OMEGA_E_RAD_S = 7.292115e-5
#: Validity of a GLONASS broadcast state vector around t_b: ±15 min
#: (GLONASS ICD ed. 5.1 App. A.3.1.2; RINEX files carry one every 30 min) [s].
GLO_FIT_HALF_WINDOW_S = 15 * 60.0
#: Largest Runge-Kutta step used to integrate a GLONASS state vector [s].
#: RTKLIB uses 60 s; a 30 s step changes positions by well under a millimetre
#: (checked in tests/test_orbits_glonass.py).
GLO_RK4_MAX_STEP_S = 60.0

# --- BeiDou validity ---------------------------------------------------------
#: Half-width of the window around toe in which a BeiDou D1/D2/CNAV ephemeris
#: is used [s]. Ephemerides are refreshed hourly (BDS OS PS 3.0 §2.3), so the
#: closest record is at most 30 min old; one hour also bridges a single missed
#: upload. RTKLIB allows 6 h (MAXDTOE_CMP), which hides stale data.
BDS_FIT_HALF_WINDOW_S = 3600.0

# --- GPS and Galileo validity ---------------------------------------------------
#: Half-width of the window around toe in which a GPS LNAV ephemeris is used [s]:
#: the curve fit interval is 4 h when the fit-interval flag is 0 (IS-GPS-200 §20.3.4.4),
#: uploads come every 2 h; RTKLIB uses the same 2 h (MAXDTOE).
GPS_FIT_HALF_WINDOW_S = 7200.0
#: Validity window of a Galileo I/NAV or F/NAV ephemeris around toe, (before, after) [s].
#: The navigation data are refreshed about every 10 min and are fitted forward of toe (a
#: batch is first sent shortly before its toe; Galileo OS Service Definition Document:
#: nominal validity 4 h). Measured on the shared data (SEPT1890.23P against CODE MGEX SP3,
#: all ten Galileo satellites, antenna offset included): 0.9 m RMS from toe − 10 min to
#: toe + 3 h, 2.5 m RMS (max 5.9 m) from toe + 3 h to + 4 h; and backwards 1.7 m at
#: toe − 30 min, 18 m at toe − 2 h. So the window is toe − 10 min .. toe + 3 h, not
#: centred (RTKLIB's ±4 h, MAXDTOE_GAL, extrapolates back and ages past the good fit).
GAL_FIT_WINDOW_S = (600.0, 10800.0)

# --- Time ---------------------------------------------------------------------
#: GPST - BDT [s]: BDT started at 2006-01-01 00:00:00 UTC, when GPST - UTC was 14 s
#: (BDS-SIS-ICD-B1I 3.0 §5.2.2; RTKLIB gpst2bdt()).
GPST_MINUS_BDT_S = 14.0
#: GPS week in which BDT week 0 starts (2006-01-01 is GPS week 1356, day 0).
BDT_WEEK0_IN_GPS_WEEKS = 1356
#: GLONASS time minus UTC(SU) [s] (GLONASS ICD ed. 5.1 §3.3.3).
GLONASST_MINUS_UTC_S = 3 * 3600.0
#: Seconds per week.
SECONDS_PER_WEEK = 604_800.0
#: Seconds per day.
SECONDS_PER_DAY = 86_400.0

# --- Orbit-class plausibility (sanity screening) ------------------------------
#: Expected orbit radii [m] of each BeiDou orbit class and of GLONASS, with the
#: tolerance beyond which a "healthy" record is rejected as implausible.
#: MEO: a = 27,906 km, IGSO/GEO: a = 42,164 km (BDS OS PS 3.0 §4.1);
#: GLONASS: a = 25,510 km (GLONASS ICD ed. 5.1 §3.5). Eccentricities are
#: below 0.01, so |r| stays within ~0.5 % of a; 3 % leaves room for anything real.
ORBIT_RADIUS_M = {
    "MEO": 27_906_100.0,
    "IGSO": 42_164_000.0,
    "GEO": 42_164_000.0,
    "GLONASS": 25_510_000.0,
    # GPS: nominal a = 26,559.71 km (IS-GPS-200, CNAV reference A_REF = 26,559,710 m).
    "GPS": 26_559_710.0,
}
ORBIT_RADIUS_REL_TOL = 0.03
#: Galileo: nominal a = 29,600.318 km (Galileo OS SIS ICD 2.0, almanac reference A), but
#: E14 and E18 (launched into a wrong orbit in 2014) fly a = 27,977.6 km, e = 0.162
#: (Galileo OS SIS ICD; IGS satellite metadata), so their radius ranges over 23,440–32,510 km;
#: the Galileo radius screening accepts that whole range, widened by ORBIT_RADIUS_REL_TOL.
GAL_RADIUS_RANGE_M = (23_440_000.0 * (1.0 - ORBIT_RADIUS_REL_TOL),
                      32_510_000.0 * (1.0 + ORBIT_RADIUS_REL_TOL))
#: Largest position jump [m] between two consecutive ephemerides of one
#: satellite, evaluated at the switch-over epoch, that is still plausible.
#: Real overlaps are 0.1-0.2 m (BDS) and ~1-3 m (GLONASS) (docs/domain.md §4.1-4.2);
#: a kilometre means one of the two records is wrong.
SWITCHOVER_JUMP_MAX_M = 1000.0

# --- Cross-check of records against independent expectations (ephemerides/consistency) ----
# Quantity compared: the mean argument of latitude λ = ω + M (GEO: mean longitude Ω + ω + M)
# of each record at its reference time, from its own orbit model, in a quasi-inertial frame,
# carried to a common epoch with its osculating mean motion; and the orbit normal.
# Measured on the shared files (healthy records, tests/test_consistency.py):
# * records of one satellite against each other, over a whole day: λ agrees to 0.064° at
#   most (BRD400DLR 2023-03-12, every BeiDou class and GLONASS; consecutive records 0.005°),
#   orbit normals to 0.003°;
# * a satellite against its Walker slot (constellation reference: circular median of the
#   other satellites' offsets from their slots): BDS-3 MEO at most 4.8° (C24, 2023-03-12;
#   4.0° C36 2023-07-08), GLONASS at most 9.2° (R15, 2018-06-19; R19 8.5° on 2023-03-12 and
#   2023-03-14);
# * a satellite's RAAN against its plane-mates' median: at most 2.2°.
#: Span [s] within which records of one satellite are compared with each other (any message,
#: any input file: the neighbouring day's file counts). Half a day is about one revolution
#: of a MEO (BDS-3 12.9 h, GLONASS 11.3 h), where λ carried linearly stays within 0.064°.
RECORD_CROSSCHECK_SPAN_S = 12 * 3600.0
#: Nearest records on each side (in time) a record is compared with (bounds the work).
RECORD_CROSSCHECK_NEIGHBOURS = 4
#: Largest disagreement [deg] in λ or in the orbit normal between two records of one
#: satellite that still counts as agreement: 8× the largest measured (0.064°), about
#: 240 km along track at MEO; the corruptions this catches are thousands of km.
RECORD_PHASE_TOL_DEG = 0.5
#: Walker delta patterns, per RINEX letter: ``satellites``/``planes``/``phasing`` = T/P/F,
#: ``direction`` = the sign slot numbers run in, ``slots`` = where a satellite's slot comes
#: from. BDS-3 MEO 24/3/1 (BDS OS PS 3.0 §4.1, docs/domain.md §4.5): planes A, B, C and
#: slots 1–8 from the IGS metadata SATELLITE/PLANE block ("A-4"; ``"metadata"``). GLONASS
#: 24/3/1 (GLONASS ICD ed. 5.1 §3.5): the RINEX slot number *is* the orbital slot (``"rinex"``):
#: 1–8 plane 1, 9–16 plane 2, 17–24 plane 3; numbers above 24 are spares off the pattern.
#: Direction, measured on 2023-03-12 (λ of slot k+1 minus slot k): BDS-3 +45° (numbered along
#: the motion), GLONASS −45° (numbered against it); adjacent planes +15° (= 360°·F/T) in both.
WALKER_PATTERNS: dict[str, dict[str, int | str]] = {
    "C": {"satellites": 24, "planes": 3, "phasing": 1, "direction": +1, "slots": "metadata"},
    "R": {"satellites": 24, "planes": 3, "phasing": 1, "direction": -1, "slots": "rinex"},
}
#: Largest offset [deg] of a satellite from its Walker slot that is still plausible: about
#: 2× the largest measured (BDS-3 4.8°, GLONASS 9.2°: 1.6×), and below half the 45° spacing,
#: so that a record is never within tolerance of two slots. A single record moved along its
#: orbit by more than this (BDS-3 ≥ 4,900 km, GLONASS ≥ 5,300 km) is caught even with no
#: other record to compare with.
WALKER_SLOT_TOL_DEG: dict[str, float] = {"C": 10.0, "R": 15.0}
#: Largest RAAN difference [deg] from the plane-mates' median that still puts a satellite in
#: its plane: ~4.5× the measured 2.2°; planes are 120° apart.
WALKER_PLANE_TOL_DEG = 10.0
#: Fewest other satellites of the pattern on the day needed for a slot reference.
WALKER_MIN_REFERENCE = 3

# --- WGS 84 ellipsoid (coverage grids) ------------------------------------------
#: Semi-major axis of the WGS 84 ellipsoid [m] (NGA.STND.0036 1.0.0 WGS84 (2014), Table 3.1).
#: Grid points of the coverage engine are placed on this ellipsoid; CGCS2000 and
#: PZ-90.11 differ from it by < 1 m in position, negligible for visibility and DOP.
WGS84_A_M = 6_378_137.0
#: Flattening of the WGS 84 ellipsoid (NGA.STND.0036 1.0.0 (2014), Table 3.1).
WGS84_F = 1.0 / 298.257223563

# --- Signal-in-space range error (SISRE) defaults of the error budget ----------------
#: Global-average broadcast SISRE (1σ, orbit + clock) per system and generation [m], the
#: default of :mod:`gnss_interop.accuracy.budget` (overridable per generation; ``gnss-interop
#: validate`` measures it against SP3 for a given day):
#: * BDS-3 MEO/IGSO ≈ 0.47 m: Yang, Mao & Sun (2020), *Satellite Navigation* 1:1 (BDS-3
#:   basic performance; docs/domain.md R3), 0.5 m as rounded in issue 9;
#: * BDS-2 1 m, GLONASS 2 m, GPS 0.6 m, Galileo 0.2 m: Montenbruck, Steigenberger &
#:   Hauschild (2018), *Adv. Space Res.* 61(12):3020–3038 (2017 averages, domain.md R2);
#:   GLONASS 1.9 m from Montenbruck et al. (2015), *GPS Solutions* 19:321 (domain.md R1),
#:   within R2's 2 m;
#: * BDS-3 GEO and the BDS-3 experimental satellites (BDS-3S): no published figure found; the
#:   BDS-2 value (1 m) is used, an assumption stated in every output.
SISRE_BDS3_M = 0.5
SISRE_BDS3_GEO_M = 1.0
SISRE_BDS3S_M = 1.0
SISRE_BDS2_M = 1.0
SISRE_GLONASS_M = 1.9
SISRE_GPS_M = 0.6
SISRE_GALILEO_M = 0.2

# --- User range error budget (receiver and propagation terms) -------------------------
#: Residual tropospheric delay after a standard model: σ_tropo = 0.12 m · m(el), with the
#: mapping m(el) = 1.001 / sqrt(0.002001 + sin²el) (RTCA DO-229 Appendix A.4.2.4; the same
#: in RTKLIB sbas.c, sbstropcorr).
TROPO_ZENITH_SIGMA_M = 0.12
TROPO_MAP_A = 1.001
TROPO_MAP_B = 0.002001
#: Code multipath of a receiver: σ_mp = 0.13 + 0.53·exp(−el/10°) m (RTCA DO-229 Appendix
#: J.2.4, airborne multipath model; a conservative open-sky ground model too).
MULTIPATH_A_M = 0.13
MULTIPATH_B_M = 0.53
MULTIPATH_EL_SCALE_DEG = 10.0
#: Code tracking noise of one signal, 1σ [m]: the bound of DO-229 Appendix J.2.4 for
#: airborne accuracy designator B (AAD-B), σ_noise ≤ 0.15 m at minimum signal power.
RECEIVER_NOISE_M = 0.15
#: Single-frequency ionosphere residual after the broadcast (Klobuchar-type) model: vertical
#: σ by geomagnetic latitude φ_m: 9 m for |φ_m| ≤ 20°, 4.5 m for 20° < |φ_m| ≤ 55°, 6 m above
#: (RTCA DO-229 Appendix J.2.3, for GPS L1), scaled to other frequencies by (f_L1/f)² and
#: to the slant by the obliquity factor F_pp = [1 − (R_e cos el / (R_e + h_I))²]^(−1/2),
#: R_e = 6378.1363 km, h_I = 350 km (DO-229 Appendix A.4.4.10.4).
IONO_VERTICAL_SIGMA_M = ((20.0, 9.0), (55.0, 4.5), (90.0, 6.0))
IONO_SHELL_RE_KM = 6378.1363
IONO_SHELL_HEIGHT_KM = 350.0
#: Geomagnetic latitude of the Klobuchar model: φ_m = φ + 0.064·cos(λ − 1.617) semicircles
#: (IS-GPS-200 §20.3.3.5.2.5, evaluated at the receiver instead of the pierce point).
KLOBUCHAR_POLE_AMPLITUDE_SC = 0.064
KLOBUCHAR_POLE_LON_SC = 1.617
#: GPS L1 frequency [Hz], the reference of the ionosphere σ above (IS-GPS-200 §3.3.1.1).
F_L1_HZ = 1575.42e6

# --- Broadcast vs precise orbits and clocks (gnss_interop.ephemerides.validate) --------
#: Global-average SISRE weights (w_R, w_A,C²) per (RINEX system letter, orbit class): the
#: range error a user sees, averaged over the Earth's surface where the satellite is above
#: 0° elevation, is SISRE = sqrt((w_R·R − c·Δt)² + w_A,C²·(A² + C²)) for radial R,
#: along-track A, cross-track C orbit errors and clock error Δt (orbit-only SISRE: Δt = 0).
#: Source: Montenbruck O., Steigenberger P., Hauschild A. (2018), "Multi-GNSS signal-in-space
#: range error assessment – Methodology and results", Adv. Space Res. 61(12):3020–3038,
#: doi 10.1016/j.asr.2018.03.041, weight table (w_R and w_A,C² by constellation and orbit
#: type). The paper itself was not at hand: the table was read in public code that cites it,
#: kartverket/where, where/writers/sisre_report.py ("GPS 0.98 1/49, GLONASS 0.98 1/45,
#: Galileo 0.98 1/61, QZSS 0.99 1/126, BeiDou (MEO) 0.98 1/54", the last column headed
#: w_a,c²; other writers there quote the paper's 0° table as GPS w_r 0.979, w_a,c 0.143 =
#: sqrt(1/48.9)). The BeiDou IGSO/GEO row is not in that table: it is the QZSS IGSO/GEO row
#: (0.99, 1/126), which depends only on the orbit radius (42,164 km, the same for BeiDou
#: IGSO/GEO and QZSS). tests/test_validate.py recomputes every row from the geometry
#: (w_R² = <cos²η>, w_A,C² = ½<sin²η> over the Earth's surface seeing the satellite above
#: 0°, η the nadir angle) and gets it to the digits given.
#: The 1/49 etc. are w_A,C *squared*: w_A,C itself is 1/7 for GPS.
SISRE_WEIGHTS: dict[tuple[str, str], tuple[float, float]] = {
    ("G", "MEO"): (0.98, 1.0 / 49.0),
    ("R", "MEO"): (0.98, 1.0 / 45.0),
    ("E", "MEO"): (0.98, 1.0 / 61.0),
    ("C", "MEO"): (0.98, 1.0 / 54.0),
    ("C", "IGSO"): (0.99, 1.0 / 126.0),
    ("C", "GEO"): (0.99, 1.0 / 126.0),
}
#: Nominal mean angular velocity of the Earth [rad/s] (IERS Conventions 2010, TN 36,
#: Table 1.1), used to turn Earth-fixed SP3 velocities (IGS20 frame) into inertial ones for
#: the radial/along/cross frame (v_inertial = v_ECEF + ω × r). The 1e-11 rad/s differences
#: between this and the systems' own values move the along/cross axes by < 1e-6 rad.
EARTH_ROTATION_IERS_RAD_S = 7.292115e-5
#: Default threshold of `gnss-interop validate --outlier-m` [m]: a satellite whose
#: broadcast−precise 3-D RMS exceeds it is listed as an outlier and kept out of the class
#: and generation statistics (issue 10: "say 100 m RMS"; real errors are 1–10 m,
#: tests/test_validate.py and README "Validation").
VALIDATE_OUTLIER_M = 100.0

# --- Jammers: which signals share an RF band --------------------------------------------
#: Signals whose centre frequencies lie within this distance of a neighbour share one RF
#: band (single linkage over the signals sorted by frequency) [Hz]. A jammer named by one
#: signal (``bands = ["B1C"]``) radiates over that signal's RF band, so it jams every signal
#: of the band; a ``wideband`` jammer covers every band (:mod:`gnss_interop.scenarios.jammer`).
#:
#: Centre frequencies of the registry's signals [MHz] and the gaps between neighbours:
#:
#:   B2a 1176.45 (25.6) L3OC 1202.025 (5.1) B2I = B2b 1207.14 (38.9) G2 1246.0 (22.5)
#:   B3I 1268.52 (292.6) B1I 1561.098 (14.3) B1C = L1 C/A = E1 1575.42 (25.6) L1OC 1600.995
#:   (1.0) G1 1602.0
#:
#: giving seven bands: B2a | L3OC/B2I/B2b | G2 | B3I | B1I | B1C/L1CA/E1 | L1OC/G1.
#: Reasoning from the signal spectra (ICD chip rates and modulations; GLONASS FDMA channels
#: k = −7..+6 spread G1 over 1598.06–1605.38 MHz and G2 over 1242.94–1248.63 MHz, GLONASS ICD
#: ed. 5.1 §3.3.1.4): the largest gap inside a group that one front end passes is 5.1 MHz
#: (L3OC and B2b/B2I: 10.23 Mcps main lobes of ±10.23 MHz that overlap); the smallest gap
#: between signals a jammer on one of them leaves alone is 14.3 MHz (B1I, 2.046 Mcps BPSK,
#: main lobe 1559.05–1563.14 MHz, BDS-SIS-ICD-B1I 3.0 §4.2; B1C, whose widest component
#: QMBOC(6,1,4/33) reaches down to ~1568.3 MHz, BDS-SIS-ICD-B1C 1.0 §4.2). Any threshold
#: between 5.1 and 14.3 MHz gives the same seven bands; 10 MHz sits between them. B2a is a
#: band of its own: B2a and B2b are the two sidebands of the B2 AltBOC signal, 30.69 MHz
#: apart (BDS-SIS-ICD-B2a 1.0 §4.2), and a B2a (L5/E5a) front end, 20.46 MHz wide, passes
#: no B2b; a jammer meant to hit both names both (``bands = ["B2a", "B2b"]``).
RF_BAND_GROUPING_HZ = 10.0e6

# --- Default span of a run ----------------------------------------------------------------
#: A GPST day is one of a file's main days (the default span) if it holds at least this
#: fraction of the busiest day's healthy records. A daily merged file has ~1 % of its
#: records on the neighbouring days (the 23:00 BeiDou record of the day before), a stale
#: station record is one of hundreds: both stay far below; a second day of a two-day file
#: is far above.
MAIN_DAY_FRACTION = 0.25
#: A GPST day whose data gaps exceed this fraction of its epochs for a configuration is a
#: data-gap day for it: left out of the per-day minimum/maximum and reported (one epoch of
#: the next day covered by the last record of a daily file is no day's statistic).
DAILY_MAX_GAP_FRACTION = 0.1

# --- Jammers: J/S tolerance of a receiver -------------------------------------------------
#: The largest J/S a receiver tolerates on a signal comes from the tracking-threshold relation
#: (Kaplan & Hegarty, *Understanding GPS: Principles and Applications*, 2nd ed., Artech House
#: 2006, §6.3.1, the J/S equation):
#:
#:     J/S = 10·log10( Q·R_c · (1/(C/N0)_thr − 1/(C/N0)_0) )
#:
#: with R_c the signal's chip rate [chip/s] (from the system registry) and the values below
#: (:func:`gnss_interop.scenarios.jammer.js_tolerance_db`). Q is the spectral-separation
#: coefficient; Q = 2 is Kaplan & Hegarty's value for a broadband noise jammer (a jammer
#: whose spectrum is matched to the signal, or a narrowband one, does more with the same
#: power, so Q = 2 gives the most generous tolerance). (C/N0)_thr = 28 dB-Hz (a conventional
#: receiver's tracking threshold) and (C/N0)_0 = 45 dB-Hz (a typical unjammed C/N0 at the
#: ICD minimum received power). Results: B1I 38.0 dB, B1C 35.0 dB, B2a/B3I 45.0 dB, G1/G2
#: 32.0 dB (tests/test_jammer.py). Real receivers differ by ±10 dB (antenna pattern,
#: front-end, tracking loops): ``js_tolerance_db`` in a scenario overrides it.
JS_Q_BROADBAND_NOISE = 2.0
JS_CN0_TRACKING_THRESHOLD_DBHZ = 28.0
JS_CN0_NOMINAL_DBHZ = 45.0

# --- Jammers: propagation over a smooth Earth (gnss_interop.scenarios.propagation) ----------
#: Effective Earth radius for the median refraction of the lower atmosphere (k = 4/3) [km]:
#: ITU-R P.526-16 §1 ("if no other information is available, an equivalent Earth radius of
#: 8 500 km may be taken as a basis"; ITU-R P.834 gives k = 4/3 for the standard atmosphere).
#: It gives the radio horizon sqrt(2·a_e·h) = 4.12·sqrt(h[m]) km of each antenna.
EFFECTIVE_EARTH_RADIUS_KM = 8500.0
#: Electrical characteristics of average land for the smooth-Earth diffraction (surface
#: admittance K of ITU-R P.526-16 §3.1.1.1): relative permittivity 22 and conductivity
#: 0.003 S/m, the land values ITU-R P.452/P.1812 use in the same spherical-Earth diffraction
#: (P.1812-4 §4.3.3, eq. 28; sea would be 80 and 5 S/m). At 1.2–1.6 GHz K is small (7e-3
#: vertical, 3e-4 horizontal polarisation at 1561 MHz): sea instead of land, or either
#: polarisation, changes the diffraction loss by less than 0.3 dB for antennas of 1.5 m and
#: more (tests/test_jammer.py), so one land value (vertical polarisation) serves every path.
GROUND_RELATIVE_PERMITTIVITY = 22.0
GROUND_CONDUCTIVITY_S_M = 0.003
#: Height of a receiver antenna above the ground for the jammer model on a ground grid [m]:
#: a person's hand-held or body-worn receiver (the issue's "a person's 1.5 m"). It is also
#: the lowest terminal height ITU-R P.528-5 accepts, and the propagation model does not
#: go below it: a jammer or receiver antenna given lower (0 m) is evaluated at 1.5 m, since
#: the two-ray and diffraction formulas lose their meaning as the height goes to 0 (the
#: surface wave they leave out would take over) (:mod:`gnss_interop.scenarios.propagation`).
RECEIVER_ANTENNA_HEIGHT_M = 1.5
MIN_ANTENNA_HEIGHT_M = 1.5
