"""RINEX navigation reader: fields, versions, the real files, and malformed input."""

import gzip
import re
import math
import warnings

import numpy as np
import pytest

from conftest import BRD4, BRDC_GLO, SEPT, VILL
from gnss_interop import EphemerisRangeWarning, GnssDataWarning, RinexError, load_ephemerides
from gnss_interop.reading.rinex_nav import _float, read_nav
from gnss_interop.systems import System
from gnss_interop.timescales import from_gpst_seconds

pytestmark = pytest.mark.real_data


# ------------------------------------------------------------------ fields
@pytest.mark.parametrize("text, value", [
    ("0.247061252594D-04", 0.247061252594e-04),
    ("-0.931322574616D-09", -0.931322574616e-09),
    (" 1.422012255859e+04", 14220.12255859),
    ("-9.313225746155E-10", -9.313225746155e-10),
    ("0.000000000000D+00", 0.0),
])
def test_float_fields_fortran_exponents(text, value):
    assert _float(text) == value


def test_blank_field_is_nan_not_zero():
    assert math.isnan(_float("                   "))
    assert math.isnan(_float(""))


def test_unreadable_field_raises():
    with pytest.raises(ValueError):
        _float("1.2.3D+00")


# ------------------------------------------------------------- real files
@pytest.mark.parametrize("path, version, n_c, n_r", [
    (BRD4, 4.00, 44, 26),
    (SEPT, 3.04, 23, 6),
    (BRDC_GLO, 2.01, 0, 25),
    (VILL, 3.03, 23, 25),
])
def test_every_real_file_loads(path, version, n_c, n_r):
    nav = read_nav(path)
    assert nav.version == pytest.approx(version)
    svs = set()
    for table in nav.tables.values():
        svs |= set(table.sv)
    assert sum(s[0] == "C" for s in svs) == n_c
    assert sum(s[0] == "R" for s in svs) == n_r
    assert nav.problems == []


def test_rinex4_record_counts_and_messages():
    nav = read_nav(BRD4)
    counts = {k: len(t.sv) for k, t in nav.tables.items()}
    # docs/domain.md §4.4: 893 D1 + 168 D2, 634 CNV1, 926 CNV2, 1240 R FDMA; and in the
    # file: 428 G LNAV, 2943 E INAV + 2897 E FNAV (GPS CNAV, QZSS, NavIC, SBAS skipped)
    assert counts == {"C:D1D2": 893 + 168, "C:CNV1": 634, "C:CNV2": 926, "R:FDMA": 1240,
                      "G:LNAV": 428, "E:INAV_FNAV": 2943 + 2897}
    assert set(nav.tables["E:INAV_FNAV"].message) == {"INAV", "FNAV"}
    assert set(nav.tables["C:D1D2"].message) == {"D1", "D2"}


def test_rinex4_sto_records():
    nav = read_nav(BRD4)
    bdgl = [o for o in nav.time_offsets if o.name == "BDGL"]
    assert len(bdgl) == 24
    first = bdgl[0]
    assert first.a0 == pytest.approx(1.804437488317e-08)
    assert first.a1 == pytest.approx(9.459100169806e-14)
    assert first.scale_letter == "C"
    assert str(from_gpst_seconds(first.t_ref))[:19] == "2023-03-12T00:20:00"
    glgp = [o for o in nav.time_offsets if o.name == "GLGP"]
    assert glgp and all(-5e-8 < o.a0 < -3.5e-8 for o in glgp)
    assert sum(1 for o in nav.time_offsets if o.name == "BDUT") > 0


def test_rinex4_cnav_fields():
    nav = read_nav(BRD4)
    a = nav.tables["C:CNV1"].arrays()
    c38 = np.flatnonzero(a["sv"] == "C38")[0]
    assert a["sat_type"][c38] == 2            # IGSO
    assert a["a_dot"][c38] == pytest.approx(-3.539085388184e-02)
    assert a["delta_n_dot"][c38] == pytest.approx(1.144238859128e-13)
    assert a["sqrt_a"][c38] == pytest.approx(6.493251614357e+03)
    assert a["health"][c38] == 0
    c19 = np.flatnonzero(nav.tables["C:CNV2"].arrays()["sv"] == "C19")[0]
    assert nav.tables["C:CNV2"].arrays()["sat_type"][c19] == 3  # MEO


def test_glonass_units_are_metres():
    nav = read_nav(BRD4)
    a = nav.tables["R:FDMA"].arrays()
    r = np.sqrt(a["x"] ** 2 + a["y"] ** 2 + a["z"] ** 2)
    assert np.all((r > 2.5e7) & (r < 2.6e7))
    i = np.flatnonzero(a["sv"] == "R01")[0]
    assert a["x"][i] == pytest.approx(1.422012255859e+04 * 1e3)
    assert a["vx"][i] == pytest.approx(-4.938831329346e-01 * 1e3)
    assert a["ax"][i] == pytest.approx(-9.313225746155e-10 * 1e3)


