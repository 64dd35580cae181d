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

Units in the returned tables are those of the file, except the fields a registry
entry names in ``km_fields`` (GLONASS state vectors), converted from km, km/s, km/s²
to m, m/s, m/s².
"""

from __future__ import annotations

import gzip
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gnss_interop.constants import SECONDS_PER_WEEK
from gnss_interop.errors import RinexError
from gnss_interop.reading.layout import MessageLayout
from gnss_interop.systems import System, registered, spec, spec_of_letter

__all__ = ["MessageLayout", "NavRecordTable", "TimeOffsetRecord", "NavFile", "read_nav"]


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

    def arrays(self) -> dict[str, np.ndarray]:
        names = self.layout.names
        data = np.array(self.rows, dtype=np.float64).reshape(len(self.rows), len(names))
        out = {name: data[:, i] for i, name in enumerate(names)}
        out["sv"] = np.array(self.sv, dtype="<U3")
        out["message"] = np.array(self.message, dtype="<U4")
        out["epoch"] = np.array(self.epoch, dtype=np.float64)
        out["line"] = np.array(self.line, dtype=np.int64)
        return out


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
    """Everything read from one navigation file."""

    path: Path
    version: float
    leap_seconds: int | None
    tables: dict[str, NavRecordTable]
    time_offsets: list[TimeOffsetRecord]
    n_skipped_other_systems: int
    problems: list[str]

    @property
    def n_records(self) -> int:
        return sum(len(t.sv) for t in self.tables.values())


# --------------------------------------------------------------------------- I/O

def _open_text(path: Path) -> list[str]:
    """Lines of a plain, gzip (.gz) or Unix-compress (.Z) file, newlines stripped."""
    raw = RinexError.read_bytes(path)
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        elif raw[:2] == b"\x1f\x9d":
            import ncompress

            raw = ncompress.decompress(raw)
    except (OSError, EOFError, ValueError) as exc:
        raise RinexError(f"corrupt compressed file ({exc})", path) from None
    if b"\x00" in raw[:4096]:
        raise RinexError("not a text file (binary content)", path, 1)
    return raw.decode("ascii", errors="replace").splitlines()


def _float(text: str) -> float:
    """A RINEX floating-point field: Fortran D or E exponent; blank → NaN.

    Blank is *not* zero: a blank field is missing data (see pitfall 1 in
    docs/style-anchors.md §7).
    """
    text = text.strip()
    if not text:
        return math.nan
    return float(text.replace("D", "E").replace("d", "e"))


#: A RINEX satellite identifier: system letter and two digits (RINEX 3.04 §3.5).
_SV_ID = re.compile(r"[A-Z][0-9]{2}")


def _split_fields(line: str, start: int, n: int) -> list[str]:
    return [line[start + 19 * k: start + 19 * (k + 1)] for k in range(n)]


class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, line: int, message: str) -> None:
        self.items.append(f"line {line}: {message}")


def _parse_header(lines: list[str], path: Path) -> tuple[float, str, int | None, list[TimeOffsetRecord], int]:
    if not lines or not any(l.strip() for l in lines):
        raise RinexError("empty file", path)
    first = lines[0]
    if "RINEX VERSION / TYPE" not in first[60:]:
        raise RinexError("not a RINEX file: first line lacks 'RINEX VERSION / TYPE'", path, 1)
    try:
        version = float(first[:9])
    except ValueError:
        raise RinexError(f"unreadable RINEX version {first[:9].strip()!r}", path, 1) from None
    file_type = first[20:21]
    if file_type not in ("N", "G"):
        raise RinexError(f"not a navigation file (file type {file_type!r} in columns 21)", path, 1)
    sys_letter = first[40:41] if version >= 3 else ("R" if file_type == "G" else "G")
    if int(version) not in (2, 3, 4):
        raise RinexError(f"unsupported RINEX version {version:.2f} (2.x, 3.0x and 4.0x are read)", path, 1)
    leap = None
    offsets: list[TimeOffsetRecord] = []
    for i, line in enumerate(lines):
        label = line[60:80].strip()
        if label == "END OF HEADER":
            return version, sys_letter, leap, offsets, i + 1
        if label == "LEAP SECONDS":
            try:
                leap = int(line[:6])
            except ValueError:
                raise RinexError(f"unreadable LEAP SECONDS value {line[:6]!r}", path, i + 1) from None
            # RINEX 3.02+: columns 25-27 name the time system the count refers to; "BDS"
            # means BDT - UTC, i.e. 14 s fewer than GPST - UTC (which is what we keep)
            if line[24:27].strip() == "BDS":
                leap += 14
        elif label == "TIME SYSTEM CORR":
            # RINEX 3.04 Table A5: A4,1X,D17.10,D16.9,1X,I6,1X,I4
            try:
                name = line[:4]
                a0 = _float(line[5:22])
                a1 = _float(line[22:38])
                t_ref_sow = int(line[38:45])
                week = int(line[45:50])
            except ValueError:
                raise RinexError("unreadable TIME SYSTEM CORR line", path, i + 1) from None
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
            try:
                a0 = _float(line[21:40])
            except ValueError:
                raise RinexError("unreadable CORR TO SYSTEM TIME line", path, i + 1) from None
            offsets.append(TimeOffsetRecord("GLUT", math.nan, a0, 0.0, 0.0, str(path), i + 1,
                                            scale_letter="R"))
    raise RinexError("no END OF HEADER line: truncated or not a RINEX file", path, len(lines))


def _epoch_v3(line: str) -> float:
    # A1,I2.2,1X,I4,5(1X,I2.2): "C01 2023 07 08 06 00 00"
    from gnss_interop.timescales import calendar_to_seconds

    y, mo, d, h, mi, s = (int(line[4:8]), int(line[9:11]), int(line[12:14]),
                          int(line[15:17]), int(line[18:20]), int(line[21:23]))
    return float(calendar_to_seconds(y, mo, d, h, mi, s))


def _epoch_v2(line: str) -> float:
    # I2,5(1X,I2),F5.1: " 1 23  3 14  0 15  0.0"
    from gnss_interop.timescales import calendar_to_seconds

    yy = int(line[3:5])
    y = 2000 + yy if yy < 80 else 1900 + yy
    return float(calendar_to_seconds(y, int(line[6:8]), int(line[9:11]), int(line[12:14]),
                                     int(line[15:17]), float(line[17:22])))


def _decode_body(layout: MessageLayout, body: list[str], first_col: int, cont_col: int,
                 start_line: int) -> list[float]:
    """Decode the values of one record; raises ValueError with the line number."""
    values: list[float] = []
    for k, names in enumerate(layout.fields):
        text = body[k] if k < len(body) else ""
        col = first_col if k == 0 else cont_col
        for name, raw in zip(names, _split_fields(text, col, len(names))):
            if name is None:
                continue
            try:
                v = _float(raw)
            except ValueError:
                raise ValueError(f"line {start_line + k}: field '{name}' is not a number: "
                                 f"{raw.strip()!r}") from None
            if math.isnan(v) and name not in layout.optional:
                raise ValueError(f"line {start_line + k}: required field '{name}' is blank")
            values.append(v)
    return values


def _system_names(entries) -> str:
    names = [s.display_name for s in entries]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


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
        ``"G:LNAV"``, ``"E:INAV_FNAV"``, ...), broadcast time offsets and the
        problems met (each naming a line). Bad single records are skipped and
        listed in ``problems``; the caller turns them into one warning.

    Raises
    ------
    RinexError
        Empty file, not RINEX, unknown version, no END OF HEADER, or a file
        with no usable record of a registered system; the message names the
        file and line.
    """
    path = Path(path)
    selected = registered() if systems is None else tuple(spec(s) for s in systems)
    entry_of = {s.letter: s for s in selected}.get

    lines = _open_text(path)
    version, sys_letter, leap, offsets, body_start = _parse_header(lines, path)
    problems = _Problems(path)
    tables: dict[str, NavRecordTable] = {}

    def add(layout: MessageLayout, sv: str, message: str, epoch: float, lineno: int,
            values: list[float]) -> None:
        table = tables.setdefault(layout.table_key, NavRecordTable(layout))
        table.sv.append(sv)
        table.message.append(message)
        table.epoch.append(epoch)
        table.line.append(lineno)
        table.rows.append(values)

    if version >= 4:
        n_other = _read_v4(lines, body_start, path, problems, add, offsets, version, entry_of)
    elif version >= 3:
        n_other = _read_v3(lines, body_start, problems, add, version, entry_of)
    else:
        entry = spec_of_letter(sys_letter)
        if entry is None or entry.rinex3_layout(version) is None:
            raise RinexError(f"RINEX 2 navigation file of system {sys_letter!r}: none of "
                             f"{_system_names(registered())}", path, 1)
        n_other = 0
        if entry_of(entry.letter) is not None:
            _read_v2(lines, body_start, problems, add, entry, version)

    for table in tables.values():  # fields given in km, km/s, km/s² → m, m/s, m/s²
        km = spec_of_letter(table.layout.system.letter).km_fields
        if km:
            names = table.layout.names
            idx = [names.index(n) for n in km]
            for row in table.rows:
                for i in idx:
                    row[i] *= 1000.0

    nav = NavFile(path, version, leap, tables, offsets, n_other, problems.items)
    if nav.n_records == 0:
        detail = f" ({len(problems.items)} unreadable record(s): {problems.items[0]})" \
            if problems.items else ""
        raise RinexError(f"no {_system_names(selected)} ephemeris records{detail}", path)
    return nav


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


