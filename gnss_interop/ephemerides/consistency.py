"""Cross-check of every healthy broadcast record against independent expectations.

The radius test and the switch-over jump test (:mod:`~gnss_interop.ephemerides.screening`)
cannot see a healthy-flagged record with the right radius and plane whose position is moved
along its orbit, least of all when it is the only record of its satellite. This module
compares each record's *along-track phase* with two independent expectations:

1. **its own satellite's other records** (any message class, any input file, so the
   neighbouring day's file counts) within :data:`~gnss_interop.constants.RECORD_CROSSCHECK_SPAN_S`,
   the :data:`~gnss_interop.constants.RECORD_CROSSCHECK_NEIGHBOURS` nearest on each side;
2. **its slot in the constellation** for satellites of a Walker pattern
   (:data:`~gnss_interop.constants.WALKER_PATTERNS`: BDS-3 MEO and GLONASS 24/3/1): plane-mates
   are 45° apart in argument of latitude and adjacent planes 15° shifted, so every member's
   offset ``λ − s·45°·k − 15°·p`` (slot k = 0..7 in plane p = 0..2, slot direction s) is the
   same for the whole constellation. The reference is the circular median of the *other*
   members' offsets on that GPST day. The slot of a satellite is its RINEX number for GLONASS
   and the IGS metadata ``SATELLITE/PLANE`` entry (``A-4``) for BeiDou.

Phase. For each record: the Earth-fixed position at its reference time t_ref from its own
orbit model (:func:`~gnss_interop.ephemerides.records.record_positions`; CGCS2000, PZ-90.11,
...), the velocity by central differences (±10 s), both rotated into a quasi-inertial frame
(the Earth-fixed axes at the start of the GPST day of the earliest record, rotated by
ω_e·(t − t0); precession and nutation over the spans compared are far below the tolerances), then the osculating elements: semi-major axis
(vis-viva), orbit normal, RAAN Ω and the mean argument of latitude λ = ω + M (GEO: the mean
longitude Ω + ω + M, since the node of a near-equatorial orbit is ill-defined). λ is carried
to another epoch linearly with the osculating mean motion √(GM/a³). Measured accuracy on the
shared files: records of one satellite agree to 0.064° over a day (constants.py).

Verdicts, per healthy record that passed the radius and jump tests:

* **corroborated**: it agrees (λ and orbit normal within
  :data:`~gnss_interop.constants.RECORD_PHASE_TOL_DEG`) with at least one other record of
  its satellite: verified;
* **contradicted** by every one of its neighbours while some neighbour is corroborated:
  excluded (the reason gives the smallest disagreement in degrees and km);
* **alone** (no neighbour) or **disputed** (neighbours that disagree with it and are not
  corroborated either): the slot check decides: on its slot within
  :data:`~gnss_interop.constants.WALKER_SLOT_TOL_DEG` → verified; off every slot, on the slot
  another satellite holds, or out of its plane (GLONASS; a BeiDou satellite out of its
  metadata plane is checked against the plane its orbit is in) → excluded; on a free slot
  other than its own, or no slot check possible (IGSO, GEO, BDS-2 MEO, GLONASS spares, a
  satellite the metadata does not place, fewer than
  :data:`~gnss_interop.constants.WALKER_MIN_REFERENCE` other members on the day) →
  **unverified** (an alone record; disputed records that nothing can tell apart are
  excluded, as the jump test does).

Unverified records are still used; they are listed (warning, ``validate``, provenance).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from gnss_interop.constants import (
    RECORD_CROSSCHECK_NEIGHBOURS,
    RECORD_CROSSCHECK_SPAN_S,
    RECORD_PHASE_TOL_DEG,
    SECONDS_PER_DAY,
    WALKER_MIN_REFERENCE,
    WALKER_PATTERNS,
    WALKER_PLANE_TOL_DEG,
    WALKER_SLOT_TOL_DEG,
)
from gnss_interop.ephemerides.records import RecordTable, record_positions
from gnss_interop.systems import OrbitClass, SystemSpec
from gnss_interop.timescales import from_gpst_seconds

__all__ = ["CrossCheck", "OrbitPhases", "cross_check", "orbit_phases", "walker_slot"]

_VELOCITY_STEP_S = 10.0
#: A slot of the IGS metadata SATELLITE/PLANE block: plane letter, dash, slot number ("B-7").
_METADATA_SLOT = re.compile(r"([A-Z])-([1-9])")


def _wrap_deg(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Angle difference in (−180°, 180°]."""
    return 180.0 - np.mod(180.0 - x, 360.0)