# ----------------------------------------------- cross-check with georinex
_GEORINEX_NAMES = {"sqrt_a": "sqrtA", "e": "Eccentricity", "i0": "Io", "omega0": "Omega0",
                   "omega": "omega", "m0": "M0", "delta_n": "DeltaN", "omega_dot": "OmegaDot",
                   "idot": "IDOT", "cuc": "Cuc", "cus": "Cus", "cic": "Cic", "cis": "Cis",
                   "crc": "Crc", "crs": "Crs", "toe": "Toe", "health": "SatH1"}
_GEORINEX_GLO = {"x": "X", "y": "Y", "z": "Z", "vx": "dX", "vy": "dY", "vz": "dZ",
                 "ax": "dX2", "ay": "dY2", "az": "dZ2", "health": "health"}


@pytest.mark.parametrize("path", [SEPT, BRDC_GLO, VILL])
def test_matches_georinex(path):
    """Every decoded value equals georinex's for the same satellite and epoch (RINEX 2 and 3)."""
    gr = pytest.importorskip("georinex")
    import xarray as xr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with xr.set_options(use_new_combine_kwarg_defaults=False):
            ref = gr.load(path, use={"C", "R"})
    nav = read_nav(path)
    compared = 0
    for key, table in nav.tables.items():
        a = table.arrays()
        names = _GEORINEX_NAMES if key.startswith("C") else _GEORINEX_GLO
        times = from_gpst_seconds(a["epoch"])
        for i, (sv, t) in enumerate(zip(a["sv"], times)):
            if sv not in ref.sv.values:
                continue
            row = ref.sel(sv=sv, time=t)
            for ours, theirs in names.items():
                expected = float(row[theirs])
                if math.isnan(expected):      # georinex keeps a duplicate epoch as NaN
                    continue
                assert a[ours][i] == pytest.approx(expected, rel=1e-12, abs=1e-15), (sv, t, ours)
                compared += 1
    assert compared > 100


# ----------------------------------------------------------- bad input
def _sept_lines():
    return SEPT.read_text().splitlines(keepends=True)


def _first_record_line(lines, prefix):
    return next(i for i, l in enumerate(lines) if l.startswith(prefix))


def test_empty_file(tmp_path):
    p = tmp_path / "empty.rnx"
    p.write_text("")
    with pytest.raises(RinexError, match=r"empty\.rnx.*empty file"):
        load_ephemerides(p)


def test_wrong_version(tmp_path):
    lines = _sept_lines()
    lines[0] = lines[0].replace("     3.04", "     5.00")
    p = tmp_path / "v5.rnx"
    p.write_text("".join(lines))
    with pytest.raises(RinexError, match=r"v5\.rnx, line 1: unsupported RINEX version 5\.00"):
        load_ephemerides(p)


def test_not_rinex(tmp_path):
    p = tmp_path / "page.html"
    p.write_text("<html><body>404 Not Found</body></html>\n")
    with pytest.raises(RinexError, match=r"page\.html, line 1: not a RINEX file"):
        load_ephemerides(p)


def test_header_without_end(tmp_path):
    lines = _sept_lines()
    p = tmp_path / "cut_header.rnx"
    p.write_text("".join(lines[:3]))
    with pytest.raises(RinexError, match=r"cut_header\.rnx, line 3: no END OF HEADER"):
        load_ephemerides(p)


def test_truncated_file_keeps_good_records_and_names_the_line(tmp_path):
    lines = _sept_lines()
    last_c = max(i for i, l in enumerate(lines) if l.startswith("C"))
    p = tmp_path / "truncated.rnx"
    p.write_text("".join(lines[:last_c + 3]))       # the last BeiDou record loses 5 lines
    with pytest.warns(GnssDataWarning, match=rf"truncated\.rnx: skipped 1 unreadable record\(s\): "
                                             rf"line {last_c + 1}: C\d\d: truncated record \(3 of 8 lines\)"):
        eph = load_ephemerides(p)
    full = read_nav(SEPT)
    assert len(eph.records(eph_system("C"))["sv"]) < len(full.tables["C:D1D2"].sv)


def eph_system(letter):
    from gnss_interop import System

    return System.from_letter(letter)


def test_garbage_line_in_a_record(tmp_path):
    lines = _sept_lines()
    i = _first_record_line(lines, "C")
    lines[i + 2] = "    this is not a number at all and never was                                \n"
    p = tmp_path / "garbage.rnx"
    p.write_text("".join(lines))
    with pytest.warns(GnssDataWarning, match=rf"garbage\.rnx: .*line {i + 3}: field 'cuc' is not a number"):
        eph = load_ephemerides(p)
    assert len(eph.svs) > 20


def test_blank_required_field_rejects_record(tmp_path):
    lines = _sept_lines()
    i = _first_record_line(lines, "C")
    line = lines[i + 2]
    lines[i + 2] = line[:42] + " " * 19 + line[61:]   # blank 'cus'... no: third field of line 2
    p = tmp_path / "blank.rnx"
    p.write_text("".join(lines))
    with pytest.warns(GnssDataWarning, match=rf"line {i + 3}: required field 'cus' is blank"):
        load_ephemerides(p)


