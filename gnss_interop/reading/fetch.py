"""Fetch IGS daily merged broadcast navigation files into a local cache.

One table of products (file-name templates), one table of sources (archive folders),
one :func:`fetch` that downloads, validates and caches, and :func:`cached_path` that
only looks in the cache.

* Transport: :class:`pooch.HTTPDownloader` (requests), with a timeout; our own loop adds
  retries with exponential back-off on timeouts, 5xx/429 and connection errors. A 404 is
  not retried: the next product name is tried instead.
* A download goes to a temporary file in the cache folder (:func:`~gnss_interop.output.atomic.
  atomic_path`); it is renamed into the cache only after :func:`validate_nav` accepted it.
  A broken transfer is restarted from the beginning (clean restart, no resumption): daily
  files are a few MB.
* Credentials: requests reads ``~/.netrc`` (or ``$NETRC``) for any host by itself; a source
  with ``netrc_host`` is refused early with a clear message when that entry is missing.
* Cache: ``$GNSS_INTEROP_CACHE`` or ``pooch.os_cache("gnss_interop") / "brdc"``, one flat
  folder with the archive's file names. A file downloaded before its day had ended (the
  running ``BRDC00WRD_S`` file of today) is provisional: refreshed after an hour when online.
"""

from __future__ import annotations

import datetime as dt
import logging
import netrc
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from gnss_interop.output.atomic import atomic_path
from gnss_interop.errors import (
    FetchError,
    MissingRemoteFileError,
    RinexError,
    TransientFetchError,
    UnreachableHostError,
)

__all__ = [
    "PRODUCTS",
    "SOURCES",
    "Product",
    "Source",
    "cached_path",
    "fetch",
    "filename",
    "neighbour_files",
    "parse_date",
    "resolve_cache_dir",
    "validate_nav",
]

log = logging.getLogger(__name__)

CACHE_ENV = "GNSS_INTEROP_CACHE"
SOURCE_ENV = "GNSS_INTEROP_SOURCE"
#: a provisional (same-day) cache entry older than this is downloaded again when online
PROVISIONAL_MAX_AGE_S = 3600.0
_MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class Product:
    """A daily merged broadcast navigation product of the IGS."""

    name: str
    template: str          # file name; {yyyy} {ddd} {yy} are replaced
    rinex_version: int
    first_day: dt.date | None  # None: not known, always tried
    note: str


@dataclass(frozen=True)
class Source:
    """An archive folder per day, and the products it offers (tried in this order)."""

    name: str
    url: str               # folder URL; {yyyy} {ddd} {yy} are replaced
    products: tuple[str, ...]
    netrc_host: str | None  # host whose ~/.netrc entry is required (None: anonymous)
    note: str


PRODUCTS: MappingProxyType[str, Product] = MappingProxyType({p.name: p for p in (
    Product("BRD400DLR_S", "BRD400DLR_S_{yyyy}{ddd}0000_01D_MN.rnx.gz", 4, dt.date(2022, 1, 1),
            "RINEX 4 merged multi-GNSS (DLR/IGS, IGSMAIL-8152)"),
    Product("BRDC00IGS_R", "BRDC00IGS_R_{yyyy}{ddd}0000_01D_MN.rnx.gz", 3, None,
            "RINEX 3 IGS combined (first day not verified)"),
    Product("BRDM00DLR_S", "BRDM00DLR_S_{yyyy}{ddd}0000_01D_MN.rnx.gz", 3, dt.date(2019, 11, 25),
            "RINEX 3 DLR MGEX (long name since 329/2019 at CDDIS, 076/2020 at BKG)"),
    Product("BRDC00WRD_S", "BRDC00WRD_S_{yyyy}{ddd}0000_01D_MN.rnx.gz", 3, None,
            "RINEX 3 real-time merged, updated during the day: the file for today"),
)})

_AUTO = ("BRD400DLR_S", "BRDC00IGS_R", "BRDM00DLR_S", "BRDC00WRD_S")

SOURCES: MappingProxyType[str, Source] = MappingProxyType({s.name: s for s in (
    Source("bkg", "https://igs.bkg.bund.de/root_ftp/IGS/BRDC/{yyyy}/{ddd}/", _AUTO, None,
           "BKG, anonymous HTTPS (IGSMAIL-7913); the default"),
    Source("cddis", "https://cddis.nasa.gov/archive/gnss/data/daily/{yyyy}/{ddd}/{yy}p/",
           ("BRD400DLR_S", "BRDM00DLR_S"), "urs.earthdata.nasa.gov",
           "NASA CDDIS, HTTPS with a NASA Earthdata login in ~/.netrc (path not verified)"),
)})


# ----------------------------------------------------------------------------- names


