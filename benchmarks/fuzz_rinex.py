"""Fuzz campaign for the RINEX navigation reader (issue 11, "RINEX: no traceback, nothing
wrong without a warning").

Seeded and bounded: every case is built from the four shared files, written to a temporary
folder and loaded with :func:`gnss_interop.load_ephemerides` (BeiDou and GLONASS, the
default). Case kinds:

``mutate``    one character of one BeiDou/GLONASS record replaced (any column: '>' line,
              satellite id, epoch, number fields); the file holds the header and every
              record of that satellite, so the screening has neighbours to compare with
``header``    one character of a header line replaced (the records of one satellite follow)
``truncate``  the whole file cut at a random byte (half the cases) or at a random line
              boundary (the other half) inside the records
``gzip``      one bit flipped in the gzip stream of the whole file

Outcomes: ``named`` a :class:`~gnss_interop.errors.GnssInputError`; ``traceback`` any
other exception (from loading or from ``positions()``); ``warned`` a
:class:`~gnss_interop.errors.GnssDataWarning` at load time; ``use-warned`` no warning at
load time, but ``positions()`` warns that it has no record for a satellite whose positions
changed (an epoch moved away from its time); ``same`` no warning and
positions within 1 m of the unmutated file; ``silent`` no warning and a position change
above 1 m (a satellite gained or lost counts as a change), or for ``truncate`` records lost
without a warning. Positions are compared at the reference time (toe / t_b) of the mutated
record and 600 s either side, for every satellite of either load. ``silent`` is split into
mutations that leave a well-formed number (a sign flipped, a digit replaced by a digit:
``silent-valid``) and the others (``silent-malformed``, the class that must be zero); for
``truncate``, ``silent-valid`` is a cut at a record boundary that leaves a shorter,
well-formed file (sorted by time, or cut exactly between two satellites).
numpy ``RuntimeWarning``s seen by a user are counted in ``numpy-warn``.

    python benchmarks/fuzz_rinex.py [--seed 11] [--mutate 2000] [--header 200]
                                    [--truncate 200] [--gzip 200]

Prints one table (counts per kind and outcome) and the signatures of tracebacks.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EPH = ROOT.parent / "shared" / "data" / "ephemerides"
FILES = ("BRD400DLR_S_20230710000_01D_MN.rnx.gz", "SEPT1890.23P", "brdc0730.23g",
         "VILL00ESP_R_20181700000_01D_MN.rnx.gz")
#: Replacement characters, digits weighted as in real text.
POOL = "0123456789" * 2 + "    ..--++EeDdX#nia"
OFFSETS_S = np.array([-600.0, 0.0, 600.0])
CHANGE_M = 1.0


def _text(name: str) -> str:
    raw = (EPH / name).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("ascii")


class Source:
    """One shared file split into header lines and records (line lists, file order)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines = _text(name).splitlines(keepends=True)
        end = next(i for i, l in enumerate(self.lines) if "END OF HEADER" in l[60:])
        self.header = self.lines[:end + 1]
        version = float(self.lines[0][:9])
        if version >= 4:
            starts = [i for i in range(end + 1, len(self.lines)) if self.lines[i].startswith(">")]
        elif version >= 3:
            starts = [i for i in range(end + 1, len(self.lines)) if self.lines[i][:1].isalpha()]
        else:
            starts = [i for i in range(end + 1, len(self.lines)) if self.lines[i][:2].strip()]
        starts.append(len(self.lines))
        self.records: list[tuple[str, list[str]]] = []
        letter = "R" if version < 3 else None
        for a, b in zip(starts[:-1], starts[1:]):
            rec = self.lines[a:b]
            if version >= 4:
                parts = rec[0][1:].split()
                if parts[0] != "EPH":
                    continue
                sv = parts[1]
            elif version >= 3:
                sv = rec[0][:3].replace(" ", "0")
            else:
                sv = f"{letter}{int(rec[0][:2]):02d}"
            self.records.append((sv, rec))
        self.version = version
        self.targets = [k for k, (sv, _) in enumerate(self.records) if sv[0] in "CR"]

    def satellite_file(self, k: int) -> tuple[list[str], int]:
        """Header + every record of record k's satellite; the index of record k in it."""
        sv = self.records[k][0]
        out, pos = list(self.header), -1
        for j, (s, rec) in enumerate(self.records):
            if s == sv:
                if j == k:
                    pos = len(out)
                out += rec
        return out, pos


