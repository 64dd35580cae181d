"""Command line: a thin layer over the same functions a notebook user calls.

``gnss-interop orbits``    satellite positions to CSV or NetCDF
``gnss-interop validate``  broadcast vs precise (SP3) orbits
"""

from __future__ import annotations

import csv
import logging
import sys
import warnings
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from gnss_interop.constants import VALIDATE_OUTLIER_M
from gnss_interop.output.atomic import atomic_path
from gnss_interop.errors import GnssDataWarning, GnssInputError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="BeiDou and GLONASS coverage, alone and together, from broadcast ephemerides.")

NavFiles = Annotated[list[Path], typer.Argument(help="RINEX 2/3/4 navigation files (plain, .gz, .Z).",
                                                exists=False)]
OptionalNavFiles = Annotated[Optional[list[Path]], typer.Argument(
    help="RINEX 2/3/4 navigation files (plain, .gz, .Z); optional with --date.", exists=False)]
ConfigOption = Annotated[Optional[list[str]], typer.Option(
    "--config", help="Receiver configurations (repeatable): e.g. C, R, C+R, C+R/interop, G+E, "
                     "C+R+G+E. Default: C, R, C+R and C+R/interop when the broadcast BDGL "
                     "offset is in the files.")]
ReceiverOption = Annotated[Optional[str], typer.Option(
    "--receiver", help="Receiver profile (preset name, see 'gnss-interop receivers'); default "
                       "dual-bds3-glo (BDS-3 B1C/B2a + GLONASS G1/G2).")]
DateOption = Annotated[Optional[str], typer.Option(
    "--date", help="Also use the IGS daily broadcast file of this day (YYYY-MM-DD), from the "
                   "cache or fetched ($GNSS_INTEROP_SOURCE, default bkg; see 'fetch').")]


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


def _systems(letters: list[str]):
    """--system letters as systems."""
    from gnss_interop.systems import System

    try:
        return list(dict.fromkeys(System.from_letter(s.strip().upper()) for s in letters))
    except ValueError as exc:
        _fail(f"--system: {exc}")


def _load(nav: list[Path], systems=None):
    from gnss_interop.ephemerides.store import load_ephemerides

    try:
        return load_ephemerides(nav, systems)
    except GnssInputError as exc:
        _fail(str(exc))


