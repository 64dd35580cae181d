"""Sky plots (polar azimuth/elevation tracks) of the satellites seen from one site.

Input is the :func:`gnss_interop.coverage.compute_site` dataset (``azimuth``,
``elevation``, ``visible`` with dims (time, sv), degrees, local ENU at the
site, time in GPST). One panel per system; north up, east to the right,
zenith at the centre, horizon (0°) at the rim.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from gnss_interop.output.atomic import atomic_path
from gnss_interop.systems import System

__all__ = ["skyplot"]


def skyplot(site: xr.Dataset, path: str | Path, *, systems: tuple[System, ...] | None
            = None, title: str | None = None, dpi: int = 120) -> Path:
    """Write a PNG sky plot of the satellite tracks above the horizon.

    Parameters
    ----------
    site
        Result of :func:`~gnss_interop.coverage.compute_site`.
    path
        Output PNG file (written atomically).
    systems
        Panels to draw (default: every system present in ``site.sv``).
    title
        Figure title (default: site coordinates and time span, GPST).

    Notes
    -----
    Segments below the effective mask are drawn thin and grey; visible ones
    in colour. NaN positions (no ephemeris) leave gaps.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    svs = [str(s) for s in site["sv"].values]
    present = []
    for s in svs:
        sy = System.from_letter(s[0])
        if sy not in present:
            present.append(sy)
    systems = tuple(present) if systems is None else tuple(systems)
    if not systems:
        raise ValueError("no satellites to plot")
    az = site["azimuth"].values
    el = site["elevation"].values
    vis = site["visible"].values
    fig, axes = plt.subplots(1, len(systems), subplot_kw={"projection": "polar"},
                             figsize=(5 * len(systems), 5.3), squeeze=False)
    cmap = plt.get_cmap("tab20")
    for ax, sy in zip(axes[0], systems):
        ax.set_theta_zero_location("N")
        ax.set_theta_direction(-1)
        ax.set_rlim(0, 90)
        ax.set_rticks([15, 30, 45, 60, 75])
        ax.set_yticklabels(["75°", "60°", "45°", "30°", "15°"], fontsize=7)
        cols = [i for i, s in enumerate(svs) if s[0] == sy.letter]
        for n, i in enumerate(cols):
            up = el[:, i] >= 0  # NaN compares False
            if not np.any(up):
                continue
            th = np.radians(np.where(up, az[:, i], np.nan))
            r = np.where(up, 90.0 - el[:, i], np.nan)
            ax.plot(th, r, color="0.75", lw=0.6)
            rv = np.where(vis[:, i] & up, r, np.nan)
            color = cmap(n % 20)
            ax.plot(th, rv, color=color, lw=1.4)
            last = np.flatnonzero(np.isfinite(rv))
            if last.size:
                k = last[-1]
                ax.text(th[k], rv[k], svs[i], fontsize=7, color=color)
        ax.set_title(f"{sy.display_name} ({len(cols)} satellites)", fontsize=10)
    if title is None:
        t = site["time"].values
        title = (f"lat {site.attrs.get('lat_deg', float('nan')):.3f}°, "
                 f"lon {site.attrs.get('lon_deg', float('nan')):.3f}°, "
                 f"{str(t[0])[:16]} – {str(t[-1])[:16]} GPST; {site.attrs.get('mask', '')}")
    fig.suptitle(title, fontsize=9)
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".") or "png")
    finally:
        plt.close(fig)
    return path