def _read_v3(lines, body_start, problems, add, version, entry_of) -> int:
    n_other = 0

    def is_start(line: str) -> bool:
        return line[:1].isalpha()

    for i, j in _record_spans(lines, body_start, is_start):
        first = lines[i]
        letter = first[:1]
        if not letter.isalpha():
            problems.add(i + 1, f"unexpected line outside a record: {first[:40]!r}")
            continue
        entry = entry_of(letter)
        layout = None if entry is None else entry.rinex3_layout(version)
        if layout is None:
            n_other += 1
            continue
        sv = first[:3].replace(" ", "0")
        decoded = _decode_record(lines[i:j], i + 1, layout, sv, _epoch_v3, 23, 4, problems)
        if decoded is not None:
            epoch, values = decoded
            message = entry.rinex3_message(dict(zip(layout.names, values)))
            add(layout, sv, message, epoch, i + 1, values)
    return n_other


def _read_v2(lines, body_start, problems, add, entry, version) -> None:
    layout = entry.rinex3_layout(version)

    def is_start(line: str) -> bool:
        return bool(line[:3].strip())

    for i, j in _record_spans(lines, body_start, is_start):
        first = lines[i]
        try:
            prn = int(first[:2])
        except ValueError:
            problems.add(i + 1, f"unreadable satellite number {first[:2]!r}")
            continue
        sv = f"{entry.letter}{prn:02d}"
        decoded = _decode_record(lines[i:j], i + 1, layout, sv, _epoch_v2, 22, 3, problems)
        if decoded is not None:
            epoch, values = decoded
            add(layout, sv, entry.rinex3_message(dict(zip(layout.names, values))), epoch, i + 1,
                values)