@app.command()
def orbits(
    nav: OptionalNavFiles = None,
    *,
    start: Annotated[str, typer.Option(help="First epoch, ISO 8601, GPST.")],
    end: Annotated[str, typer.Option(help="Last epoch (inclusive), ISO 8601, GPST.")],
    step: Annotated[float, typer.Option(help="Step [s].")] = 30.0,
    out: Annotated[Path, typer.Option(help="Output: .csv (time_gpst,sv,x_m,y_m,z_m) or .nc.")] =
        Path("orbits.csv"),
    sv: Annotated[Optional[list[str]], typer.Option(help="Only these satellites (repeatable).")] = None,
    system: Annotated[Optional[list[str]], typer.Option(
        help="Systems by RINEX letter (repeatable): C BeiDou, R GLONASS, G GPS, E Galileo. "
             "Default: C and R.")] = None,
    date: DateOption = None,
) -> None:
    """Earth-fixed satellite positions of every BeiDou and GLONASS satellite (or --system)."""
    from gnss_interop.systems import PRIMARY_SYSTEMS

    _setup_warnings()
    systems = _systems(system) if system else list(PRIMARY_SYSTEMS)
    nav = _nav_or_date(nav, date)
    eph = _load(nav, None if sv else systems)
    times = _time_grid(start, end, step)
    try:
        pos = eph.positions(times, svs=sv if sv else eph.svs_of(systems))
    except ValueError as exc:
        _fail(str(exc))
    suffix = out.suffix.lower()
    if suffix == ".nc":
        from gnss_interop.output.netcdf import write_netcdf

        ds = pos.to_dataset()
        ds["time"].attrs.update(long_name="epoch (GPST, not UTC)", time_system="GPST")
        ds["sv"].attrs.update(long_name="satellite (RINEX system letter and number)")
        ds["xyz"].attrs.update(long_name="Earth-fixed Cartesian axis")
        ds.attrs.update(Conventions="CF-1.11",
                        title="Earth-fixed satellite positions from broadcast ephemerides",
                        source="; ".join(eph.sources),
                        history=f"gnss-interop orbits {' '.join(sys.argv[1:])}")
        write_netcdf(ds, out, float32=False)   # positions in metres need float64
    elif suffix == ".csv":
        t_str = np.datetime_as_string(pos["time"].values, unit="ms")
        svs = pos["sv"].values
        xyz = pos.values
        with atomic_path(out) as tmp:
            with open(tmp, "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["time_gpst", "sv", "x_m", "y_m", "z_m"])
                for i, ts in enumerate(t_str):
                    for j, s in enumerate(svs):
                        x, y, z = xyz[i, j]
                        if np.isfinite(x):
                            w.writerow([ts, s, f"{x:.3f}", f"{y:.3f}", f"{z:.3f}"])
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
    system: Annotated[Optional[list[str]], typer.Option(
        help="Systems by RINEX letter (repeatable): C, R, G, E. Default: every system in "
             "the files.")] = None,
    outlier_m: Annotated[float, typer.Option(
        "--outlier-m", help="Satellites whose broadcast-precise 3-D RMS exceeds this [m] are "
                            "listed as outliers and left out of the class and generation "
                            "statistics.")] = VALIDATE_OUTLIER_M,
    clock_datum: Annotated[str, typer.Option(
        "--clock-datum", help="Group whose per-epoch mean clock offset is removed: 'system' "
                              "or 'generation' (each generation its own datum where it has "
                              "3 satellites at the epoch, else the system's; the default, as sisre_m is "
                              "per generation).")] = "generation",
) -> None:
    """Broadcast vs precise (SP3) orbits and clocks: radial/along/cross, 3-D RMS, orbit-only
    and full SISRE per satellite, class and generation; the profile's sisre_m line."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from gnss_interop.ephemerides.validate import sisre, sisre_summary, sisre_toml
    from gnss_interop.reading.sp3 import read_sp3

    _setup_warnings()
    if clock_datum not in ("system", "generation"):
        _fail(f"--clock-datum must be 'system' or 'generation', got {clock_datum!r}")
    if not outlier_m > 0:
        _fail(f"--outlier-m must be positive, got {outlier_m}")
    eph = _load(nav, _systems(system) if system else None)
    try:
        precise = read_sp3(sp3)
        ds = sisre(eph, precise, outlier_m=outlier_m, clock_datum=clock_datum)
    except GnssInputError as exc:
        _fail(str(exc))
    # wide enough for the per-satellite table when the output is not a terminal
    con = Console(highlight=False, width=None if sys.stdout.isatty() else 200)

    def say(text: str = "", **kw) -> None:
        con.print(text, markup=False, soft_wrap=True, **kw)

    def f(x: float, fmt: str = ".3f") -> str:
        # round first so that a mean of -1e-17 prints 0.000, not -0.000
        return format(round(float(x), 3) + 0.0, fmt) if np.isfinite(x) else "-"

    a = ds.attrs
    say(f"broadcast: {', '.join(eph.sources)}")
    say(f"precise:   {sp3} (frame {precise.frame})")
    say(f"epochs:    {a['time_start_gpst']} .. {a['time_end_gpst']} GPST, every SP3 epoch "
              f"inside a broadcast validity window")
    say(f"velocity:  {a['velocity']}; RAC frame from the SP3 orbit, inertial velocity")
    say(f"weights:   {a['weights_source']}")
    say(f"SISRE:     {a['formula']}; datum: {a['datum']}")
    say()

    cols = ["rms_3d_m", "max_3d_m", "rms_r_m", "rms_a_m", "rms_c_m", "mean_r_m", "sisre_orb_m",
            "sisre_m", "clk_off_m"]
    keys = ["rms_3d_m", "max_3d_m", "rms_radial_m", "rms_along_m", "rms_cross_m",
            "mean_radial_m", "sisre_orbit_m", "sisre_m", "mean_clock_residual_m"]

    def table(title: str, head: list[str]) -> Table:
        t = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
        for k, h in enumerate(head + cols):
            t.add_column(h, justify="left" if k < 2 else "right", no_wrap=True)
        return t

    for by, title, first in (("class", "per system and orbit class", "type"),
                             ("generation", "per system and generation", "generation")):
        s = sisre_summary(ds, by)
        t = table(f"{title} (outliers left out)", ["system", first, "sats", "epochs"])
        for g in range(s.sizes["group"]):
            key = "orbit_class" if by == "class" else "generation"
            t.add_row(str(s["system"].values[g]), str(s[key].values[g]),
                      str(int(s["n_sv"].values[g])), str(int(s["n_epochs"].values[g])),
                      *(f(s[k].values[g]) for k in keys))
        con.print(t)
    if per_satellite:
        t = table("per satellite", ["sv", "generation", "type", "epochs"])
        for j in range(ds.sizes["sv"]):
            row = [str(ds["sv"].values[j]), str(ds["generation"].values[j]),
                   str(ds["orbit_class"].values[j]), str(int(ds["n_epochs"].values[j])),
                   *(f(ds[k].values[j]) for k in keys)]
            t.add_row(*row, style="bold red" if ds["outlier"].values[j] else None)
        con.print(t)
        say("clk_off_m: the satellite's mean of w_R*R - c*dt - datum (a constant range "
                  "offset), part of its SISRE")
    out = ds["sv"].values[ds["outlier"].values].tolist()
    if out:
        say(f"outliers (3-D RMS > {outlier_m:g} m, left out of the class and generation "
                  f"statistics and of the clock datum):")
        for sv in out:
            j = ds["sv"].values.tolist().index(sv)
            say(f"  {sv} {ds['generation'].values[j]} {ds['orbit_class'].values[j]}: "
                      f"3-D RMS {f(ds['rms_3d_m'].values[j], '.1f')} m, max "
                      f"{f(ds['max_3d_m'].values[j], '.1f')} m over "
                      f"{int(ds['n_epochs'].values[j])} epochs")
    else:
        say(f"outliers (3-D RMS > {outlier_m:g} m): none")
    say()
    say("clocks: " + a["clock_notes"].replace(" | ", "\n        "))
    gen = sisre_summary(ds, "generation")
    off = [(str(gen["system"].values[g]), str(gen["generation"].values[g]),
            float(gen["mean_clock_residual_m"].values[g])) for g in range(gen.sizes["group"])
           if np.isfinite(gen["mean_clock_residual_m"].values[g])
           and gen["n_sv"].values[g] >= 3 and abs(gen["mean_clock_residual_m"].values[g]) > 1.0]
    if off:
        say(f"warning: mean clock offset against the {clock_datum} datum above 1 m for "
                  + ", ".join(f"{s} {g} {v:+.2f} m" for s, g, v in off)
                  + ": the full SISRE of these generations is dominated by a constant offset "
                    "between their broadcast and precise clocks (inter-generation datum or "
                    "reference-signal bias, not resolved here)"
                  + ("; --clock-datum generation gives each generation its own datum"
                     if clock_datum == "system" else ""), style="yellow")
    say()
    say("receiver profile, measured on these files (paste into a scenario's [receiver] "
              "table):")
    say(sisre_toml(ds))
    say()
    if eph.excluded:
        say(f"excluded by sanity screening ({len(eph.excluded)}; not in any statistics):")
        for e in eph.excluded:
            say(f"  {e.describe()}")
    else:
        say("excluded by sanity screening: none")
    if eph.unverified:
        say(f"unverified (no other record or slot to cross-check; used) "
            f"({len(eph.unverified)}):")
        for e in eph.unverified:
            say(f"  {e.describe()}")
    else:
        say("unverified records: none")
    if eph.unusable_svs:
        say(f"no healthy record: {', '.join(eph.unusable_svs)}")


@app.command()
def almanac(
    out: Annotated[Path, typer.Option(help="Output RINEX 4 file (.rnx or .rnx.gz).")] =
        Path("nominal_bds3_glonass.rnx.gz"),
    day: Annotated[str, typer.Option(help="GPST day the file covers (YYYY-MM-DD).")] = "2024-01-01",
) -> None:
    """Write the nominal BDS-3 + GLONASS constellations as a RINEX 4 navigation file."""
    from gnss_interop.ephemerides.nominal import write_nominal_rinex

    try:
        np.datetime64(day, "D")
    except ValueError:
        _fail(f"--day must be YYYY-MM-DD, got {day!r}")
    typer.echo(f"wrote {write_nominal_rinex(out, day=day)}")


@app.command()
def run(
    scenario: Annotated[Optional[Path], typer.Argument(
        help="Scenario file (TOML). Default: the built-in scenarios on the shipped nominal "
             "almanac (almanacs/default_scenarios.toml).")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("maps"),
    overwrite: Annotated[bool, typer.Option(help="Replace another run's results in --out.")] = False,
    pdf: Annotated[bool, typer.Option(help="Also write maps as PDF.")] = False,
    svg: Annotated[bool, typer.Option(help="Also write maps as SVG.")] = False,
    only: Annotated[Optional[list[str]], typer.Option(help="Run only these scenarios.")] = None,
    workers: Annotated[Optional[int], typer.Option(help="Local dask.distributed workers.")] = None,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of a dask scheduler.")] = None,
    receiver: Annotated[Optional[str], typer.Option(
        "--receiver", help="Receiver profile preset; overrides the scenario file's [receiver] "
                           "(see 'gnss-interop receivers').")] = None,
) -> None:
    """Run denial scenarios: maps, grids (NetCDF, GeoTIFF), tables and an HTML report."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from gnss_interop.output.job import run_job
    from gnss_interop.resources import DEFAULT_SCENARIO_FILE
    from gnss_interop.scenarios import load_scenario_file

    _setup_warnings()
    path = DEFAULT_SCENARIO_FILE if scenario is None else scenario
    try:
        spec, base_dir = load_scenario_file(path)
    except GnssInputError as exc:
        _fail(str(exc))
    if only:
        unknown = sorted(set(only) - {s.name for s in spec.scenario})
        if unknown:
            _fail(f"--only: no scenario named {', '.join(unknown)} in {path}")
        spec = spec.model_copy(update={"scenario": [s for s in spec.scenario if s.name in only]})
    if receiver is not None:
        spec = spec.model_copy(update={"receiver": _receiver(receiver).name})
    formats = ["png"] + (["pdf"] if pdf else []) + (["svg"] if svg else [])
    typer.echo(f"{spec.title}: {len(spec.scenario)} scenario(s) from {path}")
    from gnss_interop.scenarios.estimate import estimate_job

    typer.echo(f"estimate: {estimate_job(spec).describe()}, plus the maps and the report")
    n_files = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(f"coverage {label}", total=total)
            bar.update(tasks[label], completed=done)

        files_task = bar.add_task("writing maps, grids, tables", total=None)

        def on_file(p: Path) -> None:
            nonlocal n_files
            n_files += 1
            bar.update(files_task, advance=1)

        try:
            result = run_job(spec, base_dir, out, overwrite=overwrite, formats=formats,
                             workers=workers, scheduler=scheduler, progress=progress, on_file=on_file)
        except GnssInputError as exc:
            _fail(str(exc))
    typer.echo(f"wrote {n_files} files under {result.out_dir}/; report: {result.report}")
    if result.results:
        _echo_headline(result.results, result.out_dir / "headline.md")


