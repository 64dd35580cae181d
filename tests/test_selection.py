"""The record in effect (issue 10): latest transmission wins, the nearest record's health
decides, never a jump over an unhealthy record. On BRD400DLR 2023-03-12, line by line.

Line numbers are those of the record's epoch line (the ``> EPH`` line is one above), as
the reader reports them. BDT = GPST − 14 s: toe 21:00 BDT is 21:00:14 GPST.

| sat | toe (BDT) | line   | t_tm (BDT) | SatH1 | kept        |
|-----|-----------|--------|------------|-------|-------------|
| C14 | 00:00     | 116404 | 00:00:00   | 0     |             |
| C14 | 00:00     | 116413 | 00:15:30   | 1     | yes (later) |
| C14 | 01–20:00  | ...    |            | 1     |             |
| C14 | 21:00     | 116602 | 21:00:00   | 1     |             |
| C14 | 21:00     | 116611 | 21:02:00   | 0     | yes (later) |
| C14 | 22, 23:00 | 116620, 116629 |    | 0     |             |
| C35 | 00–10:00  | 129343 ... |        | 1     |             |
| C35 | 11:00     | 129433 | 11:00:00   | 1     |             |
| C35 | 11:00     | 129442 | 11:26:44   | 0     | yes (later) |
| C35 | 12–18:00  | 129451 ... |        | 0     |             |
| C35 | 19:00     | 129514 | 19:00:00   | 0     |             |
| C35 | 19:00     | 129523 | 19:12:30   | 1     | yes (later) |
| C35 | 20–23:00  | ...    |            | 1     |             |
"""

import warnings

import numpy as np
import pytest

from _rinex_subset import field, set_field, subset
from conftest import BRD4
from gnss_interop import System, load_ephemerides
from gnss_interop.ephemerides.records import record_positions
from gnss_interop.ephemerides.selection import NO_EPHEMERIS, UNHEALTHY, USABLE
from gnss_interop.systems import spec
from gnss_interop.timescales import from_gpst_seconds, to_gpst_seconds


def _t(*s):
    return np.array(s, dtype="datetime64[ns]")


def _d1(eph, sv):
    """The D1 records of ``sv`` kept after de-duplication: {toe GPST (str): (line, healthy, t_tx)}."""
    r = eph._rec[System.BEIDOU]
    k = np.flatnonzero((r.sv == sv) & (r.message == "D1"))
    return {str(from_gpst_seconds(r.t_ref[i]))[:19]: (int(r.line[i]), bool(r.healthy[i]),
                                                       str(from_gpst_seconds(r.values["t_tx_gpst"][i]))[:19])
            for i in k}


@pytest.mark.parametrize("sv, toe, line, healthy, t_tx", [
    ("C14", "2023-03-12T00:00:14", 116413, False, "2023-03-12T00:15:44"),
    ("C14", "2023-03-12T21:00:14", 116611, True, "2023-03-12T21:02:14"),
    ("C35", "2023-03-12T11:00:14", 129442, True, "2023-03-12T11:26:58"),
    ("C35", "2023-03-12T19:00:14", 129523, False, "2023-03-12T19:12:44"),
    # both C13 01:00 transmissions carry t_tm 01:00:00: the one read later (SatH1 = 1) wins
    ("C13", "2023-03-12T01:00:14", 116197, False, "2023-03-12T01:00:14"),
    ("C30", "2023-03-12T02:00:14", 125945, False, "2023-03-12T02:46:14"),
])
def test_latest_transmission_of_a_toe_is_kept(brd4_eph, sv, toe, line, healthy, t_tx):
    assert _d1(brd4_eph, sv)[toe] == (line, healthy, t_tx)


def test_one_record_per_satellite_message_and_toe(brd4_eph):
    for system in (System.BEIDOU, System.GLONASS):
        r = brd4_eph._rec[system]
        key = [f"{s}|{p}|{t:.0f}" for s, p, t in zip(r.sv, r.priority, r.t_ref)]
        assert len(set(key)) == len(key)


