"""The system registry: every entry complete, and no other module naming a system.

Adding a system must be one registry entry (a module in gnss_interop/systems/ plus its
enum member): the structural test below fails when a module outside systems/ wires a
system in by name.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from conftest import BRD4
from gnss_interop import GnssInputError, load_ephemerides
from gnss_interop.reading.layout import MessageLayout
from gnss_interop.systems import (
    PRIMARY_SYSTEMS,
    OrbitClass,
    System,
    registered,
    spec,
    spec_of_letter,
    time_offset_names,
)
from gnss_interop.systems import galileo

PACKAGE = Path(__file__).resolve().parents[1] / "gnss_interop"
#: Modules that are about particular systems by nature: the registry entries, the orbit
#: models they select (ICD algorithms: GLONASS RK4 in PZ-90.11, the BeiDou GEO rotation),
#: and the generator of the nominal BDS-3 + GLONASS constellations.
SYSTEM_SPECIFIC = {"systems", "orbits", "ephemerides/nominal.py"}


def test_every_system_has_an_entry():
    assert [s.system for s in registered()] == list(System)
    assert PRIMARY_SYSTEMS == (System.BEIDOU, System.GLONASS)
    letters = [s.letter for s in registered()]
    codes = [s.sto_code for s in registered()]
    assert len(set(letters)) == len(letters) and len(set(codes)) == len(codes)
    assert spec_of_letter("J") is None and spec_of_letter("C") is spec(System.BEIDOU)


@pytest.mark.parametrize("entry", registered(), ids=lambda s: s.letter)
def test_entry_is_complete(entry):
    for version in (2.11, 3.04, 3.05, 4.00):
        layout = entry.rinex3_layout(version)
        assert isinstance(layout, MessageLayout) and layout.system is entry.system
        assert "health" in layout.names
        assert set(entry.orbit_model.fields) - set(layout.names) <= {"a_dot", "delta_n_dot"}
    for rule in entry.layouts:
        if rule.message != "RINEX3":
            assert rule.message in entry.message_priority, rule
    before, after = entry.fit_window_s
    assert 0 < before <= after <= 4 * 3600
    assert entry.orbit_radius_range_m
    for r_min, r_max in entry.orbit_radius_range_m.values():
        assert 2.0e7 < r_min < r_max < 4.5e7
    assert entry.default_band in {s.name for s in entry.signals}
    assert all(s.system is entry.system and s.source for s in entry.signals)
    assert entry.system.timescale is entry.time_scale
    assert entry.validity_text().startswith(("±", entry.display_name))


def test_time_offset_names_follow_rinex():
    assert time_offset_names(System.BEIDOU, System.GLONASS) == ("BDGL", "GLBD")
    assert time_offset_names(System.GALILEO, System.GPS) == ("GAGP", "GPGA")


def test_galileo_health_bits_per_message():
    """I/NAV looks at the E1-B and E5b bits, F/NAV at the E5a bits (RINEX 3.04 Table A8)."""
    health = np.array([0.0, 0b000001000, 0b000000001, 0b010000000, 0.5, np.nan])
    msgs = np.array(["INAV", "INAV", "INAV", "FNAV", "INAV", "FNAV"])
    ok = galileo.healthy(msgs, {"health": health})
    assert ok.tolist() == [True, True, False, True, False, False]
    assert galileo.rinex3_message({"data_sources": 258.0}) == "FNAV"
    assert galileo.rinex3_message({"data_sources": 517.0}) == "INAV"


def test_galileo_records_are_not_extrapolated_back(sept_eph):
    """A Galileo ephemeris serves toe − 10 min .. toe + 3 h (constants.GAL_FIT_WINDOW_S)."""
    rec = sept_eph.records(System.GALILEO)
    e08 = rec["sv"] == "E08"
    first = np.min(rec["t_ref_gpst"][e08])
    times = np.array([first - np.timedelta64(11, "m"), first - np.timedelta64(9, "m"),
                      first + np.timedelta64(179, "m")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pos = sept_eph.positions(times, svs=["E08"]).values[:, 0, 0]
    assert np.isnan(pos[0]) and np.isfinite(pos[1:]).all()
    assert any("E08 (1)" in str(w.message) for w in caught)


def test_every_system_has_meo_satellites_in_the_merged_file(brd4_all):
    counts = {s: len(brd4_all.svs_of([s])) for s in System}
    assert counts == {System.BEIDOU: 44, System.GLONASS: 24, System.GPS: 31, System.GALILEO: 24}
    for sv in ("G01", "E01", "R01", "C19"):
        assert brd4_all.orbit_class(sv) is OrbitClass.MEO
    with pytest.raises(GnssInputError, match="no usable GPS ephemeris"):
        load_ephemerides(BRD4).span([System.GPS])


def _code(path: Path) -> str:
    """Source without comments and docstrings (names in prose are fine)."""
    text = re.sub(r'"""[\s\S]*?"""', "", path.read_text())
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_no_module_outside_the_registry_names_a_system():
    pattern = re.compile(r"System\.(BEIDOU|GLONASS|GPS|GALILEO)\b|\b(BDS|GLO|GPS|GAL)_[A-Z_]+_(S|M|RAD_S|M3_S2)\b")
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.split("/")[0] in SYSTEM_SPECIFIC or rel in SYSTEM_SPECIFIC or rel == "constants.py":
            continue
        for n, line in enumerate(_code(path).splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == [], "systems wired in outside gnss_interop/systems/:\n" + "\n".join(offenders)