def _echo_headline(results, md_path: Path) -> None:
    """Print the headline table (scenarios compared in metres) as the report opens with it."""
    from rich.console import Console
    from rich.table import Table

    from gnss_interop.scenarios.summaries import headline_table

    table = headline_table(results)
    out = Table(title=table.caption, title_justify="left", show_lines=False)
    numeric = set(table.numeric_headers)
    for c in table.columns:
        out.add_column(c.header, justify="right" if c.header in numeric else "left",
                       overflow="fold")
    for row in table.display_rows():
        out.add_row(*(row[c.header] for c in table.columns))
    console = Console(width=max(Console().width, 150))
    console.print(out)
    typer.echo(f"definitions of the columns: {md_path}")


@app.command()
def receivers() -> None:
    """List the receiver profiles (presets): the signals each tracks per system."""
    from gnss_interop.receivers import DEFAULT_RECEIVER, PRESETS
    from gnss_interop.systems import PRIMARY_SYSTEMS

    width = max(len(n) for n in PRESETS)
    for name, p in PRESETS.items():
        mark = " (default)" if p is DEFAULT_RECEIVER else ""
        sig = "; ".join(p.tracks(s).describe() for s in PRIMARY_SYSTEMS)
        typer.echo(f"{name:{width}}  {sig}{mark}")


