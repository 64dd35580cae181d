"""RINEX navigation reader: fields, versions, the real files, and malformed input."""

import functools
import gzip
import math
import re
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import BRD4, BRDC_GLO, SEPT, VILL
from gnss_interop import EphemerisRangeWarning, GnssDataWarning, RinexError, load_ephemerides
from gnss_interop.cli import app
from gnss_interop.errors import LeapSecondRangeError, RinexRecordWarning
from gnss_interop.orbits.kepler import KeplerOrbitModel
from gnss_interop.reading.layout import FIELD_RULES, NUMBER_FORM, NUMBER_FORM_V2
from gnss_interop.reading.rinex_nav import TRUNCATION_GAP_S, _float, read_nav
from gnss_interop.systems import System
from gnss_interop.timescales import from_gpst_seconds, leap_seconds_at_utc, to_gpst_seconds

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
    with pytest.warns(GnssDataWarning, match=rf"garbage\.rnx: .*line {i + 3}: C\d\d: field 'cuc' is not a number"):
        eph = load_ephemerides(p)
    assert len(eph.svs) > 20


def test_blank_required_field_rejects_record(tmp_path):
    lines = _sept_lines()
    i = _first_record_line(lines, "C")
    line = lines[i + 2]
    lines[i + 2] = line[:42] + " " * 19 + line[61:]   # blank 'cus'... no: third field of line 2
    p = tmp_path / "blank.rnx"
    p.write_text("".join(lines))
    with pytest.warns(GnssDataWarning, match=rf"line {i + 3}: C\d\d: required field 'cus' is blank"):
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
    with pytest.warns(GnssDataWarning, match=rf"line {head + 1 + i + 2}: C01: field 'af0' is not a number"):
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


# ================================================================ issue 11: hardening
# One minimal file per failure class, built from real lines of the shared files, and
# property tests over single-character mutations, truncations and gzip bit flips.



@functools.lru_cache(maxsize=None)
def _brd4_text() -> tuple[str, ...]:
    return tuple(gzip.decompress(BRD4.read_bytes()).decode().splitlines(keepends=True))


def _header(lines) -> list[str]:
    end = next(i for i, l in enumerate(lines) if "END OF HEADER" in l)
    return list(lines[:end + 1])


def _sept_record(sv: str) -> list[str]:
    """SEPT1890.23P (RINEX 3.04): header and the first record of ``sv``: 8 lines (BeiDou)
    or 4 (GLONASS)."""
    lines = _sept_lines()
    i = _first_record_line(lines, sv)
    n = 4 if sv[0] == "R" else 8
    return _header(lines) + lines[i:i + n]


def _brd4_records(sv: str, message: str, n: int = 1) -> list[str]:
    """BRD400DLR (RINEX 4.00): header and the first ``n`` records of ``sv`` ``message``."""
    lines = _brd4_text()
    out, i = _header(lines), 0
    size = 6 if message == "FDMA" else 9
    starts = [k for k, l in enumerate(lines) if l.startswith(f"> EPH {sv} {message}")]
    for k in starts[:n]:
        out += lines[k:k + size]
    return out


def _brdc_record() -> list[str]:
    """brdc0730.23g (RINEX 2.01 GLONASS): header and its first record (R01, 4 lines)."""
    lines = BRDC_GLO.read_text().splitlines(keepends=True)
    head = _header(lines)
    return head + lines[len(head):len(head) + 4]


def _field(line: str, k: int, text: str, start: int = 4) -> str:
    """``line`` with its field ``k`` (0-based, 19 columns from ``start``) replaced."""
    a = start + 19 * k
    return line[:a] + text.rjust(19) + line[a + 19:]


def _write(tmp_path, name: str, lines) -> Path:
    p = tmp_path / name
    p.write_text("".join(lines))
    return p