def _decode_record(body, lineno, layout, sv, epoch_fn, first_col, cont_col, problems
                   ) -> tuple[float, list[float]] | None:
    """(epoch, values) of one record, or ``None`` after noting the problem."""
    if not _SV_ID.fullmatch(sv) or sv[1:] == "00":
        problems.add(lineno, f"{sv!r} is not a satellite identifier (a system letter and a "
                             f"number 01-99); record skipped")
        return None
    if len(body) < layout.n_lines:
        problems.add(lineno, f"{sv}: truncated record ({len(body)} of {layout.n_lines} lines)")
        return None
    if len(body) > layout.n_lines:
        problems.add(lineno, f"{sv}: record has {len(body)} lines, expected {layout.n_lines}")
        return None
    try:
        epoch = epoch_fn(body[0])
    except ValueError:
        problems.add(lineno, f"{sv}: unreadable epoch {body[0][:first_col].strip()!r}")
        return None
    try:
        values = _decode_body(layout, body, first_col, cont_col, lineno)
    except ValueError as exc:
        problems.add(lineno, f"{sv}: {exc}")
        return None
    return epoch, values


def _read_v4(lines, body_start, path, problems, add, offsets, version, entry_of) -> int:
    n_other = 0
    layouts: dict[tuple[str, str], MessageLayout | None] = {}

    def is_start(line: str) -> bool:
        return line.startswith(">")

    for i, j in _record_spans(lines, body_start, is_start):
        head = lines[i]
        if not head.startswith(">"):
            problems.add(i + 1, f"expected a '>' record header, found {head[:40]!r}")
            continue
        parts = head[1:].split()
        if len(parts) < 2:
            problems.add(i + 1, f"unreadable record header {head.strip()!r}")
            continue
        kind, sv = parts[0], parts[1]
        message = parts[2] if len(parts) > 2 else ""
        if kind == "STO":
            _read_sto(lines[i + 1:j], i + 2, path, sv, message, problems, offsets)
            continue
        if kind != "EPH":
            continue  # ION, EOP: not used
        key = (sv[:1], message)
        if key not in layouts:
            entry = entry_of(sv[:1])
            layouts[key] = None if entry is None else entry.layout(message, version)
        layout = layouts[key]
        if layout is None:
            n_other += 1
            continue
        decoded = _decode_record(lines[i + 1:j], i + 2, layout, sv, _epoch_v3, 23, 4, problems)
        if decoded is not None:
            add(layout, sv, message, decoded[0], i + 2, decoded[1])
    return n_other


def _read_sto(body, lineno, path, sv, message, problems, offsets) -> None:
    if len(body) != 2:
        problems.add(lineno, f"STO {sv}: record has {len(body)} data lines, expected 2")
        return
    try:
        from gnss_interop.timescales import calendar_to_seconds

        l1 = body[0]
        y, mo, d, h, mi, s = (int(l1[4:8]), int(l1[9:11]), int(l1[12:14]), int(l1[15:17]),
                              int(l1[18:20]), int(l1[21:23]))
        epoch = float(calendar_to_seconds(y, mo, d, h, mi, s))
        name = l1[24:28].strip()
        label = l1[28:].strip()
        t_tm, a0, a1, a2 = (_float(x) for x in _split_fields(body[1], 4, 4))
    except ValueError:
        problems.add(lineno, f"STO {sv}: unreadable time-offset record")
        return
    if not name or math.isnan(a0):
        problems.add(lineno, f"STO {sv}: missing identifier or A0")
        return
    # The epoch line gives the reference time of the polynomial (RINEX 4.00 Table A28).
    offsets.append(TimeOffsetRecord(name, epoch, a0, 0.0 if math.isnan(a1) else a1,
                                    0.0 if math.isnan(a2) else a2, str(path), lineno, label,
                                    scale_letter=sv[:1]))