@dataclass(frozen=True)
class OrbitPhases:
    """Osculating quantities of records at their reference times (quasi-inertial frame).

    ``lam_deg``: mean argument of latitude ω + M (GEO: mean longitude Ω + ω + M) [deg];
    ``rate_deg_s``: osculating mean motion [deg/s]; ``raan_deg``: right ascension of the
    ascending node [deg]; ``normal``: unit orbit normal, shape (n, 3); ``a_m``: semi-major
    axis [m]; ``t_ref``: GPST seconds.
    """

    lam_deg: NDArray[np.float64]
    rate_deg_s: NDArray[np.float64]
    raan_deg: NDArray[np.float64]
    normal: NDArray[np.float64]
    a_m: NDArray[np.float64]
    t_ref: NDArray[np.float64]

    def lam_at(self, t_gpst_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """λ carried to GPST seconds ``t_gpst_s`` [deg, unwrapped]."""
        return self.lam_deg + self.rate_deg_s * (t_gpst_s - self.t_ref)


def orbit_phases(spec: SystemSpec, rec: RecordTable, idx: NDArray[np.int64]) -> OrbitPhases:
    """:class:`OrbitPhases` of records ``idx`` (module docstring: frame and method)."""
    gm, omega_e = spec.orbit_model.gm_m3_s2, spec.orbit_model.omega_e_rad_s
    t = rec.t_ref[idx]
    h = _VELOCITY_STEP_S
    with np.errstate(invalid="ignore", divide="ignore"):
        r_e = record_positions(spec, rec, idx, t)
        v_e = (record_positions(spec, rec, idx, t + h)
               - record_positions(spec, rec, idx, t - h)) / (2.0 * h)
        # inertial velocity in the instantaneous Earth-fixed axes, then rotate by ω_e·t
        v_e = v_e + np.cross(np.array([0.0, 0.0, omega_e]), r_e)
        t0 = np.floor(np.min(t) / SECONDS_PER_DAY) * SECONDS_PER_DAY if t.size else 0.0
        th = omega_e * (t - t0)
        c, s = np.cos(th), np.sin(th)

        def rot(x):
            return np.stack([c * x[:, 0] - s * x[:, 1], s * x[:, 0] + c * x[:, 1], x[:, 2]], -1)

        r, v = rot(r_e), rot(v_e)
        hv = np.cross(r, v)
        normal = hv / np.linalg.norm(hv, axis=-1, keepdims=True)
        rn = np.linalg.norm(r, axis=-1)
        a = 1.0 / (2.0 / rn - np.einsum("ij,ij->i", v, v) / gm)
        raan = np.arctan2(normal[:, 0], -normal[:, 1])
        node = np.stack([np.cos(raan), np.sin(raan), np.zeros_like(raan)], -1)
        # in-plane axes: p along the node, q = normal × p
        q = np.cross(normal, node)
        u = np.arctan2(np.einsum("ij,ij->i", r, q), np.einsum("ij,ij->i", r, node))
        e_vec = np.cross(v, hv) / gm - r / rn[:, None]
        e = np.linalg.norm(e_vec, axis=-1)
        w = np.arctan2(np.einsum("ij,ij->i", e_vec, q), np.einsum("ij,ij->i", e_vec, node))
        nu = u - w
        ecc_anom = 2.0 * np.arctan2(np.sqrt(1.0 - e) * np.sin(nu / 2), np.sqrt(1.0 + e) * np.cos(nu / 2))
        mean_anom = ecc_anom - e * np.sin(ecc_anom)
        lam = w + mean_anom
        geo = rec.values["orbit_type"][idx] == OrbitClass.GEO
        lam = np.where(geo, lam + raan, lam)
        rate = np.degrees(np.sqrt(gm / a**3))
    return OrbitPhases(np.mod(np.degrees(lam), 360.0), rate, np.mod(np.degrees(raan), 360.0),
                       normal, a, t)


def walker_slot(sv: str, date: np.datetime64, metadata) -> tuple[int, int] | None:
    """(plane 0.., slot 0..) of ``sv`` in its system's Walker pattern on ``date``, or ``None``.

    Where the pattern's slots come from the RINEX number (GLONASS): 1–8 plane 0, 9–16 plane
    1, ...; numbers beyond the pattern (spares) have none. From the IGS metadata (BeiDou):
    the ``SATELLITE/PLANE`` slot (``"B-7"`` → plane B, slot 7); ``None`` without metadata or
    for satellites it places in no slot of the pattern (BDS-2, IGSO, GEO, BDS-3S).
    """
    pattern = WALKER_PATTERNS.get(sv[:1])
    if pattern is None:
        return None
    per_plane = int(pattern["satellites"]) // int(pattern["planes"])
    if pattern["slots"] == "rinex":
        n = int(sv[1:])
        return divmod(n - 1, per_plane) if 1 <= n <= int(pattern["satellites"]) else None
    if metadata is None:
        return None
    m = _METADATA_SLOT.fullmatch(metadata.plane_slot(sv, date) or "")
    if m is None:
        return None
    plane, slot = ord(m[1]) - ord("A"), int(m[2]) - 1
    return (plane, slot) if plane < int(pattern["planes"]) and slot < per_plane else None


@dataclass
class CrossCheck:
    """Outcome of :func:`cross_check`: record indices with a reason each.

    ``excluded`` contradict an independent expectation; ``unverified`` could not be checked
    against any; ``verified_by`` counts the verified records by what verified them.
    """

    excluded: NDArray[np.int64]
    excluded_reasons: list[str]
    unverified: NDArray[np.int64]
    unverified_reasons: list[str]
    verified_by: dict[str, int] = field(default_factory=dict)


def _neighbour_pairs(rec: RecordTable, idx: NDArray[np.int64], ph: OrbitPhases,
                     span_s: float, k_side: int):
    """Pairs (position in ``idx`` of a record, of a neighbour), with Δλ [deg] at their
    midpoint and the angle between orbit normals [deg]."""
    sv = rec.sv[idx]
    order = np.lexsort((ph.t_ref, sv))
    a_list, b_list = [], []
    for d in [*range(-k_side, 0), *range(1, k_side + 1)]:
        j = np.arange(idx.size) + d
        ok = (j >= 0) & (j < idx.size)
        i_s, j_s = order[np.flatnonzero(ok)], order[j[ok]]
        keep = (sv[i_s] == sv[j_s]) & (np.abs(ph.t_ref[i_s] - ph.t_ref[j_s]) <= span_s)
        a_list.append(i_s[keep])
        b_list.append(j_s[keep])
    a = np.concatenate(a_list) if a_list else np.zeros(0, np.int64)
    b = np.concatenate(b_list) if b_list else np.zeros(0, np.int64)
    tm = 0.5 * (ph.t_ref[a] + ph.t_ref[b])
    dlam = _wrap_deg(ph.lam_deg[a] + ph.rate_deg_s[a] * (tm - ph.t_ref[a])
                     - ph.lam_deg[b] - ph.rate_deg_s[b] * (tm - ph.t_ref[b]))
    cosang = np.clip(np.einsum("ij,ij->i", ph.normal[a], ph.normal[b]), -1.0, 1.0)
    return a, b, dlam, np.degrees(np.arccos(cosang))


def _km(deg: NDArray[np.float64] | float, a_m: NDArray[np.float64] | float):
    return np.radians(np.abs(deg)) * a_m / 1e3


def cross_check(spec: SystemSpec, rec: RecordTable, *, metadata=None,
                span_s: float = RECORD_CROSSCHECK_SPAN_S,
                neighbours: int = RECORD_CROSSCHECK_NEIGHBOURS,
                phase_tol_deg: float = RECORD_PHASE_TOL_DEG) -> CrossCheck:
    """Cross-check the usable records of one system (module docstring: rules).

    ``metadata``: :class:`~gnss_interop.reading.sinex.SatelliteMetadata` for the BeiDou
    slots (``None``: BeiDou satellites get no slot check). Returns indices into ``rec``.
    """
    idx = np.flatnonzero(rec.usable)
    empty = CrossCheck(np.zeros(0, np.int64), [], np.zeros(0, np.int64), [])
    if idx.size == 0:
        return empty
    ph = orbit_phases(spec, rec, idx)
    n = idx.size
    finite = np.isfinite(ph.lam_deg) & np.isfinite(ph.rate_deg_s)
    a, b, dlam, dnorm = _neighbour_pairs(rec, idx, ph, span_s, neighbours)
    fin = finite[a] & finite[b]
    a, b, dlam, dnorm = a[fin], b[fin], dlam[fin], dnorm[fin]
    agree = (np.abs(dlam) <= phase_tol_deg) & (dnorm <= phase_tol_deg)
    n_neigh = np.bincount(a, minlength=n)
    n_agree = np.bincount(a, weights=agree, minlength=n).astype(np.int64)
    corroborated = n_agree > 0
    has_good_neighbour = np.bincount(a, weights=corroborated[b], minlength=n) > 0
    contradicted = (n_neigh > 0) & ~corroborated & has_good_neighbour
    disputed = (n_neigh > 0) & ~corroborated & ~has_good_neighbour
    alone = n_neigh == 0
    worst = np.full(n, np.inf)                     # smallest disagreement with a neighbour
    np.minimum.at(worst, a, np.maximum(np.abs(dlam), dnorm))
    sv = rec.sv[idx]
    msg: dict[int, tuple[str, str]] = {}           # position -> ("excluded"|"unverified", why)
    span_h = f"{span_s / 3600:g} h"
    for k in np.flatnonzero(contradicted):
        msg[k] = ("excluded", f"disagrees with all {n_neigh[k]} other record(s) of {sv[k]} "
                              f"within {span_h} by {worst[k]:.2f}° or more "
                              f"({_km(worst[k], ph.a_m[k]):,.0f} km along track)")
    for k in np.flatnonzero(~finite):
        msg[k] = ("excluded", "orbit elements give no finite orbit phase")
    test = np.flatnonzero((alone | disputed) & finite)
    slot_ok = _slot_check(spec, rec, idx, ph, test, ~contradicted & ~disputed & finite,
                          metadata, msg)
    # disputed records the slot check cannot tell apart are excluded together
    for s in np.unique(sv[disputed]):
        ks = np.flatnonzero(disputed & (sv == s))
        passed = [k for k in ks if slot_ok.get(k) is True]
        for k in ks:
            if slot_ok.get(k) is True and len(passed) == 1:
                msg.pop(k, None)
                continue
            if k in msg and msg[k][0] == "excluded":
                continue
            why = msg.get(k, ("", "no slot check possible"))[1]
            msg[k] = ("excluded", f"its {n_neigh[k]} neighbouring record(s) of {s} within "
                                  f"{span_h} disagree with it by {worst[k]:.2f}° or more "
                                  f"({_km(worst[k], ph.a_m[k]):,.0f} km) and are not "
                                  f"corroborated either; slot check: {why}")
    excl = np.array(sorted(k for k, (kind, _) in msg.items() if kind == "excluded"), np.int64)
    unv = np.array(sorted(k for k, (kind, _) in msg.items() if kind == "unverified"), np.int64)
    verified = np.ones(n, bool)
    verified[excl] = False
    verified[unv] = False
    by_slot = sum(1 for k in test if slot_ok.get(k) is True and verified[k])
    return CrossCheck(idx[excl], [msg[k][1] for k in excl], idx[unv], [msg[k][1] for k in unv],
                      {"own records": int(np.sum(corroborated & verified)), "slot": by_slot})


def _slot_check(spec: SystemSpec, rec: RecordTable, idx: NDArray[np.int64], ph: OrbitPhases,
                test: NDArray[np.int64], reference_ok: NDArray[np.bool_], metadata,
                msg: dict[int, tuple[str, str]]) -> dict[int, bool]:
    """Slot check of records ``test`` (positions in ``idx``); fills ``msg`` with exclusions
    and "unverified" notes; returns {position: True if on its slot}."""
    out: dict[int, bool] = {}
    pattern = WALKER_PATTERNS.get(spec.letter)
    sv = rec.sv[idx]
    cls = rec.values["orbit_type"][idx]
    if pattern is None:
        for k in test:
            msg[k] = ("unverified", f"no other record of {sv[k]} within the cross-check span "
                                    f"and no slot check for {spec.display_name}")
        return out
    total, planes = int(pattern["satellites"]), int(pattern["planes"])
    phasing, direction = int(pattern["phasing"]), int(pattern["direction"])
    per_plane = total // planes
    spacing = 360.0 / per_plane
    shift = 360.0 * phasing / total
    tol = WALKER_SLOT_TOL_DEG[spec.letter]
    day = np.floor(ph.t_ref / SECONDS_PER_DAY)
    # satellites whose messages prove a generation (BeiDou CNV1/CNV2: BDS-3 MEO/IGSO)
    proven = {s for s, m in zip(rec.sv.tolist(), rec.message.tolist())
              if m in spec.generation_evidence}
    by_number = pattern["slots"] == "rinex"
    for d in np.unique(day[test]):
        date = from_gpst_seconds(d * SECONDS_PER_DAY + SECONDS_PER_DAY / 2)
        t_c = d * SECONDS_PER_DAY + SECONDS_PER_DAY / 2
        in_day = day == d
        lam_c = np.mod(ph.lam_at(np.full(idx.size, t_c)), 360.0)
        # members: MEO satellites with a slot, consensus phase and RAAN over usable records
        slots: dict[str, tuple[int, int]] = {}
        for s in np.unique(sv[in_day & (cls == OrbitClass.MEO)]):
            ps = walker_slot(str(s), date, metadata)
            if ps is not None:
                slots[str(s)] = ps
        mem = [s for s in slots if np.any(in_day & reference_ok & (sv == s))]
        cons_lam, cons_raan = {}, {}
        for s in mem:
            m = in_day & reference_ok & (sv == s)
            cons_lam[s] = np.degrees(np.angle(np.mean(np.exp(1j * np.radians(lam_c[m])))))
            cons_raan[s] = np.degrees(np.angle(np.mean(np.exp(1j * np.radians(ph.raan_deg[m])))))
        offs = {s: cons_lam[s] - direction * spacing * slots[s][1] - shift * slots[s][0]
                for s in mem}
        for k in test[in_day[test]]:
            s = str(sv[k])
            if cls[k] != OrbitClass.MEO:
                name = OrbitClass(int(cls[k])).name if cls[k] in tuple(OrbitClass) else "unknown"
                msg[k] = ("unverified", f"no other record of {s} within the cross-check span "
                                        f"and no slot check for {name} satellites")
                continue
            own = slots.get(s)
            # without a slot: a satellite the metadata does not know, proven a member by its
            # messages, gets the lattice check (off every slot, or on a held one: excluded)
            eligible = own is not None or (not by_number and s in proven and metadata is not None
                                           and metadata.plane_slot(s, date) is None)
            if by_number and own is None:
                msg[k] = ("unverified", f"no other record of {s} within the cross-check span; "
                                        f"{s} is a spare off the {total}-slot pattern")
                continue
            if not eligible:
                msg[k] = ("unverified", f"no other record of {s} within the cross-check span "
                                        f"and no Walker slot for it "
                                        f"({_metadata_note(s, date, metadata)})")
                continue
            others = [m for m in mem if m != s]
            if len(others) < WALKER_MIN_REFERENCE:
                msg[k] = ("unverified", f"no other record of {s} within the cross-check span "
                                        f"and only {len(others)} other satellite(s) of the "
                                        f"pattern on {str(date)[:10]} for a slot reference")
                continue
            o = np.array([offs[m] for m in others])
            centre = np.degrees(np.angle(np.mean(np.exp(1j * np.radians(o)))))
            ref = centre + float(np.median(_wrap_deg(o - centre)))
            # plane: RAAN against the median of each plane's members
            plane_raan = {}
            for p in range(planes):
                r = [cons_raan[m] for m in others if slots[m][0] == p]
                if r:
                    c0 = np.degrees(np.angle(np.mean(np.exp(1j * np.radians(r)))))
                    plane_raan[p] = c0 + float(np.median(_wrap_deg(np.array(r) - c0)))
            p_own = own[0] if own is not None else None
            d_own = (float(_wrap_deg(ph.raan_deg[k] - plane_raan[p_own]))
                     if p_own is not None and p_own in plane_raan else None)
            if own is not None and d_own is not None and abs(d_own) <= WALKER_PLANE_TOL_DEG:
                plane = p_own
            else:
                near = {p: abs(float(_wrap_deg(ph.raan_deg[k] - r))) for p, r in plane_raan.items()}
                plane = min(near, key=near.get) if near else None
                if plane is None or near[plane] > WALKER_PLANE_TOL_DEG:
                    msg[k] = ("excluded", f"RAAN {ph.raan_deg[k]:.1f}° is in no plane of the "
                                          f"{spec.display_name} Walker pattern (±"
                                          f"{WALKER_PLANE_TOL_DEG:g}°)")
                    out[k] = False
                    continue
                if by_number and own is not None:
                    msg[k] = ("excluded", f"RAAN {ph.raan_deg[k]:.1f}° is "
                                          f"{abs(d_own) if d_own is not None else float('nan'):.1f}° "
                                          f"off plane {p_own + 1} of slot {s[1:]}")
                    out[k] = False
                    continue
                own = None                      # metadata plane disagrees: lattice only
            r = float(_wrap_deg(lam_c[k] - shift * plane - ref))
            km = float(_km(1.0, ph.a_m[k]))
            if own is not None:
                e_own = float(_wrap_deg(r - direction * spacing * own[1]))
                if abs(e_own) <= tol:
                    out[k] = True
                    continue
            j = int(np.round(direction * r / spacing)) % per_plane
            e_lat = float(_wrap_deg(r - direction * spacing * j))
            label = _slot_label(by_number, per_plane, plane, j)
            own_txt = (f"{abs(e_own):.1f}° ({abs(e_own) * km:,.0f} km along track) from its "
                       f"slot {_slot_label(by_number, per_plane, *own)}" if own is not None else "")
            if abs(e_lat) > tol:
                near = ("" if own is not None and (plane, j) == own else
                        f"{'; ' if own_txt else ''}{abs(e_lat):.1f}° ({abs(e_lat) * km:,.0f} km) "
                        f"from the nearest slot {label}")
                msg[k] = ("excluded", f"off the Walker slots: {own_txt}{near} (tolerance "
                                      f"{tol:g}°)")
                out[k] = False
                continue
            holder = next((m for m in others if slots[m] == (plane, j)), None)
            if holder is not None:
                msg[k] = ("excluded", f"sits on slot {label}, held by {holder} ({abs(e_lat):.1f}° "
                                      f"from that slot)" + (f"; {own_txt}" if own_txt else ""))
                out[k] = False
                continue
            msg[k] = ("unverified", f"on the free slot {label}"
                                    + (f", not its own ({own_txt})" if own_txt
                                       else " (no metadata slot)"))
            out[k] = False
    return out


def _metadata_note(sv: str, date: np.datetime64, metadata) -> str:
    if metadata is None:
        return "no satellite metadata"
    entry = metadata.plane_slot(sv, date)
    if entry is None:
        return f"not in the IGS metadata SATELLITE/PLANE block on {str(date)[:10]}"
    return f"IGS metadata SATELLITE/PLANE: {entry!r}, not a slot of the Walker pattern"


def _slot_label(by_number: bool, per_plane: int, plane: int, slot: int) -> str:
    """``"A-4"`` (metadata slots) or ``"5"`` (RINEX slot numbers)."""
    if by_number:
        return str(plane * per_plane + slot + 1)
    return f"{chr(ord('A') + plane)}-{slot + 1}"