def _receiver(name: Optional[str]):
    from gnss_interop.receivers import receiver_profile

    try:
        return receiver_profile(name)
    except ValueError as exc:
        _fail(f"--receiver: {exc}")


def main() -> None:  # pragma: no cover - console entry point alternative
    app()


# --- coverage commands (gnss_interop.coverage) ------------------------------------------------------

def _coverage_times(eph, systems, start: Optional[str], end: Optional[str], step: float
                    ) -> np.ndarray:
    """Epochs from --start/--end (GPST), defaulting to the usable span of ``systems`` on the
    files' main day(s) (:meth:`Ephemerides.default_span`)."""
    try:
        lo, hi = eph.default_span(systems)
    except GnssInputError as exc:
        _fail(str(exc))
    t0 = start if start is not None else str(lo.astype("datetime64[m]") + np.timedelta64(1, "m")
                                             if lo != lo.astype("datetime64[m]") else lo)
    t1 = end if end is not None else str(hi.astype("datetime64[m]"))
    return _time_grid(str(t0), str(t1), step)


def _parse_configurations(names: Optional[list[str]]):
    """--config names (case of the letters ignored, repeats dropped); default: C, R, C+R and
    C+R/interop."""
    from gnss_interop.coverage.configs import Configuration, combinations

    if not names:
        return list(combinations())
    wanted: list = []
    for name in names:
        base, slash, suffix = name.strip().partition("/")
        try:
            cfg = Configuration.parse(base.upper() + slash + suffix.lower())
        except ValueError as exc:
            _fail(f"--config {name!r}: {exc}")
        if cfg not in wanted:
            wanted.append(cfg)
    return wanted


def _configurations(eph, wanted):
    """The wanted configurations whose systems the files hold and whose time offsets they
    provide (a warning names those left out for want of an offset)."""
    from gnss_interop.coverage.configs import usable_configurations

    absent = sorted({s.display_name for cfg in wanted for s in cfg.systems} -
                    {s.display_name for s in eph.systems})
    if absent:
        _fail(f"--config: no usable {', '.join(absent)} ephemeris in {', '.join(eph.sources)}")
    configs = usable_configurations(wanted, interop_offset_available=eph.has_time_offset)
    if not configs:
        _fail("--config: no usable configuration left")
    return configs


def _coverage_mask(mask: float, horizon: Optional[str]):
    from gnss_interop.coverage.masks import ElevationMask

    try:
        if horizon:
            pairs = [tuple(float(v) for v in item.split(":")) for item in horizon.split(",")]
            return ElevationMask.from_pairs(pairs, mask)
        return ElevationMask(mask)
    except ValueError as exc:
        _fail(f"--mask/--horizon: {exc} (horizon format: 'az:el,az:el,...' in degrees)")