def _sept_without(tmp_path, name: str, letters: str):
    """SEPT1890.23P without the records of the systems in ``letters``."""
    lines = _sept_lines()
    end = next(i for i, l in enumerate(lines) if "END OF HEADER" in l)
    keep, skip = [], False
    for l in lines[end + 1:]:
        if l[:1].isalpha():
            skip = l[0] in letters
        if not skip:
            keep.append(l)
    p = tmp_path / name
    p.write_text("".join(lines[:end + 1] + keep))
    return p


def test_file_without_beidou_or_glonass(tmp_path):
    p = _sept_without(tmp_path, "gps_only.rnx", "CR")
    with pytest.raises(RinexError, match=r"gps_only\.rnx: no BeiDou or GLONASS ephemeris records"):
        load_ephemerides(p)


def test_file_without_any_registered_system(tmp_path):
    p = _sept_without(tmp_path, "no_system.rnx", "CREG")
    with pytest.raises(RinexError, match=r"no_system\.rnx: no BeiDou, GLONASS, GPS or Galileo "
                                         r"ephemeris records"):
        load_ephemerides(p, systems=None)


def test_gps_galileo_only_file_has_no_beidou_or_glonass(tmp_path):
    eph = load_ephemerides(_sept_without(tmp_path, "gps_galileo.rnx", "CR"), systems=None)
    assert {s[0] for s in eph.svs} == {"G", "E"}
    assert eph.svs_of([System.BEIDOU, System.GLONASS]) == []


def test_corrupt_gzip(tmp_path):
    data = gzip.compress(SEPT.read_bytes())
    p = tmp_path / "cut.rnx.gz"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(RinexError, match=r"cut\.rnx\.gz: corrupt compressed file"):
        load_ephemerides(p)


def test_gz_and_unix_compress_read_like_plain(tmp_path):
    ncompress = pytest.importorskip("ncompress")
    gz = tmp_path / "sept.rnx.gz"
    gz.write_bytes(gzip.compress(SEPT.read_bytes()))
    z = tmp_path / "sept.rnx.Z"
    z.write_bytes(ncompress.compress(SEPT.read_bytes()))
    plain = read_nav(SEPT)
    for p in (gz, z):
        other = read_nav(p)
        for k in plain.tables:
            field = "x" if k[0] == "R" else "sqrt_a"
            np.testing.assert_array_equal(other.tables[k].arrays()[field],
                                          plain.tables[k].arrays()[field])


def test_rinex4_garbage_record_header(tmp_path):
    text = gzip.decompress(BRD4.read_bytes()).decode().splitlines(keepends=True)
    head = next(i for i, l in enumerate(text) if "END OF HEADER" in l)
    first_c = next(k for k, l in enumerate(text) if l.startswith("> EPH C"))
    body = text[first_c: first_c + 400]
    i = 0
    body[i + 1] = body[i + 1][:23] + "X" * 19 + body[i + 1][42:]
    p = tmp_path / "bad4.rnx"
    p.write_text("".join(text[:head + 1] + body))
    with pytest.warns(GnssDataWarning, match=rf"line {head + 1 + i + 2}: field 'af0' is not a number"):
        # line numbers refer to the written file: header, then the cut body
        load_ephemerides(p)


def test_reading_only_some_systems_skips_the_others():
    full = read_nav(BRD4)
    primary = read_nav(BRD4, [System.BEIDOU, System.GLONASS])
    assert set(primary.tables) == {"C:D1D2", "C:CNV1", "C:CNV2", "R:FDMA"}
    for k in primary.tables:
        assert primary.tables[k].sv == full.tables[k].sv
    skipped = len(full.tables["G:LNAV"].sv) + len(full.tables["E:INAV_FNAV"].sv)
    assert primary.n_skipped_other_systems == full.n_skipped_other_systems + skipped
    assert len(primary.time_offsets) == len(full.time_offsets)
    eph = load_ephemerides(BRD4, [System.GPS])
    assert {s[0] for s in eph.svs} == {"G"}
    with pytest.raises(RinexError, match=r"no Galileo ephemeris records"):
        read_nav(BRDC_GLO, [System.GALILEO])


@pytest.mark.parametrize("bad", ["G#1", "EAB", "C00", "G9X"])
def test_malformed_satellite_id_skips_the_record_and_names_the_line(tmp_path, bad):
    lines = _sept_lines()
    i = next(k for k, l in enumerate(lines) if l.startswith("G19"))
    lines[i] = bad + lines[i][3:]
    p = tmp_path / "bad_id.rnx"
    p.write_text("".join(lines))
    with pytest.warns(GnssDataWarning, match=rf"line {i + 1}: '{re.escape(bad)}' is not a satellite identifier"):
        eph = load_ephemerides(p, systems=None)
    assert bad not in eph.svs and "G06" in eph.svs
    with warnings.catch_warnings():                       # epochs out of range are fine here
        warnings.simplefilter("ignore", EphemerisRangeWarning)
        eph.positions(np.array(["2023-07-08T06:00"], dtype="datetime64[ns]"))   # no crash later
