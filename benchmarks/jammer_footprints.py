"""Jammer footprint radius against EIRP, jammer height and receiver height (README table, plot).

For the signals B1I, B1C, B2a and G1: a jammer on the signal's RF band with the whole EIRP in
it (0.1, 1, 10, 100, 1000 W), at 2, 10 or 30 m above the ground, against a receiver on a
ground grid (0 m, taken as a 1.5 m antenna, so the 0 m and 1.5 m rows are the same) or in an
aircraft at 10 km; the default J/S tolerances (Kaplan & Hegarty, 38/35/45/32 dB), 0 dBi
receiver antenna, the smooth-Earth model of ``gnss_interop.scenarios.propagation``. Also the
old model (free space capped at 4.12·(√h_tx + √h_rx) km with the receiver at 0 m) for
comparison, and the GPS L1 C/A radii for the published figures the README compares with.

Run: ``python benchmarks/jammer_footprints.py [--png benchmarks/jammer_footprints.png]``
(prints Markdown; the PNG needs matplotlib).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gnss_interop.scenarios import propagation  # noqa: E402
from gnss_interop.scenarios.jammer import (  # noqa: E402
    Band,
    Jammer,
    free_space_range_km,
    js_tolerance_db,
    km_text,
    radio_horizon_km,
)

SIGNALS = ("B1I", "B1C", "B2A", "G1")
EIRP_W = (0.1, 1.0, 10.0, 100.0, 1000.0)
JAMMER_HEIGHTS_M = (2.0, 10.0, 30.0)
RECEIVER_HEIGHTS_M = (0.0, 1.5, 10_000.0)
NM_KM = 1.852
FT_M = 0.3048


def dbw(watts: float) -> float:
    return 10.0 * math.log10(watts)


def radius_km(signal: str, eirp_w: float, h_jammer_m: float, h_receiver_m: float) -> float:
    """Ground radius [km] within which ``signal`` is jammed (the tool's own Jammer)."""
    return Jammer(0.0, 0.0, h_jammer_m, dbw(eirp_w), bands=(signal,)).band_radius_km(
        signal, h_receiver_m)


def old_radius_km(signal: str, eirp_w: float, h_jammer_m: float, h_receiver_m: float) -> float:
    """The model before the smooth Earth: free-space range (ground distance) capped at the
    4.12·(√h_tx + √h_rx) km horizon."""
    band = Band.parse(signal)
    slant = free_space_range_km(dbw(eirp_w), band, js_tolerance_db(band))
    dh = abs(h_jammer_m - h_receiver_m) / 1000.0
    ground = math.sqrt(max(slant**2 - dh**2, 0.0))
    return min(ground, 4.12 * (math.sqrt(h_jammer_m) + math.sqrt(h_receiver_m)))


def radius_table() -> str:
    zero = [radius_km(s, p, hj, 0.0) for s in SIGNALS for p in EIRP_W for hj in JAMMER_HEIGHTS_M]
    ground = [radius_km(s, p, hj, 1.5) for s in SIGNALS for p in EIRP_W for hj in JAMMER_HEIGHTS_M]
    assert zero == ground, "a 0 m receiver is evaluated at 1.5 m"
    head = " | ".join(f"{s if s != 'B2A' else 'B2a'} (J/S {js_tolerance_db(Band.parse(s)):.0f} dB)"
                      for s in SIGNALS)
    lines = [f"| jammer height | EIRP | receiver | {head} | horizon |",
             "|---|---|---|" + "---|" * len(SIGNALS) + "---|"]
    for h_rx, rx_text in ((1.5, "ground (0 or 1.5 m)"), (10_000.0, "10 km")):
        for hj in JAMMER_HEIGHTS_M:
            for p in EIRP_W:
                cells = " | ".join(km_text(radius_km(s, p, hj, h_rx)) for s in SIGNALS)
                lines.append(f"| {hj:g} m | {p:g} W | {rx_text} | {cells} | "
                             f"{km_text(radio_horizon_km(hj, h_rx))} |")
    return "\n".join(lines)


def old_vs_new_table() -> str:
    lines = ["| EIRP | free space | old: free space capped at the 0 m horizon | "
             "smooth Earth, 1.5 m receiver |", "|---|---|---|---|"]
    band = Band.B1I
    for p in EIRP_W:
        fs = free_space_range_km(dbw(p), band, js_tolerance_db(band))
        lines.append(f"| {p:g} W | {km_text(fs)} | {km_text(old_radius_km('B1I', p, 10.0, 0.0))}"
                     f" | {km_text(radius_km('B1I', p, 10.0, 1.5))} |")
    return "\n".join(lines)


def published_comparison_table() -> str:
    """GPS L1 C/A radii at the receiver heights of the FAA example NOTAM (AIM 1-1-17)."""
    rx = [("50 ft AGL", 50 * FT_M, 327), ("4,000 ft AGL", 4000 * FT_M, 354),
          ("10,000 ft", 10_000 * FT_M, 360), ("FL250", 25_000 * FT_M, 425),
          ("FL400", 40_000 * FT_M, 468)]
    cases = [("1 kW, 30 m mast", 1000.0, 30.0), ("1 kW, 3 km (mountain top)", 1000.0, 3000.0),
             ("1 kW, aircraft at 10 km", 1000.0, 10_000.0)]
    head = " | ".join(f"{name} [NM]" for name, _, _ in cases)
    lines = [f"| receiver | NOTAM radius [NM] | {head} |", "|---|---|" + "---|" * len(cases)]
    for name, h, notam in rx:
        cells = " | ".join(f"{radius_km('L1CA', p, hj, h) / NM_KM:.0f}" for _, p, hj in cases)
        lines.append(f"| {name} | {notam} | {cells} |")
    return "\n".join(lines)


def ground_ppd_table() -> str:
    """Personal privacy devices (car jammers) on GPS L1 C/A, antenna and receiver at 1.5 m."""
    lines = ["| EIRP | radius, 1.5 m to 1.5 m | free space |", "|---|---|---|"]
    band = Band.L1CA
    for p in (0.001, 0.01, 0.1, 0.5):
        lines.append(f"| {p * 1000:g} mW | {km_text(radius_km('L1CA', p, 1.5, 1.5))} km | "
                     f"{km_text(free_space_range_km(dbw(p), band, js_tolerance_db(band)))} km |")
    return "\n".join(lines)


def adsb_comparison() -> str:
    """The EIRP a 30 m ground jammer needs to reach aircraft at FL350 300 km away (GPS L1 C/A),
    and what that jammer does on the ground."""
    band = Band.L1CA
    loss = float(propagation.path_loss_db(300.0, 30.0, 35_000 * FT_M, band.freq_hz))
    eirp_dbw = loss + band.min_received_power_dbw + js_tolerance_db(band)
    jam = Jammer(0.0, 0.0, 30.0, eirp_dbw, bands=("L1CA",))
    return (f"GPS L1 C/A jammed at 300 km at FL350 from a 30 m mast: path loss {loss:.1f} dB, "
            f"EIRP {eirp_dbw:.1f} dBW ({10 ** (eirp_dbw / 10):.0f} W); the same jammer reaches "
            f"{km_text(jam.band_radius_km('L1CA', 1.5))} km on the ground and "
            f"{km_text(jam.band_radius_km('L1CA', 3048.0))} km at FL100")


def plot(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    eirp = np.logspace(-2, 4, 61)
    colours = dict(zip(SIGNALS, ("tab:blue", "tab:orange", "tab:green", "tab:red")))
    styles = dict(zip(JAMMER_HEIGHTS_M, (":", "-", "--")))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), constrained_layout=True)
    for ax, (h_rx, title) in zip(axes, ((1.5, "receiver on the ground (1.5 m)"),
                                        (10_000.0, "receiver in an aircraft at 10 km"))):
        for hj in JAMMER_HEIGHTS_M:
            for s in SIGNALS:
                band = Band.parse(s)
                jam = Jammer(0.0, 0.0, hj, 0.0, bands=(s,))
                budget = jam.max_loss_db(band) + 10 * np.log10(eirp)      # EIRP on top of 0 dBW
                r = propagation.max_distance_km(budget, max(hj, 1.5), h_rx, band.freq_hz)
                ax.plot(eirp, r, styles[hj], color=colours[s],
                        label=f"{s if s != 'B2A' else 'B2a'}, jammer {hj:g} m")
            ax.axhline(radio_horizon_km(hj, h_rx), color="grey", lw=0.7, ls=styles[hj])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("EIRP in the band [W]")
        ax.set_ylabel("footprint radius [km]")
        ax.set_title(title)
        ax.grid(True, which="both", lw=0.3)
    axes[0].legend(fontsize=7, ncol=3, loc="upper left")
    fig.suptitle("Jammer footprint over a smooth Earth (ITU-R P.525/P.526 + two-ray); "
                 "grey: radio horizon per jammer height", fontsize=10)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--png", type=Path, default=ROOT / "benchmarks" / "jammer_footprints.png")
    ap.add_argument("--no-png", action="store_true")
    args = ap.parse_args()
    print("### Footprint radius [km]\n")
    print(radius_table())
    print("\n### B1I, 10 m jammer: the old model against the smooth Earth [km]\n")
    print(old_vs_new_table())
    print("\n### GPS L1 C/A at the receiver heights of the FAA example NOTAM\n")
    print(published_comparison_table())
    print("\n### Car jammers (GPS L1 C/A), jammer and receiver at 1.5 m\n")
    print(ground_ppd_table())
    print("\n" + adsb_comparison())
    if not args.no_png:
        plot(args.png)
        print(f"\nplot: {args.png}")


if __name__ == "__main__":
    main()