@app.command()
def grid(
    nav: OptionalNavFiles = None,
    start: Annotated[Optional[str], typer.Option(help="First epoch, ISO 8601, GPST "
                                                      "(default: start of the ephemerides).")] = None,
    end: Annotated[Optional[str], typer.Option(help="Last epoch (inclusive), ISO 8601, GPST.")] = None,
    step: Annotated[float, typer.Option(help="Time step [s].")] = 60.0,
    resolution: Annotated[float, typer.Option(help="Grid spacing [deg] (nodes; 1 deg global "
                                                   "= 181 x 360 points).")] = 1.0,
    mask: Annotated[float, typer.Option(help="Elevation mask [deg].")] = 5.0,
    horizon: Annotated[Optional[str], typer.Option(
        help="Azimuth-dependent horizon 'az:el,az:el,...' [deg]; the effective mask is "
             "max(--mask, horizon).")] = None,
    pdop_max: Annotated[float, typer.Option(help="PDOP threshold of the availability.")] = 6.0,
    height: Annotated[float, typer.Option(help="Height above the WGS 84 ellipsoid [m].")] = 0.0,
    bbox: Annotated[Optional[str], typer.Option(help="Box 'west,south,east,north' [deg] "
                                                     "(default: global).")] = None,
    keep_time: Annotated[bool, typer.Option(help="Also keep per-epoch values (small grids).")] = False,
    workers: Annotated[Optional[int], typer.Option(help="Local dask.distributed workers.")] = None,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of a dask scheduler.")] = None,
    out: Annotated[Path, typer.Option(help="Output: .nc (CF NetCDF, every layer) or .tif/.tiff "
                                           "(GeoTIFF of --layer, one band per configuration).")
                   ] = Path("grid.nc"),
    layer: Annotated[Optional[str], typer.Option(
        help="With a GeoTIFF --out: the layer written (default availability; e.g. pdop_mean, "
             "hacc95_p95, vacc95_p95, accuracy_availability, nsat_mean).")] = None,
    config: ConfigOption = None,
    date: DateOption = None,
    receiver: ReceiverOption = None,
    days: Annotated[Optional[int], typer.Option(
        min=2, help="Cover N whole GPST days from --start (or the files' first day) and add "
                    "the per-day availability with its min/max/spread per point.")] = None,
    spread_map: Annotated[Optional[Path], typer.Option(
        help="With --days: a PNG map of the daily availability spread per configuration "
             "('CFG' in the name is replaced by each configuration).")] = None,
) -> None:
    """Visibility, DOP, availability and expected accuracy over a grid (C, R, C+R, C+R/interop)."""
    from rich.progress import Progress

    from gnss_interop.coverage.configs import systems_of
    from gnss_interop.coverage import compute_grid
    from gnss_interop.output.netcdf import write_netcdf
    from gnss_interop.errors import CoverageError
    from gnss_interop.coverage.grid import GridSpec

    _setup_warnings()
    out_format = _grid_out_format(out)
    if out_format == "GeoTIFF":
        layer = _geotiff_layer(layer or "availability")
        if keep_time:
            _fail("--keep-time adds per-epoch values, which only a NetCDF --out (.nc) holds")
    elif layer is not None:
        _fail(f"--layer chooses the layer of a GeoTIFF --out (.tif); {out.name} is a NetCDF "
              f"file and holds every layer")
    profile = _receiver(receiver)
    nav = _nav_or_date(nav, date, days or 1)
    wanted = _parse_configurations(config)
    eph = _load(nav, systems_of(wanted))
    configs = _configurations(eph, wanted)
    systems = systems_of(configs)
    start, end = _date_span(date, start, end)
    if days is not None:
        first = np.datetime64(start, "D") if start else eph.default_span(systems)[0].astype(
            "datetime64[D]")
        start = str(first.astype("datetime64[s]"))
        end = str((first + np.timedelta64(days, "D")).astype("datetime64[s]")
                  - np.timedelta64(int(step), "s"))
    times = _coverage_times(eph, systems, start, end, step)
    elev = _coverage_mask(mask, horizon)
    try:
        if bbox:
            w, s, e, n = (float(v) for v in bbox.split(","))
            spec = GridSpec.from_bbox(w, s, e, n, resolution, height_m=height)
        else:
            spec = GridSpec.global_grid(resolution, height_m=height)
    except ValueError as exc:
        _fail(f"--bbox/--resolution: {exc}")
    pos = eph.positions(times, svs=eph.svs_of(systems))
    typer.echo(f"{spec.describe()}; {times.size} epochs {str(times[0])[:19]} .. "
               f"{str(times[-1])[:19]} GPST; configurations {', '.join(c.name for c in configs)}")
    try:
        with Progress(transient=True) as bar:
            task = bar.add_task("coverage", total=None)
            ds = compute_grid(pos, spec, mask=elev, configs=configs, pdop_max=pdop_max,
                              keep_time=keep_time, workers=workers, scheduler=scheduler,
                              progress=lambda d, t: bar.update(task, completed=d, total=t),
                              input_files=[str(p) for p in nav], receiver=profile,
                              catalogue=eph.catalogue())
        if days is not None:
            from gnss_interop.coverage.days import daily_spread

            spread = daily_spread(pos, spec, mask=elev, configs=configs, pdop_max=pdop_max,
                                  receiver=profile, catalogue=eph.catalogue())
            ds = ds.assign_coords(day=spread.day)
            for name in spread.data_vars:
                ds[name] = spread[name]
            ds.attrs.update(spread.attrs)
    except (CoverageError, ValueError) as exc:
        _fail(str(exc))
    if out_format == "GeoTIFF":
        _write_grid_geotiff(ds, layer, out)
        typer.echo(f"wrote {out} (GeoTIFF of {layer}, bands: "
                   f"{', '.join(map(str, ds['config'].values))})")
    else:
        write_netcdf(ds, out)
        typer.echo(f"wrote {out}")
    _report_gaps(ds, nav)
    if days is not None:
        _report_days(ds, spread_map)
    typer.echo(f"receiver profile {ds.attrs['receiver_description']}")
    typer.echo(f"excluded satellites: {ds.attrs['excluded_satellites']}")
    width = max(12, *(len(str(c)) for c in ds["config"].values))
    for c in ds["config"].values:
        sub = ds.sel(config=c)
        typer.echo(f"  {str(c):{width}} mean visible {float(sub.nsat_mean.mean()):5.1f}  "
                   f"mean PDOP {float(sub.pdop_mean.mean()):5.2f}  availability "
                   f"{100 * float(sub.availability.mean()):7.3f} % (PDOP <= {pdop_max:g})  "
                   f"median H95 (p95 over time) {float(sub.hacc95_p95.median()):6.2f} m  "
                   f"accuracy availability {100 * float(sub.accuracy_availability.mean()):7.3f} % "
                   f"({ds.attrs['accuracy_limit']}); grid means")