def parse_date(value: str | dt.date | dt.datetime) -> dt.date:
    """``YYYY-MM-DD``, ``YYYY-DDD`` (day of year), ``today``/``yesterday`` (UTC) or a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().lower()
    today = dt.datetime.now(dt.timezone.utc).date()
    if text == "today":
        return today
    if text == "yesterday":
        return today - dt.timedelta(days=1)
    m = re.fullmatch(r"(\d{4})-(\d{3})", text)
    try:
        if m:
            year, doy = int(m.group(1)), int(m.group(2))
            day = dt.date(year, 1, 1) + dt.timedelta(days=doy - 1)
            if not 1 <= doy <= 366 or day.year != year:
                raise ValueError(f"day of year {doy} out of range")
            return day
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise FetchError(f"date must be YYYY-MM-DD, YYYY-DDD, 'today' or 'yesterday', "
                         f"got {value!r} ({exc})") from None


def _fields(day: dt.date) -> dict[str, str]:
    return {"yyyy": f"{day.year:04d}", "yy": f"{day.year % 100:02d}",
            "ddd": f"{day.timetuple().tm_yday:03d}"}


def filename(product: str | Product, date: str | dt.date) -> str:
    """The archive's file name of ``product`` for ``date``."""
    prod = product if isinstance(product, Product) else _product(product)
    return prod.template.format(**_fields(parse_date(date)))


_LONG_NAME = re.compile(r"^(?P<head>[A-Z0-9]{9}_[A-Z])_(?P<yyyy>\d{4})(?P<ddd>\d{3})0000_01D_"
                        r"(?P<tail>.+)$")


def neighbour_files(path: str | os.PathLike) -> tuple[str, str] | None:
    """Names of the previous and next day's file of a daily file with a RINEX 3/4 long name
    (``BRD400DLR_S_20230710000_01D_MN.rnx.gz`` → ``..._20230700000_...``,
    ``..._20230720000_...``), or ``None`` when the name is not of that form."""
    m = _LONG_NAME.match(Path(path).name)
    if m is None:
        return None
    try:
        day = dt.date(int(m["yyyy"]), 1, 1) + dt.timedelta(days=int(m["ddd"]) - 1)
    except ValueError:
        return None
    out = []
    for d in (day - dt.timedelta(days=1), day + dt.timedelta(days=1)):
        out.append(f"{m['head']}_{d.year:04d}{d.timetuple().tm_yday:03d}0000_01D_{m['tail']}")
    return out[0], out[1]


def _product(name: str) -> Product:
    try:
        return PRODUCTS[name]
    except KeyError:
        raise FetchError(f"unknown product {name!r}; known: {', '.join(PRODUCTS)}") from None


def _source(source: str | Source) -> Source:
    """A source by name, or an ad-hoc one from a URL (folder template or archive root)."""
    if isinstance(source, Source):
        return source
    if source in SOURCES:
        return SOURCES[source]
    parts = urlsplit(source)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(f"unknown source {source!r}: give one of {', '.join(SOURCES)} or an "
                         "http(s) URL such as https://host/IGS/BRDC/{yyyy}/{ddd}/")
    url = source if "{" in source else source.rstrip("/") + "/{yyyy}/{ddd}/"
    try:
        url.format(**_fields(dt.date(2000, 1, 1)))
    except (KeyError, IndexError, ValueError) as exc:
        raise FetchError(f"source URL {source!r}: only {{yyyy}}, {{yy}} and {{ddd}} may be "
                         f"used ({exc!r})") from None
    return Source(parts.netloc, url if url.endswith("/") else url + "/", _AUTO, None, "URL")


def _candidates(day: dt.date, src: Source, product: str | None) -> list[Product]:
    if product is not None:
        return [_product(product)]
    return [PRODUCTS[n] for n in src.products
            if PRODUCTS[n].first_day is None or day >= PRODUCTS[n].first_day]


# ----------------------------------------------------------------------------- cache


def resolve_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """``cache_dir``, else ``$GNSS_INTEROP_CACHE``, else the platform cache folder ``.../brdc``."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("gnss_interop")) / "brdc"


def _is_provisional(path: Path, day: dt.date) -> bool:
    """Downloaded before the end of its day (UTC): the archive may still add records."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.timezone.utc)
    return path.stat().st_mtime < end.timestamp()


def cached_path(date: str | dt.date, *, product: str | None = None,
                cache_dir: str | os.PathLike | None = None) -> Path | None:
    """The cached file for ``date`` (``product``, else the first product in table order), or None."""
    day = parse_date(date)
    folder = resolve_cache_dir(cache_dir)
    names = [product] if product is not None else list(PRODUCTS)
    for name in names:
        p = folder / filename(_product(name), day)
        if p.is_file() and p.stat().st_size > 0:
            return p
    return None