@pytest.mark.parametrize("sv, epoch, state, why", [
    # C14 at 21:00: the later, healthy transmission (line 116611) is in effect
    ("C14", "2023-03-12T21:00:14", USABLE, "21:00 D1 line 116611, SatH1 = 0"),
    ("C14", "2023-03-12T20:40:00", USABLE, "nearest toe 21:00, line 116611"),
    ("C14", "2023-03-12T20:20:00", UNHEALTHY, "nearest toe 20:00, SatH1 = 1"),
    # C14 00:00: the later transmission (line 116413, SatH1 = 1) supersedes the healthy one
    ("C14", "2023-03-12T00:00:14", UNHEALTHY, "00:00 D1 line 116413"),
    # the old rule used the healthy 00:00 record here, jumping over the unhealthy 01:00 one
    ("C14", "2023-03-12T00:40:00", UNHEALTHY, "nearest toe 01:00, SatH1 = 1"),
    ("C35", "2023-03-12T10:20:00", UNHEALTHY, "nearest toe 10:00, SatH1 = 1"),
    ("C35", "2023-03-12T10:40:00", USABLE, "nearest toe 11:00, line 129442, SatH1 = 0"),
    ("C35", "2023-03-12T18:20:00", USABLE, "nearest toe 18:00, SatH1 = 0"),
    # 18:00 (healthy) is within its window at 18:40 but 19:00 (line 129523, unhealthy) is nearer
    ("C35", "2023-03-12T18:40:00", UNHEALTHY, "nearest toe 19:00, line 129523"),
    ("C35", "2023-03-12T19:40:00", UNHEALTHY, "nearest toe 20:00, SatH1 = 1"),
])
def test_the_record_in_effect_and_its_health_decide(brd4_eph, sv, epoch, state, why):
    got = brd4_eph.record_state(_t(epoch), svs=[sv]).values[0, 0]
    assert got == state, why
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # unhealthy is not a data gap: no warning
        pos = brd4_eph.positions(_t(epoch), svs=[sv]).values[0, 0]
    assert np.isfinite(pos).all() == (state == USABLE)


def test_c14_at_2100_uses_the_later_healthy_transmission(brd4_eph):
    r = brd4_eph._rec[System.BEIDOU]
    i = np.flatnonzero((r.sv == "C14") & (r.message == "D1") & (r.line == 116611))
    t = to_gpst_seconds(_t("2023-03-12T21:10:00"))
    expected = record_positions(spec(System.BEIDOU), r, i, t)[0]
    got = brd4_eph.positions(_t("2023-03-12T21:10:00"), svs=["C14"]).values[0, 0]
    np.testing.assert_allclose(got, expected, atol=1e-6)


@pytest.mark.parametrize("sv", ["C13", "C14", "C30", "C35"])
def test_every_two_minutes_the_nearest_records_health_decides(brd4_eph, sv):
    """Oracle over the day: the nearest D1 toe (after latest-transmission-wins) within ±1 h
    decides; no epoch is usable where that record is unhealthy, none unusable where healthy."""
    t = np.arange(np.datetime64("2023-03-12T00:00"), np.datetime64("2023-03-13T00:00"),
                  np.timedelta64(2, "m")).astype("datetime64[ns]")
    r = brd4_eph._rec[System.BEIDOU]
    k = np.flatnonzero((r.sv == sv) & (r.priority == 0))
    ts = to_gpst_seconds(t)
    near = k[np.argmin(np.abs(ts[:, None] - r.t_ref[k][None, :]), axis=1)]
    assert np.all(np.abs(ts - r.t_ref[near]) <= 3600.0)
    expected = np.where(r.healthy[near], USABLE, UNHEALTHY)
    got = brd4_eph.record_state(t, svs=[sv]).values[:, 0]
    np.testing.assert_array_equal(got, expected)


def test_usable_epochs_of_c14_and_c35_on_the_day(brd4_eph):
    """2-min epochs: C14 usable 20:32–23:58 (104), C35 10:32–18:30 (240). The old rule
    (first transmission kept, nearest *healthy* record) gave 120 and 270: C14 00:00–01:00 from
    the superseded healthy 00:00 record (00:32–01:00 past an unhealthy nearer one), C35
    11:02–11:30 and 18:32–20:00; and it lost C14 20:32–21:00 and C35 10:32–11:00."""
    t = np.arange(np.datetime64("2023-03-12T00:00"), np.datetime64("2023-03-13T00:00"),
                  np.timedelta64(2, "m")).astype("datetime64[ns]")
    st = brd4_eph.record_state(t, svs=["C14", "C35"])
    usable = (st == USABLE).values
    assert usable.sum(axis=0).tolist() == [104, 240]
    first = t[usable.argmax(axis=0)]
    last = t[len(t) - 1 - usable[::-1].argmax(axis=0)]
    assert [str(x)[11:16] for x in first] == ["20:32", "10:32"]
    assert [str(x)[11:16] for x in last] == ["23:58", "18:30"]
    assert not (st == NO_EPHEMERIS).any()