@app.command()
def site(
    nav: OptionalNavFiles = None,
    *,
    lat: Annotated[float, typer.Option(help="Geodetic latitude [deg].")],
    lon: Annotated[float, typer.Option(help="Longitude [deg].")],
    height: Annotated[float, typer.Option(help="Height above the WGS 84 ellipsoid [m].")] = 0.0,
    start: Annotated[Optional[str], typer.Option(help="First epoch, ISO 8601, GPST.")] = None,
    end: Annotated[Optional[str], typer.Option(help="Last epoch (inclusive), ISO 8601, GPST.")] = None,
    step: Annotated[float, typer.Option(help="Time step [s].")] = 60.0,
    mask: Annotated[float, typer.Option(help="Elevation mask [deg].")] = 5.0,
    horizon: Annotated[Optional[str], typer.Option(
        help="Azimuth-dependent horizon 'az:el,az:el,...' [deg].")] = None,
    pdop_max: Annotated[float, typer.Option(help="PDOP threshold of the availability.")] = 6.0,
    out: Annotated[Path, typer.Option(help="Output CSV: time_gpst,config,nsat,gdop,pdop,hdop,"
                                           "vdop,tdop.")] = Path("dop.csv"),
    skyplot: Annotated[Optional[Path], typer.Option("--skyplot", help="Also write a sky plot "
                                                                       "(PNG).")] = None,
    config: ConfigOption = None,
    date: DateOption = None,
    receiver: ReceiverOption = None,
) -> None:
    """Per-epoch visible satellites, DOPs and expected accuracy at one site, per configuration."""
    from gnss_interop.coverage.configs import systems_of
    from gnss_interop.coverage import compute_site
    from gnss_interop.output.tables import site_to_csv
    from gnss_interop.errors import CoverageError

    _setup_warnings()
    profile = _receiver(receiver)
    if not (-90.0 <= lat <= 90.0):
        _fail(f"--lat must lie within [-90, 90], got {lat}")
    nav = _nav_or_date(nav, date)
    wanted = _parse_configurations(config)
    eph = _load(nav, systems_of(wanted))
    configs = _configurations(eph, wanted)
    systems = systems_of(configs)
    start, end = _date_span(date, start, end)
    times = _coverage_times(eph, systems, start, end, step)
    elev = _coverage_mask(mask, horizon)
    pos = eph.positions(times, svs=eph.svs_of(systems))
    try:
        ds = compute_site(pos, lat, lon, height, mask=elev, configs=configs, pdop_max=pdop_max,
                          receiver=profile, catalogue=eph.catalogue())
    except (CoverageError, ValueError) as exc:
        _fail(str(exc))
    site_to_csv(ds, out)
    typer.echo(f"wrote {out}")
    if skyplot is not None:
        from gnss_interop.output.skyplot import skyplot as draw

        typer.echo(f"wrote {draw(ds, skyplot)}")
    _report_gaps(ds, nav)
    width = max(12, *(len(str(c)) for c in ds["config"].values))
    for c in ds["config"].values:
        sub = ds.sel(config=c)
        counted = ~sub["data_gap"].values
        pd_ = sub["pdop"].values[counted]
        fin = pd_[np.isfinite(pd_)]
        h95 = sub["hacc95"].values[counted]
        v95 = sub["vacc95"].values[counted]
        nsat = sub["nsat"].values[counted]
        if not counted.any():
            typer.echo(f"  {str(c):{width}} data gap at every epoch")
            continue
        gap = f"  data gap {100 * (1 - counted.mean()):.2f} %" if not counted.all() else ""
        typer.echo(f"  {str(c):{width}} visible {int(nsat.min())}-{int(nsat.max())}  "
                   f"PDOP {fin.min() if fin.size else float('inf'):.2f}-"
                   f"{fin.max() if fin.size else float('inf'):.2f}  available "
                   f"{100 * float(sub.available.values[counted].mean()):.2f} %  H95 median "
                   f"{np.median(h95):.2f} m  V95 median {np.median(v95):.2f} m{gap}")
    typer.echo(f"receiver profile {ds.attrs['receiver_description']}")