# ----------------------------------------------------------------------------- validation


def _nav_problem(path: Path) -> tuple[str, bool] | None:
    """(message, worth a retry) for a file that must not enter the cache, else None."""
    from gnss_interop.reading.rinex_nav import read_nav

    raw = path.read_bytes()
    head = raw[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        return ("the server sent an HTML page instead of a RINEX file (an error or login "
                "page?)", False)
    if raw and raw[:2] not in (b"\x1f\x8b", b"\x1f\x9d") and not raw.endswith(b"\n"):
        return "incomplete file: the last line is cut short (no final newline)", True
    try:
        nav = read_nav(path)
    except RinexError as exc:
        text = str(exc).removeprefix(f"{path}: ")
        return f"not a complete RINEX navigation file: {text}", "corrupt compressed" in text
    last_good = max((max(t.line) for t in nav.tables.values() if t.line), default=0)
    for problem in nav.problems:
        m = re.match(r"line (\d+): (.*)", problem)
        if m and int(m.group(1)) > last_good and "truncated" in m.group(2):
            return f"incomplete file: the last record is cut short ({problem})", True
    return None


def validate_nav(path: str | os.PathLike) -> None:
    """Raise :class:`FetchError` unless ``path`` is a complete navigation file of a registered system.

    Rejected: an empty file, an HTML page, anything not a RINEX navigation file, a gzip or
    LZW stream that is cut short (gzip checks its CRC and length trailer), a file with no
    BeiDou, GLONASS, GPS or Galileo record, a plain file whose last line has no newline, and
    a file whose last record of those systems is truncated. (A plain file cut exactly between two lines
    inside a record of another system cannot be told from a complete one; over HTTP the
    Content-Length check catches it.)
    """
    path = Path(path)
    found = _nav_problem(path)
    if found is not None:
        raise FetchError(found[0], path)


# ----------------------------------------------------------------------------- download


def _download(url: str, dest: Path, timeout_s: float) -> None:
    import pooch
    import requests
    import urllib3

    downloader = pooch.HTTPDownloader(progressbar=False, chunk_size=65536, timeout=timeout_s)
    try:
        downloader(url, str(dest), None)
    except requests.HTTPError as exc:
        code = exc.response.status_code if exc.response is not None else 0
        if code in (404, 410):
            raise MissingRemoteFileError(f"HTTP {code}") from None
        if code in (401, 403):
            raise FetchError(f"HTTP {code} (access refused): this archive needs a login; put it "
                             f"in ~/.netrc as 'machine {urlsplit(url).hostname} login USER "
                             f"password PASS' (chmod 600)", url) from None
        if code == 429 or code >= 500:
            raise TransientFetchError(f"HTTP {code}") from None
        raise FetchError(f"HTTP {code}", url) from None
    except requests.exceptions.ConnectTimeout:
        raise UnreachableHostError(f"no connection within {timeout_s:g} s") from None
    except requests.Timeout:
        raise TransientFetchError(f"no answer within the {timeout_s:g} s timeout") from None
    except requests.exceptions.ChunkedEncodingError as exc:
        raise TransientFetchError(f"transfer cut short ({_reason(exc)})") from None
    except requests.ConnectionError as exc:
        # requests reports a read timeout while streaming the body as a ConnectionError
        if isinstance(_root(exc), urllib3.exceptions.ReadTimeoutError):
            raise TransientFetchError(f"no data within the {timeout_s:g} s timeout") from None
        if isinstance(_root(exc), urllib3.exceptions.NewConnectionError):
            raise UnreachableHostError(str(_root(exc)).split("new connection: ")[-1]) from None
        raise TransientFetchError(f"connection broken ({_reason(exc)})") from None
    except requests.RequestException as exc:
        raise TransientFetchError(_reason(exc)) from None


def _root(exc: BaseException) -> BaseException:
    """The urllib3 error under a requests error (MaxRetryError unwrapped)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    return getattr(inner, "reason", None) or inner


def _reason(exc: BaseException) -> str:
    root = _root(exc)
    return f"{type(root).__name__}: {root}" if root is not exc else f"{type(exc).__name__}: {exc}"


def _check_netrc(src: Source) -> None:
    if src.netrc_host is None:
        return
    path = Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    try:
        ok = netrc.netrc(path).authenticators(src.netrc_host) is not None
    except (OSError, netrc.NetrcParseError):
        ok = False
    if not ok:
        raise FetchError(f"source {src.name!r} needs a login: add 'machine {src.netrc_host} "
                         f"login USER password PASS' to {path} (chmod 600)")


def _remove_stale_temporaries(folder: Path, max_age_s: float = 86400.0) -> None:
    """Temporary files left by a killed download (``atomic_path`` names them ``.NAME.*.tmp``)."""
    now = time.time()
    for tmp in folder.glob(".*.tmp"):
        try:
            if now - tmp.stat().st_mtime > max_age_s:
                tmp.unlink()
        except OSError:
            pass


def _fetch_one(url: str, target: Path, timeout_s: float, retries: int, backoff_s: float) -> None:
    """Download ``url`` into ``target`` with retries; only a validated file lands there."""
    attempt = 0
    while True:
        try:
            with atomic_path(target) as tmp:
                _download(url, tmp, timeout_s)
                found = _nav_problem(tmp)
                if found is not None:
                    message, transient = found
                    if transient:
                        raise TransientFetchError(message)
                    raise FetchError(message, url)
            return
        except TransientFetchError as exc:
            if attempt >= retries:
                raise
            wait = min(backoff_s * 2 ** attempt, _MAX_BACKOFF_S)
            log.warning("%s: %s; retry %d of %d in %.1f s", url, exc, attempt + 1, retries, wait)
            time.sleep(wait)
            attempt += 1


def fetch(date: str | dt.date, *, source: str | Source = "bkg", product: str | None = None,
          cache_dir: str | os.PathLike | None = None, offline: bool = False,
          timeout_s: float = 60.0, retries: int = 3, backoff_s: float = 2.0) -> Path:
    """Path of the cached daily broadcast navigation file for ``date``, downloading it if needed.

    Parameters
    ----------
    date
        ``YYYY-MM-DD``, ``YYYY-DDD``, ``today``, ``yesterday`` (UTC) or a :class:`datetime.date`.
    source
        A name in :data:`SOURCES` (``bkg``, ``cddis``) or a folder URL with ``{yyyy}``,
        ``{ddd}``, ``{yy}`` (a URL without them is taken as an archive root and
        ``{yyyy}/{ddd}/`` is appended).
    product
        A name in :data:`PRODUCTS`; default: the source's products in order (RINEX 4 first),
        skipping those that did not exist yet, moving on after a 404.
    cache_dir
        Cache folder; default ``$GNSS_INTEROP_CACHE`` or the platform cache folder.
    offline
        Use only the cache; raise :class:`FetchError` naming what is missing.
    timeout_s, retries, backoff_s
        Per-request timeout; extra attempts after a timeout, 5xx/429, connection error or
        cut-short transfer; first wait, doubled at each retry (at most 60 s).
    """
    day = parse_date(date)
    folder = resolve_cache_dir(cache_dir)
    today = dt.datetime.now(dt.timezone.utc).date()
    if day > today:
        raise FetchError(f"{day} is in the future (today is {today} UTC)")
    if retries < 0 or timeout_s <= 0 or backoff_s < 0:
        raise FetchError("retries and backoff_s must be >= 0, timeout_s > 0")

    hit = cached_path(day, product=product, cache_dir=folder)
    if hit is not None and (offline or not _is_provisional(hit, day)
                            or time.time() - hit.stat().st_mtime < PROVISIONAL_MAX_AGE_S):
        if offline and _is_provisional(hit, day):
            log.warning("%s was downloaded before its day ended and may be incomplete", hit)
        return hit
    if offline:
        names = [product] if product is not None else list(PRODUCTS)
        raise FetchError(f"offline: no navigation file for {day} in the cache {folder} "
                         f"(looked for {', '.join(filename(n, day) for n in names)}); run "
                         f"'gnss-interop fetch {day}' while online")

    src = _source(source)
    _check_netrc(src)
    candidates = _candidates(day, src, product)
    if not candidates:
        raise FetchError(f"no product of source {src.name!r} exists for {day} (first days: "
                         + ", ".join(f"{n} {PRODUCTS[n].first_day}" for n in src.products) + ")")
    base = src.url.format(**_fields(day))
    _remove_stale_temporaries(folder)
    tried: list[str] = []
    for prod in candidates:
        name = filename(prod, day)
        url = base + name
        try:
            _fetch_one(url, folder / name, timeout_s, retries, backoff_s)
        except MissingRemoteFileError as exc:
            tried.append(f"{name} ({exc})")
            continue
        except UnreachableHostError as exc:
            if hit is not None:
                log.warning("%s; using the provisional cached %s", exc, hit)
                return hit
            host = urlsplit(url).netloc
            raise FetchError(f"cannot reach {host}: offline? use --offline to use only the "
                             f"cache ({folder}) [{exc}]") from None
        except TransientFetchError as exc:
            raise FetchError(f"download failed after {retries + 1} attempt(s): {exc}", url) \
                from None
        log.info("cached %s from %s", name, url)
        return folder / name
    if hit is not None:  # a provisional copy is better than nothing
        return hit
    raise FetchError(f"no broadcast navigation file for {day} at {base}: tried "
                     + ", ".join(tried))