def test_unhealthy_is_reported_apart_from_data_gaps(brd4_eph):
    with pytest.warns(Warning) as caught:
        pos = brd4_eph.positions(_t("2023-03-12T00:00:00", "2023-03-12T10:00:00"),
                                 svs=["C14", "R01"])
    # one warning, for the data gap (GLONASS starts at 00:15 UTC), not for C14
    assert len(caught) == 1 and "R01 (1)" in str(caught[0].message)
    assert "C14" not in str(caught[0].message)
    assert pos.attrs["unhealthy_epochs"] == "C14 (2)"
    assert pos.attrs["no_ephemeris_epochs"] == "R01 (1)"
    st = brd4_eph.record_state(_t("2023-03-12T00:00:00"), svs=["C14", "R01"])
    assert st.values.tolist() == [[UNHEALTHY, NO_EPHEMERIS]]
    assert st.attrs["flag_meanings"].split()[UNHEALTHY] == "unhealthy"


# ---------------------------------------------------------------- GLONASS duplicates
def _r01_twice(tmp_path, tk_shift_s, later_first=False, name="r01.rnx"):
    """R01 only; its 12:15 UTC record (BRD400DLR line 53731) transmitted twice: the copy
    with t_k moved by ``tk_shift_s`` says health = 1."""
    def edit(sv, msg, rec):
        if sv != "R01":
            return None if sv.startswith("R") else rec
        if " 12 15 00" not in rec[1]:
            return rec
        bad = list(rec)
        bad[1] = set_field(bad[1], 2, field(bad[1], 2, first=True) + tk_shift_s, first=True)
        bad[2] = set_field(bad[2], 3, 1.0)
        return bad + rec if later_first else rec + bad
    return subset(tmp_path, edit, name)


@pytest.mark.real_data
@pytest.mark.parametrize("later_first", [False, True])
def test_glonass_duplicate_t_b_latest_transmission_wins(tmp_path, later_first):
    """Same slot and t_b twice, the later frame time (t_k + 60 s) flagged unhealthy: it wins
    whichever comes first in the file; at 12:15 UTC (12:15:18 GPST) R01 is unhealthy."""
    eph = load_ephemerides(_r01_twice(tmp_path, 60.0, later_first), systems=[System.GLONASS])
    r = eph._rec[System.GLONASS]
    k = np.flatnonzero(r.t_ref == to_gpst_seconds(_t("2023-03-12T12:15:18"))[0])
    assert k.size == 1 and not r.healthy[k[0]]
    st = eph.record_state(_t("2023-03-12T12:10", "2023-03-12T12:15:18", "2023-03-12T12:35"),
                          svs=["R01"]).values[:, 0]
    # 12:10 and 12:15: the 12:15 record is nearest; 12:35: the 12:45 record (healthy)
    assert st.tolist() == [UNHEALTHY, UNHEALTHY, USABLE]


@pytest.mark.real_data
def test_glonass_duplicate_with_equal_frame_time_the_later_read_wins(tmp_path):
    eph = load_ephemerides(_r01_twice(tmp_path, 0.0), systems=[System.GLONASS])
    assert eph.record_state(_t("2023-03-12T12:15:18"), svs=["R01"]).values[0, 0] == UNHEALTHY
    eph = load_ephemerides(_r01_twice(tmp_path, 0.0, later_first=True, name="r01b.rnx"),
                           systems=[System.GLONASS])
    assert eph.record_state(_t("2023-03-12T12:15:18"), svs=["R01"]).values[0, 0] == USABLE


def test_glonass_frame_time_of_rinex2_and_rinex4_files(brd4_eph):
    """t_k counts the UTC week in RINEX 4 (BRD400DLR) and the UTC day in RINEX 2
    (brdc0730.23g): both become transmission times within minutes of t_b (mostly ~15 min
    before it)."""
    from conftest import BRDC_GLO

    for eph in (brd4_eph, load_ephemerides(BRDC_GLO)):
        r = eph._rec[System.GLONASS]
        lead = r.t_ref - r.values["t_tx_gpst"]
        assert np.all(np.abs(lead) <= 1800), (lead.min(), lead.max())
        assert 600 <= np.median(lead) <= 900