def _skipped(p, match: str, systems=(System.BEIDOU, System.GLONASS)):
    """Load ``p``; the record must be skipped with a RinexRecordWarning matching ``match``
    (or, when it was the only one, a RinexError naming it)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            eph = load_ephemerides(p, systems)
        except RinexError as exc:
            assert re.search(match, str(exc)), str(exc)
            return None
    texts = [str(w.message) for w in seen if issubclass(w.category, RinexRecordWarning)]
    assert any(re.search(match, t) for t in texts), texts
    return eph


# ------------------------------------------------------------------- crash classes
def test_glonass_epoch_before_1999_loads_with_the_leap_second_table(tmp_path):
    """Was a ValueError from the leap-second table, even with a LEAP SECONDS header."""
    lines = _brdc_record()
    k = len(lines) - 4
    lines[k] = lines[k][:3] + "98" + lines[k][5:]            # 1998-03-14 00:15 UTC
    p = _write(tmp_path, "glo1998.g", lines)
    with pytest.warns(GnssDataWarning, match=r"LEAP SECONDS gives GPST-UTC = 18 s but the "
                                             r"leap-second table gives 12 s"):
        eph = load_ephemerides(p)
    assert eph.svs == ["R01"]
    pos = eph.positions(np.array(["1998-03-14T00:15:18"], dtype="datetime64[ns]"))
    assert np.isfinite(pos.values).all()
    # the table itself says what it covers
    assert int(leap_seconds_at_utc(to_gpst_seconds(np.datetime64("1990-06-01")))) == 6
    with pytest.raises(LeapSecondRangeError, match=r"covers UTC from 1980-01-06"):
        leap_seconds_at_utc(-1.0)


def test_epoch_before_the_gps_epoch_is_skipped(tmp_path):
    lines = _sept_record("R07")
    lines[-4] = lines[-4][:4] + "1979" + lines[-4][8:]
    _skipped(_write(tmp_path, "r1979.rnx", lines), r"line 11: R07: epoch year 1979 outside 1980-2099")


@pytest.mark.parametrize("version", ["      nan", "      inf", "    1e300", " infinity", "     3.0x"])
def test_version_field_nan_or_inf_is_a_named_header_error(tmp_path, version):
    lines = _sept_lines()
    lines[0] = version + lines[0][9:]
    with pytest.raises(RinexError, match=r"line 1: unreadable RINEX version"):
        load_ephemerides(_write(tmp_path, "v.rnx", lines))


@pytest.mark.parametrize("bad", ["CAB", "C9X", "C#1", "C00", "C1 ", "C64", "X01", "c01"])
def test_malformed_satellite_id_rinex3_and_4(tmp_path, bad):
    """An id that loaded and then crashed positions(): now skipped, naming the line."""
    lines = _sept_record("C01")
    lines[-8] = bad + lines[-8][3:]
    eph = _skipped(_write(tmp_path, "id3.rnx", lines), r"line 11: .*not a satellite identifier|"
                                                       r"line 11: unexpected line")
    assert eph is None
    lines = _brd4_records("C19", "D1", 2)
    lines[-18] = lines[-18].replace("C19", bad)               # the '> EPH' line
    lines[-17] = bad + lines[-17][3:]
    eph = _skipped(_write(tmp_path, "id4.rnx", lines), r"line 10: .*not a satellite identifier|"
                                                       r"line 10: unreadable record header")
    assert eph.svs == ["C19"]
    eph.positions(np.array(["2023-03-12T01:00"], dtype="datetime64[ns]"))


def _gzip_flips_with_zlib_error(data: bytes, n: int) -> list[int]:
    """Byte positions where a flipped bit makes zlib itself raise (not a CRC error)."""
    out = []
    for pos in range(12, len(data) - 8, 97):
        d = bytearray(data)
        d[pos] ^= 0x10
        try:
            zlib.decompress(bytes(d[10:]), -15)
        except zlib.error:
            out.append(pos)
            if len(out) == n:
                break
    return out


def test_gzip_bit_flip_is_a_named_error(tmp_path):
    """zlib.error escaped (only OSError/EOFError/ValueError were caught)."""
    data = gzip.compress(SEPT.read_bytes(), mtime=0)
    flips = _gzip_flips_with_zlib_error(data, 3)
    assert flips
    for pos in flips:
        d = bytearray(data)
        d[pos] ^= 0x10
        p = tmp_path / "flip.rnx.gz"
        p.write_bytes(bytes(d))
        with pytest.raises(RinexError, match=r"flip\.rnx\.gz: corrupt compressed file"):
            load_ephemerides(p)


# ---------------------------------------------------------- silent-corruption classes
def test_exponent_cut_or_changed_is_not_a_value(tmp_path):
    """-7.05E-09 -> -7.05E-0 and E-05 -> E-3 were read as valid numbers."""
    base = _sept_record("C01")
    i = len(base) - 6                                   # line 12: cuc e cus sqrt_a
    for text in ("-1.441221684217E-0", "  1.223105937243E-5", "1.223105937243E-05 ",
                 "1.2231059372 3E-05", "1.223105937243E--5", "1.223105937243E+5",
                 " -.223105937243E-05", "  .223105937243E-05", "12.23105937243E-06"):
        lines = list(base)
        lines[i] = _field(lines[i], 2, text.rjust(19)[-19:]) if len(text) <= 19 else lines[i]
        if text.endswith(" "):
            lines[i] = lines[i][:42] + text + lines[i][61:]
        _skipped(_write(tmp_path, "exp.rnx", lines), rf"line {i + 1}: C01: field 'cus' is not a number")
    # a changed exponent that keeps the form: out of the ICD range, or off its resolution
    for text, why in ((" 1.223105937243E-03", r"field 'cus' = 0\.00122310593724 rad is outside"),
                      (" 1.223105937243E-07", r"field 'cus' = 1\.22310593724e-07 rad is not a whole "
                                              r"multiple of its resolution 4\.65661e-10 rad")):
        lines = list(base)
        lines[i] = _field(lines[i], 2, text)
        _skipped(_write(tmp_path, "exp.rnx", lines), rf"line {i + 1}: C01: {why}")


@pytest.mark.parametrize("epoch, why", [
    ("2023 07 08 03 00 99", r"epoch time 03:00:99\.0 is not a time of day"),
    ("2023 13 08 03 00 00", r"epoch month 13 is not 1-12"),
    ("2023 06 31 03 00 00", r"epoch day 31 is not 1-30 \(2023-06\)"),
    ("2023 07 08 24 00 00", r"epoch time 24:00:00\.0 is not a time of day"),
    ("2023 07 08 03 60 00", r"epoch time 03:60:00\.0 is not a time of day"),
    ("2023 07 08 03 0- 00", r"unreadable epoch line"),
    ("2023 07 08 03 00 03", r"epoch 2023-07-08 03:00:03 is not on the 8 s grid"),
])
def test_calendar_fields_out_of_range_are_skipped(tmp_path, epoch, why):
    lines = _sept_record("C01")
    lines[-8] = lines[-8][:4] + epoch + lines[-8][23:]
    _skipped(_write(tmp_path, "cal.rnx", lines), rf"line 11: C01: {why}")


def test_glonass_epoch_off_the_15_minute_grid_is_skipped(tmp_path):
    lines = _sept_record("R07")
    lines[-4] = lines[-4][:4] + "2023 07 08 04 15 09" + lines[-4][23:]
    _skipped(_write(tmp_path, "tb.rnx", lines), r"line 11: R07: epoch 2023-07-08 04:15:09 is not "
                                                r"on the 900 s grid")


def test_rinex4_eph_line_naming_another_satellite_is_skipped(tmp_path):
    lines = _brd4_records("C19", "D1", 2)
    lines[-8] = "C20" + lines[-8][3:]                          # second record's body
    eph = _skipped(_write(tmp_path, "eph.rnx", lines),
                   r"line 20: C19: the '> EPH' line 19 names C19 but the record names 'C20'")
    assert eph.svs == ["C19"] and len(eph.records(System.BEIDOU)["sv"]) == 1


def test_rinex4_unknown_message_is_skipped(tmp_path):
    lines = _brd4_records("C19", "D1", 2)
    lines[-9] = lines[-9].replace(" D1", " D9")
    _skipped(_write(tmp_path, "msg.rnx", lines), r"line 19: C19: unknown message 'D9'")


@pytest.mark.parametrize("value, why", [
    ("-inf", r"is not a number"), ("1.0E+300", r"is not a number"),
    (" 5.000000000000E-01", r"'health' = 0\.5 is not a whole number in \[0, 1\]"),
    ("-1.000000000000E+00", r"'health' = -1 is not a whole number in \[0, 1\]"),
    (" 2.000000000000E+00", r"'health' = 2 is not a whole number in \[0, 1\]"),
    (" 1.000000000000E+99", r"'health' = 1e\+99 is not a whole number in \[0, 1\]"),
    ("nan", r"is not a number"),
])
def test_health_field_must_be_a_whole_number_in_range(tmp_path, value, why):
    """-inf, 1e300 and 0.5 were quietly taken as 'unhealthy'."""
    lines = _sept_record("C01")
    lines[-2] = _field(lines[-2], 1, value)
    _skipped(_write(tmp_path, "h.rnx", lines), rf"line 17: C01: .*{why}")


def test_glonass_health_and_channel_rules(tmp_path):
    lines = _sept_record("R07")
    lines[-3] = _field(lines[-3], 3, " 5.000000000000E-01")      # health 0.5
    _skipped(_write(tmp_path, "gh.rnx", lines), r"line 12: R07: field 'health' = 0\.5")
    lines = _sept_record("R07")
    lines[-2] = _field(lines[-2], 3, " 1.400000000000E+01")      # channel +14
    _skipped(_write(tmp_path, "gf.rnx", lines), r"line 13: R07: field 'freq_num' = 14 is not a "
                                                r"whole number in \[-7, 13\]")


@pytest.mark.parametrize("k, text, why", [
    (1, "-4.321250000000E+04", r"field 'crs' = -43212\.5 m is outside \[-2048, 2048\] m"),
    (3, " 4.518449166577E+00", r"field 'm0' = 4\.51844916658 rad is outside"),
    (3, "-1.518449266577E+00", r"field 'm0' .* is not a whole multiple of its resolution"),
])
def test_orbit_field_out_of_range_or_off_resolution(tmp_path, k, text, why):
    lines = _sept_record("C01")
    lines[-7] = _field(lines[-7], k, text)
    _skipped(_write(tmp_path, "f.rnx", lines), rf"line 12: C01: {why}")


def test_week_toe_and_tk_cross_checks(tmp_path):
    lines = _sept_record("C01")
    lines[-3] = _field(lines[-3], 2, " 9.140000000000E+02")      # week 914, toe in 913
    _skipped(_write(tmp_path, "w.rnx", lines), r"line 16: C01: field 'week' = 914 but toe falls "
                                               r"in week 913")
    lines = _sept_record("C01")
    lines[-5] = _field(lines[-5], 0, " 5.192000000000E+05")      # toe 10,000 s before toc
    _skipped(_write(tmp_path, "t.rnx", lines), r"line 14: C01: field 'toe' = 519200 s is -10000 s "
                                               r"from the clock epoch")
    lines = _sept_record("R07")
    lines[-4] = _field(lines[-4], 2, " 5.238000000000E+05", start=23)   # t_k 2.5 h off
    _skipped(_write(tmp_path, "tk.rnx", lines), r"line 11: R07: epoch t_b is \+9900 s from the "
                                                r"message frame time")


def test_a_damaged_date_far_from_the_other_records_is_skipped(tmp_path):
    lines = _brd4_records("C19", "D1", 4)
    lines[10] = lines[10][:4] + "2093" + lines[10][8:]         # first record: 2093
    _skipped(_write(tmp_path, "far.rnx", lines), r"line 11: C19: epoch is 25568 days from the "
                                                 r"file's other records")


def test_rinex3_record_of_a_decoded_system_with_a_damaged_letter(tmp_path):
    """R07 -> E07: a 4-line record is no Galileo record, even when Galileo is not read."""
    lines = _sept_lines()
    i = _first_record_line(lines, "R07")
    lines[i] = "E" + lines[i][1:]
    _skipped(_write(tmp_path, "e07.rnx", lines), rf"line {i + 1}: E07: record has 4 lines, a "
                                                 rf"Galileo record has 8")


def test_sto_offset_with_a_changed_exponent_is_skipped(tmp_path):
    lines = list(_brd4_text())
    i = next(k for k, l in enumerate(lines) if l.startswith("> STO C21"))
    head = _header(lines)
    rec = lines[i:i + 3]
    rec[2] = _field(rec[2], 1, "-2.502929419279e+08")
    p = _write(tmp_path, "sto.rnx", head + rec + list(_brd4_records("C19", "D1"))[len(head):])
    _skipped(p, rf"line {len(head) + 3}: STO C21 BDGA: a0 = -2\.50293e\+08 s is beyond")


def test_header_leap_seconds_and_time_corrections_are_checked(tmp_path):
    lines = _sept_lines()
    i = next(k for k, l in enumerate(lines) if "LEAP SECONDS" in l)
    lines[i] = "   999" + lines[i][6:]
    with pytest.raises(RinexError, match=rf"line {i + 1}: LEAP SECONDS value 999"):
        load_ephemerides(_write(tmp_path, "leap.rnx", lines))
    lines = _sept_lines()
    i = next(k for k, l in enumerate(lines) if "TIME SYSTEM CORR" in l)
    lines[i] = lines[i][:5] + "              nan" + lines[i][22:]
    with pytest.raises(RinexError, match=rf"line {i + 1}: unreadable TIME SYSTEM CORR a0"):
        load_ephemerides(_write(tmp_path, "tsc.rnx", lines))


def test_satellite_whose_every_record_is_skipped_is_named_gone(tmp_path):
    lines = _brd4_records("C19", "D1", 3) + _brd4_records("C20", "D1", 2)[9:]
    for k in (10, 19, 28):                                      # every C19 record: bad cuc
        lines[k + 2] = _field(lines[k + 2], 0, "       1.0e-05XXXX")
    eph = _skipped(_write(tmp_path, "gone.rnx", lines), r"C19 is gone from the file: all its 3 "
                                                        r"record\(s\) were skipped")
    assert eph.svs == ["C20"]


def test_file_cut_inside_a_record_names_the_last_complete_line(tmp_path):
    lines = _brd4_records("C19", "D1", 3)
    p = _write(tmp_path, "cut.rnx", lines[:-4])
    _skipped(p, r"line 29: C19: truncated record \(4 of 8 lines\): the file ends inside it; the "
                r"last complete line is 28")
    text = "".join(lines)[:-30]                                 # inside the last line
    p.write_text(text)
    _skipped(p, r"the file ends without a newline in line 36, a line of the C19 record at line "
                r"29: it may be truncated \(the last complete line is 35\)")


def test_file_cut_between_records_of_a_satellite_sorted_file_is_noted(tmp_path):
    """BRD4 is sorted by satellite: cut after R05's 10th record, R05's later records and
    R06's are lost; the last record is hours before the other satellites' last records."""
    lines = list(_brd4_text())
    head = _header(lines)
    body = [l for sv in ("R01", "R02", "R03", "R04") for l in _brd4_records(sv, "FDMA", 60)[len(head):]]
    body += _brd4_records("R05", "FDMA", 10)[len(head):]
    p = _write(tmp_path, "cut_between.rnx", head + body)
    _skipped(p, rf"the file may be truncated after line {len(head) + len(body)} \(the last "
                rf"complete line\): its last record, R05 at 2023-03-12 04:45")
    # a complete satellite-sorted file has no such note
    full = head + [l for sv in ("R01", "R02", "R03", "R04", "R05")
                   for l in _brd4_records(sv, "FDMA", 60)[len(head):]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_ephemerides(_write(tmp_path, "whole.rnx", full))


def test_systematically_off_resolution_field_turns_its_check_off_with_a_note(tmp_path):
    """A producer that does not write decoded broadcast values (here: M0 + 1e-7 rad in
    every record) keeps its records, with one note."""
    lines = _brd4_records("C19", "D1", 5)
    for k in range(5):
        j = 9 + 9 * k + 2
        m0 = float(lines[j][61:80])
        lines[j] = _field(lines[j], 3, f"{m0 + 1e-7:.12e}")
    eph = _skipped(_write(tmp_path, "sys.rnx", lines), r"the ICD resolution 1\.46292e-09 rad of "
                                                       r"field 'm0' fails in 5 of 5 BeiDou D1D2 "
                                                       r"records: .* check is off for this file")
    assert len(eph.records(System.BEIDOU)["sv"]) == 5


def test_shipped_nominal_almanac_is_exempt_from_the_broadcast_checks():
    from gnss_interop.resources import SHIPPED_ALMANACS

    nav = read_nav(SHIPPED_ALMANACS["nominal"])
    assert nav.problems == [] and nav.notes == []


def test_every_field_has_a_rule_with_a_source():
    from gnss_interop.systems import registered

    for entry in registered():
        for rule in entry.layouts:
            for name in rule.layout.names:
                r = rule.layout.rules[name]
                assert r.source and r.lo <= r.hi, (rule.layout.table_key, name)
    assert NUMBER_FORM.fullmatch("-0.931322574616D-09")
    assert not NUMBER_FORM.fullmatch("-7.05E-0") and not NUMBER_FORM.fullmatch("nan")
    assert FIELD_RULES["R:FDMA"]["x"].hi == 2.7e4


def test_no_numpy_warning_reaches_the_user():
    """Orbit models give NaN, not inf and an 'overflow encountered' warning, for absurd
    elements; the real files load and give positions without any RuntimeWarning."""
    model = KeplerOrbitModel(3.986004418e14, 7.2921150e-5)
    el = {k: np.array([0.1, 0.1]) for k in model.fields}
    el["sqrt_a"] = np.array([1e200, 5282.6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pos = model.positions(el, np.array([1e300, 0.0]), np.array([3.0, 3.0]))
    assert np.isnan(pos[0]).all() and np.isfinite(pos[1]).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", EphemerisRangeWarning)
        for path in (SEPT, BRDC_GLO):
            load_ephemerides(path).positions(np.array(["2023-03-14T00:20", "2023-07-08T04:20"],
                                                      dtype="datetime64[ns]"))


# ------------------------------------------------------------------ property tests
#: Replacement characters: digits (weighted as in real text), blanks, signs, exponent
#: letters, the point and junk.
_POOL = "0123456789" * 2 + "   ..--++EeDdX#ni"


def _records_of(lines, starts, size):
    return [list(lines[k:k + size]) for k in starts]


@functools.lru_cache(maxsize=None)
def _mutation_cases() -> tuple:
    """(name, header, records, lines per record, first field column) of real satellite
    files: RINEX 4 BeiDou D1 and GLONASS FDMA, RINEX 3 BeiDou, RINEX 2 GLONASS."""
    brd4 = _brd4_text()
    head4 = _header(brd4)
    c19 = _records_of(brd4, [k for k, l in enumerate(brd4) if l.startswith("> EPH C19 D1")][:6], 9)
    r01 = _records_of(brd4, [k for k, l in enumerate(brd4) if l.startswith("> EPH R01 FDMA")][:6], 6)
    sept = _sept_lines()
    c59 = _records_of(sept, [k for k, l in enumerate(sept) if l.startswith("C59")], 8)
    brdc = BRDC_GLO.read_text().splitlines(keepends=True)
    r2 = _records_of(brdc, [k for k, l in enumerate(brdc) if l.startswith(" 1 23")][:6], 4)
    return (("rinex4-C19", head4, c19, 1, 23, 4), ("rinex4-R01", head4, r01, 1, 23, 4),
            ("rinex3-C59", _header(sept), c59, 0, 23, 4), ("rinex2-R01", _header(brdc), r2, 0, 22, 3))


def _load_quietly(path):
    """(Ephemerides or None, load-time data warnings, error)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            eph = load_ephemerides(path)
        except RinexError as exc:
            return None, [], exc
    texts = [str(w.message) for w in seen if issubclass(w.category, GnssDataWarning)
             and not issubclass(w.category, EphemerisRangeWarning)]
    return eph, texts, None


