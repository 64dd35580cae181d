"""Command line: a thin layer over the same functions a notebook user calls.

``gnss-interop orbits``    satellite positions to CSV or NetCDF
``gnss-interop validate``  broadcast vs precise (SP3) orbits
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from .errors import GnssDataWarning, GnssInputError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="BeiDou and GLONASS coverage, alone and together, from broadcast ephemerides.")

NavFiles = Annotated[list[Path], typer.Argument(help="RINEX 2/3/4 navigation files (plain, .gz, .Z).",
                                                exists=False)]


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


def _show_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
    typer.secho(f"warning: {message}", fg=typer.colors.YELLOW, err=True)


def _setup_warnings() -> None:
    warnings.showwarning = _show_warning
    warnings.simplefilter("default", GnssDataWarning)


def _time_grid(start: str, end: str, step_s: float) -> np.ndarray:
    try:
        t0 = np.datetime64(start, "ns")
        t1 = np.datetime64(end, "ns")
    except ValueError as exc:
        _fail(f"--start/--end must be ISO times such as 2023-03-12T00:00:00 ({exc})")
    if step_s <= 0:
        _fail(f"--step must be positive, got {step_s}")
    if t1 < t0:
        _fail(f"--end {end} is before --start {start}")
    step = np.timedelta64(int(round(step_s * 1e9)), "ns")
    return np.arange(t0, t1 + step // 2, step)


def atomic_write(path: Path, write, *, suffix: str | None = None) -> None:
    """Write through ``write(tmp_path)`` to a temporary file, then rename over ``path``.

    An interrupted or failed write never leaves a half-written ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or path.suffix or ".tmp",
                               dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load(nav: list[Path]):
    from .ephemeris import load_ephemerides

    try:
        return load_ephemerides(nav)
    except GnssInputError as exc:
        _fail(str(exc))


@app.command()
def orbits(
    nav: NavFiles,
    start: Annotated[str, typer.Option(help="First epoch, ISO 8601, GPST.")],
    end: Annotated[str, typer.Option(help="Last epoch (inclusive), ISO 8601, GPST.")],
    step: Annotated[float, typer.Option(help="Step [s].")] = 30.0,
    out: Annotated[Path, typer.Option(help="Output: .csv (time_gpst,sv,x_m,y_m,z_m) or .nc.")] =
        Path("orbits.csv"),
    sv: Annotated[Optional[list[str]], typer.Option(help="Only these satellites (repeatable).")] = None,
) -> None:
    """Earth-fixed satellite positions of every BeiDou and GLONASS satellite."""
    _setup_warnings()
    eph = _load(nav)
    times = _time_grid(start, end, step)
    try:
        pos = eph.positions(times, svs=sv)
    except ValueError as exc:
        _fail(str(exc))
    suffix = out.suffix.lower()
    if suffix == ".nc":
        ds = pos.to_dataset()
        ds.attrs.update(source="; ".join(eph.sources), history=f"gnss-interop orbits {' '.join(sys.argv[1:])}")
        atomic_write(out, lambda p: ds.to_netcdf(p, engine="netcdf4"))
    elif suffix == ".csv":
        def write(p: Path) -> None:
            t_str = np.datetime_as_string(pos["time"].values, unit="ms")
            svs = pos["sv"].values
            xyz = pos.values
            with open(p, "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["time_gpst", "sv", "x_m", "y_m", "z_m"])
                for i, ts in enumerate(t_str):
                    for j, s in enumerate(svs):
                        x, y, z = xyz[i, j]
                        if np.isfinite(x):
                            w.writerow([ts, s, f"{x:.3f}", f"{y:.3f}", f"{z:.3f}"])
        atomic_write(out, write)
    else:
        _fail(f"--out must end in .csv or .nc, got {out.name!r}")
    n_ok = int(np.isfinite(pos.values[..., 0]).sum())
    typer.echo(f"wrote {out}: {pos.sizes['time']} epochs x {pos.sizes['sv']} satellites "
               f"({n_ok} positions)")


@app.command()
def validate(
    nav: NavFiles,
    sp3: Annotated[Path, typer.Option(help="Precise orbits (SP3-c/d) of the same day.")],
    per_satellite: Annotated[bool, typer.Option("--per-satellite/--summary-only")] = True,
) -> None:
    """Compare broadcast orbits with precise (SP3) orbits: 3-D RMS and max per satellite type."""
    from .io.sp3 import read_sp3
    from .validate import compare_with_sp3, summarise

    _setup_warnings()
    eph = _load(nav)
    try:
        precise = read_sp3(sp3)
    except GnssInputError as exc:
        _fail(str(exc))
    rows = compare_with_sp3(eph, precise)
    if not rows:
        _fail("no satellite and epoch in common between the broadcast and precise orbits")
    typer.echo(f"broadcast: {', '.join(eph.sources)}")
    typer.echo(f"precise:   {sp3} (frame {precise.frame})")
    typer.echo("")
    typer.echo(f"{'system':8} {'type':8} {'sats':>4} {'epochs':>7} {'rms_3d_m':>9} {'max_3d_m':>9}")
    for system, kind, n_sv, n, rms, mx in summarise(rows):
        typer.echo(f"{system:8} {kind:8} {n_sv:4d} {n:7d} {rms:9.3f} {mx:9.3f}")
    if per_satellite:
        typer.echo("")
        typer.echo(f"{'sv':4} {'type':8} {'epochs':>7} {'rms_3d_m':>9} {'max_3d_m':>9}")
        for r in rows:
            typer.echo(f"{r.sv:4} {r.kind:8} {r.n_epochs:7d} {r.rms_m:9.3f} {r.max_m:9.3f}")
    typer.echo("")
    if eph.excluded:
        typer.echo(f"excluded by sanity screening ({len(eph.excluded)}):")
        for e in eph.excluded:
            typer.echo(f"  {e.sv} {e.message} {str(e.epoch_gpst)[:19]} GPST: {e.reason} "
                       f"({Path(e.source).name} line {e.line})")
    else:
        typer.echo("excluded by sanity screening: none")
    if eph.unusable_svs:
        typer.echo(f"no healthy record: {', '.join(eph.unusable_svs)}")


@app.command()
def almanac(
    out: Annotated[Path, typer.Option(help="Output RINEX 4 file (.rnx or .rnx.gz).")] =
        Path("nominal_bds3_glonass.rnx.gz"),
    day: Annotated[str, typer.Option(help="GPST day the file covers (YYYY-MM-DD).")] = "2024-01-01",
) -> None:
    """Write the nominal BDS-3 + GLONASS constellations as a RINEX 4 navigation file."""
    from .nominal import write_nominal_rinex

    try:
        np.datetime64(day, "D")
    except ValueError:
        _fail(f"--day must be YYYY-MM-DD, got {day!r}")
    typer.echo(f"wrote {write_nominal_rinex(out, day=day)}")


def main() -> None:  # pragma: no cover - console entry point alternative
    app()