#: What ``grid --out`` writes, by suffix (case ignored); anything else is refused.
GRID_OUT_FORMATS = {".nc": "NetCDF", ".tif": "GeoTIFF", ".tiff": "GeoTIFF"}


def _grid_out_format(out: Path) -> str:
    """"NetCDF" or "GeoTIFF" from the suffix of ``grid --out``; exit 2 for any other."""
    fmt = GRID_OUT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        _fail(f"--out {out.name!r}: use a .nc (NetCDF) or .tif/.tiff (GeoTIFF) file name; "
              f"other suffixes are not written")
    return fmt


def _geotiff_layer(name: str) -> str:
    """A ``--layer`` that is one (lat, lon) field per configuration (catalogue checked)."""
    from gnss_interop.variables import ACCURACY_NAMES, DOP_NAMES, lookup, variables_with

    per_epoch = {"nsat", *DOP_NAMES, *ACCURACY_NAMES}
    entry = lookup(name)
    if entry is None or not entry.per_config or name in per_epoch:
        choices = ", ".join(v.name for v in variables_with("geotiff") if v.per_config)
        _fail(f"--layer {name!r} is not a per-configuration layer of the grid; e.g. {choices} "
              f"(or any <dop>_<mean|p95|max>, nsat_min, nsat_max, solution_fraction)")
    return name


def _write_grid_geotiff(ds, layer: str, out: Path) -> None:
    """One band per configuration of ``layer``, provenance in the tags."""
    from gnss_interop.output.geotiff import to_geotiff

    if layer not in ds or set(ds[layer].dims) != {"config", "lat", "lon"}:
        _fail(f"--layer {layer}: the grid has no (config, lat, lon) layer of that name "
              f"(accuracy layers need the receiver profile's accuracy run)")
    keys = ("title", "source", "input_files", "time_start_gpst", "time_end_gpst",
            "time_step_s", "n_epochs", "mask", "pdop_max", "grid", "receiver_description",
            "accuracy_limit", "excluded_satellites", "data_gaps")
    tags = {k: ds.attrs[k] for k in keys if k in ds.attrs}
    try:
        to_geotiff(ds[layer], out, bands="config", tags=tags,
                   registration=ds.attrs.get("grid_registration"))
    except ValueError as exc:
        _fail(f"--out {out.name}: {exc}")


def _report_days(ds, spread_map: Optional[Path]) -> None:
    """Per configuration: how far daily availability moves, and where it crosses 99 %."""
    w = np.cos(np.radians(ds["lat"].values))[:, None] * np.ones(ds.sizes["lon"])
    typer.echo(f"days: {', '.join(str(d)[:10] for d in ds['day'].values)}; data-gap days: "
               f"{ds.attrs['daily_gap_days']}")
    for c in ds["config"].values:
        sub = ds.sel(config=c)
        lo, hi = sub["availability_day_min"].values, sub["availability_day_max"].values
        ok = np.isfinite(lo)
        if not ok.any():
            typer.echo(f"  {c}: no day with data")
            continue
        cross = ok & (lo < 0.99) & (hi >= 0.99)
        typer.echo(f"  {c}: {int(sub['n_days'])} days with data; daily availability spread "
                   f"mean {100 * np.average(hi[ok] - lo[ok], weights=w[ok]):.2f} pp, max "
                   f"{100 * np.max(hi[ok] - lo[ok]):.2f} pp; crosses 99 % on "
                   f"{100 * w[cross].sum() / w[ok].sum():.1f} % of the area")
    if spread_map is not None:
        import matplotlib.pyplot as plt

        from gnss_interop.output.maps import plot_layer

        counted = ", ".join(str(d)[:10] for d in ds["day"].values)
        for c in ds["config"].values:
            path = Path(str(spread_map).replace("CFG", str(c).replace("/", "-")))
            gaps = [g.split(":")[0] for g in ds.attrs["daily_gap_days"].split("; ")
                    if g.endswith("every configuration") or f": {c} (" in g]
            days_txt = ", ".join(d for d in counted.split(", ") if d not in gaps)
            title = (f"Daily PDOP availability spread, {c}: days {days_txt}"
                     + (f" ({', '.join(gaps)}: data gap, left out)" if gaps else ""))
            fig = plot_layer(ds, "availability_day_spread", str(c), title=title)
            fig.savefig(path, dpi=120)
            plt.close(fig)
            typer.echo(f"wrote {path}")


