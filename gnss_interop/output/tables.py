"""Tables: area summaries as CSV and Markdown, and per-epoch site series as CSV, written atomically.

Tables are plain Python structures (pandas is not a dependency): a sequence of mappings,
one per row (``[{"config": "C", "availability_pct": 97.1}, ...]``), or a mapping of
columns (``{"config": ["C", "R"], "availability_pct": [97.1, 93.4]}``). Columns appear in
the order they are first met. A missing value (``None``) is written as an empty cell;
NaN and infinities are written as ``nan``, ``inf`` and ``-inf``, never dropped.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from gnss_interop.output.atomic import atomic_path, write_bytes_atomic
from gnss_interop.variables import DOP_NAMES

__all__ = [
    "Table",
    "format_cell",
    "normalise_table",
    "site_to_csv",
    "write_table_csv",
    "write_table_markdown",
]

#: Rows (sequence of mappings) or columns (mapping of equal-length sequences).
Table = Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]]


# ----------------------------------------------------------------------------- tables

def normalise_table(rows: Table) -> tuple[list[str], list[list[Any]]]:
    """Return (column names, list of row value lists) for rows or columns.

    Raises
    ------
    TypeError, ValueError
        For anything that is not rows of mappings or equal-length columns.
    """
    if isinstance(rows, Mapping):
        columns = [str(k) for k in rows]
        seqs = [list(v) if not isinstance(v, (str, bytes)) else None for v in rows.values()]
        if any(s is None for s in seqs):
            raise TypeError("a column table needs a sequence of values per column")
        lengths = {len(s) for s in seqs}  # type: ignore[arg-type]
        if len(lengths) > 1:
            raise ValueError(f"columns have different lengths {sorted(lengths)}")
        n = lengths.pop() if lengths else 0
        return columns, [[s[i] for s in seqs] for i in range(n)]  # type: ignore[index]
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise TypeError("a table is a sequence of mappings (rows) or a mapping of columns, "
                        f"got {type(rows).__name__}")
    columns: list[str] = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(f"row {i} is a {type(row).__name__}, not a mapping")
        for k in row:
            if str(k) not in columns:
                columns.append(str(k))
    return columns, [[_get(row, c) for c in columns] for row in rows]


def _get(row: Mapping[str, Any], column: str) -> Any:
    if column in row:
        return row[column]
    for k, v in row.items():  # non-string keys
        if str(k) == column:
            return v
    return None


def format_cell(value: Any, float_format: str | None = None) -> str:
    """Text of one table cell.

    ``None`` → ``""``; NaN/±inf → ``nan``/``inf``/``-inf``; floats with ``float_format``
    (e.g. ``"{:.4g}"``) or, by default, Python's shortest round-trip repr; numpy scalars
    as their Python values.
    """
    if value is None:
        return ""
    if isinstance(value, np.floating) and float_format is None and np.isfinite(value):
        return str(value)  # shortest repr at the value's own precision (float32: 0.1)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return float_format.format(v) if float_format else repr(v)
    return str(value)


def write_table_csv(rows: Table, path: str | os.PathLike, *,
                    float_format: str | None = None) -> Path:
    """Write a table as CSV (UTF-8, header row, ``\\n`` line ends), atomically.

    Parameters
    ----------
    rows : sequence of mappings, or mapping of columns
        See the module docstring.
    path : str or path-like
    float_format : str, optional
        Format for floats, e.g. ``"{:.6g}"``; default: exact shortest repr.
    """
    columns, body = normalise_table(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for values in body:
        writer.writerow([format_cell(v, float_format) for v in values])
    return write_bytes_atomic(path, buf.getvalue().encode("utf-8"))


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def _is_number(v: Any) -> bool:
    return isinstance(v, (numbers.Real, np.number)) and not isinstance(v, (bool, np.bool_))


def write_table_markdown(rows: Table, path: str | os.PathLike, *, caption: str | None = None,
                         float_format: str | None = "{:.4g}",
                         notes: Sequence[str] = (), align_right: Sequence[str] = ()) -> Path:
    """Write a table as a GitHub-flavoured Markdown pipe table, atomically.

    Numeric columns are right-aligned. ``|`` in cells is escaped, newlines become ``<br>``.

    Parameters
    ----------
    rows : sequence of mappings, or mapping of columns
    path : str or path-like
    caption : str, optional
        A line of text written above the table.
    float_format : str or None
        Format for floats (default 4 significant digits); ``None`` for the exact repr.
    notes : sequence of str
        Lines written below the table as a list (e.g. the definition of every column).
    align_right : sequence of str
        Columns right-aligned whatever they hold (e.g. numbers already formatted as text).
    """
    columns, body = normalise_table(rows)
    if not columns:
        raise ValueError("the table has no columns")
    numeric = [all(v is None or _is_number(v) for v in col) and any(_is_number(v) for v in col)
               for col in zip(*body, strict=True)] if body else [False] * len(columns)
    numeric = [num or name in align_right for num, name in zip(numeric, columns, strict=True)]
    lines = []
    if caption:
        lines += [_md_cell(caption), ""]
    lines.append("| " + " | ".join(_md_cell(c) for c in columns) + " |")
    lines.append("|" + "|".join("---:" if num else "---" for num in numeric) + "|")
    for values in body:
        lines.append("| " + " | ".join(_md_cell(format_cell(v, float_format)) for v in values)
                     + " |")
    if notes:
        lines += [""] + [f"- {_md_cell(note)}" for note in notes]
    return write_bytes_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))


# ----------------------------------------------------------------------------- site series

def site_to_csv(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write a :func:`compute_site` result as CSV (atomically).

    Columns: time_gpst (ISO 8601, GPST), config, nsat, gdop, pdop, hdop, vdop,
    tdop and, when the accuracy was computed, hacc95_m, vacc95_m, sigma_east_m,
    sigma_north_m, sigma_up_m, wpdop; DOPs and accuracies are ``inf`` at epochs without a
    solution; the last column names the receiver profile (``gnss-interop receivers``).
    """
    from gnss_interop.variables import ACCURACY_NAMES, lookup

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    acc = [q for q in ACCURACY_NAMES if q in ds]
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as fh:
        w = csv.writer(fh)
        profile = str(ds.attrs.get("receiver_profile", ""))
        w.writerow(["time_gpst", "config", "nsat", *DOP_NAMES,
                    *(q + ("_m" if lookup(q).units == "m" else "") for q in acc),
                    "receiver_profile"])
        times = [str(t)[:19] for t in ds["time"].values]
        for c in ds["config"].values:
            sub = ds.sel(config=c)
            nsat = sub["nsat"].values
            dops = np.stack([sub[d].values for d in (*DOP_NAMES, *acc)], axis=1)
            for i, t in enumerate(times):
                w.writerow([t, str(c), int(nsat[i]), *(f"{v:.6f}" if np.isfinite(v)
                                                       else "inf" for v in dops[i]), profile])
    return path
