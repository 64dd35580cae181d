"""Reader for RINEX 2.x GLONASS, RINEX 3.0x mixed and RINEX 4.0x navigation files.

Why our own reader rather than georinex: georinex 1.16 (the last release)
rejects RINEX 4 navigation files, turns a malformed line into a NaN row with a
log message at INFO level (no line number), and turns duplicate records into
fake satellites (``C19_1``). The record bodies of RINEX 2, 3 and 4 share one
layout (four 19-character fields per line), so one small table-driven reader
covers every version with line-numbered errors. georinex remains the
independent cross-check in the tests for versions 2 and 3.

Records of every registered system (:mod:`gnss_interop.systems`: BeiDou, GLONASS,
GPS, Galileo) are decoded with the layouts of its registry entry; records of other
systems (QZSS, NavIC, SBAS) are skipped by structure and counted.

**What is checked** (a record failing any check is skipped, and the problem names the
line, the satellite, the field and its value):

* the form of every field (:data:`~gnss_interop.reading.layout.NUMBER_FORM`: fixed-width
  D19.12 with a two-digit exponent; blank columns where the layout has none), the
  satellite identifier (letter, two digits, a PRN the system has), the calendar fields of
  the epoch (a real date from 1980-01-06 to 2099, seconds below 60), the RINEX 4 record
  header (a known message; the same satellite as the record body), the line count of
  records of systems that are not decoded (a damaged letter, R07 → E07);
* the content of every field (:data:`~gnss_interop.reading.layout.FIELD_RULES`): the
  range its ICD bit width and physics allow, whole numbers where the field counts, and
  the ICD resolution (a decoded broadcast value is a whole multiple of the scale factor);
  the epoch on the ICD grid of its reference time
  (:data:`~gnss_interop.reading.layout.EPOCH_RESOLUTION_S`);
* consistency: the week is the week of toe; in a record flagged healthy, toe lies within
  a validity window of toc, the GLONASS frame time t_k near t_b, and the epoch within
  :data:`EPOCH_SPREAD_MAX_S` of the file's other records;
* the file: a header version of the form ``d.dd``; a file that ends inside a record or
  line, or whose last record stops long before the other satellites' records (cut
  between records) gives a note naming the last complete line; a satellite whose every
  record was skipped is named as gone from the file.

The resolution, grid and consistency checks follow decoded broadcast data: a file where
most records fail one of them (a producer that writes that field its own way) keeps its
records, with one note that the check is off; gnss-interop's own nominal almanac (written
from orbital elements, not decoded bits) is exempt from the resolution, grid and t_k
checks.

Units in the returned tables are those of the file, except the fields a registry
entry names in ``km_fields`` (GLONASS state vectors), converted from km, km/s, km/s²
to m, m/s, m/s².
"""

from __future__ import annotations

import calendar
import gzip
import math
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from gnss_interop.constants import SECONDS_PER_WEEK
from gnss_interop.errors import RinexError
from gnss_interop.reading.layout import (EPOCH_RESOLUTION_S, NUMBER_FORM, NUMBER_FORM_V2,
                                         PRN_RANGE, RINEX4_MESSAGES, FieldRule, MessageLayout)
from gnss_interop.systems import System, SystemSpec, registered, spec, spec_of_letter

__all__ = ["MessageLayout", "NavRecordTable", "TimeOffsetRecord", "NavFile", "read_nav"]

#: Epochs a navigation record may carry: from the GPS epoch (the start of the
#: leap-second table and of every GNSS time scale used here) to the end of RINEX 2's
#: two-digit-year window (80-99 → 19xx, 00-79 → 20xx, RINEX 2.11).
EPOCH_YEARS = (1980, 2099)
#: A note says the file may be cut between records when its last record is this much
#: earlier than the last records of most satellites [s]. Daily merged files and receiver
#: files end their satellites within 1 h of each other (the four shared files: ≤ 1 h).
TRUNCATION_GAP_S = 3 * 3600.0
#: A check (resolution, grid, consistency) failed by more than this fraction of the
#: records it applies to (and by at least :data:`SYSTEMATIC_MIN_RECORDS`) is taken as a
#: producer's choice, not corruption: it is off for that file, with a note.
SYSTEMATIC_FRACTION = 0.5
SYSTEMATIC_MIN_RECORDS = 3
#: Line counts of the records of systems without a registry entry (RINEX 3.04: QZSS and
#: IRNSS records as GPS, 8 lines; SBAS 4 lines), to skip them by structure.
_OTHER_SYSTEM_LINES = {"J": 8, "I": 8, "S": 4}