def _load(path: Path):
    """(outcome, eph or None, detail, warnings list)."""
    from gnss_interop import load_ephemerides
    from gnss_interop.errors import GnssInputError

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            eph = load_ephemerides(path)
        except GnssInputError as exc:
            return "named", None, str(exc), list(seen)
        except Exception as exc:  # noqa: BLE001 - the point of the campaign
            return "traceback", None, _signature(exc), list(seen)
    return "ok", eph, "", list(seen)


def _signature(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = tb[-1] if tb else None
    loc = f"{Path(where.filename).name}:{where.lineno}" if where else "?"
    return f"{type(exc).__name__} at {loc}: {str(exc)[:70]}"


def _positions(eph, t_ns: np.ndarray, svs: list[str]):
    """(positions, warnings other than the range warning, range-warning messages)."""
    from gnss_interop.errors import EphemerisRangeWarning

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        pos = eph.positions(t_ns, svs=svs).values
    ranges = {str(w.message) for w in seen if issubclass(w.category, EphemerisRangeWarning)}
    others = [w for w in seen if not issubclass(w.category, EphemerisRangeWarning)]
    return pos, others, ranges


def _data_messages(seen, path: Path | None = None) -> set[str]:
    """Load-time data warnings (not the range warning of positions()), the file name
    replaced so that messages of two case files compare equal."""
    from gnss_interop.errors import EphemerisRangeWarning, GnssDataWarning

    out = set()
    for w in seen:
        if issubclass(w.category, GnssDataWarning) and not issubclass(w.category,
                                                                       EphemerisRangeWarning):
            text = str(w.message)
            if path is not None:
                text = text.replace(str(path), "<file>")
            out.add(text)
    return out


def _numpy_warned(seen) -> bool:
    return any(issubclass(w.category, RuntimeWarning) for w in seen)


def _change_m(a: np.ndarray, b: np.ndarray) -> float:
    fa, fb = np.isfinite(a[..., 0]), np.isfinite(b[..., 0])
    if np.any(fa != fb):
        return np.inf
    if not np.any(fa):
        return 0.0
    return float(np.nanmax(np.linalg.norm(a - b, axis=-1)))


def _valid_form(old: str, new: str) -> bool:
    """True if the mutation leaves a well-formed number in its 19-character field: a sign
    flip or a digit replaced by another digit (the reader cannot tell those from data)."""
    return (old in " -+" and new in " -+") or (old.isdigit() and new.isdigit())


class Campaign:
    def __init__(self, seed: int, tmp: Path) -> None:
        self.rng = random.Random(seed)
        self.tmp = tmp
        self.sources = [Source(n) for n in FILES]
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.signatures: Counter = Counter()
        self.examples: dict[str, list[str]] = defaultdict(list)
        self._base: dict[tuple[str, str], tuple] = {}
        self._n = 0
        self._full_messages: dict[str, set[str]] = {}
        self.numpy_sources: Counter = Counter()

    def _write(self, lines: list[str] | str | bytes, suffix: str = ".rnx") -> Path:
        self._n += 1
        p = self.tmp / f"case{self._n % 50}{suffix}"
        if isinstance(lines, bytes):
            p.write_bytes(lines)
        else:
            p.write_text("".join(lines) if isinstance(lines, list) else lines)
        return p

    def _baseline(self, src: Source, k: int):
        key = (src.name, src.records[k][0])
        if key not in self._base:
            lines, _ = src.satellite_file(k)
            path = self._write(lines)
            outcome, eph, detail, seen = _load(path)
            assert outcome == "ok", (key, detail)
            self._base[key] = (eph, lines, _data_messages(seen, path))
        return self._base[key]

    def _record_tref(self, eph, sv: str, line: int) -> float | None:
        from gnss_interop.systems import System
        from gnss_interop.timescales import to_gpst_seconds

        r = eph.records(System.from_letter(sv[0]))
        hit = np.flatnonzero((r["sv"] == sv) & (np.abs(r["line"] - line) <= 1))
        if hit.size == 0:
            return None
        return float(to_gpst_seconds(r["t_ref_gpst"][hit[0]]))

    def _compare(self, kind: str, eph0, known: set[str], t_ref: float, path: Path,
                 valid_form: bool, note: str) -> None:
        from gnss_interop.timescales import from_gpst_seconds

        outcome, eph, detail, seen = _load(path)
        if outcome != "ok":
            self._count(kind, outcome, detail if outcome == "traceback" else "", note)
            return
        t_ns = from_gpst_seconds(t_ref + OFFSETS_S)
        svs = sorted(set(eph0.svs) | set(eph.svs))
        try:
            p0, _, ranges0 = _positions(eph0, t_ns, svs)
            p1, seen_p, ranges1 = _positions(eph, t_ns, svs)
        except Exception as exc:  # noqa: BLE001
            self._count(kind, "traceback", _signature(exc), note)
            return
        seen = seen + seen_p
        if _numpy_warned(seen):
            self.counts[kind]["numpy-warn"] += 1
            w = next(w for w in seen if issubclass(w.category, RuntimeWarning))
            self.numpy_sources[f"{Path(w.filename).name}:{w.lineno}: {w.message}"] += 1
        if _data_messages(seen, path) - known:
            self._count(kind, "warned", "", note)
            return
        change = _change_m(p0, p1)
        if change > CHANGE_M and ranges1 - ranges0:
            # positions() names the satellites it has no record for (an epoch moved away)
            self._count(kind, "use-warned", "", note)
        elif change <= CHANGE_M:
            self._count(kind, "same", "", note)
        else:
            self._count(kind, "silent-valid" if valid_form else "silent-malformed", "",
                        f"{note} ({change:,.0f} m)")

    def _count(self, kind: str, outcome: str, signature: str, note: str) -> None:
        self.counts[kind][outcome] += 1
        if outcome == "traceback":
            self.signatures[signature] += 1
        if outcome.startswith("silent") or outcome == "traceback":
            if len(self.examples[f"{kind}/{outcome}"]) < 6:
                self.examples[f"{kind}/{outcome}"].append(note + (f" [{signature}]" if signature else ""))

    # ------------------------------------------------------------------ kinds
    def mutate(self) -> None:
        src = self.rng.choice(self.sources)
        k = self.rng.choice(src.targets)
        eph0, lines, known = self._baseline(src, k)
        _, pos = src.satellite_file(k)
        sv, rec = src.records[k]
        body_line = pos + (2 if src.version >= 4 else 1)      # 1-based first body line
        t_ref = self._record_tref(eph0, sv, body_line)
        if t_ref is None:
            return
        j = self.rng.randrange(len(rec))
        text = rec[j].rstrip("\n")
        if not text:
            return
        col = self.rng.randrange(len(text))
        new = self.rng.choice(POOL)
        if new == text[col]:
            return
        mutated = list(lines)
        mutated[pos + j] = text[:col] + new + text[col + 1:] + "\n"
        note = (f"{src.name[:8]} {sv} line {pos + j + 1} col {col + 1}: "
                f"{text[col]!r}->{new!r} in {text[max(0, col - 8):col + 8].strip()!r}")
        self._compare("mutate", eph0, known, t_ref, self._write(mutated),
                      _valid_form(text[col], new), note)

    def header(self) -> None:
        src = self.rng.choice(self.sources)
        k = self.rng.choice(src.targets)
        eph0, lines, known = self._baseline(src, k)
        _, pos = src.satellite_file(k)
        sv = src.records[k][0]
        t_ref = self._record_tref(eph0, sv, pos + (2 if src.version >= 4 else 1))
        if t_ref is None:
            return
        j = self.rng.randrange(len(src.header))
        text = lines[j].rstrip("\n")
        col = self.rng.randrange(min(len(text), 60)) if text else 0
        new = self.rng.choice(POOL)
        if not text or new == text[col]:
            return
        mutated = list(lines)
        mutated[j] = text[:col] + new + text[col + 1:] + "\n"
        note = f"{src.name[:8]} header line {j + 1} col {col + 1}: {text[col]!r}->{new!r}"
        self._compare("header", eph0, known, t_ref, self._write(mutated), False, note)

    def truncate(self) -> None:
        from gnss_interop import load_ephemerides

        src = self.rng.choice(self.sources)
        text = "".join(src.lines)
        body = len("".join(src.header))
        if self.rng.random() < 0.5:
            cut = self.rng.randrange(body + 1, len(text))
            how = "byte"
        else:
            starts = np.cumsum([len(l) for l in src.lines])
            cut = int(self.rng.choice([int(s) for s in starts if body < s < len(text)]))
            how = "line"
        full = self._full(src)
        note = f"{src.name[:8]} cut at {how} {cut} of {len(text)}"
        path = self._write(text[:cut])
        outcome, eph, detail, seen = _load(path)
        if outcome != "ok":
            self._count("truncate", outcome, detail if outcome == "traceback" else "", note)
            return
        if _numpy_warned(seen):
            self.counts["truncate"]["numpy-warn"] += 1
        lost = full - sum(len(eph.records(s)["sv"]) for s in eph.systems)
        if _data_messages(seen, path) - self._full_messages[src.name]:
            self._count("truncate", "warned", "", note)
        elif lost > 0 and not text[:cut].endswith("\n"):
            self._count("truncate", "silent-malformed", "", f"{note} ({lost} records lost)")
        elif lost > 0:
            # cut at a record boundary: a shorter, well-formed file (time-sorted, or cut
            # exactly between two satellites): nothing in it tells that more was there
            self._count("truncate", "silent-valid", "", f"{note} ({lost} records lost)")
        else:
            self._count("truncate", "same", "", note)

    def _full(self, src: Source) -> int:
        key = ("full", src.name)
        if key not in self._base:
            _, eph, _, seen = _load(EPH / src.name)
            self._full_messages[src.name] = _data_messages(seen, EPH / src.name)
            self._base[key] = sum(len(eph.records(s)["sv"]) for s in eph.systems)
        return self._base[key]

    def gzip_flip(self) -> None:
        src = self.rng.choice(self.sources)
        key = ("gz", src.name)
        if key not in self._base:
            raw = (EPH / src.name).read_bytes()
            self._base[key] = raw if raw[:2] == b"\x1f\x8b" else gzip.compress(raw, mtime=0)
        data = bytearray(self._base[key])
        byte = self.rng.randrange(len(data))
        data[byte] ^= 1 << self.rng.randrange(8)
        full = self._full(src)
        note = f"{src.name[:8]} gzip byte {byte} of {len(data)}"
        path = self._write(bytes(data), ".rnx.gz")
        outcome, eph, detail, seen = _load(path)
        if outcome != "ok":
            self._count("gzip", outcome, detail if outcome == "traceback" else "", note)
            return
        n = sum(len(eph.records(s)["sv"]) for s in eph.systems)
        if _data_messages(seen, path) - self._full_messages[src.name]:
            self._count("gzip", "warned", "", note)
        elif n != full:
            self._count("gzip", "silent-malformed", "", f"{note} ({full - n} records lost)")
        else:
            self._count("gzip", "same", "", note)


COLUMNS = ("cases", "named", "traceback", "warned", "use-warned", "same", "silent-valid",
           "silent-malformed", "numpy-warn")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--mutate", type=int, default=2000)
    ap.add_argument("--header", type=int, default=200)
    ap.add_argument("--truncate", type=int, default=200)
    ap.add_argument("--gzip", type=int, default=200)
    ap.add_argument("--examples", action="store_true", help="print examples of bad outcomes")
    args = ap.parse_args(argv)
    if not EPH.is_dir():
        sys.exit(f"shared data not found: {EPH}")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        c = Campaign(args.seed, Path(tmp))
        for kind, n, fn in (("mutate", args.mutate, c.mutate), ("header", args.header, c.header),
                            ("truncate", args.truncate, c.truncate), ("gzip", args.gzip, c.gzip_flip)):
            done = 0
            while done < n:
                before = sum(v for k, v in c.counts[kind].items() if k != "numpy-warn")
                fn()
                done += sum(v for k, v in c.counts[kind].items() if k != "numpy-warn") > before
            c.counts[kind]["cases"] = n
    total = Counter()
    print(f"| kind | {' | '.join(COLUMNS)} |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for kind in ("mutate", "header", "truncate", "gzip"):
        row = c.counts[kind]
        total.update(row)
        print(f"| {kind} | " + " | ".join(str(row.get(col, 0)) for col in COLUMNS) + " |")
    print("| **all** | " + " | ".join(str(total.get(col, 0)) for col in COLUMNS) + " |")
    print(f"\nseed {args.seed}, {time.perf_counter() - t0:.0f} s")
    if c.signatures:
        print("\ntraceback signatures:")
        for sig, n in c.signatures.most_common():
            print(f"  {n:5d}  {sig}")
    if c.numpy_sources:
        print("\nnumpy RuntimeWarnings seen by the user:")
        for src, n in c.numpy_sources.most_common():
            print(f"  {n:5d}  {src}")
    if args.examples:
        for key, notes in sorted(c.examples.items()):
            print(f"\n{key}:")
            for n in notes:
                print(f"  {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