def _report_gaps(ds, nav) -> None:
    """Name the data gaps (left out of the statistics) and the files that would close them."""
    gaps = ds.attrs.get("data_gaps", "none")
    if gaps == "none":
        return
    from gnss_interop.reading.fetch import neighbour_files

    hint = ""
    names = [n for f in (nav or []) if (n := neighbour_files(f))]
    if names:
        hint = ("; the neighbouring days' files would close gaps at the ends of the span: "
                + ", ".join(f"{a} (before), {b} (after)" for a, b in names))
    typer.secho(f"note: data gaps, not counted as loss of service: {gaps}{hint}",
                fg=typer.colors.YELLOW, err=True)


# --- fetch (gnss_interop.reading.fetch) ----------------------------------------------------------

class _EchoLogHandler(logging.Handler):
    """Retries and fallbacks of gnss_interop.reading.fetch, as notes on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.secho(f"note: {record.getMessage()}", fg=typer.colors.YELLOW, err=True)


def _echo_fetch_log() -> None:
    logger = logging.getLogger("gnss_interop.reading.fetch")
    if not any(isinstance(h, _EchoLogHandler) for h in logger.handlers):
        logger.addHandler(_EchoLogHandler(level=logging.WARNING))


def _nav_or_date(nav: Optional[list[Path]], date: Optional[str], days: int = 1) -> list[Path]:
    """NAV files plus, with --date, the IGS broadcast files of that day and the ``days - 1``
    after it (cache first, then fetched) and of the day before, whose last records cover
    the first epochs (daily merged files start GLONASS at 00:15). Without the previous day,
    00:00 is a reported data gap."""
    import datetime as dt
    import os

    from gnss_interop.reading.fetch import SOURCE_ENV, fetch, parse_date

    paths = list(nav or [])
    if date is not None:
        _echo_fetch_log()
        source = os.environ.get(SOURCE_ENV) or "bkg"
        try:
            day = parse_date(date)
            for k in range(max(days, 1)):
                paths.append(fetch(day + dt.timedelta(days=k), source=source))
        except GnssInputError as exc:
            _fail(str(exc))
        try:
            paths.insert(len(paths) - max(days, 1), fetch(day - dt.timedelta(days=1),
                                                         source=source))
        except GnssInputError as exc:
            typer.secho(f"note: the previous day's file is not available ({exc}); epochs "
                        f"it would cover are reported as data gaps", fg=typer.colors.YELLOW,
                        err=True)
    if not paths:
        _fail("give navigation files (NAV...) or --date YYYY-MM-DD (an IGS daily broadcast file)")
    return paths


def _date_span(date: Optional[str], start: Optional[str], end: Optional[str]
               ) -> tuple[Optional[str], Optional[str]]:
    """With --date and no --start/--end: that GPST day, 00:00 to 24:00."""
    if date is None:
        return start, end
    from gnss_interop.reading.fetch import parse_date

    day = np.datetime64(parse_date(date).isoformat(), "s")
    return (start or str(day), end or str(day + np.timedelta64(1, "D")))


@app.command("fetch")
def fetch_command(
    date: Annotated[str, typer.Argument(help="Day: YYYY-MM-DD, YYYY-DDD, 'today' or 'yesterday' "
                                             "(UTC).")],
    source: Annotated[str, typer.Option(envvar="GNSS_INTEROP_SOURCE",
                                        help="Archive: 'bkg' (anonymous HTTPS), 'cddis' (Earthdata "
                                             "login in ~/.netrc) or a folder URL with {yyyy} "
                                             "{ddd} {yy}.")] = "bkg",
    product: Annotated[Optional[str], typer.Option(
        help="BRD400DLR_S, BRDC00IGS_R, BRDM00DLR_S or BRDC00WRD_S (default: RINEX 4 first, "
             "then RINEX 3).")] = None,
    cache: Annotated[Optional[Path], typer.Option(
        help="Cache folder (default: $GNSS_INTEROP_CACHE or the platform cache folder).")] = None,
    offline: Annotated[bool, typer.Option(help="Use only the cache; never connect.")] = False,
    timeout: Annotated[float, typer.Option(help="Per-request timeout [s].")] = 60.0,
    retries: Annotated[int, typer.Option(help="Extra attempts after a timeout, 5xx or "
                                              "connection error.")] = 3,
    days: Annotated[int, typer.Option(min=1, max=366, help="Fetch this many consecutive days "
                                                           "from DATE on.")] = 1,
) -> None:
    """Download IGS daily merged broadcast navigation files into the cache; print their
    paths (one per line, in date order)."""
    import datetime as dt

    from gnss_interop.reading.fetch import fetch, parse_date

    _echo_fetch_log()
    try:
        first = parse_date(date)
        for k in range(days):
            typer.echo(str(fetch(first + dt.timedelta(days=k), source=source,
                                 product=product, cache_dir=cache, offline=offline,
                                 timeout_s=timeout, retries=retries)))
    except GnssInputError as exc:
        _fail(str(exc))
