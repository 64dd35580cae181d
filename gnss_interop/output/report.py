"""A self-contained HTML report: scenario definitions, maps, tables and provenance in one file.

The file needs nothing else to display or print: maps are embedded as base64 PNG
``data:`` URIs, the style sheet is inline, and there are no scripts, web fonts or links
to the network (a Content-Security-Policy in the file forbids loading anything but
embedded images). All text is HTML-escaped.

Example
-------
>>> from gnss_interop.output.maps import plot_panel                        # doctest: +SKIP
>>> write_report("report.html", title="BeiDou denial over East Asia",
...     scenarios=[{"name": "baseline", "definition": {"mask_deg": 10},
...                 "figures": [("Availability", plot_panel(ds, "availability"))],
...                 "tables": [("Summary", rows)]}],
...     provenance=provenance_from_dataset(ds))                      # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
import os
import struct
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gnss_interop.output.atomic import write_bytes_atomic
from gnss_interop.output.tables import Table, format_cell, normalise_table

__all__ = ["provenance_from_dataset", "write_report"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SCENARIO_KEYS = ("name", "title", "definition", "description", "figures", "tables")

_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif;
       color: #1a1a1a; background: #fff; margin: 0 auto; padding: 1.2rem 1.5rem 3rem;
       max-width: 1150px; line-height: 1.4; font-size: 15px; }
h1 { font-size: 1.7rem; margin: 0.2rem 0 0.3rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 0.6rem; border-bottom: 2px solid #444;
     padding-bottom: 0.15rem; }
h3 { font-size: 1.08rem; margin: 1.2rem 0 0.4rem; }
p.meta { color: #555; margin: 0 0 1rem; }
nav ol { margin: 0.3rem 0 1rem; padding-left: 1.4rem; }
a { color: #1f4e9c; }
figure { margin: 0.8rem 0 1.4rem; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.92rem; color: #333; margin-top: 0.3rem; }
table { border-collapse: collapse; margin: 0.4rem 0 1.2rem; font-size: 0.9rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
th, td { border: 1px solid #bbb; padding: 0.22rem 0.55rem; vertical-align: top;
         text-align: left; }
th { background: #eceff3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.kv th { width: 16rem; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.6rem 0.8rem;
      white-space: pre-wrap; font-size: 0.85rem; }
ul.plain { margin: 0; padding-left: 1.1rem; }
table.headline tr.group td { border-top: 2px solid #444; }
table.headline th { vertical-align: bottom; }
table.headline td:nth-child(1) { min-width: 10rem; }
table.headline td:nth-child(2) { min-width: 9rem; }
dl.preamble { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 0.8rem;
              margin: 0.3rem 0 0.8rem; }
dl.preamble dt { font-weight: 600; }
dl.preamble dd { margin: 0; }
dl.definitions { font-size: 0.9rem; margin: 0.2rem 0 1rem; }
dl.definitions dt { font-weight: 600; margin-top: 0.35rem; }
dl.definitions dd { margin: 0 0 0 1.2rem; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  section.scenario + section.scenario, section.provenance { break-before: page; }
  figure, tr, caption { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""


# ----------------------------------------------------------------------------- helpers

def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _png_size(data: bytes) -> tuple[int, int]:
    if not data.startswith(_PNG_SIGNATURE) or len(data) < 24 or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _png_bytes(image: Any, dpi: float, where: str) -> bytes:
    """PNG bytes of a path, raw bytes or a matplotlib Figure."""
    if hasattr(image, "savefig"):
        buf = io.BytesIO()
        image.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.08,
                      facecolor="white")
        return buf.getvalue()
    if isinstance(image, (bytes, bytearray)):
        data = bytes(image)
    elif isinstance(image, (str, os.PathLike)):
        p = Path(image)
        if not p.is_file():
            raise FileNotFoundError(f"{where}: image file {p} not found")
        data = p.read_bytes()
    else:
        raise TypeError(f"{where}: an image is a PNG path, PNG bytes or a matplotlib Figure, "
                        f"got {type(image).__name__}")
    try:
        _png_size(data)
    except ValueError:
        raise ValueError(f"{where}: {image if not isinstance(image, bytes) else 'the bytes'} "
                         f"is not a PNG image (only PNG is embedded)") from None
    return data


def _fit_width(data: bytes, max_width_px: int | None) -> bytes:
    """Downscale a PNG wider than ``max_width_px`` (Lanczos, 256-colour PNG); else unchanged.

    Maps are saved at print resolution (2,000+ px); a report page shows them at ~1,100 px,
    so embedding them at that size keeps the HTML file small without visible loss.
    """
    w, h = _png_size(data)
    if not max_width_px or w <= max_width_px:
        return data
    from PIL import Image  # Pillow is a dependency of matplotlib

    with Image.open(io.BytesIO(data)) as im:
        small = im.convert("RGB").resize((int(max_width_px), max(1, round(h * max_width_px / w))),
                                         Image.Resampling.LANCZOS)
        # maps use few colours: a 256-colour palette is ~3x smaller and looks the same
        small = small.quantize(256, method=Image.Quantize.MEDIANCUT)
        buf = io.BytesIO()
        small.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _is_number(v: Any) -> bool:
    import numbers

    import numpy as np

    return isinstance(v, (numbers.Real, np.number)) and not isinstance(v, (bool, np.bool_))


def _table_html(caption: str, rows: Table, float_format: str = "{:.4g}", *,
                numeric_columns: Sequence[str] = (), group_column: str | None = None,
                table_class: str | None = None) -> str:
    """An HTML table; ``numeric_columns`` are right-aligned whatever they hold, and a row
    whose ``group_column`` cell is not empty starts a group (a rule above it)."""
    columns, body = normalise_table(rows)
    numeric = [all(v is None or _is_number(v) for v in col) and any(_is_number(v) for v in col)
               for col in zip(*body, strict=True)] if body else [False] * len(columns)
    numeric = [n or name in numeric_columns for n, name in zip(numeric, columns, strict=True)]
    cls = [' class="num"' if n else "" for n in numeric]
    group = columns.index(group_column) if group_column in columns else None
    table = f'<table class="{_e(table_class)}">' if table_class else "<table>"
    out = [table, f"<caption>{_e(caption)}</caption>" if caption else "", "<thead><tr>"]
    # snake_case column names may break after an underscore (a table of CSV names would
    # otherwise be wider than the page)
    out += [f'<th{c} scope="col">{_e(name).replace("_", "_<wbr>")}</th>'
            for name, c in zip(columns, cls, strict=True)]
    out.append("</tr></thead><tbody>")
    for i, values in enumerate(body):
        starts = group is not None and i > 0 and values[group] not in (None, "")
        out.append(('<tr class="group">' if starts else "<tr>")
                   + "".join(f"<td{c}>{_e(format_cell(v, float_format))}</td>"
                             for v, c in zip(values, cls, strict=True)) + "</tr>")
    if not body:
        out.append(f'<tr><td colspan="{max(len(columns), 1)}">(no rows)</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(x for x in out if x)


def _flatten(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            items += _flatten(v, key + ".")
        else:
            items.append((key, v))
    return items


def _value_html(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        if not v:
            return "(none)"
        if all(not isinstance(x, (Mapping, list, tuple)) for x in v) and len(v) <= 6 and \
                all(len(str(x)) < 24 for x in v):
            return _e(", ".join(format_cell(x, "{:g}") for x in v))
        return '<ul class="plain">' + "".join(f"<li>{_value_html(x)}</li>" for x in v) + "</ul>"
    if isinstance(v, Mapping):
        return _e(", ".join(f"{k} = {format_cell(x, '{:g}')}" for k, x in v.items()))
    return _e(format_cell(v, "{:g}") if _is_number(v) else ("" if v is None else v))


def _kv_table(items: Sequence[tuple[str, Any]], caption: str = "") -> str:
    out = ['<table class="kv">', f"<caption>{_e(caption)}</caption>" if caption else ""]
    out += [f"<tr><th>{_e(k)}</th><td>{_value_html(v)}</td></tr>" for k, v in items]
    out.append("</table>")
    return "\n".join(x for x in out if x)


_HEADLINE_KEYS = ("title", "preamble", "caption", "rows", "numeric", "definitions")


def _headline_html(headline: Mapping[str, Any]) -> str:
    """The opening section: what is compared (preamble), the table, every column defined."""
    unknown = sorted(set(headline) - set(_HEADLINE_KEYS))
    if unknown:
        raise ValueError(f"headline: unknown key(s) {unknown}; allowed: {list(_HEADLINE_KEYS)}")
    if "rows" not in headline:
        raise ValueError("headline: no rows")
    rows = headline["rows"]
    columns, _ = normalise_table(rows)
    parts = ['<section class="headline" id="headline">',
             f"<h2>{_e(headline.get('title') or 'Headline')}</h2>"]
    preamble = _pairs(headline.get("preamble"), "preamble", "headline")
    if preamble:
        parts.append('<dl class="preamble">' + "".join(
            f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in preamble) + "</dl>")
    parts.append(_table_html(str(headline.get("caption") or ""), rows,
                             numeric_columns=tuple(headline.get("numeric") or ()),
                             group_column=columns[0] if columns else None,
                             table_class="headline"))
    definitions = _pairs(headline.get("definitions"), "definitions", "headline")
    if definitions:
        parts.append('<h3>Definitions</h3>\n<dl class="definitions">' + "".join(
            f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in definitions) + "</dl>")
    parts.append("</section>")
    return "\n".join(parts)


def _definition_html(definition: Any) -> str:
    if definition is None:
        return ""
    if isinstance(definition, str):
        return f"<h3>Definition</h3>\n<pre>{_e(definition.strip())}</pre>"
    if isinstance(definition, Mapping):
        return "<h3>Definition</h3>\n" + _kv_table(_flatten(definition))
    raise TypeError(f"a scenario definition is a dict or TOML text, got "
                    f"{type(definition).__name__}")


def _pairs(value: Any, what: str, where: str) -> list[tuple[str, Any]]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{where}: {what} must be a list of (caption, item) pairs")
    out = []
    for i, pair in enumerate(value):
        if not (isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2):
            raise TypeError(f"{where}: {what}[{i}] must be a (caption, item) pair")
        out.append((str(pair[0]), pair[1]))
    return out


# ----------------------------------------------------------------------------- public

def provenance_from_dataset(ds: Any) -> dict[str, Any]:
    """Provenance entries of a coverage Dataset, from its global attributes.

    Returns an ordered dict with the input files, time span (GPST), step, epochs, masks,
    availability threshold, grid, configurations, the broadcast records the screening
    excluded or could not verify, and producing software, each present
    only if the Dataset records it. Add scenario-specific entries before passing it to
    :func:`write_report`.
    """
    a = ds.attrs
    out: dict[str, Any] = {}
    if a.get("input_files"):
        out["input files"] = [s.strip() for s in str(a["input_files"]).split(",") if s.strip()]
    if a.get("time_start_gpst"):
        out["time span (GPST)"] = f"{a['time_start_gpst']} to {a.get('time_end_gpst', '?')}"
    if a.get("time_step_s") not in (None, ""):
        out["time step"] = f"{a['time_step_s']} s"
    if a.get("n_epochs") is not None:
        out["epochs"] = int(a["n_epochs"])
    if a.get("elevation_mask_deg") is not None:
        out["elevation mask"] = f"{float(a['elevation_mask_deg']):g}°"
    if a.get("mask"):
        out["visibility mask"] = str(a["mask"])
    if a.get("pdop_max") is not None:
        out["availability threshold"] = f"solution with PDOP ≤ {float(a['pdop_max']):g}"
    if a.get("grid"):
        out["grid"] = str(a["grid"])
    if a.get("configurations"):
        out["configurations"] = [s.strip() for s in str(a["configurations"]).split(";")
                                 if s.strip()]
    for key, label in (("excluded_records", "broadcast records excluded by screening"),
                       ("unverified_records", "broadcast records unverified")):
        if a.get(key) and a[key] != "not recorded":
            out[label] = [x.strip() for x in str(a[key]).split(";") if x.strip()]
    if a.get("source"):
        out["coverage computed by"] = str(a["source"])
    if a.get("history"):
        out["history"] = str(a["history"])
    return out


def write_report(
    path: str | os.PathLike,
    *,
    title: str,
    scenarios: Sequence[Mapping[str, Any]],
    provenance: Mapping[str, Any],
    intro: str | None = None,
    headline: Mapping[str, Any] | None = None,
    dpi: float = 150,
    max_width_px: int | None = 1200,
) -> Path:
    """Write one self-contained HTML report, atomically.

    Parameters
    ----------
    path : str or path-like
        Output ``.html`` file.
    title : str
        Report title.
    scenarios : sequence of dict
        One section each, in order, with keys:

        * ``name`` (str, required): short identifier;
        * ``title``: heading of the section (default: the name, which is then shown
          under the heading);
        * ``definition``: the scenario definition, a dict (shown as a table, nested keys
          dotted) or TOML text (shown verbatim);
        * ``description``: a paragraph of text;
        * ``figures``: list of ``(caption, image)``, image a PNG file path, PNG bytes or a
          matplotlib Figure (rendered to PNG at ``dpi``);
        * ``tables``: list of ``(caption, rows)``, rows as accepted by
          :func:`gnss_interop.output.tables.normalise_table`.
    provenance : mapping
        Shown as the last section (e.g. :func:`provenance_from_dataset` plus scenario
        entries). ``software`` and ``report created (UTC)`` are added when absent (a
        ``created`` entry counts as the latter).
    intro : str, optional
        A paragraph under the title.
    headline : mapping, optional
        The opening section, before the contents (e.g.
        :meth:`gnss_interop.scenarios.summaries.HeadlineTable.report_section`), with keys
        ``rows`` (required; as accepted by
        :func:`~gnss_interop.output.tables.normalise_table`, a row whose first cell is
        not empty starts a group), ``title``, ``caption``, ``preamble`` and
        ``definitions`` (lists of ``(label, text)``: stated above the table, and below it)
        and ``numeric`` (columns right-aligned).
    dpi : float
        Resolution for figures passed as Figure objects.
    max_width_px : int or None
        Embedded images wider than this are downscaled to it (default 1,200 px, the
        width of the report page); ``None`` embeds them as they are.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError, TypeError, FileNotFoundError
        Bad scenario entries (unknown keys, missing name, an image that is not a PNG), with
        the scenario and item named.
    """
    from gnss_interop._version import __version__

    if isinstance(scenarios, Mapping) or not isinstance(scenarios, Sequence):
        raise TypeError("scenarios must be a list of dicts")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    prov: dict[str, Any] = dict(provenance)
    prov.setdefault("software", f"gnss_interop {__version__}")
    created_key = next((k for k in ("report created (UTC)", "created") if k in prov),
                       "report created (UTC)")
    prov.setdefault(created_key, now)

    sections: list[str] = []
    toc: list[str] = []
    opening = _headline_html(headline) if headline is not None else ""
    if opening:
        title_of = str(headline.get("title") or "Headline")  # type: ignore[union-attr]
        toc.append(f'<li><a href="#headline">{_e(title_of)}</a></li>')
    for i, sc in enumerate(scenarios, start=1):
        if not isinstance(sc, Mapping):
            raise TypeError(f"scenario {i} must be a dict, got {type(sc).__name__}")
        unknown = sorted(set(sc) - set(_SCENARIO_KEYS))
        if unknown:
            raise ValueError(f"scenario {i}: unknown key(s) {unknown}; allowed: "
                             f"{list(_SCENARIO_KEYS)}")
        if not sc.get("name"):
            raise ValueError(f"scenario {i} has no name")
        name = str(sc["name"])
        where = f"scenario {name!r}"
        anchor = f"scenario-{i}"
        toc.append(f'<li><a href="#{anchor}">{_e(name)}</a></li>')
        heading = str(sc.get("title") or name)
        toc[-1] = f'<li><a href="#{anchor}">{_e(heading)}</a></li>'
        parts = [f'<section class="scenario" id="{anchor}">', f"<h2>{_e(heading)}</h2>"]
        if heading != name:
            parts.append(f'<p class="meta">Scenario <code>{_e(name)}</code></p>')
        if sc.get("description"):
            parts.append(f"<p>{_e(sc['description'])}</p>")
        parts.append(_definition_html(sc.get("definition")))
        for j, (caption, image) in enumerate(_pairs(sc.get("figures"), "figures", where)):
            data = _fit_width(_png_bytes(image, dpi, f"{where}, figure {j + 1} ({caption!r})"),
                              max_width_px)
            w, h = _png_size(data)
            uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
            parts.append(f'<figure><img src="{uri}" width="{w}" height="{h}" '
                         f'alt="{_e(caption)}"><figcaption>{_e(caption)}</figcaption></figure>')
        for caption, rows in _pairs(sc.get("tables"), "tables", where):
            parts.append(_table_html(caption, rows))
        parts.append("</section>")
        sections.append("\n".join(p for p in parts if p))

    sections.append('<section class="provenance" id="provenance">\n<h2>Provenance</h2>\n'
                    + _kv_table(list(prov.items())) + "\n</section>")
    toc.append('<li><a href="#provenance">Provenance</a></li>')

    doc = "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'img-src data:; style-src \'unsafe-inline\'">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="gnss_interop {_e(__version__)}">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Created {_e(prov[created_key])} with '
        f'{_e(prov["software"])}.</p>',
        f"<p>{_e(intro)}</p>" if intro else "",
        "</header>",
        opening,
        '<nav><h3>Contents</h3><ol>' + "".join(toc) + "</ol></nav>",
        *sections,
        "</body>",
        "</html>",
        "",
    ])
    return write_bytes_atomic(path, doc.encode("utf-8"))
