"""Exports of coverage layers and summary tables: GeoTIFF, CSV and Markdown, written atomically.

NetCDF output of whole coverage Datasets is :func:`gnss_interop.coverage.engine.write_netcdf`.

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

__all__ = [
    "Table",
    "format_cell",
    "normalise_table",
    "to_geotiff",
    "write_table_csv",
    "write_table_markdown",
]

#: Rows (sequence of mappings) or columns (mapping of equal-length sequences).
Table = Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]]


# ----------------------------------------------------------------------------- GeoTIFF

def _regular_step(c: np.ndarray, name: str) -> float:
    if c.size < 2:
        raise ValueError(f"{name} needs at least 2 cells for a GeoTIFF")
    d = np.diff(c)
    if not np.allclose(d, d[0], rtol=1e-6, atol=1e-9) or d[0] == 0:
        raise ValueError(f"{name} is not regularly spaced: a GeoTIFF needs a regular grid")
    return float(d[0])


def to_geotiff(da_2d: xr.DataArray, path: str | os.PathLike, *,
               tags: Mapping[str, Any] | None = None, registration: str | None = None) -> Path:
    """Write one (lat, lon) layer to a north-up GeoTIFF in EPSG:4326 (deflate), atomically.

    Parameters
    ----------
    da_2d : xarray.DataArray
        Dims ``lat`` and ``lon`` (degrees, regularly spaced, any order),
        e.g. ``ds["availability"].sel(config="C+R")``. Scalar coordinates such as ``config``
        are kept as GeoTIFF tags, as are the DataArray's attributes.
    path : str or path-like
        Output file (``.tif``).
    tags : mapping, optional
        Extra GeoTIFF metadata tags (e.g. scenario name, input files).
    registration : {"node", "cell"}, optional
        ``"node"``: values are samples at the grid points (tagged ``AREA_OR_POINT=Point``);
        ``"cell"``: values are cell averages (``AREA_OR_POINT=Area``). Default: ``"node"``
        when the latitudes include ±90°, else ``"cell"``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the array is not 2-D over (lat, lon) or the grid is not regular.

    Notes
    -----
    Follows rioxarray's most robust path: rename lat/lon to y/x, sort y descending
    (north-up), ``write_crs("EPSG:4326")``, ``to_raster(compress="deflate")``. Float cells
    keep NaN and ±inf as they are (NaN is declared as nodata).
    """
    try:
        import rioxarray  # noqa: F401  (registers the .rio accessor)
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("GeoTIFF export needs rioxarray: pip install 'gnss-interop[geotiff]'"
                          ) from exc
    if not isinstance(da_2d, xr.DataArray):
        raise TypeError(f"expected an xarray DataArray, got {type(da_2d).__name__}")
    if set(da_2d.dims) != {"lat", "lon"}:
        hint = " (select one configuration, e.g. .sel(config='C+R'))" \
            if "config" in da_2d.dims else ""
        raise ValueError(f"to_geotiff needs a 2-D (lat, lon) array, got dims {da_2d.dims}{hint}")
    lat = np.asarray(da_2d["lat"].values, dtype=float)
    lon = np.asarray(da_2d["lon"].values, dtype=float)
    _regular_step(np.sort(lat), "lat")
    _regular_step(np.sort(lon), "lon")

    meta: dict[str, str] = {}
    for name, coord in da_2d.coords.items():
        if coord.ndim == 0 and name not in ("lat", "lon"):
            meta[str(name)] = str(coord.values)
    for k, v in da_2d.attrs.items():
        if k != "grid_mapping":
            meta[str(k)] = str(v)
    for k, v in (tags or {}).items():
        meta[str(k)] = str(v)
    if da_2d.name is not None:
        meta.setdefault("variable", str(da_2d.name))
    # Node-registered grids (values at the grid points, e.g. lat -90..90 inclusive) are point
    # samples: say so, rather than pretend each value covers a cell reaching past the poles.
    if registration is None:
        registration = "node" if np.any(np.isclose(np.abs(lat), 90.0)) else "cell"
    if registration not in ("node", "cell"):
        raise ValueError(f"registration must be 'node' or 'cell', got {registration!r}")
    meta["AREA_OR_POINT"] = "Point" if registration == "node" else "Area"

    da = xr.DataArray(np.asarray(da_2d.transpose("lat", "lon").values),
                      coords={"y": lat, "x": lon}, dims=("y", "x"), name=da_2d.name,
                      attrs={k: v for k, v in meta.items() if k in ("long_name", "units")})
    da = da.sortby("y", ascending=False).sortby("x")
    da = da.rio.write_crs("EPSG:4326")
    if np.issubdtype(da.dtype, np.floating):
        da = da.rio.write_nodata(np.nan, encoded=False)
    path = Path(path)
    with atomic_path(path) as tmp:
        da.rio.to_raster(tmp, driver="GTiff", compress="deflate", tags=meta)
    return path


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
                         float_format: str | None = "{:.4g}") -> Path:
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
    """
    columns, body = normalise_table(rows)
    if not columns:
        raise ValueError("the table has no columns")
    numeric = [all(v is None or _is_number(v) for v in col) and any(_is_number(v) for v in col)
               for col in zip(*body, strict=True)] if body else [False] * len(columns)
    lines = []
    if caption:
        lines += [_md_cell(caption), ""]
    lines.append("| " + " | ".join(_md_cell(c) for c in columns) + " |")
    lines.append("|" + "|".join("---:" if num else "---" for num in numeric) + "|")
    for values in body:
        lines.append("| " + " | ".join(_md_cell(format_cell(v, float_format)) for v in values)
                     + " |")
    return write_bytes_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
