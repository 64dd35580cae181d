"""Corrupt records that pass the radius and jump tests (issue 10): every record is
cross-checked against its satellite's other records and its Walker slot.

The thresholds in constants.py come from the spreads measured here on the shared files;
the corrupt files are cut from the real ones with one record moved along its orbit (right
radius, right plane), as the only record of its satellite.
"""

import math
import re
import warnings

import numpy as np
import pytest

from _rinex_subset import field, set_field, shift_m0, subset
from conftest import BRD4, BRDC_GLO, SEPT, SP3, VILL
from gnss_interop import GnssDataWarning, System, load_ephemerides
from gnss_interop.constants import (RECORD_PHASE_TOL_DEG, WALKER_PATTERNS, WALKER_PLANE_TOL_DEG,
                                    WALKER_SLOT_TOL_DEG)
from gnss_interop.ephemerides.catalogue import shipped_metadata
from gnss_interop.ephemerides.consistency import orbit_phases, walker_slot
from gnss_interop.ephemerides.selection import EXCLUDED, USABLE
from gnss_interop.errors import UnverifiedEphemerisWarning
from gnss_interop.systems import OrbitClass, spec
from gnss_interop.timescales import from_gpst_seconds

pytestmark = pytest.mark.real_data


def _t(*s):
    return np.array(s, dtype="datetime64[ns]")


def _wrap(x):
    return 180.0 - np.mod(180.0 - x, 360.0)


def _phases(eph, system):
    r = eph._rec[system]
    idx = np.flatnonzero(r.usable)
    return r, idx, orbit_phases(spec(system), r, idx)


# ------------------------------------------------------------ the measured spreads
@pytest.mark.parametrize("system", [System.BEIDOU, System.GLONASS])
def test_records_of_one_satellite_agree_over_the_day(brd4_eph, system):
    """λ of every healthy record carried to noon: within 0.064° of the satellite's mean
    over the whole day (every BeiDou class, GLONASS); RECORD_PHASE_TOL_DEG is 8× that."""
    r, idx, ph = _phases(brd4_eph, system)
    lam = ph.lam_at(np.full(idx.size, ph.t_ref.min() + 12 * 3600.0))
    worst = 0.0
    for sv in np.unique(r.sv[idx]):
        m = r.sv[idx] == sv
        c = np.degrees(np.angle(np.mean(np.exp(1j * np.radians(lam[m])))))
        worst = max(worst, float(np.abs(_wrap(lam[m] - c)).max()))
    assert worst < 0.07
    assert worst * 5 < RECORD_PHASE_TOL_DEG


def _slot_residuals(eph, system, metadata):
    """Each Walker member's offset from its slot against the median of the others [deg],
    and its RAAN against its plane-mates' median [deg]."""
    r, idx, ph = _phases(eph, system)
    direction = WALKER_PATTERNS[system.letter]["direction"]
    t_c = np.floor(ph.t_ref.mean() / 86400) * 86400 + 43200
    lam = ph.lam_at(np.full(idx.size, t_c))
    date = from_gpst_seconds(t_c)
    rows = []
    for sv in np.unique(r.sv[idx]):
        m = (r.sv[idx] == sv) & (r.values["orbit_type"][idx] == OrbitClass.MEO)
        ps = walker_slot(str(sv), date, metadata)
        if ps is None or not m.any():
            continue
        c = np.degrees(np.angle(np.mean(np.exp(1j * np.radians(lam[m])))))
        raan = np.degrees(np.angle(np.mean(np.exp(1j * np.radians(ph.raan_deg[m])))))
        rows.append((str(sv), ps, c - direction * 45.0 * ps[1] - 15.0 * ps[0], raan))
    off = np.array([x[2] for x in rows])
    centre = np.degrees(np.angle(np.mean(np.exp(1j * np.radians(off)))))
    res = _wrap(off - centre)
    slot_dev = {x[0]: float(res[k] - np.median(np.delete(res, k))) for k, x in enumerate(rows)}
    plane_dev = {}
    for k, x in enumerate(rows):
        mates = [y[3] for y in rows if y[1][0] == x[1][0] and y[0] != x[0]]
        plane_dev[x[0]] = float(_wrap(x[3] - np.median(mates))) if mates else 0.0
    return slot_dev, plane_dev