def _positions_at(eph, t_ref_s: float, svs):
    t = from_gpst_seconds(t_ref_s + np.array([-600.0, 0.0, 600.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EphemerisRangeWarning)
        return eph.positions(t, svs=svs).values


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.integers(0, 3), rec=st.integers(0, 5), line=st.integers(0, 7),
       field=st.integers(0, 3), pos=st.integers(0, 18), char=st.sampled_from(_POOL))
def test_property_single_character_in_a_number_field(tmp_path_factory, case, rec, line, field,
                                                     pos, char):
    """Any one character of a real record's number fields changed: the record is skipped
    (or excluded) with a warning naming its line, or it loads with the value the file now
    says. A malformed field is never read; a field still well formed (a digit for a digit,
    a sign flipped) is read as written: that is data, indistinguishable from a broadcast
    value (the campaign in benchmarks/fuzz_rinex.py counts how often it moves a satellite).
    A value unchanged within its printed precision moves no satellite by more than 1 m."""
    name, head, records, skip, first_col, cont_col = _mutation_cases()[case]
    records = [list(r) for r in records]
    rec %= len(records)
    body = records[rec][skip:]
    line %= len(body)
    col = (first_col if line == 0 else cont_col) + 19 * field
    text = body[line].rstrip("\n")
    old_field = text.ljust(col + 19)[col:col + 19]
    new_field = old_field[:pos] + char + old_field[pos + 1:]
    assume(new_field != old_field)
    body[line] = (text.ljust(col + 19)[:col] + new_field + text.ljust(col + 19)[col + 19:]).rstrip() + "\n"
    records[rec][skip:] = body
    first = len(head) + sum(len(r) for r in records[:rec]) + skip + 1   # 1-based record line
    mutated_line = first + line
    tmp = tmp_path_factory.mktemp("mut")
    p0 = _write(tmp, "base.rnx", head + [l for r in _mutation_cases()[case][2] for l in r])
    p1 = _write(tmp, "mut.rnx", head + [l for r in records for l in r])
    eph0, said0, _ = _load_quietly(p0)
    assert eph0 is not None and said0 == []
    eph1, said, err = _load_quietly(p1)
    if err is not None or said:
        texts = [str(err)] if err is not None else said
        assert any(re.search(rf"line {n}\b", t) for t in texts for n in (first, mutated_line)), texts
        event("skipped or excluded, with a warning naming the line")
        return
    form = NUMBER_FORM_V2 if name.startswith("rinex2") else NUMBER_FORM
    old_ok = not old_field.strip() or form.fullmatch(old_field)
    new_ok = not new_field.strip() or form.fullmatch(new_field)
    assert old_ok and new_ok, f"malformed field {new_field!r} read without a warning"
    v_old, v_new = _float(old_field, form), _float(new_field, form)
    same = (math.isnan(v_old) and math.isnan(v_new)) or abs(v_new - v_old) <= 1e-12 * max(abs(v_old), 1e-300)
    nav = read_nav(p1)
    table = next(t for t in nav.tables.values() if first in t.line)
    row = table.line.index(first)
    names = table.layout.fields[line]
    fname = names[field] if field < len(names) else None
    if fname is not None and not math.isnan(v_new):
        scale = 1000.0 if fname in ("x", "y", "z", "vx", "vy", "vz", "ax", "ay", "az") else 1.0
        assert table.rows[row][table.layout.names.index(fname)] == pytest.approx(v_new * scale, rel=1e-15)
    event("same value" if same else "another well-formed value, read as written")
    if same:
        r0 = eph0.records(System.from_letter(table.sv[row][0]))
        t_ref = float(to_gpst_seconds(r0["t_ref_gpst"][np.flatnonzero(r0["line"] == first)[0]]))
        svs = sorted(set(eph0.svs) | set(eph1.svs))
        d = np.linalg.norm(_positions_at(eph0, t_ref, svs) - _positions_at(eph1, t_ref, svs), axis=-1)
        assert np.nanmax(d) <= 1.0


@functools.lru_cache(maxsize=None)
def _satellite_sorted_glonass() -> tuple[list[str], int]:
    """BRD4 header and the first 16 records (8 h) of R01-R08, sorted by satellite as in the
    merged file; and the number of records."""
    brd4 = _brd4_text()
    head = _header(brd4)
    body = [l for sv in (f"R{n:02d}" for n in range(1, 9))
            for l in _brd4_records(sv, "FDMA", 16)[len(head):]]
    return head + body, 8 * 16


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frac=st.floats(0.0, 1.0), at_line=st.booleans())
def test_property_random_truncation(tmp_path_factory, frac, at_line):
    """A satellite-sorted file cut anywhere: no exception but RinexError; records lost are
    warned about whenever that can be told from the file: a cut inside a line or a record,
    or between records of a satellite that loses more than TRUNCATION_GAP_S of records
    while at least two satellites before it are complete. (A cut exactly between two
    satellites, or in a time-sorted file, leaves a shorter valid file: nothing to tell.)"""
    lines, n_full = _satellite_sorted_glonass()
    text = "".join(lines)
    head_len = len("".join(_header(lines)))
    cut = head_len + int(frac * (len(text) - head_len))
    if at_line:
        cut = text.rfind("\n", 0, cut) + 1 or cut
    p = _write(tmp_path_factory.mktemp("cut"), "cut.rnx", text[:cut])
    eph, said, err = _load_quietly(p)
    if err is not None:
        return                                    # a named error is always acceptable
    kept = len(eph.records(System.GLONASS)["sv"])
    if kept == n_full:
        return
    kept_lines = text[:cut].split("\n")
    mid_line = not text[:cut].endswith("\n")
    n_body = len(text[:cut].splitlines()) - len(_header(lines))
    mid_record = n_body % 6 != 0
    sv_index, rec_in_sv = divmod(n_body // 6, 16)
    inside_sv = not mid_record and rec_in_sv != 0
    lost_span_s = (16 - rec_in_sv) * 1800.0
    if mid_line or mid_record or (inside_sv and sv_index >= 2
                                  and lost_span_s > TRUNCATION_GAP_S + 1800.0):
        assert said, f"{len(kept_lines)} lines kept, {n_full - kept} records lost without a warning"
        event("records lost, warned")
    else:
        event("records lost at a satellite boundary or near its end" + (": warned" if said else ""))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(byte=st.integers(0, 10**9), bit=st.integers(0, 7))
def test_property_gzip_bit_flip(tmp_path_factory, byte, bit):
    """A bit flipped anywhere in a gzip file: a named error, or the same records."""
    raw = "".join(_sept_record("C01") + _sept_lines()[_first_record_line(_sept_lines(), "R07"):][:24])
    data = bytearray(gzip.compress(raw.encode(), mtime=0))
    data[byte % len(data)] ^= 1 << bit
    p = tmp_path_factory.mktemp("gz") / "flip.rnx.gz"
    p.write_bytes(bytes(data))
    try:
        nav = read_nav(p)
    except RinexError:
        event("named error")
        return
    event("loaded")
    ref = read_nav(_write(p.parent, "ref.rnx", raw))
    assert nav.problems or {k: t.rows for k, t in nav.tables.items()} == \
        {k: t.rows for k, t in ref.tables.items()}


# ------------------------------------------------------------------------- command line
_runner = CliRunner()


def _crash_class_files(tmp_path) -> dict[str, Path]:
    """One file per former crash class, each with nothing usable left in it."""
    files = {}
    lines = _sept_lines()
    lines[0] = "      nan" + lines[0][9:]
    files["version nan"] = _write(tmp_path, "nan.rnx", lines)
    lines = _sept_record("C01")
    lines[-8] = "CAB" + lines[-8][3:]
    files["satellite CAB"] = _write(tmp_path, "cab.rnx", lines)
    lines = _sept_record("R07")
    lines[-4] = lines[-4][:4] + "1979" + lines[-4][8:]
    files["epoch 1979"] = _write(tmp_path, "r1979.rnx", lines)
    data = gzip.compress(SEPT.read_bytes(), mtime=0)
    pos = _gzip_flips_with_zlib_error(data, 1)[0]
    d = bytearray(data)
    d[pos] ^= 0x10
    files["gzip bit flip"] = tmp_path / "flip.rnx.gz"
    files["gzip bit flip"].write_bytes(bytes(d))
    lines = _sept_record("C01")
    lines[-2] = _field(lines[-2], 1, "-inf")
    files["health -inf"] = _write(tmp_path, "health.rnx", lines)
    return files


def test_cli_crash_classes_are_clean_errors(tmp_path):
    for what, path in _crash_class_files(tmp_path).items():
        res = _runner.invoke(app, ["orbits", str(path), "--start", "2023-07-08T03:00",
                                   "--end", "2023-07-08T03:10", "--out", str(tmp_path / "o.csv")])
        assert res.exit_code == 2, (what, res.output)
        assert res.output.startswith("error: ") and path.name in res.output, (what, res.output)
        assert "Traceback" not in res.output and "overflow" not in res.output, (what, res.output)
        assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)


def test_cli_skipped_records_are_warnings_not_tracebacks(tmp_path):
    lines = _sept_lines()
    i = _first_record_line(lines, "C01")
    lines[i] = "C#1" + lines[i][3:]
    lines[i + 10] = _field(lines[i + 10], 2, " 1.223105937243E-0")     # next record, cut exponent
    p = _write(tmp_path, "mixed.rnx", lines)
    res = _runner.invoke(app, ["orbits", str(p), "--start", "2023-07-08T04:20",
                               "--end", "2023-07-08T04:30", "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 0, res.output
    assert f"line {i + 1}: 'C#1' is not a satellite identifier" in res.output
    assert f"line {i + 11}: C02: field 'cus' is not a number" in res.output
    assert "Traceback" not in res.output and "RuntimeWarning" not in res.output