@dataclass
class NavRecordTable:
    """Decoded records of one message layout: one row per record.

    ``values`` maps field name → float64 array (NaN where a field was blank).
    ``sv`` holds identifiers like ``"C19"``; ``epoch`` the epoch-line calendar
    time as seconds since 1980-01-06 *in the system's own time scale* (BDT for
    BeiDou, UTC for GLONASS: see RINEX 3.04 §8.1); ``message`` the message name;
    ``line`` the 1-based line of each record's first line.
    """

    layout: MessageLayout
    sv: list[str] = field(default_factory=list)
    message: list[str] = field(default_factory=list)
    epoch: list[float] = field(default_factory=list)
    line: list[int] = field(default_factory=list)
    rows: list[list[float]] = field(default_factory=list)
    #: Half a unit of the last printed digit of each value (its precision in the file).
    half_ulp: list[list[float]] = field(default_factory=list, repr=False)

    def arrays(self) -> dict[str, np.ndarray]:
        names = self.layout.names
        data = np.array(self.rows, dtype=np.float64).reshape(len(self.rows), len(names))
        out = {name: data[:, i] for i, name in enumerate(names)}
        out["sv"] = np.array(self.sv, dtype="<U3")
        out["message"] = np.array(self.message, dtype="<U4")
        out["epoch"] = np.array(self.epoch, dtype=np.float64)
        out["line"] = np.array(self.line, dtype=np.int64)
        return out

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` is True."""
        idx = np.flatnonzero(mask).tolist()
        for name in ("sv", "message", "epoch", "line", "rows", "half_ulp"):
            items = getattr(self, name)
            setattr(self, name, [items[i] for i in idx])


@dataclass(frozen=True)
class TimeOffsetRecord:
    """A broadcast inter-system time offset, ``T_a - T_b = a0 + a1·dt + a2·dt²``.

    ``name`` is the RINEX identifier (``"BDGL"`` = BDT − GLONASST, ``"GLGP"``,
    ``"BDUT"``, ...; RINEX 4.00 §5.4 / RINEX 3.04 Table A5: the correction is
    "source time minus target time"). ``t_ref`` is the reference epoch as
    seconds since 1980-01-06 in the *source* scale (first two letters),
    ``a0`` [s], ``a1`` [s/s], ``a2`` [s/s²]. Only the fractional part: the
    integer 14 s, leap seconds and 3 h are applied separately.
    """

    name: str
    t_ref: float
    a0: float
    a1: float
    a2: float
    source: str
    line: int
    utc_label: str = ""
    #: RINEX letter of the system whose time scale ``t_ref`` is counted in.
    scale_letter: str = "G"


@dataclass
class NavFile:
    """Everything read from one navigation file.

    ``problems`` lists the records skipped, each ``"line N: ..."`` naming the line,
    satellite and field; ``notes`` the remarks on the file as a whole (truncation, a
    satellite gone from the file, a check left off), each naming what it is about.
    """

    path: Path
    version: float
    leap_seconds: int | None
    tables: dict[str, NavRecordTable]
    time_offsets: list[TimeOffsetRecord]
    n_skipped_other_systems: int
    problems: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def n_records(self) -> int:
        return sum(len(t.sv) for t in self.tables.values())


# --------------------------------------------------------------------------- I/O

def _open_text(path: Path) -> tuple[list[str], bool]:
    """(lines, ends with a newline) of a plain, gzip (.gz) or Unix-compress (.Z) file."""
    raw = RinexError.read_bytes(path)
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        elif raw[:2] == b"\x1f\x9d":
            import ncompress

            raw = ncompress.decompress(raw)
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        # gzip.BadGzipFile is an OSError; zlib.error is raised for a damaged deflate stream
        raise RinexError(f"corrupt compressed file ({exc})", path) from None
    except Exception as exc:  # noqa: BLE001 - ncompress is a C extension: any failure of it
        raise RinexError(f"corrupt compressed file ({type(exc).__name__}: {exc})", path) from None
    if b"\x00" in raw[:4096]:
        raise RinexError("not a text file (binary content)", path, 1)
    return raw.decode("ascii", errors="replace").splitlines(), raw.endswith((b"\n", b"\r"))


class _BadField(ValueError):
    """A field that does not have the RINEX form; the message says why."""


class _BadLine(ValueError):
    """A record line that cannot be decoded: ``line`` (1-based) and what is wrong."""

    def __init__(self, line: int, text: str) -> None:
        super().__init__(text)
        self.line = line
        self.text = text


def _number(text: str, form: re.Pattern = NUMBER_FORM) -> tuple[float, float]:
    """(value, half a unit of its last printed digit) of one RINEX floating-point field.

    Blank → (NaN, 0). Raises :class:`_BadField` unless the text is the D19.12 ``form``
    (:data:`~gnss_interop.reading.layout.NUMBER_FORM`, or ``NUMBER_FORM_V2`` for RINEX 2:
    signed two-digit exponent, nothing after it). Python's ``float`` is not used on its
    own: it reads ``nan``, ``inf``, ``1_0`` and ``1E5``, none of which a RINEX writer
    produces.
    """
    m = form.fullmatch(text)
    if m is None:
        if not text.strip():
            return math.nan, 0.0
        raise _BadField(f"{text.strip()!r} is not a RINEX number (D19.12: sign, mantissa, "
                        f"D/E and a signed two-digit exponent)")
    # the form is checked: float() reads it once the Fortran D is an E
    return (float(text.replace("D", "E").replace("d", "e")),
            _HALF_ULP.get(int(m.group(4)) - len(m.group(3)), 0.0))


#: 0.5·10^p for the exponents a field can print (two-digit exponent, up to 30 decimals).
_HALF_ULP = {p: 0.5 * 10.0 ** p for p in range(-130, 100)}


def _float(text: str, form: re.Pattern = NUMBER_FORM) -> float:
    """A RINEX floating-point field: Fortran D or E exponent; blank → NaN.

    Blank is *not* zero: a blank field is missing data (see pitfall 1 in
    docs/style-anchors.md §7). Raises ``ValueError`` for anything but the RINEX ``form``.
    """
    return _number(text, form)[0]


def _split_fields(line: str, start: int, n: int) -> list[str]:
    return [line[start + 19 * k: start + 19 * (k + 1)] for k in range(n)]


class _Problems:
    """Problems (a record skipped, naming its line) and notes (on the file as a whole)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._items: list[tuple[int, str]] = []
        self.notes: list[str] = []

    def add(self, line: int, message: str) -> None:
        self._items.append((line, f"line {line}: {message}"))

    def note(self, message: str) -> None:
        self.notes.append(message)

    @property
    def items(self) -> list[str]:
        return [text for _, text in sorted(self._items, key=lambda x: x[0])]


# ------------------------------------------------------------------------- header

_VERSION = re.compile(r" *(\d)\.(\d{1,2}) *")
_INTEGER = re.compile(r" *[-+]?\d+")


def _header_int(text: str, what: str, path: Path, line: int) -> int:
    if not _INTEGER.fullmatch(text):
        raise RinexError(f"unreadable {what} {text.strip()!r} (an integer is expected)", path, line)
    return int(text)


def _header_number(text: str, what: str, path: Path, line: int,
                   form: re.Pattern = NUMBER_FORM) -> float:
    try:
        return _float(text, form)
    except ValueError:
        raise RinexError(f"unreadable {what}: {text.strip()!r} is not a RINEX number", path,
                         line) from None


def _parse_header(lines: list[str], path: Path
                  ) -> tuple[float, str, int | None, list[TimeOffsetRecord], int, bool]:
    """(version, system letter, leap seconds, header offsets, first body line index,
    written by gnss-interop's nominal almanac writer)."""
    if not lines or not any(l.strip() for l in lines):
        raise RinexError("empty file", path)
    first = lines[0]
    if "RINEX VERSION / TYPE" not in first[60:]:
        raise RinexError("not a RINEX file: first line lacks 'RINEX VERSION / TYPE'", path, 1)
    if not _VERSION.fullmatch(first[:9]):
        raise RinexError(f"unreadable RINEX version {first[:9].strip()!r} (columns 1-9 hold "
                         f"a version such as 3.04)", path, 1)
    version = float(first[:9])
    file_type = first[20:21]
    if file_type not in ("N", "G"):
        raise RinexError(f"not a navigation file (file type {file_type!r} in columns 21)", path, 1)
    sys_letter = first[40:41] if version >= 3 else ("R" if file_type == "G" else "G")
    if int(version) not in (2, 3, 4):
        raise RinexError(f"unsupported RINEX version {version:.2f} (2.x, 3.0x and 4.0x are read)", path, 1)
    leap = None
    nominal = False
    offsets: list[TimeOffsetRecord] = []
    for i, line in enumerate(lines):
        label = line[60:80].strip()
        if label == "END OF HEADER":
            return version, sys_letter, leap, offsets, i + 1, nominal
        if label == "PGM / RUN BY / DATE":
            nominal = line[:20].strip() == "gnss-interop" and line[20:40].strip() == "nominal"
        elif label == "LEAP SECONDS":
            leap = _header_int(line[:6], "LEAP SECONDS value", path, i + 1)
            # RINEX 3.02+: columns 25-27 name the time system the count refers to; "BDS"
            # means BDT - UTC, i.e. 14 s fewer than GPST - UTC (which is what we keep)
            if line[24:27].strip() == "BDS":
                leap += 14
            # GPST - UTC was 0 s in 1980 and is 18 s since 2017 (IERS Bulletin C)
            if not 0 <= leap <= 99:
                raise RinexError(f"LEAP SECONDS value {leap} is not a GPST - UTC difference "
                                 f"(0 to 99 s; 18 s since 2017)", path, i + 1)
        elif label == "TIME SYSTEM CORR":
            # RINEX 3.04 Table A5: A4,1X,D17.10,D16.9,1X,I6,1X,I4
            name = line[:4]
            a0 = _header_number(line[5:22], "TIME SYSTEM CORR a0", path, i + 1)
            a1 = _header_number(line[22:38], "TIME SYSTEM CORR a1", path, i + 1)
            t_ref_sow = _header_int(line[38:45], "TIME SYSTEM CORR reference time", path, i + 1)
            week = _header_int(line[45:50], "TIME SYSTEM CORR week", path, i + 1)
            if not re.fullmatch(r"[A-Z]{4}", name):
                raise RinexError(f"unreadable TIME SYSTEM CORR identifier {name!r}", path, i + 1)
            if not (abs(a0) <= _STO_LIMITS["a0"][0] and abs(a1) <= _STO_LIMITS["a1"][0]
                    and 0 <= t_ref_sow < SECONDS_PER_WEEK and 0 <= week <= 9999):
                raise RinexError(f"TIME SYSTEM CORR {name}: a0 = {a0:g} s, a1 = {a1:g} s/s, "
                                 f"t_ref = {t_ref_sow} s, week {week} out of range", path, i + 1)
            # the week is the source system's own (a BDT week for BD..), a GPS week for a
            # system without weeks (GL..) or one the registry does not know (QZ.., IR..);
            # t_ref is counted in that scale from its 1980-01-06 calendar date
            source = next((s for s in registered() if s.sto_code == name[:2]), None)
            if source is None or source.week_origin_gps_weeks is None:
                week0, scale_letter = 0, "G"
            else:
                week0, scale_letter = source.week_origin_gps_weeks, source.letter
            t_ref = (week + week0) * SECONDS_PER_WEEK + t_ref_sow
            offsets.append(TimeOffsetRecord(name, t_ref, a0, a1, 0.0, str(path), i + 1,
                                            scale_letter=scale_letter))
        elif label == "CORR TO SYSTEM TIME" and version < 3:
            # RINEX 2 GLONASS header (this label exists only there): -TauC (GLONASST → UTC(SU));
            # stored as GLUT
            a0 = _header_number(line[21:40], "CORR TO SYSTEM TIME", path, i + 1,
                                NUMBER_FORM_V2)
            if not abs(a0) <= _STO_LIMITS["a0"][0]:
                raise RinexError(f"CORR TO SYSTEM TIME {a0:g} s out of range", path, i + 1)
            offsets.append(TimeOffsetRecord("GLUT", math.nan, a0, 0.0, 0.0, str(path), i + 1,
                                            scale_letter="R"))
    raise RinexError("no END OF HEADER line: truncated or not a RINEX file", path, len(lines))


# -------------------------------------------------------------------------- epochs

#: RINEX 3/4 first record line, columns 1-23: ``A1,I2.2,1X,I4,5(1X,I2.2)``
#: (``C01 2023 07 08 06 00 00``). A blank may stand for a leading zero, never a trailing one.
_EPOCH_V3 = re.compile(r"([A-Z])([ 0-9][0-9]) ([0-9]{4}) ([ 0-9][0-9]) ([ 0-9][0-9]) "
                       r"([ 0-9][0-9]) ([ 0-9][0-9]) ([ 0-9][0-9])")
#: RINEX 2 first record line, columns 1-22: ``I2,5(1X,I2),F5.1`` (`` 1 23  3 14  0 15  0.0``).
_EPOCH_V2 = re.compile(r"([ 0-9][0-9]) ([ 0-9][0-9]) ([ 0-9][0-9]) ([ 0-9][0-9]) "
                       r"([ 0-9][0-9]) ([ 0-9][0-9])( {0,2}[0-9]{1,2}\.[0-9])")
#: RINEX 4 STO record, epoch line columns 5-23 (``    2023 03 12 00 20 00 BDGA``).
_EPOCH_STO = re.compile(r"    ([0-9]{4}) ([ 0-9][0-9]) ([ 0-9][0-9]) ([ 0-9][0-9]) "
                        r"([ 0-9][0-9]) ([ 0-9][0-9])")
#: Day number (proleptic Gregorian ordinal) of the GPS epoch, 1980-01-06.
_GPS_EPOCH_ORDINAL = date(1980, 1, 6).toordinal()
#: A RINEX 4 record header: ``> EPH C01 D2``.
_RECORD_HEAD = re.compile(r"> (EPH|STO|EOP|ION) +(\S+)(?: +(\S+))?(?: +\S.*)?")


def _calendar_seconds(y: int, mo: int, d: int, h: int, mi: int, s: float) -> float:
    """Seconds since 1980-01-06 of a checked calendar epoch; raises :class:`_BadField`."""
    if not EPOCH_YEARS[0] <= y <= EPOCH_YEARS[1]:
        raise _BadField(f"epoch year {y} outside {EPOCH_YEARS[0]}-{EPOCH_YEARS[1]}")
    if not 1 <= mo <= 12:
        raise _BadField(f"epoch month {mo} is not 1-12")
    days = calendar.monthrange(y, mo)[1]
    if not 1 <= d <= days:
        raise _BadField(f"epoch day {d} is not 1-{days} ({y}-{mo:02d})")
    if not (0 <= h <= 23 and 0 <= mi <= 59 and 0.0 <= s < 60.0):
        raise _BadField(f"epoch time {h:02d}:{mi:02d}:{s:04.1f} is not a time of day")
    t = (date(y, mo, d).toordinal() - _GPS_EPOCH_ORDINAL) * 86400.0 + h * 3600.0 + mi * 60.0 + s
    if t < 0.0:
        raise _BadField(f"epoch {y}-{mo:02d}-{d:02d} is before the GPS epoch 1980-01-06")
    return t


def _epoch_v3(line: str) -> tuple[str, float]:
    """(satellite id, epoch) of a RINEX 3/4 first record line; raises :class:`_BadField`."""
    m = _EPOCH_V3.fullmatch(line[:23])
    if m is None:
        raise _BadField(f"unreadable epoch line {line[:23]!r} (A1,I2.2,1X,I4,5(1X,I2.2))")
    letter, prn, *cal = m.groups()
    return letter + prn.replace(" ", "0"), _calendar_seconds(*(int(c) for c in cal))


def _epoch_v2(line: str) -> tuple[str, float]:
    """(PRN as two digits, epoch) of a RINEX 2 first record line."""
    m = _EPOCH_V2.fullmatch(line[:22])
    if m is None:
        raise _BadField(f"unreadable epoch line {line[:22]!r} (I2,5(1X,I2),F5.1)")
    prn, yy, mo, d, h, mi, s = m.groups()
    y = 2000 + int(yy) if int(yy) < 80 else 1900 + int(yy)
    return prn.replace(" ", "0"), _calendar_seconds(y, int(mo), int(d), int(h), int(mi), float(s))


def _sv_problem(sv: str) -> str | None:
    """Why ``sv`` is not a satellite identifier, or None."""
    if not re.fullmatch(r"[A-Z][0-9]{2}", sv):
        return (f"{sv!r} is not a satellite identifier (a system letter and a number "
                f"01-99); record skipped")
    if sv[0] not in PRN_RANGE:
        return f"{sv!r} is not a satellite identifier (no system {sv[0]!r}); record skipped"
    lo, hi = PRN_RANGE[sv[0]]
    if not lo <= int(sv[1:]) <= hi:
        return (f"{sv!r} is not a satellite identifier (a system letter and a number "
                f"{lo:02d}-{hi:02d} for {sv[0]}); record skipped")
    return None


# ------------------------------------------------------------------------ records

#: One field of :data:`~gnss_interop.reading.layout.NUMBER_FORM` or blanks, and a whole
#: line of n such fields joined by "|" (one regex call per line: the reader's hot loop).
_FIELD = r" *(?:[-+]?\d\.(\d+)[DdEe]([-+]\d\d))?"
_FIELD_V2 = r" *(?:[-+]?\d?\.(\d+)[DdEe]([-+]\d\d))?"
#: (field form, line forms by number of fields) of RINEX 3/4 and of RINEX 2.
_FORMS = {
    3: (NUMBER_FORM, {n: re.compile("\\|".join([_FIELD] * n)) for n in range(1, 5)}),
    2: (NUMBER_FORM_V2, {n: re.compile("\\|".join([_FIELD_V2] * n)) for n in range(1, 5)}),
}


def _diagnose(what: str, raw: str, lineno: int, form: re.Pattern) -> _BadLine:
    """The error of a field that failed the line form (the slow path)."""
    if raw.strip() and len(raw) < 19:
        return _BadLine(lineno, f"{what} is cut short: {raw.strip()!r}")
    try:
        _number(raw, form)
    except _BadField as exc:
        return _BadLine(lineno, f"{what} is not a number: {exc}")
    return _BadLine(lineno, f"{what} is not a number: {raw!r}")  # pragma: no cover


def _decode_body(layout: MessageLayout, body: list[str], first_col: int, cont_col: int,
                 start_line: int, version: float) -> tuple[list[float], list[float]]:
    """(values, half-ulps) of one record; raises :class:`_BadLine`."""
    form, line_forms = _FORMS[2 if version < 3 else 3]
    values: list[float] = []
    halves: list[float] = []
    optional = layout.optional
    for k, names in enumerate(layout.fields):
        text = body[k] if k < len(body) else ""
        col = first_col if k == 0 else cont_col
        n = len(names)
        end = col + 19 * n
        if k > 0 and text[:col].strip():
            raise _BadLine(start_line + k, f"columns 1-{col} are not blank: {text[:col]!r}")
        if text[end:].strip():
            raise _BadLine(start_line + k, f"text after the last field (column {end + 1} on): "
                                           f"{text[end:].strip()!r}")
        raws = [text[col + 19 * j: col + 19 * j + 19] for j in range(n)]
        m = line_forms[n].fullmatch("|".join(raws))
        if m is None or (len(text) < end and any(r.strip() and len(r) < 19 for r in raws)):
            for j, (name, raw) in enumerate(zip(names, raws)):
                if raw.strip() and (len(raw) < 19 or form.fullmatch(raw) is None):
                    what = f"field '{name}'" if name is not None else f"spare field {j + 1}"
                    raise _diagnose(what, raw, start_line + k, form)
        groups = m.groups()
        for j, name in enumerate(names):
            if name is None:
                continue
            decimals, exponent = groups[2 * j], groups[2 * j + 1]
            if decimals is None:
                if name not in optional:
                    raise _BadLine(start_line + k, f"required field '{name}' is blank")
                values.append(math.nan)
                halves.append(0.0)
                continue
            values.append(float(raws[j].replace("D", "E").replace("d", "e")))
            halves.append(_HALF_ULP[int(exponent) - len(decimals)])
    return values, halves


def _system_names(entries) -> str:
    names = [s.display_name for s in entries]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


@dataclass
class _Reading:
    """State of one read: the tables, what was seen, and every record's epoch."""

    path: Path
    version: float
    problems: _Problems
    entry_of: Callable[[str], SystemSpec | None]
    tables: dict[str, NavRecordTable] = field(default_factory=dict)
    #: Satellites of decoded systems with a record whose identifier was well formed.
    seen: dict[str, int] = field(default_factory=dict)
    #: (satellite, epoch, first line) of every decoded ephemeris record with a readable
    #: epoch line, in file order, and of the file's last record (the truncation check).
    epochs: list[tuple[str, float, int]] = field(default_factory=list)
    #: The last record read when it was of a system not decoded: (epoch parser, first
    #: line, satellite, line number), its epoch parsed only at the end.
    last_skipped: tuple | None = None
    #: System letters of every record with a well-formed identifier.
    letters: set[str] = field(default_factory=set)
    n_other: int = 0

    def add(self, layout: MessageLayout, sv: str, message: str, epoch: float, lineno: int,
            values: list[float], halves: list[float]) -> None:
        table = self.tables.setdefault(layout.table_key, NavRecordTable(layout))
        table.sv.append(sv)
        table.message.append(message)
        table.epoch.append(epoch)
        table.line.append(lineno)
        table.rows.append(values)
        table.half_ulp.append(halves)


def read_nav(path: str | Path, systems: Iterable[System] | None = None) -> NavFile:
    """Read the content of one navigation file for every registered system (or ``systems``).

    Parameters
    ----------
    path
        RINEX 2.x GLONASS (``*.yyg``) or GPS (``*.yyn``), RINEX 3.0x or 4.0x
        navigation file, plain, ``.gz`` or ``.Z``.
    systems
        Decode only the records of these systems (default: every registered one); the
        others are skipped by structure and counted like unregistered systems. Time
        offsets are always read.

    Returns
    -------
    NavFile
        Records per message layout (tables keyed ``"C:D1D2"``, ``"R:FDMA"``,
        ``"G:LNAV"``, ``"E:INAV_FNAV"``, ...), broadcast time offsets, the records
        skipped (``problems``, each naming a line, satellite and field) and notes on the
        file (``notes``). The caller turns them into one warning.

    Raises
    ------
    RinexError
        Empty file, not RINEX, unknown or unreadable version, a damaged header line,
        corrupt compression, no END OF HEADER, or a file with no usable record of a
        registered system; the message names the file and line.
    """
    path = Path(path)
    selected = registered() if systems is None else tuple(spec(s) for s in systems)
    entry_of = {s.letter: s for s in selected}.get

    lines, final_newline = _open_text(path)
    version, sys_letter, leap, offsets, body_start, nominal = _parse_header(lines, path)
    problems = _Problems(path)
    reading = _Reading(path, version, problems, entry_of)

    if version >= 4:
        _read_v4(lines, body_start, reading, offsets)
    elif version >= 3:
        _read_v3(lines, body_start, reading)
        if sys_letter not in ("M", " ", ""):
            others = sorted(reading.letters - {sys_letter})
            if others:
                problems.note(f"the header (line 1, column 41) declares a {sys_letter!r}-only "
                              f"file but it holds records of {', '.join(others)}")
    else:
        entry = spec_of_letter(sys_letter)
        if entry is None or entry.rinex3_layout(version) is None:
            raise RinexError(f"RINEX 2 navigation file of system {sys_letter!r}: none of "
                             f"{_system_names(registered())}", path, 1)
        if entry_of(entry.letter) is not None:
            _read_v2(lines, body_start, reading, entry)

    if reading.last_skipped is not None:
        _parse_epoch(*reading.last_skipped, reading)
    decoded_epochs = [t for table in reading.tables.values() for t in table.epoch]
    median_epoch = float(np.median(decoded_epochs)) if decoded_epochs else 0.0
    for table in reading.tables.values():
        _check_table(table, spec_of_letter(table.layout.system.letter), problems,
                     decoded=not nominal, median_epoch=median_epoch)
    _note_truncation(lines, body_start, final_newline, reading)
    kept = {sv for t in reading.tables.values() for sv in t.sv}
    for sv, n in reading.seen.items():
        if sv not in kept:
            problems.note(f"{sv} is gone from the file: all its {n} record(s) were skipped")

    for table in reading.tables.values():  # fields given in km, km/s, km/s² → m, m/s, m/s²
        km = spec_of_letter(table.layout.system.letter).km_fields
        if km:
            names = table.layout.names
            idx = [names.index(n) for n in km]
            for row in table.rows:
                for i in idx:
                    row[i] *= 1000.0
    tables = {k: t for k, t in reading.tables.items() if t.sv}

    nav = NavFile(path, version, leap, tables, offsets, reading.n_other, problems.items,
                  problems.notes)
    if nav.n_records == 0:
        items = problems.items
        detail = f" ({len(items)} unreadable record(s): {items[0]})" if items else ""
        raise RinexError(f"no {_system_names(selected)} ephemeris records{detail}", path)
    return nav


def _last_text_line(lines: list[str]) -> int:
    """Index of the last line that is not blank (-1 for none)."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            return i
    return -1


def _record_spans(lines: list[str], start: int, is_start) -> list[tuple[int, int]]:
    """(first, end) line indices of records, a record being a start line plus continuations."""
    spans = []
    i, n = start, len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        j = i + 1
        while j < n and lines[j].strip() and not is_start(lines[j]):
            j += 1
        spans.append((i, j))
        i = j
    return spans


def _skip_by_structure(body: list[str], lineno: int, letter: str, message: str, sv: str,
                       reading: _Reading) -> None:
    """Count a record of a system that is not decoded; note one whose line count is not
    its system's (a record of a decoded system whose letter was damaged, e.g. R07 → E07)."""
    reading.n_other += 1
    entry = spec_of_letter(letter)
    if entry is not None:
        layout = entry.layout(message, reading.version)
        expected = None if layout is None else layout.n_lines
    else:
        expected = _OTHER_SYSTEM_LINES.get(letter) if reading.version < 4 else None
    if expected is not None and len(body) != expected:
        name = entry.display_name if entry is not None else f"{letter!r}"
        reading.problems.add(lineno, f"{sv}: record has {len(body)} lines, a {name} record has "
                                     f"{expected}; record skipped")


def _read_v3(lines: list[str], body_start: int, reading: _Reading) -> None:
    def is_start(line: str) -> bool:
        return line[:1].isalpha()

    problems = reading.problems
    end = _last_text_line(lines)
    for i, j in _record_spans(lines, body_start, is_start):
        first = lines[i]
        if not first[:1].isalpha():
            problems.add(i + 1, f"unexpected line outside a record: {first[:40]!r}")
            continue
        sv = first[:3]
        sv = sv[0] + sv[1:].replace(" ", "0", 1) if sv[1:2] == " " else sv
        why = _sv_problem(sv)
        if why is not None:
            problems.add(i + 1, why)
            continue
        letter = sv[0]
        reading.letters.add(letter)
        entry = reading.entry_of(letter)
        layout = None if entry is None else entry.rinex3_layout(reading.version)
        if layout is None:
            _skip_by_structure(lines[i:j], i + 1, letter, "RINEX3", sv, reading)
            reading.last_skipped = (_epoch_v3, first, sv, i + 1)
            continue
        reading.last_skipped = None
        parsed = _parse_epoch(_epoch_v3, first, sv, i + 1, reading)
        reading.seen[sv] = reading.seen.get(sv, 0) + 1
        decoded = _decode_record(lines[i:j], i + 1, layout, sv, parsed, 23, 4, reading,
                                 final=j > end)
        if decoded is not None:
            epoch, values, halves = decoded
            message = entry.rinex3_message(dict(zip(layout.names, values)))
            reading.add(layout, sv, message, epoch, i + 1, values, halves)


def _read_v2(lines: list[str], body_start: int, reading: _Reading, entry: SystemSpec) -> None:
    layout = entry.rinex3_layout(reading.version)

    def is_start(line: str) -> bool:
        return bool(line[:3].strip())

    problems = reading.problems
    end = _last_text_line(lines)
    for i, j in _record_spans(lines, body_start, is_start):
        first = lines[i]
        if not re.fullmatch(r"[ 0-9][0-9]", first[:2]):
            problems.add(i + 1, f"unreadable satellite number {first[:2]!r}; record skipped")
            continue
        sv = f"{entry.letter}{first[:2].replace(' ', '0')}"
        why = _sv_problem(sv)
        if why is not None:
            problems.add(i + 1, why)
            continue
        parsed = _parse_epoch(_epoch_v2, first, sv, i + 1, reading)
        reading.seen[sv] = reading.seen.get(sv, 0) + 1
        decoded = _decode_record(lines[i:j], i + 1, layout, sv, parsed, 22, 3, reading,
                                 final=j > end)
        if decoded is not None:
            epoch, values, halves = decoded
            reading.add(layout, sv, entry.rinex3_message(dict(zip(layout.names, values))),
                        epoch, i + 1, values, halves)


def _parse_epoch(epoch_fn, line: str, sv: str, lineno: int, reading: _Reading
                 ) -> tuple[str, float] | _BadField:
    """(satellite, epoch) of a first record line, kept for the truncation check, or the
    error."""
    try:
        parsed = epoch_fn(line)
    except _BadField as exc:
        return exc
    reading.epochs.append((sv, parsed[1], lineno))
    return parsed


def _decode_record(body, lineno, layout, sv, parsed: tuple[str, float] | _BadField,
                   first_col, cont_col, reading: _Reading, *, final: bool = False
                   ) -> tuple[float, list[float], list[float]] | None:
    """(epoch, values, half-ulps) of one record, or ``None`` after noting the problem.

    ``parsed``: the satellite and epoch of its first line (:func:`_parse_epoch`);
    ``final``: the record is the last of the file (a short record there is a cut file).
    """
    problems = reading.problems
    if len(body) < layout.n_lines:
        if final:
            problems.add(lineno, f"{sv}: truncated record ({len(body)} of {layout.n_lines} "
                                 f"lines): the file ends inside it; the last complete line is "
                                 f"{lineno - 1}")
        else:
            problems.add(lineno, f"{sv}: truncated record ({len(body)} of {layout.n_lines} lines)")
        return None
    if len(body) > layout.n_lines:
        problems.add(lineno, f"{sv}: record has {len(body)} lines, expected {layout.n_lines}")
        return None
    if isinstance(parsed, _BadField):
        problems.add(lineno, f"{sv}: {parsed}; record skipped")
        return None
    line_sv, epoch = parsed
    if line_sv != sv and line_sv != sv[1:]:
        problems.add(lineno, f"{sv}: the record line names satellite {line_sv}; record skipped")
        return None
    try:
        values, halves = _decode_body(layout, body, first_col, cont_col, lineno,
                                      reading.version)
    except _BadLine as exc:
        problems.add(exc.line, f"{sv}: {exc.text}; record skipped")
        return None
    return epoch, values, halves


def _read_v4(lines: list[str], body_start: int, reading: _Reading,
             offsets: list[TimeOffsetRecord]) -> None:
    layouts: dict[tuple[str, str], MessageLayout | None] = {}
    problems = reading.problems

    def is_start(line: str) -> bool:
        return line.startswith(">")

    end = _last_text_line(lines)
    for i, j in _record_spans(lines, body_start, is_start):
        head = lines[i]
        if not head.startswith(">"):
            problems.add(i + 1, f"expected a '>' record header, found {head[:40]!r}")
            continue
        m = _RECORD_HEAD.fullmatch(head.rstrip())
        if m is None:
            problems.add(i + 1, f"unreadable record header {head.strip()!r}; record skipped")
            continue
        kind, sv, message = m.group(1), m.group(2), m.group(3) or ""
        if kind == "STO":
            _read_sto(lines[i + 1:j], i + 2, reading.path, sv, message, problems, offsets)
            continue
        if kind != "EPH":
            continue  # ION, EOP: not used
        why = _sv_problem(sv)
        if why is not None:
            problems.add(i + 1, why)
            continue
        letter = sv[0]
        if message not in RINEX4_MESSAGES[letter]:
            known = ", ".join(sorted(RINEX4_MESSAGES[letter]))
            problems.add(i + 1, f"{sv}: unknown message {message!r} in the record header "
                                f"(RINEX 4 {letter} messages: {known}); record skipped")
            continue
        body = lines[i + 1:j]
        line_sv = body[0][:3] if body else ""
        if body and line_sv != sv:
            problems.add(i + 2, f"{sv}: the '> EPH' line {i + 1} names {sv} but the record "
                                f"names {line_sv!r}; record skipped")
            continue
        key = (letter, message)
        if key not in layouts:
            entry = reading.entry_of(letter)
            layouts[key] = None if entry is None else entry.layout(message, reading.version)
        layout = layouts[key]
        if layout is None:
            _skip_by_structure(body, i + 2, letter, message, sv, reading)
            reading.last_skipped = (_epoch_v3, body[0], sv, i + 2) if body else None
            continue
        reading.last_skipped = None
        parsed = _parse_epoch(_epoch_v3, body[0], sv, i + 2, reading) if body else _BadField(
            "no record lines")
        reading.seen[sv] = reading.seen.get(sv, 0) + 1
        decoded = _decode_record(body, i + 2, layout, sv, parsed, 23, 4, reading,
                                 final=j > end)
        if decoded is not None:
            reading.add(layout, sv, message, *decoded[:1], i + 2, *decoded[1:])


#: Bounds of the broadcast time-offset terms (fractional parts only: the integer seconds,
#: leap seconds and 3 h are not in them; RINEX 4.00 §5.4): |A0| up to 2^21·2^-30 s (the
#: widest field, GLONASS τ_GPS, GLONASS ICD ed. 5.1 Table 4.9), |A1| below 1e-8 s/s and
#: |A2| below 1e-15 s/s² (the ICDs' UTC and inter-system parameters are far smaller).
_STO_LIMITS = {"a0": (2.0**21 * 2.0**-30, "s"), "a1": (1e-8, "s/s"), "a2": (1e-15, "s/s2")}


def _read_sto(body, lineno, path, sv, message, problems, offsets) -> None:
    if len(body) != 2:
        problems.add(lineno, f"STO {sv}: record has {len(body)} data lines, expected 2")
        return
    l1 = body[0]
    m = _EPOCH_STO.fullmatch(l1[:23])
    name = l1[24:28].strip()
    label = l1[28:].strip()
    try:
        if m is None:
            raise _BadField(f"unreadable epoch {l1[:23].strip()!r}")
        epoch = _calendar_seconds(*(int(x) for x in m.groups()))
        if body[1][:4].strip() or body[1][80:].strip():
            raise _BadField("columns 1-4 or after column 80 are not blank")
        t_tm, a0, a1, a2 = (_float(x) for x in _split_fields(body[1], 4, 4))
    except ValueError as exc:
        problems.add(lineno, f"STO {sv}: unreadable time-offset record ({exc}); record skipped")
        return
    if not re.fullmatch(r"[A-Z]{4}", name) or math.isnan(a0):
        problems.add(lineno, f"STO {sv}: missing identifier or A0")
        return
    for what, v in (("a0", a0), ("a1", a1), ("a2", a2)):
        limit, unit = _STO_LIMITS[what]
        if abs(v) > limit:
            problems.add(lineno + 1, f"STO {sv} {name}: {what} = {v:g} {unit} is beyond ±{limit:g} "
                                     f"{unit}; record skipped")
            return
    if not (math.isnan(t_tm) or 0.0 <= t_tm < 2 * SECONDS_PER_WEEK):
        problems.add(lineno + 1, f"STO {sv} {name}: t_tm = {t_tm:g} s is not a time of week; "
                                 f"record skipped")
        return
    # The epoch line gives the reference time of the polynomial (RINEX 4.00 Table A28).
    offsets.append(TimeOffsetRecord(name, epoch, a0, 0.0 if math.isnan(a1) else a1,
                                    0.0 if math.isnan(a2) else a2, str(path), lineno, label,
                                    scale_letter=sv[:1]))


# ------------------------------------------------------------------ field content

def off_resolution(values: np.ndarray, half_ulp: np.ndarray, resolution: float) -> np.ndarray:
    """True where a value is not a whole multiple of ``resolution`` within its printed
    precision (``half_ulp``: half a unit of its last printed digit).

    The tolerance in counts of the resolution is the print rounding, 1.5 × ``half_ulp``,
    plus 1e-12 of the count (a writer's π or float arithmetic; 4e-3 counts for a 32-bit
    field). Where that tolerance exceeds 0.2 counts the check cannot tell and passes.
    Zero is a multiple of everything; a value that is not zero is at least one count (an
    exponent changed from E-09 to E-49 is caught). NaN (a blank field) passes.
    """
    k = values / resolution
    tol = 1.5 * half_ulp / resolution + 1e-12 * np.abs(k)
    err = np.abs(k - np.round(k))
    below_one = (values != 0.0) & (np.abs(k) < 0.5)
    return np.isfinite(k) & (tol <= 0.2) & ((err > tol) | below_one)


def _out_of_range(v: np.ndarray, half: np.ndarray, rule: FieldRule) -> np.ndarray:
    """True where a value is outside the rule's range or not whole where it must be.

    The bounds are widened by the value's print rounding (``half``): π printed with 12
    decimals is 2e-13 above π."""
    above = (v - half >= rule.hi) if rule.hi_open else (v - half > rule.hi)
    bad = (v + half < rule.lo) | above
    if rule.integer:
        # a whole number printed in D19.12 has exact decimals: 0.000000000020D+00 is not 0
        bad |= np.abs(v - np.round(v)) > half + 1e-15 * np.abs(v)
    return bad & np.isfinite(v)


def _epoch_text(t: float) -> str:
    """Seconds since 1980-01-06 as a calendar time (the scale of the record)."""
    from gnss_interop.timescales import from_gpst_seconds

    return str(from_gpst_seconds(t))[:19].replace("T", " ")


def _value_text(v: float, rule: FieldRule) -> str:
    unit = f" {rule.unit}" if rule.unit else ""
    return f"{v:.12g}{unit}"


#: Message frame time t_k against the reference epoch t_b of GLONASS records: t_b − t_k
#: (modulo a day) lies in [−1740, +900] s in the four shared files (t_b is the middle of
#: the 30 min interval; the frame may be sent before it or up to ~29 min after): this
#: window adds 10 min before and 15 min after, and catches an hour digit changed in the
#: epoch.
GLONASS_TB_MINUS_TK_S = (-2400.0, 1800.0)
#: Records more than this far from the median epoch of a file's records are skipped [s]:
#: navigation files hold hours to days; a year or month digit changed in an epoch lands
#: far outside.
EPOCH_SPREAD_MAX_S = 30 * 86400.0


def _check_table(table: NavRecordTable, entry: SystemSpec, problems: _Problems, *,
                 decoded: bool, median_epoch: float) -> None:
    """Drop the records of ``table`` whose content the rules reject, noting each.

    Range and form are hard limits. The resolution and the consistency checks (week,
    toe against toc, GLONASS t_k against t_b) reject a record unless most of the file's
    records fail the same check (:data:`SYSTEMATIC_FRACTION`): then the file's producer
    writes that field its own way, and one note says the check is off for it.
    ``decoded``: the values are decoded broadcast bits (False for gnss-interop's nominal
    almanac): the resolution, epoch-grid and t_k checks apply.
    """
    n = len(table.sv)
    if n == 0:
        return
    layout = table.layout
    names = layout.names
    values = np.array(table.rows, dtype=np.float64).reshape(n, len(names))
    halves = np.array(table.half_ulp, dtype=np.float64).reshape(n, len(names))
    reason: list[tuple[int, str] | None] = [None] * n
    col = {name: values[:, i] for i, name in enumerate(names)}

    def reject(mask: np.ndarray, k: int, text: Callable[[int], str]) -> None:
        """Note the first reason of each record in ``mask``; ``k``: the line in the record."""
        for r in np.flatnonzero(mask):
            if reason[r] is None:
                reason[r] = (table.line[r] + k, f"{table.sv[r]}: {text(r)}; record skipped")

    def unless_systematic(mask: np.ndarray, applicable: np.ndarray, what: str) -> np.ndarray:
        n_bad, n_app = int(mask.sum()), int(applicable.sum())
        if n_bad >= SYSTEMATIC_MIN_RECORDS and n_bad > SYSTEMATIC_FRACTION * n_app:
            problems.note(f"{what} fails in {n_bad} of {n_app} {entry.display_name} "
                          f"{layout.message} records: the file's producer writes it its own "
                          f"way, so that check is off for this file")
            return np.zeros_like(mask)
        return mask

    epoch = np.array(table.epoch)
    with np.errstate(invalid="ignore"):
        for c, name in enumerate(names):
            rule = layout.rules.get(name)
            if rule is None:  # pragma: no cover - tests check every field has a rule
                continue
            v, h = values[:, c], halves[:, c]
            k = layout.line_of(name)
            bad = _out_of_range(v, h, rule)
            what = "not a whole number in " if rule.integer else "outside "
            reject(bad, k, lambda r, c=c, name=name, rule=rule, what=what: (
                f"field '{name}' = {_value_text(values[r, c], rule)} is {what}"
                f"{rule.bounds_text()} ({rule.source_text()})"))
            if rule.resolution is None or not decoded:
                continue
            off = unless_systematic(off_resolution(v, h, rule.resolution) & ~bad,
                                    np.isfinite(v) & (v != 0.0),
                                    f"the ICD resolution {rule.resolution:.6g} {rule.unit} "
                                    f"of field '{name}'")
            reject(off, k, lambda r, c=c, name=name, rule=rule: (
                f"field '{name}' = {_value_text(values[r, c], rule)} is not a whole multiple "
                f"of its resolution {rule.resolution:.6g} {rule.unit} "
                f"({values[r, c] / rule.resolution:.3f} counts; {rule.source}): a damaged digit"))

    grid = EPOCH_RESOLUTION_S.get(layout.table_key)
    if grid is not None and decoded:
        off = unless_systematic(np.mod(epoch, grid) != 0.0, np.ones(n, dtype=bool),
                                f"the epoch resolution of {grid:g} s")
        reject(off, 0, lambda r: (
            f"epoch {_epoch_text(epoch[r])} is not on the {grid:g} s grid of its ICD "
            f"reference time: a damaged digit"))
    ok = np.array([r is None for r in reason])
    healthy = np.zeros(n, dtype=bool)
    if np.any(ok):
        healthy[ok] = entry.healthy(np.array(table.message, dtype="<U4")[ok],
                                    {nm: a[ok] for nm, a in col.items()})
    # unhealthy records are never used for positions, and real files hold stale ones
    # (VILL00ESP 2018: a C31 record 56 days old, a C16 whose toe is days from toc)
    far = ok & healthy & (np.abs(epoch - median_epoch) > EPOCH_SPREAD_MAX_S)
    reject(far, 0, lambda r: (f"epoch is {abs(epoch[r] - median_epoch) / 86400:.0f} days from "
                              f"the file's other records (more than "
                              f"{EPOCH_SPREAD_MAX_S / 86400:.0f}): a damaged date"))
    if "toe" in names:
        toe = col["toe"]
        d = np.mod(toe - np.mod(epoch, SECONDS_PER_WEEK) + SECONDS_PER_WEEK / 2,
                   SECONDS_PER_WEEK) - SECONDS_PER_WEEK / 2
        limit = sum(entry.fit_window_s)
        bad = unless_systematic(ok & healthy & (np.abs(d) > limit), ok & healthy,
                                "toe within a validity window of toc")
        reject(bad, layout.line_of("toe"), lambda r: (
            f"field 'toe' = {toe[r]:.0f} s is {d[r]:+.0f} s from the clock epoch (toc) of a "
            f"record flagged healthy, more than the {limit:.0f} s of a validity window"))
        if "week" in names and entry.week_origin_gps_weeks is not None:
            # the week goes with toe (RINEX 3.04 Table A6): the week of toc + (toe − toc);
            # GPS weeks modulo 1024 are still written by some RINEX 2 tools
            week = col["week"]
            own = np.floor((epoch + d) / SECONDS_PER_WEEK) - entry.week_origin_gps_weeks
            diff = week - own
            wrong = (diff != 0) & ~((entry.letter == "G") & (np.mod(diff, 1024) == 0))
            ok = np.array([r is None for r in reason])
            bad = unless_systematic(ok & np.isfinite(diff) & wrong, ok & np.isfinite(diff),
                                    "the week of toe")
            reject(bad, layout.line_of("week"), lambda r: (
                f"field 'week' = {week[r]:.0f} but toe falls in week {own[r]:.0f}"))
    if "t_k" in names and decoded:
        d = np.mod(epoch - col["t_k"] + 43200.0, 86400.0) - 43200.0
        lo, hi = GLONASS_TB_MINUS_TK_S
        ok = np.array([r is None for r in reason])
        app = ok & healthy & np.isfinite(d)
        bad = unless_systematic(app & ((d < lo) | (d > hi)), app,
                                "the message frame time t_k near t_b")
        reject(bad, 0, lambda r: (
            f"epoch t_b is {d[r]:+.0f} s from the message frame time t_k = {col['t_k'][r]:.0f} s "
            f"(line {table.line[r]}, third field); a healthy record has {lo:+.0f} to {hi:+.0f} s"))
    for r in reason:
        if r is not None:
            problems.add(*r)
    if any(r is not None for r in reason):
        table.keep(np.array([r is None for r in reason]))


# -------------------------------------------------------------------- truncation

def _note_truncation(lines: list[str], body_start: int, final_newline: bool,
                     reading: _Reading) -> None:
    """Note a file that looks cut: no final newline, or a last record far earlier than the
    other satellites' last records (a file sorted by satellite, cut between records)."""
    if len(lines) <= body_start:
        return
    last = len(lines)
    if not final_newline:
        owner = f", a line of the {reading.epochs[-1][0]} record at line {reading.epochs[-1][2]}" \
            if reading.epochs else ""
        reading.problems.note(f"the file ends without a newline in line {last}{owner}: it may "
                              f"be truncated (the last complete line is {last - 1})")
    if not reading.epochs:
        return
    ends: dict[str, float] = {}
    for sv, t, _ in reading.epochs:
        ends[sv] = max(t, ends.get(sv, -math.inf))
    if len(ends) < 3:
        return
    typical = float(np.median(list(ends.values())))
    sv, t, line = reading.epochs[-1]
    gap = typical - t
    if gap > TRUNCATION_GAP_S:
        when = _epoch_text(t)[:16]
        reading.problems.note(
            f"the file may be truncated after line {last} (the last complete line): its last "
            f"record, {sv} at {when} (line {line}), is {gap / 3600:.1f} h before the last records "
            f"of most satellites; later records of {sv} and of the satellites after it may "
            f"be missing")