@pytest.mark.parametrize("path, system, n_members, slot_max, who", [
    (BRD4, System.BEIDOU, 24, 4.8, "C24"),
    (BRD4, System.GLONASS, 24, 8.5, "R19"),
    (BRDC_GLO, System.GLONASS, 24, 8.5, "R19"),
    (VILL, System.GLONASS, 24, 9.2, "R15"),
    (SEPT, System.BEIDOU, 10, 4.0, "C36"),
])
def test_walker_members_sit_on_their_slots(path, system, n_members, slot_max, who):
    """The spread the slot tolerances rest on (constants.py): BDS-3 MEO within 4.8°, GLONASS
    within 9.2° of their slots; RAANs within 2.3° of their plane-mates'."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eph = load_ephemerides(path)
    slot_dev, plane_dev = _slot_residuals(eph, system, shipped_metadata())
    assert len(slot_dev) == n_members
    worst = max(slot_dev, key=lambda s: abs(slot_dev[s]))
    assert worst == who and abs(slot_dev[worst]) == pytest.approx(slot_max, abs=0.06)
    assert abs(slot_dev[worst]) * 1.5 < WALKER_SLOT_TOL_DEG[system.letter]
    assert max(abs(v) for v in plane_dev.values()) < 2.3 < WALKER_PLANE_TOL_DEG / 4


def test_slot_direction_and_inter_plane_shift(brd4_eph):
    """BDS-3 slots run along the motion (B-2 is 45° ahead of B-1), GLONASS against it (R02 is
    45° behind R01); the planes are shifted by +15° (Walker 24/3/1)."""
    meta = shipped_metadata()
    for system, a, b, sign in ((System.BEIDOU, "C32", "C41", +1), (System.GLONASS, "R01", "R02", -1)):
        r, idx, ph = _phases(brd4_eph, system)
        lam = ph.lam_at(np.full(idx.size, ph.t_ref.min() + 12 * 3600.0))
        mean = {s: np.degrees(np.angle(np.mean(np.exp(1j * np.radians(lam[r.sv[idx] == s])))))
                for s in (a, b)}
        assert walker_slot(b, np.datetime64("2023-03-12"), meta)[1] == \
            walker_slot(a, np.datetime64("2023-03-12"), meta)[1] + 1
        assert _wrap(mean[b] - mean[a]) == pytest.approx(sign * 45.0, abs=4.0)
        assert WALKER_PATTERNS[system.letter]["direction"] == sign


# --------------------------------------------------- no false positives on real data
@pytest.mark.parametrize("path, systems, n_unverified", [
    (BRD4, None, 0), (BRDC_GLO, None, 0), (SEPT, (System.BEIDOU, System.GLONASS), 0),
    (VILL, (System.BEIDOU, System.GLONASS), 5),
])
def test_no_healthy_real_record_is_excluded(path, systems, n_unverified):
    """BRD400DLR (2250 BeiDou, 1152 GLONASS, 415 GPS, 5381 Galileo healthy records),
    brdc0730.23g (1152 GLONASS), SEPT1890.23P (40 BeiDou, 10 GLONASS), VILL00ESP (76 BeiDou,
    456 GLONASS): nothing excluded. Unverified on VILL00ESP: the single records of the IGSO
    C06 (toe 2018-06-05, two weeks before the file's day), C08, C09, C13 and of the BDS-2 MEO
    C14, which no slot places."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eph = load_ephemerides(path, systems=systems)
    assert eph.excluded == []
    assert len(eph.unverified) == n_unverified
    if n_unverified:
        assert sorted(e.sv for e in eph.unverified) == ["C06", "C08", "C09", "C13", "C14"]
        assert any(issubclass(w.category, UnverifiedEphemerisWarning)
                   and "C06 D1D2 toe 2018-06-05T18:00:14 GPST" in str(w.message) for w in caught)
        c14 = next(e for e in eph.unverified if e.sv == "C14")
        assert "'2', not a slot of the Walker pattern" in c14.reason


def test_single_records_of_walker_satellites_are_verified_by_their_slot(sept_eph):
    """SEPT1890.23P holds one record each of the BDS-3 MEO C27, C36, C41, C45: the slot
    check verifies them (no neighbour to compare with)."""
    r = sept_eph._rec[System.BEIDOU]
    for sv in ("C27", "C36", "C41", "C45"):
        assert np.sum(r.sv == sv) == 1
    assert not [e for e in sept_eph.unverified if e.sv.startswith("C")]


# ----------------------------------------------- corrupted records: caught, named, out
def _only_record(sv, toe_hms, deg):
    """Keep only the ``toe_hms`` D1 record of ``sv`` (every message of it otherwise dropped),
    its M0 moved by ``deg``."""
    def edit(s, msg, rec):
        if s != sv:
            return rec
        if msg == "D1" and f" {toe_hms}" in rec[1][:23]:
            return shift_m0(rec, deg)
        return None
    return edit


def test_corrupt_only_record_of_a_bds3_meo_is_excluded_everywhere(tmp_path):
    """C27 (slot A-4): only its D1 record of toe 05:00 BDT (BRD400DLR line 123411), M0 + 30°:
    radius and plane unchanged, 14,600 km along track. The slot check names it."""
    p = subset(tmp_path, _only_record("C27", "05 00 00", 30.0), "c27.rnx")
    with pytest.warns(GnssDataWarning) as caught:
        eph = load_ephemerides(p)
    msg = [str(w.message) for w in caught if "excluded as implausible" in str(w.message)]
    assert len(msg) == 1
    assert re.search(r"C27 D1 toe 2023-03-12T05:00:14 GPST \(c27\.rnx line 123411\): off the "
                     r"Walker slots: 28\.5° \(13,858 km along track\) from its slot A-4", msg[0])
    assert [(e.sv, e.line) for e in eph.excluded] == [("C27", 123411)]
    assert eph.excluded[0].reference_time_name == "toe"
    # the radius is right: the old screening alone would have used it
    r = eph._rec[System.BEIDOU]
    k = np.flatnonzero(r.sv == "C27")
    assert r.healthy[k].all() and r.excluded[k].all()
    # out of the maps: no position, not a satellite of the run, state "excluded"
    assert "C27" not in eph.svs
    pos = eph.positions(_t("2023-03-12T05:00:14", "2023-03-12T05:40"), svs=["C27", "C28"])
    assert np.isnan(pos.sel(sv="C27").values).all()
    assert np.isfinite(pos.sel(sv="C28").values).all()
    assert eph.record_state(_t("2023-03-12T05:00:14"), svs=["C27"]).values[0, 0] == EXCLUDED
    assert "C27 D1 toe 2023-03-12T05:00:14 GPST" in pos.attrs["excluded_records"]
    assert "C27" in eph.catalogue().ephemeris_screening["excluded_records"]


def test_the_same_record_uncorrupted_is_verified(tmp_path):
    p = subset(tmp_path, _only_record("C27", "05 00 00", 0.0), "c27ok.rnx")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eph = load_ephemerides(p)
    assert eph.excluded == [] and eph.unverified == []
    assert eph.record_state(_t("2023-03-12T05:00:14"), svs=["C27"]).values[0, 0] == USABLE


def test_a_record_moved_onto_a_plane_mates_slot_is_excluded(tmp_path):
    p = subset(tmp_path, _only_record("C27", "05 00 00", 45.0), "c27b.rnx")
    with pytest.warns(GnssDataWarning, match=r"C27 D1 toe 2023-03-12T05:00:14 GPST .*sits on "
                                             r"slot A-5, held by C28"):
        eph = load_ephemerides(p)
    assert [e.sv for e in eph.excluded] == ["C27"]


def test_a_record_off_its_slot_by_less_than_the_tolerance_passes(tmp_path):
    """The limit of a lone record's check: 5° (2,400 km) is within the BDS-3 tolerance (10°)."""
    p = subset(tmp_path, _only_record("C27", "05 00 00", 5.0), "c27c.rnx")
    eph = load_ephemerides(p)
    assert eph.excluded == [] and eph.unverified == []


def _rotate_along_track(rec, deg):
    """A GLONASS state vector moved along its orbit by ``deg``: position and inertial velocity
    rotated about the orbit normal (radius, speed and plane unchanged)."""
    w = 7.292115e-5
    r = np.array([field(rec[k], 0) for k in (2, 3, 4)]) * 1e3
    v = np.array([field(rec[k], 1) for k in (2, 3, 4)]) * 1e3
    vi = v + np.cross([0.0, 0.0, w], r)
    n = np.cross(r, vi)
    n /= np.linalg.norm(n)
    a = math.radians(deg)

    def rot(x):
        return x * math.cos(a) + np.cross(n, x) * math.sin(a) + n * np.dot(n, x) * (1 - math.cos(a))

    r2, vi2 = rot(r), rot(vi)
    v2 = vi2 - np.cross([0.0, 0.0, w], r2)
    rec = list(rec)
    # whole multiples of the ICD resolutions (GLONASS ICD ed. 5.1 Table 4.5: 2^-11 km,
    # 2^-20 km/s), as a real corrupt message would be: other values are damaged digits
    for k, j in zip((2, 3, 4), range(3)):
        x_km = round(r2[j] / 1e3 * 2 ** 11) / 2 ** 11
        v_km_s = round(v2[j] / 1e3 * 2 ** 20) / 2 ** 20
        rec[k] = set_field(set_field(rec[k], 0, x_km), 1, v_km_s)
    return rec


def test_corrupt_only_record_of_a_glonass_satellite_is_excluded(tmp_path):
    """R05 (slot 5): only its 12:15 UTC record, moved 30° along its orbit (13,400 km)."""
    def edit(sv, msg, rec):
        if sv != "R05":
            return rec
        return _rotate_along_track(rec, 30.0) if " 12 15 00" in rec[1][:23] else None
    p = subset(tmp_path, edit, "r05.rnx")
    # 30° forward from R05's slot (+1.9°) is 13° short of slot 4, which R04 holds
    with pytest.warns(GnssDataWarning, match=r"R05 FDMA t_b 2023-03-12T12:15:18 GPST \(r05\.rnx "
                                             r"line 54739\): sits on slot 4, held by R04 \(13\.1° "
                                             r"from that slot\); 31\.9° \(14,222 km along track\) "
                                             r"from its slot 5"):
        eph = load_ephemerides(p, systems=[System.GLONASS])
    assert [e.sv for e in eph.excluded] == ["R05"]
    assert "R05" not in eph.svs
    pos = eph.positions(_t("2023-03-12T12:15:18"), svs=["R05"])
    assert np.isnan(pos.values).all()


def test_a_record_contradicted_by_its_neighbours_is_excluded(tmp_path):
    """C19 D1 every 3 h only (no switch-over pairs for the jump test, no CNAV), the 09:00
    record's M0 + 1° (490 km): its four neighbours within 12 h all disagree."""
    def edit(sv, msg, rec):
        if sv != "C19":
            return rec
        if msg != "D1" or int(rec[1][15:17]) % 3:
            return None
        return shift_m0(rec, 1.0) if " 09 00 00" in rec[1][:23] else rec
    p = subset(tmp_path, edit, "c19.rnx")
    with pytest.warns(GnssDataWarning, match=r"C19 D1 toe 2023-03-12T09:00:14 GPST .*disagrees "
                                             r"with all \d other record\(s\) of C19 within 12 h by "
                                             r"0\.99° or more \(482 km along track\)"):
        eph = load_ephemerides(p)
    assert [e.sv for e in eph.excluded] == ["C19"]
    assert eph.record_state(_t("2023-03-12T09:00:14"), svs=["C19"]).values[0, 0] == EXCLUDED


def test_neighbouring_records_in_another_file_count(tmp_path):
    """The corrupt C27 05:00 record alone in one file, C27's 00:00 and 01:00 records in another
    (4 h away: no switch-over pair for the jump test):
    loaded together, the other file's records contradict it (3°: within the slot tolerance,
    so only the neighbours can tell)."""
    bad = subset(tmp_path, _only_record("C27", "05 00 00", 3.0), "bad.rnx")
    good = subset(tmp_path, lambda sv, msg, rec: rec if sv == "C27" and msg == "D1"
                  and rec[1][12:14] == "12" and int(rec[1][15:17]) < 2 else None, "good.rnx")
    with pytest.warns(GnssDataWarning, match=r"C27 D1 toe 2023-03-12T05:00:14 GPST \(bad\.rnx "
                                             r"line \d+\): disagrees with all 2 other record\(s\)"):
        eph = load_ephemerides([good, bad])
    assert [e.source.endswith("bad.rnx") for e in eph.excluded] == [True]


# ------------------------------------------------------------------ validate
def _sept_with(tmp_path, sv, deg):
    """SEPT1890.23P with ``sv``'s only BeiDou record's M0 moved by ``deg``."""
    lines = SEPT.read_text().splitlines(keepends=True)
    i = next(k for k, l in enumerate(lines) if l.startswith(sv + " "))
    lsb = math.pi * 2.0 ** -31  # M0 resolution (BDS-SIS-ICD-B1I 3.0 §5.2.4)
    m0 = round((field(lines[i + 1], 3) + math.radians(deg)) / lsb) * lsb
    lines[i + 1] = set_field(lines[i + 1], 3, m0)
    p = tmp_path / f"sept_{sv}.23P"
    p.write_text("".join(lines))
    return p


def test_corrupt_record_is_left_out_of_validate_statistics(tmp_path, sept_eph):
    """SEPT1890.23P against the CODE SP3 of the day: C27's only record (toe 03:00 BDT) moved
    30° along track would be a 14,000 km 'satellite' in the BDS-3 MEO statistics; it is
    excluded, so the class statistics are those of the file without it."""
    from gnss_interop.ephemerides.validate import sisre, sisre_summary
    from gnss_interop.reading.sp3 import read_sp3

    precise = read_sp3(SP3)
    with pytest.warns(GnssDataWarning, match=r"C27 D1D2 toe 2023-07-08T03:00:14 GPST "
                                             r"\(sept_C27\.23P line 1703\): off the Walker slots"):
        bad = load_ephemerides(_sept_with(tmp_path, "C27", 30.0), systems=None)
    hit = sisre(bad, precise)
    assert "C27" not in hit["sv"].values.tolist()
    assert "C27 D1D2 toe 2023-07-08T03:00:14 GPST" in hit.attrs["excluded_records"]
    clean = sisre(sept_eph, precise)
    keep = [s for s in clean["sv"].values.tolist() if s != "C27"]
    a = sisre_summary(hit, ("generation", "orbit_class"))
    b = sisre_summary(clean.sel(sv=keep), ("generation", "orbit_class"))
    for v in ("n_sv", "rms_3d_m", "sisre_orbit_m"):
        np.testing.assert_allclose(a[v].values, b[v].values, rtol=1e-12)
    meo = list(zip(a["generation"].values, a["orbit_class"].values)).index(("BDS-3", "MEO"))
    assert a["rms_3d_m"].values[meo] < 2.0


def test_validate_command_names_excluded_and_unverified(tmp_path):
    from typer.testing import CliRunner

    from gnss_interop.cli import app

    res = CliRunner().invoke(app, ["validate", str(_sept_with(tmp_path, "C27", 30.0)),
                                   "--sp3", str(SP3), "--summary-only"])
    assert res.exit_code == 0, res.output
    assert "excluded by sanity screening (1; not in any statistics):" in res.output
    assert "C27 D1D2 toe 2023-07-08T03:00:14 GPST (sept_C27.23P line 1703): off the Walker " \
           "slots" in res.output
    # the GPS single records of this receiver file cannot be cross-checked: listed
    assert "unverified (no other record or slot to cross-check; used) (17):" in res.output
